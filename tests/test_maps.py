"""Maps: the packaged geometry, the classes and colours, and what each map says it shows."""

from __future__ import annotations

import importlib.util
import itertools
import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.collections import Collection
from matplotlib.figure import Figure as MplFigure
from matplotlib.path import Path as MplPath

from kommunerapport import figures as fig
from kommunerapport.model import norms
from kommunerapport.model.regions import load_register
from kommunerapport.pictures import charts, maps
from kommunerapport.pictures import classes as map_classes
from kommunerapport.pictures import geometry as map_geometry
from kommunerapport.render.context import Chart
from kommunerapport.sources.loading import load_builtin

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


# -- Classes and colours -----------------------------------------------------------------------

NB = map_classes.Labels(legend_title="Netto driftsresultat 2025, prosent", below="under {hi}",
                 between="{lo} til {hi}", above="{lo} og over", missing="Ingen tall",
                 more="og {n} til", municipalities="Kommunene",
                 county_authorities="Fylkeskommunene")
NN = map_classes.Labels(legend_title="Netto driftsresultat 2025, prosent", below="under {hi}",
                 between="{lo} til {hi}", above="{lo} og over", missing="Ingen tal",
                 more="og {n} til", municipalities="Kommunane",
                 county_authorities="Fylkeskommunane")


@pytest.mark.parametrize(("value", "index"), [
    (-4.01, 0), (-4.0, 1), (-2.0, 2), (-0.01, 2),  # deficits: NDR < 0
    (0.0, 3), (1.74, 3), (1.75, 4), (3.99, 4), (4.0, 5), (12.0, 5),  # the norm is met at 1,75
    (None, None), (float("nan"), None),  # no figure is no class, never zero
])
def test_lower_bounds_are_inclusive_and_zero_is_a_surplus(value, index) -> None:
    assert map_classes.class_of(value) == index


def test_the_breaks_hold_both_norms_and_zero() -> None:
    assert {0.0, norms.NORM_MUNICIPALITIES,
            norms.NORM_COUNTY_AUTHORITIES} <= set(map_classes.BREAKS)
    with pytest.raises(ValueError, match="2"):
        map_classes.panel([map_classes.Area("4601", "Bergen", 1.0)], NB, norms.NORM_SECTOR)


def test_a_panel_counts_names_and_tabulates_each_class() -> None:
    areas = [map_classes.Area("4601", "Bergen", 2.5), map_classes.Area("4621", "Voss", None),
             map_classes.Area("4602", "Kinn", -4.5), map_classes.Area("4611", "Etne", 0.0),
             map_classes.Area("4612", "Sveio", 1.75)]
    p = map_classes.panel(areas, NB, 1.75)
    assert [(c.label, c.units) for c in p.classes] == [
        ("under \u22124", ("Kinn",)), ("\u22124 til \u22122", ()), ("\u22122 til 0", ()),
        ("0 til 1,75", ("Etne",)), ("1,75 til 4", ("Bergen", "Sveio")), ("4 og over", ())]
    assert p.missing == ("Voss",)
    assert (p.total, p.shown, p.norm) == (5, 4, 1.75)
    assert p.rows == (("Bergen", "2,5", "1,75 til 4"), ("Voss", "–", "Ingen tall"),
                      ("Kinn", "\u22124,5", "under \u22124"), ("Etne", "0,0", "0 til 1,75"),
                      ("Sveio", "1,8", "1,75 til 4"))


def test_deficits_are_the_reports_red_and_surpluses_its_blue() -> None:
    assert map_classes.COLOURS[0] == charts.RED == "#b3261e"
    assert map_classes.COLOURS[-1] == charts.NAVY == "#1b365d"
    assert all(_lab(c)[2] > 0 for c in map_classes.COLOURS[:3])  # reds: yellow side of b*
    assert all(_lab(c)[2] < 0 for c in map_classes.COLOURS[3:])  # blues


def _linear(hexcolour: str) -> np.ndarray:
    c = np.array([int(hexcolour[i:i + 2], 16) / 255 for i in (1, 3, 5)])
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(hexcolour: str, simulate: np.ndarray | None = None) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour, optionally as a colour-blind viewer sees it."""
    rgb = _linear(hexcolour)
    if simulate is not None:
        rgb = np.clip(simulate @ rgb, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])


def test_the_classes_read_in_greyscale() -> None:
    """Every pair of classes at least 12 L* apart, and 25 apart in the luma a grey print uses."""
    lightness = sorted(_lab(c)[0] for c in map_classes.COLOURS)
    assert min(b - a for a, b in itertools.pairwise(lightness)) >= 12

    def luma(c: str) -> float:  # ITU-R BT.601, what PIL's convert("L") does
        return 0.299 * int(c[1:3], 16) + 0.587 * int(c[3:5], 16) + 0.114 * int(c[5:7], 16)
    lumas = sorted(luma(c) for c in map_classes.COLOURS)
    assert min(b - a for a, b in itertools.pairwise(lumas)) >= 25


@pytest.mark.parametrize("simulation", [DEUTERANOPIA, PROTANOPIA])
def test_the_classes_stay_apart_for_red_green_colour_blindness(simulation) -> None:
    """Pairwise ΔE*ab ≥ 20 as seen; units without figures differ by their hatching."""
    seen = [_lab(c, simulation) for c in map_classes.COLOURS]
    assert min(np.linalg.norm(a - b) for a, b in itertools.combinations(seen, 2)) >= 20


# -- The maps ----------------------------------------------------------------------------------

def builtin_areas(numbers: list[str], year: int = 2025, without: tuple[str, ...] = ()
                  ) -> list[map_classes.Area]:
    """The built-in figures (sample data calibrated to SSB) for ``numbers``."""
    shares = fig.shares(load_builtin().table, "ndr_pct", year, numbers)
    register = load_register()
    return [map_classes.Area(n, (register.municipality(n) if len(n) == 4 else register.county(n))
                      .short_name,
                      None if n in without or n not in shares.index else shares.loc[n, "pct"])
            for n in numbers]


def vestland() -> list[str]:
    return [m.number for m in load_register().in_county("46")]


def collections_of(figure: MplFigure) -> list[Collection]:
    return [c for ax in figure.axes for c in ax.collections]


def texts_of(figure: MplFigure) -> str:
    legend = [t.get_text() for lg in figure.legends for t in lg.get_texts()]
    titles = [lg.get_title().get_text() for lg in figure.legends]
    return "\n".join([t.get_text() for t in figure.texts]
                     + [t.get_text() for ax in figure.axes for t in ax.texts] + titles + legend)


def test_oslo_gets_no_map_and_the_reason_why() -> None:
    result = maps.county_map(builtin_areas(["0301"]), NB)
    assert not result
    assert (result.reason, result.name) == (maps.ONE_UNIT, "Oslo")
    assert not maps.member_map(builtin_areas(["0301"]), "0301", NB)


def test_the_vestland_map_shows_its_43_municipalities_with_the_missing_hatched() -> None:
    numbers = vestland()
    without = ("4611", "4619", "4631")  # Etne, Eidfjord, Alver: as if they had not reported
    m = maps.county_map(builtin_areas(numbers, without=without), NB)
    (p,) = m.panels
    assert (p.total, p.shown, p.missing) == (43, 40, ("Etne", "Eidfjord", "Alver"))
    assert sum(c.count for c in p.classes) == 40
    assert [row[0] for row in p.rows] == [load_register().municipality(n).short_name
                                          for n in numbers]
    figure = m.drawing.figure()
    hatched = [c for c in collections_of(figure) if c.get_hatch() == maps.HATCH]
    assert [len(c.get_paths()) for c in hatched] == [3]
    text = texts_of(figure)
    assert "Ingen tall: Etne, Eidfjord, Alver" in text
    assert "Kart: © Kartverket" in text
    assert "Netto driftsresultat 2025, prosent" in text
    assert f"4 og over ({p.classes[-1].count})" in text


def test_nynorsk_words_come_from_the_caller_and_the_credit_stays() -> None:
    m = maps.county_map(builtin_areas(vestland(), without=("4621",)), NN)
    text = texts_of(m.drawing.figure())
    assert "Ingen tal: Voss" in text and "Ingen tall" not in text
    assert "Kart: © Kartverket" in text
    assert m.panels[0].rows[vestland().index("4621")] == ("Voss", "–", "Ingen tal")


def test_many_missing_are_named_up_to_a_limit_and_counted() -> None:
    numbers = vestland()
    m = maps.county_map(builtin_areas(numbers, without=tuple(numbers[:15])), NB)
    assert len(m.panels[0].missing) == 15
    text = " ".join(texts_of(m.drawing.figure()).split())
    assert "og 5 til" in text
    assert load_register().municipality(numbers[9]).short_name in text
    assert load_register().municipality(numbers[10]).short_name not in text


def test_the_country_map_has_the_county_authorities_in_an_inset_in_the_same_classes() -> None:
    register = load_register()
    authorities = [c.number for c in register.counties if c.number != "03"]
    m = maps.country_map(builtin_areas([k.number for k in register.municipalities]),
                         builtin_areas(authorities, without=("42",)), NB)
    municipal, counties = m.panels
    assert (municipal.title, municipal.total, municipal.norm) == ("Kommunene", 357, 1.75)
    assert (counties.title, counties.total, counties.norm) == ("Fylkeskommunene", 14, 4.0)
    assert counties.missing == ("Agder",)
    assert [c.colour for c in municipal.classes] == [c.colour for c in counties.classes]
    assert len(m.rows) == 357 + 14
    figure = m.drawing.figure()
    assert len(figure.axes) == 2
    text = texts_of(figure)
    assert "Fylkeskommunene: Agder" in text and "Kart: © Kartverket" in text


def test_the_member_is_outlined_and_named_in_the_legend() -> None:
    m = maps.member_map(builtin_areas(vestland()), "4621", NB)
    assert m.member == "Voss"
    figure = m.drawing.figure()
    geometry = map_geometry.geometry()
    outlined = [c for c in collections_of(figure)
                if len(c.get_paths()) == 1 and c.get_paths()[0] is geometry.paths["4621"]]
    assert outlined  # the halo and the line
    assert "Voss" in texts_of(figure).splitlines()


def test_a_county_authority_member_is_outlined_among_the_counties() -> None:
    authorities = [c.number for c in load_register().counties if c.number != "03"]
    m = maps.member_map(builtin_areas(authorities), "46", NB, norm=norms.NORM_COUNTY_AUTHORITIES)
    assert (m.member, m.panels[0].total, m.panels[0].norm) == ("Vestland", 14, 4.0)


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


def test_a_members_map_for_the_pdf_is_pixel_for_pixel_its_full_drawing() -> None:
    """Member maps reuse their county, drawn once per process; the pixels are the same."""
    authorities = [c.number for c in load_register().counties if c.number != "03"]
    agder = [m.number for m in load_register().in_county("42")]
    cases = [(vestland(), n, NB, norms.NORM_MUNICIPALITIES) for n in ("4601", "4621", "4649")]
    cases += [(agder, "4204", NB, norms.NORM_MUNICIPALITIES),  # another county: drawn anew
              (vestland(), "4602", NN, norms.NORM_MUNICIPALITIES),  # other words, same units
              (authorities, "46", NB, norms.NORM_COUNTY_AUTHORITIES),
              (authorities, "18", NB, norms.NORM_COUNTY_AUTHORITIES)]
    for numbers, member, labels, norm in cases:
        drawing = maps.member_map(builtin_areas(numbers, without=("4614",)), member, labels,
                                  norm).drawing
        assert drawing.pixels is not None
        quick, full = drawing.pdf_image(), drawing.render(("png-stored",))["png-stored"]
        assert np.array_equal(_pixels(quick), _pixels(full)), member
    assert maps.bases_kept() == 1  # one county kept at a time: memory stays flat


def test_wrong_units_are_refused() -> None:
    with pytest.raises(ValueError, match="3001"):  # Halden's number before 2024 (now 3101)
        maps.county_map([map_classes.Area("3001", "Halden", 1.0),
                         map_classes.Area("3101", "Halden", 1.0)], NB)
    with pytest.raises(ValueError, match="4601"):
        maps.member_map(builtin_areas(vestland()[1:]), "4601", NB)
    with pytest.raises(ValueError):
        maps.county_map([], NB)


def test_a_map_crosses_to_a_worker_process_and_draws_the_same() -> None:
    m = maps.county_map(builtin_areas(vestland()), NB)
    again = pickle.loads(pickle.dumps(m))
    assert again.drawing.render(("svg",)) == m.drawing.render(("svg",))


def test_a_map_is_a_chart_like_any_other() -> None:
    m = maps.county_map(builtin_areas(vestland()), NB)
    chart = Chart(m.drawing, "alt", "Kart", ("Kommune", "Netto driftsresultat", "Klasse"),
                  m.rows)
    assert chart.src.endswith(".png") and chart.src != Chart(
        maps.county_map(builtin_areas(vestland()), NN).drawing, "alt", "Kart", ()).src
    assert set(chart.files()) == {"png", "svg"}


def test_the_municipalities_cover_mainland_norway() -> None:
    """Kartverket: mainland Norway is 323 808 km² (land and fresh water)."""
    paths = map_geometry.geometry().paths

    def km2(path: MplPath) -> float:  # shoelace over each ring; holes count negative
        total = 0.0
        for ring in path.to_polygons(closed_only=True):
            x, y = ring[:, 0], ring[:, 1]
            total += 0.5 * float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))
        return total / 1e6
    municipalities = sum(km2(p) for n, p in paths.items() if len(n) == 4)
    counties = sum(km2(p) for n, p in paths.items() if len(n) == 2)
    assert municipalities == pytest.approx(323_808, rel=0.01)
    assert counties == pytest.approx(municipalities, rel=1e-9)
    assert all(km2(p) > 0 for p in paths.values())


def test_the_reports_class_labels_say_which_side_a_bound_falls_on() -> None:
    # Issue 18: «−2 til 0» did not say where 0 goes; lower bounds are inclusive.
    from kommunerapport.reports.graphics import map_labels

    for lang in ("nb", "nn"):
        p = map_classes.panel([map_classes.Area("4611", "Etne", 0.0)], map_labels(lang, 2025),
                              1.75)
        assert [c.label for c in p.classes] == [
            "under \u22124", "\u22124 til under \u22122", "\u22122 til under 0",
            "0 til under 1,75", "1,75 til under 4", "4 og over"]


@pytest.mark.parametrize("simulation", [None, DEUTERANOPIA, PROTANOPIA])
def test_every_class_stands_apart_from_the_land_and_the_hatched_white(simulation) -> None:
    """Issue 18: «−2 til 0» was near-white beside the grey land. ΔE*ab ≥ 20 from the land
    around a map and from the white of units without figures, as seen with and without
    red–green colour blindness."""
    for colour in map_classes.COLOURS:
        for ground in (maps.LAND, maps.MISSING_FACE):
            assert np.linalg.norm(_lab(colour, simulation) - _lab(ground, simulation)) >= 20, (
                colour, ground)
