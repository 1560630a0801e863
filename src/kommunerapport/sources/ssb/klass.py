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
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FILE = "kostra_groups.json"
SOURCE = "SSB Klass 131 → 112 (KOSTRA-grupperinger)"


@dataclass(frozen=True)
class KostraGroup:
    code: str  # «EKG12», the region code SSB's KOSTRA tables use for the group
    label: str  # Klass's name, «KOSTRA-gruppe 12»
    year: int  # the correspondence valid on 1 January of this year
    source: str  # «SSB Klass 131 → 112 (KOSTRA-grupperinger)»
    fetched: str  # when it was fetched (ISO 8601)


def parse_correspondence(doc: dict) -> dict[str, tuple[str, str]]:
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


def _read(path: Path) -> dict:
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


def write(folder: Path, year: int, doc: dict, url: str, fetched: str) -> int:
    """Add one year's correspondence to the cache file; returns how many municipalities."""
    path = folder / FILE
    stored = _read(path)
    years = stored.get("years") or {}
    groups = parse_correspondence(doc)
    years[str(year)] = {"url": url, "fetched": fetched,
                        "groups": {k: list(v) for k, v in sorted(groups.items())}}
    stored = {"source": SOURCE, "years": dict(sorted(years.items()))}
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{FILE}.tmp"
    tmp.write_text(json.dumps(stored, ensure_ascii=False, indent=1), "utf-8")
    tmp.replace(path)
    _load.cache_clear()
    return len(groups)


@lru_cache(maxsize=4)
def _load(folder: str) -> dict:
    return _read(Path(folder) / FILE)


def kostra_group_info(number: str, year: int, folder: Path | None = None) -> KostraGroup | None:
    """The group of municipality ``number`` in ``year``, or None when not fetched for that year."""
    if folder is None:
        from kommunerapport.sources.ssb.store import cache_dir

        folder = cache_dir()
    entry = (_load(str(folder)).get("years") or {}).get(str(year))
    if not isinstance(entry, dict) or not isinstance(entry.get("groups"), dict):
        return None
    group = entry["groups"].get(number)
    if not (isinstance(group, list) and len(group) == 2 and all(isinstance(g, str) for g in group)):
        return None
    code, label = group
    return KostraGroup(code, label, year, SOURCE, entry.get("fetched", ""))


def kostra_group(number: str, year: int, folder: Path | None = None) -> str | None:
    """«EKG12» for Bergen; None when no correspondence has been fetched for the year."""
    info = kostra_group_info(number, year, folder)
    return info.code if info else None
