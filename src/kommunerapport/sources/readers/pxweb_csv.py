"""CSV from PxWebApi v2 (``outputFormat=csv``), in every ``outputFormatParams`` combination.

Default: commas, codes only, no title («KOKkommuneregion0000,ContentsCode,Tid,…» or
the table's own pivot with headings «KOSAGD230000 2024»). ``UseTexts`` gives labels,
``UseCodesAndTexts`` «0301 - Oslo» and «KOSAG110000 - Frie inntekter …»;
``IncludeTitle`` a title line; ``SeparatorSemicolon``/``Tab``/``Space`` other
delimiters. SSB sends it as Latin-1 with decimal points, text quoted and numbers
bare (``quoting_shape``), which tells ``UseTexts`` output from a sheet that names
its regions.
"""

from __future__ import annotations

import re

from kommunerapport.sources import csvdialect
from kommunerapport.sources.readers import grid
from kommunerapport.sources.readers.base import Reading, Source
from kommunerapport.sources.readers.regionnames import resolve

FORMAT = "CSV fra PxWebApi v2"
API_NAMES = re.compile(r"^(ContentsCode|Tid|KOK\w*region\w*|Region)$")


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def quoting_shape(src: Source) -> bool:
    """PxWebApi's own way of writing CSV: every text cell quoted, every number bare with a
    decimal point («"Bergen";0.7;-2.4»). ``UseTexts`` output has no codes to tell it by,
    but this: Statistikkbanken quotes its numbers or writes decimal commas, and a sheet
    saved by Excel leaves text unquoted."""
    found = _table(src)
    if found is None:
        return False
    _rows, start = found
    delimiter = csvdialect.sniff(src.text)
    lines = [line.rstrip("\r\n") for line in csvdialect.head_lines(src.text, start + 40)[start + 1:]
             if line.strip() and delimiter in line][:20]
    if not lines:
        return False
    shaped = 0
    for line in lines:
        raw = [c.strip() for c in line.split(delimiter)]
        quoted = [c for c in raw if len(c) >= 2 and c[0] == c[-1] == '"']
        bare = [c for c in raw if c and c[0] != '"']
        if quoted and bare and all(NUMBER.fullmatch(c) for c in bare):
            shaped += 1
    return shaped >= 0.8 * len(lines)


CODED_REGION = re.compile(r"^(\d{4}|\d{2}|E[A-Z0-9]{2,6})(\s+-\s+|\s+)\D")


def texts_output(src: Source) -> bool:
    """PxWebApi's ``UseTexts`` output: its quoting, and regions by name, not by code."""
    if not quoting_shape(src):
        return False
    rows = grid.load(src)
    start = grid.header_index(rows) or 0
    cells = [c for _, row in rows[start:start + 40] for c in row]
    return not any(CODED_REGION.match(c) for c in cells)


def _table(src: Source) -> tuple[list[grid.Row], int] | None:
    """The file's rows and where its header is, for a text table; else None."""
    if src.is_zip or src.looks_json:
        return None
    rows = grid.load(src)
    start = grid.header_index(rows)
    return None if start is None else (rows, start)


def claims(src: Source) -> bool:
    found = _table(src)
    if found is None:
        return False
    rows, start = found
    header = [c for c in rows[start][1] if c]
    if any(API_NAMES.match(c) or re.match(r"^[A-Z]{2,}\w*\d{4,} (19|20)\d\d$", c)
           for c in header):
        return True
    body = [c for _, cells in rows[start + 1:start + 6] for c in cells if c]
    coded = any(re.match(r"^(\d{2,4}|E[A-Z0-9]+|[A-Z]{2,}\w*\d{4,}) - ", c) for c in body)
    return coded or csvdialect.sniff(src.text) != ";" or texts_output(src)


def read(src: Source) -> Reading:
    # UseTexts names its regions: «Bergen», «Landet uten Oslo».
    return grid.read_grid(src, FORMAT, release=f"PxWebApi v2, uttrekk {src.path.name}",
                          source="SSB (PxWebApi v2)", resolve=resolve, codes_too=True)
