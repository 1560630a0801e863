"""``--data FILE``: one detection step in front of one reader per format.

Each reader module has ``FORMAT`` (its name in the summary), ``claims(source)``
(«this is mine») and ``read(source)`` (rows into the tidy table). ``detect``
asks them in ``READERS`` order; the first that claims the file reads it. The
result is a ``model.schema.Dataset`` whose ``meta["import"]`` says what was read and
what was left out and why; ``summary`` turns that into the lines printed on
stderr for every ``--data`` import and by ``kommunerapport inspect``.

Formats (see docs/data-formats.md): JSON-stat2, JSON-stat 1.x, PX, the tool's
tidy CSV, KS's survey sheet, PxWebApi v2 CSV, Statistikkbanken CSV/XLSX and
tables that name their regions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Protocol, runtime_checkable

from kommunerapport.errors import DataError, printable
from kommunerapport.errors import shown as cut
from kommunerapport.model.schema import MEASURES, Dataset
from kommunerapport.sources import limits
from kommunerapport.sources.readers import (
    jsonstat1,
    jsonstat2,
    named,
    px,
    pxweb_csv,
    statbank,
    survey,
    tidy,
)
from kommunerapport.sources.readers.base import Reading, Source, finish


class Reader(Protocol):
    """A reader module: its format's name, and whether a file is in that format."""

    FORMAT: str

    def claims(self, src: Source) -> bool: ...


@runtime_checkable
class RowReader(Reader, Protocol):
    """A reader that gives tidy rows to validate (every one but ``tidy``)."""

    def read(self, src: Source) -> Reading: ...


READERS: tuple[Reader, ...] = (jsonstat2, jsonstat1, px, tidy, survey, named, pxweb_csv,
                               statbank)


def detect(path: Path | str) -> Reader:
    """The reader that claims the file; a one-line DataError when none does."""
    src = _source(Path(path))
    return _detect(src)


def _source(path: Path) -> Source:
    """The file, if it is a regular file within the size limit (nothing is read yet)."""
    src = Source(path)
    limits.regular_file(path, limits.MAX_FILE_BYTES, src.fail)
    return src


def _detect(src: Source) -> Reader:
    src.raw  # noqa: B018 - an empty or unreadable file fails here, once
    if src.path.suffix.casefold() in (".xlsx", ".xlsm") and not src.is_zip:
        raise DataError.at(src.path, "kan ikke leses som Excel-fil (.xlsx): fila er ikke et "
                                   "Excel-arbeidsark (lagret som tekst?).")
    if not src.is_zip:
        src.check_text()
    for reader in READERS:
        if reader.claims(src):
            return reader
    if src.head.startswith(("{", "[")):
        if src.json is None:
            from kommunerapport.sources.guard import parse_json

            parse_json(src.text, lambda problem: DataError.at(
                src.path, f"kan ikke leses som JSON-stat2 fra SSB: {problem}"))
        raise DataError.at(src.path, "er JSON, men ikke JSON-stat (verken «class»: «dataset» "
                                   "eller JSON-stat 1.x med «dataset»).")
    raise DataError.at(src.path, "kjenner ikke formatet (ventet JSON-stat, PX, CSV eller XLSX "
                               "fra SSB, KS-undersøkelsen eller kommunerapports CSV).")


def read(path: Path | str, release: dt.date | None = None) -> Dataset:
    """Read a user's data file in any accepted format, carried to today's region codes.

    ``release``: the release date for a file that gives none itself (``--release``).
    """
    from kommunerapport.sources.history import chained

    src = _source(Path(path))
    src.release = release
    reader = _detect(src)
    if reader is tidy:
        return chained(tidy.read_dataset(src))
    if not isinstance(reader, RowReader):
        raise TypeError(f"{reader} has no read()")
    return chained(finish(reader.read(src), src.path))


def summary(dataset: Dataset) -> list[str]:
    """The import summary: the format, what was read (measures × years × units), what was
    left out and why, and what the built-in figures filled in; the file's own labels
    with control characters escaped."""
    info = dataset.meta.get("import") or {}
    t = dataset.table
    own = t.iloc[:info["rows"]] if "rows" in info else t  # the file's own rows come first
    lines = [f"{Path(info.get('path', dataset.path)).name}: lest som {info.get('format', '?')}"
             + (f" – {dataset.meta['title']}" if dataset.meta.get("title") else "")]
    measures = sorted(set(own["measure"]), key=list(MEASURES).index)
    years = sorted(int(y) for y in set(own["year"]))
    units = sorted(set(own["unit"]))
    kinds = _unit_kinds(units)
    missing = int(own["value"].isna().sum())
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "–")
    lines.append(f"  Lest: {len(measures)} mål × {len(years)} år ({span}) × {len(units)} "
                 f"enheter ({kinds}) = {len(own)} verdier"
                 + (f", av dem {missing} uten tall (SSBs symbol beholdt)" if missing else "")
                 + ".")
    lines.append("  Mål: " + ", ".join(f"{MEASURES[m][0].lower()} ({m})" for m in measures))
    for reason, details in (info.get("skipped") or {}).items():
        n = sum(details.values())
        shown = list(details)[:6]
        more = f" og {len(details) - 6} til" if len(details) > 6 else ""
        lines.append(f"  Hoppet over {n} celler – {reason}: "
                     + "; ".join(f"«{cut(d, 120)}»" for d in shown) + more + ".")
    from kommunerapport.sources.history import summary_lines

    lines += summary_lines(dataset.meta.get("history") or {})
    for note in info.get("filled") or []:
        lines.append(f"  Utfylt fra innebygde tall (fila mangler dem): {note}")
    if not info.get("skipped"):
        lines.append("  Hoppet over: ingenting.")
    return [printable(line) for line in lines]  # labels come from the file


def _unit_kinds(units: list[str]) -> str:
    municipalities = sum(1 for u in units if len(u) == 4 and u.isdigit())
    counties = sum(1 for u in units if len(u) == 2 and u.isdigit())
    groups = len(units) - municipalities - counties
    parts = [f"{municipalities} kommuner" if municipalities else "",
             f"{counties} fylker" if counties else "",
             f"{groups} SSB-grupper" if groups else ""]
    return ", ".join(p for p in parts if p) or "ingen"


__all__ = ["READERS", "detect", "read", "summary"]
