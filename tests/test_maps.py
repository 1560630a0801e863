"""Maps: the packaged geometry, the classes and colours, and what each map says it shows."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE_DATA = ROOT / "src" / "kommunerapport" / "data"


def build_script():
    spec = importlib.util.spec_from_file_location("build_geometry",
                                                  ROOT / "scripts" / "build_geometry.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- The geometry file -------------------------------------------------------------------------

def test_the_geometry_is_byte_for_byte_what_the_script_writes(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_geometry.py"),
                    "--out", str(tmp_path)], check=True, cwd=ROOT, capture_output=True)
    assert (tmp_path / "kart_2024.json").read_bytes() == (
        PACKAGE_DATA / "kart_2024.json").read_bytes()


@pytest.mark.parametrize(("lon", "lat", "easting", "northing"), [
    # pyproj 3.7.2 / PROJ 9.5.1, EPSG:4326 → EPSG:25833 (always_xy)
    (10.7522, 59.9139, 262560.482, 6649443.584),  # Oslo
    (5.3221, 60.3913, -32117.391, 6734201.592),  # Bergen, west of the zone
    (31.147007130710563, 70.4, 1098293.528, 7890550.265),  # the easternmost vertex's meridian
    (15.0, 69.0, 500000.000, 7654362.140),  # on the central meridian
])
def test_the_projection_is_utm_33n(lon: float, lat: float, easting: float,
                                   northing: float) -> None:
    x, y = build_script().utm33(lon, lat)
    assert (x, y) == (pytest.approx(easting, abs=0.001), pytest.approx(northing, abs=0.001))


def test_the_file_holds_every_municipality_and_county_of_the_register() -> None:
    data = json.loads((PACKAGE_DATA / "kart_2024.json").read_text("utf-8"))
    kommuner = (PACKAGE_DATA / "kommuner.csv").read_text("utf-8").splitlines()[1:]
    fylker = (PACKAGE_DATA / "fylker.csv").read_text("utf-8").splitlines()[1:]
    expected = {line.split(",")[0] for line in kommuner + fylker}
    assert set(data["units"]) == expected
    assert len(expected) == 357 + 15
    assert (data["crs"], data["licence"], data["credit"]) == (
        "EPSG:25833", "CC BY 4.0", "Kart: © Kartverket")


def test_shared_borders_are_stored_once() -> None:
    """Each arc is used by at most two municipalities, once each way (no gaps, no slivers)."""
    data = json.loads((PACKAGE_DATA / "kart_2024.json").read_text("utf-8"))
    uses: dict[int, list[int]] = {}
    for unit, rings in data["units"].items():
        if len(unit) == 4:
            for ring in rings:
                for ref in ring:
                    uses.setdefault(ref if ref >= 0 else ~ref, []).append(ref)
    assert set(uses) == set(range(len(data["arcs"])))
    assert all(len(refs) == 1 or (len(refs) == 2 and (refs[0] >= 0) != (refs[1] >= 0))
               for refs in uses.values())
    assert sum(len(refs) == 2 for refs in uses.values()) > 500  # the inland borders


def test_simplification_keeps_small_details_and_shapes() -> None:
    """Visvalingam–Whyatt on whole metres: small triangles go, the ends and big ones stay."""
    visvalingam = build_script().visvalingam
    line = [(0, 0), (1000, 10), (2000, 0), (3000, 2000), (4000, 0)]
    # Triangle (0,0),(1000,10),(2000,0) has twice-area 20 000; the peak 4 000 000.
    assert visvalingam(line, 100_000) == [(0, 0), (2000, 0), (3000, 2000), (4000, 0)]
    assert visvalingam(line, 0) == line
    square = [(0, 0), (10, 0), (10, 10), (0, 10), (0, 0)]
    assert visvalingam(square, 10**9) == [(0, 0), (10, 10), (0, 10), (0, 0)]  # a triangle stays
