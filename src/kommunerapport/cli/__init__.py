"""The command line: parse options, call the core, print the result.

Heavy libraries (pandas, matplotlib, WeasyPrint) are imported inside the
commands so that ``--help`` answers at once.
"""

from __future__ import annotations

from pathlib import Path

import click

EPILOG = """\b
Examples:
  kommunerapport --county Vestfold
  kommunerapport --county Vestland --year 2024 --lang nn
  kommunerapport --sector --config ks.toml
  kommunerapport --county Vestland --kit
  kommunerapport --all
  kommunerapport --all --members --jobs 2 --skip-existing
  kommunerapport figures --county Vestfold
  kommunerapport counties
"""

data_option = click.option(
    "--data", "data_file", type=click.Path(path_type=Path, dir_okay=False),
    help="A data file to use instead of the built-in data.")
year_option = click.option("--year", type=int,
                           help="Accounting year. Default: the latest in the data.")


@click.group(invoke_without_command=True, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--county", help="Write the report for one county (name or number).")
@click.option("--sector", is_flag=True, help="Write the report for the whole sector.")
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
def main(ctx: click.Context, county: str | None, sector: bool, everything: bool, members: bool,
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
    if sum((bool(county), sector, everything or members)) != 1:
        raise click.UsageError("Velg én av --county NAVN, --sector, --all eller --members.")
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
    from kommunerapport.batch.single import write_report

    path = write_report(county=county, year=year, lang=lang, data_file=data_file,
                        out_dir=out_dir, config_file=config_file, templates_dir=templates_dir,
                        kit=kit)
    click.echo(str(path))
    if kit:
        from kommunerapport.render.kit import kit_folder

        click.echo(str(kit_folder(path)))


@main.command()
@year_option
def counties(year: int | None) -> None:
    """List the counties with their number of municipalities and written form.

    \b
    Example:
      kommunerapport counties
    """
    from kommunerapport.cli.console import print_counties

    print_counties(year)


@main.command()
@click.option("--county", help="A county's municipalities (name or number).")
@click.option("--sector", is_flag=True, help="The whole sector.")
@year_option
@data_option
def figures(county: str | None, sector: bool, year: int | None, data_file: Path | None) -> None:
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


@main.command()
@click.option("--recipients", "recipients_file", required=True,
              type=click.Path(path_type=Path, dir_okay=False),
              help="CSV with the header nummer,navn,epost; several addresses separated by «;».")
@click.option("--reports", "reports_dir", type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True, help="Folder with the member reports.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send nothing.")
@click.option("--smtp-host", default="localhost", show_default=True, help="Mail server.")
@click.option("--smtp-port", default=25, show_default=True, type=click.IntRange(1, 65535),
              help="Mail server port.")
@click.option("--smtp-user", help="Log in as this user; the password is read from "
              "the environment variable KOMMUNERAPPORT_SMTP_PASSWORD.")
@click.option("--from", "sender", help="Sender address, e.g. «KS Analyse <analyse@ks.no>».")
@click.option("--rate", help="At most this many messages a minute, e.g. 30/min.")
@click.option("--resend", is_flag=True, help="Send reports that changed since they were sent.")
@click.option("--resend-unknown", is_flag=True,
              help="Send again the messages an earlier run left with an unknown outcome "
              "(the connection broke before the server replied). Ask the recipients first.")
@click.option("--allow-sample", is_flag=True, help="Allow reports built on sample figures.")
@click.option("--starttls/--no-starttls", default=None,
              help="Require STARTTLS, or never use it. Default: use it when offered.")
@click.option("--templates", "templates_dir",
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="A folder with your own copies of email_subject.txt and email_body.txt.")
def send(recipients_file: Path, reports_dir: Path, dry_run: bool, smtp_host: str,
         smtp_port: int, smtp_user: str | None, sender: str | None, rate: str | None,
         resend: bool, resend_unknown: bool, allow_sample: bool, starttls: bool | None,
         templates_dir: Path | None) -> None:
    """E-mail each member its own report, exactly once; safe to rerun.

    Checks every address and report before sending anything; a send log in the
    reports folder makes a rerun skip what was already delivered. A message whose
    connection broke before the server replied has an unknown outcome: it is
    named, and sent again only with --resend-unknown.

    \b
    Examples:
      kommunerapport send --recipients members.csv --dry-run
      KOMMUNERAPPORT_SMTP_PASSWORD=... kommunerapport send --recipients members.csv \\
        --smtp-host smtp.ks.no --smtp-port 587 --smtp-user analyse --from analyse@ks.no
    """
    from kommunerapport.mail.options import SendOptions
    from kommunerapport.mail.run import run_send

    run_send(SendOptions(recipients=recipients_file, reports=reports_dir, dry_run=dry_run,
                         host=smtp_host, port=smtp_port, user=smtp_user, sender=sender,
                         rate=rate, resend=resend, allow_sample=allow_sample, starttls=starttls,
                         templates=templates_dir, resend_unknown=resend_unknown))


@main.command()
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


@main.command()
@click.argument("data_file", metavar="FILE", type=click.Path(path_type=Path, dir_okay=False))
def inspect(data_file: Path) -> None:
    """Show how a data file is read: its format, what it gives, what it leaves out and why.

    The same summary every --data import prints, without writing a report.

    \b
    Example:
      kommunerapport inspect saved-12134.json
    """
    from kommunerapport.cli.console import print_import

    print_import(data_file)


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
