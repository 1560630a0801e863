"""``--data FILE``: recognise the file's format and read it into the tidy table.

Accepted (see ``docs/data-formats.md``):

1. JSON-stat2 saved from SSB's PxWebApi (12134, 12143, 13551, 13561, 07459);
2. a CSV exported from SSB's Statistikkbanken: a title line, semicolons, quoted
   headers, regions as rows («0301 Oslo») or as columns, latin-1 or UTF-8,
   status symbols in value cells;
3. a KS survey sheet (CSV or XLSX): one row per municipality and year with
   ``kommunenummer``, ``år`` and any of brutto driftsinntekter, netto
   driftsresultat, disposisjonsfond in 1000 kr and/or in % of BDI;
4. the tidy CSV format of ``kommunerapport.data``.

Every reader returns a table checked by ``data.validate``. Anything it cannot
read is one ``DataError`` line naming the file, line and problem.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from kommunerapport import jsonstat, ssb
from kommunerapport.data import (
    COLUMNS,
    MEASURES,
    MISSING_SYMBOLS,
    Dataset,
    known_units,
    read_table,
    validate,
)
from kommunerapport.errors import DataError
from kommunerapport.regions import FIRST_YEAR, normalise

SURVEY_SOURCE = "KS regnskapsundersøkelse"
SURVEY_SCOPE = "kasse"  # KS's survey asks for the municipality's own accounts
ENCODINGS = ("utf-8-sig", "cp1252")
MINUS = "\u2212"


def _fail(path: Path | str, line: int | None, problem: str) -> DataError:
    return DataError(f"{path}" + (f", linje {line}" if line else "") + f": {problem}")


# --------------------------------------------------------------------------- detection

def detect(path: Path) -> str:
    """«jsonstat», «statbank», «survey», «survey-xlsx» or «tidy»."""
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        return "survey-xlsx"
    text = _text(path)
    if text.lstrip().startswith(("{", "[")):
        return "jsonstat"
    header = _first_table_line(text)
    if header is None:
        raise _fail(path, None, "fila har ingen tabell.")
    number, line = header
    cells = [normalise(c) for c in _split(line)]
    if len(set(cells) & set(COLUMNS)) >= 3:  # the tidy format, maybe with a column missing
        return "tidy"
    if any(c in SURVEY_COLUMNS["unit"] for c in cells):
        return "survey"
    return "statbank"


def read_any(path: Path) -> Dataset:
    """Read a user's data file in any accepted format."""
    path = Path(path)
    if not path.exists():
        raise _fail(path, None, "fila finnes ikke.")
    if path.is_dir():
        raise _fail(path, None, "er en mappe, ikke en fil.")
    kind = detect(path)
    if kind == "tidy":
        return Dataset(read_table(path), {"description": f"Data fra {path.name}",
                                          "format": "tidy"}, str(path))
    reader = {"jsonstat": read_jsonstat, "statbank": read_statbank, "survey": read_survey,
              "survey-xlsx": read_survey}[kind]
    return reader(path)


def _text(path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise _fail(path, None, "fila er tom.")
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _split(line: str) -> list[str]:
    delimiter = max(";,\t", key=line.count)
    return next(csv.reader([line], delimiter=delimiter))


def _first_table_line(text: str) -> tuple[int, str] | None:
    """The first line with two or more cells: the header (title lines come before it)."""
    for n, line in enumerate(text.splitlines(), start=1):
        if len([c for c in _split(line) if c.strip()]) >= 2:
            return n, line
    return None


# --------------------------------------------------------------------------- values

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
    if not re.fullmatch(r"-?\d+(\.\d+)?", t):
        raise ValueError(text)
    return float(t)


def _cell(text: object, path: Path, line: int, column: str) -> tuple[str, str]:
    """(value, status) as tidy strings from a cell: a number, empty, or a status symbol."""
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return "", ".."
    if isinstance(text, int | float) and not isinstance(text, bool):
        return ssb.format_value(float(text)), ""
    s = str(text).strip()
    if s in MISSING_SYMBOLS:
        return "", s
    try:
        value = parse_number(s)
    except ValueError:
        raise _fail(path, line, f"«{s}» i kolonnen «{column}» er ikke et tall eller et "
                                "statussymbol (.., : eller .).") from None
    return ("", "..") if value is None else (ssb.format_value(value), "")


def _amount_factor(texts: Iterable[str], path: Path, line: int | None, column: str,
                   default: float | None) -> float:
    """Factor to 1000 kr from the first of ``texts`` that states a unit.

    A unit that is stated but not kroner is an error naming the column; no unit at
    all is ``default`` (the survey's documented 1000 kr), or an error if None.
    """
    for text in texts:
        stated = ssb.stated_unit(text)
        if stated is None:
            continue
        factor = ssb.amount_factor(text)
        if factor is None:
            raise _fail(path, line, f"kolonnen «{column}» har enheten «{stated}», som ikke er "
                                    "kr, 1000 kr eller mill. kr.")
        return factor
    if default is None:
        raise _fail(path, line, f"finner ikke enheten for beløpet i «{column}» (ventet f.eks. "
                                "«(1000 kr)» eller «(kr)»).")
    return default


def _scaled(value: str, factor: float) -> str:
    return value if not value or factor == 1.0 else ssb.format_value(float(value) * factor)


def _finish(rows: list[dict[str, str]], lines: list[int], path: Path, meta: dict) -> Dataset:
    """Validate the rows; a problem names the file's own line, not the tidy table's."""
    if not rows:
        raise _fail(path, None, "fant ingen tall for kjente mål "
                                f"({', '.join(sorted(MEASURES))}).")
    raw = pd.DataFrame(rows, columns=COLUMNS)
    try:
        table = validate(raw, "x")
    except DataError as exc:
        match = re.match(r"x, linje (\d+)(.*)", exc.message)
        if not match:
            raise _fail(path, None, exc.message.removeprefix("x: ")) from None
        source_line = lines[int(match.group(1)) - 2]
        raise DataError(f"{path}, linje {source_line}{match.group(2)}") from None
    meta = {"description": f"Data fra {path.name}", "synthetic": False, **meta}
    return Dataset(table, meta, str(path))


# --------------------------------------------------------------------------- 1. JSON-stat2

def read_jsonstat(path: Path) -> Dataset:
    try:
        ds = jsonstat.loads(_text(path))
    except jsonstat.JsonStatError as exc:
        raise _fail(path, None, f"kan ikke leses som JSON-stat2 fra SSB: {exc}.") from None
    if ds.is_metadata:
        raise _fail(path, None, "er metadata, ikke data (JSON-stat uten «value»); lagre svaret "
                                "fra …/tables/{id}/data, ikke …/metadata.")
    geo = ds.role_of("geo") or ""
    level = "fylker" if "fylke" in geo.casefold() else "kommuner"
    try:
        tidy = ssb.tidy_rows(ds, known_units(), level=level)
    except jsonstat.JsonStatError as exc:
        raise _fail(path, None, f"{exc}.") from None
    _check_skipped(path, tidy.skipped, ds)
    meta = {"format": "JSON-stat2", "notes": tidy.notes, "table": ds.table_id,
            "updated": ds.updated, "skipped_units": sorted(tidy.skipped)}
    return _finish(tidy.rows, list(range(2, len(tidy.rows) + 2)), path, meta)


def _check_skipped(path: Path, skipped: dict[str, int], ds: jsonstat.Dataset) -> None:
    """Unknown municipality numbers with figures from 2024 on are an error, not a skip."""
    geo = ds.role_of("geo") or ""
    tid = ds.role_of("time") or "Tid"
    for cell in ds.cells():
        code = ssb.normalise_region(cell.codes.get(geo, "")) or cell.codes.get(geo, "")
        if (code in skipped and code.isdigit() and cell.value is not None
                and int(cell.codes[tid][:4]) >= FIRST_YEAR):
            raise _fail(path, None, f"ukjent regionkode «{code}» med tall for "
                                    f"{cell.codes[tid]}; registeret kjenner kommunene og "
                                    "fylkene fra 2024.")


# --------------------------------------------------------------------------- 2. Statistikkbanken

def read_statbank(path: Path) -> Dataset:
    text = _text(path)
    found = _first_table_line(text)
    assert found is not None  # detect() checked
    header_line, header = found
    title = " ".join(line.strip().strip('"') for line in text.splitlines()[:header_line - 1]
                     if line.strip())
    if ";" not in header:
        raise _fail(path, header_line, "ventet semikolon mellom kolonnene "
                                       "(Statistikkbanken: «semikolonseparert med overskrift»).")
    body = "\n".join(text.splitlines()[header_line - 1:])
    records = list(csv.reader(io.StringIO(body), delimiter=";"))
    columns = [c.strip() for c in records[0]]
    table_id = re.match(r"^\s*(\d{5})", title)
    source = f"SSB {table_id.group(1)}" if table_id else "SSB Statistikkbanken"
    release = f"Statistikkbanken, uttrekk {path.name}"
    scope_default = ssb.scope_for(title) or "konsern"
    roles = _statbank_roles(columns, records[1:])
    known = known_units()
    rows, lines, skipped = [], [], set()
    for offset, record in enumerate(records[1:], start=1):
        line = header_line + offset
        if not any(c.strip() for c in record):
            continue
        if len(record) != len(columns):
            raise _fail(path, line, f"{len(record)} felt, men overskriften har "
                                    f"{len(columns)}.")
        fixed = {role: record[i].strip() for i, role in roles.items() if role != "value"}
        for i, column in enumerate(columns):
            if roles.get(i) != "value":
                continue
            label = " ".join(x for x in (fixed.get("measure", ""), column) if x)
            unit_text = fixed.get("region") or column
            unit = ssb.normalise_region(unit_text)
            year = fixed.get("year") or _year_in(column)
            measure = ssb.measure_for(fixed.get("measure") or column) \
                or ssb.measure_for(title)
            if unit is None:
                raise _fail(path, line, f"finner ingen regionkode i «{unit_text}» "
                                        "(ventet f.eks. «1120 Klepp»).")
            if year is None:
                raise _fail(path, line, f"finner ikke årstallet for kolonnen «{column}».")
            if measure is None:
                raise _fail(path, line, f"vet ikke hvilket mål «{fixed.get('measure') or column}"
                                        "» er.")
            value, status = _cell(record[i], path, line, column)
            if MEASURES[measure][1] == "1000 kr":
                measure_text = fixed.get("measure") or column
                value = _scaled(value, _amount_factor((measure_text, column, title), path, line,
                                                      measure_text, None))
            if unit not in known:
                if unit.isdigit() and value and int(year) >= FIRST_YEAR:
                    raise _fail(path, line, f"ukjent regionkode «{unit}» i «{unit_text}»; "
                                            "registeret kjenner kommunene og fylkene fra 2024.")
                skipped.add(unit)
                continue
            rows.append({"unit": unit, "year": year, "measure": measure,
                         "value": value, "status": status,
                         "scope": ssb.scope_for(label) or scope_default, "source": source,
                         "release": release, "synthetic": "false"})
            lines.append(line)
    return _finish(rows, lines, path, {"format": "Statistikkbanken CSV", "title": title,
                                       "skipped_units": sorted(skipped)})


def _year_in(text: str) -> str | None:
    m = re.search(r"\b((?:19|20)\d\d)\b", text)
    return m.group(1) if m else None


def _statbank_roles(columns: list[str], records: list[list[str]]) -> dict[int, str]:
    """Which column holds the region, the year, the measure label, or values."""
    roles: dict[int, str] = {}
    for i, column in enumerate(columns):
        name = normalise(column)
        sample = [r[i].strip() for r in records[:20] if len(r) > i and r[i].strip()]
        if name in ("region", "kommune", "fylke") or (
                sample and all(ssb.normalise_region(s) and not _is_number(s) for s in sample)):
            roles[i] = "region"
        elif name in ("ar", "tid", "year") or (sample and name.startswith("ar")
                                               and all(_year_in(s) == s for s in sample)):
            roles[i] = "year"
        elif name in ("statistikkvariabel", "contents", "statistikkvariabler") or (
                sample and not any(_is_value(s) for s in sample)
                and all(ssb.measure_for(s) for s in sample)):
            roles[i] = "measure"
        else:
            roles[i] = "value"
    return roles


def _is_number(s: str) -> bool:
    try:
        return parse_number(s) is not None
    except ValueError:
        return False


def _is_value(s: str) -> bool:
    return s in MISSING_SYMBOLS or _is_number(s)


# --------------------------------------------------------------------------- 3. KS survey sheet

# normalised header → role; measures are found by ``ssb.measure_for``.
SURVEY_COLUMNS = {
    "unit": {"kommunenummer", "kommunenr", "knr", "kommune nr"},
    "year": {"ar", "aar", "regnskapsar", "year"},
    "name": {"kommunenavn", "kommune", "navn"},
    "synthetic": {"syntetisk", "eksempeldata"},  # «ja» marks invented example figures
}
SURVEY_MEASURES = ("bdi", "ndr", "dispfond", "ndr_pct", "dispfond_pct")


def read_survey(path: Path) -> Dataset:
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        table = _xlsx_rows(path)
    else:
        text = _text(path)
        found = _first_table_line(text)
        assert found is not None
        n, header = found
        delimiter = max(";,\t", key=header.count)
        reader = csv.reader(io.StringIO("\n".join(text.splitlines()[n - 1:])),
                            delimiter=delimiter)
        table = [(n + i, row) for i, row in enumerate(reader)]
    header_line, header = table[0]
    roles = _survey_roles(path, header_line, header)
    known = known_units()
    rows, lines = [], []
    for line, record in table[1:]:
        if not any(str(c).strip() for c in record if c is not None):
            continue
        if len(record) > len(header) and any(str(c).strip() for c in record[len(header):]
                                             if c is not None):
            raise _fail(path, line, f"{len(record)} felt, men overskriften har {len(header)}.")
        record = list(record) + [None] * (len(header) - len(record))
        unit = _survey_unit(record[roles["unit"]], path, line, known)
        year = _survey_year(record[roles["year"]], path, line)
        values = {}
        for i, measure in roles["measures"].items():
            value, status = _cell(record[i], path, line, str(header[i]))
            values[measure] = (_scaled(value, roles["factors"].get(i, 1.0)), status)
        _derive_percentages(values)
        synthetic = _survey_flag(record[roles["synthetic"]], path, line) \
            if "synthetic" in roles else "false"
        for measure, (value, status) in values.items():
            rows.append({"unit": unit, "year": year, "measure": measure, "value": value,
                         "status": status, "scope": SURVEY_SCOPE, "source": SURVEY_SOURCE,
                         "release": f"KS-undersøkelse, {path.name}", "synthetic": synthetic})
            lines.append(line)
    meta = {"format": "KS-undersøkelse", "scope": SURVEY_SCOPE}
    if any(r["synthetic"] == "true" for r in rows):
        meta["synthetic_note"] = (f"Tallene i {path.name} er merket som eksempeldata – "
                                  "ikke offisielle tall.")
    return _finish(rows, lines, path, meta)


def _xlsx_rows(path: Path) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise _fail(path, None, f"kan ikke leses som Excel-fil (.xlsx): {exc}.") from None
    try:
        sheet = book.worksheets[0]
        rows = [(n, list(r)) for n, r in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    for i, (_, row) in enumerate(rows):
        if any(normalise(str(c)) in SURVEY_COLUMNS["unit"] for c in row if c is not None):
            return rows[i:]
    raise _fail(path, None, "finner ikke kolonnen «kommunenummer» i første ark.")


def _survey_roles(path: Path, line: int, header: Iterable) -> dict:
    roles: dict = {"measures": {}, "factors": {}}
    for i, column in enumerate(header):
        name = normalise(str(column or ""))
        if not name:
            continue
        role = next((r for r, names in SURVEY_COLUMNS.items() if name in names), None)
        if role:
            roles[role] = i
            continue
        measure = ssb.measure_for(str(column))
        if measure not in SURVEY_MEASURES:
            raise _fail(path, line, f"ukjent kolonne «{column}». Kjente kolonner: "
                                    "kommunenummer, år, kommunenavn, brutto driftsinntekter, "
                                    "netto driftsresultat, disposisjonsfond (1000 kr eller % "
                                    "av brutto driftsinntekter).")
        if measure in roles["measures"].values():
            raise _fail(path, line, f"kolonnen «{column}» gir {MEASURES[measure][0].lower()} "
                                    "en gang til.")
        roles["measures"][i] = measure
        if MEASURES[measure][1] == "1000 kr":  # no unit: the documented 1000 kr
            roles["factors"][i] = _amount_factor([str(column)], path, line, str(column), 1.0)
    for role, label in (("unit", "kommunenummer"), ("year", "år")):
        if role not in roles:
            raise _fail(path, line, f"mangler kolonnen «{label}».")
    if not roles["measures"]:
        raise _fail(path, line, "ingen kolonner med tall (brutto driftsinntekter, netto "
                                "driftsresultat eller disposisjonsfond).")
    return roles


def _survey_unit(cell: object, path: Path, line: int, known: set[str]) -> str:
    text = str(cell if cell is not None else "").strip()
    if isinstance(cell, float) and cell.is_integer():
        text = str(int(cell))
    if not re.fullmatch(r"\d{3,4}", text):
        raise _fail(path, line, f"«{text}» er ikke et kommunenummer (fire sifre, f.eks. 0301).")
    unit = text.zfill(4)
    if unit not in known:
        raise _fail(path, line, f"ukjent kommunenummer «{unit}»; registeret kjenner kommunene "
                                "fra 2024.")
    return unit


def _survey_year(cell: object, path: Path, line: int) -> str:
    text = str(int(cell)) if isinstance(cell, int | float) and not isinstance(cell, bool) \
        else str(cell or "").strip()
    if not re.fullmatch(r"(19|20)\d\d", text):
        raise _fail(path, line, f"«{text}» er ikke et årstall.")
    return text


def _survey_flag(cell: object, path: Path, line: int) -> str:
    text = normalise(str(cell if cell is not None else ""))
    if text in ("ja", "true", "1", "x"):
        return "true"
    if text in ("nei", "false", "0", ""):
        return "false"
    raise _fail(path, line, f"«{cell}» i kolonnen «syntetisk» skal være ja eller nei.")


def _derive_percentages(values: dict[str, tuple[str, str]]) -> None:
    """Where a sheet gives amounts and BDI but not the percentage, compute it."""
    bdi = values.get("bdi", ("", ""))[0]
    for amount, pct in (("ndr", "ndr_pct"), ("dispfond", "dispfond_pct")):
        if pct in values or amount not in values or not bdi or float(bdi) == 0:
            continue
        value = values[amount][0]
        values[pct] = (ssb.format_value(round(float(value) / float(bdi) * 100, 2)), "") if value \
            else ("", values[amount][1])


def describe(path: Path) -> str:
    """One line for the terminal: which format a file was read as (for messages and docs)."""
    return {"jsonstat": "JSON-stat2 fra SSB", "statbank": "CSV fra Statistikkbanken",
            "survey": "KS-undersøkelse (CSV)", "survey-xlsx": "KS-undersøkelse (Excel)",
            "tidy": "kommunerapports eget CSV-format"}[detect(path)]


__all__ = ["detect", "read_any", "read_jsonstat", "read_statbank", "read_survey", "describe",
           "parse_number"]
