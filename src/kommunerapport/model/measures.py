"""The one mapping from SSB's tables to our measures: contents codes first, labels second.

``fetch`` and every reader ask this module what a category is:

1. ``CODES``: the contents codes the reports use, per SSB table, each with where
   it was seen. A code found here decides the measure, whatever its label says.
2. ``measure_for``: SSB's Norwegian labels, for codes not in ``CODES`` and for
   files that carry labels only (Statistikkbanken exports, PX files). Tolerant of
   SSB's own spellings («Netto driftresultat …», without the s), abbreviations
   («br. driftsinnt.»), a category code in front («56 Disposisjonsfond (K)») and
   old labels («Årets mindre/merforbruk …», 2015–2018).

It also says what unit an amount is in (``stated_unit``, ``amount_factor``) and
which scope a label names (``scope_for``). Nothing here reads files or the network.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kommunerapport.model.schema import MEASURES


@dataclass(frozen=True)
class Code:
    table: str
    code: str
    measure: str
    label: str  # SSB's label as seen
    seen: str  # where: a response in tests/fixtures or a public source


# The contents codes the reports use. 12134's codes are stable since 2015;
# 12143, 13551 and 13561 are read by label (their codes were not seen in a
# public response this project could check), and so is anything SSB adds.
CODES: tuple[Code, ...] = (
    Code("12134", "KOSAGD230000", "ndr_pct",
         "Netto driftresultat i prosent av brutto driftsinntekter (prosent)",
         "PxWebApi v2 12134 (issue 8; janbrus/pxwebapi-skills kostra.md, checked 20.09.2026)"),
    Code("12134", "KOSAG110000", "frie_inntekter_innb", "Frie inntekter per innbygger (kr)",
         "tests/fixtures/ssb/12134_v2_jsonstat2_3kommuner_2024.json"),
    Code("12134", "KOSAGD290000", "merforbruk_pct",
         "Årets merforbruk i driftsregnskapet i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSKG280000", "arbeidskapital_pct",
         "Arbeidskapital uten premieavvik i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSKG400000", "renteeksponering_pct",
         "Netto renteeksponering i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSKG320000", "gjeld_pct",
         "Langsiktig gjeld uten pensjonsforpliktelser i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSKG210000", "dispfond_pct",
         "Fri egenkapital drift i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSAGI10000", "invest_pct",
         "Brutto investeringsutgifter i prosent av brutto driftsinntekter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("12134", "KOSAGI210000", "egenfinansiering_pct",
         "Egenfinansiering av investeringene i prosent av totale brutto investeringsutgifter",
         "nilskvilvang/NorMacro R/kostra_indicators.R"),
    Code("07459", "Personer1", "folkemengde", "Personer",
         "tests/fixtures/conformance/real/07459_v0_jsonstat2_kommuner_2022.json"),
)
_BY_CODE = {(c.table, c.code): c.measure for c in CODES}
_ANY_TABLE = {}
for _c in CODES:  # a code no other table uses means the same in a file without a table id
    _ANY_TABLE[_c.code] = None if _c.code in _ANY_TABLE else _c.measure


def measure_for_code(code: str, table: str | None = None) -> str | None:
    """The measure of a contents code of ``table``; with no table, of a code only one table has."""
    if table:
        return _BY_CODE.get((table, code))
    return _ANY_TABLE.get(code)


# The subject a label must start with (a regular expression) → (measure as an
# amount, measure in %). «personer» is 07459's whole label, nothing more.
SUBJECTS: tuple[tuple[str, str | None, str | None], ...] = (
    (r"netto drifts?resultat", "ndr", "ndr_pct"),  # SSB writes «driftresultat» in 12134
    ("brutto driftsinntekter", "bdi", None),
    ("sum driftsinntekter", "bdi", None),
    ("brutto driftsutgifter", "bdu", None),
    ("sum driftsutgifter", "bdu", None),
    ("disposisjonsfond", "dispfond", "dispfond_pct"),
    ("fri egenkapital drift", None, "dispfond_pct"),
    (r"årets (?:mindre/)?merforbruk", None, "merforbruk_pct"),  # «mindre/merforbruk» 2015–2018
    ("arbeidskapital", None, "arbeidskapital_pct"),
    ("netto renteeksponering", None, "renteeksponering_pct"),
    ("langsiktig gjeld", None, "gjeld_pct"),
    ("frie inntekter per innbygger", "frie_inntekter_innb", None),
    ("brutto investeringsutgifter", "invest", "invest_pct"),
    ("egenfinansiering", None, "egenfinansiering_pct"),
    (r"personer(?: \([^()]*\))?$", "folkemengde", None),
    ("folkemengde", "folkemengde", None),
)
# A label with these is about something else: a flow into or out of the measure.
NOT_THE_MEASURE = ("bruk av", "avsetning")
# SSB marks the level a key figure is for: (K) kommune, (F) fylkeskommune, (B) bydel.
LEVEL_MARK = re.compile(r"\s*\((?:k|f|b|k/f|f/k)\)", re.IGNORECASE)


def clean_label(label: str) -> str:
    """Casefolded, spaces collapsed, a leading code and SSB's level mark dropped.

    «AGD2 Brutto …» → «brutto …»; «56 Disposisjonsfond (K)» → «disposisjonsfond»;
    «KOSAG110000 - Frie inntekter …» (PxWebApi's «code - text») → «frie inntekter …».
    """
    text = " ".join(LEVEL_MARK.sub("", label).casefold().split())
    text = re.sub(r"^[a-zæøå]*\d[\w.]*\s+-\s+", "", text)  # «code - text»
    return re.sub(r"^[a-zæøå]*\d[\w.]*:?\s+", "", text)


def measure_for(*labels: str) -> str | None:
    """The measure SSB labels name, as amount or %; None when they name none or two.

    ``labels`` are one category's label, or the labels of one cell's categories
    (art, regnskapsomfang, statistikkvariabel). One of them must *start* with a
    subject: «Netto driftsresultat i % av brutto driftsinntekter (%)» →
    ``ndr_pct``; «Brutto driftsinntekter» + «Beløp (1000 kr)» → ``bdi``. Flows
    («Bruk av / Avsetninger til disposisjonsfond»), figures per innbygger (but for
    the measure that is per innbygger) and other persons than the population
    («Personer i arbeidsstyrken») name no measure.
    """
    parts = [clean_label(label) for label in labels]
    text = " ".join(parts)
    if any(word in text for word in NOT_THE_MEASURE):
        return None
    found = set()
    for part in parts:
        for subject, amount, pct in SUBJECTS:
            if re.match(subject + r"(?![\wæøå])", part):
                found.add((amount, pct))
                break
    if len(found) != 1:
        return None
    amount, pct = found.pop()
    if "per innbygger" in text and amount != "frie_inntekter_innb":
        return None
    measure = pct if ("%" in text or "prosent" in text or " andel" in f" {text}") else amount
    return measure if measure in MEASURES else None


def measure_of(labels: Sequence[str], codes: Sequence[str] = (),
               table: str | None = None) -> str | None:
    """Codes first, labels second: the measure of one cell's categories."""
    for code in codes:
        found = measure_for_code(code, table)
        if found:
            return found
    return measure_for(*labels) if labels else None


# A unit as written (casefolded, spaces collapsed, «1 000» as «1000») → factor to 1000 kr.
AMOUNT_UNITS: dict[str, float] = {
    **dict.fromkeys(("kr", "kr.", "kroner", "nok"), 0.001),
    **dict.fromkeys(("1000 kr", "1000 kr.", "1000 kroner", "1000 nok", "tusen kr",
                     "tusen kr.", "tusen kroner", "tusen nok", "tkr", "tkr.", "i 1000 kr",
                     "i tusen kroner"), 1.0),
    **dict.fromkeys(("mill. kr", "mill kr", "mill. kr.", "mill. kroner", "mill kroner",
                     "millioner kr", "millioner kroner", "mill. nok", "mill nok", "mnok",
                     "mill.kr", "i mill. kr", "i millioner kroner"), 1000.0),
    **dict.fromkeys(("mrd. kr", "mrd kr", "mrd. kr.", "mrd. kroner", "mrd kroner",
                     "milliarder kr", "milliarder kroner", "mrd. nok", "mrd nok",
                     "mrd.kr"), 1_000_000.0),
}
PERCENT_UNITS = ("%", "prosent", "pst", "pst.")


def unit_key(text: str) -> str:
    t = " ".join(text.casefold().replace("\u00a0", " ").replace("\u202f", " ").split())
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "", t).strip(" ,")


def stated_unit(text: str) -> str | None:
    """The unit a label or unit text states, as written; None if it states none.

    A unit in brackets counts whatever it says («(1000 kr)», «(euro)»), except
    SSB's level marks «(K)», «(F)», «(B)»; without brackets only a known unit at
    the end does («… i kroner», «…, mill. kr»), or the whole text when it is a
    unit («1000 kr»).
    """
    text = LEVEL_MARK.sub("", text)
    key = unit_key(text)
    if key in AMOUNT_UNITS or key in PERCENT_UNITS:
        return text.strip()
    brackets: list[str] = re.findall(r"\(([^()]*)\)", text)
    if brackets:
        return brackets[-1].strip()
    words = text.split()
    for n in (3, 2, 1):
        tail = " ".join(words[-n:]) if len(words) > n else ""
        if tail and (unit_key(tail) in AMOUNT_UNITS or unit_key(tail) in PERCENT_UNITS):
            return tail
    return None


def amount_factor(text: str) -> float | None:
    """Factor to 1000 kr from the unit a text states («kr», «(1000 kr)», «i mill. kr»).

    None when the text states no unit, or a unit that is not an amount in kroner;
    tell the two apart with ``stated_unit``.
    """
    unit = stated_unit(text)
    return AMOUNT_UNITS.get(unit_key(unit)) if unit is not None else None


def scope_for(text: str) -> str | None:
    """«kasse» or «konsern» when a label names one («Kommunekasse», «(K) konsern»)."""
    t = text.casefold()
    if "kasse" in t or "eksl. foretak" in t or "ekskl. foretak" in t:
        return "kasse"
    if "konsern" in t:
        return "konsern"
    return None
