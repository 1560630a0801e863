"""``fetch`` and ``inspect``: SSB's figures into the cache, and how a file is read."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--year", "years", type=int, multiple=True,
              help="Accounting year; repeat for more. Default: the latest six years.")
@click.option("--refresh", is_flag=True, help="Ask SSB again even for what is in the cache.")
@click.option("--offline", is_flag=True, help="Never touch the network; use the cache only.")
def fetch(years: tuple[int, ...], refresh: bool, offline: bool) -> None:
    """Download the real figures from SSB (KOSTRA, Klass, population) into the cache.

    Reports then use them instead of the built-in sample. A second run asks SSB
    nothing unless --refresh. Set KOMMUNERAPPORT_CACHE_DIR to choose the cache.

    \b
    Examples:
      kommunerapport fetch
      kommunerapport fetch --year 2024 --year 2025 --refresh
    """
    from kommunerapport.sources.ssb.fetch import run_fetch

    run_fetch(years, refresh=refresh, offline=offline)


@click.command()
@click.argument("data_files", metavar="FIL...", nargs=-1, required=True,
                type=click.Path(path_type=Path, dir_okay=False))
@click.option("--release", metavar="DATO",
              help="Utgivelsesdatoen for filer som ikke oppgir den selv (DD.MM.ÅÅÅÅ).")
def inspect(data_files: tuple[Path, ...], release: str | None) -> None:
    """Show how data files are read: format, what each gives, what it leaves out and why,
    and what putting several together does.

    The same summary every --data import prints, without writing a report.

    \b
    Examples:
      kommunerapport inspect saved-12134.json
      kommunerapport inspect del1.csv del2.csv --release 16.03.2026
    """
    from kommunerapport.cli.console import print_import
    from kommunerapport.cli.options import parse_release

    print_import(data_files, parse_release(release))
