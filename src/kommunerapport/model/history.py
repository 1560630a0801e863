"""Region history: how an old municipality code leads to today's (SSB Klass 131 ``changes``).

SSB's KOSTRA tables keep a municipality's figures under the code it had in the year
(«3029 Lørenskog (2020-2023)», «0230 Lørenskog (-2019)»); today's code (3222) starts in
2024. The change table says, for each change date, which old code went to which new
one, with a rule for what that means for the figures:

- ``renummerert``: one code became another (Lørenskog 0230 → 3029 → 3222): the history
  is carried over whole;
- ``sammenslått``: several codes became one (Ålesund, Skodje, … → 1507 in 2020): amounts
  are summed and shares recomputed from the sums, only where every part has them;
- ``delt``: one code became several (1507 Ålesund → 1508 Ålesund and 1580 Haram in
  2024): no successor has comparable figures before the split.

The table shipped with the package (``data/regionendringer.csv``) is built by
``scripts/build_history.py`` from SSB's own answers in ``sources/ssb/``; ``fetch``
refreshes it from Klass. A table that maps one code to two successors without the
split rule, or whose chain comes back to a code it passed, is refused: it cannot say
what a figure belongs to.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import resources

from kommunerapport.errors import DataError, shown

RENUMBERED = "renummerert"
MERGED = "sammenslått"
SPLIT = "delt"
RULES = (RENUMBERED, MERGED, SPLIT)

COLUMNS = ("klass", "dato", "gammel", "gammelt_navn", "ny", "nytt_navn", "regel")
FILE = "regionendringer.csv"
BUILTIN_SOURCE = ("SSB Klass 131 og 104, endringer (sources/ssb/, "
                  "scripts/build_history.py)")


@dataclass(frozen=True)
class Change:
    """One row of the change table: ``old`` became (part of) ``new`` on ``date``."""

    classification: str  # «131» (municipalities) or «104» (counties)
    date: dt.date
    old: str
    old_name: str
    new: str
    new_name: str
    rule: str  # one of RULES


@dataclass(frozen=True)
class Link:
    """Where a figure under ``code`` for ``year`` belongs today.

    ``codes``: today's codes it leads to (one, or several after a split); ``steps``:
    the changes on the way; ``split``: a split was on the way, so the figure belongs to
    no single successor.
    """

    code: str
    year: int
    codes: tuple[str, ...]
    steps: tuple[Change, ...]

    @property
    def split(self) -> bool:
        return any(s.rule == SPLIT for s in self.steps)

    @property
    def target(self) -> str | None:
        """Today's code, when the figure belongs to exactly one unit."""
        return self.codes[0] if len(self.codes) == 1 and not self.split else None


@dataclass(frozen=True)
class RegionHistory:
    """The change table of one classification, with the chain from old codes to today's."""

    changes: tuple[Change, ...]
    source: str = BUILTIN_SOURCE
    _next: dict[str, list[Change]] = field(default_factory=dict, compare=False, repr=False)
    _predecessors: dict[int, dict[str, list[str]]] = field(default_factory=dict,
                                                           compare=False, repr=False)

    def __post_init__(self) -> None:
        for change in sorted(self.changes, key=lambda c: (c.date, c.new)):
            self._next.setdefault(change.old, []).append(change)

    @cached_property
    def historic_codes(self) -> frozenset[str]:
        """Every code a change starts from (a code figures may be kept under)."""
        return frozenset(self._next)

    def of(self, classification: str) -> RegionHistory:
        """The changes of one classification («131», «104»), built once."""
        return self._parts[classification] if classification in self._parts \
            else RegionHistory((), self.source)

    @cached_property
    def _parts(self) -> dict[str, RegionHistory]:
        kinds = sorted({c.classification for c in self.changes})
        return {k: RegionHistory(tuple(c for c in self.changes if c.classification == k),
                                 self.source) for k in kinds}

    def valid(self, code: str, year: int) -> bool:
        """Whether the historic ``code`` was in use in ``year``: begun by 1 January of
        it (or before the table starts) and ended after it."""
        began, ended = self._spans.get(code, ((), ()))
        return any(y > year for y in ended) and (
            any(y <= year for y in began) or not any(y > year for y in began))

    @cached_property
    def _spans(self) -> dict[str, tuple[tuple[int, ...], tuple[int, ...]]]:
        began: dict[str, set[int]] = {}
        ended: dict[str, set[int]] = {}
        for c in self.changes:
            began.setdefault(c.new, set()).add(c.date.year)
            ended.setdefault(c.old, set()).add(c.date.year)
        return {code: (tuple(sorted(began.get(code, ()))), tuple(sorted(ended[code])))
                for code in ended}

    def predecessors(self, year: int) -> dict[str, list[str]]:
        """Today's code → the historic codes that were it in ``year`` (several where
        units merged later), for codes whose chain leads to one unit."""
        if year not in self._predecessors:
            found: dict[str, list[str]] = {}
            for code in sorted(self.historic_codes):
                if self.valid(code, year):
                    target = self.link(code, year).target
                    if target is not None:
                        found.setdefault(target, []).append(code)
            self._predecessors[year] = found
        return self._predecessors[year]

    def link(self, code: str, year: int) -> Link:
        """Follow ``code``'s changes after ``year`` (those dated 1 January of a later
        year) to today's code or codes."""
        return _link(self, code, year)

    def names(self, code: str) -> list[str]:
        """The names a historic code had (as Klass spells them)."""
        return sorted({c.old_name for c in self._next.get(code, ()) if c.old_name})


def _link(history: RegionHistory, code: str, year: int) -> Link:
    steps: list[Change] = []
    frontier = [(code, dt.date(year, 12, 31))]
    ends: list[str] = []
    while frontier:
        current, after = frontier.pop()
        later = [c for c in history._next.get(current, ()) if c.date > after]
        if not later:
            ends.append(current)
            continue
        first = min(c.date for c in later)
        for change in (c for c in later if c.date == first):
            steps.append(change)
            frontier.append((change.new, change.date))
    return Link(code, year, tuple(sorted(set(ends))), tuple(steps))


def parse(rows: Iterable[Mapping[str, str]], path: object) -> RegionHistory:
    """A change table from its rows (``COLUMNS``), checked: one line naming the row on
    a bad date, rule or code, a code with two successors without the split rule, or a
    chain that loops."""
    changes: list[Change] = []
    where: dict[Change, int] = {}
    for line, row in enumerate(rows, start=2):
        missing = [c for c in COLUMNS if row.get(c) is None]
        if missing:
            raise DataError.at(path, f"mangler kolonnen «{missing[0]}».", line=line)
        try:
            date = dt.date.fromisoformat(row["dato"].strip())
        except ValueError:
            raise DataError.at(path, f"«{shown(row['dato'])}» er ikke en dato (ÅÅÅÅ-MM-DD).",
                               line=line, column="dato") from None
        rule = row["regel"].strip()
        if rule not in RULES:
            raise DataError.at(path, f"regelen «{shown(rule)}» er ingen av "
                                     f"{', '.join(RULES)}.", line=line, column="regel")
        old, new = row["gammel"].strip(), row["ny"].strip()
        for column, code in (("gammel", old), ("ny", new)):
            if not (code.isascii() and code.isdigit() and len(code) in (2, 4)):
                raise DataError.at(path, f"«{shown(code)}» er ikke et kommune- eller "
                                         "fylkesnummer.", line=line, column=column)
        if old == new:
            continue  # a new name under the same code: no change for the figures
        change = Change(row["klass"].strip(), date, old, row["gammelt_navn"], new,
                        row["nytt_navn"], rule)
        where.setdefault(change, line)
        changes.append(change)
    successors: dict[tuple[str, dt.date], list[Change]] = {}
    for change in changes:
        successors.setdefault((change.old, change.date), []).append(change)
    for (old, date), group in successors.items():
        news = sorted({c.new for c in group})
        if len(news) > 1 and any(c.rule != SPLIT for c in group):
            bad = next(c for c in group if c.rule != SPLIT)
            raise DataError.at(path, f"{old} går til både {' og '.join(news)} "
                                     f"({date:%d.%m.%Y}) uten delingsregel; en kode med "
                                     f"flere etterfølgere må ha regelen «{SPLIT}».",
                               line=where[bad])
    history = RegionHistory(tuple(changes))
    _check_loops(history, path, where)
    return history


def _check_loops(history: RegionHistory, path: object, where: dict[Change, int]) -> None:
    """A chain that comes back to a code it passed (or a code that is both old and new on
    one date) cannot say what a figure belongs to."""
    on_date: dict[dt.date, set[str]] = {}
    for c in history.changes:
        on_date.setdefault(c.date, set()).add(c.new)
    for c in history.changes:
        if c.old in on_date[c.date] and c.old != c.new:
            back = next(b for b in history.changes if b.date == c.date and b.new == c.old)
            raise DataError.at(path, f"kjeden går i ring: {back.old} → {c.old} → {c.new} "
                                     f"samme dag ({c.date:%d.%m.%Y}).", line=where[c])
    for start in history.historic_codes:
        stack: list[tuple[str, dt.date, tuple[str, ...]]] = [(start, dt.date.min, (start,))]
        while stack:
            code, after, path_codes = stack.pop()
            for c in history._next.get(code, ()):
                if c.date <= after:
                    continue
                if c.new in path_codes:
                    chain = " → ".join((*path_codes, c.new))
                    raise DataError.at(path, f"kjeden går i ring: {chain}.", line=where[c])
                stack.append((c.new, c.date, (*path_codes, c.new)))


def read_text(text: str, path: object) -> RegionHistory:
    """A change table from its CSV text."""
    reader = csv.DictReader(text.splitlines())
    if reader.fieldnames is None:
        raise DataError.at(path, "fila er tom.")
    absent = [c for c in COLUMNS if c not in reader.fieldnames]
    if absent:
        raise DataError.at(path, f"mangler kolonnen «{absent[0]}».")
    return parse(reader, path)


@lru_cache(maxsize=1)
def builtin_history() -> RegionHistory:
    """The change table shipped with the package (``scripts/build_history.py``)."""
    text = resources.files("kommunerapport").joinpath("data", FILE).read_text("utf-8")
    return read_text(text, f"innebygd {FILE}")


def historic_units() -> frozenset[str]:
    """Every old municipality and county code the shipped change table knows."""
    return builtin_history().historic_codes
