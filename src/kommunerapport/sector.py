"""The sector report: the municipalities with and without Oslo, the county
authorities, the spread, and the 15 counties compared."""

from __future__ import annotations

from pathlib import Path

from kommunerapport import charts, text
from kommunerapport import figures as fig
from kommunerapport.config import Config
from kommunerapport.context import DataTable, KeyFigure, ReportContext, Section
from kommunerapport.data import Dataset
from kommunerapport.formatting import number, percent, prose_percent, signed, whole_word
from kommunerapport.lang import LABELS, phrase
from kommunerapport.regions import ROBEK_DATE, Register
from kommunerapport.report import (
    Provenance,
    base_context,
    border_notes,
    count_of,
    pct_or_missing,
    report_date,
    spread_chart,
)


def county_rows(t, register: Register, year: int) -> list[tuple]:  # noqa: ANN001
    """Per county: name, the municipalities' NDR now and before, the county authority, deficits."""
    rows = []
    for c in (c for c in register.counties if c.valid_from <= year):
        units = [m.number for m in register.in_county(c.number)]
        rows.append((c, fig.weighted(t, units, year), fig.weighted(t, units, year - 1),
                     fig.unit_figure(t, c.number, year, "ndr_pct"), fig.deficits(t, units, year)))
    return rows


def counties_chart(lang: str, rows: list[tuple], national: fig.Figure, norm: fig.Norm,
                   year: int) -> charts.Chart | None:
    ranked = sorted((r for r in rows if r[1].known), key=lambda r: -r[1].value)
    if not ranked:
        return None
    names = [r[0].short_name for r in ranked]
    values = [r[1].value for r in ranked]
    labels = LABELS[lang]
    alt = phrase(lang, "chart_counties_alt", year=year, total=whole_word(len(rows), lang),
                 best=names[0], best_value=text.pct(values[0], lang), worst=names[-1],
                 worst_value=text.pct(values[-1], lang),
                 national=text.pct(national.value, lang) if national.known else "–")
    return charts.Chart(
        charts.unit_bars(names, values, norm.value,
                         phrase(lang, "series_norm", norm=percent(norm.value, norm.decimals))),
        alt, phrase(lang, "chart_counties_title", year=year),
        (labels["col_county"], labels["col_ndr"].format(year=year)), (),
        data_note=labels["data_in_table"].format(table=labels["h_counties"]))


def sector_context(dataset: Dataset, register: Register, year: int, lang: str, config: Config,
                   templates_dir: Path | None = None) -> ReportContext:
    t = dataset.table
    labels = LABELS[lang]
    prov = Provenance()
    units = fig.municipalities(register)
    now, before = fig.national(t, register, year), fig.national(t, register, year - 1)
    with_oslo = fig.national(t, register, year, with_oslo=True)
    fk, fk_before = (fig.county_authorities_total(t, register, year),
                     fig.county_authorities_total(t, register, year - 1))
    deficits, deficits_before = fig.deficits(t, units, year), fig.deficits(t, units, year - 1)
    emptied, emptied_before = (fig.emptied_reserves(t, units, year),
                               fig.emptied_reserves(t, units, year - 1))
    prov.add(now, before, with_oslo, fk, fk_before, deficits, deficits_before, emptied,
             emptied_before)
    norm_k, norm_f = fig.norm("kommuner", year), fig.norm("fylkeskommuner", year)
    subject = phrase(lang, "subject_national")

    lede = text.lede(lang, subject, now, before)
    if with_oslo.known:
        lede.append(phrase(lang, "lede_with_oslo", value=text.pct(with_oslo.value, lang)))
    if fk.known and fk_before.known:
        lede.append(phrase(lang, "county_authorities_total", value=text.pct(fk.value, lang),
                           year=year, before=text.pct(fk_before.value, lang)))

    norm_par = text.norm_sentences(lang, subject, now, norm_k)
    fk_norm = [text.compare_sentence(
        lang, "norm_short", phrase(lang, "kind_fylkeskommuner"), fk,
        fig.Figure(norm_f.value, "ndr_pct", year, fig.METHOD_PUBLISHED),
        norm=prose_percent(norm_f.value, 0, lang)) or ""]

    spread = [
        " ".join(text.deficit_sentences(lang, deficits, deficits_before)),
        " ".join(text.emptied_sentences(lang, emptied, emptied_before)),
        " ".join([phrase(lang, "robek_count",
                         count=text.count_words(len(register.robek), lang, True),
                         date=ROBEK_DATE),
                  text.coverage_sentence(lang, deficits,
                                         [register.municipality(u).short_name
                                          for u in deficits.missing])]),
    ]
    rows = county_rows(t, register, year)
    for r in rows:
        prov.add(r[1], r[2], r[3], r[4])
    ranked = sorted((r for r in rows if r[1].known), key=lambda r: -r[1].value)
    counties_par = []
    if len(ranked) >= 2:
        counties_par.append(phrase(lang, "sector_counties_best", best=ranked[0][0].short_name,
                                   best_value=text.pct(ranked[0][1].value, lang),
                                   worst=ranked[-1][0].short_name,
                                   worst_value=text.pct(ranked[-1][1].value, lang)))
    table = DataTable(
        labels["table_caption_counties"],
        (labels["col_county"], labels["col_ndr"].format(year=year), labels["col_change"],
         labels["col_county_authority"].format(year=year), labels["col_deficit"]),
        tuple((r[0].short_name, number(r[1].value, 1),
               signed(fig.change(r[1], r[2]).value), number(r[3].value, 1),
               f"{r[4].count} {labels['of']} {r[4].reported}") for r in rows),
        (False, True, True, True, True))
    counties = counties_chart(lang, rows, now, norm_k, year)
    spread_c = spread_chart(lang, fig.shares(t, "ndr_pct", year, units)["pct"], deficits, year)
    sections = (
        Section(labels["h_norm"], (" ".join(norm_par), " ".join(fk_norm))),
        Section(labels["h_spread"], tuple(spread), chart=spread_c),
        Section(labels["h_counties"], tuple(counties_par), chart=counties, table=table),
    )
    change = fig.change(now, before)
    key_figures = (
        KeyFigure(labels["key_municipalities"], pct_or_missing(now, lang),
                  f"{signed(change.value)} {labels['points']} "
                  f"{labels['from'].format(value=year - 1)}" if change.known else ""),
        KeyFigure(labels["key_with_oslo"], pct_or_missing(with_oslo, lang), str(year)),
        KeyFigure(labels["key_county_authorities"], pct_or_missing(fk, lang),
                  labels["key_norm"].format(kind=phrase(lang, "kind_fylkeskommuner"))
                  + " " + percent(norm_f.value, 0)),
        KeyFigure(labels["key_deficit"], count_of(deficits, lang),
                  str(year)),
    )
    title = text.headline(lang, phrase(lang, "subject_sector"), now, before, norm_k)
    return base_context(lang, config, prov, title, f"Kommuneøkonomien {year}: kommunesektoren",
                        "sector", report_date(config), templates_dir, lede=tuple(lede),
                        key_figures=key_figures, sections=sections,
                        charts=tuple(c for c in (spread_c, counties) if c),
                        notes=border_notes(lang, year))
