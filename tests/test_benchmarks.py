"""The benchmark scripts still run on the code they measure (nothing here is timed).

``bench_reports.py`` builds a fresh venv and writes thousands of reports, too long for the
suite; the pieces it leans on are run here on one report: the floor (``floor.py``,
capture and run) and the map benchmark (``bench_maps.py``), once each. Both broke silently
before when the code they import moved.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def run(tmp_path: Path, *args: str) -> str:
    """A benchmark script in its own process, its temporaries in a folder of the test's."""
    temp = tmp_path / "tmp"
    temp.mkdir(exist_ok=True)
    done = subprocess.run([sys.executable, *args], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300, env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode == 0, done.stderr
    assert list(temp.iterdir()) == []  # nothing left behind
    return done.stdout


def test_the_floor_writes_the_report_it_captured(tmp_path: Path) -> None:
    floor = str(BENCHMARKS / "floor.py")
    run(tmp_path, floor, "capture", "vestfold.pickle", "--county", "Vestfold")
    figures = json.loads(run(tmp_path, floor, "run", "vestfold.pickle", "--out", "ut"))
    assert figures["reports"] == 1 and len(figures["seconds"]) == 1
    assert [p.name for p in (tmp_path / "ut").iterdir()] == ["Vestfold.pdf"]


def test_the_map_benchmark_prints_each_view(tmp_path: Path) -> None:
    out = run(tmp_path, str(BENCHMARKS / "bench_maps.py"), "--repeat", "1")
    for view in ("fylke (Vestland)", "landet (357 + 14)", "medlem (Voss)"):
        assert any(line.startswith(view) and "i PDF +" in line for line in out.splitlines()), out
