"""Several data files as one: SSB's cap on cells per query splits a download in parts.

Files are read one by one (each with its reader, each carried to today's codes) and put
together. The same figure in two files (same unit, year, measure and scope, same value)
is kept once. Two different values for one figure are a conflict:

- when both come with a dated release, the later release wins, and the summary says
  which figures it replaced;
- otherwise the import is refused with one line naming both files, the unit and both
  values: the tool cannot know which is right.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pandas as pd

from kommunerapport.errors import DataError
from kommunerapport.model import releases
from kommunerapport.model.schema import MEASURES, Dataset

KEY = ["unit", "year", "measure", "scope"]


def combine(datasets: list[Dataset]) -> Dataset:
    """One dataset of several files' (see the module); a single one is returned as it is."""
    if len(datasets) == 1:
        return datasets[0]
    frames = []
    for n, ds in enumerate(datasets):
        frame = ds.table.copy()
        frame["file_no"] = n
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    doubled = table.duplicated(KEY, keep=False)
    replaced: list[str] = []
    drop: list[int] = []
    for _, group in table[doubled].groupby(KEY, sort=True):
        rows = list(group.itertuples())
        keep = rows[0]
        for other in rows[1:]:
            if _same(keep, other):
                drop.append(cast(int, other.Index))
                continue
            winner = _later(keep, other)
            if winner is None:
                raise DataError(_conflict(datasets, keep, other))
            loser = other if winner is keep else keep
            replaced.append(_replacement(datasets, winner, loser))
            drop.append(cast(int, loser.Index))
            keep = winner
    table = table.drop(index=drop).drop(columns="file_no").reset_index(drop=True)
    return Dataset(table, _meta(datasets, replaced), ", ".join(ds.path for ds in datasets))


def _same(a: Any, b: Any) -> bool:
    """The same figure: equal values, or both without one (with the same symbol)."""
    if a.value != a.value and b.value != b.value:  # both NaN: missing in both
        return bool(a.status == b.status)
    return bool(a.value == b.value)


def _later(a: Any, b: Any) -> Any | None:
    """The row of the later dated release; None when either is undated or both the same."""
    ra, rb = releases.parse(a.release), releases.parse(b.release)
    later = rb.later_than(ra)
    if later is None or ra.date == rb.date:
        return None
    return b if later else a


def _value(row: Any) -> str:
    if row.value != row.value:
        return f"uten tall ({row.status})"
    return f"{row.value:g}"


def _what(row: Any) -> str:
    return f"{MEASURES[row.measure][0].lower()} {row.year} ({row.scope})"


def _conflict(datasets: list[Dataset], a: Any, b: Any) -> str:
    first, second = (Path(datasets[r.file_no].path).name for r in (a, b))
    return (f"{first} og {second} gir ulike tall for {a.unit}, {_what(a)}: {_value(a)} og "
            f"{_value(b)}, og ingen av dem har en datert utgivelse som viser hvilken som er "
            "nyest; bruk bare den ene fila, eller rett den som er feil.")


def _replacement(datasets: list[Dataset], winner: Any, loser: Any) -> str:
    new, old = (Path(datasets[r.file_no].path).name for r in (winner, loser))
    return (f"{winner.unit}, {_what(winner)}: {_value(loser)} ({old}) erstattet av "
            f"{_value(winner)} ({new}, nyere utgivelse)")


def _meta(datasets: list[Dataset], replaced: list[str]) -> dict[str, Any]:
    """The files' descriptions put together: what each was read as, and what was replaced."""
    infos = [ds.meta.get("import") or {} for ds in datasets]
    skipped: dict[str, dict[str, int]] = {}
    for info in infos:
        for reason, details in (info.get("skipped") or {}).items():
            into = skipped.setdefault(reason, {})
            for detail, n in details.items():
                into[detail] = into.get(detail, 0) + n
    names = [Path(ds.path).name for ds in datasets]
    history = [ds.meta["history"] for ds in datasets if ds.meta.get("history")]
    meta: dict[str, Any] = {
        "description": f"Data fra {', '.join(names)}",
        "synthetic": any(bool(ds.meta.get("synthetic")) for ds in datasets),
        "skipped_units": sorted({u for ds in datasets for u in ds.meta.get("skipped_units")
                                 or []}),
        "format": "; ".join(dict.fromkeys(str(i.get("format", "?")) for i in infos)),
        "import": {"format": "; ".join(dict.fromkeys(str(i.get("format", "?")) for i in infos)),
                   "path": ", ".join(ds.path for ds in datasets), "skipped": skipped,
                   "notes": [n for i in infos for n in i.get("notes") or []],
                   "files": names, "replaced": replaced},
    }
    if history:
        meta["history"] = _merged_history(history)
    return meta


def _merged_history(parts: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"source": parts[0].get("source", ""), "shadowed": 0}
    for part in parts:
        out["shadowed"] += int(part.get("shadowed") or 0)
        for key in ("renumbered", "merged", "split", "incomplete", "unknown"):
            into = out.setdefault(key, {})
            for code, value in (part.get(key) or {}).items():
                if isinstance(value, dict):
                    for k, v in value.items():
                        into.setdefault(code, {})[k] = sorted(set(into.get(code, {}).get(k, []))
                                                              | set(v))
                else:
                    into[code] = sorted(set(into.get(code, [])) | set(value))
    return out

