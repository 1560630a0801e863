"""The tool's own tidy CSV (the columns of ``model.schema``): read, checked and typed.

What ``fetch`` writes, what the package ships (``data/dataset.csv``) and what a user may
give with ``--data``. The file is bounded (``limits``) before pandas reads it, and every
problem is one line naming the file, line and column.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pandas as pd

from kommunerapport.errors import DataError
from kommunerapport.model.schema import validate
from kommunerapport.sources import limits


def read_table(path: Path, text: str | None = None) -> pd.DataFrame:
    """Read and validate a tidy CSV file (``text``: its contents, if already decoded).

    A regular file within ``limits.MAX_FILE_BYTES`` and ``MAX_ROWS`` lines, checked
    before pandas reads it.
    """
    name = str(path)

    def fail(problem: str) -> DataError:
        return DataError.at(name, problem)

    if text is None:
        data = limits.read_bytes(Path(path), limits.MAX_FILE_BYTES, fail)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _encoding_error(path, data) from None
    if text.count("\n") > limits.MAX_ROWS:
        raise fail(f"fila har over {limits.amount(limits.MAX_ROWS)} linjer, grensen for rader.")
    try:
        raw = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError.at(name, "fila er tom.") from None
    except pd.errors.ParserError as exc:
        fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if fields:
            expected, line, saw = fields.groups()
            raise DataError.at(name, f"{saw} felt, men overskriften har {expected}.",
                               line=int(line)) from None
        unclosed = re.search(r"EOF inside string starting at row (\d+)", str(exc))
        if unclosed:  # pandas counts rows from 0, the header included
            raise DataError.at(name, "et anførselstegn som åpner en tekst her, lukkes aldri.",
                               line=int(unclosed.group(1)) + 1) from None
        raise DataError.at(name, f"fila kan ikke leses som CSV (pandas-feil: {exc}).") from None
    return validate(raw, name)


def _encoding_error(path: Path, data: bytes) -> DataError:
    """Name the line and column of the first byte that is not UTF-8."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        before = data[start:exc.start].decode("utf-8", "replace")
        try:
            cells = len(next(csv.reader([before + "x"]))) - 1  # cells before the bad one
            header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")
                                      .strip()]))
        except csv.Error:  # a cell past the csv module's limit: say the line only
            cells, header = 0, []
        column = header[cells] if line > 1 and cells < len(header) else None
        return DataError.at(str(path), "teksten er ikke UTF-8 (kanskje Latin-1 eller "
                                       "Windows-1252); lagre fila som UTF-8.",
                            line=line, column=column)
    return DataError.at(str(path), "fila er ikke UTF-8; lagre den som UTF-8.")
