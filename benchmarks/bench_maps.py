"""Time the maps: what one adds to a report, and what the press kit's files cost.

    python benchmarks/bench_maps.py [--repeat N]

For the county view (Vestland, 43 municipalities), the country view (357
municipalities and the county authorities) and a member view (Voss in
Vestland), with the built-in figures for 2025:
  * reading the geometry (once per process);
  * drawing the PDF's PNG (what ``charts.Chart(map.drawing, …)`` costs), fastest
    and median of N runs (the fastest is the cost; the rest is a busy machine);
  * embedding that PNG in a one-page PDF with WeasyPrint: the fastest run with it
    minus the fastest run of the same page without it;
  * the press kit's PNG at 2× and SVG (drawn once for both).
Prints the size of the packaged geometry too. Goal: a map adds well under 0,3 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
import zlib
from collections.abc import Callable
from functools import partial
from importlib import resources

from kommunerapport import figures
from kommunerapport.model.regions import load_register
from kommunerapport.pictures import classes as map_classes
from kommunerapport.pictures import geometry as map_geometry
from kommunerapport.pictures import maps
from kommunerapport.sources.loading import load_builtin

YEAR = 2025
LABELS = map_classes.Labels(
    legend_title=f"Netto driftsresultat {YEAR}, prosent", below="under {hi}",
    between="{lo} til {hi}", above="{lo} og over", missing="Ingen tall", more="og {n} til",
    municipalities="Kommunene", county_authorities="Fylkeskommunene")


def areas(numbers: list[str]) -> list[map_classes.Area]:
    register, table = load_register(), load_builtin().table
    pct = figures.shares(table, "ndr_pct", YEAR, numbers)["pct"].astype(float).to_dict()
    return [map_classes.Area(n, (register.municipality(n) if len(n) == 4 else register.county(n))
                      .short_name, pct.get(n))
            for n in numbers]


def timed(action: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Fastest and median seconds of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def pdf_seconds(image: bytes, repeat: int) -> float:
    """Fastest seconds to write a one-page PDF with ``image`` (the PDF's picture) or without,
    handed to WeasyPrint as the tool hands it (by URL, through its fetcher)."""
    from weasyprint import HTML

    from kommunerapport.render.context import IMAGE_SCHEME
    from kommunerapport.render.pdf import ProjectOnlyFetcher

    url = f"{IMAGE_SCHEME}kart.png"  # as ``render.context.Chart.src`` names a picture
    html = ("<html lang='nb'><body><h1>Kart</h1><p>Tekst.</p>"
            + (f"<img src='{url}' style='width:170mm'>" if image else "") + "</body></html>")
    fetcher = ProjectOnlyFetcher((), {url: image})
    return timed(lambda: HTML(string=html, url_fetcher=fetcher).write_pdf(), repeat)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="Runs of each measurement.")
    repeat = parser.parse_args().repeat
    register = load_register()
    vestland = [m.number for m in register.in_county("46")]
    views: dict[str, Callable[[], maps.Map | maps.NoMap]] = {
        "fylke (Vestland)": lambda: maps.county_map(areas(vestland), LABELS),
        "landet (357 + 14)": lambda: maps.country_map(
            areas([m.number for m in register.municipalities]),
            areas([c.number for c in register.counties if c.number != "03"]), LABELS),
        "medlem (Voss)": lambda: maps.member_map(areas(vestland), "4621", LABELS),
    }
    built: dict[str, maps.Map] = {}
    for name, make in views.items():  # the figures, outside the timing
        drawn = make()
        if not isinstance(drawn, maps.Map):
            raise SystemExit(f"{name}: ingen kart ({drawn.reason})")
        built[name] = drawn

    map_geometry.geometry.cache_clear()
    start = time.perf_counter()
    map_geometry.geometry()
    print(f"geometrien lest (én gang per prosess): {time.perf_counter() - start:5.3f} s")
    pdf_seconds(built["fylke (Vestland)"].drawing.pdf_image(), 2)  # WeasyPrint warmed up
    without = pdf_seconds(b"", repeat)
    for name, m in built.items():
        fastest, median = timed(m.drawing.pdf_image, repeat)
        pdf = pdf_seconds(m.drawing.pdf_image(), repeat) - without
        kit, _ = timed(partial(m.drawing.render, ("png", "svg"), 2.0, "T", "A"), 3)
        files = m.drawing.render(("png", "svg"), 2.0, "T", "A")
        print(f"{name:<18} tegne {fastest:5.3f} s (median {median:5.3f}), i PDF +{pdf:5.3f} s, "
              f"sum {fastest + pdf:5.3f} s | "
              f"presse: {kit:5.3f} s, PNG 2× {len(files['png']) // 1024} kB, "
              f"SVG {len(files['svg']) // 1024} kB")
    data = resources.files("kommunerapport").joinpath("data",
                                                      map_geometry.GEOMETRY_FILE).read_bytes()
    print(f"geometri {map_geometry.GEOMETRY_FILE}: {len(data) / 1024:.0f} kB "
          f"({len(zlib.compress(data, 9)) / 1024:.0f} kB komprimert, som i hjulet)")


if __name__ == "__main__":
    main()
