"""The figures a report states, as pure functions over the tidy table.

Every function returns values with their provenance (sources, releases, scope,
whether any input was synthetic, how the value was made, n of N). Aggregates
are ratios of sums: Σ NDR (kr) / Σ BDI (kr), computed as the BDI-weighted mean
of the units' percentages; a plain mean is never passed off as an aggregate.
Missing values are counted and named, never read as zero.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field, replace

import pandas as pd

from kommunerapport.regions import FIRST_YEAR, Register

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


def _provenance(rows: pd.DataFrame) -> dict:
    return {
        "sources": tuple(sorted(rows["source"].unique())),
        "releases": tuple(sorted(rows["release"].unique())),
        "synthetic": bool(rows["synthetic"].any()),
        "scope": "/".join(sorted(rows["scope"].unique())) or "konsern",
        "origins": tuple(sorted(set(zip(rows["source"], rows["release"], rows["scope"],
                                        strict=True)))),
    }


# Tables are never changed after loading, so each one is split by (measure, year)
# once; a report asks for a hundred slices and a full scan each time costs more
# than the rest of its figures together. The entry goes when the table does.
_SLICES: dict[int, dict[tuple[str, int], pd.DataFrame]] = {}


def _slice(table: pd.DataFrame, measure: str, year: int) -> pd.DataFrame:
    key = id(table)
    if key not in _SLICES:
        known = table[table["value"].notna()]
        _SLICES[key] = {(m, int(y)): rows for (m, y), rows in known.groupby(["measure", "year"])}
        weakref.finalize(table, _SLICES.pop, key, None)
    return _SLICES[key].get((measure, year), table.iloc[:0])


def _rows(table: pd.DataFrame, measure: str, year: int, units: list[str]) -> pd.DataFrame:
    rows = _slice(table, measure, year)
    rows = rows[rows["unit"].isin(units)]
    return rows.drop_duplicates("unit").set_index("unit")


def shares(table: pd.DataFrame, measure: str, year: int, units: list[str]) -> pd.DataFrame:
    """Each unit's percentage and BDI, with the rows they came from.

    The percentage is SSB's own where given, else derived from the amount and BDI.
    Columns: pct, bdi, and the index is the unit; units with no figure are absent.
    """
    pct = _rows(table, measure, year, units)
    bdi = _rows(table, "bdi", year, units)
    out = pd.DataFrame({"pct": pct["value"]}) if len(pct) else pd.DataFrame({"pct": []})
    amount_measure = AMOUNT_OF.get(measure)
    if amount_measure:
        amount = _rows(table, amount_measure, year, units)
        derivable = amount.index.difference(out.index).intersection(bdi.index)
        derived = amount.loc[derivable, "value"] / bdi.loc[derivable, "value"] * 100
        out = pd.concat([out, pd.DataFrame({"pct": derived})])
    out["bdi"] = bdi["value"].reindex(out.index)
    return out


def _used_rows(table: pd.DataFrame, measure: str, year: int, units: list[str]) -> pd.DataFrame:
    measures = dict.fromkeys([measure, "bdi", AMOUNT_OF.get(measure, measure)])
    rows = pd.concat([_slice(table, m, year) for m in measures])
    return rows[rows["unit"].isin(units)]


def unit_figure(table: pd.DataFrame, unit: str, year: int, measure: str) -> Figure:
    """One unit's own figure (SSB's percentage, or derived from amounts)."""
    s = shares(table, measure, year, [unit])
    own = _rows(table, measure, year, [unit])
    # SSB's own percentage stands on its own rows; a derived one on the amount and the BDI.
    rows = own.reset_index() if len(own) else _used_rows(table, measure, year, [unit])
    value = float(s["pct"].iloc[0]) if len(s) else None
    prov = _provenance(rows) if len(rows) else {}
    return Figure(value, measure, year, METHOD_UNIT, n=int(value is not None), total=1,
                  missing=() if value is not None else (unit,), **prov)


def weighted(table: pd.DataFrame, units: list[str], year: int, measure: str = "ndr_pct") -> Figure:
    """The BDI-weighted aggregate of a percentage over ``units`` (ratio of sums)."""
    s = shares(table, measure, year, units)
    usable = s.dropna()
    rows = _used_rows(table, measure, year, list(usable.index))
    missing = tuple(u for u in units if u not in usable.index)
    prov = _provenance(rows) if len(rows) else {}
    if usable.empty:
        note = NOTE_NO_WEIGHTS if len(s) else NOTE_NO_FIGURES
        return Figure(None, measure, year, METHOD_WEIGHTED, n=0, total=len(units),
                      missing=missing, note=note, **prov)
    value = float((usable["pct"] * usable["bdi"]).sum() / usable["bdi"].sum())
    return Figure(value, measure, year, METHOD_WEIGHTED, n=len(usable), total=len(units),
                  missing=missing, **prov)


def published(table: pd.DataFrame, code: str, year: int, measure: str) -> Figure | None:
    """SSB's own aggregate (EAK, EAKUO, EAFKUO …), or None if SSB gave no value."""
    rows = _slice(table, measure, year)
    rows = rows[rows["unit"] == code]
    if rows.empty:
        return None
    return Figure(float(rows["value"].iloc[0]), measure, year, METHOD_PUBLISHED, n=1, total=1,
                  **_provenance(rows))


def municipalities(register: Register, with_oslo: bool = True) -> list[str]:
    return [m.number for m in register.municipalities if with_oslo or m.number != "0301"]


def county_authorities(register: Register, year: int, with_oslo: bool = False) -> list[str]:
    """The register's county authorities that existed in ``year`` (complete from 2024)."""
    return [c.number for c in register.counties
            if c.valid_from <= year and (with_oslo or c.number != "03")]


def national(table: pd.DataFrame, register: Register, year: int, measure: str = "ndr_pct",
             with_oslo: bool = False) -> Figure:
    """The municipalities of the country: SSB's aggregate if published, else weighted."""
    code = "EAK" if with_oslo else "EAKUO"
    return published(table, code, year, measure) or weighted(
        table, municipalities(register, with_oslo), year, measure)


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
    s = shares(table, measure, year, units)["pct"]
    hit = s[s <= below] if inclusive else s[s < below]
    rows = _used_rows(table, measure, year, list(s.index))
    missing = tuple(u for u in units if u not in s.index)
    prov = _provenance(rows) if len(rows) else {"synthetic": False}
    return Count(len(hit), len(s), len(units), missing, tuple(hit.index), year,
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
    s = shares(table, measure, year, units)["pct"]
    ranks = s.rank(ascending=False, method="min")
    return {u: int(r) for u, r in ranks.items()}


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
    now = _rows(table, measure, year, units)
    before = _rows(table, measure, year - 1, units)
    common = [u for u in units if u in now.index and u in before.index]
    missing = tuple(u for u in units if u not in common)
    if not common or before.loc[common, "value"].sum() <= 0:
        return Figure(None, measure, year, METHOD_GROWTH, n=0, total=len(units),
                      missing=missing, note=NOTE_NO_FIGURES)
    value = (now.loc[common, "value"].sum() / before.loc[common, "value"].sum() - 1) * 100
    rows = pd.concat([now.loc[common], before.loc[common]])
    return Figure(float(value), measure, year, METHOD_GROWTH, n=len(common), total=len(units),
                  missing=missing, **_provenance(rows))
