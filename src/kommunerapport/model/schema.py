"""The tidy data model: one long table where every value carries its provenance.

Columns (all required):

- ``unit``: kommunenummer («0301»), fylkesnummer for a county authority («39»),
  or an SSB aggregate code (EAK, EAKUO, EAFK, EAFKUO, EKG01–EKG17);
- ``year``, ``measure`` (a key of ``MEASURES``), ``value`` (empty when missing);
- ``status``: SSB's symbol for a missing value («..», «:», «.»; ``model.symbols``), else
  empty (SSB's «-» is a value of 0, not a missing one);
- ``scope``: «konsern» or «kasse»;
- ``source`` («SSB 12134»), ``release`` («foreløpige tall 16.03.2026»);
- ``synthetic``: «true» for invented sample values, «false» for real ones.

Files are validated on load; every problem is one line naming file, line and
column. Nothing is dropped silently. Besides the form, the figures must be
plausible (``BOUNDS``, ``FIRST_DATA_YEAR``–``LAST_DATA_YEAR``): a brutto
driftsinntekter of 0 or less, a netto driftsresultat of 250 % or the year 2099
is an error, never a figure (docs/limits.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from kommunerapport.errors import DataError, UsageError, shown
from kommunerapport.model.history import historic_units
from kommunerapport.model.regions import REGISTER_VALID, load_register
from kommunerapport.model.symbols import MISSING

COLUMNS = ["unit", "year", "measure", "value", "status", "scope", "source", "release", "synthetic"]
SCOPES = ("konsern", "kasse")

# measure code → (Norwegian label, unit of the value)
MEASURES: dict[str, tuple[str, str]] = {
    "bdi": ("Brutto driftsinntekter", "1000 kr"),
    "bdu": ("Brutto driftsutgifter", "1000 kr"),  # SSB 13551, for growth against bdi
    "ndr": ("Netto driftsresultat", "1000 kr"),
    "ndr_pct": ("Netto driftsresultat i prosent av brutto driftsinntekter", "%"),
    "dispfond": ("Disposisjonsfond", "1000 kr"),
    "dispfond_pct": ("Disposisjonsfond i prosent av brutto driftsinntekter", "%"),
    "frie_inntekter_innb": ("Frie inntekter per innbygger", "kr"),
    "invest": ("Brutto investeringsutgifter", "1000 kr"),
    "invest_pct": ("Brutto investeringsutgifter i prosent av brutto driftsinntekter", "%"),
    "merforbruk_pct": ("Årets merforbruk i prosent av brutto driftsinntekter", "%"),
    "arbeidskapital_pct": ("Arbeidskapital i prosent av brutto driftsinntekter", "%"),
    "renteeksponering_pct": ("Netto renteeksponering i prosent av brutto driftsinntekter", "%"),
    "gjeld_pct": ("Langsiktig gjeld i prosent av brutto driftsinntekter", "%"),
    "egenfinansiering_pct": ("Egenfinansiering av investeringene i prosent", "%"),
    "folkemengde": ("Folkemengde 1. januar", "personer"),  # SSB 07459, from `fetch`
}

# The years a figure may be for: KOSTRA covers every municipality from 2001, and the
# register (Klass 131, valid 1 January of its year) knows the regions until then.
FIRST_DATA_YEAR = 2001
LAST_DATA_YEAR = REGISTER_VALID.year

# Plausible values per measure: (lowest, highest, whether the lowest itself is allowed).
# BDI is the weight of every aggregate: it must be above 0, so no sum of weights is 0
# and no sign is flipped. Amounts in 1000 kr: the whole sector's BDI is about 700 mrd.
# kr, so 10 000 mrd. kr (1e10) is past any real unit. NDR in % of BDI within ±100 %
# (a deficit larger than the income is not an account); other shares of BDI within
# ±1000 % (debt and funds of a few hundred per cent are real).
AMOUNT = 1e10
BOUNDS: dict[str, tuple[float, float, bool]] = {
    "bdi": (0, AMOUNT, False),
    "bdu": (0, AMOUNT, True),
    "ndr": (-AMOUNT, AMOUNT, True),
    "dispfond": (-AMOUNT, AMOUNT, True),
    "invest": (-AMOUNT, AMOUNT, True),
    "ndr_pct": (-100, 100, True),
    "merforbruk_pct": (-100, 100, True),
    "dispfond_pct": (-100, 1000, True),
    "invest_pct": (-100, 1000, True),
    "arbeidskapital_pct": (-1000, 1000, True),
    "renteeksponering_pct": (-1000, 1000, True),
    "gjeld_pct": (-1000, 1000, True),
    "egenfinansiering_pct": (-1000, 1000, True),
    "frie_inntekter_innb": (0, 1_000_000, False),
    "folkemengde": (0, 10_000_000, True),
}


def shown_decimals(measure: str) -> int:
    """The decimals the reports show a measure with: one for shares, none for amounts,
    kroner per innbygger and persons."""
    return 1 if MEASURES[measure][1] == "%" else 0


def implausible(measure: str, value: float | None) -> str | None:
    """Why ``value`` cannot be a figure for ``measure`` («må være over 0»), or None."""
    if value is None or measure not in BOUNDS or value != value:  # NaN: a missing value
        return None
    low, high, low_ok = BOUNDS[measure]
    if (value > low or (low_ok and value == low)) and value <= high:
        return None
    unit = MEASURES[measure][1]
    if value <= low and low == 0:
        return f"må være {'0 eller mer' if low_ok else 'over 0'} ({unit})"
    if not low_ok:
        return f"tillatt er over {_plain(low)} og høyst {_plain(high)} ({unit})"
    return f"tillatt er {_plain(low)} til {_plain(high)} ({unit})"


def _plain(value: float) -> str:
    """A number in a message: «−1 000», «2,5», «1e+27» for the absurd."""
    if abs(value) >= 1e15:
        return shown(f"{value:g}".replace("-", "\u2212"))
    text = f"{value:,.6f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")
    return text.replace("-", "\u2212")


def year_problem(year: int) -> str | None:
    if FIRST_DATA_YEAR <= year <= LAST_DATA_YEAR:
        return None
    return f"{year} er utenfor årene registeret kjenner ({FIRST_DATA_YEAR}–{LAST_DATA_YEAR})"


# SSB's aggregate region codes used in KOSTRA tables.
AGGREGATES: dict[str, str] = {
    "EAK": "Landet (kommunene inkludert Oslo)",
    "EAKUO": "Landet uten Oslo",
    "EAFK": "Fylkeskommunene i alt",
    "EAFKUO": "Fylkeskommunene i alt uten Oslo",
    **{f"EKG{n:02d}": f"KOSTRA-gruppe {n}" for n in range(1, 18)},
}


@dataclass(frozen=True)
class KostraGroup:
    """A municipality's KOSTRA group (peers of similar size and income) in one year."""

    code: str  # «EKG12», the region code SSB's KOSTRA tables use for the group
    label: str  # Klass's name, «KOSTRA-gruppe 12»
    year: int  # the correspondence valid on 1 January of this year
    source: str  # «SSB Klass 131 → 112 (KOSTRA-grupperinger)»
    fetched: str  # when it was fetched (ISO 8601)


# A JSON object as a file holds it: ``Dataset.meta`` is read from dataset.json or
# fetched.json, or written by a reader, and its values are whatever the document says.
JsonObject = dict[str, Any]


@dataclass
class Dataset:
    """The tidy table and what is known about it as a whole.

    ``kostra_groups``: (municipality, year) → its KOSTRA group, as ``fetch`` got them
    from Klass; empty when none were fetched (then no report names a group).
    """

    table: pd.DataFrame
    meta: JsonObject = field(default_factory=dict)
    path: str = "innebygde data"
    kostra_groups: Mapping[tuple[str, int], KostraGroup] = field(default_factory=dict)

    def kostra_group(self, number: str, year: int) -> KostraGroup | None:
        return self.kostra_groups.get((number, year))

    @property
    def years(self) -> list[int]:
        return sorted(int(y) for y in self.table["year"].unique())

    @property
    def has_synthetic(self) -> bool:
        return bool(self.table["synthetic"].any())


def known_units() -> set[str]:
    """The codes a row may have: today's municipalities and counties, SSB's aggregates,
    and the old codes the change table leads to today's (``model.history``; a table is
    chained to today's codes as it is loaded, ``sources.history``)."""
    return today_units() | historic_units()


def today_units() -> set[str]:
    """Today's municipalities and counties and SSB's aggregates: the codes of a chained table."""
    register = load_register()
    return ({m.number for m in register.municipalities}
            | {c.number for c in register.counties} | set(AGGREGATES))


# What the year column may hold: four digits, 1900–2199 (``_check_plausible`` narrows it).
_YEARS = frozenset(str(y) for y in range(1900, 2200))


def validate(raw: pd.DataFrame, path: str) -> pd.DataFrame:
    """Check a raw string table against the model and return it typed.

    ``raw`` holds strings as read from the file; line numbers in messages count
    the header as line 1.
    """
    if raw.empty:
        raise DataError.at(path, "fila har ingen datarader.")
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        names = ", ".join(f"«{c}»" for c in missing)
        raise DataError.at(path, f"mangler kolonnen {names}.")
    raw = raw[COLUMNS].reset_index(drop=True)
    bad_year = ~raw["year"].isin(_YEARS)
    numbers = pd.to_numeric(raw["value"].where(raw["value"] != ""), errors="coerce")
    bad_value = (raw["value"] != "") & ~np.isfinite(numbers)
    too_large = (bad_value & raw["value"].str.fullmatch(
        r"\s*[-+]?\d+(\.\d*)?(e[-+]?\d+)?\s*", case=False)) if bad_value.any() else bad_value
    no_value = (raw["value"] == "") & ~raw["status"].isin(MISSING)
    checks = [
        ("unit", ~raw["unit"].isin(known_units()), "ukjent enhetskode «{}»."),
        ("year", bad_year, "«{}» er ikke et årstall."),
        ("measure", ~raw["measure"].isin(MEASURES), "ukjent mål «{}»."),
        ("value", too_large, "«{}» er for stort til å være et tall."),
        ("value", bad_value, "«{}» er ikke et tall."),
        ("value", no_value, "verdien mangler uten statussymbol (.., : eller .){}."),
        ("scope", ~raw["scope"].isin(SCOPES), "«{}» er verken konsern eller kasse."),
        ("synthetic", ~raw["synthetic"].isin(["true", "false"]),
         "«{}» skal være true eller false."),
    ]
    failures = [(_first_row(mask), n, column, message) for n, (column, mask, message)
                in enumerate(checks) if mask.any()]
    if failures:
        row, _, column, message = min(failures)
        value = "" if column == "value" and raw.at[row, column] == "" else raw.at[row, column]
        raise DataError.at(path, message.format(shown(value)), line=row + 2, column=column)
    table = raw.copy()
    table["year"] = table["year"].astype(int)
    table["value"] = numbers.astype(float)
    table["synthetic"] = table["synthetic"] == "true"
    _check_plausible(table, path)
    _check_duplicates(table, path)
    return table


def _first_row(mask: pd.Series[bool]) -> int:
    """The row of the first True in ``mask``; the tables here are numbered 0, 1, …
    (``validate`` resets the index), so a row's label is its number."""
    row = mask.idxmax()
    assert isinstance(row, int)  # a RangeIndex's labels
    return row


def _check_plausible(table: pd.DataFrame, path: str) -> None:
    """The first row whose year or value cannot be a real figure, as one line."""
    bad_year = (table["year"] < FIRST_DATA_YEAR) | (table["year"] > LAST_DATA_YEAR)
    bad = bad_year.copy()
    value, measure = table["value"], table["measure"]
    low, high = (measure.map({m: b[i] for m, b in BOUNDS.items()}) for i in (0, 1))
    low_ok = measure.map({m: b[2] for m, b in BOUNDS.items()}).fillna(False).astype(bool)
    inside = ((value > low) | (low_ok & (value == low))) & (value <= high)
    bad |= low.notna() & value.notna() & ~inside
    if not bad.any():
        return
    row = _first_row(bad)
    r = table.iloc[row]
    if bad_year[row]:
        raise DataError.at(path, f"{year_problem(int(r.year))}.", line=row + 2, column="year")
    raise DataError.at(path, f"{MEASURES[r.measure][0].lower()} for {r.unit} i {r.year} er "
                f"{_plain(r.value)}; {implausible(r.measure, r.value)}.", line=row + 2)


def _check_duplicates(table: pd.DataFrame, path: str) -> None:
    key = ["unit", "year", "measure", "scope"]
    dup = table.duplicated(key)  # the second and later copies
    if dup.any():
        second = _first_row(dup)
        r = table.iloc[second]
        first = _first_row((table[key] == r[key]).all(axis=1))
        raise DataError.at(path, f"dobbel rad for {r.unit} {r.year} {r.measure} {r.scope} "
                    f"(samme som linje {first + 2}).", line=second + 2)


def resolve_year(dataset: Dataset, year: int | None, measure: str = "ndr_pct") -> int:
    """The year asked for, or the latest with municipal figures; refuse years not in the data.

    The default follows the municipalities' own figures, so a file of 2024 accounts
    completed with the built-in national figures reports on 2024, not 2025.
    """
    table = dataset.table
    municipal = table["unit"].str.fullmatch(r"\d{4}") & table["value"].notna()
    own = sorted(int(y) for y in table.loc[municipal, "year"].unique())
    years = sorted(set(own) | {int(y) for y in table.loc[table["measure"] == measure, "year"]})
    if not years:
        raise DataError(f"{dataset.path}: ingen tall for netto driftsresultat.")
    if year is None:
        return (own or years)[-1]
    if year not in years:
        raise UsageError(f"Ingen tall for {year} i {dataset.path}. Årene i dataene er "
                         f"{', '.join(map(str, years))}.")
    return year
