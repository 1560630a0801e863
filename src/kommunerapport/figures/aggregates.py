"""The figures a report states, as pure functions over the tidy table.

Aggregates are ratios of sums: Σ NDR (kr) / Σ BDI (kr), computed as the BDI-weighted
mean of the units' percentages; a plain mean is never passed off as an aggregate.
Missing values are counted and named, never read as zero.
"""

from __future__ import annotations

import bisect
from dataclasses import replace

import numpy as np
import pandas as pd

from kommunerapport.figures.lookup import AMOUNT_OF, index, provenance, ratio, total
from kommunerapport.figures.values import (
    METHOD_CHANGE,
    METHOD_GROWTH,
    METHOD_PUBLISHED,
    METHOD_UNIT,
    METHOD_WEIGHTED,
    NOTE_NO_FIGURES,
    NOTE_NO_WEIGHTS,
    Count,
    Figure,
    Row,
)
from kommunerapport.model.regions import FIRST_YEAR, Register


def shares(table: pd.DataFrame, measure: str, year: int, units: list[str]) -> pd.DataFrame:
    """Each unit's percentage and BDI, with the rows they came from.

    The percentage is SSB's own where given, else derived from the amount and BDI.
    Columns: pct, bdi, and the index is the unit; units with no figure are absent.
    """
    ix = index(table)
    given_units, given, derived_units, derived = ix.shares(measure, year, units)
    found = given_units + derived_units
    # The index pandas gave this frame when it was built by slicing and concatenating:
    # named «unit» when SSB gave percentages, empty and untyped when nothing was found.
    names: pd.Index[str] | pd.RangeIndex
    if given_units:
        names = pd.Index(found, name="unit")
    elif derived_units:
        names = pd.Index(found)
    else:
        names = pd.Index([], dtype=object) if AMOUNT_OF.get(measure) else pd.RangeIndex(0)
    bdi = ix.cell("bdi", year)
    return pd.DataFrame({"pct": given + derived,
                         "bdi": [bdi[u][0].value if u in bdi else np.nan for u in found]},
                        index=names, dtype="float64")


def unit_figure(table: pd.DataFrame, unit: str, year: int, measure: str) -> Figure:
    """One unit's own figure (SSB's percentage, or derived from amounts)."""
    ix = index(table)
    pct = ix.pct(measure, year, [unit])
    # SSB's own percentage stands on its own rows; a derived one on the amount and the BDI.
    recs = ix.cell(measure, year).get(unit) or ix.used(measure, year, [unit])
    value = float(pct[unit]) if pct else None
    prov = provenance(recs)  # of no rows: a Figure's defaults
    return Figure(value, measure, year, METHOD_UNIT, n=int(value is not None), total=1,
                  missing=() if value is not None else (unit,),
                  covers=(unit,) if value is not None else (), **prov)


def weighted(table: pd.DataFrame, units: list[str], year: int, measure: str = "ndr_pct") -> Figure:
    """The BDI-weighted aggregate of a percentage over ``units`` (ratio of sums)."""
    ix = index(table)
    pct = ix.pct(measure, year, units)
    bdi = ix.cell("bdi", year)
    usable = [(u, p, bdi[u][0].value) for u, p in pct.items() if p == p and u in bdi]
    usable_units = {u for u, _, _ in usable}
    recs = ix.used(measure, year, usable_units)
    missing = tuple(u for u in units if u not in usable_units)
    prov = provenance(recs)  # of no rows: a Figure's defaults
    if not usable:
        note = NOTE_NO_WEIGHTS if pct else NOTE_NO_FIGURES
        return Figure(None, measure, year, METHOD_WEIGHTED, n=0, total=len(units),
                      missing=missing, note=note, **prov)
    weights = [w for _, _, w in usable]
    value = ratio(total([p * w for _, p, w in usable]), total(weights))
    return Figure(value, measure, year, METHOD_WEIGHTED, n=len(usable), total=len(units),
                  missing=missing, covers=tuple(u for u in units if u in usable_units), **prov)


def published(table: pd.DataFrame, code: str, year: int, measure: str) -> Figure | None:
    """SSB's own aggregate (EAK, EAKUO, EAFKUO …), or None if SSB gave no value."""
    recs = index(table).cell(measure, year).get(code)
    if not recs:
        return None
    return Figure(float(recs[0].value), measure, year, METHOD_PUBLISHED, n=1, total=1,
                  covers=(code,), **provenance(recs))


def municipalities(register: Register, with_oslo: bool = True) -> list[str]:
    return [m.number for m in register.municipalities if with_oslo or m.number != "0301"]


def county_authorities(register: Register, year: int, with_oslo: bool = False) -> list[str]:
    """The register's county authorities that existed in ``year`` (complete from 2024)."""
    return [c.number for c in register.counties
            if c.valid_from <= year and (with_oslo or c.number != "03")]


def national(table: pd.DataFrame, register: Register, year: int, measure: str = "ndr_pct",
             with_oslo: bool = False) -> Figure:
    """The municipalities of the country: SSB's own aggregate if published, else the
    weighted sum of *every* municipality; never an average of those a file happens to
    hold (five municipalities are not the country): then no figure."""
    code = "EAK" if with_oslo else "EAKUO"
    found = published(table, code, year, measure)
    if found is not None:
        return found
    computed = weighted(table, municipalities(register, with_oslo), year, measure)
    if computed.known and computed.n == computed.total:
        return computed
    return Figure(None, measure, year, METHOD_PUBLISHED, total=1, missing=(code,),
                  note=NOTE_NO_FIGURES)


def county_authorities_total(table: pd.DataFrame, register: Register, year: int,
                             measure: str = "ndr_pct") -> Figure:
    """The county authorities without Oslo, weighted by BDI (as KS reports them).

    Before 2024 the register does not hold that year's counties (Viken, Vestfold og
    Telemark, Troms og Finnmark), so a weighted figure would silently leave them out:
    SSB's own aggregate (EAFKUO) is used instead, or no figure.
    """
    if year < FIRST_YEAR:
        return published(table, "EAFKUO", year, measure) or Figure(
            None, measure, year, METHOD_PUBLISHED, total=1, missing=("EAFKUO",),
            note=f"fylkesinndelingen før {FIRST_YEAR} er ikke i registeret")
    return weighted(table, county_authorities(register, year), year, measure)


def change(current: Figure, before: Figure) -> Figure:
    """Change in percentage points; unknown if either side is unknown."""
    now, then = current.value, before.value
    value = (now - then if now is not None and then is not None  # known: not None, not NaN
             and current.known and before.known else None)
    return replace(current, value=value, method=METHOD_CHANGE,
                   sources=tuple(sorted(set(current.sources) | set(before.sources))),
                   releases=tuple(sorted(set(current.releases) | set(before.releases))),
                   synthetic=current.synthetic or before.synthetic,
                   origins=tuple(sorted(set(current.origins) | set(before.origins))))


def count(table: pd.DataFrame, units: list[str], year: int, measure: str,
          below: float, inclusive: bool = False) -> Count:
    """How many of the reporting units have ``measure`` < ``below`` (≤ if inclusive)."""
    ix = index(table)
    pct = ix.pct(measure, year, units)
    hit = [u for u, v in pct.items() if (v <= below if inclusive else v < below)]
    recs = ix.used(measure, year, pct)
    missing = tuple(u for u in units if u not in pct)
    prov = provenance(recs)  # of no rows: none, and not synthetic
    return Count(len(hit), len(pct), len(units), missing, tuple(hit), year,
                 prov["synthetic"], prov["sources"], prov["releases"], prov["origins"])


def deficits(table: pd.DataFrame, units: list[str], year: int) -> Count:
    """Municipalities with netto driftsresultat below zero."""
    return count(table, units, year, "ndr_pct", 0.0)


def emptied_reserves(table: pd.DataFrame, units: list[str], year: int) -> Count:
    """Municipalities whose disposisjonsfond is zero or less («tømt»)."""
    return count(table, units, year, "dispfond_pct", 0.0, inclusive=True)


def ranking(table: pd.DataFrame, units: list[str], year: int,
            measure: str = "ndr_pct") -> dict[str, int]:
    """Rank 1 = best; units with no figure are not ranked. Ties share a rank."""
    pct = {u: v for u, v in index(table).pct(measure, year, units).items() if v == v}
    ordered = sorted(pct.values())
    # 1 + how many are strictly better: ties share the best rank («min»).
    return {u: 1 + len(ordered) - bisect.bisect_right(ordered, v) for u, v in pct.items()}


def robek_members(register: Register, units: list[str]) -> list[str]:
    return [u for u in units if register.is_robek(u)]


def unit_rows(table: pd.DataFrame, register: Register, units: list[str], year: int) -> list[Row]:
    """The per-municipality table, best NDR first, those with no figure last."""
    ranks = ranking(table, units, year)
    rows = [Row(u, register.municipality(u).short_name,
                unit_figure(table, u, year, "ndr_pct"),
                unit_figure(table, u, year - 1, "ndr_pct"),
                unit_figure(table, u, year, "dispfond_pct"),
                register.is_robek(u), ranks.get(u))
            for u in units]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.name))


def series(table: pd.DataFrame, units: list[str], years: list[int],
           measure: str = "ndr_pct") -> list[Figure]:
    """A weighted aggregate for each year (a county's trend)."""
    return [weighted(table, units, y, measure) for y in years]


def growth(table: pd.DataFrame, units: list[str], year: int, measure: str = "bdi") -> Figure:
    """Growth in % of an amount from the year before, summed over the same units.

    Only units with the amount in both years count, so a unit that reported one
    year and not the other cannot make the sum grow or shrink.
    """
    ix = index(table)
    now, before = ix.cell(measure, year), ix.cell(measure, year - 1)
    common = [u for u in units if u in now and u in before]
    missing = tuple(u for u in units if u not in common)
    total_before = total([before[u][0].value for u in common])
    if not common or not total_before > 0:
        return Figure(None, measure, year, METHOD_GROWTH, n=0, total=len(units),
                      missing=missing, note=NOTE_NO_FIGURES)
    value = (total([now[u][0].value for u in common]) / total_before - 1) * 100
    recs = [r for u in common for r in now[u] + before[u]]
    return Figure(float(value), measure, year, METHOD_GROWTH, n=len(common), total=len(units),
                  missing=missing, covers=tuple(common), **provenance(recs))
