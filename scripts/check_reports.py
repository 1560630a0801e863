"""Every report the batch writes, in bokmål and nynorsk: the text check and the page limits.

    python scripts/check_reports.py [--year 2025] [--jobs N] [--keep DIR]

Runs ``--all`` and ``--members`` once per written form into a temporary folder (the
batch checks each report's text before rendering it; a failed check is a failed
report), then counts the pages of every PDF against its kind's limit (member 2,
county 3, sector 4; a county of one municipality is its member report). Prints one
line per written form and every failure or page overrun; the exit code is 1 if any.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

from kommunerapport.batch import run as batch
from kommunerapport.model.regions import Register, load_register
from kommunerapport.reports.common import PAGE_LIMITS


def limit(job: batch.Job, register: Register) -> int:
    if job.kind == "county" and len(register.in_county(job.number)) == 1:
        return PAGE_LIMITS["member"]
    return PAGE_LIMITS[job.kind]


def check(lang: str, year: int | None, jobs: int | None, out: Path) -> list[str]:
    register = load_register()
    summary = batch.run_batch(everything=True, members=batch.all_members(register), year=year,
                              lang=lang, out_dir=out, jobs=jobs)
    problems = [f"{lang} {o.job.number or 'landet'} {o.job.name}: {o.reason}"
                for o in summary.failed]
    pages = {}
    for o in summary.written:
        pages[o.job.target.name] = n = len(PdfReader(o.job.target).pages)
        if n > limit(o.job, register):
            problems.append(f"{lang} {o.job.target.name}: {n} sider, grensen er "
                            f"{limit(o.job, register)}")
    most = max(pages.values(), default=0)
    print(f"{lang}: {len(summary.written)} rapporter skrevet og kontrollert, "
          f"{len(summary.failed)} feilet, flest sider {most}, "
          f"{sum(1 for p in problems if p.endswith(tuple('0123456789')))} over grensen",
          flush=True)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--keep", type=Path, help="write the reports here and keep them")
    args = parser.parse_args()
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for lang in ("nb", "nn"):
            out = (args.keep or Path(tmp)) / lang
            problems += check(lang, args.year, args.jobs, out)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
