"""The conformance corpus: every file shape SSB (and KS) deliver, each with its figures.

Real files (copied byte for byte, origins in fixtures/README.md) come first; the
constructed ones (fixtures/conformance/build_constructed.py) carry real figures
where the comment says so. Each row: the file, the reader that must claim it,
cells that must be read exactly, and the reasons it must report for what it left out.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kommunerapport.errors import DataError
from kommunerapport.sources import jsonstat, readers
from kommunerapport.sources.readers import px
from kommunerapport.sources.readers.base import Source
from kommunerapport.sources.rows import NOT_A_MEASURE, OLD_REGION, OTHER_REGION

HERE = Path(__file__).parent
FIX = HERE / "fixtures"
REAL = FIX / "conformance" / "real"
MADE = FIX / "conformance" / "constructed"

# SSB 12134, NDR % of BDI, 2023/2024/2025 (SSB's API, see build_constructed.py)
NDR = {("4601", 2023, "ndr_pct"): 0.7, ("4601", 2024, "ndr_pct"): -2.4,
       ("4601", 2025, "ndr_pct"): 1.0, ("EKG12", 2023, "ndr_pct"): 1.6,
       ("EKG12", 2024, "ndr_pct"): 0.1, ("EKG12", 2025, "ndr_pct"): 3.2,
       ("EAKUO", 2023, "ndr_pct"): 1.0, ("EAKUO", 2024, "ndr_pct"): -0.3,
       ("EAKUO", 2025, "ndr_pct"): 2.1}
# SSB 12134, frie inntekter per innbygger 2024 (kr), updated 16.03.2026
FRIE = {("0301", 2024, "frie_inntekter_innb"): 81240.0,
        ("4601", 2024, "frie_inntekter_innb"): 66605.0,
        ("5001", 2024, "frie_inntekter_innb"): 62853.0}

CORPUS = [
    # --- real files
    (FIX / "ssb" / "12134_v2_jsonstat2_3kommuner_2024.json", "jsonstat2", FRIE, set()),
    # SSB 07459 via api/v0 as json-stat2 (K- codes, 2022): Oslo 699 827, Bergen 286 930
    (REAL / "07459_v0_jsonstat2_kommuner_2022.json", "jsonstat2",
     {("0301", 2022, "folkemengde"): 699827.0, ("4601", 2022, "folkemengde"): 286930.0,
      ("5001", 2022, "folkemengde"): 210496.0}, {OLD_REGION, OTHER_REGION}),
    # SSB 12134 as retyped in sources/facts (16.03.2026): names, no codes
    (REAL / "kostra_12134_utvalgte_regioner_2020-2025.csv", "named",
     {("EAK", 2024, "ndr_pct"): -0.4, ("EAKUO", 2024, "ndr_pct"): -0.3,
      ("EKG08", 2024, "ndr_pct"): -0.1, ("3222", 2024, "ndr_pct"): 0.2,
      ("0301", 2024, "frie_inntekter_innb"): 81240.0}, set()),
    # --- constructed from SSB's documented layouts
    (MADE / "12134_v2_jsonstat2_driftresultat.json", "jsonstat2", NDR, set()),
    (MADE / "12134_v0_jsonstat1_driftresultat.json", "jsonstat1", NDR, set()),
    (MADE / "12134_driftresultat.px", "px", NDR, set()),
    (MADE / "12134_pxwebapi_csv_default.csv", "pxweb_csv", NDR, set()),
    (MADE / "12134_pxwebapi_csv_usetexts_semikolon_tittel.csv", "pxweb_csv", NDR, set()),
    (MADE / "12134_pxwebapi_csv_usecodesandtexts_tab.csv", "pxweb_csv",
     {**NDR, ("0301", 2024, "frie_inntekter_innb"): 81240.0}, set()),
    (MADE / "12134_statbank_aar_som_kolonner_utf8_bom.csv", "statbank", NDR, set()),
    (MADE / "12134_statbank_eksport.xlsx", "statbank", NDR, set()),
    (MADE / "12134_regionnavn.xlsx", "named",
     {("EAK", 2024, "ndr_pct"): -0.4, ("EKG08", 2024, "ndr_pct"): -0.1,
      ("3222", 2024, "ndr_pct"): 0.2}, set()),
    # made-up figures (oppdiktet), the 12143 layout
    (MADE / "12143_statbank_regioner_som_kolonner_cp1252.csv", "statbank",
     {("1120", 2024, "dispfond"): 123456.0, ("1121", 2024, "dispfond_pct"): 7.6,
      ("1120", 2025, "dispfond_pct"): None, ("1121", 2025, "dispfond_pct"): None},
     {NOT_A_MEASURE}),
    (MADE / "13551_v2_jsonstat2_driftsutgifter.json", "jsonstat2",
     {("4601", 2024, "bdu"): 23500000.0, ("4601", 2025, "bdi"): 25200000.0,
      ("4601", 2024, "ndr"): -100000.0}, set()),
    # --- the project's own files
    (FIX / "imports" / "statbank_12134_regioner_som_rader_latin1.csv", "statbank",
     {**FRIE, ("EAKUO", 2025, "ndr_pct"): None}, set()),
    (FIX / "imports" / "statbank_12134_regioner_som_kolonner_utf8.csv", "statbank", FRIE, set()),
    (FIX / "imports" / "statbank_eksempel_ndr_kasse.csv", "statbank",
     {("4601", 2025, "ndr_pct"): 2.1, ("4612", 2025, "ndr_pct"): None}, set()),
    (HERE.parent / "examples" / "ks-undersokelse.csv", "survey",
     {("4601", 2025, "bdi"): 26105600.0, ("4601", 2025, "ndr_pct"): 2.1}, set()),
    (HERE.parent / "examples" / "ks-undersokelse.xlsx", "survey",
     {("4601", 2025, "bdi"): 26105600.0, ("4601", 2025, "ndr_pct"): 2.1}, set()),
    (HERE.parent / "src" / "kommunerapport" / "data" / "dataset.csv", "tidy",
     {("EAFKUO", 2025, "ndr_pct"): 4.3}, set()),
]


@pytest.mark.parametrize(("path", "reader", "expected", "reasons"), CORPUS,
                         ids=[c[0].name for c in CORPUS])
def test_corpus_file(path: Path, reader: str, expected: dict, reasons: set[str]) -> None:
    assert readers.detect(path).__name__.rsplit(".", 1)[-1] == reader
    ds = readers.read(path)
    t = ds.table
    got = {(r.unit, r.year, r.measure): (None if r.status else r.value) for r in t.itertuples()}
    for key, value in expected.items():
        assert key in got, key
        assert got[key] == (pytest.approx(value) if value is not None else None), key
    assert set(ds.meta["import"]["skipped"]) == reasons
    assert readers.summary(ds)[0].startswith(f"{path.name}: lest som ")


def test_corpus_has_twenty_files() -> None:
    assert len(CORPUS) >= 20


def test_real_jsonstat1_from_ssb_parses_but_has_no_region() -> None:
    # SSB api/v0 dataset 29843 (industrial production): JSON-stat 1.x, no region dimension
    path = REAL / "29843_v0_jsonstat1.json"
    ds = jsonstat.parse(jsonstat.from_v1(Source(path).json))
    assert ds.ids == ["PKoder", "ContentsCode", "Tid"]
    assert len(ds.values) == 20 * 6 * 312 == 37440
    assert ds.updated == "2016-02-13T14:00:25Z"
    assert ds.status[0] == "."  # SSB: «.» cannot occur (before the series started)
    first = next(c for c in ds.cells() if c.value is not None)
    assert (first.codes["PKoder"], first.codes["Tid"], first.value) == ("P1021", "1995M01", 114.6)
    with pytest.raises(DataError, match="finner ikke region- og tidsdimensjonen"):
        readers.read(path)


def test_real_px_file_parses_with_its_symbols() -> None:
    # INE's 27067.px (pyaxis's test data): 1 × 29 × 4 × 7 cells, «..» for withheld ones
    entries, tokens, _ = px.parse(px.text_of(Source(REAL / "ine_27067.px")))
    assert entries[("STUB", "")] == ["Comunidades y Ciudades Autónomas", "Divisiones"]
    assert len(tokens) == 1 * 29 * 4 * 7 == 812
    assert tokens[0] == ".."
    with pytest.raises(DataError, match="ingen region- og årsvariabel"):
        readers.read(REAL / "ine_27067.px")


def test_nil_is_zero_and_symbols_are_kept(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text('"12134: Utvalgte nøkkeltall"\n"region";"statistikkvariabel";"2024";"2025"\n'
                 '"0301 Oslo";"Netto driftsresultat i prosent av brutto driftsinntekter '
                 '(prosent)";"-";":"\n', encoding="utf-8")
    t = readers.read(f).table
    assert list(t["value"].fillna(-99)) == [0.0, -99]  # «-» is 0; «:» is missing
    assert list(t["status"]) == ["", ":"]


def test_inspect_prints_the_summary_and_data_prints_it_on_stderr(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kommunerapport import cli

    path = MADE / "12143_statbank_regioner_som_kolonner_cp1252.csv"
    result = CliRunner().invoke(cli.main, ["inspect", str(path)])
    assert result.exit_code == 0, result.output
    assert "lest som Statistikkbanken-uttrekk (CSV)" in result.output
    assert "Lest: 2 mål × 2 år (2024–2025) × 2 enheter (2 kommuner) = 6 verdier" in result.output
    assert "Hoppet over 2 celler – kategorier som ikke er mål" in result.output
    # figures --data: the same summary on stderr, the figures on stdout
    result = CliRunner().invoke(cli.main, ["figures", "--sector", "--year", "2024", "--data",
                                           str(MADE / "12134_v2_jsonstat2_driftresultat.json")])
    assert result.exit_code == 0, result.output
    assert "lest som JSON-stat2 (PxWebApi)" in result.stderr
    assert "Utfylt fra innebygde tall (fila mangler dem): SSB 13561" in result.stderr


def test_file_wins_and_builtin_fills_only_what_it_lacks_with_both_provenances() -> None:
    from kommunerapport.sources.loading import BUILTIN_MARK, load_dataset

    ds = load_dataset(MADE / "12134_v2_jsonstat2_driftresultat.json", announce=False)
    t = ds.table
    eakuo = t[(t.unit == "EAKUO") & (t.measure == "ndr_pct")]
    # the file's three years only; the built-in 2020–2025 figures of EAKUO are not mixed in
    assert sorted(eakuo["year"]) == [2023, 2024, 2025]
    assert set(eakuo["release"]) == {"reviderte tall 15.06.2026"}
    filled = t[t["release"].str.endswith(BUILTIN_MARK)]
    own = set(zip(t["unit"][:9], t["measure"][:9], strict=True))
    assert not filled.empty and not set(zip(filled["unit"], filled["measure"], strict=True)) & own
    kinds = [p["kind"] for p in ds.meta["provenance"]]
    assert kinds == ["fil", "innebygd"]
    assert "SSB 13561" in ds.meta["provenance"][1]["sources"]
