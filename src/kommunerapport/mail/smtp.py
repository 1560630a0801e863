"""smtplib's client with the bounds a broken or hostile server needs.

The standard client waits as long as the server keeps talking: its timeout is per
socket operation, so a greeting dripped one byte every ten seconds, or endless
``250-`` lines, never end, and a reply of endless lines is kept in memory. Here:

- **Deadlines.** One for opening a connection (connect, greeting, EHLO, STARTTLS,
  login: ``CONNECT_DEADLINE``) and one per message (MAIL FROM to the reply after the
  final dot: ``MESSAGE_DEADLINE``); every read and write gets only the time left, and
  at most ``COMMAND_TIMEOUT`` of silence. Past either, ``Stalled``.
- **Reply caps.** At most ``MAX_REPLY_LINES`` lines and ``MAX_REPLY_BYTES`` bytes in
  one reply; more is ``ReplyTooLong``. Both close the connection and count as a lost
  connection (``SMTPServerDisconnected``): after the final dot went out, the outcome
  of that message is unknown, never a refusal to retry.
- **Logins in UTF-8** (RFC 4954 with RFC 4616): the standard client encodes the
  user and password as ASCII and fails on «blåbær».
- **The end of a message.** ``body_sent`` says when the final «CRLF.CRLF» may have
  gone out, and ``before_final_dot`` is called just before, so the send log can note
  the moment after which nobody can tell whether the message was delivered.
"""

from __future__ import annotations

import hmac
import io
import smtplib
import socket
import ssl
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer, WriteableBuffer

COMMAND_TIMEOUT = 60.0  # seconds of silence while waiting for a reply, or to send
CONNECT_DEADLINE = 60.0  # connect, greeting, EHLO, STARTTLS and login, together
MESSAGE_DEADLINE = 120.0  # one message: MAIL FROM to the reply after the final dot
QUIT_DEADLINE = 5.0  # saying goodbye is a courtesy, not worth waiting for
MAX_REPLY_LINES = 100  # a real EHLO reply has some 10 lines
MAX_REPLY_BYTES = 64 * 1024
MAX_LINE = 8192  # smtplib's own limit for one reply line

# What the client waits for, as a message names it.
WAITING_FOR = {"greeting": "hilsenen", "ehlo": "EHLO", "helo": "HELO",
               "starttls": "STARTTLS", "auth": "innloggingen (AUTH)", "mail": "MAIL FROM",
               "rcpt": "RCPT TO", "data": "DATA", "body": "hele e-posten", "rset": "RSET",
               "quit": "QUIT", "noop": "NOOP"}


class Stalled(smtplib.SMTPServerDisconnected):
    """No reply in time: the deadline passed, or the server said nothing for
    ``COMMAND_TIMEOUT``. ``waiting_for`` names what it was asked (``WAITING_FOR``)."""

    def __init__(self, waiting_for: str, seconds: float, whole: bool, heard: bool) -> None:
        shown = f"{seconds:g}".replace(".", ",") + (" sekund" if seconds == 1 else " sekunder")
        self.limit = f"innen fristen på {shown}" if whole else f"på {shown}"
        super().__init__(f"e-postserveren svarte ikke på {waiting_for} {self.limit}")
        self.waiting_for = waiting_for
        self.heard = heard  # the server had said anything at all on this connection


class ReplyTooLong(smtplib.SMTPServerDisconnected):
    """A reply past ``MAX_REPLY_LINES`` or ``MAX_REPLY_BYTES``: a broken or hostile server."""

    def __init__(self, waiting_for: str) -> None:
        super().__init__(f"svaret på {waiting_for} var over grensen på {MAX_REPLY_LINES} "
                         f"linjer eller {MAX_REPLY_BYTES // 1024} KB")


class _UTF8Str(str):
    """A login string that smtplib's ``auth`` encodes as UTF-8, not ASCII."""

    __slots__ = ()

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        return str.encode(self, "utf-8", errors)


class _DeadlineReader(io.RawIOBase):
    """The socket as smtplib reads it, each read given only the time left."""

    def __init__(self, smtp: BoundedClient) -> None:
        self._smtp = smtp

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        sock = self._smtp.sock
        if sock is None:
            return 0
        self._smtp.arm()
        n = sock.recv_into(buffer)
        self._smtp.heard += n
        return n


class BoundedClient(smtplib.SMTP):
    """smtplib.SMTP with deadlines, reply caps, UTF-8 logins and the final dot tracked."""

    body_sent = False
    heard = 0  # bytes the server has sent on this connection
    before_final_dot: Callable[[], None] | None = None
    _deadline: float | None = None
    _deadline_seconds = 0.0
    _waiting = "greeting"

    def __init__(self, host: str, port: int, *, deadline: float | None = None,
                 **kwargs: Any) -> None:
        self.start_deadline(CONNECT_DEADLINE if deadline is None else deadline)
        super().__init__(host, port, timeout=COMMAND_TIMEOUT, **kwargs)

    # --- Time ---------------------------------------------------------------------

    def start_deadline(self, seconds: float) -> None:
        """From now on, everything until the next ``start_deadline`` within ``seconds``."""
        self._deadline = time.monotonic() + seconds
        self._deadline_seconds = seconds

    def remaining(self) -> float:
        """Seconds the next socket operation may take; Stalled when none are left."""
        left = (self._deadline - time.monotonic()) if self._deadline is not None else None
        if left is not None and left <= 0:
            raise self._stalled(whole=True)
        return COMMAND_TIMEOUT if left is None else min(left, COMMAND_TIMEOUT)

    def arm(self) -> None:
        if self.sock is not None:
            self.sock.settimeout(self.remaining())

    def _stalled(self, whole: bool) -> Stalled:
        self.close()
        seconds = self._deadline_seconds if whole else COMMAND_TIMEOUT
        return Stalled(WAITING_FOR[self._waiting], seconds, whole, self.heard > 0)

    def _timed_out(self) -> Stalled:
        """A socket timeout: the deadline's if that has passed, else the silence's."""
        whole = self._deadline is not None and time.monotonic() >= self._deadline - 0.01
        return self._stalled(whole)

    @property
    def waiting(self) -> str:
        """What the client last asked for (``WAITING_FOR``'s keys)."""
        return self._waiting

    # --- smtplib's seams ----------------------------------------------------------

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        self._waiting = "greeting"
        try:
            sock: socket.socket = super()._get_socket(  # type: ignore[misc]
                host, port, self.remaining())
            return sock
        except TimeoutError:
            raise self._timed_out() from None

    def putcmd(self, cmd: str, args: str = "") -> None:
        verb = cmd.split(" ", 1)[0].lower()
        if verb in WAITING_FOR:  # not a login's answer to a challenge: that is a secret
            self._waiting = verb
        super().putcmd(cmd, args)

    def send(self, s: ReadableBuffer | str) -> None:
        """Send ``s``, within the time left. The end of a message («CRLF.CRLF») is noted:
        ``before_final_dot`` first, then ``body_sent`` (cleared again if nothing went)."""
        if self.sock is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        data = s.encode(self.command_encoding) if isinstance(s, str) else bytes(s)
        ends_message = data.endswith(b"\r\n.\r\n") and self._waiting == "data"
        if ends_message:
            if self.before_final_dot is not None:
                self.before_final_dot()
            self.body_sent = True
            self._waiting = "body"
        sys.audit("smtplib.send", self, data)
        try:
            self.arm()
            self.sock.sendall(data)
        except TimeoutError:
            raise self._timed_out() from None
        except OSError:
            if ends_message:
                self.body_sent = False  # the write failed: the final dot did not go out
            self.close()
            raise smtplib.SMTPServerDisconnected("Server not connected") from None

    def getreply(self) -> tuple[int, bytes]:
        """One reply, as smtplib reads it, within the time left and the caps."""
        if self.file is None:
            self.file = io.BufferedReader(_DeadlineReader(self))
        lines: list[bytes] = []
        total = 0
        code = -1
        while True:
            try:
                line = self.file.readline(MAX_LINE + 1)
            except TimeoutError:
                raise self._timed_out() from None
            except OSError as exc:
                self.close()
                raise smtplib.SMTPServerDisconnected(
                    f"Connection unexpectedly closed: {exc}") from None
            if not line:
                self.close()
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            total += len(line)
            if (len(line) > MAX_LINE or len(lines) >= MAX_REPLY_LINES
                    or total > MAX_REPLY_BYTES):
                waiting = WAITING_FOR[self._waiting]
                self.close()
                raise ReplyTooLong(waiting)
            lines.append(line[4:].strip(b" \t\r\n"))
            try:
                code = int(line[:3])
            except ValueError:
                code = -1
                break
            if line[3:4] != b"-":
                break
        return code, b"\n".join(lines)

    def starttls(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            self.arm()
            return super().starttls(*args, **kwargs)
        except TimeoutError:
            raise self._timed_out() from None

    # --- Logins in UTF-8 ----------------------------------------------------------

    def auth(self, mechanism: str, authobject: Callable[..., str | None], *,
             initial_response_ok: bool = True) -> tuple[int, bytes]:
        def utf8(challenge: bytes | None = None) -> str | None:
            response = authobject(challenge) if challenge is not None else authobject()
            return None if response is None else _UTF8Str(response)

        return super().auth(mechanism, utf8,  # type: ignore[arg-type]
                            initial_response_ok=initial_response_ok)

    @overload
    def auth_cram_md5(self, challenge: None = None) -> None: ...
    @overload
    def auth_cram_md5(self, challenge: ReadableBuffer) -> str: ...
    def auth_cram_md5(self, challenge: ReadableBuffer | None = None) -> str | None:
        if challenge is None:
            return None  # smtplib: no initial response
        digest = hmac.HMAC(self.password.encode("utf-8"), bytes(challenge), "md5").hexdigest()
        return f"{self.user} {digest}"


class BoundedClientTLS(BoundedClient, smtplib.SMTP_SSL):
    """Implicit TLS (``--smtps``, port 465): TLS from the first byte."""

    def __init__(self, host: str, port: int, *, context: ssl.SSLContext,
                 deadline: float | None = None) -> None:
        super().__init__(host, port, deadline=deadline, context=context)
