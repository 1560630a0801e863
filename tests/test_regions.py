"""The region register: 15 counties and 357 municipalities from 2024, found by any spelling."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from kommunerapport.errors import RegionError, UsageError
from kommunerapport.model.regions import find_county, find_municipality, language_for

SOURCES = Path(__file__).resolve().parent.parent / "sources" / "facts"


# -- Counties ---------------------------------------------------------------------------------

# Every county by its official name (Klass 104), a folded form a user types, and its
# number; Sami and Kven names where the county has them.
COUNTY_SPELLINGS = [
    ("03", ["Oslo", "OSLO", "03", "3"]),
    ("11", ["Rogaland", "rogaland", "11", "Rogaland fylke"]),
    ("15", ["Møre og Romsdal", "more og romsdal", "15", "Møre og Romsdal fylkeskommune"]),
    ("18", ["Nordland - Nordlánnda", "Nordland", "Nordlánnda", "nordlannda", "18"]),
    ("31", ["Østfold", "ostfold", "31", "Oestfold"]),
    ("32", ["Akershus", "akershus", "32"]),
    ("33", ["Buskerud", "BUSKERUD", "33"]),
    ("34", ["Innlandet", "innlandet", "34"]),
    ("39", ["Vestfold", "vestfold", "39", " Vestfold "]),
    ("40", ["Telemark", "telemark", "40"]),
    ("42", ["Agder", "agder", "42"]),
    ("46", ["Vestland", "vestland", "46", "Vestland fylkeskommune"]),
    ("50", ["Trøndelag - Trööndelage", "Trøndelag", "TRONDELAG", "Trööndelage", "50"]),
    ("55", ["Troms - Romsa - Tromssa", "Troms", "Romsa", "Tromssa", "troms", "55"]),
    ("56", ["Finnmark - Finnmárku - Finmarkku", "Finnmark", "Finnmárku", "finnmarku",
            "Finmarkku", "56"]),
]


@pytest.mark.parametrize(
    ("spelling", "number"),
    [(s, number) for number, spellings in COUNTY_SPELLINGS for s in spellings],
)
def test_every_county_is_found_by_each_of_its_spellings(spelling: str, number: str) -> None:
    assert find_county(spelling).number == number


def test_the_spelling_table_covers_all_15_counties(register) -> None:
    assert {n for n, _ in COUNTY_SPELLINGS} == {c.number for c in register.counties}
    assert all(len(spellings) >= 3 for _, spellings in COUNTY_SPELLINGS)


def test_an_unknown_county_suggests_the_nearest_name() -> None:
    with pytest.raises(RegionError) as caught:
        find_county("Vestfol")
    assert caught.value.format_message() == "Ukjent fylke «Vestfol». Mente du: Vestfold?"
    assert caught.value.exit_code == 2  # a usage error, not a data error


@pytest.mark.parametrize(("typed", "suggested"), [
    ("Østfol", "Østfold"),
    ("Trøndelg", "Trøndelag"),
    ("Rogland", "Rogaland"),
])
def test_misspelt_counties_suggest_the_right_one(typed: str, suggested: str) -> None:
    with pytest.raises(RegionError, match=f"Mente du: {suggested}\\?$"):
        find_county(typed)


def test_a_name_like_nothing_gets_no_suggestion() -> None:
    with pytest.raises(RegionError) as caught:
        find_county("xyz")
    assert caught.value.format_message() == "Ukjent fylke «xyz»."


def test_todays_counties_serve_the_years_before_2024_counted_back() -> None:
    # Vestfold (39) was part of 38 Vestfold og Telemark 2020–2023; its 2023 report is made
    # of its present municipalities' figures, carried to today's codes.
    assert find_county("Vestfold", year=2023).number == "39"
    assert find_county("Romsa", year=2022).number == "55"
    assert find_county("Oslo", year=2019).number == "03"


@pytest.mark.parametrize(("query", "year", "message"), [
    ("Vestfold og Telemark", 2023,
     "Vestfold og Telemark (38) fantes fra 2020 til 2023; i 2024 ble fylket delt i Vestfold "
     "(39) og Telemark (40). Rapportene gjelder dagens fylker, også for årene før (tallene "
     "regnes fra dagens kommuner); bruk --county «Vestfold» --year 2023 eller --county "
     "«Telemark» --year 2023."),
    ("viken", None,
     "Viken (30) fantes fra 2020 til 2023; i 2024 ble fylket delt i Østfold (31), Akershus "
     "(32) og Buskerud (33). Rapportene gjelder dagens fylker, også for årene før (tallene "
     "regnes fra dagens kommuner); bruk --county «Østfold» eller --county «Akershus» eller "
     "--county «Buskerud»."),
    ("Hordaland", 2019,
     "Hordaland (12) fantes til 2019; fra 2020 er det en del av Vestland (46). Rapportene "
     "gjelder dagens fylker, også for årene før (tallene regnes fra dagens kommuner); bruk "
     "--county «Vestland» --year 2019."),
])
def test_an_old_county_by_its_old_name_says_what_it_became(
        query: str, year: int | None, message: str) -> None:
    # Klass 104 changes: 30 → 31/32/33, 38 → 39/40 (1.1.2024); 12 + 14 → 46 (1.1.2020).
    with pytest.raises(RegionError) as caught:
        find_county(query, year=year)
    assert caught.value.format_message() == message


def test_counties_that_existed_are_found_for_earlier_years() -> None:
    assert find_county("Vestland", year=2020).number == "46"
    assert find_county("Vestfold", year=2024).number == "39"


def test_region_errors_are_usage_errors() -> None:
    assert issubclass(RegionError, UsageError)


# -- The register as a whole -----------------------------------------------------------------

def test_the_register_holds_357_municipalities_in_15_counties(register) -> None:
    assert len(register.municipalities) == 357  # Klass 131, 1.1.2024
    assert len(register.counties) == 15  # Klass 104, 1.1.2024
    assert {m.county for m in register.municipalities} == {c.number for c in register.counties}


def test_the_population_sums_to_the_national_total(register) -> None:
    assert sum(m.population for m in register.municipalities) == 5_550_203  # SSB 1.1.2024


@pytest.mark.parametrize(("county", "municipalities"), [
    ("03", 1),  # Oslo is one municipality
    ("39", 6),  # Horten, Holmestrand, Tønsberg, Sandefjord, Larvik, Færder
    ("46", 43),  # Vestland
    ("34", 46),  # Innlandet, the most
])
def test_municipalities_per_county(register, county: str, municipalities: int) -> None:
    assert len(register.in_county(county)) == municipalities  # Klass 131


def test_vestfold_holds_its_six_municipalities(register) -> None:
    assert [m.short_name for m in register.in_county("39")] == [
        "Horten", "Holmestrand", "Tønsberg", "Sandefjord", "Larvik", "Færder"]


def test_the_register_agrees_with_the_source_file(register) -> None:
    with (SOURCES / "kommuner_2024.csv").open(encoding="utf-8") as f:
        source = {r["kommunenummer"]: r for r in csv.DictReader(f)}
    assert set(source) == {m.number for m in register.municipalities}
    for m in register.municipalities:
        row = source[m.number]
        assert (m.county, m.population, m.written_form) == (
            row["fylkesnummer"], int(row["folkemengde_2024-01-01"]), row["malform"]), m.number


def test_written_forms_choose_the_report_language(register) -> None:
    assert register.county("46").written_form == "Nynorsk"  # Vestland fylkeskommune
    assert register.county("46").lang == "nn"
    assert language_for("Nøytral") == "nb"  # neutral reads bokmål
    assert language_for("Bokmål") == "nb"
    assert find_municipality("Bergen").lang == "nb"  # Bergen: Nøytral (kommuner_2024.csv)


def test_robek_holds_27_municipalities_with_their_grounds(register) -> None:
    source = json.loads((SOURCES / "robek_2026-04-20.json").read_text("utf-8"))
    assert len(register.robek) == 27  # ROBEK 20.04.2026
    assert {r.number for r in register.robek} == {k["kommunenummer"] for k in source["kommuner"]}
    assert register.is_robek("3322")  # Nesbyen
    assert register.robek_entry("3322").grounds == "c og d"  # kommuneloven § 28-1 c og d
    assert not register.is_robek("3901")  # Horten


# -- Municipalities --------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "number"), [
    ("Bergen", "4601"),
    ("4601", "4601"),
    ("oslo", "0301"),
    ("Oslove", "0301"),  # «Oslo - Oslove»
    ("301", "0301"),
    ("Kautokeino", "5612"),  # «Guovdageaidnu - Kautokeino»
    ("Guovdageaidnu", "5612"),
    ("guovdageaidnu - kautokeino", "5612"),
    ("Trondheim", "5001"),  # «Trondheim - Tråante»
    ("Tråante", "5001"),
    ("traante", "5001"),
    ("Karasjok", "5610"),  # «Kárášjohka - Karasjok»
    ("Karasjohka", "5610"),
    ("Porsanki", "5622"),  # «Porsanger - Porsángu - Porsanki», Kven
    ("Tromso", "5501"),
    ("Færder kommune", "3911"),
    ("Herøy (Nordland)", "1818"),
])
def test_municipalities_are_found_by_any_official_form(typed: str, number: str) -> None:
    assert find_municipality(typed).number == number


@pytest.mark.parametrize(("typed", "listed"), [
    ("Herøy", "1515 Herøy (Møre og Romsdal), 1818 Herøy (Nordland)"),
    ("våler", "3114 Våler (Østfold), 3419 Våler (Innlandet)"),
])
def test_an_ambiguous_municipality_name_lists_the_candidates(typed: str, listed: str) -> None:
    with pytest.raises(RegionError) as caught:
        find_municipality(typed)
    assert caught.value.format_message() == (
        f"«{typed}» passer på flere kommuner: {listed}. Bruk kommunenummeret.")


def test_an_unknown_municipality_suggests_the_nearest_name() -> None:
    with pytest.raises(RegionError) as caught:
        find_municipality("Bergn")
    assert caught.value.format_message() == "Ukjent kommune «Bergn». Mente du: Bergen?"


def test_bilingual_names_keep_their_official_order(register) -> None:
    assert register.municipality("5612").name == "Guovdageaidnu - Kautokeino"  # Klass 131
    # The short form is the name readers know, decided once in the register (issue 18).
    assert register.municipality("5612").short_name == "Kautokeino"
    assert register.municipality("5025").short_name == "Røros"
    assert register.municipality("0301").name == "Oslo - Oslove"


def test_the_register_is_what_its_script_writes(tmp_path, monkeypatch) -> None:
    """``scripts/build_register.py`` writes the shipped register byte for byte, short names
    (``SHORT_NAMES``) included."""
    import importlib.util
    from importlib import resources

    script = Path(__file__).parent.parent / "scripts" / "build_register.py"
    spec = importlib.util.spec_from_file_location("build_register", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "OUT", tmp_path)
    module.build()
    shipped = resources.files("kommunerapport").joinpath("data")
    for name in ("kommuner.csv", "fylker.csv", "robek.csv"):
        assert (tmp_path / name).read_bytes() == shipped.joinpath(name).read_bytes(), name


def test_every_short_name_is_one_of_the_official_names(register) -> None:
    for m in register.municipalities:
        parts = [p.split(" (")[0] for p in m.name.split(" - ")]
        assert m.short_name in parts, (m.number, m.name, m.short_name)
