"""How much the tool reads, checked before the work: a small file must not take the machine.

Every input is bounded before it is parsed: a data file (``--data``, ``inspect``,
the fetched table), a config file (``--config``) and each answer from SSB. Only
regular files are read (``/dev/zero``, a pipe or a socket would never end). Each
limit has a name the user sees in the message and in ``docs/limits.md``:

==================  ================  ===============================================
limit               value             why this size
==================  ================  ===============================================
file size           100 MB            a whole-country SSB extract is 10–30 MB
config size         1 MB              quotes and contacts are a few KB
rows                1 048 576         Excel's own maximum rows in a sheet
columns             16 384            Excel's own maximum columns (XFD)
cells               5 000 000         a long-format CSV of SSB's largest extract
values              1 000 000         SSB caps an extract at 800 000 data cells
nesting             64 levels         JSON-stat is 6 deep, a config 3
unpacked XLSX       400 MB            the sheet's XML of 5 000 000 cells
SSB answer          50 MB             one batch of 150 regions is well under 1 MB
SSB deadline        120 s             start to last byte of one call
==================  ================  ===============================================

The checks raise the caller's own error kind (``DataError`` for data,
``UsageError`` for a config, ``FetchError`` for SSB) through ``fail``, so every
message stays one line naming the file and the limit.
"""

from __future__ import annotations

import re
import stat
from collections.abc import Callable
from pathlib import Path

MAX_FILE_BYTES = 100_000_000
MAX_CONFIG_BYTES = 1_000_000
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELLS = 5_000_000
MAX_VALUES = 1_000_000
MAX_DEPTH = 64
MAX_UNPACKED_BYTES = 400_000_000
MAX_RESPONSE_BYTES = 50_000_000
DEADLINE = 120.0

Fail = Callable[[str], Exception]  # the caller's error kind, given the problem


def amount(n: float) -> str:
    """«1 048 576», «5 000 000»: a count as the messages write it (space between thousands)."""
    return f"{n:,.0f}".replace(",", " ")


def size(n: float) -> str:
    """«100 MB», «1,5 MB», «812 byte»: a size as the messages write it."""
    if n < 1000:
        return f"{n:.0f} byte"
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            value = n / scale
            text = f"{value:.0f}" if value == int(value) or value >= 100 else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{n:.0f} byte"  # pragma: no cover - unreachable


def regular_file(path: Path, limit: int, fail: Fail, what: str = "filstørrelse") -> int:
    """The size of ``path`` if it is a regular file within ``limit`` bytes; else ``fail``.

    Nothing is opened: a device or a pipe is refused from its ``stat``, so it is
    never read (``--data /dev/zero`` would otherwise read without end).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise fail("fila finnes ikke.") from None
    except OSError as exc:
        raise fail(f"fila kan ikke leses ({exc.strerror}).") from None
    if stat.S_ISDIR(info.st_mode):
        raise fail("er en mappe, ikke en fil.")
    if not stat.S_ISREG(info.st_mode):
        raise fail("er ikke en vanlig fil (men en enhet, et rør eller en sokkel); "
                   "lagre innholdet i en fil og oppgi den.")
    if info.st_size > limit:
        raise fail(f"fila er {size(info.st_size)}, over grensen for {what} på {size(limit)}.")
    return info.st_size


def read_bytes(path: Path, limit: int, fail: Fail, what: str = "filstørrelse") -> bytes:
    """A regular file's bytes, at most ``limit`` of them (a file that grows is cut off)."""
    length = regular_file(path, limit, fail, what)
    try:
        with path.open("rb") as f:
            # as much as the file holds (asking for the limit makes a buffer of the limit),
            # and on to the limit if it grows while read
            data = f.read(length + 1)
            while len(data) <= limit and len(data) > length:
                more = f.read(min(1 << 20, limit + 1 - len(data)))
                if not more:
                    break
                data += more
    except OSError as exc:
        raise fail(f"fila kan ikke leses ({exc.strerror}).") from None
    if len(data) > limit:
        raise fail(f"fila er over grensen for {what} på {size(limit)}.")
    return data


_TOML_SKIP = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"'
                        r"|'[^'\n]*'|#[^\n]*")


def toml_depth(text: str) -> int:
    """The deepest nesting of arrays and inline tables in a TOML text (strings and
    comments left out); ``tomllib`` recurses and would hit Python's recursion limit."""
    depth = deepest = 0
    for ch in _TOML_SKIP.sub("", text):
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return deepest
