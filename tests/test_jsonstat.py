"""The JSON-stat 2.0 reader, on SSB's real response and on the forms the spec allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunerapport import jsonstat

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
