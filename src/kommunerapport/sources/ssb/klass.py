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
from kommunerapport.errors import FetchError, shown
from kommunerapport.model.schema import KostraGroup

FILE = "kostra_groups.json"
SOURCE = "SSB Klass 131 → 112 (KOSTRA-grupperinger)"


def klass_codes(doc: object, where: str = "Klass") -> dict[str, str]:
    """Code → name from a Klass ``codesAt`` response, without «Uoppgitt» (99, 9999).

    The answer is checked before use: an object with a list «codes» of objects each with
    a text «code» and «name»; anything else is one line naming what is wrong.
    """
    if not isinstance(doc, dict):
        raise FetchError(f"{where}: svaret er {_kind(doc)}, ikke et JSON-objekt med «codes».")
    codes = doc.get("codes")
    if not isinstance(codes, list):
        raise FetchError(f"{where}: svaret mangler listen «codes» (fant {_kind(codes)}).")
    out = {}
    for n, c in enumerate(codes, start=1):
        if not isinstance(c, dict) or not isinstance(c.get("code"), str) \
                or not isinstance(c.get("name"), str):
            raise FetchError(f"{where}: kode nr. {n} i svaret har ikke tekstene «code» og "
                             f"«name» (fant {shown(c)}).")
        if not set(c["code"]) <= {"9"}:
            out[c["code"]] = c["name"]
    return out


def _kind(value: object) -> str:
    return {list: "en liste", str: "en tekst", int: "et tall", float: "et tall",
            bool: "en sannhetsverdi", type(None): "null", dict: "et objekt"}.get(
        type(value), type(value).__name__)


CHANGE_KEYS = ("oldCode", "oldName", "newCode", "newName", "changeOccurred")


def change_rows(doc: object, classification: str, where: str) -> list[dict[str, str]]:
    """The rows of the change table (``model.history.COLUMNS``) from a Klass ``changes``
    answer, with the rule each change follows: ``delt`` where one code went to several on
    one date, ``sammenslått`` where several went to one, else ``renummerert``.

    A new name under the same code is left out (no change for the figures). The answer
    is checked before use; anything of another shape is one line naming what is wrong.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("codeChanges"), list):
        raise FetchError(f"{where}: svaret er {_kind(doc)} uten listen «codeChanges».")
    rows = []
    for n, c in enumerate(doc["codeChanges"], start=1):
        if not isinstance(c, dict) or not all(isinstance(c.get(k), str) for k in CHANGE_KEYS):
            raise FetchError(f"{where}: endring nr. {n} har ikke tekstene "
                             f"{', '.join(CHANGE_KEYS)} (fant {shown(c)}).")
        if c["oldCode"] != c["newCode"]:
            rows.append(c)
    news: dict[tuple[str, str], set[str]] = {}
    olds: dict[tuple[str, str], set[str]] = {}
    for c in rows:
        news.setdefault((c["changeOccurred"], c["oldCode"]), set()).add(c["newCode"])
        olds.setdefault((c["changeOccurred"], c["newCode"]), set()).add(c["oldCode"])
    out = []
    for c in rows:
        rule = ("delt" if len(news[(c["changeOccurred"], c["oldCode"])]) > 1
                else "sammenslått" if len(olds[(c["changeOccurred"], c["newCode"])]) > 1
                else "renummerert")
        out.append({"klass": classification, "dato": c["changeOccurred"],
                    "gammel": c["oldCode"], "gammelt_navn": c["oldName"], "ny": c["newCode"],
                    "nytt_navn": c["newName"], "regel": rule})
    return out


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
    from kommunerapport.sources import guard, limits

    try:
        data = limits.read_bytes(path, limits.MAX_FILE_BYTES, ValueError)
        guard.check_json(data, ValueError)
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
