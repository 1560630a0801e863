"""What the three kinds of report share: names, comparisons, charts and the frame.

Below ``county``, ``sector`` and ``member``; imports none of them. Pure: data and
figures in, parts of a ``ReportContext`` out.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal

import pandas as pd

from kommunerapport import charts, maps, text
from kommunerapport import figures as fig
from kommunerapport.config import Config
from kommunerapport.context import DataTable, ReportContext
from kommunerapport.data import Dataset
from kommunerapport.facts import Fact, FactBook
from kommunerapport.formatting import number
from kommunerapport.lang import date_text, label, labels, phrase, release_name, sample_notice
from kommunerapport.regions import FIRST_YEAR, ROBEK_DATE, County, Register

# Intervals of the spread chart, in % of BDI.
BINS = (-99.0, -4.0, -2.0, 0.0, 2.0, 4.0, 6.0, 99.0)
TREND_YEARS = 6
OSLO, OSLO_COUNTY = "0301", "03"
# The most pages a report of each kind may take, data tables included.
PAGE_LIMITS = {"member": 2, "county": 3, "sector": 4}


@dataclass(frozen=True)
class Report:
    """A report's template context and what the tool needs besides: its facts for the
    check and the press kit, the names it uses, its page limit and warnings."""

    context: ReportContext
    facts: tuple[Fact, ...]
    kind: str  # sector | county | member
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
    unit = register.county(number) if len(number) == 2 else register.municipality(number)
    return official(unit.name)


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


def national(t: pd.DataFrame, register: Register, year: int, measure: str = "ndr_pct",
             with_oslo: bool = False) -> fig.Figure:
    """The municipalities of the country: SSB's own aggregate if published, else the
    weighted sum of *every* municipality; never an average of those a file happens to
    hold (five municipalities are not the country)."""
    code = "EAK" if with_oslo else "EAKUO"
    found = fig.published(t, code, year, measure)
    if found is not None:
        return found
    weighted = fig.weighted(t, fig.municipalities(register, with_oslo), year, measure)
    if weighted.known and weighted.n == weighted.total:
        return weighted
    return fig.Figure(None, measure, year, fig.METHOD_PUBLISHED, total=1, missing=(code,),
                      note=fig.NOTE_NO_FIGURES)


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
                      counter) -> tuple[fig.Count, fig.Count | None]:  # noqa: ANN001
    """``counter`` (``figures.deficits``, ``emptied_reserves``) this year, and the year
    before over the units that reported this year, so the two compare the same units."""
    now = counter(t, units, year)
    reporting = [u for u in units if u not in now.missing]
    return now, (counter(t, reporting, year - 1) if reporting else None)


# ---------------------------------------------------------------------- charts

def trend_chart(lang: str, book: FactBook, series: dict[str, list[fig.Figure]],
                norm: fig.Norm, subject_key: str, compare_key: str,
                above_subject: str) -> charts.Chart | None:
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
    drawn = {name: [f.value if f.known else None for f in fs] for name, fs in series.items()}
    rows = tuple((name, *(book.pct_cell(f, name) for f in fs)) for name, fs in series.items())
    last = ", ".join(f"{name} {book.pct(fs[-1], name) if fs[-1].known else '–'}"
                     for name, fs in series.items())
    alt = phrase(lang, "chart_trend_alt", first=years[0], last=years[-1],
                 series=text.join_names(list(series), lang),
                 norm=book.norm(norm, years[-1]), values=last)
    mine, other = series[subject_key], series[compare_key]
    both = [(a, b) for a, b in zip(mine, other, strict=True) if a.known and b.known]
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
    return charts.Chart(
        charts.trend(years, drawn, norm.value, phrase(lang, "series_norm", norm=norm_text)),
        alt, phrase(lang, "chart_trend_title", first=years[0], last=years[-1]),
        (label(lang, "col_year"), *map(str, years)), rows)


def spread_chart(lang: str, book: FactBook, values: pd.Series, deficits: fig.Count,
                 about: str, year: int) -> charts.Chart | None:
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
    return charts.Chart(
        charts.histogram(names, counts, [hi <= 0 for hi in BINS[1:]],
                         label(lang, "axis_count")),
        alt, phrase(lang, "chart_spread_title", year=year),
        (label(lang, "col_interval"), *names), rows)


def count_key(lang: str, book: FactBook, deficits: fig.Count, about: str) -> str:
    """«2 av 6» for a key-figure box or a table; a dash when nobody reported."""
    if not deficits.reported:
        return "–"
    n = book.count(deficits.count, about, "deficits", deficits.year, deficits)
    of = book.count(deficits.reported, about, "reported", deficits.year, deficits)
    return f"{n} {label(lang, 'of')} {of}"


def bars(values: list[float | None]) -> tuple[tuple[float, float, bool] | None, ...]:
    """Bar geometry for a table column: zero where the values need it, the largest size
    filling its side. (left %, width %, negative) per value, None for no value."""
    known = [v for v in values if v is not None]
    if not known:
        return tuple(None for _ in values)
    low, high = min(min(known), 0.0), max(max(known), 0.0)
    span = (high - low) or 1.0
    zero = -low / span * 100
    out = []
    for v in values:
        if v is None:
            out.append(None)
            continue
        width = abs(v) / span * 100
        left = zero - width if v < 0 else zero
        out.append((round(left, 2), round(max(width, 0.5), 2), v < 0))
    return tuple(out)


# ---------------------------------------------------------------------- maps

def map_labels(lang: str, year: int) -> maps.Labels:
    return maps.Labels(label(lang, "map_legend", year=year), phrase(lang, "bin_below", hi="{hi}"),
                       phrase(lang, "bin_between", lo="{lo}", hi="{hi}"),
                       phrase(lang, "bin_above", lo="{lo}"), label(lang, "map_missing"),
                       label(lang, "map_more"), label(lang, "map_municipalities"),
                       label(lang, "map_county_authorities"))


def areas(t: pd.DataFrame, register: Register, units: list[str], year: int) -> list[maps.Area]:
    """Units with their netto driftsresultat *as shown*, so a unit shown as 0,0 is coloured as
    0,0 is: not a deficit."""
    out = []
    for u in units:
        f = fig.unit_figure(t, u, year, "ndr_pct")
        out.append(maps.Area(u, unit_name(register, u).split(" – ")[0],
                             float(FactBook.shown(f)) if f.known else None))
    return out


def map_chart(lang: str, book: FactBook, drawn: maps.Map, year: int, title: str, what: str,
              data_note: str = "", classes_table: bool = False) -> charts.Chart:
    """A map as a chart: alt text from what it shows (classes, counts, the hatched units).

    ``classes_table``: its data as a table of how many units are in each class (the
    country map, whose 357 values have no table of their own); else ``data_note``
    says where its values stand.
    """
    for bound in maps.BREAKS:
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
        rows = tuple((p.title or label(lang, "col_count"),
                      *(book.count(c.count, p.title or what, "in_class", year)
                        for c in reversed(p.classes)))
                     for p in drawn.panels)
    return charts.Chart(drawn.drawing, alt, title, headers, rows,
                        data_note="" if classes_table else data_note, style="map")


# ---------------------------------------------------------------------- the frame

def source_name(source: str, lang: str) -> str:
    """«SSB 12134» as a reader wants it; anything unknown as it came."""
    if source.startswith("Eksempeldata"):
        return label(lang, "source_sample")
    return labels(lang).get(f"source_{source}", source)


def year_span(years: set[str]) -> str:
    """«2020–2025», «2024 og 2025», «2025»: consecutive years as a span."""
    numbers = sorted({int(y) for span in years for y in re.findall(r"\d{4}", span)})
    if not numbers:
        return ""
    if numbers == list(range(numbers[0], numbers[-1] + 1)) and len(numbers) > 1:
        return f"{numbers[0]}–{numbers[-1]}"
    return ", ".join(map(str, numbers))


# Facts that are made from other facts in the report (a difference, a count of who
# reported) add no source of their own to «Om tallene».
DERIVED = {"endring"}
BOOKKEEPING = {"reported", "units_total", "missing", "ranked", "rank", "years_above",
               "years_compared", "counties", "in_interval"}


def provenance_table(lang: str, facts: list[Fact], groups: dict[str, str]) -> DataTable:
    """«Om tallene»: for each source, what it gave, for which years, from which release.

    ``groups`` folds subjects into one line («Tønsberg» → «kommunene i Vestfold»).
    """
    skip = {label(lang, f"measure_{m}") for m in BOOKKEEPING}
    groups = {k.casefold(): v for k, v in groups.items()} | {
        label(lang, "series_national").casefold(): label(lang, "national")}
    table: dict[tuple[str, str], tuple[dict[str, None], set[str], dict[str, set[str]]]] = {}
    for f in facts:
        if f.method in DERIVED or f.measure in skip:
            continue
        for source, release, scope in f.origins:
            subjects, years, releases = table.setdefault((source, scope), ({}, set(), {}))
            subject = groups.get(f.subject.casefold(), f.subject)
            if all(subject.casefold() != known.casefold() for known in subjects):
                subjects.setdefault(subject)
            years.add(f.year)
            if release:
                releases.setdefault(release, set()).add(f.year)
    rows = []
    for (source, scope), (subjects, years, releases) in table.items():
        release_text = "; ".join(
            release_name(r, lang) + (f" ({year_span(ys)})" if len(releases) > 1 else "")
            for r, ys in sorted(releases.items(), key=lambda kv: year_span(kv[1])))
        rows.append((source_name(source, lang),
                     text.capital(text.join_names(list(subjects), lang)), year_span(years),
                     label(lang, f"scope_word_{scope}") if scope else "–",
                     release_text or "–"))
    rows.sort(key=lambda r: (r[0] == label(lang, "source_tbu"), r[0]))
    return DataTable(label(lang, "provenance_caption"),
                     (label(lang, "col_source"), label(lang, "col_figures"),
                      label(lang, "col_years"), label(lang, "col_scope"),
                      label(lang, "col_release")), tuple(rows), header_column=0,
                     style="provenance")


def sample_note(lang: str, t: pd.DataFrame, register: Register, units: list[str],
                years: list[int], area: str, others: str) -> tuple[str, bool]:
    """Which municipal figures are sample data and which are SSB's, unit by unit.

    A unit counts as real when its figure for the report's year is; earlier sample
    years of a real unit are named («og for Lørenskog før 2024»). ``area``: «kommunene
    i Akershus»; ``others``: «de andre kommunene i Akershus». Returns the note and
    whether any of ``units`` has sample figures.
    """
    rows = t[(t["measure"] == "ndr_pct") & t["unit"].isin(units) & t["year"].isin(years)
             & t["value"].notna()]
    if rows.empty or not rows["synthetic"].any():
        return "", False
    year = max(years)
    last = rows[rows["year"] == year]
    real = [u for u in units if u in set(last.loc[~last["synthetic"], "unit"])]
    if not real:
        return phrase(lang, "sample_note_all", area=area), True
    releases = sorted(set(last.loc[last["unit"].isin(real), "release"]))
    earlier: dict[int, list[str]] = {}
    for u in real:
        own = rows[rows["unit"] == u]
        sample_years = own.loc[own["synthetic"], "year"]
        if len(sample_years):
            first_real = int(own.loc[~own["synthetic"], "year"].min())
            earlier.setdefault(first_real, []).append(unit_name(register, u))
    rest = others + "".join(
        " " + phrase(lang, "sample_note_earlier", names=text.join_names(names, lang), year=y)
        for y, names in sorted(earlier.items()))
    return phrase(lang, "sample_note_mixed",
                  real=text.join_names([unit_name(register, u) for u in real], lang),
                  release="; ".join(release_name(r, lang) for r in releases),
                  others=rest), True


def derived_from_sample(lang: str, facts: list[Fact], groups: dict[str, str]) -> str:
    """Sample-based figures about others than the report's own units (a national figure
    SSB did not publish, computed from every municipality of the sample): say which."""
    covered = {v.casefold() for v in groups.values()} | {k.casefold() for k in groups}
    items: dict[str, set[str]] = {}
    for f in facts:
        if not f.synthetic or f.method in DERIVED or f.subject.casefold() in covered:
            continue
        if f.measure in {label(lang, f"measure_{m}") for m in BOOKKEEPING}:
            continue
        items.setdefault(f"{f.subject} ({f.measure[:1].lower()}{f.measure[1:]}", set()).add(
            f.year)
    if not items:
        return ""
    return phrase(lang, "sample_note_derived", items=text.join_names(
        [f"{k}, {year_span(v)})" for k, v in items.items()], lang))


def later_facts(lang: str, date: dt.date, facts: list[Fact]) -> list[str]:
    """Warnings for facts dated after the dateline: ROBEK, or a release published later."""
    out = []
    robek = dt.date(*reversed([int(p) for p in ROBEK_DATE.split(".")]))
    if robek > date:
        out.append(phrase("nb", "warn_robek_later", robek=ROBEK_DATE,
                          date=date_text(date.day, date.month, date.year)))
    parts = sorted({p for f in facts if f.release for p in f.release.split("; ")})
    for part in parts:
        m = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", part)
        if m and dt.date(int(m[3]), int(m[2]), int(m[1])) > date:
            out.append(phrase("nb", "warn_release_later", release=release_name(part, "nb"),
                              date=date_text(date.day, date.month, date.year)))
    return list(dict.fromkeys(out))


def border_notes(lang: str, year: int) -> tuple[str, ...]:
    """Oslo and, before 2024, today's counties: say so."""
    notes = (label(lang, "without_oslo"),)
    return notes + ((label(lang, "note_borders", year=year),) if year < FIRST_YEAR else ())


def frame(parts: Parts, config: Config, *, kind: str, number: str, year: int, title: str,
          subject: str, lede: list[str], key_figures: tuple, sections: tuple,
          groups: dict[str, str], note: tuple[str, bool], partial: bool,
          main: tuple[fig.Figure, fig.Figure | None], notes: tuple[str, ...] = ()) -> Report:
    """The report around its sections: dateline, «Om tallene», sample notice, metadata.

    The config's own headline and lede, when given, come first: KS's message leads.
    """
    lang, book = parts.lang, parts.book
    date = report_date(config)
    sample_text, sample = note
    sample = sample or book.synthetic
    facts = list(book.facts)
    derived = derived_from_sample(lang, facts, groups)
    if derived:
        sample_text = " ".join(t for t in (sample_text, derived) if t)
    provenance = provenance_table(lang, facts, groups)
    releases = sorted({release_name(r, lang) for f in facts if f.release
                       for r in f.release.split("; ")})
    notice = sample_notice(lang)
    pdf_subject = (f"{subject}. {label(lang, 'release')}: {'; '.join(releases)}."
                   + (f" {notice}." if sample else ""))
    user = tuple(t for t in (config.headline, config.lede) if t)
    headline = text.keep_last_words(config.headline) if config.headline else title
    context = ReportContext(
        lang=lang, title=headline, subject=pdf_subject, kind=kind,
        organisation=config.organisation, dateline=date_text(date.day, date.month, date.year),
        created=date.isoformat(), labels=labels(lang), sample=sample,
        sample_notice=notice, sample_note=sample_text, quotes=config.quotes,
        lede=((config.lede,) if config.lede else ()) + tuple(lede),
        key_figures=key_figures, sections=sections, provenance=provenance,
        method=label(lang, "method_text"), notes=border_notes(lang, year) + notes,
        contacts=config.contacts, about=config.about,
        keywords=tuple(config.keywords) + ((notice,) if sample else ()))
    now, before = main
    shown = FactBook.shown(now) if now.known else None
    change = (book.difference(now, before)[0] if shown is not None and before is not None
              and before.known else None)
    return Report(context, tuple(facts), kind, number, year, partial,
                  frozenset(parts.names), user, tuple(later_facts(lang, date, facts)),
                  shown, change)
