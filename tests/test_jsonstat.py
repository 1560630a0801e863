"""The JSON-stat 2.0 reader, on SSB's real response and on the forms the spec allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunerapport import cli, jsonstat

FIXTURES = Path(__file__).parent / "fixtures" / "ssb"
REAL_12134 = FIXTURES / "12134_v2_jsonstat2_3kommuner_2024.json"


def test_real_12134_values_units_and_notes() -> None:
    ds = jsonstat.load(REAL_12134)
    values = {c.codes["KOKkommuneregion0000"]: c.value for c in ds.cells()}
    # SSB 12134, frie inntekter per innbygger 2024 (kr), updated 16.03.2026
    assert values == {"0301": 81240, "4601": 66605, "5001": 62853}
    assert ds.table_id == "12134"
    assert ds.updated == "2026-03-16T07:00:00Z"
    assert ds.role_of("geo") == "KOKkommuneregion0000"
    assert ds.role_of("time") == "Tid"
    assert ds.unit({"ContentsCode": "KOSAG110000"}) == jsonstat.Unit("kr", 0)
    assert ds.dimension("KOKkommuneregion0000").label_of("5001") == "Trondheim - Tråante"
    assert any("landet uten Oslo publiseres ikke 16. mars 2026" in n for n in ds.notes)
    assert ds.dimension("ContentsCode").elimination is False


def _doc(**over: object) -> dict:
    doc = {
        "version": "2.0", "class": "dataset", "id": ["r", "t"], "size": [2, 2],
        "dimension": {"r": {"label": "region", "category": {"index": ["a", "b"]}},
                      "t": {"label": "år", "category": {"index": {"2024": 0, "2025": 1}}}},
        "value": [1, 2, None, 4],
    }
    doc.update(over)
    return doc


def test_row_major_order_and_dense_status() -> None:
    ds = jsonstat.parse(_doc(status=["", "", "..", ""]))
    cells = [(c.codes["r"], c.codes["t"], c.value, c.status) for c in ds.cells()]
    assert cells == [("a", "2024", 1, ""), ("a", "2025", 2, ""), ("b", "2024", None, ".."),
                     ("b", "2025", 4, "")]


def test_sparse_value_and_status() -> None:
    ds = jsonstat.parse(_doc(value={"0": 1.5, "3": 4}, status={"1": ":", "2": "."}))
    assert [c.value for c in ds.cells()] == [1.5, None, None, 4]
    assert [c.status for c in ds.cells()] == ["", ":", ".", ""]


def test_metadata_without_values() -> None:
    doc = _doc()
    del doc["value"]
    ds = jsonstat.parse(doc)
    assert ds.values == [] and ds.dimension("r").codes == ("a", "b")


@pytest.mark.parametrize(("doc", "message"), [
    ({"class": "collection"}, "ikke et JSON-stat-datasett"),
    (_doc(size=[3, 2]), r"«size» \[3, 2\] stemmer ikke"),
    (_doc(value=[1, 2, 3]), "«value» har 3 elementer, ventet 4"),
    (_doc(value=[1, 2, "x", 4]), "verdien 'x' er ikke et tall"),
    (_doc(id=["r", "q"]), "dimensjonen «q» mangler"),
    (_doc(value={"0": 1, "x": 2}), "«value» har nøkkelen «x», som ikke er et celletall"),
    (_doc(size=4), "«size» skal være en liste, ikke 4"),
    (_doc(id=[["r"], "t"]), "«id» skal være en liste med navn"),
    (_doc(dimension={"r": {"category": {"index": ["a", "b"], "label": ["A", "B"]}},
                     "t": {"category": {"index": ["2024", "2025"]}}}), "uventet innhold"),
])
def test_malformed(doc: dict, message: str) -> None:
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat.parse(doc)


def test_bad_json_names_line() -> None:
    with pytest.raises(jsonstat.JsonStatError, match="linje 2"):
        jsonstat.loads('{"class":\n "dataset",,}')


def test_constructed_metadata_parses() -> None:
    for path in (FIXTURES / "constructed").glob("*_metadata.json"):
        ds = jsonstat.parse(json.loads(path.read_text("utf-8")))
        assert ds.role_of("geo") and ds.role_of("time"), path.name


def test_cells_of_metadata_is_a_clear_error() -> None:
    doc = _doc()
    del doc["value"]
    with pytest.raises(jsonstat.JsonStatError, match="er metadata, ikke data"):
        list(jsonstat.parse(doc).cells())


def _saved(tmp_path: Path, name: str, doc: dict) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


REAL = json.loads(REAL_12134.read_text("utf-8"))
NOT_DATA = {
    "metadata": (json.loads((FIXTURES / "constructed" / "12134_metadata.json").read_text("utf-8")),
                 "er metadata, ikke data (JSON-stat uten «value»)"),
    "sparse value, key not a number": ({**REAL, "value": {"0": 1, "første": 2}},
                                       "«value» har nøkkelen «første», som ikke er et celletall"),
    "size not a list": ({**REAL, "size": "3"}, "«size» skal være en liste, ikke '3'"),
    "updated not a date": ({**REAL, "updated": "i går"}, "«updated» er «i går», ikke en dato"),
    "a year that is not one": (
        {**REAL, "dimension": {**REAL["dimension"], "Tid": {
            "label": "år", "category": {"index": {"i fjor": 0}, "label": {"i fjor": "i fjor"}}}}},
        "«i fjor» i tidsdimensjonen er ikke et år"),
}


@pytest.mark.parametrize(("doc", "message"), NOT_DATA.values(), ids=NOT_DATA.keys())
def test_cli_figures_with_json_that_is_not_data(tmp_path: Path, runner, doc: dict,  # noqa: ANN001
                                                message: str) -> None:
    path = _saved(tmp_path, "lagret.json", doc)
    result = runner.invoke(cli.main, ["figures", "--sector", "--data", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Feil: {path}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
