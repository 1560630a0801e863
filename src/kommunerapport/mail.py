"""``kommunerapport send``: e-mail each member its own report.

The run has two halves. First everything is checked without touching the
network: the recipients file (numbers, names, addresses), that every member's
report exists, and that none is built on sample figures. Only then does it
connect and send, one message per address, each recorded in the send log
(``sendlog.py``) after the server's 250 reply. A rerun skips what the log
already holds, so a run that died half-way can simply be started again.

SMTP in short: STARTTLS with a verifying context whenever the server offers it
(required with ``--starttls``, off with ``--no-starttls``); 4xx replies and lost
connections are retried with backoff, 5xx replies never; the password comes
only from the environment and is never printed.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import ipaddress
import logging
import os
import re
import smtplib
import ssl
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TypedDict

import click
import jinja2
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from kommunerapport import outputs, regions
from kommunerapport.errors import DeliveryError, TemplateError, UsageError
from kommunerapport.sendlog import SendLog, open_log, read_only_log

PASSWORD_ENV = "KOMMUNERAPPORT_SMTP_PASSWORD"
# What the report renderer writes into /Keywords and /Subject when any figure
# is synthetic (the same text as console.SAMPLE_NOTICE).
SAMPLE_MARK = "Eksempeldata – ikke offisielle tall"
HEADER = ["nummer", "navn", "epost"]
SUBJECT_TEMPLATE = "email_subject.txt"
BODY_TEMPLATE = "email_body.txt"
TIMEOUT = 60  # seconds for one SMTP command
BACKOFF = (5.0, 20.0, 60.0)  # seconds before the 2nd, 3rd and 4th attempt
ADDRESS_RE = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
ALREADY_SENT = "allerede sendt"
CHANGED = "rapporten er endret siden forrige sending; bruk --resend for å sende den nye"
LANG_NAMES = {"nb": "bokmål", "nn": "nynorsk"}


class EmailContext(TypedDict):
    """What the e-mail templates receive; every key is documented here."""

    lang: str  # «nb» or «nn»: the member's official written form (neutral → nb)
    member: str  # «Kinn kommune», «Vestland fylkeskommune»
    number: str  # «4602» (kommunenummer) or «46» (fylkesnummer)
    kind: str  # «kommune» or «fylkeskommune»
    year: int  # accounting year of the attached report
    report_name: str  # the attached file's name


@dataclass(frozen=True)
class SendOptions:
    """The ``send`` command's options, as the user gave them."""

    recipients: Path
    reports: Path = Path("output")
    dry_run: bool = False
    host: str = "localhost"
    port: int = 25
    user: str | None = None
    sender: str | None = None
    rate: str | None = None  # «30/min» or «30»
    resend: bool = False
    allow_sample: bool = False
    starttls: bool | None = None  # None: when offered; True: required; False: never
    templates: Path | None = None


@dataclass
class Hooks:
    """Seams for tests: time, output (echo: stdout, warn: stderr), and a call after
    each delivered message."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    echo: Callable[[str], None] = click.echo
    warn: Callable[[str], None] = partial(click.echo, err=True)
    after_send: Callable[[Outgoing], None] | None = None


@dataclass(frozen=True)
class Recipient:
    row: int
    number: str
    short_name: str  # «Kinn»
    member: str  # «Kinn kommune»
    kind: str  # «kommune» or «fylkeskommune»
    lang: str
    addresses: tuple[str, ...]


@dataclass(frozen=True)
class Report:
    path: Path
    year: int
    sha256: str
    sample: bool


@dataclass(frozen=True)
class Outgoing:
    """One message: one member's report to one address."""

    recipient: Recipient
    address: str
    report: Report

    @property
    def label(self) -> str:
        return f"{self.recipient.number} {self.recipient.short_name} <{self.address}>"


@dataclass
class Summary:
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[Outgoing, str]] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)


class ConnectionLost(Exception):
    """The server cannot be used any more: lost after every retry, or it refuses us."""


class SessionError(DeliveryError):
    """The server refused to open a session: its greeting, EHLO, STARTTLS or AUTH.

    ``code`` is the server's reply code, or None when there was no reply to judge
    (no STARTTLS on offer, a certificate that does not verify). Only 4xx is retried.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code

    @property
    def temporary(self) -> bool:
        return self.code is not None and 400 <= self.code < 500


# --- The run -------------------------------------------------------------------------


def run_send(options: SendOptions, hooks: Hooks | None = None) -> Summary:
    """The ``send`` command: check, send, summarise; DeliveryError if any failed."""
    summary = send_reports(options, hooks or Hooks())
    if summary.failed:
        total = len(summary.failed) + len(summary.sent)
        raise DeliveryError(f"{len(summary.failed)} av {count(total, 'e-post', 'e-poster')} "
                            "ble ikke sendt; se over.")
    return summary


def send_reports(options: SendOptions, hooks: Hooks) -> Summary:
    """Check everything first, then send (or, with dry_run, only show) each message."""
    per_minute = parse_rate(options.rate)
    recipients = read_recipients(options.recipients)
    messages = plan_messages(recipients, find_reports(recipients, options.reports))
    refusal = sample_refusal(messages, options.allow_sample)
    env = template_env(options.templates)
    if options.dry_run:
        if options.sender:
            parse_sender(options.sender)
        return dry_run(messages, options, env, hooks.echo, refusal)
    if refusal:
        raise DeliveryError(refusal)
    sender = parse_sender(options.sender)
    password = read_password(options.user)
    with open_log(options.reports) as log:
        session = Session(options, password, hooks.sleep, hooks.warn)
        delivery = Delivery(log, session, sender, env, hooks)
        try:
            delivery.run(messages, Pacer(per_minute, hooks.clock, hooks.sleep))
        finally:
            print_summary(delivery.summary, hooks.echo)
    return delivery.summary


@dataclass
class Delivery:
    """One sending run: what it sends with, and what happened so far."""

    log: SendLog
    session: Session
    sender: str
    env: jinja2.Environment
    hooks: Hooks
    summary: Summary = field(default_factory=Summary)

    def run(self, messages: list[Outgoing], pace: Pacer) -> None:
        """Send every message the log does not hold yet; record each one accepted."""
        todo = [out for out in messages if not self.skipped(out)]
        if not todo:
            return
        with self.session:
            for i, out in enumerate(todo):
                pace.wait()
                try:
                    error = self.send_one(out)
                except ConnectionLost as exc:
                    self.summary.failed.extend((o, f"ikke sendt: {exc}") for o in todo[i:])
                    return
                self.note(out, error)

    def skipped(self, out: Outgoing) -> bool:
        reason = skip_reason(out, self.log, self.session.options.resend)
        if reason:
            self.summary.skipped.append((out, reason))
        return reason is not None

    def send_one(self, out: Outgoing) -> str | None:
        """Send one message and log it; the reason it failed, or None."""
        try:
            data = out.report.path.read_bytes()
        except OSError as exc:
            return f"kan ikke lese {out.report.path.name}: {exc.strerror}"
        if hashlib.sha256(data).hexdigest() != out.report.sha256:
            return f"{out.report.path.name} ble endret under sendingen; kjør send på nytt"
        msg = build_message(out, data, self.sender, self.env)
        error = self.session.send(msg, parseaddr(self.sender)[1], out.address)
        if error is None:
            self.log.record(out.address, out.recipient.number, out.report.sha256,
                            out.report.path.name, msg["Message-ID"])
        return error

    def note(self, out: Outgoing, error: str | None) -> None:
        if error:
            self.summary.failed.append((out, error))
            self.hooks.echo(f"Feilet: {out.label}: {error}")
            return
        self.summary.sent.append(out)
        self.hooks.echo(f"Sendt: {out.label}")
        if self.hooks.after_send:
            self.hooks.after_send(out)


def skip_reason(out: Outgoing, log: SendLog | None, resend: bool) -> str | None:
    """Why this message is not sent again, or None to send it."""
    if log is None:
        return None
    hashes = log.hashes_sent(out.address, out.recipient.number)
    if out.report.sha256 in hashes:
        return ALREADY_SENT
    if hashes and not resend:
        return CHANGED
    return None


def dry_run(messages: list[Outgoing], options: SendOptions, env: jinja2.Environment,
            echo: Callable[[str], None], refusal: str | None) -> Summary:
    """Print what a real run would send, and send nothing.

    Sample reports are shown with a note instead of stopping the preview.
    """
    summary = Summary()
    log = read_only_log(options.reports)
    with log or contextlib.nullcontext():
        for out in messages:
            reason = skip_reason(out, log, options.resend)
            subject, _ = render_email(out, env)
            if reason:
                summary.skipped.append((out, reason))
                echo(f"Hopper over {out.label}: {reason}")
            else:
                summary.sent.append(out)
                sample = ", eksempeldata" if out.report.sample else ""
                echo(f"Ville sendt {out.label}: {out.report.path.name} "
                     f"({LANG_NAMES[out.recipient.lang]}{sample}), «{subject}»")
    echo(f"Tørrkjøring: {count(len(summary.sent), 'e-post', 'e-poster')} ville blitt sendt, "
         f"{len(summary.skipped)} hoppet over. Ingenting er sendt.")
    if refusal:
        echo(f"Merk: {refusal}")
    return summary


def print_summary(summary: Summary, echo: Callable[[str], None]) -> None:
    already = sum(1 for _, reason in summary.skipped if reason == ALREADY_SENT)
    changed = len(summary.skipped) - already
    echo(f"Sendt: {len(summary.sent)}. Allerede sendt: {already}. "
         f"Endret, ikke sendt (bruk --resend): {changed}. Feilet: {len(summary.failed)}.")
    for out, reason in summary.failed:
        echo(f"  Feilet: {out.label}: {reason}")


# --- Options -------------------------------------------------------------------------


def parse_rate(text: str | None) -> float | None:
    """«30/min» or «30» → 30.0 messages a minute; None for no limit."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*min)?\s*", text)
    value = float(match.group(1).replace(",", ".")) if match else 0.0
    if value <= 0:
        raise UsageError(f"--rate «{text}»: skriv antall e-poster per minutt, for eksempel 30/min.")
    return value


def parse_sender(text: str | None) -> str:
    """The From header: «analyse@ks.no» or «KS Analyse <analyse@ks.no>»."""
    if not text:
        raise UsageError("Mangler --from: oppgi avsenderadressen, "
                         "for eksempel --from analyse@ks.no.")
    name, address = parseaddr(text)
    if not valid_address(address) or "\n" in text or "\r" in text:
        raise UsageError(f"--from «{text}» er ikke en gyldig e-postadresse.")
    return formataddr((name, address)) if name else address


def read_password(user: str | None) -> str | None:
    """The SMTP password from the environment; required when a user is given."""
    if user is None:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise UsageError(f"--smtp-user er satt, men miljøvariabelen {PASSWORD_ENV} er tom. "
                         "Sett passordet der.")
    return password


# --- Recipients ----------------------------------------------------------------------


def read_recipients(path: Path) -> list[Recipient]:
    """Every row of the recipients CSV, checked; UsageError naming the row otherwise."""
    rows = _csv_rows(path)
    header = [h.strip().casefold() for h in next(rows, [])]
    if header != HEADER:
        raise UsageError(f"{path}: første linje må være «nummer,navn,epost», "
                         f"ikke «{','.join(header)}».")
    recipients: list[Recipient] = []
    seen: dict[str, int] = {}
    for row_no, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        recipient = parse_row(row, f"{path}, rad {row_no}", row_no)
        if recipient.number in seen:
            raise UsageError(f"{path}, rad {row_no}: nummer {recipient.number} står også på "
                             f"rad {seen[recipient.number]}. Slå radene sammen.")
        seen[recipient.number] = row_no
        recipients.append(recipient)
    if not recipients:
        raise UsageError(f"{path}: ingen mottakere under overskriftslinjen.")
    return recipients


def _csv_rows(path: Path):  # noqa: ANN202 - a csv reader
    try:
        text = path.read_text("utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"Fant ikke mottakerfilen {path}.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"Kan ikke lese mottakerfilen {path} som UTF-8: {exc}.") from None
    first = text.partition("\n")[0]
    # Norwegian Excel saves CSV with semicolons.
    delimiter = ";" if "," not in first and ";" in first else ","
    # The whole text, not its lines: a quoted field may hold a line break.
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


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
    if len(number) == 4:
        m = next((m for m in register.municipalities if m.number == number), None)
        if m:
            return Recipient(row_no, number, m.short_name, f"{m.name} kommune", "kommune",
                             m.lang, ())
        raise UsageError(f"{where}: ukjent kommunenummer {number}.")
    c = next((c for c in register.counties if c.number == number), None)
    if c is None:
        raise UsageError(f"{where}: ukjent fylkesnummer {number}.")
    kind = "kommune" if number == "03" else "fylkeskommune"  # Oslo is both
    return Recipient(row_no, number, c.short_name, f"{c.name} {kind}", kind, c.lang, ())


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
    for part in parts:
        if "\n" in part or "\r" in part:
            raise UsageError(f"{where}: e-postfeltet «{' '.join(part.split())}» går over flere "
                             "linjer; skill adressene med «;».")
        if not valid_address(part):
            raise UsageError(f"{where}: ugyldig e-postadresse «{part}».")
    unique = {p.casefold(): p for p in reversed(parts)}
    return tuple(reversed(unique.values()))


def valid_address(text: str) -> bool:
    """A plain address (no display name) that a mail server will accept."""
    return parseaddr(text)[1] == text and ADDRESS_RE.fullmatch(text) is not None


# --- Reports -------------------------------------------------------------------------


def find_reports(recipients: list[Recipient], folder: Path) -> dict[str, Report]:
    """Each member's report in the folder; DeliveryError listing the missing ones."""
    if not folder.is_dir():
        raise DeliveryError(f"Fant ikke rapportmappen {folder}. Lag rapportene med "
                            "kommunerapport --members, eller velg mappe med --reports.")
    reports: dict[str, Report] = {}
    missing: list[str] = []
    for r in recipients:
        path = outputs.find_member_report(folder, r.number)
        if path is None:
            missing.append(f"{r.number} {r.short_name}")
        else:
            reports[r.number] = read_report(path)
    if missing:
        raise DeliveryError(f"Mangler rapport i {folder} for "
                            f"{count(len(missing), 'mottaker', 'mottakere')}: "
                            f"{listing(missing, 5)}. "
                            "Lag dem med kommunerapport --members.")
    check_one_year(reports, recipients, folder)
    return reports


def check_one_year(reports: dict[str, Report], recipients: list[Recipient],
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


def read_report(path: Path) -> Report:
    data = path.read_bytes()
    year = int(re.match(rf"{outputs.PREFIX}-(\d{{4}})-", path.name).group(1))
    return Report(path, year, hashlib.sha256(data).hexdigest(), is_sample(data, path))


def is_sample(data: bytes, path: Path) -> bool:
    """True when the PDF's /Keywords or /Subject says it is built on sample figures."""
    try:
        with quiet_pypdf():
            meta = PdfReader(io.BytesIO(data)).metadata or {}
            fields = [str(meta.get(key) or "") for key in ("/Keywords", "/Subject")]
    except (PyPdfError, ValueError) as exc:
        raise DeliveryError(f"Kan ikke lese PDF-en {path}: {exc}.") from None
    return any(SAMPLE_MARK in text for text in fields)


@contextlib.contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs and warns about a broken file («EOF marker not found») before it
    raises; the user gets our one line instead."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def listing(items: list[str], first: int) -> str:
    """«a, b, c og 4 til»."""
    rest = f" og {len(items) - first} til" if len(items) > first else ""
    return ", ".join(items[:first]) + rest


def count(n: int, singular: str, plural: str) -> str:
    """«1 rapport», «3 rapporter»."""
    return f"{n} {singular if n == 1 else plural}"


def plan_messages(recipients: list[Recipient], reports: dict[str, Report]) -> list[Outgoing]:
    return [Outgoing(r, address, reports[r.number]) for r in recipients for address in r.addresses]


def sample_refusal(messages: list[Outgoing], allow_sample: bool) -> str | None:
    """Why reports on sample figures will not be sent, unless --allow-sample; else None."""
    names = sorted({m.report.path.name for m in messages if m.report.sample})
    if not names or allow_sample:
        return None
    return (f"{count(len(names), 'rapport', 'rapporter')} bygger på eksempeldata "
            f"({listing(names, 3)}) og sendes ikke. Bruk --allow-sample om det er meningen.")


# --- The message ---------------------------------------------------------------------


def templates_dir(custom: Path | None = None) -> Path:
    """The user's folder, the copy inside the wheel, or the checkout's ``templates/``."""
    if custom is not None:
        return custom
    packaged = resources.files("kommunerapport").joinpath("templates")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "templates"


def template_env(custom: Path | None = None) -> jinja2.Environment:
    folder = templates_dir(custom)
    for name in (SUBJECT_TEMPLATE, BODY_TEMPLATE):
        if not (folder / name).is_file():
            raise TemplateError(f"Fant ikke e-postmalen {folder / name}.")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def email_context(out: Outgoing) -> EmailContext:
    r = out.recipient
    return EmailContext(lang=r.lang, member=r.member, number=r.number, kind=r.kind,
                        year=out.report.year, report_name=out.report.path.name)


def render_email(out: Outgoing, env: jinja2.Environment) -> tuple[str, str]:
    """Subject (one line) and body in the member's written form."""
    context = email_context(out)
    try:
        subject = " ".join(env.get_template(SUBJECT_TEMPLATE).render(context).split())
        body = env.get_template(BODY_TEMPLATE).render(context)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"E-postmalen kan ikke brukes: {exc}.") from None
    if not subject:
        raise TemplateError(f"E-postmalen {SUBJECT_TEMPLATE} gir et tomt emne.")
    return subject, body


def message_id(out: Outgoing, sender: str) -> str:
    """The same for the same address and report, so a duplicate is recognisable."""
    key = f"{out.address.casefold()}\n{out.recipient.number}\n{out.report.sha256}"
    domain = parseaddr(sender)[1].rsplit("@", 1)[1]
    return f"<kr.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(out: Outgoing, data: bytes, sender: str,
                  env: jinja2.Environment) -> EmailMessage:
    subject, body = render_email(out, env)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = out.address
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(out, sender)
    msg.set_content(body)
    msg.add_attachment(data, maintype="application", subtype="pdf",
                       filename=out.report.path.name)
    msg["Content-Language"] = out.recipient.lang
    return msg


# --- SMTP ----------------------------------------------------------------------------


class Pacer:
    """At most ``per_minute`` messages a minute."""

    def __init__(self, per_minute: float | None, clock: Callable[[], float],
                 sleep: Callable[[float], None]) -> None:
        self.interval = 60.0 / per_minute if per_minute else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.interval and self.last is not None:
            delay = self.last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.last = self.clock()


class Session:
    """One SMTP connection, reopened when lost; retries 4xx and lost connections."""

    def __init__(self, options: SendOptions, password: str | None,
                 sleep: Callable[[float], None], warn: Callable[[str], None]) -> None:
        self.options, self.sleep, self.warn = options, sleep, warn
        self._password = password
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Session:
        """Connect once before the first message: a wrong host fails at once."""
        try:
            self.smtp = connect(self.options, self._password)
        except smtplib.SMTPException as exc:
            if not is_lost(exc):
                raise DeliveryError(f"E-postserveren {self.where}: {one_line(exc)}.") from None
            raise self.unreachable(exc) from None
        except OSError as exc:
            raise self.unreachable(exc) from None
        if not encrypted(self.smtp) and self.options.starttls is None \
                and not is_loopback(self.options.host):
            self.warn(f"Advarsel: E-postserveren {self.where} tilbyr ikke STARTTLS, så "
                      "e-postene sendes ukryptert. Bruk --starttls for å kreve kryptering, "
                      "eller --no-starttls for å sende ukryptert uten denne advarselen.")
        return self

    @property
    def where(self) -> str:
        return f"{self.options.host}:{self.options.port}"

    def unreachable(self, exc: BaseException) -> DeliveryError:
        return DeliveryError(f"Får ikke kontakt med e-postserveren {self.where}: "
                             f"{one_line(exc)}. Sjekk --smtp-host og --smtp-port.")

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def send(self, msg: EmailMessage, from_addr: str, address: str) -> str | None:
        """Deliver to one address: None when accepted (250), else why not.

        4xx replies and lost connections are retried with backoff, 5xx replies never.
        Raises ConnectionLost when the server stays unreachable after every retry, or
        refuses a new session (greeting, EHLO, STARTTLS, AUTH) in a way retrying won't fix.
        """
        tries, lost = len(BACKOFF) + 1, ""
        for delay in (0.0, *BACKOFF):
            if delay:
                self.sleep(delay)
            try:
                code, text = self._attempt(msg, from_addr, address)
            except SessionError as exc:  # greeting, EHLO, STARTTLS or AUTH when reconnecting
                self.close()
                if not exc.temporary:
                    raise ConnectionLost(exc.format_message()) from None
                lost = exc.format_message()
                continue
            except (smtplib.SMTPException, OSError) as exc:
                self.close()
                if isinstance(exc, smtplib.SMTPResponseException):  # a reply: 4xx or 5xx
                    code, text = exc.smtp_code, exc.smtp_error
                elif is_lost(exc):
                    lost = f"forbindelsen til e-postserveren brøt: {one_line(exc)}"
                    continue
                else:  # e.g. SMTPNotSupportedError: retrying won't help
                    return one_line(exc)
            lost = ""
            if self.smtp is not None and self.smtp.sock is None:  # smtplib closed it (421)
                self.smtp = None
            if code == 250 or not 400 <= code < 500:
                return None if code == 250 else reply_text(code, text)
        if lost:
            raise ConnectionLost(f"{lost} (ga opp etter {tries} forsøk)")
        return f"{reply_text(code, text)} (ga opp etter {tries} forsøk)"

    def _attempt(self, msg: EmailMessage, from_addr: str, address: str) -> tuple[int, bytes]:
        """One try: (250, b"") when accepted, else the server's reply for this address."""
        if self.smtp is None:
            self.smtp = connect(self.options, self._password)
        try:
            refused = self.smtp.send_message(msg, from_addr, [address])
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return exc.smtp_code, exc.smtp_error
        return refused.get(address, (250, b"")) if refused else (250, b"")


def is_lost(exc: BaseException) -> bool:
    """A lost or failed connection (retried), as opposed to a reply from the server."""
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(exc, smtplib.SMTPServerDisconnected)
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError, DNS, a broken TLS stream


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:200]


def connect(options: SendOptions, password: str | None) -> smtplib.SMTP:
    """Open, say EHLO, STARTTLS as asked, log in.

    SessionError (with the reply code) when the server refuses any of it; lost
    connections are raised as they come (OSError, SMTPServerDisconnected).
    """
    where = f"{options.host}:{options.port}"
    try:
        smtp = smtplib.SMTP(options.host, options.port, timeout=TIMEOUT)
    except smtplib.SMTPConnectError as exc:
        raise SessionError(f"E-postserveren {where} avviste forbindelsen: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    try:
        greet(smtp, where)
        start_tls(smtp, options)
        if options.user:
            login(smtp, options, password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def later(code: int) -> str:
    """What to do about a refusal: wait for a 4xx, nothing to say for others."""
    return " Prøv igjen senere." if 400 <= code < 500 else ""


def greet(smtp: smtplib.SMTP, where: str) -> None:
    try:
        smtp.ehlo_or_helo_if_needed()
    except smtplib.SMTPHeloError as exc:
        raise SessionError(f"E-postserveren {where} avviste EHLO/HELO: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None


def start_tls(smtp: smtplib.SMTP, options: SendOptions) -> None:
    where = f"{options.host}:{options.port}"
    if options.starttls is False:
        return
    if not smtp.has_extn("starttls"):
        if options.starttls:
            raise SessionError(f"E-postserveren {where} tilbyr ikke STARTTLS, og --starttls "
                               "krever kryptering. Bruk --no-starttls for å sende ukryptert.")
        return
    try:
        smtp.starttls(context=ssl.create_default_context())
    except ssl.SSLError as exc:
        raise SessionError(f"TLS mot {where} feilet: {exc.reason or exc}. "
                           "Sjekk --smtp-host og serverens sertifikat.") from None
    except smtplib.SMTPResponseException as exc:  # e.g. 454 TLS not available
        raise SessionError(f"E-postserveren {where} tilbyr STARTTLS, men avviste den: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    greet(smtp, where)


def encrypted(smtp: smtplib.SMTP) -> bool:
    return isinstance(smtp.sock, ssl.SSLSocket)


def login(smtp: smtplib.SMTP, options: SendOptions, password: str) -> None:
    where = f"{options.host}:{options.port}"
    if not encrypted(smtp) and options.starttls is None and not is_loopback(options.host):
        raise SessionError(f"E-postserveren {where} tilbyr ikke STARTTLS, så passordet ville "
                           "gått ukryptert. Bruk --no-starttls om det er meningen.")
    try:
        smtp.login(options.user or "", password)
    except smtplib.SMTPAuthenticationError as exc:
        check = ("Prøv igjen senere." if 400 <= exc.smtp_code < 500
                 else f"Sjekk brukernavnet og {PASSWORD_ENV}.")
        raise SessionError(f"E-postserveren {where} godtok ikke innloggingen for "
                           f"--smtp-user {options.user} ({exc.smtp_code}). {check}",
                           exc.smtp_code) from None
    except smtplib.SMTPNotSupportedError:
        raise SessionError(f"E-postserveren {where} tilbyr ikke innlogging (AUTH); "
                           "send uten --smtp-user.") from None
    except smtplib.SMTPResponseException as exc:  # e.g. a 4xx/5xx to EHLO before AUTH
        raise SessionError(f"E-postserveren {where} avviste innloggingen: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    except smtplib.SMTPException:  # «No suitable authentication method found.»
        offered = smtp.esmtp_features.get("auth", "").strip() or "ingen"
        raise SessionError(f"E-postserveren {where} tilbyr ingen innloggingsmåte dette "
                           f"verktøyet kan (den tilbyr {offered}; vi kan PLAIN, LOGIN og "
                           "CRAM-MD5).") from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
