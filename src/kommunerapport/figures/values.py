"""What a figure is: a number with its provenance, a count of units, a table row.

Every value says where it came from (sources, releases, scope), whether any input was
sample data, how it was made (``METHOD_*``) and how many of the units asked for had
a figure (n of N); a figure that could not be made says why (``NOTE_*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

METHOD_PUBLISHED = "publisert"


METHOD_WEIGHTED = "vektet"


METHOD_UNIT = "enhet"


METHOD_CHANGE = "endring"


METHOD_GROWTH = "vekst"


# Why a weighted aggregate has no value.
NOTE_NO_WEIGHTS = "kan ikke vektes uten brutto driftsinntekter"


NOTE_NO_FIGURES = "ingen tall"


@dataclass(frozen=True)
class Figure:
    """One number with where it came from."""

    value: float | None
    measure: str
    year: int
    method: str  # publisert | vektet | enhet | endring
    scope: str = "konsern"
    sources: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    synthetic: bool = False
    n: int = 0  # units that reported
    total: int = 0  # units asked for
    missing: tuple[str, ...] = ()  # units with no figure (numbers)
    note: str = ""
    # (source, release, scope) of the rows behind the value: which release each source
    # contributed, for «Om tallene».
    origins: tuple[tuple[str, str, str], ...] = ()
    # The units whose figures make the value (a municipality, the reporting members of a
    # county, SSB's aggregate code): a report names no other set beside it.
    covers: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return self.value is not None and not math.isnan(self.value)


@dataclass(frozen=True)
class Count:
    """«n av N som har rapportert»: how many of the reporting units meet a condition."""

    count: int
    reported: int
    total: int
    missing: tuple[str, ...]
    units: tuple[str, ...]  # the units that meet it
    year: int
    synthetic: bool
    sources: tuple[str, ...] = ()
    releases: tuple[str, ...] = ()
    origins: tuple[tuple[str, str, str], ...] = ()

    @property
    def share(self) -> float | None:
        return self.count / self.reported * 100 if self.reported else None


@dataclass(frozen=True)
class Row:
    """A unit's line in a table: this year, last year, reserve, ROBEK."""

    unit: str
    name: str
    ndr: Figure
    ndr_before: Figure
    dispfond: Figure
    robek: bool
    rank: int | None = None
    extra: dict[str, object] = field(default_factory=dict)
