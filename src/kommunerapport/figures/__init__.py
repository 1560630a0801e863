"""The figures a report states, as pure functions over the tidy table.

Every function returns values with their provenance (sources, releases, scope,
whether any input was synthetic, how the value was made, n of N). Aggregates
are ratios of sums: Σ NDR (kr) / Σ BDI (kr), computed as the BDI-weighted mean
of the units' percentages; a plain mean is never passed off as an aggregate.
Missing values are counted and named, never read as zero.
"""

from __future__ import annotations

from kommunerapport.figures.aggregates import (
    change,
    count,
    county_authorities,
    county_authorities_total,
    deficits,
    emptied_reserves,
    growth,
    municipalities,
    national,
    published,
    ranking,
    robek_members,
    series,
    shares,
    unit_figure,
    unit_rows,
    weighted,
)
from kommunerapport.figures.lookup import AMOUNT_OF, Index, index
from kommunerapport.figures.values import (
    METHOD_CHANGE,
    METHOD_GROWTH,
    METHOD_PUBLISHED,
    METHOD_UNIT,
    METHOD_WEIGHTED,
    NOTE_NO_FIGURES,
    NOTE_NO_WEIGHTS,
    Count,
    Figure,
    Row,
)

__all__ = [
    "AMOUNT_OF", "METHOD_CHANGE", "METHOD_GROWTH", "METHOD_PUBLISHED", "METHOD_UNIT",
    "METHOD_WEIGHTED", "NOTE_NO_FIGURES", "NOTE_NO_WEIGHTS", "Count", "Figure", "Index", "Row",
    "change", "count", "county_authorities", "county_authorities_total", "deficits",
    "emptied_reserves", "growth", "index", "municipalities", "national", "published", "ranking",
    "robek_members", "series", "shares", "unit_figure", "unit_rows", "weighted",
]
