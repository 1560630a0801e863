"""``kommunerapport send``: e-mail each member its own report.

The run has two halves. First everything is checked without touching the
network (``recipients.py``): the recipients file (numbers, names, addresses),
that every member has the report the tool recorded writing (``records.py``), and
that none is built on sample figures. Then the send log is opened and written
once (``sendlog.py``): a log that cannot be written stops the run here. Only then
does it connect and send, one message per address, each noted in the log before
it goes and recorded as sent after the server's 250 reply. A rerun skips what the
log holds, so a run that died half-way can simply be started again.

Exactly once, with one exception said out loud: when the connection breaks after
the whole message was handed over and before the server replied, nobody can tell
whether it was delivered. That message is not retried; the log and the summary
name it as «ukjent utfall», and only ``--resend-unknown`` sends it again. After
``UNKNOWN_LIMIT`` of those in a row the run stops.

SMTP in short: STARTTLS with a verifying context whenever the server offers it
(required with ``--starttls``, off with ``--no-starttls``); 4xx replies and
connections lost before the message was handed over are retried with backoff,
5xx replies never; the password comes only from the environment and is never printed.
"""

from __future__ import annotations

import contextlib
import hashlib
import ipaddress
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate, parseaddr
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TypedDict

import click
import jinja2

from kommunerapport.errors import DeliveryError, TemplateError, UsageError
from kommunerapport.mail.recipients import (
    Outgoing,
    count,
    find_reports,
    listing,
    plan_messages,
    read_recipients,
    sample_refusal,
    valid_address,
)
from kommunerapport.mail.sendlog import SENDING, LogWriteError, SendLog, open_log, read_only_log
from kommunerapport.sources.throttle import Throttle

PASSWORD_ENV = "KOMMUNERAPPORT_SMTP_PASSWORD"
SUBJECT_TEMPLATE = "email_subject.txt"
BODY_TEMPLATE = "email_body.txt"
TIMEOUT = 60  # seconds for one SMTP command
BACKOFF = (5.0, 20.0, 60.0)  # seconds before the 2nd, 3rd and 4th attempt
ALREADY_SENT = "allerede sendt"
CHANGED = "rapporten er endret siden forrige sending; bruk --resend for å sende den nye"
UNKNOWN_BEFORE = "ukjent utfall ved en tidligere sending"
UNKNOWN_LIMIT = 2  # unknown outcomes in a row before the run stops: the server is not well
MIN_RATE = 0.1  # messages a minute (one every ten minutes); slower is a typo, not a plan
LANG_NAMES = {"nb": "bokmål", "nn": "nynorsk"}


class EmailContext(TypedDict):
    """What the e-mail templates receive; every key is documented here."""

    lang: str  # «nb» or «nn»: the member's official written form (neutral → nb)
    member: str  # «Kinn kommune», «Vestland fylkeskommune»
    number: str  # «4602» (kommunenummer) or «46» (fylkesnummer)
    kind: str  # «kommune» or «fylkeskommune»
    year: int  # accounting year of the attached report
    report_name: str  # the attached file's name


@dataclass(frozen=True)
class SendOptions:
    """The ``send`` command's options, as the user gave them."""

    recipients: Path
    reports: Path = Path("output")
    dry_run: bool = False
    host: str = "localhost"
    port: int = 25
    user: str | None = None
    sender: str | None = None
    rate: str | None = None  # «30/min» or «30»
    resend: bool = False
    allow_sample: bool = False
    starttls: bool | None = None  # None: when offered; True: required; False: never
    templates: Path | None = None
    resend_unknown: bool = False  # send again what an earlier run left with unknown outcome


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
class Summary:
    sent: list[Outgoing] = field(default_factory=list)
    skipped: list[tuple[Outgoing, str]] = field(default_factory=list)
    failed: list[tuple[Outgoing, str]] = field(default_factory=list)
    unknown: list[tuple[Outgoing, str]] = field(default_factory=list)  # in this run

    @property
    def unknown_before(self) -> list[tuple[Outgoing, str]]:
        """Skipped because an earlier run left their outcome unknown."""
        return [(o, why) for o, why in self.skipped if why.startswith(UNKNOWN_BEFORE)]


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


# --- The run -------------------------------------------------------------------------


def run_send(options: SendOptions, hooks: Hooks | None = None) -> Summary:
    """The ``send`` command: check, send, summarise; DeliveryError if any failed or
    has an unknown outcome."""
    summary = send_reports(options, hooks or Hooks())
    problem = problem_text(summary)
    if problem:
        raise DeliveryError(problem)
    return summary


def problem_text(summary: Summary) -> str | None:
    """The closing error line, or None when every message went (or was skipped)."""
    failed, unknown = len(summary.failed), len(summary.unknown)
    if not failed and not unknown:
        return None
    total = count(len(summary.sent) + failed + unknown, "e-post", "e-poster")
    again = "sendes ikke på nytt uten --resend-unknown"
    if not unknown:
        return f"{failed} av {total} ble ikke sendt; se over."
    if not failed:
        return f"{unknown} av {total} har ukjent utfall og {again}; se over."
    return f"{failed} av {total} ble ikke sendt, og {unknown} har ukjent utfall ({again}); se over."


def send_reports(options: SendOptions, hooks: Hooks) -> Summary:
    """Check everything first, then send (or, with dry_run, only show) each message."""
    per_minute = parse_rate(options.rate)
    recipients = read_recipients(options.recipients)
    reports = find_reports(recipients, options.reports)
    passed_over = sorted({name for r in reports.values() for name in r.passed_over})
    if passed_over:
        hooks.warn(f"Merk: sender ikke {listing(passed_over, 3)}.")
    messages = plan_messages(recipients, reports)
    refusal = sample_refusal(messages, options.allow_sample)
    env = template_env(options.templates)
    if options.dry_run:
        if options.sender:
            parse_sender(options.sender)
        return dry_run(messages, options, env, hooks.echo, refusal)
    if refusal:
        raise DeliveryError(refusal)
    sender = parse_sender(options.sender)
    password = read_password(options.user)
    with open_log(options.reports) as log:
        session = Session(options, password, hooks.sleep, hooks.warn)
        delivery = Delivery(log, session, sender, env, hooks)
        try:
            delivery.run(messages, Throttle.per_minute(per_minute, clock=hooks.clock,
                                                       sleep=hooks.sleep))
        finally:
            print_summary(delivery.summary, hooks.echo)
    return delivery.summary


@dataclass
class Delivery:
    """One sending run: what it sends with, and what happened so far."""

    log: SendLog
    session: Session
    sender: str
    env: jinja2.Environment
    hooks: Hooks
    summary: Summary = field(default_factory=Summary)

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


def dry_run(messages: list[Outgoing], options: SendOptions, env: jinja2.Environment,
            echo: Callable[[str], None], refusal: str | None) -> Summary:
    """Print what a real run would send, and send nothing.

    Sample reports are shown with a note instead of stopping the preview.
    """
    summary = Summary()
    log = read_only_log(options.reports)
    with log or contextlib.nullcontext():
        for out in messages:
            reason = skip_reason(out, log, options.resend, options.resend_unknown)
            subject, _ = render_email(out, env)
            if reason:
                summary.skipped.append((out, reason))
                echo(f"Hopper over {out.label}: {reason}")
            else:
                summary.sent.append(out)
                sample = ", eksempeldata" if out.report.sample else ""
                echo(f"Ville sendt {out.label}: {out.report.path.name} "
                     f"({LANG_NAMES[out.recipient.lang]}{sample}), «{subject}»")
    echo(f"Tørrkjøring: {count(len(summary.sent), 'e-post', 'e-poster')} ville blitt sendt, "
         f"{len(summary.skipped)} hoppet over. Ingenting er sendt.")
    per_minute = parse_rate(options.rate)
    announce_pace(len(summary.sent), 60.0 / per_minute if per_minute else 0.0, echo)
    if refusal:
        echo(f"Merk: {refusal}")
    return summary


def print_summary(summary: Summary, echo: Callable[[str], None]) -> None:
    """One line of counts, then every message that did not go or may not have gone."""
    reasons = [reason for _, reason in summary.skipped]
    unknown = summary.unknown + summary.unknown_before
    line = (f"Sendt: {len(summary.sent)}. Allerede sendt: {reasons.count(ALREADY_SENT)}. "
            f"Endret, ikke sendt (bruk --resend): {reasons.count(CHANGED)}. ")
    if unknown:
        line += f"Ukjent utfall, ikke sendt på nytt (bruk --resend-unknown): {len(unknown)}. "
    echo(f"{line}Feilet: {len(summary.failed)}.")
    for out, reason in unknown:
        echo(f"  Ukjent utfall: {out.label}: {reason.removeprefix('ukjent utfall ')}")
    for out, reason in summary.failed:
        echo(f"  Feilet: {out.label}: {reason}")


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


# --- Options -------------------------------------------------------------------------


def parse_rate(text: str | None) -> float | None:
    """«30/min» or «30» → 30.0 messages a minute; None for no limit.

    At least ``MIN_RATE``: «0.0001» would mean one message a week, silently.
    """
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:[.,]\d+)?)\s*(?:/\s*min)?\s*", text)
    value = float(match.group(1).replace(",", ".")) if match else 0.0
    if value <= 0:
        raise UsageError(f"--rate «{text}»: skriv antall e-poster per minutt, for eksempel 30/min.")
    if value < MIN_RATE:
        raise UsageError(f"--rate «{text}»: for sakte; minst 0,1 e-post per minutt (én hvert "
                         "tiende minutt), for eksempel 30/min.")
    return value


def parse_sender(text: str | None) -> str:
    """The From header: «analyse@ks.no» or «KS Analyse <analyse@ks.no>»."""
    if not text:
        raise UsageError("Mangler --from: oppgi avsenderadressen, "
                         "for eksempel --from analyse@ks.no.")
    name, address = parseaddr(text)
    if not valid_address(address) or "\n" in text or "\r" in text:
        raise UsageError(f"--from «{text}» er ikke en gyldig e-postadresse.")
    return formataddr((name, address)) if name else address


def read_password(user: str | None) -> str | None:
    """The SMTP password from the environment; required when a user is given."""
    if user is None:
        return None
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        raise UsageError(f"--smtp-user er satt, men miljøvariabelen {PASSWORD_ENV} er tom. "
                         "Sett passordet der.")
    return password


# --- The message ---------------------------------------------------------------------


def templates_dir(custom: Path | None = None) -> Path:
    """The user's folder, the copy inside the wheel, or the checkout's ``templates/``."""
    if custom is not None:
        return custom
    packaged = resources.files("kommunerapport").joinpath("templates")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[3] / "templates"


def template_env(custom: Path | None = None) -> jinja2.Environment:
    folder = templates_dir(custom)
    for name in (SUBJECT_TEMPLATE, BODY_TEMPLATE):
        if not (folder / name).is_file():
            raise TemplateError(f"Fant ikke e-postmalen {folder / name}.")
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder), autoescape=False,
                              undefined=jinja2.StrictUndefined, keep_trailing_newline=True)


def email_context(out: Outgoing) -> EmailContext:
    r = out.recipient
    return EmailContext(lang=r.lang, member=r.member, number=r.number, kind=r.kind,
                        year=out.report.year, report_name=out.report.path.name)


def render_email(out: Outgoing, env: jinja2.Environment) -> tuple[str, str]:
    """Subject (one line) and body in the member's written form."""
    context = email_context(out)
    try:
        subject = " ".join(env.get_template(SUBJECT_TEMPLATE).render(context).split())
        body = env.get_template(BODY_TEMPLATE).render(context)
    except jinja2.TemplateError as exc:
        raise TemplateError(f"E-postmalen kan ikke brukes: {exc}.") from None
    if not subject:
        raise TemplateError(f"E-postmalen {SUBJECT_TEMPLATE} gir et tomt emne.")
    return subject, body


def message_id(out: Outgoing, sender: str) -> str:
    """The same for the same address and report, so a duplicate is recognisable."""
    key = f"{out.address.casefold()}\n{out.recipient.number}\n{out.report.sha256}"
    domain = parseaddr(sender)[1].rsplit("@", 1)[1]
    return f"<kr.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_message(out: Outgoing, data: bytes, sender: str,
                  env: jinja2.Environment) -> EmailMessage:
    subject, body = render_email(out, env)
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = out.address
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(out, sender)
    msg.set_content(body)
    msg.add_attachment(data, maintype="application", subtype="pdf",
                       filename=out.report.path.name)
    msg["Content-Language"] = out.recipient.lang
    return msg


# --- SMTP ----------------------------------------------------------------------------


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

    def send(self, s: str | bytes) -> None:
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

    def _attempt(self, msg: EmailMessage, from_addr: str, address: str) -> tuple[int, bytes]:
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
