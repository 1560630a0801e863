"""What SSB's tables hold and how to read them: table specs, labels, units, tidy rows.

Which tables and Klass registers the reports use (``TABLES``, ``CLASSIFICATIONS``);
the measure, unit and scope SSB's Norwegian labels name (``measure_for``,
``stated_unit``, ``amount_factor``, ``scope_for``), since contents codes are never
hard-coded; region codes in SSB's codes and labels (``normalise_region``); the
release a year's figures are from (``release_label``); and a JSON-stat dataset as
tidy rows (``tidy_rows``, the columns of ``kommunerapport.data``).

Nothing here touches the network or the disk, so both ways in use it:
``kommunerapport.ssb`` for what it fetches from SSB, ``kommunerapport.imports``
for the files a user saved from SSB (``--data FILE``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date

from kommunerapport import jsonstat
from kommunerapport.data import MEASURES


@dataclass(frozen=True)
class TableSpec:
    id: str
    level: str  # «kommuner» or «fylker»: which register codes are asked for
    about: str


TABLES = (
    TableSpec("12134", "kommuner", "Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern"),
    TableSpec("12143", "kommuner", "Finansielle nøkkeltall, disposisjonsfond"),
    TableSpec("13551", "kommuner", "Driftsregnskapet etter art, beløp"),
    TableSpec("13561", "fylker", "Nøkkeltall for fylkeskommunene"),
    TableSpec("07459", "kommuner", "Folkemengde 1. januar"),
)
CLASSIFICATIONS = {"131": "kommuner", "104": "fylker"}

# The subject a label must start with (a regular expression) → (measure as an
# amount, measure in %). «personer» is 07459's whole label, nothing more.
SUBJECTS: tuple[tuple[str, str | None, str | None], ...] = (
    ("netto driftsresultat", "ndr", "ndr_pct"),
    ("brutto driftsinntekter", "bdi", None),
    ("disposisjonsfond", "dispfond", "dispfond_pct"),
    ("fri egenkapital drift", None, "dispfond_pct"),
    ("årets merforbruk", None, "merforbruk_pct"),
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


def _clean_label(label: str) -> str:
    """Casefolded, spaces collapsed, a leading code dropped («AGD2 Brutto …» → «brutto …»)."""
    text = " ".join(label.casefold().split())
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
    parts = [_clean_label(label) for label in labels]
    text = " ".join(parts)
    if any(word in text for word in NOT_THE_MEASURE):
        return None
    found = set()
    for part in parts:
        for subject, amount, pct in SUBJECTS:
            if re.match(subject + r"(?![\wæøå])", part):
                found.add((subject, amount, pct))
                break
    if len(found) != 1:
        return None
    subject, amount, pct = found.pop()
    if "per innbygger" in text and "per innbygger" not in subject:
        return None
    return pct if ("%" in text or "prosent" in text) else amount


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


def _unit_key(text: str) -> str:
    t = " ".join(text.casefold().replace("\u00a0", " ").replace("\u202f", " ").split())
    return re.sub(r"(?<=\d) (?=\d{3}\b)", "", t).strip(" ,")


def stated_unit(text: str) -> str | None:
    """The unit a label or unit text states, as written; None if it states none.

    A unit in brackets counts whatever it says («(1000 kr)», «(euro)»); without
    brackets only a known unit at the end does («… i kroner», «…, mill. kr»), or
    the whole text when it is a unit («1000 kr»).
    """
    key = _unit_key(text)
    if key in AMOUNT_UNITS or key in PERCENT_UNITS:
        return text.strip()
    brackets = re.findall(r"\(([^()]*)\)", text)
    if brackets:
        return brackets[-1].strip()
    words = text.split()
    for n in (3, 2, 1):
        tail = " ".join(words[-n:]) if len(words) > n else ""
        if tail and (_unit_key(tail) in AMOUNT_UNITS or _unit_key(tail) in PERCENT_UNITS):
            return tail
    return None


def amount_factor(text: str) -> float | None:
    """Factor to 1000 kr from the unit a text states («kr», «(1000 kr)», «i mill. kr»).

    None when the text states no unit, or a unit that is not an amount in kroner;
    tell the two apart with ``stated_unit``.
    """
    unit = stated_unit(text)
    return AMOUNT_UNITS.get(_unit_key(unit)) if unit is not None else None


def scope_for(text: str) -> str | None:
    t = text.casefold()
    if "kasse" in t:
        return "kasse"
    if "konsern" in t:
        return "konsern"
    return None


def release_label(year: int, updated: str) -> str:
    """«foreløpige tall 16.03.2026» or «reviderte tall 15.06.2026» for a year's figures.

    SSB publishes a year's unrevised figures in March and revised ones in June of
    the next year; a table updated before 1 June of year + 1 holds unrevised ones.
    """
    if not updated:
        return "SSB, uten oppdateringsdato"
    try:
        day = date.fromisoformat(updated[:10])
    except ValueError:
        raise jsonstat.JsonStatError(f"«updated» er «{updated}», ikke en dato") from None
    kind = "foreløpige" if day < date(year + 1, 6, 1) else "reviderte"
    return f"{kind} tall {day:%d.%m.%Y}"


# --------------------------------------------------------------------------- tidy rows

@dataclass
class TidyResult:
    rows: list[dict[str, str]]
    skipped: dict[str, int] = field(default_factory=dict)  # unknown code → cells with values
    notes: list[str] = field(default_factory=list)


def format_value(value: float, decimals: int | None = None) -> str:
    """A tidy value: with ``decimals``, or as short as exact (no «.0»)."""
    if decimals is None:
        text = repr(round(value, 6))
        return text[:-2] if text.endswith(".0") else text
    text = f"{value:.{decimals}f}"
    return "0" if decimals == 0 and text == "-0" else text


def _dataset_factor(unit: jsonstat.Unit | None, label: str) -> float:
    """Factor to 1000 kr for an amount in a dataset; an unknown or absent unit is an error."""
    stated = unit.base.strip() if unit and unit.base.strip() else stated_unit(label)
    factor = AMOUNT_UNITS.get(_unit_key(stated)) if stated is not None else None
    if factor is not None:
        return factor
    if stated is None:
        raise jsonstat.JsonStatError(f"«{label}» er et beløp uten kjent enhet "
                                     "(kr, 1000 kr eller mill. kr)")
    raise jsonstat.JsonStatError(f"«{label}» har enheten «{stated}», som ikke er kr, "
                                 "1000 kr eller mill. kr")


_REGION = re.compile(r"^\s*(?:[KF]-)?(\d{4}|\d{2}|E[A-Z0-9]{1,6})(?:\s|$)")


def normalise_region(text: str, level: str | None = None) -> str | None:
    """The region code in an SSB code or label; None if there is none.

    «K-0301» → «0301»; «0301 Oslo - Oslove» → «0301»; «EAKUO Landet uten Oslo» →
    «EAKUO»; in a county table (``level`` «fylker») «3900» → «39».
    """
    m = _REGION.match(text)
    if m is None:
        return None
    code = m.group(1)
    if level == "fylker" and re.fullmatch(r"\d\d00", code):
        return code[:2]
    return code


def tidy_rows(ds: jsonstat.Dataset, known: set[str], source: str | None = None,
              level: str | None = None) -> TidyResult:
    """The tidy rows (``data.COLUMNS``, all strings) of a JSON-stat dataset.

    Regions not in ``known`` are left out and counted in ``skipped`` when they
    carry values (historic municipalities, SSB aggregates the model lacks).
    """
    geo = ds.role_of("geo") or next((d for d in ds.ids if "region" in d.casefold()), None)
    tid = ds.role_of("time") or next((d for d in ds.ids if d.casefold() in ("tid", "år")), None)
    if geo is None or tid is None:
        raise jsonstat.JsonStatError("finner ikke region- og tidsdimensjonen")
    source = source or (f"SSB {ds.table_id}" if ds.table_id else "SSB")
    table_scope = scope_for(ds.label) or "konsern"
    others = [d for d in ds.dimensions if d.id not in (geo, tid)]
    result = TidyResult([])
    seen: dict[tuple[str, str, str, str], str] = {}  # key → the label it came from
    for cell in ds.cells():
        labels = [d.label_of(cell.codes[d.id]) for d in others]
        label = " ".join(labels)
        measure = measure_for(*labels)
        if measure is None:
            continue
        unit = normalise_region(cell.codes[geo], level) or cell.codes[geo]
        if unit not in known:
            if cell.value is not None:
                result.skipped[unit] = result.skipped.get(unit, 0) + 1
            continue
        year = cell.codes[tid][:4]
        if not re.fullmatch(r"(19|20)\d\d", year):
            raise jsonstat.JsonStatError(f"«{cell.codes[tid]}» i tidsdimensjonen er ikke et år")
        scope = scope_for(label) or table_scope
        key = (unit, year, measure, scope)
        if key in seen:
            if seen[key] == label:
                continue  # a region listed twice
            raise jsonstat.JsonStatError(
                f"«{seen[key]}» og «{label}» gir begge {MEASURES[measure][0].lower()} "
                f"({scope}); vet ikke hvilken som gjelder")
        seen[key] = label
        u = ds.unit(cell.codes)
        decimals = u.decimals if u and u.decimals is not None else ds.decimals
        value = cell.value
        if MEASURES[measure][1] == "1000 kr":
            factor = _dataset_factor(u, label)
            if value is not None:
                value *= factor
                if decimals is not None:  # keep what the kroner said, no more
                    decimals = max(decimals - round(math.log10(factor)), 0)
        status = cell.status if value is None else ""
        if value is None and status not in ("..", ":", ".", "…", "-"):
            status = ".."  # SSB gave neither a value nor a symbol
        result.rows.append({
            "unit": unit, "year": year, "measure": measure,
            "value": "" if value is None else format_value(value, decimals),
            "status": status, "scope": scope, "source": source,
            "release": release_label(int(year), ds.updated), "synthetic": "false",
        })
    result.notes = list(ds.notes) + category_notes(ds)
    return result


def category_notes(ds: jsonstat.Dataset) -> list[str]:
    """SSB's notes on single categories, each as «label: note» («Haram: ny kommune fra 2024»)."""
    out = []
    for dim in ds.dimensions:
        for code, notes in dim.notes.items():
            out += [f"{dim.label_of(code)}: {n}" for n in notes if n]
    return out
