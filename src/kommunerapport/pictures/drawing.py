"""How a picture is drawn, and the files it is saved as: the PDF's PNG, the kit's PNG and SVG.

A ``Drawing`` is a module-level function and its (plain, picklable) arguments, so a
report can say what to draw without drawing it: the picture is made when the report
is rendered (``render``), once for the PDF, and again for the press kit as PNG at
twice the resolution and as SVG. SVG is reproducible: no date, ids salted by a fixed
``svg.hashsalt``.

The PDF's picture is a PNG stored without compression (``pdf_image``): WeasyPrint
decodes every raster image and compresses it once more as it writes the PDF, so
compressing it here too would be done twice.

A picture in the press kit travels without the report around it, so it carries its own
words (``Caption``): its title and unit above, its source below, and the marks a reader
must not miss («UTKAST», «Eksempeldata – …»). Its SVG keeps every word as text in the
report's font (``svg.fonttype: none``), so a web editor can change or translate it.
"""

from __future__ import annotations

import hashlib
import io
import textwrap
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
from matplotlib.transforms import ScaledTranslation
from PIL import Image

DPI = 200  # as printed
# styles/report.css prints a chart at 86 % of the column: drawn at this resolution it has
# DPI as printed. (A map is printed at its own size, so it is drawn at DPI.)
PRINTED_SHARE = 0.86
CHART_DPI = DPI * PRINTED_SHARE
FONT = "Source Sans Pro"  # the reports' font, named in the SVG (``charts.setup_fonts``)
MARK_COLOUR, SMALL_COLOUR = "#b3261e", "#555555"


@dataclass(frozen=True)
class Caption:
    """The words a picture carries on its own: above it the marks (red), the title and
    the unit; below it the source."""

    title: str
    unit: str = ""
    source: str = ""
    marks: tuple[str, ...] = ()  # «UTKAST», «Eksempeldata – ikke offisielle tall»


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
               title: str = "", desc: str = "", caption: Caption | None = None,
               ) -> dict[str, bytes]:
        """Draw once and save as each of ``formats`` («png», «svg», «png-stored»: a PNG
        without compression, for the PDF).

        ``scale`` multiplies the raster's resolution (2: the press kit's 2×); ``title``
        and ``desc`` become the SVG's ``<title>`` and ``<desc>`` and the PNG's text
        chunks (what a screen reader or a web editor reads); ``caption``: the picture's
        own words around it (the press kit).
        """
        fig = self.figure()
        try:
            if caption is not None:
                frame(fig, caption)
            return {fmt: _save(fig, fmt, self.dpi * scale, title, desc, caption)
                    for fmt in formats}
        finally:
            plt.close(fig)

    def pdf_image(self) -> bytes:
        """The picture for the PDF: a stored PNG at print resolution (the module's note)."""
        if self.pixels is not None:
            return self.pixels(*self.args, self.dpi)
        return self.render(("png-stored",))["png-stored"]


def frame(fig: MplFigure, caption: Caption) -> None:
    """Put the caption's words around the figure: the marks, the title and the unit above
    it, the source below, left-aligned with it (saved with ``bbox_inches="tight"``, the
    picture grows to hold them)."""
    width = fig.get_figwidth()

    def lines(text: str, size: float) -> list[str]:
        return textwrap.wrap(text, max(20, int(width * 144 / size))) if text else []

    def put(text: str, inches: float, size: float, va: str, **style: Any) -> None:
        fig.text(0.01, 1.0 if va == "bottom" else 0.0, text, fontsize=size, va=va, ha="left",
                 fontfamily=FONT, transform=fig.transFigure + ScaledTranslation(
                     0, inches, fig.dpi_scale_trans), **style)

    above = 0.08
    for text, size, style in (
            (caption.unit, 8.5, {"color": "#333333"}),
            (caption.title, 11.0, {"fontweight": "bold", "color": "#1b365d"}),
            ("  ·  ".join(caption.marks), 9.0, {"fontweight": "bold", "color": MARK_COLOUR})):
        for line in reversed(lines(text, size)):
            put(line, above, size, "bottom", **style)
            above += size * 1.3 / 72
        above += 0.04
    below = -0.08
    for line in lines(caption.source, 7.5):
        put(line, below, 7.5, "top", color=SMALL_COLOUR)
        below -= 7.5 * 1.3 / 72


def _save(fig: MplFigure, fmt: str, dpi: float, title: str = "", desc: str = "",
          caption: Caption | None = None) -> bytes:
    if fmt in ("png", "png-stored") and caption is None:
        return _raster(fig, dpi, stored=fmt == "png-stored")
    buf = io.BytesIO()
    if fmt == "png":  # the press kit's: framed, and its words in its text chunks
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight", pad_inches=0.12,
                    metadata={"Title": title, "Description": desc,
                              "Source": caption.source if caption else ""})
        return buf.getvalue()
    if fmt != "svg":
        raise ValueError(f"unknown image format {fmt!r}")
    # Words as text in the report's font, not as outlines: a web editor can change them.
    with plt.rc_context({"svg.fonttype": "none"}):
        metadata: dict[str, str | None] = {"Date": None}
        if title:
            metadata["Title"] = title
        fig.savefig(buf, format="svg", metadata=metadata,
                    bbox_inches="tight" if caption else None, pad_inches=0.12)
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
