"""The user's own words for a report, from a TOML file.

Quotes, contacts, the «Om KS» text, keywords, the organisation's name, the
dateline date, and KS's own headline and lede. Nothing here is ever invented:
without a file there are no quotes and no contacts. KS's message leads: a
``headline`` replaces the generated one and a ``lede`` comes before the generated
lede; the report check holds every number in them to the report's figures.
Example (see ``examples/ks.toml``)::

    organisation = "KS"
    keywords = ["kommuneøkonomi", "netto driftsresultat"]
    about = "KS er kommunesektorens organisasjon."
    headline = "Kommuneøkonomien tilbake i pluss, men KS advarer: Krisa er ikke over"
    lede = "Kommunesektoren snudde et stort underskudd til et samlet overskudd i fjor."

    [[quotes]]
    text = "Kommunene har gjort en formidabel jobb."
    name = "Gunn Marit Helgesen"
    role = "styreleder i KS"

    [[contacts]]
    name = "Ola Nordmann"
    role = "pressevakt"
    phone = "+47 24 13 26 00"
    email = "presse@ks.no"
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from typing import Any

from kommunerapport.errors import UsageError, shown
from kommunerapport.model.config import (
    DEFAULT_KEYWORDS,
    DEFAULT_ORGANISATION,
    Config,
    Contact,
    Quote,
)
from kommunerapport.sources import limits

KEYS = {"organisation", "keywords", "about", "quotes", "contacts", "date", "headline", "lede",
        "release"}
TEXT_KEYS = ("organisation", "about", "headline", "lede")


def _kind(value: object) -> str:
    """What a TOML value is, in the message: «et tall (3)», «en liste»."""
    if isinstance(value, bool):
        return f"en sannhetsverdi ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"et tall ({shown(str(value))})"
    if isinstance(value, list):
        return "en liste"
    if isinstance(value, dict):
        return "en tabell"
    if isinstance(value, dt.date | dt.time):
        return f"en dato eller et klokkeslett ({value})"
    return f"«{shown(str(value))}»"


def _line(text: str, key: str, table: str | None = None, index: int = 0) -> int | None:
    """The line where ``key`` is set: at the top level, or in the ``index``-th [[table]]
    (whose own line, when the key is missing there)."""
    lines = text.splitlines()
    start, end = 0, len(lines)
    header = re.compile(r"^\s*\[")
    if table is not None:
        own = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
        starts = [n for n, line in enumerate(lines) if own.match(line)]
        if index >= len(starts):
            return None
        start = starts[index] + 1
    end = next((n for n in range(start, len(lines)) if header.match(lines[n])), len(lines))
    assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    found = next((n + 1 for n in range(start, end) if assign.match(lines[n])), None)
    return found or (start if table is not None else None)  # else the [[table]] itself


def _strings(path: Path, text: str, key: str, index: int, item: dict[str, Any],
             required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, str]:
    where = f"[[{key}]] nr. {index + 1}"
    unknown = set(item) - set(required) - set(optional)
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError.at(path, f"ukjent felt «{name}» i {where}. Gyldige: "
                          f"{', '.join(required + optional)}.", line=_line(text, name, key, index))
    for name in sorted(item, key=lambda n: (required + optional).index(n)):
        if not isinstance(item[name], str):
            raise UsageError.at(path, f"«{name}» i {where} skal være tekst i anførselstegn, ikke "
                              f"{_kind(item[name])}.", line=_line(text, name, key, index))
    for name in required:
        if not item.get(name, "").strip():
            raise UsageError.at(path, f"{where} mangler «{name}».",
                                line=_line(text, name, key, index))
    return {k: v.strip() for k, v in item.items()}


def _read(path: Path) -> str:
    """The file's text: a regular file of at most ``limits.MAX_CONFIG_BYTES``, UTF-8,
    nested no deeper than ``limits.MAX_DEPTH`` (checked before TOML is parsed)."""
    data = limits.read_bytes(path, limits.MAX_CONFIG_BYTES, lambda p: UsageError.at(path, p),
                             "filstørrelse for konfigurasjonsfiler")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UsageError.at(path, f"teksten er ikke UTF-8 (byte 0x{data[exc.start]:02x}); "
                                  "lagre fila som UTF-8.", line=line, char=column) from None
    if limits.toml_depth(text) > limits.MAX_DEPTH:
        raise UsageError.at(path, f"lister og tabeller er nestet dypere enn grensen for nesting på "
                          f"{limits.MAX_DEPTH} nivåer.")
    return text


def load_config(path: Path | None) -> Config:
    """Read and check a config file; no file gives the defaults (no quotes).

    Every problem is one line naming the file, the line where it can be seen, and
    what is wrong («role» in the first [[quotes]] must be text, not the number 3).
    """
    if path is None:
        return Config()
    text = _read(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError.at(path, f"ugyldig TOML ({exc}).") from None
    except RecursionError:
        raise UsageError.at(path, f"lister og tabeller er nestet dypere enn grensen for nesting på "
                          f"{limits.MAX_DEPTH} nivåer.") from None
    unknown = set(raw) - KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError.at(path, f"ukjent innstilling «{name}». Gyldige: "
                                  f"{', '.join(sorted(KEYS))}.", line=_line(text, name))
    quotes = tuple(Quote(**_strings(path, text, "quotes", n, q, ("text", "name", "role"), ()))
                   for n, q in enumerate(_table_list(path, text, raw, "quotes")))
    contacts = tuple(Contact(**_strings(path, text, "contacts", n, c, ("name",),
                                        ("role", "phone", "email")))
                     for n, c in enumerate(_table_list(path, text, raw, "contacts")))
    keywords = raw.get("keywords", list(DEFAULT_KEYWORDS))
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise UsageError.at(path, "«keywords» skal være en liste med tekst, som "
                                  "[\"kommuneøkonomi\"].", line=_line(text, "keywords"))
    date = raw.get("date")
    if date is not None and (not isinstance(date, dt.date) or isinstance(date, dt.datetime)):
        raise UsageError.at(path, f"«date» skal være en dato, for eksempel 2026-03-06, ikke "
                          f"{_kind(date)}.", line=_line(text, "date"))
    release = _release(path, text, raw.get("release"))
    for key in TEXT_KEYS:
        if key in raw and not isinstance(raw[key], str):
            raise UsageError.at(path, f"«{key}» skal være tekst i anførselstegn, ikke "
                                      f"{_kind(raw[key])}.", line=_line(text, key))
    return Config(raw.get("organisation", DEFAULT_ORGANISATION), tuple(keywords),
                  raw.get("about", ""), quotes, contacts, date, str(path),
                  headline=raw.get("headline", "").strip(), lede=raw.get("lede", "").strip(),
                  release=release)


def _release(path: Path, text: str, value: object) -> dt.date | None:
    """``release``: the date of the release of ``--data`` files that give none (a TOML date,
    2026-03-16, or «16.03.2026»)."""
    from kommunerapport.model.releases import parse_date

    if value is None:
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            pass
    raise UsageError.at(path, f"«release» skal være en dato, for eksempel 2026-03-16 eller "
                              f"«16.03.2026», ikke {_kind(value)}.", line=_line(text, "release"))


def _table_list(path: Path, text: str, raw: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = raw.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise UsageError.at(path, f"«{key}» skal skrives som [[{key}]]-tabeller.",
                            line=_line(text, key))
    return items
