"""Tables of cells (CSV or XLSX): the shared engine for Statistikkbanken, PxWebApi CSV and
workbooks with region names.

``load`` gives the file's rows with their line numbers (CSV in any of SSB's
dialects, or the first sheet of a workbook). ``Layout`` finds the header after
any title lines, the footnotes after the data, and what each column holds:
the region, the year, a category label (statistikkvariabel, regnskapsbegrep …)
or values. A value column's header may carry the region («1120 Klepp»), the
year («2025»), a contents code («KOSAGD230000 2024») or a label. ``cells`` then
yields one cell per value for ``rows.RowBuilder``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from kommunerapport.errors import DataError, KommunerapportError
from kommunerapport.model.measures import measure_for, measure_for_code
from kommunerapport.model.regions import normalise
from kommunerapport.model.symbols import MISSING, NIL
from kommunerapport.sources import csvdialect, guard, limits
from kommunerapport.sources.readers.base import Reading, ReadingMeta, Source
from kommunerapport.sources.rows import normalise_region, parse_number

Row = tuple[int, list[str]]  # (line in the file, cells as text)

REGION_HEADERS = {"region", "kommune", "fylke", "kommuneregion", "fylkesregion",
                  "kokkommuneregion0000", "kokfylkesregion0000", "kokbydelsregion0000"}
YEAR_HEADERS = {"ar", "aar", "tid", "year", "arstall", "regnskapsar"}
LABEL_HEADERS = {"statistikkvariabel", "contentscode", "contents", "regnskapsbegrep", "art",
                 "regnskapsomfang", "funksjon", "indikator", "nokkeltall", "statistikkvariabler"}
CODE = re.compile(r"^([A-Za-z][A-Za-z0-9]*\d[A-Za-z0-9]*)(?:\s+-\s+(.*))?$")
YEAR = re.compile(r"(?:^|\s)((?:19|20)\d\d)$")


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def load(src: Source) -> list[Row]:
    """The file's rows: CSV (sniffed dialect) or the first sheet of an XLSX workbook.

    Read once per file (the readers' ``claims`` and ``read`` share it), within the
    limits on rows and cells (``sources.limits``).
    """
    if "rows" not in src.memo:
        src.memo["rows"] = _xlsx_rows(src) if src.is_zip else _csv_rows(src)
    return src.memo["rows"]


class _Counter:
    """Rows and cells read so far; a clear error as soon as a row, the rows or the cells
    pass their limit (a row wider than Excel's 16 384 columns is no export)."""

    def __init__(self, src: Source) -> None:
        self.src, self.rows, self.cells = src, 0, 0

    def add(self, cells: int) -> None:
        self.rows += 1
        self.cells += cells
        if cells > limits.MAX_COLUMNS:
            raise DataError.at(self.src.path, f"raden har {limits.amount(cells)} celler, "
                                              f"over grensen for kolonner på "
                                              f"{limits.amount(limits.MAX_COLUMNS)}.",
                               line=self.rows)
        if self.rows > limits.MAX_ROWS:
            raise self.src.fail(f"fila har over {limits.amount(limits.MAX_ROWS)} rader, "
                                "grensen for rader.")
        if self.cells > limits.MAX_CELLS:
            raise self.src.fail(f"fila har over {limits.amount(limits.MAX_CELLS)} celler, "
                                "grensen for celler.")


def _csv_rows(src: Source) -> list[Row]:
    text = src.text
    if text.count("\n") > limits.MAX_ROWS:  # before any parsing
        raise src.fail(f"fila har over {limits.amount(limits.MAX_ROWS)} linjer, "
                       "grensen for rader.")
    count = _Counter(src)
    reader = csvdialect.reader(text, csvdialect.sniff(text))
    out: list[Row] = []
    try:
        for n, row in enumerate(reader, start=1):
            count.add(len(row))
            out.append((n, [c.strip() for c in row]))
    except csv.Error as exc:
        line = reader.line_num
        if "field larger than field limit" in str(exc):
            raise DataError.at(src.path, f"en celle er lengre enn "
                                       f"{limits.amount(csv.field_size_limit())} tegn, grensen "
                                       "for én celle.", line=line) from None
        raise DataError.at(src.path, f"kan ikke leses som CSV ({exc}).", line=line) from None
    return out


def _xlsx_rows(src: Source) -> list[Row]:
    """The first sheet, streamed (openpyxl's read-only mode), ignoring the size the
    sheet claims in its ``<dimension>``: a 5 KB file may claim the whole sheet."""
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(src.raw)) as archive:
            unpacked = sum(i.file_size for i in archive.infolist())
            dtd = next((i.filename for i in archive.infolist()
                        if i.filename.endswith((".xml", ".rels")) and _has_dtd(archive, i)),
                       None)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise DataError.at(src.path, f"kan ikke leses som Excel-fil (.xlsx): {exc}.") from None
    if dtd:  # entities that expand to gigabytes («billion laughs»), whatever expat allows
        raise DataError.at(src.path, f"Excel-fila har en DTD (<!DOCTYPE …>) i {dtd}, som Excel "
                                   "aldri skriver; den leses ikke.")
    if unpacked > limits.MAX_UNPACKED_BYTES:
        raise DataError.at(src.path, f"Excel-fila pakkes ut til {limits.size(unpacked)}, over "
                                   f"grensen for utpakket XLSX på "
                                   f"{limits.size(limits.MAX_UNPACKED_BYTES)}.")
    try:
        with zipfile.ZipFile(io.BytesIO(src.raw)) as archive:
            guard.check_xlsx(archive, src.fail)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, zlib.error) as exc:
        raise DataError.at(src.path, f"kan ikke leses som Excel-fil (.xlsx): {exc}.") from None
    count = _Counter(src)
    rows: list[Row] = []
    try:
        book = openpyxl.load_workbook(io.BytesIO(src.raw), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # read the cells there are, not the claimed size
            for n, r in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = [_raw(c) for c in r]
                while cells and not cells[-1]:
                    cells.pop()
                count.add(len(cells))
                if cells:  # the gaps a sheet leaves are not kept (a row may be 1048576)
                    rows.append((n, cells))
        finally:
            book.close()
    except KommunerapportError:
        raise
    except Exception as exc:  # a hostile workbook breaks openpyxl in many ways
        raise DataError.at(src.path, f"kan ikke leses som Excel-fil (.xlsx): "
                                   f"{type(exc).__name__}: {exc}.") from None
    return rows


def _has_dtd(archive: zipfile.ZipFile, item: zipfile.ZipInfo) -> bool:
    """A DTD comes before the root element: the first 4 KB of a part tell."""
    with archive.open(item) as part:
        head = part.read(4096)
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def _raw(cell: object) -> str:
    """A workbook cell as text; numbers exactly as stored (no rounding)."""
    if isinstance(cell, float):
        return repr(cell) if not cell.is_integer() else str(int(cell))
    return _text(cell)


def filled(cells: list[str]) -> int:
    return sum(1 for c in cells if c)


def header_index(rows: list[Row]) -> int | None:
    """The first row with two or more cells: the header (title lines come before it)."""
    return next((i for i, (_, cells) in enumerate(rows) if filled(cells) >= 2), None)


def is_value(text: str) -> bool:
    if text in MISSING or text == NIL:
        return True
    try:
        return parse_number(text) is not None
    except ValueError:
        return False


def split_code(text: str) -> tuple[str | None, str]:
    """«KOSAG110000 - Frie inntekter …» → (code, text); «KOSAG110000» → (code, code)."""
    m = CODE.match(text.strip())
    if m and (m.group(2) is not None or measure_for_code(m.group(1))
              or re.fullmatch(r"[A-Z]{2,}[A-Za-z]*\d{4,}", m.group(1))):
        return m.group(1), text.strip()
    return None, text.strip()


@dataclass
class Layout:
    """Where the title, header, data and notes are, and what each column holds."""

    title: str
    header_line: int
    header: list[str]
    body: list[Row]
    notes: list[str]
    roles: dict[int, str] = field(default_factory=dict)  # column → region/year/label/value

    @property
    def region_column(self) -> int | None:
        return next((i for i, r in self.roles.items() if r == "region"), None)


def layout(src: Source, rows: list[Row],
           region_like: Callable[[str], bool]) -> Layout:
    start = header_index(rows)
    if start is None:
        raise DataError.at(src.path, "fila har ingen tabell.")
    title = " ".join(" ".join(c for c in cells if c) for _, cells in rows[:start]).strip()
    header_line, header = rows[start]
    width = max(i for i, c in enumerate(header) if c) + 1
    header = header[:width]
    body, notes = [], []
    for line, cells in rows[start + 1:]:
        if not filled(cells):
            continue
        if filled(cells) == 1 and cells[0] and not is_value(cells[0]):
            notes.append(cells[0])  # a footnote («Kilde: …», «..: Manglende data»)
            continue
        if notes:  # data after a note: a second table or a note in the middle
            notes.append(" ".join(c for c in cells if c))
            continue
        if filled(cells[width:]):
            raise DataError.at(src.path, f"{len(cells)} felt, men overskriften har {width}.",
                               line=line)
        body.append((line, (cells + [""] * width)[:width]))
    lay = Layout(title, header_line, header, body, notes)
    for i, name in enumerate(header):
        key = normalise(name)
        sample = [cells[i] for _, cells in body[:50] if cells[i]]
        if key in REGION_HEADERS or key.startswith("region"):
            lay.roles[i] = "region"
        elif key in YEAR_HEADERS:
            lay.roles[i] = "year"
        elif key in LABEL_HEADERS or (key.startswith("kok") and sample
                                      and not all(is_value(s) for s in sample)):
            lay.roles[i] = "label"
        elif (sample and all(re.fullmatch(r"(19|20)\d\d", s) for s in sample)
              and not YEAR.search(name) and not region_like(name)):
            lay.roles[i] = "year"
        elif not sample or all(is_value(s) for s in sample):
            lay.roles[i] = "value"
        elif any(measure_for(s) or split_code(s)[0] for s in sample):
            lay.roles[i] = "label"
        elif all(region_like(s) for s in sample) and "region" not in lay.roles.values():
            lay.roles[i] = "region"
        else:
            lay.roles[i] = "label"
    if "value" not in lay.roles.values():  # the last unnamed column holds the values
        free = [i for i, name in enumerate(header) if lay.roles[i] == "label"
                and normalise(name) not in LABEL_HEADERS and not normalise(name).startswith("kok")]
        if free:
            lay.roles[free[-1]] = "value"
    return lay


@dataclass(frozen=True)
class GridCell:
    region: str
    year: str
    labels: list[str]
    codes: list[str]
    raw: str
    line: int


def cells(src: Source, lay: Layout, region_like: Callable[[str], bool]) -> Iterator[GridCell]:
    """One cell per value: region, year, labels and codes from the row and the header."""
    fixed = {i: r for i, r in lay.roles.items() if r != "value"}
    values = [i for i, r in lay.roles.items() if r == "value"]
    if not values:
        raise DataError.at(src.path, "finner ingen kolonner med tall.", line=lay.header_line)
    heads = {i: _header_parts(lay.header[i], region_like, lay.region_column is None)
             for i in values}
    for line, row in lay.body:
        region = next((row[i] for i, r in fixed.items() if r == "region"), "")
        year = next((row[i] for i, r in fixed.items() if r == "year"), "")
        labels, codes = [], []
        for i, r in fixed.items():
            if r == "label" and row[i]:
                code, text = split_code(row[i])
                labels.append(text)
                codes += [code] if code else []
        for i in values:
            h_region, h_year, h_label, h_code = heads[i]
            cell_region = region or h_region
            if not cell_region:
                raise DataError.at(src.path, f"finner ingen region for kolonnen «{lay.header[i]}» "
                                           "(ventet f.eks. «1120 Klepp»).", line=line)
            cell_year = year or h_year
            if not cell_year:
                raise DataError.at(src.path, f"finner ikke årstallet for kolonnen "
                                           f"«{lay.header[i]}».", line=line)
            yield GridCell(cell_region, cell_year, labels + ([h_label] if h_label else []),
                           codes + ([h_code] if h_code else []), row[i], line)


def _header_parts(header: str, region_like: Callable[[str], bool],
                  regions_in_header: bool) -> tuple[str, str, str, str | None]:
    """(region, year, label, code) a value column's header carries."""
    text, year = header.strip(), ""
    m = YEAR.search(text)
    if m:
        year, text = m.group(1), text[:m.start()].strip()
    if regions_in_header and text and region_like(text):
        return text, year, "", None
    code, label = split_code(text) if text else (None, "")
    return "", year, label, code


def region_code_like(known: set[str]) -> Callable[[str], bool]:
    """A region as SSB writes it: a known code, an SSB group (E…), or any 2/4-digit code."""
    def like(text: str) -> bool:
        code = normalise_region(text)
        return code is not None and not re.fullmatch(r"\s*(19|20)\d\d\s*", text) and (
            code in known or code.startswith("E") or code.isdigit())
    return like


def read_grid(src: Source, name: str, *, release: str, source: str = "SSB Statistikkbanken",
              resolve: Callable[[str], str | None] | None = None, scope: str | None = None,
              codes_too: bool = False) -> Reading:
    """A table file's cells through ``rows.RowBuilder`` (a ``base.Reading``).

    ``resolve`` reads region names; with ``codes_too`` a region may also be a code
    (PxWebApi's ``UseTexts`` names regions, its default output codes them).
    """
    from kommunerapport.model.measures import scope_for
    from kommunerapport.model.schema import known_units
    from kommunerapport.sources.readers.base import cell_error
    from kommunerapport.sources.rows import CellError, RowBuilder

    known = known_units()
    code_like = region_code_like(known)
    from kommunerapport.sources.readers.regionnames import resolvable

    if resolve is None:
        like = code_like
    elif codes_too:
        def like(t: str) -> bool:
            return code_like(t) or resolvable(t)
    else:
        like = resolvable
    lay = layout(src, load(src), like)
    table = re.match(r"^\s*(\d{5})\b", lay.title)
    table_id = table.group(1) if table else None
    from kommunerapport.sources.readers.base import release_of

    builder = RowBuilder(known, f"SSB {table_id}" if table_id else source,
                         release_of(src, release, lay.title, *lay.notes),
                         scope or scope_for(lay.title) or "konsern",
                         "fylker" if "fylke" in lay.title.casefold() else None, table_id,
                         resolve=resolve)
    try:
        for c in cells(src, lay, like):
            builder.add(c.region, c.year, c.labels, c.raw, codes=c.codes, where=c.line)
    except CellError as exc:
        raise cell_error(src.path, exc) from None
    meta: ReadingMeta = {"title": lay.title, "table": table_id or "", "notes": lay.notes}
    return Reading(name, builder.records, builder.where, meta, builder.skipped, lay.notes)
