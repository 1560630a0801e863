"""The fetched store: where ``fetch`` keeps SSB's answers and the tidy table made of them.

Every answer is cached on disk (``cache_dir``), and the tidy result is written to
``fetched.csv`` and ``fetched.json`` there, where ``loading.load_dataset`` finds it.
A new fetch merges with what an earlier one left (``merge_rows``): a table SSB did
not answer this time keeps its earlier figures, and says so.

``cache_dir`` and ``fetched_files`` need nothing of the network, so a report from the
built-in data can ask without importing the SSB client.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

from kommunerapport.errors import UsageError
from kommunerapport.sources import guard, limits


def cache_dir() -> Path:
    """The cache folder; a setting that names something other than a folder is an error.

    Said at once, for every command, rather than silently treated as «nothing fetched».
    """
    configured = os.environ.get("KOMMUNERAPPORT_CACHE_DIR")
    if configured:
        folder = Path(configured)
        where = f"KOMMUNERAPPORT_CACHE_DIR={configured}"
    else:
        import platformdirs

        folder = Path(platformdirs.user_cache_dir("kommunerapport", appauthor=False))
        where = f"hurtigbufferen {folder}"
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{where} er en fil, ikke en mappe; velg en mappe (den lages om "
                         "den ikke finnes).")
    return folder


def fetched_files(folder: Path | None = None) -> tuple[Path, Path] | None:
    """The tidy table and its description written by the last fetch, if any."""
    folder = folder or cache_dir()
    csv_path, meta_path = folder / "fetched.csv", folder / "fetched.json"
    if csv_path.exists() and meta_path.exists():
        return csv_path, meta_path
    return None


def unwritable(folder: Path, exc: OSError) -> str:
    return (f"kan ikke skrive i hurtigbufferen {folder} ({exc.strerror}); velg en annen mappe "
            "med KOMMUNERAPPORT_CACHE_DIR.")


COLUMNS_ORDER = ("unit", "year", "measure", "value", "status", "scope", "source", "release",
                 "synthetic")


def _priority() -> dict[str, int]:
    """A measure two tables give is taken from the earlier one in ``catalogue.TABLES``
    (imported here, not above: a report from the built-in data asks this module where the
    cache is, and has no use for the catalogue)."""
    from kommunerapport.sources.ssb.catalogue import TABLES

    return {f"SSB {spec.id}": n for n, spec in enumerate(TABLES)}


def row_key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["unit"], row["year"], row["measure"], row["scope"]


def read_previous(folder: Path) -> tuple[list[dict[str, str]], dict[str, Any]]:
    """The rows and description the last fetch wrote, or nothing if there are none.

    Each is read on its own, within the limits, so a damaged ``fetched.json`` costs
    its description, never the figures; parts of the wrong type are dropped.
    """

    def fail(problem: str) -> ValueError:
        return ValueError(problem)

    rows: list[dict[str, str]] = []
    try:
        text = limits.read_bytes(folder / "fetched.csv", limits.MAX_FILE_BYTES, fail)
        rows = [r for r in csv.DictReader(io.StringIO(text.decode("utf-8"), newline=""))
                if set(COLUMNS_ORDER) <= set(r) and None not in r]
    except (OSError, ValueError, csv.Error):
        rows = []
    meta: Any = {}
    try:
        data = limits.read_bytes(folder / "fetched.json", limits.MAX_FILE_BYTES, fail)
        guard.check_json(data, fail)
        meta = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    meta = {k: v for k, v in meta.items() if isinstance(v, dict)}  # tables, register, …
    if "tables" in meta:
        meta["tables"] = {k: v for k, v in meta["tables"].items() if isinstance(v, dict)}
    return rows, meta


def merge_rows(previous: list[dict[str, str]], new: list[dict[str, str]],
               fetched: set[tuple[str, str]]) -> list[dict[str, str]]:
    """The previous fetch's rows updated with this one's.

    A previous row is dropped when its table and year were fetched again
    (``fetched`` holds (source, year)), so what SSB no longer gives goes; the
    rest stay. For one (unit, year, measure, scope) the earlier table in
    ``TABLES`` wins, as in a single fetch; between rows of one table the new one.
    """
    out: dict[tuple[str, str, str, str], dict[str, str]] = {}
    priority = _priority()
    kept = [r for r in previous if (r["source"], r["year"]) not in fetched]
    for row in [*kept, *new]:
        key = row_key(row)
        old = out.get(key)
        if old is None or (priority.get(row["source"], len(priority))
                           <= priority.get(old["source"], len(priority))):
            out[key] = row
    return list(out.values())


def earlier_tables(missing: list[str], folder: Path | None = None) -> list[str]:
    """Those of ``missing`` that the fetched file still has figures from."""
    rows, _ = read_previous(folder or cache_dir())
    sources = {r["source"] for r in rows}
    return [t for t in missing if f"SSB {t}" in sources]


RELEASES = "utgaver"  # every release fetch has seen, side by side: utgaver/<date>/SSB-<table>.csv


def keep_release(folder: Path, table: str, updated: str, rows: list[dict[str, str]]) -> None:
    """Keep this fetch's rows of ``table`` under the date SSB last updated it, beside every
    earlier release: a refresh on 15 June adds the revision, March stays. A second fetch of
    the same release adds the years it asked for."""
    import datetime as dt

    from kommunerapport import files

    try:
        day = dt.date.fromisoformat(updated[:10])
    except ValueError:
        return  # no date from SSB: nothing to file it under (the table keeps its figures)
    path = folder / RELEASES / day.isoformat() / f"SSB-{table}.csv"
    before: dict[tuple[str, str, str, str], dict[str, str]] = {}
    if path.exists():
        before = {row_key(r): r for r in _rows(path)}
    for r in rows:
        before[row_key(r)] = r
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS_ORDER, lineterminator="\n",
                       extrasaction="ignore")
    w.writeheader()
    w.writerows([before[k] for k in sorted(before)])
    path.parent.mkdir(parents=True, exist_ok=True)
    files.write_text(path, buf.getvalue())


def _rows(path: Path) -> list[dict[str, str]]:
    def fail(problem: str) -> ValueError:
        return ValueError(problem)

    data = limits.read_bytes(path, limits.MAX_FILE_BYTES, fail)
    return [r for r in csv.DictReader(io.StringIO(data.decode("utf-8"), newline=""))
            if set(COLUMNS_ORDER) <= set(r) and None not in r]


def release_dates(folder: Path | None = None) -> list[str]:
    """The dates (ISO) of every release kept, oldest first."""
    root = (folder or cache_dir()) / RELEASES
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and len(p.name) == 10)


def release_files(day: str, folder: Path | None = None) -> list[Path]:
    """The kept tables of the release of ``day`` (ISO date)."""
    where = (folder or cache_dir()) / RELEASES / day
    return sorted(where.glob("SSB-*.csv")) if where.is_dir() else []
