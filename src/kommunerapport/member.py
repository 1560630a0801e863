"""A member's own report: one municipality or one county authority.

Its netto driftsresultat and disposisjonsfond, against its county (weighted),
the country and TBU's norm; its rank; ROBEK status; in its own written form.
The figures every member report shares (the country, each county's aggregate
and ranking) are computed once by ``shared_figures`` and may be passed in, so a
batch of 372 reports does that work once instead of 372 times.

KOSTRA groups (EKG01–EKG17) are left out: the data has the groups' aggregates
but no mapping from a municipality to its group.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport import outputs, text
from kommunerapport.config import Config
from kommunerapport.context import KeyFigure, ReportContext, Section
from kommunerapport.data import Dataset
from kommunerapport.formatting import percent, signed
from kommunerapport.lang import LABELS, phrase
from kommunerapport.regions import ROBEK_DATE, Register
from kommunerapport.report import (
    Provenance,
    base_context,
    border_notes,
    change_note,
    pct_or_missing,
    report_date,
    trend_chart,
    trend_years,
)

TREND_YEARS = 6


@dataclass(frozen=True)
class Group:
    """A comparison group's figures: a county's municipalities, or the county authorities."""

    now: fig.Figure
    reserve: fig.Figure
    series: tuple[fig.Figure, ...]
    ranks: dict[str, int]
    size: int  # units in the group


@dataclass(frozen=True)
class Shared:
    """What every member report of one year uses: the country and each group."""

    year: int
    years: tuple[int, ...]
    national: fig.Figure
    national_reserve: fig.Figure
    national_series: tuple[fig.Figure, ...]
    groups: dict[str, Group]  # county number → its municipalities; "fk" → county authorities
    tables: dict[str, pd.DataFrame]  # each unit's own rows: a member's figures without a scan


def _group(by_year: dict[int, pd.DataFrame], units: list[str], year: int,
           years: list[int]) -> Group:
    now = by_year[year]
    return Group(fig.weighted(now, units, year), fig.weighted(now, units, year, "dispfond_pct"),
                 tuple(fig.weighted(by_year[y], units, y) for y in years),
                 fig.ranking(now, units, year), len(units))


def shared_figures(dataset: Dataset, register: Register, year: int) -> Shared:
    """The figures shared by all member reports of ``year``, computed once.

    Each figure is computed on the rows of its own year (or unit): the same values
    as on the whole table, without scanning all of it hundreds of times.
    """
    t = dataset.table
    by_year = {int(y): rows for y, rows in t.groupby("year")}
    years = trend_years(dataset, year, TREND_YEARS)
    groups = {c.number: _group(by_year, [m.number for m in register.in_county(c.number)], year,
                               years) for c in register.counties}
    fk_units = fig.county_authorities(register, year)
    fk_ranked = fig.county_authorities(register, year, with_oslo=True)
    fk = Group(fig.county_authorities_total(by_year[year], register, year),
               fig.weighted(by_year[year], fk_units, year, "dispfond_pct"),
               tuple(fig.county_authorities_total(by_year[y], register, y) for y in years),
               fig.ranking(by_year[year], fk_ranked, year), len(fk_ranked))
    return Shared(year, tuple(years), fig.national(by_year[year], register, year),
                  fig.national(by_year[year], register, year, "dispfond_pct"),
                  tuple(fig.national(by_year[y], register, y) for y in years),
                  {**groups, "fk": fk}, {str(u): rows for u, rows in t.groupby("unit")})


def member_target(register: Register, number: str, year: int, out_dir: Path) -> Path:
    """Where a member's report goes (``outputs.member_name``)."""
    unit = register.county(number) if len(number) == 2 else register.municipality(number)
    return out_dir / outputs.member_name(year, number, unit.short_name)


def member_context(dataset: Dataset, register: Register, number: str, year: int,
                   lang: str | None, config: Config, templates_dir: Path | None = None,
                   shared: Shared | None = None) -> ReportContext:
    """The report for a municipality (4-digit number) or a county authority (2 digits).

    ``lang`` None: the member's own written form (nynorsk for nynorsk members).
    """
    if shared is None or shared.year != year:
        shared = shared_figures(dataset, register, year)
    authority = len(number) == 2
    if authority:
        unit = register.county(number)
        county, group_key = unit, "fk"
    else:
        unit = register.municipality(number)
        county, group_key = register.county(unit.county), unit.county
    lang = lang or unit.lang
    labels = LABELS[lang]
    name = unit.short_name
    subject = phrase(lang, "subject_county_authority" if authority else "subject_member",
                     name=name)
    norm = fig.norm("fylkeskommuner" if authority else "kommuner", year)
    group = shared.groups[group_key]
    t = shared.tables.get(number, dataset.table.iloc[:0])
    now, before = fig.unit_figure(t, number, year, "ndr_pct"), fig.unit_figure(
        t, number, year - 1, "ndr_pct")
    reserve = fig.unit_figure(t, number, year, "dispfond_pct")
    mine = [fig.unit_figure(t, number, y, "ndr_pct") for y in shared.years]
    prov = Provenance()
    prov.add(now, before, reserve, *mine, group.now, group.reserve, *group.series)
    if not authority:  # a county authority's report states no municipal figures
        prov.add(shared.national, shared.national_reserve, *shared.national_series)

    norm_par = text.norm_sentences(lang, subject, now, norm) + [_robek(lang, register, number,
                                                                      text.capital(subject))]
    versus = _versus(lang, subject, now, group, county.short_name, authority, shared)
    rank = _rank_sentence(lang, name, number, group, county.short_name, authority)
    reserve_par = _reserve(lang, subject, reserve, group, county.short_name, authority, shared)

    group_label = (labels["key_county_authorities"] if authority
                   else phrase(lang, "series_county", county=county.short_name))
    # Oslo is its county's only municipality: no county line to compare with.
    if authority:  # against the other county authorities, not the municipalities
        chart = trend_chart(lang, text.capital(subject), mine, list(group.series), norm,
                            subject, national_label=group_label)
    else:
        others = {group_label: list(group.series)} if group.size > 1 else None
        chart = trend_chart(lang, text.capital(subject), mine, list(shared.national_series),
                            norm, subject, others)
    heading = labels["h_versus_county_authority" if authority
                     else "h_versus_member" if group.size > 1 else "h_versus_national"]
    sections = (
        Section(labels["h_norm"], (" ".join(norm_par),)),
        Section(heading.format(name=text.capital(subject)),
                tuple(p for p in (" ".join(versus), rank) if p), chart=chart),
        Section(labels["h_reserve"], (" ".join(reserve_par),) if reserve_par else ()),
    )
    title = text.headline(lang, subject, now, before, norm)
    return base_context(lang, config, prov, title, f"Kommuneøkonomien {year}: {subject}",
                        "member", report_date(config), templates_dir,
                        lede=tuple(text.lede(lang, subject, now, before, member=True)),
                        key_figures=_key_figures(lang, now, before, reserve, group, number,
                                                 norm, authority, county.short_name),
                        sections=sections, charts=(chart,) if chart else (),
                        notes=border_notes(lang, year))


def _robek(lang: str, register: Register, number: str, name: str) -> str:
    entry = register.robek_entry(number)
    if entry is None:
        return phrase(lang, "robek_member_not", name=name, date=ROBEK_DATE)
    return phrase(lang, "robek_member", name=name, grounds=entry.grounds, date=ROBEK_DATE)


def _versus(lang: str, subject: str, now: fig.Figure, group: Group, county: str,
            authority: bool, shared: Shared) -> list[str]:
    out = []
    if authority or group.size > 1:  # Oslo is its county's only municipality
        other = (phrase(lang, "group_county_authorities") if authority
                 else phrase(lang, "subject_county", county=county))
        out.append(text.compare_sentence(lang, "versus_group", subject, now, group.now,
                                         group=other) or "")
    if shared.national.known and not authority:
        out.append(phrase(lang, "national", value=text.pct(shared.national.value, lang),
                          year=shared.year))
        out.append(text.compare_sentence(lang, "versus", subject, now, shared.national) or "")
    return [s for s in out if s]


def _rank_sentence(lang: str, name: str, number: str, group: Group, county: str,
                   authority: bool) -> str:
    rank = group.ranks.get(number)
    if rank is None or len(group.ranks) < 2:
        return ""
    suffix = "_county_authority" if authority else ""
    key = ("rank_first" if rank == 1 else "rank") + suffix
    return phrase(lang, key, name=name, rank=rank, total=len(group.ranks), county=county)


def _reserve(lang: str, subject: str, reserve: fig.Figure, group: Group, county: str,
             authority: bool, shared: Shared) -> list[str]:
    out = []
    if reserve.known:
        out.append(phrase(lang, "reserve", subject=subject, value=text.pct(reserve.value, lang),
                          year=reserve.year))
        if reserve.value <= 0:
            out.append(phrase(lang, "reserve_emptied", subject=subject))
    if group.reserve.known and (authority or group.size > 1):
        value = text.pct(group.reserve.value, lang)
        out.append(phrase(lang, "reserve_county_authorities", value=value) if authority
                   else phrase(lang, "reserve_county", county=county, value=value))
    if not authority and shared.national_reserve.known:
        out.append(phrase(lang, "reserve_national",
                          value=text.pct(shared.national_reserve.value, lang)))
    return out


def _key_figures(lang: str, now: fig.Figure, before: fig.Figure,
                 reserve: fig.Figure, group: Group, number: str, norm: fig.Norm,
                 authority: bool, county: str) -> tuple[KeyFigure, ...]:
    labels = LABELS[lang]
    year = now.year
    change = fig.change(now, before)
    rank = group.ranks.get(number)
    return (
        KeyFigure(labels["key_ndr"].format(year=year), pct_or_missing(now, lang),
                  labels["key_norm"].format(kind=phrase(lang, f"kind_{norm.kind}"))
                  + " " + percent(norm.value, norm.decimals)),
        KeyFigure(labels["key_change"].format(year=year - 1),
                  signed(change.value) + " " + labels["points"] if change.known else "–",
                  change_note(before, lang)),
        KeyFigure(labels["key_dispfond"], pct_or_missing(reserve, lang), str(year)),
        KeyFigure(labels["key_rank_county_authorities" if authority else "key_rank"],
                  f"{rank} {labels['of']} {len(group.ranks)}"
                  if rank and len(group.ranks) > 1 else "–",
                  "" if authority else county),
    )
