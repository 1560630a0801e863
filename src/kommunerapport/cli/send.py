"""``send`` and ``sendlog``: e-mail each member its own report (``mail``), and what went."""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.cli.options import command

REPORTS_OPTION = click.option(
    "--reports", "reports_dir", type=click.Path(path_type=Path, file_okay=False),
    default=Path("output"), show_default=True, metavar="MAPPE",
    help="Mappen med medlemsrapportene (og sendeloggen).")


@command()
@click.option("--recipients", "recipients_file", required=True, metavar="FIL",
              type=click.Path(path_type=Path, dir_okay=False),
              help="CSV med overskriften nummer,navn,epost (komma eller semikolon; UTF-8, "
                   "Windows-1252 eller Latin-1); flere adresser skilles med «;».")
@REPORTS_OPTION
@click.option("--dry-run", is_flag=True,
              help="Vis avsender, hver e-post og én hel e-post av hver sort; send ingenting.")
@click.option("--preview", "preview_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False),
              help="Skriv hver e-post som en .eml-fil i MAPPE, slik den ville gått; send "
                   "ingenting.")
@click.option("--to-me", metavar="ADRESSE",
              help="Send e-postene som test til ADRESSE i stedet for til medlemmene: én per "
                   "medlem valgt med --only, ellers én av hver sort. Loggføres ikke.")
@click.option("--only", multiple=True, metavar="FYLKE|NUMMER",
              help="Send bare til disse: et fylke (navn) gir fylkets kommuner og "
                   "fylkeskommune, et nummer ett medlem. Kan gis flere ganger.")
@click.option("--exclude", "exclude_file", metavar="FIL",
              type=click.Path(path_type=Path, dir_okay=False),
              help="Avmeldingsliste: adresser som ikke skal få e-post (én per linje).")
@click.option("--smtp-host", default="localhost", show_default=True, metavar="VERT",
              help="E-postserveren.")
@click.option("--smtp-port", type=click.IntRange(1, 65535), metavar="PORT",
              help="Porten. Standard: 25, eller 465 med --smtps.")
@click.option("--smtps", is_flag=True,
              help="TLS fra første byte (implisitt TLS, vanligvis port 465) i stedet for "
                   "STARTTLS.")
@click.option("--starttls/--no-starttls", default=None,
              help="Krev STARTTLS, eller bruk det aldri. Standard: brukes når serveren "
                   "tilbyr det, og kreves resten av sendingen når den har gjort det.")
@click.option("--ca-file", metavar="FIL", type=click.Path(path_type=Path, dir_okay=False),
              help="Stol også på sertifikatene (PEM) i FIL, for eksempel en egen CA. "
                   "Miljøvariabelen SSL_CERT_FILE peker OpenSSL til en annen CA-fil.")
@click.option("--smtp-user", metavar="BRUKER",
              help="Logg inn som BRUKER; passordet leses fra miljøvariabelen "
                   "KOMMUNERAPPORT_SMTP_PASSWORD. Æ, ø, å går fint.")
@click.option("--from", "sender", metavar="ADRESSE",
              help="Avsender, for eksempel «KS Analyse <analyse@ks.no>».")
@click.option("--unsubscribe", metavar="ADRESSE|URL",
              help="Hvor mottakere melder seg av (List-Unsubscribe). Standard: avsenderen.")
@click.option("--rate", metavar="ANTALL",
              help="Høyst så mange e-poster i minuttet, for eksempel 30/min.")
@click.option("--resend", is_flag=True,
              help="Send rapporter som er endret siden de ble sendt, merket som erstatning "
                   "for den som gikk før.")
@click.option("--resend-unknown", is_flag=True,
              help="Send på nytt e-postene en tidligere kjøring ga ukjent utfall "
                   "(forbindelsen brøt før serveren svarte). Spør mottakerne først.")
@click.option("--draft", metavar="ADRESSE",
              help="Send utkastene (rapporter som ikke er godkjent) til denne testadressen, "
                   "og bare dit: hver rapport går til den i stedet for til medlemmet.")
@click.option("--allow-sample", is_flag=True, help="Tillat rapporter bygd på eksempeldata.")
@click.option("--templates", "templates_dir", metavar="MAPPE",
              type=click.Path(path_type=Path, file_okay=False, exists=True),
              help="En mappe med egne utgaver av email_subject.txt, email_body.txt og "
                   "email_body.html.")
def send(recipients_file: Path, reports_dir: Path, dry_run: bool, preview_dir: Path | None,
         to_me: str | None, only: tuple[str, ...], exclude_file: Path | None, smtp_host: str,
         smtp_port: int | None, smtps: bool, starttls: bool | None, ca_file: Path | None,
         smtp_user: str | None, sender: str | None, unsubscribe: str | None,
         rate: str | None, resend: bool, resend_unknown: bool, draft: str | None,
         allow_sample: bool, templates_dir: Path | None) -> None:
    """Send hvert medlem sin egen rapport på e-post, nøyaktig én gang; trygt å kjøre igjen.

    Sjekker alle adresser og rapporter før noe sendes. En sendelogg i rapportmappen
    gjør at en ny kjøring hopper over det som alt er levert. En e-post der
    forbindelsen brøt før serveren svarte, har ukjent utfall: den nevnes ved hver
    kjøring, og sendes på nytt bare med --resend-unknown. Rapporter som ikke er
    godkjent (kommunerapport approve), eller som er endret siden, sendes ikke; med
    --draft går alle til én testadresse.

    \b
    Eksempler:
      kommunerapport send --recipients members.csv --from analyse@ks.no --dry-run
      kommunerapport send --recipients members.csv --from analyse@ks.no --preview utkast
      kommunerapport send --recipients members.csv --from analyse@ks.no \\
        --smtp-host smtp.ks.no --to-me meg@ks.no --only Vestland
      KOMMUNERAPPORT_SMTP_PASSWORD=... kommunerapport send --recipients members.csv \\
        --smtp-host smtp.ks.no --smtp-port 587 --smtp-user analyse --from analyse@ks.no
    """
    from kommunerapport.mail.options import SendOptions
    from kommunerapport.mail.run import run_send

    run_send(SendOptions(recipients=recipients_file, reports=reports_dir, dry_run=dry_run,
                         host=smtp_host, port=smtp_port or (465 if smtps else 25),
                         user=smtp_user, sender=sender, rate=rate, resend=resend,
                         allow_sample=allow_sample, starttls=starttls, templates=templates_dir,
                         resend_unknown=resend_unknown, smtps=smtps, ca_file=ca_file,
                         preview=preview_dir, to_me=to_me, only=only, exclude=exclude_file,
                         unsubscribe=unsubscribe, draft=draft))


@command()
@REPORTS_OPTION
@click.option("--csv", "csv_file", metavar="FIL", type=click.Path(path_type=Path, dir_okay=False),
              help="Skriv historikken også som CSV som norsk Excel åpner (semikolon, BOM).")
@click.option("--confirm", multiple=True, metavar="ADRESSE",
              help="Mottakeren bekrefter at e-posten med ukjent utfall kom fram: merk den "
                   "som sendt. Kan gis flere ganger.")
def sendlog(reports_dir: Path, csv_file: Path | None, confirm: tuple[str, ...]) -> None:
    """Vis hva som ble sendt til hvem og når, med utfall (fra sendeloggen).

    \b
    Eksempler:
      kommunerapport sendlog
      kommunerapport sendlog --reports rapporter --csv sendt.csv
      kommunerapport sendlog --confirm post@kinn.kommune.no
    """
    from kommunerapport.mail import status

    if confirm:
        status.confirm(reports_dir, confirm, click.echo)
        return
    status.show(reports_dir, csv_file, click.echo)
