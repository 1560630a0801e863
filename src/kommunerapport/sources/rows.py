"""SSB's cells as tidy rows, with what was left out and why: one rule set for fetch and files.

Every way figures come in (``fetch``, JSON-stat, PX, CSV, XLSX) ends in
``RowBuilder.add``: a region as SSB writes it, a year, the labels (and codes) of
the cell's other categories, and a value or SSB's symbol. It finds the measure
(``measures.measure_of``: codes first, labels second), the unit code, the scale
of an amount, the scope, and either adds a tidy row or counts the cell under a
reason in ``skipped``. Two readers given the same cells therefore agree.

SSB's symbols as ``model.symbols`` says: a missing figure keeps its symbol as the row's
status, value empty; «-» is nil, so the value is 0.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from kommunerapport.errors import shown
from kommunerapport.model.measures import AMOUNT_UNITS, measure_of, scope_for, stated_unit, unit_key
from kommunerapport.model.schema import (
    COLUMNS,
    FIRST_DATA_YEAR,
    LAST_DATA_YEAR,
    MEASURES,
    year_problem,
)
from kommunerapport.model.symbols import MISSING, NIL
from kommunerapport.sources import limits

MINUS = "\u2212"

# Reasons a cell is left out, as the import summary says them.
NOT_A_MEASURE = "kategorier som ikke er mål rapportene bruker"
OLD_REGION = "regionkoder fra før 2024 (registeret har inndelingen fra 2024)"
OTHER_REGION = "regioner modellen ikke har (SSB-grupper, bydeler, uoppgitt o.l.)"
REPEATED = "samme celle en gang til"
EARLY_YEAR = f"år før {FIRST_DATA_YEAR} (KOSTRA har alle kommunene fra {FIRST_DATA_YEAR})"


LARGEST = 1e15  # no figure in a municipal account comes near this, in kroner or 1000 kr


class NumberTooLarge(ValueError):
    """A number no account can hold (a 400-digit «value» would be infinite as a float)."""


class CellError(ValueError):
    """A cell that cannot be read; ``where`` is the file's line, if known."""

    def __init__(self, message: str, where: int | None = None) -> None:
        super().__init__(message)
        self.message, self.where = message, where


def format_value(value: float, decimals: int | None = None) -> str:
    """A tidy value: with ``decimals``, or as short as exact (no «.0»)."""
    if decimals is None:
        text = repr(round(value, 6))
        return text[:-2] if text.endswith(".0") else text
    text = f"{value:.{decimals}f}"
    return "0" if decimals == 0 and text == "-0" else text


def parse_number(text: str) -> float | None:
    """«1 234,5», «-0,6», «−0.6», «81240» → float; empty → None; else ValueError."""
    t = text.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    t = t.replace(MINUS, "-")
    if not t:
        return None
    if "," in t and "." in t:  # «1.234,5» or «1,234.5»
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") \
            else t.replace(",", "")
    else:
        t = t.replace(",", ".")
    if not re.fullmatch(r"-?\d+(\.\d+)?(e[-+]?\d+)?", t, re.IGNORECASE):
        raise ValueError(text)
    value = float(t)
    if not abs(value) < LARGEST:  # also infinity: «1» and 400 zeros is no float
        raise NumberTooLarge(text)
    return value


def read_cell(raw: object) -> tuple[float | None, str]:
    """(value, status) from a cell as a file holds it: a number, a symbol, or empty.

    Empty means «..» (SSB gave nothing); «-» is 0. Anything else is a ValueError.
    """
    if raw is None:
        return None, ".."
    if isinstance(raw, bool):
        raise ValueError(str(raw))
    if isinstance(raw, int | float):
        try:
            value = float(raw)
        except OverflowError:  # an int of 400 digits from a workbook
            raise NumberTooLarge(str(raw)) from None
        if math.isnan(value):
            return None, ".."
        if not abs(value) < LARGEST:
            raise NumberTooLarge(str(raw))
        return value, ""
    text = str(raw).strip().strip('"').strip()
    if text == NIL:
        return 0.0, ""
    if text in MISSING:
        return None, text
    number = parse_number(text)
    return (None, "..") if number is None else (number, "")


_REGION = re.compile(r"^\s*(?:[KF]-)?(\d{4}|\d{2}|E[A-Z0-9]{1,6})(?:\s|$)")


def normalise_region(text: str, level: str | None = None) -> str | None:
    """The region code in an SSB code or label; None if there is none.

    «K-0301» → «0301»; «0301 Oslo - Oslove» and «0301 - Oslo» → «0301»; «EAKUO
    Landet uten Oslo» → «EAKUO»; in a county table (``level`` «fylker») «3900» → «39».
    """
    m = _REGION.match(text)
    if m is None:
        return None
    code = m.group(1)
    if level == "fylker" and re.fullmatch(r"\d\d00", code):
        return code[:2]
    return code


@dataclass
class RowBuilder:
    """Collects tidy rows (all strings, ``model.schema.COLUMNS``) and what was left out, by
    reason."""

    known: set[str]
    source: str
    release: Callable[[int], str]
    scope: str = "konsern"
    level: str | None = None
    table: str | None = None
    synthetic: str = "false"
    first_year: int = 2024  # unknown numeric codes with figures from this year are errors
    resolve: Callable[[str], str | None] | None = None  # region names → codes
    records: list[tuple[str, ...]] = field(default_factory=list)  # ``schema.COLUMNS`` order
    where: list[int | None] = field(default_factory=list)
    skipped: dict[str, Counter[str]] = field(default_factory=dict)
    _seen: dict[tuple[str, str, str, str], tuple[str, str]] = field(default_factory=dict)
    cells: int = 0  # cells given to ``add``, within ``limits.MAX_VALUES``

    @property
    def rows(self) -> list[dict[str, str]]:
        """The tidy rows as dicts (``records`` keeps them as tuples: a third of the memory)."""
        return [dict(zip(COLUMNS, r, strict=True)) for r in self.records]

    def skip(self, reason: str, detail: str) -> None:
        self.skipped.setdefault(reason, Counter())[detail] += 1

    def region(self, text: str) -> str:
        code = normalise_region(text, self.level)
        if code is None and self.resolve is not None:
            code = self.resolve(text)
        return code or text.strip()

    def add(self, region: str, year: str, labels: Sequence[str], raw: object, *,
            status: str = "", codes: Iterable[str] = (), unit: str | None = None,
            decimals: int | None = None, where: int | None = None) -> None:
        """One cell. ``raw`` is a number, a cell's text, or None with SSB's ``status``."""
        self.cells += 1
        if self.cells > limits.MAX_VALUES:
            raise CellError(f"over {limits.amount(limits.MAX_VALUES)} verdier, grensen for "
                            "verdier (SSB gir høyst 800 000 i ett uttrekk)", where)
        labels = [lab for lab in labels if lab]
        label = " ".join(labels)
        measure = measure_of(labels, list(codes), self.table)
        if measure is None:
            self.skip(NOT_A_MEASURE, label or ", ".join(codes))
            return
        try:
            unit_code = self.region(region)
        except CellError as exc:  # a name two municipalities have: which one?
            raise CellError(exc.message, where) from None
        match = re.match(r"\s*((?:19|20|21)\d\d)", str(year))
        if not match:
            raise CellError(f"«{shown(year)}» i tidsdimensjonen er ikke et år", where)
        year = match.group(1)
        if int(year) < FIRST_DATA_YEAR:
            self.skip(EARLY_YEAR, year)
            return
        if int(year) > LAST_DATA_YEAR:
            raise CellError(f"{year_problem(int(year))}", where)
        try:
            value, symbol = read_cell(raw)
        except NumberTooLarge:
            raise CellError(f"«{shown(raw)}» er for stort til å være et tall i et regnskap "
                            "(over 10^15)", where) from None
        except ValueError:
            raise CellError(f"«{shown(raw)}» er ikke et tall eller et av SSBs symboler "
                            "(.., :, ., -)", where) from None
        if value is None and status:
            symbol = NIL if status == NIL else status
            if symbol == NIL:
                value, symbol = 0.0, ""
            elif symbol not in MISSING:
                symbol = ".."
        if unit_code not in self.known:
            if unit_code.isdigit() and value is not None and int(year) >= self.first_year:
                raise CellError(f"ukjent regionkode «{unit_code}» med tall for {year}; "
                                "registeret kjenner kommunene og fylkene fra 2024", where)
            reason = OLD_REGION if unit_code.isdigit() else OTHER_REGION
            self.skip(reason, region.strip() if region.strip() != unit_code
                      else unit_code)
            return
        scope = scope_for(label) or self.scope
        key = (unit_code, year, measure, scope)
        given = "" if value is None else repr(value)
        if key in self._seen:
            seen_label, seen_value = self._seen[key]
            if seen_label != label:
                raise CellError(f"«{seen_label}» og «{label}» gir begge "
                                f"{MEASURES[measure][0].lower()} ({scope}) for {unit_code} "
                                f"{year}; vet ikke hvilken som gjelder", where)
            if seen_value != given:  # the same cell twice with two values: refused, as
                # the survey and tidy readers refuse a second row
                raise CellError(f"{MEASURES[measure][0].lower()} ({scope}) for {unit_code} "
                                f"{year} står to ganger med ulike verdier: "
                                f"{shown(seen_value or status or '..')} og "
                                f"{shown(given or status or '..')}; vet ikke hvilken som "
                                "gjelder", where)
            self.skip(REPEATED, f"{unit_code} {year} {label}")
            return
        self._seen[key] = (label, given)
        if MEASURES[measure][1] == "1000 kr" and value is not None:
            factor = amount_scale(unit, labels, where)
            value *= factor
            if decimals is not None:  # keep what the kroner said, no more
                decimals = max(decimals - round(math.log10(factor)), 0)
        self.records.append((
            unit_code, year, measure, "" if value is None else format_value(value, decimals),
            "" if value is not None else symbol, scope, self.source, self.release(int(year)),
            self.synthetic))
        self.where.append(where)


def amount_scale(unit: str | None, labels: Sequence[str], where: int | None = None) -> float:
    """Factor to 1000 kr: from the unit SSB gives, else the unit a label states; else an error."""
    stated = unit.strip() if unit and unit.strip() else next(
        (s for s in (stated_unit(lab) for lab in labels) if s is not None), None)
    factor = AMOUNT_UNITS.get(unit_key(stated)) if stated is not None else None
    if factor is not None:
        return factor
    label = " ".join(labels)
    if stated is None:
        raise CellError(f"«{label}» er et beløp uten kjent enhet (kr, 1000 kr eller mill. kr)",
                        where)
    raise CellError(f"«{label}» har enheten «{stated}», som ikke er kr, 1000 kr eller "
                    "mill. kr", where)
