"""The command line: parse options, call the core, print the result.

Heavy libraries (pandas, matplotlib, WeasyPrint) are imported inside the
commands so that ``--help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.cli.options import data_option, year_option

EPILOG = """\b
Examples:
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


@click.group(invoke_without_command=True, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--county", help="Write the report for one county (name or number).")
@click.option("--sector", is_flag=True, help="Write the report for the whole sector.")
@click.option("--member", "member_names", multiple=True, metavar="NAVN|NUMMER",
              help="Skriv rapporten for ett medlem: en kommune eller en fylkeskommune, med "
                   "navn i hvilken som helst skrivemåte eller nummer (Kautokeino, 5612, "
                   "«Vestfold fylkeskommune», 39). Kan gis flere ganger.")
@click.option("--all", "everything", is_flag=True,
              help="Write the sector report and the 15 county reports.")
@click.option("--members", is_flag=True,
              help="Write one report per municipality and per county authority "
                   "(with --all: every report in one run).")
@click.option("--jobs", type=click.IntRange(min=1),
              help="Worker processes for --all/--members. Default and most: the number of CPUs.")
@click.option("--skip-existing", is_flag=True,
              help="With --all/--members: write only the reports that are missing.")
@click.option("--kit", is_flag=True,
              help="Also write a press kit beside each PDF: charts and maps as PNG and SVG "
                   "with their alt text, the text as Markdown, every number as CSV.")
@year_option
@click.option("--lang", type=click.Choice(["nb", "nn"]),
              help="Bokmål or nynorsk. Default: the county's official written form.")
@data_option
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Folder for the PDF.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="TOML file with quotes, contacts, «Om KS» text and keywords.")
@click.option("--templates", "templates_dir",
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="A folder with your own copies of the templates and styles.")
@click.version_option(package_name="kommunerapport")
@click.pass_context
def main(ctx: click.Context, county: str | None, sector: bool, member_names: tuple[str, ...],
         everything: bool, members: bool,
         jobs: int | None, skip_existing: bool, kit: bool, year: int | None,
         lang: str | None, data_file: Path | None, out_dir: Path, config_file: Path | None,
         templates_dir: Path | None) -> None:
    """Norwegian municipal accounts as press-release PDF reports.

    Writes the report for a county (--county) or the whole sector (--sector)
    from the built-in data or your own (--data), and prints the PDF's path;
    or many at once (--all, --members) with a summary.
    """
    if ctx.invoked_subcommand is not None:
        return
    if sum((bool(county), sector, bool(member_names), everything or members)) != 1:
        raise click.UsageError("Velg én av --county NAVN, --sector, --member NAVN, --all eller "
                               "--members.")
    batch_only = [name for name, given in (("--jobs", jobs), ("--skip-existing", skip_existing))
                  if given]
    if batch_only and not (everything or members):
        from kommunerapport.errors import UsageError

        raise UsageError(f"{' og '.join(batch_only)} gjelder bare --all og --members, "
                         "som skriver mange rapporter.")
    if everything or members:
        from kommunerapport.batch.run import run_cli

        ctx.exit(run_cli(everything=everything, members=members, year=year, lang=lang,
                         data_file=data_file, out_dir=out_dir, config_file=config_file,
                         templates_dir=templates_dir, jobs=jobs, skip_existing=skip_existing,
                         kit=kit))
    if member_names:
        from kommunerapport.batch.single import write_members

        for written in write_members(list(member_names), year=year, lang=lang,
                                     data_file=data_file, out_dir=out_dir,
                                     config_file=config_file, templates_dir=templates_dir,
                                     kit=kit):
            click.echo(str(written))
            if kit:
                from kommunerapport.render.kit import kit_folder

                click.echo(str(kit_folder(written)))
        return
    from kommunerapport.batch.single import write_report

    path = write_report(county=county, year=year, lang=lang, data_file=data_file,
                        out_dir=out_dir, config_file=config_file, templates_dir=templates_dir,
                        kit=kit)
    click.echo(str(path))
    if kit:
        from kommunerapport.render.kit import kit_folder

        click.echo(str(kit_folder(path)))


def _add_commands() -> None:
    """The subcommands, each in a module of its own (imported here: Click only, no heavy
    libraries, so ``--help`` answers at once)."""
    from kommunerapport.cli import fetch, figures, send

    for command in (figures.counties, figures.figures, send.send, fetch.fetch, fetch.inspect):
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
    if isinstance(code, str):  # sys.exit("message"): Python prints it and exits with 1
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code if isinstance(code, int) else 0)
