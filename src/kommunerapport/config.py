"""The user's own words for a report, from a TOML file.

Quotes, contacts, the «Om KS» text, keywords, the organisation's name, the
dateline date, and KS's own headline and lede. Nothing here is ever invented:
without a file there are no quotes and no contacts. KS's message leads: a
``headline`` replaces the generated one and a ``lede`` comes before the generated
lede; the report check holds every number in them to the report's figures.
Example (see ``examples/ks.toml``)::

    organisation = "KS"
    headline = "Kommuneøkonomien tilbake i pluss, men KS advarer: Krisa er ikke over"
    keywords = ["kommuneøkonomi", "netto driftsresultat"]
    about = "KS er kommunesektorens organisasjon."

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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kommunerapport.errors import UsageError

DEFAULT_ORGANISATION = "KS"
DEFAULT_KEYWORDS = ("kommuneøkonomi", "netto driftsresultat", "disposisjonsfond", "KOSTRA")


@dataclass(frozen=True)
class Quote:
    text: str
    name: str
    role: str


@dataclass(frozen=True)
class Contact:
    name: str
    role: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Config:
    organisation: str = DEFAULT_ORGANISATION
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    about: str = ""
    quotes: tuple[Quote, ...] = ()
    contacts: tuple[Contact, ...] = ()
    date: dt.date | None = None
    headline: str = ""  # KS's own headline, instead of the generated one
    lede: str = ""  # KS's own opening, before the generated lede
    source: str = field(default="", compare=False)


KEYS = {"organisation", "keywords", "about", "quotes", "contacts", "date", "headline", "lede"}


def _fail(path: Path, problem: str) -> UsageError:
    return UsageError(f"{path}: {problem}")


def _strings(path: Path, key: str, item: dict, required: tuple[str, ...],
             optional: tuple[str, ...]) -> dict[str, str]:
    unknown = set(item) - set(required) - set(optional)
    if unknown:
        raise _fail(path, f"ukjent felt «{sorted(unknown)[0]}» i [[{key}]].")
    for name in required:
        if not isinstance(item.get(name), str) or not item[name].strip():
            raise _fail(path, f"[[{key}]] mangler «{name}».")
    for name in set(item):
        if not isinstance(item[name], str):
            raise _fail(path, f"«{name}» i [[{key}]] skal være tekst.")
    return {k: v.strip() for k, v in item.items()}


def load_config(path: Path | None) -> Config:
    """Read and check a config file; no file gives the defaults (no quotes)."""
    if path is None:
        return Config()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _fail(path, "fila finnes ikke.") from None
    except UnicodeDecodeError:
        raise _fail(path, "fila er ikke UTF-8.") from None
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"ugyldig TOML ({exc}).") from None
    unknown = set(raw) - KEYS
    if unknown:
        raise _fail(path, f"ukjent innstilling «{sorted(unknown)[0]}». Gyldige: "
                          f"{', '.join(sorted(KEYS))}.")
    quotes = tuple(Quote(**_strings(path, "quotes", q, ("text", "name", "role"), ()))
                   for q in _table_list(path, raw, "quotes"))
    contacts = tuple(Contact(**_strings(path, "contacts", c, ("name",), ("role", "phone", "email")))
                     for c in _table_list(path, raw, "contacts"))
    keywords = raw.get("keywords", list(DEFAULT_KEYWORDS))
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise _fail(path, "«keywords» skal være en liste med tekst.")
    date = raw.get("date")
    if date is not None and not isinstance(date, dt.date):
        raise _fail(path, "«date» skal være en dato, for eksempel 2026-03-06.")
    for key in ("organisation", "about", "headline", "lede"):
        if key in raw and not isinstance(raw[key], str):
            raise _fail(path, f"«{key}» skal være tekst.")
    return Config(raw.get("organisation", DEFAULT_ORGANISATION), tuple(keywords),
                  raw.get("about", ""), quotes, contacts, date,
                  " ".join(raw.get("headline", "").split()), " ".join(raw.get("lede", "").split()),
                  str(path))


def _table_list(path: Path, raw: dict, key: str) -> list[dict]:
    items = raw.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise _fail(path, f"«{key}» skal skrives som [[{key}]]-tabeller.")
    return items
