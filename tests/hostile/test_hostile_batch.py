"""Hostile and faulty batch runs (issue 10, «Batch» and two tracebacks).

A killed worker, too many --jobs, temporaries left by a kill, two runs into one
folder, the parent's death, a relative --templates folder, an output name that
is a folder, and batch options given to a single report. Each case checks the
exit code, the exact message, and that no traceback is printed.

The kills are made by the report code itself (a worker kills itself, or its
parent, at a chosen report), so they happen at the same point on every run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from kommunerapport import reports
from kommunerapport.batch import run as batch
from kommunerapport.batch import workers
from kommunerapport.cli import main
from kommunerapport.files import asset_dir
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.reports import Report, Shared

FEW = ["3903", "4602", "39"]  # Holmestrand, Kinn, Vestfold fylkeskommune
ROOT = Path(__file__).resolve().parents[2]


def no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stderr + result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def few(monkeypatch: pytest.MonkeyPatch) -> None:
    """--members means three members, on a machine with two CPUs (so workers are forked)."""
    monkeypatch.setattr(batch, "all_members", lambda register: FEW)
    monkeypatch.setattr(batch, "cpu_count", lambda: 2)


def killed_at(number: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker that makes ``number``'s report is killed (as by the OOM killer)."""
    real = reports.build

    def build(dataset: Dataset, register: Register, kind: ReportKind, unit: str, year: int,
              lang: str | None, config: Config, shared: Shared | None = None) -> Report:
        if unit == number:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(dataset, register, kind, unit, year, lang, config, shared)

    monkeypatch.setattr(reports, "build", build)


def test_a_killed_worker_fails_its_report_and_the_others_are_written(
        few, monkeypatch, runner, tmp_path: Path) -> None:
    killed_at("4602", monkeypatch)
    result = runner.invoke(main, ["--members", "--jobs", "2", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "Skrevet: 2, hoppet over: 0, feilet: 1" in result.stderr
    assert ("  Feilet: 4602 Kinn: arbeidsprosessen stoppet uventet (drept av systemet, for "
            "eksempel fordi minnet tok slutt, eller med kill)\n") in result.stderr
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == [
        "kommuneokonomi-2025-3903-holmestrand.pdf", "kommuneokonomi-2025-fk39-vestfold.pdf"]
    no_traceback(result)


def test_more_jobs_than_cpus_are_capped_and_said(few, monkeypatch, runner,
                                                  tmp_path: Path) -> None:
    started = []
    real = workers.run

    def run(count: int, task: Callable[[int], Any], n: int,
            dead: Callable[[int, str], Any]) -> Iterator[tuple[int, Any]]:
        started.append(n)
        return real(count, task, n, dead)

    monkeypatch.setattr(workers, "run", run)
    result = runner.invoke(main, ["--members", "--jobs", "1000", "--out", str(tmp_path)])
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "Merk: --jobs 1000 er flere enn de 2 prosessorene maskinen har; "
        "bruker 2 arbeidsprosesser.\n")
    assert started == [2]
    no_traceback(result)


def test_temporaries_left_by_a_killed_run_are_removed_by_the_next(
        few, monkeypatch, runner, tmp_path: Path) -> None:
    real = reports.write_pdf

    def write_pdf(html: str, target: Path, templates_dir: Path | None = None,
                  images: Mapping[str, bytes] | None = None) -> int:
        target.write_bytes(b"%PDF-1.7 half")
        if "4602-kinn" in target.name:
            os.kill(os.getpid(), signal.SIGKILL)  # killed while writing Kinn's report
        return real(html, target, templates_dir, images)

    monkeypatch.setattr(reports, "write_pdf", write_pdf)
    first = runner.invoke(main, ["--members", "--jobs", "2", "--out", str(tmp_path)])
    assert first.exit_code == 1
    left = list(tmp_path.glob(".kommuneokonomi-2025-4602-kinn.pdf.*.tmp"))
    assert len(left) == 1  # the killed worker's, named with its pid
    older = tmp_path / ".kommuneokonomi-2025-3903-holmestrand.pdf.k2x_9q0a.tmp"  # before pids
    older.write_bytes(b"%PDF-1.7 half")
    running = tmp_path / f".kommuneokonomi-2025-39-x.pdf.{os.getpid()}.abcdefgh.tmp"
    running.write_bytes(b"%PDF-1.7 being written")  # a live process's: not ours to remove
    monkeypatch.setattr(reports, "write_pdf", real)
    second = runner.invoke(main, ["--members", "--skip-existing", "--out", str(tmp_path)])
    assert second.exit_code == 0
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == [running.name]
    assert "Skrevet: 1, hoppet over: 2, feilet: 0" in second.stderr  # Kinn, now whole
    no_traceback(first)
    no_traceback(second)


HOLD_LOCK = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from kommunerapport.outputs.lock import folder_lock
    with folder_lock(Path(sys.argv[1])):
        print("klar", flush=True)
        time.sleep(60)
""")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock and fork: POSIX")
def test_a_second_batch_into_the_same_folder_is_refused(few, runner, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "klar\n"  # another run holds the folder
        result = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: En annen kjøring av kommunerapport skriver allerede rapporter til mappen "
        f"{tmp_path}. Vent til den er ferdig, eller velg en annen mappe med --out.\n")
    assert list(tmp_path.iterdir()) == []
    no_traceback(result)


def test_the_lock_is_free_again_after_a_run(tmp_path: Path) -> None:
    with folder_lock(tmp_path):
        pass
    with folder_lock(tmp_path):  # not «another run»
        pass


KILL_PARENT = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from kommunerapport.batch import run as batch
    from kommunerapport import reports
    real = reports.build
    def build(dataset, register, kind, unit, *args, **kwargs):
        if unit == "4602":
            os.kill(os.getppid(), signal.SIGKILL)  # the parent dies mid-batch
            time.sleep(0.5)
        return real(dataset, register, kind, unit, *args, **kwargs)
    reports.build = build
    batch.cpu_count = lambda: 2
    batch.run_batch(members=["3903", "4602", "39", "3905", "3907"], out_dir=Path(sys.argv[1]),
                    jobs=2)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_parents_death_ends_the_workers_without_a_traceback(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"  # a killed parent cannot remove its temporaries: keep them here
    temp.mkdir()
    run = subprocess.Popen([sys.executable, "-c", KILL_PARENT, str(tmp_path)],
                           stderr=subprocess.PIPE, text=True, start_new_session=True,
                           env={**os.environ, "TMPDIR": str(temp)})
    try:
        # The workers hold stderr open too: it ends only when every process has ended.
        _, stderr = run.communicate(timeout=60)
        left = running_in_session(run.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(run.pid, signal.SIGKILL)
    assert run.returncode == -signal.SIGKILL
    assert left == []  # no orphaned worker waits for ever
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr


def running_in_session(session: int) -> list[int]:
    """Processes of a session that have not ended (a zombie has ended: it waits to be reaped)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        state, sid = fields[0], int(fields[4])
        if sid == session and state != "Z":
            found.append(int(stat.parent.name))
    return found


def test_the_readmes_relative_templates_folder_works(runner, tmp_path: Path,
                                                      monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mine").mkdir()
    shutil.copy(asset_dir("styles") / "report.css", tmp_path / "mine" / "report.css")
    result = runner.invoke(main, ["--county", "Vestfold", "--templates", "mine", "--out", "ut"])
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "ut/kommuneokonomi-2025-vestfold.pdf\n"
    assert (tmp_path / "ut" / "kommuneokonomi-2025-vestfold.pdf").read_bytes()[:5] == b"%PDF-"
    no_traceback(result)


def test_an_output_name_that_is_a_folder_is_one_line(runner, tmp_path: Path) -> None:
    (tmp_path / "kommuneokonomi-2025-vestfold.pdf").mkdir()
    result = runner.invoke(main, ["--county", "Vestfold", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Feil: Kan ikke skrive {tmp_path}/kommuneokonomi-2025-vestfold.pdf: det er en mappe "
        "med det navnet. Flytt mappen, eller velg en annen mappe med --out.\n")
    assert [p.name for p in tmp_path.iterdir()] == ["kommuneokonomi-2025-vestfold.pdf"]
    no_traceback(result)


def test_an_output_name_that_is_a_folder_fails_that_report_in_a_batch(
        few, runner, tmp_path: Path) -> None:
    (tmp_path / "kommuneokonomi-2025-4602-kinn.pdf").mkdir()
    result = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert (f"  Feilet: 4602 Kinn: Kan ikke skrive {tmp_path}/kommuneokonomi-2025-4602-kinn.pdf:"
            " det er en mappe med det navnet. Flytt mappen, eller velg en annen mappe med --out."
            "\n") in result.stderr
    no_traceback(result)


@pytest.mark.parametrize(("options", "message"), [
    (["--county", "Vestfold", "--skip-existing"],
     "Feil: --skip-existing gjelder bare --all og --members, som skriver mange rapporter.\n"),
    (["--county", "Vestfold", "--jobs", "2"],
     "Feil: --jobs gjelder bare --all og --members, som skriver mange rapporter.\n"),
    (["--sector", "--jobs", "2", "--skip-existing"],
     "Feil: --jobs og --skip-existing gjelder bare --all og --members, som skriver mange "
     "rapporter.\n"),
])
def test_batch_options_for_a_single_report_are_refused(runner, options: list[str],
                                                        message: str) -> None:
    result = runner.invoke(main, options)
    assert result.exit_code == 2
    assert result.stderr == message
    no_traceback(result)
