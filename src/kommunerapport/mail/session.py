"""The SMTP session: connect, TLS, log in, hand over a message, and tell a refusal
from a lost connection, from a server that does not answer, and from an unknown outcome.

- **TLS.** Implicit TLS with ``--smtps`` (port 465); else STARTTLS with a verifying
  context whenever the server offers it (required with ``--starttls``, off with
  ``--no-starttls``). Once a connection of the run was encrypted, every later one
  must be too: a reconnect that no longer offers STARTTLS (a man in the middle can
  strip it) stops the run instead of sending the rest in clear text. A certificate
  that does not verify is refused with the reason (self-signed, unknown CA, expired,
  another host name); ``--ca-file`` adds a CA to trust.
- **Retries.** 4xx replies and connections lost before the message was handed over
  are retried with backoff, 5xx replies never.
- **No answer.** A server that does not answer in time (``smtp.Stalled``) before the
  message was handed over fails that message only (``NoAnswer``): nothing was
  delivered, and the next message gets a fresh connection.
- **Unknown outcome.** When the connection breaks, or the reply is garbled or never
  comes, after the whole message was handed over, nobody can tell whether it was
  delivered (``OutcomeUnknown``): never retried. Any 2xx reply to the end of the
  message is a delivery.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

from kommunerapport.errors import DeliveryError, UsageError
from kommunerapport.mail import smtp as client
from kommunerapport.mail.options import PASSWORD_ENV, SendOptions

BACKOFF = (5.0, 20.0, 60.0)  # seconds before the 2nd, 3rd and 4th attempt


class ConnectionLost(Exception):
    """The server cannot be used any more: lost after every retry, or it refuses us."""


class OutcomeUnknown(Exception):
    """The whole message went to the server and no reply came: maybe delivered, maybe not."""


class NoAnswer(Exception):
    """The server did not answer in time before the message was handed over: not delivered."""


class SessionError(DeliveryError):
    """The server refused to open a session: its greeting, EHLO, STARTTLS or AUTH.

    ``code`` is the server's reply code, or None when there was no reply to judge
    (no STARTTLS on offer, a certificate that does not verify). Only 4xx is retried.
    """

    def __init__(self, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.code = code

    @property
    def temporary(self) -> bool:
        return self.code is not None and 400 <= self.code < 500


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """The system's trusted CAs (``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` point OpenSSL
    elsewhere), and the CAs in ``ca_file`` besides; host names always checked."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=str(ca_file))
        except (ssl.SSLError, ValueError):
            raise UsageError(f"--ca-file {ca_file}: fant ingen sertifikater i PEM-format "
                             "(tekst som begynner med «-----BEGIN CERTIFICATE-----»).") from None
        except OSError as exc:
            raise UsageError(f"--ca-file {ca_file}: kan ikke leses "
                             f"({exc.strerror or 'ukjent feil'}).") from None
    return context


class Session:
    """One SMTP connection, reopened when lost; retries 4xx and lost connections."""

    def __init__(self, options: SendOptions, password: str | None,
                 sleep: Callable[[float], None], warn: Callable[[str], None],
                 context: ssl.SSLContext | None = None) -> None:
        self.options, self.sleep, self.warn = options, sleep, warn
        self._password = password
        self.context = context or tls_context(options.ca_file)
        self.smtp: client.BoundedClient | None = None
        self.tls_used = False  # a connection of this run was encrypted: all must be

    def __enter__(self) -> Session:
        """Connect once before the first message: a wrong host fails at once."""
        try:
            self.smtp = self.connect()
        except smtplib.SMTPException as exc:
            if not is_lost(exc):
                raise DeliveryError(f"E-postserveren {self.where}: {one_line(exc)}.") from None
            raise self.unreachable(exc) from None
        except OSError as exc:
            raise self.unreachable(exc) from None
        if not self.tls_used and self.options.starttls is None \
                and not is_loopback(self.options.host):
            self.warn(f"Advarsel: E-postserveren {self.where} tilbyr ikke STARTTLS, så "
                      "e-postene sendes ukryptert. Bruk --starttls for å kreve kryptering, "
                      "eller --no-starttls for å sende ukryptert uten denne advarselen.")
        return self

    @property
    def where(self) -> str:
        return f"{self.options.host}:{self.options.port}"

    def unreachable(self, exc: BaseException) -> DeliveryError:
        return DeliveryError(f"Får ikke kontakt med e-postserveren {self.where}: "
                             f"{os_words(exc)}. Sjekk --smtp-host og --smtp-port.")

    def __exit__(self, exc_type: object, *exc: object) -> None:
        self.close(polite=exc_type is None)

    def close(self, polite: bool = False) -> None:
        """Close the connection; ``polite``: say QUIT first (briefly), as at the end of a run."""
        if self.smtp is not None:
            smtp, self.smtp = self.smtp, None
            if not polite or smtp.sock is None:
                smtp.close()
                return
            try:
                smtp.start_deadline(client.QUIT_DEADLINE)
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()

    def connect(self) -> client.BoundedClient:
        smtp = connect(self.options, self._password, self.context, self.tls_used)
        self.tls_used = self.tls_used or encrypted(smtp)
        return smtp

    @property
    def handed_over(self) -> bool:
        """The whole message of the current attempt has gone to the server."""
        return self.smtp is not None and self.smtp.body_sent

    def send(self, msg: EmailMessage, from_addr: str, address: str,
             before_final_dot: Callable[[], None] | None = None) -> str | None:
        """Deliver to one address: None when accepted (any 2xx to the end of the
        message), else why not.

        4xx replies and connections lost before the message was handed over are
        retried with backoff, 5xx replies never; a connection the server closed while
        it was idle is reopened at once. Raises OutcomeUnknown when the
        connection broke (or the reply was garbled or never came) after the whole
        message was handed over: never retried. Raises NoAnswer when the server did
        not answer in time before that: this message is not delivered, and not
        retried. Raises ConnectionLost when the server stays unreachable after every
        retry, or refuses a new session (greeting, EHLO, STARTTLS, AUTH, TLS) in a way
        retrying won't fix.
        """
        tries = len(BACKOFF) + 1
        delays = list(BACKOFF)
        reopened = False  # an idle connection the server had closed is reopened once, at once
        code: int = 0
        text: bytes | str = b""
        while True:
            lost = ""
            reused = self.smtp is not None
            try:
                code, text = self._attempt(msg, from_addr, address, before_final_dot)
            except SessionError as exc:  # greeting, EHLO, STARTTLS or AUTH when reconnecting
                self.close()
                if not exc.temporary:
                    raise ConnectionLost(exc.format_message()) from None
                lost = exc.format_message()
            except (smtplib.SMTPException, OSError) as exc:
                handed_over = self.handed_over
                stale = (reused and not reopened and self.smtp is not None
                         and self.smtp.waiting == "mail")
                self.close()
                if isinstance(exc, smtplib.SMTPResponseException):  # a reply: 4xx or 5xx
                    code, text = exc.smtp_code, exc.smtp_error
                elif is_lost(exc) and handed_over:
                    raise OutcomeUnknown(after_handover(exc)) from None
                elif isinstance(exc, client.Stalled | client.ReplyTooLong):
                    raise NoAnswer(f"{exc}; e-posten er ikke sendt") from None
                elif is_lost(exc) and stale:
                    reopened = True
                    continue
                elif is_lost(exc):
                    lost = f"forbindelsen til e-postserveren brøt: {os_words(exc)}"
                else:  # e.g. SMTPNotSupportedError: retrying won't help
                    return one_line(exc)
            if not lost:
                if self.handed_over:
                    if 200 <= code < 300:
                        return None
                    if not 400 <= code < 600:  # no reply code (smtplib: -1), or 1xx/3xx
                        self.close()
                        said = reply_text(code, text).removeprefix(f"{code} ")
                        raise OutcomeUnknown(f"e-postserveren svarte uforståelig («{said}») "
                                             "etter at hele e-posten var overført")
                if self.smtp is not None and self.smtp.sock is None:  # smtplib closed it (421)
                    self.smtp = None
                if not 400 <= code < 500:
                    return reply_text(code, text)
            if not delays:
                if lost:
                    raise ConnectionLost(f"{lost} (ga opp etter {tries} forsøk)")
                return f"{reply_text(code, text)} (ga opp etter {tries} forsøk)"
            self.sleep(delays.pop(0))

    def _attempt(self, msg: EmailMessage, from_addr: str, address: str,
                 before_final_dot: Callable[[], None] | None) -> tuple[int, bytes | str]:
        """One try: the server's reply for this address (2xx when accepted)."""
        if self.smtp is None:
            self.smtp = self.connect()
        smtp = self.smtp
        smtp.body_sent = False
        smtp.before_final_dot = before_final_dot
        smtp.start_deadline(client.MESSAGE_DEADLINE)
        try:
            refused = smtp.send_message(msg, from_addr, [address])
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return exc.smtp_code, exc.smtp_error  # after the final dot: any 2xx is delivery
        finally:
            smtp.before_final_dot = None
        return refused.get(address, (250, b"")) if refused else (250, b"")


def after_handover(exc: BaseException) -> str:
    """Why the outcome is unknown, once the whole message went."""
    if isinstance(exc, client.Stalled):
        return f"e-postserveren svarte ikke {exc.limit} etter at hele e-posten var overført"
    if isinstance(exc, client.ReplyTooLong):
        return f"{exc}, etter at hele e-posten var overført"
    return ("forbindelsen brøt etter at hele e-posten var overført, før serveren svarte "
            f"({os_words(exc)})")


def is_lost(exc: BaseException) -> bool:
    """A lost or failed connection (retried), as opposed to a reply from the server."""
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(exc, smtplib.SMTPServerDisconnected)
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError, DNS, a broken TLS stream


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


# The operating system's and smtplib's words for a failed connection, in Norwegian.
OS_WORDS = {
    "Connection refused": "ingen svarer på porten (forbindelsen ble avvist)",
    "Connection reset by peer": "forbindelsen ble brutt av serveren",
    "Connection unexpectedly closed": "serveren lukket forbindelsen",
    "Server not connected": "forbindelsen var brutt",
    "timed out": "ingen svar i tide",
    "Network is unreachable": "nettverket kan ikke nås",
    "No route to host": "ingen vei til maskinen",
    "Name or service not known": "ukjent vertsnavn",
    "Temporary failure in name resolution": "navneoppslaget feilet (DNS)",
    "Broken pipe": "forbindelsen var brutt",
}


def os_words(exc: BaseException) -> str:
    """What went wrong with a connection, said in Norwegian where the words are known."""
    if isinstance(exc, client.Stalled | client.ReplyTooLong):
        return str(exc)
    text = one_line(exc)
    for english, norwegian in OS_WORDS.items():
        if english in text:
            return norwegian
    return text


def reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:200]


def connect(options: SendOptions, password: str | None, context: ssl.SSLContext,
            tls_used: bool) -> client.BoundedClient:
    """Open (with TLS at once for ``--smtps``), say EHLO, STARTTLS as asked or as an
    earlier connection of the run had it, log in.

    SessionError (with the reply code) when the server refuses any of it, or does not
    answer in time, or its certificate does not verify; lost connections are raised
    as they come (OSError, SMTPServerDisconnected).
    """
    where = f"{options.host}:{options.port}"
    try:
        if options.smtps:
            smtp: client.BoundedClient = client.BoundedClientTLS(options.host, options.port,
                                                                 context=context)
        else:
            smtp = client.BoundedClient(options.host, options.port)
    except smtplib.SMTPConnectError as exc:
        raise SessionError(f"E-postserveren {where} avviste forbindelsen: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    except ssl.SSLError as exc:
        raise SessionError(tls_refusal(exc, where, options)) from None
    except (client.Stalled, client.ReplyTooLong) as exc:
        raise SessionError(no_session(exc, where, options)) from None
    try:
        greet(smtp, where)
        start_tls(smtp, options, context, tls_used)
        if options.user:
            login(smtp, options, password or "")
    except (client.Stalled, client.ReplyTooLong) as exc:
        smtp.close()
        raise SessionError(no_session(exc, where, options)) from None
    except BaseException:
        smtp.close()
        raise
    return smtp


def no_session(exc: client.Stalled | client.ReplyTooLong, where: str,
               options: SendOptions) -> str:
    """A server that does not answer while a session opens: say so, and suggest
    ``--smtps`` for a greeting that never began (an implicit-TLS port waits for our TLS)."""
    if isinstance(exc, client.ReplyTooLong):
        return f"E-postserveren {where}: {exc}."
    text = str(exc).removeprefix("e-postserveren ")
    hint = ""
    if exc.waiting_for == client.WAITING_FOR["greeting"] and not exc.heard \
            and not options.smtps:
        hint = (" Venter porten på TLS fra første byte (som port 465 gjør), "
                "bruk --smtps.")
    return f"E-postserveren {where} {text}.{hint}"


def later(code: int) -> str:
    """What to do about a refusal: wait for a 4xx, nothing to say for others."""
    return " Prøv igjen senere." if 400 <= code < 500 else ""


def greet(smtp: smtplib.SMTP, where: str) -> None:
    try:
        smtp.ehlo_or_helo_if_needed()
    except smtplib.SMTPHeloError as exc:
        raise SessionError(f"E-postserveren {where} avviste EHLO/HELO: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None


def start_tls(smtp: smtplib.SMTP, options: SendOptions, context: ssl.SSLContext,
              tls_used: bool) -> None:
    where = f"{options.host}:{options.port}"
    if options.starttls is False or encrypted(smtp):
        return
    if not smtp.has_extn("starttls"):
        if options.starttls:
            raise SessionError(f"E-postserveren {where} tilbyr ikke STARTTLS, og --starttls "
                               "krever kryptering. Bruk --no-starttls for å sende ukryptert.")
        if tls_used:
            raise SessionError(
                f"E-postserveren {where} tilbød STARTTLS tidligere i denne sendingen, men "
                "ikke nå. Resten sendes ikke ukryptert, så sendingen stopper; noen kan stå "
                "mellom deg og serveren. Prøv igjen senere, eller bruk --no-starttls om "
                "ukryptert er meningen.")
        return
    try:
        smtp.starttls(context=context)
    except ssl.SSLError as exc:
        raise SessionError(tls_refusal(exc, where, options)) from None
    except smtplib.SMTPResponseException as exc:  # e.g. 454 TLS not available
        raise SessionError(f"E-postserveren {where} tilbyr STARTTLS, men avviste den: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    greet(smtp, where)


# OpenSSL's verify codes (X509_V_ERR_*) → why the certificate is not trusted, what to do.
UNTRUSTED = ("sertifikatet er utstedt av en sertifiseringsinstans (CA) som denne maskinen "
             "ikke stoler på")
TRUST_IT = ("Stoler du på serveren, oppgi CA-ens sertifikat (PEM) med --ca-file, eller "
            "pek SSL_CERT_FILE på det.")
CERTIFICATE_PROBLEMS = {
    18: ("sertifikatet er selvsignert", "Stoler du på serveren, oppgi sertifikatet (PEM) "
                                        "med --ca-file."),
    19: (UNTRUSTED, TRUST_IT),  # self-signed certificate in certificate chain
    20: (UNTRUSTED, TRUST_IT),  # unable to get local issuer certificate
    2: (UNTRUSTED, TRUST_IT),  # unable to get issuer certificate
    21: ("serveren sendte ikke hele sertifikatkjeden", "Be den som drifter serveren legge ved "
                                                      "mellomsertifikatene, eller bruk "
                                                      "--ca-file."),
    10: ("sertifikatet har gått ut", "Den som drifter serveren må fornye det."),
    9: ("sertifikatet gjelder ikke ennå", "Sjekk klokken på denne maskinen."),
    23: ("sertifikatet er trukket tilbake", "Den som drifter serveren må lage et nytt."),
    62: ("sertifikatet gjelder ikke vertsnavnet {host}",
         "Oppgi navnet sertifikatet er utstedt for med --smtp-host."),
    64: ("sertifikatet gjelder ikke IP-adressen {host}",
         "Oppgi navnet sertifikatet er utstedt for med --smtp-host."),
}
# OpenSSL's reasons for a failed handshake that a user can act on.
TLS_PROBLEMS = {
    "WRONG_VERSION_NUMBER": "serveren svarte ikke med TLS på denne porten",
    "UNSUPPORTED_PROTOCOL": "serveren kan bare gamle TLS-versjoner som ikke er trygge",
    "TLSV1_ALERT_PROTOCOL_VERSION": "serveren kan bare gamle TLS-versjoner som ikke er trygge",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "serveren og verktøyet har ingen felles krypteringsmåte",
}


def tls_refusal(exc: ssl.SSLError, where: str, options: SendOptions) -> str:
    """Why TLS to the server was stopped, in one line with what to do."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        code = exc.verify_code
        if code in CERTIFICATE_PROBLEMS:
            reason, advice = CERTIFICATE_PROBLEMS[code]
            reason = reason.format(host=options.host)
        else:
            reason = f"sertifikatet kunne ikke bekreftes (OpenSSL-kode {code}: " \
                     f"«{exc.verify_message}»)"
            advice = TRUST_IT
        return f"TLS mot {where} ble stoppet: {reason}. {advice}"
    reason = TLS_PROBLEMS.get(str(exc.reason), f"OpenSSL: {exc.reason or one_line(exc)}")
    ports = ("--smtps hører til port 465, STARTTLS til port 587 og 25" if options.smtps
             else "bruker porten TLS fra første byte (som port 465), bruk --smtps")
    return f"TLS mot {where} feilet: {reason}. Sjekk --smtp-port: {ports}."


def encrypted(smtp: smtplib.SMTP) -> bool:
    return isinstance(smtp.sock, ssl.SSLSocket)


def login(smtp: smtplib.SMTP, options: SendOptions, password: str) -> None:
    where = f"{options.host}:{options.port}"
    if not encrypted(smtp) and options.starttls is None and not is_loopback(options.host):
        raise SessionError(f"E-postserveren {where} tilbyr ikke STARTTLS, så passordet ville "
                           "gått ukryptert. Bruk --no-starttls om det er meningen.")
    try:
        smtp.login(options.user or "", password)
    except smtplib.SMTPAuthenticationError as exc:
        check = ("Prøv igjen senere." if 400 <= exc.smtp_code < 500
                 else f"Sjekk brukernavnet og {PASSWORD_ENV}.")
        raise SessionError(f"E-postserveren {where} godtok ikke innloggingen for "
                           f"--smtp-user {options.user} ({exc.smtp_code}). {check}",
                           exc.smtp_code) from None
    except smtplib.SMTPNotSupportedError:
        raise SessionError(f"E-postserveren {where} tilbyr ikke innlogging (AUTH); "
                           "send uten --smtp-user.") from None
    except smtplib.SMTPResponseException as exc:  # e.g. a 4xx/5xx to EHLO before AUTH
        raise SessionError(f"E-postserveren {where} avviste innloggingen: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    except smtplib.SMTPServerDisconnected:
        raise
    except smtplib.SMTPException:  # «No suitable authentication method found.»
        offered = smtp.esmtp_features.get("auth", "").strip() or "ingen"
        raise SessionError(f"E-postserveren {where} tilbyr ingen innloggingsmåte dette "
                           f"verktøyet kan (den tilbyr {offered}; vi kan PLAIN, LOGIN og "
                           "CRAM-MD5).") from None


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
