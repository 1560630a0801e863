"""Everything the command line prints is Norwegian: help, Click's own errors, the tool's.

Two checks. Click's catalogue covers every message the installed Click can look up (a
Click upgrade that adds one fails here). And every help page and every error a set of
wrong invocations gives holds no English: neither a piece of any Click message nor a
common English word.
"""

from __future__ import annotations

import ast
import errno
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from kommunerapport.cli import main, norwegian
from kommunerapport.errors import OutputError, in_norwegian, os_reason, sqlite_reason


def click_messages() -> set[str | tuple[str, str]]:
    """Every ``_("…")`` and ``ngettext("…", "…")`` in the installed Click's source."""
    found: set[str | tuple[str, str]] = set()
    for source in Path(click.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text("utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
                continue
            args = node.args
            if node.func.id == "_" and isinstance(args[0], ast.Constant):
                found.add(args[0].value)
            elif node.func.id == "ngettext" and all(isinstance(a, ast.Constant)
                                                    for a in args[:2]):
                found.add((args[0].value, args[1].value))
    return found


def test_the_catalogue_covers_the_installed_click() -> None:
    assert click_messages() - set(norwegian.NB) == set()


def english_fragments() -> set[str]:
    """The literal pieces between the placeholders of every Click message, four letters
    or more («does not exist», «Show this message and exit»)."""
    pieces = set()
    for message in click_messages():
        for text in message if isinstance(message, tuple) else (message,):
            for piece in re.split(r"\{[^}]*\}|%\([^)]*\)s", text):
                piece = piece.strip(" .:()!?'\n\t")
                if len(piece) >= 4 and re.search(r"[a-z]{3}", piece) and piece != "Windows":
                    pieces.add(piece)
    return pieces


FRAGMENTS = english_fragments()
# Common English words that are not Norwegian words too (so not «for», «is», «at», «by»).
ENGLISH = re.compile(
    r"\b(the|and|with|without|not|no|of|or|you|your|this|that|these|which|from|into|cannot|"
    r"could|should|must|will|would|been|was|were|has|have|are|file|files|folder|directory|"
    r"error|errors|usage|options|commands|arguments|show|try|help|missing|invalid|required|"
    r"default|value|values|denied|exist|exists|space|device|database|locked|permission|"
    r"such|write|read|report|reports|only|also|every|each|one|two|none|unknown|given|"
    r"text|integer|float|path|boolean|range|command|args)\b", re.IGNORECASE)


def english_in(output: str, commands: set[str]) -> list[str]:
    """English in ``output`` once option names, file names, addresses and the command
    names (which are the tool's own words, not sentences) are taken out."""
    text = re.sub(r"--[\w-]+|-h\b", " ", output)
    text = re.sub(r"\S*[._/@=\\]\S*", " ", text)  # file names, addresses, VAR=value
    text = re.sub(r"\b[A-Z][A-Z0-9_]{3,}\b", lambda m: " " if "_" in m.group() else m.group(),
                  text)
    for name in commands:
        text = re.sub(rf"\b{re.escape(name)}\b", " ", text)
    pieces = [f for f in FRAGMENTS if re.search(rf"(?<!\w){re.escape(f)}(?!\w)", text)]
    return pieces + ENGLISH.findall(text)


COMMANDS = set(main.commands) | {"kommunerapport"}


def every_command() -> list[list[str]]:
    return [[]] + [[name] for name in sorted(main.commands)]


@pytest.mark.parametrize("path", every_command(), ids=lambda p: " ".join(p) or "main")
def test_every_help_page_is_norwegian(path: list[str]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"], prog_name="kommunerapport")
    assert result.exit_code == 0
    assert result.output.startswith("Bruk: kommunerapport")
    assert "Valg:" in result.output and "Vis denne hjelpen og avslutt." in result.output
    assert english_in(result.output, COMMANDS) == []


def wrong_invocations() -> list[list[str]]:
    """For every command: an unknown option, an option without its value, a value of the
    wrong type, extra arguments; and the tool's own refusals."""
    cases: list[list[str]] = [
        ["--nope"], ["fetchh"], ["--county"], ["--lang", "xx"], ["--jobs", "0"],
        ["--jobs", "x"], ["--year", "tjue"], ["--templates", "/finnes/ikke"],
        ["--sector", "--members"], [], ["--county", "Vestfol"], ["--county", "Atlantis"],
        ["--county", "Vestfold", "--jobs", "2"], ["--sector", "--year", "2019"],
        ["--county", "Vestfold", "--data", "/finnes/ikke.csv"],
        ["--county", "Vestfold", "--config", "/finnes/ikke.toml"],
        ["counties", "--year", "2023"], ["figures"], ["figures", "--county", "Vestfold",
                                                      "--sector"],
        ["inspect"], ["inspect", "a", "b"], ["inspect", "/finnes/ikke.json"],
        ["send"], ["send", "--recipients", "/finnes/ikke.csv"],
        ["send", "--recipients", "x.csv", "--smtp-port", "70000"],
        ["send", "--recipients", "x.csv", "--rate", "fort"],
        ["fetch", "--year", "i fjor"],
        ["approve", "--by", "Kari"], ["approve", "--all"], ["approve", "--by", "Kari", "--all"],
        ["--sector", "--force", "--skip-existing"],
        ["send", "--recipients", "x.csv", "--draft", "ikke en adresse", "--dry-run"],
        # a config and a template broken by hand: tomllib's and Jinja's English
        ["--county", "Vestfold", "--config", "feil.toml"],
        ["--county", "Vestfold", "--templates", "maler"],
    ]
    for name in sorted(main.commands):
        cases.append([name, "--ukjent-valg"])
    return cases


@pytest.mark.parametrize("args", wrong_invocations(), ids=lambda a: " ".join(a) or "(ingen)")
def test_every_error_is_norwegian(args: list[str], tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("x.csv").write_text("nummer,navn,epost\n3901,Horten,a@example.org\n", "utf-8")
    Path("feil.toml").write_text('[member.Våler]\nheadline = "Til Våler"\n', "utf-8")
    Path("maler").mkdir()
    Path("maler", "_footer.html").write_text("<p>{% if %}</p>\n", "utf-8")
    result = CliRunner().invoke(main, args, prog_name="kommunerapport")
    assert result.exit_code in (1, 2), result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("Feil: ")]
    assert len(errors) == 1, result.stderr  # one error, said once, in one style
    assert "Traceback" not in result.output
    assert english_in(result.output, COMMANDS) == [], result.output


def test_usage_errors_exit_2_and_the_rest_1(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["--nope"]).exit_code == 2  # Click's: a usage error
    assert runner.invoke(main, ["--county", "Atlantis"]).exit_code == 2  # ours: a bad value
    (tmp_path / "bad.csv").write_text("ikke,et,datasett\n", "utf-8")
    result = runner.invoke(main, ["inspect", str(tmp_path / "bad.csv")])
    assert result.exit_code == 1  # a file that cannot be read: not a usage error
    assert result.stderr.startswith("Feil: ")


@pytest.mark.parametrize(("code", "expected"), [
    (errno.ENOSPC, "disken er full (ENOSPC)"),
    (errno.EDQUOT, "diskkvoten din er brukt opp (EDQUOT)"),
    (errno.EROFS, "filsystemet er skrivebeskyttet (EROFS)"),
    (errno.EIO, "lese- eller skrivefeil på disken (I/O-feil) (EIO)"),
    (errno.EACCES, "mangler tilgang (EACCES)"),
])
def test_system_errors_are_said_in_norwegian(code: int, expected: str) -> None:
    assert os_reason(OSError(code, "x")) == expected
    # The same words when a caller pasted the system's own message into ours.
    pasted = OutputError(f"Kan ikke skrive x: {OSError(code, __import__('os').strerror(code))}.")
    assert pasted.format_message() == f"Kan ikke skrive x: {expected}."


def test_sqlite_messages_are_said_in_norwegian() -> None:
    import sqlite3

    assert sqlite_reason(sqlite3.OperationalError("database is locked")) == (
        "databasen er i bruk av en annen prosess")
    assert in_norwegian("Kan ikke bruke loggen: file is not a database.") == (
        "Kan ikke bruke loggen: fila er ikke en SQLite-database.")
    # One it does not know is said to be SQLite's own words, not passed off as ours.
    assert sqlite_reason(sqlite3.OperationalError("near x: syntax error")) == (
        "SQLite-feil: near x: syntax error")


@pytest.mark.parametrize(("template", "expected"), [
    ("{% if %}", "ventet et uttrykk, fant «%}»"),
    ("{% if utkast %}UTKAST", "malen slutter før blokken «if» er lukket"),
    ("{% for k in kommuner %}{% endif %}",
     "«endif» hører ikke hjemme her; blokken «for» er ikke lukket"),
    ("{% tittel %}", "ukjent kode «tittel»"),
    ("{{ tittel }", "uventet «}»"),
    ("{{ 'tittel }}", "uventet tegn «'»"),
    ("{{ hemmelig }}", "«hemmelig» finnes ikke"),
    ("{{ fylke.innbyggere }}", "«dict object» har ikke «innbyggere»"),
    # one it does not know is said to be Jinja's own words, not passed off as ours
    ("{% macro m(a=1, b) %}{% endmacro %}", "Jinja-feil: non-default argument follows "
                                            "default argument"),
])
def test_template_errors_are_said_in_norwegian(template: str, expected: str) -> None:
    import jinja2

    from kommunerapport.errors import template_reason

    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.TemplateError) as raised:
        env.from_string(template).render(fylke={})
    assert template_reason(raised.value) == expected
