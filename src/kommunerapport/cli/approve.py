"""``approve``: record who approved which reports, so they lose «UTKAST» and may be sent."""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.cli.options import command


@command()
@click.argument("names", metavar="[RAPPORT]...", nargs=-1)
@click.option("--by", required=True, metavar="NAVN",
              help="Navnet på den som godkjenner; lagres i registeret sammen med rapportene.")
@click.option("--all", "everything", is_flag=True,
              help="Godkjenn alle rapportene i mappen som ikke er godkjent.")
@click.option("--reports", "reports_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True,
              help="Mappen med rapportene (den samme som --out da de ble laget).")
@click.option("--quiet", is_flag=True, help="Bare antallet, ikke navnene på rapportene.")
def approve(names: tuple[str, ...], by: str, everything: bool, reports_dir: Path,
            quiet: bool) -> None:
    """Godkjenn rapporter: lagrer hvem som godkjente hvilke, med innholdets fingeravtrykk.

    Rapportene er utkast med «UTKAST» på hver side til de er godkjent, og send
    sender ikke utkast. Godkjenningen gjelder innholdet slik det er nå: kjør
    kommandoen som laget rapportene på nytt, så skrives de godkjente uten
    «UTKAST» (og bare de). En rapport som senere får annet innhold, blir utkast
    igjen til den er godkjent på nytt.

    \b
    Eksempler:
      kommunerapport approve --by "Kari Nordmann" --all
      kommunerapport approve --by "Kari Nordmann" kommuneokonomi-2025-vestfold.pdf
    """
    from kommunerapport.errors import UsageError
    from kommunerapport.outputs.approvals import approve_reports
    from kommunerapport.outputs.lock import folder_lock
    from kommunerapport.outputs.names import shown

    if bool(names) == everything:
        raise UsageError("Nevn rapportene som skal godkjennes, eller bruk --all for alle.")
    if not reports_dir.is_dir():
        raise UsageError(f"Fant ikke rapportmappen {reports_dir}. Lag rapportene først (for "
                         "eksempel kommunerapport --members), eller velg mappe med --reports.")
    with folder_lock(reports_dir):
        done = approve_reports(reports_dir, by, names, everything)
    if not done.approved and not done.already:
        click.echo(f"Ingen rapporter å godkjenne i {reports_dir}.")
        return
    click.echo(f"Godkjent av {' '.join(by.split())}: {len(done.approved)}, "
               f"allerede godkjent: {len(done.already)}.")
    if not quiet:
        for path in done.approved:
            click.echo(f"  Godkjent: {shown(path, reports_dir)}")
        for path in done.already:
            click.echo(f"  Allerede godkjent: {shown(path, reports_dir)}")
    if done.approved:
        click.echo("Kjør kommandoen som laget rapportene på nytt, så skrives de godkjente "
                   "uten «UTKAST» (bare de skrives på nytt).")
