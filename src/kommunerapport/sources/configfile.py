"""The user's own words for the reports, from a TOML file, per audience.

Shared by every report: the organisation's name, keywords, the «Om KS» text and the
dateline's date. Each audience's own words in a table of its own: ``[sector]`` for
the sector report, ``[county]`` for every county report and ``[county.<fylke>]`` for
one county (its KS regional contact, its quote), ``[member]`` for every member report
and ``[member.<medlem>]`` for one. A county or member is named by number or by any
spelling of its name. Headline, lede and the text of quotes are templates with the
report's own figures as named fields (``model.config.FIELDS``): ``{navn}``,
``{netto_driftsresultat}`` …; a literal brace is written twice. KS's headline replaces
the tool's, and its lede replaces the tool's lede. Example (see ``examples/ks.toml``)::

    organisation = "KS"
    keywords = ["kommuneøkonomi", "netto driftsresultat"]
    about = "KS er kommunesektorens organisasjon."

    [sector]
    headline = "Kommuneøkonomien tilbake i pluss, men KS advarer: Krisa er ikke over"
    lede = "Kommunesektoren snudde et stort underskudd til et samlet overskudd i fjor."

    [[sector.quotes]]
    text = "Kommunene har gjort en formidabel jobb."
    name = "Gunn Marit Helgesen"
    role = "styreleder i KS"

    [county.Vestfold]
    headline = "{fylke}: kommunene fikk {netto_driftsresultat} i {år}"

    [[county.Vestfold.contacts]]
    name = "Ola Nordmann"
    role = "regiondirektør, KS Vestfold"

    [member]
    lede = "{medlem} fikk et netto driftsresultat på {netto_driftsresultat} i {år}."

Nothing here is ever invented: without a file there are no quotes and no contacts.
Every problem is one line naming the file, the line and what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from pathlib import Path
from string import Formatter
from typing import Any

from kommunerapport.errors import RegionError, UsageError, shown
from kommunerapport.model.config import (
    DEFAULT_KEYWORDS,
    DEFAULT_ORGANISATION,
    FIELDS,
    Config,
    Contact,
    Quote,
    Words,
)
from kommunerapport.model.kinds import is_county_number
from kommunerapport.model.regions import find_county, find_municipality, load_register
from kommunerapport.sources import limits, tomlmessages

KEYS = {"organisation", "keywords", "about", "date", "release", "sector", "county",
        "member"}
TEXT_KEYS = ("organisation", "about")
WORD_KEYS = ("headline", "lede", "quotes", "contacts")
AUDIENCE_NAMES = {"sector": "sektorrapporten", "county": "fylkesrapportene",
                  "member": "medlemsrapportene"}


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


def _header(line: str) -> tuple[str, ...] | None:
    """The table path of a ``[a.b]`` or ``[[a.b]]`` header line, keys unquoted; else None."""
    m = re.match(r"^\s*\[\[?\s*(.*?)\s*\]\]?\s*(?:#.*)?$", line)
    if not m:
        return None
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'|([^.\s"\']+)', m[1])
    return tuple(next(p for p in part if p) if any(part) else "" for part in parts)


def _line(text: str, key: str, table: str | tuple[str, ...] | None = None,
          index: int = 0) -> int | None:
    """The line where ``key`` is set: at the top level, in the table ``table``, or in the
    ``index``-th of an array of tables ``[[table]]`` (the table's own line, when the key
    is missing there)."""
    lines = text.splitlines()
    path = (table,) if isinstance(table, str) else table
    start, end = 0, len(lines)
    if path is not None:
        starts = [n for n, line in enumerate(lines) if _header(line) == path]
        if index >= len(starts):
            return None
        start = starts[index] + 1
    end = next((n for n in range(start, len(lines)) if _header(lines[n]) is not None),
               len(lines))
    assign = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    found = next((n + 1 for n in range(start, end) if assign.match(lines[n])), None)
    return found or (start if path is not None else None)  # else the table itself


def _where(path: tuple[str, ...]) -> str:
    return "[" + ".".join(path) + "]"


def _strings(path: Path, text: str, table: tuple[str, ...], index: int, item: dict[str, Any],
             required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, str]:
    where = f"[{_where(table)}] nr. {index + 1}"
    unknown = set(item) - set(required) - set(optional)
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError.at(path, f"ukjent felt «{name}» i {where}. Gyldige: "
                                  f"{', '.join(required + optional)}.",
                            line=_line(text, name, table, index))
    for name in sorted(item, key=lambda n: (required + optional).index(n)):
        if not isinstance(item[name], str):
            raise UsageError.at(path, f"«{name}» i {where} skal være tekst i anførselstegn, "
                                      f"ikke {_kind(item[name])}.",
                                line=_line(text, name, table, index))
    for name in required:
        if not item.get(name, "").strip():
            raise UsageError.at(path, f"{where} mangler «{name}».",
                                line=_line(text, name, table, index))
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
        raise UsageError.at(path, f"lister og tabeller er nestet dypere enn grensen for nesting "
                                  f"på {limits.MAX_DEPTH} nivåer.")
    return text


def load_config(path: Path | None) -> Config:
    """Read and check a config file; no file gives the defaults (no quotes).

    Every problem is one line naming the file, the line where it can be seen, and
    what is wrong («role» in the first [[sector.quotes]] must be text, not the number 3).
    """
    if path is None:
        return Config()
    text = _read(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        broken = tomlmessages.explain(exc, text)
        raise UsageError.at(path, broken.problem, line=broken.line, char=broken.char) from None
    except RecursionError:
        raise UsageError.at(path, f"lister og tabeller er nestet dypere enn grensen for nesting "
                                  f"på {limits.MAX_DEPTH} nivåer.") from None
    for key in WORD_KEYS:
        if key in raw:
            raise UsageError.at(path, f"«{key}» står utenfor en mottakergruppe og ville kommet i "
                                      "alle rapportene; flytt den til [sector], [county] eller "
                                      "[member] (se examples/ks.toml).",
                                line=_line(text, key) or _line(text, "", (key,)))
    unknown = set(raw) - KEYS
    if unknown:
        name = sorted(unknown)[0]
        raise UsageError.at(path, f"ukjent innstilling «{name}». Gyldige: "
                                  f"{', '.join(sorted(KEYS))}.", line=_line(text, name))
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
    audiences: dict[str, Any] = {}
    for audience in ("sector", "county", "member"):
        table = raw.get(audience, {})
        if not isinstance(table, dict):
            raise UsageError.at(path, f"«{audience}» skal være en tabell, [{audience}], ikke "
                                      f"{_kind(table)}.", line=_line(text, audience))
        audiences[audience] = table
    sector = _words(path, text, ("sector",), audiences["sector"], "sector", units=False)
    county, counties = _audience(path, text, "county", audiences["county"])
    member, members = _audience(path, text, "member", audiences["member"])
    return Config(raw.get("organisation", DEFAULT_ORGANISATION), tuple(keywords),
                  raw.get("about", ""), date, str(path), sector, county, counties, member,
                  members, release=release)


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


def _audience(path: Path, text: str, audience: str, table: dict[str, Any]
              ) -> tuple[Words, tuple[tuple[str, Words], ...]]:
    """The defaults of ``[county]`` or ``[member]`` and the tables of single units in it."""
    defaults = _words(path, text, (audience,), table, audience, units=True)
    own: dict[str, tuple[str, Words]] = {}
    for key, value in table.items():
        if key in WORD_KEYS:
            continue
        line = _line(text, key, (audience,)) if not isinstance(value, dict) else (
            _line(text, "", (audience, key)) or _line(text, key, (audience,)))
        if not isinstance(value, dict):
            raise UsageError.at(path, f"ukjent felt «{key}» i [{audience}]. Gyldige: "
                                      f"{', '.join(WORD_KEYS)}, eller en tabell "
                                      f"[{audience}.<navn>] for "
                                      f"{'ett fylke' if audience == 'county' else 'ett medlem'}.",
                                line=line)
        number = _unit(path, audience, key, line)
        if number in own:
            raise UsageError.at(path, f"[{audience}.{key}] og [{audience}.{own[number][0]}] "
                                      "gjelder den samme; skriv ordene i én av dem.", line=line)
        own[number] = (key, _words(path, text, (audience, key), value, audience, units=False))
    return defaults, tuple((number, words) for number, (_, words) in own.items())


def _unit(path: Path, audience: str, key: str, line: int | None) -> str:
    """The number of the county or member a table is named for (by number or name)."""
    try:
        if audience == "county":
            return find_county(key).number
        if key.isdigit() and is_county_number(key):
            load_register().county(key)  # a county authority: it must exist
            return key
        if key.isdigit() or not key.casefold().endswith("fylkeskommune"):
            return find_municipality(key).number
        return find_county(key.removesuffix("fylkeskommune").strip()).number
    except (RegionError, StopIteration) as exc:
        problem = exc.format_message() if isinstance(exc, RegionError) else \
            f"Ukjent fylkeskommune «{key}»."
        raise UsageError.at(path, f"[{audience}.{key}]: {problem}", line=line) from None


def _words(path: Path, text: str, table: tuple[str, ...], raw: dict[str, Any], audience: str,
           units: bool) -> Words:
    """One table's headline, lede, quotes and contacts, checked; templates' fields too."""
    where = _where(table)
    for key in ("headline", "lede"):
        if key in raw and not isinstance(raw[key], str):
            raise UsageError.at(path, f"«{key}» i {where} skal være tekst i anførselstegn, ikke "
                                      f"{_kind(raw[key])}.", line=_line(text, key, table))
    if not units:
        unknown = sorted(set(raw) - set(WORD_KEYS))
        if unknown:
            raise UsageError.at(path, f"ukjent felt «{unknown[0]}» i {where}. Gyldige: "
                                      f"{', '.join(WORD_KEYS)}.",
                                line=_line(text, unknown[0], table))
    quotes = contacts = None
    if "quotes" in raw:
        quotes = tuple(Quote(**_strings(path, text, (*table, "quotes"), n, q,
                                        ("text", "name", "role"), ()))
                       for n, q in enumerate(_table_list(path, text, raw, "quotes", table)))
    if "contacts" in raw:
        contacts = tuple(Contact(**_strings(path, text, (*table, "contacts"), n, c, ("name",),
                                            ("role", "phone", "email")))
                         for n, c in enumerate(_table_list(path, text, raw, "contacts", table)))
    words = Words(raw.get("headline", "").strip(), raw.get("lede", "").strip(), quotes, contacts)
    templates = [("headline", words.headline, 0), ("lede", words.lede, 0)] + [
        ("text", q.text, n) for n, q in enumerate(words.quotes or ())]
    for key, template, n in templates:
        _check_fields(path, text, table if key != "text" else (*table, "quotes"), key, n,
                      template, audience)
    return words


def _check_fields(path: Path, text: str, table: tuple[str, ...], key: str, index: int,
                  template: str, audience: str) -> None:
    known = FIELDS[audience]
    line = _line(text, key, table, index)
    try:
        used = [name for _, name, spec, conv in Formatter().parse(template) if name is not None]
    except ValueError:
        raise UsageError.at(path, f"«{key}» i {_where(table)} har en krøllparentes uten make; "
                                  "skriv {{ og }} for en krøllparentes i teksten.",
                            line=line) from None
    for name in used:
        if name not in known:
            field_list = ", ".join("{" + f + "}" for f in known)
            problem = ("en tom {}" if not name else f"ukjent felt {{{name}}}")
            raise UsageError.at(path, f"«{key}» i {_where(table)} har {problem}; "
                                      f"{AUDIENCE_NAMES[audience]} kan bruke {field_list}.",
                                line=line)


def _table_list(path: Path, text: str, raw: dict[str, Any], key: str,
                table: tuple[str, ...]) -> list[dict[str, Any]]:
    items = raw.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        name = ".".join((*table, key))
        raise UsageError.at(path, f"«{key}» i {_where(table)} skal skrives som "
                                  f"[[{name}]]-tabeller.", line=_line(text, key, table))
    return items
