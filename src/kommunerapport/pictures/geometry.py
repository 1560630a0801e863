"""The map boundaries: ``data/kart_2024.json`` as matplotlib paths, read once per process.

Boundaries of 1.1.2024 in UTM 33N (Kartverket, CC BY 4.0), units by number (4 digits
a municipality, 2 a county), with shared borders stored once (see
``scripts/build_geometry.py``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from matplotlib.path import Path as MplPath

GEOMETRY_FILE = "kart_2024.json"


@dataclass(frozen=True)
class Geometry:
    paths: dict[str, MplPath]  # unit number → its rings, outer counter-clockwise
    bounds: dict[str, tuple[float, float, float, float]]  # x0, y0, x1, y1
    credit: str


@lru_cache(maxsize=1)
def geometry() -> Geometry:
    """The packaged boundaries as matplotlib paths (metres, UTM 33N)."""
    data = json.loads(resources.files("kommunerapport").joinpath("data", GEOMETRY_FILE)
                      .read_text("utf-8"))
    q = data["quantum_m"]
    arcs = [np.cumsum(np.array(flat, dtype=float).reshape(-1, 2), axis=0) * q
            for flat in data["arcs"]]
    paths = {}
    for unit, rings in data["units"].items():
        verts, codes = [], []
        for refs in rings:
            ring = np.concatenate([(arcs[r] if r >= 0 else arcs[~r][::-1])[:-1] for r in refs])
            verts += [ring, ring[:1]]
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(ring) - 1) + [MplPath.CLOSEPOLY]
        paths[unit] = MplPath(np.concatenate(verts), np.array(codes, dtype=np.uint8))
    vertices = {unit: np.asarray(p.vertices) for unit, p in paths.items()}  # an ndarray each
    bounds = {unit: (*v.min(axis=0), *v.max(axis=0)) for unit, v in vertices.items()}
    return Geometry(paths, bounds, data["credit"])


def bounds_of(numbers: Sequence[str]) -> tuple[float, float, float, float]:
    boxes = np.array([geometry().bounds[n] for n in numbers])
    return (*boxes[:, :2].min(axis=0), *boxes[:, 2:].max(axis=0))
