"""What a command opened: one audit hook for the hostile cases that run the CLI themselves.

``conftest.Hostile`` watches more (listings, sockets, forked workers); the data, config
and fetch cases need only the files a command opened, and which of them lay outside
its inputs::

    with audited(tmp_path, FIXTURES) as opened:
        result = CliRunner().invoke(main, args)
    # fails here if anything outside tmp_path, FIXTURES, the package or Python was opened

``run(tmp_path, *args)`` does that around the CLI and also fails on a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import click
from click.testing import CliRunner, Result
from files import write  # noqa: F401 - the hostile tests take it from here

import kommunerapport

PACKAGE = Path(kommunerapport.__file__).resolve().parent
PYTHON = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix, sys.exec_prefix,
                                      sys.base_exec_prefix)}
# What libraries read of the system, never data: pandas' CSV parser the CPU quota,
# the time zone of a date.
SYSTEM = {Path("/sys/fs/cgroup"), Path("/usr/share/zoneinfo")}
_opened: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if event == "open" and _opened is not None and args \
            and isinstance(args[0], str | bytes | os.PathLike):
        _opened.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # records only inside ``audited``


def inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


@contextlib.contextmanager
def audited(*allowed: Path) -> Iterator[list[str]]:
    """Record what is opened; on leaving, fail if anything lay outside ``allowed``, the
    package, Python and the system files libraries read."""
    global _opened
    opened: list[str] = []
    _opened = opened
    try:
        yield opened
    finally:
        _opened = None
    roots = [*(Path(a).resolve() for a in allowed), PACKAGE, *PYTHON, *SYSTEM]
    outside = sorted({p for p in opened
                      if not any(inside(Path(os.path.abspath(p)), r) for r in roots)})
    assert outside == [], f"read outside the inputs: {outside}"


def run(tmp_path: Path, *args: object, env: dict[str, str] | None = None,
        allowed: tuple[Path, ...] = ()) -> Result:
    """The CLI's result; fails on a traceback or on a file opened outside the inputs.

    ``result.opened`` lists every file it opened.
    """
    with audited(tmp_path, *allowed) as opened:
        result = CliRunner().invoke(main_command(), [str(a) for a in args], env=env)
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    result.opened = opened  # type: ignore[attr-defined]
    return result


def main_command() -> click.Command:
    from kommunerapport.cli import main

    return main


