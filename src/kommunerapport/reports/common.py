"""What the three kinds of report share: names, comparisons, charts and the frame.

Below ``county``, ``sector`` and ``member``; imports none of them. Pure: data and
figures in, parts of a ``ReportContext`` out.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.render.context import ReportContext
from kommunerapport.writing import text
from kommunerapport.writing.check import Draft
from kommunerapport.writing.facts import Fact, FactBook
from kommunerapport.writing.lang import label, phrase

TREND_YEARS = 6
OSLO, OSLO_COUNTY = "0301", "03"
# The most pages a report of each kind may take, data tables included.
PAGE_LIMITS = {ReportKind.MEMBER: 2, ReportKind.COUNTY: 3, ReportKind.SECTOR: 4}


@dataclass(frozen=True)
class Report:
    """A report's template context and what the tool needs besides: its facts for the
    check and the press kit, the names it uses, its page limit and warnings."""

    context: ReportContext
    facts: tuple[Fact, ...]
    kind: ReportKind
    number: str  # the county or member number; "" for the sector
    year: int
    partial: bool  # some of the units it speaks of have no figures
    names: frozenset[str]  # proper names it uses (not checked as bokmål/nynorsk)
    user_text: tuple[str, ...] = ()  # the config's headline and lede, as given
    warnings: tuple[str, ...] = ()
    main: Decimal | None = None  # the headline figure as shown (netto driftsresultat)
    main_change: Decimal | None = None  # its change from the year before, as shown

    @property
    def page_limit(self) -> int:
        return PAGE_LIMITS[self.kind]

    def draft(self) -> Draft:
        """What the text check reads (``writing.check``): every sentence by where it stands."""
        return Draft(self.context.subject.split(".")[0], self.context.lang, self.year,
                     tuple(_prose(self)), tuple(_layout(self)), self.facts, self.names,
                     self.user_text, self.partial, self.main, self.main_change)


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


def county_subject(lang: str, county: County, reported: int, total: int) -> text.Subject:
    """«kommunene i Vestfold», or «de fem kommunene i Vestland som har rapportert»."""
    if reported < total:
        count = text.amount(reported, lang, reported <= text.WORDS_UP_TO)
        partial = phrase(lang, "subject_county_reported", n=count, county=county.short_name)
        return text.Subject(partial, partial, partial)
    return text.Subject(phrase(lang, "subject_county", county=official(county.name)),
                        phrase(lang, "subject_county", county=county.short_name),
                        phrase(lang, "subject_county", county=county.short_name))


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


def counts_same_units(t: pd.DataFrame, units: list[str], year: int,
                      counter: Callable[[pd.DataFrame, list[str], int], fig.Count]
                      ) -> tuple[fig.Count, fig.Count | None]:
    """``counter`` (``figures.deficits``, ``emptied_reserves``) this year, and the year
    before over the units that reported this year, so the two compare the same units."""
    now = counter(t, units, year)
    reporting = [u for u in units if u not in now.missing]
    return now, (counter(t, reporting, year - 1) if reporting else None)


def count_key(lang: str, book: FactBook, deficits: fig.Count, about: str) -> str:
    """«2 av 6» for a key-figure box or a table; a dash when nobody reported."""
    if not deficits.reported:
        return "–"
    n = book.count(deficits.count, about, "deficits", deficits.year, deficits)
    of = book.count(deficits.reported, about, "reported", deficits.year, deficits)
    return f"{n} {label(lang, 'of')} {of}"


# ---------------------------------------------------------------------- the text to check

def _prose(report: Report) -> Iterator[tuple[str, str]]:
    """The generated sentences (not the user's own text), each with where it stands."""
    ctx = report.context
    yield "tittel", ctx.title if ctx.title not in report.user_text else ""
    for sentence in ctx.lede:
        if sentence not in report.user_text:
            yield "ingress", sentence
    for kf in ctx.key_figures:
        yield "nøkkeltall", f"{kf.label}: {kf.value}. {kf.note}"
    for section in ctx.sections:
        for paragraph in section.paragraphs:
            yield section.heading, paragraph
        for chart in section.charts:
            yield section.heading, chart.title
            yield section.heading, chart.alt
        if section.table is not None and section.table.note:
            yield section.heading, section.table.note
    yield "om tallene", ctx.sample_note


def _layout(report: Report) -> Iterator[tuple[str, str]]:
    """Headings, table headers and notes: checked for language, not for numbers."""
    ctx = report.context
    for section in ctx.sections:
        yield "overskrift", section.heading
        tables = [section.table] if section.table else []
        for table in tables:
            yield section.heading, table.caption
            yield section.heading, " ".join(table.headers)
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
