"""One e-mail: the member's report attached, subject and body from the e-mail templates.

The templates (``email_subject.txt``, ``email_body.txt`` and ``email_body.html``) are in
the member's written form; a user's own folder (``--templates``) comes first, the rest
from the project. The body goes as plain text and as simple HTML (multipart/alternative)
unless the user's folder has its own plain text and no HTML of its own: then plain
text only, so the two never say different things. The Message-ID is the same for the
same address and report, so a mail client can spot a duplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import TypedDict
from zoneinfo import ZoneInfo

import jinja2

from kommunerapport.errors import TemplateError, template_reason
from kommunerapport.files import asset_dir
from kommunerapport.mail.inputs import why_not_regular
from kommunerapport.mail.recipients import Outgoing

SUBJECT_TEMPLATE = "email_subject.txt"


BODY_TEMPLATE = "email_body.txt"


HTML_TEMPLATE = "email_body.html"


TEMPLATE_NAMES = (SUBJECT_TEMPLATE, BODY_TEMPLATE, HTML_TEMPLATE)
MAX_TEMPLATE_BYTES = 100_000
TEST_MARK = "[TEST] "  # before the subject of a --to-me message
MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
          "september", "oktober", "november", "desember")  # the same in bokmål and nynorsk


class EmailContext(TypedDict):
    """What the e-mail templates receive; every key is documented here."""

    lang: str  # «nb» or «nn»: the member's official written form (neutral → nb)
    member: str  # «Kinn kommune», «Vestland fylkeskommune»: the greeting names it
    number: str  # «4602» (kommunenummer) or «46» (fylkesnummer)
    kind: str  # «kommune» or «fylkeskommune»
    year: int  # accounting year of the attached report
    report_name: str  # the attached file's name
    sample: bool  # the report is built on the synthetic sample data: say so, not KOSTRA
    replaces: str | None  # «6. mars 2026»: the date an earlier version went, if this replaces it
    unsubscribe: str  # where to opt out: an address (send «avmeld») or an https:// page


@dataclass(frozen=True)
class Templates:
    """The e-mail templates of a run; ``html``: send an HTML part beside the plain text."""

    env: jinja2.Environment
    html: bool
    note: str | None = None  # said once before the run, when the HTML part is left out


@dataclass(frozen=True)
class Extras:
    """What a message carries besides the member's words."""

    unsubscribe: str  # the List-Unsubscribe header's value
    test: bool = False  # a --to-me message: marked in the subject, its own Message-ID
    replaces: str | None = None  # the date an earlier version of the report went

    def replacing(self, date: str | None) -> Extras:
        return replace(self, replaces=date)


def templates_dir(custom: Path | None = None) -> Path:
    """The user's folder, the copy inside the wheel, or the checkout's ``templates/``."""
    if custom is not None:
        return custom
    return asset_dir("templates")


def load_templates(custom: Path | None = None) -> Templates:
    """The templates, the user's first. Each of the user's e-mail templates must be a
    regular file (a pipe would hang the run)."""
    project = templates_dir()
    folders = [project]
    html = True
    note = None
    if custom is not None:
        for name in TEMPLATE_NAMES:
            why = why_not_regular(custom / name, MAX_TEMPLATE_BYTES)
            if why:
                raise TemplateError(f"E-postmalen {custom / name} kan ikke brukes: {why}.")
        folders.insert(0, custom)
        if (custom / BODY_TEMPLATE).is_file() and not (custom / HTML_TEMPLATE).is_file():
            html = False
            note = (f"Merk: {custom} har sin egen {BODY_TEMPLATE}, men ingen {HTML_TEMPLATE}; "
                    "e-postene sendes bare som ren tekst.")
    for name in (SUBJECT_TEMPLATE, BODY_TEMPLATE):
        if not any((folder / name).is_file() for folder in folders):
            raise TemplateError(f"Fant ikke e-postmalen {name} i {folders[0]}.")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders]),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    return Templates(env, html, note)


def email_context(out: Outgoing, extras: Extras) -> EmailContext:
    r = out.recipient
    return EmailContext(lang=r.lang, member=r.member, number=r.number, kind=r.kind,
                        year=out.report.year, report_name=out.report.path.name,
                        sample=out.report.sample, replaces=extras.replaces,
                        unsubscribe=extras.unsubscribe)


def render_email(out: Outgoing, templates: Templates,
                 extras: Extras) -> tuple[str, str, str | None]:
    """Subject (one line), plain-text body and HTML body (or None) in the member's
    written form."""
    context = email_context(out, extras)
    env = templates.env
    try:
        subject = " ".join(env.get_template(SUBJECT_TEMPLATE).render(context).split())
        body = env.get_template(BODY_TEMPLATE).render(context)
        html = env.get_template(HTML_TEMPLATE).render(context) if templates.html else None
    except jinja2.TemplateError as exc:
        where = getattr(exc, "filename", None)
        line = getattr(exc, "lineno", None)
        place = f" ({where}, linje {line})" if where and line else ""
        raise TemplateError(f"E-postmalen kan ikke brukes{place}: {template_reason(exc)}.") \
            from None
    if not subject:
        raise TemplateError(f"E-postmalen {SUBJECT_TEMPLATE} gir et tomt emne.")
    return subject, body, html


def message_id(out: Outgoing, sender: str, test: bool = False) -> str:
    """The same for the same address and report, so a duplicate is recognisable; a test
    message (``--to-me``) has its own, so it is never taken for the real one."""
    key = f"{out.address.casefold()}\n{out.recipient.number}\n{out.report.sha256}"
    if test:
        key += "\ntest"
    domain = parseaddr(sender)[1].rsplit("@", 1)[1]
    return f"<kr.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def unsubscribe_header(target: str) -> str:
    """``<mailto:…?subject=avmeld>`` for an address, ``<https://…>`` for a web page."""
    if target.startswith("https://"):
        return f"<{target}>"
    return f"<mailto:{target}?subject=avmeld>"


def build_message(out: Outgoing, data: bytes, sender: str, templates: Templates,
                  extras: Extras) -> EmailMessage:
    subject, body, html = render_email(out, templates, extras)
    msg = EmailMessage()
    msg["Subject"] = (TEST_MARK if extras.test else "") + subject
    msg["From"] = sender
    msg["To"] = out.address
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(out, sender, extras.test)
    msg["List-Unsubscribe"] = unsubscribe_header(extras.unsubscribe)
    msg.set_content(body)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    msg.add_attachment(data, maintype="application", subtype="pdf",
                       filename=out.report.path.name)
    msg["Content-Language"] = out.recipient.lang
    return msg


def norwegian_date(iso: str) -> str:
    """«2026-03-06T13:02:00+00:00» → «6. mars 2026», the day in Norway."""
    when = datetime.fromisoformat(iso).astimezone(ZoneInfo("Europe/Oslo"))
    return f"{when.day}. {MONTHS[when.month - 1]} {when.year}"
