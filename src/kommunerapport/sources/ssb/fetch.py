"""Fetch the real figures from Statistics Norway (SSB): PxWebApi v2 and Klass.

``fetch`` asks SSB through the client (``client``, ``queries``) and keeps the result
in the fetched store (``store``). What the tables hold and how their answers become
tidy rows is ``catalogue``.

What is fetched (``TABLES``): the KOSTRA key figures for municipalities (12134),
the financial key figures with disposisjonsfond (12143), the operating statement
in kroner (13551), the county authorities (13561) and population (07459), plus
the municipality and county register valid for the year (Klass 131 and 104).
Contents codes are never hard-coded: they are found in each table's metadata by
their Norwegian labels (``catalogue.measure_for``).

SSB's limits shape the client: data queries are POSTed in batches of regions
(one GET naming all ~840 regions is an HTML 404), calls are spaced to about 30 a
minute, and 429, 5xx and timeouts are retried with backoff. A 4xx is not
retried: it stops with SSB's own message, the table and the codes asked for.
Each call is bounded (``transport``): ``limits.DEADLINE`` seconds from start to
last byte, ``limits.MAX_RESPONSE_BYTES`` of answer, redirects only within SSB's
host; passing a bound stops the fetch with a message naming it.

Every response is cached on disk (``cache_dir()``), keyed by table and query, so
a second ``fetch`` makes no request unless ``refresh``. The tidy result is
written to ``fetched.csv`` and ``fetched.json`` in the cache folder, where
``kommunerapport.loading.load_dataset`` finds it.

Settings: ``KOMMUNERAPPORT_SSB_URL`` (PxWebApi v2 base), ``KOMMUNERAPPORT_KLASS_URL``
(Klass base) and ``KOMMUNERAPPORT_CACHE_DIR`` (cache folder).
"""

from __future__ import annotations

import csv
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict

from kommunerapport import files
from kommunerapport.errors import DataError, FetchError, printable
from kommunerapport.model.history import RegionHistory
from kommunerapport.model.schema import (
    AGGREGATES,
    MEASURES,
    implausible,
    known_units,
)
from kommunerapport.sources import jsonstat
from kommunerapport.sources.rows import OLD_REGION, OTHER_REGION, normalise_region
from kommunerapport.sources.ssb.catalogue import (
    CLASSIFICATIONS,
    KOSTRA_GROUPS,
    TABLES,
    TableSpec,
    tidy_rows,
)
from kommunerapport.sources.ssb.client import Client, Request, klass_url
from kommunerapport.sources.ssb.klass import change_rows, klass_codes
from kommunerapport.sources.ssb.queries import (
    data_requests,
    klass_request,
    metadata_request,
    time_codes,
    years_to_fetch,
)
from kommunerapport.sources.ssb.store import (
    COLUMNS_ORDER,
    cache_dir,
    earlier_tables,
    keep_release,
    merge_rows,
    read_previous,
    unwritable,
)

HISTORY_FROM = "2002-01-01"  # KOSTRA's figures start in 2001: changes after it matter


class FetchedTable(TypedDict):
    """What one table gave: its label and update time, rows, notes and years."""

    label: str
    updated: str
    rows: int
    notes: list[str]
    years: list[int]


@dataclass
class FetchReport:
    tables: dict[str, FetchedTable] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)  # table → codes not asked for
    register: dict[str, Any] = field(default_factory=dict)
    groups: dict[int, int | str] = field(default_factory=dict)  # year → municipalities or why not
    implausible: list[str] = field(default_factory=list)  # values left out as impossible
    rows: list[dict[str, str]] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)  # the change table got from Klass
    old_codes: dict[str, list[str]] = field(default_factory=dict)  # table → old codes asked
    calls: int = 0
    path: Path | None = None


class _Progress:
    """A rich progress bar, or nothing."""

    def __init__(self, show: bool) -> None:
        self.bar = None
        if show:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), transient=False)
            self.task = self.bar.add_task("Henter fra SSB", total=None)

    def __enter__(self) -> _Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar:
            self.bar.stop()

    def plan(self, n: int) -> None:
        if self.bar:
            total = self.bar.tasks[0].total or 0
            self.bar.update(self.task, total=total + n)

    def step(self, what: str) -> None:
        if self.bar:
            self.bar.update(self.task, advance=1, description=f"Henter {what}")


def fetch(years: Iterable[int] = (), *, refresh: bool = False, offline: bool = False,
          client: Client | None = None, progress: bool = True,
          tables: Iterable[TableSpec] = TABLES) -> FetchReport:
    """Fetch (or read from the cache) every table the reports use; write the tidy result.

    On a failure the tables already fetched are kept and written, and the
    FetchError says which are missing.
    """
    client = client or Client(refresh=refresh, offline=offline)
    tables = list(tables)
    report = FetchReport()
    known = known_units()
    done: list[str] = []
    seen: set[tuple[str, ...]] = set()  # a measure two tables give is taken from the first
    with _Progress(progress) as bar:
        bar.plan(len(tables))
        try:
            metas = {}
            for spec in tables:
                metas[spec.id] = jsonstat.parse(client.get_json(metadata_request(spec)))
                bar.step(f"metadata {spec.id}")
            first = metas[tables[0].id]
            wanted_years = years_to_fetch(first, years)
            history = _history(client, report, bar)
            regions = _register(client, max(wanted_years), report, bar)
            _kostra_groups(client, wanted_years, report, bar)
            for spec in tables:
                meta = metas[spec.id]
                ys = [y for y in wanted_years
                      if y in set(time_codes(meta, spec.id).values())]
                geo = meta.role_of("geo") or ""
                old = _old_codes(history, spec.level, ys,
                                 meta.dimension(geo).codes if geo in meta.ids else [])
                report.old_codes[spec.id] = old
                requests = data_requests(spec, meta, regions[spec.level] + old, ys)
                asked = set(regions[spec.level]) | set(old)
                report.left_out[spec.id] = sorted(
                    {normalise_region(c, spec.level) or c
                     for c in meta.dimension(geo).codes}
                    - asked - known) if geo in meta.ids else []
                bar.plan(len(requests))
                rows: list[dict[str, str]] = []
                skipped: dict[str, int] = {}
                updated, notes = "", []
                for req in requests:
                    ds = jsonstat.parse(client.get_json(req))
                    tidy = tidy_rows(ds, known, f"SSB {spec.id}", spec.level, spec.id)
                    rows += [r for r in tidy.rows if _in_use(r, history, spec.level)
                             and _plausible(r, report) and _first(r, seen)]
                    for k, v in tidy.skipped.items():
                        skipped[k] = skipped.get(k, 0) + v
                    bar.step(f"tabell {spec.id}")
                    updated = ds.updated
                    notes += [n for n in tidy.notes if n not in notes]  # every batch's
                _check_required(spec, rows, meta)
                report.rows += rows
                report.skipped.update(skipped)
                report.tables[spec.id] = {"label": meta.label, "updated": updated,
                                          "rows": len(rows), "notes": notes, "years": ys}
                done.append(spec.id)
        except (FetchError, jsonstat.JsonStatError) as exc:
            report.missing = [s.id for s in tables if s.id not in done]
            report.calls = client.calls
            if done:
                write_fetched(report)
            earlier = earlier_tables(report.missing)
            # a JsonStatError comes from parsing an answer, in one of the loops over tables
            message = exc.message if isinstance(exc, FetchError) \
                else f"tabell {spec.id}: SSBs svar: {exc}."
            kept = f" Lagret: {', '.join(done)}." if done else ""
            before = (f" Tallene fra forrige henting beholdes for {', '.join(earlier)}."
                      if earlier else "")
            raise FetchError(f"{message}{kept} Mangler: {', '.join(report.missing)}.{before}") \
                from None
    report.calls = client.calls
    write_fetched(report)
    return report


def _check_required(spec: TableSpec, rows: list[dict[str, str]], meta: jsonstat.Cube) -> None:
    """A table that yields none of a measure it must give is an error, not a gap."""
    got = {r["measure"] for r in rows}
    lacking = [m for m in spec.requires if m not in got]
    if lacking:
        names = ", ".join(MEASURES[m][0].lower() for m in lacking)
        raise FetchError(f"tabell {spec.id} ga ingen tall for {names} («{meta.label}»); "
                         "SSB kan ha endret kodene eller tekstene i tabellen.")


def _kostra_groups(client: Client, years: list[int], report: FetchReport,
                   bar: _Progress) -> None:
    """Klass 131 → 112 for each year, stored for ``kostragroups.kostra_group``.

    A failure is said in the summary, not fatal: the figures do not depend on it.
    """
    from kommunerapport.sources.ssb import klass as kostragroups

    bar.plan(len(years))
    for year in years:
        query = urllib.parse.urlencode({"targetClassificationId": KOSTRA_GROUPS,
                                        "date": f"{year}-01-01", "language": "nb"})
        url = f"{klass_url()}/classifications/131/correspondsAt?{query}"
        try:
            doc = client.get_json(Request(url, table=f"Klass 131 → {KOSTRA_GROUPS}"))
            n = kostragroups.write(cache_dir(), year, doc, url,
                                   datetime.now(UTC).isoformat(timespec="seconds"))
            report.groups[year] = n
        except FetchError as exc:
            report.groups[year] = exc.message
        bar.step(f"KOSTRA-grupper {year}")


def _history(client: Client, report: FetchReport, bar: _Progress) -> RegionHistory:
    """The change tables of Klass 131 and 104 from 2002 on, checked and kept in the cache
    folder (``regionendringer.csv``), where loading finds them; a table that cannot be
    used (a chain that loops) stops the fetch before anything is written."""
    from kommunerapport.model.history import COLUMNS, FILE, parse

    rows: list[dict[str, str]] = []
    bar.plan(2)
    for number in ("131", "104"):
        query = urllib.parse.urlencode({"from": HISTORY_FROM, "language": "nb"})
        url = f"{klass_url()}/classifications/{number}/changes?{query}"
        where = f"Klass {number} (endringer)"
        rows += change_rows(client.get_json(Request(url, table=where)), number, where)
        bar.step(f"endringer Klass {number}")
    rows = [r for r in rows if r["dato"] >= HISTORY_FROM]
    rows.sort(key=lambda r: (r["klass"], r["dato"], r["gammel"], r["ny"]))
    try:
        history = parse(rows, "Klass 131/104 (endringer)")
    except DataError as exc:
        problem = re.sub(r"^[^:]*?(, linje \d+)?: ", "", exc.message)
        raise FetchError(f"Klass 131/104 (endringer): SSBs endringstabell kan ikke brukes: "
                         f"{problem}") from None
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    report.history = {"changes": len(history.changes), "text": buf.getvalue(), "file": FILE}
    return history


def _old_codes(history: RegionHistory, level: str, years: list[int],
               table_codes: Iterable[str]) -> list[str]:
    """The table's region codes that were in use in one of ``years`` and lead to today's
    units: what SSB keeps a renumbered or merged unit's earlier figures under."""
    kind = history.of("131" if level == "kommuner" else "104")
    return sorted(c for c in table_codes
                  if c in kind.historic_codes and any(kind.valid(c, y) for y in years))


def _in_use(row: dict[str, str], history: RegionHistory, level: str) -> bool:
    """False for a row under an old code in a year the code was not in use (SSB answers
    such a cell with «.», «cannot occur»): no figure, and no unit to give it to."""
    kind = history.of("131" if level == "kommuner" else "104")
    unit = row["unit"]
    return unit not in kind.historic_codes or kind.valid(unit, int(row["year"]))


def _plausible(row: dict[str, str], report: FetchReport) -> bool:
    """False (and the value named in the report) for a figure that cannot be real
    (``model.schema.BOUNDS``): SSB's answer is checked like a user's file, never trusted blind."""
    value = float(row["value"]) if row["value"] else None
    why = implausible(row["measure"], value)
    if why is None:
        return True
    report.implausible.append(f"{row['source']} {row['unit']} {row['year']} {row['measure']} "
                              f"= {row['value']} ({why})")
    return False


def _first(row: dict[str, str], seen: set[tuple[str, ...]]) -> bool:
    key = (row["unit"], row["year"], row["measure"], row["scope"])
    if key in seen:
        return False
    seen.add(key)
    return True


def _register(client: Client, year: int, report: FetchReport,
              bar: _Progress) -> dict[str, list[str]]:
    """Region codes to ask for: Klass 131/104 for the year, as far as our register knows them."""
    from kommunerapport.model.regions import load_register

    register = load_register()
    ours = {"kommuner": {m.number for m in register.municipalities},
            "fylker": {c.number for c in register.counties}}
    bar.plan(len(CLASSIFICATIONS))
    out = {}
    for number, level in CLASSIFICATIONS.items():
        codes = klass_codes(client.get_json(klass_request(number, year)), f"Klass {number}")
        bar.step(f"Klass {number}")
        unknown = sorted(set(codes) - ours[level])
        absent = sorted(ours[level] - set(codes))
        report.register[f"Klass {number}"] = {"year": year, "codes": len(codes),
                                              "unknown": unknown, "absent": absent}
        aggregates = [a for a in AGGREGATES if a.startswith("EAFK") == (level == "fylker")]
        out[level] = sorted(set(codes) & ours[level]) + aggregates
    return out


def summary(report: FetchReport) -> list[str]:
    """Lines for the terminal: what was fetched, from which release."""
    lines = []
    for tid, t in report.tables.items():
        stamp = t["updated"][:10] if t["updated"] else "ukjent dato"
        lines.append(f"SSB {tid}: {t['rows']} verdier, oppdatert {stamp} – {t['label']}")
    for name, r in report.register.items():
        lines.append(f"{name} ({r['year']}): {r['codes']} koder"
                     + (f"; ukjent for registeret: {', '.join(r['unknown'])}" if r["unknown"]
                        else ""))
    if report.history:
        asked = sorted({c for codes in report.old_codes.values() for c in codes})
        lines.append(f"Regionendringer (Klass 131 og 104): {report.history['changes']} "
                     f"endringer fra {HISTORY_FROM[:4]}; spurt etter {len(asked)} eldre "
                     "regionkoder, som føres over til dagens kommuner og fylker.")
    for year, got in sorted(report.groups.items()):
        lines.append(f"KOSTRA-grupper {year} (Klass 131 → 112): "
                     + (f"{got} kommuner" if isinstance(got, int) else f"ikke hentet – {got}"))
    left_out = sorted(set(report.skipped).union(*report.left_out.values()))
    # The same reasons, in the same words, as a file's import summary gives.
    for reason, codes in ((OLD_REGION, [c for c in left_out if c.isdigit()]),
                          (OTHER_REGION, [c for c in left_out if not c.isdigit()])):
        if codes:
            shown = ", ".join(codes[:10]) + (f" og {len(codes) - 10} til" if len(codes) > 10
                                             else "")
            lines.append(f"Uten tall i rapportene: {len(codes)} {reason}: {shown}.")
    if report.implausible:
        shown = "; ".join(report.implausible[:5]) + (" …" if len(report.implausible) > 5 else "")
        lines.append(f"{len(report.implausible)} verdier utelatt fordi de ikke kan være riktige "
                     f"(se docs/limits.md): {shown}")
    lines.append(f"{report.calls} kall til SSB. Lagret i {report.path}")
    return lines


def run_fetch(years: Iterable[int] = (), refresh: bool = False, offline: bool = False) -> None:
    """The ``fetch`` command: fetch, then print a summary."""
    import click

    report = fetch(years, refresh=refresh, offline=offline)
    for line in summary(report):
        click.echo(printable(line))  # SSB's labels: no escape sequence reaches the terminal


def write_fetched(report: FetchReport, folder: Path | None = None) -> Path:
    """Merge this fetch into the tidy table in the cache folder (``merge_rows``) and write it.

    A failed or narrower fetch (``--year 2025``, a table SSB did not answer for)
    never loses figures an earlier fetch got.
    """
    folder = folder or cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(unwritable(folder, exc)) from None
    previous, old_meta = read_previous(folder)
    fetched = {(f"SSB {tid}", str(y)) for tid, t in report.tables.items()
               for y in t.get("years", ())}
    rows = merge_rows(previous, report.rows, fetched)
    tables = dict(old_meta.get("tables") or {})
    for tid, t in report.tables.items():
        before = (tables.get(tid) or {}).get("years")
        before = [y for y in before if isinstance(y, int)] if isinstance(before, list) else []
        years = sorted(set(before) | set(t.get("years", ())))
        tables[tid] = {**t, "years": years}
    for tid, t in tables.items():
        t["rows"] = sum(r["source"] == f"SSB {tid}" for r in rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS_ORDER, lineterminator="\n",
                       extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    meta = {
        "description": "Tall hentet fra SSB med «kommunerapport fetch».",
        "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
        "tables": tables,
        "missing": [t for t in report.missing if t not in tables],
        "kept_from_earlier": [t for t in report.missing if t in tables],
        "register": report.register or old_meta.get("register") or {},
        "skipped_units": {**(old_meta.get("skipped_units") or {}), **report.skipped},
        "left_out_regions": {**(old_meta.get("left_out_regions") or {}), **report.left_out},
        "synthetic": False,
    }
    for tid, t in report.tables.items():
        try:
            keep_release(folder, tid, t["updated"],
                         [r for r in report.rows if r["source"] == f"SSB {tid}"])
        except OSError as exc:
            raise FetchError(unwritable(folder, exc)) from None
    written = [("fetched.csv", buf.getvalue()),
               ("fetched.json", json.dumps(meta, ensure_ascii=False, indent=1))]
    if report.history:
        written.insert(0, (report.history["file"], report.history["text"]))
    try:
        for name, text in written:
            files.write_text(folder / name, text)
    except OSError as exc:
        raise FetchError(unwritable(folder, exc)) from None
    report.path = folder / "fetched.csv"
    return report.path
