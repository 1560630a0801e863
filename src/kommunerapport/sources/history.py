"""Figures under old region codes, carried to today's codes as they are loaded.

Every table the tool loads (a ``--data`` file, the fetched figures, the built-in data)
goes through ``chain``: a row under a code the change table knows (``model.history``)
is moved to the code its unit has today.

- renumbered: the row moves whole (3029 Lørenskog 2023 → 3222);
- merged: for each year, amounts are summed and shares recomputed from the summed
  amounts (Σ netto driftsresultat / Σ brutto driftsinntekter), only where every part
  the change table names has them; anything else is left out and said;
- split (1507 Ålesund → 1508 Ålesund and 1580 Haram): no successor gets figures from
  before the split, and ``meta["history"]["split"]`` says so for the report;
- a figure the file also gives under today's code for the same year is kept as given,
  and the chained one is left out.

County authorities' figures (two-digit codes) follow Klass 104 the same way; a county
split in 2024 (Viken, Vestfold og Telemark, Troms og Finnmark) leaves no county
authority figures before 2024. A *county's* municipal figures before 2024 are never
taken from the old county: the reports sum today's municipalities' chained figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from kommunerapport.model.history import Link, RegionHistory, builtin_history
from kommunerapport.model.schema import MEASURES, Dataset

# share measure → the amount it is a share of BDI of
SHARE_OF = {"ndr_pct": "ndr", "dispfond_pct": "dispfond", "invest_pct": "invest"}
SUMMED = {m for m, (_, unit) in MEASURES.items() if unit in ("1000 kr", "personer")}


@dataclass
class Chained:
    """What ``chain`` did, for the summary and «Om tallene» (``as_meta``)."""

    renumbered: dict[str, dict[str, list[int]]] = field(default_factory=dict)  # new → old → years
    merged: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # new → year → parts
    split: dict[str, list[int]] = field(default_factory=dict)  # new → years without history
    incomplete: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # new → year → m
    unknown: dict[str, list[int]] = field(default_factory=dict)  # old code → years (no unit)
    shadowed: int = 0  # chained rows left out for a row given under today's code

    def as_meta(self, source: str) -> dict[str, Any]:
        return {"source": source,
                "renumbered": {k: dict(v) for k, v in sorted(self.renumbered.items())},
                "merged": {k: {str(y): p for y, p in sorted(v.items())}
                           for k, v in sorted(self.merged.items())},
                "split": {k: sorted(v) for k, v in sorted(self.split.items())},
                "incomplete": {k: {str(y): m for y, m in sorted(v.items())}
                               for k, v in sorted(self.incomplete.items())},
                "unknown": {k: sorted(v) for k, v in sorted(self.unknown.items())},
                "shadowed": self.shadowed}

    @property
    def anything(self) -> bool:
        return bool(self.renumbered or self.merged or self.split or self.unknown)


def chain(table: pd.DataFrame, today: set[str],
          history: RegionHistory | None = None) -> tuple[pd.DataFrame, Chained]:
    """``table`` with every row under an old code moved to today's code (see the module).

    ``today``: the codes of today's register (municipalities and counties); a row whose
    chain ends elsewhere is left out and named in ``Chained.unknown``.
    """
    history = history or builtin_history()
    done = Chained()
    units = table["unit"].tolist()
    years = table["year"].tolist()
    by_kind = {4: history.of("131"), 2: history.of("104")}
    links: dict[tuple[str, int], Link] = {}
    for unit, year in set(zip(units, years, strict=True)):
        kind = by_kind.get(len(unit))
        if kind is not None and unit.isdigit() and unit in kind.historic_codes:
            link = kind.link(unit, int(year))
            if link.codes != (unit,):
                links[(unit, int(year))] = link
    if not links:
        return table, done
    targets: dict[tuple[str, int], list[str]] = defaultdict(list)  # (new, year) → old codes
    drop_keys: set[tuple[str, int]] = set()
    for (unit, year), link in links.items():
        if link.split:
            for code in link.codes:
                if code in today:
                    done.split.setdefault(code, [])
                    if year not in done.split[code]:
                        done.split[code].append(year)
            drop_keys.add((unit, year))
        elif link.target not in today:
            done.unknown.setdefault(unit, []).append(year)
            drop_keys.add((unit, year))
        else:
            targets[(link.target, year)].append(unit)
    # A split predecessor leaves its successors without comparable figures for the year,
    # even the parts that came from elsewhere (Narvik took in part of Tysfjord in 2020).
    for (target, year) in list(targets):
        if year in done.split.get(target, []):
            drop_keys.update((u, year) for u in targets.pop((target, year)))
    moved = [(unit, year) for (target, year), olds in targets.items() for unit in olds]
    rename: dict[tuple[str, int], str] = {}
    merges: dict[tuple[str, int], list[str]] = {}
    for (target, year), olds in targets.items():
        kind = by_kind[len(target)]
        parts = kind.predecessors(year).get(target, [target])
        if len(parts) > 1:
            merges[(target, year)] = parts
            done.merged.setdefault(target, {})[year] = parts
        else:
            for unit in olds:
                rename[(unit, year)] = target
                done.renumbered.setdefault(target, {}).setdefault(unit, []).append(year)
    for sources in done.renumbered.values():
        for code in sources:
            sources[code].sort()
    touched = drop_keys | set(moved)
    codes = {u for u, _ in touched}
    candidate = table["unit"].isin(codes).to_numpy()
    key = [(u, int(y)) if c else None
           for u, y, c in zip(units, years, candidate, strict=True)]
    keep = pd.Series([k is None or k not in touched for k in key], index=table.index)
    out = [table[keep]]
    renamed = table[[k is not None and k in rename for k in key]].copy()
    if not renamed.empty:
        renamed["unit"] = [rename[(u, int(y))] for u, y in zip(renamed["unit"], renamed["year"],
                                                                 strict=True)]
        out.append(renamed)
    for (target, year), parts in merges.items():
        rows = table[(table["year"] == year) & table["unit"].isin(parts)]
        merged, lacking = merge_rows(rows, target, year, parts)
        if lacking:
            done.incomplete.setdefault(target, {})[year] = lacking
        if not merged.empty:
            out.append(merged)
    result = pd.concat(out, ignore_index=True)
    # A figure the table gives under today's code wins over one carried to it.
    given = result.iloc[:int(keep.sum())]
    carried = result.iloc[int(keep.sum()):]
    columns = ["unit", "year", "measure", "scope"]
    landed = set(carried["unit"])
    mine = given[given["unit"].isin(landed)]
    valued = mine["value"].notna()
    have = set(mine[valued][columns].itertuples(index=False, name=None))
    clash = pd.Series([r in have for r in carried[columns].itertuples(index=False, name=None)],
                      index=carried.index, dtype=bool)
    done.shadowed = int(clash.sum())
    # A cell given under today's code without a figure (SSB's «.» for a code not yet in
    # use) gives way to the figure carried to it.
    arriving = set(carried[~clash][columns].itertuples(index=False, name=None))
    empty = mine[~valued]
    blank = empty.index[[r in arriving for r in empty[columns].itertuples(index=False,
                                                                         name=None)]]
    dropped = carried.index[clash].append(blank)
    if len(dropped):
        result = result.drop(dropped).reset_index(drop=True)
    return result, done


def merge_rows(rows: pd.DataFrame, target: str, year: int,
               parts: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """One unit's rows from its parts' rows: amounts summed, shares from the summed
    amounts, per-capita figures weighted by population; only where every part has them.

    Returns the rows and the measures that could not be made (a part lacks them).
    """
    out: list[dict[str, object]] = []
    lacking: list[str] = []
    for scope, group in rows.groupby("scope", sort=True):
        values: dict[str, dict[str, float]] = defaultdict(dict)
        provenance: dict[str, list[pd.Series]] = defaultdict(list)
        for _, r in group.iterrows():
            if r["value"] == r["value"]:
                values[r["measure"]][r["unit"]] = float(r["value"])
            provenance[r["measure"]].append(r)

        def complete(measure: str, values: dict[str, dict[str, float]] = values) -> bool:
            return all(p in values.get(measure, {}) for p in parts)

        made: dict[str, tuple[float, list[str]]] = {}
        for measure in sorted({*values, *provenance}):
            if measure in SUMMED and complete(measure):
                made[measure] = (sum(values[measure][p] for p in parts), [measure])
        for share, amount_measure in SHARE_OF.items():
            if share not in provenance and amount_measure not in provenance:
                continue
            amounts = [_amount(values, amount_measure, p) for p in parts]
            if complete("bdi") and all(a is not None for a in amounts):
                bdi = sum(values["bdi"][p] for p in parts)
                total = sum(a for a in amounts if a is not None)
                made[share] = (total / bdi * 100, [share, amount_measure, "bdi"])
                if amount_measure in provenance and amount_measure not in made:
                    made[amount_measure] = (total, [share, amount_measure, "bdi"])
        if "frie_inntekter_innb" in provenance and complete("frie_inntekter_innb") \
                and complete("folkemengde"):
            people = sum(values["folkemengde"][p] for p in parts)
            made["frie_inntekter_innb"] = (sum(values["frie_inntekter_innb"][p]
                                               * values["folkemengde"][p] for p in parts)
                                           / people, ["frie_inntekter_innb", "folkemengde"])
        lacking += [m for m in provenance if m not in made and m not in lacking]
        for measure, (value, used) in made.items():
            origin = [r for m in used for r in provenance.get(m, [])]
            out.append({"unit": target, "year": year, "measure": measure,
                        "value": round(value, 6), "status": "", "scope": scope,
                        "source": _joined(r["source"] for r in origin),
                        "release": _joined(r["release"] for r in origin),
                        "synthetic": any(bool(r["synthetic"]) for r in origin)})
    frame = pd.DataFrame(out, columns=list(rows.columns))
    if not frame.empty:
        frame = frame.astype({"year": rows["year"].dtype, "value": float, "synthetic": bool})
    return frame, sorted(lacking)


def _amount(values: dict[str, dict[str, float]], measure: str, part: str) -> float | None:
    """A part's amount: given, or its share of its BDI («ndr» from «ndr_pct» and «bdi»)."""
    given = values.get(measure, {}).get(part)
    share = {v: k for k, v in SHARE_OF.items()}.get(measure)
    if given is None and share and part in values.get(share, {}) \
            and part in values.get("bdi", {}):
        return values[share][part] * values["bdi"][part] / 100
    return given


def _joined(texts: Iterable[str]) -> str:
    return "; ".join(sorted({t for t in texts if t}))


def current_history() -> RegionHistory:
    """The change table ``fetch`` last got from Klass (``regionendringer.csv`` in the
    cache folder), else the one shipped with the package. A damaged fetched table is
    one line naming it and the row, never a guess."""
    from kommunerapport.errors import DataError
    from kommunerapport.model.history import FILE, read_text
    from kommunerapport.sources import limits
    from kommunerapport.sources.ssb.store import cache_dir

    path = cache_dir() / FILE
    if not path.exists():
        return builtin_history()

    def fail(problem: str) -> DataError:
        return DataError.at(path, problem)

    data = limits.read_bytes(path, limits.MAX_FILE_BYTES, fail)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise fail("teksten er ikke UTF-8; kjør «kommunerapport fetch --refresh».") from None
    history = read_text(text, path)
    return RegionHistory(history.changes, f"SSB Klass 131 og 104, endringer hentet ({path})")


def chained(dataset: Dataset, history: RegionHistory | None = None) -> Dataset:
    """``dataset`` with its table carried to today's codes (``chain``), and what was done
    in ``meta["history"]``."""
    from dataclasses import replace

    from kommunerapport.model.schema import today_units

    history = history or current_history()
    table, done = chain(dataset.table, today_units(), history)
    if not done.anything and not done.shadowed:
        return dataset
    meta = {**dataset.meta, "history": done.as_meta(history.source)}
    return replace(dataset, table=table, meta=meta)


def summary_lines(info: dict[str, Any]) -> list[str]:
    """What the chain did, for an import summary (``meta["history"]``)."""
    lines = []
    renumbered = info.get("renumbered") or {}
    if renumbered:
        pairs = [f"{old} → {new}" for new, olds in renumbered.items() for old in olds]
        more = f" og {len(pairs) - 4} til" if len(pairs) > 4 else ""
        lines.append(f"  Regionendringer: tall under {len(pairs)} eldre koder ført over til "
                     f"dagens ({', '.join(pairs[:4])}{more}).")
    for new, years in (info.get("merged") or {}).items():
        for year, parts in years.items():
            lines.append(f"  Slått sammen: {new} {year} = {' + '.join(parts)} (beløp summert, "
                         "andeler regnet av summene).")
    incomplete = info.get("incomplete") or {}
    for new, years in incomplete.items():
        for year, measures in years.items():
            lines.append(f"  Uten tall for {new} {year}: {', '.join(measures)} (ikke alle "
                         "de sammenslåtte kommunene har dem).")
    split = info.get("split") or {}
    if split:
        lines.append("  Uten sammenlignbare tall før en deling: " + "; ".join(
            f"{new} ({span(years)})" for new, years in split.items()) + ".")
    unknown = info.get("unknown") or {}
    if unknown:
        lines.append("  Hoppet over – koder uten enhet i dag: " + ", ".join(
            f"{code} ({span(years)})" for code, years in unknown.items()) + ".")
    return lines


def span(years: list[int]) -> str:
    """«2020–2023», «2022»."""
    years = sorted(years)
    if len(years) > 1 and years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}–{years[-1]}"
    return ", ".join(map(str, years))
