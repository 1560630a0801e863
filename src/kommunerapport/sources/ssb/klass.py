"""Which KOSTRA group (EKG01–EKG17) a municipality belongs to, from SSB's Klass.

``kommunerapport fetch`` asks Klass for the correspondence between the
municipality register (131) and the KOSTRA groups (112) valid on 1 January of
each year it fetches (``correspondsAt``), and stores it with its source and date
in ``kostra_groups.json`` in the cache folder. Nothing is guessed: with no
fetched correspondence for a year the answer is None.

    kostra_group("4601", 2025)        → "EKG12"
    kostra_group_info("4601", 2025)   → KostraGroup(code="EKG12", label="KOSTRA-gruppe 12", …)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kommunerapport import files
from kommunerapport.model.schema import KostraGroup

FILE = "kostra_groups.json"
SOURCE = "SSB Klass 131 → 112 (KOSTRA-grupperinger)"


def klass_codes(doc: dict[str, Any]) -> dict[str, str]:
    """Code → name from a Klass ``codesAt`` response, without «Uoppgitt» (99, 9999)."""
    return {c["code"]: c["name"] for c in doc.get("codes", [])
            if not set(c["code"]) <= {"9"}}


def parse_correspondence(doc: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Municipality → (group code, group name) from a Klass ``correspondsAt`` answer.

    Klass gives ``sourceCode`` (131) → ``targetCode`` (112); a group code «12» or
    «EKG12» becomes «EKG12», the code SSB's tables use.
    """
    out = {}
    for item in doc.get("correspondenceItems") or []:
        number, group = str(item.get("sourceCode", "")), str(item.get("targetCode", ""))
        digits = "".join(ch for ch in group if ch.isdigit())
        if number and digits:
            out[number] = (f"EKG{int(digits):02d}", str(item.get("targetName") or ""))
    return out


def _read(path: Path) -> dict[str, Any]:
    """The cache file, within the limits; anything damaged or of the wrong shape reads as
    nothing fetched (``fetch`` writes it again), never as a traceback."""
    from kommunerapport.sources import limits

    try:
        data = limits.read_bytes(path, limits.MAX_FILE_BYTES, ValueError)
        limits.check_json(data, ValueError)
        stored = json.loads(data.decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(stored, dict) or not isinstance(stored.get("years", {}), dict):
        return {}
    return stored


def write(folder: Path, year: int, doc: dict[str, Any], url: str, fetched: str) -> int:
    """Add one year's correspondence to the cache file; returns how many municipalities."""
    path = folder / FILE
    stored = _read(path)
    years = stored.get("years") or {}
    groups = parse_correspondence(doc)
    years[str(year)] = {"url": url, "fetched": fetched,
                        "groups": {k: list(v) for k, v in sorted(groups.items())}}
    stored = {"source": SOURCE, "years": dict(sorted(years.items()))}
    files.write_text(path, json.dumps(stored, ensure_ascii=False, indent=1))
    return len(groups)


def read_groups(folder: Path) -> dict[tuple[str, int], KostraGroup]:
    """Every fetched (municipality, year) → its group; empty when nothing was fetched.

    Entries of the wrong shape are left out: a damaged file is never a guess.
    """
    out = {}
    for year, entry in (_read(folder / FILE).get("years") or {}).items():
        if not (isinstance(entry, dict) and isinstance(entry.get("groups"), dict)
                and str(year).isdigit()):
            continue
        for number, group in entry["groups"].items():
            if isinstance(group, list) and len(group) == 2 and all(isinstance(g, str)
                                                                   for g in group):
                out[(number, int(year))] = KostraGroup(group[0], group[1], int(year), SOURCE,
                                                       str(entry.get("fetched", "")))
    return out


def kostra_group_info(number: str, year: int, folder: Path | None = None) -> KostraGroup | None:
    """The group of municipality ``number`` in ``year``, or None when not fetched for that year."""
    if folder is None:
        from kommunerapport.sources.ssb.store import cache_dir

        folder = cache_dir()
    return read_groups(folder).get((number, year))


def kostra_group(number: str, year: int, folder: Path | None = None) -> str | None:
    """«EKG12» for Bergen; None when no correspondence has been fetched for the year."""
    info = kostra_group_info(number, year, folder)
    return info.code if info else None
