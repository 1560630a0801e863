"""The ``send`` command's options, checked before anything is sent.

The sender address, the pace (``--rate``) and the SMTP password, which comes only
from the environment and is never printed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from pathlib import Path

from kommunerapport.errors import UsageError
from kommunerapport.mail.inputs import MAX_CA_BYTES, read_text_file
from kommunerapport.mail.recipients import (
    valid_address,
)

PASSWORD_ENV = "KOMMUNERAPPORT_SMTP_PASSWORD"


MIN_RATE = 0.1  # messages a minute (one every ten minutes); slower is a typo, not a plan


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
    draft: str | None = None  # a test address: drafts allowed, every message goes there
    smtps: bool = False  # implicit TLS (port 465) instead of STARTTLS
    ca_file: Path | None = None  # more CAs to trust (PEM)
    preview: Path | None = None  # write each message as .eml here; send nothing
    to_me: str | None = None  # send the chosen messages to this address instead, as tests
    only: tuple[str, ...] = ()  # numbers or county names: limit the run to these members
    exclude: Path | None = None  # an opt-out list of addresses
    unsubscribe: str | None = None  # List-Unsubscribe: an address or https:// page


def check_options(options: SendOptions) -> None:
    """Options that cannot go together, and values that cannot be right, before any work."""
    if options.smtps and options.starttls is not None:
        flag = "--starttls" if options.starttls else "--no-starttls"
        raise UsageError(f"--smtps bruker TLS fra første byte, så {flag} gir ingen mening "
                         "sammen med den. Bruk én av dem.")
    if options.to_me is not None and not valid_address(options.to_me):
        raise UsageError(f"--to-me «{options.to_me}» er ikke en gyldig e-postadresse.")
    if options.unsubscribe is not None and not (
            valid_address(options.unsubscribe)
            or re.fullmatch(r"https://[^\s<>]+", options.unsubscribe)):
        raise UsageError(f"--unsubscribe «{options.unsubscribe}»: oppgi en e-postadresse "
                         "eller en nettside som begynner med https://.")
    if options.ca_file is not None:
        read_text_file(options.ca_file, "sertifikatfilen (--ca-file)", MAX_CA_BYTES)


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
