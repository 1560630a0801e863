"""The sector report: the municipalities with and without Oslo, the county
authorities, the spread, and the 15 counties compared."""

from __future__ import annotations

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import ROBEK_DATE, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.pictures import charts, maps
from kommunerapport.render.context import Chart, DataTable, KeyFigure, Section
from kommunerapport.reports import about, common, graphics
from kommunerapport.reports.common import OSLO_COUNTY, Parts, Report, official
from kommunerapport.writing import text
from kommunerapport.writing.facts import FactBook
from kommunerapport.writing.formatting import number
from kommunerapport.writing.lang import label, phrase


def sector_report(dataset: Dataset, register: Register, year: int, lang: str,
                  config: Config) -> Report:
    t = dataset.table
    parts = Parts(lang, FactBook(lang))
    book = parts.book
    units = common.municipal_units(register)
    without_oslo = [u for u in units if u != common.OSLO]
    names = {u: common.unit_name(register, u) for u in units}
    parts.names.update(names.values())
    parts.names.update(official(c.name) for c in register.counties)
    parts.names.update(c.short_name for c in register.counties)
    national_label = label(lang, "national")
    area = label(lang, "area_sector")
    groups = {name: area for name in names.values()}
    fk_group = label(lang, "kind_fylkeskommuner")
    for c in register.counties:
        groups[phrase(lang, "subject_county", county=c.short_name)] = area
        groups[phrase(lang, "subject_county", county=official(c.name))] = area
        groups[phrase(lang, "subject_county_authority", name=c.short_name)] = fk_group
        groups[phrase(lang, "subject_member", name=c.short_name)] = area
        groups[official(c.name)] = area  # a county's municipalities, as the chart names them

    now = fig.national(t, register, year)
    before = fig.national(t, register, year - 1)
    with_oslo = fig.national(t, register, year, with_oslo=True)
    subject = text.Subject(national_label, national_label, label(lang, "subject_sector"))
    fk, fk_before = (fig.county_authorities_total(t, register, year),
                     fig.county_authorities_total(t, register, year - 1))
    fk_label = label(lang, "group_county_authorities")

    lede = text.lede(lang, book, subject, now, before)
    if with_oslo.known:
        lede.append(phrase(lang, "lede_with_oslo",
                           value=book.pct(with_oslo, label(lang, "national_with_oslo"))))
    if fk.known:
        lede.append(text.result_with_before(lang, book, "county_authorities_total", fk_label,
                                            fk, fk_before))

    norm_k, norm_f = norms.norm("kommuner", year), norms.norm("fylkeskommuner", year)
    norm_par = text.norm_sentences(lang, book, subject, now, norm_k)
    if fk.known:
        diff, decimals = book.difference(fk, norm_f)
        if diff == 0:
            norm_par.append(phrase(lang, "norm_short_same", subject=fk_label,
                                   norm=book.norm(norm_f, year)))
        else:
            norm_par.append(phrase(
                lang, "norm_short_above" if diff > 0 else "norm_short_below", subject=fk_label,
                diff=book.points(diff, decimals, fk_label, "versus_norm", str(year), (fk,)),
                norm=book.norm(norm_f, year)))

    deficits, deficits_before = common.counts_same_units(t, units, year, fig.deficits)
    emptied, emptied_before = common.counts_same_units(t, units, year, fig.emptied_reserves)
    robek_n = len(register.robek)
    book.count(robek_n, label(lang, "robek_register"), "robek", ROBEK_DATE)
    spread = [
        " ".join(text.deficit_sentences(lang, book, deficits, deficits_before, area)),
        " ".join(text.emptied_sentences(lang, book, emptied, emptied_before, area)),
        " ".join([phrase(lang, "robek_count", count=text.amount(robek_n, lang,
                                                                  robek_n <= text.WORDS_UP_TO),
                         date=ROBEK_DATE),
                  text.coverage_sentence(lang, book, deficits,
                                         [names[u] for u in deficits.missing])]),
    ]
    spread_c = graphics.spread_chart(lang, book, fig.shares(t, "ndr_pct", year, units)["pct"],
                                   deficits, area, year)
    sections = [
        Section(label(lang, "h_norm"), (" ".join(norm_par),)),
        Section(label(lang, "h_spread"), tuple(p for p in spread if p),
                charts=(spread_c,) if spread_c else ()),
    ]
    growth = _growth(lang, book, t, without_oslo, national_label, year)
    if growth:
        sections.append(Section(label(lang, "h_growth"), tuple(growth)))
    sections.append(_counties_section(lang, book, t, register, now, norm_k, year))
    sections.append(Section(label(lang, "h_map"), charts=(_map(lang, book, t, register, year),)))

    change = "–"
    change_note = ""
    if now.known and before.known:
        diff, decimals = book.difference(now, before)
        change = book.points(diff, decimals, national_label, "change", f"{year - 1}–{year}",
                             (now, before), signed=True)
        change_note = label(lang, "from", value=book.pct_key(before, national_label))
    count = common.count_key(lang, book, deficits, area)
    key_figures = (
        KeyFigure(label(lang, "key_municipalities"), book.pct_key(now, national_label),
                  f"{change} {change_note}".strip() if change != "–" else str(year)),
        KeyFigure(label(lang, "key_with_oslo"),
                  book.pct_key(with_oslo, label(lang, "national_with_oslo")), str(year)),
        KeyFigure(label(lang, "key_county_authorities"), book.pct_key(fk, fk_label),
                  label(lang, "key_norm", kind=label(lang, "kind_fylkeskommuner")) + " "
                  + book.norm_key(norm_f, year)),
        KeyFigure(label(lang, "key_deficit"), count, str(year)),
    )
    title = text.headline(lang, subject, now, before, norm_k)
    note = about.sample_note(lang, t, register, units, common.trend_years(dataset, year),
                              area, label(lang, "area_sector_others"))
    partial = bool(deficits.missing)
    return about.frame(
        parts, config, kind=ReportKind.SECTOR, number="", year=year, title=title,
        subject=label(lang, "pdf_subject", year=year, subject=label(lang, "sector_name")),
        lede=lede, key_figures=key_figures, sections=tuple(sections), groups=groups,
        note=note, partial=partial, main=(now, before),
        notes=about.history_notes(lang, dataset.meta, register, units,
                                  common.trend_years(dataset, year)))


def _growth(lang: str, book: FactBook, t: pd.DataFrame, units: list[str], subject: str,
            year: int) -> list[str]:
    """Income against costs for the municipalities without Oslo, only when every one of
    them has the figures (five municipalities are not the country)."""
    out = []
    income = fig.growth(t, units, year, "bdi")
    costs = fig.growth(t, units, year, "bdu") if "bdu" in set(t["measure"]) else None
    if income.known and income.n == income.total:
        complete_costs = costs if costs is not None and costs.n == costs.total else None
        out.append(text.growth_sentence(lang, book, subject, income, complete_costs))
    invest = fig.published(t, "EAKUO", year, "invest_pct")
    if invest is not None:
        before = fig.published(t, "EAKUO", year - 1, "invest_pct")
        out.append(text.result_with_before(lang, book, "investment", text.capital(subject),
                                           invest, before))
    return [s for s in out if s]


def _counties_section(lang: str, book: FactBook, t: pd.DataFrame, register: Register,
                      national: fig.Figure, norm: norms.Norm, year: int) -> Section:
    """Each county's municipalities (weighted) and its county authority, as a chart and a
    table; Oslo's county authority is Oslo kommune, so it has no figure of its own here."""
    rows: list[tuple[str, ...]] = []
    bars: list[float | None] = []
    figures: dict[str, tuple[str, fig.Figure]] = {}  # county → (its name, its figure)
    for c in register.counties:  # before 2024: today's municipalities counted back
        units = common.municipal_units(register, c.number)
        area = (phrase(lang, "subject_county", county=c.short_name) if len(units) > 1
                else phrase(lang, "subject_member", name=c.short_name))
        now = fig.weighted(t, units, year)
        before = common.before_same_units(t, units, now)
        deficits = fig.deficits(t, units, year)
        figures[c.number] = (official(c.name), now)
        if now.known and before is not None:
            diff, decimals = book.difference(now, before)
            change = book.points(diff, decimals, area, "change", f"{year - 1}–{year}",
                                 (now, before), signed=True).split("\u00a0")[0]
        else:
            change = "–"
        fk_name = phrase(lang, "subject_county_authority", name=c.short_name)
        fk = ("–" if c.number == OSLO_COUNTY
              else book.pct_cell(fig.unit_figure(t, c.number, year, "ndr_pct"), fk_name))
        count = common.count_key(lang, book, deficits, area)
        rows.append((official(c.name), book.pct_cell(now, area), change, fk, count))
        bars.append(now.value if now.known else None)
    table = DataTable(
        label(lang, "table_caption_counties"),
        (label(lang, "col_county"), label(lang, "col_ndr", year=year), label(lang, "col_change"),
         label(lang, "col_county_authority", year=year), label(lang, "col_deficit")),
        tuple(rows), (False, True, True, True, True), bars=graphics.bars(bars), bar_column=1,
        note=label(lang, "note_oslo_county"))
    paragraphs = []
    known = [(name, f) for name, f in figures.values() if f.known]
    if len(known) >= 2:
        paragraphs.append(text.extremes(lang, book, [
            (phrase(lang, "subject_county", county=name), f) for name, f in known]))
    chart = _counties_chart(lang, book, known, national, norm, year)
    return Section(label(lang, "h_counties"), tuple(p for p in paragraphs if p),
                   charts=(chart,) if chart else (), table=table)


def _map(lang: str, book: FactBook, t: pd.DataFrame, register: Register, year: int) -> Chart:
    """All municipalities on the map, with the county authorities (not Oslo) in an inset."""
    drawn = maps.country_map(
        graphics.areas(t, register, common.municipal_units(register), year),
        graphics.areas(t, register, common.county_authority_units(register, year), year),
        graphics.map_labels(lang, year))
    units = common.municipal_units(register) + common.county_authority_units(register, year)
    return graphics.map_chart(lang, book, drawn, year,
                              phrase(lang, "map_title_country", year=year),
                              label(lang, "area_country"), classes_table=True,
                              source=graphics.area_sources(lang, t, units, year))


def _counties_chart(lang: str, book: FactBook, known: list[tuple[str, fig.Figure]],
                    national: fig.Figure, norm: norms.Norm, year: int) -> Chart | None:
    if not known:
        return None
    # (name, figure, value), the best first; every figure in ``known`` has a value
    ranked = sorted(((name, f, f.value) for name, f in known if f.value is not None),
                    key=lambda r: -r[2])
    names = [name.split(" – ")[0] for name, _, _ in ranked]
    values = [value for _, _, value in ranked]
    alt = phrase(lang, "chart_counties_alt", year=year,
                 total=text.amount(len(ranked), lang, len(ranked) <= text.WORDS_UP_TO),
                 best=names[0], best_value=book.pct(ranked[0][1], ranked[0][0]),
                 worst=names[-1], worst_value=book.pct(ranked[-1][1], ranked[-1][0]),
                 national=book.pct(national, label(lang, "national")) if national.known
                 else "–")
    book.count(len(ranked), label(lang, "area_counties"), "counties", year,
               unit="unit_counties")
    norm_text = number(norm.value, norm.decimals) + "\u00a0%"
    book.norm(norm, year)
    return Chart(
        charts.unit_bars(names, values, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_counties_title", year=year),
        (label(lang, "col_county"), label(lang, "col_ndr", year=year)), (),
        data_note=label(lang, "data_in_table", table=label(lang, "h_counties")),
        unit=label(lang, "chart_unit_percent"),
        source=graphics.sources_text(lang, [f for _, f, _ in ranked] + [national]))
