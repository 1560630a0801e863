"""Hostile and faulty templates and styles (issue 10, category «templates»).

A user's own ``--templates`` folder is trusted to lay out the report, not to reach
outside the project: a template or stylesheet that asks for a local file or the
network gets nothing; a broken one is one line naming the file and line. Every case
runs the CLI in-process through the ``hostile`` fixture (exit code, exact message, no
traceback, nothing opened outside the inputs).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pdfs import full_text

from hostile.conftest import EPOCH, WARNINGS, Hostile
from kommunerapport.files import asset_dir


@pytest.fixture
def mine(tmp_path: Path) -> Path:
    """The user's own folder, with a copy of the project's report.html to change."""
    folder = tmp_path / "mine"
    folder.mkdir()
    return folder


def own_report(mine: Path, old: str, new: str) -> None:
    text = (asset_dir("templates") / "report.html").read_text("utf-8")
    assert old in text
    (mine / "report.html").write_text(text.replace(old, new), "utf-8")


def test_a_relative_templates_folder_with_its_own_stylesheet(hostile: Hostile,
                                                             mine: Path) -> None:
    # The README's own example: `--templates mine/` holding report.css.
    css = (asset_dir("styles") / "report.css").read_text("utf-8")
    (mine / "report.css").write_text(css.replace("#1b365d", "#2e5d1b"), "utf-8")
    result = hostile.run(["--county", "Vestfold", "--templates", "mine"], exit_code=0,
                         message=None, inputs=[mine], warnings=WARNINGS, env=EPOCH)
    assert result.stdout.strip() == "output/fylker/kommuneokonomi-2025-vestfold.pdf"


def test_a_template_syntax_error_names_the_file_and_line(hostile: Hostile, mine: Path) -> None:
    (mine / "_footer.html").write_text("<p>\n{% if %}</p>\n", "utf-8")
    hostile.run(["--county", "Vestfold", "--templates", str(mine)], exit_code=1,
                # Jinja: «Expected an expression, got 'end of statement block'»
                message=f"Feil: {mine / '_footer.html'}, linje 2: ventet et uttrykk, fant «%}}».",
                inputs=[mine], warnings=WARNINGS, env=EPOCH)


def test_a_template_asking_for_what_the_report_lacks(hostile: Hostile, mine: Path) -> None:
    own_report(mine, "<h1>{{ title }}</h1>", "<h1>{{ title }} {{ secret }}</h1>")
    hostile.run(["--county", "Vestfold", "--templates", str(mine)], exit_code=1,
                message="Feil: Malen report.html bruker noe rapporten ikke har: «secret» finnes "
                        "ikke.", inputs=[mine], warnings=WARNINGS, env=EPOCH)


def test_a_template_that_asks_for_a_local_file_gets_nothing(hostile: Hostile,
                                                            mine: Path) -> None:
    own_report(mine, "<h1>{{ title }}</h1>",
               '<h1>{{ title }}</h1><img src="file:///etc/passwd" alt="x">'
               '<img src="../../../../../../etc/hostname" alt="y">')
    result = hostile.run(["--county", "Vestfold", "--templates", str(mine)], exit_code=0,
                         message=None, inputs=[mine], warnings=WARNINGS, env=EPOCH)
    assert "root:x:0:0" not in full_text(hostile.tmp_path / result.stdout.strip())


def test_a_stylesheet_that_imports_a_local_file_or_the_network(hostile: Hostile,
                                                               mine: Path) -> None:
    css = (asset_dir("styles") / "report.css").read_text("utf-8")
    (mine / "report.css").write_text(
        '@import url("file:///etc/passwd");\n@import url("http://example.org/x.css");\n'
        'body { background: url("file:///etc/shadow"); }\n' + css, "utf-8")
    hostile.run(["--county", "Vestfold", "--templates", str(mine)], exit_code=0,
                message=None, inputs=[mine], warnings=WARNINGS, env=EPOCH)


def test_a_templates_folder_that_does_not_exist(hostile: Hostile) -> None:
    hostile.run(["--county", "Vestfold", "--templates", "borte"], exit_code=2,
                message="Feil: Ugyldig verdi for '--templates': Mappen 'borte' finnes ikke.")


def test_a_long_unbreakable_word_in_the_config_is_printed_whole(hostile: Hostile) -> None:
    # Issue 10: «Long unbreakable text in the config is silently cut in the PDF.»
    word = "Kommunesektorensorganisasjon" * 12
    (hostile.tmp_path / "ks.toml").write_text(
        f'about = "{word}"\n[[county.quotes]]\ntext = "{word}"\nname = "Navn"\nrole = "leder"\n',
        "utf-8")
    result = hostile.run(["--county", "Vestfold", "--config", "ks.toml"], exit_code=0,
                         message=None, inputs=[hostile.tmp_path / "ks.toml"],
                         warnings=WARNINGS, env=EPOCH)
    text = full_text(hostile.tmp_path / result.stdout.strip()).replace(" ", "")
    assert text.count(word) >= 2  # the quote and «Om KS», wrapped but whole


def test_a_named_pipe_in_the_templates_folder_is_refused_not_read(hostile: Hostile,
                                                                  mine: Path) -> None:
    # Reading a FIFO blocks until someone writes to it: the run would hang for ever.
    os.mkfifo(mine / "report.css")
    hostile.run(["--county", "Vestfold", "--templates", "mine"], exit_code=1,
                message=f"Feil: {(mine / 'report.css').absolute()} er en FIFO (navngitt rør); "
                        "maler og stiler leses bare fra vanlige filer.",
                inputs=[mine], warnings=WARNINGS, env=EPOCH)


def test_a_linked_template_is_refused_not_followed(hostile: Hostile, mine: Path) -> None:
    # A link could bring any file the user can read into the PDF as a template.
    secret = hostile.tmp_path / "hemmelig.txt"
    secret.write_text("<p>hemmelig</p>", "utf-8")
    (mine / "_footer.html").symlink_to(secret)
    hostile.run(["--county", "Vestfold", "--templates", "mine"], exit_code=1,
                message=f"Feil: {(mine / '_footer.html').absolute()} er en symbolsk lenke; "
                        "maler og stiler leses bare fra vanlige filer.",
                inputs=[mine], warnings=WARNINGS, env=EPOCH)
    assert not list((hostile.tmp_path / "output").rglob("*.pdf"))
