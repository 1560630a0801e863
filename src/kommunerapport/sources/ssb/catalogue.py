"""What SSB's tables hold and how a JSON-stat answer becomes tidy rows.

Which tables and Klass registers the reports use (``TABLES``, ``CLASSIFICATIONS``,
with the measures each must give), the release a year's figures are from
(``release_label``), and a JSON-stat dataset as tidy rows (``tidy_rows``, through
``rows.RowBuilder``). Which code or label is which measure is ``model.measures``.

Nothing here touches the network or the disk, so both ways in use it: ``fetch`` for
what it fetches from SSB, ``readers`` for the files a user saved from SSB
(``--data FILE``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from kommunerapport.errors import shown
from kommunerapport.model import releases
from kommunerapport.model.measures import (
    scope_for,
)
from kommunerapport.sources import jsonstat
from kommunerapport.sources.rows import (
    OLD_REGION,
    OTHER_REGION,
    CellError,
    RowBuilder,
    normalise_region,
)


@dataclass(frozen=True)
class TableSpec:
    id: str
    level: str  # «kommuner» or «fylker»: which register codes are asked for
    about: str
    requires: tuple[str, ...] = ()  # measures the table must give, or the fetch fails


TABLES = (
    TableSpec("12134", "kommuner", "Utvalgte nøkkeltall for kommuneregnskap, kommunekonsern",
              ("ndr_pct",)),
    TableSpec("12143", "kommuner", "Finansielle nøkkeltall, disposisjonsfond"),
    TableSpec("13551", "kommuner", "Driftsregnskapet etter art, beløp", ("bdi", "ndr")),
    TableSpec("13561", "fylker", "Nøkkeltall for fylkeskommunene", ("ndr_pct",)),
    TableSpec("07459", "kommuner", "Folkemengde 1. januar"),
)
CLASSIFICATIONS = {"131": "kommuner", "104": "fylker"}
KOSTRA_GROUPS = "112"  # Klass: KOSTRA-grupperinger; correspondence 131 → 112 per year

# SSB's population tables (07459 Befolkning; 11342 Areal og befolkning; 06913
# Befolkning og endringer): figures for 1 January, not accounts, so the KOSTRA
# release rule (unrevised in March, revised in June) does not apply to them.
POPULATION_TABLES = frozenset({"07459", "11342", "06913"})


def release_label(year: int, updated: str, table: str | None = None) -> str:
    """The release a year's figures are from, as the report's sources name it.

    KOSTRA: SSB publishes a year's unrevised figures in March and revised ones in
    June of the next year; a table updated before 1 June of year + 1 holds
    unrevised ones: «foreløpige tall 16.03.2026» or «reviderte tall 15.06.2026».
    Population (``POPULATION_TABLES``): «befolkningstall oppdatert 21.02.2025».
    """
    if not updated:
        return releases.Release(None, None, "SSB").text()
    try:
        day = date.fromisoformat(updated[:10])
    except ValueError:
        raise jsonstat.JsonStatError(f"«updated» er «{shown(updated)}», ikke en dato") from None
    if table in POPULATION_TABLES:
        return f"befolkningstall oppdatert {day:%d.%m.%Y}"
    return releases.for_year(year, day).text()


# --------------------------------------------------------------------------- tidy rows

@dataclass
class TidyResult:
    records: list[tuple[str, ...]]  # tidy rows in ``model.schema.COLUMNS`` order
    skipped: dict[str, int] = field(default_factory=dict)  # unknown region code → cells
    notes: list[str] = field(default_factory=list)
    left_out: dict[str, Counter[str]] = field(default_factory=dict)  # reason → what → cells

    @property
    def rows(self) -> list[dict[str, str]]:
        from kommunerapport.model.schema import COLUMNS

        return [dict(zip(COLUMNS, r, strict=True)) for r in self.records]


def tidy_rows(ds: jsonstat.Cube, known: set[str], source: str | None = None,
              level: str | None = None, table: str | None = None,
              updated: str = "") -> TidyResult:
    """The tidy rows (``model.schema.COLUMNS``, all strings) of a JSON-stat dataset.

    Each cell goes through ``rows.RowBuilder``: contents codes first, labels
    second; regions not in ``known`` (historic municipalities, SSB aggregates the
    model lacks) and categories that are no measure are left out and counted by
    reason in ``left_out``.
    """
    geo = ds.role_of("geo") or next((d for d in ds.ids if "region" in d.casefold()), None)
    tid = ds.role_of("time") or next((d for d in ds.ids if d.casefold() in ("tid", "år")), None)
    if geo is None or tid is None:
        raise jsonstat.JsonStatError("finner ikke region- og tidsdimensjonen")
    named = re.match(r"\s*(\d{5})\s*:", ds.label)  # «12134: Utvalgte …» (JSON-stat 1.x)
    table = table or ds.table_id or (named.group(1) if named else None)
    source = source or (f"SSB {table}" if table else "SSB")
    stamp = ds.updated or updated  # SSB's own date first; else the one the user gave
    builder = RowBuilder(known, source, lambda year: release_label(year, stamp, table),
                         scope_for(ds.label) or "konsern", level, table)
    others = [d for d in ds.dimensions if d.id not in (geo, tid)]
    try:
        for cell in ds.cells():
            u = ds.unit(cell.codes)
            builder.add(cell.codes[geo], cell.codes[tid],
                        [d.label_of(cell.codes[d.id]) for d in others], cell.value,
                        status=cell.status, codes=[cell.codes[d.id] for d in others],
                        unit=u.base if u else None,
                        decimals=u.decimals if u and u.decimals is not None else ds.decimals)
    except CellError as exc:
        raise jsonstat.JsonStatError(exc.message) from None
    skipped: dict[str, int] = {}
    for reason in (OLD_REGION, OTHER_REGION):
        for detail, n in builder.skipped.get(reason, {}).items():
            code = normalise_region(detail, level) or detail
            skipped[code] = skipped.get(code, 0) + n
    return TidyResult(builder.records, skipped, list(ds.notes) + category_notes(ds),
                      builder.skipped)


def category_notes(ds: jsonstat.Cube) -> list[str]:
    """SSB's notes on single categories, each as «label: note» («Haram: ny kommune fra 2024»)."""
    out = []
    for dim in ds.dimensions:
        for code, notes in dim.notes.items():
            out += [f"{dim.label_of(code)}: {n}" for n in notes if n]
    return out
