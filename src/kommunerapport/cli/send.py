"""``send``: e-mail each member its own report (``mail``)."""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.cli.options import command


@command()
@click.option("--recipients", "recipients_file", required=True, metavar="FIL",
              type=click.Path(path_type=Path, dir_okay=False),
              help="CSV med overskriftene nummer,navn,epost; flere adresser skilles med «;».")
@click.option("--reports", "reports_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False),
              default=Path("output"), show_default=True,
              help="Mappen med rapportene (den samme som --out da de ble laget).")
@click.option("--dry-run", is_flag=True, help="Vis hva som ville blitt sendt; send ingenting.")
@click.option("--smtp-host", metavar="VERT", default="localhost", show_default=True,
              help="E-postserveren.")
@click.option("--smtp-port", metavar="PORT", default=25, show_default=True,
              type=click.IntRange(1, 65535), help="E-postserverens port.")
@click.option("--smtp-user", metavar="BRUKER",
              help="Logg inn som denne brukeren; passordet leses fra miljøvariabelen "
                   "KOMMUNERAPPORT_SMTP_PASSWORD.")
@click.option("--from", "sender", metavar="ADRESSE",
              help="Avsenderadressen, for eksempel «KS Analyse <analyse@ks.no>».")
@click.option("--rate", metavar="ANTALL",
              help="Høyst så mange e-poster i minuttet, for eksempel 30/min.")
@click.option("--resend", is_flag=True,
              help="Send rapporter som er endret siden de ble sendt.")
@click.option("--resend-unknown", is_flag=True,
              help="Send på nytt e-postene en tidligere kjøring ga ukjent utfall (forbindelsen "
                   "brøt før serveren svarte). Spør mottakerne først.")
@click.option("--draft", metavar="ADRESSE",
              help="Send utkastene (rapporter som ikke er godkjent) til denne testadressen, "
                   "og bare dit: hver rapport går til den i stedet for til medlemmet.")
@click.option("--allow-sample", is_flag=True,
              help="Tillat rapporter som bygger på eksempeldata.")
@click.option("--starttls/--no-starttls", default=None,
              help="Krev STARTTLS, eller bruk det aldri. Standard: brukes når serveren "
                   "tilbyr det.")
@click.option("--templates", "templates_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="En mappe med egne kopier av email_subject.txt og email_body.txt.")
def send(recipients_file: Path, reports_dir: Path, dry_run: bool, smtp_host: str,
         smtp_port: int, smtp_user: str | None, sender: str | None, rate: str | None,
         resend: bool, resend_unknown: bool, draft: str | None, allow_sample: bool,
         starttls: bool | None, templates_dir: Path | None) -> None:
    """Send hvert medlem sin egen rapport på e-post, nøyaktig én gang; trygt å kjøre igjen.

    Sjekker alle adresser og rapporter før noe sendes; en sendelogg i
    rapportmappen gjør at en ny kjøring hopper over det som alt er levert. En
    e-post der forbindelsen brøt før serveren svarte, har ukjent utfall: den
    nevnes, og sendes bare på nytt med --resend-unknown. Rapporter som ikke er
    godkjent (kommunerapport approve), eller som er endret siden, sendes ikke;
    med --draft går alle til én testadresse.

    \b
    Eksempler:
      kommunerapport send --recipients members.csv --dry-run
      KOMMUNERAPPORT_SMTP_PASSWORD=... kommunerapport send --recipients members.csv \\
        --smtp-host smtp.ks.no --smtp-port 587 --smtp-user analyse --from analyse@ks.no
    """
    from kommunerapport.mail.options import SendOptions
    from kommunerapport.mail.run import run_send

    run_send(SendOptions(recipients=recipients_file, reports=reports_dir, dry_run=dry_run,
                         host=smtp_host, port=smtp_port, user=smtp_user, sender=sender,
                         rate=rate, resend=resend, allow_sample=allow_sample, starttls=starttls,
                         templates=templates_dir, resend_unknown=resend_unknown, draft=draft))
