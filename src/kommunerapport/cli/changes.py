"""``changes OLD NEW``: which figures changed between two releases, and which reports that
touches."""

from __future__ import annotations

import click

from kommunerapport.cli.options import command


@command()
@click.argument("old", metavar="GAMMEL")
@click.argument("new", metavar="NY")
@click.option("--csv", "as_csv", is_flag=True,
              help="Skriv endringene som en tabell (CSV med semikolon) i stedet for tekst.")
def changes(old: str, new: str, as_csv: bool) -> None:
    """Vis hvilke tall som er endret mellom to utgivelser.

    GAMMEL og NY er datafiler, eller utgivelser hentet med «fetch», oppgitt med datoen
    SSB oppdaterte tabellene (16.03.2026). Bare tall som vises annerledes, skrives ut,
    med enheter som er kommet til eller borte, og hvilke rapporter endringene berører.

    \b
    Eksempler:
      kommunerapport changes 16.03.2026 15.06.2026
      kommunerapport changes mars.json juni.json --csv > endringer.csv
    """
    from kommunerapport.cli.console import print_changes

    print_changes(old, new, as_csv)
