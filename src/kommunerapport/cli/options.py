"""Options more than one command takes, and how every command is made.

Click names a value by its type in English («TEXT», «INTEGER», «[OPTIONS]») without
looking the word up, so every option here names its value in Norwegian (``metavar``),
and ``command`` gives each command «[VALG]» for «[OPTIONS]».
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

OPTIONS_METAVAR = "[VALG]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENTER]..."
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def command(**settings: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command`` with the Norwegian metavar for its options."""
    return click.command(options_metavar=OPTIONS_METAVAR, **settings)


def _release(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    return parse_release(value)


def parse_release(value: str | None) -> dt.date | None:
    """``--release 16.03.2026``: the date, or one line saying what is wrong (exit 1)."""
    if value is None:
        return None
    from kommunerapport.errors import KommunerapportError, shown
    from kommunerapport.model.releases import parse_date

    try:
        return parse_date(value)
    except ValueError:
        raise KommunerapportError(f"--release «{shown(value)}» er ingen dato; skriv "
                                  "DD.MM.ÅÅÅÅ, for eksempel 16.03.2026.") from None


def data_option(function: F) -> F:
    """``--data FILE`` (repeatable) and ``--release DATE``, passed on as ``data_file``: a
    ``sources.loading.DataInput``, or None for the fetched or built-in figures."""
    @functools.wraps(function)
    def wrapper(*args: Any, data_files: tuple[Path, ...], release: dt.date | None,
                **kwargs: Any) -> Any:
        if release is not None and not data_files:
            from kommunerapport.errors import UsageError

            raise UsageError("--release gjelder filer gitt med --data; de hentede og de "
                             "innebygde tallene har sin egen dato.")
        if data_files:
            from kommunerapport.sources.loading import DataInput

            kwargs["data_file"] = DataInput(tuple(data_files), release)
        else:
            kwargs["data_file"] = None
        return function(*args, **kwargs)

    wrapper = click.option(
        "--release", callback=_release, metavar="DATO",
        help="Utgivelsesdatoen for filer som ikke oppgir den selv (DD.MM.ÅÅÅÅ, for eksempel "
             "16.03.2026); uten den sier rapporten at datoen er ukjent.")(wrapper)
    wrapper = click.option(
        "--data", "data_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False),
        help="En datafil i stedet for de innebygde tallene; gjenta for flere filer (for "
             "eksempel et uttrekk delt i flere).")(wrapper)
    return wrapper  # type: ignore[return-value]


year_option = click.option("--year", metavar="ÅR", type=int,
                           help="Regnskapsåret. Standard: det siste året i dataene.")
