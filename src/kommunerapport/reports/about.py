"""The frame around a report's sections, and «Om tallene» in it: which figure comes
from which source and release, which are sample data and which are real (unit by
unit), and what the dateline cannot yet know.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import FIRST_YEAR, ROBEK_DATE, County, Register
from kommunerapport.model.schema import shown_decimals
from kommunerapport.render.context import DataTable, KeyFigure, ReportContext, Section
from kommunerapport.reports import words
from kommunerapport.reports.common import Parts, Report, report_date, unit_name, without_slots
from kommunerapport.writing import claims, text
from kommunerapport.writing.facts import Fact, plain
from kommunerapport.writing.formatting import number
from kommunerapport.writing.lang import (
    date_text,
    label,
    labels,
    phrase,
    release_name,
    sample_notice,
    source_name,
)


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
    real_units = set(last.loc[~last["synthetic"], "unit"])
    real = [u for u in units if u in real_units]
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


def history_notes(lang: str, meta: Mapping[str, Any], register: Register, units: list[str],
                  years: list[int], county: County | None = None) -> tuple[str, ...]:
    """What the region history did to the report's figures (``meta["history"]`` of the
    dataset, ``sources.history``): figures carried from old codes, merged units, units
    without comparable figures before a split, and a county counted back before 2024."""
    info = meta.get("history") or {}
    wanted = set(years)
    notes = []

    def shown_years(found: set[int]) -> str:
        return year_span({str(y) for y in found})

    def names_of(found: list[str]) -> str:
        names = [unit_name(register, u) for u in found]
        if len(names) > 5:  # the sector: a few named, the rest counted
            names = names[:3] + [f"{len(names) - 3} andre"]
        return text.join_names(names, lang)

    carried: dict[str, set[int]] = {}
    for new, olds in (info.get("renumbered") or {}).items():
        hit = {int(y) for ys in olds.values() for y in ys} & wanted
        if new in units and hit:
            carried[new] = hit
    if carried:
        every = set().union(*carried.values())
        names = (phrase(lang, "subject_county", county=county.short_name)
                 if county is not None and len(carried) == len(units) else
                 names_of([u for u in units if u in carried]))
        notes.append(label(lang, "note_history", names=names, years=shown_years(every)))
    merged = {new: {int(y) for y in ys} & wanted
              for new, ys in (info.get("merged") or {}).items() if new in units}
    merged = {k: v for k, v in merged.items() if v}
    if merged:
        notes.append(label(lang, "note_merged", names=names_of(sorted(merged)),
                           years=shown_years(set().union(*merged.values()))))
    split = {new: {int(y) for y in ys} & wanted
             for new, ys in (info.get("split") or {}).items() if new in units}
    split = {k: v for k, v in split.items() if v}
    if split:
        every = set().union(*split.values())
        notes.append(label(lang, "note_split", names=names_of(sorted(split)),
                           years=shown_years(every), year=max(every) + 1))
    revised = [r for r in meta.get("revisions") or []
               if r.get("unit") in units and r.get("year") in wanted]
    if revised:
        since = sorted({str(r["since"]) for r in revised})
        items = [f"{unit_name(register, str(r['unit']))}, "
                 f"{label(lang, 'measure_' + str(r['measure'])).lower()} {r['year']}: "
                 f"{number(r['old'], shown_decimals(str(r['measure'])))} → "
                 f"{number(r['new'], shown_decimals(str(r['measure'])))}" for r in revised[:6]]
        more = f" og {len(revised) - 6} til" if len(revised) > 6 else ""
        notes.append(label(lang, "note_revised",
                           release="; ".join(release_name(r, lang) for r in since),
                           items="; ".join(items) + more))
    if county is not None and county.valid_from > min(years, default=county.valid_from):
        before = {y for y in years if y < county.valid_from}
        notes.append(label(lang, "note_county_back", county=county.short_name,
                           years=shown_years(before)))
    return tuple(notes)


def border_notes(lang: str, year: int) -> tuple[str, ...]:
    """Oslo and, before 2024, today's counties: say so."""
    notes = (label(lang, "without_oslo"),)
    return notes + ((label(lang, "note_borders", year=year),) if year < FIRST_YEAR else ())


def frame(parts: Parts, config: Config, *, kind: ReportKind, number: str, year: int, title: str,
          subject: str, lede: list[str], key_figures: tuple[KeyFigure, ...],
          sections: tuple[Section, ...],
          groups: dict[str, str], note: tuple[str, bool], partial: bool,
          notes: tuple[str, ...] = (), fields: dict[str, str | None] | None = None,
          setting: claims.Setting | None = None,
          resolve: claims.Resolve | None = None) -> Report:
    """The report around its sections: dateline, «Om tallene», sample notice, metadata.

    The config's words for this report's audience, when given, replace the tool's
    headline and lede (``reports.words``); ``fields`` fill their templates.
    """
    lang, book = parts.lang, parts.book
    date = report_date(config)
    sample_text, sample = note
    sample = sample or book.synthetic
    chosen = words.choose(config, kind.value, number, plain(subject), fields or {}, title, lede,
                          setting, resolve)
    facts = list(book.facts)
    derived = derived_from_sample(lang, facts, groups)
    if derived:
        sample_text = " ".join(t for t in (sample_text, derived) if t)
    provenance = provenance_table(lang, facts, groups)
    provenance = replace(provenance, rows=provenance.rows + tuple(
        (source, what, years, "–", "–") for source, what, years in book.credits))
    releases = sorted({release_name(r, lang) for f in facts if f.release
                       for r in f.release.split("; ")})
    notice = sample_notice(lang)
    pdf_subject = (f"{subject}. {label(lang, 'release')}: {'; '.join(releases)}."
                   + (f" {notice}." if sample else ""))
    marked = ReportContext(
        lang=lang, title=chosen.title, subject=pdf_subject, kind=kind.value,
        organisation=config.organisation, dateline=date_text(date.day, date.month, date.year),
        created=date.isoformat(), labels=labels(lang), sample=sample,
        sample_notice=notice, sample_note=sample_text, quotes=chosen.quotes,
        lede=chosen.lede, key_figures=key_figures, sections=sections, provenance=provenance,
        method=label(lang, "method_text"), notes=border_notes(lang, year) + notes,
        contacts=chosen.contacts, about=config.about,
        keywords=tuple(config.keywords) + ((notice,) if sample else ()))
    return Report(without_slots(marked), tuple(facts), kind, number, year, partial,
                  frozenset(parts.names), marked, chosen.user_text, chosen.refused,
                  tuple(later_facts(lang, date, facts)) + chosen.warnings)
