"""The report check: what every report must pass before it is rendered.

It reads the finished text (no PDF needed, so a batch checks all 388 reports on
the fast path) and finds the classes of defect an editor found by hand:

- a number that does not show the fact in its slot: every number of a generated
  sentence, key figure, chart, table and note stands in a slot bound to one fact
  (``writing.facts``), and must print that fact's digits with its sign (or without
  it, where the sentence says the direction in words), or its count in words;
- a number that stands in no slot (it did not come from the figures); years, dates
  and paragraphs of the law are not figures;
- bokmål words in a nynorsk report, and nynorsk words in a bokmål one (marker
  words below; proper names and the user's own quotes are not checked);
- «Oslo fylkeskommune», which does not exist in the accounts; two commas in a row;
- a sentence about all or none of the municipalities when some have not reported;
- the same sentence printed twice;
- the user's own words (headline, lede, quotes) that the figures refute
  (``writing.claims``, judged when the report is built).

A failed check stops the report with one line that quotes the offending text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kommunerapport.errors import KommunerapportError
from kommunerapport.writing.facts import Fact, outside_slots, plain, slots
from kommunerapport.writing.formatting import MINUS, NBSP, ONE, WORDS
from kommunerapport.writing.lang import FRACTIONS, label

# Words that are bokmål and not nynorsk, and the reverse, as the reports could use them.
BOKMAL_ONLY = frozenset("""
    ikke hva hvor hvem hvordan hver hvert noen noe mye fra fikk ble blitt være uten
    samlet sammenlignet sammenlignes sammenligne tall tallene tallet tallgrunnlag
    kommunene fylkeskommunene kommuner fylkeskommuner underskudd bedring svekkelse
    svakere sterkeste svakeste ligger normen finnes mangler omfatter økte økt gikk
    gjaldt statlig beregning beregnet beregningsutvalget anbefaler anbefalt løpende mens
    de samme holdt igjen laget alene selskaper foretak kilde deres ett et en mer bare
    hele høyest lavest høyere vedtatt innen oppsto dekkes merforbruk regnskap regnskapet
    regnskapsundersøkelse foreløpige hentet ennå dessuten flere gjelder ene underskuddet
    uendret
""".split())  # noqa: SIM905 - a word list reads best as text
NYNORSK_ONLY = frozenset("""
    ikkje kva kvar korleis nokon noko mykje frå fekk vart vere utan samanlikna
    samanlikne tal tala talet talgrunnlag kommunane fylkeskommunane kommunar
    fylkeskommunar underskot betring svekking svakare sterkaste svakaste ligg norma
    finst manglar omfattar auka gjekk galdt statleg berekning berekna berekningsutvalet
    tilrår tilrådd løpande medan dei same halde att laga åleine føretak kjelde deira eit
    ein eitt meir berre heile høgast lågast høgare vedteke vedteken innan oppstod
    dekkjast meirforbruk rekneskap rekneskapen rekneskapsundersøking førebelse henta
    utrekning dessutan òg fleire eine underskotet uendra
""".split())  # noqa: SIM905 - a word list reads best as text
MARKERS = {"nn": BOKMAL_ONLY, "nb": NYNORSK_ONLY}

NO_OSLO_AUTHORITY = re.compile(r"Oslo\s+fylkeskommune", re.IGNORECASE)
DOUBLE_COMMA = re.compile(r",\s*,")
DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
LAW = re.compile(r"§\s*\d+(?:-\d+)?(?:\s+[a-g](?:\s*(?:,|og)\s*[a-g])*)?")
NUMBER = re.compile(r"(?<![\w,.])[−-]?\d+(?:[ \u00a0]\d{3})*(?:,\d+)?(?![\w,])")
WORD = re.compile(r"[A-Za-zÆØÅæøåÀ-ÿ]+")
# Quantifiers that speak of every unit (or none); with partial data they must say
# that they mean those that reported.
ALL_UNITS = re.compile(r"\b(alle|ingen|hver|kvar)\b", re.IGNORECASE)
UNIT_WORD = re.compile(r"kommun", re.IGNORECASE)
REPORTED = re.compile(r"som har rapportert|har tal|har tall|ROBEK")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ«–])")


class CheckError(KommunerapportError):
    """A report failed the text check: it would say something its figures do not."""


@dataclass(frozen=True)
class Draft:
    """What the check reads of a report: its words by where they stand, and its facts.

    ``prose``: the generated sentences (title, lede, key figures, paragraphs, chart
    titles and alt texts, notes), each as (where, sentence) with its slots; their numbers
    must show the facts in their slots. ``cells``: table and chart cells, held to the
    same rule. ``layout``: headings, table headers and notes, checked for language only.
    ``refused``: the user's own words the figures refute (``writing.claims``), one line
    each.
    """

    about: str  # what the report is about, for the message («Kommuneøkonomien 2025, Vestfold»)
    lang: str
    year: int
    prose: tuple[tuple[str, str], ...]
    layout: tuple[tuple[str, str], ...]
    facts: tuple[Fact, ...]
    names: frozenset[str]  # proper names it uses (not checked as bokmål/nynorsk)
    cells: tuple[tuple[str, str], ...] = ()
    refused: tuple[str, ...] = ()
    partial: bool = False  # some of the units it speaks of have no figures
    user: tuple[tuple[str, str], ...] = ()  # the user's words as printed: never twice either


def check(draft: Draft) -> None:
    """Raise ``CheckError`` with the first problem, if any."""
    found = problems(draft)
    if found:
        raise CheckError(f"Rapporten for {draft.about} stoppet i tekstkontrollen: {found[0]}")


def problems(report: Draft) -> list[str]:
    """Every problem the check finds, one line each."""
    out: list[str] = list(report.refused)
    sentences = [(where, s) for where, s in report.prose if s]
    for where, text in sentences + list(report.layout):
        sentence = plain(text)
        if NO_OSLO_AUTHORITY.search(sentence):
            out.append(f"«Oslo fylkeskommune» finnes ikke i regnskapene ({where}).")
        if DOUBLE_COMMA.search(sentence):
            out.append(f"to komma etter hverandre i «{_short(sentence)}» ({where}).")
        for word in _foreign_words(sentence, report.lang, report.names):
            out.append(f"«{word}» er {'bokmål' if report.lang == 'nn' else 'nynorsk'} i en "
                       f"rapport på {'nynorsk' if report.lang == 'nn' else 'bokmål'} ({where}: "
                       f"«{_short(sentence)}»).")
    for where, text in sentences + list(report.cells):
        out += _number_problems(where, text, report)
    if report.partial:
        for where, text in sentences:
            for part in SENTENCE_END.split(plain(text)):
                if (ALL_UNITS.search(part) and UNIT_WORD.search(part)
                        and not REPORTED.search(part)):
                    out.append(f"«{_short(part)}» ({where}) gjelder alle kommunene, men ikke "
                               "alle har rapportert.")
    out += _repeated(sentences + list(report.user))
    return out


def _number_problems(where: str, text: str, report: Draft) -> list[str]:
    """Each slot shows its fact; no number stands outside a slot (but years and dates)."""
    out = []
    sentence = plain(text)
    for slot in slots(text):
        fact = report.facts[slot.fact] if slot.fact < len(report.facts) else None
        if fact is None or not shows(slot.kind, slot.text, fact, report.lang):
            held = (f"{fact.subject}, {fact.measure[:1].lower()}{fact.measure[1:]} {fact.year}: "
                    f"{fact.value}" if fact else "et tall rapporten ikke har")
            out.append(f"tallet «{plain(slot.text)}» i «{_short(sentence)}» ({where}) viser ikke "
                       f"tallet det står for ({held}).")
    for number in _numbers(outside_slots(text), report.year):
        out.append(f"tallet {number} i «{_short(sentence)}» ({where}) er ikke fylt inn fra et "
                   "av rapportens tall.")
    return out


FRACTION_OF = {word: n for lang in FRACTIONS.values() for n, word in lang.items()}


def shows(kind: str, printed: str, fact: Fact, lang: str) -> bool:
    """Whether ``printed`` (the text of a slot of ``kind``) shows ``fact`` as the rules say."""
    text = " ".join(printed.replace(NBSP, " ").split())
    if kind == "words":
        if not fact.value.isdigit():
            return False
        n = int(fact.value)
        forms = set(ONE[lang].values()) if n == 1 else {WORDS[lang][n]} if n <= 12 else set()
        return text == fact.value or text.casefold() in forms
    if kind == "fraction":
        share = FRACTION_OF.get(text.casefold())
        return (share is not None and fact.value.isdigit()
                and abs(int(fact.value) - 100 / share) <= 2.5)
    if kind == "magnitude":
        return text == fact.digits
    minus = label(lang, "word_minus") + " "
    sign, digits = (("-", text[len(minus):]) if text.startswith(minus)
                    else ("-", text[1:]) if text.startswith(MINUS)
                    else ("+", text[1:]) if text.startswith("+") else ("", text))
    wanted = "-" if fact.negative else "+" if fact.value.startswith("+") else ""
    return digits == fact.digits and sign == wanted


def _repeated(sentences: list[tuple[str, str]]) -> list[str]:
    """The same sentence twice in the report's text (its lede and its body, say)."""
    seen: dict[str, str] = {}
    out = []
    for where, text in sentences:
        for part in SENTENCE_END.split(plain(text)):
            words = " ".join(part.split())
            if len(words) < 25:  # «Ja», a year, a short label: not a sentence
                continue
            if words in seen:
                out.append(f"setningen «{_short(words)}» står to ganger ({seen[words]} og "
                           f"{where}).")
            else:
                seen[words] = where
    return out


def _foreign_words(sentence: str, lang: str, names: frozenset[str]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        if name:
            sentence = sentence.replace(name, " ")
    markers = MARKERS[lang]
    return [w for w in WORD.findall(sentence) if w.casefold() in markers]


def _numbers(sentence: str, year: int) -> list[str]:
    """The numbers of ``sentence`` that are not years, dates or paragraphs of the law."""
    sentence = DATE.sub(" ", LAW.sub(" ", sentence))
    years = {str(y) for y in range(year - 10, year + 2)}
    return [n.replace(" ", NBSP) for n in NUMBER.findall(sentence)
            if n not in years]


def _short(text: str, width: int = 90) -> str:
    text = " ".join(plain(text).split())
    return text if len(text) <= width else text[:width - 1] + "…"
