"""A real SMTP server (aiosmtpd) on 127.0.0.1 that misbehaves as a test tells it to."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

GIVE_UP = 20.0  # seconds: a misbehaving server stops by itself, so no test can hang on it
LINE = "x" * 200


@dataclass
class Kill:
    """Send ``signum`` to process ``pid`` at ``step`` of the ``message``-th message (for the
    steps of a session, its first connection), then answer as if nothing happened."""

    pid: int
    signum: int
    step: str  # greeting, EHLO, AUTH, MAIL, RCPT, DATA, body, reply, QUIT
    message: int = 2


class Inbox:
    """Keeps every message whose DATA it received, and then, if told, misbehaves:

    - ``drop_after_data``: addresses whose DATA is received (the message is in the
      inbox, as a real server may already have queued it) and then the connection
      is cut before the 250 reply; «*» for every address;
    - ``reply_to_data``: what to answer instead of 250, e.g. a garbled line or a 251;
    - ``stall_after_data``: seconds to wait before replying (past the client's timeout);
    - ``stall_rcpt``: addresses whose RCPT TO is never answered;
    - ``drip``: «greeting» or «data»: answer with endless ``220-``/``250-`` lines, one
      every ``drip_every`` seconds; ``flood_ehlo``: answer EHLO with endless lines at once;
    - ``interrupt_at``: «RCPT» or «DATA»: send ``interrupt_signal`` (Ctrl-C's SIGINT by
      default) to the main thread, where the CLI runs, while it waits for the reply to
      that command, and reply only after that;
    - ``kill``: the same to another process (``Kill``), at any step.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.attempts: Counter[str] = Counter()  # RCPT TO per address
        self.mails = 0  # MAIL FROM commands
        self.drop_after_data: set[str] = set()
        self.reply_to_data = "250 Message accepted for delivery"
        self.stall_after_data = 0.0
        self.stall_rcpt: set[str] = set()
        self.drip: str | None = None
        self.drip_every = 0.05
        self.flood_ehlo = False
        self.interrupt_at: str | None = None
        self.interrupt_signal = signal.SIGINT
        self.kill: Kill | None = None
        self.users: dict[bytes, bytes] = {}
        self.port = 0
        self.controller: Controller | None = None

    # --- Commands -------------------------------------------------------------------

    async def handle_EHLO(self, server: SMTP, session: Session, envelope: Envelope,
                          hostname: str, responses: list[str]) -> list[str]:
        session.host_name = hostname
        await self.at("EHLO")
        if self.flood_ehlo:  # endless lines, as fast as the client reads them
            end = time.monotonic() + GIVE_UP
            while not server.transport.is_closing() and time.monotonic() < end:
                await server.push(f"250-{LINE}")
        return responses

    async def handle_MAIL(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, mail_options: list[str]) -> str:
        self.mails += 1
        await self.at("MAIL")
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        self.attempts[address] += 1
        if address in self.stall_rcpt:  # never answered (until the client gives up)
            await self.wait_for_close(server)
            return "250 OK"
        envelope.rcpt_tos.append(address)
        await self.interrupt("RCPT")
        await self.at("RCPT")
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        await self.interrupt("DATA")
        await self.at("body")
        if "*" in self.drop_after_data or set(envelope.rcpt_tos) & self.drop_after_data:
            server.transport.abort()  # no reply: the client cannot know
        if self.drip == "data":
            await self.dripping(server, "250")
        await asyncio.sleep(self.stall_after_data)
        kill = self.kill
        if kill and kill.step == "reply" and self.mails == kill.message:
            self.kill = None  # just after the reply has gone
            asyncio.get_running_loop().call_later(0.01, signal_process, kill)
        return self.reply_to_data

    async def handle_QUIT(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await self.at("QUIT")
        return "221 Bye"

    def authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: LoginPassword) -> AuthResult:
        kill = self.kill
        if kill and kill.step == "AUTH":
            self.kill = None
            signal_process(kill)
            time.sleep(0.5)  # (aiosmtpd calls this outside a coroutine)
        ok = (isinstance(auth_data, LoginPassword)
              and self.users.get(auth_data.login) == auth_data.password)
        return AuthResult(success=ok, handled=False)

    # --- Misbehaving ------------------------------------------------------------------

    async def dripping(self, server: SMTP, code: str) -> None:
        """Continuation lines, one at a time, until the client hangs up (or GIVE_UP)."""
        end = time.monotonic() + GIVE_UP
        while not server.transport.is_closing() and time.monotonic() < end:
            server.transport.write(f"{code}-still working\r\n".encode())
            await asyncio.sleep(self.drip_every)

    @staticmethod
    async def wait_for_close(server: SMTP) -> None:
        end = time.monotonic() + GIVE_UP
        while not server.transport.is_closing() and time.monotonic() < end:
            await asyncio.sleep(0.05)

    async def interrupt(self, command: str) -> None:
        if self.interrupt_at == command:
            self.interrupt_at = None
            signal.pthread_kill(threading.main_thread().ident, self.interrupt_signal)
            await asyncio.sleep(0.2)  # the reply comes after the interrupt, never before

    async def at(self, step: str) -> None:
        """Kill the client at ``step``: of its ``message``-th message, or for a step of a
        session, of its first connection."""
        kill = self.kill
        if kill is None or kill.step != step:
            return
        per_message = step in ("MAIL", "RCPT", "DATA", "body")
        if per_message and self.mails != kill.message:
            return
        self.kill = None
        signal_process(kill)
        await asyncio.sleep(0.5)  # the reply comes after the signal (on a busy machine too)

    def received(self) -> Counter[str]:
        return Counter(r for rcpts, _ in self.messages for r in rcpts)

    def start(self, **kwargs: object) -> Inbox:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        if kwargs.pop("auth", False):
            kwargs.update(authenticator=self.authenticate, auth_required=True,
                          auth_require_tls=False)
        self.controller = MisbehavingController(self, hostname="127.0.0.1", port=self.port,
                                                **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


def signal_process(kill: Kill) -> None:
    with contextlib.suppress(ProcessLookupError):  # (already gone)
        os.kill(kill.pid, kill.signum)


class MisbehavingServer(SMTP):
    """aiosmtpd's server; its greeting (once per connection) and DATA command can be
    told to misbehave by the Inbox."""

    greeted = False

    async def push(self, status: str) -> None:
        inbox: Inbox = self.event_handler
        if not self.greeted:
            self.greeted = True
            if inbox.drip == "greeting":
                await inbox.dripping(self, "220")
                return
            await inbox.at("greeting")
        await super().push(status)

    async def smtp_DATA(self, arg: str) -> None:
        await self.event_handler.at("DATA")
        await super().smtp_DATA(arg)


class MisbehavingController(Controller):
    def factory(self) -> SMTP:
        return MisbehavingServer(self.handler, **self.SMTP_kwargs)

    def _trigger_server(self) -> None:
        """aiosmtpd connects once to check the server is up and waits for its greeting;
        a dripping greeting would never end that check, so it is left out of it."""
        drip, self.handler.drip = self.handler.drip, None
        try:
            super()._trigger_server()
        finally:
            self.handler.drip = drip
