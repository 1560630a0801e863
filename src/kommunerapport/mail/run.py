"""``kommunerapport send``: e-mail each member its own report.

The run has two halves. First everything is checked without touching the network:
the options, the recipients file (numbers, names, addresses, every problem at once),
the chosen members (``--only``) and the opt-out list (``--exclude``), that every
member has the report the tool recorded writing (``records.py``), the templates, and
that none is built on sample figures. A dry run (``--dry-run``, ``--preview``) stops
there and shows what a real run would do (``preview``). Then the send log is opened
and written once (``sendlog``): a log that cannot be written stops the run here. Only
then does it connect and send, one message per address (``delivery``).

Exactly once, with one exception said out loud: when the connection breaks after the
whole message was handed over and before the server replied, nobody can tell whether
it was delivered. That message is not retried; the log and the summary name it as
«ukjent utfall», every later run says so and ends with an error, and only
``--resend-unknown`` sends it again (or ``kommunerapport sendlog --confirm`` records
that it arrived).

Ctrl-C, SIGTERM and SIGHUP stop the run the same way: the message on its way is
finished in the log as what it is (not sent, or unknown once its final dot went),
the summary is printed, and the exit code is 1. The cyclic garbage collector, which
the console script turns off for a fast report, is on while sending: a message makes
cycles, and without the collector 10 000 messages kept some 750 MB.
"""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from collections.abc import Callable, Iterator
from email.utils import parseaddr

from kommunerapport.errors import DeliveryError, UsageError
from kommunerapport.mail.delivery import (
    ALREADY_SENT,
    CHANGED,
    EXCLUDED,
    Delivery,
    Hooks,
    SendSummary,
    announce_pace,
    send_tests,
)
from kommunerapport.mail.message import Extras, Templates, load_templates
from kommunerapport.mail.options import (
    SendOptions,
    check_options,
    parse_rate,
    parse_sender,
    read_password,
)
from kommunerapport.mail.preview import dry_run, preview_line, write_preview
from kommunerapport.mail.recipients import (
    Outgoing,
    count,
    find_reports,
    listing,
    plan_messages,
    read_recipients,
    sample_refusal,
    to_test_address,
)
from kommunerapport.mail.selection import (
    described,
    only,
    read_exclude,
    split_excluded,
    test_messages,
)
from kommunerapport.mail.sendlog import open_log, read_only_log
from kommunerapport.mail.session import Session, tls_context
from kommunerapport.sources.throttle import Throttle

# Ctrl-C, and what a service manager or a closed terminal sends (no SIGHUP on Windows).
SIGNAL_NAMES = {sig: name for sig, name in ((signal.SIGINT, "Ctrl-C"),
                                            (signal.SIGTERM, "SIGTERM"),
                                            (getattr(signal, "SIGHUP", None), "SIGHUP"))
                if sig is not None}


class Interrupted(DeliveryError):
    """The run was stopped by Ctrl-C, SIGTERM or SIGHUP; the summary is printed."""


class _Stopped(Exception):
    """A KeyboardInterrupt during sending, after the summary was printed."""

    def __init__(self, summary: SendSummary) -> None:
        super().__init__()
        self.summary = summary


def run_send(options: SendOptions, hooks: Hooks | None = None) -> SendSummary:
    """The ``send`` command: check, send, summarise; DeliveryError if any failed, has an
    unknown outcome (in this run or an earlier one), or the run was interrupted."""
    was_collecting = gc.isenabled()
    gc.enable()
    try:
        with interrupts_stop_the_run() as caught:
            def name() -> str:
                return caught[-1] if caught else "Ctrl-C"

            try:
                summary = send_reports(options, hooks or Hooks())
            except _Stopped as stop:
                raise Interrupted(interrupted_text(stop.summary, name())) from None
            except KeyboardInterrupt:
                raise Interrupted(f"Avbrutt ({name()}) før noe ble sendt.") from None
    finally:
        if not was_collecting:
            gc.disable()
    problem = problem_text(summary)
    if problem:
        raise DeliveryError(problem)
    return summary


@contextlib.contextmanager
def interrupts_stop_the_run() -> Iterator[list[str]]:
    """SIGTERM and SIGHUP stop the run as Ctrl-C does (a KeyboardInterrupt where it is);
    the list names the signals that came. Only the main thread can have handlers."""
    caught: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def stop(signum: int, frame: object) -> None:
        caught.append(SIGNAL_NAMES.get(signal.Signals(signum), signal.Signals(signum).name))
        raise KeyboardInterrupt

    before = {sig: signal.signal(sig, stop) for sig in SIGNAL_NAMES}
    try:
        yield caught
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def problem_text(summary: SendSummary) -> str | None:
    """The closing error line, or None when every message went (or was skipped) and no
    outcome is unknown."""
    failed, unknown = len(summary.failed), len(summary.unknown)
    before = len(summary.unknown_before)
    if not failed and not unknown and not before:
        return None
    total = count(len(summary.sent) + failed + unknown, "e-post", "e-poster")
    again = "sendes ikke på nytt uten --resend-unknown"
    if failed and unknown:
        text = (f"{failed} av {total} ble ikke sendt, og {unknown} har ukjent utfall ({again}); "
                "se over.")
    elif unknown:
        text = f"{unknown} av {total} har ukjent utfall og {again}; se over."
    elif failed:
        text = f"{failed} av {total} ble ikke sendt; se over."
    else:
        text = ""
    if before:
        text += (f" {count(before, 'e-post', 'e-poster')} har fortsatt ukjent utfall fra en "
                 "tidligere sending (se over): spør mottakerne, og merk det som kom fram med "
                 "kommunerapport sendlog --confirm ADRESSE, eller send på nytt med "
                 "--resend-unknown.")
    return text.strip()


def send_reports(options: SendOptions, hooks: Hooks) -> SendSummary:
    """Check everything first, then send (or, with a dry run or preview, only show)."""
    check_options(options)
    per_minute = parse_rate(options.rate)
    everyone = read_recipients(options.recipients)
    recipients = only(everyone, options.only, options.recipients)
    if options.draft is not None:  # drafts to a test address only
        recipients = to_test_address(recipients, options.draft)
    excluded = read_exclude(options.exclude) if options.exclude else frozenset()
    reports = find_reports(recipients, options.reports, drafts=options.draft is not None)
    passed_over = sorted({name for r in reports.values() for name in r.passed_over})
    if passed_over:
        hooks.warn(f"Merk: sender ikke {listing(passed_over, 3)}.")
    templates = load_templates(options.templates)
    if templates.note:
        hooks.warn(templates.note)
    context = tls_context(options.ca_file)
    test = options.to_me is not None
    if test:
        messages = test_messages(recipients, reports, options.to_me or "", bool(options.only))
        opted_out: list[Outgoing] = []
    else:
        messages, opted_out = split_excluded(plan_messages(recipients, reports), excluded)
    refusal = None if test else sample_refusal(messages, options.allow_sample)
    if options.dry_run or options.preview is not None:
        return look(messages, opted_out, options, templates, refusal, per_minute, hooks)
    if refusal:
        raise DeliveryError(refusal)
    sender = parse_sender(options.sender)
    password = read_password(options.user)
    extras = Extras(unsubscribe=options.unsubscribe or parseaddr(sender)[1], test=test)
    session = Session(options, password, hooks.sleep, hooks.warn, context)
    pace = Throttle.per_minute(per_minute, clock=hooks.clock, sleep=hooks.sleep)
    if test:
        return send_to_me(messages, session, sender, templates, extras, hooks, pace,
                          options.to_me or "")
    summary = SendSummary()
    summary.skipped.extend((o, EXCLUDED) for o in opted_out)
    printed = False
    try:
        with open_log(options.reports) as log:
            delivery = Delivery(log, session, sender, templates, hooks, extras, summary)
            try:
                delivery.run(messages, pace)
            finally:
                printed = True
                print_summary(summary, hooks.echo)
    except KeyboardInterrupt:  # while sending, or a moment after: the summary says what went
        if not printed:
            print_summary(summary, hooks.echo)
        raise _Stopped(summary) from None
    return summary


def interrupted_text(summary: SendSummary, signal_name: str) -> str:
    unknown = len(summary.unknown)
    said = (f" {count(unknown, 'e-post', 'e-poster')} har ukjent utfall og sendes ikke på nytt "
            "uten --resend-unknown." if unknown else "")
    return (f"Sendingen ble avbrutt ({signal_name}) etter {len(summary.sent)} sendt.{said} "
            "Kjør samme kommando igjen for å sende resten.")


def look(messages: list[Outgoing], opted_out: list[Outgoing], options: SendOptions,
         templates: Templates, refusal: str | None, per_minute: float | None,
         hooks: Hooks) -> SendSummary:
    """``--dry-run`` and ``--preview``: what a real run would do, and what would stop it."""
    blockers = [refusal] if refusal else []
    sender = parse_sender(options.sender) if options.sender else None
    if sender is None:
        if options.preview is not None:
            raise UsageError("--preview trenger --from: e-postene skrives slik de ville gått, "
                             "med avsender.")
        blockers.append("Mangler --from: oppgi avsenderadressen, for eksempel "
                        "--from analyse@ks.no.")
    if options.user:
        try:
            read_password(options.user)
        except UsageError as exc:
            blockers.append(exc.message)
    unsubscribe = options.unsubscribe or (parseaddr(sender)[1] if sender else "(avsenderen)")
    extras = Extras(unsubscribe=unsubscribe, test=options.to_me is not None)
    log = read_only_log(options.reports)
    with log or contextlib.nullcontext():
        summary = dry_run(messages, log, options, templates, extras, sender, hooks.echo)
        for out in opted_out:
            summary.skipped.append((out, EXCLUDED))
            hooks.echo(f"Hopper over {out.label}: {EXCLUDED}")
        written = (write_preview(options.preview, [o for o in summary.sent], log, sender or "",
                                 templates, extras) if options.preview is not None else [])
    for path in written:
        hooks.echo(f"Skrev {path}")
    if options.preview is not None:
        hooks.echo(preview_line(written, options.preview))
    else:
        hooks.echo(f"Tørrkjøring: {count(len(summary.sent), 'e-post', 'e-poster')} ville blitt "
                   f"sendt, {len(summary.skipped)} hoppet over. Ingenting er sendt.")
    announce_pace(len(summary.sent), 60.0 / per_minute if per_minute else 0.0, hooks.echo)
    if blockers:
        raise DeliveryError("En ekte kjøring ville stoppet før første e-post: "
                            + " Dessuten: ".join(blockers))
    return summary


def send_to_me(messages: list[Outgoing], session: Session, sender: str, templates: Templates,
               extras: Extras, hooks: Hooks, pace: Throttle, address: str) -> SendSummary:
    """``--to-me``: the chosen messages to one address, as tests; nothing logged."""
    hooks.echo(f"Sender {count(len(messages), 'testmelding', 'testmeldinger')} til {address}: "
               f"{described(messages)}.")
    summary = SendSummary()
    try:
        send_tests(messages, session, sender, templates, extras, hooks, pace, summary)
    except KeyboardInterrupt:
        raise _Stopped(summary) from None
    hooks.echo(f"Sendt som test: {len(summary.sent)}. Feilet: {len(summary.failed)}. "
               "Ingenting er sendt til medlemmene.")
    for out, reason in summary.failed:
        hooks.echo(f"  Feilet: {out.label}: {reason}")
    return summary


def print_summary(summary: SendSummary, echo: Callable[[str], None]) -> None:
    """One line of counts, then every message that did not go or may not have gone."""
    reasons = [reason for _, reason in summary.skipped]
    unknown = summary.unknown + summary.unknown_before
    line = (f"Sendt: {len(summary.sent)}. Allerede sendt: {reasons.count(ALREADY_SENT)}. "
            f"Endret, ikke sendt (bruk --resend): {reasons.count(CHANGED)}. ")
    if reasons.count(EXCLUDED):
        line += f"Avmeldt (--exclude): {reasons.count(EXCLUDED)}. "
    if unknown:
        line += f"Ukjent utfall, ikke sendt på nytt (bruk --resend-unknown): {len(unknown)}. "
    echo(f"{line}Feilet: {len(summary.failed)}.")
    for out, reason in unknown:
        echo(f"  Ukjent utfall: {out.label}: {reason.removeprefix('ukjent utfall ')}")
    for out, reason in summary.failed:
        echo(f"  Feilet: {out.label}: {reason}")
