"""The pictures of a report: the trend and spread charts, the maps, the bars in a table.

Each comes with its alt text and its figures as a table (or where they are), every
number through the report's ``FactBook``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.regions import Register
from kommunerapport.pictures import charts, maps
from kommunerapport.pictures import classes as map_classes
from kommunerapport.render.context import Chart
from kommunerapport.writing import text
from kommunerapport.writing.facts import Fact, FactBook, Who, plain
from kommunerapport.writing.formatting import NBSP, number
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


@dataclass(frozen=True)
class Series:
    """One line of a trend chart: its label in the legend and table («Kommunene i Vestfold»),
    its name in a sentence («kommunene i Vestfold»), a figure per year, and the set of
    units its figures must be made of (empty for one unit or a published aggregate)."""

    label: str
    prose: str
    figures: tuple[fig.Figure, ...]
    units: frozenset[str] = frozenset()

    def who(self, name: str) -> str | Who:
        return Who(name, self.units) if self.units else name


def trend_chart(lang: str, book: FactBook, series: list[Series], norm: norms.Norm,
                compare: int = -1) -> Chart | None:
    """Lines over the years with the norm, and the same figures as a table.

    ``series``: the subject first. The alt text says in how many years the subject lay
    above ``series[compare]``. A line is drawn only through the years its figures are of
    its own units (``common.series_over``).
    """
    first = series[0].figures
    years = [f.year for f in first]
    if len(years) < 2:
        return None
    norm_text = number(norm.value, norm.decimals) + NBSP + "%"
    # A line that joins sample and real years says which are sample (``mixed_name``).
    shown = [mixed_name(lang, s.label, s.figures) for s in series]
    drawn = {plain(name): [f.value if f.known else None for f in s.figures]
             for name, s in zip(shown, series, strict=True)}
    rows = tuple((name, *(book.pct_cell(f, s.who(s.prose)) for f in s.figures))
                 for name, s in zip(shown, series, strict=True))
    last = ", ".join(f"{s.prose} {book.pct(s.figures[-1], s.who(s.prose))}"
                     if s.figures[-1].known else f"{s.prose} –" for s in series)
    alt = phrase(lang, "chart_trend_alt", first=years[0], last=years[-1],
                 series=text.join_names([s.prose for s in series], lang),
                 norm=book.norm(norm, years[-1]), values=last)
    mine, other = series[0], series[compare]
    # Years are compared only where both lines have a figure of the same scope.
    both = [(a, b) for a, b in zip(mine.figures, other.figures, strict=True)
            if a.known and b.known and text.same_scope(a, b)]
    if len(both) >= 2:  # «i null av ett år» says nothing
        above = sum(FactBook.shown(a) > FactBook.shown(b) for a, b in both)
        small = len(both) <= text.WORDS_UP_TO
        span = f"{years[0]}–{years[-1]}"
        alt += " " + phrase(lang, "chart_trend_above", subject=mine.prose, other=other.prose,
                            count=book.amount(above, mine.prose, "years_above", span,
                                              small=small, unit="unit_years", gender="n"),
                            years=book.amount(len(both), mine.prose, "years_compared", span,
                                              small=small, unit="unit_years", gender="n"))
    for s in series:  # a set's line has no point where some of its units have no figure
        gaps = [f.year for f in s.figures if not f.known]
        if s.units and gaps and len(gaps) < len(years):
            alt += " " + phrase(lang, "chart_trend_gaps", subject=s.prose,
                                years=_years(gaps, lang))
    return Chart(
        charts.trend(years, drawn, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_trend_title", first=years[0], last=years[-1]),
        (label(lang, "col_year"), *map(str, years)), rows,
        unit=label(lang, "chart_unit_percent"),
        source=sources_text(lang, [f for s in series for f in s.figures]))


def mixed_name(lang: str, name: str, figures: Sequence[fig.Figure]) -> str:
    """A line that joins sample and real years says which years are sample («Lørenskog
    (eksempeldata 2020–2023)»): the legend and the table under the chart both show it."""
    known = [f for f in figures if f.known]
    sample = [f.year for f in known if f.synthetic]
    if not sample or len(sample) == len(known):
        return name
    years = (f"{sample[0]}–{sample[-1]}" if sample == list(range(sample[0], sample[-1] + 1))
             and len(sample) > 1 else ", ".join(map(str, sample)))
    return label(lang, "series_sample_years", name=name, years=years)


def _years(years: list[int], lang: str) -> str:
    """«2020–2024», «2021 og 2023»: the years, runs as spans."""
    runs: list[list[int]] = []
    for y in sorted(years):
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return text.join_names([f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs],
                           lang)


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
    alt = phrase(lang, "chart_spread_alt", year=year,
                 deficit=text.capital(book.amount(deficits.count, about, "deficits", year,
                                                  deficits, small=small)),
                 reported=book.amount(deficits.reported, about, "reported", year, deficits,
                                      small=small))
    return Chart(
        charts.histogram(names, counts, [hi <= 0 for hi in BINS[1:]],
                         label(lang, "axis_count")),
        alt, phrase(lang, "chart_spread_title", year=year),
        (label(lang, "col_interval"), *names), rows, unit=label(lang, "axis_count"),
        source=sources_text(lang, [deficits]), style="spread")


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
    0,0 is: not a deficit. Named by their short names, as after a first mention."""
    out = []
    for u in units:
        f = fig.unit_figure(t, u, year, "ndr_pct")
        out.append(map_classes.Area(u, register.unit(u).short_name,
                                    float(FactBook.shown(f)) if f.known else None))
    return out


def class_words(lang: str, book: FactBook, c: map_classes.MapClass, year: int) -> str:
    """A class's label with its bounds in slots: «0 til under 1,75»."""
    def bound(v: float) -> str:
        return book.slot(Fact(label(lang, "map_bounds_subject"), label(lang, "measure_bound"),
                              str(year), number(v, 2 if v % 1 else 0),
                              label(lang, "unit_percent"), "klassegrense"))
    if c.lo is None:
        return phrase(lang, "bin_below", hi=bound(c.hi if c.hi is not None else 0.0))
    if c.hi is None:
        return phrase(lang, "bin_above", lo=bound(c.lo))
    return phrase(lang, "bin_between", lo=bound(c.lo), hi=bound(c.hi))


def map_chart(lang: str, book: FactBook, drawn: maps.Map, year: int, title: str, what: str,
              data_note: str = "", classes_table: bool = False,
              count_label: str = "col_count", source: str = "") -> Chart:
    """A map as a chart: alt text from what it shows (classes, counts, the hatched units).

    ``classes_table``: its data as a table of how many units are in each class (the
    country map, whose 357 values have no table of their own); else ``data_note``
    says where its values stand. ``count_label``: what the units are, for that table.
    Each class's count is a fact of its own, named by its class («Kommuner i klassen
    0 til under 1,75»), and the map's boundaries are credited in «Om tallene».
    """
    book.credit(label(lang, "source_kartverket"), label(lang, "credit_boundaries"), "2024")

    def counted(p: map_classes.Panel, c: map_classes.MapClass) -> str:
        authorities = p.title == label(lang, "map_county_authorities") or (
            count_label == "col_count_county_authorities")
        unit = "unit_county_authorities" if authorities else "unit_municipalities"
        measure = label(lang, "measure_in_class", cls=plain(class_words(lang, book, c, year)))
        return book.slot(Fact(p.title or text.capital(what), measure, str(year),
                              str(c.count), label(lang, unit), "antall"))

    parts = []
    for p in drawn.panels:
        counts = "; ".join(f"{class_words(lang, book, c, year)}: {counted(p, c)}"
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
        headers = (label(lang, "col_class"),
                   *(class_words(lang, book, c, year) for c in reversed(drawn.panels[0].classes)))
        rows = tuple((p.title or label(lang, count_label),
                      *(counted(p, c) for c in reversed(p.classes)))
                     for p in drawn.panels)
    return Chart(drawn.drawing, alt, title, headers, rows,
                 data_note="" if classes_table else data_note, style="map",
                 unit=label(lang, "chart_unit_percent"), source=source)


