"""The files ``send`` reads, checked like ``--data``: regular files only, of bounded size.

A pipe named like a report, a record or a recipients file would hang even a dry run,
and ``/dev/zero`` would fill the memory; a symbolic link named like a report would
send a file from outside the reports folder. Each is refused from its ``lstat`` or
``fstat``, before a byte is read.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from kommunerapport import files
from kommunerapport.errors import DeliveryError, UsageError
from kommunerapport.sources import limits

MAX_RECIPIENTS_BYTES = 2_000_000  # 387 members with a dozen addresses each is 200 KB
MAX_EXCLUDE_BYTES = 2_000_000
MAX_CA_BYTES = 1_000_000  # a CA bundle (Mozilla's) is some 250 KB
MAX_REPORT_BYTES = 50_000_000  # a member's report is some 200 KB, the sector's 2 MB
MAX_RECORD_BYTES = 100_000  # a record is some 400 bytes


def read_text_file(path: Path, what: str, limit: int) -> bytes:
    """The bytes of a file the user named (``what``: «mottakerfilen»); UsageError, in
    one line naming it, when it is missing, not a regular file or too big."""
    def fail(problem: str) -> UsageError:
        return UsageError(f"{what.capitalize()} {path}: {problem}")

    if not os.path.lexists(path):
        raise UsageError(f"Fant ikke {what} {path}.")
    return limits.read_bytes(path, limit, fail, f"{what}")


def why_not_regular(path: Path, limit: int) -> str | None:
    """Why ``path`` cannot be read as one of the tool's own files, or None: a link, a
    pipe, a device or a folder, or bigger than ``limit``. Nothing is opened."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return None  # a missing file is the caller's case
    except OSError as exc:
        return f"kan ikke leses: {exc.strerror or 'ukjent feil'}"
    if stat.S_ISLNK(info.st_mode):
        return "en symbolsk lenke, som ikke følges"
    if not stat.S_ISREG(info.st_mode):
        return "ikke en vanlig fil"
    if info.st_size > limit:
        return f"over grensen på {limits.size(limit)}"
    return None


def open_regular(path: Path, limit: int) -> bytes:
    """A regular file's bytes, read through a descriptor that follows no link and cannot
    hang on a pipe; DeliveryError naming the file otherwise."""
    try:
        fd = files.open_no_follow(path)
    except OSError as exc:
        raise DeliveryError(f"Kan ikke lese {path}: {exc.strerror or 'ukjent feil'}.") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DeliveryError(f"{path} er ikke en vanlig fil.")
        if info.st_size > limit:
            raise DeliveryError(f"{path} er over grensen på {limits.size(limit)}.")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(info.st_size + 1)  # (read(limit) would set aside limit bytes)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise DeliveryError(f"{path} er over grensen på {limits.size(limit)}.")
    return data


def sha256_regular(path: Path) -> str:
    """The sha256 of a report file, read as ``open_regular`` reads it."""
    return hashlib.sha256(open_regular(path, MAX_REPORT_BYTES)).hexdigest()


def read_report(path: Path, sha256: str) -> bytes:
    """The report's bytes as they are now: DeliveryError if they are not those chosen."""
    data = open_regular(path, MAX_REPORT_BYTES)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise DeliveryError(f"{path.name} ble endret under sendingen; kjør send på nytt")
    return data
