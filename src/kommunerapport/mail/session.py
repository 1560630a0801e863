"""The SMTP session: connect, STARTTLS, log in, hand over a message, and tell a refusal
from a lost connection and from an unknown outcome.

STARTTLS with a verifying context whenever the server offers it (required with
``--starttls``, off with ``--no-starttls``); 4xx replies and connections lost before
the message was handed over are retried with backoff, 5xx replies never. When the
connection breaks after the whole message was handed over and before the server
replied, the outcome is unknown (``OutcomeUnknown``): never retried.
"""

from __future__ import annotations

import ipaddress
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from typing import TYPE_CHECKING

from kommunerapport.errors import DeliveryError
from kommunerapport.mail.options import PASSWORD_ENV, SendOptions

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer  # what smtplib.SMTP.send takes

TIMEOUT = 60  # seconds for one SMTP command


BACKOFF = (5.0, 20.0, 60.0)  # seconds before the 2nd, 3rd and 4th attempt


class ConnectionLost(Exception):
    """The server cannot be used any more: lost after every retry, or it refuses us."""


class OutcomeUnknown(Exception):
    """The whole message went to the server and no reply came: maybe delivered, maybe not."""


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


class TrackedSMTP(smtplib.SMTP):
    """smtplib's client, noting when the end of a message («CRLF.CRLF») may have gone out.

    Before that a lost connection cannot have delivered anything (the server needs
    the final dot); after it, until the server's reply, the outcome is unknown.
    The flag is set before the message is written, not after: a Ctrl-C can land
    between the last byte leaving and ``send`` returning (CPython checks signals
    after each partial write), and must then count as unknown, not as not sent.
    Only a failed write (smtplib's «Server not connected») proves the end never
    went. ``body_sent`` is reset by the caller before each attempt, and not by the
    RSET smtplib sends after a garbled reply.
    """

    body_sent = False

    def send(self, s: ReadableBuffer | str) -> None:
        ends_message = isinstance(s, bytes) and s.endswith(b"\r\n.\r\n")
        if ends_message:
            self.body_sent = True
        try:
            super().send(s)
        except smtplib.SMTPServerDisconnected:
            if ends_message:
                self.body_sent = False  # the write failed: the final dot did not go out
            raise


class Session:
    """One SMTP connection, reopened when lost; retries 4xx and lost connections."""

    def __init__(self, options: SendOptions, password: str | None,
                 sleep: Callable[[float], None], warn: Callable[[str], None]) -> None:
        self.options, self.sleep, self.warn = options, sleep, warn
        self._password = password
        self.smtp: TrackedSMTP | None = None

    def __enter__(self) -> Session:
        """Connect once before the first message: a wrong host fails at once."""
        try:
            self.smtp = connect(self.options, self._password)
        except smtplib.SMTPException as exc:
            if not is_lost(exc):
                raise DeliveryError(f"E-postserveren {self.where}: {one_line(exc)}.") from None
            raise self.unreachable(exc) from None
        except OSError as exc:
            raise self.unreachable(exc) from None
        if not encrypted(self.smtp) and self.options.starttls is None \
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
                             f"{one_line(exc)}. Sjekk --smtp-host og --smtp-port.")

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    @property
    def handed_over(self) -> bool:
        """The whole message of the current attempt has gone to the server."""
        return self.smtp is not None and self.smtp.body_sent

    def send(self, msg: EmailMessage, from_addr: str, address: str) -> str | None:
        """Deliver to one address: None when accepted (250), else why not.

        4xx replies and connections lost before the message was handed over are
        retried with backoff, 5xx replies never. Raises OutcomeUnknown when the
        connection broke (or the reply was garbled) after the whole message was
        handed over: never retried. Raises ConnectionLost when the server stays
        unreachable after every retry, or refuses a new session (greeting, EHLO,
        STARTTLS, AUTH) in a way retrying won't fix.
        """
        tries, lost = len(BACKOFF) + 1, ""
        for delay in (0.0, *BACKOFF):
            if delay:
                self.sleep(delay)
            try:
                code, text = self._attempt(msg, from_addr, address)
            except SessionError as exc:  # greeting, EHLO, STARTTLS or AUTH when reconnecting
                self.close()
                if not exc.temporary:
                    raise ConnectionLost(exc.format_message()) from None
                lost = exc.format_message()
                continue
            except (smtplib.SMTPException, OSError) as exc:
                handed_over = self.handed_over
                self.close()
                if isinstance(exc, smtplib.SMTPResponseException):  # a reply: 4xx or 5xx
                    code, text = exc.smtp_code, exc.smtp_error
                elif is_lost(exc) and handed_over:
                    raise OutcomeUnknown("forbindelsen brøt etter at hele e-posten var overført, "
                                         f"før serveren svarte ({one_line(exc)})") from None
                elif is_lost(exc):
                    lost = f"forbindelsen til e-postserveren brøt: {one_line(exc)}"
                    continue
                else:  # e.g. SMTPNotSupportedError: retrying won't help
                    return one_line(exc)
            if self.handed_over and not 200 <= code < 600:  # no reply code (smtplib: -1)
                self.close()
                said = reply_text(code, text).removeprefix(f"{code} ")
                raise OutcomeUnknown(f"e-postserveren svarte uforståelig («{said}») etter at "
                                     "hele e-posten var overført")
            lost = ""
            if self.smtp is not None and self.smtp.sock is None:  # smtplib closed it (421)
                self.smtp = None
            if code == 250 or not 400 <= code < 500:
                return None if code == 250 else reply_text(code, text)
        if lost:
            raise ConnectionLost(f"{lost} (ga opp etter {tries} forsøk)")
        return f"{reply_text(code, text)} (ga opp etter {tries} forsøk)"

    def _attempt(self, msg: EmailMessage, from_addr: str,
                 address: str) -> tuple[int, bytes | str]:
        """One try: (250, b"") when accepted, else the server's reply for this address."""
        if self.smtp is None:
            self.smtp = connect(self.options, self._password)
        self.smtp.body_sent = False
        try:
            refused = self.smtp.send_message(msg, from_addr, [address])
        except smtplib.SMTPRecipientsRefused as exc:
            refused = exc.recipients
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return exc.smtp_code, exc.smtp_error
        return refused.get(address, (250, b"")) if refused else (250, b"")


def is_lost(exc: BaseException) -> bool:
    """A lost or failed connection (retried), as opposed to a reply from the server."""
    if isinstance(exc, smtplib.SMTPException):
        return isinstance(exc, smtplib.SMTPServerDisconnected)
    return isinstance(exc, OSError)  # ConnectionError, TimeoutError, DNS, a broken TLS stream


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def reply_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:200]


def connect(options: SendOptions, password: str | None) -> TrackedSMTP:
    """Open, say EHLO, STARTTLS as asked, log in.

    SessionError (with the reply code) when the server refuses any of it; lost
    connections are raised as they come (OSError, SMTPServerDisconnected).
    """
    where = f"{options.host}:{options.port}"
    try:
        smtp = TrackedSMTP(options.host, options.port, timeout=TIMEOUT)
    except smtplib.SMTPConnectError as exc:
        raise SessionError(f"E-postserveren {where} avviste forbindelsen: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    try:
        greet(smtp, where)
        start_tls(smtp, options)
        if options.user:
            login(smtp, options, password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


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


def start_tls(smtp: smtplib.SMTP, options: SendOptions) -> None:
    where = f"{options.host}:{options.port}"
    if options.starttls is False:
        return
    if not smtp.has_extn("starttls"):
        if options.starttls:
            raise SessionError(f"E-postserveren {where} tilbyr ikke STARTTLS, og --starttls "
                               "krever kryptering. Bruk --no-starttls for å sende ukryptert.")
        return
    try:
        smtp.starttls(context=ssl.create_default_context())
    except ssl.SSLError as exc:
        raise SessionError(f"TLS mot {where} feilet: {exc.reason or exc}. "
                           "Sjekk --smtp-host og serverens sertifikat.") from None
    except smtplib.SMTPResponseException as exc:  # e.g. 454 TLS not available
        raise SessionError(f"E-postserveren {where} tilbyr STARTTLS, men avviste den: "
                           f"{reply_text(exc.smtp_code, exc.smtp_error)}.{later(exc.smtp_code)}",
                           exc.smtp_code) from None
    greet(smtp, where)


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
