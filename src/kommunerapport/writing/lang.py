"""Every word the reports write, in bokmål (nb) and nynorsk (nn), from two catalogues.

The words live in gettext catalogues, ``phrases/nb.po`` and ``phrases/nn.po``, so
that a language editor can correct a sentence in Poedit or any text editor
without reading Python. Each entry has a context: ``phrase`` for a sentence built
from figures (a ``str.format`` template whose fields are named in the entry's
comment), ``label`` for a fixed word of the layout (headings, table headers,
footer). The two catalogues hold the same ids with the same fields (a test holds
them to it). Numbers arrive already formatted by ``writing.facts``.
"""

from __future__ import annotations

import io
import re
from functools import cache
from importlib import resources
from string import Formatter

from babel.messages.pofile import read_po

from kommunerapport.model import releases

LANGUAGES = ("nb", "nn")
PHRASE, LABEL = "phrase", "label"

# «hver tredje»: ordinals for shares close to 1/n (one in two is «annenhver»: say the count).
FRACTIONS = {
    "nb": {3: "tredje", 4: "fjerde", 5: "femte"},
    "nn": {3: "tredje", 4: "fjerde", 5: "femte"},
}


@cache
def catalogue(lang: str) -> dict[tuple[str, str], str]:
    """(context, id) → text for ``lang``, read once per process."""
    if lang not in LANGUAGES:
        raise KeyError(f"unknown language {lang!r}")
    raw = resources.files("kommunerapport.writing").joinpath("phrases", f"{lang}.po").read_bytes()
    entries = read_po(io.BytesIO(raw), locale=None)
    found: dict[tuple[str, str], str] = {}
    for m in entries:
        if not m.id:
            continue
        if not isinstance(m.id, str) or not isinstance(m.string, str):
            raise ValueError(f"{lang}.po: {m.id!r} has plural forms; the reports use none")
        found[(m.context or "", m.id)] = m.string
    return found


def fields(text: str) -> set[str]:
    """The ``{field}`` names a template uses."""
    return {name for _, name, _, _ in Formatter().parse(text) if name}


def phrase(lang: str, key: str, **values: object) -> str:
    """One sentence in ``lang``; ``{Subject}`` is ``{subject}`` with a capital first letter."""
    template = catalogue(lang)[(PHRASE, key)]
    if "subject" in values:
        subject = str(values["subject"])
        # The first letter, past any slot mark (``writing.facts``) the subject opens with.
        first = next((i for i, c in enumerate(subject) if c.isalpha()), 0)
        values["Subject"] = subject[:first] + subject[first:first + 1].upper() + \
            subject[first + 1:]
    # A subject that ends in a relative clause carries its comma («… som har rapportert,»);
    # before a full stop the comma goes, and before the template's own comma it is one.
    text = re.sub(r",(?:\s*,)+", ",", template.format(**values))
    return re.sub(r",+(?=[.;:)])", "", text)


def label(lang: str, key: str, **values: object) -> str:
    """A fixed word of the layout, formatted with ``values`` if it has fields."""
    text = catalogue(lang)[(LABEL, key)]
    return text.format(**values) if values else text


@cache
def labels(lang: str) -> dict[str, str]:
    """All layout words of ``lang``, for the templates (``labels.h_contacts``)."""
    return {key: text for (context, key), text in catalogue(lang).items() if context == LABEL}


def sample_notice(lang: str) -> str:
    """«Eksempeldata – ikke offisielle tall» / «Eksempeldata – ikkje offisielle tal»."""
    return label(lang, "sample_notice")


SAMPLE_NOTICES = ("Eksempeldata – ikke offisielle tall", "Eksempeldata – ikkje offisielle tal")
SAMPLE_NOTICE = SAMPLE_NOTICES[0]  # the bokmål notice, for messages on the terminal

BUILTIN_SUFFIX = ", innebygde tall"  # loading.BUILTIN_MARK: built-in rows completing a file


def date_text(day: int, month: int, year: int) -> str:
    """The one date style of the reports, as KS writes its dateline: «6.3.2026»."""
    return f"{day}.{month}.{year}"


def release_name(release: str, lang: str) -> str:
    """A release from the data (``model.releases``: «foreløpige tall 16.03.2026») in the
    report's words and date style; a release without a date says so («dato ukjent»),
    never a date it does not have. Built-in figures completing a user's file carry
    «, innebygde tall»."""
    if release.startswith("eksempeldata kalibrert mot SSB"):
        d, mo, y = re.findall(r"\d+", release)[-3:]
        return label(lang, "release_sample", date=date_text(int(d), int(mo), int(y)))
    r = releases.parse(release)
    origin = r.origin
    if r.status:
        key = f"release_{'preliminary' if r.status == releases.PRELIMINARY else 'revised'}"
        if r.date:
            text = label(lang, key + ("_fetched" if r.fetched else ""),
                         date=date_text(r.date.day, r.date.month, r.date.year))
        elif m := re.match(r"publisert (\d{4})(?:, )?", origin):
            text, origin = label(lang, key + "_year", year=m.group(1)), origin[m.end():]
        else:
            text = label(lang, key + "_undated")
        text += f" ({origin})" if origin else ""
    elif r.date:
        text = label(lang, "release_updated", origin=origin,
                     date=date_text(r.date.day, r.date.month, r.date.year))
    else:
        text = label(lang, "release_undated", origin=origin)
    return text + (label(lang, "release_builtin") if r.builtin else "")


def robek_reasons(lang: str, grounds: str) -> list[str]:
    """The grounds of a ROBEK entry («c og d») in plain words, one clause each."""
    letters = re.findall(r"\b([a-g])\b", grounds)
    return [label(lang, f"robek_ground_{letter}") for letter in letters]


def source_name(source: str, lang: str) -> str:
    """«SSB 12134» as a reader wants it; anything unknown as it came."""
    if source.startswith("Eksempeldata"):
        return label(lang, "source_sample")
    return labels(lang).get(f"source_{source}", source)
