"""The floor: WeasyPrint and matplotlib alone on the same HTML and charts as the tool.

    python benchmarks/floor.py capture OUT.pickle [--county NAME]
    python benchmarks/floor.py run OUT.pickle --out DIR [--jobs N]

``capture`` runs the tool's own code once (not timed) and records, for every
report ``--all --members`` writes (or one county's), the finished HTML with the
chart and map images cut out, and how to draw each (``charts.Drawing``). ``run`` then
does only what the libraries must do for those reports: draw each chart and map with
matplotlib (the same drawings, fonts, settings and pictures), hand the pictures to WeasyPrint
by the same URLs, and lay it out and write it with WeasyPrint (the same stylesheet, fonts
and PDF variant), in ``--jobs`` forked processes set up the way the tool sets up its
workers (libraries imported, stylesheet parsed and a page laid out before the
fork). What the tool takes beyond this is its own: data, figures, text, Jinja.

``run`` prints one line of JSON: reports, wall seconds, CPU seconds (parent and
workers), and each report's seconds in its worker. It imports none of the tool's data
stack (pandas, the model's table, the figures, the sources, the reports): the drawings
come from ``kommunerapport.pictures``, which draws with matplotlib alone, and ``run``
stops with an error if anything else was imported. Its process is run as the tool's
console script runs (``kommunerapport.cli.run``): without the cyclic garbage collector
but in the workers, and ended without the interpreter's teardown, so that neither side
is timed for what the other leaves out.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing
import os
import pickle
import resource
import sys
import time
from pathlib import Path
from typing import Any

_RECORDS: list[dict[str, Any]] = []
# What the floor must never import in its timed part: it is the libraries alone.
DATA_STACK = ("kommunerapport.model.schema", "kommunerapport.figures", "kommunerapport.sources",
              "kommunerapport.reports", "kommunerapport.batch", "kommunerapport.writing.text",
              "kommunerapport.writing.facts")
_STYLES: dict[Any, Any] = {}


def capture(target: Path, county: str | None) -> None:
    """Record the HTML and the drawings of the reports (uses the tool; not timed).

    Each chart and map is kept as its ``charts.Drawing`` (how to draw it: a function of
    the module and its plain data), and its image in the HTML is cut out, so ``run``
    draws exactly what the tool draws.
    """
    from kommunerapport import reports
    from kommunerapport.batch import plan
    from kommunerapport.model.kinds import ReportKind
    from kommunerapport.model.regions import find_county, load_register
    from kommunerapport.model.schema import resolve_year
    from kommunerapport.render.html import render_html
    from kommunerapport.sources.configfile import load_config
    from kommunerapport.sources.loading import load_dataset

    dataset, register, config = load_dataset(None), load_register(), load_config(None)
    year = resolve_year(dataset, None)
    if county:
        c = find_county(county, year)
        jobs = [plan.Job(ReportKind.COUNTY, c.number, c.short_name, Path(f"{c.short_name}.pdf"))]
        shared = None
    else:
        jobs = plan.plan(register, year, Path("."), True, plan.all_members(register))
        shared = reports.shared_figures(dataset, register, year)
    records = []
    for job in jobs:
        report = reports.build(dataset, register, job.kind, job.number, year, None, config,
                               shared)
        drawn = [c for s in report.context.sections for c in s.charts]
        records.append({"name": job.target.name, "html": render_html(report.context),
                        "drawings": [(c.src, c.drawing) for c in drawn]})
    target.write_bytes(pickle.dumps(records))


def _assets(name: str) -> Path:
    """``styles`` or ``templates`` as the tool finds them (installed, else the source tree)."""
    import kommunerapport

    inside = Path(kommunerapport.__file__).resolve().parent / name
    return inside if inside.is_dir() else inside.parent.parent.parent / name


def _styles(font_set: Any) -> tuple[list[Any], Any]:
    """The stylesheet with one font set, parsed once per process (as the tool does)."""
    if font_set not in _STYLES:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        _STYLES[font_set] = ([CSS(string=font_set.face_css(), font_config=config),
                              CSS(filename=str(_assets("styles") / "report.css"),
                                  font_config=config)], config)
    styles: tuple[list[Any], Any] = _STYLES[font_set]
    return styles


def _setup(warm: bool) -> None:
    """What the tool's parent does before forking: libraries, stylesheet, fonts, a page."""
    from weasyprint import HTML

    from kommunerapport.pictures import charts  # matplotlib with the report fonts
    from kommunerapport.pictures import geometry as map_geometry
    from kommunerapport.render import fonts

    fonts.prepare("")  # the same fontTools path as the tool, said the same way
    _STYLES["charts"], _STYLES["choose"] = charts, fonts.choose
    _STYLES["base"] = _assets("templates").as_uri() + "/"
    if warm:  # as the tool's batch does: a page, one chart of each kind, a frozen heap
        css, config = _styles(fonts.CUT)
        HTML(string="<p lang='nb'>Kommuneøkonomien <b>driftsresultat</b> "
                    "<i>prosentpoeng</i></p>").render(stylesheets=css, font_config=config)
        for drawing in (
                charts.unit_bars(["Vestfold", "Telemark"], [1.5, -0.5], 1.75, "Norm 1,75 %"),
                charts.trend([2024, 2025], {"Vestfold": [1.0, None], "Landet": [0.5, 2.1]},
                             1.75, "Norm"),
                charts.histogram(["under 0", "0 til 2"], [3, 5], [True, False], "Antall")):
            drawing.pdf_image()
        map_geometry.geometry()  # the boundaries, read once
        gc.collect()
        gc.freeze()


def _pictures(images: dict[str, bytes]) -> Any:
    """WeasyPrint's own URL fetcher, serving the drawn pictures as the tool's fetcher does."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class Pictures(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            if url in images:
                return URLFetcherResponse(url, images[url],
                                          {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return Pictures()


def _one(args: tuple[int, Path]) -> float:
    """One report: its charts, then its PDF. Seconds in this process."""
    from weasyprint import HTML

    index, out = args
    start = time.perf_counter()
    record = _RECORDS[index]
    html = record["html"]
    images = {url: drawing.pdf_image() for url, drawing in record["drawings"]}
    css, config = _styles(_STYLES["choose"](html))
    HTML(string=html, base_url=_STYLES["base"], url_fetcher=_pictures(images)).write_pdf(
        out / record["name"], stylesheets=css, font_config=config, pdf_variant="pdf/ua-1",
        presentational_hints=False)
    return time.perf_counter() - start


def run(source: Path, out: Path, jobs: int) -> dict[str, Any]:
    """Write the captured reports the floor's way; the times."""
    global _RECORDS
    start = time.perf_counter()
    _RECORDS = pickle.loads(source.read_bytes())
    _setup(warm=jobs > 1)
    out.mkdir(parents=True, exist_ok=True)
    work = [(i, out) for i in range(len(_RECORDS))]
    if jobs == 1:
        seconds = [_one(w) for w in work]
    else:
        gc.enable()  # in the workers, as the tool's batch does
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            seconds = list(pool.imap_unordered(_one, work, chunksize=1))
    wall = time.perf_counter() - start
    stack = sorted(name for name in sys.modules if name == "pandas" or name.startswith(DATA_STACK))
    if stack:
        raise SystemExit(f"the floor imported the tool's data stack: {', '.join(stack[:5])}")
    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return {"reports": len(seconds), "wall": wall, "cpu": cpu, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    cap = sub.add_parser("capture", help="Record the reports' HTML and chart calls.")
    cap.add_argument("target", type=Path)
    cap.add_argument("--county", help="Only this county's report (for the cold run).")
    go = sub.add_parser("run", help="Write the captured reports with the libraries alone.")
    go.add_argument("source", type=Path)
    go.add_argument("--out", type=Path, required=True)
    go.add_argument("--jobs", type=int, default=1)
    opts = parser.parse_args()
    if opts.command == "capture":
        capture(opts.target, opts.county)
    else:
        from kommunerapport.files import own_tempdir

        gc.disable()
        # WeasyPrint's font copies in a folder of the run's own, as the console script
        # keeps them: the process ends with os._exit, which never collects them.
        with own_tempdir():
            result = run(opts.source, opts.out, opts.jobs)
        json.dump(result, sys.stdout)
        print()
        sys.stdout.flush()
        os._exit(0)


if __name__ == "__main__":
    main()
