"""`--data FILE`: format detection, the three readers, and their one-line errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from kommunerapport import cli
from kommunerapport.errors import DataError
from kommunerapport.model import schema as data
from kommunerapport.sources import loading, readers, rows
from kommunerapport.sources.readers import survey

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures"
EXAMPLES = HERE.parent / "examples"
REAL_12134 = FIXTURES / "ssb" / "12134_v2_jsonstat2_3kommuner_2024.json"
ROWS = FIXTURES / "imports" / "statbank_12134_regioner_som_rader_latin1.csv"
COLUMNS = FIXTURES / "imports" / "statbank_12134_regioner_som_kolonner_utf8.csv"
SURVEY_CSV = EXAMPLES / "ks-undersokelse.csv"
SURVEY_XLSX = EXAMPLES / "ks-undersokelse.xlsx"


def values(dataset: data.Dataset, measure: str | None = None) -> dict:
    t = dataset.table
    if measure:
        t = t[t["measure"] == measure]
    return {(r.unit, r.year, r.measure): (None if r.status else r.value, r.status)
            for r in t.itertuples()}


@pytest.mark.parametrize(("path", "kind"), [
    (REAL_12134, "jsonstat2"), (ROWS, "statbank"), (COLUMNS, "statbank"),
    (SURVEY_CSV, "survey"), (SURVEY_XLSX, "survey"),
    (HERE.parent / "src" / "kommunerapport" / "data" / "dataset.csv", "tidy"),
])
def test_detect(path: Path, kind: str) -> None:
    assert readers.detect(path).__name__.rsplit(".", 1)[-1] == kind


# SSB 12134, frie inntekter per innbygger 2024 (kr), updated 16.03.2026
FRIE_2024 = {("0301", 2024, "frie_inntekter_innb"): (81240.0, ""),
             ("4601", 2024, "frie_inntekter_innb"): (66605.0, ""),
             ("5001", 2024, "frie_inntekter_innb"): (62853.0, "")}


def test_jsonstat_file() -> None:
    ds = readers.read(REAL_12134)
    assert values(ds) == FRIE_2024
    t = ds.table
    assert set(t["source"]) == {"SSB 12134"} and set(t["scope"]) == {"konsern"}
    assert set(t["release"]) == {"reviderte tall 16.03.2026"}
    assert any("landet uten Oslo" in n for n in ds.meta["notes"])


def test_statbank_rows_latin1_and_columns_utf8_give_the_same_values() -> None:
    rows, cols = readers.read(ROWS), readers.read(COLUMNS)
    assert values(rows, "frie_inntekter_innb") == values(cols) == FRIE_2024
    # SSB withheld «landet uten Oslo» on 16.03.2026: missing with its symbol.
    assert values(rows, "ndr_pct") == {("EAKUO", 2025, "ndr_pct"): (None, "..")}
    assert set(rows.table["source"]) == {"SSB 12134"}
    assert rows.meta["title"].startswith("12134: Utvalgte nøkkeltall")


def test_survey_csv_and_xlsx_give_the_same_values() -> None:
    csv_, xlsx = readers.read(SURVEY_CSV), readers.read(SURVEY_XLSX)
    assert values(csv_) == values(xlsx)
    v = values(csv_)
    assert v[("4601", 2025, "bdi")] == (26105600.0, "")
    assert v[("4601", 2025, "ndr_pct")] == (2.1, "")
    assert v[("4612", 2025, "ndr")] == (None, "..")
    assert set(csv_.table["scope"]) == {"kasse"}
    assert csv_.table["synthetic"].all()  # the example marks itself as invented


def test_survey_and_statbank_export_agree() -> None:
    survey = values(readers.read(SURVEY_CSV), "ndr_pct")
    statbank_file = FIXTURES / "imports" / "statbank_eksempel_ndr_kasse.csv"
    statbank = readers.read(statbank_file)
    assert values(statbank) == survey
    assert set(statbank.table["scope"]) == {"kasse"}


def test_survey_amounts_only_derive_percentages(tmp_path: Path) -> None:
    f = tmp_path / "kasse.csv"
    f.write_text("kommunenummer,år,brutto driftsinntekter,netto driftsresultat\n"
                 "301,2025,\"1 000,0\",−25\n", encoding="utf-8")
    v = values(readers.read(f))
    assert v[("0301", 2025, "ndr_pct")] == (-2.5, "")
    assert v[("0301", 2025, "bdi")] == (1000.0, "")


@pytest.mark.parametrize(("header", "bdi", "ndr"), [
    ("brutto driftsinntekter (1000 kr);netto driftsresultat (1000 kr)", "20 000 000", "-120 000"),
    ("Brutto driftsinntekter i kroner;Netto driftsresultat i kroner",
     "20 000 000 000", "-120 000 000"),
    ("brutto driftsinntekter (mill. kr);netto driftsresultat (mill. kr)", "20 000", "-120"),
    ("Brutto driftsinntekter, millioner kroner;Netto driftsresultat, NOK",
     "20 000", "-120 000 000"),
])
def test_survey_amounts_in_kr_or_mill_kr_give_the_same_values(
        tmp_path: Path, header: str, bdi: str, ndr: str) -> None:
    f = tmp_path / "kr.csv"
    f.write_text(f"kommunenummer;år;{header}\n0301;2025;{bdi};{ndr}\n", encoding="utf-8")
    assert values(readers.read(f)) == {("0301", 2025, "bdi"): (20_000_000.0, ""),
                                           ("0301", 2025, "ndr"): (-120_000.0, ""),
                                           ("0301", 2025, "ndr_pct"): (-0.6, "")}


def test_survey_amount_in_an_unknown_unit_names_the_column(tmp_path: Path) -> None:
    f = tmp_path / "euro.csv"
    f.write_text("kommunenummer;år;brutto driftsinntekter (euro)\n0301;2025;1\n", "utf-8")
    with pytest.raises(DataError) as err:
        readers.read(f)
    assert err.value.format_message() == (
        f"{f}, linje 1: kolonnen «brutto driftsinntekter (euro)» har enheten «euro», som ikke "
        "er kr, 1000 kr eller mill. kr.")


def test_statbank_amounts_in_mill_kr_and_without_a_unit(tmp_path: Path) -> None:
    f = tmp_path / "statbank.csv"
    head = '"13561: Fylkeskommunene"\n\n"region";"statistikkvariabel";"år";"x"\n'
    f.write_text(head + '"46 Vestland";"Brutto driftsinntekter (mill. kr)";"2025";"12 345"\n',
                 encoding="utf-8")
    assert values(readers.read(f)) == {("46", 2025, "bdi"): (12_345_000.0, "")}
    f.write_text(head + '"46 Vestland";"Brutto driftsinntekter";"2025";"12 345"\n',
                 encoding="utf-8")
    with pytest.raises(DataError, match=r"linje 4: «Brutto driftsinntekter x» er et beløp uten "
                                        r"kjent enhet"):
        readers.read(f)


def test_survey_percentages_only(tmp_path: Path) -> None:
    f = tmp_path / "pst.csv"
    f.write_text("kommunenummer;år;netto driftsresultat i prosent;disposisjonsfond i prosent\n"
                 "3905;2025;1,2;8,4\n", encoding="utf-8")
    assert values(readers.read(f)) == {("3905", 2025, "ndr_pct"): (1.2, ""),
                                           ("3905", 2025, "dispfond_pct"): (8.4, "")}


@pytest.mark.parametrize(("text", "message"), [
    ("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;2025;12\n9999;2025;3\n",
     "linje 3: ukjent kommunenummer «9999»; registeret kjenner kommunene fra 2024."),
    ("kommunenummer;netto driftsresultat (1000 kr)\n0301;12\n", "linje 1: mangler kolonnen «år»."),
    ("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;2025;tolv\n",
     "linje 2: «tolv» i kolonnen «netto driftsresultat (1000 kr)» er ikke et tall eller et "
     "statussymbol (.., : eller .)."),
    ("kommunenummer;år;skatteinngang\n0301;2025;1\n", "linje 1: ukjent kolonne «skatteinngang»."),
    ("kommunenummer;år;Brutto driftsinntekter per innbygger (kr)\n0301;2025;1\n",
     "linje 1: ukjent kolonne «Brutto driftsinntekter per innbygger (kr)»."),
    ("kommunenummer;år;Bruk av / Avsetninger til disposisjonsfond (1000 kr)\n0301;2025;1\n",
     "linje 1: ukjent kolonne «Bruk av / Avsetninger til disposisjonsfond (1000 kr)»."),
    ("kommunenummer;år;netto driftsresultat (1000 kr)\nOslo;2025;1\n",
     "linje 2: «Oslo» er ikke et kommunenummer"),
    ("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;25;1\n",
     "linje 2: «25» er ikke et årstall."),
    ("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;2025;1\n0301;2025;2\n",
     "linje 3: dobbel rad for 0301 2025 ndr kasse"),
    ("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;2025;1;7\n",
     "linje 2: 4 felt, men overskriften har 3."),
])
def test_malformed_survey(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "undersokelse.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as err:
        readers.read(f)
    assert err.value.format_message().startswith(
        f"{f}, {message}" if message.startswith("linje") else f"{f}: {message}")
    assert "\n" not in err.value.format_message()


@pytest.mark.parametrize(("lines", "message"), [
    (['"9999 Ukjent";"Frie inntekter per innbygger (kr)";"2024";1'],
     "linje 4: ukjent regionkode «9999» med tall for 2024"),
    (['"0301 Oslo";"Frie inntekter per innbygger (kr)";"2024";1;2'],
     "linje 4: 5 felt, men overskriften har 4."),
    # one unknown category is left out and said; a file of nothing else has no figures
    (['"0301 Oslo";"Skatteinngang";"2024";1'], "fant ingen tall for målene rapportene bruker"),
    (['"0301 Oslo";"Frie inntekter per innbygger (kr)";"2024";"x1"'],
     "linje 4: «x1» er ikke et tall"),
])
def test_malformed_statbank(tmp_path: Path, lines: list[str], message: str) -> None:
    f = tmp_path / "statbank.csv"
    f.write_text('"12134: Utvalgte nøkkeltall"\n\n'
                 '"region";"statistikkvariabel";"år";"Utvalgte nøkkeltall"\n'
                 + "\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        readers.read(f)
    assert err.value.format_message().startswith(
        f"{f}, {message}" if message.startswith("linje") else f"{f}: {message}")


def test_historic_codes_are_carried_to_todays_and_unknown_ones_skipped(tmp_path: Path) -> None:
    # 3801 Horten (2020–2023) is 3901 from 2024 (Klass 131 changes, 1.1.2024); 0199 was
    # never a municipality code, so it is left out and named.
    f = tmp_path / "statbank.csv"
    f.write_text('"12134: Utvalgte nøkkeltall"\n\n"region";"statistikkvariabel";"år";"x"\n'
                 '"3801 Horten (2020-2023)";"Frie inntekter per innbygger (kr)";"2023";1\n'
                 '"0199 Ukjent";"Frie inntekter per innbygger (kr)";"2023";3\n'
                 '"0301 Oslo";"Frie inntekter per innbygger (kr)";"2023";2\n', encoding="utf-8")
    ds = readers.read(f)
    assert ds.meta["skipped_units"] == ["0199"]
    assert sorted(zip(ds.table["unit"], ds.table["value"], strict=True)) == [
        ("0301", 2.0), ("3901", 1.0)]
    assert ds.meta["history"]["renumbered"] == {"3901": {"3801": [2023]}}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("tom.csv", b"", "fila er tom."),
    ("feil.json", b'{"class": "dataset"', "kan ikke leses som JSON-stat2 fra SSB: ugyldig JSON"),
    ("annen.json", b'{"a": 1}', "er JSON, men ikke JSON-stat"),
    ("ark.xlsx", b"kommunenummer;aar\n", "kan ikke leses som Excel-fil (.xlsx)"),
])
def test_unreadable_files(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    with pytest.raises(DataError) as err:
        readers.read(f)
    assert err.value.format_message().startswith(f"{f}: {message}")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="fila finnes ikke"):
        readers.read(tmp_path / "borte.csv")


def test_xlsx_kommunenummer_as_number_and_title_rows(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["KS regnskapsundersøkelse 2025"])
    ws.append([])
    ws.append(["Kommunenummer", "År", "Netto driftsresultat (% av BDI)"])
    ws.append([301, 2025, -0.6])
    ws.append([4601, 2025, ".."])
    f = tmp_path / "ark.xlsx"
    wb.save(f)
    assert values(readers.read(f)) == {("0301", 2025, "ndr_pct"): (-0.6, ""),
                                           ("4601", 2025, "ndr_pct"): (None, "..")}
    ws.append([9999, 2025, 1.0])
    wb.save(f)
    with pytest.raises(DataError, match=r"ark.xlsx, linje 6: ukjent kommunenummer «9999»"):
        readers.read(f)


def test_load_dataset_adds_only_builtin_real_rows() -> None:
    ds = loading.load_dataset(SURVEY_CSV)
    t = ds.table
    builtin = loading.load_builtin().table
    added = t[t["source"] != survey.SOURCE]
    assert not added.empty and not added["synthetic"].any()
    assert set(added["source"]) <= set(builtin.loc[~builtin["synthetic"], "source"])
    # County authorities and national figures come in; no municipality's NDR from elsewhere.
    assert {"46", "EAK"} <= set(added["unit"])
    assert not ((added["measure"] == "ndr_pct") & added["unit"].str.fullmatch(r"\d{4}")).any()


def test_load_dataset_from_saved_jsonstat_is_all_real(tmp_path: Path) -> None:
    saved = tmp_path / "saved-12134.json"
    shutil.copy(REAL_12134, saved)
    ds = loading.load_dataset(saved)
    assert not ds.has_synthetic
    t = ds.table
    assert t.loc[(t.unit == "0301") & (t.measure == "frie_inntekter_innb") & (t.year == 2024),
                 "value"].tolist() == [81240.0]


def test_cli_figures_with_bad_file_exits_1(tmp_path: Path, runner: CliRunner) -> None:
    f = tmp_path / "x.csv"
    f.write_text("kommunenummer;år;netto driftsresultat (1000 kr)\n0301;2025;tolv\n", "utf-8")
    result = runner.invoke(cli.main, ["figures", "--county", "Vestland", "--data", str(f)])
    assert result.exit_code == 1
    assert "linje 2: «tolv»" in result.output


def test_parse_number() -> None:
    assert rows.parse_number("1 234,5") == 1234.5
    assert rows.parse_number("\u22120,6") == -0.6
    assert rows.parse_number("1.234,5") == 1234.5
    assert rows.parse_number("") is None
    with pytest.raises(ValueError):
        rows.parse_number("12a")


@pytest.mark.parametrize("text", ["1" * 400, "1e400", "1e15", "-2e16"])
def test_parse_number_refuses_what_no_account_holds(text: str) -> None:
    with pytest.raises(rows.NumberTooLarge):
        rows.parse_number(text)
    assert rows.parse_number("999999999999999") == 999_999_999_999_999.0  # below 10^15


def test_read_cell_refuses_huge_numbers_from_a_workbook_and_keeps_nan_missing() -> None:
    with pytest.raises(rows.NumberTooLarge):
        rows.read_cell(10 ** 400)
    with pytest.raises(rows.NumberTooLarge):
        rows.read_cell(float("inf"))
    assert rows.read_cell(float("nan")) == (None, "..")
