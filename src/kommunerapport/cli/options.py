"""Options more than one command takes."""

from __future__ import annotations

from pathlib import Path

import click

data_option = click.option(
    "--data", "data_file", type=click.Path(path_type=Path, dir_okay=False),
    help="A data file to use instead of the built-in data.")
year_option = click.option("--year", type=int,
                           help="Accounting year. Default: the latest in the data.")
