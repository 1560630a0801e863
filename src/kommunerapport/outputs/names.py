"""What reports are called and where they go: one scheme for every kind.

The batch writer, a single report, ``send``, ``approve`` and ``--skip-existing`` agree
on which file belongs to which member because every path comes from ``report_path``.
Each kind has a folder of its own inside the output folder, so 387 reports do not
land in one heap:

- the sector:            ``sektor/kommuneokonomi-2025-landet.pdf``
- a county:              ``fylker/kommuneokonomi-2025-vestfold.pdf``
                          (``…-vestland-nb.pdf`` when written in another language than
                          the county's own)
- a municipality:        ``kommuner/kommuneokonomi-2025-3903-holmestrand.pdf``
- a county authority:    ``fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf``
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from kommunerapport.model.kinds import ReportKind, is_county_number

PREFIX = "kommuneokonomi"
SECTOR_FOLDER, COUNTY_FOLDER = "sektor", "fylker"
MUNICIPALITY_FOLDER, COUNTY_AUTHORITY_FOLDER = "kommuner", "fylkeskommuner"
FOLDERS = (SECTOR_FOLDER, COUNTY_FOLDER, MUNICIPALITY_FOLDER, COUNTY_AUTHORITY_FOLDER)
COUNTY_AUTHORITY = "fylkeskommune"


def slug(name: str) -> str:
    """«Møre og Romsdal» → «more-og-romsdal»; only the first official form is used."""
    name = name.split(" - ")[0].casefold()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        name = name.replace(a, b)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def folder_name(kind: ReportKind, number: str = "") -> str:
    """The folder of a kind of report inside the output folder."""
    if kind is ReportKind.SECTOR:
        return SECTOR_FOLDER
    if kind is ReportKind.COUNTY:
        return COUNTY_FOLDER
    return COUNTY_AUTHORITY_FOLDER if is_county_number(number) else MUNICIPALITY_FOLDER


def report_name(kind: ReportKind, year: int, number: str = "", name: str = "",
                lang: str | None = None) -> str:
    """The file name of a report; ``lang`` only when it is not the unit's own written form."""
    parts = [PREFIX, str(year)]
    if kind is ReportKind.SECTOR:
        parts.append("landet")
    elif kind is ReportKind.COUNTY:
        parts.append(slug(name))
    else:
        parts += [number, slug(name)]
        if is_county_number(number):
            parts.append(COUNTY_AUTHORITY)
    return "-".join(parts + ([lang] if lang else [])) + ".pdf"


def report_path(out_dir: Path, kind: ReportKind, year: int, number: str = "", name: str = "",
                lang: str | None = None) -> Path:
    """Where a report goes in the output folder ``out_dir``: its kind's folder and name."""
    return out_dir / folder_name(kind, number) / report_name(kind, year, number, name, lang)


def member_files(out_dir: Path, number: str) -> list[Path]:
    """Every PDF in the output folder named as a report for this member, of any year."""
    folder = out_dir / folder_name(ReportKind.MEMBER, number)
    return sorted(folder.glob(f"{PREFIX}-[0-9][0-9][0-9][0-9]-{number}-*.pdf"))


def shown(path: Path, out_dir: Path) -> str:
    """A report's path as a summary names it: inside the output folder, or as it is."""
    try:
        return str(path.relative_to(out_dir))
    except ValueError:
        return str(path)
