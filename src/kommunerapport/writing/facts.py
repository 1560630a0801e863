"""Every number a report shows, formatted once, remembered with its provenance, and bound
to the place it stands.

Report code never formats a figure for the page by itself: it asks a ``FactBook``,
which returns the text in Norwegian number style (``formatting``) and records a
``Fact``: what the number is about (its subject and the set of units behind it), its
measure, unit, year, source, scope and release, and whether it is sample data. The book
is what «Om tallene» summarises, what the press kit's CSV lists, and what the report
check (``writing.check``) holds the text against.

**Slots.** The text the book returns carries its fact with it: the number is wrapped in
private-use characters that name the fact (``OPEN``, the slot's kind and the fact's
index, ``SEP``, the number as printed, ``CLOSE``). They survive every sentence template
and join, so the check reads, for each number printed, the one fact that filled its
slot, and holds the number to that fact (digits, sign, words) rather than to the set of
all the report's numbers. ``plain`` takes the marks out; the report's template context
never holds them (``reports.about.frame``).

**Sets of units.** A label that names a set of units («de fem kommunene i Vestland som
har rapportert») is a ``Who`` with that set; the book refuses to print under it a figure
made of another set (``MismatchError``), so a chart row, a table line or a sentence
can never name one set and show another's figure.

Differences are computed from the figures *as shown* (3,5 against the norm 1,75 is
1,75 prosentpoeng, not 1,7), so that a reader who subtracts the printed numbers gets
the printed difference (``docs/numbers.md``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from kommunerapport.errors import KommunerapportError
from kommunerapport.figures import Count, Figure
from kommunerapport.model.norms import Norm
from kommunerapport.writing.formatting import MINUS, NBSP, number, rounded, whole_word
from kommunerapport.writing.lang import label

DECIMALS = 1  # percentages and percentage points in the reports

# Slot marks (Unicode private use: never in a name, a catalogue or a user's text).
OPEN, SEP, CLOSE = "\ue000", "\ue001", "\ue002"
SIGNED = "\ue003"  # the number with its sign: «minus 1,9», «−1,9», «+3,1», «12»
MAGNITUDE = "\ue004"  # the number without its sign; the sentence says the direction
WORDS = "\ue005"  # a count in words («to», «én», «eitt») or in figures
FRACTION = "\ue006"  # «tredje» in «hver tredje»: a share of about one in n
_DIGIT0 = 0xE010
_SLOT = re.compile("\ue000([\ue003-\ue006])([\ue010-\ue019]+)\ue001([^\ue000-\ue002]*)\ue002")
_MARKS = re.compile("[\ue000-\ue019]")
KINDS = {SIGNED: "signed", MAGNITUDE: "magnitude", WORDS: "words", FRACTION: "fraction"}


class MismatchError(KommunerapportError):
    """A label names one set of units and the figure beside it is of another: a report
    that would say so is not made."""


@dataclass(frozen=True)
class Fact:
    """One number as a report shows it, and where it came from."""

    subject: str  # «kommunene i Vestfold», «Tønsberg», «landet uten Oslo»
    measure: str  # «Netto driftsresultat i prosent av brutto driftsinntekter»
    year: str  # «2025» or «2024–2025» for a change
    value: str  # as shown, with a real minus: «3,5», «−1,9», «12»
    unit: str  # «prosent», «prosentpoeng», «kommuner»
    method: str  # publisert | vektet | enhet | endring | antall | norm
    source: str = ""
    scope: str = ""
    release: str = ""
    synthetic: bool = False
    origins: tuple[tuple[str, str, str], ...] = ()  # (source, release, scope) behind it
    units: tuple[str, ...] = ()  # the units behind the number, where a figure names them

    @property
    def digits(self) -> str:
        """The number without its sign, as it appears in prose («minus 1,9»)."""
        return self.value.lstrip(MINUS + "+")

    @property
    def negative(self) -> bool:
        return self.value.startswith(MINUS)


@dataclass(frozen=True)
class Who:
    """A subject that names a set of units: a figure shown under it must be of that set."""

    name: str
    units: frozenset[str]

    def __str__(self) -> str:
        return self.name


Subject = str | Who


@dataclass(frozen=True)
class Slot:
    """One number as it stands in a text: its kind, the index of its fact, the printed text."""

    kind: str  # «signed», «magnitude», «words», «fraction»
    fact: int
    text: str


def plain(text: str) -> str:
    """The text as a reader sees it: the slot marks taken out."""
    if OPEN not in text:
        return text
    return _MARKS.sub("", _SLOT.sub(r"\3", text))


def slots(text: str) -> list[Slot]:
    """Every slot of ``text``, in order."""
    return [Slot(KINDS[m[1]], int("".join(str(ord(c) - _DIGIT0) for c in m[2])), m[3])
            for m in _SLOT.finditer(text)]


def outside_slots(text: str) -> str:
    """The text with every slot blanked out: what is left was not filled from a fact."""
    return _MARKS.sub("", _SLOT.sub(" ", text))


def _mark(kind: str, index: int, shown: str) -> str:
    return OPEN + kind + "".join(chr(_DIGIT0 + int(d)) for d in str(index)) + SEP + shown + CLOSE


@dataclass
class FactBook:
    """The numbers of one report, in the order they were first shown."""

    lang: str
    facts: list[Fact] = field(default_factory=list)
    _index: dict[Fact, int] = field(default_factory=dict, repr=False)
    credits: list[tuple[str, str, str]] = field(default_factory=list)  # (source, what, year)

    # ------------------------------------------------------------------ recording

    def record(self, fact: Fact) -> int:
        """The fact's index in the book (the same fact twice is one fact)."""
        found = self._index.get(fact)
        if found is None:
            found = self._index[fact] = len(self.facts)
            self.facts.append(fact)
        return found

    def slot(self, fact: Fact, shown: str | None = None, kind: str = SIGNED) -> str:
        """``shown`` (the fact's value, unless given) in a slot bound to ``fact``."""
        return _mark(kind, self.record(fact), fact.value if shown is None else shown)

    def credit(self, source: str, what: str, year: str) -> None:
        """A source the report uses that gives no number (the map's boundaries)."""
        if (source, what, year) not in self.credits:
            self.credits.append((source, what, year))

    @property
    def synthetic(self) -> bool:
        return any(f.synthetic for f in self.facts)

    def _measure(self, measure: str) -> str:
        return label(self.lang, f"measure_{measure}")

    def _figure_fact(self, f: Figure, subject: Subject, value: str, unit: str,
                     year: str | None = None, measure: str | None = None,
                     method: str | None = None) -> Fact:
        _bind(f, subject)
        return Fact(plain(str(subject)), measure or self._measure(f.measure),
                    year or str(f.year),
                    value, unit, method or f.method, "; ".join(f.sources), f.scope,
                    "; ".join(f.releases), f.synthetic, f.origins, f.covers)

    # ------------------------------------------------------------------ percentages

    @staticmethod
    def shown(f: Figure, decimals: int = DECIMALS) -> Decimal:
        """The value as a reader sees it (rounded half up): the one rounding of the reports."""
        return rounded(_value(f), decimals)

    def pct_fact(self, f: Figure, subject: Subject, decimals: int = DECIMALS) -> Fact:
        return self._figure_fact(f, subject, number(f.value, decimals),
                                 label(self.lang, "unit_percent"))

    def pct(self, f: Figure, subject: Subject, decimals: int = DECIMALS,
            magnitude: bool = False) -> str:
        """In prose: «3,5 prosent», «minus 1,9 prosent», «0,0 prosent».

        ``magnitude``: without the sign, when the sentence says the direction in words
        («gikk ned med 2,1 prosent», «det største underskuddet, 2,1 prosent»); the fact
        keeps its sign.
        """
        fact = self.pct_fact(f, subject, decimals)
        if magnitude:
            shown = self.slot(fact, fact.digits, MAGNITUDE)
        else:
            shown = self.slot(fact, prose_signed(fact.value, self.lang))
        return shown + NBSP + label(self.lang, "word_percent")

    def pct_cell(self, f: Figure, subject: Subject, missing: str = "–") -> str:
        """In a table: «3,5», «−1,9»; ``missing`` when there is no figure."""
        if not f.known:
            return missing
        return self.slot(self.pct_fact(f, subject))

    def pct_key(self, f: Figure, subject: Subject) -> str:
        """In a key-figure box: «3,5 %»."""
        return self.pct_cell(f, subject, label(self.lang, "missing")) + (
            NBSP + "%" if f.known else "")

    # ------------------------------------------------------------------ differences

    def difference(self, a: Figure | Norm, b: Figure | Norm) -> tuple[Decimal, int]:
        """a − b from the figures as shown, with the decimals needed to show it exactly."""
        da, db = _shown(a), _shown(b)
        decimals = max(_decimals(da), _decimals(db), DECIMALS)
        return da - db, decimals

    def points(self, diff: Decimal, decimals: int, subject: Subject, measure: str, year: str,
               basis: tuple[Figure, ...], signed: bool = False) -> str:
        """The size of a change or gap: «1,4 prosentpoeng» (its direction is said in words).

        ``signed``: a key-figure box or table, «+3,1 prosentpoeng», «−0,3 prosentpoeng».
        """
        value = number(float(diff), decimals)
        if diff > 0:
            value = "+" + value
        covers = tuple(sorted({u for f in basis for u in f.covers}))
        fact = Fact(plain(str(subject)), label(self.lang, f"measure_{measure}"), year, value,
                    label(self.lang, "unit_points"), "endring", *_provenance(basis), covers)
        text = self.slot(fact) if signed else self.slot(fact, fact.digits, MAGNITUDE)
        return text + NBSP + label(self.lang, "word_points")

    # ------------------------------------------------------------------ counts and norms

    def count_fact(self, n: int, subject: Subject, measure: str, year: int | str,
                   basis: Count | Figure | None = None,
                   unit: str = "unit_municipalities") -> Fact:
        prov = _provenance((basis,)) if basis is not None else ("", "", "", False, ())
        units = tuple(sorted(subject.units)) if isinstance(subject, Who) else ()
        return Fact(plain(str(subject)), label(self.lang, f"measure_{measure}"), str(year), str(n),
                    label(self.lang, unit), "antall", *prov, units)

    def count(self, n: int, subject: Subject, measure: str, year: int | str,
              basis: Count | Figure | None = None, unit: str = "unit_municipalities") -> str:
        """A count of units as digits, in a slot («12»)."""
        return self.slot(self.count_fact(n, subject, measure, year, basis, unit))

    def amount(self, n: int, subject: Subject, measure: str, year: int | str,
               basis: Count | Figure | None = None, *, small: bool,
               unit: str = "unit_municipalities", gender: str = "m") -> str:
        """A count for prose: a word when the sentence's counts are all small («to», «én»,
        «eitt» for a neuter noun), else figures; in a slot."""
        fact = self.count_fact(n, subject, measure, year, basis, unit)
        if not small:
            return self.slot(fact)
        return self.slot(fact, whole_word(n, self.lang, gender), WORDS)

    def fraction(self, word: str, share: float, subject: Subject, measure: str,
                 year: int | str, basis: Count) -> str:
        """«tredje» in «hver tredje kommune», bound to the share it stands for (whole %)."""
        fact = self.share_fact(int(rounded(share, 0)), subject, measure, year, basis)
        return self.slot(fact, word, FRACTION)

    def share_fact(self, value: int, subject: Subject, measure: str, year: int | str,
                   basis: Count) -> Fact:
        return Fact(plain(str(subject)), label(self.lang, f"measure_{measure}"), str(year),
                    str(value), label(self.lang, "unit_percent_of_units"), "andel",
                    *_provenance((basis,)))

    def share(self, value: int, subject: Subject, measure: str, year: int | str,
              basis: Count) -> str:
        """A whole percentage of units («15»), e.g. the share that emptied their fund."""
        return self.slot(self.share_fact(value, subject, measure, year, basis))

    def norm(self, n: Norm, year: int) -> str:
        """TBU's norm as TBU writes it: «1,75 prosent», «4 prosent»."""
        return self.norm_cell(n, year) + NBSP + label(self.lang, "word_percent")

    def norm_cell(self, n: Norm, year: int) -> str:
        """The norm alone, in a slot: «1,75»."""
        tbu = label(self.lang, "source_tbu")
        return self.slot(Fact(label(self.lang, f"kind_{n.kind}"),
                              label(self.lang, "measure_norm"), str(year),
                              number(n.value, n.decimals), label(self.lang, "unit_percent"),
                              "norm", tbu, origins=((tbu, "", ""),)))

    def norm_key(self, n: Norm, year: int) -> str:
        """The norm in a key-figure note: «4 %»."""
        return self.norm_cell(n, year) + NBSP + "%"


def _bind(f: Figure, subject: Subject) -> None:
    """Refuse to show ``f`` under a label that names another set of units."""
    if not isinstance(subject, Who) or not f.covers:
        return
    if set(f.covers) != subject.units:
        raise MismatchError(
            f"«{plain(subject.name)}» gjelder {len(subject.units)} enheter, men tallet "
            f"({f.measure} {f.year}) er regnet av {len(f.covers)}; rapporten lages ikke med "
            "et tall for andre enheter enn dem teksten nevner.")


def prose_signed(value: str, lang: str) -> str:
    """«−1,9» → «minus 1,9» for a sentence."""
    if value.startswith(MINUS):
        return label(lang, "word_minus") + " " + value[1:]
    return value


def _shown(x: Figure | Norm) -> Decimal:
    if isinstance(x, Norm):
        return Decimal(repr(x.value)).quantize(Decimal(1).scaleb(-x.decimals))
    return rounded(_value(x), DECIMALS)


def _value(f: Figure) -> float:
    """The figure's value; one without a value has none to show (callers ask ``known``)."""
    if f.value is None:
        raise TypeError(f"{f.measure} {f.year}: a figure without a value has none to show")
    return f.value


def _decimals(d: Decimal) -> int:
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)  # a finite number: ``rounded`` refuses NaN and infinity
    return max(-exponent, 0)


def _provenance(items: Iterable[Figure | Count | None]
                ) -> tuple[str, str, str, bool, tuple[tuple[str, str, str], ...]]:
    origins: set[tuple[str, str, str]] = set()
    sources: set[str] = set()
    releases: set[str] = set()
    scopes: set[str] = set()
    synthetic = False
    for item in items:
        if item is None:
            continue
        sources.update(item.sources)
        releases.update(item.releases)
        origins.update(item.origins)
        synthetic = synthetic or item.synthetic
        scope = getattr(item, "scope", "")
        if scope:
            scopes.update(scope.split("/"))
    return ("; ".join(sorted(sources)), "/".join(sorted(scopes)), "; ".join(sorted(releases)),
            synthetic, tuple(sorted(origins)))
