"""The figures a report states: ratios of sums, with provenance, never a silent zero."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from kommunerapport import figures as fig
from kommunerapport.figures import lookup
from kommunerapport.model import norms
from kommunerapport.model.schema import COLUMNS, validate
from kommunerapport.sources.tidycsv import read_table
from kommunerapport.writing.formatting import number

ROOT = Path(__file__).resolve().parent.parent
FACTS = ROOT / "sources" / "facts"
PACKAGE_DATA = ROOT / "src" / "kommunerapport" / "data"
REAL_MUNICIPALITIES = {"Oslo": "0301", "Lørenskog": "3222", "Lillestrøm": "3205",
                       "Enebakk": "3220", "Rælingen": "3224"}


def tidy(*rows: tuple) -> pd.DataFrame:
    """A small tidy table from (unit, year, measure, value) rows, validated like a file."""
    raw = pd.DataFrame(
        [[u, str(y), m, "" if v is None else str(v), ".." if v is None else "", "konsern",
          "SSB 12134", "test", "false"] for u, y, m, v in rows],
        columns=COLUMNS, dtype=str)
    return validate(raw, "test")


def without_oslo(register) -> list[str]:
    return fig.municipalities(register, with_oslo=False)


# -- The real facts: the county authorities as KS published them ------------------------------

@pytest.mark.parametrize(("year", "unrounded", "published"), [
    (2024, 2.66, "2,7"),  # KS 6.3.2026: 2,7
    (2025, 4.29, "4,3"),  # KS 6.3.2026: 4,3
])
def test_county_authorities_without_oslo_weighted_by_bdi(
        table, register, year: int, unrounded: float, published: str) -> None:
    total = fig.county_authorities_total(table, register, year)
    assert total.value == pytest.approx(unrounded, abs=0.005)  # DOMAIN.md: 2.66 / 4.29
    assert number(total.value, 1) == published
    assert (total.n, total.total, total.missing) == (14, 14, ())  # all but Oslo
    assert total.method == fig.METHOD_WEIGHTED
    assert total.sources == ("SSB 13561",)
    assert not total.synthetic


@pytest.mark.parametrize(("year", "published"), [
    (2024, "12,9"),  # SSB 13561, EAFKUO
    (2025, "12,7"),  # SSB 13561, EAFKUO
])
def test_county_authorities_disposisjonsfond(table, register, year: int, published: str) -> None:
    total = fig.county_authorities_total(table, register, year, "dispfond_pct")
    assert number(total.value, 1) == published


def test_county_authorities_before_2024_use_ssbs_own_aggregate(table, register) -> None:
    # The register's counties are those from 2024; Viken, Vestfold og Telemark and Troms og
    # Finnmark are not in it, so weighting the rest would silently leave them out.
    total = fig.county_authorities_total(table, register, 2023)
    assert total.value == 4.2  # SSB 13561, EAFKUO 2023
    assert total.method == fig.METHOD_PUBLISHED


def test_county_authorities_before_2024_without_ssbs_aggregate_are_unknown(register) -> None:
    table = tidy(("11", 2023, "ndr_pct", 3.0), ("11", 2023, "bdi", 1000))
    total = fig.county_authorities_total(table, register, 2023)
    assert not total.known
    assert total.missing == ("EAFKUO",)


# -- The synthetic sample meets its calibration targets ---------------------------------------

@pytest.mark.parametrize(("year", "target"), [
    (2020, 2.5), (2021, 4.2), (2022, 2.6), (2023, 1.0), (2024, -0.3),  # SSB 12134, Landet u/Oslo
    (2025, 2.1),  # SSB 12134, Landet u/Oslo, revised
])
def test_sample_ndr_without_oslo_matches_ssb(table, register, year: int, target: float) -> None:
    total = fig.weighted(table, without_oslo(register), year)
    assert total.value == pytest.approx(target, abs=0.05)
    if year < 2024:  # Ålesund and Haram, split out of 1507 Ålesund in 2024: no history
        assert (total.n, total.total, total.missing) == (354, 356, ("1508", "1580"))
    else:
        assert (total.n, total.total) == (356, 356)
    assert total.synthetic


@pytest.mark.parametrize(("year", "target"), [
    (2020, 11.8), (2021, 13.7), (2022, 14.5), (2023, 13.3), (2024, 11.2),
])  # SSB 12134, fri egenkapital drift, Landet u/Oslo
def test_sample_disposisjonsfond_without_oslo_matches_ssb(
        table, register, year: int, target: float) -> None:
    # Calibrated over the sample's municipalities of the year, under that year's codes as
    # stored (before 2024 Ålesund and Haram are one unit, 1507, which has no successor).
    stored = read_table(PACKAGE_DATA / "dataset.csv")
    units = sorted({u for u in stored.loc[stored["year"] == year, "unit"]
                    if len(u) == 4 and u != "0301"})
    assert len(units) == (355 if year < 2024 else 356)
    total = fig.weighted(stored, units, year, "dispfond_pct")
    assert total.value == pytest.approx(target, abs=0.05)


def test_sample_disposisjonsfond_2025_is_derived_from_landet_and_oslo(table, register) -> None:
    # SSB published no Landet u/Oslo for 2025 (16.03.2026); the script derives it from Landet
    # (11.3) and Oslo with the sample's own BDI weights: (L·ΣBDI − O·BDI_Oslo) / ΣBDI u/Oslo.
    landet = fig.published(table, "EAK", 2025, "dispfond_pct").value
    assert landet == 11.3  # SSB 12134, Landet 2025
    oslo = fig.unit_figure(table, "0301", 2025, "dispfond_pct").value  # SSB 12134, real
    oslo_bdi = fig.shares(table, "ndr_pct", 2025, ["0301"])["bdi"].sum()  # SSB 13561
    bdi = fig.shares(table, "ndr_pct", 2025, without_oslo(register))["bdi"].sum()
    target = (landet * (bdi + oslo_bdi) - oslo * oslo_bdi) / bdi
    total = fig.weighted(table, without_oslo(register), 2025, "dispfond_pct")
    assert total.value == pytest.approx(target, abs=0.05)


def test_one_in_three_municipalities_has_a_deficit_in_2025(table, register) -> None:
    deficits = fig.deficits(table, fig.municipalities(register), 2025)
    assert (deficits.count, deficits.reported, deficits.total) == (119, 357, 357)  # 357 / 3
    assert deficits.share == pytest.approx(100 / 3, abs=1)  # «hver tredje kommune»


@pytest.mark.parametrize(("year", "share"), [(2024, "12"), (2025, "15")])  # KS 6.3.2026
def test_the_share_that_emptied_its_disposisjonsfond(table, register, year: int,
                                                      share: str) -> None:
    for units in (fig.municipalities(register), without_oslo(register)):
        emptied = fig.emptied_reserves(table, units, year)
        assert number(emptied.share, 0) == share


def test_ndr_spread_is_realistic(table) -> None:
    ndr = table[(table["measure"] == "ndr_pct") & table["unit"].str.fullmatch(r"\d{4}")]
    assert ndr["value"].between(-8, 12).all()  # issue 2: roughly −8 … +12 %
    assert ndr["value"].std() > 1.5  # not all alike


def test_bdi_per_inhabitant_is_plausible(table, register) -> None:
    bdi = table[(table["measure"] == "bdi") & (table["year"] == 2024)].set_index("unit")["value"]
    per_inhabitant = {m.number: bdi[m.number] * 1000 / m.population
                      for m in register.municipalities}
    assert all(70_000 < v < 300_000 for v in per_inhabitant.values())
    # Small municipalities spend more per inhabitant than large ones.
    utsira, bergen = per_inhabitant["1151"], per_inhabitant["4601"]
    assert utsira > 1.5 * bergen


def test_real_municipal_figures_are_kept(table) -> None:
    labels = {
        "Netto driftsresultat i % av brutto driftsinntekter (%)": "ndr_pct",
        "Fri egenkapital drift i % av br. driftsinnt. (%)": "dispfond_pct",
        "Frie inntekter per innbygger (kr)": "frie_inntekter_innb",
        "Brutto investeringsutgifter i % av br. driftsinnt. (%)": "invest_pct",
    }
    with (FACTS / "kostra_12134_utvalgte_regioner_2020-2025.csv").open(encoding="utf-8") as f:
        facts = [r for r in csv.DictReader(f)
                 if r["region"] in REAL_MUNICIPALITIES and r["indikator"] in labels]
    assert len(facts) == 4 * 6 + 4 * 4 * 2  # Oslo 2020–2025, the other four 2024–2025
    for r in facts:
        unit, measure = REAL_MUNICIPALITIES[r["region"]], labels[r["indikator"]]
        rows = table[(table["unit"] == unit) & (table["year"] == int(r["aar"]))
                     & (table["measure"] == measure)]
        assert len(rows) == 1, (unit, r["aar"], measure)
        row = rows.iloc[0]
        assert (row["value"], row["source"], row["synthetic"]) == (
            float(r["verdi"]), "SSB 12134", False), (unit, r["aar"], measure)


def test_a_real_municipal_figure_reads_as_real(table) -> None:
    oslo = fig.unit_figure(table, "0301", 2024, "ndr_pct")
    assert oslo.value == -0.9  # SSB 12134, Oslo 2024
    assert not oslo.synthetic


def test_the_sample_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_dataset.py"),
                    "--out", str(tmp_path)], check=True, cwd=ROOT)
    for name in ("dataset.csv", "dataset.json"):
        assert (tmp_path / name).read_bytes() == (PACKAGE_DATA / name).read_bytes(), name


# -- Aggregates on a small constructed table ---------------------------------------------------

def test_weighted_is_a_ratio_of_sums_not_a_mean_of_percentages() -> None:
    table = tidy(
        ("3901", 2025, "bdi", 1_000), ("3901", 2025, "ndr_pct", 10.0),
        ("3903", 2025, "bdi", 9_000), ("3903", 2025, "ndr_pct", 0.0),
    )
    total = fig.weighted(table, ["3901", "3903"], 2025)
    assert total.value == pytest.approx(1.0)  # (100 + 0) / 10 000 · 100
    assert total.value != pytest.approx((10.0 + 0.0) / 2)  # the plain mean would say 5,0


def test_a_percentage_is_derived_from_amounts_when_ssb_gave_none() -> None:
    table = tidy(("3901", 2025, "bdi", 2_000), ("3901", 2025, "ndr", 50))
    assert fig.unit_figure(table, "3901", 2025, "ndr_pct").value == pytest.approx(2.5)


def test_missing_values_are_named_never_read_as_zero() -> None:
    table = tidy(
        ("3901", 2025, "bdi", 1_000), ("3901", 2025, "ndr_pct", 4.0),
        ("3903", 2025, "bdi", 1_000), ("3903", 2025, "ndr_pct", None),
    )
    total = fig.weighted(table, ["3901", "3903", "3905"], 2025)
    assert total.value == pytest.approx(4.0)  # not (4 + 0) / 2
    assert (total.n, total.total, total.missing) == (1, 3, ("3903", "3905"))


def test_no_figure_at_all_is_unknown_not_zero() -> None:
    table = tidy(("3901", 2025, "ndr_pct", None))
    total = fig.weighted(table, ["3901"], 2025)
    assert total.value is None
    assert not total.known
    assert total.note == "ingen tall"


def test_a_percentage_without_bdi_cannot_be_weighted() -> None:
    table = tidy(("3901", 2025, "ndr_pct", 4.0))
    total = fig.weighted(table, ["3901"], 2025)
    assert not total.known
    assert total.note == "kan ikke vektes uten brutto driftsinntekter"


def test_counts_say_n_of_those_that_reported_and_name_the_missing() -> None:
    table = tidy(
        ("3901", 2025, "ndr_pct", -0.5), ("3903", 2025, "ndr_pct", 0.0),
        ("3905", 2025, "ndr_pct", 3.0), ("3907", 2025, "ndr_pct", None),
    )
    deficits = fig.deficits(table, ["3901", "3903", "3905", "3907"], 2025)
    assert (deficits.count, deficits.reported, deficits.total) == (1, 3, 4)  # 0,0 is no deficit
    assert deficits.units == ("3901",)
    assert deficits.missing == ("3907",)
    assert deficits.share == pytest.approx(100 / 3)


def test_an_emptied_reserve_is_zero_or_less() -> None:
    table = tidy(("3901", 2025, "dispfond_pct", 0.0), ("3903", 2025, "dispfond_pct", -1.0),
                 ("3905", 2025, "dispfond_pct", 0.1))
    emptied = fig.emptied_reserves(table, ["3901", "3903", "3905"], 2025)
    assert emptied.units == ("3901", "3903")


def test_change_is_in_percentage_points() -> None:
    table = tidy(("EAFKUO", 2024, "ndr_pct", 2.7), ("EAFKUO", 2025, "ndr_pct", 4.3))
    now = fig.published(table, "EAFKUO", 2025, "ndr_pct")
    before = fig.published(table, "EAFKUO", 2024, "ndr_pct")
    change = fig.change(now, before)
    assert change.value == pytest.approx(1.6)  # 4,3 − 2,7 (KS 6.3.2026)
    assert change.method == fig.METHOD_CHANGE


def test_change_against_an_unknown_year_is_unknown() -> None:
    table = tidy(("EAFKUO", 2025, "ndr_pct", 4.3))
    now = fig.published(table, "EAFKUO", 2025, "ndr_pct")
    before = fig.weighted(table, ["39"], 2024)
    assert fig.change(now, before).value is None


def test_published_prefers_ssbs_own_aggregate(table, register) -> None:
    assert fig.national(table, register, 2024).value == -0.3  # SSB 12134, Landet u/Oslo 2024
    assert fig.national(table, register, 2024, with_oslo=True).value == -0.4  # Landet
    assert fig.published(table, "EAKUO", 2025, "dispfond_pct") is None  # «..» on 16.03.2026


@pytest.mark.parametrize(("kind", "year", "value"), [
    ("kommuner", 2025, 1.75),  # TBU
    ("fylkeskommuner", 2025, 4.0),  # TBU
    ("sektoren", 2014, 2.0),  # TBU, from 2014
    ("sektoren", 2013, 3.0),  # TBU, before 2014
])
def test_tbu_norms(kind: str, year: int, value: float) -> None:
    assert norms.norm(kind, year).value == value


def test_the_county_authorities_lay_above_their_norm(table, register) -> None:
    total = fig.county_authorities_total(table, register, 2025)
    assert total.value - norms.norm("fylkeskommuner", 2025).value == pytest.approx(
        0.29, abs=0.005)  # 4,29 − 4


def test_ranking_shares_ranks_on_ties_and_skips_the_missing() -> None:
    table = tidy(("3901", 2025, "ndr_pct", 3.8), ("3903", 2025, "ndr_pct", 3.8),
                 ("3905", 2025, "ndr_pct", 12.0), ("3907", 2025, "ndr_pct", -1.9),
                 ("3909", 2025, "ndr_pct", None))
    ranks = fig.ranking(table, ["3901", "3903", "3905", "3907", "3909"], 2025)
    assert ranks == {"3905": 1, "3901": 2, "3903": 2, "3907": 4}


def test_unit_rows_put_the_best_first_and_the_missing_last(register) -> None:
    table = tidy(("3901", 2025, "ndr_pct", 3.8), ("3903", 2025, "ndr_pct", 3.8),
                 ("3905", 2025, "ndr_pct", 12.0), ("3909", 2025, "ndr_pct", None))
    rows = fig.unit_rows(table, register, ["3901", "3903", "3905", "3909"], 2025)
    assert [(r.name, r.rank) for r in rows] == [
        ("Tønsberg", 1), ("Holmestrand", 2), ("Horten", 2), ("Larvik", None)]


def test_robek_members_in_a_set(register) -> None:
    buskerud = [m.number for m in register.in_county("33")]
    members = fig.robek_members(register, buskerud)
    assert {"3322", "3334"} <= set(members)  # Nesbyen, Flesberg (ROBEK 20.04.2026)
    assert fig.robek_members(register, [m.number for m in register.in_county("39")]) == []


# -- The index the figures are read from -------------------------------------------------------

def scoped(*rows: tuple) -> pd.DataFrame:
    """Like ``tidy``, with (unit, year, measure, value, scope, source) rows."""
    raw = pd.DataFrame(
        [[u, str(y), m, str(v), "", scope, source, "test", "false"]
         for u, y, m, v, scope, source in rows], columns=COLUMNS, dtype=str)
    return validate(raw, "test")


def test_the_index_is_built_once_per_table_and_reused(table) -> None:
    assert fig.index(table) is fig.index(table)
    other = tidy(("3901", 2025, "ndr_pct", 1.0))
    assert fig.index(other) is not fig.index(table)


def test_the_index_holds_known_values_only() -> None:
    table = tidy(("3901", 2025, "ndr_pct", 4.0), ("3903", 2025, "ndr_pct", None))
    assert list(fig.index(table).cell("ndr_pct", 2025)) == ["3901"]
    assert fig.index(table).cell("ndr_pct", 2024) == {}


def test_a_unit_with_two_rows_takes_the_first_value_and_both_provenances() -> None:
    table = scoped(("3901", 2025, "ndr_pct", 4.0, "konsern", "SSB 12134"),
                   ("3901", 2025, "ndr_pct", 9.0, "kasse", "KS-undersøkelse"))
    figure = fig.unit_figure(table, "3901", 2025, "ndr_pct")
    assert figure.value == 4.0  # the first row, as drop_duplicates("unit") kept it
    assert figure.scope == "kasse/konsern"
    assert figure.sources == ("KS-undersøkelse", "SSB 12134")


def test_the_index_cache_stays_small_however_many_tables_pass() -> None:
    # A batch worker meets each member's own table once; the cache must not keep them all.
    for n in range(3 * lookup.KEPT):
        fig.unit_figure(tidy(("3901", 2025, "ndr_pct", float(n))), "3901", 2025, "ndr_pct")
    assert lookup.indexes_kept() == lookup.KEPT


def test_a_new_table_is_never_read_through_a_dead_tables_index() -> None:
    for n in range(20):  # ids of dead tables are reused by CPython; the value must follow
        table = tidy(("3901", 2025, "ndr_pct", float(n)))
        assert fig.unit_figure(table, "3901", 2025, "ndr_pct").value == float(n)
        del table


def test_figures_on_a_years_or_a_units_rows_equal_those_on_the_whole_table(
        table, register) -> None:
    # What lets a batch hand each report only the rows it needs, or the whole table.
    vestfold = [m.number for m in register.in_county("39")]
    year_rows = table[table["year"].isin([2024, 2025])]
    assert fig.weighted(year_rows, vestfold, 2025) == fig.weighted(table, vestfold, 2025)
    assert fig.ranking(year_rows, vestfold, 2025) == fig.ranking(table, vestfold, 2025)
    unit_rows = table[table["unit"] == "3903"]
    assert fig.unit_figure(unit_rows, "3903", 2025, "dispfond_pct") == fig.unit_figure(
        table, "3903", 2025, "dispfond_pct")


def test_shares_come_in_table_order_then_the_derived() -> None:
    table = tidy(("3905", 2025, "ndr_pct", 1.0), ("3905", 2025, "bdi", 100),
                 ("3903", 2025, "ndr", 30), ("3903", 2025, "bdi", 1_000),
                 ("3901", 2025, "ndr", 20), ("3901", 2025, "bdi", 1_000))
    s = fig.shares(table, "ndr_pct", 2025, ["3901", "3903", "3905"])
    assert list(s.index) == ["3905", "3901", "3903"]
    assert s.index.name == "unit"
    assert s["pct"].tolist() == [1.0, 2.0, 3.0]  # 20 / 1000 · 100, 30 / 1000 · 100
    assert s["bdi"].tolist() == [100.0, 1000.0, 1000.0]


def test_no_national_figure_is_made_of_a_files_own_units(register) -> None:
    # Two municipalities with figures, no SSB aggregate: not «landet uten Oslo».
    table = tidy(("4601", 2025, "ndr_pct", 2.1), ("4601", 2025, "bdi", 26105600),
                 ("4602", 2025, "ndr_pct", 2.0), ("4602", 2025, "bdi", 1489100))
    assert not fig.national(table, register, 2025).known
    published = tidy(("EAKUO", 2025, "ndr_pct", 2.1), ("4601", 2025, "ndr_pct", 9.9))
    assert fig.national(published, register, 2025).value == 2.1  # SSB's own, always
