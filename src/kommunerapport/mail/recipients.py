"""What ``kommunerapport send`` checks before it touches the network.

The recipients file (numbers, names, addresses, each row checked against the
register), every member's report (the one the tool recorded writing and unchanged
since, approved unless ``--draft``, all from one year, sample or real as its record
says), and the list of messages that follows: one per member and address (with
``--draft``, to the one test address). Sending them is ``delivery``'s part.

Every file is read as ``inputs`` reads it: regular files only, of bounded size; a pipe,
a device or a symbolic link named like a report or a record is passed over and named.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from email.utils import parseaddr
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from kommunerapport.errors import DeliveryError, UsageError, printable
from kommunerapport.mail.inputs import (
    MAX_RECIPIENTS_BYTES,
    MAX_RECORD_BYTES,
    MAX_REPORT_BYTES,
    read_text_file,
    sha256_regular,
    why_not_regular,
)
from kommunerapport.model import regions
from kommunerapport.model.kinds import is_county_number
from kommunerapport.outputs import names, records
from kommunerapport.sources import csvdialect

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns

HEADER = ["nummer", "navn", "epost"]
MAX_ADDRESSES = 100  # addresses for one member
MAX_PROBLEMS_SHOWN = 50
ADDRESS_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


@dataclass(frozen=True)
class Recipient:
    row: int
    number: str
    short_name: str  # «Kinn»
    member: str  # «Kinn kommune»
    kind: str  # «kommune» or «fylkeskommune»
    lang: str
    addresses: tuple[str, ...]
    county: str  # the county it belongs to («46»); a county authority's is its own


@dataclass(frozen=True)
class ReportFile:
    """A member's report as the tool recorded writing it (``records.py``)."""

    path: Path
    year: int
    sha256: str
    sample: bool  # from the record: any figure from the sample data
    passed_over: tuple[str, ...] = ()  # the member's other files, not sent: «name (why)»


@dataclass(frozen=True)
class Outgoing:
    """One message: one member's report to one address."""

    recipient: Recipient
    address: str
    report: ReportFile

    @property
    def label(self) -> str:
        return f"{self.recipient.number} {self.recipient.short_name} <{self.address}>"


# --- Recipients ----------------------------------------------------------------------


class RecipientsError(UsageError):
    """Every problem of a recipients file at once: one line each, then a summary."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.problems = problems
        if len(problems) == 1:
            super().__init__(problems[0])
        else:
            super().__init__(f"{path} har {len(problems)} feil (se over). Rett dem og kjør "
                             "på nytt; ingenting er sendt.")

    def show(self, file: IO[Any] | None = None) -> None:  # click's signature
        if len(self.problems) > 1:
            for problem in self.problems[:MAX_PROBLEMS_SHOWN]:
                click.echo(printable(" ".join(problem.split())), err=True)
            if len(self.problems) > MAX_PROBLEMS_SHOWN:
                click.echo(f"… og {len(self.problems) - MAX_PROBLEMS_SHOWN} feil til.", err=True)
        super().show(file)


def read_recipients(path: Path) -> list[Recipient]:
    """Every row of the recipients CSV, checked; RecipientsError naming every bad row.

    Read as a spreadsheet saves it: UTF-8 (with or without BOM), Windows-1252 or
    Latin-1 (UTF-16 by its mark), with commas or semicolons.
    """
    rows = _csv_rows(path)
    header = [h.strip().casefold() for h in next(rows, [])]
    if header != HEADER:
        raise UsageError(f"{path}: første linje må være «nummer,navn,epost», "
                         f"ikke «{','.join(header)}».")
    recipients: list[Recipient] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for row_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            recipient = parse_row(row, f"{path}, rad {row_no}", row_no)
        except UsageError as exc:
            problems.append(exc.message)
            continue
        if recipient.number in seen:
            problems.append(f"{path}, rad {row_no}: nummer {recipient.number} står også på "
                            f"rad {seen[recipient.number]}. Slå radene sammen.")
            continue
        seen[recipient.number] = row_no
        recipients.append(recipient)
    if problems:
        raise RecipientsError(path, problems)
    if not recipients:
        raise UsageError(f"{path}: ingen mottakere under overskriftslinjen.")
    return recipients


def _csv_rows(path: Path) -> Reader:
    raw = read_text_file(path, "mottakerfilen", MAX_RECIPIENTS_BYTES)
    try:
        text, _ = csvdialect.decode(raw)
    except csvdialect.EncodingError as exc:
        raise UsageError(f"Mottakerfilen {path}: teksten er ikke gyldig {exc.encoding} "
                         f"(byte {exc.offset}). Lagre den på nytt som CSV (UTF-8).") from None
    if "\x00" in text:
        raise UsageError(f"Mottakerfilen {path}: inneholder binære data, ikke tekst. "
                         "Lagre den som CSV fra regnearket.")
    # Norwegian Excel saves CSV with semicolons; the readers' sniffer tells which. The
    # whole text, not its lines: a quoted field may hold a line break.
    return csvdialect.reader(text, csvdialect.sniff(text, (",", ";")))


def parse_row(row: list[str], where: str, row_no: int) -> Recipient:
    if len(row) < 3:
        raise UsageError(f"{where}: ventet tre felt (nummer,navn,epost), fant {len(row)}.")
    number = member_number(row[0], where)
    recipient = find_member(number, where, row_no)
    check_name(row[1], recipient, where)
    return replace(recipient, addresses=parse_addresses(row[2:], where))


def member_number(text: str, where: str) -> str:
    """«3901», «39»; also «301» and «3», as a spreadsheet may have dropped the zero."""
    text = text.strip()
    if not text.isdigit() or len(text) not in (1, 2, 3, 4):
        raise UsageError(f"{where}: «{text}» er ikke et kommunenummer (4 sifre) "
                         "eller fylkesnummer (2 sifre).")
    return text.zfill(4) if len(text) >= 3 else text.zfill(2)


def find_member(number: str, where: str, row_no: int) -> Recipient:
    """The member from the register; addresses still empty."""
    register = regions.load_register()
    if not is_county_number(number):
        m = next((m for m in register.municipalities if m.number == number), None)
        if m:
            return Recipient(row_no, number, m.short_name, f"{m.name} kommune", "kommune",
                             m.lang, (), m.county)
        raise UsageError(f"{where}: ukjent kommunenummer {number}.")
    c = next((c for c in register.counties if c.number == number), None)
    if c is None:
        raise UsageError(f"{where}: ukjent fylkesnummer {number}.")
    kind = "kommune" if number == "03" else "fylkeskommune"  # Oslo is both
    return Recipient(row_no, number, c.short_name, f"{c.name} {kind}", kind, c.lang, (),
                     number)


def check_name(given: str, recipient: Recipient, where: str) -> None:
    """A mistyped number sends a report to the wrong member; the name must agree."""
    if not given.strip():
        return
    official = recipient.member.rsplit(" ", 1)[0]
    forms = {regions.normalise(official), regions.normalise(recipient.short_name)}
    forms.update(regions.normalise(part) for part in official.split(" - "))
    if regions.normalise(given) not in forms:
        raise UsageError(f"{where}: nummer {recipient.number} er {recipient.short_name}, "
                         f"ikke «{given.strip()}». Rett nummeret eller navnet.")


def parse_addresses(fields: list[str], where: str) -> tuple[str, ...]:
    """One or more addresses separated by «;»; each one checked."""
    parts = [p.strip() for f in fields for p in re.split(r"[;,]", f) if p.strip()]
    if not parts:
        raise UsageError(f"{where}: mangler e-postadresse.")
    if len(parts) > MAX_ADDRESSES:
        raise UsageError(f"{where}: {len(parts)} adresser, over grensen på {MAX_ADDRESSES} "
                         "per mottaker.")
    for part in parts:
        if "\n" in part or "\r" in part:
            raise UsageError(f"{where}: e-postfeltet «{' '.join(part.split())}» går over flere "
                             "linjer; skill adressene med «;».")
        if not valid_address(part):
            raise UsageError(f"{where}: ugyldig e-postadresse «{part}».")
    unique = {p.casefold(): p for p in reversed(parts)}
    return tuple(reversed(unique.values()))


def to_test_address(recipients: list[Recipient], address: str) -> list[Recipient]:
    """Every member's message to one test address instead of the member's own
    (``send --draft``: drafts may go there, and only there)."""
    parsed = parse_addresses([address], "--draft")
    if len(parsed) != 1:
        raise UsageError("--draft: oppgi én testadresse, for eksempel --draft meg@ks.no.")
    return [replace(r, addresses=parsed) for r in recipients]


def valid_address(text: str) -> bool:
    """A plain address (no display name) that a mail server will accept."""
    return parseaddr(text)[1] == text and ADDRESS_RE.fullmatch(text) is not None


# --- Reports -------------------------------------------------------------------------


def find_reports(recipients: list[Recipient], folder: Path,
                 drafts: bool = False) -> dict[str, ReportFile]:
    """Each member's report in the folder, as the tool recorded writing it.

    DeliveryError listing the members without one, or whose files the tool's
    records do not vouch for (``records.py``), or that are drafts (not approved, or
    changed since approval) unless ``drafts`` (``send --draft``: to a test address).
    """
    if not folder.is_dir():
        raise DeliveryError(f"Fant ikke rapportmappen {folder}. Lag rapportene med "
                            "kommunerapport --members, eller velg mappe med --reports.")
    reports: dict[str, ReportFile] = {}
    missing: list[str] = []
    unverified: list[str] = []
    for r in recipients:
        report, passed_over = choose_report(folder, r, drafts)
        if report is not None:
            reports[r.number] = report
        elif passed_over:
            unverified += passed_over
        else:
            missing.append(f"{r.number} {r.short_name}")
    if missing:
        raise DeliveryError(f"Mangler rapport i {folder} for "
                            f"{count(len(missing), 'mottaker', 'mottakere')}: "
                            f"{listing(missing, 5)}. "
                            "Lag dem med kommunerapport --members.")
    drafted = [u for u in unverified if u.endswith(DRAFT_MARK)]
    if drafted and len(drafted) == len(unverified):
        raise DeliveryError(f"{count(len(drafted), 'rapport', 'rapporter')} i {folder} er "
                            f"ikke godkjent og sendes ikke: {listing(drafted, 3)}. Godkjenn "
                            "med kommunerapport approve og lag dem på nytt, eller send dem "
                            "til en testadresse med --draft.")
    if unverified:
        raise DeliveryError(f"{count(len(unverified), 'rapport', 'rapporter')} i {folder} kan "
                            f"ikke sendes: {listing(unverified, 3)}. "
                            "Lag dem på nytt med kommunerapport --members.")
    check_one_year(reports, recipients, folder)
    return reports


def member_files(folder: Path, number: str) -> list[Path]:
    """Every PDF in the output folder named as a report for this member, of any year
    (``kommuner/`` or ``fylkeskommuner/``: ``outputs.names``)."""
    return names.member_files(folder, number)


DRAFT_MARK = "; utkast)"  # ends the reason of a draft passed over


def not_approved(record: records.Record) -> str | None:
    """Why a report may not be sent to its member yet (a draft, from its record), or None."""
    if record.status == records.CHANGED:
        day = record.approved_at[:10].split("-") if record.approved_at else []
        if record.approved_by and len(day) == 3 and all(p.isdigit() for p in day):
            return (f"endret siden {record.approved_by} godkjente den "
                    f"{int(day[2])}.{int(day[1])}.{day[0]}")
        return "endret siden godkjenningen"
    if record.status != records.APPROVED:
        return "ikke godkjent"
    return None


def choose_report(folder: Path, recipient: Recipient,
                  drafts: bool = False) -> tuple[ReportFile | None, list[str]]:
    """The member's newest report that the tool's record vouches for, and the files
    passed over («name (why)»): renamed copies, edited files, files from elsewhere.

    Never picked by name: «…-kinn-zzz-gammel.pdf» sorts after «…-kinn.pdf» but has
    no record. Two vouched-for reports of the same year are refused as ambiguous.
    """
    verified: list[ReportFile] = []
    passed_over: list[str] = []
    draft_years: list[int] = []
    for path in member_files(folder, recipient.number):
        if (path.parent / records.RECORD_DIR).is_symlink():
            passed_over.append(f"{path.name} (registermappen {records.RECORD_DIR} er en "
                               "symbolsk lenke, som ikke følges)")
            continue
        why = why_not_regular(path, MAX_REPORT_BYTES)
        if why is None:
            record_why = why_not_regular(records.record_path(path), MAX_RECORD_BYTES)
            why = record_why and f"registreringen {records.RECORD_DIR}/{path.name}.json er " \
                                 f"{record_why}"
        if why is not None:
            passed_over.append(f"{path.name} ({why})")
            continue
        sha256 = sha256_regular(path)
        record, why = records.check(path, sha256)
        if record is None:
            passed_over.append(f"{path.name} ({why})")
        elif (record.kind != "member" or record.number != recipient.number
              or record.year is None):
            passed_over.append(f"{path.name} (registreringen gjelder ikke denne rapporten)")
        elif not drafts and not_approved(record):
            passed_over.append(f"{path.name} ({not_approved(record)}{DRAFT_MARK}")
            draft_years.append(record.year)
        else:
            verified.append(ReportFile(path, record.year, sha256, record.sample))
    newest = max((v.year for v in verified), default=None)
    if newest is None or any(year >= newest for year in draft_years):
        return None, passed_over  # never last year's report while this year's is a draft
    current = [v for v in verified if v.year == newest]
    if len(current) > 1:
        names = [v.path.name for v in current]
        raise DeliveryError(f"{recipient.number} {recipient.short_name} har {len(names)} "
                            f"rapporter for {newest} i {folder}: {listing(names, 3)}. "
                            "Flytt bort den som ikke skal sendes.")
    return replace(current[0], passed_over=tuple(passed_over)), passed_over


def check_one_year(reports: dict[str, ReportFile], recipients: list[Recipient],
                   folder: Path) -> None:
    """Refuse a mix of years: a member whose new report failed would get last year's."""
    years = Counter(r.year for r in reports.values())
    if len(years) < 2:
        return
    newest = max(years)
    older = [f"{r.number} {r.short_name} ({reports[r.number].year})" for r in recipients
             if reports[r.number].year != newest]
    raise DeliveryError(f"Rapportene i {folder} er fra ulike år: {newest} for de fleste, "
                        f"eldre for {listing(older, 5)}. Lag dem for {newest}, "
                        "eller velg en annen mappe med --reports.")


def listing(items: list[str], first: int) -> str:
    """«a, b, c og 4 til»."""
    rest = f" og {len(items) - first} til" if len(items) > first else ""
    return ", ".join(items[:first]) + rest


def count(n: int, singular: str, plural: str) -> str:
    """«1 rapport», «3 rapporter»."""
    return f"{n} {singular if n == 1 else plural}"


def plan_messages(recipients: list[Recipient], reports: dict[str, ReportFile]) -> list[Outgoing]:
    return [Outgoing(r, address, reports[r.number]) for r in recipients for address in r.addresses]


def sample_refusal(messages: list[Outgoing], allow_sample: bool) -> str | None:
    """Why reports on sample figures will not be sent, unless --allow-sample; else None."""
    names = sorted({m.report.path.name for m in messages if m.report.sample})
    if not names or allow_sample:
        return None
    return (f"{count(len(names), 'rapport', 'rapporter')} bygger på eksempeldata "
            f"({listing(names, 3)}) og sendes ikke. Bruk --allow-sample om det er meningen.")
