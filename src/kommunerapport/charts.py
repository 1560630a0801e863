"""Charts as PNG data URIs, each with an alt text and its data as a table.

matplotlib with the Agg backend and the project's own font (Source Sans Pro from
PyPI), Norwegian tick labels formatted by ``formatting`` (matplotlib's locale
support is unreliable), fixed margins instead of ``tight_layout`` (faster, and
the same layout every time). PNG at about 200 dpi at print size embeds twice as
fast in WeasyPrint as SVG.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import font_source_sans_pro  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure as MplFigure  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from kommunerapport.formatting import number  # noqa: E402

# One palette for every chart (KS-like navy, teal accent, red for deficits).
NAVY = "#1b365d"
TEAL = "#00838f"
RED = "#b3261e"
GREY = "#6b6b6b"
LIGHT = "#d9dee5"

WIDTH_IN = 6.7  # 170 mm, the text column of an A4 page
DPI = 200
FONT_DIR = Path(font_source_sans_pro.font_directory)
FONT_FILES = ("SourceSansPro-Regular.ttf", "SourceSansPro-Semibold.ttf",
              "SourceSansPro-Bold.ttf")


@dataclass(frozen=True)
class Chart:
    """A drawn chart and what a reader without sight needs of it."""

    src: str  # data: URI of the PNG
    alt: str  # states the chart's message
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    data_note: str = ""  # where the data is instead, when it is already a table in the report


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


def _png(fig: MplFigure) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def unit_bars(names: list[str], values: list[float], norm: float, norm_label: str) -> str:
    """Horizontal bars, best first, with the norm as a dashed line."""
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
    return _png(fig)


def trend(years: list[int], series: dict[str, list[float | None]], norm: float,
          norm_label: str) -> str:
    """Lines over the years with the norm; None values leave a gap."""
    fig, ax = plt.subplots(figsize=(WIDTH_IN, 2.6))
    fig.subplots_adjust(left=0.08, right=0.97, top=0.95, bottom=0.2)
    for (label, values), colour in zip(series.items(), (NAVY, TEAL, GREY, RED), strict=False):
        ys = [float("nan") if v is None else v for v in values]
        ax.plot(years, ys, marker="o", color=colour, linewidth=2, label=label)
    ax.axhline(norm, color=GREY, linestyle="--", linewidth=1, label=norm_label)
    ax.axhline(0, color=GREY, linewidth=0.6)
    ax.set_xticks(years, [str(y) for y in years])
    _whole_ticks(ax.yaxis)
    ax.legend(frameon=False, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.12),
              ncol=len(series) + 1)
    return _png(fig)


def histogram(labels: list[str], counts: list[int], negative: list[bool], ylabel: str) -> str:
    """Columns of how many units fall in each interval; deficits in red."""
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
    return _png(fig)
