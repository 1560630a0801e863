"""Files written whole or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from kommunerapport import files
from kommunerapport.errors import OutputError


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    with pytest.raises(RuntimeError), files.atomic_path(target) as tmp:
        tmp.write_bytes(b"%PDF-half")
        raise RuntimeError("layout failed")
    assert list(tmp_path.iterdir()) == []


DEAD_PID = 2**31 - 2  # above any pid a Linux or macOS system hands out


def test_a_temporary_names_its_writer(tmp_path: Path) -> None:
    with files.atomic_path(tmp_path / "kommuneokonomi-2025-vestfold.pdf") as tmp:
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
    assert files.remove_stale_temporaries(tmp_path, ".kommuneokonomi-") == 1
    assert not dead.exists() and alive.exists() and older.exists()
    assert files.remove_stale_temporaries(tmp_path, ".kommuneokonomi-", legacy=True) == 1  # locked
    assert not older.exists() and alive.exists()
    assert all(p.exists() for p in others)


def test_writing_a_report_removes_its_own_stale_temporary(tmp_path: Path) -> None:
    stale = tmp_path / f".kommuneokonomi-2025-vestfold.pdf.{DEAD_PID}.ab12_xyz.tmp"
    other = tmp_path / f".kommuneokonomi-2025-finnmark.pdf.{DEAD_PID}.ab12_xyz.tmp"
    stale.write_bytes(b"")
    other.write_bytes(b"")
    with files.atomic_path(tmp_path / "kommuneokonomi-2025-vestfold.pdf") as tmp:
        tmp.write_bytes(b"%PDF-")
    assert not stale.exists() and other.exists()  # the rest is the next batch's to clean


def test_an_output_name_that_is_a_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "r.pdf").mkdir()
    with pytest.raises(OutputError, match="det er en mappe med det navnet"), \
            files.atomic_path(tmp_path / "r.pdf"):
        pytest.fail("no temporary is made for a name that is a folder")


def test_two_writers_of_one_file_never_share_a_temporary(tmp_path: Path) -> None:
    """Two ``fetch`` runs writing the cache at once: each its own temporary, the last wins."""
    target = tmp_path / "fetched.csv"
    with files.atomic_path(target) as first, files.atomic_path(target) as second:
        assert first != second
        first.write_text("first")
        second.write_text("second")
    assert target.read_text() == "first"  # the outer context finished last
    assert [p.name for p in tmp_path.iterdir()] == ["fetched.csv"]


def test_a_folder_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "kit"
    with files.atomic_folder(target) as folder:
        (folder / "a.txt").write_text("one")
    with pytest.raises(RuntimeError), files.atomic_folder(target) as folder:
        (folder / "b.txt").write_text("two")
        raise RuntimeError("half a kit")
    assert [p.name for p in target.iterdir()] == ["a.txt"]  # the old kit stands
    with files.atomic_folder(target) as folder:
        (folder / "b.txt").write_text("two")
    assert [p.name for p in target.iterdir()] == ["b.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["kit"]


@pytest.mark.parametrize("args", [
    ["--county", "Vestfold"],  # a report: WeasyPrint copies the fonts to a temporary folder
    ["--county", "Nowhere"],  # an error
    ["figures", "--county", "Vestfold"],
])
def test_a_run_leaves_the_temp_directory_as_it_found_it(tmp_path: Path, args) -> None:
    """The console script ends with ``os._exit``: its temporaries must go before that."""
    import subprocess
    import sys

    temp = tmp_path / "tmp"
    temp.mkdir()
    (temp / "someone-elses.txt").write_text("kept")
    env = {**os.environ, "TMPDIR": str(temp), "KOMMUNERAPPORT_CACHE_DIR": str(tmp_path / "c")}
    out = ["--out", str(tmp_path / "o")] if args[0] == "--county" else []
    subprocess.run([sys.executable, "-m", "kommunerapport", *args, *out], env=env,
                   capture_output=True, check=False, timeout=120)
    assert [p.name for p in temp.iterdir()] == ["someone-elses.txt"]


def test_a_killed_runs_temporaries_are_removed_by_the_next(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    left = temp / f"kommunerapport-{DEAD_PID}-abcd1234"
    left.mkdir(parents=True)
    (left / "font.otf").write_bytes(b"")
    before = tempfile.tempdir
    tempfile.tempdir = str(temp)
    try:
        with files.own_tempdir() as own:
            assert tempfile.gettempdir() == str(own) and own.parent == temp
            assert not left.exists()
    finally:
        tempfile.tempdir = before
    assert list(temp.iterdir()) == []


def test_a_failed_report_leaves_no_folder_it_made(tmp_path: Path) -> None:
    out = tmp_path / "ut" / "mars"
    with pytest.raises(RuntimeError), files.folder_for(out):
        assert out.is_dir()
        raise RuntimeError("stoppet i tekstkontrollen")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_report_keeps_folders_that_were_there_or_hold_files(tmp_path: Path) -> None:
    (tmp_path / "ut").mkdir()
    out = tmp_path / "ut" / "mars"
    with pytest.raises(RuntimeError), files.folder_for(out):
        (out / "første.pdf").write_bytes(b"%PDF")
        raise RuntimeError("den andre rapporten feilet")
    assert (out / "første.pdf").exists()
    with pytest.raises(RuntimeError), files.folder_for(tmp_path / "ut" / "april"):
        raise RuntimeError
    assert sorted(p.name for p in (tmp_path / "ut").iterdir()) == ["mars"]
