"""The command line: parse options, call the core, print the result.

Heavy libraries (pandas, matplotlib, WeasyPrint) are imported inside the
commands so that ``--help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kommunerapport.cli import norwegian

norwegian.install()  # before any command is made: Click fixes some words then

import click  # noqa: E402  (after Click is made Norwegian)

from kommunerapport.cli.options import (  # noqa: E402
    CONTEXT,
    OPTIONS_METAVAR,
    SUBCOMMAND_METAVAR,
    data_option,
    year_option,
)

if TYPE_CHECKING:
    from kommunerapport.render.writer import Written
    from kommunerapport.sources.loading import DataInput

EPILOG = """\b
Eksempler:
  kommunerapport --county Vestfold
  kommunerapport --county Vestland --year 2024 --lang nn
  kommunerapport --sector --config ks.toml
  kommunerapport --county Vestland --kit
  kommunerapport --member Kautokeino
  kommunerapport --all
  kommunerapport --all --members --jobs 2 --skip-existing
  kommunerapport figures --county Vestfold
  kommunerapport counties
"""


@click.group(invoke_without_command=True, epilog=EPILOG, context_settings=CONTEXT,
             options_metavar=OPTIONS_METAVAR, subcommand_metavar=SUBCOMMAND_METAVAR)
@click.option("--county", metavar="NAVN", help="Lag rapporten for ett fylke (navn eller nummer).")
@click.option("--sector", is_flag=True, help="Lag rapporten for hele kommunesektoren.")
@click.option("--member", "member_names", multiple=True, metavar="NAVN|NUMMER",
              help="Lag rapporten for ett medlem: en kommune eller en fylkeskommune, med "
                   "navn i hvilken som helst skrivemåte eller nummer (Kautokeino, 5612, "
                   "«Vestfold fylkeskommune», 39). Kan gis flere ganger.")
@click.option("--all", "everything", is_flag=True,
              help="Lag sektorrapporten og de 15 fylkesrapportene.")
@click.option("--members", is_flag=True,
              help="Lag én rapport per kommune og per fylkeskommune "
                   "(med --all: alle rapportene i én kjøring).")
@click.option("--jobs", metavar="ANTALL", type=click.IntRange(min=1),
              help="Arbeidsprosesser for --all/--members. Standard og høyst: antall "
                   "prosessorer.")
@click.option("--skip-existing", is_flag=True,
              help="Med --all/--members: lag bare rapportene som mangler.")
@click.option("--force", is_flag=True,
              help="Skriv rapportene på nytt selv om innholdet er det samme som i filene "
                   "som ligger der.")
@click.option("--quiet", is_flag=True,
              help="Oppsummer med antall, uten navnene på filene.")
@click.option("--verbose", is_flag=True,
              help="Si mer: også de uendrede filene, og merknader som ellers sies én gang.")
@click.option("--kit", is_flag=True,
              help="Lag også en pressepakke ved hver PDF: figurer og kart som PNG og SVG "
                   "med alternativ tekst, teksten som Markdown og Word, alle tall som CSV.")
@year_option
@click.option("--lang", type=click.Choice(["nb", "nn"]),
              help="Bokmål eller nynorsk. Standard: fylkets offisielle målform.")
@data_option
@click.option("--out", "out_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Mappen rapportene skrives til.")
@click.option("--config", "config_file", metavar="FIL",
              type=click.Path(path_type=Path, dir_okay=False),
              help="TOML-fil med sitater, kontakter, «Om KS»-tekst og stikkord.")
@click.option("--templates", "templates_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="En mappe med egne kopier av malene og stilarket.")
@click.version_option(package_name="kommunerapport")
@click.pass_context
def main(ctx: click.Context, county: str | None, sector: bool, member_names: tuple[str, ...],
         everything: bool, members: bool,
         jobs: int | None, skip_existing: bool, force: bool, quiet: bool, verbose: bool,
         kit: bool, year: int | None,
         lang: str | None, data_file: DataInput | None, out_dir: Path, config_file: Path | None,
         templates_dir: Path | None) -> None:
    """Kommuneregnskapene som pressemeldinger i PDF.

    Lager rapporten for et fylke (--county) eller hele sektoren (--sector) fra
    de innebygde tallene eller dine egne (--data), og skriver stien til PDF-en;
    eller mange på en gang (--all, --members) med en oppsummering. En rapport
    som sier det samme som filen som alt ligger der, skrives ikke på nytt.
    Rapportene er utkast («UTKAST» på hver side) til de er godkjent
    (kommunerapport approve).
    """
    if verbose:
        from kommunerapport.render import fonts

        fonts.VERBOSE = True
    if ctx.invoked_subcommand is not None:
        return
    if sum((bool(county), sector, bool(member_names), everything or members)) != 1:
        raise click.UsageError("Velg én av --county NAVN, --sector, --member NAVN, --all eller "
                               "--members.")
    batch_only = [name for name, given in (("--jobs", jobs), ("--skip-existing", skip_existing))
                  if given]
    if skip_existing and force:
        from kommunerapport.errors import UsageError

        raise UsageError("--skip-existing og --force kan ikke brukes sammen: det ene hopper "
                         "over det som finnes, det andre skriver alt på nytt.")
    if batch_only and not (everything or members):
        from kommunerapport.errors import UsageError

        raise UsageError(f"{' og '.join(batch_only)} gjelder bare --all og --members, "
                         "som skriver mange rapporter.")
    if everything or members:
        from kommunerapport.batch.run import run_cli

        ctx.exit(run_cli(everything=everything, members=members, year=year, lang=lang,
                         data_file=data_file, out_dir=out_dir, config_file=config_file,
                         templates_dir=templates_dir, jobs=jobs, skip_existing=skip_existing,
                         kit=kit, force=force, quiet=quiet, verbose=verbose))
    if member_names:
        from kommunerapport.batch.single import write_members

        for written in write_members(list(member_names), year=year, lang=lang,
                                     data_file=data_file, out_dir=out_dir,
                                     config_file=config_file, templates_dir=templates_dir,
                                     kit=kit, force=force):
            _said(written, kit, quiet)
        return
    from kommunerapport.batch.single import write_report

    written = write_report(county=county, year=year, lang=lang, data_file=data_file,
                           out_dir=out_dir, config_file=config_file,
                           templates_dir=templates_dir, kit=kit, force=force)
    _said(written, kit, quiet)


def _said(written: Written, kit: bool, quiet: bool) -> None:
    """A report's path (and its kit's) on stdout; on stderr when it was left alone."""
    click.echo(str(written.path))
    if kit:
        from kommunerapport.render.kit import kit_folder

        click.echo(str(kit_folder(written.path)))
    if not written.changed and not quiet:
        click.echo(f"Uendret: {written.path} sier det samme som før og er ikke skrevet på "
                   "nytt (--force skriver den likevel).", err=True)


def _add_commands() -> None:
    """The subcommands, each in a module of its own (imported here: Click only, no heavy
    libraries, so ``--help`` answers at once)."""
    from kommunerapport.cli import approve, changes, fetch, figures, send

    for command in (figures.counties, figures.figures, send.send, send.sendlog, fetch.fetch,
                    fetch.inspect, changes.changes, approve.approve):
        main.add_command(command)


_add_commands()


def run() -> None:
    """The console script and ``python -m kommunerapport``: ``main``, then out at once.

    - No cyclic garbage collector: importing pandas, matplotlib and WeasyPrint and
      writing one report make objects by the million and little cyclic garbage (some
      10 MB for the sector report), and the collector spent 0.17 s of a cold run looking
      through them. A batch turns it on again in its workers (``batch``), which write
      hundreds of reports each.
    - No teardown: tearing the interpreter down module by module takes some 0.2 s after
      every report. By the time ``main`` returns every file is written and closed and
      every worker has ended, so the process flushes its output and ends with ``main``'s
      exit code. An unexpected exception still ends the ordinary way, with its traceback.
    - Nothing left behind: the libraries' temporaries go in a folder of the run's own
      (``files.own_tempdir``), removed before the process ends.
    """
    import gc
    import os
    import sys

    from kommunerapport.files import own_tempdir

    gc.disable()
    try:
        with own_tempdir():
            main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    except KeyboardInterrupt:  # Ctrl-C after the command was done, while it cleaned up
        print("Avbrutt.", file=sys.stderr)
        code = 130
    if isinstance(code, str):  # sys.exit("message"): Python prints it and exits with 1
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)
