"""The pictures of a report: the trend and spread charts, the maps, the bars in a table.

Each comes with its alt text and its figures as a table (or where they are), every
number through the report's ``FactBook``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.regions import Register
from kommunerapport.pictures import charts, maps
from kommunerapport.pictures import classes as map_classes
from kommunerapport.render.context import Chart
from kommunerapport.reports.common import unit_name
from kommunerapport.writing import text
from kommunerapport.writing.facts import Fact, FactBook
from kommunerapport.writing.formatting import number
from kommunerapport.writing.lang import label, phrase, source_name

# Intervals of the spread chart, in % of BDI.
BINS = (-99.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 99.0)


def sources_text(lang: str, items: Sequence[fig.Figure | fig.Count]) -> str:
    """The sources of the figures a picture shows, as a reader wants them."""
    found = sorted({s for item in items for s in item.sources})
    return "; ".join(source_name(s, lang) for s in found)


def area_sources(lang: str, t: pd.DataFrame, units: list[str], year: int) -> str:
    """The sources of the values a map colours its units by (``areas``)."""
    return sources_text(lang, [fig.unit_figure(t, u, year, "ndr_pct") for u in units])


def trend_chart(lang: str, book: FactBook, series: dict[str, list[fig.Figure]],
                norm: norms.Norm, subject_key: str, compare_key: str,
                above_subject: str) -> Chart | None:
    """Lines over the years with the norm, and the same figures as a table.

    ``series``: label → one Figure per year, the subject first. The alt text says
    in how many years the subject lay above ``compare_key``'s line.
    """
    first = next(iter(series.values()))
    years = [f.year for f in first]
    if len(years) < 2:
        return None
    norm_text = number(norm.value, norm.decimals) + "\u00a0%"
    book.norm(norm, years[-1])
    shown = {name: mixed_name(lang, name, fs) for name, fs in series.items()}
    drawn = {shown[name]: [f.value if f.known else None for f in fs]
             for name, fs in series.items()}
    rows = tuple((shown[name], *(book.pct_cell(f, name) for f in fs))
                 for name, fs in series.items())
    last = ", ".join(f"{name} {book.pct(fs[-1], name) if fs[-1].known else '–'}"
                     for name, fs in series.items())
    alt = phrase(lang, "chart_trend_alt", first=years[0], last=years[-1],
                 series=text.join_names(list(series), lang),
                 norm=book.norm(norm, years[-1]), values=last)
    mine, other = series[subject_key], series[compare_key]
    # Years are compared only where both lines have a figure of the same scope.
    both = [(a, b) for a, b in zip(mine, other, strict=True)
            if a.known and b.known and text.same_scope(a, b)]
    if both:
        above = sum(FactBook.shown(a) > FactBook.shown(b) for a, b in both)
        small = len(both) <= text.WORDS_UP_TO
        book.count(above, above_subject, "years_above", f"{years[0]}–{years[-1]}",
                   unit="unit_years")
        book.count(len(both), above_subject, "years_compared", f"{years[0]}–{years[-1]}",
                   unit="unit_years")
        alt += " " + phrase(lang, "chart_trend_above", subject=above_subject,
                            other=compare_key[:1].lower() + compare_key[1:],
                            count=text.amount(above, lang, small),
                            years=text.amount(len(both), lang, small))
    return Chart(
        charts.trend(years, drawn, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_trend_title", first=years[0], last=years[-1]),
        (label(lang, "col_year"), *map(str, years)), rows,
        unit=label(lang, "chart_unit_percent"),
        source=sources_text(lang, [f for fs in series.values() for f in fs]))


def mixed_name(lang: str, name: str, figures: list[fig.Figure]) -> str:
    """A line that joins sample and real years says which years are sample («Lørenskog
    (eksempeldata 2020–2023)»): the legend and the table under the chart both show it."""
    known = [f for f in figures if f.known]
    sample = [f.year for f in known if f.synthetic]
    if not sample or len(sample) == len(known):
        return name
    years = (f"{sample[0]}–{sample[-1]}" if sample == list(range(sample[0], sample[-1] + 1))
             and len(sample) > 1 else ", ".join(map(str, sample)))
    return label(lang, "series_sample_years", name=name, years=years)


def spread_chart(lang: str, book: FactBook, values: pd.Series, deficits: fig.Count,
                 about: str, year: int) -> Chart | None:
    """How many units in each interval of netto driftsresultat; None when none has one."""
    if values.empty:
        return None
    shown = values.map(lambda v: float(FactBook.shown(fig.Figure(v, "ndr_pct", year, ""))))
    names = []
    for lo, hi in zip(BINS, BINS[1:], strict=False):
        if lo == BINS[0]:
            names.append(phrase(lang, "bin_below", hi=number(hi)))
        elif hi == BINS[-1]:
            names.append(phrase(lang, "bin_above", lo=number(lo)))
        else:
            names.append(phrase(lang, "bin_between", lo=number(lo), hi=number(hi)))
    counts = [int(((shown >= lo) & (shown < hi)).sum()) for lo, hi in
              zip(BINS, BINS[1:], strict=False)]
    rows = ((label(lang, "col_count"),
             *(book.count(n, about, "in_interval", year, deficits) for n in counts)),)
    small = deficits.reported <= text.WORDS_UP_TO
    book.count(deficits.count, about, "deficits", year, deficits)
    book.count(deficits.reported, about, "reported", year, deficits)
    alt = phrase(lang, "chart_spread_alt", year=year,
                 deficit=text.capital(text.amount(deficits.count, lang, small)),
                 reported=text.amount(deficits.reported, lang, small))
    return Chart(
        charts.histogram(names, counts, [hi <= 0 for hi in BINS[1:]],
                         label(lang, "axis_count")),
        alt, phrase(lang, "chart_spread_title", year=year),
        (label(lang, "col_interval"), *names), rows, unit=label(lang, "axis_count"),
        source=sources_text(lang, [deficits]))


def bars(values: list[float | None]) -> tuple[tuple[float, float, bool] | None, ...]:
    """Bar geometry for a table column: zero where the values need it, the largest size
    filling its side. (left %, width %, negative) per value, None for no value."""
    known = [v for v in values if v is not None]
    if not known:
        return tuple(None for _ in values)
    low, high = min(min(known), 0.0), max(max(known), 0.0)
    span = (high - low) or 1.0
    zero = -low / span * 100
    out: list[tuple[float, float, bool] | None] = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        width = abs(v) / span * 100
        left = zero - width if v < 0 else zero
        out.append((round(left, 2), round(max(width, 0.5), 2), v < 0))
    return tuple(out)


# ---------------------------------------------------------------------- maps

def map_labels(lang: str, year: int) -> map_classes.Labels:
    return map_classes.Labels(label(lang, "map_legend", year=year),
                              phrase(lang, "bin_below", hi="{hi}"),
                              phrase(lang, "bin_between", lo="{lo}", hi="{hi}"),
                              phrase(lang, "bin_above", lo="{lo}"), label(lang, "map_missing"),
                              label(lang, "map_more"), label(lang, "map_municipalities"),
                              label(lang, "map_county_authorities"))


def areas(t: pd.DataFrame, register: Register, units: list[str],
          year: int) -> list[map_classes.Area]:
    """Units with their netto driftsresultat *as shown*, so a unit shown as 0,0 is coloured as
    0,0 is: not a deficit."""
    out = []
    for u in units:
        f = fig.unit_figure(t, u, year, "ndr_pct")
        out.append(map_classes.Area(u, unit_name(register, u).split(" – ")[0],
                                    float(FactBook.shown(f)) if f.known else None))
    return out


def map_chart(lang: str, book: FactBook, drawn: maps.Map, year: int, title: str, what: str,
              data_note: str = "", classes_table: bool = False,
              count_label: str = "col_count", source: str = "") -> Chart:
    """A map as a chart: alt text from what it shows (classes, counts, the hatched units).

    ``classes_table``: its data as a table of how many units are in each class (the
    country map, whose 357 values have no table of their own); else ``data_note``
    says where its values stand. ``count_label``: what the units are, for that table.
    """
    for bound in map_classes.BREAKS:
        book.record(Fact(label(lang, "map_bounds_subject"), label(lang, "measure_bound"),
                         str(year), number(bound, 2 if bound % 1 else 0),
                         label(lang, "unit_percent"), "klassegrense"))
    parts = []
    for p in drawn.panels:
        counts = "; ".join(
            f"{c.label}: {book.count(c.count, p.title or what, 'in_class', year)}"
            for c in reversed(p.classes))
        parts.append(phrase(lang, "map_classes", panel=p.title or text.capital(what),
                            counts=counts))
        if p.missing:
            parts.append(phrase(lang, "map_missing", names=text.join_names(list(p.missing),
                                                                             lang)))
    alt = phrase(lang, "map_alt", what=what, year=year) + " " + " ".join(parts)
    if drawn.member:
        alt += " " + phrase(lang, "map_member", name=drawn.member)
    alt += " " + drawn.credit + "."
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    if classes_table:  # one row per panel, the classes across, as the other charts' strips
        headers = (label(lang, "col_class"), *(c.label for c in reversed(drawn.panels[0].classes)))
        rows = tuple((p.title or label(lang, count_label),
                      *(book.count(c.count, p.title or what, "in_class", year)
                        for c in reversed(p.classes)))
                     for p in drawn.panels)
    return Chart(drawn.drawing, alt, title, headers, rows,
                 data_note="" if classes_table else data_note, style="map",
                 unit=label(lang, "chart_unit_percent"), source=source)


