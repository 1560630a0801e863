"""The JSON-stat 2.0 reader, on SSB's real response and on the forms the spec allows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kommunerapport import cli
from kommunerapport.sources import jsonstat

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
def test_cli_figures_with_json_that_is_not_data(tmp_path: Path, runner: CliRunner,
                                                doc: dict[str, object], message: str) -> None:
    path = _saved(tmp_path, "lagret.json", doc)
    result = runner.invoke(cli.main, ["figures", "--sector", "--data", str(path)])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith(f"Feil: {path}: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


# -- JSON-stat 2.0 forms the spec allows, one at a time ----------------------------------------

def test_a_single_category_may_be_given_by_its_label_alone() -> None:
    # JSON-stat 2.0: «index» may be left out when a dimension has one category
    doc = _doc(id=["r", "c"], size=[2, 1], value=[1, 2],
               dimension={"r": {"category": {"index": ["a", "b"]}},
                          "c": {"category": {"label": {"ndr": "Netto driftsresultat"}}}})
    ds = jsonstat.parse(doc)
    assert ds.dimension("c").codes == ("ndr",)
    assert ds.dimension("c").label_of("ndr") == "Netto driftsresultat"
    assert ds.dimension("r").label_of("a") == "a"  # no label: the code


def test_two_categories_without_an_index_are_an_error() -> None:
    doc = _doc(dimension={"r": {"category": {"label": {"a": "A", "b": "B"}}},
                          "t": {"category": {"index": ["2024", "2025"]}}})
    with pytest.raises(jsonstat.JsonStatError, match="dimensjonen «r» mangler category.index"):
        jsonstat.parse(doc)


def test_index_as_an_object_is_ordered_by_position_not_by_key() -> None:
    doc = _doc(dimension={"r": {"category": {"index": {"b": 1, "a": 0}}},
                          "t": {"category": {"index": {"2025": 1, "2024": 0}}}})
    assert [c.codes for c in jsonstat.parse(doc).cells()][:2] == [
        {"r": "a", "t": "2024"}, {"r": "a", "t": "2025"}]


def test_units_decimals_roles_and_elimination() -> None:
    doc = _doc(role={"geo": ["r"], "time": ["t"]},
               dimension={"r": {"label": "region", "category": {"index": ["a", "b"]},
                                "extension": {"elimination": True}},
                          "t": {"category": {"index": ["2024", "2025"],
                                             "unit": {"2024": {"base": "1000 kr",
                                                               "decimals": 0}}}}},
               extension={"px": {"tableid": "12134", "decimals": 1}})
    ds = jsonstat.parse(doc)
    assert (ds.role_of("geo"), ds.role_of("time"), ds.role_of("metric")) == ("r", "t", None)
    assert ds.dimension("r").elimination is True and ds.dimension("t").elimination is False
    assert ds.unit({"r": "a", "t": "2024"}) == jsonstat.Unit("1000 kr", 0)
    assert ds.unit({"r": "a", "t": "2025"}) is None
    assert (ds.table_id, ds.decimals) == ("12134", 1)


def test_one_status_symbol_for_every_cell() -> None:
    # the spec lets «status» be one string that holds for all cells
    ds = jsonstat.parse(_doc(value=[None] * 4, status=".."))
    assert [(c.value, c.status) for c in ds.cells()] == [(None, "..")] * 4


def test_notes_as_one_string_or_a_list_and_per_category() -> None:
    doc = _doc(note="Foreløpige tall.",
               dimension={"r": {"category": {"index": ["a", "b"], "note": {"b": ["Ny i 2024."]}}},
                          "t": {"category": {"index": ["2024", "2025"]}}})
    ds = jsonstat.parse(doc)
    assert ds.notes == ["Foreløpige tall."]
    assert ds.dimension("r").notes == {"b": ["Ny i 2024."]}
    assert jsonstat.parse(_doc(note=["En.", "To."])).notes == ["En.", "To."]


@pytest.mark.parametrize(("value", "message"), [
    (True, "verdien True er ikke et tall"),
    (float("inf"), "verdien inf er ikke et endelig tall"),
    (float("nan"), "verdien nan er ikke et endelig tall"),
    (10 ** 400, "er for stor til å være et tall"),
])
def test_a_value_no_float_holds_is_an_error_never_missing(value: object, message: str) -> None:
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat.parse(_doc(value=[1, 2, value, 4]))


@pytest.mark.parametrize(("value", "message"), [
    ({"4": 1}, r"«value» har indeks 4 utenfor 0–3"),
    ({"-1": 1}, r"«value» har indeks -1 utenfor 0–3"),
    ("1,2,3,4", "«value» har ugyldig form"),
])
def test_sparse_values_out_of_range_or_of_no_form(value: object, message: str) -> None:
    with pytest.raises(jsonstat.JsonStatError, match=message):
        jsonstat.parse(_doc(value=value))


def test_the_cell_count_is_checked_before_values_are_made(monkeypatch: pytest.MonkeyPatch) -> None:
    from kommunerapport.sources import limits

    monkeypatch.setattr(limits, "MAX_VALUES", 3)
    with pytest.raises(jsonstat.JsonStatError, match=r"datasettet har 4 celler \(2 × 2\), over "
                                                     r"grensen for verdier på 3"):
        jsonstat.parse(_doc(value={"0": 1}))
    doc = _doc()
    del doc["value"]  # metadata: no values are made, so no limit
    assert jsonstat.parse(doc).is_metadata


def test_loads_checks_nesting_before_parsing() -> None:
    with pytest.raises(jsonstat.JsonStatError, match="nestet 1000 nivåer dypt"):
        jsonstat.loads("[" * 1000 + "]" * 1000)


# -- JSON-stat 1.x (SSB's older API): lifted into 2.0 form ---------------------------------------

V1 = {"dataset": {
    "label": "12134: Utvalgte nøkkeltall", "updated": "2026-03-16T07:00:00Z",
    "dimension": {
        "id": ["Region", "ContentsCode", "Tid"], "size": [2, 1, 1],
        "role": {"geo": ["Region"], "time": ["Tid"]},
        "Region": {"label": "region", "category": {"index": {"K-4601": 0, "EAKUO": 1},
                                                   "label": {"K-4601": "Bergen",
                                                             "EAKUO": "Landet uten Oslo"}}},
        "ContentsCode": {"label": "statistikkvariabel", "category": {
            "index": {"KOSAGD230000": 0},
            "label": {"KOSAGD230000": "Netto driftresultat i prosent av brutto driftsinntekter"},
            "unit": {"KOSAGD230000": {"base": "prosent", "decimals": 1}}}},
        "Tid": {"label": "år", "category": {"index": {"2025": 0}}}},
    "value": [1.0, 2.1]}}


def test_is_v1_tells_the_old_bundle_from_json_stat2() -> None:
    assert jsonstat.is_v1(V1)
    assert not jsonstat.is_v1(_doc())  # 2.0 has «class»
    assert not jsonstat.is_v1({"dataset": {"dimension": {"Region": {}}}})  # no dimension.id
    assert not jsonstat.is_v1([V1]) and not jsonstat.is_v1(None)


def test_from_v1_lifts_id_size_and_role_and_reads_like_v2() -> None:
    doc = jsonstat.from_v1(V1)
    assert (doc["class"], doc["id"], doc["size"]) == ("dataset", ["Region", "ContentsCode", "Tid"],
                                                      [2, 1, 1])
    ds = jsonstat.parse(doc)
    assert ds.role_of("geo") == "Region" and ds.updated == "2026-03-16T07:00:00Z"
    assert [(c.codes["Region"], c.value) for c in ds.cells()] == [("K-4601", 1.0), ("EAKUO", 2.1)]
    assert ds.unit({"ContentsCode": "KOSAGD230000"}) == jsonstat.Unit("prosent", 1)


def test_from_v1_without_dimension_ids_is_one_line() -> None:
    broken = {"dataset": {"dimension": {"id": "Region"}, "value": []}}
    with pytest.raises(jsonstat.JsonStatError, match="datasettet «dataset» mangler dimension.id"):
        jsonstat.from_v1(broken)


def test_the_two_readers_give_the_same_rows_for_the_same_cells(tmp_path: Path) -> None:
    from kommunerapport.sources import readers

    v1 = _saved(tmp_path, "v1.json", V1)
    v2 = _saved(tmp_path, "v2.json", jsonstat.from_v1(V1))
    assert readers.detect(v1).__name__.endswith("jsonstat1")
    assert readers.detect(v2).__name__.endswith("jsonstat2")
    rows = [readers.read(p).table[["unit", "year", "measure", "value", "release"]]
            .to_dict("records") for p in (v1, v2)]
    assert rows[0] == rows[1] == [
        {"unit": "4601", "year": 2025, "measure": "ndr_pct", "value": 1.0,
         "release": "foreløpige tall 16.03.2026"},
        {"unit": "EAKUO", "year": 2025, "measure": "ndr_pct", "value": 2.1,
         "release": "foreløpige tall 16.03.2026"}]
