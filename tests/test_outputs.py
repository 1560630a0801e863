"""File names and safe writing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kommunerapport.errors import OutputError
from kommunerapport.outputs import names as outputs


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


DEAD_PID = 2**31 - 2  # above any pid a Linux or macOS system hands out


def test_a_temporary_names_its_writer(tmp_path: Path) -> None:
    with outputs.atomic_write(tmp_path / "kommuneokonomi-2025-vestfold.pdf") as tmp:
        assert tmp.name.startswith(f".kommuneokonomi-2025-vestfold.pdf.{os.getpid()}.")
        assert tmp.name.endswith(".tmp")
        tmp.write_bytes(b"%PDF-")
    assert [p.name for p in tmp_path.iterdir()] == ["kommuneokonomi-2025-vestfold.pdf"]


def test_temporaries_whose_writer_is_gone_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f".kommuneokonomi-2025-vestfold.pdf.{DEAD_PID}.ab12_xyz.tmp"
    alive = tmp_path / f".kommuneokonomi-2025-vestfold.pdf.{os.getpid()}.cd34_xyz.tmp"
    older = tmp_path / ".kommuneokonomi-2025-finnmark.pdf.ef56_xyz.tmp"  # no pid: before pids
    others = [tmp_path / ".kommuneokonomi.tmp", tmp_path / "notes.pdf.1.a.tmp",
              tmp_path / f".other-2025.pdf.{DEAD_PID}.ab12_xyz.tmp"]  # not of our naming
    for path in [dead, alive, older, *others]:
        path.write_bytes(b"")
    assert outputs.remove_stale_temporaries(tmp_path) == 1
    assert not dead.exists() and alive.exists() and older.exists()
    assert outputs.remove_stale_temporaries(tmp_path, without_pid=True) == 1  # under the lock
    assert not older.exists() and alive.exists()
    assert all(p.exists() for p in others)


def test_writing_a_report_removes_its_own_stale_temporary(tmp_path: Path) -> None:
    stale = tmp_path / f".kommuneokonomi-2025-vestfold.pdf.{DEAD_PID}.ab12_xyz.tmp"
    other = tmp_path / f".kommuneokonomi-2025-finnmark.pdf.{DEAD_PID}.ab12_xyz.tmp"
    stale.write_bytes(b"")
    other.write_bytes(b"")
    with outputs.atomic_write(tmp_path / "kommuneokonomi-2025-vestfold.pdf") as tmp:
        tmp.write_bytes(b"%PDF-")
    assert not stale.exists() and other.exists()  # the rest is the next batch's to clean


def test_an_output_name_that_is_a_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "r.pdf").mkdir()
    with pytest.raises(OutputError, match="det er en mappe med det navnet"), \
            outputs.atomic_write(tmp_path / "r.pdf"):
        pytest.fail("no temporary is made for a name that is a folder")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock: POSIX")
def test_a_folder_is_held_by_one_run_at_a_time(tmp_path: Path) -> None:
    with outputs.folder_lock(tmp_path), \
            pytest.raises(OutputError, match="En annen kjøring av kommunerapport"), \
            outputs.folder_lock(tmp_path):
        pass
    with outputs.folder_lock(tmp_path):
        pass  # free again once the first run is done
    assert list(tmp_path.iterdir()) == []  # no lock file left behind
