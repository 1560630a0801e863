"""Region history: SSB's Klass changes (real answers, copied with their source), the chain
from old codes to today's, and what it does to the figures (model.history, sources.history).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kommunerapport import cli
from kommunerapport import figures as fig
from kommunerapport.errors import DataError
from kommunerapport.model import history as model_history
from kommunerapport.model.history import builtin_history, read_text
from kommunerapport.model.regions import load_register
from kommunerapport.model.schema import COLUMNS, today_units, validate
from kommunerapport.sources import readers
from kommunerapport.sources.history import chain
from kommunerapport.sources.loading import load_builtin

ROOT = Path(__file__).resolve().parent.parent
SSB = ROOT / "sources" / "ssb"
HEADER = "klass,dato,gammel,gammelt_navn,ny,nytt_navn,regel\n"


def tidy(*rows: tuple) -> pd.DataFrame:
    """(unit, year, measure, value[, synthetic]) rows as a validated table."""
    raw = pd.DataFrame(
        [[u, str(y), m, "" if v is None else str(v), ".." if v is None else "", "konsern",
          "SSB 12134", "foreløpige tall 16.03.2026", "true" if rest else "false"]
         for u, y, m, v, *rest in rows], columns=COLUMNS, dtype=str)
    return validate(raw, "test")


# -- The source: SSB's own answers, copied as delivered ------------------------------------------

def test_the_klass_131_answer_is_the_one_researched_byte_for_byte() -> None:
    # sha256 and size of the raw Klass 131 changes answer (1971-01-01..2025-01-02) as
    # recorded in the research notes (r16: 86 349 B, sha256 b7d5a1df…).
    raw = (SSB / "klass131_changes_1971-01-01_2025-01-02.json").read_bytes()
    assert len(raw) == 86_349
    assert hashlib.sha256(raw).hexdigest().startswith("b7d5a1df")
    changes = json.loads(raw)["codeChanges"]
    on = [c["changeOccurred"] for c in changes]
    assert (on.count("2020-01-01"), on.count("2024-01-01")) == (317, 118)  # r16, Klass


def test_the_change_table_is_what_the_script_builds(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_history.py"), "--out",
                    str(tmp_path)], check=True, cwd=ROOT)
    name = "regionendringer.csv"
    assert (tmp_path / name).read_bytes() == \
        (ROOT / "src" / "kommunerapport" / "data" / name).read_bytes()


def test_the_2024_changes_as_klass_gives_them() -> None:
    h = builtin_history().of("131")
    on_2024 = [c for c in h.changes if c.date.year == 2024]
    # Klass 131: 118 rows on 1.1.2024, of which 3 keep their code with a new name (1833,
    # 1845, 5037; r16) and are no change for the figures.
    assert len(on_2024) == 115
    assert {c.rule for c in on_2024 if c.old == "1507"} == {"delt"}
    assert {(c.new, c.new_name) for c in on_2024 if c.old == "1507"} == {
        ("1508", "Ålesund"), ("1580", "Haram")}
    assert all(c.rule == "renummerert" for c in on_2024 if c.old != "1507")


# -- The chain ----------------------------------------------------------------------------------

def test_lorenskog_is_chained_through_two_reforms() -> None:
    h = builtin_history().of("131")
    assert h.link("0230", 2019).target == "3222"  # 0230 → 3029 (2020) → 3222 (2024)
    assert h.link("3029", 2023).target == "3222"
    assert h.link("3029", 2024).codes == ("3029",)  # no change after 2024: not a unit today
    assert h.link("1507", 2023).split and h.link("1507", 2023).target is None


def test_a_renumbered_unit_carries_its_history_under_todays_code() -> None:
    table = tidy(("3029", 2023, "ndr_pct", 2.5), ("3222", 2024, "ndr_pct", 0.2))
    out, done = chain(table, today_units())
    assert sorted(zip(out["unit"], out["year"], out["value"], strict=True)) == [
        ("3222", 2023, 2.5), ("3222", 2024, 0.2)]
    assert done.renumbered == {"3222": {"3029": [2023]}}


def test_merged_units_sum_amounts_and_recompute_shares_from_the_sums() -> None:
    # Molde 1506 from 1.1.2020 = 1502 Molde + 1543 Nesset + 1545 Midsund (Klass 131).
    # NDR 2019 = Σ NDR / Σ BDI = (30 + 10 − 5) / (1000 + 200 + 100) = 35 / 1300 = 2,6923 %,
    # not the mean of 3, 5 and −5 % (1,0 %).
    table = tidy(("1502", 2019, "bdi", 1000), ("1502", 2019, "ndr_pct", 3.0),
                 ("1543", 2019, "bdi", 200), ("1543", 2019, "ndr", 10),
                 ("1545", 2019, "bdi", 100), ("1545", 2019, "ndr_pct", -5.0),
                 ("1502", 2019, "dispfond_pct", 4.0), ("1543", 2019, "dispfond_pct", 2.0))
    out, done = chain(table, today_units())
    molde = {m: v for u, m, v in zip(out["unit"], out["measure"], out["value"], strict=True)
             if u == "1506"}
    assert molde["bdi"] == 1300
    assert molde["ndr_pct"] == pytest.approx(35 / 1300 * 100)
    # Midsund has no disposisjonsfond: no figure for Molde, and it is said
    assert "dispfond_pct" not in molde
    assert done.merged == {"1506": {2019: ["1502", "1543", "1545"]}}
    assert molde["ndr"] == 35  # 30 (3 % of 1000) + 10 − 5 (−5 % of 100)
    assert done.incomplete == {"1506": {2019: ["dispfond_pct"]}}
    assert fig.unit_figure(out, "1506", 2019, "ndr_pct").value == pytest.approx(2.6923, 1e-4)


def test_a_merge_with_a_part_missing_gives_no_figure() -> None:
    # Only two of Molde's three parts: summing them would not be Molde.
    table = tidy(("1502", 2019, "bdi", 1000), ("1502", 2019, "ndr_pct", 3.0),
                 ("1543", 2019, "bdi", 200), ("1543", 2019, "ndr_pct", 5.0))
    out, done = chain(table, today_units())
    assert not (out["unit"] == "1506").any()
    assert done.incomplete == {"1506": {2019: ["bdi", "ndr_pct"]}}


def test_a_split_unit_has_no_comparable_history() -> None:
    # 1507 Ålesund (2020–2023) became 1508 Ålesund and 1580 Haram on 1.1.2024.
    table = tidy(("1507", 2023, "ndr_pct", 1.0), ("1508", 2024, "ndr_pct", 2.0),
                 ("1580", 2024, "ndr_pct", 3.0))
    out, done = chain(table, today_units())
    assert sorted(zip(out["unit"], out["year"], strict=True)) == [("1508", 2024), ("1580", 2024)]
    assert done.split == {"1508": [2023], "1580": [2023]}


def test_a_part_of_a_split_makes_its_new_whole_incomparable_too() -> None:
    # Narvik 1806 (2020) = 1805 Narvik + 1854 Ballangen + part of 1850 Tysfjord, which was
    # split between Narvik and Hamarøy: Narvik's 2019 is no comparable figure.
    table = tidy(("1805", 2019, "ndr_pct", 1.0), ("1854", 2019, "ndr_pct", 2.0),
                 ("1850", 2019, "ndr_pct", 3.0))
    out, done = chain(table, today_units())
    assert out.empty
    assert done.split == {"1806": [2019], "1875": [2019]}


def test_old_county_authorities_are_never_carried_to_todays() -> None:
    # 38 Vestfold og Telemark fylkeskommune was split into 39 and 40 (Klass 104, 2024).
    table = tidy(("38", 2023, "ndr_pct", 1.5), ("39", 2024, "ndr_pct", 2.0))
    out, done = chain(table, today_units())
    assert list(out["unit"]) == ["39"]
    assert done.split == {"39": [2023], "40": [2023]}


def test_a_figure_given_under_todays_code_wins_over_a_carried_one() -> None:
    table = tidy(("3222", 2023, "ndr_pct", 9.9), ("3029", 2023, "ndr_pct", 2.5))
    out, done = chain(table, today_units())
    assert list(zip(out["unit"], out["value"], strict=True)) == [("3222", 9.9)]
    assert done.shadowed == 1


# -- The built-in data goes through the chain ----------------------------------------------------

def test_the_builtin_sample_stores_2020_to_2023_under_the_old_codes() -> None:
    raw = (ROOT / "src" / "kommunerapport" / "data" / "dataset.csv").read_text("utf-8")
    assert "\n3029,2023,ndr_pct," in raw and "\n3222,2023," not in raw  # Lørenskog
    assert "\n3803,2020,bdi," in raw and "\n3905,2020," not in raw  # Tønsberg
    assert "\n1507,2023,bdi," in raw and "\n1508,2023," not in raw  # Ålesund before Haram


def test_vestfold_has_a_full_trend_from_the_builtin_data() -> None:
    register = load_register()
    units = [m.number for m in register.in_county("39")]
    table = load_builtin().table
    trend = fig.series(table, units, [2020, 2021, 2022, 2023, 2024, 2025])
    assert all(f.known and f.n == f.total == len(units) for f in trend)
    # Tønsberg 2023 comes from 3803 in the file
    assert fig.unit_figure(table, "3905", 2023, "ndr_pct").known
    meta = load_builtin().meta["history"]
    assert meta["renumbered"]["3905"] == {"3803": [2020, 2021, 2022, 2023]}
    assert meta["split"] == {"1508": [2020, 2021, 2022, 2023], "1580": [2020, 2021, 2022, 2023]}


# -- A file with SSB's old codes, as SSB's KOSTRA tables give them ---------------------------------

def test_a_jsonstat_file_with_historic_codes_reads_as_one_series(tmp_path: Path) -> None:
    # Shaped as PxWebApi v2 answers 12134: old and new codes in one region dimension, the
    # old ones labelled «(2020-2023)». Lørenskog 2024–2025 are SSB's real figures (0.2, 4.0;
    # r16 valideringsrapport); the 2022–2023 values are constructed for the test.
    doc = {"version": "2.0", "class": "dataset", "label": "12134: Utvalgte nøkkeltall",
           "source": "Statistisk sentralbyrå", "updated": "2026-03-16T07:00:00Z",
           "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"], "size": [2, 1, 4],
           "role": {"geo": ["KOKkommuneregion0000"], "time": ["Tid"],
                    "metric": ["ContentsCode"]},
           "dimension": {
               "KOKkommuneregion0000": {"label": "region", "category": {
                   "index": {"3029": 0, "3222": 1},
                   "label": {"3029": "Lørenskog (2020-2023)", "3222": "Lørenskog"}}},
               "ContentsCode": {"label": "statistikkvariabel", "category": {
                   "index": {"KOSAGD230000": 0},
                   "label": {"KOSAGD230000": "Netto driftsresultat i prosent av brutto "
                                             "driftsinntekter"},
                   "unit": {"KOSAGD230000": {"base": "prosent", "decimals": 1}}}},
               "Tid": {"label": "år", "category": {
                   "index": {"2022": 0, "2023": 1, "2024": 2, "2025": 3},
                   "label": {"2022": "2022", "2023": "2023", "2024": "2024", "2025": "2025"}}}},
           "value": [1.1, -2.0, None, None, None, None, 0.2, 4.0],
           "status": {"2": ".", "3": ".", "4": ".", "5": "."}}
    f = tmp_path / "12134.json"
    f.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ds = readers.read(f)
    t = ds.table[ds.table["value"].notna()]
    assert sorted(zip(t["unit"], t["year"], t["value"], strict=True)) == [
        ("3222", 2022, 1.1), ("3222", 2023, -2.0), ("3222", 2024, 0.2), ("3222", 2025, 4.0)]
    assert any("3029" in line and "3222" in line for line in readers.summary(ds))


# -- A change table that cannot be used ----------------------------------------------------------

@pytest.mark.parametrize(("rows", "message"), [
    ("131,2024-01-01,1507,Ålesund,1508,Ålesund,renummerert\n"
     "131,2024-01-01,1507,Ålesund,1580,Haram,renummerert\n",
     "t.csv, linje 2: 1507 går til både 1508 og 1580 (01.01.2024) uten delingsregel; en kode "
     "med flere etterfølgere må ha regelen «delt»."),
    ("131,2020-01-01,0230,Lørenskog,3029,Lørenskog,renummerert\n"
     "131,2024-01-01,3029,Lørenskog,0230,Lørenskog,renummerert\n",
     "t.csv, linje 3: kjeden går i ring: 0230 → 3029 → 0230."),
    ("131,1.1.2024,3029,Lørenskog,3222,Lørenskog,renummerert\n",
     "t.csv, linje 2, kolonne «dato»: «1.1.2024» er ikke en dato (ÅÅÅÅ-MM-DD)."),
    ("131,2024-01-01,3029,Lørenskog,3222,Lørenskog,flyttet\n",
     "t.csv, linje 2, kolonne «regel»: regelen «flyttet» er ingen av renummerert, "
     "sammenslått, delt."),
])
def test_a_change_table_that_cannot_say_where_a_figure_belongs_is_refused(
        rows: str, message: str) -> None:
    with pytest.raises(DataError) as err:
        read_text(HEADER + rows, "t.csv")
    assert err.value.format_message() == message


def test_a_damaged_fetched_change_table_stops_a_report_and_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / model_history.FILE).write_text(
        HEADER + "131,2024-01-01,1507,Ålesund,1508,Ålesund,renummerert\n"
                 "131,2024-01-01,1507,Ålesund,1580,Haram,renummerert\n", encoding="utf-8")
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(cache))
    data = tmp_path / "tall.csv"
    data.write_text("unit,year,measure,value,status,scope,source,release,synthetic\n"
                    "3222,2024,ndr_pct,0.2,,konsern,SSB 12134,foreløpige tall 16.03.2026,false\n",
                    encoding="utf-8")
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli.main, ["--county", "Akershus", "--data", str(data),
                                           "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Feil: {cache / model_history.FILE}, linje 2: 1507 går til både 1508 og 1580 "
        "(01.01.2024) uten delingsregel; en kode med flere etterfølgere må ha regelen «delt»."]
    assert not out.exists()


# -- The Vestfold report from SSB-shaped files with the codes of each year ---------------------

def _vestfold_jsonstat(measure_code: str, label: str, unit: str, measure: str,
                       decimals: int) -> dict:
    """A 12134/13551-shaped JSON-stat answer for Vestfold's municipalities 2020–2025, under
    the codes SSB uses: 38xx for 2020–2023 («Horten (2020-2023)»), 39xx from 2024, «.» where
    a code was not in use. CONSTRUCTED: the values are the built-in sample's, not SSB's."""
    builtin = load_builtin().table
    history = builtin_history().of("131")
    today = [m.number for m in load_register().in_county("39")]
    old = {h: c for c in history.historic_codes for h in [history.link(c, 2023).target]
           if h in today and history.valid(c, 2023)}
    codes = [old[u] for u in today] + today
    years = [str(y) for y in range(2020, 2026)]
    values, status = [], {}
    for code in codes:
        unit_now = history.link(code, 2023).target if code in old.values() else code
        for year in years:
            in_use = (code in old.values()) == (int(year) < 2024)
            row = builtin[(builtin.unit == unit_now) & (builtin.year == int(year))
                          & (builtin.measure == measure)]
            if in_use and len(row):
                values.append(float(row["value"].iloc[0]))
            else:
                status[str(len(values))] = "."
                values.append(None)
    return {"version": "2.0", "class": "dataset", "label": label,
            "source": "Statistisk sentralbyrå", "updated": "2026-03-16T07:00:00Z",
            "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
            "size": [len(codes), 1, len(years)],
            "role": {"geo": ["KOKkommuneregion0000"], "time": ["Tid"],
                     "metric": ["ContentsCode"]},
            "dimension": {
                "KOKkommuneregion0000": {"label": "region", "category": {
                    "index": codes,
                    "label": {c: (load_register().municipality(c).short_name if c in today
                                  else f"{history.names(c)[0]} (2020-2023)") for c in codes}}},
                "ContentsCode": {"label": "statistikkvariabel", "category": {
                    "index": [measure_code], "label": {measure_code: label},
                    "unit": {measure_code: {"base": unit, "decimals": decimals}}}},
                "Tid": {"label": "år", "category": {"index": years}}},
            "value": values, "status": status,
            "extension": {"px": {"tableid": label[:5], "decimals": decimals}}}


def test_the_vestfold_report_from_files_with_old_codes_shows_a_full_trend(tmp_path: Path) -> None:
    from pdfs import full_text

    ndr = tmp_path / "12134.json"
    ndr.write_text(json.dumps(_vestfold_jsonstat(
        "KOSAGD230000", "12134: Netto driftsresultat i prosent av brutto driftsinntekter",
        "prosent", "ndr_pct", 1), ensure_ascii=False), encoding="utf-8")
    bdi = tmp_path / "13551.json"
    bdi.write_text(json.dumps(_vestfold_jsonstat(
        "AGD2", "13551: Brutto driftsinntekter (1000 kr)", "1000 kr", "bdi", 0),
        ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli.main, ["--county", "Vestfold", "--data", str(ndr),
                                           "--data", str(bdi), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "tall under 6 eldre koder ført over til dagens (3801 → 3901" in result.stderr
    text = full_text(out / "fylker" / "kommuneokonomi-2025-vestfold.pdf")
    # The trend table under the chart: Vestfold's municipalities every year 2020–2025, the
    # BDI-weighted NDR of the sample (the same as from the built-in data, tested above)
    table = load_builtin().table
    units = [m.number for m in load_register().in_county("39")]
    expected = [fig.weighted(table, units, y).value for y in range(2020, 2026)]
    shown = " ".join(f"{v:.1f}".replace(".", ",").replace("-", "\u2212") for v in expected)
    assert f"Kommunene i Vestfold {shown}" in text
    assert "Tallene for kommunene i Vestfold for 2020–2023 er ført over fra kommunenumrene " \
           "før 2024 (SSB Klass)." in text
    assert "Vestfold fylke fantes ikke før 2024; tallene for 2020–2023 er dagens kommuner i " \
           "fylket regnet bakover." in text
