"""What the mail tests share: a real SMTP server (aiosmtpd) on 127.0.0.1 that refuses
as told, real certificates (trustme: a test CA, issued as a real CA issues them), and
members' reports recorded as the report writer records them."""

from __future__ import annotations

import asyncio
import datetime
import socket
import ssl
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from click.testing import CliRunner, Result
from pypdf import PdfWriter

from kommunerapport.cli import main
from kommunerapport.mail import delivery as mail_delivery
from kommunerapport.mail import options as mail_options
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs import records

FROM = "analyse@ks.example"
PASSWORD = "hemmelig-Pa55ord!"
# nummer, kortnavn, address; written forms from the register (Klass 131/104):
# Horten bokmål, Kinn nynorsk, Vestland (county authority) nynorsk.
MEMBERS = [
    ("3901", "Horten", "post@horten.example"),
    ("4602", "Kinn", "post@kinn.example"),
    ("46", "Vestland", "post@vestland.example"),
]
EVERYONE = Counter(address for *_, address in MEMBERS)


# --- A real SMTP server -------------------------------------------------------------


class Inbox:
    """aiosmtpd handler: keeps every accepted message, refuses as told."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.permanent: dict[str, str] = {}  # address → reply, every time
        self.temporary: dict[str, list[str]] = {}  # address → replies, one per attempt
        self.attempts: Counter[str] = Counter()
        self.greetings: list[str] = []  # replaces the 220 greeting, one per connection
        self.ehlo_refusal: str | None = None  # the reply to EHLO and HELO
        self.ehlo_extra: list[str] = []  # more EHLO lines, e.g. «250-STARTTLS»
        self.reply_to_data = "250 Message accepted for delivery"
        self.users: dict[bytes, bytes] = {}  # login → password, for AUTH
        self.ciphers: list[object] = []  # per message: the TLS cipher, or None in clear text
        self.close_after_data = 0  # hang up after this many messages (0: never)
        self.strip_starttls = False  # from the next EHLO on, do not offer STARTTLS
        self.strip_starttls_after = 0  # … once this many messages came (0: never)
        self.port = 0
        self.controller: Controller | None = None

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        if self.ehlo_refusal:
            return [self.ehlo_refusal]
        session.host_name = hostname
        if self.strip_starttls:  # a man in the middle deletes the line
            responses = [r for r in responses if r != "250-STARTTLS"]
        return [*responses[:-1], *self.ehlo_extra, responses[-1]]

    async def handle_HELO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str) -> str:
        if self.ehlo_refusal:
            return self.ehlo_refusal
        session.host_name = hostname
        return f"250 {server.hostname}"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        self.attempts[address] += 1
        if address in self.permanent:
            return self.permanent[address]
        if self.temporary.get(address):
            return self.temporary[address].pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        self.ciphers.append(server.transport.get_extra_info("cipher"))
        if self.strip_starttls_after and len(self.messages) >= self.strip_starttls_after:
            self.strip_starttls = True
        if self.close_after_data and len(self.messages) == self.close_after_data:
            asyncio.get_running_loop().call_later(0.05, server.transport.close)
        return self.reply_to_data

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: LoginPassword) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword)
              and self.users.get(auth_data.login) == auth_data.password)
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd replies

    def received(self) -> Counter[str]:
        return Counter(r for rcpts, _ in self.messages for r in rcpts)

    def to(self, address: str) -> list[EmailMessage]:
        return [msg for rcpts, msg in self.messages if address in rcpts]


class Server(SMTP):
    """aiosmtpd's server, greeting with what the Inbox says (once per connection)."""

    greeted = False

    async def push(self, status: str) -> None:
        if not self.greeted:
            self.greeted = True
            if self.event_handler.greetings:
                status = self.event_handler.greetings.pop(0)
        await super().push(status)


class InboxController(Controller):
    def factory(self) -> SMTP:
        return Server(self.handler, **self.SMTP_kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(handler: Inbox, port: int | None = None, **kwargs: object) -> Inbox:
    """Serve ``handler`` on 127.0.0.1; ``handler.port``, ``handler.controller`` tell where.

    With ``ssl_context`` the port speaks TLS from the first byte (implicit TLS); with
    ``tls_context`` it offers STARTTLS. aiosmtpd connects once itself to check the
    server is up; with implicit TLS it needs ``server_hostname`` for that.
    """
    handler.port = port or free_port()
    if "authenticator" in kwargs and kwargs["authenticator"] is None:
        kwargs["authenticator"] = handler.authenticate
    handler.controller = InboxController(handler, hostname="127.0.0.1", port=handler.port,
                                         **kwargs)
    handler.controller.start()
    return handler


def stop(handler: Inbox) -> None:
    if handler.controller is not None:
        handler.controller.stop()
        handler.controller = None


@contextmanager
def serving(handler: Inbox | None = None, **kwargs: object) -> Iterator[Inbox]:
    handler = start(handler or Inbox(), **kwargs)
    try:
        yield handler
    finally:
        stop(handler)


# --- Certificates -------------------------------------------------------------------


class Certificates:
    """A test CA and server certificates it issued, as PEM files in ``folder``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ca = trustme.CA()
        self.ca_file = folder / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_file))

    def server_context(self, *names: str, expired: bool = False,
                       self_signed: bool = False) -> ssl.SSLContext:
        """A server's TLS context with a certificate for ``names``: issued by the test CA,
        or long expired, or signed by itself (its own CA, whose root it sends along)."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        if self_signed:
            own = trustme.CA()
            own.issue_cert(*names).configure_cert(context)
            return context
        kwargs = {}
        if expired:
            kwargs = {"not_before": datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC),
                      "not_after": datetime.datetime(2001, 1, 1, tzinfo=datetime.UTC)}
        self.ca.issue_cert(*names, **kwargs).configure_cert(context)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


def self_signed_context(host: str) -> ssl.SSLContext:
    """A server's TLS context with a certificate that signed itself (leaf = issuer), as
    ``openssl req -x509`` makes one."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address(host))]), critical=False)
            .sign(key, hashes.SHA256()))
    blob = trustme.Blob(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    with blob.tempfile() as path:
        context.load_cert_chain(path)
    return context


# --- Reports and recipients ---------------------------------------------------------


def write_report(folder: Path, number: str, short: str, *, sample: bool = False,
                 title: str = "", year: int = 2025) -> Path:
    """A small real PDF named as the batch writer names member reports, and recorded
    as the report writer records it (``records.record_written``, as in
    ``reports.write``): whether it is sample data is the record's to say."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    writer.add_metadata({"/Title": title or f"Kommuneøkonomi 2025 {short}"})
    path = outputs.report_path(folder, ReportKind.MEMBER, year, number, short)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer.write(f)
    records.record_written(path, kind="member", number=number, year=year, lang="nb",
                           sample=sample, fingerprint=records.sha256_file(path),
                           written_as=records.sha256_file(path), status=records.APPROVED,
                           approved_by="Kari Nordmann", approved_at="2026-03-06T09:00:00+00:00")
    return path


def write_csv(folder: Path, rows: list[tuple[str, str, str]], header: str = "nummer,navn,epost",
              sep: str = ",") -> Path:
    path = folder / "members.csv"
    lines = [header] + [sep.join(f'"{c}"' if ";" in c and sep == "," else c for c in row)
                        for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def setup_folder(root: Path, members: list[tuple[str, str, str]] = MEMBERS) -> Path:
    """``root/output`` with the members' recorded reports and ``root/members.csv``."""
    out = root / "output"
    out.mkdir()
    for number, short, _ in members:
        write_report(out, number, short)
    write_csv(root, list(members))
    return root


def options(root: Path, port: int, **kw: object) -> mail_options.SendOptions:
    return mail_options.SendOptions(recipients=root / "members.csv", reports=root / "output",
                                    host="127.0.0.1", port=port, sender=FROM, **kw)


def quiet() -> mail_delivery.Hooks:
    return mail_delivery.Hooks(sleep=lambda s: None, echo=lambda s: None)


def cli(root: Path, port: int, *args: str, env: dict[str, str] | None = None) -> Result:
    base = ["send", "--recipients", str(root / "members.csv"), "--reports", str(root / "output"),
            "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from", FROM]
    return CliRunner().invoke(main, [*base, *args], env=env or {})
