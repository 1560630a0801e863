"""A release: which publication a figure is from, as a structured value.

SSB publishes a year's KOSTRA figures unrevised («foreløpige») on 15 March and revised
(«reviderte») around 15 June of the next year; corrections come the next March. A figure
keeps its release: the date SSB gave (JSON-stat ``updated``, PX ``LAST-UPDATED``, a
«Sist oppdatert» line), whether the figures were preliminary or revised, and any more
that is known of where it came from (a file's name, «KS-undersøkelse»). Without a date
the release says so («dato ukjent») rather than inventing one.

The tidy table keeps a release as its text (``Release.text``), one text per release;
``parse`` reads it back, and only ``writing`` turns it into a report's words.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PRELIMINARY = "foreløpige"
REVISED = "reviderte"
UNKNOWN_DATE = "dato ukjent"
BUILTIN = "innebygde tall"  # built-in real figures completing a file


@dataclass(frozen=True)
class Release:
    """Where a figure is from: ``status`` (PRELIMINARY, REVISED or None when the source
    does not say), ``date`` (None when unknown), ``origin`` (more about it, free text:
    «Statistikkbanken, uttrekk 12134.csv», «befolkningstall», «eksempeldata»), whether the
    date is when it was fetched rather than published (``fetched``), and whether it is a
    built-in figure completing a user's file (``builtin``)."""

    status: str | None = None
    date: dt.date | None = None
    origin: str = ""
    fetched: bool = False
    builtin: bool = False

    def text(self) -> str:
        """The release as the tidy table keeps it («foreløpige tall 16.03.2026»)."""
        parts = []
        if self.status:
            head = f"{self.status} tall"
            parts.append(head + (", hentet" if self.fetched else "")
                         + (f" {self.date:%d.%m.%Y}" if self.date else f", {UNKNOWN_DATE}"))
            if self.origin:
                parts.append(self.origin)
        else:
            parts.append(self.origin or "uten navn")
            parts.append(f"oppdatert {self.date:%d.%m.%Y}" if self.date else UNKNOWN_DATE)
        if self.builtin:
            parts.append(BUILTIN)
        return ", ".join(parts)

    def later_than(self, other: Release) -> bool | None:
        """Whether this release is later than ``other``; None when either date is unknown."""
        if self.date is None or other.date is None:
            return None
        return self.date > other.date


_STATUS = re.compile(rf"^({PRELIMINARY}|{REVISED}) tall(, hentet)?"
                     rf"(?: (\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})|, {UNKNOWN_DATE}| (\d{{4}}))"
                     r"(?:, (.*))?$")
_OTHER = re.compile(rf"^(.*?), (?:oppdatert (\d{{1,2}})\.(\d{{1,2}})\.(\d{{4}})|{UNKNOWN_DATE})"
                    r"(?:, (.*))?$")


def parse(text: str) -> Release:
    """A release from its text in the tidy table; a text of another shape (a user's own
    tidy file) is kept whole as the origin, with no date."""
    builtin = text.endswith(f", {BUILTIN}")
    core = text.removesuffix(f", {BUILTIN}")
    if m := _STATUS.match(core):
        status, fetched, d, mo, y, year_only, origin = m.groups()
        date = dt.date(int(y), int(mo), int(d)) if d else None
        if year_only:  # an older form: «reviderte tall 2026», a year and no day
            origin = f"publisert {year_only}" + (f", {origin}" if origin else "")
        return Release(status, date, origin or "", bool(fetched), builtin)
    if m := _OTHER.match(core):
        origin, d, mo, y, rest = m.groups()
        date = dt.date(int(y), int(mo), int(d)) if d else None
        return Release(None, date, origin + (f", {rest}" if rest else ""), False, builtin)
    if m := re.fullmatch(r"befolkningstall oppdatert (\d\d)\.(\d\d)\.(\d{4})", core):
        return Release(None, dt.date(int(m[3]), int(m[2]), int(m[1])), "befolkningstall",
                       builtin=builtin)
    return Release(None, None, core, builtin=builtin)


def for_year(year: int, date: dt.date | None, origin: str = "") -> Release:
    """The release of a KOSTRA year's figures in a table updated on ``date``: preliminary
    when before 1 June of the next year, else revised; unknown without a date."""
    if date is None:
        return Release(None, None, origin)
    status = PRELIMINARY if date < dt.date(year + 1, 6, 1) else REVISED
    return Release(status, date, origin)


_NUMERIC = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$|^\s*(\d{4})-(\d\d)-(\d\d)\s*$")


def parse_date(text: str) -> dt.date:
    """«16.03.2026», «16.3.2026» or «2026-03-16» as a date; ValueError for anything else
    (the caller says it in one line)."""
    m = _NUMERIC.match(text)
    if not m:
        raise ValueError(text)
    d, mo, y = (m[1], m[2], m[3]) if m[1] else (m[6], m[5], m[4])
    return dt.date(int(y), int(mo), int(d))


MONTHS = {name: n for n, name in enumerate(
    ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september",
     "oktober", "november", "desember"), start=1)}
_IN_TEXT = re.compile(
    r"(?:sist\s+)?(?:oppdatert|endret|publisert|last[- ]updated|updated)\s*:?\s*"
    r"(?:(\d{1,2})\.\s*(\d{1,2})\.\s*(\d{4})|(\d{4})-(\d\d)-(\d\d)|(\d{4})(\d\d)(\d\d)"
    r"|(\d{1,2})\.?\s+(" + "|".join(MONTHS) + r")\s+(\d{4}))", re.IGNORECASE)


def date_in_text(text: str) -> dt.date | None:
    """The date a title or footnote line gives for the table («Sist oppdatert 16.03.2026»,
    «oppdatert: 2026-03-16», «Publisert 15. juni 2026»); None when it names none. A date
    that does not exist («31.02.2026») is a ValueError."""
    m = _IN_TEXT.search(text)
    if not m:
        return None
    g = m.groups()
    if g[0]:
        d, mo, y = int(g[0]), int(g[1]), int(g[2])
    elif g[3]:
        y, mo, d = int(g[3]), int(g[4]), int(g[5])
    elif g[6]:
        y, mo, d = int(g[6]), int(g[7]), int(g[8])
    else:
        d, mo, y = int(g[9]), MONTHS[g[10].casefold()], int(g[11])
    return dt.date(y, mo, d)
