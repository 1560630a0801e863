"""What every outside answer may hold, checked before it is used: one place for all formats.

Every file a user gives (``--data``, ``inspect``), every cache file and every answer from
SSB or Klass passes one of these checks before a reader or ``fetch`` uses it. Sizes and
counts come from ``limits`` (docs/limits.md); this module says, format by format, which
shapes, types and ranges are allowed, and checks them with bounded memory:

==============  ===========================================================================
format          what may be in it
==============  ===========================================================================
JSON (any)      nesting ≤ ``limits.MAX_DEPTH``, items ≤ ``limits.MAX_CELLS``, numbers a
                float holds; checked by streaming (``ijson``), never a second copy of the
                document
JSON-stat       ``role``: an object of lists of dimension ids; ``decimals`` (per unit
                and in ``extension.px``) a whole number 0–15
PX              ``DECIMALS`` a whole number 0–15; ``LAST-UPDATED`` a date
XLSX            each part ≤ ``MAX_PART_BYTES`` unpacked and compressed at most
                ``MAX_RATIO`` to 1; ≤ ``MAX_STYLES`` cell formats (``<xf>``; Excel allows
                65 430) and ≤ ``MAX_SHARED_STRINGS`` shared strings, counted by streaming
                before openpyxl reads anything; every formula has its computed value
Klass           an object with a list of objects of texts (``klass.klass_codes``,
                ``klass.change_rows``)
==============  ===========================================================================

Each check raises through the caller's ``fail`` (``DataError`` for a file, ``FetchError``
for SSB), so every message stays one line naming the file or answer and the rule.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from typing import IO, Any

from kommunerapport.sources import limits

Fail = Callable[[str], Exception]

MAX_DECIMALS = 15  # a double holds 15–17 significant digits; SSB gives 0–2
MAX_PART_BYTES = 200_000_000  # one part of a workbook, unpacked
MAX_RATIO = 200  # unpacked / packed, for a part over 1 MB (a sheet of numbers packs ~10:1)
MAX_STYLES = 100_000  # <xf> cell formats: Excel itself allows 65 430
MAX_SHARED_STRINGS = 2_000_000  # a shared string per cell of a 2-million-cell sheet


# --------------------------------------------------------------------------- JSON

def check_json(raw: bytes, fail: Fail) -> None:
    """Refuse JSON nested deeper than ``limits.MAX_DEPTH`` or with more than
    ``limits.MAX_CELLS`` items (arrays, objects and values); streamed, so the check costs a
    few MB whatever the document's size. A syntax error or a number no float holds is left
    to the parser and the readers, which say what and where (``parse_json``)."""
    import ijson

    depth = deepest = items = 0
    try:
        for event, _ in ijson.basic_parse(io.BytesIO(raw), use_float=True, buf_size=65536):
            if event in ("start_array", "start_map"):
                depth += 1
                deepest = max(deepest, depth)
                items += 1
            elif event in ("end_array", "end_map"):
                depth -= 1
            elif event != "map_key":
                items += 1
    except (ijson.JSONError, ValueError, SystemError):
        pass  # bad syntax or a number no float holds: the parser says which, and where
    if deepest > limits.MAX_DEPTH:
        raise fail(f"JSON-strukturen er nestet {deepest} nivåer dypt, over grensen for "
                   f"nesting på {limits.MAX_DEPTH} nivåer (JSON-stat har 6).")
    if items > limits.MAX_CELLS:
        raise fail(f"JSON-dokumentet har {limits.amount(items)} elementer, over grensen for "
                   f"celler på {limits.amount(limits.MAX_CELLS)}.")


def parse_json(text: str | bytes, fail: Fail) -> Any:
    """``json.loads`` with every way it fails as one line: bad syntax (with the line), an
    integer of more digits than Python reads (4 300), nesting past the recursion limit."""
    import json

    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise fail(f"ugyldig JSON på linje {exc.lineno}: {exc.msg}.") from None
    except RecursionError:
        raise fail(f"JSON-strukturen er over grensen for nesting på {limits.MAX_DEPTH} "
                   "nivåer.") from None
    except ValueError as exc:  # «Exceeds the limit (4300 digits) for integer string …»
        if "digits" in str(exc):
            raise fail("JSON-dokumentet har et heltall med over 4 300 sifre, som ikke kan "
                       "være et tall i et regnskap.") from None
        raise fail(f"kan ikke leses som JSON ({exc}).") from None


def decimals(value: object, where: str) -> int | None:
    """A number of decimals as SSB gives it (JSON-stat ``unit.decimals``,
    ``extension.px.decimals``, PX ``DECIMALS``): None, or a whole number 0–15; anything
    else is a ValueError naming ``where`` (formatting with 10⁹ decimals takes gigabytes)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{where} er {value!r}, ikke et antall desimaler (0–{MAX_DECIMALS})")
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        value = int(value)
    if not isinstance(value, int) or not 0 <= value <= MAX_DECIMALS:
        from kommunerapport.errors import shown

        raise ValueError(f"{where} er {shown(repr(value))}, ikke et antall desimaler "
                         f"(0–{MAX_DECIMALS})")
    return value


def role(value: object) -> dict[str, list[str]]:
    """JSON-stat ``role``: an object whose values are lists of dimension ids (a text where
    a list belongs would be read letter by letter); a ValueError otherwise."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError("«role» skal være et objekt med lister av dimensjoner")
    out: dict[str, list[str]] = {}
    for name, ids in value.items():
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            from kommunerapport.errors import shown

            raise ValueError(f"«role.{shown(name)}» skal være en liste med navn på "
                             f"dimensjoner, ikke {shown(repr(ids))}")
        out[str(name)] = list(ids)
    return out


# --------------------------------------------------------------------------- XLSX

_ELEMENT = {name: re.compile(rb"<(?:[A-Za-z_][\w.\-]{0,40}:)?" + name.encode() + rb"[\s/>]")
            for name in ("xf", "si")}
_OVERLAP = 64
_CELL = re.compile(rb"<(?:\w{1,40}:)?c[\s>](?:(?!</(?:\w{1,40}:)?c>).){0,4000}?"
                   rb"</(?:\w{1,40}:)?c>", re.S)
_FORMULA = re.compile(rb"<(?:\w{1,40}:)?f[\s>/]")
_VALUE = re.compile(rb"<(?:\w{1,40}:)?v>\s*[^<\s]")
_REF = re.compile(rb'\br="([A-Z]{1,3}\d{1,7})"')


def _chunks(f: IO[bytes], chunk: int = 1 << 20) -> Any:
    """(buffer, limit) pairs over a stream: matches starting before ``limit`` are whole
    in ``buffer``; the rest is carried into the next (no match lost or counted twice)."""
    tail = b""
    while True:
        block = f.read(chunk)
        buf = tail + block
        limit = len(buf) if not block else max(0, len(buf) - 8192)
        yield buf, limit
        if not block:
            return
        tail = buf[limit:]


def count_elements(zf: zipfile.ZipFile, part: str, name: str, cap: int) -> int:
    """How many ``<name>`` elements a part has, counted by streaming; stops past ``cap``."""
    pattern, n = _ELEMENT[name], 0
    with zf.open(part) as f:
        for buf, limit in _chunks(f):
            n += sum(1 for m in pattern.finditer(buf) if m.start() < limit)
            if n > cap:
                return n
    return n


def check_xlsx(zf: zipfile.ZipFile, fail: Fail) -> None:
    """A workbook's parts within their sizes and counts (see the module), before openpyxl
    reads them; and no formula without its computed value (openpyxl and pandas write
    formulas without one, and every such cell would read as missing)."""
    infos = zf.infolist()
    for info in infos:
        if info.file_size > MAX_PART_BYTES:
            raise fail(f"delen {info.filename} av arbeidsboka er {limits.size(info.file_size)} "
                       f"utpakket, over grensen på {limits.size(MAX_PART_BYTES)}.")
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size,
                                                                           1):
            raise fail(f"delen {info.filename} av arbeidsboka pakkes ut til "
                       f"{limits.size(info.file_size)} fra {limits.size(info.compress_size)}, "
                       f"mer enn {MAX_RATIO} ganger; en regnearkfil er ikke slik.")
    names = {i.filename for i in infos}
    for part, name, cap, what in (("xl/styles.xml", "xf", MAX_STYLES, "celleformater"),
                                  ("xl/sharedStrings.xml", "si", MAX_SHARED_STRINGS,
                                   "delte tekster")):
        if part in names:
            n = count_elements(zf, part, name, cap)
            if n > cap:
                raise fail(f"arbeidsboka har over {limits.amount(cap)} {what} ({part}), "
                           f"grensen for {what}.")
    for part in sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")):
        cell = _formula_without_value(zf, part)
        if cell is not None:
            raise fail(f"cellen {cell} i arket har en formel uten utregnet verdi (fila er "
                       "laget av et program som ikke regner); åpne den i Excel og lagre den "
                       "på nytt, eller eksporter verdiene (Lim inn utvalg → Verdier).")


def _formula_without_value(zf: zipfile.ZipFile, part: str) -> str | None:
    """The first cell of a sheet part with a formula and no computed value, by reference."""
    with zf.open(part) as f:
        for buf, limit in _chunks(f):
            if _FORMULA.search(buf) is None:
                continue
            for m in _CELL.finditer(buf):
                if m.start() >= limit:
                    break
                cell = m.group()
                if _FORMULA.search(cell) and not _VALUE.search(cell):
                    ref = _REF.search(cell)
                    return ref.group(1).decode() if ref else "uten referanse"
    return None
