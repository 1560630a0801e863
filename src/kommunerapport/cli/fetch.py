"""``fetch`` and ``inspect``: SSB's figures into the cache, and how a file is read."""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.cli.options import command


@command()
@click.option("--year", "years", metavar="ÅR", type=int, multiple=True,
              help="Regnskapsår; gjenta for flere. Standard: de seks siste årene.")
@click.option("--refresh", is_flag=True,
              help="Spør SSB på nytt, også om det som ligger i hurtigbufferen.")
@click.option("--offline", is_flag=True,
              help="Bruk bare hurtigbufferen; ikke gå på nettet.")
def fetch(years: tuple[int, ...], refresh: bool, offline: bool) -> None:
    """Hent de ekte tallene fra SSB (KOSTRA, Klass, folketall) til hurtigbufferen.

    Rapportene bruker dem så i stedet for de innebygde eksempeltallene. En ny
    kjøring spør ikke SSB igjen uten --refresh. Velg mappe med
    KOMMUNERAPPORT_CACHE_DIR.

    \b
    Eksempler:
      kommunerapport fetch
      kommunerapport fetch --year 2024 --year 2025 --refresh
    """
    from kommunerapport.sources.ssb.fetch import run_fetch

    run_fetch(years, refresh=refresh, offline=offline)


@command()
@click.argument("data_files", metavar="FIL...", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--release", metavar="DATO",
              help="Utgivelsesdatoen for filer som ikke oppgir den selv (DD.MM.ÅÅÅÅ).")
def inspect(data_files: tuple[Path, ...], release: str | None) -> None:
    """Vis hvordan datafiler leses: formatet, hva hver gir, hva som utelates og hvorfor,
    og hva det gir å sette flere sammen.

    Den samme oppsummeringen som --data skriver, uten å lage en rapport.

    \b
    Eksempel:
      kommunerapport inspect saved-12134.json
      kommunerapport inspect del1.csv del2.csv --release 16.03.2026
    """
    from kommunerapport.cli.console import print_import
    from kommunerapport.cli.options import parse_release

    print_import(data_files, parse_release(release))
