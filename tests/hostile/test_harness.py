"""The hostile harness catches what it promises to catch (``conftest.py``).

Each test makes the CLI misbehave on purpose (through ``counties``, a command
with no input at all) and checks that ``hostile.run`` fails.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import click
import pytest

from hostile.conftest import Hostile, category
from kommunerapport.cli import console
from kommunerapport.errors import DeliveryError


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file that is not the command's input (outside its tmp_path)."""
    path = tmp_path_factory.mktemp("elsewhere") / "secret.txt"
    path.write_text("not yours\n", encoding="utf-8")
    return path


def counties_does(monkeypatch: pytest.MonkeyPatch, action: Callable[[], object]) -> None:
    monkeypatch.setattr(console, "print_counties", lambda year: action())


def test_reading_outside_the_inputs_is_caught(hostile: Hostile, elsewhere: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    counties_does(monkeypatch, elsewhere.read_text)
    with pytest.raises(AssertionError, match=rf"touched what is not its input: "
                                             rf"\['open {elsewhere}'\]"):
        hostile.run(["counties"], exit_code=0, message=None)
    hostile.run(["counties"], exit_code=0, message=None, inputs=[elsewhere])  # named: fine


def test_a_forked_worker_reading_outside_is_caught(hostile: Hostile, elsewhere: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def fork_and_read() -> None:
        pid = os.fork()
        if pid == 0:
            try:
                elsewhere.read_bytes()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)

    counties_does(monkeypatch, fork_and_read)
    with pytest.raises(AssertionError, match=f"open {elsewhere}"):
        hostile.run(["counties"], exit_code=0, message=None)


def test_a_thread_started_by_the_command_is_watched(hostile: Hostile, elsewhere: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    def read_in_a_thread() -> None:
        worker = threading.Thread(target=elsewhere.read_bytes)
        worker.start()
        worker.join()

    counties_does(monkeypatch, read_in_a_thread)
    with pytest.raises(AssertionError, match=f"open {elsewhere}"):
        hostile.run(["counties"], exit_code=0, message=None)


def test_an_escaped_exception_is_caught(hostile: Hostile,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    counties_does(monkeypatch, lambda: {}["missing"])
    with pytest.raises(AssertionError, match="an exception escaped the CLI: KeyError"):
        hostile.run(["counties"], exit_code=1, message=None)


def test_an_exception_name_in_the_message_is_caught(hostile: Hostile,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # What a batch summary printed for BDI = 0 (issue 10).
    def fail() -> None:
        raise DeliveryError("InvalidOperation: [<class 'decimal.InvalidOperation'>]")

    counties_does(monkeypatch, fail)
    with pytest.raises(AssertionError, match=r"exception names \['InvalidOperation'\]"):
        hostile.run(["counties"], exit_code=1,
                    message="Feil: InvalidOperation: [<class 'decimal.InvalidOperation'>]")


def test_the_message_must_be_exact_and_alone(hostile: Hostile,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def warn_then_fail() -> None:
        click.echo("Advarsel: noe annet", err=True)
        raise DeliveryError("Noe gikk galt.")

    counties_does(monkeypatch, warn_then_fail)
    with pytest.raises(AssertionError, match="stderr ends with"):
        hostile.run(["counties"], exit_code=1, message="Feil: Noe gikk galt")
    with pytest.raises(AssertionError, match="unexpected lines on stderr"):
        hostile.run(["counties"], exit_code=1, message="Feil: Noe gikk galt.")
    hostile.run(["counties"], exit_code=1, message="Feil: Noe gikk galt.",
                warnings=["Advarsel: noe annet"])


@pytest.mark.parametrize(("nodeid", "expected"), [
    ("tests/hostile/test_hostile_mail.py::test_x[a-b]", "mail"),
    ("tests/hostile/test_hostile_fetch.py::test_y", "fetch"),
    ("tests/hostile/test_harness.py::test_z", None),
    ("tests/test_mail.py::test_w", None),
])
def test_cases_are_counted_by_their_file(nodeid: str, expected: str | None) -> None:
    assert category(nodeid) == expected


def test_the_simpler_hook_of_the_data_cases_catches_a_read_outside(
        tmp_path: Path, elsewhere: Path) -> None:
    """``opened.audited``, used by the data, config and fetch cases, fails the same way."""
    from hostile import opened

    with pytest.raises(AssertionError, match="read outside the inputs"), \
            opened.audited(tmp_path):
        elsewhere.read_text("utf-8")
    with opened.audited(tmp_path, elsewhere.parent) as seen:
        elsewhere.read_text("utf-8")
    assert str(elsewhere) in seen
