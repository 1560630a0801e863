"""Which members and addresses a run is for: ``--only``, ``--exclude`` and ``--to-me``.

- ``--only`` limits a run to members by number (kommunenummer or fylkesnummer) or to a
  county's members by the county's name (its municipalities and its county authority);
  a municipality's name works too.
- ``--exclude`` is an opt-out list: addresses that asked not to get these e-mails.
- ``--to-me`` sends the chosen messages to one test address instead of the members.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from kommunerapport.errors import RegionError, UsageError
from kommunerapport.mail.inputs import MAX_EXCLUDE_BYTES, read_text_file
from kommunerapport.mail.recipients import (
    Outgoing,
    Recipient,
    RecipientsError,
    ReportFile,
    listing,
    member_number,
    valid_address,
)
from kommunerapport.model import regions
from kommunerapport.sources import csvdialect


def only(recipients: list[Recipient], wanted: tuple[str, ...], path: Path) -> list[Recipient]:
    """The recipients ``--only`` names, in the file's order; UsageError for a value that
    names nobody in the recipients file (``path``)."""
    if not wanted:
        return recipients
    chosen: set[str] = set()
    for value in wanted:
        matches = matching(recipients, value.strip())
        if not matches:
            raise UsageError(f"--only «{value}»: ingen i mottakerfilen {path} passer.")
        chosen.update(matches)
    return [r for r in recipients if r.number in chosen]


def matching(recipients: list[Recipient], value: str) -> set[str]:
    """The numbers of the recipients one ``--only`` value names."""
    if value.isdigit():
        number = member_number(value, f"--only «{value}»")
        return {r.number for r in recipients if r.number == number}
    try:
        county = regions.find_county(value)
        return {r.number for r in recipients if r.county == county.number}
    except RegionError as not_a_county:
        try:
            municipality = regions.find_municipality(value)
        except RegionError:
            raise UsageError(f"--only: {not_a_county.message}") from None
        return {r.number for r in recipients if r.number == municipality.number}


def read_exclude(path: Path) -> frozenset[str]:
    """The opt-out list: every address in the file, lower case.

    One address a line, or several separated by «;» or «,»; a line starting with «#»
    is a comment, and words that are no address (a header, a name) are passed over.
    Every malformed address is named at once.
    """
    raw = read_text_file(path, "avmeldingslisten", MAX_EXCLUDE_BYTES)
    try:
        text, _ = csvdialect.decode(raw)
    except csvdialect.EncodingError as exc:
        raise UsageError(f"Avmeldingslisten {path}: teksten er ikke gyldig {exc.encoding} "
                         f"(byte {exc.offset}).") from None
    found: set[str] = set()
    problems: list[str] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            continue
        for token in re.split(r"[;,\s]+", line):
            token = token.strip().strip('"').strip()
            if "@" not in token:
                continue
            if valid_address(token):
                found.add(token.casefold())
            else:
                problems.append(f"{path}, linje {line_no}: ugyldig e-postadresse «{token}».")
    if problems:
        raise RecipientsError(path, problems)
    return frozenset(found)


def split_excluded(messages: list[Outgoing],
                   excluded: frozenset[str]) -> tuple[list[Outgoing], list[Outgoing]]:
    """(to send, opted out)."""
    keep = [m for m in messages if m.address.casefold() not in excluded]
    gone = [m for m in messages if m.address.casefold() in excluded]
    return keep, gone


def test_messages(recipients: list[Recipient], reports: dict[str, ReportFile], address: str,
                  chosen: bool) -> list[Outgoing]:
    """``--to-me``: one message per chosen member, to ``address``.

    Without ``--only`` (``chosen`` false) one member of each kind and written form in the
    file, the first of each: every variant of the e-mail, a handful of messages.
    """
    if not chosen:
        firsts: dict[tuple[str, str], Recipient] = {}
        for r in recipients:
            firsts.setdefault((r.kind, r.lang), r)
        recipients = list(firsts.values())
    return [Outgoing(replace(r, addresses=(address,)), address, reports[r.number])
            for r in recipients]


def described(messages: list[Outgoing]) -> str:
    """«3901 Horten, 4602 Kinn og 46 Vestland» for a line that says what went."""
    names = [f"{m.recipient.number} {m.recipient.short_name}" for m in messages]
    return listing(names, 6)
