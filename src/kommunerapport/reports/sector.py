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
from kommunerapport.reports import claims as user_claims
from kommunerapport.reports.common import OSLO_COUNTY, Parts, Report, official
from kommunerapport.writing import text
from kommunerapport.writing.facts import FactBook, Who, plain
from kommunerapport.writing.formatting import NBSP, number
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

    deficits, deficits_before = common.counts_same_units(t, units, year, common.deficits)
    emptied, emptied_before = common.counts_same_units(t, units, year, common.emptied_reserves)
    robek_n = len(register.robek)
    spread = [
        " ".join(text.deficit_sentences(lang, book, deficits, deficits_before, area)),
        " ".join(text.emptied_sentences(lang, book, emptied, emptied_before, area)),
        " ".join([phrase(lang, "robek_count", count=book.amount(
                     robek_n, label(lang, "robek_register"), "robek", ROBEK_DATE,
                     small=robek_n <= text.WORDS_UP_TO), date=ROBEK_DATE),
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
    growth, invest = _growth(lang, book, t, without_oslo, national_label, year)
    if growth or invest:
        heading = "h_growth" if growth and invest else "h_growth_income" if growth \
            else "h_investment"
        sections.append(Section(label(lang, heading), tuple(growth + invest)))
    counties, named = _counties_section(lang, book, t, register, now, norm_k, year)
    sections.append(counties)
    groups |= {name: area for name in named}  # «de fem av 43 kommunene i …» in «Om tallene»
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
    fields = {
        "år": str(year), "året_før": str(year - 1),
        "netto_driftsresultat": book.pct(now, national_label) if now.known else None,
        "netto_driftsresultat_året_før": book.pct(before, national_label) if before.known
        else None,
        "fylkeskommunene": book.pct(fk, fk_label) if fk.known else None,
    } if config.words("sector").headline or config.words("sector").lede or \
        config.words("sector").quotes else {}
    return about.frame(
        parts, config, kind=ReportKind.SECTOR, number="", year=year, title=title,
        subject=label(lang, "pdf_subject", year=year, subject=label(lang, "sector_name")),
        lede=lede, key_figures=key_figures, sections=tuple(sections), groups=groups,
        note=note, partial=partial,
        notes=about.history_notes(lang, dataset.meta, register, units,
                                  common.trend_years(dataset, year)),
        fields=fields,
        setting=user_claims.setting(register, ReportKind.SECTOR, "", year),
        resolve=user_claims.resolver(dataset, register, year))


def _growth(lang: str, book: FactBook, t: pd.DataFrame, units: list[str], subject: str,
            year: int) -> tuple[list[str], list[str]]:
    """Income against costs for the municipalities without Oslo, only when every one of
    them has the figures (five municipalities are not the country); and investment. The
    section's heading names what it holds."""
    growth, invest_text = [], []
    income = fig.growth(t, units, year, "bdi")
    costs = fig.growth(t, units, year, "bdu") if "bdu" in set(t["measure"]) else None
    if income.known and income.n == income.total:
        complete_costs = costs if costs is not None and costs.n == costs.total else None
        growth.append(text.growth_sentence(lang, book, subject, income, complete_costs))
    invest = fig.published(t, "EAKUO", year, "invest_pct")
    if invest is not None:
        before = fig.published(t, "EAKUO", year - 1, "invest_pct")
        invest_text.append(text.result_with_before(lang, book, "investment",
                                                   text.capital(subject), invest, before))
    return [s for s in growth if s], [s for s in invest_text if s]


def _counties_section(lang: str, book: FactBook, t: pd.DataFrame, register: Register,
                      national: fig.Figure, norm: norms.Norm, year: int
                      ) -> tuple[Section, list[str]]:
    """Each county's municipalities (weighted) and its county authority, as a chart and a
    table; Oslo's county authority is Oslo kommune, so it has no figure of its own here.
    A county where not all have reported says how many its figure is of («Vestland (6 av
    43)»), in the table, the chart and the text."""
    rows: list[tuple[str, ...]] = []
    bars: list[float | None] = []
    shown: list[tuple[str, str, str | Who, fig.Figure]] = []  # (chart name, prose, who, fig)
    for c in register.counties:  # before 2024: today's municipalities counted back
        units = common.municipal_units(register, c.number)
        area = (phrase(lang, "subject_county", county=c.short_name) if len(units) > 1
                else phrase(lang, "subject_member", name=c.short_name))
        now = fig.weighted(t, units, year)
        before = common.before_same_units(t, units, now)
        deficits = common.deficits(t, units, year)
        who: str | Who = Who(area, frozenset(units))
        name, short = official(c.name), c.short_name
        if now.known and now.n < now.total:
            small = now.total <= text.WORDS_UP_TO
            reporting = Who(label(lang, "subject_reporting"), frozenset(now.covers))
            n = book.amount(now.n, reporting, "reported", year, now, small=small)
            of = book.amount(now.total, area, "units_total", year, small=small)
            who = Who(phrase(lang, "subject_county_some", n=n, total=of, county=c.short_name),
                      frozenset(now.covers))
            name = label(lang, "county_partial", county=name, n=book.count(now.n, reporting,
                                                                            "reported", year, now),
                         total=book.count(now.total, area, "units_total", year))
            short = label(lang, "county_partial", county=short,
                          n=book.count(now.n, reporting, "reported", year, now),
                          total=book.count(now.total, area, "units_total", year))
        if now.known and before is not None:
            diff, decimals = book.difference(now, before)
            change = book.points(diff, decimals, who, "change", f"{year - 1}–{year}",
                                 (now, before), signed=True).split(NBSP)[0]
        else:
            change = "–"
        fk_name = phrase(lang, "subject_county_authority", name=c.short_name)
        fk = ("–" if c.number == OSLO_COUNTY
              else book.pct_cell(fig.unit_figure(t, c.number, year, "ndr_pct"), fk_name))
        count = common.count_key(lang, book, deficits, area)
        rows.append((name, book.pct_cell(now, who), change, fk, count))
        bars.append(now.value if now.known else None)
        if now.known:
            shown.append((short, str(who), who, now))
    table = DataTable(
        label(lang, "table_caption_counties"),
        (label(lang, "col_county"), label(lang, "col_ndr", year=year), label(lang, "col_change"),
         label(lang, "col_county_authority", year=year), label(lang, "col_deficit")),
        tuple(rows), (False, True, True, True, True), bars=graphics.bars(bars), bar_column=1,
        note=label(lang, "note_oslo_county"))
    paragraphs = []
    if len(shown) >= 2:
        paragraphs.append(text.extremes(lang, book, [(who, f) for _, _, who, f in shown]))
    chart = _counties_chart(lang, book, shown, national, norm, year)
    return Section(label(lang, "h_counties"), tuple(p for p in paragraphs if p),
                   charts=(chart,) if chart else (), table=table), [
        plain(str(who)) for _, _, who, _ in shown]


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


def _counties_chart(lang: str, book: FactBook,
                    shown: list[tuple[str, str, str | Who, fig.Figure]],
                    national: fig.Figure, norm: norms.Norm, year: int) -> Chart | None:
    if len(shown) < 2:
        return None  # one county's bar compares nothing
    # (chart name, prose, who, figure), the best first; every figure shown has a value
    ranked = sorted(shown, key=lambda r: -(r[3].value or 0.0))
    names = [name for name, _, _, _ in ranked]
    small = len(ranked) <= text.WORDS_UP_TO
    alt = phrase(lang, "chart_counties_alt", year=year,
                 total=book.amount(len(ranked), label(lang, "area_counties"), "counties", year,
                                   small=small, unit="unit_counties", gender="n"),
                 best=names[0], best_value=book.pct(ranked[0][3], ranked[0][2]),
                 worst=names[-1], worst_value=book.pct(ranked[-1][3], ranked[-1][2]),
                 national=book.pct(national, label(lang, "national")) if national.known
                 else "–")
    norm_text = number(norm.value, norm.decimals) + NBSP + "%"
    return Chart(
        charts.unit_bars([plain(n) for n in names], [r[3].value or 0.0 for r in ranked],
                         norm.value,
                         phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_counties_title", year=year),
        (label(lang, "col_county"), label(lang, "col_ndr", year=year)), (),
        data_note=label(lang, "data_in_table", table=label(lang, "h_counties")),
        unit=label(lang, "chart_unit_percent"),
        source=graphics.sources_text(lang, [r[3] for r in ranked] + [national]), style="bars")
