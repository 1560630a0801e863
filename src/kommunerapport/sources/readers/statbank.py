"""Statistikkbanken downloads: CSV («semikolonseparert med overskrift») and XLSX.

A title line («12134: Utvalgte nøkkeltall …»), then regions as rows («0301 Oslo»)
or as columns («1120 Klepp»), years in a column or in the headers, labels such as
«Disposisjonsfond (K)» beside a unit column («Beløp (1000 kr)»), a category code
in front of a label («56 Disposisjonsfond (K)»), decimal comma, status symbols,
footnotes after the table; Latin-1, Windows-1252 or UTF-8 with or without BOM.
"""

from __future__ import annotations

from kommunerapport.sources.readers import grid
from kommunerapport.sources.readers.base import Reading, Source

FORMAT = "Statistikkbanken-uttrekk"


def claims(src: Source) -> bool:
    return not src.looks_json


def read(src: Source) -> Reading:
    name = f"{FORMAT} ({'Excel' if src.is_zip else 'CSV'})"
    return grid.read_grid(src, name, release=f"Statistikkbanken, uttrekk {src.path.name}")
