"""The tool's own exceptions, each a one-line message for the user.

They subclass ``click.ClickException`` so the CLI prints ``Feil: <message>`` and
exits with the kind's exit code, without a traceback.
"""

from __future__ import annotations

import click


class KommunerapportError(click.ClickException):
    """Base class: a problem the user can fix, said in one line."""

    exit_code = 1

    def format_message(self) -> str:
        return " ".join(self.message.split())

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
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
