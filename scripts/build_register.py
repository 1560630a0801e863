"""Build the package's region register from the real sources in ``sources/``.

Run from the repository root::

    python scripts/build_register.py

Writes ``src/kommunerapport/data/kommuner.csv``, ``fylker.csv`` and ``robek.csv``.
Official names come from SSB's Klass 131 (valid 1.1.2026), population and written
form from SSB via ``sources/facts/kommuner_2024.csv``, ROBEK from regjeringen.no.
County names are those of Klass 104 valid from 1.1.2024.

The short name (``kortnavn``) is the form a report uses after the official name's first
mention. For a municipality with one name it is that name; for one with parallel Sami or
Kven names it is the name Norwegian readers and KS's own member lists use
(``SHORT_NAMES``), decided here once: «Guovdageaidnu - Kautokeino» is «Kautokeino», so a
report never says «Guovdageaidnu kommune», a Sami name with the Norwegian word.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "sources"
OUT = ROOT / "src" / "kommunerapport" / "data"

# Klass 104 (fylkesinndeling) from 1.1.2024: number, official name, the county it
# came from (for the counties split in 2024) and its official written form.
# Vestland fylkeskommune has chosen nynorsk; the others are language-neutral.
COUNTIES = [
    ("03", "Oslo", "", "Nøytral"),
    ("11", "Rogaland", "", "Nøytral"),
    ("15", "Møre og Romsdal", "", "Nøytral"),
    ("18", "Nordland - Nordlánnda", "", "Nøytral"),
    ("31", "Østfold", "30 Viken", "Nøytral"),
    ("32", "Akershus", "30 Viken", "Nøytral"),
    ("33", "Buskerud", "30 Viken", "Nøytral"),
    ("34", "Innlandet", "", "Nøytral"),
    ("39", "Vestfold", "38 Vestfold og Telemark", "Nøytral"),
    ("40", "Telemark", "38 Vestfold og Telemark", "Nøytral"),
    ("42", "Agder", "", "Nøytral"),
    ("46", "Vestland", "", "Nynorsk"),
    ("50", "Trøndelag - Trööndelage", "", "Nøytral"),
    ("55", "Troms - Romsa - Tromssa", "54 Troms og Finnmark", "Nøytral"),
    ("56", "Finnmark - Finnmárku - Finmarkku", "54 Troms og Finnmark", "Nøytral"),
]


# Municipalities with parallel official names (Klass 131, 1.1.2026) whose first name is
# not the one Norwegian readers know: the short form is the Norwegian name. The others
# with parallel names keep their first, Norwegian, name («Trondheim - Tråante» →
# «Trondheim», «Oslo - Oslove» → «Oslo»). README.md shows this table.
SHORT_NAMES = {
    "1826": "Hattfjelldal",  # Aarborte - Hattfjelldal
    "1875": "Hamarøy",  # Hábmer - Hamarøy
    "5025": "Røros",  # Røros - Rosse (the facts file's «kommune» column says «Rosse»)
    "5041": "Snåsa",  # Snåase - Snåsa
    "5043": "Røyrvik",  # Raarvihke - Røyrvik
    "5512": "Tjeldsund",  # Dielddanuorri - Tjeldsund
    "5518": "Lavangen",  # Loabák - Lavangen
    "5540": "Kåfjord",  # Gáivuotna - Kåfjord - Kaivuono
    "5610": "Karasjok",  # Kárášjohka - Karasjok
    "5612": "Kautokeino",  # Guovdageaidnu - Kautokeino
    "5628": "Tana",  # Deatnu - Tana
    "5636": "Nesseby",  # Unjárga - Nesseby
}


def short_name(number: str, official: str, listed: str) -> str:
    """The short form: from ``SHORT_NAMES``, else the facts file's name (which drops the
    county in «Herøy (Nordland)»), which must be one of the official name's parts."""
    if number in SHORT_NAMES:
        name = SHORT_NAMES[number]
        if name not in official.split(" - "):
            raise SystemExit(f"{number}: {name!r} is not a part of {official!r}")
        return name
    if " - " in official and listed != official.split(" - ")[0]:
        raise SystemExit(f"{number}: decide the short form of {official!r} in SHORT_NAMES")
    return listed


def build() -> None:
    klass = json.loads((SOURCES / "ssb" / "klass131_kommuner_2026-01-01.json").read_text("utf-8"))
    names = {c["code"]: c["name"] for c in klass["codes"] if c["code"] != "9999"}
    with (SOURCES / "facts" / "kommuner_2024.csv").open(encoding="utf-8") as f:
        facts = list(csv.DictReader(f))
    if {r["kommunenummer"] for r in facts} != set(names):
        raise SystemExit("kommuner_2024.csv and Klass 131 disagree on the municipality numbers")

    with (OUT / "kommuner.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nummer", "navn", "kortnavn", "fylke", "folkemengde_2024", "malform"])
        for r in facts:
            nr = r["kommunenummer"]
            w.writerow([nr, names[nr], short_name(nr, names[nr], r["kommune"]), r["fylkesnummer"],
                        r["folkemengde_2024-01-01"], r["malform"]])

    with (OUT / "fylker.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nummer", "navn", "kortnavn", "gyldig_fra", "del_av_for", "malform"])
        for nr, name, before, form in COUNTIES:
            w.writerow([nr, name, name.split(" - ")[0], 2024 if before else 2020, before, form])

    robek = json.loads((SOURCES / "facts" / "robek_2026-04-20.json").read_text("utf-8"))
    with (OUT / "robek.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["nummer", "navn", "hjemmel"])
        for k in robek["kommuner"]:
            w.writerow([k["kommunenummer"], k["kommune"], k["hjemmel"]])


if __name__ == "__main__":
    build()
