"""One CSV-dialect sniffer for every CSV the tool reads: data files and recipients.

SSB's exports come with semicolons (Statistikkbanken, Norwegian Excel), commas
(PxWebApi v2's default), tabs or spaces (``SeparatorTab``/``SeparatorSpace``),
behind title lines and with notes after the table. ``sniff`` picks the
delimiter that splits the most lines into the same number of cells (quotes
respected, so a comma inside «"12134: …, etter region"» does not count);
``decode`` reads UTF-8 (with or without BOM), else Windows-1252, else Latin-1;
UTF-16 and UTF-32 (Excel's «Unicode-tekst», Notepad's «Unicode») by their byte
order mark, and UTF-16 without one by its every-other-byte zeros.
csv.Sniffer is not used: it guesses from one sample and is thrown by the title
lines and the decimal commas SSB's files have.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _csv import Reader  # what csv.reader returns

DELIMITERS = (";", ",", "\t", " ")
ENCODINGS = ("utf-8-sig", "cp1252")
# Longest first: UTF-32-LE's mark begins with UTF-16-LE's.
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


class EncodingError(ValueError):
    """Text that claims an encoding (by its byte order mark) and breaks it."""

    def __init__(self, encoding: str, offset: int) -> None:
        super().__init__(f"{encoding} breaks at byte {offset}")
        self.encoding, self.offset = encoding, offset


class MixedEncodingError(ValueError):
    """Text that is UTF-8 up to a byte that is not (a file pasted together from two)."""

    def __init__(self, offset: int, line: int) -> None:
        super().__init__(f"UTF-8 breaks at byte {offset}, line {line}")
        self.offset, self.line = offset, line


def wide_encoding(raw: bytes) -> str | None:
    """«utf-16»/«utf-32» from a byte order mark; «utf-16-le»/«-be» for UTF-16 without
    one (text that is mostly ASCII has a zero in every other byte); else None."""
    for bom, encoding in BOMS:
        if raw.startswith(bom):
            return encoding
    head = raw[:4096]
    if len(head) >= 8:
        even, odd = head[0::2], head[1::2]
        if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
            return "utf-16-le"
        if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
            return "utf-16-be"
    return None


def decode(raw: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-16/32 by their mark (or UTF-16's zeros), else UTF-8 with or
    without BOM, else Windows-1252, else Latin-1. A broken UTF-16/32 text is an
    ``EncodingError`` naming the byte, not a guess."""
    wide = wide_encoding(raw)
    if wide is not None:
        try:
            return raw.decode(wide), wide.upper()
        except UnicodeDecodeError as exc:
            raise EncodingError(wide.upper(), exc.start) from None
    try:
        return raw.decode("utf-8-sig"), "utf-8-sig"
    except UnicodeDecodeError as exc:
        before = raw[:exc.start]
        if any(b >= 0x80 for b in before[3 if before.startswith(b"\xef\xbb\xbf") else 0:]):
            # UTF-8 letters before the break: the file mixes two encodings, and reading it
            # all as Windows-1252 would garble the part that is right («Ã¥r» for «år»)
            raise MixedEncodingError(exc.start, raw.count(b"\n", 0, exc.start) + 1) from None
    for encoding in ENCODINGS[1:]:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _widths(lines: Iterable[str], delimiter: str) -> Counter[int]:
    widths: Counter[int] = Counter()
    for line in lines:
        try:
            cells = next(csv.reader([line], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        if len([c for c in cells if c.strip()]) >= 2:
            widths[len(cells)] += 1
    return widths


def head_lines(text: str, n: int) -> list[str]:
    """The first ``n`` lines, without splitting a 100 MB text to get them."""
    return list(itertools.islice(io.StringIO(text, newline=None), n))


def sniff(text: str, candidates: Iterable[str] = DELIMITERS) -> str:
    """The delimiter that gives most lines the same number (≥ 2) of cells."""
    lines = [line for line in head_lines(text, 60) if line.strip()]
    best, score = ",", (0, 0)
    for delimiter in candidates:
        widths = _widths(lines, delimiter)
        if widths:
            width, count = widths.most_common(1)[0]
            if (count, -width if delimiter == " " else width) > score:
                best, score = delimiter, (count, -width if delimiter == " " else width)
    return best


def reader(text: str, delimiter: str | None = None) -> Reader:
    """A streaming reader over ``text`` (its ``line_num`` says where a problem is)."""
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff(text))


def rows(text: str, delimiter: str | None = None) -> list[list[str]]:
    """All rows of ``text`` (a quoted cell may hold a line break)."""
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff(text)))
