"""One sending run: each message noted in the send log before it goes, marked just before
its final dot, and recorded after the server accepted it, so a rerun sends only what is
missing, and a killed run leaves the truth (``sendlog``).

A log that refuses a write stops the run: a failure to record is never a resend.
After ``SILENT_LIMIT`` messages in a row without an answer (unknown outcome, or no
reply in time) the run stops: the server is not well.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.utils import parseaddr
from functools import partial

import click

from kommunerapport.errors import DeliveryError
from kommunerapport.mail.inputs import read_report
from kommunerapport.mail.message import Extras, Templates, build_message, norwegian_date
from kommunerapport.mail.recipients import Outgoing, count
from kommunerapport.mail.sendlog import SENDING, LogWriteError, SendLog
from kommunerapport.mail.session import ConnectionLost, NoAnswer, OutcomeUnknown, Session
from kommunerapport.sources.throttle import Throttle

ALREADY_SENT = "allerede sendt"


CHANGED = "rapporten er endret siden forrige sending; bruk --resend for å sende den nye"


UNKNOWN_BEFORE = "ukjent utfall ved en tidligere sending"


EXCLUDED = "står på avmeldingslisten (--exclude)"


SILENT_LIMIT = 2  # messages in a row without an answer before the run stops


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
    templates: Templates
    hooks: Hooks
    extras: Extras
    summary: SendSummary = field(default_factory=SendSummary)

    def run(self, messages: list[Outgoing], pace: Throttle) -> None:
        """Send every message the log does not hold yet; record each one accepted."""
        todo = [out for out in messages if not self.skipped(out)]
        if not todo:
            return
        announce_pace(len(todo), pace.min_interval, self.hooks.echo)
        silent = 0
        with self.session:
            for i, out in enumerate(todo):
                if silent == SILENT_LIMIT:
                    stopped = (f"ikke sendt: e-postserveren svarte ikke på de {SILENT_LIMIT} "
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
                    silent += 1
                    self.summary.unknown.append((out, str(exc)))
                    self.hooks.echo(f"Ukjent utfall: {out.label}: {exc}")
                    continue
                except NoAnswer as exc:
                    silent += 1
                    self.summary.failed.append((out, str(exc)))
                    self.hooks.echo(f"Feilet: {out.label}: {exc}")
                    continue
                silent = 0
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
        NoAnswer when the server did not answer before the final dot; logged as failed.
        """
        try:
            data = read_report(out.report.path, out.report.sha256)
        except DeliveryError as exc:
            return exc.format_message().rstrip(".")
        msg = build_message(out, data, self.sender, self.templates,
                            self.extras.replacing(replaces(self.log, out)))
        key = (out.address, out.recipient.number, out.report.sha256)
        name = out.report.path.name
        not_sent = f"Sendingen stopper; {out.label} er ikke sendt"
        with self.stop_if_unlogged(f"den skulle notere at {out.label} skal sendes", not_sent):
            self.log.prepare(*key, name, msg["Message-ID"])

        def final_dot() -> None:
            with self.stop_if_unlogged(f"den skulle notere at e-posten til {out.label} "
                                       "overleveres", not_sent):
                self.log.sending(*key)

        try:
            error = self.session.send(msg, parseaddr(self.sender)[1], out.address, final_dot)
        except OutcomeUnknown as exc:
            with self.stop_if_unlogged(f"den skulle notere at {out.label} har ukjent utfall",
                                       "Sendingen stopper; e-posten står med ukjent utfall"):
                self.log.outcome_unknown(*key, str(exc))
            raise
        except NoAnswer as exc:
            with self.stop_if_unlogged(f"den skulle notere at {out.label} ikke ble sendt",
                                       "Sendingen stopper"):
                self.log.failed(*key, name, str(exc))
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
                    f"den skulle notere at e-postserveren godtok {out.label}",
                    "Sendingen stopper; e-posten står med ukjent utfall i loggen og sendes "
                    "ikke på nytt uten --resend-unknown", sent=out):
                self.log.record(*key, name, msg["Message-ID"])
        else:
            with self.stop_if_unlogged(f"den skulle notere at {out.label} ikke ble sendt",
                                       "Sendingen stopper"):
                self.log.failed(*key, name, error)
        return error

    @contextlib.contextmanager
    def stop_if_unlogged(self, doing: str, then: str,
                         sent: Outgoing | None = None) -> Iterator[None]:
        """A log that refuses a write stops the run: a failure to record is never a resend.

        The message names the log (and so its folder), why it refused, what was being
        written (``doing``) and what follows (``then``).
        """
        try:
            yield
        except LogWriteError as exc:
            if sent is not None:
                self.summary.sent.append(sent)
                self.hooks.echo(f"Sendt: {sent.label}")
            raise DeliveryError(f"Kan ikke skrive i sendeloggen {exc.path} ({exc.detail}) da "
                                f"{doing}. {then}.") from None

    def note(self, out: Outgoing, error: str | None) -> None:
        if error:
            self.summary.failed.append((out, error))
            self.hooks.echo(f"Feilet: {out.label}: {error}")
            return
        self.summary.sent.append(out)
        self.hooks.echo(f"Sendt: {out.label}")
        if self.hooks.after_send:
            self.hooks.after_send(out)


def replaces(log: SendLog | None, out: Outgoing) -> str | None:
    """«6. mars 2026»: when an earlier version of this report went to this address, if
    one did (a changed report sent with ``--resend``); else None."""
    if log is None or out.report.sha256 in log.hashes_sent(out.address, out.recipient.number):
        return None
    when = log.last_sent(out.address, out.recipient.number)
    return norwegian_date(when) if when else None


def send_tests(messages: list[Outgoing], session: Session, sender: str,
               templates: Templates, extras: Extras, hooks: Hooks, pace: Throttle,
               summary: SendSummary) -> None:
    """``--to-me``: each message to the test address, marked as a test, noted in
    ``summary``; nothing logged (a test is no delivery to the member, and changes
    nothing a real run does)."""
    with session:
        for i, out in enumerate(messages):
            pace.wait()
            try:
                data = read_report(out.report.path, out.report.sha256)
            except DeliveryError as exc:
                summary.failed.append((out, exc.format_message().rstrip(".")))
                continue
            msg = build_message(out, data, sender, templates, extras)
            try:
                error = session.send(msg, parseaddr(sender)[1], out.address)
            except ConnectionLost as exc:
                summary.failed.extend((o, f"ikke sendt: {exc}") for o in messages[i:])
                break
            except (OutcomeUnknown, NoAnswer) as exc:
                error = str(exc)
            if error:
                summary.failed.append((out, error))
                hooks.echo(f"Feilet: {out.label}: {error}")
            else:
                summary.sent.append(out)
                hooks.echo(f"Sendt som test: {out.label}")


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
