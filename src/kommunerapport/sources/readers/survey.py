"""KS's own survey sheet (CSV or XLSX): one row per municipality and year, kasse scope.

Columns ``kommunenummer``, ``år`` and any of brutto driftsinntekter, netto
driftsresultat and disposisjonsfond, in 1000 kr (or another stated unit) and/or in
% of BDI; ``syntetisk = ja`` marks invented example figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kommunerapport.errors import DataError, shown
from kommunerapport.model.measures import amount_factor, measure_for, stated_unit
from kommunerapport.model.regions import normalise
from kommunerapport.model.schema import MEASURES, implausible, year_problem
from kommunerapport.sources import limits
from kommunerapport.sources.readers import grid
from kommunerapport.sources.readers.base import Reading, ReadingMeta, Source
from kommunerapport.sources.rows import NumberTooLarge, format_value, read_cell

FORMAT = "KS-undersøkelse"
SOURCE = "KS regnskapsundersøkelse"
SCOPE = "kasse"  # KS's survey asks for the municipality's own accounts
COLUMNS = {
    "unit": {"kommunenummer", "kommunenr", "knr", "kommune nr"},
    "year": {"ar", "aar", "regnskapsar", "year"},
    "name": {"kommunenavn", "kommune", "navn"},
    "synthetic": {"syntetisk", "eksempeldata"},  # «ja» marks invented example figures
}
MEASURES_ALLOWED = ("bdi", "ndr", "dispfond", "ndr_pct", "dispfond_pct", "bdu")


def _header(src: Source) -> tuple[list[grid.Row], int] | None:
    rows = grid.load(src)
    for i, (_, cells) in enumerate(rows[:30]):
        if any(normalise(c) in COLUMNS["unit"] for c in cells):
            return rows, i
    return None


def claims(src: Source) -> bool:
    return not src.looks_json and _header(src) is not None


def read(src: Source) -> Reading:
    from kommunerapport.model.schema import known_units

    path = src.path
    found = _header(src)
    assert found is not None  # claims() found the header
    rows, start = found
    header_line, header = rows[start]
    roles = _roles(path, header_line, header)
    known = known_units()
    out: list[tuple[str, ...]] = []  # tidy rows in data.COLUMNS order
    lines: list[int | None] = []
    seen: dict[tuple[str, str], int] = {}  # a second row for a unit and year is an error at once
    from kommunerapport.model.releases import Release

    release = Release(None, src.release, f"KS-undersøkelse, {path.name}").text()
    for line, record in rows[start + 1:]:
        if not any(c for c in record):
            continue
        if len(record) > len(header) and any(record[len(header):]):
            raise DataError.at(path, f"{len(record)} felt, men overskriften har {len(header)}.",
                               line=line)
        record = list(record) + [""] * (len(header) - len(record))
        unit = _unit(record[roles.columns["unit"]], path, line, known)
        year = _year(record[roles.columns["year"]], path, line)
        first = seen.setdefault((unit, year), line)
        if first != line:
            measure = next(iter(roles.measures.values()))
            raise DataError.at(path, f"dobbel rad for {unit} {year} {measure} {SCOPE} "
                                   f"(samme som linje {first}).", line=line)
        if len(out) + len(roles.measures) + 2 > limits.MAX_VALUES:
            raise DataError.at(path, f"over {limits.amount(limits.MAX_VALUES)} verdier, grensen "
                                   "for verdier.", line=line)
        values: dict[str, tuple[str, str]] = {}  # measure → (value as text, status)
        for i, measure in roles.measures.items():
            try:
                value, status = read_cell(record[i] or None)
            except NumberTooLarge:
                raise DataError.at(path, f"«{shown(record[i])}» er for stort til å være et tall i "
                                       "et regnskap (over 10^15).", line=line,
                                   column=header[i]) from None
            except ValueError:
                raise DataError.at(path, f"«{shown(record[i])}» i kolonnen «{header[i]}» er ikke "
                                       "et tall eller et statussymbol (.., : eller .).",
                                   line=line) from None
            factor = roles.factors.get(i, 1.0)
            if value is not None:
                value *= factor
                why = implausible(measure, value)
                if why is not None:
                    raise DataError.at(path, f"«{shown(record[i])}» kan ikke være "
                                           f"{MEASURES[measure][0].lower()}: {why}.", line=line,
                                       column=header[i])
            values[measure] = ("" if value is None else format_value(value), status)
        _derive_percentages(values)
        synthetic = _flag(record[roles.columns["synthetic"]], path, line) \
            if "synthetic" in roles.columns else "false"
        for measure, (text, status) in values.items():
            out.append((unit, year, measure, text, status, SCOPE, SOURCE, release, synthetic))
            lines.append(line)
    meta: ReadingMeta = {"scope": SCOPE}
    if any(r[-1] == "true" for r in out):
        meta["synthetic_note"] = (f"Tallene i {path.name} er merket som eksempeldata – "
                                  "ikke offisielle tall.")
    name = f"{FORMAT} ({'Excel' if src.is_zip else 'CSV'})"
    return Reading(name, out, lines, meta)


@dataclass
class _Roles:
    """What the header's columns hold."""

    columns: dict[str, int] = field(default_factory=dict)  # unit, year, name, synthetic → i
    measures: dict[int, str] = field(default_factory=dict)  # column → measure
    factors: dict[int, float] = field(default_factory=dict)  # column → factor to 1000 kr


def _roles(path: Path, line: int, header: Iterable[str]) -> _Roles:
    roles = _Roles()
    for i, column in enumerate(header):
        name = normalise(column)
        if not name:
            continue
        role = next((r for r, names in COLUMNS.items() if name in names), None)
        if role:
            roles.columns[role] = i
            continue
        measure = measure_for(column)
        if measure not in MEASURES_ALLOWED:
            raise DataError.at(path, f"ukjent kolonne «{column}». Kjente kolonner: "
                                   "kommunenummer, år, kommunenavn, brutto driftsinntekter, "
                                   "netto driftsresultat, disposisjonsfond (1000 kr eller % "
                                   "av brutto driftsinntekter).", line=line)
        if measure in roles.measures.values():
            raise DataError.at(path, f"kolonnen «{column}» gir {MEASURES[measure][0].lower()} "
                                   "en gang til.", line=line)
        roles.measures[i] = measure
        if MEASURES[measure][1] == "1000 kr":  # no unit: the documented 1000 kr
            stated = stated_unit(column)
            if stated is not None:
                factor = amount_factor(column)
                if factor is None:
                    raise DataError.at(path, f"kolonnen «{column}» har enheten «{stated}», som "
                                           "ikke er kr, 1000 kr eller mill. kr.", line=line)
                roles.factors[i] = factor
    for role, label in (("unit", "kommunenummer"), ("year", "år")):
        if role not in roles.columns:
            raise DataError.at(path, f"mangler kolonnen «{label}».", line=line)
    if not roles.measures:
        raise DataError.at(path, "ingen kolonner med tall (brutto driftsinntekter, netto "
                               "driftsresultat eller disposisjonsfond).", line=line)
    return roles


def _unit(text: str, path: Path, line: int, known: set[str]) -> str:
    if not re.fullmatch(r"\d{3,4}", text):
        raise DataError.at(path, f"«{shown(text)}» er ikke et kommunenummer (fire sifre, "
                               "f.eks. 0301).", line=line)
    unit = text.zfill(4)
    if unit not in known:
        raise DataError.at(path, f"ukjent kommunenummer «{unit}»; registeret kjenner kommunene "
                               "fra 2024.", line=line)
    return unit


def _year(text: str, path: Path, line: int) -> str:
    if not re.fullmatch(r"(19|20|21)\d\d", text):
        raise DataError.at(path, f"«{shown(text)}» er ikke et årstall.", line=line)
    problem = year_problem(int(text))
    if problem:
        raise DataError.at(path, f"{problem}.", line=line, column="år")
    return text


def _flag(cell: str, path: Path, line: int) -> str:
    text = normalise(cell)
    if text in ("ja", "true", "1", "x"):
        return "true"
    if text in ("nei", "false", "0", ""):
        return "false"
    raise DataError.at(path, f"«{shown(cell)}» i kolonnen «syntetisk» skal være ja eller nei.",
                       line=line)


def _derive_percentages(values: dict[str, tuple[str, str]]) -> None:
    """Where a sheet gives amounts and BDI but not the percentage, compute it."""
    bdi = values.get("bdi", ("", ""))[0]
    for amount, pct in (("ndr", "ndr_pct"), ("dispfond", "dispfond_pct")):
        if pct in values or amount not in values or not bdi or float(bdi) == 0:
            continue
        value = values[amount][0]
        values[pct] = (format_value(round(float(value) / float(bdi) * 100, 2)), "") if value \
            else ("", values[amount][1])
