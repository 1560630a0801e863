"""Time the reports as a new user runs them, against the floor, in each font setup.

    python benchmarks/bench_reports.py [--repeat 3] [--cold-repeat 7] [--jobs N]
                                       [--python PATH] [--keep]

1. The README user's setup: a fresh venv with ``pip install .`` of this folder
   (whatever fontTools and WeasyPrint pip picks today; nothing from apt), unless
   ``--python`` names an existing environment's interpreter.
2. For each setup, measured in turns (tool, floor, tool, floor …) and quoted as
   medians:
   - without Debian's libharfbuzz-subset0: WeasyPrint subsets fonts with
     fontTools. When the library is installed on this machine it is hidden from
     WeasyPrint for these runs (the same code path as on a machine without it);
   - with it, when it is installed (``apt-get install libharfbuzz-subset0``).
   - all 387 reports in one run (``kommunerapport --all --members``); the memory of
     every worker is sampled as the run goes (Linux /proc) in one more run, not
     timed: sampling five times a second slowed a run by 3 %;
   - the same batch again into the folder it wrote, nothing changed: the tool leaves a
     report alone when its content is unchanged (issue 16), so it should rewrite no PDF
     and take a small part of the first run;
   - a batch on the built-in table given as ``--data``, then again with one
     municipality's figure revised: only the reports that figure changes are rewritten;
   - a cold ``kommunerapport --county Vestfold`` (a new process each time);
   - the floor for both (``benchmarks/floor.py``): WeasyPrint and matplotlib
     alone on the same HTML and charts, in as many processes.
3. Prints a table: times, CPU seconds per report, the ratios to the floor, the
   workers' memory over the run and the whole tree's peak, with the goals of
   issue 11 (2 CPUs: all reports ≤ 60 s without and ≤ 45 s with the library,
   cold ≤ 1.5 s, ≤ 1.2× the floor per report, flat memory, tree < 1 GB).

CPU seconds are less disturbed than wall time by other work on the machine; the
load average before and after is printed so a noisy run can be recognised.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FLOOR = Path(__file__).resolve().parent / "floor.py"
HARFBUZZ_SUBSET = "libharfbuzz-subset.so.0"
# Run the CLI with WeasyPrint's HarfBuzz subsetter hidden: what WeasyPrint does on a
# machine without libharfbuzz-subset0 (it then subsets with fontTools).
HIDE_HARFBUZZ = (
    "import runpy, sys; import weasyprint.text.ffi as a, weasyprint.pdf.fonts as b; "
    "a.harfbuzz_subset = b.harfbuzz_subset = None; sys.argv[0] = 'kommunerapport'; "
    "runpy.run_module('kommunerapport', run_name='__main__', alter_sys=True)")
FLOOR_HIDING = (
    "import runpy, sys; import weasyprint.text.ffi as a, weasyprint.pdf.fonts as b; "
    "a.harfbuzz_subset = b.harfbuzz_subset = None; sys.argv[0] = sys.argv[1]; "
    "del sys.argv[1]; runpy.run_path(sys.argv[0], run_name='__main__')")


@dataclass
class Setup:
    label: str
    hide_harfbuzz: bool
    note: str


@dataclass
class Run:
    wall: float
    cpu: float
    reports: int
    memory: dict[str, Any] = field(default_factory=dict)
    rewritten: int = 0  # PDFs whose file changed (a rerun into a folder that has them)


def harfbuzz_subset_installed() -> bool:
    try:
        ctypes.CDLL(HARFBUZZ_SUBSET)
    except OSError:
        return False
    return True


def fresh_venv(folder: Path) -> Path:
    """The README's install: a new venv and ``pip install .``; its interpreter."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", str(ROOT)],
                         capture_output=True, text=True)
    if pip.returncode:
        raise SystemExit(f"pip install . failed:\n{pip.stdout}{pip.stderr}")
    return python


def versions(python: Path) -> str:
    code = ("import fontTools, weasyprint, matplotlib, pandas, sys; "
            "print(f'Python {sys.version.split()[0]}, fontTools {fontTools.version}, "
            "WeasyPrint {weasyprint.__version__}, matplotlib {matplotlib.__version__}, "
            "pandas {pandas.__version__}')")
    return subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                          text=True).stdout.strip()


def timed(command: list[str], out: Path | None = None, sample: bool = False) -> Run:
    """Wall and CPU seconds (the process and every child it waited for) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
    sampler = MemorySampler(process.pid, out) if sample and out is not None else None
    _, stderr = process.communicate()
    wall = time.perf_counter() - start
    if sampler:
        sampler.stop()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    reports = len(list(out.rglob("*.pdf"))) if out else 1
    return Run(wall, cpu, reports, sampler.summary(reports) if sampler else {})


class MemorySampler:
    """Every 0.2 s: each worker's resident memory, the tree's PSS, and the reports done."""

    def __init__(self, pid: int, out: Path) -> None:
        self.pid, self.out = pid, out
        self.samples: list[tuple[int, dict[int, float], float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        while not self._stop.wait(0.2):
            tree = [self.pid, *children(self.pid)]
            workers = {p: rss_mb(p) for p in tree[1:]}
            pss = sum(pss_mb(p) for p in tree)
            done = sum(1 for _ in self.out.rglob("*.pdf")) if self.out.exists() else 0
            self.samples.append((done, {p: m for p, m in workers.items() if m}, pss))

    def summary(self, reports: int) -> dict[str, Any]:
        """Per worker: its memory at 10 %, 50 % and 100 % of the reports; the tree's peak."""
        marks: dict[float, dict[int, float]] = {}
        for share in (0.1, 0.5, 1.0):
            at = [s for s in self.samples if s[0] >= share * reports * 0.98]
            if at:
                marks[share] = at[0][1] if share < 1 else self.samples[-1][1] or at[0][1]
        pids = sorted({p for s in self.samples for p in s[1]})
        seen = {p: [marks[m].get(p) for m in sorted(marks)] for p in pids}
        per_worker = {p: w for p, w in seen.items()  # workers seen through the run
                      if sum(m is not None for m in w) > 1}
        complete = [[m for m in w if m is not None] for w in per_worker.values()
                    if None not in w]
        growth = [w[-1] - w[0] for w in complete if len(w) > 1]
        return {"workers": per_worker, "growth": max(growth) if growth else None,
                "peak_pss": max((s[2] for s in self.samples), default=None),
                "peak_rss": max((max(s[1].values(), default=0) for s in self.samples),
                                default=None)}


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _proc_kb(path: str, key: str) -> float:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def rss_mb(pid: int) -> float:
    return _proc_kb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> float:
    return _proc_kb(f"/proc/{pid}/smaps_rollup", "Pss:")


def tool(python: Path, setup: Setup, args: list[str]) -> list[str]:
    if setup.hide_harfbuzz:
        return [str(python), "-c", HIDE_HARFBUZZ, *args]
    return [str(python.parent / "kommunerapport"), *args]


def floor(python: Path, setup: Setup, args: list[str]) -> list[str]:
    if setup.hide_harfbuzz:
        return [str(python), "-c", FLOOR_HIDING, str(FLOOR), *args]
    return [str(python), str(FLOOR), *args]


def stamps(out: Path) -> dict[Path, tuple[int, int]]:
    """Each PDF's modification time and size: what a rerun that rewrites it changes."""
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in out.rglob("*.pdf")}


def rerun(command: list[str], out: Path) -> Run:
    """``command`` again into ``out``, which holds its reports: timed, and how many PDFs it
    rewrote (the tool leaves a report alone when its content is unchanged, issue 16)."""
    before = stamps(out)
    run = timed(command, out)
    after = stamps(out)
    run.rewritten = sum(1 for p, stamp in after.items() if before.get(p) != stamp)
    return run


def data_files(work: Path, python: Path) -> tuple[Path, Path]:
    """The built-in table as a --data file, and the same with one municipality's figure
    changed (Holmestrand's netto driftsresultat 2025: 3,8 → 2,4 %), as a revision moves one."""

    code = ("import kommunerapport, pathlib; print(pathlib.Path(kommunerapport.__file__).parent"
            " / 'data' / 'dataset.csv')")
    source = Path(subprocess.run([str(python), "-c", code], check=True, capture_output=True,
                                 text=True).stdout.strip())
    text = source.read_text("utf-8")
    row = "3903,2025,ndr_pct,3.8,"
    if row not in text:
        raise SystemExit(f"{source}: no row «{row}…» to change")
    base, changed = work / "tall.csv", work / "tall-revidert.csv"
    base.write_text(text, "utf-8")
    changed.write_text(text.replace(row, "3903,2025,ndr_pct,2.4,"), "utf-8")
    return base, changed


def measure(python: Path, setup: Setup, work: Path, captures: dict[str, Path], jobs: int,
            repeat: int, cold_repeat: int) -> dict[str, list[Run]]:
    """Tool and floor in turns: cold county runs, then whole batches; each batch again into
    its own folder with nothing changed; and one figure revised."""
    runs: dict[str, list[Run]] = {"cold": [], "cold_floor": [], "all": [], "all_floor": [],
                                  "memory": [], "rerun": [], "revised": []}
    for i in range(cold_repeat):
        runs["cold"].append(timed(tool(python, setup, ["--county", "Vestfold", "--out",
                                                       str(work / f"cold-{i}")])))
        runs["cold_floor"].append(timed(floor(python, setup, [
            "run", str(captures["cold"]), "--out", str(work / f"cold-floor-{i}")])))
    for i in range(repeat):
        out = work / f"all-{i}"
        command = tool(python, setup, ["--all", "--members", "--jobs", str(jobs), "--out",
                                       str(out)])
        runs["all"].append(timed(command, out))
        runs["rerun"].append(rerun(command, out))
        out = work / f"all-floor-{i}"
        runs["all_floor"].append(timed(floor(python, setup, [
            "run", str(captures["all"]), "--jobs", str(jobs), "--out", str(out)]), out))
        for folder in (work / f"all-{i}", work / f"all-floor-{i}"):
            shutil.rmtree(folder, ignore_errors=True)
    base, changed = data_files(work, python)
    out = work / "revised"  # a full run on a file, then the file with one figure revised
    args = ["--all", "--members", "--jobs", str(jobs), "--out", str(out)]
    timed(tool(python, setup, [*args, "--data", str(base)]), out)
    runs["revised"].append(rerun(tool(python, setup, [*args, "--data", str(changed)]), out))
    shutil.rmtree(out, ignore_errors=True)
    out = work / "memory"  # the workers' memory, sampled in a run of its own
    runs["memory"].append(timed(tool(python, setup, ["--all", "--members", "--jobs", str(jobs),
                                                     "--out", str(out)]), out, sample=True))
    shutil.rmtree(out, ignore_errors=True)
    return runs


def median(runs: list[Run], what: str) -> float:
    return float(statistics.median(getattr(r, what) for r in runs))


GOAL_ALL = {"without libharfbuzz-subset0": "≤ 60 s", "with libharfbuzz-subset0": "≤ 45 s"}


def columns(r: dict[str, list[Run]]) -> dict[str, str]:
    """One setup's cells."""
    wall, floor_wall = median(r["all"], "wall"), median(r["all_floor"], "wall")
    reports, floor_reports = r["all"][0].reports, r["all_floor"][0].reports
    cpu = median(r["all"], "cpu") / reports
    floor_cpu = median(r["all_floor"], "cpu") / floor_reports
    cold, floor_cold = median(r["cold"], "wall"), median(r["cold_floor"], "wall")
    memory = r["memory"][0].memory
    if memory.get("workers"):
        marks = "; ".join(" → ".join(f"{m:.0f}" for m in w if m is not None)
                          for w in memory["workers"].values())
        growth = memory["growth"]
        workers = f"{marks} MB" + (f" (most: {growth:+.0f} MB)" if growth is not None else "")
    else:
        workers = "not sampled"
    again = median(r["rerun"], "wall")
    revised = r["revised"][0]
    return {
        "rerun": (f"**{again:.1f} s** = {again / wall:.0%} of a full run; "
                  f"{max(x.rewritten for x in r['rerun'])} PDFs rewritten"),
        "revised": (f"{revised.wall:.1f} s; **{revised.rewritten}** of {revised.reports} PDFs "
                    "rewritten"),
        "all": f"**{wall:.1f} s** ({reports} reports)",
        "all_floor": f"{floor_wall:.1f} s",
        "all_ratio": f"{wall / floor_wall:.2f}×",
        "cpu": f"{cpu:.3f} / {floor_cpu:.3f} s = **{cpu / floor_cpu:.2f}×**",
        "cold": f"**{cold:.2f} s**",
        "cold_floor": f"{floor_cold:.2f} s",
        "cold_ratio": f"{cold / floor_cold:.2f}×",
        "workers": workers,
        "tree": f"{memory.get('peak_pss') or 0:.0f} MB",
    }


def table(setups: list[Setup], results: list[dict[str, list[Run]]], jobs: int) -> str:
    cells = [columns(r) for r in results]
    rows = [
        ("all", f"all reports (--all --members, {jobs} workers), median wall",
         " / ".join(GOAL_ALL[s.label] for s in setups)),
        ("all_floor", "  floor: WeasyPrint + matplotlib alone, same HTML and charts", ""),
        ("all_ratio", "  tool / floor", ""),
        ("cpu", "per report, CPU seconds (all processes): tool / floor", "≤ 1.2×"),
        ("cold", "cold --county Vestfold, median wall", "≤ 1.5 s"),
        ("cold_floor", "  floor: the same report with the libraries alone", ""),
        ("cold_ratio", "  tool / floor", ""),
        ("workers", "each worker's memory (RSS) at 10 % → 50 % → 100 % of a run (sampled "
                    "in a run of its own)", "flat"),
        ("tree", "whole process tree, peak (PSS: shared pages counted once)", "< 1 GB"),
        ("rerun", "the same run again into its folder, nothing changed (median)",
         "≤ 15 % of a full run, 0 rewritten"),
        ("revised", "again with one municipality's figure revised (Holmestrand 2025, --data)",
         "only the reports it changes"),
    ]
    lines = [f"| | {' | '.join(s.label for s in setups)} | goal |",
             f"|---|{'---|' * len(setups)}---|"]
    lines += [f"| {label} | {' | '.join(c[key] for c in cells)} | {goal} |"
              for key, label, goal in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="Whole batches per setup.")
    parser.add_argument("--cold-repeat", type=int, default=7, help="Cold runs per setup.")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                        help="Workers for the batch and the floor. Default: the CPUs.")
    parser.add_argument("--python", type=Path,
                        help="Use this environment's interpreter instead of a fresh venv.")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kommunerapport-bench-"))
    # Every process the benchmark starts keeps its temporaries (WeasyPrint's font copies,
    # the floor's too) in the work folder, which goes when the benchmark ends.
    (work / "tmp").mkdir()
    os.environ["TMPDIR"] = str(work / "tmp")
    load_before = os.getloadavg()
    try:
        if opts.python:
            python = opts.python.absolute()  # not resolve(): a venv's python is a symlink
            origin = f"the existing environment of {python} (not a fresh README install)"
        else:
            started = time.perf_counter()
            python = fresh_venv(work / "venv")
            origin = (f"a fresh venv with `pip install .` as the README says "
                      f"({time.perf_counter() - started:.0f} s to install)")
        installed = harfbuzz_subset_installed()
        setups = [Setup("without libharfbuzz-subset0", installed,
                        "hidden from WeasyPrint for these runs (installed on this machine)"
                        if installed else "not installed on this machine")]
        if installed:
            setups.append(Setup("with libharfbuzz-subset0", False, "installed (apt)"))
        print(f"Setup: {origin}; {versions(python)}.", flush=True)
        for s in setups:
            print(f"  {s.label}: {s.note}", flush=True)
        if not installed:
            print("  with libharfbuzz-subset0: not measured (apt-get install "
                  "libharfbuzz-subset0 to measure it too)", flush=True)
        captures = {"all": work / "all.pickle", "cold": work / "vestfold.pickle"}
        print("Capturing the reports' HTML and charts for the floor …", flush=True)
        subprocess.run([str(python), str(FLOOR), "capture", str(captures["all"])], check=True,
                       cwd=work)
        subprocess.run([str(python), str(FLOOR), "capture", str(captures["cold"]), "--county",
                        "Vestfold"], check=True, cwd=work)
        results = []
        for s in setups:
            print(f"Measuring {s.label} …", flush=True)
            results.append(measure(python, s, work, captures, opts.jobs, opts.repeat,
                                   opts.cold_repeat))
        load_after = os.getloadavg()
        print()
        print(f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, "
              f"{load_after[0]:.2f} after; medians of {opts.repeat} batches and "
              f"{opts.cold_repeat} cold runs per setup, tool and floor in turns.")
        print()
        print(table(setups, results, opts.jobs))
    finally:
        if opts.keep:
            print(f"Kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
