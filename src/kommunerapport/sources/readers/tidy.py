"""The tool's own tidy CSV (``model.schema``): what ``fetch`` writes and we ship."""

from __future__ import annotations

import csv

from kommunerapport.model.schema import COLUMNS, Dataset
from kommunerapport.sources import csvdialect
from kommunerapport.sources.readers.base import Source
from kommunerapport.sources.tidycsv import read_table

FORMAT = "kommunerapports eget CSV-format"


def claims(src: Source) -> bool:
    if src.is_zip or src.looks_json:
        return False
    first = next((line.rstrip("\r\n") for line in csvdialect.head_lines(src.text, 50)
                  if line.strip()), "")
    try:
        cells = {c.strip() for c in next(iter(csvdialect.rows(first, ",")), [])}
    except csv.Error:  # a header cell past the csv module's limit is no header of ours
        return False
    return len(cells & set(COLUMNS)) >= 3


def read_dataset(src: Source) -> Dataset:
    table = read_table(src.path)
    meta = {"description": f"Data fra {src.path.name}", "format": FORMAT,
            "synthetic": bool(table["synthetic"].any()),
            "import": {"format": FORMAT, "path": str(src.path), "skipped": {}, "notes": []}}
    return Dataset(table, meta, str(src.path))
