"""Time the reports as a user runs them: subprocesses, cold, into a temporary folder.

    python benchmarks/bench_reports.py [--jobs N] [--skip-members]

(a) one cold ``kommunerapport --county Vestfold``; (b) ``--members`` (357
municipalities + 15 county authorities); (c) ``--all`` (sector + 15 counties).
Prints reports per second, seconds per report and the batch's peak memory (the
largest resident set of any process the run waited for, RUSAGE_CHILDREN).
Goal on 2 cores: all ~388 reports ≤ 90 s, a cold county ≤ 3 s, peak < 2 GB.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "kommunerapport"]


def run(args: list[str], out: Path) -> tuple[float, int, float]:
    """Seconds, PDFs written and peak RSS in MB of one CLI run."""
    before = set(out.glob("*.pdf")) if out.exists() else set()
    start = time.perf_counter()
    subprocess.run([*CLI, *args, "--out", str(out)], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    # ru_maxrss (kB on Linux) is the maximum over every waited-for descendant so far.
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, len(set(out.glob("*.pdf")) - before), peak


def line(label: str, seconds: float, count: int, peak: float | None = None) -> str:
    rate = f"{count / seconds:5.2f} rapporter/s, {seconds / count:5.3f} s/rapport" if count else ""
    mem = f", topp {peak:,.0f} MB" if peak is not None else ""
    return f"{label:<28} {count:4d} rapporter på {seconds:6.1f} s  {rate}{mem}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, help="Passed to --members/--all.")
    parser.add_argument("--skip-members", action="store_true", help="Only the cold county.")
    opts = parser.parse_args()
    jobs = ["--jobs", str(opts.jobs)] if opts.jobs else []
    tmp = Path(tempfile.mkdtemp(prefix="kommunerapport-bench-"))
    try:
        s, n, _ = run(["--county", "Vestfold"], tmp / "county")
        print(line("(a) --county Vestfold, kald", s, n))
        if opts.skip_members:
            return
        s_m, n_m, peak = run(["--members", *jobs], tmp / "members")
        print(line("(b) --members", s_m, n_m, peak))
        s_a, n_a, peak = run(["--all", *jobs], tmp / "all")
        print(line("(c) --all", s_a, n_a, peak))
        print(line("(b)+(c) alle rapporter", s_m + s_a, n_m + n_a, peak))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
