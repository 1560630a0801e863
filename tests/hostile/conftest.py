"""Hostile and faulty input (issue 10): what a careless or malicious user tries.

Each case is one class of bad input at one entry point, and each asserts the
same four things: the exit code, the exact one-line message, that no traceback
(or Python exception name) reaches the user, and that nothing outside the
inputs was opened.

Adding cases
------------
Put them in ``tests/hostile/test_hostile_<category>.py``, category one of
``CATEGORIES`` (data, config, templates, batch, mail, fetch), and run the CLI
through the ``hostile`` fixture::

    def test_unknown_county(hostile: Hostile) -> None:
        hostile.run(["--county", "Atlantis"], exit_code=2,
                    message="Feil: Ukjent fylke «Atlantis». ...")

``hostile.run(args, exit_code=, message=, inputs=(), warnings=(), env=None)``
invokes the CLI in-process (click's ``CliRunner``, cwd = ``tmp_path``) and asserts:

- ``exit_code``;
- ``message``: the last line of stderr, exactly («Feil: …» for our errors,
  click's own too, in Norwegian). Any other stderr line must be one of
  ``warnings`` or click's usage preamble. ``message=None``: stderr must be
  empty (or only ``warnings``);
- no traceback: no exception escaped the CLI, and neither «Traceback» nor the
  name of any exception class loaded in the process (``KeyError``,
  ``InvalidOperation``, ``SMTPServerDisconnected``, ``DeliveryError`` …) is in
  stdout or stderr;
- nothing outside the allowed paths was opened, listed or connected to as a
  database, seen through ``sys.addaudithook`` (events ``open``, ``os.listdir``,
  ``os.scandir``, ``sqlite3.connect``; plus ``socket.getaddrinfo`` and
  ``socket.connect`` to other hosts than loopback). Allowed: ``inputs``,
  ``tmp_path``, the Python installation and virtualenv (stdlib, site-packages,
  fonts shipped as packages), the tool's package and asset folders,
  matplotlib's config and cache folders, ``$KOMMUNERAPPORT_CACHE_DIR``, and the
  folder WeasyPrint writes the fonts it embeds to (``$TMPDIR/weasyprint-*``).
  Forked workers report their events too (through an inherited file); threads
  that were already running when the command started (a test's SMTP or HTTP
  server) are not watched.

It returns click's ``Result`` for further checks (``result.stdout``). At the end
of a run the terminal summary shows, per category, how many cases were tried,
passed and failed.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import click
import pytest
from click.testing import CliRunner, Result

CATEGORIES = ("data", "config", "templates", "batch", "mail", "fetch")
FILE_RE = re.compile(r"test_hostile_(\w+)\.py")
PATH_EVENTS = {"open", "os.listdir", "os.scandir", "sqlite3.connect"}
NET_EVENTS = {"socket.getaddrinfo", "socket.connect"}
LOOPBACK = {"127.0.0.1", "::1", "localhost"}
CLICK_PREAMBLE = ("Bruk:", "Prøv ")


# A report built on the built-in data with the dateline of KS's press release (6.3.2026)
# warns that its figures and the ROBEK register are dated after it; the cases that
# render one expect these lines and set this date.
WARNINGS = ("Advarsel: ROBEK-registeret i rapporten er per 20.4.2026, etter datolinjen "
            "6.3.2026.",
            "Advarsel: tallgrunnlaget «kalibrert mot SSBs tall 16.3.2026» er fra etter "
            "datolinjen 6.3.2026.",
            "Advarsel: tallgrunnlaget «foreløpige tall 16.3.2026» er fra etter datolinjen "
            "6.3.2026.",
            "Advarsel: tallgrunnlaget «reviderte tall, hentet 16.3.2026» er fra etter "
            "datolinjen 6.3.2026.")
EPOCH = {"SOURCE_DATE_EPOCH": "1772755200"}  # 6.3.2026, the date of KS's press release


# --- Watching what the command touches ----------------------------------------------


@dataclass
class _Watch:
    """What the audit hook records; one per process, switched on around a command."""

    active: bool = False
    in_child: bool = False
    ignored_threads: set[int] = field(default_factory=set)
    seen: list[tuple[str, str]] = field(default_factory=list)  # (event, path or host)
    child_fd: int | None = None  # forked workers append their events here


_WATCH = _Watch()


def _target(event: str, args: tuple) -> str | None:
    """The path (or host) an event touches, or None when it names none."""
    if event in NET_EVENTS:
        address = args[0] if event == "socket.getaddrinfo" else args[1]
        if isinstance(address, tuple):
            address = address[0]
        return None if address is None else str(address)
    path = args[0] if args else None
    if path is None or isinstance(path, int):  # an open file descriptor
        return None
    path = os.fsdecode(os.fspath(path))
    if event == "sqlite3.connect" and path.startswith("file:"):
        path = unquote(urlparse(path).path)
    if event == "sqlite3.connect" and path == ":memory:":
        return None
    return os.path.abspath(path)


def _audit(event: str, args: tuple) -> None:
    if not _WATCH.active or (event not in PATH_EVENTS and event not in NET_EVENTS):
        return
    if not _WATCH.in_child and threading.get_ident() in _WATCH.ignored_threads:
        return
    try:
        target = _target(event, args)
    except (TypeError, ValueError):
        return
    if target is None:
        return
    if _WATCH.in_child and _WATCH.child_fd is not None:
        os.write(_WATCH.child_fd, f"{event}\t{target}\n".encode("utf-8", "surrogateescape"))
    else:
        _WATCH.seen.append((event, target))


def _forked() -> None:
    _WATCH.in_child = True


sys.addaudithook(_audit)  # for good: audit hooks cannot be removed
os.register_at_fork(after_in_child=_forked)


def allowed_roots(tmp_path: Path, inputs: Iterable[Path]) -> list[Path]:
    """Where the command may look: its inputs and its own installation."""
    import matplotlib

    from hostile.opened import SYSTEM
    from kommunerapport import files
    from kommunerapport.mail import message as mail_message
    from kommunerapport.render import pdf as render

    roots = [tmp_path, *inputs,
             Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(sys.base_exec_prefix), Path(files.PACKAGE_DIR),
             files.asset_dir("templates"), files.asset_dir("styles"), render.FONT_DIR,
             mail_message.templates_dir(), Path(matplotlib.get_configdir()),
             Path(matplotlib.get_cachedir())]
    roots.extend(SYSTEM)  # what libraries read of the system the first time, never data
    cache = os.environ.get("KOMMUNERAPPORT_CACHE_DIR")
    if cache:
        roots.append(Path(cache))
    return [Path(os.path.realpath(r)) for r in roots]


def _weasyprint_own(path: Path) -> bool:
    """WeasyPrint's FontConfiguration writes the fonts it embeds to a folder of its own,
    ``weasyprint-*`` in the system's temporary folder, and reads them back."""
    temp = Path(os.path.realpath(tempfile.gettempdir()))
    folder = path if path.parent == temp else path.parent  # the folder itself is opened too
    return folder.parent == temp and folder.name.startswith("weasyprint-")


def outside(seen: Iterable[tuple[str, str]], roots: Sequence[Path]) -> list[str]:
    """The events that touched something not under ``roots`` (or a host not loopback)."""
    found = []
    for event, target in seen:
        if event in NET_EVENTS:
            if target not in LOOPBACK:
                found.append(f"{event} {target}")
            continue
        path = Path(os.path.realpath(target))
        if path == Path(os.devnull) or _weasyprint_own(path):
            continue
        if not any(path == r or path.is_relative_to(r) for r in roots):
            found.append(f"{event} {target}")
    return sorted(set(found))


# --- No traceback -------------------------------------------------------------------


def exception_names() -> set[str]:
    """Every exception class loaded in the process, by a name that cannot be prose:
    CamelCase with two capitals or more (``KeyError``, ``InvalidOperation``), or
    ending in Error/Exception (``binascii``'s bare ``Error`` is left out: click
    starts its own messages with «Error:»)."""
    names: set[str] = set()
    todo = [BaseException]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        name = cls.__name__
        if re.fullmatch(r"_?[A-Z][a-z0-9]+[A-Z]\w*", name) or name.endswith(("Error", "Exception")):
            names.add(name.lstrip("_"))
    return names - {"Error", "Exception"}  # words, too: click's «Error: …»


def leaked_names(text: str) -> list[str]:
    words = set(re.findall(r"[A-Za-z_]\w+", text))
    return sorted(words & exception_names())


# --- The fixture --------------------------------------------------------------------


@dataclass
class Hostile:
    """Runs the CLI in-process and checks what every hostile case must hold."""

    tmp_path: Path
    runner: CliRunner = field(default_factory=CliRunner)
    seen: list[tuple[str, str]] = field(default_factory=list)  # by the last run

    def run(self, args: Sequence[str], *, exit_code: int, message: str | None,
            inputs: Iterable[Path] = (), warnings: Sequence[str] = (),
            env: dict[str, str] | None = None, input: str | None = None) -> Result:
        from kommunerapport.cli import main

        result = self._watched(main, list(args), env, input)
        where = f"kommunerapport {' '.join(args)}"
        assert result.exit_code == exit_code, (
            f"{where}: exit code {result.exit_code}, not {exit_code}\n{result.output}")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError(f"{where}: an exception escaped the CLI: "
                                 f"{result.exception!r}") from result.exception
        self._check_stderr(where, result.stderr, message, warnings)
        for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
            assert "Traceback" not in text, f"{where}: a traceback in {name}:\n{text}"
            leaked = leaked_names(text)
            assert not leaked, f"{where}: exception names {leaked} in {name}:\n{text}"
        touched = outside(self.seen, allowed_roots(self.tmp_path, inputs))
        assert not touched, f"{where}: touched what is not its input: {touched}"
        return result

    def _watched(self, main: click.Command, args: list[str], env: dict[str, str] | None,
                 input: str | None) -> Result:
        with tempfile.TemporaryFile() as children:
            _WATCH.seen, _WATCH.child_fd = [], children.fileno()
            _WATCH.ignored_threads = {t.ident for t in threading.enumerate()
                                      if t is not threading.main_thread() and t.ident}
            _WATCH.active = True
            try:
                result = self.runner.invoke(main, args, env=env, input=input)
            finally:
                _WATCH.active = False
            children.seek(0)
            from_children = [tuple(line.split("\t", 1))
                             for line in children.read().decode("utf-8", "surrogateescape")
                             .splitlines() if "\t" in line]
        self.seen = [*_WATCH.seen, *from_children]
        _WATCH.seen = []
        return result

    @staticmethod
    def _check_stderr(where: str, stderr: str, message: str | None,
                      warnings: Sequence[str]) -> None:
        lines = stderr.splitlines()
        if message is not None:
            assert lines, f"{where}: nothing on stderr; expected {message!r}"
            assert lines[-1] == message, (
                f"{where}: stderr ends with\n{lines[-1]!r}, not\n{message!r}")
            lines = lines[:-1]
        extra = [line for line in lines if line not in warnings
                 and not (line.startswith(CLICK_PREAMBLE) or not line.strip())]
        assert not extra, f"{where}: unexpected lines on stderr: {extra}"


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Hostile:
    """Run the CLI on hostile input from ``tmp_path`` (also the working directory)."""
    monkeypatch.chdir(tmp_path)
    return Hostile(tmp_path)


# --- Per category, at the end of the run --------------------------------------------


def category(nodeid: str) -> str | None:
    match = FILE_RE.search(nodeid.split("::")[0])
    return match.group(1) if match else None


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    outcome: dict[str, str] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid = getattr(report, "nodeid", "")
            if category(nodeid) is None or not hasattr(report, "when"):
                continue
            if report.failed:
                outcome[nodeid] = "failed"
            elif report.skipped:
                outcome.setdefault(nodeid, "skipped")
            elif report.when == "call":
                outcome.setdefault(nodeid, "passed")
    counts: dict[str, Counter[str]] = {c: Counter() for c in CATEGORIES}
    for nodeid, result in outcome.items():
        counts.setdefault(category(nodeid), Counter())[result] += 1
    terminalreporter.write_sep("-", "hostile cases by category (tests/hostile)")
    for name, c in counts.items():
        tried = c["passed"] + c["failed"]
        detail = f"{c['passed']} passed, {c['failed']} failed"
        if c["skipped"]:
            detail += f", {c['skipped']} skipped"
        terminalreporter.write_line(f"  {name:<10} {tried:>3} tried ({detail})")
