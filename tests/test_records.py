"""The record the report writer leaves beside each PDF, and what it vouches for."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kommunerapport.model.config import Config
from kommunerapport.outputs import records
from kommunerapport.reports import member_report, member_target, shared_figures, write

YEAR = 2025


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, dataset, register) -> dict[str, Path]:
    """Kinn (municipal figures: the built-in sample) and Vestfold fylkeskommune (SSB 13561)."""
    out = tmp_path_factory.mktemp("records")
    shared = shared_figures(dataset, register, YEAR)
    return {number: write(member_report(dataset, register, number, YEAR, None, Config(),
                                        shared=shared),
                          member_target(register, number, YEAR, out))
            for number in ("4602", "39")}


def test_the_writer_records_what_it_wrote(written: dict[str, Path]) -> None:
    kinn = written["4602"]
    raw = json.loads(records.record_path(kinn).read_text("utf-8"))
    assert records.record_path(kinn) == kinn.parent / ".rapportregister" / (kinn.name + ".json")
    assert raw["sha256"] == hashlib.sha256(kinn.read_bytes()).hexdigest()
    assert raw["size"] == kinn.stat().st_size
    assert (raw["file"], raw["kind"], raw["number"], raw["year"], raw["lang"]) == (
        "kommuneokonomi-2025-4602-kinn.pdf", "member", "4602", 2025, "nn")  # Kinn: nynorsk
    assert raw["format"] == records.FORMAT and raw["tool"].startswith("kommunerapport ")


def test_sample_follows_the_data_not_the_template(written: dict[str, Path]) -> None:
    # As tests/test_member.py: municipal accounts are sample data, a county
    # authority's are SSB 13561's own.
    assert records.read_record(written["4602"]).sample is True
    assert records.read_record(written["39"]).sample is False
    assert records.read_record(written["39"]).number == "39"


@pytest.mark.parametrize(("name", "expected"), [
    ("kommuneokonomi-2025-4602-kinn.pdf", (2025, "4602")),
    ("kommuneokonomi-2024-fk46-vestland.pdf", (2024, "46")),
    ("kommuneokonomi-2025-vestland-nb.pdf", (2025, None)),  # a county report
    ("kommuneokonomi-2025-landet.pdf", (2025, None)),
    ("rapport.pdf", (None, None)),
])
def test_year_and_number_come_from_the_tools_own_names(name: str, expected: tuple) -> None:
    assert records.year_and_number(name) == expected


def copy_with_record(src: Path, folder: Path) -> Path:
    folder.joinpath(records.RECORD_DIR).mkdir(parents=True, exist_ok=True)
    pdf = folder / src.name
    pdf.write_bytes(src.read_bytes())
    records.record_path(pdf).write_bytes(records.record_path(src).read_bytes())
    return pdf


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_vouches_only_for_the_bytes_written(written: dict[str, Path],
                                                   tmp_path: Path) -> None:
    pdf = copy_with_record(written["4602"], tmp_path)  # a copied folder keeps its records
    record, why = records.check(pdf, sha(pdf))
    assert (record.number, why) == ("4602", None)
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited")
    assert records.check(pdf, sha(pdf)) == (None, "endret etter at kommunerapport skrev den")


def test_a_renamed_copy_has_no_record(written: dict[str, Path], tmp_path: Path) -> None:
    pdf = copy_with_record(written["4602"], tmp_path)
    renamed = pdf.with_name("kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf")
    renamed.write_bytes(pdf.read_bytes())
    assert records.check(renamed, sha(renamed)) == (
        None, "ikke registrert som skrevet av kommunerapport")


FUTURE = "every field, but a format this version does not know"


@pytest.mark.parametrize("text", ["{not json", "[]", '{"format": 1}', FUTURE])
def test_a_garbled_record_vouches_for_nothing(written: dict[str, Path], tmp_path: Path,
                                              text: str) -> None:
    pdf = copy_with_record(written["4602"], tmp_path)
    if text == FUTURE:
        raw = json.loads(records.record_path(pdf).read_text("utf-8"))
        text = json.dumps(raw | {"format": records.FORMAT + 1})
    records.record_path(pdf).write_text(text, encoding="utf-8")
    assert records.check(pdf, sha(pdf)) == (
        None, f"registreringen .rapportregister/{pdf.name}.json kan ikke leses")
    with pytest.raises(records.RecordError, match=r"Registreringen .* er ikke i formatet|"
                                                  r"Kan ikke lese registreringen"):
        records.read_record(pdf)


def test_an_unwritable_record_folder_is_one_line(written: dict[str, Path],
                                                 tmp_path: Path) -> None:
    pdf = tmp_path / written["39"].name
    pdf.write_bytes(written["39"].read_bytes())
    (tmp_path / records.RECORD_DIR).write_text("a file where the folder should be")
    with pytest.raises(records.OutputError) as caught:
        records.record_written(pdf, kind="member", lang="nb", sample=False)
    assert caught.value.format_message() == (
        f"Kan ikke skrive registreringen {records.record_path(pdf)}: finnes fra før (EEXIST).")
