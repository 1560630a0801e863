"""The report check: what every report must pass before it is rendered.

It reads the finished text (no PDF needed, so a batch checks all 388 reports on
the fast path) and finds the classes of defect an editor found by hand:

- bokmål words in a nynorsk report, and nynorsk words in a bokmål one (marker
  words below; proper names and the user's own quotes are not checked);
- «Oslo fylkeskommune», which does not exist in the accounts;
- a number in a sentence that is not one of the report's facts as shown (a figure
  that did not come from the data, or was rounded another way);
- a sentence about all or none of the municipalities when some have not reported.

A failed check stops the report with one line that quotes the offending text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from kommunerapport.errors import KommunerapportError
from kommunerapport.writing.facts import Fact
from kommunerapport.writing.formatting import MINUS

# Words that are bokmål and not nynorsk, and the reverse, as the reports could use them.
BOKMAL_ONLY = frozenset("""
    ikke hva hvor hvem hvordan hver hvert noen noe mye fra fikk ble blitt være uten
    samlet sammenlignet sammenlignes sammenligne tall tallene tallet tallgrunnlag
    kommunene fylkeskommunene kommuner fylkeskommuner underskudd bedring svekkelse
    svakere sterkeste svakeste ligger normen finnes mangler omfatter økte økt gikk
    gjaldt statlig beregning beregnet beregningsutvalget anbefaler anbefalt løpende mens
    de samme holdt igjen laget alene selskaper foretak kilde deres ett et en mer bare
    hele høyest lavest høyere vedtatt innen oppsto dekkes merforbruk regnskap regnskapet
    regnskapsundersøkelse foreløpige hentet ennå dessuten flere
""".split())  # noqa: SIM905 - a word list reads best as text
NYNORSK_ONLY = frozenset("""
    ikkje kva kvar korleis nokon noko mykje frå fekk vart vere utan samanlikna
    samanlikne tal tala talet talgrunnlag kommunane fylkeskommunane kommunar
    fylkeskommunar underskot betring svekking svakare sterkaste svakaste ligg norma
    finst manglar omfattar auka gjekk galdt statleg berekning berekna berekningsutvalet
    tilrår tilrådd løpande medan dei same halde att laga åleine føretak kjelde deira eit
    ein eitt meir berre heile høgast lågast høgare vedteke vedteken innan oppstod
    dekkjast meirforbruk rekneskap rekneskapen rekneskapsundersøking førebelse henta
    utrekning dessutan òg fleire
""".split())  # noqa: SIM905 - a word list reads best as text
MARKERS = {"nn": BOKMAL_ONLY, "nb": NYNORSK_ONLY}

NO_OSLO_AUTHORITY = re.compile(r"Oslo\s+fylkeskommune", re.IGNORECASE)
DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
LAW = re.compile(r"§\s*\d+(?:-\d+)?(?:\s+[a-g](?:\s*(?:,|og)\s*[a-g])*)?")
NUMBER = re.compile(r"(?<![\w,.])\d+(?:[ \u00a0]\d{3})*(?:,\d+)?(?![\w,])")
WORD = re.compile(r"[A-Za-zÆØÅæøåÀ-ÿ]+")
# Quantifiers that speak of every unit (or none); with partial data they must say
# that they mean those that reported.
ALL_UNITS = re.compile(r"\b(alle|ingen|hver|kvar)\b", re.IGNORECASE)
UNIT_WORD = re.compile(r"kommun", re.IGNORECASE)
REPORTED = re.compile(r"som har rapportert|har tal|har tall|ROBEK")


class CheckError(KommunerapportError):
    """A report failed the text check: it would say something its figures do not."""


@dataclass(frozen=True)
class Draft:
    """What the check reads of a report: its words by where they stand, and its facts.

    ``prose``: the generated sentences (title, lede, key figures, paragraphs, chart
    titles and alt texts, notes), each as (where, sentence); their numbers must be
    facts. ``layout``: headings, table headers and notes, checked for language only.
    """

    about: str  # what the report is about, for the message («Kommuneøkonomien 2025, Vestfold»)
    lang: str
    year: int
    prose: tuple[tuple[str, str], ...]
    layout: tuple[tuple[str, str], ...]
    facts: tuple[Fact, ...]
    names: frozenset[str]  # proper names it uses (not checked as bokmål/nynorsk)
    user_text: tuple[str, ...] = ()  # the config's headline and lede, as given
    partial: bool = False  # some of the units it speaks of have no figures
    main: Decimal | None = None  # the headline figure as shown
    main_change: Decimal | None = None  # its change from the year before, as shown


def check(draft: Draft) -> None:
    """Raise ``CheckError`` with the first problem, if any."""
    found = problems(draft)
    if found:
        raise CheckError(f"Rapporten for {draft.about} stoppet i tekstkontrollen: {found[0]}")


def problems(report: Draft) -> list[str]:
    """Every problem the check finds, one line each."""
    out: list[str] = []
    sentences = list(report.prose)
    for where, sentence in sentences + list(report.layout):
        if NO_OSLO_AUTHORITY.search(sentence):
            out.append(f"«Oslo fylkeskommune» finnes ikke i regnskapene ({where}).")
        for word in _foreign_words(sentence, report.lang, report.names):
            out.append(f"«{word}» er {'bokmål' if report.lang == 'nn' else 'nynorsk'} i en "
                       f"rapport på {'nynorsk' if report.lang == 'nn' else 'bokmål'} ({where}: "
                       f"«{_short(sentence)}»).")
    allowed = _allowed_numbers(report)
    for where, sentence in sentences + [("brukerens tekst", t) for t in report.user_text]:
        for number in _numbers(sentence):
            if number not in allowed:
                out.append(f"tallet {number} i «{_short(sentence)}» ({where}) er ikke et av "
                           "rapportens tall.")
    for text in report.user_text:
        out += _contradictions(text, report)
    if report.partial:
        for where, sentence in sentences:
            for part in re.split(r"(?<=[.!?])\s+", sentence):
                if (ALL_UNITS.search(part) and UNIT_WORD.search(part)
                        and not REPORTED.search(part)):
                    out.append(f"«{_short(part)}» ({where}) gjelder alle kommunene, men ikke "
                               "alle har rapportert.")
    return out


# Words in the user's own headline or lede that say which way the figures went.
SURPLUS = re.compile(r"\b(pluss|overskudd|overskot)\b", re.IGNORECASE)
DEFICIT = re.compile(r"\b(underskudd|underskot|minus)\b", re.IGNORECASE)
BETTER = re.compile(r"\b(bedre|bedring|betre|betring|styrket|styrka|styrking)\b",
                    re.IGNORECASE)
WORSE = re.compile(r"\b(svakere|svekkelse|svakare|svekking|forverring|forverra|forverret)\b",
                   re.IGNORECASE)


def _contradictions(text: str, report: Draft) -> list[str]:
    """The user's headline or lede may not say what the figures contradict: «pluss» when
    the result is not above zero, «bedre» when it fell. A text that names both sides
    («snudde et underskudd til et overskudd») is not judged."""
    now, change = report.main, report.main_change
    quoted = f"«{_short(text)}»"
    checks = []
    if now is not None:
        said = f"hovedtallet er {_number(now)} prosent"
        checks += [(SURPLUS, DEFICIT, now <= 0, said), (DEFICIT, SURPLUS, now >= 0, said)]
    if change is not None:
        said = f"hovedtallet endret seg {_number(change)} prosentpoeng fra året før"
        checks += [(BETTER, WORSE, change <= 0, said), (WORSE, BETTER, change >= 0, said)]
    out = []
    for word, opposite, wrong, said in checks:
        found = word.search(text)
        if found and wrong and not opposite.search(text):
            out.append(f"{quoted} sier «{found[0]}», men {said}.")
    return out


def _number(d: Decimal) -> str:
    return str(d).replace(".", ",").replace("-", MINUS)


def _foreign_words(sentence: str, lang: str, names: frozenset[str]) -> list[str]:
    for name in sorted(names, key=len, reverse=True):
        if name:
            sentence = sentence.replace(name, " ")
    markers = MARKERS[lang]
    return [w for w in WORD.findall(sentence) if w.casefold() in markers]


def _numbers(sentence: str) -> list[str]:
    sentence = DATE.sub(" ", LAW.sub(" ", sentence))
    return [n.replace(" ", "\u00a0") for n in NUMBER.findall(sentence)]


def _allowed_numbers(report: Draft) -> set[str]:
    allowed = {f.digits.replace(" ", "\u00a0") for f in report.facts}
    for f in report.facts:
        allowed.update(re.findall(r"\d{4}", f.year))
    first = report.year - 10
    allowed.update(str(y) for y in range(first, report.year + 1))
    return {a.lstrip(MINUS + "+") for a in allowed}


def _short(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"
