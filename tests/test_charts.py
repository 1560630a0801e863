"""Charts: drawn once for the PDF, again on request as PNG at 2× and as reproducible SVG."""

from __future__ import annotations

import io
import os
import pickle
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from matplotlib.figure import Figure as MplFigure
from PIL import Image

from kommunerapport.pictures import charts
from kommunerapport.pictures.drawing import DPI, PRINTED_SHARE, Drawing
from kommunerapport.render.context import Chart

SVG = "{http://www.w3.org/2000/svg}"
DRAWN: list[str] = []


def counted_bars(label: str) -> MplFigure:
    """A chart that notes each time it is drawn."""
    DRAWN.append(label)
    return charts.unit_bars(["Bergen", "Voss"], [2.5, -1.0], 1.75, "norm 1,75").figure()


def png_size(data: bytes) -> tuple[int, int]:
    return Image.open(io.BytesIO(data)).size


PRINTED_WIDTH_IN = charts.WIDTH_IN * PRINTED_SHARE  # styles/report.css: 86 % wide


def bars() -> Drawing:
    return charts.unit_bars(["Bergen", "Voss", "Stord"], [2.5, -1.0, 0.4], 1.75, "norm 1,75")


def test_a_chart_is_drawn_when_rendered_not_when_built() -> None:
    DRAWN.clear()
    chart = Chart(Drawing(counted_bars, ("a",)), "alt", "Tittel", ("Kommune",))
    assert chart.src.startswith("kommunerapport-bilde:") and chart.src.endswith(".png")
    assert DRAWN == []  # building the report's context draws nothing
    image = chart.drawing.pdf_image()  # what render.pdf.pictures draws for the PDF
    assert DRAWN == ["a"]
    picture = Image.open(io.BytesIO(image))
    assert (picture.format, picture.mode) == ("PNG", "RGB")
    assert len(image) > picture.width * picture.height * 3  # stored: WeasyPrint compresses
    assert picture.width / PRINTED_WIDTH_IN == pytest.approx(200, abs=0.5)  # 200 dpi as printed


def test_the_url_names_what_is_drawn() -> None:
    one, two = Chart(bars(), "alt", "T", ("K",)), Chart(bars(), "alt", "T", ("K",))
    other = Chart(charts.unit_bars(["Bergen"], [1.0], 1.75, "norm"), "alt", "T", ("K",))
    assert one.src == two.src != other.src


def test_files_are_png_at_twice_the_resolution_and_svg_from_one_drawing() -> None:
    DRAWN.clear()
    chart = Chart(Drawing(counted_bars, ("a",)), "alt", "Tittel", ("Kommune",))
    files = chart.files()
    assert set(files) == {"png", "svg"} and DRAWN == ["a"]  # one drawing for both
    w, h = png_size(chart.drawing.pdf_image())
    for scale, png in ((2, files["png"]), (3, chart.files(scale=3)["png"])):
        assert png_size(png) == pytest.approx((scale * w, scale * h), abs=1)  # whole pixels


def test_the_svg_carries_title_and_alt_text_and_no_date() -> None:
    chart = Chart(bars(), "Tre kommuner; Voss har underskudd <1 %.", "Netto & drift",
                  ("Kommune",))
    svg = chart.files()["svg"]
    root = ElementTree.fromstring(svg)
    assert root.tag == SVG + "svg"
    assert [child.tag for child in root][:2] == [SVG + "title", SVG + "desc"]
    assert root.find(SVG + "title").text == "Netto & drift"
    assert root.find(SVG + "desc").text == "Tre kommuner; Voss har underskudd <1 %."
    assert b"<dc:date>" not in svg


def test_svg_and_png_are_the_same_bytes_in_another_process() -> None:
    here = bars().render(("png", "svg"), 2.0, "T", "A")
    code = ("import sys; from kommunerapport.pictures import charts; "
            "d = charts.unit_bars(['Bergen', 'Voss', 'Stord'], [2.5, -1.0, 0.4], 1.75, "
            "'norm 1,75').render(('png', 'svg'), 2.0, 'T', 'A'); "
            "sys.stdout.buffer.write(d['svg'] + b'\\0' + d['png'])")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         env={**os.environ, "PYTHONHASHSEED": "123"}).stdout
    svg, png = out.split(b"\0", 1)
    assert svg == here["svg"]
    assert png == here["png"]


def test_a_chart_crosses_to_a_worker_process() -> None:
    """The batch forks workers; a chart and its drawing must pickle."""
    series = {"Vestland": [1.0, None], "Landet": [-0.3, 2.1]}
    chart = Chart(charts.trend([2024, 2025], series, 1.75, "norm"), "alt", "Tittel", ("År",))
    again = pickle.loads(pickle.dumps(chart))
    assert again.src == chart.src
    assert again.files()["png"] == chart.files()["png"]


def test_every_chart_kind_is_a_drawing() -> None:
    for drawing in (bars(), charts.trend([2024, 2025], {"Vestland": [1.0, 2.0]}, 1.75, "norm"),
                    charts.histogram(["under 0", "0 og over"], [3, 5], [True, False], "Antall")):
        width = png_size(drawing.render()["png"])[0]
        assert width / PRINTED_WIDTH_IN == pytest.approx(DPI, abs=0.5)


def test_a_trend_for_the_pdf_is_pixel_for_pixel_its_full_drawing() -> None:
    """The PDF's trend charts reuse one figure per process; each must be what a fresh
    figure draws, whatever came before (more or fewer lines and years, gaps, deficits)."""
    import numpy as np

    years = [2020, 2021, 2022, 2023, 2024, 2025]
    cases = [
        (years, {"Voss kommune": [4.5, 4.1, 4.2, 1.4, 1.0, 2.6],
                 "Kommunane i Vestland": [1.9, 4.2, 1.3, 0.6, -0.3, 3.8],
                 "Landet utan Oslo": [2.5, 4.2, 2.6, 1.0, -0.3, 2.1]}, 1.75, "Norm 1,75 %"),
        ([2024, 2025], {"Vestland fylkeskommune": [2.6, 5.0],
                        "Fylkeskommunane utan Oslo": [2.7, 4.3]}, 4.0, "Norm 4 %"),
        (years, {"Kinn": [None, -4.1, -8.2, 1.4, None, -8.0]}, 1.75, "Norm 1,75 %"),
        (years, {"Oslo": [8.5, 9.1, 4.2, -1.4, 1.0, 12.6], "Landet": [2.5] * 6}, 1.75, "Norm"),
    ]
    for args in cases:
        drawing = charts.trend(*args)
        bars().pdf_image()  # another kind of chart in between
        quick, full = drawing.pdf_image(), drawing.render(("png-stored",))["png-stored"]
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(quick))),
                              np.asarray(Image.open(io.BytesIO(full)))), args[1]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="pdf"):
        bars().render(("pdf",))


def test_the_png_is_opaque_rgb() -> None:
    """No alpha channel: the figure is opaque, and WeasyPrint embeds RGB without a soft mask."""
    image = Image.open(io.BytesIO(bars().render()["png"]))
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)
