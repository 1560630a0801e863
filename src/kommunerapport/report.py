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

from kommunerapport import charts, outputs, records, text
from kommunerapport import figures as fig
from kommunerapport.config import Config, load_config
from kommunerapport.context import DataTable, KeyFigure, ReportContext, Section
from kommunerapport.data import Dataset, resolve_year
from kommunerapport.formatting import number, percent, prose_percent, signed, whole_word
from kommunerapport.lang import LABELS, RELEASE_WORDS, SAMPLE_NOTICE, phrase
from kommunerapport.loading import load_dataset
from kommunerapport.regions import (
    FIRST_YEAR,
    ROBEK_DATE,
    County,
    Register,
    find_county,
    load_register,
)
from kommunerapport.render import render_html, write_pdf

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


def source_name(source: str, lang: str) -> str:
    """«SSB 12134» as a reader wants it; the sample's generator in plain words."""
    labels = LABELS[lang]
    if source.startswith("Eksempeldata"):
        return labels["source_sample"]
    return labels.get(f"source_{source}", source)


def release_name(release: str, lang: str) -> str:
    """A release label («foreløpige tall 16.03.2026») in the report's language."""
    for bokmal, nynorsk in RELEASE_WORDS.get(lang, ()):
        release = release.replace(bokmal, nynorsk)
    return release


def change_note(before: fig.Figure, lang: str) -> str:
    """Under a change in a key-figure box: «fra 0,4 %»."""
    return LABELS[lang]["from"].format(value=percent(before.value)) if before.known else ""


def trend_years(dataset: Dataset, year: int, count: int = 6) -> list[int]:
    return [y for y in dataset.years if y <= year][-count:]


def border_notes(lang: str, year: int) -> tuple[str, ...]:
    """Before 2024 the figures are grouped by today's counties: say so."""
    labels = LABELS[lang]
    notes = (labels["without_oslo"],)
    return notes + ((labels["note_borders"].format(year=year),) if year < FIRST_YEAR else ())


def count_of(counted: fig.Count, lang: str) -> str:
    """«2 av 6» for a key-figure box; a dash when nobody reported."""
    return f"{counted.count} {LABELS[lang]['of']} {counted.reported}" if counted.reported else "–"


def pct_or_missing(f: fig.Figure, lang: str) -> str:
    return percent(f.value) if f.known else LABELS[lang]["missing"]


def base_context(lang: str, config: Config, prov: Provenance, title: str, subject: str,
                 kind: str, date: dt.date, templates_dir: Path | None,
                 **parts) -> ReportContext:
    labels = LABELS[lang]
    sources = [source_name(s, lang) for s in sorted(prov.sources)]
    scope = "; ".join(labels[f"scope_{s}"] for s in sorted(prov.scopes)) or labels["scope_konsern"]
    # The PDF's subject names the release of the figures, as the footer does.
    releases = "; ".join(release_name(r, lang) for r in sorted(prov.releases))
    pdf_subject = (f"{subject}. {labels['release']}: {releases}."
                   + (f" {SAMPLE_NOTICE}." if prov.synthetic else ""))
    return ReportContext(
        lang=lang, title=title, subject=pdf_subject, kind=kind,
        organisation=config.organisation, dateline=f"{date.day}.{date.month}.{date.year}",
        created=date.isoformat(), labels=labels, sample=prov.synthetic,
        sample_notice=SAMPLE_NOTICE, sample_note=phrase(lang, "sample_note"),
        quotes=config.quotes, sources=tuple(sources + [f"{labels['release']}: "
                                                        + releases]),
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
                 county=county,
                 above=text.count_words(sum(v >= norm.value for v in values), lang, True),
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
                national_label: str | None = None) -> charts.Chart | None:
    """``others``: more lines between the subject's and the country's (a member's county).

    ``national_label``: what ``national`` is, if not the municipalities without Oslo.
    None when there are fewer than two years to draw.
    """
    years = [f.year for f in mine]
    if len(years) < 2:
        return None
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
    both = [(a, b) for a, b in zip(mine, national, strict=True) if a.known and b.known]
    if both:
        alt += " " + phrase(lang, "chart_trend_above", subject=subject,
                            count=text.count_words(sum(a.value > b.value for a, b in both), lang),
                            years=whole_word(len(both), lang))
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
        labels["table_caption"] + " " + labels["robek_caption"].format(date=ROBEK_DATE),
        (labels["col_rank"], labels["col_municipality"], labels["col_ndr"].format(year=year),
         labels["col_ndr"].format(year=year - 1), labels["col_dispfond"].format(year=year),
         labels["col_robek"]),
        tuple((str(r.rank or "–"), r.name, number(r.ndr.value, 1), number(r.ndr_before.value, 1),
               number(r.dispfond.value, 1), labels["robek_yes"] if r.robek else "")
              for r in rows),
        (True, False, True, True, True, False), header_column=1)


def county_context(dataset: Dataset, register: Register, county: County, year: int, lang: str,
                   config: Config, templates_dir: Path | None = None) -> ReportContext:
    """The county report: its municipalities, its county authority, against the country.

    Oslo is its county's only municipality: its report is Oslo kommune's own.
    """
    units = [m.number for m in register.in_county(county.number)]
    if len(units) == 1:
        from kommunerapport.member import member_context

        return member_context(dataset, register, units[0], year, lang, config, templates_dir)
    t = dataset.table
    prov = Provenance()
    name, labels = county.short_name, LABELS[lang]
    subject = phrase(lang, "subject_county", county=name)
    now, before = fig.weighted(t, units, year), fig.weighted(t, units, year - 1)
    norm = fig.norm("kommuner", year)
    rows = fig.unit_rows(t, register, units, year)
    deficits = fig.deficits(t, units, year)
    prov.add(now, before, deficits)
    for r in rows:
        prov.add(r.ndr, r.ndr_before, r.dispfond)
    fk_sentences, fk_now = _county_authority(lang, t, register, county, year, prov)
    versus, trend = _versus_country(lang, dataset, register, units, subject, name, now, year, prov)
    spread, spread_c = _spread(lang, t, register, units, rows, year, prov)
    units_c = unit_chart(lang, register, rows, name, norm, year)
    sections = (
        Section(labels["h_norm"], (" ".join(_norm_paragraph(lang, subject, now, norm, rows,
                                                            deficits)),)),
        Section(labels["h_spread"], tuple(spread), chart=spread_c),
        Section(labels["h_county_authority"], (" ".join(fk_sentences),)),
        Section(labels["h_versus"].format(county=name), tuple(versus), chart=trend),
        Section(labels["h_table"].format(county=name), (), chart=units_c,
                table=units_table(lang, rows, name, year)),
    )
    change = fig.change(now, before)
    key_figures = (
        KeyFigure(labels["key_ndr"].format(year=year), pct_or_missing(now, lang),
                  text.capital(subject)),
        KeyFigure(labels["key_change"].format(year=year - 1),
                  signed(change.value) + " " + labels["points"] if change.known else "–",
                  change_note(before, lang)),
        KeyFigure(labels["key_deficit"], count_of(deficits, lang), str(year)),
        KeyFigure(labels["col_county_authority"].format(year=year), pct_or_missing(fk_now, lang),
                  labels["key_norm"].format(kind=phrase(lang, "kind_fylkeskommuner"))
                  + " " + percent(fig.NORM_COUNTY_AUTHORITIES, 0)),
    )
    title = text.headline(lang, subject, now, before, norm)
    lede = text.lede(lang, subject, now, before) + _coverage(lang, register, now, before)
    return base_context(lang, config, prov, title, f"Kommuneøkonomien {year}: {subject}",
                        "county", report_date(config), templates_dir, lede=tuple(lede),
                        key_figures=key_figures, sections=sections,
                        charts=tuple(c for c in (spread_c, trend, units_c) if c),
                        notes=border_notes(lang, year))


def _coverage(lang: str, register: Register, now: fig.Figure, before: fig.Figure) -> list[str]:
    """When the aggregate leaves municipalities out, the lede says which."""
    if not now.known or now.n == now.total:
        return []
    out = [phrase(lang, "lede_coverage", n=whole_word(now.n, lang),
                  total=whole_word(now.total, lang),
                  missing=text.join_names(_names(register, now.missing), lang))]
    if before.known and before.n != now.n:
        out.append(phrase(lang, "lede_coverage_before", n=whole_word(before.n, lang),
                          total=whole_word(before.total, lang)))
    return out


def _norm_paragraph(lang: str, subject: str, now: fig.Figure, norm: fig.Norm,
                    rows: list[fig.Row], deficits: fig.Count) -> list[str]:
    out = text.norm_sentences(lang, subject, now, norm)
    if deficits.reported:
        reached = sum(r.ndr.known and r.ndr.value >= norm.value for r in rows)
        out.append(phrase(lang, "norm_reached", count=text.count_words(reached, lang, True),
                          total=whole_word(deficits.reported, lang), year=now.year))
    if not now.known and now.note == fig.NOTE_NO_WEIGHTS:
        out.append(phrase(lang, "not_weighted"))
    return out


def _spread(lang: str, t: pd.DataFrame, register: Register, units: list[str],
            rows: list[fig.Row], year: int,
            prov: Provenance) -> tuple[list[str], charts.Chart | None]:
    """Deficits, emptied reserves, best and worst, ROBEK, coverage; and the histogram."""
    deficits, deficits_before = fig.deficits(t, units, year), fig.deficits(t, units, year - 1)
    emptied, emptied_before = (fig.emptied_reserves(t, units, year),
                               fig.emptied_reserves(t, units, year - 1))
    prov.add(deficits_before, emptied, emptied_before)
    known = [r for r in rows if r.ndr.known]
    extremes = [phrase(lang, "best_worst", best=known[0].name,
                       best_value=text.pct(known[0].ndr.value, lang), worst=known[-1].name,
                       worst_value=text.pct(known[-1].ndr.value, lang))] if len(known) > 1 else []
    robek = fig.robek_members(register, units)
    robek_text = (phrase(lang, "robek_some", names=text.join_names(_names(register, robek), lang),
                         date=ROBEK_DATE) if robek
                  else phrase(lang, "robek_none", date=ROBEK_DATE))
    paragraphs = [
        " ".join(text.deficit_sentences(lang, deficits, deficits_before) + extremes),
        " ".join(text.emptied_sentences(lang, emptied, emptied_before)),
        " ".join([robek_text,
                  text.coverage_sentence(lang, deficits, _names(register, deficits.missing))]),
    ]
    chart = spread_chart(lang, fig.shares(t, "ndr_pct", year, units)["pct"], deficits, year)
    return [p for p in paragraphs if p], chart


def _versus_country(lang: str, dataset: Dataset, register: Register, units: list[str],
                    subject: str, name: str, now: fig.Figure, year: int,
                    prov: Provenance) -> tuple[list[str], charts.Chart | None]:
    """The county's municipalities against the country, in words and over the years."""
    t = dataset.table
    national = fig.national(t, register, year)
    reserve = fig.weighted(t, units, year, "dispfond_pct")
    national_reserve = fig.national(t, register, year, "dispfond_pct")
    years = trend_years(dataset, year)
    mine = fig.series(t, units, years)
    national_series = [fig.national(t, register, y) for y in years]
    prov.add(national, reserve, national_reserve, *mine, *national_series)
    result = [phrase(lang, "national", value=text.pct(national.value, lang), year=year)
              if national.known else "",
              text.compare_sentence(lang, "versus", subject, now, national) or ""]
    reserves = []
    if reserve.known:
        reserves.append(phrase(lang, "reserve", subject=subject,
                               value=text.pct(reserve.value, lang), year=year))
    if national_reserve.known:
        reserves.append(phrase(lang, "reserve_national",
                               value=text.pct(national_reserve.value, lang)))
    trend = trend_chart(lang, phrase(lang, "series_county", county=name), mine, national_series,
                        fig.norm("kommuner", year), subject)
    return [p for p in (" ".join(result).strip(), " ".join(reserves)) if p], trend


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
        # Another language than the county's own gets its own file, not the same name.
        suffix = lang if lang and lang != c.lang else None
        target = out_dir / outputs.county_name(year, c.short_name, suffix)
    else:
        from kommunerapport.sector import sector_context

        context = sector_context(dataset, register, year, lang or "nb", config, templates_dir)
        target = out_dir / outputs.sector_name(year, lang if lang == "nn" else None)
    return write_context(context, target, templates_dir)


def write_context(context: ReportContext, target: Path, templates_dir: Path | None = None) -> Path:
    html = render_html(context, templates_dir=templates_dir)
    with outputs.atomic_write(target) as tmp:
        write_pdf(html, tmp, templates_dir)
    records.record_written(target, kind=context.kind, lang=context.lang, sample=context.sample)
    return target
