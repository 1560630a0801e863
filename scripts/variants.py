"""Constructed variants of the built-in sample, for ``check_reports.py`` and the tests.

NOT SSB FIGURES. Each variant is the built-in dataset (itself sample data, see
``scripts/make_dataset.py``) with some municipal figures changed or taken out, to put
the reports through the cases an editor found wrong; every changed row says
«Konstruerte testdata» as its source and stays marked as sample data:

- ``delvis`` (partial): in Vestfold one of six has figures for the year, in Trøndelag 28 of
  38, in Vestland 6 of 43, in Telemark none;
- ``likt`` (ties): shared best and worst figures in Innlandet, every municipality of Nordland
  on 2,0, two counties' municipalities on the same figure;
- ``null`` (zero): figures of 0,0, −0,04 and +0,04 in Rogaland, a fund of 0,0 and 0,04; every
  municipality of Finnmark in deficit, the best at −0,1;
- ``grenser`` (rounding boundaries): 1,745 (shown 1,7: under the norm), 1,75, −0,05
  (shown −0,1), 0,05, 2,25, 3,95 and 4,0 in Agder, its county authority at 3,95;
- ``skiftende`` (shifting units): in Møre og Romsdal a different municipality without
  figures each year, and in Buskerud three without figures for the year before.

``write(name, folder)`` writes a variant as the tool's tidy CSV, for ``--data``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from kommunerapport.model.regions import load_register
from kommunerapport.sources.loading import load_builtin

SOURCE = "Konstruerte testdata"
YEAR = 2025
PER_UNIT_YEAR = ("ndr_pct", "ndr", "bdi", "bdu", "dispfond_pct", "dispfond", "invest_pct",
                 "invest", "merforbruk_pct", "arbeidskapital_pct", "renteeksponering_pct",
                 "gjeld_pct", "frie_inntekter_innb", "egenfinansiering_pct")


def _units(county: str) -> list[str]:
    return [m.number for m in load_register().in_county(county)]


def _drop(t: pd.DataFrame, units: list[str], years: list[int]) -> pd.DataFrame:
    """The units without any figure for ``years`` (they have not reported)."""
    return t[~(t["unit"].isin(units) & t["year"].isin(years))]


def _set(t: pd.DataFrame, unit: str, measure: str, value: float,
         year: int = YEAR) -> pd.DataFrame:
    rows = (t["unit"] == unit) & (t["year"] == year) & (t["measure"] == measure)
    if not rows.any():
        raise ValueError(f"no {measure} {year} for {unit} in the built-in data")
    t = t.copy()
    t.loc[rows, "value"] = value
    t.loc[rows, "source"] = SOURCE
    t.loc[rows, "synthetic"] = True
    if measure == "ndr_pct":  # the percentage is the figure; its amount would disagree
        t = t[~((t["unit"] == unit) & (t["year"] == year) & (t["measure"] == "ndr"))]
    return t


def partial(t: pd.DataFrame) -> pd.DataFrame:
    vestfold, trondelag, vestland = _units("39"), _units("50"), _units("46")
    t = _drop(t, vestfold[1:], [YEAR])
    t = _drop(t, trondelag[28:], [YEAR])
    t = _drop(t, vestland[6:], [YEAR])
    return _drop(t, _units("40"), [YEAR])


def ties(t: pd.DataFrame) -> pd.DataFrame:
    innlandet = _units("34")
    for unit, value in zip(innlandet[:4], (6.04, 5.96, -3.02, -2.98), strict=True):
        t = _set(t, unit, "ndr_pct", value)
    for unit in _units("18"):
        t = _set(t, unit, "ndr_pct", 2.0)
    for unit in _units("31") + _units("33"):  # Østfold and Buskerud: the same aggregate
        t = _set(t, unit, "ndr_pct", 1.5)
    return t


def zero(t: pd.DataFrame) -> pd.DataFrame:
    rogaland = _units("11")
    for unit, value in zip(rogaland[:5], (0.0, -0.04, 0.04, 0.0, -0.04), strict=True):
        t = _set(t, unit, "ndr_pct", value)
    t = _set(t, rogaland[5], "dispfond_pct", 0.0)
    t = _set(t, rogaland[6], "dispfond_pct", 0.04)
    for i, unit in enumerate(_units("56")):
        t = _set(t, unit, "ndr_pct", -0.1 - 0.3 * i)
    return t


def boundaries(t: pd.DataFrame) -> pd.DataFrame:
    agder = _units("42")
    for unit, value in zip(agder[:8], (1.745, 1.75, -0.05, 0.05, 2.25, 3.95, 4.0, -2.05),
                           strict=True):
        t = _set(t, unit, "ndr_pct", value)
    return _set(t, "42", "ndr_pct", 3.95)


def shifting(t: pd.DataFrame) -> pd.DataFrame:
    more = _units("15")
    for i, year in enumerate(range(2020, YEAR + 1)):
        t = _drop(t, [more[i]], [year])
    return _drop(t, _units("33")[:3], [YEAR - 1])


# The counties whose members each variant changes (``check_reports.py`` writes theirs).
TOUCHED = {"delvis": {"39", "50", "46", "40"}, "likt": {"34", "18", "31", "33"},
           "null": {"11", "56"}, "grenser": {"42"}, "skiftende": {"15", "33"}}

VARIANTS: dict[str, Callable[[pd.DataFrame], pd.DataFrame]] = {
    "delvis": partial, "likt": ties, "null": zero, "grenser": boundaries,
    "skiftende": shifting,
}


def table(name: str) -> pd.DataFrame:
    """The variant's tidy table."""
    return VARIANTS[name](load_builtin().table)


def write(name: str, folder: Path) -> Path:
    """The variant as the tool's tidy CSV in ``folder``; its path."""
    t = table(name).copy()
    t["synthetic"] = t["synthetic"].map({True: "true", False: "false"})
    path = folder / f"konstruert-{name}.csv"
    t.to_csv(path, index=False)
    return path
