"""A member's own report: one municipality or one county authority.

Its netto driftsresultat and disposisjonsfond, against its county (weighted), the
country and TBU's norm; its place; ROBEK; in its own written form. The figures
every member report shares (the country, each county's aggregate and places) are
computed once by ``shared_figures`` and passed in, so a batch of 371 reports does
that work once.

A municipality is also compared with its KOSTRA group (EKG01–EKG17), the peers
SSB groups by size and income, when ``fetch`` has got the groups from Klass
(``Dataset.kostra_groups``) and SSB's figure for the group is in the data.

Oslo is a municipality and a county, but its accounts are Oslo kommune's: there
is no report for an «Oslo fylkeskommune», and Oslo is not among the county
authorities it is compared with.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from kommunerapport import figures as fig
from kommunerapport.errors import UsageError
from kommunerapport.model import norms
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind, is_county_number
from kommunerapport.model.regions import ROBEK_DATE, County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.pictures import maps
from kommunerapport.render.context import Chart, KeyFigure, Section
from kommunerapport.reports import about, common, graphics
from kommunerapport.reports import claims as user_claims
from kommunerapport.reports.common import OSLO_COUNTY, Parts, Report, official
from kommunerapport.writing import text
from kommunerapport.writing.facts import FactBook
from kommunerapport.writing.lang import label, phrase


@dataclass(frozen=True)
class Group:
    """A comparison group: a county's municipalities, or the county authorities."""

    units: tuple[str, ...]
    now: fig.Figure
    reserve: fig.Figure
    series: tuple[fig.Figure, ...]
    ranks: dict[str, int]  # by the figures as shown; ties share a place


@dataclass(frozen=True)
class Shared:
    """What every member report of one year uses: the country and each group."""

    year: int
    years: tuple[int, ...]
    national: fig.Figure
    national_reserve: fig.Figure
    national_series: tuple[fig.Figure, ...]
    groups: dict[str, Group]  # county number → its municipalities; "fk" → county authorities


def _group(t: pd.DataFrame, units: list[str], year: int, years: list[int]) -> Group:
    values = {u: fig.unit_figure(t, u, year, "ndr_pct") for u in units}
    return Group(tuple(units), fig.weighted(t, units, year),
                 fig.weighted(t, units, year, "dispfond_pct"),
                 tuple(common.series_over(t, units, years)), text.shown_ranks(values))


def shared_figures(dataset: Dataset, register: Register, year: int) -> Shared:
    """The figures shared by all member reports of ``year``, computed once.

    ``figures`` reads the table through an index built once per table, so a member's
    own figures cost a dictionary lookup each; a batch builds the index before forking.
    """
    t = dataset.table
    years = common.trend_years(dataset, year)
    groups = {c.number: _group(t, common.municipal_units(register, c.number), year, years)
              for c in register.counties}
    fk_units = common.county_authority_units(register, year)
    fk_values = {u: fig.unit_figure(t, u, year, "ndr_pct") for u in fk_units}
    fk = Group(tuple(fk_units), fig.county_authorities_total(t, register, year),
               fig.weighted(t, fk_units, year, "dispfond_pct"),
               tuple(fig.county_authorities_total(t, register, y) for y in years),
               text.shown_ranks(fk_values))
    return Shared(year, tuple(years), fig.national(t, register, year),
                  fig.national(t, register, year, "dispfond_pct"),
                  tuple(fig.national(t, register, y) for y in years), {**groups, "fk": fk})


def check_member(number: str) -> None:
    """Oslo has no county authority of its own in the accounts."""
    if number == OSLO_COUNTY:
        raise UsageError("Oslo har ingen egen fylkeskommune i regnskapene; Oslos tall er "
                         "Oslo kommunes (0301).")


def member_report(dataset: Dataset, register: Register, number: str, year: int,
                  lang: str | None, config: Config, shared: Shared | None = None) -> Report:
    """The report for a municipality (4-digit number) or a county authority (2 digits).

    ``lang`` None: the member's own written form (nynorsk for nynorsk members).
    """
    check_member(number)
    if shared is None or shared.year != year:
        shared = shared_figures(dataset, register, year)
    authority = is_county_number(number)
    unit = register.unit(number)
    county = unit if isinstance(unit, County) else register.county(unit.county)  # = authority
    lang = lang or unit.lang
    parts = Parts(lang, FactBook(lang))
    book = parts.book
    key = "subject_county_authority" if authority else "subject_member"
    # The official name in full at first mention; the short form readers know after that
    # and in the headline («Guovdageaidnu – Kautokeino kommune», then «Kautokeino kommune»).
    own = phrase(lang, key, name=unit.short_name)
    subject = text.Subject(phrase(lang, key, name=official(unit.name)),
                           label(lang, "again_county_authority" if authority
                                 else "again_member"), own)
    parts.names.update({official(unit.name), unit.short_name, county.short_name,
                        official(county.name)})
    norm = norms.norm("fylkeskommuner" if authority else "kommuner", year)
    group = shared.groups["fk" if authority else county.number]
    t = dataset.table
    now, before = (fig.unit_figure(t, number, year, "ndr_pct"),
                   fig.unit_figure(t, number, year - 1, "ndr_pct"))
    reserve = fig.unit_figure(t, number, year, "dispfond_pct")
    names = {u: common.unit_name(register, u) for u in group.units}
    parts.names.update(names.values())
    everyone = label(lang, "group_county_authorities")
    group_subject = (text.Subject(everyone, everyone, everyone)
                     if authority else
                     common.county_subject(lang, book, county, list(group.units),
                                           group.now.covers, year))

    entry = register.robek_entry(number)
    norm_par = text.norm_sentences(lang, book, subject, now, norm) + [
        text.robek_member(lang, text.capital(subject.again), entry.grounds if entry else None,
                          ROBEK_DATE)]
    versus = _versus(lang, book, subject, now, group, group_subject, authority, shared)
    if not authority:
        versus += _kostra(lang, book, dataset, subject, unit.short_name, number, now)
    rank = text.rank_sentence(lang, book, own, number, group.ranks, names,
                              label(lang, "group_ranked_county_authorities") if authority
                              else label(lang, "group_ranked_county",
                                          county=county.short_name),
                              year, partial=len(group.ranks) < len(group.units))
    reserve_par = _reserve(lang, book, subject, own, reserve, group, group_subject, county,
                           authority, shared)
    chart = _chart(lang, book, own, number, group, group_subject, authority, shared, norm, t)
    heading = label(lang, "h_versus_county_authority" if authority
                    else "h_versus_member" if len(group.units) > 1 else "h_versus_national",
                    name=text.capital(own))
    drawn = _map(lang, book, dataset.table, register, number, group, year, authority, county)
    # The trend beside the words that compare the member with its county and the country,
    # the map after the fund: the first page fills with the trend chart, the second holds
    # the fund, the map and «Om tallene».
    sections = (
        Section(label(lang, "h_norm"), (" ".join(norm_par),)),
        Section(heading, tuple(p for p in (" ".join(versus), rank) if p),
                charts=(chart,) if chart else ()),
        Section(label(lang, "h_reserve"), (" ".join(reserve_par),) if reserve_par else (),
                charts=(drawn,) if drawn else ()),
    )
    title = text.headline(lang, subject, now, before, norm)
    lede = text.lede(lang, book, subject, now, before, member=True)
    key_figures = _key_figures(lang, book, own, now, before, reserve, group, number, norm,
                               authority, county.short_name, shared)
    area = phrase(lang, "subject_county", county=county.short_name)
    if authority:
        note = ("", False)
    else:
        note = about.sample_note(
            lang, dataset.table, register, [number] + [u for u in group.units if u != number],
            list(shared.years), phrase(lang, "area_member", name=unit.short_name, area=area),
            phrase(lang, "subject_county_others", county=county.short_name)
            if len(group.units) > 1 else label(lang, "area_sector_others"))
    notes: tuple[str, ...] = ((label(lang, "map_none_oslo"),) if drawn is None
                              and not authority else ())
    notes += about.history_notes(lang, dataset.meta, register, [number], list(shared.years))
    groups = {name: area for name in names.values() if name != official(unit.name)}
    groups |= {own: own, subject.again: own, official(unit.name): own}
    # Figures of the group's reporting units fold into the group's line of «Om tallene».
    groups |= {f.subject: area for f in book.facts
               if f.subject not in groups and f.units and set(f.units) <= set(group.units)
               and len(f.units) > 1}
    words = config.words("member", number)
    fields: dict[str, str | None] = {}
    if words.headline or words.lede or words.quotes:
        national = (shared.national, label(lang, "national")) if not authority else (
            group.now, label(lang, "group_county_authorities"))
        fields = {
            "medlem": own, "navn": unit.short_name, "fylke": county.short_name,
            "år": str(year), "året_før": str(year - 1),
            "netto_driftsresultat": book.pct(now, own) if now.known else None,
            "netto_driftsresultat_året_før": book.pct(before, own) if before.known else None,
            "disposisjonsfond": book.pct(reserve, own) if reserve.known else None,
            "landet": book.pct(*national) if national[0].known else None,
        }
    return about.frame(
        parts, config, kind=ReportKind.MEMBER, number=number, year=year, title=title,
        subject=label(lang, "pdf_subject", year=year, subject=own), lede=lede,
        key_figures=key_figures, sections=sections, groups=groups, note=note,
        partial=group.now.known and group.now.n < group.now.total, notes=notes,
        fields=fields, setting=user_claims.setting(register, ReportKind.MEMBER, number, year),
        resolve=user_claims.resolver(dataset, register, year))


def _map(lang: str, book: FactBook, t: pd.DataFrame, register: Register, number: str,
         group: Group, year: int, authority: bool, county: County) -> Chart | None:
    """The member among its group on the map, outlined; None for Oslo (a county of one)."""
    drawn = maps.member_map(graphics.areas(t, register, list(group.units), year), number,
                            graphics.map_labels(lang, year),
                            norms.NORM_COUNTY_AUTHORITIES if authority
                            else norms.NORM_MUNICIPALITIES)
    if not drawn:
        return None
    if authority:
        title = phrase(lang, "map_title_county_authorities", year=year)
        what = label(lang, "group_county_authorities")
    else:
        title = phrase(lang, "map_title_member", name=drawn.member, county=county.short_name,
                       year=year)
        what = phrase(lang, "subject_county", county=county.short_name)
    return graphics.map_chart(lang, book, drawn, year, title, what, classes_table=True,
                              count_label="col_count_county_authorities" if authority
                              else "col_count",
                              source=graphics.area_sources(lang, t, list(group.units), year))


def _kostra(lang: str, book: FactBook, dataset: Dataset, subject: text.Subject, name: str,
            number: str, now: fig.Figure) -> list[str]:
    """Its KOSTRA group (peers of similar size and income), when ``fetch`` has got the
    group from Klass and SSB's figure for the group is in the data; else nothing."""
    info = dataset.kostra_group(number, now.year)
    if info is None:
        return []
    group = fig.published(dataset.table, info.code, now.year, "ndr_pct")
    if group is None:
        return []
    label_ = info.label or info.code
    out = [phrase(lang, "kostra_result", group=label_, name=name,
                  value=book.pct(group, label_), year=now.year)]
    compared = text.compare_sentence(lang, book, "versus_group", subject.again, now, group,
                                     group=label_)
    return out + ([compared] if compared else [])


def _versus(lang: str, book: FactBook, subject: text.Subject, now: fig.Figure, group: Group,
            group_subject: text.Subject, authority: bool, shared: Shared) -> list[str]:
    out = []
    group_name = group_subject.again
    if len(group.units) > 1 and group.now.known:
        out.append(phrase(lang, "group_result", group=text.capital(group_name),
                          value=book.pct(group.now, group_subject.who()), year=group.now.year))
        out.append(text.compare_sentence(lang, book, "versus_group", subject.who(), now,
                                         group.now, group=group_name) or "")
    if not authority and shared.national.known:
        national = label(lang, "national")
        out.append(phrase(lang, "national", value=book.pct(shared.national, national),
                          year=shared.year))
        out.append(text.compare_sentence(lang, book, "versus", subject.who(), now,
                                         shared.national) or "")
    return [s for s in out if s]


def _reserve(lang: str, book: FactBook, subject: text.Subject, own: str, reserve: fig.Figure,
             group: Group, group_subject: text.Subject, county: County, authority: bool,
             shared: Shared) -> list[str]:
    out = []
    if reserve.known:
        out.append(phrase(lang, "reserve", subject=subject.again,
                          value=book.pct(reserve, own), year=reserve.year))
        if FactBook.shown(reserve) <= 0:
            out.append(phrase(lang, "reserve_emptied", subject=subject.again))
    else:  # the figures beside it say what they are of
        out.append(phrase(lang, "reserve_missing", subject=subject.again, year=reserve.year))
    if group.reserve.known and len(group.units) > 1:
        who = (group_subject.again if authority else
               common.named(lang, book, county, list(group.units), group.reserve, group_subject))
        out.append(phrase(lang, "reserve_group", group=str(who),
                          value=book.pct(group.reserve, who)))
    if not authority and shared.national_reserve.known:
        out.append(phrase(lang, "reserve_national",
                          value=book.pct(shared.national_reserve, label(lang, "national"))))
    return out


def _chart(lang: str, book: FactBook, own: str, number: str, group: Group,
           group_subject: text.Subject, authority: bool, shared: Shared, norm: norms.Norm,
           t: pd.DataFrame) -> Chart | None:
    mine = tuple(fig.unit_figure(t, number, y, "ndr_pct") for y in shared.years)
    lines = [graphics.Series(text.capital(own), own, mine)]
    if authority:
        lines.append(graphics.Series(label(lang, "key_county_authorities"),
                                     label(lang, "group_county_authorities"), group.series))
    else:
        if len(group.units) > 1:  # Oslo is its county's only municipality
            name = group_subject.again
            lines.append(graphics.Series(text.capital(name.rstrip(",")), name, group.series,
                                         group_subject.units))
        lines.append(graphics.Series(label(lang, "series_national"), label(lang, "national"),
                                     shared.national_series))
    return graphics.trend_chart(lang, book, lines, norm)


def _key_figures(lang: str, book: FactBook, own: str, now: fig.Figure, before: fig.Figure,
                 reserve: fig.Figure, group: Group, number: str, norm: norms.Norm,
                 authority: bool, county: str, shared: Shared) -> tuple[KeyFigure, ...]:
    year = now.year
    if now.known and before.known:
        diff, decimals = book.difference(now, before)
        change = book.points(diff, decimals, own, "change", f"{year - 1}–{year}",
                             (now, before), signed=True)
        change_note = label(lang, "from", value=book.pct_key(before, own))
    else:
        change, change_note = "–", ""
    rank = group.ranks.get(number)
    if len(group.units) == 1:  # Oslo: no place in a county of one; the country instead
        return key_figures_head(lang, book, own, now, norm, change, change_note, reserve) + (
            KeyFigure(label(lang, "key_municipalities"),
                      book.pct_key(shared.national, label(lang, "national")), str(year)),)
    if rank and len(group.ranks) > 1:
        place = (f"{book.count(rank, own, 'rank', year, unit='unit_place')} {label(lang, 'of')} "
                 f"{book.count(len(group.ranks), own, 'ranked', year)}")
    else:
        place = "–"
    return key_figures_head(lang, book, own, now, norm, change, change_note, reserve) + (
        KeyFigure(label(lang, "key_rank_county_authorities" if authority else "key_rank"),
                  place, "" if authority else county),
    )


def key_figures_head(lang: str, book: FactBook, own: str, now: fig.Figure, norm: norms.Norm,
                     change: str, change_note: str,
                     reserve: fig.Figure) -> tuple[KeyFigure, ...]:
    year = now.year
    return (
        KeyFigure(label(lang, "key_ndr", year=year), book.pct_key(now, own),
                  label(lang, "key_norm", kind=label(lang, f"kind_{norm.kind}")) + " "
                  + book.norm_key(norm, year)),
        KeyFigure(label(lang, "key_change", year=year - 1), change, change_note),
        KeyFigure(label(lang, "key_dispfond"), book.pct_key(reserve, own), str(year)),
    )
