"""The user's own words for a report: quotes, contacts, «Om KS», keywords, KS's headline.

Nothing here is ever invented: without a config there are no quotes and no contacts.
``sources.configfile`` reads them from a TOML file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
    source: str = field(default="", compare=False)
    headline: str = ""  # the user's own headline instead of the tool's
    lede: str = ""  # the user's own lede
    release: dt.date | None = None  # the release date of --data files that give none
