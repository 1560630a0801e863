"""The charts of a report: lines over the years, columns of a spread, bars per unit.

matplotlib with the Agg backend and the project's own font (Source Sans Pro from
PyPI), Norwegian tick labels formatted by ``formatting`` (matplotlib's locale
support is unreliable), fixed margins instead of ``tight_layout`` (faster, and
the same layout every time). A raster at 200 dpi as printed embeds twice as fast
in WeasyPrint as SVG.

Each function returns a ``Drawing`` (what to draw), not a picture: the report is
rendered later, and the picture with it (``drawing``). A trend chart has a quicker
way to the same pixels for the PDF: one figure per process, its lines replaced.
"""

from __future__ import annotations

from pathlib import Path

import font_source_sans_pro
import matplotlib.pyplot as plt
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from kommunerapport.pictures.drawing import Drawing, encode
from kommunerapport.writing.formatting import number

# One palette for every chart (KS-like navy, teal accent, red for deficits).
NAVY = "#1b365d"
TEAL = "#00838f"
RED = "#b3261e"
GREY = "#6b6b6b"

WIDTH_IN = 6.7  # 170 mm, the text column of an A4 page
FONT_DIR = Path(font_source_sans_pro.font_directory)
FONT_FILES = ("SourceSansPro-Regular.ttf", "SourceSansPro-Semibold.ttf",
              "SourceSansPro-Bold.ttf")


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


def _whole_ticks(axis: Axis) -> None:
    """Ticks on whole percent only, so a label never rounds 0,5 up to «1»."""
    axis.set_major_locator(MaxNLocator(integer=True, steps=[1, 2, 5, 10]))
    axis.set_major_formatter(_fmt())


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


def _trend_lines(ax: Axes, series: tuple[tuple[str, tuple[float | None, ...]], ...],
                 years: tuple[int, ...], norm: float, norm_label: str) -> None:
    for (label, values), colour in zip(series, (NAVY, TEAL, GREY, RED), strict=False):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(years, ys, marker="o", color=colour, linewidth=2, label=label)
    ax.axhline(norm, color=GREY, linestyle="--", linewidth=1, label=norm_label)
    ax.axhline(0, color=GREY, linewidth=0.6)


def _trend_axes(ax: Axes, years: tuple[int, ...], count: int) -> None:
    """Every year ticked (the view widened to a year without figures), whole percents,
    the legend below."""
    ax.set_xticks(years, [str(y) for y in years])
    _whole_ticks(ax.yaxis)
    # A long legend (a line marked «eksempeldata 2020–2023») gets a smaller type, so it
    # stays within the chart's width on one row.
    chars = sum(len(label) for label in ax.get_legend_handles_labels()[1])
    ax.legend(frameon=False, fontsize=8 if chars <= 80 else 7, loc="upper center",
              bbox_to_anchor=(0.5, -0.12), ncol=count + 1)


# One trend figure per process, its lines and legend replaced for each chart.
_TREND: list[tuple[MplFigure, Axes, FigureCanvasAgg]] = []


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
        _TREND.append((fig, ax, FigureCanvasAgg(fig)))
    fig, ax, canvas = _TREND[0]
    for line in list(ax.lines):
        line.remove()
    legend = ax.get_legend()
    if legend is not None:
        legend.remove()
    # The data limits grow line by line from nothing, and the view follows lazily, as in
    # a new Axes (relim() would count the norm line, which a new Axes leaves out).
    ax.ignore_existing_data_limits = True
    ax.set_autoscale_on(True)
    _trend_lines(ax, series, years, norm, norm_label)
    _trend_axes(ax, years, len(series))
    fig.dpi = dpi
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's Agg backend has no types
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
