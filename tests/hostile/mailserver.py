"""A real SMTP server (aiosmtpd) on 127.0.0.1 that misbehaves as a test tells it to."""

from __future__ import annotations

import asyncio
import signal
import socket
import threading
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


class Inbox:
    """Keeps every message whose DATA it received, and then, if told, misbehaves:

    - ``drop_after_data``: addresses whose DATA is received (the message is in the
      inbox, as a real server may already have queued it) and then the connection
      is cut before the 250 reply; «*» for every address;
    - ``reply_to_data``: what to answer instead of 250, e.g. a garbled line;
    - ``stall_after_data``: seconds to wait before replying (past the client's timeout);
    - ``interrupt_at``: «RCPT» or «DATA»: press Ctrl-C (SIGINT to the main thread,
      where the CLI runs) while it waits for the reply to that command, and reply
      only after that.
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.attempts: Counter[str] = Counter()  # RCPT TO per address
        self.drop_after_data: set[str] = set()
        self.reply_to_data = "250 Message accepted for delivery"
        self.stall_after_data = 0.0
        self.interrupt_at: str | None = None
        self.port = 0
        self.controller: Controller | None = None

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        self.attempts[address] += 1
        envelope.rcpt_tos.append(address)
        await self.interrupt("RCPT")
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append((list(envelope.rcpt_tos),
                              message_from_bytes(envelope.content, policy=policy.default)))
        await self.interrupt("DATA")
        if "*" in self.drop_after_data or set(envelope.rcpt_tos) & self.drop_after_data:
            server.transport.abort()  # no reply: the client cannot know
        await asyncio.sleep(self.stall_after_data)
        return self.reply_to_data

    async def interrupt(self, command: str) -> None:
        if self.interrupt_at == command:
            self.interrupt_at = None
            signal.pthread_kill(threading.main_thread().ident, signal.SIGINT)
            await asyncio.sleep(0.2)  # the reply comes after the interrupt, never before

    def received(self) -> Counter[str]:
        return Counter(r for rcpts, _ in self.messages for r in rcpts)

    def start(self) -> Inbox:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
