"""How a picture is drawn, and the files it is saved as: the PDF's PNG, the kit's PNG and SVG.

A ``Drawing`` is a module-level function and its (plain, picklable) arguments, so a
report can say what to draw without drawing it: the picture is made when the report
is rendered (``render``), once for the PDF, and again for the press kit as PNG at
twice the resolution and as SVG. SVG is reproducible: no date, ids salted by a fixed
``svg.hashsalt``.

The PDF's picture is a PNG stored without compression (``pdf_image``): WeasyPrint
decodes every raster image and compresses it once more as it writes the PDF, so
compressing it here too would be done twice.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from PIL import Image

DPI = 200  # as printed
# styles/report.css prints a chart at 86 % of the column: drawn at this resolution it has
# DPI as printed. (A map is printed at its own size, so it is drawn at DPI.)
PRINTED_SHARE = 0.86
CHART_DPI = DPI * PRINTED_SHARE


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

    @property
    def key(self) -> str:
        """A name for the picture, unique to what it draws: two reports never mix theirs up."""
        what = repr((self.draw.__module__, self.draw.__qualname__, self.args, self.dpi))
        return hashlib.sha256(what.encode("utf-8")).hexdigest()[:24]

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
    canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's Agg backend has no types
    return encode(canvas, stored)


def encode(canvas: FigureCanvasAgg, stored: bool = True) -> bytes:
    """What ``canvas`` holds as a PNG, ``stored`` without compression (for the PDF).

    RGB without the alpha channel Agg draws: the figure is opaque anyway, and WeasyPrint
    embeds an RGB image faster (no soft mask).
    """
    buf = io.BytesIO()
    rgba = canvas.buffer_rgba()  # type: ignore[no-untyped-call]  # Agg has no types
    Image.fromarray(np.asarray(rgba)[..., :3]).save(
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
