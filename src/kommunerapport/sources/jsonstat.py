"""A small JSON-stat 2.0 reader for SSB's PxWebApi v2 responses.

It keeps what a report must be able to state: the table's notes, the
``updated`` stamp, each content's unit and decimals, missing values (``null``)
and their status symbols («..», «:», «.»). Both the dense (list) and sparse
(object) forms of ``value``, ``status`` and category ``index`` are read.

Metadata responses (``/tables/{id}/metadata``) are JSON-stat too, without
``value``; :func:`parse` reads them as well (``values`` is then empty).

The cell count (the product of ``size``) is checked against
``limits.MAX_VALUES`` before any list of values is made, so a small file with
``size [2000, 2000, 2000]`` and a sparse ``value`` is refused, not expanded.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunerapport.errors import shown
from kommunerapport.sources import guard, limits


class JsonStatError(ValueError):
    """The document is not JSON-stat 2.0 as this reader understands it."""


@dataclass(frozen=True)
class Unit:
    base: str  # «kr», «1000 kr», «prosent»
    decimals: int | None


@dataclass(frozen=True)
class Dimension:
    id: str
    label: str
    codes: tuple[str, ...]  # in index order
    labels: dict[str, str]
    units: dict[str, Unit] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    elimination: bool = False  # may be left out of a query (SSB then sums it)

    def label_of(self, code: str) -> str:
        return self.labels.get(code, code)


@dataclass(frozen=True)
class Cell:
    """One value with its coordinates (dimension id → category code)."""

    codes: dict[str, str]
    value: float | None
    status: str  # SSB's symbol, «» when none


@dataclass
class Cube:
    label: str
    source: str
    updated: str  # ISO 8601 as SSB gives it, «» when absent
    notes: list[str]
    dimensions: list[Dimension]
    values: list[float | None]
    status: list[str]
    role: dict[str, list[str]]
    table_id: str = ""
    decimals: int | None = None  # table-wide default from extension.px
    has_values: bool = True  # False for a metadata response

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def role_of(self, role: str) -> str | None:
        ids = self.role.get(role) or []
        return ids[0] if ids else None

    def unit(self, codes: dict[str, str]) -> Unit | None:
        """The unit of a cell: from the metric dimension's category, if any."""
        for d in self.dimensions:
            code = codes.get(d.id)
            if code in d.units:
                return d.units[code]
        return None

    @property
    def is_metadata(self) -> bool:
        """A metadata response (no ``value``): categories and units, no figures."""
        return not self.has_values

    def cells(self) -> Iterator[Cell]:
        """Every cell in row-major order (the last dimension varies fastest)."""
        if not self.has_values:
            raise JsonStatError("datasettet er metadata, ikke data (mangler «value»)")
        for n, combo in enumerate(itertools.product(*(d.codes for d in self.dimensions))):
            yield Cell(dict(zip(self.ids, combo, strict=True)), self.values[n], self.status[n])


def _index(category: dict[str, Any], dim_id: str) -> tuple[str, ...]:
    index = category.get("index")
    if index is None:  # a single category may be given by label alone
        labels = category.get("label") or {}
        if len(labels) != 1:
            raise JsonStatError(f"dimensjonen «{dim_id}» mangler category.index")
        return tuple(labels)
    if isinstance(index, list):
        return tuple(str(c) for c in index)
    if isinstance(index, dict):
        return tuple(c for c, _ in sorted(index.items(), key=lambda kv: kv[1]))
    raise JsonStatError(f"dimensjonen «{dim_id}» har en ugyldig category.index")


def _units(category: dict[str, Any]) -> dict[str, Unit]:
    units = {}
    for code, u in (category.get("unit") or {}).items():
        if not isinstance(u, dict):
            raise JsonStatError(f"«unit» for «{shown(code)}» skal være et objekt")
        try:
            decimals = guard.decimals(u.get("decimals"), f"«decimals» for «{shown(code)}»")
        except ValueError as exc:
            raise JsonStatError(str(exc)) from None
        units[code] = Unit(str(u.get("base") or u.get("label") or ""), decimals)
    return units


def _dense(raw: Any, size: int, name: str, empty: Any) -> list[Any]:
    if raw is None:
        return [empty] * size
    if isinstance(raw, list):
        if len(raw) != size:
            raise JsonStatError(f"«{name}» har {len(raw)} elementer, ventet {size}")
        return list(raw)
    if isinstance(raw, dict):
        out = [empty] * size
        for key, v in raw.items():
            try:
                i = int(key)
            except (TypeError, ValueError):
                raise JsonStatError(f"«{name}» har nøkkelen «{key}», som ikke er et "
                                    "celletall") from None
            if not 0 <= i < size:
                raise JsonStatError(f"«{name}» har indeks {i} utenfor 0–{size - 1}")
            out[i] = v
        return out
    if isinstance(raw, str) and name == "status":  # one symbol for all cells
        return [raw] * size
    raise JsonStatError(f"«{name}» har ugyldig form")


def _number(v: Any) -> float | None:
    """A cell's value; a number no float holds (1e400, an int of 400 digits, Python's
    ``Infinity`` and ``NaN``) is an error, never a missing value (SSB writes null)."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise JsonStatError(f"verdien {shown(repr(v))} er ikke et tall")
    try:
        number = float(v)
    except OverflowError:
        raise JsonStatError(f"verdien {shown(str(v))} er for stor til å være et tall") from None
    if not math.isfinite(number):  # NaN and Infinity are not JSON, but Python reads them
        raise JsonStatError(f"verdien {v!r} er ikke et endelig tall")
    return number


def parse(doc: dict[str, Any]) -> Cube:
    """Read a JSON-stat 2.0 dataset (a parsed JSON object).

    Whatever the document holds, the only exception is a one-line JsonStatError.
    """
    try:
        return _parse(doc)
    except JsonStatError:
        raise
    except (TypeError, ValueError, AttributeError, KeyError, IndexError) as exc:
        raise JsonStatError(f"uventet innhold i JSON-stat-dokumentet "
                            f"({type(exc).__name__}: {exc})") from None


def _parse(doc: dict[str, Any]) -> Cube:
    if not isinstance(doc, dict) or doc.get("class") != "dataset":
        raise JsonStatError("ikke et JSON-stat-datasett (mangler «class»: «dataset»)")
    ids = doc.get("id")
    dims_raw = doc.get("dimension")
    if not isinstance(ids, list) or not isinstance(dims_raw, dict):
        raise JsonStatError("mangler «id» eller «dimension»")
    if not all(isinstance(i, str) for i in ids):
        raise JsonStatError("«id» skal være en liste med navn på dimensjoner")
    dimensions = []
    for dim_id in ids:
        d = dims_raw.get(dim_id)
        if not isinstance(d, dict) or not isinstance(d.get("category"), dict):
            raise JsonStatError(f"dimensjonen «{dim_id}» mangler")
        cat = d["category"]
        codes = _index(cat, dim_id)
        labels = {c: str((cat.get("label") or {}).get(c, c)) for c in codes}
        notes = {c: list(n) for c, n in (cat.get("note") or {}).items()}
        elimination = bool((d.get("extension") or {}).get("elimination", False))
        dimensions.append(Dimension(dim_id, str(d.get("label", dim_id)), codes, labels,
                                    _units(cat), notes, elimination))
    size = [len(d.codes) for d in dimensions]
    if doc.get("size") is not None and not isinstance(doc["size"], list):
        raise JsonStatError(f"«size» skal være en liste, ikke {doc['size']!r}")
    if doc.get("size") is not None and doc["size"] != size:
        raise JsonStatError(f"«size» {doc['size']} stemmer ikke med kategoriene {size}")
    total = math.prod(size)
    has_values = "value" in doc
    if has_values and total > limits.MAX_VALUES:  # before a list of that size is made
        raise JsonStatError(f"datasettet har {limits.amount(total)} celler "
                            f"({' × '.join(map(str, size))}), over grensen for verdier på "
                            f"{limits.amount(limits.MAX_VALUES)} (SSB gir høyst 800 000 i "
                            "ett uttrekk)")
    values = [_number(v) for v in _dense(doc.get("value"), total, "value", None)] \
        if has_values else []
    status = [str(s or "") for s in _dense(doc.get("status"), total, "status", "")] \
        if has_values else []
    ext = doc.get("extension") or {}
    px = ext.get("px") or {}
    if not isinstance(ext, dict) or not isinstance(px, dict):
        raise JsonStatError("«extension.px» skal være et objekt")
    try:
        role = guard.role(doc.get("role"))
        decimals = guard.decimals(px.get("decimals"), "«extension.px.decimals»")
    except ValueError as exc:
        raise JsonStatError(str(exc)) from None
    unknown = sorted({i for ids_ in role.values() for i in ids_} - set(ids))
    if unknown:
        raise JsonStatError(f"«role» nevner dimensjonen «{shown(unknown[0])}», som ikke er "
                            "i «id»")
    cube_notes = doc.get("note") or []
    if isinstance(cube_notes, str):
        cube_notes = [cube_notes]
    return Cube(
        label=str(doc.get("label", "")), source=str(doc.get("source", "")),
        updated=str(doc.get("updated") or ""), notes=[str(n) for n in cube_notes],
        dimensions=dimensions, values=values, status=status,
        role=role,
        table_id=str(px.get("tableid") or px.get("matrix") or ""),
        decimals=decimals,
        has_values=has_values,
    )


def is_v1(doc: Any) -> bool:
    """A JSON-stat 1.x response (SSB's older APIs): ``{"dataset": {"dimension": {"id": …}}}``."""
    if not isinstance(doc, dict) or "class" in doc:
        return False
    return any(isinstance(v, dict) and isinstance(v.get("dimension"), dict)
               and "id" in v["dimension"] for v in doc.values())


def from_v1(doc: dict[str, Any]) -> dict[str, Any]:
    """The first dataset of a JSON-stat 1.x bundle in 2.0 form (id, size and role lifted up)."""
    name, ds = next((k, v) for k, v in doc.items()
                    if isinstance(v, dict) and isinstance(v.get("dimension"), dict))
    dims = ds["dimension"]
    ids = dims.get("id")
    if not isinstance(ids, list):
        raise JsonStatError(f"datasettet «{name}» mangler dimension.id")
    out = {k: v for k, v in ds.items() if k != "dimension"}
    out.update({"version": "2.0", "class": "dataset", "id": ids, "size": dims.get("size"),
                "role": dims.get("role") or {}, "dimension": {i: dims.get(i) for i in ids}})
    return out


def loads(text: str) -> Cube:
    guard.check_json(text.encode("utf-8"), JsonStatError)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonStatError(f"ugyldig JSON på linje {exc.lineno}: {exc.msg}") from None
    return parse(doc)


def load(path: Path) -> Cube:
    return loads(path.read_text(encoding="utf-8-sig"))
