"""The report's sentences: figures in, Norwegian out.

Pure functions over ``figures`` results. Every number goes through the report's
``FactBook`` (so it is shown in one style, remembered with its provenance and bound to
its slot), every word comes from the catalogue (``lang.phrase``). The rules here decide
what the figures allow a sentence to say:

- one threshold for «bedring»/«svekkelse» in the headline and the lede
  (``STEADY`` percentage points, judged on the figures as shown), and «det
  samme» only when the shown figures are equal;
- «tilbake i pluss» only above zero as shown; zero is «i balanse»;
- a sentence about the municipalities covers those that reported, and says so
  when some have not; one that reported is «den ene kommunen som har rapportert»;
- ties are told as ties: everyone who shares the best or worst figure, or a
  rank, is named; when every figure is a deficit, the smallest and the largest
  deficit are named as such (never «det sterkeste … minus 0,1»);
- figures of different scope (kasse, konsern) are never compared;
- «one» agrees with its noun (``formatting.ONE``): «én av seks kommuner», «i eitt av
  seks år».
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from kommunerapport.figures import Count, Figure
from kommunerapport.model.norms import Norm
from kommunerapport.writing.facts import OPEN, FactBook, Who
from kommunerapport.writing.facts import Subject as Named
from kommunerapport.writing.formatting import NBSP
from kommunerapport.writing.lang import FRACTIONS, label, phrase, robek_reasons

# A change of at least this (percentage points, as shown) is «bedre»/«svakere»; a
# smaller one is «litt bedre»/«litt svakere»; none is «det samme».
STEADY = Decimal("0.5")
# Counts up to this are words in prose («to av seks»); «12 av 43» is in figures.
WORDS_UP_TO = 12
# Shares of the municipalities (the part that emptied their fund) from this many on.
SHARES_FROM = 20
# Units sharing a place, or the best or worst figure, are named up to this many, else counted.
NAMED_UP_TO = 6


@dataclass(frozen=True)
class Subject:
    """Who a report is about, as the text names them, and the units that names.

    ``units``: the set of units the subject's figures must be made of (a county's
    municipalities, or those of them that reported); empty for a single unit, whose
    figure is its own.
    """

    first: str  # first mention: «kommunene i Troms – Romsa – Tromssa», «Hareid kommune»
    again: str  # later: «kommunene i Troms», «kommunen»
    headline: str  # in the headline: «kommunene i Troms», «Hareid kommune»
    units: frozenset[str] = frozenset()

    def who(self, form: str | None = None) -> Named:
        """``form`` (default: ``again``) bound to the subject's units, when it names a set."""
        name = self.again if form is None else form
        return Who(name, self.units) if self.units else name


def capital(sentence: str) -> str:
    """First letter upper case, the rest as it is («Kommunene i Vestfold»); a sentence that
    opens with a number in words («To av seks …») gets it inside the number's slot."""
    for i, char in enumerate(sentence):
        if char.isalpha() and not (OPEN <= char <= "\ue019"):
            return sentence[:i] + char.upper() + sentence[i + 1:]
        if char.isdigit():
            return sentence
    return sentence


def join_names(names: Sequence[str], lang: str) -> str:
    """«A, B og C» (the same conjunction in bokmål and nynorsk)."""
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " " + label(lang, "word_and") + " " + names[-1]


def keep_last_words(text: str) -> str:
    """Tie the last two words of a headline, so it never ends with a lone word."""
    head, sep, last = text.rpartition(" ")
    return f"{head}{NBSP}{last}" if sep and head else text


# ---------------------------------------------------------------------- counts in prose

def units_of(lang: str, book: FactBook, n: int, counted: Count, noun: str, measure: str,
             about: Named) -> str:
    """«to av seks kommuner», «ingen av de seks kommunene», «alle de 43 kommunene»,
    «fire av de fem kommunene som har rapportert,» (when not all ``total`` reported).

    ``noun``: «municipalities» (the catalogue's ``units_*`` phrases). ``counted.reported``
    is at least two: one unit is told by the ``*_one_*`` sentences.
    """
    small = counted.reported <= WORDS_UP_TO
    count = book.amount(n, about, measure, counted.year, counted, small=small)
    reported = book.amount(counted.reported, about, "reported", counted.year, counted,
                           small=small)
    partial = counted.reported < counted.total
    key = "none" if n == 0 else "all" if n == counted.reported else "some"
    return phrase(lang, f"units_{noun}_{key}" + ("_reported" if partial else ""),
                  n=count, reported=reported)


def fraction_word(count: int, total: int, lang: str) -> str | None:
    """«tredje» when about one in three (within two percentage points), else None."""
    if not total or not count:
        return None
    share = count / total
    for n, word in FRACTIONS[lang].items():
        if abs(share - 1 / n) <= 0.02 and total >= 3 * n:
            return word
    return None


def _one(counted: Count) -> bool:
    """Only one unit has a figure: sentences about it say «den ene», not «alle de én»."""
    return counted.reported == 1


# ---------------------------------------------------------------------- headline and lede

def headline_rule(now: Figure, before: Figure | None, norm: Norm) -> str:
    """Which headline fits the figures as shown; the key of a ``head_*`` phrase.

    ``before`` must cover the same units as ``now`` (or be None).
    """
    if not now.known:
        return "head_unknown"
    cur = FactBook.shown(now)
    if before is not None and before.known:
        prev = FactBook.shown(before)
        if prev < 0 < cur:
            return "head_back_in_plus"
        if cur < 0 <= prev:
            return "head_into_deficit"
        if cur < 0 and prev < 0:
            return "head_still_deficit"
        if cur - prev >= STEADY:
            return "head_better"
        if cur - prev <= -STEADY:
            return "head_weaker"
    elif cur < 0:
        return "head_into_deficit"
    if cur == 0:
        return "head_balance"
    return "head_above_norm" if cur >= Decimal(repr(norm.value)) else "head_below_norm"


def headline(lang: str, subject: Subject, now: Figure, before: Figure | None,
             norm: Norm) -> str:
    words = phrase(lang, headline_rule(now, before, norm), subject=subject.headline,
                   year=now.year)
    return keep_last_words(capital(words.rstrip(",").replace(",:", ":")))


def change_key(diff: Decimal) -> str:
    """«same», «slightly_better», «better» … for a change as shown."""
    if diff == 0:
        return "same"
    size = "" if abs(diff) >= STEADY else "slightly_"
    return size + ("better" if diff > 0 else "weaker")


def lede(lang: str, book: FactBook, subject: Subject, now: Figure, before: Figure | None,
         member: bool = False) -> list[str]:
    """The main number and its change from the year before (over the same units)."""
    if not now.known:
        return [phrase(lang, "lede_unknown", subject=subject.first, year=now.year)]
    key = "lede_result_member" if member else "lede_result"
    out = [phrase(lang, key, subject=subject.first, value=book.pct(now, subject.who()),
                  year=now.year)]
    if before is None or not before.known:
        out.append(phrase(lang, "lede_no_before"))
        return out
    diff, _ = book.difference(now, before)
    kind = change_key(diff)
    was = "" if kind == "same" else book.pct(before, subject.who())
    out.append(phrase(lang, f"lede_{kind}", before=was))
    return out


def coverage_lede(lang: str, book: FactBook, now: Figure, year: int) -> str:
    """When an aggregate leaves units out: «Tallet omfatter de fem av 43 kommunene som har
    rapportert.»"""
    small = now.total <= WORDS_UP_TO
    about = label(lang, "subject_reporting")
    total = book.amount(now.total, about, "units_total", year, small=small)
    if now.n == 1:
        return phrase(lang, "lede_coverage_one", total=total)
    n = book.amount(now.n, about, "reported", year, now, small=small)
    return phrase(lang, "lede_coverage", n=n, total=total)


# ---------------------------------------------------------------------- against the norm

def norm_sentences(lang: str, book: FactBook, subject: Subject, now: Figure,
                   norm: Norm) -> list[str]:
    out = [phrase(lang, "norm_intro", norm=book.norm(norm, now.year),
                  kind=label(lang, f"kind_{norm.kind}"))]
    if not now.known:
        return out
    diff, decimals = book.difference(now, norm)
    if diff == 0:
        out.append(phrase(lang, "norm_at", subject=subject.again))
    else:
        points = book.points(diff, decimals, subject.who(), "versus_norm", str(now.year),
                             (now,))
        out.append(phrase(lang, "norm_above" if diff > 0 else "norm_below",
                          subject=subject.again, diff=points))
    return out


def norm_reached(lang: str, book: FactBook, reached: int, counted: Count, norm: Norm,
                 about: Named) -> str:
    if _one(counted):
        return phrase(lang, f"norm_reached_one_{'yes' if reached else 'no'}",
                      year=counted.year)
    units = units_of(lang, book, reached, counted, "municipalities", "norm_reached", about)
    return phrase(lang, "norm_reached", units=units, year=counted.year)


# ---------------------------------------------------------------------- the spread

def deficit_sentences(lang: str, book: FactBook, now: Count, before: Count | None,
                      about: Named) -> list[str]:
    """How many went in deficit, and how many of the same units a year before."""
    if not now.reported:
        return []  # the coverage sentence says that no figures came in
    if _one(now):
        out = [phrase(lang, f"deficit_one_{'yes' if now.count else 'no'}", year=now.year)]
    else:
        complete = now.reported == now.total
        word = fraction_word(now.count, now.reported, lang) if complete else None
        if word is not None and now.share is not None:
            book.count(now.count, about, "deficits", now.year, now)
            out = [phrase(lang, "deficit_fraction", year=now.year,
                          fraction=book.fraction(word, now.share, about, "deficit_share",
                                                 now.year, now))]
        else:
            units = units_of(lang, book, now.count, now, "municipalities", "deficits", about)
            out = [phrase(lang, "deficit_count", units=units, year=now.year)]
    if before is not None and before.reported:
        out.append(_before(lang, book, before, now, "deficit", "deficits", about))
    return out


def _before(lang: str, book: FactBook, before: Count, now: Count, what: str, measure: str,
            about: Named) -> str:
    """«Året før gikk fire av de seks kommunene med underskudd.», over the units counted
    now (those of them with figures for the year before)."""
    if _one(now):
        return phrase(lang, f"{what}_before_one_" + ("yes" if before.count else "no"))
    small = now.reported <= WORDS_UP_TO
    n = book.amount(before.count, about, measure, before.year, before, small=small)
    reported = book.amount(before.reported, about, "reported", before.year, before,
                           small=small)
    key = (f"{what}_before_none" if before.count == 0 else f"{what}_before_all"
           if before.count == before.reported else f"{what}_before")
    if before.reported < now.reported:
        key += "_of_some"
    elif now.reported < now.total:
        key += "_reported"
    return phrase(lang, key, n=n, reported=reported, year=before.year)


def extremes(lang: str, book: FactBook, values: Sequence[tuple[Named, Figure]]) -> str:
    """The strongest and the weakest, everyone who shares the figure as shown named; when
    every figure is a deficit, the smallest and the largest deficit."""
    known = [(name, f) for name, f in values if f.known]
    if len(known) < 2:
        return ""
    shown = [(name, f, FactBook.shown(f)) for name, f in known]
    top, bottom = max(s for _, _, s in shown), min(s for _, _, s in shown)
    if top == bottom:
        small = len(known) <= WORDS_UP_TO
        n = book.amount(len(known), label(lang, "subject_reporting"), "reported",
                        known[0][1].year, small=small)
        return phrase(lang, "extremes_all_same", n=n,
                      value=book.pct(known[0][1], known[0][0]))
    best = [(n, f) for n, f, s in shown if s == top]
    worst = [(n, f) for n, f, s in shown if s == bottom]
    deficits = top < 0
    key = "extremes_deficits" if deficits else "extremes_balance" if top == 0 else "extremes"
    return capital(phrase(lang, key, best=_named(lang, book, best),
                          best_value=book.pct(best[0][1], best[0][0], magnitude=deficits),
                          worst=_named(lang, book, worst),
                          worst_value=book.pct(worst[0][1], worst[0][0],
                                               magnitude=deficits)))


def _named(lang: str, book: FactBook, units: list[tuple[Named, Figure]]) -> str:
    """«Loppa og Måsøy»; more than ``NAMED_UP_TO`` are counted: «14 kommuner»."""
    if len(units) <= NAMED_UP_TO:
        return join_names([str(n) for n, _ in units], lang)
    f = units[0][1]
    return phrase(lang, "units_counted", n=book.count(len(units), label(lang, "area_sector"),
                                                       "sharing", f.year))


def emptied_sentences(lang: str, book: FactBook, now: Count, before: Count | None,
                      about: Named) -> list[str]:
    """Who has emptied the reserve fund; for many units, the share against last year."""
    if not now.reported:
        return []
    if _one(now):
        out = [phrase(lang, f"emptied_one_{'yes' if now.count else 'no'}", year=now.year)]
    else:
        units = units_of(lang, book, now.count, now, "municipalities", "emptied", about)
        out = [phrase(lang, "emptied_count", units=units, year=now.year)]
    if before is None or not before.reported or (now.count == 0 and before.count == 0):
        return out
    if now.reported >= SHARES_FROM and before.reported == now.reported == now.total:
        a = int(Decimal(repr(before.share)).quantize(Decimal(1), "ROUND_HALF_UP"))
        b = int(Decimal(repr(now.share)).quantize(Decimal(1), "ROUND_HALF_UP"))
        was = book.share(a, about, "emptied_share", before.year, before)
        is_ = (book.share(b, about, "emptied_share", now.year, now) + NBSP
               + label(lang, "word_percent"))
        if a == b:
            out.append(phrase(lang, "emptied_share_same", now=is_))
        else:
            out.append(phrase(lang, "emptied_share_up" if b > a else "emptied_share_down",
                              before=was, now=is_))
    else:
        out.append(_before(lang, book, before, now, "emptied", "emptied", about))
    return out


def coverage_sentence(lang: str, book: FactBook, counted: Count, missing_names: list[str],
                      most_named: int = 12) -> str:
    """Which units the figures cover; names the missing ones (or counts them, if many)."""
    small = counted.total <= WORDS_UP_TO
    about = label(lang, "subject_reporting")
    total = book.amount(counted.total, about, "units_total", counted.year, small=small)
    if not counted.reported:
        return phrase(lang, "coverage_none", total=total)
    if not counted.missing:
        return phrase(lang, "coverage_all", total=total)
    if _one(counted):
        reported = ""
        key = "coverage_one"
    else:
        reported = book.amount(counted.reported, about, "reported", counted.year, counted,
                               small=small)
        key = "coverage_some"
    if len(missing_names) <= most_named:
        return phrase(lang, key, reported=reported, total=total,
                      missing=join_names(missing_names, lang))
    missing = book.count(len(missing_names), about, "missing", counted.year)
    return phrase(lang, key + "_many", reported=reported, total=total, missing=missing)


# ---------------------------------------------------------------------- comparisons

def same_scope(a: Figure, b: Figure) -> bool:
    return set(a.scope.split("/")) == set(b.scope.split("/"))


def compare_sentence(lang: str, book: FactBook, prefix: str, subject: Named, mine: Figure,
                     other: Figure, measure: str = "versus", **extra: str) -> str | None:
    """«… ligger dermed 1,4 prosentpoeng over landet uten Oslo.»; None if either is unknown.

    Figures of different scope are not compared: the sentence says why instead.
    """
    if not (mine.known and other.known):
        return None
    if not same_scope(mine, other):
        return phrase(lang, "scope_differs", subject=str(subject),
                      mine=label(lang, f"scope_prose_{mine.scope.split('/')[0]}"),
                      other=label(lang, f"scope_prose_{other.scope.split('/')[0]}"))
    diff, decimals = book.difference(mine, other)
    if diff == 0:
        return phrase(lang, f"{prefix}_same", subject=str(subject), **extra)
    points = book.points(diff, decimals, subject, measure, str(mine.year), (mine, other))
    key = f"{prefix}_above" if diff > 0 else f"{prefix}_below"
    return phrase(lang, key, subject=str(subject), diff=points, **extra)


def result_with_before(lang: str, book: FactBook, prefix: str, name: Named, now: Figure,
                       before: Figure | None) -> str:
    """«X hadde et netto driftsresultat på 2,0 prosent i 2025, mot 2,6 prosent året før»,
    or «…, det samme som året før», or no comparison when last year has no figure."""
    words = str(name)
    if not now.known:
        return phrase(lang, f"{prefix}_missing", name=words, Name=capital(words),
                      year=now.year)
    value = book.pct(now, name)
    if before is None or not before.known:
        return phrase(lang, f"{prefix}_new", name=words, Name=capital(words), value=value,
                      year=now.year)
    diff, _ = book.difference(now, before)
    if diff == 0:
        return phrase(lang, f"{prefix}_same", name=words, Name=capital(words), value=value,
                      year=now.year)
    return phrase(lang, prefix, name=words, Name=capital(words), value=value, year=now.year,
                  before=book.pct(before, name))


def rank_sentence(lang: str, book: FactBook, name: str, number: str, ranks: dict[str, int],
                  names: dict[str, str], group: str, year: int, partial: bool) -> str:
    """Its place among ``ranks`` (1 = best, ties share a place), sharers named."""
    rank = ranks.get(number)
    if rank is None or len(ranks) < 2:
        return ""
    total = len(ranks)
    sharing = [names[u] for u, r in ranks.items() if r == rank and u != number]
    place = book.count(rank, name, "rank", year, unit="unit_place")
    count = book.amount(total, group, "ranked", year, small=total <= WORDS_UP_TO)
    extra = "_reported" if partial else ""
    if len(sharing) > NAMED_UP_TO:
        many = book.count(len(sharing), group, "sharing", year)
        return phrase(lang, "rank_shared_many" + extra, name=name, rank=place, total=count,
                      group=group, others=many)
    if sharing:
        return phrase(lang, "rank_shared" + extra, name=name, rank=place, total=count,
                      group=group, others=join_names(sharing, lang))
    key = ("rank_first" if rank == 1 else "rank") + extra
    return phrase(lang, key, name=name, rank=place, total=count, group=group)


def shown_ranks(values: dict[str, Figure]) -> dict[str, int]:
    """Rank 1 = best, judged on the figures as shown, so equal figures share a place."""
    shown = {u: FactBook.shown(f) for u, f in values.items() if f.known}
    return {u: 1 + sum(other > s for other in shown.values()) for u, s in shown.items()}


# ---------------------------------------------------------------------- ROBEK

def robek_member(lang: str, name: str, grounds: str | None, date: str) -> str:
    """In plain words: whether the member is in ROBEK, and why."""
    if grounds is None:
        return phrase(lang, "robek_member_not", name=name, date=date)
    return phrase(lang, "robek_member", name=name,
                  reasons=join_names(robek_reasons(lang, grounds), lang), grounds=grounds,
                  date=date)


# ---------------------------------------------------------------------- growth

def growth_sentence(lang: str, book: FactBook, subject: Named, income: Figure,
                    costs: Figure | None) -> str:
    """Driftsinntekter against driftsutgifter growth, over the same units both years; a
    growth shown as 0,0 is «uendret», never «økte med 0,0 prosent»."""
    if not income.known:
        return ""
    first = income.year - 1
    parts = {"income": income} | ({"costs": costs} if costs is not None and costs.known else {})
    words = {}
    for key, f in parts.items():
        shown = FactBook.shown(f)
        if shown == 0:
            words[key] = phrase(lang, "growth_same")
            continue
        direction = "up" if shown > 0 else "down"
        words[key] = phrase(lang, f"growth_{direction}",
                            value=book.pct(f, subject, magnitude=True))
    key = "growth_both" if "costs" in words else "growth_income"
    return phrase(lang, key, subject=str(subject), first=first, year=income.year,
                  income=words["income"], costs=words.get("costs", ""))
