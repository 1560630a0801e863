"""``counties`` and ``figures``: the register and the key figures on the terminal, no PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kommunerapport.cli.options import data_option, year_option

if TYPE_CHECKING:
    from kommunerapport.sources.loading import DataInput


@click.command()
@year_option
def counties(year: int | None) -> None:
    """List the counties with their number of municipalities and written form.

    \b
    Example:
      kommunerapport counties
    """
    from kommunerapport.cli.console import print_counties

    print_counties(year)


@click.command()
@click.option("--county", help="A county's municipalities (name or number).")
@click.option("--sector", is_flag=True, help="The whole sector.")
@year_option
@data_option
def figures(county: str | None, sector: bool, year: int | None,
            data_file: DataInput | None) -> None:
    """Print the key figures and the per-municipality table, without a PDF.

    \b
    Examples:
      kommunerapport figures --county Vestfold
      kommunerapport figures --sector --year 2025
    """
    if bool(county) == sector:
        raise click.UsageError("Velg enten --county NAVN eller --sector.")
    from kommunerapport.cli.console import print_figures

    print_figures(county=county, year=year, data_file=data_file)
