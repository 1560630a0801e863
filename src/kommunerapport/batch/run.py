"""Many reports at once: ``--all`` (the sector and the 15 counties) and ``--members``
(each municipality and county authority).

The parent loads the dataset, the register and the config once, indexes the
table, computes the figures every member report shares, compiles the templates
and lays out a page (fonts); then it freezes its heap for the
garbage collector (``gc.freeze``) and forks its worker processes, which inherit
all of it without copying. One report failing does not stop the others, nor
does a worker that dies (``workers``): its reason goes into the summary, and the
exit code says some failed.

A report whose files on disk already say what it would say is left alone
(``render.writer``): a rerun with nothing changed rewrites nothing, and the summary
counts it «uendret». The summary names every file written, skipped and failed.

The output folder is locked for the run (``outputs.lock``), and
temporaries left by a killed run are removed first. After Ctrl-C the summary counts
what is on disk: reports the workers finished after the interrupt are counted too.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict, Unpack

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from kommunerapport import figures, files, reports
from kommunerapport.batch import workers
from kommunerapport.batch.memory import release_memory
from kommunerapport.batch.plan import Job, all_members, plan
from kommunerapport.errors import KommunerapportError
from kommunerapport.model.config import Config
from kommunerapport.model.regions import Register, load_register
from kommunerapport.model.schema import Dataset, resolve_year
from kommunerapport.outputs import records
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.outputs.names import FOLDERS, PREFIX, shown
from kommunerapport.render import fonts
from kommunerapport.render import pdf as render
from kommunerapport.render.kit import kit_folder
from kommunerapport.render.writer import KIT_ONLY
from kommunerapport.sources.loading import DataInput, load_inputs

WRITTEN, UNCHANGED, SKIPPED, FAILED = "written", "unchanged", "skipped", "failed"


@dataclass(frozen=True)
class Outcome:
    job: Job
    status: str  # written | unchanged | skipped | failed
    reason: str = ""
    seconds: float = 0.0
    warnings: tuple[str, ...] = ()  # facts after the dateline, a page limit passed
    path: Path | None = None  # what was written: the PDF, or only its press kit
    draft: bool = False  # the report carries «UTKAST» (not approved)


@dataclass
class BatchSummary:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # stopped with Ctrl-C

    def _with(self, status: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.status == status]

    @property
    def written(self) -> list[Outcome]:
        return self._with(WRITTEN)

    @property
    def unchanged(self) -> list[Outcome]:
        return self._with(UNCHANGED)

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
    force: bool = False  # write every report, changed or not


_STATE: _State | None = None
_TODO: list[Job] = []


def _state() -> _State:
    if _STATE is None:
        raise RuntimeError("no batch is set up: run_batch() loads it before the reports")
    return _STATE


def write_one(job: Job) -> Outcome:
    """Write one report (checked, then rendered); any exception becomes a failed outcome."""
    start = time.perf_counter()
    warnings: list[str] = []
    try:
        s = _state()
        report = reports.build(s.dataset, s.register, job.kind, job.number, s.year, s.lang,
                               s.config, s.shared)
        warnings += report.warnings
        written = reports.publish(report, job.target, s.templates_dir, warn=warnings.append,
                                  kit=s.kit, force=s.force,
                                  strict_pages=True)  # a page limit is an error in a batch
    except KommunerapportError as exc:  # our own: the message says it all
        return Outcome(job, FAILED, exc.format_message(), time.perf_counter() - start)
    except Exception as exc:  # one report must not stop the batch
        message = getattr(exc, "message", None) or str(exc) or "(ingen melding)"
        return Outcome(job, FAILED, f"{type(exc).__name__}: {message}",
                       time.perf_counter() - start)
    path = kit_folder(written.path) if written.result == KIT_ONLY else written.path
    return Outcome(job, WRITTEN if written.changed else UNCHANGED,
                   seconds=time.perf_counter() - start, warnings=tuple(warnings),
                   path=path, draft=written.draft)


def run_batch(*, everything: bool = False, members: Iterable[str] | None = None,
              year: int | None = None, lang: str | None = None,
              data_file: DataInput | None = None,
              out_dir: Path = Path("output"), config_file: Path | None = None,
              templates_dir: Path | None = None, jobs: int | None = None,
              skip_existing: bool = False, kit: bool = False, force: bool = False,
              quiet: bool = False, verbose: bool = False,
              console: Console | None = None) -> BatchSummary:
    """Write many reports with ``jobs`` forked workers (default and most: the CPUs).

    ``force``: every report, even those whose files already say the same; ``quiet``:
    the summary without the names of the files; ``verbose``: with the unchanged ones too.
    """
    global _STATE, _TODO
    console = console or Console(stderr=True)
    started = time.perf_counter()
    since = records.now()
    members = list(members or ())
    _STATE = _load(year, lang, data_file, config_file, templates_dir, bool(members), kit,
                   force)
    files.ensure_folder(out_dir)
    summary = BatchSummary()
    with folder_lock(out_dir):
        for folder in (out_dir, *(out_dir / name for name in FOLDERS)):
            if folder.is_dir() and files.kind_of(folder) is None:
                files.remove_stale_temporaries(folder, f".{PREFIX}-", legacy=True)
        _TODO = plan(_STATE.register, _STATE.year, out_dir, everything, members)
        if skip_existing:
            finished = {j.target for j in _TODO if done(j, kit)}
            summary.outcomes += [Outcome(j, SKIPPED, path=j.target) for j in _TODO
                                 if j.target in finished]
            _TODO = [j for j in _TODO if j.target not in finished]
        count = worker_count(jobs, len(_TODO), console)
        _warm(templates_dir, _STATE.config)
        _write_all(_TODO, count, summary, console)
        if summary.interrupted:
            summary.outcomes += finished_meanwhile(_TODO, summary, since)
    summary.seconds = time.perf_counter() - started
    print_summary(summary, console, out_dir, quiet=quiet, verbose=verbose)
    return summary


def done(job: Job, kit: bool) -> bool:
    """Already written: the PDF with the record that vouches for its bytes, and with
    ``kit`` its press kit as recorded. A PDF without its record (a full disk, a killed
    run), a 0-byte file or an edited one is not done."""
    record = records.current(job.target)
    if record is None:
        return False
    return not kit or (record.kit is not None
                       and records.kit_digest(kit_folder(job.target)) == record.kit)


def finished_meanwhile(todo: list[Job], summary: BatchSummary, since: str) -> list[Outcome]:
    """After Ctrl-C: the reports without an outcome that are on disk, written by this run
    (the workers finish what they were writing when the batch stops)."""
    counted = {o.job.target for o in summary.outcomes}
    found = []
    for job in todo:
        if job.target in counted:
            continue
        record = records.current(job.target)
        if record is not None and record.written_at >= since:
            found.append(Outcome(job, WRITTEN, path=job.target, draft=not record.approved))
    return found


def _load(year: int | None, lang: str | None, data_file: DataInput | None,
          config_file: Path | None, templates_dir: Path | None, members: bool,
          kit: bool = False, force: bool = False) -> _State:
    """What every report needs, loaded once; the table indexed, the shared figures made."""
    config, dataset = load_inputs(config_file, data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    figures.index(dataset.table)
    shared = reports.shared_figures(dataset, register, year) if members else None
    return _State(dataset, register, config, year, lang, templates_dir, shared, kit, force)


def _warm(templates_dir: Path | None, config: Config) -> None:
    """Before forking: templates, stylesheet, fonts and charts loaded once."""
    render.warm_up(templates_dir)
    _warm_charts()
    fonts.prepare(repr(config))  # the fontTools path; the config's text may need the full font


def _write_all(todo: list[Job], count: int, summary: BatchSummary, console: Console) -> None:
    """The reports with a progress bar; Ctrl-C stops the batch and keeps what is written."""
    gc.collect()
    gc.freeze()  # the workers' collector leaves the inherited heap alone: no copies
    gc.enable()  # the console script starts without it (cli.run); workers need it
    try:
        with _progress(console) as progress:
            task = progress.add_task("Rapporter", total=len(todo))
            for outcome in outcomes(todo, count):
                summary.outcomes.append(outcome)
                progress.advance(task)
                progress.refresh()
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        gc.unfreeze()


def _warm_charts() -> None:
    """Draw one chart of each kind in the parent: matplotlib's fonts and caches (some 30 MB)
    are then loaded once and shared with every worker instead of once per worker."""
    from kommunerapport.pictures import charts

    for drawing in (
            charts.unit_bars(["Vestfold", "Telemark"], [1.5, -0.5], 1.75, "Norm 1,75 %"),
            charts.trend([2024, 2025], {"Vestfold": [1.0, None], "Landet": [0.5, 2.1]}, 1.75,
                         "Norm"),
            charts.histogram(["under 0", "0 til 2"], [3, 5], [True, False], "Antall kommuner")):
        drawing.pdf_image()
    from kommunerapport.pictures import geometry as map_geometry

    map_geometry.geometry()  # the boundaries of every map, read once


def cpu_count() -> int:
    """The CPUs this process may use (its affinity, where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count(jobs: int | None, reports: int, console: Console) -> int:
    """``--jobs``, at most one per CPU (more only wait for each other and take memory)."""
    cpus = cpu_count()
    if jobs and jobs > cpus:
        console.print(f"Merk: --jobs {jobs} er flere enn de {cpus} prosessorene maskinen har; "
                      f"bruker {cpus} arbeidsprosesser.", highlight=False, markup=False,
                      soft_wrap=True)
    return max(1, min(jobs or cpus, cpus, reports or 1))


def _write_index(index: int) -> Outcome:
    try:
        return write_one(_TODO[index])
    finally:
        release_memory()


def _died(index: int, reason: str) -> Outcome:
    return Outcome(_TODO[index], FAILED, reason)


def outcomes(todo: list[Job], count: int) -> Iterable[Outcome]:
    if count == 1:
        for job in todo:
            yield write_one(job)
            release_memory()
        return
    for _index, outcome in workers.run(len(todo), _write_index, count, _died):
        yield outcome


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), TextColumn("igjen"), TimeRemainingColumn(),
                    console=console, transient=False,
                    auto_refresh=False)  # no thread of its own while the workers are forked


def print_summary(summary: BatchSummary, console: Console, out_dir: Path = Path("output"),
                  quiet: bool = False, verbose: bool = False) -> None:
    """The counts, then (unless ``quiet``) every file written and skipped (with ``verbose``
    the unchanged too), the warnings, and every failure with its reason."""
    def say(line: str) -> None:
        console.print(line, highlight=False, markup=False, soft_wrap=True)

    seconds = f"{summary.seconds:.1f}".replace(".", ",")
    say(f"Skrevet: {len(summary.written)}, uendret: {len(summary.unchanged)}, "
        f"hoppet over: {len(summary.skipped)}, feilet: {len(summary.failed)} ({seconds} s)")
    if not quiet:
        listed = [("Skrevet", summary.written), ("Hoppet over", summary.skipped)]
        if verbose:
            listed.append(("Uendret", summary.unchanged))
        for word, outcomes in listed:
            for o in sorted(outcomes, key=lambda o: str(o.path or o.job.target)):
                say(f"  {word}: {shown(o.path or o.job.target, out_dir)}")
    for line in dict.fromkeys(w for o in summary.outcomes for w in o.warnings):
        say(f"  Advarsel: {line}")
    for o in sorted(summary.failed, key=lambda o: o.job.number):
        label = " ".join(p for p in (o.job.number, o.job.name) if p)
        say(f"  Feilet: {label}: {o.reason}")
    drafts = sum(o.draft for o in summary.written + summary.unchanged)
    if drafts and not quiet:
        say(f"Utkast: {drafts} av rapportene har «UTKAST» på hver side til de er godkjent "
            "(kommunerapport approve).")
    if summary.interrupted:
        say("Avbrutt med Ctrl-C: de ferdige rapportene er skrevet; kjør igjen med "
            "--skip-existing for å lage resten.")


class BatchOptions(TypedDict, total=False):
    """``run_batch``'s options besides what to write, as the command line passes them."""

    year: int | None
    lang: str | None
    data_file: DataInput | None
    out_dir: Path
    config_file: Path | None
    templates_dir: Path | None
    jobs: int | None
    skip_existing: bool
    kit: bool
    force: bool
    quiet: bool
    verbose: bool
    console: Console | None


def run_cli(*, everything: bool, members: bool, **options: Unpack[BatchOptions]) -> int:
    """``--all`` and/or ``--members`` from the command line; the exit code.

    1 if any report failed, 130 after Ctrl-C (as the shell says for SIGINT).
    """
    numbers = all_members(load_register()) if members else None
    summary = run_batch(everything=everything, members=numbers, **options)
    if summary.interrupted:
        return 130
    return 1 if summary.failed else 0
