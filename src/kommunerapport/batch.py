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

from kommunerapport import outputs, render, reports
from kommunerapport.config import Config, load_config
from kommunerapport.data import Dataset, resolve_year
from kommunerapport.loading import load_dataset
from kommunerapport.regions import Register, load_register

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
    warnings: tuple[str, ...] = ()


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
    shared: reports.Shared | None
    kit: bool = False  # the press kit beside each PDF


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
                        reports.member_target(register, number, year, out_dir)))
    return jobs


def all_members(register: Register) -> list[str]:
    """Every member: the 357 municipalities, then the county authorities.

    Oslo is a member once: its accounts are Oslo kommune's, with no county authority
    of its own.
    """
    return [m.number for m in register.municipalities] + [
        c.number for c in register.counties if c.number != reports.OSLO_COUNTY]


def write_one(job: Job) -> Outcome:
    """Write one report; any exception becomes a failed outcome with its reason."""
    start = time.perf_counter()
    s = _STATE
    warnings: list[str] = []
    try:
        report = reports.build(s.dataset, s.register, job.kind, job.number, s.year, s.lang,
                               s.config, s.shared)
        warnings += report.warnings
        reports.write(report, job.target, s.templates_dir, warn=warnings.append, kit=s.kit)
    except Exception as exc:  # noqa: BLE001 - one report must not stop the batch
        message = getattr(exc, "message", None) or str(exc) or "(ingen melding)"
        return Outcome(job, FAILED, f"{type(exc).__name__}: {message}",
                       time.perf_counter() - start)
    return Outcome(job, WRITTEN, seconds=time.perf_counter() - start,
                   warnings=tuple(warnings))


def _warm(templates_dir: Path | None) -> None:
    """Parse fonts and CSS in the parent, so forked workers inherit them."""
    render._styles(render.stylesheet_path(templates_dir), render.roots(templates_dir))


def run_batch(*, everything: bool = False, members: Iterable[str] | None = None,
              year: int | None = None, lang: str | None = None, data_file: Path | None = None,
              out_dir: Path = Path("output"), config_file: Path | None = None,
              templates_dir: Path | None = None, jobs: int | None = None,
              skip_existing: bool = False, kit: bool = False,
              console: Console | None = None) -> Summary:
    """Write many reports with ``jobs`` forked workers (default: the number of CPUs)."""
    global _STATE
    console = console or Console(stderr=True)
    started = time.perf_counter()
    config = load_config(config_file)
    dataset = load_dataset(data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    members = list(members or ())
    shared = reports.shared_figures(dataset, register, year) if members else None
    _STATE = _State(dataset, register, config, year, lang, templates_dir, shared, kit)
    outputs.ensure_folder(out_dir)
    todo = plan(register, year, out_dir, everything, members)
    summary = Summary()
    if skip_existing:
        summary.outcomes += [Outcome(j, SKIPPED) for j in todo if done(j, kit)]
        todo = [j for j in todo if not done(j, kit)]
    _warm(templates_dir)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    with _progress(console) as progress:
        task = progress.add_task("Rapporter", total=len(todo))
        for outcome in _outcomes(todo, workers):
            summary.outcomes.append(outcome)
            progress.advance(task)
    summary.seconds = time.perf_counter() - started
    print_summary(summary, console)
    return summary


def done(job: Job, kit: bool) -> bool:
    """Already written: the PDF, and with ``kit`` its press kit too."""
    from kommunerapport.kit import kit_folder

    return job.target.exists() and (not kit or kit_folder(job.target).is_dir())


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
    for line in dict.fromkeys(w for o in summary.outcomes for w in o.warnings):
        console.print(f"  Advarsel: {line}", highlight=False, markup=False)
    for o in sorted(summary.failed, key=lambda o: o.job.number):
        label = " ".join(p for p in (o.job.number, o.job.name) if p)
        console.print(f"  Feilet: {label}: {o.reason}", highlight=False, markup=False)


def run_cli(*, everything: bool, members: bool, **options) -> int:
    """``--all`` / ``--members`` from the command line; the exit code: 1 if any failed."""
    numbers = all_members(load_register()) if members else None
    summary = run_batch(everything=everything, members=numbers, **options)
    return 1 if summary.failed else 0
