"""Hostile and faulty data files (issue 10, category «data»): no wrong figure, no traceback,
no file outside the inputs read, and a small file never takes the machine.

Each case runs the CLI in-process and asserts the exit code, the exact message, that
no traceback appears, and (through an audit hook on ``open``) that nothing was read
outside the test's own folder, the package and Python itself. Limits are tested with
small files and lowered limits, or with files whose header lies; none is large.
"""

from __future__ import annotations

import json
import os
import random
import re
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import Result

import kommunerapport
import kommunerapport.batch.run  # imported here: matplotlib reads its font cache
import kommunerapport.cli.console  # noqa: F401 - on import, which is no reading of the inputs
from hostile.opened import run, write  # after the imports above warm matplotlib
from kommunerapport.sources import limits


def refused(result: Result, message: str, code: int = 1) -> None:
    """Exit ``code`` and exactly one line on stderr: «Feil: <message>»."""
    assert (result.exit_code, result.stderr) == (code, f"Feil: {message}\n"), result.output




SURVEY = "kommunenummer;år;brutto driftsinntekter (1000 kr);netto driftsresultat (1000 kr)\n"
TIDY = "unit,year,measure,value,status,scope,source,release,synthetic\n"


def tidy_row(unit: str = "3901", year: str = "2025", measure: str = "bdi",
             value: str = "1000", source: str = "fila") -> str:
    return f"{unit},{year},{measure},{value},,kasse,{source},egne tall,false\n"


# --------------------------------------------------------------------------- wrong figures

def test_bdi_zero_is_refused_not_a_division_by_zero(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;0;100\n")
    refused(run(tmp_path, "figures", "--county", "Vestfold", "--data", f),
            f"{f}, linje 2, kolonne «brutto driftsinntekter (1000 kr)»: «0» kan ikke være "
            "brutto driftsinntekter: må være over 0 (1000 kr).")


def test_negative_bdi_cannot_flip_the_sign_of_a_result(tmp_path: Path) -> None:
    # −500 on −1000 was reported as «tilbake i pluss … 50 prosent»
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;-1000;-500\n")
    refused(run(tmp_path, "figures", "--county", "Vestfold", "--data", f),
            f"{f}, linje 2, kolonne «brutto driftsinntekter (1000 kr)»: «-1000» kan ikke være "
            "brutto driftsinntekter: må være over 0 (1000 kr).")


def test_bdis_summing_to_zero_never_weigh_anything(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;1000;10\n3903;2025;-1000;10\n")
    refused(run(tmp_path, "figures", "--county", "Vestfold", "--data", f),
            f"{f}, linje 3, kolonne «brutto driftsinntekter (1000 kr)»: «-1000» kan ikke være "
            "brutto driftsinntekter: må være over 0 (1000 kr).")


def test_bdi_zero_in_the_tidy_format(tmp_path: Path) -> None:
    f = write(tmp_path, "tall.csv", TIDY + tidy_row(value="0"))
    refused(run(tmp_path, "figures", "--sector", "--data", f),
            f"{f}, linje 2: brutto driftsinntekter for 3901 i 2025 er 0; må være over 0 "
            "(1000 kr).")


def test_a_value_of_1e27_is_refused_before_it_reaches_the_formatting(tmp_path: Path) -> None:
    # 1e27 crashed formatting.rounded with decimal.InvalidOperation
    f = write(tmp_path, "tall.csv", TIDY + tidy_row(value="1e27"))
    refused(run(tmp_path, "figures", "--sector", "--data", f),
            f"{f}, linje 2: brutto driftsinntekter for 3901 i 2025 er 1e+27; tillatt er over 0 "
            "og høyst 10 000 000 000 (1000 kr).")


def test_1e27_in_a_jsonstat_file(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1e27})
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    refused(run(tmp_path, "inspect", f),
            f"{f}: «1e+27» er for stort til å være et tall i et regnskap (over 10^15).")


def test_an_implausible_percentage_in_a_jsonstat_file(tmp_path: Path) -> None:
    f = write(tmp_path, "lagret.json", json.dumps(_jsonstat({"4601": -101.0})))
    refused(run(tmp_path, "inspect", f),
            f"{f}: netto driftsresultat i prosent av brutto driftsinntekter for 4601 i 2025 er "
            "−101; tillatt er −100 til 100 (%).")


def test_netto_driftsresultat_beyond_100_percent(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", "kommunenummer;år;netto driftsresultat (% av BDI)\n"
                                  "3901;2025;250\n")
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 2, kolonne «netto driftsresultat (% av BDI)»: «250» kan ikke være "
            "netto driftsresultat i prosent av brutto driftsinntekter: tillatt er −100 til 100 "
            "(%).")


def test_a_derived_percentage_is_held_to_the_same_bounds(tmp_path: Path) -> None:
    # NDR 2000 on BDI 1000: the 200 % the survey reader derives is no account either
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;1000;2000\n")
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 2: netto driftsresultat i prosent av brutto driftsinntekter for 3901 "
            "i 2025 er 200; tillatt er −100 til 100 (%).")


@pytest.mark.parametrize("year", ["2099", "2199"])
def test_years_the_register_does_not_know(tmp_path: Path, year: str) -> None:
    # both were accepted and gave a report of dashes
    f = write(tmp_path, "ks.csv", SURVEY + f"3901;{year};1000;10\n")
    refused(run(tmp_path, "figures", "--county", "Vestfold", "--data", f),
            f"{f}, linje 2, kolonne «år»: {year} er utenfor årene registeret kjenner "
            "(2001–2026).")


def test_year_2199_in_the_tidy_format(tmp_path: Path) -> None:
    f = write(tmp_path, "tall.csv", TIDY + tidy_row(year="2199"))
    refused(run(tmp_path, "figures", "--sector", "--data", f),
            f"{f}, linje 2, kolonne «year»: 2199 er utenfor årene registeret kjenner "
            "(2001–2026).")


def test_years_before_kostra_in_an_ssb_file_are_left_out_by_name(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1.5}, years=("1999", "2025"))
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 0, result.output
    assert ("  Hoppet over 1 celler – år før 2001 (KOSTRA har alle kommunene fra 2001): "
            "«1999».") in result.output


def test_a_batch_with_an_impossible_figure_stops_before_any_worker(tmp_path: Path) -> None:
    # the batch summary said only «InvalidOperation: [<class 'decimal.InvalidOperation'>]»
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;0;100\n")
    refused(run(tmp_path, "--all", "--data", f, "--out", tmp_path / "ut"),
            f"{f}, linje 2, kolonne «brutto driftsinntekter (1000 kr)»: «0» kan ikke være "
            "brutto driftsinntekter: må være over 0 (1000 kr).")
    assert not (tmp_path / "ut").exists() or not any((tmp_path / "ut").iterdir())


# --------------------------------------------------------------------------- resources

def _lying_workbook(tmp_path: Path, last_row: int = 1_048_576) -> Path:
    """A valid survey sheet whose <dimension> claims the whole sheet (A1:XFD1048576) and
    whose last, empty cell sits in column XFD of ``last_row``: openpyxl would pad every
    row in between to 16 384 cells (the issue's 4,7 KB file used over 8 GB)."""
    import openpyxl

    plain = tmp_path / "plain.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["kommunenummer", "år", "netto driftsresultat (% av BDI)"])
    book.active.append(["3901", 2025, 2.5])
    book.save(plain)
    lying = tmp_path / "ks.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                # openpyxl writes «<dimension ref="A1:C2" />», or without the space when
                # lxml is installed (python-docx brings it)
                data = re.sub(rb'<dimension ref="A1:C2"\s*/>', b'<dimension ref="A1:XFD1048576" />',
                              data)
                data = data.replace(b"</sheetData>",
                                    f'<row r="{last_row}"><c r="XFD{last_row}" s="0" /></row>'
                                    f"</sheetData>".encode())
                assert b"A1:XFD1048576" in data
            out.writestr(item, data)
    plain.unlink()
    return lying


def _peak(tmp_path: Path, path: Path) -> tuple[Result, int]:
    tracemalloc.start()
    try:
        result = run(tmp_path, "inspect", path)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_workbook_that_claims_the_whole_sheet_is_read_as_it_is(tmp_path: Path) -> None:
    result = run(tmp_path, "inspect", _lying_workbook(tmp_path))  # Excel's last row
    assert result.exit_code == 0, result.output
    assert "Lest: 1 mål × 1 år (2025) × 1 enheter (1 kommuner) = 1 verdier." in result.output


def test_a_lying_workbook_costs_no_more_memory_than_an_honest_one(tmp_path: Path) -> None:
    # a gap of 100 000 rows at the claimed width is 1,6 billion cells when padded;
    # traced allocation is slow, so a smaller gap than Excel's last row
    f = _lying_workbook(tmp_path, last_row=100_000)
    assert f.stat().st_size < 6000
    honest = tmp_path / "ærlig" / "ks.xlsx"
    honest.parent.mkdir()
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["kommunenummer", "år", "netto driftsresultat (% av BDI)"])
    book.active.append(["3901", 2025, 2.5])
    book.save(honest)
    _, baseline = _peak(tmp_path, honest)
    result, peak = _peak(tmp_path, f)
    assert result.exit_code == 0, result.output
    assert "Lest: 1 mål × 1 år (2025) × 1 enheter (1 kommuner) = 1 verdier." in result.output
    # bytes: within 20 MB of the honest file; padded to the claimed size it would be
    # 16 384 × 1 048 576 cells, gigabytes
    assert peak < baseline + 20_000_000


def _jsonstat(values: dict[str, float | None], years: tuple[str, ...] = ("2025",)) -> dict:
    """A JSON-stat2 answer of 12134 (netto driftsresultat in %), SSB's codes and labels."""
    regions = list(values)
    return {
        "version": "2.0", "class": "dataset", "label": "12134: Utvalgte nøkkeltall",
        "updated": "2026-03-16T07:00:00Z", "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"],
        "size": [len(regions), 1, len(years)],
        "role": {"geo": ["KOKkommuneregion0000"], "time": ["Tid"], "metric": ["ContentsCode"]},
        "dimension": {
            "KOKkommuneregion0000": {"label": "region", "category": {"index": regions}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": ["KOSAGD230000"],
                "label": {"KOSAGD230000": "Netto driftresultat i prosent av brutto "
                                          "driftsinntekter (prosent)"},
                "unit": {"KOSAGD230000": {"base": "prosent", "decimals": 1}}}},
            "Tid": {"label": "år", "category": {"index": list(years)}}},
        "value": [values[r] for r in regions for _ in years],
        "extension": {"px": {"tableid": "12134", "decimals": 1}},
    }


def test_a_jsonstat_size_is_multiplied_out_before_anything_is_made(tmp_path: Path) -> None:
    codes = [str(n) for n in range(2000)]
    doc = {"class": "dataset", "id": ["Region", "ContentsCode", "Tid"], "size": [2000] * 3,
           "role": {"geo": ["Region"], "time": ["Tid"]},
           "dimension": {d: {"category": {"index": codes}}
                         for d in ("Region", "ContentsCode", "Tid")},
           "value": {"0": 1.0}}  # sparse: one value promises 8 000 000 000 cells
    f = write(tmp_path, "stor.json", json.dumps(doc))
    assert f.stat().st_size < 100_000
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: datasettet har "
            "8 000 000 000 celler (2000 × 2000 × 2000), over grensen for verdier på 1 000 000 "
            "(SSB gir høyst 800 000 i ett uttrekk).")


def test_a_survey_csv_over_the_cell_limit(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # the 200 MB survey CSV reached 11,7 GB; the same check, on a small file
    monkeypatch.setattr(limits, "MAX_CELLS", 50)
    f = write(tmp_path, "ks.csv", SURVEY + "".join(f"39{n:02d};2025;1000;10\n"
                                                   for n in range(1, 20)))
    refused(run(tmp_path, "inspect", f),
            f"{f}: fila har over 50 celler, grensen for celler.")


def test_a_csv_over_the_row_limit_is_refused_before_it_is_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 10)
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;1000;10\n" * 20)
    refused(run(tmp_path, "inspect", f), f"{f}: fila har over 10 linjer, grensen for rader.")


def test_a_tidy_csv_over_the_row_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 5)
    f = write(tmp_path, "tall.csv", TIDY + tidy_row() * 8)
    refused(run(tmp_path, "inspect", f), f"{f}: fila har over 5 linjer, grensen for rader.")


def test_a_file_over_the_size_limit_is_refused_from_its_size(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;1000;10\n" * 80)  # 1,5 KB
    result = run(tmp_path, "inspect", f)
    refused(result, f"{f}: fila er 1,5 KB, over grensen for filstørrelse på 1 KB.")
    assert str(f) not in result.opened  # refused from its stat, never opened


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_without_being_read(tmp_path: Path, device: str) -> None:
    result = run(tmp_path, "figures", "--sector", "--data", device)
    refused(result, f"{device}: er ikke en vanlig fil (men en enhet, et rør eller en sokkel); "
                    "lagre innholdet i en fil og oppgi den.")
    assert device not in result.opened


def test_a_link_to_a_device_and_a_pipe_are_refused(tmp_path: Path) -> None:
    link = tmp_path / "tall.csv"
    link.symlink_to("/dev/zero")
    pipe = tmp_path / "rør.csv"
    os.mkfifo(pipe)  # opening it would wait for a writer for ever
    for path in (link, pipe):
        result = run(tmp_path, "inspect", path)
        refused(result, f"{path}: er ikke en vanlig fil (men en enhet, et rør eller en "
                        "sokkel); lagre innholdet i en fil og oppgi den.")
        assert str(path) not in result.opened


def test_deeply_nested_json(tmp_path: Path) -> None:
    f = write(tmp_path, "dyp.json", "[" * 100_000 + "]" * 100_000)  # was a RecursionError
    refused(run(tmp_path, "inspect", f),
            f"{f}: JSON-strukturen er nestet 100000 nivåer dypt, over grensen for nesting på "
            "64 nivåer (JSON-stat har 6).")


def test_nesting_inside_a_jsonstat_note(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1.5})
    text = json.dumps(doc).replace('"version"', '"note": ' + "[" * 70 + "]" * 70 + ', "version"')
    f = write(tmp_path, "lagret.json", text)
    refused(run(tmp_path, "inspect", f),
            f"{f}: JSON-strukturen er nestet 71 nivåer dypt, over grensen for nesting på "
            "64 nivåer (JSON-stat har 6).")


def test_brackets_inside_labels_do_not_count_as_nesting(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1.5})
    doc["label"] = "12134: " + "[{" * 200  # text, not structure
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 0, result.output


def test_json_with_more_items_than_the_cell_limit(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CELLS", 100)
    f = write(tmp_path, "lagret.json", json.dumps([{}] * 200))
    refused(run(tmp_path, "inspect", f),
            f"{f}: JSON-dokumentet har 201 elementer, over grensen for celler på 100.")
    # one array and its 200 objects, counted as the document streams past


PX = ('CHARSET="ANSI";\nMATRIX="12134";\nTITLE="12134: Utvalgte nøkkeltall";\n'
      'STUB="region";\nHEADING="statistikkvariabel","år";\n'
      'VALUES("region")={regions};\n'
      'VALUES("statistikkvariabel")="Netto driftsresultat i prosent av brutto '
      'driftsinntekter (prosent)";\nVALUES("år")="2025";\nDATA=\n{data};\n')


def test_a_px_file_whose_stub_and_heading_pass_the_value_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_VALUES", 10)
    regions = ",".join(f'"46{n:02d}"' for n in range(1, 21))
    f = write(tmp_path, "12134.px", PX.format(regions=regions, data="1.0 " * 20).encode("cp1252"))
    refused(run(tmp_path, "inspect", f),
            f"{f}: STUB og HEADING gir 20 celler, over grensen for verdier på 10.")


def test_a_px_file_with_endless_data_is_read_only_as_far_as_its_cells(tmp_path: Path) -> None:
    f = write(tmp_path, "12134.px",
              PX.format(regions='"4601"', data="1.0 " * 50_000).encode("cp1252"))
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 9: DATA har flere verdier enn de 1 cellene STUB og HEADING gir.")


def test_a_workbook_that_unpacks_past_the_limit(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_UNPACKED_BYTES", 1000)
    f = _lying_workbook(tmp_path)
    with zipfile.ZipFile(f) as archive:
        unpacked = sum(i.file_size for i in archive.infolist())
    refused(run(tmp_path, "inspect", f),
            f"{f}: Excel-fila pakkes ut til {limits.size(unpacked)}, over grensen for utpakket "
            "XLSX på 1 KB.")


def test_a_cell_longer_than_the_csv_field_limit(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", SURVEY + '3901;2025;"' + "1" * 200_000 + '";10\n')
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 2: en celle er lengre enn 131 072 tegn, grensen for én celle.")


# --------------------------------------------------------------------------- other tracebacks

def _fetched(tmp_path: Path, meta: str) -> dict[str, str]:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "fetched.csv").write_text(TIDY + tidy_row(unit="EAKUO", measure="ndr_pct",
                                                       value="2.1"), encoding="utf-8")
    (cache / "fetched.json").write_text(meta, encoding="utf-8")
    return {"KOMMUNERAPPORT_CACHE_DIR": str(cache)}


@pytest.mark.parametrize(("meta", "why"), [
    ("{broken", "JSONDecodeError"), ("[1, 2]", "ventet et JSON-objekt"),
    ("[" * 5000, f"JSON-strukturen er nestet 5000 nivåer dypt, over grensen for nesting på "
                 f"{limits.MAX_DEPTH} nivåer (JSON-stat har 6).")])
def test_a_damaged_fetched_json_is_one_line_saying_how_to_mend_it(tmp_path: Path, meta: str,
                                                                   why: str) -> None:
    env = _fetched(tmp_path, meta)
    path = tmp_path / "cache" / "fetched.json"
    shown = f"fila er skadet ({why})" if not why.startswith("JSON-strukturen") else why
    message = (f"{path}: {shown}; kjør «kommunerapport fetch» på nytt (svarene i "
               "hurtigbufferen brukes).") if not why.startswith("JSON-strukturen") \
        else f"{path}: {why}"
    refused(run(tmp_path, "figures", "--sector", env=env), message)


def test_the_cache_setting_naming_a_file(tmp_path: Path) -> None:
    f = write(tmp_path, "cache", "ikke en mappe")
    env = {"KOMMUNERAPPORT_CACHE_DIR": str(f)}
    for args in (["figures", "--sector"], ["fetch", "--offline"]):
        refused(run(tmp_path, *args, env=env),
                f"KOMMUNERAPPORT_CACHE_DIR={f} er en fil, ikke en mappe; velg en mappe (den "
                "lages om den ikke finnes).", code=2)


def test_rich_markup_in_a_source_is_printed_as_it_stands(tmp_path: Path) -> None:
    # «[/bold]» gave rich.errors.MarkupError
    f = write(tmp_path, "tall.csv", TIDY + "".join(
        tidy_row(unit=u, measure=m, value=v, source="[/bold]")
        for u in ("3901", "3903") for m, v in (("bdi", "1000"), ("ndr_pct", "2.5"))))
    result = run(tmp_path, "figures", "--county", "Vestfold", "--data", f)
    assert result.exit_code == 0, result.output
    assert "vektet, 2 av 6 enheter [[/bold]; egne tall; kasse]" in result.stdout


def test_terminal_escapes_in_a_cell_are_shown_escaped(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", SURVEY + "39\x1b[31m01;2025;1000;10\n")
    result = run(tmp_path, "figures", "--county", "Vestfold", "--data", f)
    refused(result, f"{f}, linje 2: «39\\x1b[31m01» er ikke et kommunenummer (fire sifre, "
                    "f.eks. 0301).")
    assert "\x1b" not in result.output


def test_escapes_and_bidi_overrides_in_a_label_the_summary_quotes(tmp_path: Path) -> None:
    f = write(tmp_path, "eksport.csv",
              '"12134: Utvalgte nøkkeltall"\n"region";"statistikkvariabel";"2025"\n'
              '"4601 Bergen";"Netto driftsresultat i prosent av brutto driftsinntekter";"1,0"\n'
              '"4601 Bergen";"Skatt\x1b]0;eid\x07\u202e";"1"\n')
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 0, result.output
    assert "«Skatt\\x1b]0;eid\\x07\\u202e»" in result.stdout
    assert not any(ch in result.output for ch in "\x1b\x07\u202e")


# --------------------------------------------------------------------------- unclear messages

def test_binary_garbage_names_the_line_and_character(tmp_path: Path) -> None:
    # was «linje 2: 1 felt, men overskriften har 3»
    rng = random.Random(10)
    f = write(tmp_path, "tall.csv", b"a,b,c\n" + bytes(rng.getrandbits(8) for _ in range(3000)))
    data = f.read_bytes()
    first = data.index(b"\x00")  # a NUL is binary wherever it is; one byte is one character
    line = data.count(b"\n", 0, first) + 1
    column = first - (data.rfind(b"\n", 0, first) + 1) + 1
    char = f"\\x{data[first]:02x}"
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje {line}, tegn {column}: «{char}» hører ikke hjemme i en tekstfil; fila "
            "ser ut som binærdata, ikke CSV, JSON-stat, PX eller XLSX (eller tekst i en koding "
            "uten byte order mark).")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_are_read(tmp_path: Path, encoding: str) -> None:
    # UTF-16 gave «finner ingen regionkode i «ÿþkommunenummer»»
    text = "kommunenummer;år;netto driftsresultat (% av BDI)\n3901;2025;2,5\n"
    f = write(tmp_path, "ks.csv", text.encode(encoding))
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ks.csv: lest som KS-undersøkelse (CSV)\n"
                                    "  Lest: 1 mål × 1 år (2025) × 1 enheter (1 kommuner) = 1 "
                                    "verdier.\n")


def test_broken_utf16_is_refused_clearly(tmp_path: Path) -> None:
    f = write(tmp_path, "ks.csv", "kommunenummer;år\n".encode("utf-16") + b"\x00\xd8A")
    refused(run(tmp_path, "inspect", f),
            f"{f}: teksten er merket som UTF-16, men byte 36 passer ikke med det; lagre fila på "
            "nytt som UTF-8.")


def test_a_400_digit_number(tmp_path: Path) -> None:
    # was «kolonne «value»: «inf» er ikke et tall»
    f = write(tmp_path, "ks.csv", SURVEY + "3901;2025;1000;" + "1" * 400 + "\n")
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 2, kolonne «netto driftsresultat (1000 kr)»: «{'1' * 60}…(400 tegn)» "
            "er for stort til å være et tall i et regnskap (over 10^15).")


def test_a_400_digit_number_in_the_tidy_format(tmp_path: Path) -> None:
    f = write(tmp_path, "tall.csv", TIDY + tidy_row(value="9" * 400))
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 2, kolonne «value»: «{'9' * 60}…(400 tegn)» er for stort til å være "
            "et tall.")


def test_a_400_digit_integer_in_a_jsonstat_file(tmp_path: Path) -> None:
    text = json.dumps(_jsonstat({"4601": 1.5})).replace("1.5", "1" + "0" * 400)
    f = write(tmp_path, "lagret.json", text)
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: verdien "
            f"1{'0' * 59}…(401 tegn) er for stor til å være et tall.")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_json_literals_that_are_no_numbers(tmp_path: Path, literal: str) -> None:
    # Python's json reads them; SSB writes null for a missing value, never these
    text = json.dumps(_jsonstat({"4601": 1.5})).replace("1.5", literal)
    f = write(tmp_path, "lagret.json", text)
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: verdien "
            f"{float(literal)!r} er ikke et endelig tall.")


# --------------------------------------------------------------------------- our own hostile inputs

def test_a_row_wider_than_excel_allows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a 7 MB line of a million cells took 13 s to lay out before this limit
    monkeypatch.setattr(limits, "MAX_COLUMNS", 10)
    f = write(tmp_path, "eksport.csv", "region;" + ";".join(["2024"] * 20) + "\n")
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 1: raden har 21 celler, over grensen for kolonner på 10.")


def test_a_first_line_past_the_csv_cell_limit_is_no_traceback(tmp_path: Path) -> None:
    # the tidy reader's «is this mine?» read the first line with the csv module unguarded
    f = write(tmp_path, "tall.csv", '"' + "x" * 200_000 + '";a\n1;2\n')
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 1: en celle er lengre enn 131 072 tegn, grensen for én celle.")


def test_a_workbook_with_exponential_entities(tmp_path: Path) -> None:
    # «billion laughs»: nine levels of ten entities would be a gigabyte of «lol»
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    plain = tmp_path / "plain.xlsx"
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["kommunenummer", "år", "netto driftsresultat (% av BDI)"])
    book.active.append(["3901", 2025, 2.5])
    book.save(plain)
    f = tmp_path / "ks.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode()
                        + data[data.index(b"<worksheet"):].replace(b"<t>3901</t>",
                                                                   b"<t>&lol9;</t>"))
            out.writestr(item, data)
    plain.unlink()
    # refused before any XML is parsed, whatever protection the system's expat has
    refused(run(tmp_path, "inspect", f),
            f"{f}: Excel-fila har en DTD (<!DOCTYPE …>) i xl/worksheets/sheet1.xml, som Excel "
            "aldri skriver; den leses ikke.")


def test_a_truncated_workbook(tmp_path: Path) -> None:
    f = _lying_workbook(tmp_path)
    f.write_bytes(f.read_bytes()[:2000])
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som Excel-fil (.xlsx): File is not a zip file.")


def test_a_huge_column_name_makes_no_huge_message(tmp_path: Path) -> None:
    name = "x" * 100_000
    f = write(tmp_path, "ks.csv", f"kommunenummer;år;{name}\n3901;2025;1\n")
    result = run(tmp_path, "inspect", f)
    refused(result, f"{f}, linje 1: ukjent kolonne «{'x' * 200}…(100000 tegn)». Kjente "
                    "kolonner: kommunenummer, år, kommunenavn, brutto driftsinntekter, netto "
                    "driftsresultat, disposisjonsfond (1000 kr eller % av brutto "
                    "driftsinntekter).")


# --------------------------------------------------------------------------- issue 20, round three
# (sources: one guard for every outside answer, data not silently wrong)

def _jsonstat_text(**changes: object) -> str:
    doc = _jsonstat({"4601": 1.5})
    for key, value in changes.items():
        doc[key] = value
    return json.dumps(doc)


def test_a_jsonstat_role_with_strings(tmp_path: Path) -> None:
    # was «KeyError 'K'»: a text where a list belongs was read letter by letter
    f = write(tmp_path, "lagret.json", _jsonstat_text(role={"geo": "KOKkommuneregion0000",
                                                            "time": ["Tid"]}))
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: «role.geo» skal være en "
            "liste med navn på dimensjoner, ikke 'KOKkommuneregion0000'.")


def test_a_jsonstat_role_naming_a_dimension_it_does_not_have(tmp_path: Path) -> None:
    f = write(tmp_path, "lagret.json", _jsonstat_text(role={"geo": ["Region"]}))
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: «role» nevner "
            "dimensjonen «Region», som ikke er i «id».")


@pytest.mark.parametrize(("decimals", "shown"), [
    (999_999_999, "999999999"), (-3, "-3"), ("to", "'to'"), (1.5, "1.5"), (True, "True")])
def test_jsonstat_decimals_outside_0_to_15(tmp_path: Path, decimals: object, shown: str) -> None:
    # 999 999 999 decimals took 4–5 GB to format; -3 was a traceback
    doc = _jsonstat({"4601": 1.5})
    doc["extension"]["px"]["decimals"] = decimals
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: «extension.px.decimals» "
            f"er {shown}, ikke et antall desimaler (0–15).")


def test_unit_decimals_outside_0_to_15(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1.5})
    doc["dimension"]["ContentsCode"]["category"]["unit"]["KOSAGD230000"]["decimals"] = 16
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 (PxWebApi) fra SSB: «decimals» for "
            "«KOSAGD230000» er 16, ikke et antall desimaler (0–15).")


@pytest.mark.parametrize("decimals", ["999999999", "-1", "16"])
def test_px_decimals_outside_0_to_15(tmp_path: Path, decimals: str) -> None:
    f = tmp_path / "tabell.px"  # CHARSET="ANSI": Windows-1252, as SSB writes PX
    f.write_bytes(PX.format(regions='"4601 Bergen"', data="1.5")
                  .replace("DATA=", f"DECIMALS={decimals};\nDATA=").encode("cp1252"))
    refused(run(tmp_path, "inspect", f),
            f"{f}: DECIMALS er {decimals}, ikke et antall desimaler (0–15).")


def test_an_integer_past_pythons_digit_limit(tmp_path: Path) -> None:
    # «Also noticed»: 4 301 digits made json.loads raise ValueError, caught nowhere
    text = _jsonstat_text().replace("1.5", "9" * 4301)
    f = write(tmp_path, "lagret.json", text)
    refused(run(tmp_path, "inspect", f),
            f"{f}: kan ikke leses som JSON-stat2 fra SSB: JSON-dokumentet har et heltall med "
            "over 4 300 sifre, som ikke kan være et tall i et regnskap.")


def test_json_shape_costs_little_memory_on_a_large_file(tmp_path: Path) -> None:
    # was 120 bytes of memory per byte of file (a whole-buffer numpy pass): 4 MB of spaces
    # after a JSON document now cost little more than the file held as bytes and text
    f = write(tmp_path, "lagret.json", _jsonstat_text() + " " * 4_000_000)
    result, peak = _peak(tmp_path, f)
    assert result.exit_code == 0, result.output
    assert peak < 40_000_000  # the file itself is held (bytes and text): ~12 MB


def _xlsx(tmp_path: Path, name: str = "ks.xlsx", formula: bool = False) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["kommunenummer", "år", "netto driftsresultat (% av BDI)"])
    book.active.append(["3901", 2025, "=1+1" if formula else 2.5])
    path = tmp_path / name
    book.save(path)
    return path


def test_xlsx_formulas_without_computed_values_are_refused(tmp_path: Path) -> None:
    # openpyxl (and pandas) write formulas without their value: every figure read as missing
    f = _xlsx(tmp_path, formula=True)
    refused(run(tmp_path, "inspect", f),
            f"{f}: cellen C2 i arket har en formel uten utregnet verdi (fila er laget av et "
            "program som ikke regner); åpne den i Excel og lagre den på nytt, eller eksporter "
            "verdiene (Lim inn utvalg → Verdier).")


def _rezip(src: Path, dst: Path, part: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for item in a.infolist():
            b.writestr(item, data if item.filename == part else a.read(item.filename))
    return dst


def test_an_xlsx_with_too_many_cell_formats_is_refused_before_openpyxl(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kommunerapport.sources import guard

    monkeypatch.setattr(guard, "MAX_STYLES", 1000)
    plain = _xlsx(tmp_path, "plain.xlsx")
    with zipfile.ZipFile(plain) as z:
        styles = z.read("xl/styles.xml")
    many = styles.replace(b"</cellXfs>", b"<xf/>" * 2000 + b"</cellXfs>")
    f = _rezip(plain, tmp_path / "ks.xlsx", "xl/styles.xml", many)
    refused(run(tmp_path, "inspect", f),
            f"{f}: arbeidsboka har over 1 000 celleformater (xl/styles.xml), grensen for "
            "celleformater.")


def test_an_xlsx_part_packed_past_the_ratio_is_refused(tmp_path: Path) -> None:
    plain = _xlsx(tmp_path, "plain.xlsx")
    with zipfile.ZipFile(plain) as z:
        styles = z.read("xl/styles.xml")
    padded = styles.replace(b"</styleSheet>", b" " * 5_000_000 + b"</styleSheet>")
    f = _rezip(plain, tmp_path / "ks.xlsx", "xl/styles.xml", padded)
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 1 and "mer enn 200 ganger; en regnearkfil er ikke slik." \
        in result.stderr


@pytest.mark.parametrize(("name", "numbers"), [("Våler", "3114 Våler (Østfold) og 3419 Våler "
                                                "(Innlandet)"),
                                               ("Herøy", "1515 Herøy (Møre og Romsdal) og "
                                                "1818 Herøy (Nordland)")])
def test_an_ambiguous_municipality_name_asks_which(tmp_path: Path, name: str,
                                                   numbers: str) -> None:
    # was «regioner modellen ikke har»: two municipalities have the name
    f = write(tmp_path, "navn.csv", "region;Netto driftsresultat i % av brutto "
              f"driftsinntekter (%) 2025\nLørenskog;4,0\n{name};1,0\n")
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Feil: {f}, linje 3: «{name}» kan være {numbers}; skriv "
                                    "kommunenummeret eller navnet med fylket")


def test_a_statbank_cell_twice_with_two_values_is_refused(tmp_path: Path) -> None:
    # JSON-stat, PX and Statistikkbanken CSV kept the first value; the survey and tidy
    # readers refused the same thing: now every reader refuses it
    f = write(tmp_path, "12134.csv", '"12134: Utvalgte nøkkeltall"\n\n'
              '"region";"statistikkvariabel";"år";"x"\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66700\n')
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 5: frie inntekter per innbygger (konsern) for 4601 2024 står to ganger "
            "med ulike verdier: 66605.0 og 66700.0; vet ikke hvilken som gjelder.")


def test_a_jsonstat_cell_twice_with_two_values_is_refused(tmp_path: Path) -> None:
    doc = _jsonstat({"4601": 1.5})
    doc["dimension"]["KOKkommuneregion0000"]["category"]["index"] = ["4601", "4601 "]
    doc["size"][0] = 2
    doc["value"] = [1.5, 2.5]
    f = write(tmp_path, "lagret.json", json.dumps(doc))
    refused(run(tmp_path, "inspect", f),
            f"{f}: netto driftsresultat i prosent av brutto driftsinntekter (konsern) for 4601 "
            "2025 står to ganger med ulike verdier: 1.5 og 2.5; vet ikke hvilken som gjelder.")


def test_an_identical_cell_twice_is_read_once(tmp_path: Path) -> None:
    f = write(tmp_path, "12134.csv", '"12134: Utvalgte nøkkeltall"\n\n'
              '"region";"statistikkvariabel";"år";"x"\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n')
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 0 and "samme celle en gang til" in result.stdout


def test_a_title_date_that_does_not_exist(tmp_path: Path) -> None:
    f = write(tmp_path, "12134.csv", '"12134: Utvalgte nøkkeltall, sist oppdatert 31.02.2026"\n\n'
              '"region";"statistikkvariabel";"år";"x"\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n')
    refused(run(tmp_path, "inspect", f),
            f"{f}: datoen i «12134: Utvalgte nøkkeltall, sist oppdatert 31.02.2026» finnes "
            "ikke; rett den, eller oppgi --release DD.MM.ÅÅÅÅ.")


def test_an_unparseable_release_option(tmp_path: Path) -> None:
    f = write(tmp_path, "12134.csv", '"12134"\n\n"region";"statistikkvariabel";"år";"x"\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n')
    refused(run(tmp_path, "inspect", f, "--release", "16.13.2026"),
            "--release «16.13.2026» er ingen dato; skriv DD.MM.ÅÅÅÅ, for eksempel 16.03.2026.")


def test_two_files_that_disagree_without_dates(tmp_path: Path) -> None:
    head = '"12134"\n\n"region";"statistikkvariabel";"år";"x"\n'
    a = write(tmp_path, "a.csv", head + '"4601 Bergen";"Frie inntekter per innbygger (kr)";'
                                        '"2024";66605\n')
    b = write(tmp_path, "b.csv", head + '"4601 Bergen";"Frie inntekter per innbygger (kr)";'
                                        '"2024";66700\n')
    refused(run(tmp_path, "inspect", a, b),
            "a.csv og b.csv gir ulike tall for 4601, frie inntekter per innbygger 2024 "
            "(konsern): 66605 og 66700, og ingen av dem har en datert utgivelse som viser "
            "hvilken som er nyest; bruk bare den ene fila, eller rett den som er feil.")


def test_a_fetched_change_table_with_a_split_without_its_rule(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "regionendringer.csv").write_text(
        "klass,dato,gammel,gammelt_navn,ny,nytt_navn,regel\n"
        "131,2024-01-01,1507,Ålesund,1508,Ålesund,renummerert\n"
        "131,2024-01-01,1507,Ålesund,1580,Haram,renummerert\n", encoding="utf-8")
    f = write(tmp_path, "12134.csv", '"12134"\n\n"region";"statistikkvariabel";"år";"x"\n'
              '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n')
    result = run(tmp_path, "inspect", f, env={"KOMMUNERAPPORT_CACHE_DIR": str(cache)})
    refused(result, f"{cache / 'regionendringer.csv'}, linje 2: 1507 går til både 1508 og "
                    "1580 (01.01.2024) uten delingsregel; en kode med flere etterfølgere må "
                    "ha regelen «delt».")


def test_a_px_file_with_keys_says_so(tmp_path: Path) -> None:
    # was «DATA har flere verdier enn de 2 cellene»: the keys in front of each line
    f = tmp_path / "tabell.px"
    f.write_bytes(PX.format(regions='"4601 Bergen","5001 Trondheim"', data='"4601" 1.5\n"5001" 2.5')
                  .replace("DATA=", 'KEYS("region")=CODES;\nDATA=').encode("cp1252"))
    refused(run(tmp_path, "inspect", f),
            f"{f}: PX-fila har KEYS(«region») (data med nøkler foran hver linje), som ikke "
            "leses; lagre tabellen fra SSB uten KEYS, som en hel tabell.")


def test_a_mixed_encoding_file_says_so_instead_of_blaming_the_header(tmp_path: Path) -> None:
    # UTF-8 header («år»), then a Windows-1252 byte on line 3: read as Windows-1252 the
    # header became «Ã¥r» and was blamed
    f = tmp_path / "ks.csv"
    f.write_bytes("kommunenummer;år;netto driftsresultat (% av BDI)\n3901;2025;2,5\n"
                  .encode() + b"3903;2025;\xe5\n")
    refused(run(tmp_path, "inspect", f),
            f"{f}, linje 3: teksten blander to tegnkodinger: den er UTF-8 fram til byte 74, "
            "som ikke er det (kanskje Latin-1 eller Windows-1252); lagre fila på nytt i én "
            "koding, helst UTF-8.")


def test_invisible_characters_are_shown_in_the_message(tmp_path: Path) -> None:
    # a byte order mark inside a header cell: the measure is not recognised, and the
    # message shows why (it was printed invisibly)
    f = write(tmp_path, "navn.csv", "region;\ufeffNetto driftsresultat i % av brutto "
              "driftsinntekter (%) 2025\nLørenskog\u200b;4,0\n")
    result = run(tmp_path, "inspect", f)
    assert result.exit_code == 1
    assert "«\\ufeffNetto driftsresultat i % av brutto driftsinntekter (%)»" in result.stderr


def test_a_quote_left_open_in_the_tidy_format_names_its_line(tmp_path: Path) -> None:
    # was pandas' English: «Error tokenizing data. C error: EOF inside string starting at
    # row 2»; the quote opens in the source column of the file's third line
    f = write(tmp_path, "tall.csv", TIDY + tidy_row()
              + '3903,2025,bdi,100,,konsern,"SSB 12134,foreløpige tall,false\n')
    refused(run(tmp_path, "figures", "--sector", "--data", f),
            f"{f}, linje 3: et anførselstegn som åpner en tekst her, lukkes aldri.")
