"""One sending run: each message noted in the send log before it goes and recorded
after the server accepted it, so a rerun sends only what is missing.

A log that refuses a write stops the run: a failure to record is never a resend.
After ``UNKNOWN_LIMIT`` unknown outcomes in a row the run stops.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial

import click
import jinja2

from kommunerapport.errors import DeliveryError
from kommunerapport.mail.message import build_message
from kommunerapport.mail.recipients import (
    Outgoing,
    count,
)
from kommunerapport.mail.sendlog import SENDING, LogWriteError, SendLog
from kommunerapport.mail.session import ConnectionLost, OutcomeUnknown, Session
from kommunerapport.sources.throttle import Throttle

ALREADY_SENT = "allerede sendt"


CHANGED = "rapporten er endret siden forrige sending; bruk --resend for å sende den nye"


UNKNOWN_BEFORE = "ukjent utfall ved en tidligere sending"


UNKNOWN_LIMIT = 2  # unknown outcomes in a row before the run stops: the server is not well


@dataclass
class Hooks:
    """Seams for tests: time, output (echo: stdout, warn: stderr), and a call after
    each delivered message."""

    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    echo: Callable[[str], None] = click.echo
    warn: Callable[[str], None] = partial(click.echo, err=True)
    after_send: Callable[[Outgoing], None] | None = None


@dataclass
class SendSummary:
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[Outgoing, str]] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    unknown: list[tuple[Outgoing, str]] = field(default_factory=list)  # in this run

    @property
    def unknown_before(self) -> list[tuple[Outgoing, str]]:
        """Skipped because an earlier run left their outcome unknown."""
        return [(o, why) for o, why in self.skipped if why.startswith(UNKNOWN_BEFORE)]


@dataclass
class Delivery:
    """One sending run: what it sends with, and what happened so far."""

    log: SendLog
    session: Session
    sender: str
    env: jinja2.Environment
    hooks: Hooks
    summary: SendSummary = field(default_factory=SendSummary)

    def run(self, messages: list[Outgoing], pace: Throttle) -> None:
        """Send every message the log does not hold yet; record each one accepted."""
        todo = [out for out in messages if not self.skipped(out)]
        if not todo:
            return
        announce_pace(len(todo), pace.min_interval, self.hooks.echo)
        unknown_in_a_row = 0
        with self.session:
            for i, out in enumerate(todo):
                if unknown_in_a_row == UNKNOWN_LIMIT:
                    stopped = (f"ikke sendt: e-postserveren svarte ikke på de {UNKNOWN_LIMIT} "
                               "siste e-postene, så sendingen stoppet")
                    self.summary.failed.extend((o, stopped) for o in todo[i:])
                    return
                pace.wait()
                try:
                    error = self.send_one(out)
                except ConnectionLost as exc:
                    self.summary.failed.extend((o, f"ikke sendt: {exc}") for o in todo[i:])
                    return
                except OutcomeUnknown as exc:
                    unknown_in_a_row += 1
                    self.summary.unknown.append((out, str(exc)))
                    self.hooks.echo(f"Ukjent utfall: {out.label}: {exc}")
                    continue
                unknown_in_a_row = 0
                self.note(out, error)

    def skipped(self, out: Outgoing) -> bool:
        options = self.session.options
        reason = skip_reason(out, self.log, options.resend, options.resend_unknown)
        if reason:
            self.summary.skipped.append((out, reason))
        return reason is not None

    def send_one(self, out: Outgoing) -> str | None:
        """Send one message and log it; the reason it failed, or None.

        OutcomeUnknown when the server may or may not have it; the log says so.
        """
        try:
            data = out.report.path.read_bytes()
        except OSError as exc:
            return f"kan ikke lese {out.report.path.name}: {exc.strerror}"
        if hashlib.sha256(data).hexdigest() != out.report.sha256:
            return f"{out.report.path.name} ble endret under sendingen; kjør send på nytt"
        msg = build_message(out, data, self.sender, self.env)
        key = (out.address, out.recipient.number, out.report.sha256)
        with self.stop_if_unlogged(f"sendingen stopper før {out.label}, som ikke er sendt"):
            self.log.sending(*key, out.report.path.name, msg["Message-ID"])
        try:
            error = self.session.send(msg, parseaddr(self.sender)[1], out.address)
        except OutcomeUnknown as exc:
            with self.stop_if_unlogged(f"sendingen stopper; {out.label} har ukjent utfall"):
                self.log.outcome_unknown(*key, str(exc))
            raise
        except BaseException:  # ConnectionLost, or Ctrl-C: unknown only once handed over
            if self.session.handed_over:  # the log's note stays: unknown on the next run
                self.summary.unknown.append((out, SENDING))
            else:
                with contextlib.suppress(LogWriteError):
                    self.log.not_sent(*key)
            raise
        if error is None:
            with self.stop_if_unlogged(
                    f"e-postserveren godtok {out.label}, men loggen fikk ikke skrevet det. "
                    "Sendingen stopper; e-posten står med ukjent utfall i loggen og sendes "
                    "ikke på nytt uten --resend-unknown", sent=out):
                self.log.record(*key, out.report.path.name, msg["Message-ID"])
        else:
            with self.stop_if_unlogged("sendingen stopper"):
                self.log.not_sent(*key)
        return error

    @contextlib.contextmanager
    def stop_if_unlogged(self, what: str, sent: Outgoing | None = None) -> Iterator[None]:
        """A log that refuses a write stops the run: a failure to record is never a resend."""
        try:
            yield
        except LogWriteError as exc:
            if sent is not None:
                self.summary.sent.append(sent)
                self.hooks.echo(f"Sendt: {sent.label}")
            raise DeliveryError(f"Kan ikke skrive i sendeloggen {exc.path} ({exc.detail}); "
                                f"{what}.") from None

    def note(self, out: Outgoing, error: str | None) -> None:
        if error:
            self.summary.failed.append((out, error))
            self.hooks.echo(f"Feilet: {out.label}: {error}")
            return
        self.summary.sent.append(out)
        self.hooks.echo(f"Sendt: {out.label}")
        if self.hooks.after_send:
            self.hooks.after_send(out)


def skip_reason(out: Outgoing, log: SendLog | None, resend: bool,
                resend_unknown: bool = False) -> str | None:
    """Why this message is not sent again, or None to send it."""
    if log is None:
        return None
    sent = log.hashes_sent(out.address, out.recipient.number)
    if out.report.sha256 in sent:
        return ALREADY_SENT
    unknown = log.unknown(out.address, out.recipient.number)
    this = unknown.pop(out.report.sha256, None)
    if this and not resend_unknown:
        return f"{UNKNOWN_BEFORE} ({this.since}): {this.reason}"
    if (sent or unknown) and not resend:  # an older version went, or may have gone
        return CHANGED
    return None


def announce_pace(messages: int, interval: float, echo: Callable[[str], None]) -> None:
    """Say up front when --rate makes the run take a minute or more."""
    seconds = interval * (messages - 1)
    if seconds >= 60:
        echo(f"Med --rate tar {count(messages, 'e-post', 'e-poster')} minst "
             f"{duration(seconds)} å sende.")


def duration(seconds: float) -> str:
    """«4 minutter», «2 timer og 5 minutter», «2 døgn og 14 timer» (rounded down)."""
    minutes = int(seconds // 60)
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return f"{days} døgn" + (f" og {count(hours, 'time', 'timer')}" if hours else "")
    if hours:
        return count(hours, "time", "timer") + (
            f" og {count(minutes, 'minutt', 'minutter')}" if minutes else "")
    return count(minutes, "minutt", "minutter")
