"""Where reports go and what they are called.

One naming scheme for every kind of report, so that the batch writer, ``send``
and ``--skip-existing`` agree on which file belongs to which member:

- the sector:            ``kommuneokonomi-2025-landet.pdf``
- a county:              ``kommuneokonomi-2025-vestfold.pdf`` (``…-vestland-nb.pdf``
                          when written in another language than the county's own)
- a municipality:        ``kommuneokonomi-2025-3903-holmestrand.pdf``
- a county authority:    ``kommuneokonomi-2025-fk39-vestfold.pdf``
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kommunerapport.errors import OutputError

PREFIX = "kommuneokonomi"


def slug(name: str) -> str:
    """«Møre og Romsdal» → «more-og-romsdal»; only the first official form is used."""
    name = name.split(" - ")[0].casefold()
    for a, b in (("æ", "ae"), ("ø", "o"), ("å", "a")):
        name = name.replace(a, b)
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", name).strip("-")


def sector_name(year: int, lang: str | None = None) -> str:
    """``lang``: only for a report in another language than the default («-nn»)."""
    return f"{PREFIX}-{year}-landet{'-' + lang if lang else ''}.pdf"


def county_name(year: int, county_short_name: str, lang: str | None = None) -> str:
    """``lang``: only for a report in another language than the county's own («-nb»)."""
    return f"{PREFIX}-{year}-{slug(county_short_name)}{'-' + lang if lang else ''}.pdf"


def member_name(year: int, number: str, short_name: str) -> str:
    """A member's report: a kommunenummer (4 digits) or a fylkesnummer (2 digits)."""
    tag = number if len(number) == 4 else f"fk{number}"
    return f"{PREFIX}-{year}-{tag}-{slug(short_name)}.pdf"


def find_member_report(folder: Path, number: str) -> Path | None:
    """The newest report in ``folder`` for a member number, or None."""
    tag = number if len(number) == 4 else f"fk{number}"
    found = sorted(folder.glob(f"{PREFIX}-[0-9][0-9][0-9][0-9]-{tag}-*.pdf"))
    return found[-1] if found else None


def ensure_folder(folder: Path) -> Path:
    """Create the output folder, or fail with a message that names it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Kan ikke lage mappen {folder}: {exc.strerror}.") from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"Kan ikke skrive til mappen {folder}.")
    return folder


@contextmanager
def atomic_write(target: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it into place on success.

    A failed or interrupted run leaves no half-written file behind.
    """
    ensure_folder(target.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    finally:
        tmp_path.unlink(missing_ok=True)
