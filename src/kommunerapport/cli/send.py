"""``send``: e-mail each member its own report (``mail``)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
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
