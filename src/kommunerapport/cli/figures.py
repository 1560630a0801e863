"""``counties`` and ``figures``: the register and the key figures on the terminal, no PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kommunerapport.cli.options import command, data_option, year_option

if TYPE_CHECKING:
    from kommunerapport.sources.loading import DataInput


@command()
@year_option
def counties(year: int | None) -> None:
    """Fylkene med antall kommuner og målform.

    \b
    Eksempel:
      kommunerapport counties
    """
    from kommunerapport.cli.console import print_counties

    print_counties(year)


@command()
@click.option("--county", metavar="NAVN", help="Kommunene i ett fylke (navn eller nummer).")
@click.option("--sector", is_flag=True, help="Hele kommunesektoren.")
@year_option
@data_option
def figures(county: str | None, sector: bool, year: int | None,
            data_file: DataInput | None) -> None:
    """Nøkkeltallene og tabellen over kommunene, uten PDF.

    \b
    Eksempler:
      kommunerapport figures --county Vestfold
      kommunerapport figures --sector --year 2025
    """
    if bool(county) == sector:
        raise click.UsageError("Velg enten --county NAVN eller --sector.")
    from kommunerapport.cli.console import print_figures

    print_figures(county=county, year=year, data_file=data_file)
