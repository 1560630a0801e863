"""Files written whole or not at all, for every stage: PDFs, records, kits, the fetch cache.

A file is written under a hidden temporary name beside its target, flushed to the disk
(``fsync``), and renamed into place: a reader sees the old file or the new one, never
half of one, even after a crash or a full disk. The temporary's name is unique to the
process and the call («.fetched.csv.4711.k2j9x.tmp»), so two runs writing the same
file never collide, and says which process wrote it, so a later run can tell a dead
writer's leftovers (``remove_stale_temporaries``) from a live one's.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kommunerapport.errors import OutputError, os_reason

# «.<target name>.<pid>.<random>.tmp», the random part as ``tempfile`` makes it; before
# the pid was added the name had only the random part (``legacy`` below).
_TEMPORARY = re.compile(r"\.(?P<target>.+?)\.(?:(?P<pid>\d+)\.)?[a-z0-9_]{8}\.tmp",
                        re.IGNORECASE)


PACKAGE_DIR = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """``templates`` or ``styles``: inside the installed package, else the source tree."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent.parent / name


def ensure_folder(folder: Path) -> Path:
    """Create ``folder`` if need be, or fail with a message that names it."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"Kan ikke lage mappen {folder}: {os_reason(exc, True)}") from None
    if not os.access(folder, os.W_OK):
        raise OutputError(f"Kan ikke skrive til mappen {folder}.")
    return folder


@contextlib.contextmanager
def folder_for(folder: Path) -> Iterator[Path]:
    """``ensure_folder``, and if the work done inside fails, the folders it created are
    removed again (when still empty): a refused report leaves no empty ``--out`` behind."""
    created = [p for p in (folder, *folder.parents) if not p.exists()]  # deepest first
    ensure_folder(folder)
    try:
        yield folder
    except BaseException:
        for made in created:
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def user_cache_folder() -> Path:
    """The user's cache folder for the tool: ``KOMMUNERAPPORT_CACHE_DIR``, else the
    system's (``platformdirs``: ``~/.cache/kommunerapport`` on Linux)."""
    configured = os.environ.get("KOMMUNERAPPORT_CACHE_DIR")
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("kommunerapport", appauthor=False))


def kind_of(path: Path) -> str | None:
    """What ``path`` is when it is not a regular file or folder, in Norwegian («en symbolsk
    lenke», «en FIFO (navngitt rør)» …); None for a regular file or folder or nothing."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(mode):
        return "en symbolsk lenke"
    if stat.S_ISFIFO(mode):
        return "en FIFO (navngitt rør)"
    if stat.S_ISSOCK(mode):
        return "en sokkel"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "en enhet"
    return None


def own_folder(folder: Path) -> Path:
    """One of the tool's own folders inside an output folder (``.rapportregister``,
    ``kommuner``, …): made if need be, and never a symbolic link, which would make the
    tool write outside the output folder."""
    odd = kind_of(folder)
    if odd is not None:
        raise OutputError(f"{folder} er {odd}; kommunerapport skriver bare i egne mapper, "
                          "ikke gjennom lenker. Fjern den, og kjør på nytt.")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"Kan ikke lage mappen {folder}: det er en fil med det navnet. "
                          "Flytt fila, eller velg en annen mappe med --out.")
    return ensure_folder(folder)


class NotRegular(ValueError):
    """A path that is not a regular file (a link, a FIFO, a folder, a device)."""

    def __init__(self, path: Path, what: str) -> None:
        super().__init__(f"{path} er {what}, ikke en vanlig fil")
        self.path, self.what = path, what


def open_no_follow(path: Path) -> int:
    """A descriptor to read ``path`` that follows no symbolic link and cannot block on a
    FIFO; the caller checks with ``os.fstat`` that it is a regular file."""
    return os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
                   | getattr(os, "O_NONBLOCK", 0))


def read_regular(path: Path) -> bytes:
    """The bytes of ``path`` if it is a regular file; NotRegular if it is a symbolic link,
    a FIFO (which would block the read for ever), a folder or a device. OSError as
    ``open`` gives it otherwise (the file does not exist, no permission)."""
    try:
        fd = open_no_follow(path)
    except OSError as exc:
        odd = kind_of(path)
        if odd is not None:
            raise NotRegular(path, odd) from None
        if isinstance(exc, IsADirectoryError):
            raise NotRegular(path, "en mappe") from None
        raise
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(f.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(path, "en mappe" if stat.S_ISDIR(mode)
                             else kind_of(path) or "ikke en vanlig fil")
        return f.read()


def write_failure(target: Path, exc: OSError, what: str | None = None) -> OutputError:
    """One line for a write that failed (full disk, quota, read-only, I/O error): which
    folder, what was being written, why and what to do."""
    return OutputError(f"Kan ikke skrive {what or target.name} i mappen {target.parent}: "
                       f"{os_reason(exc, advice=True)}")


def _is_a_folder(target: Path) -> str:
    return (f"Kan ikke skrive {target}: det er en mappe med det navnet. Flytt mappen, "
            "eller velg en annen mappe med --out.")


def _sync(path: Path) -> None:
    """Flush ``path`` (a file or a folder) to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable; not every system can open a folder."""
    with contextlib.suppress(OSError):
        _sync(folder)


@contextlib.contextmanager
def atomic_path(target: Path, mode: int = 0o644, what: str | None = None) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` to write; on success it is flushed and
    renamed into place. On failure (or Ctrl-C) it is removed and ``target`` is as it was.

    A write the system refuses (a full disk, a quota, a read-only or failing disk) is
    one line naming the folder and ``what`` was being written (``write_failure``).
    ``target`` itself is replaced, never followed: a symbolic link in its place is
    replaced by the file, not written through.
    """
    ensure_folder(target.parent)
    if target.is_dir() and not target.is_symlink():
        raise OutputError(_is_a_folder(target))
    remove_stale_temporaries(target.parent, f".{target.name}.")
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        os.chmod(tmp, mode)
        _sync(tmp)
        try:
            os.replace(tmp, target)
        except IsADirectoryError:
            raise OutputError(_is_a_folder(target)) from None
        _sync_folder(target.parent)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise write_failure(target, exc, what) from None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def write_bytes(target: Path, data: bytes, what: str | None = None) -> None:
    """``data`` as ``target``, whole or not at all."""
    with atomic_path(target, what=what) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str, what: str | None = None) -> None:
    """``text`` as ``target`` in UTF-8, whole or not at all."""
    write_bytes(target, text.encode("utf-8"), what)


@contextlib.contextmanager
def atomic_folder(target: Path, what: str | None = None) -> Iterator[Path]:
    """Yield a temporary folder beside ``target`` to fill; on success it replaces
    ``target`` whole (an older folder is moved aside first, then removed; a symbolic
    link in its place is removed, never followed). A write the system refuses is one
    line, as for ``atomic_path``."""
    ensure_folder(target.parent)
    tmp: Path | None = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp",
                                    dir=target.parent))
        yield tmp
        for path in tmp.rglob("*"):
            if path.is_file():
                _sync(path)
        os.chmod(tmp, 0o755)
        old = None
        if target.is_symlink():
            target.unlink()
        elif target.exists():
            old = target.with_name(f".{target.name}.{os.getpid()}.old.tmp")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
        os.replace(tmp, target)
        _sync_folder(target.parent)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise write_failure(target, exc, what) from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


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


def remove_stale_temporaries(folder: Path, prefix: str, *, legacy: bool = False) -> int:
    """Remove the hidden temporaries in ``folder`` whose name starts with ``prefix`` and
    whose writer no longer runs; how many.

    ``legacy``: also those of the older naming, which do not say their writer; only safe
    while this run holds the folder for itself (``outputs.lock``).
    """
    removed = 0
    with os.scandir(folder) as entries:
        for entry in entries:
            found = entry.name.startswith(prefix) and _TEMPORARY.fullmatch(entry.name)
            if not found:
                continue
            pid = found.group("pid")
            old = pid is None and legacy
            if not (old or (pid is not None and not _running(int(pid)))):
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                Path(entry.path).unlink(missing_ok=True)
            removed += 1
    return removed


_OWN_TEMP = re.compile(r"kommunerapport-(\d+)-[a-z0-9_]{8}")


@contextlib.contextmanager
def own_tempdir() -> Iterator[Path]:
    """Every temporary file of this run (WeasyPrint's font copies included) in one folder of
    its own, removed when the run ends, however it ends but a kill.

    The libraries make their temporaries with ``tempfile`` and remove them when their
    objects are collected; a process that ends at once (``os._exit``), as the console script
    and forked workers do, never collects them. So ``tempfile`` is pointed at a folder of
    this run's for the run (forked workers inherit it), and the folder goes at the end.
    Folders left by a killed run are removed by the next one.
    """
    base = Path(tempfile.gettempdir())
    with contextlib.suppress(OSError), os.scandir(base) as entries:
        for entry in entries:
            found = _OWN_TEMP.fullmatch(entry.name)
            if found and not _running(int(found.group(1))) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
    folder = Path(tempfile.mkdtemp(prefix=f"kommunerapport-{os.getpid()}-", dir=base))
    before = tempfile.tempdir
    tempfile.tempdir = str(folder)
    try:
        yield folder
    finally:
        tempfile.tempdir = before
        shutil.rmtree(folder, ignore_errors=True)
