"""Fetch the real figures from Statistics Norway (SSB): PxWebApi v2 and Klass.

This module talks to SSB: the HTTP client, the queries, the cache and ``fetch``.
What the tables hold and how their answers become tidy rows is in
``kommunerapport.ssbdata``; the names from there that callers use (``TABLES``,
``measure_for``, ``tidy_rows`` …) can still be imported from here.

What is fetched (``TABLES``): the KOSTRA key figures for municipalities (12134),
the financial key figures with disposisjonsfond (12143), the operating statement
in kroner (13551), the county authorities (13561) and population (07459), plus
the municipality and county register valid for the year (Klass 131 and 104).
Contents codes are never hard-coded: they are found in each table's metadata by
their Norwegian labels (``ssbdata.measure_for``).

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
import hashlib
import http.client
import io
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kommunerapport.errors import FetchError, printable
from kommunerapport.model.schema import (
    AGGREGATES,
    FIRST_DATA_YEAR,
    LAST_DATA_YEAR,
    MEASURES,
    implausible,
    known_units,
)
from kommunerapport.sources import jsonstat, limits
from kommunerapport.sources.rows import OLD_REGION, OTHER_REGION
from kommunerapport.sources.ssb import http as transport
from kommunerapport.sources.ssb.catalogue import (
    CLASSIFICATIONS,
    KOSTRA_GROUPS,
    TABLES,
    TableSpec,
    measure_for,
    normalise_region,
    scope_for,
    tidy_rows,
)

# Re-exported: the tests know these as ``ssb.<name>``.
from kommunerapport.sources.ssb.catalogue import amount_factor as amount_factor
from kommunerapport.sources.ssb.catalogue import format_value as format_value
from kommunerapport.sources.ssb.catalogue import release_label as release_label
from kommunerapport.sources.ssb.catalogue import stated_unit as stated_unit
from kommunerapport.sources.ssb.store import cache_dir, fetched_files  # noqa: F401 - fetched_files: part of this module's interface
from kommunerapport.sources.throttle import Throttle

BASE_URL = "https://data.ssb.no/api/pxwebapi/v2"
KLASS_URL = "https://data.ssb.no/api/klass/v1"
USER_AGENT = "kommunerapport (KS; https://www.ks.no)"

MIN_INTERVAL = 2.0  # seconds between calls: SSB allows about 30 a minute
RETRIES = 5  # attempts per call on 429, 5xx and timeouts
BACKOFF = 2.0  # first wait; doubles on each retry
MAX_WAIT = 60.0
TIMEOUT = 30.0
BATCH = 150  # regions per data call
CELL_CAP = 100_000  # well below SSB's cap on cells per call
DEFAULT_YEARS = 6  # years fetched when none are asked for
FIRST_DEFAULT_YEAR = 2020  # the 2020 reform: earlier region codes do not compare


# --------------------------------------------------------------------------- settings

def base_url() -> str:
    return os.environ.get("KOMMUNERAPPORT_SSB_URL", BASE_URL).rstrip("/")


def klass_url() -> str:
    return os.environ.get("KOMMUNERAPPORT_KLASS_URL", KLASS_URL).rstrip("/")


# --------------------------------------------------------------------------- HTTP client

@dataclass
class Request:
    url: str
    method: str = "GET"
    body: dict | None = None
    table: str = ""  # for messages: «tabell 12134», «Klass 131»
    asked: str = ""  # for messages: the codes asked for

    def key(self) -> str:
        text = json.dumps([self.method, self.url, self.body], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(text.encode()).hexdigest()[:20]


class Client:
    """PxWebApi and Klass calls: throttled, retried, cached.

    ``sleep`` and ``clock`` are injectable so tests need not wait.
    """

    def __init__(self, cache: Path | None = None, *, refresh: bool = False,
                 offline: bool = False, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic,
                 min_interval: float | None = None, retries: int | None = None,
                 backoff: float | None = None, timeout: float | None = None,
                 deadline: float | None = None, max_bytes: int | None = None) -> None:
        self.cache = (cache or cache_dir()) / "ssb"
        self.refresh, self.offline = refresh, offline
        self.sleep, self.clock = sleep, clock
        self.min_interval = MIN_INTERVAL if min_interval is None else min_interval
        self.retries = RETRIES if retries is None else retries
        self.backoff = BACKOFF if backoff is None else backoff
        self.timeout = TIMEOUT if timeout is None else timeout
        self.deadline = limits.DEADLINE if deadline is None else deadline
        self.max_bytes = limits.MAX_RESPONSE_BYTES if max_bytes is None else max_bytes
        self.calls = 0  # HTTP requests actually sent
        self.throttle = Throttle(self.min_interval, clock=clock, sleep=sleep)

    # -- cache
    def _path(self, req: Request) -> Path:
        name = re.sub(r"[^0-9A-Za-z]+", "-", req.table).strip("-") or "ssb"
        return self.cache / f"{name}-{req.key()}.json"

    def cached(self, req: Request) -> Any | None:
        path = self._path(req)
        if self.refresh or not path.exists():
            return None
        try:  # within the limits: a cache entry is a file anyone could have replaced
            data = limits.read_bytes(path, limits.MAX_RESPONSE_BYTES * 2, ValueError)
            limits.check_json(data, ValueError)
            return json.loads(data.decode("utf-8"))["response"]
        except (OSError, ValueError, KeyError, TypeError, RecursionError):
            return None  # a damaged entry is fetched again

    def _store(self, req: Request, response: Any) -> None:
        path = self._path(req)
        entry = {"url": req.url, "method": req.method, "body": req.body,
                 "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
                 "updated": response.get("updated") if isinstance(response, dict) else None,
                 "response": response}
        tmp = path.with_suffix(".tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(entry, ensure_ascii=False), "utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            raise FetchError(unwritable(path.parent, exc)) from None

    def get_json(self, req: Request) -> Any:
        """The response to ``req``, from the cache or from SSB."""
        hit = self.cached(req)
        if hit is not None:
            return hit
        if self.offline:
            raise FetchError(f"{req.table}: ikke hentet ennå, og --offline hindrer nedlasting. "
                             "Kjør «kommunerapport fetch» uten --offline.")
        response = self._send(req)
        self._store(req, response)
        return response

    # -- network
    def _throttle(self) -> None:
        self.throttle.wait()

    def _json(self, req: Request, body: bytes) -> Any:
        """The answer as JSON, its nesting and size checked before it is parsed."""
        def fail(problem: str) -> FetchError:
            return FetchError(f"{req.table}: SSBs svar: {problem}")

        limits.check_json(body, fail)
        try:
            return json.loads(body.decode("utf-8-sig"))
        except ValueError:
            raise FetchError(f"{req.table}: SSB svarte med noe som ikke er JSON "
                             f"({req.url}).") from None

    def _send(self, req: Request) -> Any:
        data = None
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if req.body is not None:
            data = json.dumps(req.body).encode()
            headers["Content-Type"] = "application/json"
        problem = ""
        asked_wait = 0.0  # what SSB's Retry-After asked for, if anything
        for attempt in range(self.retries):
            if attempt:  # one wait: the backoff, or longer if SSB asked for it
                self.sleep(max(asked_wait, min(self.backoff * 2 ** (attempt - 1), MAX_WAIT)))
            asked_wait = 0.0
            self._throttle()
            self.calls += 1
            request = urllib.request.Request(req.url, data=data, headers=headers,
                                             method=req.method)
            try:
                body = transport.call(request, timeout=self.timeout, deadline=self.deadline,
                                      max_bytes=self.max_bytes)
            except transport.Status as exc:
                if exc.code == 429 or exc.code >= 500:
                    problem = f"HTTP {exc.code}"
                    retry_after = exc.headers.get("Retry-After", "")
                    if retry_after.isdigit():
                        asked_wait = min(float(retry_after), MAX_WAIT)
                    continue
                raise FetchError(refusal(req, exc.code, exc.text)) from None
            except transport.TooLarge as exc:
                said = "sier det skal bli" if exc.declared else "var allerede"
                raise FetchError(f"{req.table}: svaret fra SSB {said} {limits.size(exc.size)}, "
                                 f"over grensen for svar fra SSB på "
                                 f"{limits.size(self.max_bytes)}; avbrutt ({req.url}).") from None
            except transport.DeadlineExceeded:
                raise FetchError(f"{req.table}: SSB brukte over {self.deadline:g} s på svaret, "
                                 f"grensen for ett kall; avbrutt ({req.url}). Prøv igjen "
                                 "senere; det som er hentet, er lagret.") from None
            except transport.Redirect as exc:
                why = (f"til en annen adresse ({transport.origin(exc.url)[1]}:"
                       f"{transport.origin(exc.url)[2]}), som kommunerapport ikke følger"
                       if exc.reason == "off-host" else
                       "på en POST-spørring, som ville blitt gjort om til GET og gitt et annet "
                       "utvalg")
                raise FetchError(f"{req.table}: SSB viste videre (HTTP {exc.code}) {why}; "
                                 f"avbrutt ({req.url}).") from None
            except TimeoutError as exc:
                problem = f"tidsavbrudd etter {self.timeout:g} s ({exc})"
                continue
            except urllib.error.URLError as exc:
                if isinstance(exc.reason, TimeoutError):
                    problem = f"tidsavbrudd etter {self.timeout:g} s"
                else:
                    problem = f"ingen forbindelse ({exc.reason})"
                continue
            except (http.client.HTTPException, ConnectionError) as exc:
                # RemoteDisconnected, ConnectionResetError, IncompleteRead: the line
                # dropped mid-answer, which the next attempt usually survives.
                problem = f"forbindelsen ble brutt ({type(exc).__name__})"
                continue
            return self._json(req, body)
        raise FetchError(f"{req.table}: SSB svarte ikke etter {self.retries} forsøk "
                         f"(siste feil: {problem}). Prøv igjen senere; det som er hentet, "
                         "er lagret.")


def unwritable(folder: Path, exc: OSError) -> str:
    return (f"kan ikke skrive i hurtigbufferen {folder} ({exc.strerror}); velg en annen mappe "
            "med KOMMUNERAPPORT_CACHE_DIR.")


def refusal(req: Request, status: int, body: str) -> str:
    """One line from SSB's error: its own title, the table, the codes asked for."""
    title = ""
    try:
        doc = json.loads(body)
        title = str(doc.get("title") or doc.get("detail") or doc.get("type") or "")
    except (ValueError, AttributeError):
        pass
    asked = f" ({req.asked})" if req.asked else ""
    if title:
        return f"SSB avviste spørringen mot {req.table}{asked}: «{title}» (HTTP {status})."
    if body.lstrip().startswith("<"):
        return (f"SSB svarte HTTP {status} med en HTML-side for {req.table}{asked}; "
                f"adressen er trolig for lang ({len(req.url)} tegn).")
    return f"SSB avviste spørringen mot {req.table}{asked} (HTTP {status})."


# --------------------------------------------------------------------------- the fetch

def _requests_for_metadata(spec: TableSpec) -> Request:
    url = f"{base_url()}/tables/{spec.id}/metadata?lang=no&outputFormat=json-stat2"
    return Request(url, table=f"tabell {spec.id}", asked="metadata")


def _klass_request(number: str, year: int) -> Request:
    query = urllib.parse.urlencode({"date": f"{year}-01-01", "language": "nb"})
    url = f"{klass_url()}/classifications/{number}/codesAt?{query}"
    return Request(url, table=f"Klass {number}")


def klass_codes(doc: dict) -> dict[str, str]:
    """Code → name from a Klass ``codesAt`` response, without «Uoppgitt» (99, 9999)."""
    return {c["code"]: c["name"] for c in doc.get("codes", [])
            if not set(c["code"]) <= {"9"}}


def _pick_other_codes(dim: jsonstat.Dimension, table: str = "?") -> list[str] | None:
    """Codes of a dimension other than region and time; None leaves it out (SSB sums)."""
    matched = [c for c in dim.codes if measure_for(dim.label_of(c))]
    if matched:
        first: dict[tuple[str | None, str | None], str] = {}
        for c in matched:
            key = (measure_for(dim.label_of(c)), scope_for(dim.label_of(c)))
            if key in first:
                raise FetchError(
                    f"tabell {table}: kodene {first[key]} («{dim.label_of(first[key])}») og {c} "
                    f"(«{dim.label_of(c)}») gir begge {MEASURES[key[0]][0].lower()}; "
                    "vet ikke hvilken som gjelder.")
            first[key] = c
        return matched
    if dim.elimination:
        return None
    if len(dim.codes) == 1:
        return list(dim.codes)
    konsern = [c for c in dim.codes if scope_for(dim.label_of(c)) == "konsern"]
    return konsern[:1] or list(dim.codes)


def _short(codes: list[str]) -> str:
    return ",".join(codes) if len(codes) <= 4 else f"{','.join(codes[:3])},… ({len(codes)} koder)"


def data_requests(spec: TableSpec, meta: jsonstat.Dataset, regions: list[str],
                  years: list[int]) -> list[Request]:
    """The POST queries for one table: regions in batches within the cell cap."""
    geo = meta.role_of("geo") or next(d for d in meta.ids if "region" in d.casefold())
    tid = meta.role_of("time") or "Tid"
    available = {normalise_region(c, spec.level) or c: c for c in meta.dimension(geo).codes}
    wanted = [available[r] for r in regions if r in available]
    times = [c for c in meta.dimension(tid).codes if int(c[:4]) in years]
    fixed = []
    cells = max(len(times), 1)
    for dim in meta.dimensions:
        if dim.id in (geo, tid):
            continue
        codes = _pick_other_codes(dim, spec.id)
        if codes is not None:
            fixed.append({"variableCode": dim.id, "valueCodes": codes})
            cells *= len(codes)
    if not any(measure_for(meta.dimension(f["variableCode"]).label_of(c))
               for f in fixed for c in f["valueCodes"]):
        raise FetchError(f"tabell {spec.id}: fant ingen av målene i metadataene "
                         f"(«{meta.label}»).")
    size = max(1, min(BATCH, CELL_CAP // cells))
    url = f"{base_url()}/tables/{spec.id}/data?lang=no&outputFormat=json-stat2"
    out = []
    for start in range(0, len(wanted), size):
        batch = wanted[start:start + size]
        selection = [{"variableCode": geo, "valueCodes": batch},
                     {"variableCode": tid, "valueCodes": times}, *fixed]
        asked = f"{geo}={_short(batch)}; " + "; ".join(
            f"{f['variableCode']}={_short(f['valueCodes'])}" for f in fixed)
        out.append(Request(url, "POST", {"selection": selection},
                           f"tabell {spec.id}", asked))
    return out


def _years(meta: jsonstat.Dataset, asked: Iterable[int]) -> list[int]:
    tid = meta.role_of("time") or "Tid"
    have = sorted({int(c[:4]) for c in meta.dimension(tid).codes})
    asked = sorted(set(asked))
    outside = [y for y in asked if not FIRST_DATA_YEAR <= y <= LAST_DATA_YEAR]
    if outside:
        raise FetchError(f"{', '.join(map(str, outside))} er utenfor årene registeret kjenner "
                         f"({FIRST_DATA_YEAR}–{LAST_DATA_YEAR}); en nyere kommunerapport har "
                         "regionene for senere år.")
    have = [y for y in have if FIRST_DATA_YEAR <= y <= LAST_DATA_YEAR] or have
    if asked:
        missing = [y for y in asked if y not in have]
        if missing:
            raise FetchError(f"tabell {meta.table_id or '?'} har ikke tall for "
                             f"{', '.join(map(str, missing))}; siste år er {have[-1]}.")
        return asked
    return [y for y in have if y >= FIRST_DEFAULT_YEAR][-DEFAULT_YEARS:]


@dataclass
class FetchReport:
    tables: dict[str, dict] = field(default_factory=dict)  # id → label, updated, rows
    missing: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    left_out: dict[str, list[str]] = field(default_factory=dict)  # table → codes not asked for
    register: dict[str, Any] = field(default_factory=dict)
    groups: dict[int, int | str] = field(default_factory=dict)  # year → municipalities or why not
    implausible: list[str] = field(default_factory=list)  # values left out as impossible
    rows: list[dict[str, str]] = field(default_factory=list)
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
                metas[spec.id] = jsonstat.parse(client.get_json(_requests_for_metadata(spec)))
                bar.step(f"metadata {spec.id}")
            first = metas[tables[0].id]
            wanted_years = _years(first, years)
            regions = _register(client, max(wanted_years), report, bar)
            _kostra_groups(client, wanted_years, report, bar)
            for spec in tables:
                meta = metas[spec.id]
                ys = [y for y in wanted_years
                      if y in {int(c[:4]) for c in meta.dimension(meta.role_of("time")
                                                                   or "Tid").codes}]
                requests = data_requests(spec, meta, regions[spec.level], ys)
                geo = meta.role_of("geo") or ""
                asked = set(regions[spec.level])
                report.left_out[spec.id] = sorted(
                    {normalise_region(c, spec.level) or c
                     for c in meta.dimension(geo).codes}
                    - asked - known) if geo in meta.ids else []
                bar.plan(len(requests))
                rows, skipped, updated, notes = [], {}, "", []
                for req in requests:
                    ds = jsonstat.parse(client.get_json(req))
                    tidy = tidy_rows(ds, known, f"SSB {spec.id}", spec.level, spec.id)
                    rows += [r for r in tidy.rows
                             if _plausible(r, report) and _first(r, seen)]
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
            earlier = _earlier_tables(report.missing)
            # a JsonStatError comes from parsing an answer, in one of the loops over tables
            message = exc.message if isinstance(exc, FetchError) \
                else f"tabell {spec.id}: SSBs svar: {exc}."
            kept = f" Lagret: {', '.join(done)}." if done else ""
            old = (f" Tallene fra forrige henting beholdes for {', '.join(earlier)}."
                   if earlier else "")
            raise FetchError(f"{message}{kept} Mangler: {', '.join(report.missing)}.{old}") \
                from None
    report.calls = client.calls
    write_fetched(report)
    return report


def _check_required(spec: TableSpec, rows: list[dict[str, str]], meta: jsonstat.Dataset) -> None:
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


def _plausible(row: dict[str, str], report: FetchReport) -> bool:
    """False (and the value named in the report) for a figure that cannot be real
    (``data.BOUNDS``): SSB's answer is checked like a user's file, never trusted blind."""
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
        codes = klass_codes(client.get_json(_klass_request(number, year)))
        bar.step(f"Klass {number}")
        unknown = sorted(set(codes) - ours[level])
        absent = sorted(ours[level] - set(codes))
        report.register[f"Klass {number}"] = {"year": year, "codes": len(codes),
                                              "unknown": unknown, "absent": absent}
        aggregates = [a for a in AGGREGATES if a.startswith("EAFK") == (level == "fylker")]
        out[level] = sorted(set(codes) & ours[level]) + aggregates
    return out


COLUMNS_ORDER = ("unit", "year", "measure", "value", "status", "scope", "source", "release",
                 "synthetic")


# A measure two tables give is taken from the earlier one in TABLES.
_PRIORITY = {f"SSB {spec.id}": n for n, spec in enumerate(TABLES)}


def _key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["unit"], row["year"], row["measure"], row["scope"]


def _read_previous(folder: Path) -> tuple[list[dict[str, str]], dict]:
    """The rows and description the last fetch wrote, or nothing if there are none.

    Each is read on its own, within the limits, so a damaged ``fetched.json`` costs
    its description, never the figures; parts of the wrong type are dropped.
    """
    from kommunerapport.sources import limits

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
        limits.check_json(data, fail)
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
    kept = [r for r in previous if (r["source"], r["year"]) not in fetched]
    for row in [*kept, *new]:
        key = _key(row)
        old = out.get(key)
        if old is None or (_PRIORITY.get(row["source"], len(_PRIORITY))
                           <= _PRIORITY.get(old["source"], len(_PRIORITY))):
            out[key] = row
    return list(out.values())


def _earlier_tables(missing: list[str], folder: Path | None = None) -> list[str]:
    """Those of ``missing`` that the fetched file still has figures from."""
    rows, _ = _read_previous(folder or cache_dir())
    sources = {r["source"] for r in rows}
    return [t for t in missing if f"SSB {t}" in sources]


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
    previous, old_meta = _read_previous(folder)
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
    try:
        for name, text in (("fetched.csv", buf.getvalue()),
                           ("fetched.json", json.dumps(meta, ensure_ascii=False, indent=1))):
            tmp = folder / f".{name}.tmp"
            tmp.write_text(text, "utf-8")
            os.replace(tmp, folder / name)
    except OSError as exc:
        raise FetchError(unwritable(folder, exc)) from None
    report.path = folder / "fetched.csv"
    return report.path


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
