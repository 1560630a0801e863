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
import errno
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

from hostile.conftest import EPOCH, WARNINGS, Hostile
from kommunerapport import files, reports
from kommunerapport.batch import run as batch
from kommunerapport.batch import workers
from kommunerapport.cli import main
from kommunerapport.files import asset_dir
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import records
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.render import writer
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
    assert "Skrevet: 2, uendret: 0, hoppet over: 0, feilet: 1" in result.stderr
    assert ("  Feilet: 4602 Kinn: arbeidsprosessen stoppet uventet (drept av systemet, for "
            "eksempel fordi minnet tok slutt, eller med kill)\n") in result.stderr
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.pdf")) == [
        "fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf",
        "kommuner/kommuneokonomi-2025-3903-holmestrand.pdf"]
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
    real = writer.write_pdf

    def write_pdf(html: str, target: Path, templates_dir: Path | None = None,
                  images: Mapping[str, bytes] | None = None) -> int:
        target.write_bytes(b"%PDF-1.7 half")
        if "4602-kinn" in target.name:
            os.kill(os.getpid(), signal.SIGKILL)  # killed while writing Kinn's report
        return real(html, target, templates_dir, images)

    monkeypatch.setattr(writer, "write_pdf", write_pdf)
    first = runner.invoke(main, ["--members", "--jobs", "2", "--out", str(tmp_path)])
    assert first.exit_code == 1
    kommuner = tmp_path / "kommuner"
    left = list(kommuner.glob(".kommuneokonomi-2025-4602-kinn.pdf.*.tmp"))
    assert len(left) == 1  # the killed worker's, named with its pid
    older = kommuner / ".kommuneokonomi-2025-3903-holmestrand.pdf.k2x_9q0a.tmp"  # before pids
    older.write_bytes(b"%PDF-1.7 half")
    running = kommuner / f".kommuneokonomi-2025-3901-x.pdf.{os.getpid()}.abcdefgh.tmp"
    running.write_bytes(b"%PDF-1.7 being written")  # a live process's: not ours to remove
    monkeypatch.setattr(writer, "write_pdf", real)
    second = runner.invoke(main, ["--members", "--skip-existing", "--out", str(tmp_path)])
    assert second.exit_code == 0
    assert sorted(p.name for p in tmp_path.rglob(".*.tmp")) == [running.name]
    assert "Skrevet: 1, uendret: 0, hoppet over: 2, feilet: 0" in second.stderr  # Kinn, whole
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


@pytest.mark.skipif(not hasattr(os, "fork"), reason="flock: POSIX")
def test_a_single_report_into_a_folder_a_batch_holds_is_refused(runner, tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "klar\n"  # a batch holds the folder
        result = runner.invoke(main, ["--county", "Vestfold", "--out", str(tmp_path)])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Feil: En annen kjøring av kommunerapport skriver allerede rapporter til mappen "
        f"{tmp_path}. Vent til den er ferdig, eller velg en annen mappe med --out.\n")
    assert not list(tmp_path.rglob("*.pdf"))
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
    from kommunerapport import files, reports
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
    assert result.stdout == "ut/fylker/kommuneokonomi-2025-vestfold.pdf\n"
    assert (tmp_path / "ut" / "fylker" / "kommuneokonomi-2025-vestfold.pdf").read_bytes()[:5] \
        == b"%PDF-"
    no_traceback(result)


def test_an_output_name_that_is_a_folder_is_one_line(runner, tmp_path: Path) -> None:
    (tmp_path / "fylker" / "kommuneokonomi-2025-vestfold.pdf").mkdir(parents=True)
    result = runner.invoke(main, ["--county", "Vestfold", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.endswith(
        f"Feil: Kan ikke skrive {tmp_path}/fylker/kommuneokonomi-2025-vestfold.pdf: det er en "
        "mappe med det navnet. Flytt mappen, eller velg en annen mappe med --out.\n")
    assert [p.name for p in (tmp_path / "fylker").iterdir()] == [
        "kommuneokonomi-2025-vestfold.pdf"]
    no_traceback(result)


def test_an_output_name_that_is_a_folder_fails_that_report_in_a_batch(
        few, runner, tmp_path: Path) -> None:
    (tmp_path / "kommuner" / "kommuneokonomi-2025-4602-kinn.pdf").mkdir(parents=True)
    result = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert (f"  Feilet: 4602 Kinn: Kan ikke skrive {tmp_path}/kommuner/kommuneokonomi-2025-4602-"
            "kinn.pdf: det er en mappe med det navnet. Flytt mappen, eller velg en annen mappe "
            "med --out.\n") in result.stderr
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


# --- Disk full, quota, read-only, I/O error (issue 20.5) -------------------------------

REASONS = {
    errno.ENOSPC: "disken er full (ENOSPC). Frigjør plass, og kjør på nytt.",
    errno.EDQUOT: "diskkvoten din er brukt opp (EDQUOT). Frigjør plass, og kjør på nytt.",
    errno.EROFS: "filsystemet er skrivebeskyttet (EROFS). Velg en mappe du kan skrive i.",
    errno.EIO: "lese- eller skrivefeil på disken (I/O-feil) (EIO). Sjekk disken, og kjør på "
               "nytt.",
}


def failing_write(code: int, real: Callable[..., int], where: str = "") -> Callable[..., int]:
    """WeasyPrint's write, failing as the system would half-way through the file (for the
    report whose name holds ``where``)."""
    def write_pdf(html: str, target: Path, templates_dir: Path | None = None,
                  images: Mapping[str, bytes] | None = None) -> int:
        if where not in target.name:
            return real(html, target, templates_dir, images)
        target.write_bytes(b"%PDF-1.7 half a report")
        raise OSError(code, os.strerror(code))

    return write_pdf


@pytest.mark.parametrize("code", sorted(REASONS))
def test_a_write_failure_is_one_line_and_leaves_nothing_half_written(
        hostile: Hostile, monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    real = writer.write_pdf
    monkeypatch.setattr(writer, "write_pdf", failing_write(code, real))
    hostile.run(["--county", "Vestfold"], exit_code=1, warnings=WARNINGS, env=EPOCH, message=(
        "Feil: Kan ikke skrive rapporten kommuneokonomi-2025-vestfold.pdf i mappen "
        f"output/fylker: {REASONS[code]}"))
    assert list((hostile.tmp_path / "output" / "fylker").iterdir()) == []
    monkeypatch.setattr(writer, "write_pdf", real)  # space again: the rerun completes
    result = hostile.run(["--county", "Vestfold"], exit_code=0, message=None,
                         warnings=WARNINGS, env=EPOCH)
    assert records.current(hostile.tmp_path / result.stdout.strip()) is not None


def test_a_full_disk_in_a_batch_fails_that_report_and_a_rerun_completes(
        few, monkeypatch: pytest.MonkeyPatch, runner, tmp_path: Path) -> None:
    real = writer.write_pdf
    monkeypatch.setattr(writer, "write_pdf", failing_write(errno.ENOSPC, real, "4602-kinn"))
    first = runner.invoke(main, ["--members", "--jobs", "2", "--out", str(tmp_path)])
    assert first.exit_code == 1
    assert (f"  Feilet: 4602 Kinn: Kan ikke skrive rapporten kommuneokonomi-2025-4602-kinn.pdf "
            f"i mappen {tmp_path}/kommuner: disken er full (ENOSPC). Frigjør plass, og kjør på "
            "nytt.\n") in first.stderr
    assert sorted(p.name for p in (tmp_path / "kommuner").iterdir()) == [
        ".rapportregister", "kommuneokonomi-2025-3903-holmestrand.pdf"]
    monkeypatch.setattr(writer, "write_pdf", real)
    second = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    assert second.exit_code == 0
    assert "Skrevet: 1, uendret: 2, hoppet over: 0, feilet: 0" in second.stderr
    no_traceback(first)


def test_a_record_that_cannot_be_written_leaves_a_pdf_the_rerun_does_not_trust(
        hostile: Hostile, monkeypatch: pytest.MonkeyPatch) -> None:
    real = files.write_text

    def quota_on_records(target: Path, text: str, what: str | None = None) -> None:
        if target.parent.name != records.RECORD_DIR:
            return real(target, text, what)
        with files.atomic_path(target, what=what) as tmp:
            tmp.write_bytes(text.encode()[:10])
            raise OSError(errno.EDQUOT, os.strerror(errno.EDQUOT))

    monkeypatch.setattr(files, "write_text", quota_on_records)
    hostile.run(["--county", "Vestfold"], exit_code=1, warnings=WARNINGS, env=EPOCH, message=(
        "Feil: Kan ikke skrive registreringen av kommuneokonomi-2025-vestfold.pdf i mappen "
        f"output/fylker/{records.RECORD_DIR}: {REASONS[errno.EDQUOT]}"))
    pdf = hostile.tmp_path / "output" / "fylker" / "kommuneokonomi-2025-vestfold.pdf"
    assert list(records.record_path(pdf).parent.iterdir()) == []  # no half record
    assert records.current(pdf) is None  # so neither a rerun nor send trusts the PDF
    monkeypatch.setattr(files, "write_text", real)
    hostile.run(["--county", "Vestfold"], exit_code=0, message=None, warnings=WARNINGS,
                env=EPOCH)
    assert records.current(pdf) is not None


FILE_SIZE_LIMIT = textwrap.dedent("""
    import resource, sys
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))  # a real limit, as a quota
    sys.argv = ["kommunerapport", *sys.argv[2:]]
    from kommunerapport.cli import run
    run()
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE: Linux")
def test_a_real_file_size_limit_is_one_line_and_a_rerun_completes(tmp_path: Path) -> None:
    out = tmp_path / "ut"
    args = ["--county", "Vestfold", "--out", str(out)]
    # 60 kB: below the Vestfold report (some 140 kB), above every other file it writes.
    limited = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, "60000", *args],
                             capture_output=True, text=True, timeout=120)
    assert limited.returncode == 1
    assert limited.stderr.splitlines()[-1] == (
        f"Feil: Kan ikke skrive rapporten kommuneokonomi-2025-vestfold.pdf i mappen "
        f"{out}/fylker: fila blir større enn systemet tillater (EFBIG). Frigjør plass eller øk "
        "grensen.")
    assert "Traceback" not in limited.stderr
    assert list((out / "fylker").iterdir()) == []
    again = subprocess.run([sys.executable, "-c", FILE_SIZE_LIMIT, str(2**30), *args],
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert records.current(Path(again.stdout.strip())) is not None


# --- Links and special files: never followed, never read (issue 20.4) ------------------


def test_a_linked_kind_folder_is_never_written_through(hostile: Hostile) -> None:
    outside = hostile.tmp_path / "utenfor"
    outside.mkdir()
    (hostile.tmp_path / "output").mkdir()
    (hostile.tmp_path / "output" / "fylker").symlink_to(outside)
    hostile.run(["--county", "Vestfold"], exit_code=1, warnings=WARNINGS, env=EPOCH, message=(
        "Feil: output/fylker er en symbolsk lenke; kommunerapport skriver bare i egne mapper, "
        "ikke gjennom lenker. Fjern den, og kjør på nytt."))
    assert list(outside.iterdir()) == []


def test_a_linked_register_folder_is_never_written_through(hostile: Hostile) -> None:
    outside = hostile.tmp_path / "utenfor"
    outside.mkdir()
    (hostile.tmp_path / "output" / "fylker").mkdir(parents=True)
    (hostile.tmp_path / "output" / "fylker" / records.RECORD_DIR).symlink_to(outside)
    hostile.run(["--county", "Vestfold"], exit_code=1, warnings=WARNINGS, env=EPOCH, message=(
        f"Feil: output/fylker/{records.RECORD_DIR} er en symbolsk lenke; kommunerapport "
        "skriver bare i egne mapper, ikke gjennom lenker. Fjern den, og kjør på nytt."))
    assert list(outside.iterdir()) == []


def test_a_link_in_place_of_a_report_is_replaced_not_followed(hostile: Hostile) -> None:
    victim = hostile.tmp_path / "viktig.txt"
    victim.write_text("ikke rør", "utf-8")
    (hostile.tmp_path / "output" / "fylker").mkdir(parents=True)
    link = hostile.tmp_path / "output" / "fylker" / "kommuneokonomi-2025-vestfold.pdf"
    link.symlink_to(victim)
    hostile.run(["--county", "Vestfold"], exit_code=0, message=None, warnings=WARNINGS,
                env=EPOCH)
    assert victim.read_text("utf-8") == "ikke rør"
    assert not link.is_symlink() and link.read_bytes()[:5] == b"%PDF-"


def test_a_link_in_place_of_a_press_kit_is_replaced_not_followed(hostile: Hostile) -> None:
    outside = hostile.tmp_path / "utenfor"
    outside.mkdir()
    (outside / "behold.txt").write_text("ikke rør", "utf-8")
    (hostile.tmp_path / "output" / "fylker").mkdir(parents=True)
    kit = hostile.tmp_path / "output" / "fylker" / "kommuneokonomi-2025-vestfold-pressepakke"
    kit.symlink_to(outside, target_is_directory=True)
    hostile.run(["--county", "Vestfold", "--kit"], exit_code=0, message=None,
                warnings=WARNINGS, env=EPOCH)
    assert [p.name for p in outside.iterdir()] == ["behold.txt"]
    assert not kit.is_symlink() and (kit / "tekst.md").is_file()
    assert not list(kit.parent.glob(".*.tmp"))


def test_skip_existing_trusts_only_a_pdf_with_its_matching_record(
        few, runner, tmp_path: Path) -> None:
    first = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    assert first.exit_code == 0
    kinn = tmp_path / "kommuner" / "kommuneokonomi-2025-4602-kinn.pdf"
    holmestrand = tmp_path / "kommuner" / "kommuneokonomi-2025-3903-holmestrand.pdf"
    kinn.write_bytes(b"")  # a 0-byte file, as a full disk leaves it
    records.record_path(holmestrand).unlink()  # a PDF without its record
    again = runner.invoke(main, ["--members", "--skip-existing", "--out", str(tmp_path)])
    assert "Skrevet: 2, uendret: 0, hoppet over: 1, feilet: 0" in again.stderr
    assert ("  Hoppet over: fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf"
            in again.stderr)
    assert records.current(kinn) is not None and records.current(holmestrand) is not None


# --- What to write and where: names, numbers and folders as typed ---------------------

@pytest.mark.parametrize(("args", "message"), [
    (["--member", "Våler"], "Feil: «Våler» passer på flere kommuner: 3114 Våler (Østfold), "
                            "3419 Våler (Innlandet). Bruk kommunenummeret."),
    (["--member", "Herøy"], "Feil: «Herøy» passer på flere kommuner: 1515 Herøy (Møre og "
                            "Romsdal), 1818 Herøy (Nordland). Bruk kommunenummeret."),
    (["--member", ""], "Feil: Ukjent medlem «»."),
    # a name copied with an invisible zero-width space: shown, and the name meant offered
    (["--member", "Horten\u200b"], "Feil: Ukjent medlem «Horten\\u200b». Mente du: Horten?"),
    (["--county", "Vestfold", "--year", "1999"],
     "Feil: Ingen tall for 1999 i innebygde data. Årene i dataene er 2020, 2021, 2022, 2023, "
     "2024, 2025."),
    (["--all", "--jobs", "0"], "Feil: Ugyldig verdi for '--jobs': 0 er utenfor det gyldige "
                               "området x>=1."),
    (["--all", "--jobs", "to"], "Feil: Ugyldig verdi for '--jobs': 'to' er ikke et gyldig "
                                "tall."),
])
def test_a_selection_that_names_no_single_report(hostile: Hostile, args: list[str],
                                                 message: str) -> None:
    hostile.run([*args, "--out", "ut"], exit_code=2, message=message)
    assert not (hostile.tmp_path / "ut").exists()


def test_an_out_folder_below_a_file(hostile: Hostile) -> None:
    (hostile.tmp_path / "rapporter").write_text("ikke en mappe\n")
    hostile.run(["--county", "Vestfold", "--out", "rapporter/mars"], exit_code=1,
                message="Feil: Kan ikke lage mappen rapporter/mars: en del av stien er ikke en "
                        "mappe (ENOTDIR)")
    assert (hostile.tmp_path / "rapporter").read_text() == "ikke en mappe\n"
