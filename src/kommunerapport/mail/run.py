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
from collections.abc import Callable

import jinja2

from kommunerapport.errors import DeliveryError
from kommunerapport.mail.delivery import (
    ALREADY_SENT,
    CHANGED,
    Delivery,
    Hooks,
    SendSummary,
    announce_pace,
    skip_reason,
)
from kommunerapport.mail.message import render_email, template_env
from kommunerapport.mail.options import SendOptions, parse_rate, parse_sender, read_password
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
from kommunerapport.mail.sendlog import open_log, read_only_log
from kommunerapport.mail.session import Session
from kommunerapport.sources.throttle import Throttle

LANG_NAMES = {"nb": "bokmål", "nn": "nynorsk"}


def run_send(options: SendOptions, hooks: Hooks | None = None) -> SendSummary:
    """The ``send`` command: check, send, summarise; DeliveryError if any failed or
    has an unknown outcome."""
    summary = send_reports(options, hooks or Hooks())
    problem = problem_text(summary)
    if problem:
        raise DeliveryError(problem)
    return summary


def problem_text(summary: SendSummary) -> str | None:
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


def send_reports(options: SendOptions, hooks: Hooks) -> SendSummary:
    """Check everything first, then send (or, with dry_run, only show) each message."""
    per_minute = parse_rate(options.rate)
    recipients = read_recipients(options.recipients)
    if options.draft is not None:  # drafts to a test address only
        recipients = to_test_address(recipients, options.draft)
    reports = find_reports(recipients, options.reports, drafts=options.draft is not None)
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


def dry_run(messages: list[Outgoing], options: SendOptions, env: jinja2.Environment,
            echo: Callable[[str], None], refusal: str | None) -> SendSummary:
    """Print what a real run would send, and send nothing.

    Sample reports are shown with a note instead of stopping the preview.
    """
    summary = SendSummary()
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


def print_summary(summary: SendSummary, echo: Callable[[str], None]) -> None:
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


