"""CSV from PxWebApi v2 (``outputFormat=csv``), in every ``outputFormatParams`` combination.

Default: commas, codes only, no title («KOKkommuneregion0000,ContentsCode,Tid,…» or
the table's own pivot with headings «KOSAGD230000 2024»). ``UseTexts`` gives labels,
``UseCodesAndTexts`` «0301 - Oslo» and «KOSAG110000 - Frie inntekter …»;
``IncludeTitle`` a title line; ``SeparatorSemicolon``/``Tab``/``Space`` other
delimiters. SSB sends it as Latin-1 with decimal points.
"""

from __future__ import annotations

import re

from kommunerapport import csvdialect
from kommunerapport.readers import grid
from kommunerapport.readers.base import Reading, Source

FORMAT = "CSV fra PxWebApi v2"
API_NAMES = re.compile(r"^(ContentsCode|Tid|KOK\w*region\w*|Region)$")


def claims(src: Source) -> bool:
    if src.is_zip or src.looks_json:
        return False
    rows = grid.load(src)
    start = grid.header_index(rows)
    if start is None:
        return False
    header = [c for c in rows[start][1] if c]
    if any(API_NAMES.match(c) or re.match(r"^[A-Z]{2,}\w*\d{4,} (19|20)\d\d$", c)
           for c in header):
        return True
    body = [c for _, cells in rows[start + 1:start + 6] for c in cells if c]
    coded = any(re.match(r"^(\d{2,4}|E[A-Z0-9]+|[A-Z]{2,}\w*\d{4,}) - ", c) for c in body)
    return coded or csvdialect.sniff(src.text) != ";"


def read(src: Source) -> Reading:
    return grid.read_grid(src, FORMAT, release=f"PxWebApi v2, uttrekk {src.path.name}",
                          source="SSB (PxWebApi v2)")
