"""The county report: its municipalities, its county authority, against the country."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import ROBEK_DATE, County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.pictures import maps
from kommunerapport.render.context import Chart, DataTable, KeyFigure, Section
from kommunerapport.reports import about, common, graphics
from kommunerapport.reports import claims as user_claims
from kommunerapport.reports.common import Parts, Report, official
from kommunerapport.writing import text
from kommunerapport.writing.facts import FactBook
from kommunerapport.writing.lang import label, phrase

# A county with more municipalities than this gets its table in two halves.
HALVES_FROM = 24


def county_report(dataset: Dataset, register: Register, county: County, year: int, lang: str,
                  config: Config) -> Report:
    """The report on a county's municipalities (not Oslo: see ``reports.build``)."""
    t = dataset.table
    parts = Parts(lang, FactBook(lang))
    book = parts.book
    units = common.municipal_units(register, county.number)
    names = {u: common.unit_name(register, u) for u in units}
    parts.names.update(names.values())
    parts.names.update({county.short_name, official(county.name)})
    now = fig.weighted(t, units, year)
    subject = common.county_subject(lang, book, county, units, now.covers, year)
    partial = now.known and now.n < now.total
    before = common.before_same_units(t, units, now)
    norm = norms.norm("kommuner", year)
    area = phrase(lang, "subject_county", county=county.short_name)
    groups = {name: area for name in names.values()}

    lede = text.lede(lang, book, subject, now, before)
    if partial:
        lede.append(text.coverage_lede(lang, book, now, year))

    deficits = common.deficits(t, units, year)
    rows = [fig.unit_figure(t, u, year, "ndr_pct") for u in units]
    values = {u: f for u, f in zip(units, rows, strict=True)}
    sections = (
        Section(label(lang, "h_norm"),
                (" ".join(_norm(lang, book, subject, now, norm, values, deficits, area)),)),
        _spread_section(lang, book, t, register, units, names, values, year, area),
        *_growth_section(lang, book, t, county, units, subject, year),
        Section(label(lang, "h_county_authority"),
                (" ".join(_county_authority(lang, book, t, register, county, year)),)),
        _versus_section(lang, book, dataset, register, county, units, subject, now, year,
                        area),
        Section(label(lang, "h_table", county=county.short_name),
                charts=tuple(c for c in (_map(lang, book, t, register, units, year),) if c),
                table=_table(lang, book, t, register, units, names, values, year)),
    )
    key_figures = _key_figures(lang, book, t, register, county, subject, now, before,
                               deficits, year, area)
    # Figures of the reporting units fold into the county's line of «Om tallene».
    groups |= {f.subject: area for f in book.facts
               if f.subject not in groups and f.units and set(f.units) <= set(units)}
    title = text.headline(lang, subject, now, before, norm)
    note = about.sample_note(
        lang, t, register, units, common.trend_years(dataset, year), area,
        phrase(lang, "subject_county_others", county=county.short_name))
    return about.frame(
        parts, config, kind=ReportKind.COUNTY, number=county.number, year=year, title=title,
        subject=label(lang, "pdf_subject", year=year, subject=area), lede=lede,
        key_figures=key_figures, sections=sections, groups=groups, note=note,
        partial=partial,
        notes=about.history_notes(lang, dataset.meta, register, units,
                                  common.trend_years(dataset, year), county),
        fields=_fields(lang, book, t, register, config, county, subject, now,
                                        before, year),
        setting=user_claims.setting(register, ReportKind.COUNTY, county.number, year),
        resolve=user_claims.resolver(dataset, register, year))


def _fields(lang: str, book: FactBook, t: pd.DataFrame, register: Register, config: Config,
            county: County, subject: text.Subject, now: fig.Figure, before: fig.Figure | None,
            year: int) -> dict[str, str | None]:
    """The figures a [county] template may name (``model.config.FIELDS``)."""
    words = config.words("county", county.number)
    if not (words.headline or words.lede or words.quotes):
        return {}
    national = fig.national(t, register, year)
    fk = fig.unit_figure(t, county.number, year, "ndr_pct")
    fk_name = phrase(lang, "subject_county_authority", name=county.short_name)
    return {
        "fylke": county.short_name, "år": str(year), "året_før": str(year - 1),
        "netto_driftsresultat": book.pct(now, subject.who()) if now.known else None,
        "netto_driftsresultat_året_før": book.pct(before, subject.who())
        if before is not None and before.known else None,
        "landet": book.pct(national, label(lang, "national")) if national.known else None,
        "fylkeskommunen": book.pct(fk, fk_name) if fk.known else None,
    }


def _norm(lang: str, book: FactBook, subject: text.Subject, now: fig.Figure, norm: norms.Norm,
          values: dict[str, fig.Figure], deficits: fig.Count, area: str) -> list[str]:
    out = text.norm_sentences(lang, book, subject, now, norm)
    if deficits.reported:
        # As shown: 1,8 reaches 1,75 and 1,7 does not, whatever the third decimal.
        limit = Decimal(repr(norm.value))
        reached = sum(FactBook.shown(f) >= limit for f in values.values() if f.known)
        out.append(text.norm_reached(lang, book, reached, deficits, norm, area))
    if not now.known and now.note == fig.NOTE_NO_WEIGHTS:
        out.append(phrase(lang, "not_weighted"))
    return out


def _spread_section(lang: str, book: FactBook, t: pd.DataFrame, register: Register,
                    units: list[str], names: dict[str, str],
                    values: dict[str, fig.Figure], year: int, area: str) -> Section:
    """Deficits, best and worst, emptied reserves, ROBEK, coverage; and the histogram."""
    deficits, deficits_before = common.counts_same_units(t, units, year, common.deficits)
    emptied, emptied_before = common.counts_same_units(t, units, year, common.emptied_reserves)
    robek = fig.robek_members(register, units)
    robek_text = (phrase(lang, "robek_some", names=text.join_names([names[u] for u in robek],
                                                                   lang), date=ROBEK_DATE)
                  if robek else phrase(lang, "robek_none", area=area, date=ROBEK_DATE))
    missing = [names[u] for u in deficits.missing]
    paragraphs = [
        " ".join(text.deficit_sentences(lang, book, deficits, deficits_before, area)
                 + [text.extremes(lang, book, [(names[u], f) for u, f in values.items()])]),
        " ".join(text.emptied_sentences(lang, book, emptied, emptied_before, area)),
        " ".join([robek_text, text.coverage_sentence(lang, book, deficits, missing)]),
    ]
    return Section(label(lang, "h_spread"), tuple(p.strip() for p in paragraphs if p.strip()))


def _map(lang: str, book: FactBook, t: pd.DataFrame, register: Register, units: list[str],
         year: int) -> Chart | None:
    """The county's municipalities on the map, coloured by netto driftsresultat."""
    county = register.county(register.municipality(units[0]).county)
    drawn = maps.county_map(graphics.areas(t, register, units, year),
                            graphics.map_labels(lang, year))
    if not drawn:
        return None
    return graphics.map_chart(
        lang, book, drawn, year, phrase(lang, "map_title_county", county=county.short_name,
                                        year=year),
        phrase(lang, "subject_county", county=county.short_name),
        data_note=label(lang, "data_in_table_below"),
        source=graphics.area_sources(lang, t, units, year))


def _growth_section(lang: str, book: FactBook, t: pd.DataFrame, county: County,
                    units: list[str], subject: text.Subject, year: int) -> tuple[Section, ...]:
    """Why the result changed: income against costs; and investment. The heading names
    what the section holds."""
    income = fig.growth(t, units, year, "bdi")
    costs = fig.growth(t, units, year, "bdu") if "bdu" in set(t["measure"]) else None
    growth = []
    if income.known:
        if costs is not None and costs.covers != income.covers:
            costs = None  # income and costs over different units are not set side by side
        who = common.named(lang, book, county, units, income, subject)
        growth.append(text.growth_sentence(lang, book, who, income, costs))
    invest_text = []
    invest = fig.weighted(t, units, year, "invest_pct")
    if invest.known:
        before = common.before_same_units(t, units, invest, "invest_pct")
        invest_text.append(text.result_with_before(
            lang, book, "investment", common.named(lang, book, county, units, invest, subject),
            invest, before))
    growth = [p for p in growth if p]
    if not growth and not invest_text:
        return ()
    heading = "h_growth" if growth and invest_text else "h_growth_income" if growth \
        else "h_investment"
    return (Section(label(lang, heading), tuple(growth + invest_text)),)


def _county_authority(lang: str, book: FactBook, t: pd.DataFrame, register: Register,
                      county: County, year: int) -> list[str]:
    name = phrase(lang, "subject_county_authority", name=county.short_name)
    fk = fig.unit_figure(t, county.number, year, "ndr_pct")
    fk_before = fig.unit_figure(t, county.number, year - 1, "ndr_pct")
    out = [text.result_with_before(lang, book, "county_authority", name, fk, fk_before)]
    if fk.known:
        norm_f = norms.norm("fylkeskommuner", year)
        diff, decimals = book.difference(fk, norm_f)
        book.norm(norm_f, year)
        if diff == 0:
            out.append(phrase(lang, "county_authority_norm_same",
                              norm=book.norm(norm_f, year)))
        else:
            out.append(phrase(lang, "county_authority_norm_above" if diff > 0
                              else "county_authority_norm_below",
                              diff=book.points(diff, decimals, name, "versus_norm", str(year),
                                               (fk,)), norm=book.norm(norm_f, year)))
    fk_units = common.county_authority_units(register, year)
    total = fig.county_authorities_total(t, register, year)
    total_before = fig.county_authorities_total(t, register, year - 1)
    group = label(lang, "group_county_authorities")
    if total.known:
        out.append(text.result_with_before(lang, book, "county_authorities_total", group,
                                           total, total_before))
    if fk.known and county.number in fk_units:
        values = {u: fig.unit_figure(t, u, year, "ndr_pct") for u in fk_units}
        ranks = text.shown_ranks(values)
        names = {u: common.unit_name(register, u) for u in fk_units}
        out.append(text.rank_sentence(lang, book, name, county.number, ranks, names, group,
                                      year, partial=len(ranks) < len(fk_units)))
    return [s for s in out if s]


def _versus_section(lang: str, book: FactBook, dataset: Dataset, register: Register,
                    county: County, units: list[str], subject: text.Subject,
                    now: fig.Figure, year: int, area: str) -> Section:
    """The county's municipalities against the country, in words and over the years."""
    t = dataset.table
    national = fig.national(t, register, year)
    national_label = label(lang, "national")
    out = []
    if national.known:
        out.append(phrase(lang, "national", value=book.pct(national, national_label),
                          year=year))
        out.append(text.compare_sentence(lang, book, "versus", subject.who(), now, national)
                   or "")
    reserve = fig.weighted(t, units, year, "dispfond_pct")
    national_reserve = fig.national(t, register, year, "dispfond_pct")
    reserves = []
    if reserve.known:
        who = common.named(lang, book, county, units, reserve, subject)
        reserves.append(phrase(lang, "reserve", subject=str(who),
                               value=book.pct(reserve, who), year=year))
    if national_reserve.known:
        reserves.append(phrase(lang, "reserve_national",
                               value=book.pct(national_reserve, national_label)))
    years = common.trend_years(dataset, year)
    # The line is of the units with a figure in the report's year, every year; with partial
    # data it says so.
    mine = common.series_over(t, units, years)
    partial = now.known and now.n < now.total
    mine_label = (text.capital(subject.again.rstrip(",")) if partial
                  else phrase(lang, "series_county", county=county.short_name))
    chart = graphics.trend_chart(lang, book, [
        graphics.Series(mine_label, subject.again, tuple(mine), subject.units),
        graphics.Series(label(lang, "series_national"), national_label,
                        tuple(fig.national(t, register, y) for y in years))],
        norms.norm("kommuner", year))
    paragraphs = tuple(p for p in (" ".join(s for s in out if s), " ".join(reserves)) if p)
    return Section(label(lang, "h_versus", county=county.short_name), paragraphs,
                   charts=(chart,) if chart else ())


def _table(lang: str, book: FactBook, t: pd.DataFrame, register: Register, units: list[str],
           names: dict[str, str], values: dict[str, fig.Figure], year: int) -> DataTable:
    """The municipalities that reported, best first, with a bar each; the rest named below."""
    ranks = text.shown_ranks(values)
    ranked = sorted(ranks, key=lambda u: (ranks[u], names[u]))
    before = {u: fig.unit_figure(t, u, year - 1, "ndr_pct") for u in ranked}
    reserve = {u: fig.unit_figure(t, u, year, "dispfond_pct") for u in ranked}
    missing = [names[u] for u in units if u not in ranks]
    rows = tuple((book.count(ranks[u], names[u], "rank", year, unit="unit_place"), names[u],
                  book.pct_cell(values[u], names[u]),
                  book.pct_cell(before[u], names[u]), book.pct_cell(reserve[u], names[u]),
                  label(lang, "robek_yes") if register.is_robek(u) else "")
                 for u in ranked)
    note = (phrase(lang, "table_missing", names=text.join_names(missing, lang), year=year)
            if missing else "")
    return DataTable(
        label(lang, "table_caption", year=year, before=year - 1) + " "
        + label(lang, "robek_caption", date=ROBEK_DATE),
        (label(lang, "col_rank"), label(lang, "col_municipality"), str(year), str(year - 1),
         label(lang, "col_reserve_short", year=year), label(lang, "col_robek")),
        rows, (True, False, True, True, True, False), header_column=1,
        bars=graphics.bars([values[u].value for u in ranked]), bar_column=2, note=note,
        halves=len(rows) > HALVES_FROM)


def _key_figures(lang: str, book: FactBook, t: pd.DataFrame, register: Register,
                 county: County, subject: text.Subject, now: fig.Figure,
                 before: fig.Figure | None, deficits: fig.Count, year: int,
                 area: str) -> tuple[KeyFigure, ...]:
    fk = fig.unit_figure(t, county.number, year, "ndr_pct")
    fk_name = phrase(lang, "subject_county_authority", name=county.short_name)
    if now.known and before is not None and before.known:
        diff, decimals = book.difference(now, before)
        change = book.points(diff, decimals, subject.who(), "change", f"{year - 1}–{year}",
                             (now, before), signed=True)
        change_note = label(lang, "from", value=book.pct_key(before, subject.who()))
    else:
        change, change_note = "–", ""
    count = common.count_key(lang, book, deficits, area)
    return (
        KeyFigure(label(lang, "key_ndr", year=year), book.pct_key(now, subject.who()),
                  text.capital(subject.headline.rstrip(","))),
        KeyFigure(label(lang, "key_change", year=year - 1), change, change_note),
        KeyFigure(label(lang, "key_deficit"), count, str(year)),
        KeyFigure(label(lang, "col_county_authority", year=year), book.pct_key(fk, fk_name),
                  label(lang, "key_norm", kind=label(lang, "kind_fylkeskommuner")) + " "
                  + book.norm_key(norms.norm("fylkeskommuner", year), year)),
    )
