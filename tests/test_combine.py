"""Several data files as one (``--data a --data b``), and the release each figure keeps.

Real evidence: SSB's 12134 answer (tests/fixtures/ssb/12134_v2_jsonstat2_3kommuner_2024.json,
frie inntekter per innbygger 2024: Oslo 81 240, Bergen 66 605, Trondheim 62 853) split in
two files by region, as a user splits a query past SSB's cap on cells. Where a test needs
two releases of one figure, the later value is constructed (marked in the test).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kommunerapport import cli
from kommunerapport.errors import DataError
from kommunerapport.model import releases
from kommunerapport.sources import readers
from kommunerapport.sources.loading import DataInput, load_dataset

FIXTURES = Path(__file__).parent / "fixtures"
REAL = json.loads((FIXTURES / "ssb" / "12134_v2_jsonstat2_3kommuner_2024.json")
                  .read_text("utf-8"))
GEO = "KOKkommuneregion0000"


def part(doc: dict, codes: list[str], values: list[float] | None = None,
         updated: str | None = None) -> dict:
    """SSB's answer cut to ``codes`` (one content, one year: one value per region)."""
    out = copy.deepcopy(doc)
    cat = out["dimension"][GEO]["category"]
    index = list(cat["index"])
    keep = [index.index(c) for c in codes]
    cat["index"] = {c: i for i, c in enumerate(codes)}
    cat["label"] = {c: cat["label"][c] for c in codes}
    out["size"][out["id"].index(GEO)] = len(codes)
    out["value"] = values if values is not None else [doc["value"][i] for i in keep]
    out.pop("status", None)
    if updated is not None:
        out["updated"] = updated
    return out


def write(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def frie(ds, unit: str) -> float:
    t = ds.table
    return float(t[(t.unit == unit) & (t.measure == "frie_inntekter_innb")
                   & (t.year == 2024)]["value"].iloc[0])


def test_a_split_download_is_read_whole(tmp_path: Path) -> None:
    a = write(tmp_path / "del1.json", part(REAL, ["0301", "4601"]))
    b = write(tmp_path / "del2.json", part(REAL, ["5001"]))
    ds = load_dataset(DataInput((a, b)), announce=False)
    assert (frie(ds, "0301"), frie(ds, "4601"), frie(ds, "5001")) == (81240, 66605, 62853)


def test_the_cli_reads_every_data_file_and_says_so(tmp_path: Path) -> None:
    a = write(tmp_path / "del1.json", part(REAL, ["0301", "4601"]))
    b = write(tmp_path / "del2.json", part(REAL, ["5001", "4601"]))  # Bergen in both
    result = CliRunner().invoke(cli.main, ["figures", "--sector", "--data", str(a), "--data",
                                           str(b), "--year", "2024"])
    assert result.exit_code == 0, result.output
    assert "del1.json: lest som" in result.stderr and "del2.json: lest som" in result.stderr
    assert "Samlet: 2 filer" in result.stderr and "ingen motstridende tall" in result.stderr


def test_an_identical_overlap_is_kept_once(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", part(REAL, ["0301", "4601"]))
    b = write(tmp_path / "b.json", part(REAL, ["4601", "5001"]))
    t = load_dataset(DataInput((a, b)), announce=False).table
    assert len(t[(t.unit == "4601") & (t.measure == "frie_inntekter_innb")]) == 1


def test_a_later_dated_release_wins_and_the_summary_says_so(tmp_path: Path) -> None:
    # March: SSB's real answer (updated 2026-03-16). June: the same figure revised to
    # 66 700 for Bergen (constructed: no real June answer was found).
    march = write(tmp_path / "mars.json", part(REAL, ["4601"]))
    june = write(tmp_path / "juni.json", part(REAL, ["4601"], [66700.0],
                                              "2026-06-15T06:00:00Z"))
    for order in ((march, june), (june, march)):
        ds = load_dataset(DataInput(order), announce=False)
        assert frie(ds, "4601") == 66700
        t = ds.table
        assert set(t.loc[t.unit == "4601", "release"]) == {"reviderte tall 15.06.2026"}
        assert ds.meta["import"]["replaced"] == [
            "4601, frie inntekter per innbygger 2024 (konsern): 66605 (mars.json) erstattet "
            "av 66700 (juni.json, nyere utgivelse)"]


def test_a_conflict_without_dated_releases_is_refused_naming_both(tmp_path: Path) -> None:
    # Two Statistikkbanken downloads without a date, different values for Bergen (the
    # second is constructed).
    head = ('"12134: Utvalgte nøkkeltall"\n\n"region";"statistikkvariabel";"år";"x"\n')
    a = tmp_path / "a.csv"
    a.write_text(head + '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66605\n',
                 encoding="utf-8")
    b = tmp_path / "b.csv"
    b.write_text(head + '"4601 Bergen";"Frie inntekter per innbygger (kr)";"2024";66700\n',
                 encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_dataset(DataInput((a, b)), announce=False)
    assert err.value.format_message() == (
        "a.csv og b.csv gir ulike tall for 4601, frie inntekter per innbygger 2024 (konsern): "
        "66605 og 66700, og ingen av dem har en datert utgivelse som viser hvilken som er "
        "nyest; bruk bare den ene fila, eller rett den som er feil.")
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli.main, ["--county", "Vestland", "--data", str(a), "--data",
                                           str(b), "--out", str(out)])
    assert result.exit_code == 1 and result.stderr.startswith("Feil: a.csv og b.csv gir ulike")
    assert len(result.stderr.strip().splitlines()) == 1 and not out.exists()


# -- Releases -----------------------------------------------------------------------------------

STATBANK = ('"12134: Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern"\n\n'
            '"region";"statistikkvariabel";"år";"x"\n'
            '"4601 Bergen";"Netto driftsresultat i % av brutto driftsinntekter (%)";"2024";-2.4\n'
            '"4601 Bergen";"Netto driftsresultat i % av brutto driftsinntekter (%)";"2025";1.0\n')
# Bergen's NDR 2024 and 2025 as SSB gave them (r16: janbrus and NorMacro agree on both).


def test_a_file_without_a_date_says_the_date_is_unknown(tmp_path: Path) -> None:
    f = tmp_path / "12134.csv"
    f.write_text(STATBANK, encoding="utf-8")
    t = readers.read(f).table
    assert set(t["release"]) == {"Statistikkbanken, uttrekk 12134.csv, dato ukjent"}
    assert releases.parse(t["release"].iloc[0]).date is None


def test_release_option_dates_a_file_that_gives_none(tmp_path: Path) -> None:
    f = tmp_path / "12134.csv"
    f.write_text(STATBANK, encoding="utf-8")
    t = load_dataset(DataInput((f,), releases.parse_date("16.03.2026")), announce=False).table
    got = dict(zip(t.loc[t.unit == "4601", "year"], t.loc[t.unit == "4601", "release"],
                   strict=True))
    # 16 March 2026: 2025's figures are preliminary, 2024's revised (SSB's rhythm)
    assert got == {2024: "reviderte tall 16.03.2026, Statistikkbanken, uttrekk 12134.csv",
                   2025: "foreløpige tall 16.03.2026, Statistikkbanken, uttrekk 12134.csv"}


def test_a_title_or_footnote_line_gives_the_date(tmp_path: Path) -> None:
    f = tmp_path / "12134.csv"
    f.write_text(STATBANK + '\n"Sist oppdatert: 15.06.2026"\n', encoding="utf-8")
    t = readers.read(f).table
    assert set(t.loc[t.year == 2025, "release"]) == {
        "reviderte tall 15.06.2026, Statistikkbanken, uttrekk 12134.csv"}


@pytest.mark.parametrize("value", ["1.13.2026", "16/03/2026", "i går", "31.02.2026"])
def test_an_unparseable_release_date_is_one_line_and_exit_1(tmp_path: Path, value: str) -> None:
    f = tmp_path / "12134.csv"
    f.write_text(STATBANK, encoding="utf-8")
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli.main, ["--county", "Vestland", "--data", str(f),
                                           "--release", value, "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr == (f"Feil: --release «{value}» er ingen dato; skriv DD.MM.ÅÅÅÅ, "
                             "for eksempel 16.03.2026.\n")
    assert not out.exists()


def test_release_without_data_is_refused() -> None:
    result = CliRunner().invoke(cli.main, ["figures", "--sector", "--release", "16.03.2026"])
    assert result.exit_code == 2 and "--release gjelder filer gitt med --data" in result.stderr


PX = '''CHARSET="ANSI";
MATRIX="12134";
TITLE="12134: Utvalgte nøkkeltall for kommuneregnskap";
CONTENTS="Utvalgte nøkkeltall";
UNITS="prosent";
STUB="region";
HEADING="statistikkvariabel","år";
VALUES("region")="4601 Bergen";
VALUES("statistikkvariabel")="Netto driftsresultat i prosent av brutto driftsinntekter",
"Fri egenkapital drift i % av br. driftsinnt. (%)";
VALUES("år")="2025";
TIMEVAL("år")=TLIST(A1),"2025";
LAST-UPDATED="20260316 08:00";
LAST-UPDATED("Fri egenkapital drift i % av br. driftsinnt. (%)")="20260615 08:00";
DATA=
1.0 9.9;
'''  # constructed, in the PX keyword forms SCB's PxWeb test files use (r16)


def test_px_last_updated_per_content_is_read(tmp_path: Path) -> None:
    f = tmp_path / "12134.px"
    f.write_text(PX, encoding="utf-8")
    t = readers.read(f).table
    got = dict(zip(t["measure"], t["release"], strict=True))
    assert got == {"ndr_pct": "foreløpige tall 16.03.2026",
                   "dispfond_pct": "reviderte tall 15.06.2026"}


def test_a_px_date_that_does_not_exist_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "12134.px"
    f.write_text(PX.replace('"20260316 08:00"', '"20261316 08:00"'), encoding="utf-8")
    with pytest.raises(DataError) as err:
        readers.read(f)
    assert err.value.format_message() == (
        f"{f}: LAST-UPDATED «20261316 08:00» er ingen dato som finnes.")


# -- changes OLD NEW on files ---------------------------------------------------------------------

def test_changes_between_two_files_of_one_table(tmp_path: Path) -> None:
    march = write(tmp_path / "mars.json", part(REAL, ["0301", "4601"]))
    june = write(tmp_path / "juni.json", part(REAL, ["4601", "5001"], [66700.0, 62853.0],
                                              "2026-06-15T06:00:00Z"))  # constructed
    result = CliRunner().invoke(cli.main, ["changes", str(march), str(june)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # Bergen's 66 605 (SSB, 16.03.2026) against the constructed 66 700; Trondheim came,
    # Oslo went; the reports that show them
    assert "Bergen, frie inntekter per innbygger 2024: 66\u00a0605 → 66\u00a0700 kr" in lines
    assert "Kommet til: Trondheim." in lines and "Borte: Oslo." in lines
    assert lines[-1] == ("Berørte rapporter: sektorrapporten; fylkesrapportene for Oslo, "
                         "Vestland, Trøndelag; medlemsrapportene for Oslo, Bergen, Trondheim.")


def test_changes_says_what_cannot_be_compared(tmp_path: Path) -> None:
    march = write(tmp_path / "mars.json", part(REAL, ["4601"]))
    other = tmp_path / "kasse.csv"  # a survey-like download in kommunekasse (constructed)
    other.write_text('"Eksempel: netto driftsresultat i prosent, kommunekasse"\n\n'
                     '"region";"Netto driftsresultat i % av brutto driftsinntekter (%) 2024"\n'
                     '"4601 Bergen";"-0,4"\n', encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["changes", str(march), str(other)])
    assert result.exit_code == 0, result.output
    assert "Ingen tall er endret." in result.stdout
    assert "Kan ikke sammenlignes: omfanget konsern finnes bare i den gamle utgivelsen." \
        in result.stdout
    assert "Kan ikke sammenlignes: omfanget kasse finnes bare i den nye utgivelsen." \
        in result.stdout


def test_the_config_dates_a_file_that_gives_none(tmp_path: Path) -> None:
    from pdfs import full_text

    f = tmp_path / "12134.csv"
    f.write_text(STATBANK, encoding="utf-8")
    config = tmp_path / "ks.toml"
    config.write_text("release = 2026-03-16\n", encoding="utf-8")
    out = tmp_path / "ut"
    result = CliRunner().invoke(cli.main, ["--county", "Vestland", "--data", str(f), "--config",
                                           str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = full_text(out / "fylker" / "kommuneokonomi-2025-vestland.pdf")
    # «Om tala», nynorsk (Vestland): 2025 preliminary, dated by the config (the table's
    # columns interleave in the extracted text, so the end of the cell is looked for)
    assert "16.3.2026 (Statistikkbanken, uttrekk 12134.csv) (2025)" in text


def test_a_config_release_that_is_no_date_is_one_line(tmp_path: Path) -> None:
    f = tmp_path / "12134.csv"
    f.write_text(STATBANK, encoding="utf-8")
    config = tmp_path / "ks.toml"
    config.write_text('release = "i mars"\n', encoding="utf-8")
    result = CliRunner().invoke(cli.main, ["--county", "Vestland", "--data", str(f), "--config",
                                           str(config), "--out", str(tmp_path / "ut")])
    assert result.exit_code == 2
    assert result.stderr == (f"Feil: {config}, linje 1: «release» skal være en dato, for "
                             "eksempel 2026-03-16 eller «16.03.2026», ikke «i mars».\n")
