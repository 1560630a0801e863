"""The record the report writer leaves beside each PDF, and what it vouches for."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from kommunerapport.errors import OutputError
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
    # Nobody approved it: a draft, with «UTKAST» on its pages.
    assert (raw["status"], raw["approved_by"], raw["approved_at"]) == ("draft", None, None)
    assert raw["pages"] == 2 and raw["kit"] is None
    assert raw["fingerprint"] != raw["written_as"]


def test_a_county_authority_is_named_in_words_and_recorded_by_number(
        written: dict[str, Path]) -> None:
    vestfold = written["39"]
    assert vestfold.parent.name == "fylkeskommuner"
    assert vestfold.name == "kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf"
    assert records.read_record(vestfold).number == "39"


def test_sample_follows_the_data_not_the_template(written: dict[str, Path]) -> None:
    # As tests/test_member.py: municipal accounts are sample data, a county
    # authority's are SSB 13561's own.
    assert records.read_record(written["4602"]).sample is True
    assert records.read_record(written["39"]).sample is False


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
    assert records.current(pdf) == record
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited")
    assert records.check(pdf, sha(pdf)) == (None, "endret etter at kommunerapport skrev den")
    assert records.current(pdf) is None


def test_a_renamed_copy_has_no_record(written: dict[str, Path], tmp_path: Path) -> None:
    pdf = copy_with_record(written["4602"], tmp_path)
    renamed = pdf.with_name("kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf")
    renamed.write_bytes(pdf.read_bytes())
    assert records.check(renamed, sha(renamed)) == (
        None, "ikke registrert som skrevet av kommunerapport")


def test_only_a_pdf_with_its_matching_record_is_current(written: dict[str, Path],
                                                        tmp_path: Path) -> None:
    # What --skip-existing and a rerun trust: not a PDF without a record (a full disk
    # between the two), not a 0-byte file, not a link to the real thing.
    alone = tmp_path / written["39"].name
    alone.write_bytes(written["39"].read_bytes())
    assert records.current(alone) is None
    empty = copy_with_record(written["4602"], tmp_path / "tom")
    empty.write_bytes(b"")
    assert records.current(empty) is None
    linked = tmp_path / "lenke"
    copy_with_record(written["4602"], linked).unlink()
    (linked / written["4602"].name).symlink_to(written["4602"])
    assert records.current(linked / written["4602"].name) is None


FUTURE = "every field, but a format this version does not know"


@pytest.mark.parametrize("text", ["{not json", "[]", '{"format": 2}', FUTURE])
def test_a_garbled_record_vouches_for_nothing(written: dict[str, Path], tmp_path: Path,
                                              text: str) -> None:
    pdf = copy_with_record(written["4602"], tmp_path)
    if text == FUTURE:
        raw = json.loads(records.record_path(pdf).read_text("utf-8"))
        text = json.dumps(raw | {"format": records.FORMAT + 1})
    records.record_path(pdf).write_text(text, encoding="utf-8")
    assert records.check(pdf, sha(pdf)) == (
        None, f"registreringen .rapportregister/{pdf.name}.json kan ikke leses")
    with pytest.raises(records.RecordError, match=r"Registreringen .* er ikke (i formatet|"
                                                  r"gyldig JSON)"):
        records.read_record(pdf)


def test_a_record_of_an_older_format_is_refused(written: dict[str, Path],
                                                tmp_path: Path) -> None:
    # Format 1 had no fingerprint or status: send cannot tell a draft from it.
    pdf = copy_with_record(written["4602"], tmp_path)
    raw = json.loads(records.record_path(pdf).read_text("utf-8"))
    old = {k: raw[k] for k in ("file", "sha256", "size", "kind", "number", "year", "lang",
                               "sample", "written_at", "tool")} | {"format": 1}
    records.record_path(pdf).write_text(json.dumps(old), "utf-8")
    with pytest.raises(records.RecordError, match="ikke i formatet denne versjonen"):
        records.read_record(pdf)


def test_an_unwritable_record_folder_is_one_line(written: dict[str, Path],
                                                 tmp_path: Path) -> None:
    pdf = tmp_path / written["39"].name
    pdf.write_bytes(written["39"].read_bytes())
    (tmp_path / records.RECORD_DIR).write_text("a file where the folder should be")
    with pytest.raises(OutputError) as caught:
        records.record_written(pdf, kind="member", number="39", year=2025, lang="nb",
                               sample=False, fingerprint="0" * 64, written_as="1" * 64)
    assert caught.value.format_message() == (
        f"Kan ikke lage mappen {tmp_path / records.RECORD_DIR}: det er en fil med det navnet. "
        "Flytt fila, eller velg en annen mappe med --out.")


def test_a_linked_register_folder_is_never_written_through(written: dict[str, Path],
                                                           tmp_path: Path) -> None:
    # Issue 20: a symlinked .rapportregister made the tool write outside the folder.
    outside = tmp_path / "utenfor"
    outside.mkdir()
    folder = tmp_path / "rapporter"
    folder.mkdir()
    (folder / records.RECORD_DIR).symlink_to(outside)
    pdf = folder / written["39"].name
    pdf.write_bytes(written["39"].read_bytes())
    with pytest.raises(OutputError) as caught:
        records.record_written(pdf, kind="member", number="39", year=2025, lang="nb",
                               sample=False, fingerprint="0" * 64, written_as="1" * 64)
    assert caught.value.format_message() == (
        f"{folder / records.RECORD_DIR} er en symbolsk lenke; kommunerapport skriver bare i "
        "egne mapper, ikke gjennom lenker. Fjern den, og kjør på nytt.")
    assert os.listdir(outside) == []
    with pytest.raises(records.RecordError, match="er en symbolsk lenke; kommunerapport "
                                                  "følger ikke lenker"):
        records.read_record(pdf)
