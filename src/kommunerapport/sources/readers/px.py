"""PX (PC-Axis), SSB's own file format: Statistikkbanken's «PX» download and ``outputFormat=px``.

A header of ``KEYWORD[lang]("variable")=value;`` entries, then ``DATA=`` with one
value per cell, the STUB variables varying slowest and the last HEADING variable
fastest. SSB writes ``CHARSET="ANSI"``/``CODEPAGE="iso-8859-1"`` and symbols
quoted in DATA (``".."``, ``":"``, ``"-"``).

Written here rather than with pyaxis (PyPI): pyaxis turns one symbol («..») into
NaN and leaves the others as text, so «-» (nil, a value of 0) and «:»
(confidential) could not be told apart; it also needs the encoding up front and
pulls in requests and pyjstat for reading URLs (see docs/data-formats.md).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable

from kommunerapport.errors import DataError, shown
from kommunerapport.sources import guard, limits
from kommunerapport.sources.readers.base import Reading, ReadingMeta, Source, cell_error
from kommunerapport.sources.rows import CellError, RowBuilder

FORMAT = "PX-fil (PC-Axis)"
KEYWORD = re.compile(r'^\s*([A-Z][A-Z0-9-]*)(?:\[([^\]]*)\])?(?:\((.*)\))?\s*$', re.S)
TOKEN = re.compile(r'"([^"]*)"|([^\s,"]+)')


def claims(src: Source) -> bool:
    return bool(re.match(r"(CHARSET|AXIS-VERSION|CODEPAGE|LANGUAGE|CREATION-DATE|MATRIX)"
                         r"(\[[^\]]*\])?\s*=", src.head))


def text_of(src: Source) -> str:
    m = re.search(rb'CODEPAGE\s*=\s*"([^"]+)"', src.raw[:20000])
    encoding = m.group(1).decode("ascii", "replace") if m else None
    if encoding is None and re.search(rb'CHARSET\s*=\s*"ANSI"', src.raw[:20000]):
        encoding = "cp1252"
    if encoding:
        try:
            return src.raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return src.text


def _values(text: str) -> list[str]:
    """A keyword's value as a list: quoted strings (joined across lines) and bare tokens."""
    text = re.sub(r'"[ \t]*\r?\n[ \t]*"', "", text.strip())
    return [quoted if quoted is not None and bare == "" else bare or quoted
            for quoted, bare in TOKEN.findall(text)]


def parse(text: str, max_values: int | None = None
          ) -> tuple[dict[tuple[str, str], list[str]], list[str], int]:
    """(keywords, data tokens, line where DATA starts); keywords in the default language only.

    Keys are (KEYWORD, variable or «»): («VALUES», «region») → the region's values.
    The header's size is checked against ``limits.MAX_CELLS`` before it is split,
    and DATA is read lazily up to ``max_values`` + 1 tokens (the cells STUB and
    HEADING give), so a DATA section far longer than promised is never held.
    """
    match = re.search(r"(?m)^\s*DATA\s*=", text)
    if match is None:
        raise ValueError("mangler DATA=")
    header, data = text[:match.start()], text[match.end():]
    if header.count(",") + header.count(";") > limits.MAX_CELLS:
        raise ValueError(f"hodet har over {limits.amount(limits.MAX_CELLS)} verdier, "
                         "grensen for celler")
    entries: dict[tuple[str, str], list[str]] = {}
    for entry in re.split(r';(?=(?:[^"]*"[^"]*")*[^"]*$)', header):
        if not entry.strip():
            continue
        key, _, value = entry.partition("=")
        m = KEYWORD.match(key)
        if m is None or m.group(2):  # another language's entry
            continue
        sub = ",".join(_values(m.group(3))) if m.group(3) else ""
        entries[(m.group(1), sub)] = _values(value)
    end = data.find(";")
    tokens = [m.group(1) if m.group(1) or m.group(2) is None else m.group(2)
              for m in itertools.islice(TOKEN.finditer(data, 0, end if end >= 0 else len(data)),
                                        None if max_values is None else max_values + 1)]
    return entries, tokens, header.count("\n") + 1


def _first(entries: dict[tuple[str, str], list[str]], key: str, sub: str = "") -> str:
    return (entries.get((key, sub)) or [""])[0]


def _stamp(src: Source, updated: str) -> str:
    """A PX date («20260316 08:00», «2026-03-16») as ISO; the user's ``--release`` where the
    file gives none; a date that does not exist is one line."""
    import datetime as dt

    m = re.match(r"\s*(\d{4})-?(\d\d)-?(\d\d)", updated)
    if not m:
        if updated.strip():
            raise DataError.at(src.path, f"LAST-UPDATED «{shown(updated)}» er ingen dato "
                                         "(ventet ÅÅÅÅMMDD tt:mm).")
        return src.release.isoformat() if src.release else ""
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        raise DataError.at(src.path, f"LAST-UPDATED «{shown(updated)}» er ingen dato som "
                                     "finnes.") from None


def read(src: Source) -> Reading:
    from kommunerapport.model.schema import known_units
    from kommunerapport.sources.ssb.catalogue import release_label

    try:
        entries, tokens, data_line = parse(text_of(src), limits.MAX_VALUES)
    except ValueError as exc:
        raise DataError.at(src.path, f"kan ikke leses som PX-fil: {exc}.") from None
    keyed = sorted(sub for key, sub in entries if key == "KEYS")
    if keyed:  # DATA lines then begin with the keys: the cells would be counted wrong
        raise DataError.at(src.path, f"PX-fila har KEYS(«{shown(keyed[0])}») (data med nøkler "
                                     "foran hver linje), som ikke leses; lagre tabellen fra SSB "
                                     "uten KEYS, som en hel tabell.")
    stub = entries.get(("STUB", ""), [])
    heading = entries.get(("HEADING", ""), [])
    variables = stub + heading
    values = {v: entries.get(("VALUES", v), []) for v in variables}
    codes = {v: entries.get(("CODES", v)) or values[v] for v in variables}
    size = math.prod(len(values[v]) for v in variables) if variables else 0
    if size > limits.MAX_VALUES:
        raise DataError.at(src.path, f"STUB og HEADING gir {limits.amount(size)} celler, over "
                                   f"grensen for verdier på {limits.amount(limits.MAX_VALUES)}.")
    if not variables or size != len(tokens):
        if variables and len(tokens) > size:  # DATA was read only this far
            raise DataError.at(src.path, f"DATA har flere verdier enn de {size} cellene "
                                            "STUB og HEADING gir.", line=data_line)
        raise DataError.at(src.path, f"DATA har {len(tokens)} verdier, men STUB og HEADING "
                                        f"gir {size} celler.", line=data_line)
    time_vars = [v for v in variables if ("TIMEVAL", v) in entries
                 or v.casefold() in ("år", "tid", "year", "aar")]
    region_vars = [v for v in variables if v.casefold() in ("region", "kommune", "fylke")
                   or v.startswith("KOK") and "region" in v.casefold()]
    if not time_vars or not region_vars:
        raise DataError.at(src.path, "PX-fila har ingen region- og årsvariabel (ventet "
                                   f"«region» og «år»; fant {', '.join(variables)}).")
    geo, tid = region_vars[0], time_vars[0]
    title = _first(entries, "TITLE")
    table = _first(entries, "MATRIX") or _first(entries, "TABLEID")
    table = table if re.fullmatch(r"\d{5}", table) else (re.match(r"\s*(\d{5})", title) or [""])[0]
    table = table.strip() if isinstance(table, str) else table
    iso = _stamp(src, _first(entries, "LAST-UPDATED"))
    # LAST-UPDATED("Netto driftsresultat …")="20260316 08:00": a date per content
    per_content = {sub: _stamp(src, vals[0]) for (key, sub), vals in entries.items()
                   if key == "LAST-UPDATED" and sub and vals}
    level = "fylker" if "fylke" in (title + geo).casefold() else "kommuner"
    def release_for(stamp: str) -> Callable[[int], str]:
        return lambda year: release_label(year, stamp, table or None)

    builder = RowBuilder(known_units(), f"SSB {table}" if table else "SSB (PX-fil)",
                         release_for(iso), "konsern", level, table or None)
    try:
        decimals = guard.decimals(_first(entries, "DECIMALS"), "DECIMALS")
    except ValueError as exc:
        raise DataError.at(src.path, f"{exc}.") from None
    others = [v for v in variables if v not in (geo, tid)]
    try:
        for n, combo in enumerate(itertools.product(*(range(len(values[v]))
                                                      for v in variables))):
            at = dict(zip(variables, combo, strict=True))
            labels = [values[v][at[v]] for v in others]
            content = next((values[v][at[v]] for v in others
                            if ("UNITS", f"{values[v][at[v]]}") in entries), None)
            unit = _first(entries, "UNITS", content) if content else _first(entries, "UNITS")
            if per_content:
                stamp = next((per_content[lab] for lab in labels if lab in per_content), iso)
                builder.release = release_for(stamp)
            builder.add(f"{codes[geo][at[geo]]} {values[geo][at[geo]]}",
                        values[tid][at[tid]], labels, tokens[n],
                        codes=[codes[v][at[v]] for v in others], unit=unit or None,
                        decimals=decimals,
                        where=data_line)
    except CellError as exc:
        raise cell_error(src.path, exc) from None
    notes = [" ".join(entries[k]) for k in entries if k[0] in ("NOTE", "NOTEX") and entries[k]]
    meta: ReadingMeta = {"title": title, "table": table, "updated": iso, "notes": notes}
    return Reading(FORMAT, builder.records, builder.where, meta, builder.skipped, notes)
