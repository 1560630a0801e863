"""Build the package's built-in dataset: real sector figures plus a marked sample.

Run from the repository root (after ``scripts/build_register.py``)::

    python scripts/make_dataset.py [--out DIR]

Writes ``dataset.csv`` (the tidy table, see ``kommunerapport.model.schema``) and
``dataset.json`` (what the table holds, where it came from) to
``src/kommunerapport/data/`` or ``DIR``. The output is byte-for-byte the same on
every run and machine: the generator uses only ``random.random()`` with a fixed
seed (guaranteed stable across Python versions) and rounds what it writes.

Real (``synthetic=false``), from ``sources/facts/``:
  * the county authorities 2020–2025, SSB table 13561 (konsern);
  * SSB's nine key figures of table 12134 for Landet (EAK), Landet uten Oslo
    (EAKUO), KOSTRA-gruppe 8 (EKG08), Oslo, Lørenskog, Lillestrøm, Enebakk and
    Rælingen, release 16.03.2026; Oslo's brutto driftsinntekter from 13561.

Synthetic (``synthetic=true``): accounts for the other municipalities 2020–2025
(brutto driftsinntekter and driftsutgifter, netto driftsresultat, disposisjonsfond,
brutto investeringsutgifter in 1000 kr and in % of BDI; frie inntekter per innbygger),
calibrated so that
  * BDI scales with each municipality's real population (1.1.2024);
  * the BDI-weighted NDR without Oslo equals SSB's Landet uten Oslo each year
    (2.1 for 2025, SSB's revised figure);
  * the BDI-weighted disposisjonsfond without Oslo equals SSB's «fri egenkapital
    drift» for Landet uten Oslo; 2025, which SSB did not publish without Oslo, is
    derived from Landet and Oslo with the sample's own BDI weights;
  * frie inntekter per innbygger (population-weighted) and brutto
    investeringsutgifter (BDI-weighted) match Landet uten Oslo the same way;
  * one in three municipalities has a deficit in 2025; 12 % (2024) and 15 %
    (2025) have emptied their disposisjonsfond; NDR stays within −8 … +12 %.
Where a real figure for a municipality is known (the five above) it is used and
kept real; amounts derived from it and a synthetic BDI are marked synthetic.

Old codes, as SSB's tables keep them: a municipality's figures for 2020–2023 are
written under the code it had then (3029 Lørenskog, 3803 Tønsberg, …), found in the
change table ``data/regionendringer.csv`` (``scripts/build_history.py``), so every
report from the built-in data goes through the chain to today's codes. Ålesund and
Haram, split out of 1507 Ålesund in 2024, are written as that one unit for 2020–2023:
amounts summed, shares recomputed from the sums, frie inntekter per innbygger weighted
by population.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from pathlib import Path
from statistics import NormalDist

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "sources" / "facts"
OUT = ROOT / "src" / "kommunerapport" / "data"

SEED = 20260306
YEARS = [2020, 2021, 2022, 2023, 2024, 2025]
LATEST = 2025
SCOPE = "konsern"
SAMPLE_SOURCE = "Eksempeldata (scripts/make_dataset.py)"
SAMPLE_RELEASE = "eksempeldata kalibrert mot SSB 16.03.2026"
RELEASE_PRELIMINARY = "foreløpige tall 16.03.2026"
RELEASE_REVISED = "reviderte tall, hentet 16.03.2026"
RELEASE_REVISED_2025 = "reviderte tall, dato ukjent"  # SSB's revised figure, published later

# Landet uten Oslo, SSB 12134 (2025 NDR: SSB's revised value).
NDR_TARGET = {2020: 2.5, 2021: 4.2, 2022: 2.6, 2023: 1.0, 2024: -0.3, 2025: 2.1}
# Growth of nominal BDI relative to 2024.
BDI_INDEX = {2020: 0.80, 2021: 0.85, 2022: 0.89, 2023: 0.95, 2024: 1.00, 2025: 1.065}
EMPTIED_SHARE = {2020: 0.05, 2021: 0.04, 2022: 0.04, 2023: 0.07, 2024: 0.12, 2025: 0.15}
DEFICIT_SHARE_2025 = 1 / 3
NDR_RANGE = (-8.0, 12.0)

INDICATORS = {
    "Netto driftsresultat i % av brutto driftsinntekter (%)": "ndr_pct",
    "Årets merforbruk i % av brutto driftsinntekter (%)": "merforbruk_pct",
    "Arbeidskapital (ekskl. premieavvik) i % av br. driftsinnt. (%)": "arbeidskapital_pct",
    "Netto renteeksponering i % av br. driftsinnt. (%)": "renteeksponering_pct",
    "Langsiktig gjeld (ekskl. pensjonsforpl.) i % av br. driftsinnt. (%)": "gjeld_pct",
    "Frie inntekter per innbygger (kr)": "frie_inntekter_innb",
    "Fri egenkapital drift i % av br. driftsinnt. (%)": "dispfond_pct",
    "Brutto investeringsutgifter i % av br. driftsinnt. (%)": "invest_pct",
    "Egenfinansiering av investeringene i % av tot. br. invest. (%)": "egenfinansiering_pct",
}
REGIONS_12134 = {"Landet": "EAK", "Landet u/Oslo": "EAKUO", "Kostragr. 8": "EKG08",
                 "Oslo": "0301", "Lørenskog": "3222", "Lillestrøm": "3205",
                 "Enebakk": "3220", "Rælingen": "3224"}

_normal = NormalDist()


class Rng:
    """Normal draws from random.random() alone, so the stream never changes."""

    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def normal(self, mu: float = 0.0, sigma: float = 1.0) -> float:
        u = min(max(self._r.random(), 1e-12), 1 - 1e-12)
        return mu + sigma * _normal.inv_cdf(u)


def release_for(year: int) -> str:
    return RELEASE_PRELIMINARY if year == LATEST else RELEASE_REVISED


def fmt(value: float, decimals: int) -> str:
    if decimals == 0:
        return str(int(round(value)))
    text = f"{value:.{decimals}f}"
    return "0.0" if text == "-0.0" else text


class Table:
    """Rows of the tidy table, in the order they are added."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []

    def add(self, unit: str, year: int, measure: str, value: float | None, source: str,
            release: str, synthetic: bool, decimals: int = 1, status: str = "") -> None:
        text = "" if value is None else fmt(value, decimals)
        self.rows.append([unit, str(year), measure, text, status, SCOPE, source, release,
                          "true" if synthetic else "false"])

    def csv(self) -> str:
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["unit", "year", "measure", "value", "status", "scope", "source",
                    "release", "synthetic"])
        w.writerows(self.rows)
        return buf.getvalue()


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def real_rows(table: Table) -> dict:
    """Add the real figures; return the known municipal values for the generator."""
    known: dict[tuple[str, int, str], float] = {}
    for r in read_csv(FACTS / "fylkeskommuner_2020-2025.csv"):
        unit, year = r["fylkesnummer"], int(r["aar"])
        rel = release_for(year)
        if r["brutto_driftsinntekter_mill_kr"]:
            table.add(unit, year, "bdi", float(r["brutto_driftsinntekter_mill_kr"]) * 1000,
                      "SSB 13561", rel, False, 0)
        table.add(unit, year, "ndr_pct", float(r["netto_driftsresultat_pst"]), "SSB 13561", rel,
                  False)
        table.add(unit, year, "dispfond_pct", float(r["disposisjonsfond_pst"]), "SSB 13561", rel,
                  False)
        if unit == "03":  # Oslo is both: the county's BDI is the municipality's.
            bdi = float(r["brutto_driftsinntekter_mill_kr"]) * 1000
            table.add("0301", year, "bdi", bdi, "SSB 13561", rel, False, 0)
            known[("0301", year, "bdi")] = bdi
    seen: set[tuple[str, int, str]] = set()
    for r in read_csv(FACTS / "kostra_12134_utvalgte_regioner_2020-2025.csv"):
        unit, year, measure = REGIONS_12134[r["region"]], int(r["aar"]), INDICATORS[r["indikator"]]
        decimals = 0 if measure == "frie_inntekter_innb" else 1
        table.add(unit, year, measure, float(r["verdi"]), "SSB 12134", release_for(year), False,
                  decimals)
        seen.add((unit, year, measure))
        if unit[0].isdigit():
            known[(unit, year, measure)] = float(r["verdi"])
    # SSB did not publish Landet uten Oslo on 16.03.2026: say so, except NDR,
    # whose revised value came later.
    for measure in INDICATORS.values():
        if ("EAKUO", LATEST, measure) in seen:
            continue
        if measure == "ndr_pct":
            table.add("EAKUO", LATEST, measure, NDR_TARGET[LATEST], "SSB 12134",
                      RELEASE_REVISED_2025, False)
        else:
            table.add("EAKUO", LATEST, measure, None, "SSB 12134", RELEASE_PRELIMINARY, False,
                      status="..")
    return known


def landet_value(measure: str, year: int) -> float:
    rows = read_csv(FACTS / "kostra_12134_utvalgte_regioner_2020-2025.csv")
    label = next(k for k, v in INDICATORS.items() if v == measure)
    return {r["region"]: float(r["verdi"]) for r in rows
            if r["indikator"] == label and int(r["aar"]) == year}


def weighted(values: dict[str, float], weights: dict[str, float]) -> float:
    return sum(values[u] * weights[u] for u in values) / sum(weights[u] for u in values)


def calibrate_mean(values: dict[str, float], weights: dict[str, float], fixed: set[str],
                   target: float) -> None:
    """Shift the free values so the weighted mean of all equals ``target``."""
    free = [u for u in values if u not in fixed]
    total = sum(weights[u] for u in values)
    gap = target * total - sum(values[u] * weights[u] for u in values)
    shift = gap / sum(weights[u] for u in free)
    for u in free:
        values[u] += shift


def scale_positive(values: dict[str, float], weights: dict[str, float], fixed: set[str],
                   target: float) -> None:
    """Scale the free positive values so the weighted mean equals ``target``; zeros stay."""
    free = [u for u in values if u not in fixed and values[u] > 0]
    total = sum(weights[u] for u in values)
    fixed_part = sum(values[u] * weights[u] for u in values if u not in free)
    factor = (target * total - fixed_part) / sum(values[u] * weights[u] for u in free)
    for u in free:
        values[u] *= factor


def ndr_with_spread(k: float, deviation: dict[str, float], real: dict[str, float],
                    weights: dict[str, float], target: float) -> dict[str, float]:
    """NDR per unit: the ``real`` value where known, else ``target`` plus ``k`` times the
    unit's ``deviation``; clipped to NDR_RANGE, the weighted mean calibrated to ``target``."""
    fixed = set(real)
    v = {u: real[u] if u in fixed else target + k * deviation[u] for u in deviation}
    for _ in range(6):
        calibrate_mean(v, weights, fixed, target)
        for u in v:
            if u not in fixed:
                v[u] = min(max(v[u], NDR_RANGE[0]), NDR_RANGE[1])
    calibrate_mean(v, weights, fixed, target)
    return {u: round(x, 1) for u, x in v.items()}


def generate(table: Table, known: dict, munis: list[dict[str, str]]) -> dict:
    rng = Rng(SEED)
    units = [m["nummer"] for m in munis if m["nummer"] != "0301"]
    pop = {m["nummer"]: int(m["folkemengde_2024"]) for m in munis}
    smallness = {u: math.exp(-pop[u] / 5000) for u in units}
    # Persistent traits: spending level, operating strength, reserve habit.
    level = {u: math.exp(rng.normal(0, 0.08)) for u in units}
    strength = {u: rng.normal(0, 1.4) for u in units}
    reserve = {u: 0.6 * strength[u] / 1.4 + 0.8 * rng.normal() for u in units}
    income_trait = {u: math.exp(rng.normal(0, 0.05)) for u in units}
    invest_trait = {u: rng.normal(0, 0.35) for u in units}

    report = {"ndr_pct": {}, "dispfond_pct": {}, "frie_inntekter_innb": {}, "invest_pct": {},
              "deficit_share": {}, "emptied_share": {}}
    oslo_pop = pop["0301"]
    for year in YEARS:
        bdi = {u: round(pop[u] * (96 + 110 * smallness[u]) * level[u] * BDI_INDEX[year]
                        * math.exp(rng.normal(0, 0.015))) for u in units}
        weights = dict(bdi)
        weights_all = {**weights, "0301": known[("0301", year, "bdi")]}

        def real(u: str, measure: str, y: int = year) -> float | None:
            return known.get((u, y, measure))

        # Netto driftsresultat.
        noise = {u: rng.normal(0, 2.0 * (1 + 0.6 * smallness[u])) for u in units}
        fixed = {u for u in units if real(u, "ndr_pct") is not None}
        target = NDR_TARGET[year]
        deviation = {u: strength[u] + noise[u] for u in units}
        real_ndr = {u: real(u, "ndr_pct") for u in fixed}

        ndr = ndr_with_spread(1.0, deviation, real_ndr, weights, target)
        if year == LATEST:  # one in three in deficit: widen or narrow the spread
            want = round(DEFICIT_SHARE_2025 * (len(units) + 1))
            lo, hi = 0.2, 4.0
            for _ in range(60):
                mid = (lo + hi) / 2
                spread = ndr_with_spread(mid, deviation, real_ndr, weights, target)
                if sum(x < 0 for x in spread.values()) < want:
                    lo = mid
                else:
                    hi = mid
            ndr = ndr_with_spread(hi, deviation, real_ndr, weights, target)
        report["ndr_pct"][year] = round(weighted(ndr, weights), 4)
        deficits = sum(x < 0 for x in ndr.values()) + (real("0301", "ndr_pct") < 0)
        report["deficit_share"][year] = round(deficits / (len(units) + 1), 4)

        # Disposisjonsfond.
        if year == LATEST:
            landet = landet_value("dispfond_pct", year)
            oslo_bdi = weights_all["0301"]
            dtarget = (landet["Landet"] * sum(weights_all.values())
                       - landet["Oslo"] * oslo_bdi) / sum(weights.values())
        else:
            dtarget = landet_value("dispfond_pct", year)["Landet u/Oslo"]
        fixed = {u for u in units if real(u, "dispfond_pct") is not None}
        raw = {u: real(u, "dispfond_pct") if u in fixed
               else math.exp(0.3 * reserve[u] + rng.normal(0, 0.15)) for u in units}
        n_empty = round(EMPTIED_SHARE[year] * (len(units) + 1))
        for u in sorted((u for u in units if u not in fixed), key=lambda u: raw[u])[:n_empty]:
            raw[u] = 0.0
        for _ in range(3):
            scale_positive(raw, weights, fixed, dtarget)
            raw = {u: round(x, 1) for u, x in raw.items()}
        disp = raw
        report["dispfond_pct"][year] = [round(weighted(disp, weights), 4), round(dtarget, 4)]
        report["emptied_share"][year] = round(sum(x <= 0 for x in disp.values()) / (len(units) + 1),
                                              4)

        # Frie inntekter per innbygger, population-weighted.
        landet = landet_value("frie_inntekter_innb", year)
        if "Landet u/Oslo" in landet:
            ftarget = landet["Landet u/Oslo"]
        else:
            total_pop = sum(pop.values())
            ftarget = (landet["Landet"] * total_pop - landet["Oslo"] * oslo_pop) / (
                total_pop - oslo_pop)
        fixed = {u for u in units if real(u, "frie_inntekter_innb") is not None}
        fri = {u: real(u, "frie_inntekter_innb") if u in fixed
               else ftarget * (1 + 0.5 * smallness[u]) * income_trait[u] for u in units}
        popw = {u: float(pop[u]) for u in units}
        scale_positive(fri, popw, fixed, ftarget)
        fri = {u: float(round(x)) for u, x in fri.items()}
        report["frie_inntekter_innb"][year] = [round(weighted(fri, popw), 1), round(ftarget, 1)]

        # Brutto investeringsutgifter.
        landet = landet_value("invest_pct", year)
        if "Landet u/Oslo" in landet:
            itarget = landet["Landet u/Oslo"]
        else:
            itarget = (landet["Landet"] * sum(weights_all.values())
                       - landet["Oslo"] * weights_all["0301"]) / sum(weights.values())
        fixed = {u for u in units if real(u, "invest_pct") is not None}
        inv = {u: real(u, "invest_pct") if u in fixed
               else math.exp(invest_trait[u] + rng.normal(0, 0.3)) for u in units}
        for _ in range(3):
            scale_positive(inv, weights, fixed, itarget)
            inv = {u: round(x, 1) for u, x in inv.items()}
        report["invest_pct"][year] = [round(weighted(inv, weights), 4), round(itarget, 4)]

        for u in units:
            # Brutto driftsutgifter: what is left of the income after the result and the
            # net interest and repayments (a steady 2,5–3,5 % of BDI, more for small units);
            # drawn from no random number, so every other figure stays as it was.
            finance = 2.5 + 1.0 * smallness[u]
            bdu = bdi[u] * (1 - ndr[u] / 100 - finance / 100)
            add_municipality(table, u, year, bdi[u], bdu, ndr[u], disp[u], fri[u], inv[u],
                             {m for m in ("ndr_pct", "dispfond_pct", "frie_inntekter_innb",
                                          "invest_pct") if real(u, m) is not None})
    return report


def add_municipality(table: Table, unit: str, year: int, bdi: float, bdu: float, ndr: float,
                     disp: float, fri: float, inv: float, real: set[str]) -> None:
    """One municipality-year; the real key figures of 12134 are added elsewhere."""
    def add(measure: str, value: float, decimals: int = 1) -> None:
        table.add(unit, year, measure, value, SAMPLE_SOURCE, SAMPLE_RELEASE, True, decimals)

    add("bdi", bdi, 0)
    add("bdu", bdu, 0)
    add("ndr", ndr / 100 * bdi, 0)
    add("dispfond", disp / 100 * bdi, 0)
    add("invest", inv / 100 * bdi, 0)
    for measure, value, decimals in (("ndr_pct", ndr, 1), ("dispfond_pct", disp, 1),
                                     ("frie_inntekter_innb", fri, 0), ("invest_pct", inv, 1)):
        if measure not in real:
            add(measure, value, decimals)


REFORM = "2024-01-01"  # the last change before the sample's years end


def old_codes(rows: list[list[str]], munis: list[dict[str, str]]) -> list[list[str]]:
    """The rows with each municipality's 2020–2023 figures under the code it had then.

    Units split in 2024 (1507 → 1508 and 1580) become their one predecessor again:
    amounts summed, shares of BDI from the summed amounts, frie inntekter per innbygger
    weighted by the parts' population.
    """
    older: dict[str, list[str]] = {}
    for c in read_csv(OUT / "regionendringer.csv"):
        if c["klass"] == "131" and c["dato"] == REFORM:
            older.setdefault(c["ny"], []).append(c["gammel"])
    before = int(REFORM[:4])
    pop = {m["nummer"]: int(m["folkemengde_2024"]) for m in munis}
    out: list[list[str]] = []
    parts: dict[tuple[str, str], list[list[str]]] = {}
    for row in rows:
        unit, year = row[0], int(row[1])
        old = older.get(unit)
        if year >= before or not old:
            out.append(row)
            continue
        if len(old) != 1:
            raise SystemExit(f"{unit} has several predecessors in 2024: {old}")
        split_into = [n for n, o in older.items() if o == old]
        if len(split_into) == 1:
            out.append([old[0], *row[1:]])
        else:
            parts.setdefault((old[0], row[1]), []).append(row)
    for (code, year), group in sorted(parts.items()):
        by = {}
        for r in group:
            by.setdefault(r[2], {})[r[0]] = r
        units = sorted({r[0] for r in group})

        def total(measure: str, by: dict = by, units: list[str] = units) -> float:
            return sum(float(by[measure][u][3]) for u in units)

        def add(measure: str, value: float, decimals: int, by: dict = by,
                units: list[str] = units, code: str = code, year: str = year) -> None:
            first = by[measure][units[0]]
            out.append([code, year, measure, fmt(value, decimals), "", *first[5:]])

        for measure in ("bdi", "bdu", "ndr", "dispfond", "invest"):
            add(measure, total(measure), 0)
        for share, amount in (("ndr_pct", "ndr"), ("dispfond_pct", "dispfond"),
                              ("invest_pct", "invest")):
            add(share, total(amount) / total("bdi") * 100, 1)
        people = sum(pop[u] for u in units)
        add("frie_inntekter_innb", sum(float(by["frie_inntekter_innb"][u][3]) * pop[u]
                                       for u in units) / people, 0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    munis = read_csv(OUT / "kommuner.csv")
    table = Table()
    known = real_rows(table)
    report = generate(table, known, munis)
    table.rows = old_codes(table.rows, munis)
    meta = {
        "description": "Innebygde data: reelle tall for fylkeskommunene (SSB 13561) og "
                       "nøkkeltall for landet og utvalgte kommuner (SSB 12134), og syntetiske "
                       "eksempeldata for kommuneregnskapene.",
        "synthetic": True,
        "synthetic_note": "Kommunetallene er eksempeldata – ikke offisielle tall. De er laget av "
                          "scripts/make_dataset.py og kalibrert mot SSBs tall for landet uten "
                          "Oslo. Oslo, Lørenskog, Lillestrøm, Enebakk og Rælingen har reelle "
                          "nøkkeltall fra SSB 12134.",
        "generated_by": "scripts/make_dataset.py",
        "seed": SEED,
        "scope": SCOPE,
        "sources": {
            "SSB 12134": "Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern. "
                         "Foreløpige tall 16.03.2026 for 2025; Landet uten Oslo 2025 "
                         "(netto driftsresultat 2,1) fra SSBs reviderte tall.",
            "SSB 13561": "Fylkeskommunenes regnskap, konsern. Foreløpige tall 16.03.2026 for 2025.",
            SAMPLE_SOURCE: "Syntetiske eksempeldata, ikke offisielle tall.",
        },
        "calibration": report,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / "dataset.csv").write_text(table.csv(), encoding="utf-8")
    (out / "dataset.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")


if __name__ == "__main__":
    main()
