"""File names and one run at a time in a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kommunerapport.errors import OutputError
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.outputs.names import report_name, slug

SECTOR, COUNTY, MEMBER = ReportKind.SECTOR, ReportKind.COUNTY, ReportKind.MEMBER


def test_names_follow_one_scheme() -> None:
    assert report_name(SECTOR, 2025) == "kommuneokonomi-2025-landet.pdf"
    assert report_name(COUNTY, 2025, "15", "Møre og Romsdal") == (
        "kommuneokonomi-2025-more-og-romsdal.pdf")
    assert report_name(MEMBER, 2025, "3903", "Holmestrand") == (
        "kommuneokonomi-2025-3903-holmestrand.pdf")
    assert report_name(MEMBER, 2025, "39", "Vestfold") == "kommuneokonomi-2025-fk39-vestfold.pdf"


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
