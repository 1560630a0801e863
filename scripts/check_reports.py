"""Every report the batch writes, on the sample and on constructed data, in bokmål and nynorsk:
the text check, the page limits and how full the pages are.

    python scripts/check_reports.py [--year 2025] [--jobs N] [--keep DIR] [--full]
                                    [--data sample,delvis,likt,null,grenser,skiftende]

Runs the batch once per data set and written form into a temporary folder:

- ``sample``: the built-in data, ``--all --members`` (all 387 reports);
- ``delvis``, ``likt``, ``null``, ``grenser``, ``skiftende``: constructed variants of the
  sample (``scripts/variants.py``: partial data, ties, zeros, rounding boundaries, units
  that shift from year to year), ``--all`` and the members of the counties each changes
  (``--full``: every member).

The batch checks each report's text before rendering it (a failed check is a failed
report) and holds it to its page limit (member 2, county 3, sector 4: a report over its
limit is an error and is not written). Then every PDF's pages are measured: a page that is
not the last may not be left a third empty (its content must reach two thirds down the
text area), and the last page must hold at least a fifth of a page (else the report runs
onto a page it need not). Prints one line per data set and written form, then every
failure; the exit code is 1 if any.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pdfplumber
import variants

from kommunerapport import files
from kommunerapport.batch import run as batch
from kommunerapport.batch.plan import all_members
from kommunerapport.model.regions import load_register
from kommunerapport.sources.loading import DataInput

MM = 72 / 25.4
TOP, BOTTOM = 20 * MM, 22 * MM  # the page margins of styles/report.css
FULL_ENOUGH = 2 / 3  # a page a third empty, or more, is left too empty
LAST_AT_LEAST = 1 / 5
DATA = ("sample", *variants.VARIANTS)


def fill(pdf: Path) -> list[float]:
    """How far down each page's text area its content reaches (0: empty, 1: full): the
    lowest letter, line, box or picture between the top and bottom margins."""
    out = []
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            top, bottom = TOP, float(page.height) - BOTTOM
            objects = page.chars + page.rects + page.images + page.lines + page.curves
            lows = [float(o["bottom"]) for o in objects
                    if float(o["top"]) >= top - 1 and float(o["bottom"]) <= bottom + 1]
            out.append(round((max(lows, default=top) - top) / (bottom - top), 3))
    return out


def page_problems(name: str, pages: list[float]) -> list[str]:
    """The pages left too empty, one line each."""
    out = []
    for number, full in enumerate(pages[:-1], start=1):
        if full < FULL_ENOUGH:
            out.append(f"{name}: side {number} av {len(pages)} er bare {full:.0%} full")
    if len(pages) > 1 and pages[-1] < LAST_AT_LEAST:
        out.append(f"{name}: siste side holder bare {pages[-1]:.0%} av en side")
    return out


def run(data: str, lang: str, year: int | None, jobs: int | None, out: Path,
        full: bool) -> list[str]:
    register = load_register()
    data_file = None
    members = all_members(register)
    if data != "sample":
        out.parent.mkdir(parents=True, exist_ok=True)
        data_file = DataInput((variants.write(data, out.parent),))
        if not full:
            touched = variants.TOUCHED[data]
            members = [m for m in members
                       if (m if len(m) == 2 else register.municipality(m).county) in touched]
    summary = batch.run_batch(everything=True, members=members, year=year, lang=lang,
                              out_dir=out, jobs=jobs, data_file=data_file)
    problems = [f"{data} {lang} {o.job.number or 'landet'} {o.job.name}: {o.reason}"
                for o in summary.failed]
    most = 0
    for o in summary.written:
        pages = fill(o.job.target)
        most = max(most, len(pages))
        problems += page_problems(f"{data} {lang} {o.job.target.name}", pages)
    print(f"{data} {lang}: {len(summary.written)} rapporter skrevet og kontrollert, "
          f"{len(summary.failed)} feilet, flest sider {most}, "
          f"{sum(1 for p in problems if ' side ' in p)} sider for tomme", flush=True)
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int)
    parser.add_argument("--jobs", type=int)
    parser.add_argument("--keep", type=Path, help="write the reports here and keep them")
    parser.add_argument("--full", action="store_true",
                        help="every member on the constructed data too")
    parser.add_argument("--data", default=",".join(DATA),
                        help=f"the data sets, comma-separated (default: {','.join(DATA)})")
    args = parser.parse_args()
    problems: list[str] = []
    # Every temporary of the run (WeasyPrint's font copies in the forked workers too) in a
    # folder of its own, removed at the end, as the console script does.
    with files.own_tempdir(), tempfile.TemporaryDirectory() as tmp:
        for data in args.data.split(","):
            if data not in DATA:
                parser.error(f"ukjent datasett «{data}»; velg blant {', '.join(DATA)}")
            for lang in ("nb", "nn"):
                out = (args.keep or Path(tmp)) / data / lang
                problems += run(data, lang, args.year, args.jobs, out, args.full)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
