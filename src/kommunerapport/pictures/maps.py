"""Choropleth maps of netto driftsresultat: a county, the country, a member.

Pure drawing: units with values in; out come a ``Drawing`` (for the report's
``Chart``) and plain data about what the map shows (its classes and how
many units fall in each, the units without figures, the rows of its table), from
which the report writes its alt text. Every word on a map comes from the caller
(``Labels``), so bokmål and nynorsk are both possible; only the credit
«Kart: © Kartverket» is the same in both.

The classes and their words are ``classes``; the boundaries ``geometry``.

Use::

    m = maps.county_map([maps.Area("4601", "Bergen", 2.5), ...], labels)
    if not m:  # a NoMap: m.reason (ONE_UNIT), m.name («Oslo»)
        ...
    chart = Chart(m.drawing, alt, title, headers, m.rows)  # alt from m.panels

The geometry is ``data/kart_2024.json`` (see ``scripts/build_geometry.py``):
boundaries of 1.1.2024 in UTM 33N, units by number (4 digits a municipality,
2 a county), read once per process.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.collections import Collection, PatchCollection
from matplotlib.figure import Figure as MplFigure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from kommunerapport.model.norms import NORM_COUNTY_AUTHORITIES, NORM_MUNICIPALITIES
from kommunerapport.pictures.charts import WIDTH_IN
from kommunerapport.pictures.classes import (
    COLOURS,
    Area,
    Labels,
    Panel,
    coloured,
    legend_entries,
    panel,
)
from kommunerapport.pictures.drawing import DPI, Drawing, encode
from kommunerapport.pictures.geometry import bounds_of, geometry

CREDIT = "Kart: © Kartverket"


MISSING_FACE, MISSING_HATCH, HATCH = "#ffffff", "#5a5a5a", "////"


LAND, LAND_EDGE, BORDER = "#f3f3f3", "#c8c8c8", "#3c3c3c"


MAP_W, MAP_H = 3.4, 2.45  # a county or member map at most, inches, as printed


COUNTRY_H = 4.4  # the country map's height, inches: the sector report fits three pages


LEGEND_W = 2.3  # the legend beside it, inches


ONE_UNIT = "one_unit"  # NoMap.reason: one unit to show (Oslo, its county's only municipality)


@dataclass(frozen=True)
class Map:
    """A map to draw (``Chart(map.drawing, …)``) and what it shows."""

    drawing: Drawing
    panels: tuple[Panel, ...]
    member: str = ""  # the outlined unit's name
    credit: str = CREDIT

    @property
    def rows(self) -> tuple[tuple[str, str, str], ...]:
        return tuple(row for panel in self.panels for row in panel.rows)


@dataclass(frozen=True)
class NoMap:
    """Why there is no map; false in a test, like None.

    ``ONE_UNIT``: the map would be one shape in one colour (Oslo is its county's
    only municipality), which says nothing the figure does not.
    """

    reason: str
    name: str

    def __bool__(self) -> Literal[False]:
        return False


def county_map(areas: Sequence[Area], labels: Labels, norm: float = NORM_MUNICIPALITIES,
               member: str | None = None) -> Map | NoMap:
    """The units of one county (or the county authorities), ``member`` outlined if given.

    A NoMap when there is only one unit to show.
    """
    _check(areas)
    if len(areas) == 1:
        return NoMap(ONE_UNIT, areas[0].name)
    names = {a.number: a.name for a in areas}
    if member is not None and member not in names:
        raise ValueError(f"the member {member} is not among the areas")
    p = panel(areas, labels, norm)
    member_name = names[member] if member is not None else ""
    spec = _Spec("county", coloured(areas), (), labels, legend_entries(p, labels), member or "",
                 member_name)
    return Map(Drawing(_draw, (spec,), DPI, _member_pixels if member else None), (p,),
               member_name)


def member_map(areas: Sequence[Area], member: str, labels: Labels,
               norm: float = NORM_MUNICIPALITIES) -> Map | NoMap:
    """A member's county (or, for a county authority, all of them) with the member outlined."""
    return county_map(areas, labels, norm, member)


def country_map(municipalities: Sequence[Area], county_authorities: Sequence[Area],
                labels: Labels) -> Map:
    """All municipalities, with an inset of the county authorities in the same classes."""
    _check(municipalities)
    _check(county_authorities)
    main = panel(municipalities, labels, NORM_MUNICIPALITIES, labels.municipalities)
    inset = panel(county_authorities, labels, NORM_COUNTY_AUTHORITIES, labels.county_authorities)
    spec = _Spec("country", coloured(municipalities), coloured(county_authorities), labels,
                 legend_entries(main, labels, inset))
    return Map(Drawing(_draw, (spec,), DPI), (main, inset))


def _check(areas: Sequence[Area]) -> None:
    if not areas:
        raise ValueError("a map needs at least one unit")
    unknown = [a.number for a in areas if a.number not in geometry().paths]
    if unknown:
        raise ValueError(f"no 2024 boundaries for {', '.join(unknown)}")


@dataclass(frozen=True)
class _Spec:
    """Everything ``_draw`` needs, as plain data (it pickles, for the batch's workers)."""

    kind: str  # «county» (one panel, legend beside) or «country» (inset, legend on the sea)
    units: tuple[tuple[str, int], ...]
    inset: tuple[tuple[str, int], ...]
    labels: Labels
    legend: tuple[tuple[str, str], ...]  # (label, colour); colour «» for the hatched entry
    member: str = ""
    member_name: str = ""


def _units(ax: Axes, units: tuple[tuple[str, int], ...], linewidth: float) -> None:
    paths = geometry().paths
    shown = [(n, k) for n, k in units if k >= 0]
    if shown:
        ax.add_collection(PatchCollection(
            [PathPatch(paths[n]) for n, _ in shown], facecolors=[COLOURS[k] for _, k in shown],
            edgecolors="#ffffff", linewidths=linewidth))
    missing = [n for n, k in units if k < 0]
    if missing:
        ax.add_collection(PatchCollection(
            [PathPatch(paths[n]) for n in missing], facecolors=MISSING_FACE,
            edgecolors=MISSING_HATCH, linewidths=linewidth, hatch=HATCH))


def _land(ax: Axes, units: tuple[tuple[str, int], ...]) -> None:
    """Counties in view that the units do not cover, in light grey (neighbours, Oslo …)."""
    given = {n for n, _ in units}
    g = geometry()
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    land = [PathPatch(path) for c, path in g.paths.items() if len(c) == 2
            and c not in given and not all(n in given for n in g.paths if n[:2] == c != n)
            and g.bounds[c][0] < x1 and g.bounds[c][2] > x0
            and g.bounds[c][1] < y1 and g.bounds[c][3] > y0]
    ax.add_collection(PatchCollection(land, facecolors=LAND, edgecolors=LAND_EDGE,
                                      linewidths=0.5))


def _outline(ax: Axes, numbers: Sequence[str], colour: str, linewidth: float, halo: float = 0,
             min_share: float = 0) -> list[Collection]:
    """Draw the units' borders (the collections); ``min_share``: only rings of at least that
    share of the unit's largest ring's area."""
    paths = [_large_rings(geometry().paths[n], min_share) for n in numbers]
    return [ax.add_collection(PatchCollection([PathPatch(p) for p in paths], facecolors="none",
                                              edgecolors=edge, linewidths=width))
            for width, edge in ([(halo, "#ffffff")] if halo else []) + [(linewidth, colour)]]


def _large_rings(path: MplPath, min_share: float) -> MplPath:
    if not min_share:
        return path
    rings = [np.asarray(r) for r in path.to_polygons(closed_only=True)]  # arrays already
    areas = [abs(float(np.dot(r[:-1, 0], r[1:, 1]) - np.dot(r[1:, 0], r[:-1, 1]))) for r in rings]
    kept = [r for r, a in zip(rings, areas, strict=True) if a >= min_share * max(areas)]
    return MplPath.make_compound_path(*(MplPath(r, closed=True) for r in kept))


def _map_axes(fig: MplFigure, rect: tuple[float, float, float, float],
              bounds: tuple[float, float, float, float]) -> Axes:
    """Axes at ``rect`` (figure fractions) showing ``bounds`` at one scale both ways."""
    ax = fig.add_axes(rect)
    x0, y0, x1, y1 = bounds
    w_in, h_in = rect[2] * fig.get_figwidth(), rect[3] * fig.get_figheight()
    scale = max((x1 - x0) / w_in, (y1 - y0) / h_in)  # metres per inch
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    ax.set_xlim(cx - scale * w_in / 2, cx + scale * w_in / 2)
    ax.set_ylim(cy - scale * h_in / 2, cy + scale * h_in / 2)
    ax.set_axis_off()
    return ax


def _handles(spec: _Spec) -> tuple[list[Artist], list[str]]:
    handles: list[Artist] = [Patch(facecolor=colour, edgecolor="none") if colour else
               Patch(facecolor=MISSING_FACE, edgecolor=MISSING_HATCH, hatch=HATCH, linewidth=0.6)
               for _, colour in spec.legend]
    labels = [label for label, _ in spec.legend]
    if spec.member:
        handles.append(Line2D([], [], color=BORDER, linewidth=2))
        labels.append(spec.member_name)
    return handles, labels


def _draw(spec: _Spec) -> MplFigure:
    with plt.rc_context({"hatch.linewidth": 0.6}):
        return _draw_country(spec) if spec.kind == "country" else _draw_county(spec)


def _draw_county(spec: _Spec) -> MplFigure:
    fig, ax, right = _county_base(spec)
    _county_top(fig, ax, right, spec)
    return fig


def _county_base(spec: _Spec) -> tuple[MplFigure, Axes, float]:
    """The units of a county map without the member's outline and the words: the figure,
    the map's axes and its right edge."""
    numbers = [n for n, _ in spec.units]
    x0, y0, x1, y1 = bounds_of(numbers)
    pad = 0.03 * max(x1 - x0, y1 - y0)
    bounds = (x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    # The map at most MAP_W × MAP_H inches, the legend beside it; the figure is as wide as
    # the two need, and the report prints it at its own size (CSS image-resolution).
    scale = max((bounds[2] - bounds[0]) / MAP_W, (bounds[3] - bounds[1]) / MAP_H)
    w, h = (bounds[2] - bounds[0]) / scale, (bounds[3] - bounds[1]) / scale
    lines = sum(label.count("\n") + 1 for label, _ in spec.legend) + 2 + bool(spec.member) + (
        len(textwrap.wrap(spec.labels.note, 40)))
    fig_h = max(h, 0.2 * lines + 0.3) + 0.25
    fig_w = min(WIDTH_IN, 0.1 + w + LEGEND_W)
    fig = plt.figure(figsize=(fig_w, fig_h), dpi=DPI)
    ax = _map_axes(fig, (0.01, 0.2 / fig_h, w / fig_w, h / fig_h), bounds)
    municipal = all(len(n) == 4 for n in numbers)
    _land(ax, spec.units)
    _units(ax, spec.units, 0.35 if municipal else 0.5)
    if municipal:
        _outline(ax, sorted({n[:2] for n in numbers}), BORDER, 0.7)
    return fig, ax, w / fig_w


def _county_top(fig: MplFigure, ax: Axes, right: float, spec: _Spec) -> list[Artist]:
    """The member's outline, then the credit, the note and the legend, as a full draw
    draws them; the artists."""
    return [*_member_outline(ax, spec), *_words(fig, right, spec).artists()]


def _member_outline(ax: Axes, spec: _Spec) -> list[Collection]:
    if not spec.member:
        return []
    if all(len(n) == 4 for n, _ in spec.units):
        return _outline(ax, [spec.member], BORDER, 1.6, halo=3.2)
    # At the scale of the country, islets' outlines would blot the coast.
    return _outline(ax, [spec.member], BORDER, 1.2, halo=2.4, min_share=0.02)


class _Words(NamedTuple):
    """The words of a county map beside the map."""

    credit: Text
    note: Text | None
    legend: Legend

    def artists(self) -> list[Artist]:
        return [a for a in self if a is not None]


def _words(fig: MplFigure, right: float, spec: _Spec) -> _Words:
    """The credit, the note (if any) and the legend, drawn in that order."""
    fig_h = fig.get_figheight()
    credit = fig.text(0.01 + right, 0.06 / fig_h, geometry().credit, ha="right",
                      va="bottom", fontsize=6.5, color="#555555")
    note = None
    if spec.labels.note:
        note = fig.text(0.03 + right, 0.2 / fig_h, textwrap.fill(spec.labels.note, 40),
                        fontsize=7, va="bottom", color="#333333")
    handles, labels = _handles(spec)
    legend = fig.legend(
        handles, labels, loc="upper left", bbox_to_anchor=(0.03 + right, 0.98), frameon=False,
        title=spec.labels.legend_title, alignment="left", fontsize=8,
        title_fontproperties={"size": 8.5, "weight": "semibold"}, handlelength=1.6,
        handleheight=1.2)
    return _Words(credit, note, legend)


class _Base(NamedTuple):
    """A county drawn without its member's outline, credit and name."""

    fig: MplFigure
    ax: Axes
    canvas: FigureCanvasAgg
    background: object  # Agg's BufferRegion of the drawn figure (matplotlib has no type)
    credit: Text
    legend: Legend


# kind, units, labels, legend entries, dpi
_BaseKey = tuple[str, tuple[tuple[str, int], ...], Labels, tuple[tuple[str, str], ...], float]


# A county drawn without its member, per process: a batch's workers take the members of a
# county one after another, so one is enough, and memory stays flat.
_BASE: dict[_BaseKey, _Base] = {}


def bases_kept() -> int:
    """How many counties' drawings are kept for member maps now (one at a time)."""
    return len(_BASE)


def _member_pixels(spec: _Spec, dpi: float) -> bytes:
    """A member's map for the PDF: the same pixels as ``_draw``, at a quarter of the cost.

    The county, the note and the legend are drawn once, with the member's name left out;
    each member restores that and draws its outline, the credit and its name on top. Only
    the outline and the credit can overlap, and they are drawn in a full draw's order.
    """
    key = (spec.kind, spec.units, spec.labels, spec.legend, dpi)
    if key not in _BASE:
        for old in _BASE.values():
            plt.close(old[0])
        _BASE.clear()
        with plt.rc_context({"hatch.linewidth": 0.6}):
            fig, ax, right = _county_base(spec)
            words = _words(fig, right, spec)
            credit, legend = words.credit, words.legend
            credit.set_visible(False)
            legend.texts[-1].set_visible(False)  # the member's name
            canvas = FigureCanvasAgg(fig)
            fig.dpi = dpi
            canvas.draw()  # type: ignore[no-untyped-call]  # matplotlib's Agg has no types
        legend.texts[-1].set_visible(True)
        background = canvas.copy_from_bbox(fig.bbox)  # type: ignore[no-untyped-call]  # Agg
        _BASE[key] = _Base(fig, ax, canvas, background, credit, legend)
    fig, ax, canvas, background, credit, legend = _BASE[key]
    canvas.restore_region(background)  # type: ignore[no-untyped-call]  # Agg has no types
    name = legend.texts[-1]
    name.set_text(spec.member_name)
    outline = _member_outline(ax, spec)
    credit.set_visible(True)
    try:
        for artist in (*outline, credit, name):
            fig.draw_artist(artist)
        return encode(canvas)
    finally:
        credit.set_visible(False)
        for artist in outline:
            artist.remove()


def _draw_country(spec: _Spec) -> MplFigure:
    fig = plt.figure(figsize=(WIDTH_IN, COUNTRY_H), dpi=DPI)
    norway = bounds_of([n for n in geometry().paths if len(n) == 2])
    ax = _map_axes(fig, (0.0, 0.0, 1.0, 1.0), norway)
    _land(ax, spec.units)
    _units(ax, spec.units, 0.15)
    _outline(ax, sorted({n[:2] for n, _ in spec.units}), BORDER, 0.35)
    inset = _map_axes(fig, (0.56, 0.04, 0.42, 0.42), norway)
    _land(inset, spec.inset)
    _units(inset, spec.inset, 0.4)
    inset.text(0.0, 1.0, spec.labels.county_authorities, transform=inset.transAxes,
               fontsize=8.5, fontweight="semibold", va="top")
    ax.text(0.02, 0.985, spec.labels.municipalities, transform=ax.transAxes, fontsize=8.5,
            fontweight="semibold", va="top")
    fig.text(0.98, 0.01, geometry().credit, ha="right", va="bottom", fontsize=6.5,
             color="#555555")
    handles, labels = _handles(spec)
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(0.01, 0.95), frameon=False,
               title=spec.labels.legend_title, alignment="left", fontsize=8,
               title_fontproperties={"size": 8.5, "weight": "semibold"}, handlelength=1.6,
               handleheight=1.2)
    if spec.labels.note:
        fig.text(0.02, 0.6, textwrap.fill(spec.labels.note, 40), fontsize=7, va="top",
                 color="#333333")
    return fig


# --- Names on the map, where they fit (the press kit) ----------------------------------

NAME_SIZE = 5.5  # points: the smallest a printed map's name is read at


def with_names(drawing: Drawing) -> Drawing:
    """The same map with each unit's name written on it where the name fits inside the
    unit without touching another name; any other drawing as it is. For the press kit,
    whose maps are seen larger than the report's and without its table beside them."""
    if drawing.draw is not _draw:
        return drawing
    return Drawing(_draw_named, drawing.args, drawing.dpi)


def _draw_named(spec: _Spec) -> MplFigure:
    from kommunerapport.model.regions import load_register

    fig = _draw(spec)
    register = load_register()
    names = {n: register.unit(n).short_name.split(" - ")[0] for n, _ in spec.units + spec.inset}
    panels = [(fig.axes[0], spec.units)] + ([(fig.axes[1], spec.inset)] if spec.inset else [])
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]  # Agg has no types
    for ax, units in panels:
        _name_units(ax, [n for n, _ in units], names, renderer, spec.member)
    return fig


def _name_units(ax: Axes, numbers: list[str], names: dict[str, str],
                renderer: RendererAgg, first: str = "") -> None:
    """Write each unit's name at its largest ring's centre, ``first`` (the member) and then
    the largest units first, if the name's box lies inside the unit and clear of the names
    already written."""
    paths = geometry().paths
    placed: list[Bbox] = []
    by_size = sorted(numbers, key=lambda n: (n != first, -_ring_area(_largest_ring(paths[n]))))
    for number in by_size:
        ring = _largest_ring(paths[number])
        centre = _centre(ring)
        if not MplPath(ring).contains_point(centre):
            continue
        # A light box rather than a halo: a path effect would turn the SVG's text into
        # outlines.
        text = ax.text(*centre, names[number], ha="center", va="center", fontsize=NAME_SIZE,
                       color="#1f1f1f", zorder=5,
                       bbox={"boxstyle": "round,pad=0.15", "facecolor": "#ffffff",
                             "edgecolor": "none", "alpha": 0.7})
        box = text.get_window_extent(renderer)
        corners = ax.transData.inverted().transform(
            [(box.x0, box.y0), (box.x1, box.y0), (box.x0, box.y1), (box.x1, box.y1),
             ((box.x0 + box.x1) / 2, box.y0), ((box.x0 + box.x1) / 2, box.y1)])
        inside = all(MplPath(ring).contains_points(corners))
        clear = not any(box.overlaps(other) for other in placed)
        if inside and clear:
            placed.append(box)
        else:
            text.remove()


def _largest_ring(path: MplPath) -> np.ndarray:
    rings = [np.asarray(r) for r in path.to_polygons(closed_only=True)]
    return max(rings, key=_ring_area)


def _ring_area(ring: np.ndarray) -> float:
    x, y = ring[:, 0], ring[:, 1]
    return abs(float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))) / 2


def _centre(ring: np.ndarray) -> tuple[float, float]:
    """The ring's centroid (for a ring whose area is zero, its first point)."""
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    area = cross.sum() / 2
    if not area:
        return float(x[0]), float(y[0])
    return (float(((x[:-1] + x[1:]) * cross).sum() / (6 * area)),
            float(((y[:-1] + y[1:]) * cross).sum() / (6 * area)))
