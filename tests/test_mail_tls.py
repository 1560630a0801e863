"""``send`` over TLS and with logins: STARTTLS and implicit TLS (``--smtps``) against a
real server on 127.0.0.1 with certificates a real CA machinery issued (trustme), the
reasons a certificate is refused, ``--ca-file`` and ``SSL_CERT_FILE``, and logins in
UTF-8 (``session``, ``smtp``)."""

from __future__ import annotations

import base64
import smtplib
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from mailkit import (
    EVERYONE,
    FROM,
    MEMBERS,
    Certificates,
    Inbox,
    cli,
    free_port,
    options,
    self_signed_context,
    serving,
    setup_folder,
    start,
    stop,
)

from kommunerapport.cli import main
from kommunerapport.errors import DeliveryError
from kommunerapport.mail import options as mail_options
from kommunerapport.mail import run as mail
from kommunerapport.mail.delivery import Hooks
from kommunerapport.mail.recipients import Outgoing
from kommunerapport.mail.smtp import BoundedClient

PASSWORD_ENV = mail_options.PASSWORD_ENV
# aiosmtpd warns when AUTH is offered without TLS (implicit TLS looks so to it).
pytestmark = pytest.mark.filterwarnings(
    "ignore:Requiring AUTH while not requiring TLS:UserWarning")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return setup_folder(tmp_path)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return Certificates(tmp_path_factory.mktemp("tls"))


def starttls_server(context: object, **kwargs: object):  # -> ContextManager[Inbox]
    return serving(tls_context=context, require_starttls=True, **kwargs)


# --- STARTTLS ---------------------------------------------------------------------------


def test_starttls_with_the_ca_in_ca_file_encrypts_every_message(root: Path,
                                                                 certs: Certificates) -> None:
    with starttls_server(certs.server_context("127.0.0.1")) as inbox:
        result = cli(root, inbox.port, "--ca-file", str(certs.ca_file))
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert inbox.received() == EVERYONE
        assert all(inbox.ciphers), inbox.ciphers  # each message over TLS


def test_ssl_cert_file_is_the_other_route_to_trust(root: Path, certs: Certificates,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenSSL reads SSL_CERT_FILE when the default context loads the system's CAs.
    monkeypatch.setenv("SSL_CERT_FILE", str(certs.ca_file))
    with starttls_server(certs.server_context("127.0.0.1")) as inbox:
        result = cli(root, inbox.port)
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert inbox.received() == EVERYONE


def refusal(port: int, reason: str, advice: str) -> str:
    return f"Feil: TLS mot 127.0.0.1:{port} ble stoppet: {reason}. {advice}\n"


TRUST = ("Stoler du på serveren, oppgi CA-ens sertifikat (PEM) med --ca-file, eller pek "
         "SSL_CERT_FILE på det.")


def test_a_certificate_from_an_unknown_ca_says_so(root: Path, certs: Certificates) -> None:
    with starttls_server(certs.server_context("127.0.0.1")) as inbox:
        result = cli(root, inbox.port)  # the test CA is not the machine's
        assert result.exit_code == 1
        assert result.stderr == refusal(
            inbox.port, "sertifikatet er utstedt av en sertifiseringsinstans (CA) som denne "
                        "maskinen ikke stoler på", TRUST)
        assert inbox.messages == []


def test_a_self_signed_certificate_says_so(root: Path) -> None:
    with starttls_server(self_signed_context("127.0.0.1")) as inbox:
        result = cli(root, inbox.port)
        assert result.exit_code == 1
        assert result.stderr == refusal(inbox.port, "sertifikatet er selvsignert",
                                        "Stoler du på serveren, oppgi sertifikatet (PEM) med "
                                        "--ca-file.")
        assert inbox.messages == []


def test_an_expired_certificate_says_so(root: Path, certs: Certificates) -> None:
    with starttls_server(certs.server_context("127.0.0.1", expired=True)) as inbox:
        result = cli(root, inbox.port, "--ca-file", str(certs.ca_file))
        assert result.exit_code == 1
        assert result.stderr == refusal(inbox.port, "sertifikatet har gått ut",
                                        "Den som drifter serveren må fornye det.")
        assert inbox.messages == []


@pytest.mark.parametrize(("host", "reason"), [
    ("127.0.0.1", "sertifikatet gjelder ikke IP-adressen 127.0.0.1"),
    ("localhost", "sertifikatet gjelder ikke vertsnavnet localhost"),
])
def test_a_certificate_for_another_name_says_so(root: Path, certs: Certificates, host: str,
                                                reason: str) -> None:
    with starttls_server(certs.server_context("smtp.ks.example")) as inbox:
        result = cli(root, inbox.port, "--ca-file", str(certs.ca_file), "--smtp-host", host)
        assert result.exit_code == 1
        assert result.stderr == (
            f"Feil: TLS mot {host}:{inbox.port} ble stoppet: {reason}. Oppgi navnet "
            "sertifikatet er utstedt for med --smtp-host.\n")
        assert inbox.messages == []


def test_a_ca_file_that_holds_no_certificate_is_refused(root: Path) -> None:
    bad = root / "ca.pem"
    bad.write_text("nummer,navn,epost\n", encoding="utf-8")
    result = cli(root, free_port(), "--ca-file", str(bad))
    assert result.exit_code == 2
    assert result.stderr == (f"Feil: --ca-file {bad}: fant ingen sertifikater i PEM-format "
                             "(tekst som begynner med «-----BEGIN CERTIFICATE-----»).\n")


# --- Implicit TLS (--smtps) ------------------------------------------------------------


def test_smtps_speaks_tls_from_the_first_byte(root: Path, certs: Certificates) -> None:
    with serving(ssl_context=certs.server_context("127.0.0.1"),
                 server_hostname="127.0.0.1") as inbox:
        result = cli(root, inbox.port, "--smtps", "--ca-file", str(certs.ca_file))
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert inbox.received() == EVERYONE
        assert all(inbox.ciphers)


def test_smtps_checks_the_certificate_too(root: Path, certs: Certificates) -> None:
    with serving(ssl_context=certs.server_context("127.0.0.1"),
                 server_hostname="127.0.0.1") as inbox:
        result = cli(root, inbox.port, "--smtps")
        assert result.exit_code == 1
        assert result.stderr == refusal(
            inbox.port, "sertifikatet er utstedt av en sertifiseringsinstans (CA) som denne "
                        "maskinen ikke stoler på", TRUST)
        assert inbox.messages == []


def test_smtps_goes_to_port_465_unless_told(root: Path) -> None:
    result = CliRunner().invoke(main, [
        "send", "--recipients", str(root / "members.csv"), "--reports", str(root / "output"),
        "--smtp-host", "127.0.0.1", "--from", FROM, "--smtps"])  # no --smtp-port
    assert result.exit_code == 1  # (nobody listens on 465 here)
    assert result.stderr.startswith("Feil: Får ikke kontakt med e-postserveren 127.0.0.1:465: ")


@pytest.mark.parametrize("flag", ["--starttls", "--no-starttls"])
def test_smtps_with_a_starttls_flag_is_refused(root: Path, flag: str) -> None:
    result = cli(root, free_port(), "--smtps", flag)
    assert result.exit_code == 2
    assert result.stderr == (f"Feil: --smtps bruker TLS fra første byte, så {flag} gir ingen "
                             "mening sammen med den. Bruk én av dem.\n")


# --- Once encrypted, always encrypted --------------------------------------------------


def test_a_reconnect_without_starttls_stops_the_run(root: Path, certs: Certificates) -> None:
    said: list[str] = []

    def strip_starttls(out: Outgoing) -> None:  # after Horten's message the connection
        if out.address == MEMBERS[0][2]:  # breaks, and a man in the middle answers the
            stop(inbox)  # next one without STARTTLS
            start(inbox, inbox.port)

    inbox = start(Inbox(), tls_context=certs.server_context("127.0.0.1"))
    try:
        hooks = Hooks(sleep=lambda s: None, echo=said.append, after_send=strip_starttls)
        with pytest.raises(DeliveryError) as refused:
            mail.run_send(options(root, inbox.port, ca_file=certs.ca_file), hooks)
    finally:
        stop(inbox)
    assert refused.value.format_message() == "2 av 3 e-poster ble ikke sendt; se over."
    why = (f"E-postserveren 127.0.0.1:{inbox.port} tilbød STARTTLS tidligere i denne "
           "sendingen, men ikke nå. Resten sendes ikke ukryptert, så sendingen stopper; noen "
           "kan stå mellom deg og serveren. Prøv igjen senere, eller bruk --no-starttls om "
           "ukryptert er meningen.")
    assert said[-2:] == [f"  Feilet: 4602 Kinn <post@kinn.example>: ikke sendt: {why}",
                         f"  Feilet: 46 Vestland <post@vestland.example>: ikke sendt: {why}"]
    assert inbox.received() == Counter({"post@horten.example": 1})  # nothing in clear text
    assert inbox.ciphers == [inbox.ciphers[0]] and inbox.ciphers[0]


# --- Logins in UTF-8 -------------------------------------------------------------------

USER, SECRET = "bjørn@kommune.example", "blåbærsyltetøy"


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_login_with_non_ascii_user_and_password_works(root: Path, certs: Certificates,
                                                       mechanism: str) -> None:
    inbox = Inbox()
    inbox.users = {USER.encode(): SECRET.encode()}  # RFC 4954/4616: UTF-8
    other = [m for m in ("PLAIN", "LOGIN") if m != mechanism]
    with starttls_server(certs.server_context("127.0.0.1"), handler=inbox, authenticator=None,
                         auth_required=True, auth_exclude_mechanism=other):
        wrong = cli(root, inbox.port, "--ca-file", str(certs.ca_file), "--smtp-user", USER,
                    env={PASSWORD_ENV: "blåbær"})
        assert wrong.exit_code == 1
        assert wrong.stderr == (
            f"Feil: E-postserveren 127.0.0.1:{inbox.port} godtok ikke innloggingen for "
            f"--smtp-user {USER} (535). Sjekk brukernavnet og {PASSWORD_ENV}.\n")
        result = cli(root, inbox.port, "--ca-file", str(certs.ca_file), "--smtp-user", USER,
                     env={PASSWORD_ENV: SECRET})
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        assert inbox.received() == EVERYONE


class Recording(BoundedClient):
    """Records the AUTH command instead of sending it; the server says 235."""

    said: tuple[str, str] = ("", "")

    def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
        self.said = (cmd, args)
        return 235, b"2.7.0 Authentication successful"


def test_a_login_goes_as_utf8_in_base64() -> None:
    client = Recording("", 0)  # no host: nothing is connected
    client.user, client.password = USER, SECRET
    client.auth("PLAIN", client.auth_plain)
    sent = base64.b64decode(client.said[1].removeprefix("PLAIN "))
    assert client.said[0] == "AUTH" and sent == f"\0{USER}\0{SECRET}".encode()


def test_the_standard_client_cannot_send_such_a_login() -> None:
    """Why ``smtp.BoundedClient`` encodes logins itself: CPython's smtplib encodes the
    PLAIN response as ASCII. If this starts to pass, the workaround can go."""

    class Stock(smtplib.SMTP):
        def docmd(self, cmd: str, args: str = "") -> tuple[int, bytes]:
            return 235, b"ok"

    client = Stock()
    client.user, client.password = USER, SECRET
    with pytest.raises(UnicodeEncodeError):
        client.auth("PLAIN", client.auth_plain)
