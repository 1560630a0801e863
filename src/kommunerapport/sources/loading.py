"""Which figures a report is built from: the user's file, the fetched figures, or the built-in.

This sits above the readers and the SSB client (both produce tidy tables) and
above ``data`` (the model), so none of them imports another in a circle.

Figures from the file win. The built-in *real* figures fill only (unit, measure)
pairs the file lacks, never the synthetic sample, and their rows say so in their
release («…, innebygde tall»), so a report's sources name both provenances.
``Dataset.meta["provenance"]`` lists the file's and the built-in sources.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from kommunerapport.errors import DataError
from kommunerapport.model.schema import Dataset, JsonObject
from kommunerapport.sources import limits
from kommunerapport.sources.tidycsv import read_table

BUILTIN_MARK = "innebygde tall"


def load_dataset(path: Path | None = None, *, announce: bool = True) -> Dataset:
    """The user's file, else the figures fetched from SSB, else the built-in dataset;
    with the KOSTRA groups ``fetch`` got from Klass, if any.

    A file is read by ``readers.read`` and completed by ``with_builtin_real``; with
    ``announce`` its import summary is printed on stderr (never silently).
    """
    from kommunerapport.sources.ssb import klass, store

    dataset = _figures(path, announce)
    groups = klass.read_groups(store.cache_dir())
    return replace(dataset, kostra_groups=groups) if groups else dataset


def _figures(path: Path | None, announce: bool) -> Dataset:
    from kommunerapport.sources.ssb.store import fetched_files

    if path is not None:
        from kommunerapport.sources import readers  # only for a file: a cold report starts sooner

        dataset = with_builtin_real(readers.read(path))
        if announce:
            import click

            for line in readers.summary(dataset):
                click.echo(line, err=True)
        return dataset
    fetched = fetched_files()
    if fetched is None:
        return load_builtin()
    from kommunerapport.sources.history import chained

    csv_path, meta_path = fetched
    meta = _fetched_meta(meta_path)
    return with_builtin_real(chained(Dataset(read_table(csv_path), meta,
                                             f"SSB-tall hentet ({csv_path})")))


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
        limits.check_json(data, fail)
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
