"""Workbooks and CSV files that name their regions instead of coding them.

«Landet», «Landet u/Oslo», «Kostragr. 8», «Oslo», «Lørenskog»: what an analyst
copies out of Statistikkbanken or KOSTRA's own pages into a sheet. Names are
resolved through the register (any official form, with or without æøå) and
SSB's group names; a name that is not one region is left out and said.
"""

from __future__ import annotations

from kommunerapport.model.regions import normalise
from kommunerapport.sources.readers import grid, pxweb_csv
from kommunerapport.sources.readers.base import Reading, Source
from kommunerapport.sources.readers.regionnames import resolvable, resolve

FORMAT = "Tabell med regionnavn"
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
    return bool(sample) and all(resolvable(s) or not any(ch.isdigit() for ch in s)
                                for s in sample) and any(resolvable(s) for s in sample)


def read(src: Source) -> Reading:
    return grid.read_grid(src, FORMAT, release=f"uttrekk {src.path.name}",
                          source=f"fila {src.path.name}", resolve=resolve)
