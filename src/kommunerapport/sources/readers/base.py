"""What every reader shares: the file as read, one-line errors, and the finished dataset.

A reader gets a ``Source`` (the path, its bytes, its text once decoded) and
returns a ``Reading``: tidy rows (from ``rows.RowBuilder``), the file line each
came from, what it left out and why, and a description for ``Dataset.meta``.
``finish`` validates the rows against the model and turns a problem into one
``DataError`` line naming the file's own line.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import pandas as pd

from kommunerapport.errors import DataError, printable
from kommunerapport.model.schema import COLUMNS, MEASURES, Dataset, validate
from kommunerapport.sources import csvdialect, guard, limits
from kommunerapport.sources.rows import CellError

# Control characters that do not belong in a text file (tab, line breaks and form
# feed do); C1 is what Latin-1 makes of bytes that are no Windows-1252 text.
_CONTROL = re.compile("[\x01-\x08\x0b\x0e-\x1f\x7f-\x9f]")


def binary_at(text: str) -> int | None:
    """Where a text shows it is binary data: its first NUL, or its first control
    character when they are more than 1 % of the first 64 KB; else None.

    A stray escape in one cell is data (quoted escaped in messages), not binary.
    """
    nul = text.find("\x00")
    if nul >= 0:
        return nul
    sample = text[:65536]
    found = _CONTROL.findall(sample)
    if len(found) > max(2, len(sample) // 100):
        return _CONTROL.search(sample).start()  # type: ignore[union-attr]
    return None


@dataclass
class Source:
    """A file as the readers see it; the text is decoded once, when first asked for.

    Reading it checks the limits first (``sources.limits``): a regular file
    of at most ``MAX_FILE_BYTES``; JSON no deeper than ``MAX_DEPTH``.
    """

    path: Path
    # the release date the user gave (``--release``), for a file that gives none itself
    release: dt.date | None = None
    # what readers parsed once: the file's rows (line, cells) for the table readers
    memo: dict[str, list[tuple[int, list[str]]]] = field(default_factory=dict, repr=False)

    def fail(self, problem: str) -> DataError:
        return DataError.at(self.path, problem)

    @cached_property
    def raw(self) -> bytes:
        data = limits.read_bytes(self.path, limits.MAX_FILE_BYTES, self.fail)
        if not data.strip():
            raise DataError.at(self.path, "fila er tom.")
        return data

    @cached_property
    def decoded(self) -> tuple[str, str]:
        try:
            return csvdialect.decode(self.raw)
        except csvdialect.MixedEncodingError as exc:
            raise DataError.at(self.path, f"teksten blander to tegnkodinger: den er UTF-8 fram "
                                        f"til byte {exc.offset}, som ikke er det (kanskje "
                                        "Latin-1 eller Windows-1252); lagre fila på nytt i "
                                        "én koding, helst UTF-8.", line=exc.line) from None
        except csvdialect.EncodingError as exc:
            raise DataError.at(self.path, f"teksten er merket som {exc.encoding}, men byte "
                                        f"{exc.offset} passer ikke med det; lagre fila på "
                                        "nytt som UTF-8.") from None

    @property
    def text(self) -> str:
        return self.decoded[0]

    @property
    def encoding(self) -> str:
        return self.decoded[1]

    def check_text(self) -> None:
        """Refuse binary data with the line and character where it shows."""
        at = binary_at(self.text)
        if at is None:
            return
        line = self.text.count("\n", 0, at) + 1
        column = at - (self.text.rfind("\n", 0, at) + 1) + 1
        raise DataError(f"{self.path}, linje {line}, tegn {column}: «{printable(self.text[at])}» "
                        "hører ikke hjemme i en tekstfil; fila ser ut som binærdata, ikke CSV, "
                        "JSON-stat, PX eller XLSX (eller tekst i en koding uten byte order "
                        "mark).")

    @cached_property
    def json(self) -> object | None:
        """The parsed JSON document, or None when the text is not JSON.

        Its nesting and size are checked before it is parsed.
        """
        if not self.head.startswith(("{", "[")):
            return None
        raw = self.raw if csvdialect.wide_encoding(self.raw) is None \
            else self.text.encode("utf-8")
        guard.check_json(raw, self.fail)
        try:
            doc: object = json.loads(self.text)
        except RecursionError:
            raise self.fail(f"JSON-strukturen er over grensen for nesting på "
                            f"{limits.MAX_DEPTH} nivåer.") from None
        except ValueError:
            return None
        return doc

    @property
    def looks_json(self) -> bool:
        return self.head.startswith(("{", "["))

    @property
    def is_zip(self) -> bool:  # XLSX is a zip archive
        return self.raw[:4] == b"PK\x03\x04"

    @cached_property
    def head(self) -> str:
        if csvdialect.wide_encoding(self.raw) is not None:
            return self.text[:4096].lstrip("\ufeff \r\n\t")
        return self.raw[:4096].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \r\n\t")


# What a reader says about a file besides its rows (title, table, notes, …), for
# ``Dataset.meta``.
ReadingMeta = dict[str, str | list[str]]


@dataclass
class Reading:
    """What a reader got out of a file, before validation."""

    format: str  # «JSON-stat2 (PxWebApi v2)», «PX-fil», …
    rows: list[tuple[str, ...]]  # tidy rows in ``model.schema.COLUMNS`` order
    where: list[int | None]
    meta: ReadingMeta = field(default_factory=dict)
    skipped: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def cell_error(path: Path, exc: CellError) -> DataError:
    return DataError.at(path, f"{exc.message}.", line=exc.where)


def finish(reading: Reading, path: Path) -> Dataset:
    """Validate the rows; a problem names the file's own line, not the tidy table's."""
    if not reading.rows:
        left = "; ".join(f"{reason}: {sum(c.values())} celler, som «{printable(next(iter(c)))}»"
                         for reason, c in reading.skipped.items())
        raise DataError.at(path, f"fant ingen tall for målene rapportene bruker "
                               f"({', '.join(sorted(MEASURES))})"
                               + (f" ({left})" if left else "") + ".")
    raw = pd.DataFrame.from_records(reading.rows, columns=COLUMNS)
    try:
        table = validate(raw, "x")
    except DataError as exc:
        match = re.match(r"x, linje (\d+)(.*)", exc.message)
        if not match:
            raise DataError.at(path, exc.message.removeprefix("x: ")) from None
        line = reading.where[int(match.group(1)) - 2]
        raise DataError(f"{path}" + (f", linje {line}" if line else "")
                        + match.group(2)) from None
    from kommunerapport.sources.rows import OLD_REGION, OTHER_REGION, normalise_region

    units = {normalise_region(d) or d for r in (OLD_REGION, OTHER_REGION)
             for d in reading.skipped.get(r, {})}
    meta = {"description": f"Data fra {path.name}", "synthetic": bool(table["synthetic"].any()),
            "skipped_units": sorted(units),
            **reading.meta, "format": reading.format,
            "import": {"format": reading.format, "path": str(path),
                       "skipped": {r: dict(c) for r, c in reading.skipped.items()},
                       "notes": list(reading.notes)}}
    return Dataset(table, meta, str(path))


def release_of(src: Source, origin: str, *texts: str) -> Callable[[int], str]:
    """The release of a file's figures, year by year: the date a title or footnote line
    gives («Sist oppdatert 16.03.2026»), else the one the user gave (``--release``), else
    none, said as such («dato ukjent»)."""
    from kommunerapport.model import releases

    found = None
    for text in texts:
        try:
            found = releases.date_in_text(text)
        except ValueError:
            raise DataError.at(src.path, f"datoen i «{printable(text)}» finnes ikke; "
                                         "rett den, eller oppgi --release DD.MM.ÅÅÅÅ.") from None
        if found:
            break
    date = found or src.release

    def release(year: int) -> str:
        return releases.for_year(year, date, origin).text() if date else \
            releases.Release(None, None, origin).text()
    return release
