"""A worker's memory kept flat: glibc's heap trimmed when it has grown.

A report's pictures pass through WeasyPrint and Pillow as buffers of one to two MB;
once glibc has freed a few such buffers it keeps the next ones on its heap instead of
in their own mappings, and the heap frays: a worker grew by some 30 MB over a run.
Trimming after every report kept it flat but cost 2 % of the run (the pages are
faulted in again); trimming when it has grown by ``TRIM_SLACK`` keeps it within that
for next to nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from collections.abc import Callable
from functools import lru_cache

TRIM_SLACK = 8 * 2**20  # bytes a worker may grow by before its heap is trimmed


@lru_cache(maxsize=1)
def malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on a system without it (macOS, musl)."""
    try:
        trim: Callable[[int], int] = ctypes.CDLL(
            ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return None
    return trim


def resident() -> int:
    """This process's resident memory in bytes (Linux), 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class Trimmer:
    """Trims the heap after a report when the process has grown by ``slack`` bytes since
    the last trim."""

    def __init__(self, measure: Callable[[], int] = resident,
                 trim: Callable[[], Callable[[int], int] | None] = malloc_trim,
                 slack: int = TRIM_SLACK) -> None:
        self.measure, self.trim, self.slack = measure, trim, slack
        self.trimmed_at: int | None = None  # resident memory after the last trim

    def release(self) -> bool:
        """Trim if the process has grown; whether it did."""
        trim = self.trim()
        now = self.measure()
        if trim is None or not now:
            return False
        if self.trimmed_at is not None and now <= self.trimmed_at + self.slack:
            return False
        trim(0)
        self.trimmed_at = self.measure()
        return True


TRIMMER = Trimmer()  # one per process: each forked worker trims its own heap


def release_memory() -> None:
    """After a report: give free heap pages back when this worker has grown."""
    TRIMMER.release()
