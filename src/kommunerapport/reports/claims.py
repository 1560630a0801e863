"""The figures KS's own words are held to (``writing.claims``), from the report's data.

``setting`` says what a report's unnamed words are about; ``resolver`` gives, for any
unit a sentence can name, its figures as shown: netto driftsresultat and
disposisjonsfond for the report's year and the year before, TBU's norm, and for a set of
units how many went with a deficit, a surplus, in balance, reached the norm or emptied
their fund (counted on the figures as shown, over the units that reported). A change
compares the same units both years, as the report's own sentences do.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import cache

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.kinds import ReportKind, is_county_number
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.reports import common
from kommunerapport.writing.claims import (
    AUTHORITIES,
    NATIONAL,
    Figures,
    Ref,
    Setting,
    Tally,
)
from kommunerapport.writing.facts import FactBook


def setting(register: Register, kind: ReportKind, number: str, year: int) -> Setting:
    """What «kommunene», «kommunen» and an unnamed clause mean in a report of ``kind``."""
    if kind is ReportKind.SECTOR:
        return Setting("sector", NATIONAL, NATIONAL, year, register)
    if kind is ReportKind.COUNTY:
        own = Ref("county", number)
        return Setting("county", own, own, year, register,
                       authority=Ref("county_authority", number))
    if is_county_number(number):
        member = Ref("county_authority", number)
        return Setting("member", member, AUTHORITIES, year, register, member=member,
                       authority=member)
    county = register.municipality(number).county
    member = Ref("municipality", number)
    return Setting("member", member, Ref("county", county), year, register, member=member,
                   authority=Ref("county_authority", county))


def _shown(f: fig.Figure | None) -> Decimal | None:
    return FactBook.shown(f) if f is not None and f.known else None


def _years(values: dict[int, Decimal | None]) -> dict[int, Decimal]:
    return {y: v for y, v in values.items() if v is not None}


CONDITIONS: dict[str, tuple[str, Callable[[Decimal, Decimal], bool]]] = {
    "deficit": ("ndr_pct", lambda v, _n: v < 0),
    "surplus": ("ndr_pct", lambda v, _n: v > 0),
    "balance": ("ndr_pct", lambda v, _n: v == 0),
    "norm": ("ndr_pct", lambda v, n: v >= n),
    "emptied": ("dispfond_pct", lambda v, _n: v <= 0),
}


def _meets(meets: Callable[[Decimal, Decimal], bool], norm: Decimal
           ) -> Callable[[Decimal], bool]:
    return lambda v: meets(v, norm)


def _tallies(t: pd.DataFrame, units: list[str], years: tuple[int, ...],
             norm: Decimal) -> dict[tuple[str, int], Tally]:
    out = {}
    for condition, (measure, meets) in CONDITIONS.items():
        for y in years:
            c = common.shown_count(t, units, y, measure, _meets(meets, norm))
            out[(condition, y)] = Tally(c.count, c.reported, c.total)
    return out


def resolver(dataset: Dataset, register: Register, year: int
             ) -> Callable[[Ref], Figures | None]:
    """The figures of each unit a sentence can name, made on first use."""
    t = dataset.table
    years = (year - 1, year)
    norm_k = Decimal(repr(norms.norm("kommuner", year).value))
    norm_f = Decimal(repr(norms.norm("fylkeskommuner", year).value))

    def single(number: str, name: str, norm: Decimal) -> Figures:
        return Figures(
            name, _years({y: _shown(fig.unit_figure(t, number, y, "ndr_pct")) for y in years}),
            norm, _years({y: _shown(fig.unit_figure(t, number, y, "dispfond_pct"))
                          for y in years}))

    def group(units: list[str], name: str, norm: Decimal, now: fig.Figure,
              reserve: fig.Figure) -> Figures:
        before = common.before_same_units(t, units, now) if now.known else None
        partial = ""
        if now.known and now.n < now.total:
            name = f"de {now.n} av {now.total} {name} som har tall"
            partial = f"bare {now.n} av {now.total} har tall"
        reserve_before = (common.before_same_units(t, units, reserve, "dispfond_pct")
                          if reserve.known else None)
        return Figures(name, _years({year: _shown(now), year - 1: _shown(before)}), norm,
                       _years({year: _shown(reserve), year - 1: _shown(reserve_before)}),
                       _tallies(t, units, years, norm), partial=partial)

    @cache
    def resolve(ref: Ref) -> Figures | None:
        if ref.kind == "municipality":
            m = register.municipality(ref.number)
            return single(ref.number, f"{m.short_name} kommune", norm_k)
        if ref.kind == "county_authority":
            if ref.number == common.OSLO_COUNTY:
                return None  # Oslo's accounts are Oslo kommune's
            c = register.county(ref.number)
            if c.valid_from > year:
                return None
            return single(ref.number, f"{c.short_name} fylkeskommune", norm_f)
        if ref.kind == "county":
            c = register.county(ref.number)
            if c.valid_from > year:
                return None
            units = common.municipal_units(register, ref.number)
            return group(units, f"kommunene i {c.short_name}", norm_k,
                         fig.weighted(t, units, year), fig.weighted(t, units, year,
                                                                    "dispfond_pct"))
        if ref.kind == "national":
            units = common.municipal_units(register)
            now = fig.national(t, register, year)
            before = fig.national(t, register, year - 1)
            reserve = fig.national(t, register, year, "dispfond_pct")
            reserve_before = fig.national(t, register, year - 1, "dispfond_pct")
            return Figures("kommunene uten Oslo",
                           _years({year: _shown(now), year - 1: _shown(before)}), norm_k,
                           _years({year: _shown(reserve), year - 1: _shown(reserve_before)}),
                           _tallies(t, units, years, norm_k))
        if ref.kind == "national_with_oslo":
            now = fig.national(t, register, year, with_oslo=True)
            before = fig.national(t, register, year - 1, with_oslo=True)
            return Figures("kommunene inkludert Oslo",
                           _years({year: _shown(now), year - 1: _shown(before)}), norm_k)
        if ref.kind == "county_authorities":
            units = common.county_authority_units(register, year)
            now = fig.county_authorities_total(t, register, year)
            before = fig.county_authorities_total(t, register, year - 1)
            return Figures("fylkeskommunene uten Oslo",
                           _years({year: _shown(now), year - 1: _shown(before)}), norm_f,
                           _years({year: _shown(fig.weighted(t, units, year,
                                                               "dispfond_pct"))}),
                           _tallies(t, units, years, norm_f))
        if ref.kind == "sector":
            parts = (resolve(NATIONAL), resolve(AUTHORITIES))
            if any(p is None for p in parts):
                return None
            return Figures("kommunesektoren", {}, norm_k,
                           parts=tuple(p for p in parts if p is not None))
        return None

    return resolve
