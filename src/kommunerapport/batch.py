"""Many reports at once: ``--all`` (the sector and the 15 counties) and ``--members``
(each municipality and county authority).

The parent loads the dataset, the register and the config once, computes the
figures every member report shares, imports the heavy libraries and parses the
fonts and stylesheet; only then does it fork its worker processes, which
inherit all of it. One report failing does not stop the others: its reason goes
into the summary, and the exit code says some failed.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from kommunerapport import member, outputs, render
from kommunerapport.config import Config, load_config
from kommunerapport.data import Dataset, load_dataset, resolve_year
from kommunerapport.regions import Register, load_register
from kommunerapport.report import county_context, write_context

WRITTEN, SKIPPED, FAILED = "written", "skipped", "failed"


@dataclass(frozen=True)
class Job:
    """One report to write: ``kind`` sector, county or member; ``number`` its unit."""

    kind: str
    number: str
    name: str
    target: Path


@dataclass(frozen=True)
class Outcome:
    job: Job
    status: str  # written | skipped | failed
    reason: str = ""
    seconds: float = 0.0


@dataclass
class Summary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def written(self) -> list[Outcome]:
        return self._with(WRITTEN)

    @property
    def skipped(self) -> list[Outcome]:
        return self._with(SKIPPED)

    @property
    def failed(self) -> list[Outcome]:
        return self._with(FAILED)


@dataclass
class _State:
    """What every worker needs; set in the parent before the fork, inherited by the workers."""

    dataset: Dataset
    register: Register
    config: Config
    year: int
    lang: str | None
    templates_dir: Path | None
    shared: member.Shared | None


_STATE: _State | None = None


def plan(register: Register, year: int, out_dir: Path, everything: bool = False,
         members: Iterable[str] | None = None) -> list[Job]:
    """The reports to write: the sector and counties, and/or the given members.

    Counties and county authorities created in 2024 are left out of earlier years.
    """
    jobs: list[Job] = []
    if everything:
        jobs.append(Job("sector", "", "landet", out_dir / outputs.sector_name(year)))
        jobs += [Job("county", c.number, c.short_name,
                     out_dir / outputs.county_name(year, c.short_name))
                 for c in register.counties if c.valid_from <= year]
    for number in members or ():
        unit = register.county(number) if len(number) == 2 else register.municipality(number)
        if len(number) == 2 and unit.valid_from > year:
            continue  # a county authority that did not exist yet has no report
        jobs.append(Job("member", number, unit.short_name,
                        member.member_target(register, number, year, out_dir)))
    return jobs


def all_members(register: Register) -> list[str]:
    """Every member: the 357 municipalities, then the 15 county authorities."""
    return [m.number for m in register.municipalities] + [c.number for c in register.counties]


def _context(job: Job, s: _State):  # noqa: ANN202
    if job.kind == "member":
        return member.member_context(s.dataset, s.register, job.number, s.year, s.lang,
                                     s.config, s.templates_dir, s.shared)
    if job.kind == "county":
        c = s.register.county(job.number)
        return county_context(s.dataset, s.register, c, s.year, s.lang or c.lang, s.config,
                              s.templates_dir)
    from kommunerapport.sector import sector_context

    return sector_context(s.dataset, s.register, s.year, s.lang or "nb", s.config,
                          s.templates_dir)


def write_one(job: Job) -> Outcome:
    """Write one report; any exception becomes a failed outcome with its reason."""
    start = time.perf_counter()
    try:
        write_context(_context(job, _STATE), job.target, _STATE.templates_dir)
    except Exception as exc:  # noqa: BLE001 - one report must not stop the batch
        message = getattr(exc, "message", None) or str(exc) or "(ingen melding)"
        return Outcome(job, FAILED, f"{type(exc).__name__}: {message}",
                       time.perf_counter() - start)
    return Outcome(job, WRITTEN, seconds=time.perf_counter() - start)


def run_batch(*, everything: bool = False, members: Iterable[str] | None = None,
              year: int | None = None, lang: str | None = None, data_file: Path | None = None,
              out_dir: Path = Path("output"), config_file: Path | None = None,
              templates_dir: Path | None = None, jobs: int | None = None,
              skip_existing: bool = False, console: Console | None = None) -> Summary:
    """Write many reports with ``jobs`` forked workers (default: the number of CPUs)."""
    global _STATE
    console = console or Console(stderr=True)
    started = time.perf_counter()
    config = load_config(config_file)
    dataset = load_dataset(data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    members = list(members or ())
    shared = member.shared_figures(dataset, register, year) if members else None
    _STATE = _State(dataset, register, config, year, lang, templates_dir, shared)
    outputs.ensure_folder(out_dir)
    todo = plan(register, year, out_dir, everything, members)
    summary = Summary()
    if skip_existing:
        summary.outcomes += [Outcome(j, SKIPPED) for j in todo if j.target.exists()]
        todo = [j for j in todo if not j.target.exists()]
    render.warm_up(templates_dir)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    with _progress(console) as progress:
        task = progress.add_task("Rapporter", total=len(todo))
        for outcome in _outcomes(todo, workers):
            summary.outcomes.append(outcome)
            progress.advance(task)
    summary.seconds = time.perf_counter() - started
    print_summary(summary, console)
    return summary


def _outcomes(todo: list[Job], workers: int) -> Iterable[Outcome]:
    if workers == 1:
        yield from map(write_one, todo)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        yield from pool.imap_unordered(write_one, todo, chunksize=1)


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("igjen"), TimeRemainingColumn(),
                    console=console, transient=False)


def print_summary(summary: Summary, console: Console) -> None:
    console.print(f"Skrevet: {len(summary.written)}, hoppet over: {len(summary.skipped)}, "
                  f"feilet: {len(summary.failed)} ({summary.seconds:.1f} s)", highlight=False)
    for o in sorted(summary.failed, key=lambda o: o.job.number):
        label = " ".join(p for p in (o.job.number, o.job.name) if p)
        console.print(f"  Feilet: {label}: {o.reason}", highlight=False, markup=False)


def run_cli(*, everything: bool, members: bool, **options) -> int:
    """``--all`` / ``--members`` from the command line; the exit code: 1 if any failed."""
    numbers = all_members(load_register()) if members else None
    summary = run_batch(everything=everything, members=numbers, **options)
    return 1 if summary.failed else 0
