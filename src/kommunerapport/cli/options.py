"""Options more than one command takes, and how every command is made.

Click names a value by its type in English («TEXT», «INTEGER», «[OPTIONS]») without
looking the word up, so every option here names its value in Norwegian (``metavar``),
and ``command`` gives each command «[VALG]» for «[OPTIONS]».
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

OPTIONS_METAVAR = "[VALG]"
SUBCOMMAND_METAVAR = "KOMMANDO [ARGUMENTER]..."
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def command(**settings: Any) -> Callable[[Callable[..., Any]], click.Command]:
    """``click.command`` with the Norwegian metavar for its options."""
    return click.command(options_metavar=OPTIONS_METAVAR, **settings)


data_option = click.option(
    "--data", "data_file", metavar="FIL", type=click.Path(path_type=Path, dir_okay=False),
    help="En datafil å bruke i stedet for de innebygde tallene.")
year_option = click.option("--year", metavar="ÅR", type=int,
                           help="Regnskapsåret. Standard: det siste året i dataene.")
