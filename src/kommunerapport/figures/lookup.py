"""The tidy table indexed for the figures: (measure, year) → unit → its rows.

Built once per table: a report asks for a few hundred (measure, year, units) slices,
and dictionary lookups cost microseconds where pandas slices cost milliseconds. A
unit's first row gives its value; all of its rows give the provenance.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from collections.abc import Iterable
from typing import NamedTuple, TypedDict

import numpy as np
import pandas as pd

# measure in % → the amount (1000 kr) it is a share of BDI of
AMOUNT_OF = {"ndr_pct": "ndr", "dispfond_pct": "dispfond", "invest_pct": "invest"}


class Rec(NamedTuple):
    """One known row of the table, as the figures need it."""

    value: float
    source: str
    release: str
    synthetic: bool
    scope: str


class Index:
    """The table's known values by (measure, year) → unit → its rows, in table order.

    Built once per table: a report asks for a few hundred (measure, year, units)
    slices, and dictionary lookups cost microseconds where pandas slices cost
    milliseconds. A unit's first row gives its value (as ``drop_duplicates``
    did); all of its rows give the provenance.
    """

    def __init__(self, table: pd.DataFrame) -> None:
        self.cells: dict[tuple[str, int], dict[str, list[Rec]]] = {}
        columns = (table[c].tolist() for c in
                   ("measure", "year", "unit", "value", "source", "release", "synthetic",
                    "scope"))
        for measure, year, unit, value, *rest in zip(*columns, strict=True):
            if value != value:  # NaN: a missing value is not a figure
                continue
            cell = self.cells.setdefault((measure, int(year)), {})
            cell.setdefault(unit, []).append(Rec(value, *rest))

    def cell(self, measure: str, year: int) -> dict[str, list[Rec]]:
        return self.cells.get((measure, year), _EMPTY)

    def used(self, measure: str, year: int, units: Iterable[str]) -> list[Rec]:
        """Every row a figure on ``measure`` over ``units`` was made from (with BDI, amounts)."""
        wanted = set(units)
        out: list[Rec] = []
        for m in dict.fromkeys([measure, "bdi", AMOUNT_OF.get(measure, measure)]):
            for unit, recs in self.cell(m, year).items():
                if unit in wanted:
                    out += recs
        return out

    def shares(self, measure: str, year: int,
               units: Iterable[str]) -> tuple[list[str], list[float], list[str], list[float]]:
        """Units with SSB's percentage (table order) and their values; then the units whose
        percentage is derived from the amount and BDI, and their values."""
        wanted = set(units)
        given = [(u, recs[0].value) for u, recs in self.cell(measure, year).items()
                 if u in wanted]
        amount_measure = AMOUNT_OF.get(measure)
        derived: list[tuple[str, float]] = []
        if amount_measure:
            have = {u for u, _ in given}
            bdi = self.cell("bdi", year)
            derived = [(u, share(recs[0].value, bdi[u][0].value))
                       for u, recs in self.cell(amount_measure, year).items()
                       if u in wanted and u not in have and u in bdi]
            if given:  # pandas' Index.difference sorted them, except against an empty index
                derived.sort()
        return ([u for u, _ in given], [v for _, v in given],
                [u for u, _ in derived], [v for _, v in derived])

    def pct(self, measure: str, year: int, units: Iterable[str]) -> dict[str, float]:
        """Each unit's percentage (SSB's or derived), in ``shares``' order."""
        given_units, given, derived_units, derived = self.shares(measure, year, units)
        return dict(zip(given_units + derived_units, given + derived, strict=True))


_EMPTY: dict[str, list[Rec]] = {}


def ratio(a: float, b: float) -> float:
    """a / b with numpy's rules for b = 0 (±inf, nan), as pandas divided."""
    if b == 0:
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.float64(a) / np.float64(b))
    return a / b


def share(amount: float, bdi: float) -> float:
    """amount / BDI in percent."""
    return ratio(amount, bdi) * 100


# A few indexes, the latest used kept: a batch worker that meets each member's own small
# table once does not keep them all (memory stays flat). Each entry holds a weak reference
# to its table, so a new table that happens to get a dead one's id is never confused with it.
_INDEXES: OrderedDict[int, tuple[weakref.ref[pd.DataFrame], Index]] = OrderedDict()


KEPT = 8


def index(table: pd.DataFrame) -> Index:
    """The index of ``table``, built on first use and reused while the table lives.

    Tables are never changed after loading; a changed table must be a new object.
    """
    key = id(table)
    entry = _INDEXES.get(key)
    if entry is not None and entry[0]() is table:
        _INDEXES.move_to_end(key)
        return entry[1]
    built = Index(table)
    _INDEXES[key] = (weakref.ref(table), built)
    _INDEXES.move_to_end(key)
    while len(_INDEXES) > KEPT:
        _INDEXES.popitem(last=False)
    return built


class Provenance(TypedDict):
    """Where a figure's rows came from: the provenance fields of ``Figure`` and ``Count``."""

    sources: tuple[str, ...]
    releases: tuple[str, ...]
    synthetic: bool
    scope: str
    origins: tuple[tuple[str, str, str], ...]


def provenance(recs: list[Rec]) -> Provenance:
    """The provenance of ``recs``; of no rows, the defaults of a ``Figure`` (no sources,
    «konsern»)."""
    return {
        "sources": tuple(sorted({r.source for r in recs})),
        "releases": tuple(sorted({r.release for r in recs})),
        "synthetic": any(r.synthetic for r in recs),
        "scope": "/".join(sorted({r.scope for r in recs})) or "konsern",
        "origins": tuple(sorted({(r.source, r.release, r.scope) for r in recs})),
    }


def total(values: list[float]) -> float:
    """pandas' sum: NaN as 0, in numpy's pairwise order: the same figures to the bit."""
    array = np.array(values, dtype=np.float64)
    return float(np.sum(np.where(np.isnan(array), 0.0, array)))


def indexes_kept() -> int:
    """How many tables' indexes are held now (at most ``KEPT``)."""
    return len(_INDEXES)
