"""The tidy data model: the built-in dataset, and one clear line for every bad file."""

from __future__ import annotations

from pathlib import Path

import files
import pytest

from kommunerapport.cli import main
from kommunerapport.errors import DataError, UsageError
from kommunerapport.model.schema import COLUMNS, MEASURES, resolve_year
from kommunerapport.sources.loading import load_dataset
from kommunerapport.sources.tidycsv import read_table

HEADER = ",".join(COLUMNS)
HORTEN = "3901,2025,ndr_pct,3.8,,konsern,SSB 12134,foreløpige tall 16.03.2026,false"
HOLMESTRAND = "3903,2025,ndr_pct,1.2,,konsern,SSB 12134,foreløpige tall 16.03.2026,false"


def write(tmp_path: Path, text: str | bytes, name: str = "tall.csv") -> Path:
    return files.write(tmp_path, name, text)


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


# -- The built-in dataset ---------------------------------------------------------------------

def test_the_builtin_dataset_loads_and_validates(dataset) -> None:
    assert list(dataset.table.columns) == COLUMNS
    assert dataset.years == [2020, 2021, 2022, 2023, 2024, 2025]
    assert set(dataset.table["measure"]) <= set(MEASURES)
    assert set(dataset.table["scope"]) == {"konsern"}  # SSB's KOSTRA default


def test_the_shipped_dataset_is_what_the_script_builds(tmp_path: Path) -> None:
    # scripts/make_dataset.py is the source of data/dataset.csv and dataset.json: a change
    # to either by hand, or to the script without rebuilding, fails here
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, str(root / "scripts" / "make_dataset.py"), "--out",
                    str(tmp_path)], check=True, cwd=root, capture_output=True)
    shipped = root / "src" / "kommunerapport" / "data"
    for name in ("dataset.csv", "dataset.json"):
        assert (tmp_path / name).read_bytes() == (shipped / name).read_bytes(), name


def test_every_synthetic_row_is_marked_and_the_metadata_says_so(dataset) -> None:
    table = dataset.table
    sample = table[table["source"].str.startswith("Eksempeldata")]
    assert sample["synthetic"].all()
    assert not table.loc[table["source"].str.startswith("SSB"), "synthetic"].any()
    assert len(sample) + (~table["synthetic"]).sum() == len(table)  # nothing unmarked
    assert dataset.has_synthetic
    assert dataset.meta["synthetic"] is True
    assert "eksempeldata – ikke offisielle tall" in dataset.meta["synthetic_note"]
    assert dataset.meta["generated_by"] == "scripts/make_dataset.py"


def test_every_real_row_names_its_ssb_table_and_release(dataset) -> None:
    real = dataset.table[~dataset.table["synthetic"]]
    assert set(real["source"]) == {"SSB 12134", "SSB 13561"}
    assert real["release"].str.len().gt(0).all()
    assert "foreløpige tall 16.03.2026" in set(real.loc[real["year"] == 2025, "release"])


def test_missing_values_carry_ssbs_status_symbol(dataset) -> None:
    missing = dataset.table[dataset.table["value"].isna()]
    # SSB did not publish «landet uten Oslo» on 16.03.2026 (12134), except NDR later.
    assert set(missing["unit"]) == {"EAKUO"}
    assert set(missing["year"]) == {2025}
    assert set(missing["status"]) == {".."}


def test_a_users_file_is_read_as_it_is(tmp_path: Path) -> None:
    table = read_table(write(tmp_path, csv_text(HORTEN, HOLMESTRAND)))
    assert table["unit"].tolist() == ["3901", "3903"]
    assert table["value"].tolist() == [3.8, 1.2]
    assert table["year"].tolist() == [2025, 2025]
    assert not table["synthetic"].any()


def test_a_users_file_is_completed_with_real_figures_never_the_sample(tmp_path: Path) -> None:
    data = load_dataset(write(tmp_path, csv_text(HORTEN, HOLMESTRAND)))
    assert data.path.endswith("tall.csv")
    assert not data.has_synthetic  # the built-in sample never fills a user's gaps
    mine = data.table[data.table["unit"].str.fullmatch(r"39\d\d")]
    assert mine["value"].tolist() == [3.8, 1.2]  # the user's own figures, nothing added


def test_a_missing_value_with_a_status_symbol_is_kept_as_missing(tmp_path: Path) -> None:
    row = "3903,2025,ndr_pct,,..,konsern,SSB 12134,foreløpige tall 16.03.2026,false"
    table = read_table(write(tmp_path, csv_text(HORTEN, row)))
    assert len(table) == 2  # nothing dropped
    assert table["value"].isna().tolist() == [False, True]  # missing, not zero


def test_a_percentage_only_survey_gets_no_borrowed_weight(tmp_path: Path, register) -> None:
    from kommunerapport import figures

    survey = write(tmp_path, "kommunenummer;år;netto driftsresultat (% av BDI);"
                             "disposisjonsfond (% av BDI)\n"
                             "0301;2025;-0,6;5,0\n4601;2025;2,1;6,3\n4602;2025;-1,0;0,0\n",
                   name="pst.csv")
    data = load_dataset(survey)
    t = data.table
    municipal = t[t["unit"].str.fullmatch(r"\d{4}")]
    assert set(municipal["scope"]) == {"kasse"}  # no konsern row mixed in (Oslo's BDI, 13561)
    assert set(municipal["measure"]) == {"ndr_pct", "dispfond_pct"}
    for county in ("03", "46"):
        units = [m.number for m in register.in_county(county)]
        ndr = figures.weighted(t, units, 2025)
        assert ndr.value is None and ndr.note == "kan ikke vektes uten brutto driftsinntekter"
    # Counts still work; county authorities and national figures still come in.
    assert figures.deficits(t, ["0301", "4601", "4602"], 2025).count == 2
    assert {"46", "EAK"} <= set(t["unit"])


# -- Bad files: one line each, naming file, line and column ------------------------------------

BAD_FILES = {
    "duplicate row": (
        csv_text(HORTEN, HOLMESTRAND, HORTEN),
        ", linje 4: dobbel rad for 3901 2025 ndr_pct konsern (samme som linje 2).",
    ),
    "unknown unit code": (
        csv_text(HORTEN, "9998,2025,ndr_pct,1.0,,konsern,SSB 12134,x,false"),
        ", linje 3, kolonne «unit»: ukjent enhetskode «9998».",
    ),
    "text in a number column": (
        csv_text(HORTEN, "3903,2025,ndr_pct,ca. 2,,konsern,SSB 12134,x,false"),
        ", linje 3, kolonne «value»: «ca. 2» er ikke et tall.",
    ),
    "decimal comma": (
        csv_text('3903,2025,ndr_pct,"1,2",,konsern,SSB 12134,x,false'),
        ", linje 2, kolonne «value»: «1,2» er ikke et tall.",
    ),
    "missing column": (
        csv_text("3901,2025,ndr_pct,3.8,,SSB 12134,x,false",
                 header="unit,year,measure,value,status,source,release,synthetic"),
        ": mangler kolonnen «scope».",
    ),
    "empty file": ("", ": fila er tom."),
    "header only": (csv_text(), ": fila har ingen datarader."),
    "missing value without status": (
        csv_text(HORTEN, "3903,2025,ndr_pct,,,konsern,SSB 12134,x,false"),
        ", linje 3, kolonne «value»: verdien mangler uten statussymbol (.., : eller .).",
    ),
    "unknown measure": (
        csv_text("3903,2025,netto,1.0,,konsern,SSB 12134,x,false"),
        ", linje 2, kolonne «measure»: ukjent mål «netto».",
    ),
    "bad year": (
        csv_text("3903,25,ndr_pct,1.0,,konsern,SSB 12134,x,false"),
        ", linje 2, kolonne «year»: «25» er ikke et årstall.",
    ),
    "bad scope": (
        csv_text("3903,2025,ndr_pct,1.0,,kommune,SSB 12134,x,false"),
        ", linje 2, kolonne «scope»: «kommune» er verken konsern eller kasse.",
    ),
    "too many fields": (
        csv_text(HORTEN, "3903,2025,ndr_pct,1,2,,konsern,SSB 12134,x,false"),
        ", linje 3: 10 felt, men overskriften har 9.",
    ),
    "wrong encoding (latin-1)": (  # «ø» in «foreløpige» is the first non-UTF-8 byte
        csv_text(HORTEN, "3903,2025,ndr_pct,1.2,,konsern,Bjørn,x,false").encode("latin-1"),
        ", linje 2, kolonne «release»: teksten er ikke UTF-8 (kanskje Latin-1 eller "
        "Windows-1252); lagre fila som UTF-8.",
    ),
}


@pytest.mark.parametrize("content,expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_gives_one_line_naming_file_line_and_column(
        tmp_path: Path, content: str | bytes, expected: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(DataError) as caught:
        read_table(path)
    message = caught.value.format_message()
    assert message == f"{path}{expected}"
    assert "\n" not in message
    assert caught.value.exit_code == 1


def test_the_first_duplicate_is_paired_with_its_own_twin(tmp_path: Path) -> None:
    bdi = "3901,2025,bdi,1000,,konsern,SSB 12134,x,false"
    path = write(tmp_path, csv_text(bdi, HORTEN, HOLMESTRAND, HOLMESTRAND, HORTEN))
    with pytest.raises(DataError, match=r"linje 5: dobbel rad for 3903 .*samme som linje 4"):
        read_table(path)


def test_a_file_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"finnes\.csv: fila finnes ikke\.$"):
        read_table(tmp_path / "finnes.csv")


@pytest.mark.parametrize("name", BAD_FILES)
def test_the_cli_reports_a_bad_data_file_without_a_traceback(
        tmp_path: Path, runner, name: str) -> None:
    content, expected = BAD_FILES[name]
    path = write(tmp_path, content)
    result = runner.invoke(main, ["figures", "--sector", "--data", str(path)])
    assert result.exit_code == 1
    assert result.stderr == f"Feil: {path}{expected}\n"
    assert result.stdout == ""
    assert isinstance(result.exception, SystemExit)  # Click's clean exit, not a crash


# -- Years -------------------------------------------------------------------------------------

def test_the_latest_year_is_the_default(dataset) -> None:
    assert resolve_year(dataset, None) == 2025


def test_a_year_not_in_the_data_lists_the_years(dataset) -> None:
    with pytest.raises(UsageError) as caught:
        resolve_year(dataset, 2019)
    assert caught.value.format_message() == (
        "Ingen tall for 2019 i innebygde data. Årene i dataene er "
        "2020, 2021, 2022, 2023, 2024, 2025.")
    assert caught.value.exit_code == 2


# -- Plausible figures (issue 10; bounds and reasons in docs/limits.md) -----------------------

@pytest.mark.parametrize(("measure", "value", "why"), [
    ("bdi", 0.0, "må være over 0 (1000 kr)"),  # the weight of every aggregate
    ("bdi", -1000.0, "må være over 0 (1000 kr)"),
    ("bdi", 2e10, "tillatt er over 0 og høyst 10 000 000 000 (1000 kr)"),
    ("ndr_pct", 100.5, "tillatt er −100 til 100 (%)"),
    ("ndr_pct", -100.5, "tillatt er −100 til 100 (%)"),
    ("dispfond_pct", 1000.1, "tillatt er −100 til 1 000 (%)"),
    ("frie_inntekter_innb", 0.0, "må være over 0 (kr)"),
    ("folkemengde", -1.0, "må være 0 eller mer (personer)"),
])
def test_implausible_values_say_why(measure: str, value: float, why: str) -> None:
    from kommunerapport.model.schema import implausible

    assert implausible(measure, value) == why


@pytest.mark.parametrize(("measure", "value"), [
    ("bdi", 0.001), ("bdi", 1e10), ("ndr_pct", -100.0), ("ndr_pct", 100.0), ("ndr", -5e5),
    ("dispfond_pct", 0.0), ("gjeld_pct", 350.0), ("folkemengde", 0.0), ("bdi", None),
    ("ndr_pct", float("nan")),  # missing, not implausible
])
def test_plausible_values_pass(measure: str, value: float | None) -> None:
    from kommunerapport.model.schema import implausible

    assert implausible(measure, value) is None


def test_the_years_follow_the_register() -> None:
    from kommunerapport.model.schema import FIRST_DATA_YEAR, LAST_DATA_YEAR, year_problem

    # Klass 131 valid 1.1.2026 (regions.REGISTER_VALID); KOSTRA for all from 2001
    assert (FIRST_DATA_YEAR, LAST_DATA_YEAR) == (2001, 2026)
    assert year_problem(2026) is None and year_problem(2001) is None
    assert year_problem(2099) == "2099 er utenfor årene registeret kjenner (2001–2026)"


def test_every_builtin_figure_is_plausible(dataset) -> None:
    from kommunerapport.model.schema import implausible

    t = dataset.table
    assert not any(implausible(m, v) for m, v in zip(t["measure"], t["value"], strict=True))


@pytest.mark.parametrize("value", ["1" * 400, "1e400", "-" + "9" * 400])
def test_a_number_no_float_holds_is_too_large_not_inf(tmp_path: Path, value: str) -> None:
    f = write(tmp_path, csv_text(HORTEN.replace(",3.8,", f",{value},")))
    with pytest.raises(DataError, match="er for stort til å være et tall"):
        read_table(f)
