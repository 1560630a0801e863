"""The classes of a map of netto driftsresultat: where each unit falls, and the words for it.

Classes diverge around zero (lower bounds inclusive, so 0 is a surplus and the norm
is met at the norm), and their labels say which side a bound falls on («−2 til under 0»,
«0 til under 1,75»): deficits in the report's red, surpluses in its blue. The breaks
hold both TBU norms, 1,75 (municipalities) and 4 (county authorities), so one
legend serves both panels of the country map. The six colours differ in lightness
by at least 12 L* (they read in greyscale), and stay apart for red–green colour
blindness (red against blue); units without figures are hatched and named.

Pure: values in, classes, counts, legend lines and table rows out; no drawing.
"""

from __future__ import annotations

import bisect
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from kommunerapport.model.norms import NORM_COUNTY_AUTHORITIES, NORM_MUNICIPALITIES
from kommunerapport.writing.formatting import number

BREAKS = (-4.0, -2.0, 0.0, NORM_MUNICIPALITIES, NORM_COUNTY_AUTHORITIES)


# From the strongest deficit to the strongest surplus (L* 40, 64, 88 | 76, 52, 23). The two
# classes next to zero carry colour enough (ΔE*ab ≥ 20, as seen with and without red–green
# colour blindness) to stand apart from the grey land around a map and the white of units
# without figures: «−2 til under 0» is peach, not the near-white it once was.
COLOURS = ("#b3261e", "#fe6c65", "#fbd7b2", "#81c5e0", "#3084aa", "#1b365d")


MAX_NAMED = 10  # units without figures named in the legend; the rest counted


@dataclass(frozen=True)
class Area:
    """One unit to colour: a municipality (4-digit number) or county (2-digit)."""

    number: str
    name: str
    value: float | None  # None or NaN: no figure


@dataclass(frozen=True)
class Labels:
    """Every word on the map, in the report's language."""

    legend_title: str  # «Netto driftsresultat 2025, prosent»
    below: str  # class labels, with {lo} and {hi}: «under {hi}»
    between: str  # «{lo} til under {hi}»
    above: str  # «{lo} og over»
    missing: str  # heading of the hatched units: «Ingen tall»
    more: str = ""  # after MAX_NAMED names: «og {n} til»
    municipalities: str = ""  # the country map's panel titles: «Kommunene»
    county_authorities: str = ""  # «Fylkeskommunene»
    note: str = ""  # under the legend, if given


@dataclass(frozen=True)
class MapClass:
    """One class of the legend: its interval, its words, its colour and its units."""

    lo: float | None  # inclusive; None: open below
    hi: float | None  # exclusive; None: open above
    label: str
    colour: str
    units: tuple[str, ...]  # names, in the order given

    @property
    def count(self) -> int:
        return len(self.units)


@dataclass(frozen=True)
class Panel:
    """One coloured set of units: what an alt text and a data table need of it."""

    title: str
    norm: float
    classes: tuple[MapClass, ...]  # lowest first
    missing: tuple[str, ...]  # names of the units without a figure (hatched)
    rows: tuple[tuple[str, str, str], ...]  # name, value («−1,2», «–»), class label

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def shown(self) -> int:
        return self.total - len(self.missing)


def class_label(lo: float | None, hi: float | None, labels: Labels) -> str:
    def fmt(v: float) -> str:
        return number(v, 2 if v % 1 else 0)
    if lo is None:
        if hi is None:
            raise ValueError("a class has a lower or an upper bound, or both")
        return labels.below.format(hi=fmt(hi))
    if hi is None:
        return labels.above.format(lo=fmt(lo))
    return labels.between.format(lo=fmt(lo), hi=fmt(hi))


def class_of(value: float | None) -> int | None:
    """Index of the class ``value`` falls in (lower bounds inclusive); None if no figure."""
    if value is None or math.isnan(value):
        return None
    return bisect.bisect_right(BREAKS, value)


def panel(areas: Sequence[Area], labels: Labels, norm: float, title: str = "") -> Panel:
    """Classify ``areas``; the norm must be one of the breaks."""
    if norm not in BREAKS:
        raise ValueError(f"the norm {norm} is not a class break {BREAKS}")
    bounds = (None, *BREAKS, None)
    members: list[list[str]] = [[] for _ in COLOURS]
    rows, missing = [], []
    for area in areas:
        k = class_of(area.value)
        if k is None:
            missing.append(area.name)
            rows.append((area.name, number(None), labels.missing))
        else:
            members[k].append(area.name)
            rows.append((area.name, number(area.value, 1),
                         class_label(bounds[k], bounds[k + 1], labels)))
    classes = tuple(MapClass(bounds[k], bounds[k + 1],
                             class_label(bounds[k], bounds[k + 1], labels), COLOURS[k],
                             tuple(members[k])) for k in range(len(COLOURS)))
    return Panel(title, norm, classes, tuple(missing), tuple(rows))


def coloured(areas: Sequence[Area]) -> tuple[tuple[str, int], ...]:
    """(number, class index, or -1 for no figure) of each unit."""
    return tuple((a.number, -1 if (k := class_of(a.value)) is None else k) for a in areas)


def legend_entries(main: Panel, labels: Labels, inset: Panel | None = None
            ) -> tuple[tuple[str, str], ...]:
    """(label, colour) from the highest class down; one panel's with its count."""
    entries = []
    for k in reversed(range(len(COLOURS))):
        count = "" if inset else f" ({main.classes[k].count})"
        entries.append((main.classes[k].label + count, COLOURS[k]))
    missing = [(main.title, main.missing)] + ([(inset.title, inset.missing)] if inset else [])
    lines = [named_line(names, labels, f"{title}: " if inset else f"{labels.missing}: ")
             for title, names in missing if names]
    if lines:
        entries.append(("\n".join(([labels.missing] if inset else []) + lines), ""))
    return tuple(entries)


def named_line(names: tuple[str, ...], labels: Labels, lead: str) -> str:
    text = ", ".join(names[:MAX_NAMED])
    if len(names) > MAX_NAMED:
        text += " " + labels.more.format(n=len(names) - MAX_NAMED)
    return textwrap.fill(lead + text, 34)
