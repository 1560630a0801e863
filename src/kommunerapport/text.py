"""The report's words: headline rules and sentences built from figures.

Pure functions: figures in, Norwegian text out (via ``lang.phrase``). The rules
that choose a headline are here so they can be tested one by one.
"""

from __future__ import annotations

from kommunerapport.figures import Count, Figure, Norm, against_norm
from kommunerapport.formatting import (
    PROSENT,
    number,
    prose_percent,
    prose_points,
    rounded,
    whole_word,
)
from kommunerapport.lang import FRACTIONS, phrase

# A change smaller than this (percentage points) is «the same level».
STEADY = 0.5


def headline_rule(now: Figure, before: Figure, norm: Norm) -> str:
    """Which headline fits the numbers; the key of a ``head_*`` phrase."""
    if not now.known:
        return "head_unknown"
    cur = float(rounded(now.value))
    if before.known:
        prev = float(rounded(before.value))
        if prev < 0 <= cur:
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
    return "head_above_norm" if cur >= norm.value else "head_below_norm"


def headline(lang: str, subject: str, now: Figure, before: Figure, norm: Norm) -> str:
    return phrase(lang, headline_rule(now, before, norm), subject=subject, year=now.year)


def pct(value: float, lang: str) -> str:
    return prose_percent(value, 1, lang)


def lede(lang: str, subject: str, now: Figure, before: Figure, member: bool = False) -> list[str]:
    """The main number and its change from last year."""
    if not now.known:
        return [phrase(lang, "lede_unknown", subject=subject, year=now.year)]
    key = "lede_result_member" if member else "lede_result"
    out = [phrase(lang, key, subject=subject, value=pct(now.value, lang), year=now.year)]
    if not before.known:
        out.append(phrase(lang, "lede_no_before"))
        return out
    diff = float(rounded(now.value)) - float(rounded(before.value))
    if abs(diff) < 0.05:
        out.append(phrase(lang, "lede_same"))
    else:
        key = "lede_better" if diff > 0 else "lede_weaker"
        out.append(phrase(lang, key, before=pct(before.value, lang)))
    return out


def norm_sentences(lang: str, subject: str, now: Figure, norm: Norm) -> list[str]:
    out = [phrase(lang, "norm_intro", norm=prose_percent(norm.value, 2, lang),
                  kind=phrase(lang, f"kind_{norm.kind}"))]
    diff = against_norm(now, norm)
    if diff is None:
        return out
    if abs(diff) < 0.05:
        out.append(phrase(lang, "norm_at", subject=subject))
    else:
        key = "norm_above" if diff > 0 else "norm_below"
        out.append(phrase(lang, key, subject=subject, diff=prose_points(diff, 1, lang)))
    return out


def fraction_word(count: int, total: int, lang: str) -> str | None:
    """«tredje» when about one in three (within two percentage points), else None."""
    if not total or not count:
        return None
    share = count / total
    for n, word in FRACTIONS[lang].items():
        if abs(share - 1 / n) <= 0.02 and total >= 3 * n:
            return word
    return None


def capital(sentence: str) -> str:
    """First letter upper case, the rest as it is («Kommunene i Vestfold»)."""
    return sentence[:1].upper() + sentence[1:]


def count_words(n: int, lang: str, capital_first: bool = False) -> str:
    """A count of units in prose: «to», «ingen» for none (never «null av seks»)."""
    word = phrase(lang, "none") if n == 0 else whole_word(n, lang)
    return capital(word) if capital_first else word


def percent_pair(a: int, b: int, lang: str) -> tuple[str, str]:
    """Two whole percentages in one sentence, both in words or both in figures."""
    if max(a, b) <= 12:
        return whole_word(a, lang), f"{whole_word(b, lang)} {PROSENT}"
    return number(a), f"{number(b)} {PROSENT}"


def deficit_sentences(lang: str, now: Count, before: Count | None) -> list[str]:
    if not now.reported:
        return []  # the coverage sentence says that no figures came in
    if now.count == 0:
        out = [phrase(lang, "deficit_none", year=now.year)]
    elif (word := fraction_word(now.count, now.reported, lang)) is not None:
        out = [phrase(lang, "deficit_fraction", fraction=word, year=now.year)]
    else:
        out = [phrase(lang, "deficit_count", count=count_words(now.count, lang, True),
                      reported=whole_word(now.reported, lang), year=now.year)]
    if before is not None and before.reported:
        out.append(phrase(lang, "deficit_before_none") if before.count == 0 else
                   phrase(lang, "deficit_before", count=count_words(before.count, lang),
                          reported=whole_word(before.reported, lang)))
    return out


def emptied_sentences(lang: str, now: Count, before: Count | None) -> list[str]:
    if not now.reported:
        return []
    if now.count == 0:
        out = [phrase(lang, "emptied_none")]
    else:
        out = [phrase(lang, "emptied_count", count=count_words(now.count, lang, True),
                      reported=whole_word(now.reported, lang))]
    if before is not None and before.share is not None and now.share is not None and now.count:
        a, b = round(before.share), round(now.share)
        was, now_text = percent_pair(a, b, lang)
        if a == b:
            out.append(phrase(lang, "emptied_share_same", now=now_text))
        else:
            direction = phrase(lang, "direction_up" if b > a else "direction_down")
            out.append(phrase(lang, "emptied_share_change", direction=direction,
                              before=was, now=now_text))
    return out


def join_names(names: list[str], lang: str) -> str:
    """«A, B og C»."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " og " + names[-1]


def coverage_sentence(lang: str, counted: Count, missing_names: list[str]) -> str:
    if not counted.reported:
        return phrase(lang, "coverage_none", total=whole_word(counted.total, lang))
    if not counted.missing:
        return phrase(lang, "coverage_all", total=whole_word(counted.total, lang))
    return phrase(lang, "coverage_some", reported=whole_word(counted.reported, lang),
                  total=whole_word(counted.total, lang), missing=join_names(missing_names, lang))


def compare_sentence(lang: str, prefix: str, subject: str, mine: Figure, other: Figure,
                     **extra: str) -> str | None:
    """«… ligger dermed 1,4 prosentpoeng over landet uten Oslo.»"""
    if not (mine.known and other.known):
        return None
    diff = float(rounded(mine.value)) - float(rounded(other.value))
    if abs(diff) < 0.05:
        return phrase(lang, f"{prefix}_same", subject=subject, **extra)
    key = f"{prefix}_above" if diff > 0 else f"{prefix}_below"
    return phrase(lang, key, subject=subject, diff=prose_points(diff, 1, lang), **extra)
