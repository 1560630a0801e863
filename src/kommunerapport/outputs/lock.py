"""One run at a time in an output folder.

An advisory lock (flock) on the folder itself: no lock file is left behind, and
the system releases it when the run ends, however it ends. Where flock does not
exist (Windows) there is no lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kommunerapport.errors import OutputError


@contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder`` for this run, so two runs never write the same reports at once."""
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
