"""The figures a report states, as pure functions over the tidy table.

Every function returns values with their provenance (sources, releases, scope,
whether any input was synthetic, how the value was made, n of N). Aggregates
are ratios of sums: Σ NDR (kr) / Σ BDI (kr), computed as the BDI-weighted mean
of the units' percentages; a plain mean is never passed off as an aggregate.
Missing values are counted and named, never read as zero.
"""

from __future__ import annotations

import bisect
import math
import weakref
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import NamedTuple

import numpy as np
import pandas as pd

from kommunerapport.model.regions import FIRST_YEAR, Register

# TBU's norms for netto driftsresultat in % of brutto driftsinntekter.
NORM_MUNICIPALITIES = 1.75
NORM_COUNTY_AUTHORITIES = 4.0
NORM_SECTOR = 2.0
NORM_SECTOR_BEFORE_2014 = 3.0

METHOD_PUBLISHED = "publisert"
METHOD_WEIGHTED = "vektet"
METHOD_UNIT = "enhet"
METHOD_CHANGE = "endring"
METHOD_GROWTH = "vekst"

# Why a weighted aggregate has no value.
NOTE_NO_WEIGHTS = "kan ikke vektes uten brutto driftsinntekter"
NOTE_NO_FIGURES = "ingen tall"

# measure in % → the amount (1000 kr) it is a share of BDI of
AMOUNT_OF = {"ndr_pct": "ndr", "dispfond_pct": "dispfond", "invest_pct": "invest"}


@dataclass(frozen=True)
class Figure:
    """One number with where it came from."""

    value: float | None
    measure: str
    year: int
    method: str  # publisert | vektet | enhet | endring
    scope: str = "konsern"
    sources: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    synthetic: bool = False
    n: int = 0  # units that reported
    total: int = 0  # units asked for
    missing: tuple[str, ...] = ()  # units with no figure (numbers)
    note: str = ""
    # (source, release, scope) of the rows behind the value: which release each source
    # contributed, for «Om tallene».
    origins: tuple[tuple[str, str, str], ...] = ()

    @property
    def known(self) -> bool:
        return self.value is not None and not math.isnan(self.value)


@dataclass(frozen=True)
class Count:
    """«n av N som har rapportert»: how many of the reporting units meet a condition."""

    count: int
    reported: int
    total: int
    missing: tuple[str, ...]
    units: tuple[str, ...]  # the units that meet it
    year: int
    synthetic: bool
    sources: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    origins: tuple[tuple[str, str, str], ...] = ()

    @property
    def share(self) -> float | None:
        return self.count / self.reported * 100 if self.reported else None


@dataclass(frozen=True)
class Norm:
    value: float
    kind: str  # kommuner | fylkeskommuner | sektoren

    @property
    def decimals(self) -> int:
        """As TBU writes them: «1,75», «4»."""
        return 2 if self.value % 1 else 0


@dataclass(frozen=True)
class Row:
    """A unit's line in a table: this year, last year, reserve, ROBEK."""

    unit: str
    name: str
    ndr: Figure
    ndr_before: Figure
    dispfond: Figure
    robek: bool
    rank: int | None = None
    extra: dict = field(default_factory=dict)


class _Rec(NamedTuple):
    """One known row of the table, as the figures need it."""

    value: float
    source: str
    release: str
    synthetic: bool
    scope: str


class Index:
    """The table's known values by (measure, year) → unit → its rows, in table order.

    Built once per table: a report asks for a few hundred (measure, year, units)
    slices, and dictionary lookups cost microseconds where pandas slices cost
    milliseconds. A unit's first row gives its value (as ``drop_duplicates``
    did); all of its rows give the provenance.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.cells: dict[tuple[str, int], dict[str, list[_Rec]]] = {}
        columns = (table[c].tolist() for c in
                   ("measure", "year", "unit", "value", "source", "release", "synthetic",
                    "scope"))
        for measure, year, unit, value, *rest in zip(*columns, strict=True):
            if value != value:  # NaN: a missing value is not a figure
                continue
            cell = self.cells.setdefault((measure, int(year)), {})
            cell.setdefault(unit, []).append(_Rec(value, *rest))

    def cell(self, measure: str, year: int) -> dict[str, list[_Rec]]:
        return self.cells.get((measure, year), _EMPTY)

    def used(self, measure: str, year: int, units: Iterable[str]) -> list[_Rec]:
        """Every row a figure on ``measure`` over ``units`` was made from (with BDI, amounts)."""
        wanted = set(units)
        out: list[_Rec] = []
        for m in dict.fromkeys([measure, "bdi", AMOUNT_OF.get(measure, measure)]):
            for unit, recs in self.cell(m, year).items():
                if unit in wanted:
                    out += recs
        return out

    def shares(self, measure: str, year: int,
               units: Iterable[str]) -> tuple[list[str], list[float], list[str], list[float]]:
        """Units with SSB's percentage (table order) and their values; then the units whose
        percentage is derived from the amount and BDI, and their values."""
        wanted = set(units)
        given = [(u, recs[0].value) for u, recs in self.cell(measure, year).items()
                 if u in wanted]
        amount_measure = AMOUNT_OF.get(measure)
        derived: list[tuple[str, float]] = []
        if amount_measure:
            have = {u for u, _ in given}
            bdi = self.cell("bdi", year)
            derived = [(u, _share(recs[0].value, bdi[u][0].value))
                       for u, recs in self.cell(amount_measure, year).items()
                       if u in wanted and u not in have and u in bdi]
            if given:  # pandas' Index.difference sorted them, except against an empty index
                derived.sort()
        return ([u for u, _ in given], [v for _, v in given],
                [u for u, _ in derived], [v for _, v in derived])

    def pct(self, measure: str, year: int, units: Iterable[str]) -> dict[str, float]:
        """Each unit's percentage (SSB's or derived), in ``shares``' order."""
        given_units, given, derived_units, derived = self.shares(measure, year, units)
        return dict(zip(given_units + derived_units, given + derived, strict=True))


_EMPTY: dict[str, list[_Rec]] = {}


def _ratio(a: float, b: float) -> float:
    """a / b with numpy's rules for b = 0 (±inf, nan), as pandas divided."""
    if b == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(a) / np.float64(b))
    return a / b


def _share(amount: float, bdi: float) -> float:
    """amount / BDI in percent."""
    return _ratio(amount, bdi) * 100


# A few indexes, the latest used kept: a batch worker that meets each member's own small
# table once does not keep them all (memory stays flat). Each entry holds a weak reference
# to its table, so a new table that happens to get a dead one's id is never confused with it.
_INDEXES: OrderedDict[int, tuple[weakref.ref, Index]] = OrderedDict()
_KEEP = 8


def index(table: pd.DataFrame) -> Index:
    """The index of ``table``, built on first use and reused while the table lives.

    Tables are never changed after loading; a changed table must be a new object.
    """
    key = id(table)
    entry = _INDEXES.get(key)
    if entry is not None and entry[0]() is table:
        _INDEXES.move_to_end(key)
        return entry[1]
    built = Index(table)
    _INDEXES[key] = (weakref.ref(table), built)
    _INDEXES.move_to_end(key)
    while len(_INDEXES) > _KEEP:
        _INDEXES.popitem(last=False)
    return built


def _provenance(recs: list[_Rec]) -> dict:
    return {
        "sources": tuple(sorted({r.source for r in recs})),
        "releases": tuple(sorted({r.release for r in recs})),
        "synthetic": any(r.synthetic for r in recs),
        "scope": "/".join(sorted({r.scope for r in recs})) or "konsern",
        "origins": tuple(sorted({(r.source, r.release, r.scope) for r in recs})),
    }


def _sum(values: list[float]) -> float:
    """pandas' sum: NaN as 0, in numpy's pairwise order: the same figures to the bit."""
    array = np.array(values, dtype=np.float64)
    return float(np.sum(np.where(np.isnan(array), 0.0, array)))


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
    prov = _provenance(recs) if recs else {}
    return Figure(value, measure, year, METHOD_UNIT, n=int(value is not None), total=1,
                  missing=() if value is not None else (unit,), **prov)


def weighted(table: pd.DataFrame, units: list[str], year: int, measure: str = "ndr_pct") -> Figure:
    """The BDI-weighted aggregate of a percentage over ``units`` (ratio of sums)."""
    ix = index(table)
    pct = ix.pct(measure, year, units)
    bdi = ix.cell("bdi", year)
    usable = [(u, p, bdi[u][0].value) for u, p in pct.items() if p == p and u in bdi]
    usable_units = {u for u, _, _ in usable}
    recs = ix.used(measure, year, usable_units)
    missing = tuple(u for u in units if u not in usable_units)
    prov = _provenance(recs) if recs else {}
    if not usable:
        note = NOTE_NO_WEIGHTS if pct else NOTE_NO_FIGURES
        return Figure(None, measure, year, METHOD_WEIGHTED, n=0, total=len(units),
                      missing=missing, note=note, **prov)
    weights = [w for _, _, w in usable]
    value = _ratio(_sum([p * w for _, p, w in usable]), _sum(weights))
    return Figure(value, measure, year, METHOD_WEIGHTED, n=len(usable), total=len(units),
                  missing=missing, **prov)


def published(table: pd.DataFrame, code: str, year: int, measure: str) -> Figure | None:
    """SSB's own aggregate (EAK, EAKUO, EAFKUO …), or None if SSB gave no value."""
    recs = index(table).cell(measure, year).get(code)
    if not recs:
        return None
    return Figure(float(recs[0].value), measure, year, METHOD_PUBLISHED, n=1, total=1,
                  **_provenance(recs))


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
    value = current.value - before.value if current.known and before.known else None
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
    prov = _provenance(recs) if recs else {"synthetic": False}
    return Count(len(hit), len(pct), len(units), missing, tuple(hit), year,
                 prov["synthetic"], prov.get("sources", ()), prov.get("releases", ()),
                 prov.get("origins", ()))


def deficits(table: pd.DataFrame, units: list[str], year: int) -> Count:
    """Municipalities with netto driftsresultat below zero."""
    return count(table, units, year, "ndr_pct", 0.0)


def emptied_reserves(table: pd.DataFrame, units: list[str], year: int) -> Count:
    """Municipalities whose disposisjonsfond is zero or less («tømt»)."""
    return count(table, units, year, "dispfond_pct", 0.0, inclusive=True)


def norm(kind: str, year: int) -> Norm:
    """TBU's norm for kommuner, fylkeskommuner or sektoren in ``year``."""
    if kind == "kommuner":
        return Norm(NORM_MUNICIPALITIES, kind)
    if kind == "fylkeskommuner":
        return Norm(NORM_COUNTY_AUTHORITIES, kind)
    return Norm(NORM_SECTOR if year >= 2014 else NORM_SECTOR_BEFORE_2014, kind)


def against_norm(figure: Figure, n: Norm) -> float | None:
    """Percentage points above (positive) or below the norm."""
    return figure.value - n.value if figure.known else None


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
    total_before = _sum([before[u][0].value for u in common])
    if not common or not total_before > 0:
        return Figure(None, measure, year, METHOD_GROWTH, n=0, total=len(units),
                      missing=missing, note=NOTE_NO_FIGURES)
    value = (_sum([now[u][0].value for u in common]) / total_before - 1) * 100
    recs = [r for u in common for r in now[u] + before[u]]
    return Figure(float(value), measure, year, METHOD_GROWTH, n=len(common), total=len(units),
                  missing=missing, **_provenance(recs))
