"""Charts as pictures for the PDF, each with an alt text and its data as a table.

matplotlib with the Agg backend and the project's own font (Source Sans Pro from
PyPI), Norwegian tick labels formatted by ``formatting`` (matplotlib's locale
support is unreliable), fixed margins instead of ``tight_layout`` (faster, and
the same layout every time). A raster at 200 dpi as printed embeds twice as fast
in WeasyPrint as SVG.

The PDF's picture is a PNG stored without compression, handed to WeasyPrint by URL
(``render.ProjectOnlyFetcher``), not a compressed PNG in a ``data:`` URI:
WeasyPrint decodes every raster image and compresses it once more as it writes the
PDF, so compressing it here too would be done twice, and a ``data:`` URI of 100 KB
is parsed character by character with the HTML. (WeasyPrint turns any format but
PNG and JPEG into PNG first, so raw pixels in another format cost more, not less.)

A chart keeps how it was drawn (a ``Drawing``: a function and its arguments), so
the press kit can have it again as PNG at twice the resolution and as SVG; the
PDF path draws it once. SVG is reproducible: no date, ids salted by a fixed
``svg.hashsalt``, text as paths (no font needed to view it).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

import font_source_sans_pro  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402
from PIL import Image  # noqa: E402

from kommunerapport.writing.formatting import number  # noqa: E402

# One palette for every chart (KS-like navy, teal accent, red for deficits).
NAVY = "#1b365d"
TEAL = "#00838f"
RED = "#b3261e"
GREY = "#6b6b6b"
LIGHT = "#d9dee5"

WIDTH_IN = 6.7  # 170 mm, the text column of an A4 page
DPI = 200  # as printed
# styles/report.css prints a chart at 86 % of the column: drawn at this resolution it has
# DPI as printed. (A map is printed at its own size, so it is drawn at DPI.)
PRINTED_SHARE = 0.86
CHART_DPI = DPI * PRINTED_SHARE
IMAGE_SCHEME = "kommunerapport-bilde:"  # the PDF's pictures, served by render's fetcher
FONT_DIR = Path(font_source_sans_pro.font_directory)
FONT_FILES = ("SourceSansPro-Regular.ttf", "SourceSansPro-Semibold.ttf",
              "SourceSansPro-Bold.ttf")


@dataclass(frozen=True)
class Drawing:
    """How to draw a figure: a module-level function and its (plain, picklable) arguments.

    Each call of ``figure`` draws anew; ``render`` saves one drawing in several formats.
    """

    draw: Callable[..., MplFigure]
    args: tuple[Any, ...] = ()
    dpi: float = CHART_DPI  # the resolution that prints at ``DPI``
    # A quicker way to the same pixels for the PDF (``args``, then ``dpi``): a member's map
    # reuses its county (``maps``), a trend chart one figure, each drawn once per process.
    pixels: Callable[..., bytes] | None = None

    def figure(self) -> MplFigure:
        return self.draw(*self.args)

    def render(self, formats: tuple[str, ...] = ("png",), scale: float = 1.0,
               title: str = "", desc: str = "") -> dict[str, bytes]:
        """Draw once and save as each of ``formats`` («png», «svg», «png-stored»: a PNG
        without compression, for the PDF).

        ``scale`` multiplies the raster's resolution (2: the press kit's 2×); ``title``
        and ``desc`` become the SVG's ``<title>`` and ``<desc>`` (what a screen reader says).
        """
        fig = self.figure()
        try:
            return {fmt: _save(fig, fmt, self.dpi * scale, title, desc) for fmt in formats}
        finally:
            plt.close(fig)

    def pdf_image(self) -> bytes:
        """The picture for the PDF: a stored PNG at print resolution (the module's note)."""
        if self.pixels is not None:
            return self.pixels(*self.args, self.dpi)
        return self.render(("png-stored",))["png-stored"]


@dataclass(frozen=True)
class Chart:
    """A drawn chart and what a reader without sight needs of it.

    Give ``src`` a ``Drawing`` and it is drawn here, once, as the PDF's picture
    (``image``, named by the URL ``src`` then holds); the drawing is kept in ``drawing``
    for ``files``. A finished image may be given as a ``data:`` URI instead.
    """

    src: str | Drawing  # the picture's URL (a str once constructed)
    alt: str  # states the chart's message
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    data_note: str = ""  # where the data is instead, when it is already a table in the report
    drawing: Drawing | None = None  # how to draw it again, for other formats
    style: str = ""  # a CSS class for its kind («map»)
    image: bytes = b""  # the picture ``src`` names, when drawn here (``render`` serves it)

    def __post_init__(self) -> None:
        if isinstance(self.src, Drawing):
            image = self.src.pdf_image()
            object.__setattr__(self, "drawing", self.src)
            object.__setattr__(self, "image", image)
            object.__setattr__(self, "src", image_url(image))

    def files(self, scale: float = 2.0) -> dict[str, bytes]:
        """The chart as PNG at ``scale`` × print resolution and as SVG, from one drawing.

        Keys «png» and «svg»; the SVG carries the title and the alt text.
        """
        if self.drawing is None:
            raise ValueError(f"«{self.title}» was given as a finished image; it cannot be "
                             "drawn again")
        return self.drawing.render(("png", "svg"), scale, self.title, self.alt)


def setup_fonts() -> None:
    """Register the shipped font once per process."""
    for name in FONT_FILES:
        font_manager.fontManager.addfont(str(FONT_DIR / name))
    plt.rcParams.update({
        "font.family": "Source Sans Pro", "font.size": 9, "axes.edgecolor": GREY,
        "axes.labelcolor": "#222222", "xtick.color": "#222222", "ytick.color": "#222222",
        "axes.spines.top": False, "axes.spines.right": False, "svg.hashsalt": "kommunerapport",
    })


setup_fonts()


def _fmt(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _pos: number(v, decimals))


def _whole_ticks(axis) -> None:  # noqa: ANN001 - a matplotlib Axis
    """Ticks on whole percent only, so a label never rounds 0,5 up to «1»."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(_fmt())


def image_url(image: bytes) -> str:
    """A name for a picture, unique to its pixels: two reports never mix theirs up."""
    return IMAGE_SCHEME + hashlib.sha256(image).hexdigest()[:24] + ".png"


def _save(fig: MplFigure, fmt: str, dpi: float, title: str = "", desc: str = "") -> bytes:
    if fmt in ("png", "png-stored"):
        return _raster(fig, dpi, stored=fmt == "png-stored")
    if fmt != "svg":
        raise ValueError(f"unknown image format {fmt!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return _describe_svg(buf.getvalue(), title, desc)


def _raster(fig: MplFigure, dpi: float, stored: bool = False) -> bytes:
    canvas = FigureCanvasAgg(fig)
    fig.dpi = dpi
    canvas.draw()
    return encode(canvas, stored)


def encode(canvas: FigureCanvasAgg, stored: bool = True) -> bytes:
    """What ``canvas`` holds as a PNG, ``stored`` without compression (for the PDF).

    RGB without the alpha channel Agg draws: the figure is opaque anyway, and WeasyPrint
    embeds an RGB image faster (no soft mask).
    """
    buf = io.BytesIO()
    Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3]).save(
        buf, format="png", compress_level=0 if stored else 6)
    return buf.getvalue()


def _describe_svg(svg: bytes, title: str, desc: str) -> bytes:
    """Put ``<title>`` and ``<desc>`` first inside ``<svg>``, as SVG's accessibility asks."""
    if not (title or desc):
        return svg
    text = svg.decode("utf-8")
    start = text.index(">", text.index("<svg")) + 1
    inner = (f"\n <title>{escape(title)}</title>" if title else "") + (
        f"\n <desc>{escape(desc)}</desc>" if desc else "")
    return (text[:start] + inner + text[start:]).encode("utf-8")


def unit_bars(names: list[str], values: list[float], norm: float, norm_label: str) -> Drawing:
    """Horizontal bars, best first, with the norm as a dashed line."""
    return Drawing(_draw_unit_bars, (tuple(names), tuple(values), norm, norm_label))


def _draw_unit_bars(names: tuple[str, ...], values: tuple[float, ...], norm: float,
                    norm_label: str) -> MplFigure:
    height = max(2.0, 0.6 + (0.19 if len(names) <= 20 else 0.135) * len(names))
    fig, ax = plt.subplots(figsize=(WIDTH_IN, height))
    fig.subplots_adjust(left=0.22, right=0.97, top=1 - 0.35 / height, bottom=0.45 / height)
    ys = list(range(len(names)))[::-1]
    ax.barh(ys, values, color=[RED if v < 0 else NAVY for v in values], height=0.7)
    ax.set_yticks(ys, names, fontsize=7.5 if len(names) > 20 else 9)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.axvline(norm, color=TEAL, linestyle="--", linewidth=1.2)
    ax.text(norm, len(names) - 0.3, " " + norm_label, color=TEAL, fontsize=8, va="bottom")
    _whole_ticks(ax.xaxis)
    ax.set_ylim(-0.6, len(names) - 0.1)
    ax.tick_params(axis="y", length=0)
    return fig


def trend(years: list[int], series: dict[str, list[float | None]], norm: float,
          norm_label: str) -> Drawing:
    """Lines over the years with the norm; None values leave a gap."""
    return Drawing(_draw_trend, (tuple(years), tuple((label, tuple(values)) for label, values
                                                     in series.items()), norm, norm_label),
                   pixels=_trend_pixels)


TREND_SIZE = (WIDTH_IN, 2.0)
TREND_MARGINS = {"left": 0.08, "right": 0.97, "top": 0.95, "bottom": 0.25}


def _draw_trend(years: tuple[int, ...], series: tuple[tuple[str, tuple[float | None, ...]], ...],
                norm: float, norm_label: str) -> MplFigure:
    fig, ax = plt.subplots(figsize=TREND_SIZE)
    fig.subplots_adjust(**TREND_MARGINS)
    _trend_lines(ax, series, years, norm, norm_label)
    _trend_axes(ax, years, len(series))
    return fig


def _trend_lines(ax, series: tuple[tuple[str, tuple[float | None, ...]], ...],  # noqa: ANN001
                 years: tuple[int, ...], norm: float, norm_label: str) -> None:
    for (label, values), colour in zip(series, (NAVY, TEAL, GREY, RED), strict=False):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(years, ys, marker="o", color=colour, linewidth=2, label=label)
    ax.axhline(norm, color=GREY, linestyle="--", linewidth=1, label=norm_label)
    ax.axhline(0, color=GREY, linewidth=0.6)


def _trend_axes(ax, years: tuple[int, ...], count: int) -> None:  # noqa: ANN001 - an Axes
    """Every year ticked (the view widened to a year without figures), whole percents,
    the legend below."""
    ax.set_xticks(years, [str(y) for y in years])
    _whole_ticks(ax.yaxis)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=count + 1)


# One trend figure per process, its lines and legend replaced for each chart.
_TREND: list = []


def _trend_pixels(years: tuple[int, ...],
                  series: tuple[tuple[str, tuple[float | None, ...]], ...], norm: float,
                  norm_label: str, dpi: float) -> bytes:
    """A trend chart for the PDF: the same pixels as ``_draw_trend``, in three quarters of
    the time. The figure, its axes and their ticks are made once per process; each chart
    replaces the lines and the legend and scales the view as a new figure would (a test
    compares the pixels)."""
    if not _TREND:
        fig, ax = plt.subplots(figsize=TREND_SIZE)
        fig.subplots_adjust(**TREND_MARGINS)
        _TREND.extend((fig, ax, FigureCanvasAgg(fig)))
    fig, ax, canvas = _TREND
    for line in list(ax.lines):
        line.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    # The data limits grow line by line from nothing, and the view follows lazily, as in
    # a new Axes (relim() would count the norm line, which a new Axes leaves out).
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    _trend_lines(ax, series, years, norm, norm_label)
    _trend_axes(ax, years, len(series))
    fig.dpi = dpi
    canvas.draw()
    return encode(canvas)


def histogram(labels: list[str], counts: list[int], negative: list[bool], ylabel: str
              ) -> Drawing:
    """Columns of how many units fall in each interval; deficits in red."""
    return Drawing(_draw_histogram, (tuple(labels), tuple(counts), tuple(negative), ylabel))


def _draw_histogram(labels: tuple[str, ...], counts: tuple[int, ...],
                    negative: tuple[bool, ...], ylabel: str) -> MplFigure:
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.3))
    fig.subplots_adjust(left=0.09, right=0.98, top=0.95, bottom=0.16)
    xs = range(len(labels))
    ax.bar(xs, counts, color=[RED if n else NAVY for n in negative], width=0.75)
    ax.set_xticks(list(xs), labels, fontsize=8)
    ax.set_ylabel(ylabel)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(_fmt())
    for x, n in zip(xs, counts, strict=True):
        ax.text(x, n, number(n), ha="center", va="bottom", fontsize=8)
    return fig
