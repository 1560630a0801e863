"""Workbooks and CSV files that name their regions instead of coding them.

«Landet», «Landet u/Oslo», «Kostragr. 8», «Oslo», «Lørenskog»: what an analyst
copies out of Statistikkbanken or KOSTRA's own pages into a sheet. Names are
resolved through the register (any official form, with or without æøå) and
SSB's group names; a name that is not one region is left out and said.
"""

from __future__ import annotations

import re

from kommunerapport.model.regions import RegionError, find_municipality, normalise
from kommunerapport.sources.readers import grid, pxweb_csv
from kommunerapport.sources.readers.base import Reading, Source

FORMAT = "Tabell med regionnavn"
AGGREGATE_NAMES = {
    "landet": "EAK", "hele landet": "EAK", "landet inkludert oslo": "EAK",
    "landet i alt": "EAK", "landet u/oslo": "EAKUO", "landet uten oslo": "EAKUO",
    "landet utenom oslo": "EAKUO", "fylkeskommunene": "EAFK",
    "fylkeskommunene uten oslo": "EAFKUO", "fylkeskommunene u/oslo": "EAFKUO",
}
GROUP = re.compile(r"^kostra\s*-?\s*gr(?:uppe|\.)?\s*0?(\d{1,2})$")


def resolve(text: str) -> str | None:
    """The code of a region named the way SSB and analysts write it; None if not one region."""
    key = normalise(text).replace("kostragruppe", "kostra gruppe")
    folded = " ".join(text.casefold().split())
    if folded in AGGREGATE_NAMES or key in AGGREGATE_NAMES:
        return AGGREGATE_NAMES.get(folded) or AGGREGATE_NAMES[key]
    m = GROUP.match(folded.replace("kostra gruppe", "kostra-gruppe")) or GROUP.match(key)
    if m and 1 <= int(m.group(1)) <= 17:
        return f"EKG{int(m.group(1)):02d}"
    if not text.strip() or any(ch.isdigit() for ch in text):
        return None
    try:
        return find_municipality(text).number
    except RegionError:
        return None


def claims(src: Source) -> bool:
    if src.looks_json or pxweb_csv.texts_output(src):  # PxWebApi's UseTexts names regions too
        return False
    rows = grid.load(src)
    start = grid.header_index(rows)
    if start is None:
        return False
    header = rows[start][1]
    column = next((i for i, c in enumerate(header) if normalise(c) in grid.REGION_HEADERS), None)
    sample = [cells[column] for _, cells in rows[start + 1:start + 30]
              if column is not None and column < len(cells) and cells[column]]
    return bool(sample) and all(resolve(s) or not any(ch.isdigit() for ch in s)
                                for s in sample) and any(resolve(s) for s in sample)


def read(src: Source) -> Reading:
    return grid.read_grid(src, FORMAT, release=f"uttrekk {src.path.name}",
                          source=f"fila {src.path.name}", resolve=resolve)
