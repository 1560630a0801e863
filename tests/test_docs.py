"""The README's commands are real: CI runs its test command, and every
``kommunerapport`` line in it parses with the CLI as it is."""

from __future__ import annotations

import re
import shlex
import warnings
from pathlib import Path

import click
import pytest

from kommunerapport.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)


def test_readme_opens_with_the_two_commands() -> None:
    first, second = BLOCKS[0].strip(), BLOCKS[1].strip()
    assert first.endswith("pip install . && kommunerapport --county Vestfold")
    assert second.endswith('pip install ".[test]" && pytest -q')


def test_ci_runs_the_readme_test_command() -> None:
    assert BLOCKS[1].strip() in (ROOT / ".ci" / "run").read_text("utf-8")


def commands() -> list[list[str]]:
    found = []
    for block in BLOCKS[2:]:
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            words = shlex.split(line)
            while words and "=" in words[0]:
                words.pop(0)  # an environment variable before the command
            if words and words[0] == "kommunerapport":
                found.append(words[1:])
    return found


@pytest.mark.parametrize("args", commands(), ids=" ".join)
def test_readme_command_parses(args: list[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for option, value in zip(args, args[1:], strict=False):
        if option == "--templates":
            Path(value).mkdir()  # the user's own folder, which must exist
    ctx = main.make_context("kommunerapport", list(args))
    with warnings.catch_warnings():  # click 8.2+ moves the subcommand into ctx.args
        warnings.simplefilter("ignore", DeprecationWarning)
        rest = ctx.protected_args + ctx.args
    if rest:
        name, command, sub_args = main.resolve_command(ctx, rest)
        assert isinstance(command, click.Command), name
        command.make_context(name, sub_args, parent=ctx)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_documents_an_example(name: str) -> None:
    assert "kommunerapport " + name in (main.commands[name].help or "")
