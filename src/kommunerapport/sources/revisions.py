"""What changed between two releases of the figures: a pure comparison of two tidy tables.

A figure counts as changed when it would be shown differently (rounded as the reports
round it: one decimal for shares, whole numbers for amounts and kroner per
innbygger), or when it has a figure on one side and none on the other. Units that have
figures in only one of the two are named as appeared or vanished. Measures, tables or
scopes that only one side has cannot be compared, and are named as such.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from kommunerapport.model.schema import MEASURES, shown_decimals


@dataclass(frozen=True)
class Revision:
    """One figure shown differently in the new release than in the old."""

    unit: str
    year: int
    measure: str
    scope: str
    old: float | None
    new: float | None
    old_release: str
    new_release: str


@dataclass
class Comparison:
    revisions: list[Revision] = field(default_factory=list)
    appeared: list[str] = field(default_factory=list)  # units only the new release has
    vanished: list[str] = field(default_factory=list)  # units only the old release has
    incomparable: list[str] = field(default_factory=list)  # what only one side has, said


def shown(value: float | None, measure: str) -> Decimal | None:
    if value is None or value != value:
        return None
    step = Decimal(1).scaleb(-shown_decimals(measure))
    return Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP)


def compare(old: pd.DataFrame, new: pd.DataFrame) -> Comparison:
    """The figures of ``new`` shown differently from ``old`` (see the module)."""
    out = Comparison()
    for mine, other, word in ((old, new, "den gamle"), (new, old, "den nye")):
        only = sorted(set(mine["source"]) - set(other["source"]))
        out.incomparable += [f"{source} finnes bare i {word} utgivelsen" for source in only]
        out.incomparable += [f"omfanget {scope} finnes bare i {word} utgivelsen"
                             for scope in sorted(set(mine["scope"]) - set(other["scope"]))]
    sources: set[str] = set(old["source"]) & set(new["source"])
    scopes: set[str] = set(old["scope"]) & set(new["scope"])
    measures: set[str] = set(old["measure"]) & set(new["measure"])
    for measure in sorted(set(old["measure"]) ^ set(new["measure"])):
        side = "den gamle" if measure in set(old["measure"]) else "den nye"
        out.incomparable.append(f"{MEASURES[measure][0].lower()} finnes bare i {side} "
                                "utgivelsen")
    before, after = (_cells(t, sources, scopes, measures) for t in (old, new))
    have_old = {k[0] for k, (v, _) in before.items() if v is not None}
    have_new = {k[0] for k, (v, _) in after.items() if v is not None}
    out.appeared = sorted(have_new - have_old)
    out.vanished = sorted(have_old - have_new)
    both = have_old & have_new
    for key in sorted(set(before) | set(after)):
        unit, year, measure, scope = key
        if unit not in both:
            continue
        was, old_release = before.get(key, (None, ""))
        now, new_release = after.get(key, (None, ""))
        if shown(was, measure) != shown(now, measure):
            out.revisions.append(Revision(unit, year, measure, scope, was, now, old_release,
                                          new_release))
    out.revisions.sort(key=lambda v: (v.unit, list(MEASURES).index(v.measure), v.year))
    return out


Cell = tuple[str, int, str, str]


def _cells(table: pd.DataFrame, sources: set[str], scopes: set[str],
           measures: set[str]) -> dict[Cell, tuple[float | None, str]]:
    """(unit, year, measure, scope) → (value or None, release), for what both sides have."""
    out: dict[Cell, tuple[float | None, str]] = {}
    columns = [table[c].tolist() for c in ("unit", "year", "measure", "scope", "value",
                                           "source", "release")]
    for unit, year, measure, scope, value, source, release in zip(*columns, strict=True):
        if source in sources and scope in scopes and measure in measures:
            number = float(value)
            out[(str(unit), int(year), str(measure), str(scope))] = (
                None if number != number else number, str(release))
    return out
