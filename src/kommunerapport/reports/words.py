"""KS's own words in a report: its audience's headline, lede, quotes and contacts, filled
with the report's figures and held to them.

The config gives words per audience (``model.config``): a report takes its own
audience's, never another's. A template's fields (``{netto_driftsresultat}``) are
filled with the report's own figures, through its ``FactBook``, so they are bound to
their facts like every number the tool writes. KS's headline replaces the tool's and
KS's lede replaces the tool's lede. A template whose field has no figure for this
report is not used (the tool's own words stand, and a warning says why).

Every claim of the words is held to the figures (``writing.claims``): a false one
stops the report, an unchecked one is a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kommunerapport.model.config import Config, Contact, Quote
from kommunerapport.writing import claims
from kommunerapport.writing.facts import plain
from kommunerapport.writing.text import keep_last_words

CONFIG_TABLE = {"sector": "[sector]", "county": "[county]", "member": "[member]"}


@dataclass(frozen=True)
class Chosen:
    """The words a report prints where the user's may stand, and what the check found."""

    title: str
    lede: tuple[str, ...]
    quotes: tuple[Quote, ...]
    contacts: tuple[Contact, ...]
    user_text: tuple[str, ...]  # the user's words as printed (with their figures' slots)
    refused: tuple[str, ...]  # claims the figures refute, one line each
    warnings: tuple[str, ...]  # claims that could not be checked, fields without figures


def choose(config: Config, kind: str, number: str, about: str,
           fields: Mapping[str, str | None], title: str, lede: list[str],
           setting: claims.Setting | None, resolve: claims.Resolve | None) -> Chosen:
    """The words of one report: the user's (filled in, judged) where given, else the tool's.

    ``fields``: each template field's text for this report (a slot-bound figure), or None
    where the report has no figure for it. ``about``: the report, for warnings.
    """
    words = config.words(kind, number)
    warnings: list[str] = []
    table = CONFIG_TABLE[kind]

    def fill(template: str, what: str) -> str | None:
        if not template:
            return None
        try:
            values = {name: fields[name] for name in _names(template)}
        except KeyError as exc:  # the config's check knows every field; this is a safeguard
            warnings.append(f"{what} i {table} bruker feltet {{{exc.args[0]}}}, som "
                            f"{about} ikke har; verktøyets egen tekst er brukt.")
            return None
        empty = [name for name, value in values.items() if value is None]
        if empty:
            warnings.append(f"{what} i {table} er ikke brukt i {about}: feltet {{{empty[0]}}} "
                            "har ikke noe tall der; verktøyets egen tekst står i stedet.")
            return None
        return template.format(**{k: v for k, v in values.items() if v is not None})

    headline = fill(words.headline, "«headline»")
    if headline:
        headline = keep_last_words(headline)
    own_lede = fill(words.lede, "«lede»")
    quotes = []
    for quote in words.quotes or ():
        said = fill(quote.text, f"sitatet fra {quote.name}")
        if said is not None:
            quotes.append(Quote(said, quote.name, quote.role))
    user = tuple(t for t in (headline, own_lede, *(q.text for q in quotes)) if t)
    refused: list[str] = []
    if setting is not None and resolve is not None:
        for said in user:
            for verdict in claims.judge(plain(said).replace("\u00a0", " "), setting, resolve):
                if verdict.ok is False:
                    refused.append(verdict.line)
                elif verdict.ok is None:
                    warnings.append(f"{about}: {verdict.line}")
    return Chosen(headline or title,
                  (own_lede,) if own_lede else tuple(lede), tuple(quotes),
                  tuple(words.contacts or ()), user, tuple(dict.fromkeys(refused)),
                  tuple(dict.fromkeys(warnings)))


def _names(template: str) -> list[str]:
    from string import Formatter

    return [name for _, name, _, _ in Formatter().parse(template) if name]
