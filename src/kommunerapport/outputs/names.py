"""What reports are called: one naming scheme for every kind.

The batch writer, ``send`` and ``--skip-existing`` agree on which file belongs to
which member because every name comes from ``report_name``:

- the sector:            ``kommuneokonomi-2025-landet.pdf``
- a county:              ``kommuneokonomi-2025-vestfold.pdf`` (``…-vestland-nb.pdf``
                          when written in another language than the county's own)
- a municipality:        ``kommuneokonomi-2025-3903-holmestrand.pdf``
- a county authority:    ``kommuneokonomi-2025-fk39-vestfold.pdf``
"""

from __future__ import annotations

import re
import unicodedata

from kommunerapport.model.kinds import ReportKind, is_county_number

PREFIX = "kommuneokonomi"


def slug(name: str) -> str:
    """«Møre og Romsdal» → «more-og-romsdal»; only the first official form is used."""
    name = name.split(" - ")[0].casefold()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        name = name.replace(a, b)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def member_tag(number: str) -> str:
    """A member in a file name: its kommunenummer («3903») or «fk» and its fylkesnummer."""
    return f"fk{number}" if is_county_number(number) else number


def report_name(kind: ReportKind, year: int, number: str = "", name: str = "",
                lang: str | None = None) -> str:
    """The file name of a report; ``lang`` only when it is not the unit's own written form."""
    parts = [PREFIX, str(year)]
    if kind is ReportKind.SECTOR:
        parts.append("landet")
    elif kind is ReportKind.COUNTY:
        parts.append(slug(name))
    else:
        parts += [member_tag(number), slug(name)]
    return "-".join(parts + ([lang] if lang else [])) + ".pdf"
