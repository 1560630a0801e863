"""One report from start to finish: data → figures → words and charts → PDF.

``county_context`` and ``sector_context`` are pure: they turn the dataset into
a ``ReportContext``. ``write_report`` does the I/O at the edges.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kommunerapport import charts, outputs, text
from kommunerapport import figures as fig
from kommunerapport.config import Config, load_config
from kommunerapport.context import DataTable, KeyFigure, ReportContext, Section
from kommunerapport.data import Dataset, load_dataset, resolve_year
from kommunerapport.formatting import number, percent, prose_percent, signed, whole_word
from kommunerapport.lang import LABELS, phrase
from kommunerapport.regions import County, Register, find_county, load_register
from kommunerapport.render import render_html, write_pdf

SAMPLE_NOTICE = "Eksempeldata – ikke offisielle tall"
SOURCE_NAMES = {"SSB 12134": "SSB, tabell 12134 (kommunenes nøkkeltall, konsern)",
                "SSB 13561": "SSB, tabell 13561 (fylkeskommunenes regnskap, konsern)"}
# Intervals of the spread chart, in % of BDI.
BINS = (-99.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 99.0)


@dataclass
class Provenance:
    """Collects where every figure in a report came from."""

    sources: set[str] = field(default_factory=set)
    releases: set[str] = field(default_factory=set)
    scopes: set[str] = field(default_factory=set)
    synthetic: bool = False

    def add(self, *items: fig.Figure | fig.Count) -> None:
        for item in items:
            self.sources.update(item.sources)
            self.releases.update(item.releases)
            self.synthetic = self.synthetic or item.synthetic
            if isinstance(item, fig.Figure) and item.scope:
                self.scopes.update(item.scope.split("/"))


def report_date(config: Config) -> dt.date:
    """The dateline: the config's date, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if config.date:
        return config.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def _names(register: Register, units: list[str] | tuple[str, ...]) -> list[str]:
    return [register.municipality(u).short_name for u in units]


def count_of(counted: fig.Count, lang: str) -> str:
    """«2 av 6» for a key-figure box; a dash when nobody reported."""
    return f"{counted.count} {LABELS[lang]['of']} {counted.reported}" if counted.reported else "–"


def pct_or_missing(f: fig.Figure, lang: str) -> str:
    return percent(f.value) if f.known else LABELS[lang]["missing"]


def base_context(lang: str, config: Config, prov: Provenance, title: str, subject: str,
                 kind: str, date: dt.date, templates_dir: Path | None,
                 **parts) -> ReportContext:
    labels = LABELS[lang]
    sources = [SOURCE_NAMES.get(s, s) for s in sorted(prov.sources)]
    scope = "; ".join(labels[f"scope_{s}"] for s in sorted(prov.scopes)) or labels["scope_konsern"]
    # The PDF's subject names the release of the figures, as the footer does.
    pdf_subject = (f"{subject}. {labels['release']}: {'; '.join(sorted(prov.releases))}."
                   + (f" {SAMPLE_NOTICE}." if prov.synthetic else ""))
    return ReportContext(
        lang=lang, title=title, subject=pdf_subject, kind=kind,
        organisation=config.organisation, dateline=f"{date.day}.{date.month}.{date.year}",
        created=date.isoformat(), labels=labels, sample=prov.synthetic,
        sample_notice=SAMPLE_NOTICE, sample_note=phrase(lang, "sample_note"),
        quotes=config.quotes, sources=tuple(sources + [f"{labels['release']}: "
                                                        + "; ".join(sorted(prov.releases))]),
        scope=scope, method=labels["method_text"], contacts=config.contacts,
        about=config.about,
        keywords=tuple(config.keywords) + ((SAMPLE_NOTICE,) if prov.synthetic else ()),
        **parts)


def unit_chart(lang: str, register: Register, rows: list[fig.Row], county: str,
               norm: fig.Norm, year: int) -> charts.Chart | None:
    known = [r for r in rows if r.ndr.known]
    if not known:
        return None
    names = [r.name for r in known]
    values = [r.ndr.value for r in known]
    norm_text = percent(norm.value, norm.decimals)
    alt = phrase(lang, "chart_units_alt", year=year, total=whole_word(len(known), lang),
                 county=county, above=whole_word(sum(v >= norm.value for v in values), lang),
                 norm=prose_percent(norm.value, 2, lang), best=names[0],
                 best_value=prose_percent(values[0], 1, lang), worst=names[-1],
                 worst_value=prose_percent(values[-1], 1, lang))
    labels = LABELS[lang]
    return charts.Chart(
        charts.unit_bars(names, values, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_units_title", year=year),
        (labels["col_municipality"], labels["col_ndr"].format(year=year)),
        (), data_note=labels["data_in_table"].format(table=labels["h_table"].format(
            county=county)))


def trend_chart(lang: str, subject_label: str, mine: list[fig.Figure],
                national: list[fig.Figure], norm: fig.Norm, subject: str,
                others: dict[str, list[fig.Figure]] | None = None,
                national_label: str | None = None) -> charts.Chart:
    """``others``: more lines between the subject's and the country's (a member's county).

    ``national_label``: what ``national`` is, if not the municipalities without Oslo.
    """
    years = [f.year for f in mine]
    norm_text = percent(norm.value, norm.decimals)
    national_label = national_label or phrase(lang, "series_national")
    drawn = {subject_label: mine, **(others or {}), national_label: national}
    series = {label: [f.value if f.known else None for f in fs] for label, fs in drawn.items()}
    last = {label: fs[-1] for label, fs in drawn.items()}
    alt = phrase(lang, "chart_trend_alt", first=years[0], last=years[-1],
                 series=text.join_names(list(drawn), lang),
                 norm=prose_percent(norm.value, norm.decimals, lang),
                 values=", ".join(f"{label} {text.pct(f.value, lang) if f.known else '–'}"
                                  for label, f in last.items()))
    labels = LABELS[lang]
    return charts.Chart(
        charts.trend(years, series, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_trend_title", first=years[0], last=years[-1]),
        (labels["col_year"], *drawn),
        tuple((str(y), *(number(fs[i].value, 1) for fs in drawn.values()))
              for i, y in enumerate(years)))


def spread_chart(lang: str, values: pd.Series, deficits: fig.Count,
                 year: int) -> charts.Chart | None:
    """How many units in each interval of NDR; None when no unit has a figure."""
    if values.empty:
        return None
    labels_ = []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        if lo == BINS[0]:
            labels_.append(phrase(lang, "bin_below", hi=number(hi)))
        elif hi == BINS[-1]:
            labels_.append(phrase(lang, "bin_above", lo=number(lo)))
        else:
            labels_.append(phrase(lang, "bin_between", lo=number(lo), hi=number(hi)))
    counts = [int(((values >= lo) & (values < hi)).sum()) for lo, hi in
              zip(BINS, BINS[1:], strict=False)]
    alt = phrase(lang, "chart_spread_alt", year=year,
                 deficit=text.count_words(deficits.count, lang, True),
                 reported=whole_word(deficits.reported, lang))
    labels = LABELS[lang]
    return charts.Chart(
        charts.histogram(labels_, counts, [hi <= 0 for hi in BINS[1:]],
                         phrase(lang, "axis_count")),
        alt, phrase(lang, "chart_spread_title", year=year),
        (labels["col_interval"], labels["col_count"]),
        tuple((lab, number(n)) for lab, n in zip(labels_, counts, strict=True)))


def units_table(lang: str, rows: list[fig.Row], county: str, year: int) -> DataTable:
    labels = LABELS[lang]
    return DataTable(
        labels["table_caption"],
        (labels["col_rank"], labels["col_municipality"], labels["col_ndr"].format(year=year),
         labels["col_ndr"].format(year=year - 1), labels["col_dispfond"].format(year=year),
         labels["col_robek"]),
        tuple((str(r.rank or "–"), r.name, number(r.ndr.value, 1), number(r.ndr_before.value, 1),
               number(r.dispfond.value, 1), labels["robek_yes"] if r.robek else "")
              for r in rows),
        (True, False, True, True, True, False), header_column=1)


def county_context(dataset: Dataset, register: Register, county: County, year: int, lang: str,
                   config: Config, templates_dir: Path | None = None) -> ReportContext:
    """The county report: its municipalities, its county authority, against the country."""
    t = dataset.table
    prov = Provenance()
    units = [m.number for m in register.in_county(county.number)]
    name = county.short_name
    labels = LABELS[lang]
    now, before = fig.weighted(t, units, year), fig.weighted(t, units, year - 1)
    norm_k = fig.norm("kommuner", year)
    subject = phrase(lang, "subject_county", county=name)
    rows = fig.unit_rows(t, register, units, year)
    deficits, deficits_before = fig.deficits(t, units, year), fig.deficits(t, units, year - 1)
    emptied, emptied_before = (fig.emptied_reserves(t, units, year),
                               fig.emptied_reserves(t, units, year - 1))
    reserve = fig.weighted(t, units, year, "dispfond_pct")
    prov.add(now, before, deficits, deficits_before, emptied, emptied_before, reserve)
    for r in rows:
        prov.add(r.ndr, r.ndr_before, r.dispfond)

    norm_par = text.norm_sentences(lang, subject, now, norm_k)
    reached = [r for r in rows if r.ndr.known and r.ndr.value >= norm_k.value]
    if deficits.reported:
        norm_par.append(phrase(lang, "norm_reached",
                               count=text.count_words(len(reached), lang, True),
                               total=whole_word(deficits.reported, lang), year=year))
    if not now.known and now.note == fig.NOTE_NO_WEIGHTS:
        norm_par.append(phrase(lang, "not_weighted"))

    known_rows = [r for r in rows if r.ndr.known]
    extremes = [phrase(lang, "best_worst", best=known_rows[0].name,
                       best_value=text.pct(known_rows[0].ndr.value, lang),
                       worst=known_rows[-1].name,
                       worst_value=text.pct(known_rows[-1].ndr.value, lang))
                ] if len(known_rows) >= 2 else []
    robek = fig.robek_members(register, units)
    spread = [
        " ".join(text.deficit_sentences(lang, deficits, deficits_before) + extremes),
        " ".join(text.emptied_sentences(lang, emptied, emptied_before)),
        " ".join([phrase(lang, "robek_some", names=text.join_names(_names(register, robek), lang))
                  if robek else phrase(lang, "robek_none"),
                  text.coverage_sentence(lang, deficits, _names(register, deficits.missing))]),
    ]

    fk_sentences, fk_now = _county_authority(lang, t, register, county, year, prov)

    national = fig.national(t, register, year)
    national_reserve = fig.national(t, register, year, "dispfond_pct")
    prov.add(national, national_reserve)
    versus = [phrase(lang, "national", value=text.pct(national.value, lang), year=year)
              if national.known else ""]
    versus.append(text.compare_sentence(lang, "versus", subject, now, national) or "")
    if reserve.known:
        versus.append(phrase(lang, "reserve", subject=subject, value=text.pct(reserve.value, lang),
                             year=year))
    if national_reserve.known:
        versus.append(phrase(lang, "reserve_national",
                             value=text.pct(national_reserve.value, lang)))
    years = [y for y in dataset.years if y <= year][-6:]
    mine = fig.series(t, units, years)
    nat_series = [fig.national(t, register, y) for y in years]
    prov.add(*mine, *nat_series)

    charts_ = [c for c in (
        unit_chart(lang, register, rows, name, norm_k, year),
        spread_chart(lang, fig.shares(t, "ndr_pct", year, units)["pct"], deficits, year),
        trend_chart(lang, phrase(lang, "series_county", county=name), mine, nat_series, norm_k,
                    subject)) if c is not None]
    by_title = {c.title: c for c in charts_}
    sections = (
        Section(labels["h_norm"], (" ".join(norm_par),)),
        Section(labels["h_spread"], tuple(spread),
                chart=by_title.get(phrase(lang, "chart_spread_title", year=year))),
        Section(labels["h_county_authority"], (" ".join(fk_sentences),)),
        Section(labels["h_versus"].format(county=name),
                (" ".join(versus[:2]).strip(), " ".join(versus[2:])),
                chart=charts_[-1]),
        Section(labels["h_table"].format(county=name), (),
                chart=by_title.get(phrase(lang, "chart_units_title", year=year)),
                table=units_table(lang, rows, name, year)),
    )
    change = fig.change(now, before)
    key_figures = (
        KeyFigure(labels["key_ndr"].format(year=year), pct_or_missing(now, lang),
                  text.capital(subject)),
        KeyFigure(labels["key_change"].format(year=year - 1),
                  signed(change.value) + " " + labels["points"] if change.known else "–",
                  f"{labels['of']} {percent(before.value)}" if before.known else ""),
        KeyFigure(labels["key_deficit"], count_of(deficits, lang),
                  str(year)),
        KeyFigure(labels["col_county_authority"].format(year=year), pct_or_missing(fk_now, lang),
                  labels["key_norm"].format(kind=phrase(lang, "kind_fylkeskommuner"))
                  + " " + percent(fig.NORM_COUNTY_AUTHORITIES, 0)),
    )
    title = text.headline(lang, subject, now, before, norm_k)
    return base_context(lang, config, prov, title, f"Kommuneøkonomien {year}: {subject}",
                        "county", report_date(config), templates_dir,
                        lede=tuple(text.lede(lang, subject, now, before)),
                        key_figures=key_figures, sections=sections, charts=tuple(charts_),
                        notes=(labels["without_oslo"],))


def _county_authority(lang: str, t: pd.DataFrame, register: Register, county: County,
                      year: int, prov: Provenance) -> tuple[list[str], fig.Figure]:
    name = county.short_name
    fk = fig.unit_figure(t, county.number, year, "ndr_pct")
    fk_before = fig.unit_figure(t, county.number, year - 1, "ndr_pct")
    total = fig.county_authorities_total(t, register, year)
    total_before = fig.county_authorities_total(t, register, year - 1)
    prov.add(fk, fk_before, total, total_before)
    norm_f = fig.norm("fylkeskommuner", year)
    out: list[str] = []
    if not fk.known:
        out.append(phrase(lang, "county_authority_missing", name=name, year=year))
    elif fk_before.known:
        out.append(phrase(lang, "county_authority", name=name, value=text.pct(fk.value, lang),
                          year=year, before=text.pct(fk_before.value, lang)))
    else:
        out.append(phrase(lang, "county_authority_new", name=name,
                          value=text.pct(fk.value, lang), year=year))
    if fk.known:
        out.append(text.compare_sentence(
            lang, "county_authority_norm", "", fk,
            fig.Figure(norm_f.value, "ndr_pct", year, fig.METHOD_PUBLISHED)) or "")
    if total.known and total_before.known:
        out.append(phrase(lang, "county_authorities_total", value=text.pct(total.value, lang),
                          year=year, before=text.pct(total_before.value, lang)))
    return [s for s in out if s], fk


def write_report(county: str | None, year: int | None, lang: str | None,
                 data_file: Path | None, out_dir: Path, config_file: Path | None,
                 templates_dir: Path | None = None) -> Path:
    """Build one county report (or the sector's, without ``county``) and write its PDF."""
    config = load_config(config_file)
    dataset = load_dataset(data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    if county:
        c = find_county(county, year)
        context = county_context(dataset, register, c, year, lang or c.lang, config,
                                 templates_dir)
        target = out_dir / outputs.county_name(year, c.short_name)
    else:
        from kommunerapport.sector import sector_context

        context = sector_context(dataset, register, year, lang or "nb", config, templates_dir)
        target = out_dir / outputs.sector_name(year)
    return write_context(context, target, templates_dir)


def write_context(context: ReportContext, target: Path, templates_dir: Path | None = None) -> Path:
    html = render_html(context, templates_dir=templates_dir)
    outputs.ensure_folder(target.parent)
    with outputs.atomic_write(target) as tmp:
        write_pdf(html, tmp, templates_dir)
    return target
