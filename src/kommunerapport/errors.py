"""The tool's own exceptions, each a one-line message for the user.

They subclass ``click.ClickException`` so the CLI prints ``Feil: <message>`` and
exits with the kind's exit code, without a traceback.
"""

from __future__ import annotations

import errno
import os
import re
from typing import IO, Any, Self

import click

# C0 and C1 control characters (a terminal acts on ESC, BEL, …), the Unicode
# bidirectional overrides that reorder what a terminal shows, and the invisible ones
# (zero-width space and joiners, word joiner, a byte order mark inside a text). Tab and line
# breaks are turned into spaces by ``format_message`` first.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069"
                          "\ufeff]")


def printable(text: str) -> str:
    """``text`` with control characters shown escaped («\\x1b»), so quoting a user's
    data in a message never lets it act on the terminal."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


def shown(text: object, limit: int = 60) -> str:
    """A value as a message quotes it: control characters escaped, and a long one
    cut to ``limit`` characters with its length said («1234…(400 tegn)»)."""
    text = printable(str(text))
    if len(text) <= limit:
        return text
    return f"{text[:limit]}…({len(text)} tegn)"


_LONG_QUOTE = re.compile("«([^«»]{201,})»")


def _quotes_cut(message: str) -> str:
    """Every quoted value («…») cut to 200 characters: a 1 MB column name in a file
    must not become a 1 MB message."""
    return _LONG_QUOTE.sub(lambda m: f"«{shown(m.group(1), 200)}»", message)


def located(path: object, problem: str, *, line: int | None = None,
            column: str | None = None, char: int | None = None) -> str:
    """Where a problem is, then what it is: «fil.csv, linje 3, kolonne «verdi»: …».

    ``column`` names a column by its header; ``char`` counts characters in the line.
    """
    where = f"{path}" + (f", linje {line}" if line else "") + (
        f", kolonne «{column}»" if column else "") + (f", tegn {char}" if char else "")
    return f"{where}: {problem}"


# What the system says (``os.strerror``), said in Norwegian: (problem, what to do).
OS_REASONS: dict[int, tuple[str, str]] = {
    errno.ENOSPC: ("disken er full", "Frigjør plass, og kjør på nytt."),
    errno.EDQUOT: ("diskkvoten din er brukt opp", "Frigjør plass, og kjør på nytt."),
    errno.EROFS: ("filsystemet er skrivebeskyttet",
                  "Velg en mappe du kan skrive i."),
    errno.EIO: ("lese- eller skrivefeil på disken (I/O-feil)",
                "Sjekk disken, og kjør på nytt."),
    errno.EFBIG: ("fila blir større enn systemet tillater", "Frigjør plass eller øk grensen."),
    errno.EACCES: ("mangler tilgang", "Sjekk rettighetene."),
    errno.EPERM: ("operasjonen er ikke tillatt", "Sjekk rettighetene."),
    errno.ENOENT: ("finnes ikke", ""),
    errno.EEXIST: ("finnes fra før", ""),
    errno.EISDIR: ("er en mappe", ""),
    errno.ENOTDIR: ("en del av stien er ikke en mappe", ""),
    errno.ELOOP: ("for mange symbolske lenker i stien", ""),
    errno.ENAMETOOLONG: ("navnet er for langt", ""),
    errno.EMFILE: ("for mange åpne filer", ""),
    errno.ENFILE: ("for mange åpne filer på maskinen", ""),
    errno.ENOTEMPTY: ("mappen er ikke tom", ""),
    errno.EBUSY: ("er i bruk", ""),
    errno.ETXTBSY: ("er i bruk", ""),
    errno.EXDEV: ("ligger på et annet filsystem", ""),
    errno.ENOMEM: ("ikke nok minne", ""),
    errno.EINVAL: ("ugyldig argument", ""),
    errno.ENXIO: ("enheten finnes ikke", ""),
    errno.ECONNREFUSED: ("tilkoblingen ble avvist", ""),
    errno.ECONNRESET: ("tilkoblingen ble brutt", ""),
    errno.ETIMEDOUT: ("tidsavbrudd", ""),
    errno.ENETUNREACH: ("nettverket kan ikke nås", ""),
    errno.EHOSTUNREACH: ("maskinen kan ikke nås", ""),
    errno.EPIPE: ("forbindelsen ble lukket", ""),
}
# SQLite's messages, in Norwegian (the send log).
SQLITE_REASONS = {
    "database is locked": "databasen er i bruk av en annen prosess",
    "database table is locked": "databasen er i bruk av en annen prosess",
    "disk I/O error": "lese- eller skrivefeil på disken (I/O-feil)",
    "database or disk is full": "disken er full",
    "file is not a database": "fila er ikke en SQLite-database",
    "file is encrypted or is not a database": "fila er ikke en SQLite-database",
    "unable to open database file": "databasefila kan ikke åpnes",
    "attempt to write a readonly database": "databasen er skrivebeskyttet",
    "database disk image is malformed": "databasefila er skadet",
    "no such table": "tabellen mangler",
}


def os_reason(exc: OSError, advice: bool = False) -> str:
    """Why ``exc`` happened, in Norwegian, with the system's code («disken er full
    (ENOSPC)»); ``advice``: and what to do, when there is something to say."""
    code = exc.errno or 0
    name = errno.errorcode.get(code, "")
    problem, todo = OS_REASONS.get(code, ("systemfeil", ""))
    text = f"{problem} ({name})" if name else problem
    return f"{text}. {todo}".rstrip() if advice and todo else text


def sqlite_reason(exc: BaseException) -> str:
    """SQLite's message in Norwegian; one it does not know is named as SQLite's own."""
    text = str(exc)
    for english, norwegian in SQLITE_REASONS.items():
        if english in text:
            return norwegian
    return f"SQLite-feil: {text}"


# Jinja's names for the marks of a template, in its messages («got 'end of statement
# block'»), as the user writes them.
_JINJA_TOKENS = {"end of statement block": "%}", "begin of statement block": "{%",
                 "end of print statement": "}}", "begin of print statement": "{{",
                 "end of comment": "#}", "begin of comment": "{#",
                 "end of template": "slutten av malen"}
_JINJA_SENTENCES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.DOTALL), norwegian) for pattern, norwegian in (
        (r"'(.+)' is undefined", "«{0}» finnes ikke"),
        (r"'(.+)' has no attribute '(.+)'", "«{0}» har ikke «{1}»"),
        (r"Expected an expression, got '(.+)'", "ventet et uttrykk, fant «{0}»"),
        (r"expected token '(.+)', got '(.+)'", "ventet «{0}», fant «{1}»"),
        (r"unexpected end of template, expected '(.+)'\.",
         "malen slutter før «{0}»"),
        (r"Unexpected end of template\..* The innermost block that needs to be closed is "
         r"'(.+)'\.", "malen slutter før blokken «{0}» er lukket"),
        (r"Unexpected end of template\..*", "malen slutter før en blokk er lukket"),
        (r"Encountered unknown tag '(.+?)'\..* The innermost block that needs to be closed "
         r"is '(.+)'\.", "«{0}» hører ikke hjemme her; blokken «{1}» er ikke lukket"),
        (r"Encountered unknown tag '(.+?)'\..*", "ukjent kode «{0}»"),
        (r"unexpected '(.+)'", "uventet «{0}»"),
        (r"unexpected char ['\"](.+)['\"] at \d+", "uventet tegn «{0}»"),
    ))


def template_reason(exc: BaseException) -> str:
    """Jinja's English for a broken template: the common cases in Norwegian, the rest
    named as Jinja's own words (as ``sqlite_reason`` does)."""
    text = getattr(exc, "message", None) or str(exc)
    for pattern, norwegian in _JINJA_SENTENCES:
        if found := pattern.fullmatch(text):
            return norwegian.format(*(_JINJA_TOKENS.get(g, g) for g in found.groups()))
    return f"Jinja-feil: {text}"


def _english_system_words() -> list[tuple[re.Pattern[str], str]]:
    """The system's own words for every error above, in the messages that quote them."""
    pairs: list[tuple[re.Pattern[str], str]] = []
    for code, (problem, _) in OS_REASONS.items():
        english = os.strerror(code)
        if english and not english.startswith("Unknown error"):
            name = errno.errorcode.get(code, "")
            pattern = re.compile(rf"(?:\[Errno {code}\] )?{re.escape(english)}")
            pairs.append((pattern, f"{problem} ({name})" if name else problem))
    for english, norwegian in SQLITE_REASONS.items():
        pairs.append((re.compile(re.escape(english)), norwegian))
    return pairs


_SYSTEM_WORDS = _english_system_words()


def in_norwegian(text: str) -> str:
    """A message with the system's English words (a raw ``strerror`` or SQLite message
    pasted by a caller) put in Norwegian: the last guard before the user reads it."""
    for pattern, norwegian in _SYSTEM_WORDS:
        text = pattern.sub(norwegian, text)
    return text


class KommunerapportError(click.ClickException):
    """Base class: a problem the user can fix, said in one line."""

    exit_code = 1

    @classmethod
    def at(cls, path: object, problem: str, *, line: int | None = None,
           column: str | None = None, char: int | None = None) -> Self:
        """The error for a problem in a file, where it is first (``located``)."""
        return cls(located(path, problem, line=line, column=column, char=char))

    def format_message(self) -> str:
        return _quotes_cut(printable(in_norwegian(" ".join(self.message.split()))))

    def show(self, file: IO[Any] | None = None) -> None:  # click's signature
        click.echo(f"Feil: {self.format_message()}", err=True)


class UsageError(KommunerapportError):
    """A bad option value (unknown county, year not in the data)."""

    exit_code = 2


class RegionError(UsageError):
    """A county or municipality name that the register does not know."""


class DataError(KommunerapportError):
    """A data file that cannot be read or fails validation."""


class TemplateError(KommunerapportError):
    """A template or style that cannot be used."""


class OutputError(KommunerapportError):
    """An output folder or file that cannot be written."""


class FetchError(KommunerapportError):
    """SSB's API refused or failed in a way that retrying will not fix."""


class DeliveryError(KommunerapportError):
    """Sending e-mail failed before or while delivering."""
