"""What the three kinds of report share: names, comparisons, counts and the text to check.

Below ``county``, ``sector`` and ``member``; imports none of them. Pure: data and
figures in, parts of a ``ReportContext`` out.

Counts are made of the figures *as shown* (``docs/numbers.md``): a netto driftsresultat
of −0,04 is printed 0,0 and is no deficit, in the text, the table, the map or a count.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model.config import Config, Contact, Quote
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.render.context import Chart, DataTable, KeyFigure, ReportContext, Section
from kommunerapport.writing import text
from kommunerapport.writing.check import Draft
from kommunerapport.writing.facts import Fact, FactBook, Who, plain
from kommunerapport.writing.lang import label, phrase

TREND_YEARS = 6
OSLO, OSLO_COUNTY = "0301", "03"
# The most pages a report of each kind may take, data tables included.
PAGE_LIMITS = {ReportKind.MEMBER: 2, ReportKind.COUNTY: 3, ReportKind.SECTOR: 4}


@dataclass(frozen=True)
class Report:
    """A report's template context and what the tool needs besides: its facts for the
    check and the press kit, the names it uses, its page limit and warnings.

    ``context`` is what a reader sees; ``marked`` is the same with every number still in
    its slot (``writing.facts``), which the text check reads.
    """

    context: ReportContext
    facts: tuple[Fact, ...]
    kind: ReportKind
    number: str  # the county or member number; "" for the sector
    year: int
    partial: bool  # some of the units it speaks of have no figures
    names: frozenset[str]  # proper names it uses (not checked as bokmål/nynorsk)
    marked: ReportContext | None = None
    user_text: tuple[str, ...] = ()  # the config's words as printed (headline, lede, quotes)
    refused: tuple[str, ...] = ()  # the user's words the figures refute (``writing.claims``)
    warnings: tuple[str, ...] = ()

    @property
    def page_limit(self) -> int:
        return PAGE_LIMITS[self.kind]

    def draft(self) -> Draft:
        """What the text check reads (``writing.check``): every sentence by where it stands."""
        marked = self.marked or self.context
        user = set(self.user_text)
        prose = tuple((where, s) for where, s in sentences(marked) if s not in user)
        return Draft(self.context.subject.split(".")[0], self.context.lang, self.year,
                     prose, tuple(_layout(marked)), self.facts, self.names,
                     tuple(_cells(marked)), self.refused, self.partial,
                     tuple(("brukerens tekst", t) for t in self.user_text))


@dataclass
class Parts:
    """The pieces of a report as they are made; ``frame`` turns them into a ``Report``."""

    lang: str
    book: FactBook
    names: set[str] = field(default_factory=set)


# ---------------------------------------------------------------------- dates and names

def report_date(config: Config) -> dt.date:
    """The dateline: the config's date, else SOURCE_DATE_EPOCH (reproducible builds), else today."""
    if config.date:
        return config.date
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()


def official(name: str) -> str:
    """Klass's official name with its parallel forms: «Guovdageaidnu – Kautokeino»."""
    return name.replace(" - ", " – ")


def unit_name(register: Register, number: str) -> str:
    """A municipality's or county's official name, parallel forms included."""
    return official(register.unit(number).name)


def county_subject(lang: str, book: FactBook, county: County, units: list[str],
                   covered: tuple[str, ...], year: int) -> text.Subject:
    """«kommunene i Vestfold», or «de fem kommunene i Vestland som har rapportert,», bound
    to the units its figures are made of (``covered``: those with a figure)."""
    reported = [u for u in units if u in set(covered)]
    if reported and len(reported) < len(units):
        small = len(reported) <= text.WORDS_UP_TO
        who = Who(label(lang, "subject_reporting"), frozenset(reported))
        if len(reported) == 1:
            partial = phrase(lang, "subject_county_reported_one", county=county.short_name)
        else:
            count = book.amount(len(reported), who, "reported", year, small=small)
            partial = phrase(lang, "subject_county_reported", n=count, county=county.short_name)
        return text.Subject(partial, partial, partial, frozenset(reported))
    return text.Subject(phrase(lang, "subject_county", county=official(county.name)),
                        phrase(lang, "subject_county", county=county.short_name),
                        phrase(lang, "subject_county", county=county.short_name),
                        frozenset(units))


def named(lang: str, book: FactBook, county: County, units: list[str], f: fig.Figure,
          subject: text.Subject) -> str | Who:
    """The name a county's figure is shown under: the county's subject when it is made of
    the same units, else «de fem av seks kommunene i X som har rapportert,»."""
    if not f.covers or frozenset(f.covers) == subject.units:
        return subject.who()
    if frozenset(f.covers) == frozenset(units):
        return Who(phrase(lang, "subject_county", county=county.short_name), frozenset(units))
    small = len(units) <= text.WORDS_UP_TO
    reporting = Who(label(lang, "subject_reporting"), frozenset(f.covers))
    n = book.amount(len(f.covers), reporting, "reported", f.year, f, small=small)
    total = book.amount(len(units), subject.again, "units_total", f.year, small=small)
    return Who(phrase(lang, "subject_county_some", n=n, total=total, county=county.short_name),
               frozenset(f.covers))


# ---------------------------------------------------------------------- figures

def municipal_units(register: Register, county: str | None = None) -> list[str]:
    units = register.in_county(county) if county else register.municipalities
    return [m.number for m in units]


def county_authority_units(register: Register, year: int) -> list[str]:
    """The county authorities of ``year`` without Oslo: Oslo's accounts are Oslo kommune's."""
    return fig.county_authorities(register, year, with_oslo=False)


def reported_units(t: pd.DataFrame, units: list[str], year: int,
                   measure: str = "ndr_pct") -> list[str]:
    """The units with a usable figure (and weight) in ``year``, in the given order."""
    usable = fig.shares(t, measure, year, units).dropna().index
    return [u for u in units if u in usable]


def before_same_units(t: pd.DataFrame, units: list[str], now: fig.Figure,
                      measure: str = "ndr_pct") -> fig.Figure | None:
    """Last year's aggregate over exactly the units that make up ``now``, or None when
    some of them have no figure then (a change would compare different units)."""
    current = reported_units(t, units, now.year, measure)
    if not current:
        return None
    before = fig.weighted(t, current, now.year - 1, measure)
    return before if before.known and before.n == len(current) else None


def trend_years(dataset: Dataset, year: int, count: int = TREND_YEARS) -> list[int]:
    return [y for y in dataset.years if y <= year][-count:]


def series_over(t: pd.DataFrame, units: list[str], years: list[int],
                measure: str = "ndr_pct") -> list[fig.Figure]:
    """A line over the years made of one set of units: the units with a figure in the last
    year. A year in which some of them have none shows no figure (the line does not join
    two sets of units); a year without any of them shows none either."""
    last = reported_units(t, units, years[-1], measure) if years else []
    out = []
    for y in years:
        f = fig.weighted(t, last or units, y, measure)
        if not last or (f.known and f.n < len(last)):
            f = dataclasses.replace(f, value=None, note=fig.NOTE_NO_FIGURES)
        out.append(f)
    return out


def shown_count(t: pd.DataFrame, units: list[str], year: int, measure: str,
                meets: Callable[[Decimal], bool]) -> fig.Count:
    """How many of the reporting ``units`` meet ``meets`` *as shown* (rounded as printed),
    with the provenance of every figure counted."""
    everyone = fig.count(t, units, year, measure, math.inf)
    values = fig.shares(t, measure, year, units)["pct"]
    hits = tuple(u for u in everyone.units
                 if meets(FactBook.shown(fig.Figure(float(values[u]), measure, year, ""))))
    return dataclasses.replace(everyone, count=len(hits), units=hits)


def deficits(t: pd.DataFrame, units: list[str], year: int) -> fig.Count:
    """Municipalities whose netto driftsresultat as shown is below zero (−0,04 is 0,0)."""
    return shown_count(t, units, year, "ndr_pct", lambda v: v < 0)


def emptied_reserves(t: pd.DataFrame, units: list[str], year: int) -> fig.Count:
    """Municipalities whose disposisjonsfond as shown is zero or less («tømt»)."""
    return shown_count(t, units, year, "dispfond_pct", lambda v: v <= 0)


def counts_same_units(t: pd.DataFrame, units: list[str], year: int,
                      counter: Callable[[pd.DataFrame, list[str], int], fig.Count]
                      ) -> tuple[fig.Count, fig.Count | None]:
    """``counter`` (``deficits``, ``emptied_reserves``) this year, and the year before over
    the units that reported this year, so the two compare the same units."""
    now = counter(t, units, year)
    reporting = [u for u in units if u not in now.missing]
    return now, (counter(t, reporting, year - 1) if reporting else None)


def count_key(lang: str, book: FactBook, counted: fig.Count, about: str) -> str:
    """«2 av 6» for a key-figure box or a table; a dash when nobody reported."""
    if not counted.reported:
        return "–"
    n = book.count(counted.count, about, "deficits", counted.year, counted)
    of = book.count(counted.reported, about, "reported", counted.year, counted)
    return f"{n} {label(lang, 'of')} {of}"


# ---------------------------------------------------------------------- the text to check

def sentences(ctx: ReportContext) -> Iterator[tuple[str, str]]:
    """The report's sentences (its own and the user's, filled in), each with where it stands."""
    yield "tittel", ctx.title
    for sentence in ctx.lede:
        yield "ingress", sentence
    for kf in ctx.key_figures:
        yield "nøkkeltall", f"{kf.label}: {kf.value}. {kf.note}"
    for section in ctx.sections:
        for paragraph in section.paragraphs:
            yield section.heading, paragraph
        for chart in section.charts:
            yield section.heading, chart.title
            yield section.heading, chart.alt
            if chart.data_note:
                yield section.heading, chart.data_note
        if section.table is not None and section.table.note:
            yield section.heading, section.table.note
    yield "om tallene", ctx.sample_note


def _cells(ctx: ReportContext) -> Iterator[tuple[str, str]]:
    """Every cell of the tables and of the charts' figures but the column that names the
    row (a name may hold digits): numbers from facts, too."""
    for section in ctx.sections:
        tables = [section.table] if section.table else []
        for table in tables:
            for row in table.rows:
                for i, cell in enumerate(row):
                    if i != table.header_column:
                        yield f"{section.heading}, tabell", cell
        for chart in section.charts:
            for row in chart.rows:
                for cell in row[1:]:
                    yield f"{section.heading}, figur", cell


def _layout(ctx: ReportContext) -> Iterator[tuple[str, str]]:
    """Headings, table headers and notes: checked for language, not for numbers."""
    for section in ctx.sections:
        yield "overskrift", section.heading
        tables = [section.table] if section.table else []
        for table in tables:
            yield section.heading, table.caption
            yield section.heading, " ".join(table.headers)
            for row in table.rows:
                yield section.heading, " ".join(row)
        for chart in section.charts:
            yield section.heading, " ".join(chart.headers)
            for row in chart.rows:
                yield section.heading, row[0]
    yield "om tallene", ctx.provenance.caption
    for row in ctx.provenance.rows:
        yield "om tallene", " ".join(row[:1] + row[2:])
    for note in ctx.notes:
        yield "om tallene", note
    yield "om tallene", ctx.method
    yield "metadata", ctx.subject
    yield "metadata", " ".join(k for k in ctx.keywords)


# ---------------------------------------------------------------------- what a reader sees

T = TypeVar("T")
_PLAIN_KINDS = (ReportContext, Section, Chart, DataTable, KeyFigure, Quote, Contact)


def without_slots(value: T) -> T:
    """``value`` with every slot mark taken out of its text (``writing.facts.plain``): the
    context the templates receive. Drawings are made of plain text already."""
    out: object
    if isinstance(value, str):
        out = plain(value)
    elif isinstance(value, tuple):
        out = tuple(without_slots(v) for v in value)
    elif isinstance(value, dict):
        out = {k: without_slots(v) for k, v in value.items()}
    elif isinstance(value, _PLAIN_KINDS):
        out = dataclasses.replace(value, **{
            f.name: without_slots(getattr(value, f.name)) for f in dataclasses.fields(value)
            if f.init and f.name != "drawing"})
    else:
        out = value
    return out  # type: ignore[return-value]  # the same type, rebuilt
