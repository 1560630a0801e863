"""What ``tomllib`` says about a broken config file, in Norwegian.

``tomllib`` raises one of about twenty fixed English sentences with the place appended
(«Expected '=' after a key in a key/value pair (at line 1, column 14)»). The user reads
Norwegian only, so each sentence is translated here; the place becomes the «linje N,
tegn M» every other message of the tool uses. A sentence a later Python adds that is
not in the table still gives the place and «ugyldig TOML», never the English.

Written by hand: no library translates ``tomllib``'s messages, and the set is small and
stable (the same in Python 3.11 to 3.14).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

from kommunerapport.errors import shown

# No leading \s*: a message that quotes a key of many spaces must not cost their square.
_PLACE = re.compile(r"\(at (?:line (\d+), column (\d+)|end of document)\)$")

# The sentence of tomllib (a regular expression over it) and the Norwegian for it;
# {0} is the first group: a key, a character or what was expected, quoted as Python
# quotes it ('x'), shown unquoted in «…».
SENTENCES: tuple[tuple[str, str], ...] = (
    (r"Invalid statement", "linjen er verken en innstilling (navn = verdi) eller en "
                           "tabell ([navn])"),
    (r"Expected newline or end of document after a statement",
     "ventet linjeskift etter verdien; skriv én innstilling per linje"),
    (r"Expected ']' at the end of a table declaration",
     "ventet «]» på slutten av tabellnavnet"),
    (r"Expected ']]' at the end of an array declaration",
     "ventet «]]» på slutten av tabellnavnet"),
    (r"Expected '=' after a key in a key/value pair", "ventet «=» etter navnet"),
    (r"Expected (.+)", "ventet «{0}»"),
    (r"Found invalid character (.+)", "ugyldig tegn «{0}»"),
    (r"Cannot declare (.+) twice", "«{0}» er oppgitt to ganger"),
    (r"Cannot overwrite a value", "en verdi er oppgitt to ganger"),
    (r"Cannot mutate immutable namespace (.+)",
     "«{0}» er skrevet på én linje ({{ … }} eller [ … ]) og kan ikke utvides senere"),
    (r"Cannot redefine namespace (.+)", "«{0}» er allerede definert"),
    (r"Invalid initial character for a key part", "ugyldig første tegn i et navn"),
    (r"Unclosed array", "listen er ikke lukket med «]»"),
    (r"Duplicate inline table key (.+)", "«{0}» er oppgitt to ganger i samme tabell"),
    (r"Unclosed inline table", "tabellen er ikke lukket med «}}»"),
    (r"Unescaped '\\' in a string", "en «\\» i en tekst må skrives «\\\\»"),
    (r"Invalid hex value", "ugyldig tegnkode etter \\u eller \\U"),
    (r"Escaped character is not a Unicode scalar value",
     "tegnkoden etter \\u eller \\U er ikke et gyldig tegn"),
    (r"Unterminated string", "teksten mangler avsluttende anførselstegn"),
    (r"Illegal character '\\n'", "teksten mangler avsluttende anførselstegn før linjeskiftet"),
    (r"Illegal character (.+)", "ulovlig tegn «{0}» i en tekst"),
    (r"Invalid date or datetime", "ugyldig dato eller klokkeslett"),
    (r"Invalid value", "ugyldig verdi; tekst skal stå i anførselstegn"),
)
_COMPILED = tuple((re.compile(pattern + "$"), norwegian) for pattern, norwegian in SENTENCES)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]")


@dataclass(frozen=True)
class TomlProblem:
    """Where a TOML file breaks (``None``: at its end) and why, in Norwegian."""

    problem: str
    line: int | None
    char: int | None


def _unquoted(text: str) -> str:
    """``'x'`` as Python's repr quotes it, without the quotes (escapes kept visible); a
    key path ``('county', 'quotes')`` as TOML writes it, ``county.quotes``."""
    if text.startswith("(") and text.endswith(")"):
        try:
            parts = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            parts = None
        if isinstance(parts, tuple) and all(isinstance(p, str) for p in parts):
            return ".".join(parts)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _hint(text: str, line: int | None, char: int | None) -> str:
    """A word on the most common cause: a name with æ, ø, å or a space in a table
    header, which TOML allows only in quotes ([member."Våler"])."""
    if char is None:
        return ""
    row = _line(text, line)
    at = row[char - 1:char]
    if row.lstrip().startswith("[") and at and not _BARE_KEY.match(at) and at not in "]. \t\"'":
        return ' Navn med æ, ø, å eller mellomrom må stå i anførselstegn: [member."Våler"].'
    return ""


def _line(text: str, line: int | None) -> str:
    lines = text.split("\n")
    return lines[line - 1] if line is not None and 0 < line <= len(lines) else ""


def _key_of(row: str) -> str | None:
    """The name a line sets (``about = …``) or opens (``[about]``); string operations, not a
    regular expression, so a long line costs its length once."""
    row = row.strip().lstrip("[").strip()
    cut = min((i for i in (row.find("="), row.find("]")) if i > 0), default=0)
    return row[:cut].strip() or None


def explain(error: Exception, text: str) -> TomlProblem:
    """The Norwegian for ``tomllib``'s error on ``text``, with its line and character."""
    message = str(error)
    line = char = None
    if found := _PLACE.search(message):
        if found.group(1):
            line, char = int(found.group(1)), int(found.group(2))
        message = message[:found.start()].rstrip()
    for pattern, norwegian in _COMPILED:
        if matched := pattern.match(message):
            groups = [shown(_unquoted(g)) for g in matched.groups()]
            problem = norwegian.format(*groups)
            break
    else:
        problem = "fila følger ikke TOML-formatet"
    key = _key_of(_line(text, line))
    if problem == "en verdi er oppgitt to ganger" and key:
        problem = f"«{shown(key)}» er oppgitt to ganger"
    where = "" if line is not None or not found else " (på slutten av fila)"
    return TomlProblem(f"ugyldig TOML{where}: {problem}.{_hint(text, line, char)}", line, char)
