"""The tool's own exceptions, each a one-line message for the user.

They subclass ``click.ClickException`` so the CLI prints ``Feil: <message>`` and
exits with the kind's exit code, without a traceback.
"""

from __future__ import annotations

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


class KommunerapportError(click.ClickException):
    """Base class: a problem the user can fix, said in one line."""

    exit_code = 1

    @classmethod
    def at(cls, path: object, problem: str, *, line: int | None = None,
           column: str | None = None, char: int | None = None) -> Self:
        """The error for a problem in a file, where it is first (``located``)."""
        return cls(located(path, problem, line=line, column=column, char=char))

    def format_message(self) -> str:
        return _quotes_cut(printable(" ".join(self.message.split())))

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
