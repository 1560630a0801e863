"""File names and safe writing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kommunerapport import outputs


def test_names_follow_one_scheme() -> None:
    assert outputs.sector_name(2025) == "kommuneokonomi-2025-landet.pdf"
    assert outputs.county_name(2025, "Møre og Romsdal") == "kommuneokonomi-2025-more-og-romsdal.pdf"
    assert outputs.member_name(2025, "3903", "Holmestrand") == (
        "kommuneokonomi-2025-3903-holmestrand.pdf")
    assert outputs.member_name(2025, "39", "Vestfold") == "kommuneokonomi-2025-fk39-vestfold.pdf"


def test_another_language_gets_its_own_file() -> None:
    # Vestland's own report is nynorsk; --lang nb must not overwrite it.
    assert outputs.county_name(2025, "Vestland", "nb") == "kommuneokonomi-2025-vestland-nb.pdf"
    assert outputs.sector_name(2025, "nn") == "kommuneokonomi-2025-landet-nn.pdf"


def test_only_the_first_official_form_goes_into_a_name() -> None:
    assert outputs.slug("Guovdageaidnu - Kautokeino") == "guovdageaidnu"


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    with pytest.raises(RuntimeError), outputs.atomic_write(target) as tmp:
        tmp.write_bytes(b"%PDF-half")
        raise RuntimeError("layout failed")
    assert list(tmp_path.iterdir()) == []


def test_member_report_is_found_by_number(tmp_path: Path) -> None:
    (tmp_path / "kommuneokonomi-2025-fk39-vestfold.pdf").write_bytes(b"")
    (tmp_path / "kommuneokonomi-2025-3901-horten.pdf").write_bytes(b"")
    assert outputs.find_member_report(tmp_path, "39").name.endswith("fk39-vestfold.pdf")
    assert outputs.find_member_report(tmp_path, "3901").name.endswith("3901-horten.pdf")
    assert outputs.find_member_report(tmp_path, "3903") is None
