"""Which figures a report is built from: the user's file, the fetched figures, or the built-in.

This sits above the readers and the SSB client (both produce tidy tables) and
above ``data`` (the model), so none of them imports another in a circle.

Figures from the file win. The built-in *real* figures fill only (unit, measure)
pairs the file lacks, never the synthetic sample, and their rows say so in their
release («…, innebygde tall»), so a report's sources name both provenances.
``Dataset.meta["provenance"]`` lists the file's and the built-in sources.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from kommunerapport.errors import DataError
from kommunerapport.model.config import Config
from kommunerapport.model.schema import Dataset, JsonObject
from kommunerapport.sources import guard, limits
from kommunerapport.sources.tidycsv import read_table

BUILTIN_MARK = "innebygde tall"


@dataclass(frozen=True)
class DataInput:
    """What the user gave with ``--data`` (one file or several) and ``--release`` (the date
    of a release for files that give none)."""

    paths: tuple[Path, ...]
    release: dt.date | None = None


def load_dataset(path: Path | DataInput | None = None, *, announce: bool = True) -> Dataset:
    """The user's files, else the figures fetched from SSB, else the built-in dataset;
    with the KOSTRA groups ``fetch`` got from Klass, if any.

    Files are read by ``readers.read``, put together by ``combine.combine`` and completed
    by ``with_builtin_real``; with ``announce`` the import summary is printed on stderr
    (never silently).
    """
    from kommunerapport.sources.ssb import klass, store

    given = DataInput((path,)) if isinstance(path, Path) else path
    dataset = _figures(given if given and given.paths else None, announce)
    groups = klass.read_groups(store.cache_dir())
    return replace(dataset, kostra_groups=groups) if groups else dataset


def load_inputs(config_file: Path | None,
                data: DataInput | None) -> tuple[Config, Dataset]:
    """The user's config and the figures: files that give no release date of their own
    and no ``--release`` take the config's ``release``."""
    from kommunerapport.sources.configfile import load_config

    config = load_config(config_file)
    if data is not None and data.release is None and config.release:
        data = DataInput(data.paths, config.release)
    return config, load_dataset(data)


def _figures(given: DataInput | None, announce: bool) -> Dataset:
    from kommunerapport.sources.ssb.store import fetched_files

    if given is not None:
        return read_files(given, announce)
    fetched = fetched_files()
    if fetched is None:
        return load_builtin()
    from kommunerapport.sources.history import chained

    csv_path, meta_path = fetched
    meta = _fetched_meta(meta_path)
    dataset = chained(Dataset(read_table(csv_path), meta, f"SSB-tall hentet ({csv_path})"))
    revisions = revised_since(dataset)
    if revisions:
        dataset = replace(dataset, meta={**dataset.meta, "revisions": revisions})
    return with_builtin_real(dataset)


def revised_since(dataset: Dataset) -> list[dict[str, object]]:
    """The fetched figures that changed since the release before the one fetched last
    (``fetch`` keeps each): for «Om tallene», which figures are revised."""
    from kommunerapport.sources.history import chained
    from kommunerapport.sources.revisions import compare
    from kommunerapport.sources.ssb.store import release_dates, release_files

    kept = release_dates()
    out: list[dict[str, object]] = []
    tables = dataset.meta.get("tables") or {}
    for tid, info in tables.items():
        updated = str((info or {}).get("updated") or "")[:10] if isinstance(info, dict) else ""
        earlier = [d for d in kept if d < updated
                   and any(p.name == f"SSB-{tid}.csv" for p in release_files(d))]
        if not updated or not earlier:
            continue
        before_path = next(p for p in release_files(earlier[-1]) if p.name == f"SSB-{tid}.csv")
        before = chained(Dataset(read_table(before_path), {})).table
        now = dataset.table[dataset.table["source"] == f"SSB {tid}"]
        for r in compare(before, now).revisions:
            out.append({"unit": r.unit, "year": r.year, "measure": r.measure, "old": r.old,
                        "new": r.new, "since": r.old_release})
    return out


def read_files(given: DataInput, announce: bool = True) -> Dataset:
    """The user's files as one dataset, completed with the built-in real figures; with
    ``announce`` each file's import summary, then what putting them together did."""
    from kommunerapport.sources import readers  # only for a file: a cold report starts sooner
    from kommunerapport.sources.combine import combine

    parts = [readers.read(p, release=given.release) for p in given.paths]
    dataset = with_builtin_real(combine(parts))
    if announce:
        import click

        for line in import_summary(parts, dataset):
            click.echo(line, err=True)
    return dataset


def import_summary(parts: list[Dataset], dataset: Dataset) -> list[str]:
    """Each file's summary, then what putting them together did and what the built-in
    figures filled in (``readers.summary`` of one file gives it all)."""
    from kommunerapport.errors import printable
    from kommunerapport.sources import readers

    if len(parts) == 1:
        return readers.summary(dataset)
    lines = [line for part in parts for line in readers.summary(part)]
    info = dataset.meta.get("import") or {}
    replaced = info.get("replaced") or []
    lines.append(f"Samlet: {len(parts)} filer, {info.get('rows', len(dataset.table))} verdier"
                 + (f"; {len(replaced)} tall erstattet av en nyere utgivelse:" if replaced
                    else "; ingen motstridende tall."))
    lines += [f"  {r}" for r in replaced[:20]]
    if len(replaced) > 20:
        lines.append(f"  … og {len(replaced) - 20} til.")
    for note in info.get("filled") or []:
        lines.append(f"  Utfylt fra innebygde tall (filene mangler dem): {note}")
    return [printable(line) for line in lines]


@lru_cache(maxsize=1)
def load_builtin() -> Dataset:
    """The dataset shipped with the package: real sector figures plus a marked sample,
    2020–2023 under the codes SSB used then, carried to today's (``sources.history``)."""
    from kommunerapport.model.history import builtin_history
    from kommunerapport.sources.history import chained

    folder = resources.files("kommunerapport").joinpath("data")
    with resources.as_file(folder.joinpath("dataset.csv")) as path:
        table = read_table(path)
    meta = json.loads(folder.joinpath("dataset.json").read_text("utf-8"))
    return chained(Dataset(table, meta), builtin_history())


def _fetched_meta(path: Path) -> JsonObject:
    """The description ``fetch`` wrote; a damaged one is one line saying how to mend it."""
    mend = "kjør «kommunerapport fetch» på nytt (svarene i hurtigbufferen brukes)."

    def fail(problem: str) -> DataError:
        return DataError(f"{path}: {problem}")

    data = limits.read_bytes(path, limits.MAX_FILE_BYTES, fail)
    try:
        guard.check_json(data, fail)
        meta = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError
        raise fail(f"fila er skadet ({type(exc).__name__}); {mend}") from None
    if not isinstance(meta, dict):
        raise fail(f"fila er skadet (ventet et JSON-objekt); {mend}")
    return meta


def with_builtin_real(dataset: Dataset) -> Dataset:
    """Add the built-in real rows for (unit, measure) pairs the dataset lacks.

    Municipal rows are added only when the dataset has no municipal figures at
    all: a survey's municipalities are never completed with figures of another
    scope or source (a percentage-only KS survey in kasse gets no konsern BDI,
    so nothing is weighted with a borrowed weight). County authorities and
    SSB's aggregates are added; they are shown with their own scope, and their
    release is marked «…, innebygde tall». Synthetic rows are never added.
    """
    table = dataset.table
    builtin = load_builtin().table
    real = builtin[~builtin["synthetic"]]
    have = set(zip(table["unit"], table["measure"], strict=True))
    has_municipal = bool(table["unit"].str.fullmatch(r"\d{4}").any())
    pairs = pd.Series(list(zip(real["unit"], real["measure"], strict=True)), index=real.index)
    is_municipal = real["unit"].str.fullmatch(r"\d{4}")
    added = real[~pairs.isin(have) & ~(is_municipal & has_municipal)].copy()
    added["release"] = added["release"] + f", {BUILTIN_MARK}"
    meta = dict(dataset.meta)
    meta["synthetic"] = bool(table["synthetic"].any())
    info = dict(meta.get("import") or {})
    info["rows"] = len(table)
    provenance = [{"kind": "fil" if info.get("path") else "hentet",
                   "path": info.get("path", dataset.path),
                   "sources": sorted(set(table["source"])),
                   "releases": sorted(set(table["release"])), "rows": len(table)}]
    if not added.empty:
        meta["builtin_real_added"] = sorted(set(added["source"]))
        info["filled"] = [
            f"{source} ({', '.join(sorted(set(g['release'])))}): "
            f"{', '.join(sorted(set(g['measure'])))} for {g['unit'].nunique()} enheter"
            for source, g in added.groupby("source")]
        provenance.append({"kind": "innebygd", "sources": sorted(set(added["source"])),
                           "releases": sorted(set(added["release"])), "rows": len(added)})
    meta["import"] = info
    meta["provenance"] = provenance
    combined = pd.concat([table, added], ignore_index=True)
    return Dataset(combined, meta, dataset.path)


def load_release(day: dt.date) -> Dataset:
    """A release ``fetch`` has kept (every table SSB had updated on ``day``), carried to
    today's codes; a date with none is one line listing the dates there are."""
    from kommunerapport.errors import UsageError
    from kommunerapport.sources.history import chained
    from kommunerapport.sources.ssb.store import release_dates, release_files

    found = release_files(day.isoformat())
    if not found:
        dates = [f"{d[8:10]}.{d[5:7]}.{d[:4]}" for d in release_dates()]
        raise UsageError(f"Ingen utgivelse fra {day:%d.%m.%Y} er hentet"
                         + (f"; hentede utgivelser: {', '.join(dates)}." if dates else
                            "; kjør «kommunerapport fetch» først."))
    table = pd.concat([read_table(p) for p in found], ignore_index=True)
    tables = ", ".join(p.stem.replace("SSB-", "") for p in found)
    return chained(Dataset(table, {"description": f"SSB {tables}, utgivelsen {day:%d.%m.%Y}"},
                           f"utgivelsen {day:%d.%m.%Y}"))
