"""Build the package's map geometry from Kartverket's boundaries in ``sources/geo/``.

Run from the repository root::

    python scripts/build_geometry.py [--out DIR]

Writes ``kart_2024.json`` to ``src/kommunerapport/data/`` or ``DIR``: the 357
municipalities of 1.1.2024 and the 15 counties as rings of shared arcs
(TopoJSON's idea, in a format of our own that ``kommunerapport.pictures.geometry`` reads),
projected to UTM zone 33N (EPSG:25833) and simplified further.

How, and why it is written here rather than with a geo library (shapely,
topojson, pyproj): the job is small and the source makes it simple, and integer
arithmetic makes the file byte-for-byte the same on every machine, which a test
checks; nothing beyond the standard library is needed, so that test never skips.
  * The source is already a clean coverage (made with TopoJSON): neighbours share
    their border vertices exactly. So the shared arcs are found by exact vertex
    matching, and each arc is simplified once: a border stays one line for both
    municipalities, with no gaps or slivers.
  * Projection: UTM 33N, as Kartverket draws all of Norway, so the map has the
    shape readers know. A plain equirectangular map with x scaled by one cos(φ)
    would stretch Finnmark by over a quarter. The transverse Mercator is Krüger's series
    (Karney 2011, to n³: under a millimetre this close to the zone; the test
    compares it with PROJ), the source's WGS84 read as ETRS89 (they differ by
    about a metre, well under the ``QUANTUM_M`` the file is stored in).
  * Every step after the projection works on whole metres: Visvalingam–Whyatt
    simplification with an integer area threshold, ties broken by position. The
    source is already simplified (a median segment of 2 km), so ``AREA_M2`` takes
    out only the vertices that no report's scale shows (24 716 → 20 500); the
    smallest county, Vestfold, keeps its shape. Arcs whose simplified lines would
    cross or touch another line where they did not before (the source has a few
    crossings of its own), or turn a ring inside out, are simplified again more
    gently until none do.
  * The counties are not read from their own file (simplified separately, their
    borders would not meet the municipalities'): each county is the outline of
    its municipalities (county number = the first two digits of the
    municipality's), made of the same arcs. ``fylker_2024_S.geojson`` checks it:
    every county's area must agree within ``COUNTY_AREA_TOLERANCE``.

The build takes about a second.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import json
import math
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEO = ROOT / "sources" / "geo"
FACTS = ROOT / "sources" / "facts"
OUT = ROOT / "src" / "kommunerapport" / "data"
NAME = "kart_2024.json"

QUANTUM_M = 50  # stored coordinates are multiples of this
AREA_M2 = 750_000  # Visvalingam–Whyatt: drop vertices whose triangle is smaller
COUNTY_AREA_TOLERANCE = 0.01

SOURCE = ("Kartverket, Administrative enheter (kommuner og fylker 1.1.2024), via "
          "robhop/fylker-og-kommuner (Kommuner-S.geojson 77f1e665, Fylker-S.geojson 22834b17)")
LICENCE = "CC BY 4.0"
CREDIT = "Kart: © Kartverket"

# GRS80 (ETRS89) and UTM zone 33N.
A_GRS80 = 6_378_137.0
F_GRS80 = 1 / 298.257222101
K0 = 0.9996
LON0 = 15.0
FALSE_EASTING = 500_000.0

Point = tuple[int, int]
LonLat = tuple[float, float]


def utm33(lon: float, lat: float) -> tuple[float, float]:
    """ETRS89 longitude/latitude (degrees) → UTM 33N easting/northing (metres)."""
    n = F_GRS80 / (2 - F_GRS80)
    big_a = A_GRS80 / (1 + n) * (1 + n**2 / 4 + n**4 / 64)
    alpha = (n / 2 - 2 * n**2 / 3 + 5 * n**3 / 16, 13 * n**2 / 48 - 3 * n**3 / 5,
             61 * n**3 / 240)
    phi, dlon = math.radians(lat), math.radians(lon - LON0)
    e = 2 * math.sqrt(n) / (1 + n)
    t = math.sinh(math.atanh(math.sin(phi)) - e * math.atanh(e * math.sin(phi)))
    xi = math.atan2(t, math.cos(dlon))
    eta = math.atanh(math.sin(dlon) / math.sqrt(1 + t * t))
    x = eta + sum(a * math.cos(2 * j * xi) * math.sinh(2 * j * eta)
                  for j, a in enumerate(alpha, 1))
    y = xi + sum(a * math.sin(2 * j * xi) * math.cosh(2 * j * eta)
                 for j, a in enumerate(alpha, 1))
    return FALSE_EASTING + K0 * big_a * x, K0 * big_a * y


def read_rings(path: Path, key: str) -> dict[str, list[tuple[list[LonLat], bool]]]:
    """Each unit's rings (without the closing point) and whether each is a hole."""
    data = json.loads(path.read_text("utf-8"))
    units: dict[str, list[tuple[list[LonLat], bool]]] = {}
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (geometry["coordinates"] if geometry["type"] == "MultiPolygon"
                    else [geometry["coordinates"]])
        units[feature["properties"][key]] = [
            ([(p[0], p[1]) for p in ring[:-1]], i > 0)
            for polygon in polygons for i, ring in enumerate(polygon)]
    return dict(sorted(units.items()))


def area2(points: list[Point]) -> int:
    """Twice the signed area (positive: counter-clockwise, east right and north up)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
               in zip(points, points[1:] + points[:1], strict=True))


def ring_arcs(ring: list[LonLat], owners: dict[LonLat, frozenset[str]],
              edge_owners: dict[frozenset[LonLat], frozenset[str]]) -> list[list[LonLat]]:
    """Cut a ring where the set of units along it changes (junctions), into arcs.

    A ring with no junction is one closed arc starting at its smallest vertex, so the
    same ring seen from two units is the same arc.
    """
    n = len(ring)
    edge = [edge_owners[frozenset((ring[i], ring[(i + 1) % n]))] for i in range(n)]
    cuts = [i for i in range(n) if edge[i - 1] != edge[i] or len(owners[ring[i]]) > len(edge[i])]
    if not cuts:
        start = ring.index(min(ring))
        return [ring[start:] + ring[:start] + [ring[start]]]
    arcs = []
    for a, b in zip(cuts, cuts[1:] + [cuts[0] + n], strict=True):
        arcs.append([ring[i % n] for i in range(a, b + 1)])
    return arcs


class Topology:
    """Arcs (lists of vertices) shared by units' rings (lists of arc references).

    A reference ``r >= 0`` is arc ``r`` forward; ``~r`` (that is, ``-r - 1``) is it reversed.
    """

    def __init__(self) -> None:
        self.arcs: list[list[LonLat]] = []
        self._index: dict[tuple[LonLat, ...], int] = {}

    def ref(self, arc: list[LonLat]) -> int:
        key = tuple(arc)
        if key in self._index:
            return self._index[key]
        if key[::-1] in self._index:
            return ~self._index[key[::-1]]
        self._index[key] = len(self.arcs)
        self.arcs.append(arc)
        return len(self.arcs) - 1


def build_topology(units: dict[str, list[tuple[list[LonLat], bool]]]
                   ) -> tuple[Topology, dict[str, list[tuple[list[int], bool]]]]:
    owners: dict[LonLat, set[str]] = defaultdict(set)
    edge_owners: dict[frozenset[LonLat], set[str]] = defaultdict(set)
    for unit, rings in units.items():
        for ring, _hole in rings:
            for i, p in enumerate(ring):
                owners[p].add(unit)
                edge_owners[frozenset((p, ring[(i + 1) % len(ring)]))].add(unit)
    frozen_owners = {p: frozenset(u) for p, u in owners.items()}
    frozen_edges = {e: frozenset(u) for e, u in edge_owners.items()}
    topo = Topology()
    refs = {unit: [([topo.ref(a) for a in ring_arcs(ring, frozen_owners, frozen_edges)], hole)
                   for ring, hole in rings]
            for unit, rings in units.items()}
    return topo, refs


def ring_points(refs: list[int], arcs: list[list[Point]]) -> list[Point]:
    points: list[Point] = []
    for r in refs:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        points.extend(arc[:-1])
    return points


def visvalingam(points: list[Point], min_area2: int) -> list[Point]:
    """Drop vertices whose effective triangle (twice its area) is below ``min_area2``.

    The ends stay; a closed arc keeps at least a triangle.
    """
    n = len(points)
    keep_at_least = 4 if points[0] == points[-1] else 2
    if n <= keep_at_least or min_area2 <= 0:
        return points
    prev, nxt = list(range(-1, n - 1)), list(range(1, n + 1))
    alive = [True] * n

    def tri(i: int) -> int:
        (ax, ay), (bx, by), (cx, cy) = points[prev[i]], points[i], points[nxt[i]]
        return abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay))

    area = [0] * n
    for i in range(1, n - 1):
        area[i] = tri(i)
    heap = [(area[i], i) for i in range(1, n - 1)]
    heapq.heapify(heap)
    left = n
    while heap and left > keep_at_least:
        a, i = heapq.heappop(heap)
        if not alive[i] or a != area[i]:
            continue
        if a >= min_area2:
            break
        alive[i] = False
        left -= 1
        p, q = prev[i], nxt[i]
        nxt[p], prev[q] = q, p
        for j in (p, q):
            if 0 < j < n - 1:
                area[j] = max(tri(j), a)  # an area never drops below one removed before it
                heapq.heappush(heap, (area[j], j))
    return [pt for pt, ok in zip(points, alive, strict=True) if ok]


def quantise(points: list[Point]) -> list[Point]:
    """Round to ``QUANTUM_M`` and drop repeats; the ends stay."""
    out: list[Point] = []
    for x, y in points:
        q = (round(x / QUANTUM_M), round(y / QUANTUM_M))
        if not out or q != out[-1]:
            out.append(q)
    if len(out) == 1:
        out.append(out[0])
    return out


def _orient(a: Point, b: Point, c: Point) -> int:
    v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
    return (v > 0) - (v < 0)


def _inside(a: Point, b: Point, p: Point) -> bool:
    """``p`` on segment ab, not at its ends (given that it is collinear)."""
    return (p != a and p != b and min(a[0], b[0]) <= p[0] <= max(a[0], b[0])
            and min(a[1], b[1]) <= p[1] <= max(a[1], b[1]))


def _bad_pair(s: tuple[Point, Point], t: tuple[Point, Point]) -> bool:
    (a, b), (c, d) = s, t
    o1, o2, o3, o4 = _orient(a, b, c), _orient(a, b, d), _orient(c, d, a), _orient(c, d, b)
    if o1 * o2 < 0 and o3 * o4 < 0:
        return True
    return ((o1 == 0 and _inside(a, b, c)) or (o2 == 0 and _inside(a, b, d))
            or (o3 == 0 and _inside(c, d, a)) or (o4 == 0 and _inside(c, d, b)))


def crossing_pairs(arcs: list[list[Point]], cell: int = 40) -> set[tuple[int, int]]:
    """Pairs of arcs (maybe one arc twice) with segments that cross or touch inside."""
    grid: dict[tuple[int, int], list[tuple[int, tuple[Point, Point]]]] = defaultdict(list)
    for k, arc in enumerate(arcs):
        for seg in zip(arc, arc[1:], strict=False):
            (x0, y0), (x1, y1) = seg
            for gx in range(min(x0, x1) // cell, max(x0, x1) // cell + 1):
                for gy in range(min(y0, y1) // cell, max(y0, y1) // cell + 1):
                    grid[gx, gy].append((k, seg))
    bad: set[tuple[int, int]] = set()
    for members in grid.values():
        for i, (k, s) in enumerate(members):
            for m, t in members[i + 1:]:
                if s != t and _bad_pair(s, t):
                    bad.add((min(k, m), max(k, m)))
    return bad


def simplify(projected: list[list[Point]], rings: list[list[int]]) -> list[list[Point]]:
    """Simplify and quantise every arc, more gently where the result would be invalid.

    Invalid: two arcs cross or touch that do not when only quantised (Kartverket's
    simplified source has a few crossings of its own, which are kept as they are),
    or a ring loses its area or turns inside out.
    """
    threshold = [2 * AREA_M2] * len(projected)
    sign = [area2(ring_points(r, projected)) > 0 for r in rings]
    baseline = crossing_pairs([quantise(a) for a in projected])
    while True:
        arcs = [quantise(visvalingam(a, t)) for a, t in zip(projected, threshold, strict=True)]
        bad = {k for pair in crossing_pairs(arcs) - baseline for k in pair}
        for refs, positive in zip(rings, sign, strict=True):
            points = ring_points(refs, arcs)
            a2 = area2(points)
            if len(set(points)) < 3 or a2 == 0 or (a2 > 0) != positive:
                bad.update(r if r >= 0 else ~r for r in refs)
        if not bad:
            return arcs
        if all(threshold[k] == 0 for k in bad):
            raise SystemExit(f"arcs {sorted(bad)} are invalid even unsimplified")
        for k in bad:
            threshold[k] //= 4


def orient(refs: list[int], hole: bool, arcs: list[list[Point]]) -> list[int]:
    """Outer rings counter-clockwise, holes clockwise (the nonzero fill rule then works)."""
    if (area2(ring_points(refs, arcs)) > 0) == (not hole):
        return refs
    return [~r for r in reversed(refs)]


def outline(rings: list[list[int]], arcs: list[list[Point]]) -> list[list[int]]:
    """The rings of a union of units: arcs used once, chained end to start."""
    used: dict[int, int] = {}
    for refs in rings:
        for r in refs:
            if ~r in used:
                del used[~r]  # a border inside the union: walked both ways
            else:
                used[r] = len(used)
    remaining = sorted(used, key=used.get)

    def ends(r: int) -> tuple[Point, Point]:
        arc = arcs[r] if r >= 0 else arcs[~r][::-1]
        return arc[0], arc[-1]

    starting: dict[Point, list[int]] = defaultdict(list)
    for r in remaining:
        starting[ends(r)[0]].append(r)
    out, done = [], set()
    for first in remaining:
        if first in done:
            continue
        ring, r = [], first
        while r not in done:
            done.add(r)
            ring.append(r)
            following = [s for s in starting[ends(r)[1]] if s not in done]
            if not following:
                break
            r = following[0]
        if ends(ring[-1])[1] != ends(ring[0])[0]:
            raise SystemExit(f"an outline does not close at arc {ring[0]}")
        out.append(ring)
    return out


def check_counties(outlines: dict[str, list[list[int]]], arcs: list[list[Point]]) -> None:
    """Each county's outline must cover Kartverket's own county polygon's area."""
    counties = read_rings(GEO / "fylker_2024_S.geojson", "fylkesnummer")
    if set(counties) != set(outlines):
        raise SystemExit(f"counties differ: {sorted(set(counties) ^ set(outlines))}")
    for number, rings in counties.items():
        theirs = sum(area2([tuple(map(round, utm33(*p))) for p in ring]) * (-1 if hole else 1)
                     for ring, hole in rings)
        ours = sum(area2(ring_points(r, arcs)) for r in outlines[number]) * QUANTUM_M**2
        if abs(abs(ours) - abs(theirs)) > COUNTY_AREA_TOLERANCE * abs(theirs):
            raise SystemExit(f"county {number}: {abs(ours) / 2e6:.0f} km² from the "
                             f"municipalities, {abs(theirs) / 2e6:.0f} km² in its own file")


def build(out: Path) -> Path:
    units = read_rings(GEO / "kommuner_2024_S.geojson", "kommunenummer")
    with (FACTS / "kommuner_2024.csv").open(encoding="utf-8") as f:
        register = {r["kommunenummer"] for r in csv.DictReader(f)}
    if set(units) != register:
        raise SystemExit(f"not the register's municipalities: {sorted(set(units) ^ register)}")
    topo, refs = build_topology(units)
    projected = [[tuple(map(round, utm33(*p))) for p in arc] for arc in topo.arcs]
    rings = {u: [orient(ring, hole, projected) for ring, hole in rs] for u, rs in refs.items()}
    arcs = simplify(projected, [ring for rs in rings.values() for ring in rs])
    by_county: dict[str, list[list[int]]] = defaultdict(list)
    for unit, rs in rings.items():
        by_county[unit[:2]].extend(rs)
    counties = {c: outline(rs, arcs) for c, rs in sorted(by_county.items())}
    check_counties(counties, arcs)
    path = out / NAME
    path.write_text(encode(arcs, {**rings, **counties}), encoding="utf-8")
    return path


def encode(arcs: list[list[Point]], units: dict[str, list[list[int]]]) -> str:
    """One arc and one unit a line: the first point absolute, then steps, in quanta."""
    head = {"about": "Kommuner og fylker 1.1.2024 for kart i kommunerapport "
                     "(scripts/build_geometry.py)",
            "source": SOURCE, "licence": LICENCE, "credit": CREDIT, "crs": "EPSG:25833",
            "quantum_m": QUANTUM_M}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ',"arcs":[']
    for k, arc in enumerate(arcs):
        flat = [*arc[0], *(c for p, q in zip(arc, arc[1:], strict=False)
                           for c in (q[0] - p[0], q[1] - p[1]))]
        lines.append(json.dumps(flat, separators=(",", ":")) + ("," if k < len(arcs) - 1 else ""))
    lines.append('],"units":{')
    items = sorted(units.items())
    for k, (unit, rings) in enumerate(items):
        lines.append(f'"{unit}":' + json.dumps(rings, separators=(",", ":"))
                     + ("," if k < len(items) - 1 else ""))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help="Folder to write kart_2024.json to.")
    path = build(parser.parse_args().out)
    print(f"{path.name}: {path.stat().st_size:,} bytes".replace(",", " "))


if __name__ == "__main__":
    main()
