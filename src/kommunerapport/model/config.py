"""The user's own words for a report: per audience, with quotes, contacts and «Om KS».

Nothing here is ever invented: without a config there are no quotes and no contacts.
``sources.configfile`` reads them from a TOML file.

Words belong to one audience: the sector report (``sector``), the county reports
(``county``, with tables for each county in ``counties``), the member reports
(``member``, with tables for single members in ``members``). A report gets its own
audience's words and no other's. A unit's table replaces, key by key, the defaults
of its kind. Headline, lede and quote texts are templates: ``{navn}``,
``{netto_driftsresultat}`` … are filled with the report's own figures (``FIELDS``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace

DEFAULT_ORGANISATION = "KS"
DEFAULT_KEYWORDS = ("kommuneøkonomi", "netto driftsresultat", "disposisjonsfond", "KOSTRA")

AUDIENCES = ("sector", "county", "member")

# The named fields each audience's templates may use: what each holds (README.md says so).
FIELDS: dict[str, dict[str, str]] = {
    "sector": {
        "år": "regnskapsåret («2025»)",
        "året_før": "året før («2024»)",
        "netto_driftsresultat": "kommunene uten Oslo, netto driftsresultat («2,1 prosent»)",
        "netto_driftsresultat_året_før": "det samme året før («minus 0,3 prosent»)",
        "fylkeskommunene": "fylkeskommunene uten Oslo samlet («4,3 prosent»)",
    },
    "county": {
        "fylke": "fylkets navn («Vestfold»)",
        "år": "regnskapsåret",
        "året_før": "året før",
        "netto_driftsresultat": "kommunene i fylket samlet («3,5 prosent»)",
        "netto_driftsresultat_året_før": "det samme året før",
        "landet": "kommunene uten Oslo samlet",
        "fylkeskommunen": "fylkeskommunens netto driftsresultat",
    },
    "member": {
        "medlem": "medlemmet slik rapporten kaller det («Kautokeino kommune», "
                  "«Vestfold fylkeskommune»)",
        "navn": "medlemmets korte navn («Kautokeino», «Vestfold»)",
        "fylke": "fylket («Finnmark»)",
        "år": "regnskapsåret",
        "året_før": "året før",
        "netto_driftsresultat": "medlemmets netto driftsresultat («minus 1,3 prosent»)",
        "netto_driftsresultat_året_før": "det samme året før",
        "disposisjonsfond": "disposisjonsfondet ved utgangen av året («12,0 prosent»)",
        "landet": "kommunene uten Oslo samlet (for en fylkeskommune: fylkeskommunene uten "
                  "Oslo)",
    },
}


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
class Words:
    """One audience's own words (or one unit's); empty fields are not given."""

    headline: str = ""
    lede: str = ""
    quotes: tuple[Quote, ...] | None = None  # None: not given (the defaults apply)
    contacts: tuple[Contact, ...] | None = None

    def over(self, defaults: Words) -> Words:
        """These words, each key not given taken from ``defaults``."""
        return replace(defaults, **{f.name: getattr(self, f.name) for f in fields(self)
                                    if getattr(self, f.name) not in ("", None)})


@dataclass(frozen=True)
class Config:
    organisation: str = DEFAULT_ORGANISATION
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    about: str = ""
    date: dt.date | None = None
    source: str = field(default="", compare=False)
    sector: Words = Words()
    county: Words = Words()  # every county report's, unless its own table says otherwise
    counties: tuple[tuple[str, Words], ...] = ()  # county number → its own words
    member: Words = Words()  # every member report's
    members: tuple[tuple[str, Words], ...] = ()  # member number → its own words
    release: dt.date | None = None  # the release date of --data files that give none

    def words(self, kind: str, number: str = "") -> Words:
        """The words of one report: its audience's, with its own table over them."""
        if kind == "sector":
            return self.sector
        own = dict(self.counties if kind == "county" else self.members).get(number)
        defaults = self.county if kind == "county" else self.member
        return own.over(defaults) if own else defaults
