"""Regions by name, as SSB and analysts write them: «Landet u/Oslo», «Kostragr. 8», «Lørenskog».

Shared by the readers of tables that name their regions (``named``) and PxWebApi's
``UseTexts`` CSV (``pxweb_csv``). Names are resolved through the register (any
official form, with or without æøå) and SSB's aggregate and group names.
"""

from __future__ import annotations

import re

from kommunerapport.errors import shown
from kommunerapport.model.regions import municipalities_named, normalise
from kommunerapport.sources.rows import CellError

AGGREGATE_NAMES = {
    "landet": "EAK", "hele landet": "EAK", "landet inkludert oslo": "EAK",
    "landet i alt": "EAK", "landet u/oslo": "EAKUO", "landet uten oslo": "EAKUO",
    "landet utenom oslo": "EAKUO", "fylkeskommunene": "EAFK",
    "fylkeskommunene uten oslo": "EAFKUO", "fylkeskommunene u/oslo": "EAFKUO",
}
GROUP = re.compile(r"^kostra\s*-?\s*gr(?:uppe|\.)?\s*0?(\d{1,2})$")


def resolve(text: str) -> str | None:
    """The code of a region named the way SSB and analysts write it; None if not one region."""
    key = normalise(text).replace("kostragruppe", "kostra gruppe")
    folded = " ".join(text.casefold().split())
    if folded in AGGREGATE_NAMES or key in AGGREGATE_NAMES:
        return AGGREGATE_NAMES.get(folded) or AGGREGATE_NAMES[key]
    m = GROUP.match(folded.replace("kostra gruppe", "kostra-gruppe")) or GROUP.match(key)
    if m and 1 <= int(m.group(1)) <= 17:
        return f"EKG{int(m.group(1)):02d}"
    if not text.strip() or any(ch.isdigit() for ch in text):
        return None
    found = municipalities_named(text)
    if len(found) > 1:
        listed = " og ".join(f"{m.number} {m.name}" for m in found)
        raise AmbiguousName(f"«{shown(text.strip())}» kan være {listed}; skriv kommunenummeret "
                            f"eller navnet med fylket («{found[0].name}»)")
    return found[0].number if found else None


class AmbiguousName(CellError):
    """A name two municipalities have («Våler», «Herøy»): the county or number decides."""


def resolvable(text: str) -> bool:
    """Whether ``text`` names a region (an ambiguous municipality name does: it is one of
    two, and the reader asks which)."""
    try:
        return resolve(text) is not None
    except AmbiguousName:
        return True
