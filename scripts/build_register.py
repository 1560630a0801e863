"""Build the package's region register from the real sources in ``sources/``.

Run from the repository root::

    python scripts/build_register.py

Writes ``src/kommunerapport/data/kommuner.csv``, ``fylker.csv`` and ``robek.csv``.
Official names come from SSB's Klass 131 (valid 1.1.2026), population and written
form from SSB via ``sources/facts/kommuner_2024.csv``, ROBEK from regjeringen.no.
County names are those of Klass 104 valid from 1.1.2024.
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
            w.writerow([nr, names[nr], r["kommune"], r["fylkesnummer"],
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
