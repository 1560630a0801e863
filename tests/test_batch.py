"""Batch runs over a few members: failures isolated and reported, --skip-existing."""

from __future__ import annotations

import os
import platform
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kommunerapport import reports
from kommunerapport.batch import memory, workers
from kommunerapport.batch import run as batch
from kommunerapport.cli import main
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.reports import Report, Shared

FEW = ["3903", "4602", "39"]


@pytest.fixture
def failing_kinn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Kinn's report raises; forked workers inherit the patch."""
    real = reports.build

    def build(dataset: Dataset, register: Register, kind: ReportKind, number: str, year: int,
              lang: str | None, config: Config, shared: Shared | None = None) -> Report:
        if number == "4602":
            raise RuntimeError("tvunget feil for test")
        return real(dataset, register, kind, number, year, lang, config, shared)

    monkeypatch.setattr(reports, "build", build)


def test_one_failure_does_not_stop_the_others(failing_kinn, tmp_path: Path) -> None:
    summary = batch.run_batch(members=FEW, out_dir=tmp_path, jobs=2)
    assert sorted(o.job.number for o in summary.written) == ["39", "3903"]
    assert [(o.job.number, o.reason) for o in summary.failed] == [
        ("4602", "RuntimeError: tvunget feil for test")]
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "fylkeskommuner", "fylkeskommuner/.rapportregister",
        "fylkeskommuner/.rapportregister/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf.json",
        "fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf",
        "kommuner", "kommuner/.rapportregister",
        "kommuner/.rapportregister/kommuneokonomi-2025-3903-holmestrand.pdf.json",
        "kommuner/kommuneokonomi-2025-3903-holmestrand.pdf"]
    # Each worker recorded what it wrote (for ``send``), and left no temporary behind.


def test_cli_exit_code_and_summary_name_the_failure(failing_kinn, runner, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "all_members", lambda register: FEW)
    result = runner.invoke(main, ["--members", "--jobs", "1", "--out", str(tmp_path)])
    assert result.exit_code == 1
    summary = result.stderr.split("\n", 1)[1]  # after the progress bar
    assert summary.startswith("Skrevet: 2, uendret: 0, hoppet over: 0, feilet: 1 (")
    assert summary.split("\n", 1)[1] == (
        "  Skrevet: fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf\n"
        "  Skrevet: kommuner/kommuneokonomi-2025-3903-holmestrand.pdf\n"
        "  Feilet: 4602 Kinn: RuntimeError: tvunget feil for test\n"
        "Utkast: 2 av rapportene har «UTKAST» på hver side til de er godkjent "
        "(kommunerapport approve).\n")
    quiet = runner.invoke(main, ["--members", "--jobs", "1", "--out", str(tmp_path), "--quiet"])
    assert quiet.stderr.split("\n", 1)[1].split("\n", 1)[1] == (
        "  Feilet: 4602 Kinn: RuntimeError: tvunget feil for test\n")  # the names hidden


def test_workers_collect_garbage_though_the_console_script_starts_without(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """cli.run disables the cyclic collector; a worker writing hundreds of reports needs it."""
    import gc

    def write_one(job: batch.Job) -> batch.Outcome:  # in the worker: is it collecting?
        return batch.Outcome(job, batch.FAILED, f"gc {gc.isenabled()}")

    monkeypatch.setattr(batch, "write_one", write_one)
    gc.disable()
    try:
        summary = batch.run_batch(members=FEW, out_dir=tmp_path, jobs=2)
    finally:
        gc.enable()
    assert [o.reason for o in summary.failed] == ["gc True"] * 3


def test_memory_is_looked_after_after_every_report(monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    """A worker's memory stays flat over hundreds of reports (glibc keeps freed pages)."""
    released: list[str] = []
    real = batch.write_one
    monkeypatch.setattr(batch, "write_one", lambda job: released.append(job.number) or real(job))
    monkeypatch.setattr(batch, "release_memory", lambda: released.append("trim"))
    batch.run_batch(members=FEW, out_dir=tmp_path, jobs=1)
    assert released == ["3903", "trim", "4602", "trim", "39", "trim"]
    if sys.platform == "linux" and platform.libc_ver()[0] == "glibc":
        assert memory.malloc_trim() is not None


def test_the_heap_is_trimmed_only_when_the_worker_has_grown() -> None:
    mb = 2**20
    resident = iter([200 * mb, 180 * mb,  # first report: trimmed, 180 MB after
                     185 * mb,  # within the slack: left alone
                     189 * mb, 181 * mb,  # 9 MB more than after the last trim: trimmed
                     188 * mb])  # within the slack of 181
    trims: list[int] = []
    trimmer = memory.Trimmer(lambda: next(resident), lambda: trims.append)
    done = [trimmer.release() for _ in range(4)]
    assert (done, len(trims), trimmer.trimmed_at) == ([True, False, True, False], 2, 181 * mb)


def test_skip_existing_writes_only_what_is_missing(tmp_path: Path) -> None:
    first = batch.run_batch(members=["3903"], out_dir=tmp_path, jobs=1)
    assert len(first.written) == 1
    again = batch.run_batch(members=["3903", "39"], out_dir=tmp_path, jobs=1, skip_existing=True)
    assert [o.job.number for o in again.skipped] == ["3903"]
    assert [o.job.number for o in again.written] == ["39"]


def test_exactly_one_mode(runner) -> None:
    result = runner.invoke(main, ["--members", "--sector"])
    assert result.exit_code == 2
    assert ("Velg én av --county NAVN, --sector, --member NAVN, --all eller --members."
            in result.stderr)


def test_plan_names_all_members(register) -> None:
    jobs = batch.plan(register, 2025, Path("out"), everything=True,
                      members=batch.all_members(register))
    assert len(jobs) == 1 + 15 + 357 + 14  # Oslo's accounts are Oslo kommune's: no «fk03»
    assert "03" not in {j.number for j in jobs if j.kind == "member"}
    assert len({j.target for j in jobs}) == len(jobs)


def test_plan_counts_counties_back_and_leaves_out_authorities_that_did_not_exist(
        register, tmp_path) -> None:
    # Vestfold (39) and Telemark (40) were one county, 38, until 2024: their county reports
    # for 2022 are their present municipalities counted back; the county authority 39 had
    # no accounts in 2022, so it has no member report.
    jobs = batch.plan(register, 2022, tmp_path, everything=True, members=["39", "3905", "46"])
    counties = [j.number for j in jobs if j.kind == "county"]
    members = [j.number for j in jobs if j.kind == "member"]
    assert len(counties) == 15 and "39" in counties and "40" in counties
    assert members == ["3905", "46"]


def test_all_and_members_in_one_run(runner, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def run_batch(**options: Any) -> batch.BatchSummary:  # run_batch's keyword arguments
        calls.append(options)
        return batch.BatchSummary()

    monkeypatch.setattr(batch, "run_batch", run_batch)
    result = runner.invoke(main, ["--all", "--members", "--out", "ut"])
    assert result.exit_code == 0
    assert calls[0]["everything"] is True
    assert len(calls[0]["members"]) == 357 + 14  # every member (no «fk03»), after the counties


@pytest.mark.parametrize(("jobs", "cpus", "reports", "expected"), [
    (None, 2, 388, 2),  # default: one per CPU
    (1, 2, 388, 1),
    (1000, 2, 388, 2),  # capped, and said (tests/hostile)
    (None, 8, 3, 3),  # no idle workers for three reports
    (None, 2, 0, 1),
])
def test_workers_are_at_most_one_per_cpu(monkeypatch, jobs, cpus, reports, expected) -> None:
    from rich.console import Console

    monkeypatch.setattr(batch, "cpu_count", lambda: cpus)
    assert batch.worker_count(jobs, reports, Console(quiet=True)) == expected


def test_ctrl_c_ends_with_a_summary_and_130(runner, monkeypatch, tmp_path: Path) -> None:
    def interrupted(todo: list[batch.Job], count: int) -> Iterator[batch.Outcome]:
        yield batch.write_one(todo[0])
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "all_members", lambda register: FEW)
    monkeypatch.setattr(batch, "outcomes", interrupted)
    result = runner.invoke(main, ["--members", "--out", str(tmp_path)])
    assert result.exit_code == 130
    assert "Skrevet: 1, uendret: 0, hoppet over: 0, feilet: 0" in result.stderr
    assert result.stderr.endswith("Avbrutt med Ctrl-C: de ferdige rapportene er skrevet; kjør "
                                  "igjen med --skip-existing for å lage resten.\n")
    assert "Traceback" not in result.stderr


def _tenfold_but_three_dies(index: int) -> int:
    if index == 3:
        os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would
    return index * 10


def test_a_dead_worker_fails_only_its_own_job() -> None:
    results = dict(workers.run(8, _tenfold_but_three_dies, 2, lambda i, reason: reason))
    assert results == {0: 0, 1: 10, 2: 20, 3: workers.DIED, 4: 40, 5: 50, 6: 60, 7: 70}


def test_a_report_over_its_page_limit_fails_in_a_batch_and_is_not_written(tmp_path: Path,
                                                                          monkeypatch) -> None:
    # Issue 18: page limits are errors in a batch, not warnings. A limit of one page for a
    # member makes every member report too long.
    from kommunerapport.model.kinds import ReportKind
    from kommunerapport.reports import common

    monkeypatch.setitem(common.PAGE_LIMITS, ReportKind.MEMBER, 1)
    summary = batch.run_batch(members=["3903"], out_dir=tmp_path, jobs=1)
    assert [o.job.number for o in summary.failed] == ["3903"]
    assert summary.failed[0].reason == ("kommuneokonomi-2025-3903-holmestrand.pdf ble 2 sider; "
                                        "grensen for denne rapporttypen er 1. Rapporten er "
                                        "ikke skrevet.")
    assert not (tmp_path / "kommuneokonomi-2025-3903-holmestrand.pdf").exists()


def test_a_member_over_its_page_limit_is_laid_out_closer_and_fits(
        tmp_path: Path, dataset: Dataset, register: Register) -> None:
    # Kåfjord (5540) in the built-in data: its ROBEK listing, an empty disposisjonsfond and
    # 2020–2023 carried over from its old number make three pages at the normal size. The
    # writer lays it out again closer (smaller charts and map) and it keeps to two.
    from pdfs import page_texts

    from kommunerapport.render.html import render_html
    from kommunerapport.render.pdf import pictures, write_pdf

    report = reports.build(dataset, register, ReportKind.MEMBER, "5540", 2025, None, Config())
    normal = tmp_path / "normal.pdf"
    assert write_pdf(render_html(report.context), normal, None, pictures(report.context)) == 3

    summary = batch.run_batch(members=["5540"], out_dir=tmp_path / "ut", jobs=1)
    assert summary.failed == []
    pdf = tmp_path / "ut" / "kommuner" / "kommuneokonomi-2025-5540-gaivuotna.pdf"
    assert len(page_texts(pdf)) == 2
    assert "Side 2 av 2" in page_texts(pdf)[1]
