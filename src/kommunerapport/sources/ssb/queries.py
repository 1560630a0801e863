"""What to ask SSB's tables for: a table's metadata, then its data in batches of regions.

Contents codes are never hard-coded: they are found in each table's metadata by their
Norwegian labels (``catalogue.measure_for``). Data queries are POSTed in batches of
``BATCH`` regions (one GET naming all ~840 regions is an HTML 404), each within
``CELL_CAP`` cells.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from typing import TypedDict

from kommunerapport.errors import FetchError, shown
from kommunerapport.model.measures import measure_for, scope_for
from kommunerapport.model.schema import (
    FIRST_DATA_YEAR,
    LAST_DATA_YEAR,
    MEASURES,
)
from kommunerapport.sources import jsonstat
from kommunerapport.sources.rows import normalise_region
from kommunerapport.sources.ssb.catalogue import TableSpec
from kommunerapport.sources.ssb.client import Request, base_url, klass_url

DEFAULT_YEARS = 6  # years fetched when none are asked for
FIRST_DEFAULT_YEAR = 2020  # the 2020 reform: earlier region codes do not compare
BATCH = 150  # regions per data call


CELL_CAP = 100_000  # well below SSB's cap on cells per call


class Selection(TypedDict):
    """One dimension of a PxWebApi v2 data query: its id and the codes asked for."""

    variableCode: str
    valueCodes: list[str]


def metadata_request(spec: TableSpec) -> Request:
    url = f"{base_url()}/tables/{spec.id}/metadata?lang=no&outputFormat=json-stat2"
    return Request(url, table=f"tabell {spec.id}", asked="metadata")


def klass_request(number: str, year: int) -> Request:
    query = urllib.parse.urlencode({"date": f"{year}-01-01", "language": "nb"})
    url = f"{klass_url()}/classifications/{number}/codesAt?{query}"
    return Request(url, table=f"Klass {number}")


def other_codes(dim: jsonstat.Dimension, table: str = "?") -> list[str] | None:
    """Codes of a dimension other than region and time; None leaves it out (SSB sums)."""
    matched = [(c, measure) for c in dim.codes if (measure := measure_for(dim.label_of(c)))]
    if matched:
        first: dict[tuple[str, str | None], str] = {}
        for c, measure in matched:
            key = (measure, scope_for(dim.label_of(c)))
            if key in first:
                raise FetchError(
                    f"tabell {table}: kodene {first[key]} («{dim.label_of(first[key])}») og {c} "
                    f"(«{dim.label_of(c)}») gir begge {MEASURES[measure][0].lower()}; "
                    "vet ikke hvilken som gjelder.")
            first[key] = c
        return [c for c, _ in matched]
    if dim.elimination:
        return None
    if len(dim.codes) == 1:
        return list(dim.codes)
    konsern = [c for c in dim.codes if scope_for(dim.label_of(c)) == "konsern"]
    return konsern[:1] or list(dim.codes)


def _short(codes: list[str]) -> str:
    return ",".join(codes) if len(codes) <= 4 else f"{','.join(codes[:3])},… ({len(codes)} koder)"


def data_requests(spec: TableSpec, meta: jsonstat.Cube, regions: list[str],
                  years: list[int]) -> list[Request]:
    """The POST queries for one table: regions in batches within the cell cap."""
    geo = meta.role_of("geo") or next(d for d in meta.ids if "region" in d.casefold())
    tid = meta.role_of("time") or "Tid"
    available = {normalise_region(c, spec.level) or c: c for c in meta.dimension(geo).codes}
    wanted = [available[r] for r in regions if r in available]
    times = [c for c, y in time_codes(meta, spec.id).items() if y in years]
    fixed: list[Selection] = []
    cells = max(len(times), 1)
    for dim in meta.dimensions:
        if dim.id in (geo, tid):
            continue
        codes = other_codes(dim, spec.id)
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
        selection: list[Selection] = [{"variableCode": geo, "valueCodes": batch},
                     {"variableCode": tid, "valueCodes": times}, *fixed]
        asked = f"{geo}={_short(batch)}; " + "; ".join(
            f"{f['variableCode']}={_short(f['valueCodes'])}" for f in fixed)
        out.append(Request(url, "POST", {"selection": selection},
                           f"tabell {spec.id}", asked))
    return out


def time_codes(meta: jsonstat.Cube, table: str) -> dict[str, int]:
    """The time dimension's codes → their year («2024» → 2024); a code that does not start
    with a year («år2024») is one line naming it, never a guess."""
    tid = meta.role_of("time") or "Tid"
    if tid not in meta.ids:
        raise FetchError(f"tabell {table}: metadataene har ingen tidsdimensjon («{tid}»).")
    out = {}
    for code in meta.dimension(tid).codes:
        if not (len(code) >= 4 and code[:4].isascii() and code[:4].isdigit()):
            raise FetchError(f"tabell {table}: tidskoden «{shown(code)}» begynner ikke med et "
                             "årstall; SSB kan ha endret tabellen.")
        out[code] = int(code[:4])
    return out


def years_to_fetch(meta: jsonstat.Cube, asked: Iterable[int]) -> list[int]:
    have = sorted(set(time_codes(meta, meta.table_id or "?").values()))
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
