"""File names and folders, and one run at a time in a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kommunerapport.errors import OutputError
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.outputs.names import member_files, report_name, report_path, slug

SECTOR, COUNTY, MEMBER = ReportKind.SECTOR, ReportKind.COUNTY, ReportKind.MEMBER


def test_names_follow_one_scheme() -> None:
    assert report_name(SECTOR, 2025) == "kommuneokonomi-2025-landet.pdf"
    assert report_name(COUNTY, 2025, "15", "Møre og Romsdal") == (
        "kommuneokonomi-2025-more-og-romsdal.pdf")
    assert report_name(MEMBER, 2025, "3903", "Holmestrand") == (
        "kommuneokonomi-2025-3903-holmestrand.pdf")
    # A county authority says so in words, not «fk39».
    assert report_name(MEMBER, 2025, "39", "Vestfold") == (
        "kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf")


def test_each_kind_has_a_folder_of_its_own() -> None:
    out = Path("output")
    assert report_path(out, SECTOR, 2025) == out / "sektor" / "kommuneokonomi-2025-landet.pdf"
    assert report_path(out, COUNTY, 2025, "39", "Vestfold") == (
        out / "fylker" / "kommuneokonomi-2025-vestfold.pdf")
    assert report_path(out, MEMBER, 2025, "3903", "Holmestrand") == (
        out / "kommuner" / "kommuneokonomi-2025-3903-holmestrand.pdf")
    assert report_path(out, MEMBER, 2025, "39", "Vestfold") == (
        out / "fylkeskommuner" / "kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf")


def test_a_members_files_are_found_by_number_in_its_kinds_folder(tmp_path: Path) -> None:
    for path in (report_path(tmp_path, MEMBER, 2025, "39", "Vestfold"),
                 report_path(tmp_path, MEMBER, 2024, "39", "Vestfold"),
                 report_path(tmp_path, MEMBER, 2025, "3901", "Horten"),
                 report_path(tmp_path, MEMBER, 2025, "3903", "Holmestrand"),
                 report_path(tmp_path, COUNTY, 2025, "39", "Vestfold")):
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"%PDF")
    assert [p.name for p in member_files(tmp_path, "39")] == [
        "kommuneokonomi-2024-39-vestfold-fylkeskommune.pdf",
        "kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf"]
    assert [p.name for p in member_files(tmp_path, "3901")] == [
        "kommuneokonomi-2025-3901-horten.pdf"]


def test_another_language_gets_its_own_file() -> None:
    # Vestland's own report is nynorsk; --lang nb must not overwrite it.
    assert report_name(COUNTY, 2025, "46", "Vestland", "nb") == (
        "kommuneokonomi-2025-vestland-nb.pdf")
    assert report_name(SECTOR, 2025, lang="nn") == "kommuneokonomi-2025-landet-nn.pdf"


def test_only_the_first_official_form_goes_into_a_name() -> None:
    assert slug("Guovdageaidnu - Kautokeino") == "guovdageaidnu"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock: POSIX")
def test_a_folder_is_held_by_one_run_at_a_time(tmp_path: Path) -> None:
    with folder_lock(tmp_path), \
            pytest.raises(OutputError, match="En annen kjøring av kommunerapport"), \
            folder_lock(tmp_path):
        pass
    with folder_lock(tmp_path):
        pass  # free again once the first run is done
    assert list(tmp_path.iterdir()) == []  # no lock file left behind
