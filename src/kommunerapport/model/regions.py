"""The region register: counties and municipalities from 2024 on.

Official names are SSB Klass 131 (municipalities) and Klass 104 (counties),
bilingual where the law gives a Sami or Kven name. Lookup is forgiving about
case, diacritics and which official form the user typed, and explains counties
that did not exist in the year asked for instead of mapping them silently.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import resources

from kommunerapport.errors import RegionError
from kommunerapport.model.kinds import is_county_number

# The register's own date: Klass 131 as valid on this day (the last year it knows).
REGISTER_VALID = dt.date(2026, 1, 1)
ROBEK_DATE = "20.4.2026"  # the register says who is in ROBEK now, not in a report's year
FIRST_YEAR = 2024  # the register's county structure holds from this year
REFORM_YEAR = 2020  # 428 → 356 municipalities, 19 → 11 counties


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str  # official, possibly bilingual: «Guovdageaidnu - Kautokeino»
    short_name: str
    county: str  # county number
    population: int  # 1.1.2024
    written_form: str  # «Bokmål», «Nynorsk» or «Nøytral»

    @property
    def lang(self) -> str:
        return language_for(self.written_form)


@dataclass(frozen=True)
class County:
    number: str
    name: str
    short_name: str
    valid_from: int
    part_of_before: str  # «38 Vestfold og Telemark» for counties split in 2024
    written_form: str

    @property
    def lang(self) -> str:
        return language_for(self.written_form)


def language_for(written_form: str) -> str:
    """The report language for an official written form; neutral reads bokmål."""
    return "nn" if written_form == "Nynorsk" else "nb"


@dataclass(frozen=True)
class RobekEntry:
    number: str
    name: str
    grounds: str  # letters of kommuneloven § 28-1, «c og d»


@dataclass(frozen=True)
class Register:
    counties: tuple[County, ...]
    municipalities: tuple[Municipality, ...]
    robek: tuple[RobekEntry, ...]

    def county(self, number: str) -> County:
        return next(c for c in self.counties if c.number == number)

    def municipality(self, number: str) -> Municipality:
        return self._by_number[number]

    def unit(self, number: str) -> Municipality | County:
        """A county (two digits) or a municipality (four), by its number."""
        return self.county(number) if is_county_number(number) else self.municipality(number)

    def in_county(self, county: str) -> list[Municipality]:
        return [m for m in self.municipalities if m.county == county]

    def is_robek(self, number: str) -> bool:
        return any(r.number == number for r in self.robek)

    def robek_entry(self, number: str) -> RobekEntry | None:
        return next((r for r in self.robek if r.number == number), None)

    @cached_property
    def _by_number(self) -> dict[str, Municipality]:
        """Built once per register (an lru_cache keyed on the register hashed all of it
        on every call: 0.17 ms, some 60 times a report)."""
        return {m.number: m for m in self.municipalities}


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("kommunerapport").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def load_register() -> Register:
    """The register shipped with the package (see scripts/build_register.py)."""
    counties = tuple(
        County(r["nummer"], r["navn"], r["kortnavn"], int(r["gyldig_fra"]),
               r["del_av_for"], r["malform"])
        for r in _rows("fylker.csv")
    )
    municipalities = tuple(
        Municipality(r["nummer"], r["navn"], r["kortnavn"], r["fylke"],
                     int(r["folkemengde_2024"]), r["malform"])
        for r in _rows("kommuner.csv")
    )
    robek = tuple(RobekEntry(r["nummer"], r["navn"], r["hjemmel"]) for r in _rows("robek.csv"))
    return Register(counties, municipalities, robek)


def normalise(text: str) -> str:
    """Fold a name for matching: case, æøå, diacritics, dashes and spaces."""
    text = text.casefold().strip()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a"), ("aa", "a"), ("oe", "o")):
        text = text.replace(a, b)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.replace("-", " ").replace("–", " ")  # «Troms – Romsa», as reports print it
    for suffix in (" fylkeskommune", " fylke", " kommune"):
        text = text.removesuffix(suffix)
    return " ".join(text.split())


def _keys(number: str, name: str, short_name: str) -> set[str]:
    """Every form a user may type for a region: number, full name, each language part,
    and the short name («Herøy» for «Herøy (Nordland)»)."""
    keys = {number, number.lstrip("0"), normalise(name), normalise(short_name)}
    keys.update(normalise(part) for part in name.split(" - "))
    return keys


def find_county(query: str, year: int | None = None) -> County:
    """The county the user means, or a RegionError that suggests the nearest names.

    Today's counties serve every year: before 2024 (or 2020) a county's municipal figures
    are its present municipalities' figures counted back through the change table
    (``model.history``). An old county asked for by its old name («Vestfold og
    Telemark», «Hordaland») is explained: what it became, and which county to ask for.
    """
    register = load_register()
    wanted = normalise(query)
    for county in register.counties:
        if wanted in _keys(county.number, county.name, county.short_name):
            return county
    old = _old_county(wanted, year)
    if old:
        raise RegionError(old)
    names = {normalise(c.short_name): c.short_name for c in register.counties}
    raise RegionError(f"Ukjent fylke «{query}».{_suggest(wanted, names)}")


def _old_county(wanted: str, year: int | None) -> str | None:
    """Why an old county (Klass 104 before a reform) has no report of its own, and which of
    today's counties to ask for instead; None if ``wanted`` names no old county."""
    from kommunerapport.model.history import builtin_history

    history = builtin_history().of("104")
    register = load_register()
    for code in sorted(history.historic_codes):
        names = history.names(code)
        if not any(wanted in _keys(code, name, name.split(" - ")[0]) for name in names):
            continue
        ended = min(c.date.year for c in history.changes if c.old == code)
        began = [c.date.year for c in history.changes if c.new == code and c.date.year < ended]
        link = history.link(code, ended - 1)
        today = [register.county(n) for n in link.codes if n in {c.number for c in
                                                                   register.counties}]
        name = names[-1].split(" - ")[0]
        period = f"fra {max(began)} til {ended - 1}" if began else f"til {ended - 1}"
        parts = [f"{c.short_name} ({c.number})" for c in today]
        listed = " og ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)
        became = (f"i {ended} ble fylket delt i {listed}" if link.split or len(today) > 1
                  else f"fra {ended} er det en del av {listed}")
        asked = f" --year {year}" if year is not None else ""
        options = " eller ".join(f"--county «{c.short_name}»{asked}" for c in today)
        return (f"{name} ({code}) fantes {period}; {became}. Rapportene gjelder dagens "
                "fylker, også for årene før (tallene regnes fra dagens kommuner); bruk "
                f"{options}.")
    return None


def municipalities_named(query: str) -> list[Municipality]:
    """Every municipality ``query`` may mean (two for «Våler» and «Herøy»)."""
    wanted = normalise(query)
    return [m for m in load_register().municipalities
            if wanted in _keys(m.number, m.name, m.short_name)]


def find_municipality(query: str) -> Municipality:
    """The municipality the user means, by number or any official name form."""
    register = load_register()
    wanted = normalise(query)
    matches = municipalities_named(query)
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{m.number} {m.name}" for m in matches)
        raise RegionError(f"«{query}» passer på flere kommuner: {listed}. Bruk kommunenummeret.")
    names = {normalise(m.short_name): m.short_name for m in register.municipalities}
    raise RegionError(f"Ukjent kommune «{query}».{_suggest(wanted, names)}")


def find_member(query: str) -> str:
    """The member the user means: a municipality (4-digit number or any name form) or a
    county authority (2-digit number, «Vestfold fylkeskommune», or a county's name that no
    municipality has); its number. Oslo is Oslo kommune (0301): its accounts are the
    municipality's."""
    register = load_register()
    wanted = normalise(query)
    text = query.strip()
    if text.isdigit() and len(text) <= 2:
        number = text.zfill(2)
        if number == "03":
            return "0301"
        if any(c.number == number for c in register.counties):
            return number
        raise RegionError(f"Ukjent fylkeskommune «{query}».")
    authority = query.casefold().rstrip().endswith("fylkeskommune")
    if not authority:
        matches = [m for m in register.municipalities
                   if wanted in _keys(m.number, m.name, m.short_name)]
        if len(matches) == 1:
            return matches[0].number
        if len(matches) > 1:
            listed = ", ".join(f"{m.number} {m.name}" for m in matches)
            raise RegionError(f"«{query}» passer på flere kommuner: {listed}. Bruk "
                              "kommunenummeret.")
    for county in register.counties:
        if wanted in _keys(county.number, county.name, county.short_name):
            return "0301" if county.number == "03" else county.number
    names = {normalise(m.short_name): m.short_name for m in register.municipalities}
    names |= {normalise(c.short_name): f"{c.short_name} fylkeskommune"
              for c in register.counties if c.number != "03"}
    raise RegionError(f"Ukjent medlem «{query}».{_suggest(wanted, names)}")


def _suggest(wanted: str, names: dict[str, str]) -> str:
    # A tight match first, so «Vestfol» suggests Vestfold and not also Østfold.
    close = difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.75)
    close = close or difflib.get_close_matches(wanted, list(names), n=3, cutoff=0.6)
    if not close:
        return ""
    return " Mente du: " + ", ".join(names[c] for c in close) + "?"
