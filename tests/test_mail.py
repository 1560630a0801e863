"""``kommunerapport send`` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import base64
import logging
import sqlite3
import subprocess
import sys
from collections import Counter
from email.message import EmailMessage
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner
from mailkit import (
    FROM,
    MEMBERS,
    PASSWORD,
    Inbox,
    cli,
    free_port,
    options,
    quiet,
    serving,
    setup_folder,
    start,
    stop,
    write_csv,
    write_report,
)

from kommunerapport.cli import main
from kommunerapport.mail import delivery as mail_delivery
from kommunerapport.mail import message as mail_message
from kommunerapport.mail import options as mail_options
from kommunerapport.mail import recipients
from kommunerapport.mail import run as mail
from kommunerapport.mail import session as mail_session
from kommunerapport.mail.sendlog import LOG_NAME, open_log
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs import records

# aiosmtpd warns on each connection to a server that takes AUTH without TLS (our
# test server); pyproject turns UserWarning into errors, which would drop the connection.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def inbox():
    with serving() as handler:
        yield handler


def check_password(server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                   auth_data: LoginPassword) -> AuthResult:
    ok = auth_data.login == b"analyse" and auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def auth_inbox():
    with serving(authenticator=check_password, auth_required=True,
                 auth_require_tls=False) as handler:
        yield handler


@pytest.fixture
def setup(tmp_path: Path) -> Path:
    """output/ with the three members' reports and members.csv; returns tmp_path."""
    return setup_folder(tmp_path)


# --- Delivery -----------------------------------------------------------------------


def plain(msg: EmailMessage) -> str:
    """The plain-text body, as a mail client without HTML shows it."""
    return msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")



def test_each_member_gets_its_own_report_in_its_written_form(setup: Path, inbox: Inbox) -> None:
    result = cli(setup, inbox.port)
    assert result.exit_code == 0, result.output
    assert inbox.received() == Counter(a for *_, a in MEMBERS)
    by_rcpt = {rcpts[0]: msg for rcpts, msg in inbox.messages}
    for number, short, address in MEMBERS:
        msg = by_rcpt[address]
        assert msg["To"] == address and msg["From"] == FROM
        assert msg["Date"] and msg["Message-ID"].endswith("@ks.example>")
        [part] = list(msg.iter_attachments())
        report = outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, number, short)
        assert part.get_filename() == report.name
        assert part.get_content_type() == "application/pdf"
        assert part.get_payload(decode=True) == report.read_bytes()
    assert by_rcpt["post@horten.example"]["Subject"] == (
        "Kommuneøkonomien 2025: tallene for Horten kommune")
    assert by_rcpt["post@kinn.example"]["Subject"] == "Kommuneøkonomien 2025: tala for Kinn kommune"
    assert by_rcpt["post@vestland.example"]["Subject"] == (
        "Kommuneøkonomien 2025: tala for Vestland fylkeskommune")
    kinn = plain(by_rcpt["post@kinn.example"])
    assert kinn.startswith("Hei, Kinn kommune!\n\nVedlagt er rapporten frå KS om økonomien til "
                           "Kinn kommune i 2025")
    assert "Med venleg helsing" in kinn and "vennlig" not in kinn
    assert "samanlikna med dei andre fylkeskommunane" in plain(by_rcpt["post@vestland.example"])
    horten = plain(by_rcpt["post@horten.example"])
    assert horten.startswith("Hei, Horten kommune!\n")
    assert "sammenlignet med fylket og landet" in horten and "Med vennlig hilsen" in horten
    # The same words as simple HTML beside the plain text, in the member's language.
    html = by_rcpt["post@kinn.example"].get_body(preferencelist=("html",))
    assert html.get_content_type() == "text/html"
    assert '<html lang="nn">' in html.get_content()
    assert "<p>Hei, Kinn kommune!</p>" in html.get_content()
    assert by_rcpt["post@kinn.example"].get_content_type() == "multipart/mixed"
    assert by_rcpt["post@kinn.example"]["Content-Language"] == "nn"
    assert result.output.splitlines()[-1] == (
        "Sendt: 3. Allerede sendt: 0. Endret, ikke sendt (bruk --resend): 0. Feilet: 0.")


def test_several_addresses_each_get_one_message(tmp_path: Path, inbox: Inbox) -> None:
    (tmp_path / "output").mkdir()
    write_report(tmp_path / "output", "4602", "Kinn")
    # Norwegian Excel writes semicolon-separated CSV; the addresses follow in the row.
    (tmp_path / "members.csv").write_text(
        "\ufeffnummer;navn;epost\n4602;Kinn kommune;post@kinn.example;ordforer@kinn.example\n",
        encoding="utf-8")
    summary = mail.run_send(options(tmp_path, inbox.port), quiet())
    assert len(summary.sent) == 2
    assert inbox.received() == Counter({"post@kinn.example": 1, "ordforer@kinn.example": 1})


def test_rerun_sends_nothing_again(setup: Path, inbox: Inbox) -> None:
    mail.run_send(options(setup, inbox.port), quiet())
    result = cli(setup, inbox.port)
    assert result.exit_code == 0
    assert result.output == (
        "Sendt: 0. Allerede sendt: 3. Endret, ikke sendt (bruk --resend): 0. Feilet: 0.\n")
    assert inbox.received() == Counter(a for *_, a in MEMBERS)


def test_crash_mid_batch_and_rerun_sends_each_exactly_once(setup: Path, inbox: Inbox) -> None:
    delivered = []

    def die_after_two(out: recipients.Outgoing) -> None:
        delivered.append(out.address)
        if len(delivered) == 2:
            raise KeyboardInterrupt  # the operator's Ctrl-C, or a killed process

    hooks = quiet()
    hooks.after_send = die_after_two
    with pytest.raises(mail.Interrupted, match=r"^Sendingen ble avbrutt \(Ctrl-C\) etter 2 "):
        mail.run_send(options(setup, inbox.port), hooks)
    assert len(inbox.messages) == 2
    summary = mail.run_send(options(setup, inbox.port), quiet())
    assert (len(summary.sent), len(summary.skipped)) == (1, 2)
    assert inbox.received() == Counter(a for *_, a in MEMBERS)  # each exactly once


def test_message_id_is_stable_per_address_and_report(setup: Path, inbox: Inbox) -> None:
    mail.run_send(options(setup, inbox.port), quiet())
    db = sqlite3.connect(setup / "output" / LOG_NAME)
    logged = dict(db.execute("SELECT recipient, message_id FROM sent"))
    assert logged == {rcpts[0]: msg["Message-ID"].strip() for rcpts, msg in inbox.messages}
    members = recipients.read_recipients(setup / "members.csv")
    reports = recipients.find_reports(members, setup / "output")
    [first, second, *_] = recipients.plan_messages(members, reports)
    assert mail_message.message_id(first, FROM) == logged[first.address]
    assert mail_message.message_id(first, FROM) != mail_message.message_id(second, FROM)


def test_changed_report_is_sent_again_only_with_resend(setup: Path, inbox: Inbox) -> None:
    mail.run_send(options(setup, inbox.port), quiet())
    changed = write_report(setup / "output", "4602", "Kinn", title="Revidert")
    result = cli(setup, inbox.port)
    assert result.exit_code == 0
    assert result.output == (
        "Sendt: 0. Allerede sendt: 2. Endret, ikke sendt (bruk --resend): 1. Feilet: 0.\n")
    result = cli(setup, inbox.port, "--resend")
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "Sendt: 4602 Kinn <post@kinn.example>"
    assert inbox.received()["post@kinn.example"] == 2
    [part] = list(inbox.messages[-1][1].iter_attachments())
    assert part.get_payload(decode=True) == changed.read_bytes()


# --- Refusals and retries -----------------------------------------------------------


def test_550_for_one_recipient_the_others_are_delivered(setup: Path, inbox: Inbox) -> None:
    inbox.permanent["post@kinn.example"] = "550 5.1.1 Mailbox unavailable"
    result = cli(setup, inbox.port)
    assert result.exit_code == 1
    assert inbox.received() == Counter({"post@horten.example": 1, "post@vestland.example": 1})
    assert inbox.attempts["post@kinn.example"] == 1  # 5xx is never retried
    assert "  Feilet: 4602 Kinn <post@kinn.example>: 550 5.1.1 Mailbox unavailable\n" in (
        result.stdout)
    assert result.stderr == "Feil: 1 av 3 e-poster ble ikke sendt; se over.\n"
    # The failure is not logged: a rerun (once the address is fixed) sends it.
    del inbox.permanent["post@kinn.example"]
    assert cli(setup, inbox.port).exit_code == 0
    assert inbox.received() == Counter(a for *_, a in MEMBERS)


def test_4xx_is_retried_with_backoff(setup: Path, inbox: Inbox) -> None:
    inbox.temporary["post@kinn.example"] = ["451 4.3.0 Try again later"] * 2
    slept: list[float] = []
    hooks = mail_delivery.Hooks(sleep=slept.append, echo=lambda s: None)
    summary = mail.run_send(options(setup, inbox.port), hooks)
    assert len(summary.sent) == 3
    assert slept == [5.0, 20.0]  # mail_session.BACKOFF
    assert inbox.received()["post@kinn.example"] == 1


def test_421_closes_and_the_retry_reconnects(setup: Path, inbox: Inbox) -> None:
    inbox.temporary["post@kinn.example"] = ["421 4.3.2 Stenger ned"]  # smtplib hangs up
    slept: list[float] = []
    hooks = mail_delivery.Hooks(sleep=slept.append, echo=lambda s: None)
    summary = mail.run_send(options(setup, inbox.port), hooks)
    assert len(summary.sent) == 3 and slept == [5.0]  # no try wasted on the closed socket
    assert inbox.received() == Counter(a for *_, a in MEMBERS)


def test_4xx_that_never_clears_fails_after_bounded_retries(setup: Path, inbox: Inbox) -> None:
    inbox.temporary["post@kinn.example"] = ["452 4.2.2 Mailbox full"] * 10
    slept: list[float] = []
    hooks = mail_delivery.Hooks(sleep=slept.append, echo=lambda s: None)
    summary = mail.send_reports(options(setup, inbox.port), hooks)
    assert [reason for _, reason in summary.failed] == [
        "452 4.2.2 Mailbox full (ga opp etter 4 forsøk)"]
    assert slept == list(mail_session.BACKOFF) and inbox.attempts["post@kinn.example"] == 4


def test_server_unreachable_stops_before_sending(setup: Path) -> None:
    port = free_port()  # nobody listens
    result = cli(setup, port)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Feil: Får ikke kontakt med e-postserveren 127.0.0.1:{port}: ")
    assert result.stderr.endswith("Sjekk --smtp-host og --smtp-port.\n")


def test_lost_connection_is_reopened(setup: Path, inbox: Inbox) -> None:
    restarted = []

    def restart_server(out: recipients.Outgoing) -> None:
        if not restarted:  # after the first message the server goes away and comes back
            stop(inbox)
            start(inbox, inbox.port)
            restarted.append(True)

    slept: list[float] = []
    hooks = mail_delivery.Hooks(sleep=slept.append, echo=lambda s: None, after_send=restart_server)
    summary = mail.run_send(options(setup, inbox.port), hooks)
    # The connection the restart closed is found closed at MAIL FROM and reopened at
    # once: a server may close an idle connection at any time, nothing was handed over.
    assert len(summary.sent) == 3 and slept == []
    assert inbox.received() == Counter(a for *_, a in MEMBERS)


def test_server_gone_for_good_fails_the_rest(setup: Path, inbox: Inbox) -> None:
    def stop_server(out: recipients.Outgoing) -> None:
        stop(inbox)

    slept: list[float] = []
    hooks = mail_delivery.Hooks(sleep=slept.append, echo=lambda s: None, after_send=stop_server)
    summary = mail.send_reports(options(setup, inbox.port), hooks)
    assert len(summary.sent) == 1 and slept == list(mail_session.BACKOFF)  # bounded
    assert [out.address for out, _ in summary.failed] == [a for *_, a in MEMBERS[1:]]
    assert all(reason.startswith("ikke sendt: forbindelsen til e-postserveren brøt")
               and reason.endswith("(ga opp etter 4 forsøk)") for _, reason in summary.failed)


def restart_with(inbox: Inbox, **settings: object) -> mail_delivery.Hooks:
    """Hooks that, after the first message, restart the server with these settings."""
    def restart(out: recipients.Outgoing) -> None:
        if out.address == MEMBERS[0][2]:
            stop(inbox)
            start(inbox, inbox.port)  # (start() itself connects once to check the server)
            for name, value in settings.items():
                setattr(inbox, name, value)

    return mail_delivery.Hooks(sleep=lambda s: None, echo=lambda s: None, after_send=restart)


@pytest.mark.parametrize(("settings", "reason"), [
    ({"greetings": ["554 5.3.2 Ikke nå"]}, "avviste forbindelsen: 554 5.3.2 Ikke nå."),
    ({"ehlo_refusal": "550 5.7.1 Ukjent"}, "avviste EHLO/HELO: 550 5.7.1 Ukjent."),
])
def test_5xx_to_a_new_session_is_not_retried(setup: Path, inbox: Inbox, settings: dict,
                                              reason: str) -> None:
    hooks = restart_with(inbox, **settings)
    slept: list[float] = []
    hooks.sleep = slept.append
    summary = mail.send_reports(options(setup, inbox.port), hooks)
    assert len(summary.sent) == 1
    assert slept == []  # the closed connection reopened at once, then the 5xx: no more
    assert [out.address for out, _ in summary.failed] == [a for *_, a in MEMBERS[1:]]
    assert all(why == f"ikke sendt: E-postserveren 127.0.0.1:{inbox.port} {reason}"
               for _, why in summary.failed), summary.failed


def test_4xx_greeting_on_reconnect_is_retried(setup: Path, inbox: Inbox) -> None:
    hooks = restart_with(inbox, greetings=["421 4.3.2 Opptatt"])
    slept: list[float] = []
    hooks.sleep = slept.append
    summary = mail.send_reports(options(setup, inbox.port), hooks)
    assert len(summary.sent) == 3 and slept == [5.0]  # reopened at once, 421, then 5 s
    assert inbox.received() == Counter(a for *_, a in MEMBERS)


@pytest.mark.parametrize(("settings", "args", "message"), [
    ({"greetings": ["554 5.3.2 Ikke nå"]}, (),
     "avviste forbindelsen: 554 5.3.2 Ikke nå."),
    ({"greetings": ["421 4.3.2 Opptatt"]}, (),
     "avviste forbindelsen: 421 4.3.2 Opptatt. Prøv igjen senere."),
    ({"ehlo_refusal": "550 5.7.1 Ukjent"}, (), "avviste EHLO/HELO: 550 5.7.1 Ukjent."),
    ({"ehlo_extra": ["250-STARTTLS"]}, (),  # offered, but no TLS behind it: 454
     "tilbyr STARTTLS, men avviste den: 454 TLS not available. Prøv igjen senere."),
    ({"ehlo_extra": ["250-AUTH XOAUTH2"]}, ("--smtp-user", "analyse"),
     "tilbyr ingen innloggingsmåte dette verktøyet kan (den tilbyr XOAUTH2; "
     "vi kan PLAIN, LOGIN og CRAM-MD5)."),
])
def test_refused_session_is_named_not_called_unreachable(
        setup: Path, inbox: Inbox, settings: dict, args: tuple[str, ...], message: str) -> None:
    for name, value in settings.items():
        setattr(inbox, name, value)
    result = cli(setup, inbox.port, *args, env={mail_options.PASSWORD_ENV: PASSWORD})
    assert result.exit_code == 1
    assert result.stderr == f"Feil: E-postserveren 127.0.0.1:{inbox.port} {message}\n"
    assert inbox.messages == []


# --- Authentication and TLS ---------------------------------------------------------


def test_auth_with_password_from_environment_never_shown(
        setup: Path, auth_inbox: Inbox, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    caplog.set_level(logging.DEBUG)
    env = {mail_options.PASSWORD_ENV: PASSWORD}
    result = cli(setup, auth_inbox.port, "--smtp-user", "analyse", env=env)
    assert result.exit_code == 0, result.output
    assert auth_inbox.received() == Counter(a for *_, a in MEMBERS)
    encoded = base64.b64encode(f"\0analyse\0{PASSWORD}".encode()).decode()
    logged = caplog.text  # ours and the test server's (aiosmtpd masks AUTH lines)
    captured = capfd.readouterr()
    log_db = (setup / "output" / LOG_NAME).read_bytes().decode("latin-1")
    for text in (result.output, logged, captured.out, captured.err, log_db):
        assert PASSWORD not in text and encoded not in text
    for _, msg in auth_inbox.messages:
        assert PASSWORD not in msg.as_string()


def test_auth_without_password_in_environment(setup: Path, auth_inbox: Inbox) -> None:
    result = cli(setup, auth_inbox.port, "--smtp-user", "analyse")
    assert result.exit_code == 2
    assert result.stderr == ("Feil: --smtp-user er satt, men miljøvariabelen "
                             "KOMMUNERAPPORT_SMTP_PASSWORD er tom. Sett passordet der.\n")
    assert auth_inbox.messages == []


def test_wrong_password_is_refused_without_showing_it(setup: Path, auth_inbox: Inbox) -> None:
    result = cli(setup, auth_inbox.port, "--smtp-user", "analyse",
                 env={mail_options.PASSWORD_ENV: "feil-passord"})
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: E-postserveren 127.0.0.1:{auth_inbox.port} godtok ikke innloggingen for "
        "--smtp-user analyse (535). Sjekk brukernavnet og KOMMUNERAPPORT_SMTP_PASSWORD.\n")
    assert "feil-passord" not in result.output


def test_starttls_required_but_not_offered(setup: Path, inbox: Inbox) -> None:
    result = cli(setup, inbox.port, "--starttls")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: E-postserveren 127.0.0.1:{inbox.port} tilbyr ikke STARTTLS, og --starttls "
        "krever kryptering. Bruk --no-starttls for å sende ukryptert.\n")
    assert inbox.messages == []


def test_plain_text_to_a_remote_server_is_said_once(
        setup: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    result = cli(setup, inbox.port)  # loopback: plain text is fine, nothing said
    assert (result.exit_code, result.stderr) == (0, "")
    write_report(setup / "output", "4602", "Kinn", title="Revidert")
    monkeypatch.setattr(mail_session, "is_loopback",
                        lambda host: False)  # pretend 127.0.0.1 is remote
    result = cli(setup, inbox.port, "--resend")
    assert result.exit_code == 0
    assert result.stderr == (
        f"Advarsel: E-postserveren 127.0.0.1:{inbox.port} tilbyr ikke STARTTLS, så e-postene "
        "sendes ukryptert. Bruk --starttls for å kreve kryptering, eller --no-starttls for å "
        "sende ukryptert uten denne advarselen.\n")
    write_report(setup / "output", "4602", "Kinn", title="Revidert igjen")
    result = cli(setup, inbox.port, "--resend", "--no-starttls")  # asked for: nothing said
    assert (result.exit_code, result.stderr) == (0, "")
    assert inbox.received()["post@kinn.example"] == 3


# --- Checks before sending ----------------------------------------------------------


def test_dry_run_shows_sender_each_message_and_each_kind_of_body(setup: Path,
                                                                 inbox: Inbox) -> None:
    result = cli(setup, inbox.port, "--dry-run")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.output.splitlines()
    assert lines[:4] == [
        "Fra: analyse@ks.example",
        "E-post til 3901 Horten <post@horten.example>: kommuneokonomi-2025-3901-horten.pdf "
        "(bokmål), «Kommuneøkonomien 2025: tallene for Horten kommune»",
        "E-post til 4602 Kinn <post@kinn.example>: kommuneokonomi-2025-4602-kinn.pdf "
        "(nynorsk), «Kommuneøkonomien 2025: tala for Kinn kommune»",
        "E-post til 46 Vestland <post@vestland.example>: "
        "kommuneokonomi-2025-46-vestland-fylkeskommune.pdf (nynorsk), «Kommuneøkonomien 2025: "
        "tala for Vestland fylkeskommune»"]
    # One whole message of each kind (bokmål kommune, nynorsk kommune, nynorsk
    # fylkeskommune), as the recipient reads it.
    assert lines[4:8] == ["--- Slik blir e-posten til 3901 Horten <post@horten.example> ---",
                          "Emne: Kommuneøkonomien 2025: tallene for Horten kommune",
                          "Hei, Horten kommune!", ""]
    starts = [line for line in lines if line.startswith("--- Slik blir")]
    assert starts == [f"--- Slik blir e-posten til {n} {s} <{a}> ---" for n, s, a in MEMBERS]
    assert "Vedlagt er rapporten frå KS om økonomien til Vestland fylkeskommune i 2025, med " \
           "netto driftsresultat, disposisjonsfond og utviklinga over tid, samanlikna med dei " \
           "andre fylkeskommunane." in lines
    assert lines[-1] == (
        "Tørrkjøring: 3 e-poster ville blitt sendt, 0 hoppet over. Ingenting er sendt.")
    assert inbox.attempts == Counter() and inbox.messages == []
    assert not (setup / "output" / LOG_NAME).exists()


def test_dry_run_without_sender_says_a_real_run_would_stop(setup: Path) -> None:
    result = CliRunner().invoke(main, ["send", "--recipients", str(setup / "members.csv"),
                                       "--reports", str(setup / "output"), "--dry-run"])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "Fra: (mangler --from)"
    assert result.stdout.splitlines()[-1] == (
        "Tørrkjøring: 3 e-poster ville blitt sendt, 0 hoppet over. Ingenting er sendt.")
    assert result.stderr == ("Feil: En ekte kjøring ville stoppet før første e-post: Mangler "
                             "--from: oppgi avsenderadressen, for eksempel --from analyse@ks.no.\n")


def test_dry_run_after_a_send_shows_what_is_skipped(setup: Path, inbox: Inbox) -> None:
    mail.run_send(options(setup, inbox.port), quiet())
    result = cli(setup, inbox.port, "--dry-run")
    assert result.output.splitlines()[:2] == [
        "Fra: analyse@ks.example", "Hopper over 3901 Horten <post@horten.example>: allerede sendt"]
    assert result.output.splitlines()[-1] == (
        "Tørrkjøring: 0 e-poster ville blitt sendt, 3 hoppet over. Ingenting er sendt.")


def test_sample_report_refused_unless_allowed(setup: Path, inbox: Inbox) -> None:
    write_report(setup / "output", "4602", "Kinn", sample=True)
    result = cli(setup, inbox.port)
    assert result.exit_code == 1
    assert result.stderr == (
        "Feil: 1 rapport bygger på eksempeldata (kommuneokonomi-2025-4602-kinn.pdf) og "
        "sendes ikke. Bruk --allow-sample om det er meningen.\n")
    assert inbox.attempts == Counter()
    preview = cli(setup, inbox.port, "--dry-run")  # the preview shows it, and what would stop
    assert preview.exit_code == 1
    assert "kommuneokonomi-2025-4602-kinn.pdf (nynorsk, eksempeldata)" in preview.output
    assert preview.stderr == (
        "Feil: En ekte kjøring ville stoppet før første e-post: 1 rapport bygger på "
        "eksempeldata (kommuneokonomi-2025-4602-kinn.pdf) og sendes ikke. Bruk --allow-sample "
        "om det er meningen.\n")
    body = preview.stdout.split("--- Slik blir e-posten til 4602 Kinn <post@kinn.example> ---")[1]
    # No sentence claims KOSTRA as the source of sample figures.
    assert "Merk: Rapporten byggjer på eksempeldata – ikkje offisielle tal, og skal ikkje " \
           "brukast som tal for Kinn kommune." in body.split("--- Vedlegg")[0]
    assert "KOSTRA" not in body.split("--- Vedlegg")[0]
    assert cli(setup, inbox.port, "--dry-run", "--allow-sample").exit_code == 0
    assert cli(setup, inbox.port, "--allow-sample").exit_code == 0
    assert len(inbox.messages) == 3


def test_missing_report_stops_before_sending(setup: Path, inbox: Inbox) -> None:
    (outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, "46", "Vestland")).unlink()
    result = cli(setup, inbox.port)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: Mangler rapport i {setup / 'output'} for 1 mottaker: 46 Vestland. "
        "Lag dem med kommunerapport --members.\n")
    assert inbox.attempts == Counter()


def test_broken_pdf_is_one_line_on_stderr(setup: Path) -> None:
    report = outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    report.write_bytes(report.read_bytes()[:200])  # truncated: no %%EOF, no xref
    # A process of its own: pytest's log capture would hide anything logged.
    result = subprocess.run(
        [sys.executable, "-m", "kommunerapport", "send", "--recipients",
         str(setup / "members.csv"), "--reports", str(setup / "output"), "--dry-run"],
        capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Feil: 1 rapport i {setup / 'output'} kan ikke sendes: kommuneokonomi-2025-4602-kinn.pdf "
        "(endret etter at kommunerapport skrev den). Lag dem på nytt med "
        "kommunerapport --members.\n")


def test_a_mix_of_years_is_refused(setup: Path, inbox: Inbox) -> None:
    (outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")).unlink()
    write_report(setup / "output", "4602", "Kinn", year=2024)  # last year's, still there
    result = cli(setup, inbox.port)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: Rapportene i {setup / 'output'} er fra ulike år: 2025 for de fleste, eldre for "
        "4602 Kinn (2024). Lag dem for 2025, eller velg en annen mappe med --reports.\n")
    assert inbox.attempts == Counter()


def test_the_report_is_picked_by_the_tools_record_not_by_name(setup: Path,
                                                                inbox: Inbox) -> None:
    # «…-zzz-gammel.pdf» sorts after the current report; only the current one has a record.
    kinn = outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    old = kinn.with_name("kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf")
    old.write_bytes(b"%PDF-1.7 an old copy")
    result = cli(setup, inbox.port)
    assert result.exit_code == 0, result.output
    assert result.stderr == ("Merk: sender ikke kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf "
                             "(ikke registrert som skrevet av kommunerapport).\n")
    by_rcpt = {rcpts[0]: msg for rcpts, msg in inbox.messages}
    [part] = list(by_rcpt["post@kinn.example"].iter_attachments())
    assert part.get_filename() == kinn.name
    assert part.get_payload(decode=True) == kinn.read_bytes()


def test_two_recorded_reports_of_one_year_are_refused(setup: Path, inbox: Inbox) -> None:
    # The register renamed the member between two batch runs: both files are the tool's.
    write_report(setup / "output", "4602", "Kinn Flora")
    result = cli(setup, inbox.port)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: 4602 Kinn har 2 rapporter for 2025 i {setup / 'output'}: "
        "kommuneokonomi-2025-4602-kinn-flora.pdf, kommuneokonomi-2025-4602-kinn.pdf. "
        "Flytt bort den som ikke skal sendes.\n")
    assert inbox.attempts == Counter()


def test_last_years_recorded_report_beside_this_years_is_passed_over(setup: Path,
                                                                     inbox: Inbox) -> None:
    write_report(setup / "output", "4602", "Kinn", year=2024)
    result = cli(setup, inbox.port)
    assert (result.exit_code, result.stderr) == (0, "")
    by_rcpt = {rcpts[0]: msg for rcpts, msg in inbox.messages}
    [part] = list(by_rcpt["post@kinn.example"].iter_attachments())
    assert part.get_filename() == "kommuneokonomi-2025-4602-kinn.pdf"


def test_a_report_without_record_is_refused(setup: Path, inbox: Inbox) -> None:
    kinn = outputs.report_path(setup / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    records.record_path(kinn).unlink()  # e.g. written by an older version, or copied alone
    result = cli(setup, inbox.port, "--dry-run")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: 1 rapport i {setup / 'output'} kan ikke sendes: {kinn.name} (ikke registrert "
        "som skrevet av kommunerapport). Lag dem på nytt med kommunerapport --members.\n")


@pytest.mark.parametrize(("row", "message"), [
    (("4602", "Kinn", "post@kinn"), "rad 2: ugyldig e-postadresse «post@kinn»."),
    (("4602", "Kinn", "a@kinn.example;Ola <b@kinn.example>"),
     "rad 2: ugyldig e-postadresse «Ola <b@kinn.example>»."),
    (("4602", "Kinn", ""), "rad 2: mangler e-postadresse."),
    (("4602", "Klepp", "post@kinn.example"),
     "rad 2: nummer 4602 er Kinn, ikke «Klepp». Rett nummeret eller navnet."),
    (("9999", "Kinn", "post@kinn.example"), "rad 2: ukjent kommunenummer 9999."),
    (("4602x", "Kinn", "post@kinn.example"),
     "rad 2: «4602x» er ikke et kommunenummer (4 sifre) eller fylkesnummer (2 sifre)."),
])
def test_bad_row_is_named(setup: Path, inbox: Inbox, row: tuple[str, str, str],
                          message: str) -> None:
    write_csv(setup, [row])
    result = cli(setup, inbox.port)
    assert result.exit_code == 2
    assert result.stderr == f"Feil: {setup / 'members.csv'}, {message}\n"
    assert inbox.attempts == Counter()


def test_line_break_inside_a_quoted_field_is_refused(setup: Path, inbox: Inbox) -> None:
    # A spreadsheet cell with Alt+Enter: one field over two lines, not two rows.
    (setup / "members.csv").write_text(
        'nummer,navn,epost\n4602,Kinn,"post@kinn.\nexample"\n3901,Horten,post@horten.example\n',
        encoding="utf-8")
    result = cli(setup, inbox.port)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Feil: {setup / 'members.csv'}, rad 2: e-postfeltet «post@kinn. example» går over "
        "flere linjer; skill adressene med «;».\n")
    assert inbox.attempts == Counter()


def test_duplicate_member_and_bad_header(setup: Path) -> None:
    write_csv(setup, [("4602", "Kinn", "a@kinn.example"), ("4602", "Kinn", "b@kinn.example")])
    with pytest.raises(recipients.UsageError, match="rad 3: nummer 4602 står også på rad 2"):
        recipients.read_recipients(setup / "members.csv")
    write_csv(setup, [("4602", "Kinn", "a@kinn.example")], header="kommune,epost")
    with pytest.raises(recipients.UsageError, match="første linje må være «nummer,navn,epost», "
                                             "ikke «kommune,epost»"):
        recipients.read_recipients(setup / "members.csv")


def test_spreadsheet_numbers_and_names_are_accepted(setup: Path) -> None:
    write_csv(setup, [("301", "Oslo - Oslove", "post@oslo.example"),
                      ("3", "oslo", "fk@oslo.example"),
                      ("4602", "KINN KOMMUNE", "post@kinn.example")])
    members = recipients.read_recipients(setup / "members.csv")
    got = [(r.number, r.member, r.lang) for r in members]
    assert got == [("0301", "Oslo - Oslove kommune", "nb"), ("03", "Oslo kommune", "nb"),
                   ("4602", "Kinn kommune", "nn")]


def test_sender_is_required_and_checked(setup: Path, inbox: Inbox) -> None:
    runner = CliRunner()
    base = ["send", "--recipients", str(setup / "members.csv"), "--reports", str(setup / "output")]
    result = runner.invoke(main, base)
    assert (result.exit_code, result.stderr) == (
        2, "Feil: Mangler --from: oppgi avsenderadressen, for eksempel --from analyse@ks.no.\n")
    result = runner.invoke(main, [*base, "--from", "ks.no"])
    assert result.stderr == "Feil: --from «ks.no» er ikke en gyldig e-postadresse.\n"


# --- Rate, templates, help ----------------------------------------------------------


@pytest.mark.parametrize(("text", "per_minute"), [("30/min", 30.0), ("30", 30.0),
                                                  ("0,5/min", 0.5), (None, None)])
def test_parse_rate(text: str | None, per_minute: float | None) -> None:
    assert mail_options.parse_rate(text) == per_minute


def test_bad_rate(setup: Path) -> None:
    result = cli(setup, free_port(), "--rate", "fort")
    assert (result.exit_code, result.stderr) == (
        2, "Feil: --rate «fort»: skriv antall e-poster per minutt, for eksempel 30/min.\n")
    result = cli(setup, free_port(), "--rate", "0,05/min")  # one every 20 minutes
    assert (result.exit_code, result.stderr) == (
        2, "Feil: --rate «0,05/min»: for sakte; minst 0,1 e-post per minutt (én hvert tiende "
           "minutt), for eksempel 30/min.\n")


def test_a_run_that_takes_a_while_says_so_before_it_starts(setup: Path, inbox: Inbox) -> None:
    now = [0.0]
    said: list[str] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    hooks = mail_delivery.Hooks(sleep=sleep, clock=lambda: now[0], echo=said.append)
    mail.run_send(options(setup, inbox.port, rate="0,5/min"), hooks)
    assert said[0] == "Med --rate tar 3 e-poster minst 4 minutter å sende."  # 2 × 120 s
    assert now[0] == 240.0


@pytest.mark.parametrize(("seconds", "text"), [
    (60, "1 minutt"), (240, "4 minutter"), (3600, "1 time"), (7500, "2 timer og 5 minutter"),
    (86400, "1 døgn"), (3700 * 60, "2 døgn og 13 timer"),  # 371 intervals of 10 minutes
])
def test_duration_in_words(seconds: float, text: str) -> None:
    assert mail_delivery.duration(seconds) == text


def test_rate_limit_spaces_the_messages(setup: Path, inbox: Inbox) -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    hooks = mail_delivery.Hooks(sleep=sleep, clock=lambda: now[0], echo=lambda s: None)
    mail.run_send(options(setup, inbox.port, rate="20/min"), hooks)
    assert slept == [3.0, 3.0]  # 60 s / 20; none before the first message
    assert len(inbox.messages) == 3


def test_templates_use_only_documented_context() -> None:
    env = mail_message.load_templates().env
    documented = set(mail_message.EmailContext.__annotations__)
    for name in mail_message.TEMPLATE_NAMES:
        source = env.loader.get_source(env, name)[0]
        used = jinja2.meta.find_undeclared_variables(env.parse(source))
        assert used <= documented, name
        assert "lang" in used, name


def test_send_help_has_an_example() -> None:
    result = CliRunner().invoke(main, ["send", "--help"])
    assert result.exit_code == 0
    assert ("Eksempler:\n    kommunerapport send --recipients members.csv --from analyse@ks.no "
            "--dry-run\n") in result.output


def test_a_log_from_the_version_before_unknown_outcomes_is_read_and_extended(
        setup: Path, inbox: Inbox) -> None:
    members = recipients.read_recipients(setup / "members.csv")
    reports = recipients.find_reports(members, setup / "output")
    horten = recipients.plan_messages(members, reports)[0]
    with sqlite3.connect(setup / "output" / LOG_NAME) as db:  # that version's whole schema
        db.execute("CREATE TABLE sent (recipient TEXT NOT NULL, member TEXT NOT NULL, "
                   "report_sha256 TEXT NOT NULL, report_name TEXT NOT NULL, "
                   "message_id TEXT NOT NULL, sent_at TEXT NOT NULL, "
                   "PRIMARY KEY (recipient, member, report_sha256))")
        db.execute("INSERT INTO sent VALUES (?, '3901', ?, ?, '<x@ks.example>', '2026-03-06')",
                   (horten.address, horten.report.sha256, horten.report.path.name))
    db.close()
    preview = cli(setup, inbox.port, "--dry-run")
    assert preview.output.splitlines()[1] == (
        "Hopper over 3901 Horten <post@horten.example>: allerede sendt")
    result = cli(setup, inbox.port)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        "Sendt: 2. Allerede sendt: 1. Endret, ikke sendt (bruk --resend): 0. Feilet: 0.")
    with sqlite3.connect(setup / "output" / LOG_NAME) as db:
        found = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    assert found == {"sent", "unknown", "failed", "runs"}


def test_two_runs_on_one_folder_cannot_both_send(setup: Path, inbox: Inbox) -> None:
    with open_log(setup / "output"):
        result = cli(setup, inbox.port)
        assert result.exit_code == 1
        assert result.stderr == (f"Feil: Sendeloggen {setup / 'output' / LOG_NAME} er i bruk "
                                 "av en annen sending. Vent til den er ferdig.\n")
    assert inbox.attempts == Counter()
    assert cli(setup, inbox.port).exit_code == 0


def test_password_is_not_sent_in_clear_to_a_remote_server(
        setup: Path, auth_inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_session, "is_loopback",
                        lambda host: False)  # pretend 127.0.0.1 is remote
    env = {mail_options.PASSWORD_ENV: PASSWORD}
    result = cli(setup, auth_inbox.port, "--smtp-user", "analyse", env=env)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: E-postserveren 127.0.0.1:{auth_inbox.port} tilbyr ikke STARTTLS, så passordet "
        "ville gått ukryptert. Bruk --no-starttls om det er meningen.\n")
    assert cli(setup, auth_inbox.port, "--smtp-user", "analyse", "--no-starttls",
               env=env).exit_code == 0
    assert len(auth_inbox.messages) == 3


def test_sqlite_errors_are_said_in_norwegian(tmp_path: Path) -> None:
    """SQLite's own errors, made for real, in the words the messages use."""
    from kommunerapport.mail.sendlog import sqlite_words

    db = sqlite3.connect(tmp_path / "full.sqlite3")
    db.execute("CREATE TABLE t (x TEXT)")
    db.execute(f"PRAGMA max_page_count = {db.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(sqlite3.OperationalError) as full:
        db.execute("INSERT INTO t VALUES (?)", ("x" * 100_000,))  # needs pages it cannot have
    db.execute("PRAGMA query_only = ON")
    with pytest.raises(sqlite3.OperationalError) as readonly:
        db.execute("INSERT INTO t VALUES ('x')")
    db.close()
    (tmp_path / "other.sqlite3").write_bytes(b"nummer,navn,epost\n" * 400)
    other = sqlite3.connect(tmp_path / "other.sqlite3")
    with pytest.raises(sqlite3.DatabaseError) as not_a_database:
        other.execute("SELECT * FROM sqlite_master")
    other.close()
    assert [sqlite_words(e.value) for e in (full, readonly, not_a_database)] == [
        "disken er full", "filen eller mappen er skrivebeskyttet",
        "filen er ikke en SQLite-database"]
