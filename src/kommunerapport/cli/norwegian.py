"""Click's own words in Norwegian bokmål: «Bruk:», «Valg:», «Feil: Mangler valget …».

Click looks its messages up with ``gettext`` through names bound in each of its
modules at import (``from gettext import gettext as _``), so ``gettext.install`` and the
locale would not reach them, and the stock route would follow ``LANGUAGE`` (an English
terminal would get English again). ``install`` binds those names to this catalogue
instead, before the commands are defined: some words («Show the version and exit.»,
the name of a path type) are looked up when a command or option is made.

The catalogue holds every message of Click 8.1 to 8.5 (``tests/test_cli_norwegian.py``
fails when a Click upgrade adds one). Words Click does not look up (the metavars «TEXT»,
«INTEGER», «[OPTIONS]», «COMMAND [ARGS]...») are set on each command and option
instead (``cli.options``).
"""

from __future__ import annotations

import gettext
import importlib
import sys

# Click's message → bokmål; a tuple is an ``ngettext`` pair (singular, plural).
NB: dict[str | tuple[str, str], str | tuple[str, str]] = {
    "Error: {message}": "Feil: {message}",
    "Try '{command} {option}' for help.": "Prøv «{command} {option}» for hjelp.",
    "Invalid value: {message}": "Ugyldig verdi: {message}",
    "Invalid value for {param_hint}: {message}": "Ugyldig verdi for {param_hint}: {message}",
    "Missing argument": "Mangler argumentet",
    "Missing option": "Mangler valget",
    "Missing parameter": "Mangler en verdi",
    "Missing {param_type}": "Mangler en verdi",
    "Missing parameter: {param_name}": "Mangler verdien {param_name}",
    "No such option {name!r}.": "Ukjent valg {name!r}.",
    "No such command {name!r}.": "Ukjent kommando {name!r}.",
    "unknown error": "ukjent feil",
    "Could not open file {filename!r}: {message}": "Kan ikke åpne {filename!r}: {message}",
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Mente du {possibility}?", "(Mente du en av: {possibilities}?)"),
    "Aborted!": "Avbrutt.",
    "Options": "Valg",
    "Positional arguments": "Argumenter",
    "Commands": "Kommandoer",
    "Missing command.": "Mangler kommando.",
    "required": "må oppgis",
    "default: {default}": "standard: {default}",
    "env var: {var}": "miljøvariabel: {var}",
    "(dynamic)": "(varierer)",
    "deprecated": "utgår",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}":
        "Merk: kommandoen {name!r} utgår.{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "Merk: {name!r} utgår.{extra_message}",
    "Value must be an iterable.": "Verdien må være en liste.",
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Uventet ekstra argument ({args})", "Uventede ekstra argumenter ({args})"),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Tar {nargs} verdier, men fikk 1.", "Tar {nargs} verdier, men fikk {len}."),
    "Could not determine name for option with declarations {decls!r}":
        "Fant ikke navnet på valget med deklarasjonene {decls!r}",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument "
    "instead? Did you mean to pass '--{name}'?":
        "Ingen valg er definert, men et navn ble gitt ({name}). Mente du et argument, "
        "eller «--{name}»?",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "Et argument tar nøyaktig én deklarasjon, fikk {length}: {decls}.",
    "Name '{name}' defined twice": "Navnet «{name}» er definert to ganger",
    "Boolean option {decl!r} cannot use the same flag for true/false.":
        "Av/på-valget {decl!r} kan ikke bruke samme flagg for av og på.",
    "Do you want to continue?": "Vil du fortsette?",
    "Confirm the action without prompting.": "Bekreft uten å spørre.",
    "%(prog)s, version %(version)s": "%(prog)s, versjon %(version)s",
    "Show the version and exit.": "Vis versjonen og avslutt.",
    "Show this message and exit.": "Vis denne hjelpen og avslutt.",
    "Usage:": "Bruk:",
    "Option {name!r} does not take a value.": "Valget {name!r} tar ingen verdi.",
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Valget {name!r} trenger en verdi.", "Valget {name!r} trenger {nargs} verdier."),
    "Argument {name!r} takes {nargs} values.": "Argumentet {name!r} tar {nargs} verdier.",
    "Invalid start character for option ({option})": "Ugyldig første tegn i valget ({option})",
    "file": "fila",
    "directory": "mappen",
    "path": "stien",
    "{name} {filename!r} does not exist.": "{name} {filename!r} finnes ikke.",
    "{name} {filename!r} is a file.": "{name} {filename!r} er en fil, ikke en mappe.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} er en mappe, ikke en fil.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} kan ikke leses.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} kan ikke skrives.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} kan ikke kjøres.",
    "Choose from:\n\t{choices}": "Velg blant:\n\t{choices}",
    "Choice({choices})": "Valg({choices})",
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} er ikke {choice}.", "{value!r} er ikke en av {choices}."),
    ("{value!r} does not match the format {format}.",
     "{value!r} does not match the formats {formats}."):
        ("{value!r} har ikke formatet {format}.", "{value!r} har ingen av formatene {formats}."),
    "{value!r} is not a valid {number_type}.": "{value!r} er ikke et gyldig tall.",
    "{value} is not in the range {range}.": "{value} er utenfor det gyldige området {range}.",
    "{value!r} is not a valid boolean. Recognized values: {states}":
        "{value!r} er ikke ja eller nei. Gyldige verdier: {states}",
    "{value!r} is not a valid UUID.": "{value!r} er ikke en gyldig UUID.",
    ("{len_type} values are required, but {len_value} was given.",
     "{len_type} values are required, but {len_value} were given."):
        ("{len_type} verdier må oppgis, men {len_value} ble gitt.",
         "{len_type} verdier må oppgis, men {len_value} ble gitt."),
    "Press any key to continue...": "Trykk en tast for å fortsette …",
    "Repeat for confirmation": "Gjenta for å bekrefte",
    "Error: The two entered values do not match.": "Feil: De to verdiene er ikke like.",
    "Error: invalid input": "Feil: ugyldig verdi",
    "Unknown color {colour!r}": "Ukjent farge {colour!r}",
    "{editor}: Editing failed": "{editor}: redigeringen mislyktes",
    "{editor}: Editing failed: {e}": "{editor}: redigeringen mislyktes: {e}",
    "Unknown standard stream '{name}'": "Ukjent standardstrøm «{name}»",
    "Windows error: {error}": "Windows-feil: {error}",
    "Couldn't detect Bash version, shell completion is not supported.":
        "Fant ikke Bash-versjonen; fullføring i skallet støttes ikke.",
    "Shell completion is not supported for Bash versions older than 4.4.":
        "Fullføring i skallet støttes ikke for Bash eldre enn 4.4.",
    "d": "d",
    # Only in Click 8.1 to 8.3:
    "No such option: {name}": "Ukjent valg: {name}",
    ("Did you mean {possibility}?", "(Possible options: {possibilities})"):
        ("Mente du {possibility}?", "(Mulige valg: {possibilities})"),
    "(Deprecated) {text}": "(Utgår) {text}",
    "{text} {deprecated_message}": "{text} {deprecated_message}",
    "DeprecationWarning: The command {name!r} is deprecated.":
        "Merk: kommandoen {name!r} utgår.",
    "{value!r} is not a valid boolean.": "{value!r} er ikke ja eller nei.",
    "Error: The value you entered was invalid.": "Feil: Verdien du skrev inn er ugyldig.",
    "Error: {e.message}": "Feil: {e.message}",
}

# Every module of Click that looks a message up (``_winconsole`` only on Windows).
MODULES = ("core", "exceptions", "types", "parser", "formatting", "decorators", "termui",
           "_termui_impl", "utils", "shell_completion", "_winconsole")


class Catalogue(gettext.NullTranslations):
    """A gettext catalogue from a dict; a message it lacks stays as it is."""

    def __init__(self, messages: dict[str | tuple[str, str], str | tuple[str, str]]) -> None:
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        found = self.messages.get(message, message)
        return found if isinstance(found, str) else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        found = self.messages.get((singular, plural))
        if not isinstance(found, tuple):
            return singular if n == 1 else plural
        return found[0] if n == 1 else found[1]


CATALOGUE = Catalogue(NB)


def install() -> None:
    """Click speaks bokmål from now on, in this process; call before commands are made."""
    for short in MODULES:
        if short != "_winconsole" or sys.platform == "win32":
            importlib.import_module(f"click.{short}")
    for name, module in list(sys.modules.items()):
        if name != "click" and not name.startswith("click."):
            continue
        namespace = vars(module)  # not getattr: click.parser warns on unknown names
        if callable(namespace.get("_")):
            namespace["_"] = CATALOGUE.gettext
        if "ngettext" in namespace:
            namespace["ngettext"] = CATALOGUE.ngettext
