"""``kommunerapport sendlog``: what went to whom and when, with its outcome.

Reads the send log without changing it and prints one line per delivery, unknown
outcome and failure, oldest first; ``--csv`` writes the same as a CSV that Norwegian
Excel opens (semicolons, byte-order mark, cells that could run as formulas
neutralised). ``--confirm ADDRESS`` records the messages of unknown outcome to that
address as delivered, once the recipient has said they arrived.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from kommunerapport.errors import UsageError
from kommunerapport.files import write_text
from kommunerapport.mail.recipients import count, valid_address
from kommunerapport.mail.sendlog import Entry, open_log, read_only_log
from kommunerapport.model import regions
from kommunerapport.model.kinds import is_county_number

OUTCOMES = {"sendt": "sendt", "ukjent": "ukjent utfall", "feilet": "feilet"}
CSV_HEADER = ("tidspunkt", "utfall", "nummer", "mottaker", "epost", "rapport", "sha256",
              "message_id", "merknad")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # OWASP: cells a spreadsheet may run


def show(folder: Path, csv_path: Path | None, echo: Callable[[str], None]) -> list[Entry]:
    """Print the history of the send log in ``folder`` (and write it as CSV); the entries."""
    log = read_only_log(folder)
    if log is None:
        echo(f"Ingen sendelogg i {folder} ennå: ingenting er sendt derfra.")
        return []
    with log:
        entries = log.entries()
    for e in entries:
        note = f": {e.note}" if e.note else ""
        echo(f"{local_time(e.when)}  {OUTCOMES[e.outcome]:<13}  {member_name(e.member)} "
             f"<{e.recipient}>  {e.report_name}{note}")
    by = {k: sum(1 for e in entries if e.outcome == k) for k in OUTCOMES}
    echo(f"Sendt: {by['sendt']}. Ukjent utfall: {by['ukjent']}. Feilet: {by['feilet']}.")
    if by["ukjent"]:
        echo(f"{count(by['ukjent'], 'e-post', 'e-poster')} har ukjent utfall. Spør mottakeren; "
             "kom den fram, merk den med kommunerapport sendlog --confirm ADRESSE, ellers "
             "send den med kommunerapport send --resend-unknown.")
    if csv_path is not None:
        write_text(csv_path, as_csv(entries))
        echo(f"Skrev {csv_path}.")
    return entries


def confirm(folder: Path, addresses: tuple[str, ...], echo: Callable[[str], None]) -> None:
    """Record the unknown outcomes to each address as delivered (the recipient said so)."""
    for address in addresses:
        if not valid_address(address):
            raise UsageError(f"--confirm «{address}» er ikke en gyldig e-postadresse.")
    if read_only_log(folder) is None:
        raise UsageError(f"Ingen sendelogg i {folder}; det er ingenting å bekrefte.")
    with open_log(folder) as log:
        for address in addresses:
            n = log.confirm(address)
            if not n:
                raise UsageError(f"--confirm {address}: ingen e-post til denne adressen har "
                                 "ukjent utfall i sendeloggen.")
            echo(f"Merket som mottatt: {count(n, 'e-post', 'e-poster')} til {address}.")


def local_time(iso: str) -> str:
    """«2026-03-06 14:02», Norwegian time."""
    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Oslo")).strftime(
        "%Y-%m-%d %H:%M")


def member_name(number: str) -> str:
    """«3901 Horten», «46 Vestland fylkeskommune»; the number alone if the register
    no longer knows it."""
    register = regions.load_register()
    try:
        unit = register.unit(number)
    except (KeyError, StopIteration):
        return number
    if is_county_number(number) and number != "03":
        return f"{number} {unit.short_name} fylkeskommune"
    return f"{number} {unit.short_name}"


def neutralised(cell: str) -> str:
    """A cell a spreadsheet will show as text, never run as a formula (OWASP)."""
    return f"'{cell}" if cell.startswith(FORMULA_START) else cell


def as_csv(entries: list[Entry]) -> str:
    """Semicolons, a byte-order mark and CRLF: what Norwegian Excel opens in columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for e in entries:
        writer.writerow([neutralised(c) for c in (
            local_time(e.when), OUTCOMES[e.outcome], e.member, member_name(e.member),
            e.recipient, e.report_name, e.report_sha256, e.message_id, e.note)])
    return "\ufeff" + buffer.getvalue()
