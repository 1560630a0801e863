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
# A report being written: «.kommuneokonomi-2025-vestfold.pdf.<pid>.<random>.tmp», hidden,
# beside its target; the pid says whether its writer still runs. Before the pid was
# added the name had only the random part.
_TEMPORARY = re.compile(rf"\.{PREFIX}-.+\.pdf\.(?:(\d+)\.)?[a-z0-9_]+\.tmp", re.IGNORECASE)


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

    A failed or interrupted run leaves no half-written file behind; one killed
    before it could clean up leaves a temporary that the next write of the same
    report (or the next batch) removes.
    """
    ensure_folder(target.parent)
    if target.is_dir():
        raise OutputError(_is_a_folder(target))
    remove_stale_temporaries(target.parent, f".{target.name}.")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                               dir=target.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        try:
            os.replace(tmp_path, target)
        except IsADirectoryError:
            raise OutputError(_is_a_folder(target)) from None
        except OSError as exc:
            raise OutputError(f"Kan ikke skrive {target}: {exc.strerror}.") from None
    finally:
        tmp_path.unlink(missing_ok=True)


def _is_a_folder(target: Path) -> str:
    return (f"Kan ikke skrive {target}: det er en mappe med det navnet. Flytt mappen, "
            "eller velg en annen mappe med --out.")


def _running(pid: int) -> bool:
    """Whether process ``pid`` runs. On Windows os.kill would end it, so there: assume so."""
    if os.name == "nt":
        return True
    if not 0 < pid < 2**31:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def remove_stale_temporaries(folder: Path, prefix: str = ".", *,
                             without_pid: bool = False) -> int:
    """Remove our hidden temporaries in ``folder`` whose writer no longer runs; how many.

    ``without_pid``: also those of the older naming, which do not say their writer;
    only safe while this run holds the folder's lock (``folder_lock``).
    """
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            found = entry.name.startswith(prefix) and _TEMPORARY.fullmatch(entry.name)
            if not found or not entry.is_file(follow_symlinks=False):
                continue
            pid = found.group(1)
            if (pid is None and without_pid) or (pid is not None and not _running(int(pid))):
                Path(entry.path).unlink(missing_ok=True)
                removed += 1
    return removed


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this run, so two batches never write the same reports at once.

    An advisory lock (flock) on the folder itself: no lock file is left behind, and
    the system releases it when the run ends, however it ends. Where flock does not
    exist (Windows) there is no lock.
    """
    try:
        import fcntl
    except ImportError:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(
                f"En annen kjøring av kommunerapport skriver allerede rapporter til mappen "
                f"{folder}. Vent til den er ferdig, eller velg en annen mappe med --out.") \
                from None
        yield
    finally:
        os.close(fd)
