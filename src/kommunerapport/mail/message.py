"""One e-mail: the member's report attached, subject and body from the e-mail templates.

The templates (``email_subject.txt``, ``email_body.txt``) are in the member's written
form; a user's own folder (``--templates``) comes first. The Message-ID is the same
for the same address and report, so a mail client can spot a duplicate.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path
from typing import TypedDict

import jinja2

from kommunerapport.errors import TemplateError
from kommunerapport.files import asset_dir
from kommunerapport.mail.recipients import (
    Outgoing,
)

SUBJECT_TEMPLATE = "email_subject.txt"


BODY_TEMPLATE = "email_body.txt"


class EmailContext(TypedDict):
    """What the e-mail templates receive; every key is documented here."""

    lang: str  # «nb» or «nn»: the member's official written form (neutral → nb)
    member: str  # «Kinn kommune», «Vestland fylkeskommune»
    number: str  # «4602» (kommunenummer) or «46» (fylkesnummer)
    kind: str  # «kommune» or «fylkeskommune»
    year: int  # accounting year of the attached report
    report_name: str  # the attached file's name


def templates_dir(custom: Path | None = None) -> Path:
    """The user's folder, the copy inside the wheel, or the checkout's ``templates/``."""
    if custom is not None:
        return custom
    return asset_dir("templates")


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
