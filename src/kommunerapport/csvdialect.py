"""One CSV-dialect sniffer for every CSV the tool reads: data files and recipients.

SSB's exports come with semicolons (Statistikkbanken, Norwegian Excel), commas
(PxWebApi v2's default), tabs or spaces (``SeparatorTab``/``SeparatorSpace``),
behind title lines and with notes after the table. ``sniff`` picks the
delimiter that splits the most lines into the same number of cells (quotes
respected, so a comma inside «"12134: …, etter region"» does not count);
``decode`` reads UTF-8 (with or without BOM), else Windows-1252, else Latin-1.
csv.Sniffer is not used: it guesses from one sample and is thrown by the title
lines and the decimal commas SSB's files have.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable

DELIMITERS = (";", ",", "\t", " ")
ENCODINGS = ("utf-8-sig", "cp1252")


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else Windows-1252, else Latin-1."""
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _widths(lines: Iterable[str], delimiter: str) -> Counter:
    widths: Counter = Counter()
    for line in lines:
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len([c for c in cells if c.strip()]) >= 2:
            widths[len(cells)] += 1
    return widths


def sniff(text: str, candidates: Iterable[str] = DELIMITERS) -> str:
    """The delimiter that gives most lines the same number (≥ 2) of cells."""
    lines = [line for line in text.splitlines()[:60] if line.strip()]
    best, score = ",", (0, 0)
    for delimiter in candidates:
        widths = _widths(lines, delimiter)
        if widths:
            width, count = widths.most_common(1)[0]
            if (count, -width if delimiter == " " else width) > score:
                best, score = delimiter, (count, -width if delimiter == " " else width)
    return best


def rows(text: str, delimiter: str | None = None) -> list[list[str]]:
    """All rows of ``text`` (a quoted cell may hold a line break)."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff(text)))
