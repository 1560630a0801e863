"""A mail-out seen before it goes: ``--dry-run`` and ``--preview DIR``.

The dry run lists every message a real run would send or skip, and shows the sender
and, for each variant of the e-mail (written form, kind, sample data, replacement),
one whole message as the recipient reads it. It checks what a real run checks before
the network (the sender, the password, sample data) and, when a real run would stop,
says so instead of promising messages that would not go.

``--preview DIR`` also writes each message a real run would send as an ``.eml`` file
(headers, body and attachment exactly as they would go; only the Date differs), which
any mail client opens. The folder is written whole, and only a new folder or one that
holds nothing but an earlier preview's ``.eml`` files is replaced.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kommunerapport.errors import UsageError
from kommunerapport.files import atomic_folder
from kommunerapport.mail.delivery import SendSummary, replaces, skip_reason
from kommunerapport.mail.inputs import read_report
from kommunerapport.mail.message import Extras, Templates, build_message, render_email
from kommunerapport.mail.options import SendOptions
from kommunerapport.mail.recipients import Outgoing, count
from kommunerapport.mail.sendlog import SendLog

LANG_NAMES = {"nb": "bokmål", "nn": "nynorsk"}


def dry_run(messages: list[Outgoing], log: SendLog | None, options: SendOptions,
            templates: Templates, extras: Extras, sender: str | None,
            echo: Callable[[str], None]) -> SendSummary:
    """Print what a real run would send (and skip), with one whole message per variant."""
    summary = SendSummary()
    echo(f"Fra: {sender or '(mangler --from)'}")
    examples: dict[tuple[object, ...], tuple[Outgoing, str | None]] = {}
    for out in messages:
        reason = None if extras.test else skip_reason(out, log, options.resend,
                                                      options.resend_unknown)
        if reason:
            summary.skipped.append((out, reason))
            echo(f"Hopper over {out.label}: {reason}")
            continue
        replaced = replaces(log, out)
        subject, _, _ = render_email(out, templates, extras.replacing(replaced))
        summary.sent.append(out)
        notes = [LANG_NAMES[out.recipient.lang]]
        if out.report.sample:
            notes.append("eksempeldata")
        if replaced:
            notes.append(f"erstatter versjonen sendt {replaced}")
        echo(f"E-post til {out.label}: {out.report.path.name} ({', '.join(notes)}), "
             f"«{subject}»")
        variant = (out.recipient.lang, out.recipient.kind, out.report.sample, bool(replaced))
        examples.setdefault(variant, (out, replaced))
    for out, replaced in examples.values():
        show_example(out, replaced, templates, extras, echo)
    return summary


def show_example(out: Outgoing, replaced: str | None, templates: Templates, extras: Extras,
                 echo: Callable[[str], None]) -> None:
    subject, body, html = render_email(out, templates, extras.replacing(replaced))
    mark = "[TEST] " if extras.test else ""
    echo(f"--- Slik blir e-posten til {out.label} ---")
    echo(f"Emne: {mark}{subject}")
    echo(body.rstrip("\n"))
    tail = " (og som enkel HTML)" if html is not None else ""
    echo(f"--- Vedlegg: {out.report.path.name}{tail} ---")


def write_preview(folder: Path, messages: list[Outgoing], log: SendLog | None,
                  sender: str, templates: Templates, extras: Extras) -> list[Path]:
    """Each message as ``NNN-<number>-<address>.eml`` in ``folder``, written whole."""
    check_preview_folder(folder)
    written: list[Path] = []
    with atomic_folder(folder) as tmp:
        for i, out in enumerate(messages, start=1):
            data = read_report(out.report.path, out.report.sha256)
            this = extras if extras.test else extras.replacing(replaces(log, out))
            msg = build_message(out, data, sender, templates, this)
            name = f"{i:03d}-{out.recipient.number}-{safe(out.address)}.eml"
            (tmp / name).write_bytes(msg.as_bytes())
            written.append(folder / name)
    return written


def check_preview_folder(folder: Path) -> None:
    """A new folder, or one holding only an earlier preview: nothing else is replaced."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UsageError(f"--preview {folder}: finnes og er ikke en mappe. Velg en ny mappe.")
    if folder.is_dir():
        others = [p.name for p in folder.iterdir() if not (p.suffix == ".eml" and p.is_file())]
        if others:
            raise UsageError(f"--preview {folder}: mappen har andre filer enn .eml "
                             f"({', '.join(sorted(others)[:3])}). Velg en ny eller tom mappe.")


def safe(text: str) -> str:
    """An address as part of a file name: letters, digits, «@», «.», «-» and «_»."""
    return re.sub(r"[^A-Za-z0-9@._-]", "_", text)


def preview_line(written: list[Path], folder: Path) -> str:
    return (f"Forhåndsvisning: {count(len(written), 'e-post', 'e-poster')} skrevet som .eml "
            f"i {folder}. Ingenting er sendt.")
