"""Every number a report shows, formatted once and remembered with its provenance.

Report code never formats a figure for the page by itself: it asks a ``FactBook``,
which returns the text in Norwegian number style (``formatting``) and records a
``Fact``: what the number is about, its unit, year, source, scope and release, and
whether it is sample data. The book is what «Om tallene» summarises, what the
press kit's CSV lists, and what the report check (``reports.check``) holds the
text against: a number in a sentence that is not in the book did not come from
the figures.

Differences are computed from the figures *as shown* (3,5 against the norm 1,75
is 1,75 prosentpoeng, not 1,7), so that a reader who subtracts the printed
numbers gets the printed difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from kommunerapport.figures import Count, Figure
from kommunerapport.model.norms import Norm
from kommunerapport.writing.formatting import MINUS, NBSP, number, rounded
from kommunerapport.writing.lang import label

DECIMALS = 1  # percentages and percentage points in the reports


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

    @property
    def digits(self) -> str:
        """The number without its sign, as it appears in prose («minus 1,9»)."""
        return self.value.lstrip(MINUS + "+")


@dataclass
class FactBook:
    """The numbers of one report, in the order they were first shown."""

    lang: str
    facts: list[Fact] = field(default_factory=list)
    _seen: set[Fact] = field(default_factory=set, repr=False)

    # ------------------------------------------------------------------ recording

    def record(self, fact: Fact) -> str:
        if fact not in self._seen:
            self._seen.add(fact)
            self.facts.append(fact)
        return fact.value

    @property
    def synthetic(self) -> bool:
        return any(f.synthetic for f in self.facts)

    def _measure(self, measure: str) -> str:
        return label(self.lang, f"measure_{measure}")

    def _figure_fact(self, f: Figure, subject: str, value: str, unit: str,
                     year: str | None = None, measure: str | None = None,
                     method: str | None = None) -> Fact:
        return Fact(subject, measure or self._measure(f.measure), year or str(f.year), value,
                    unit, method or f.method, "; ".join(f.sources), f.scope,
                    "; ".join(f.releases), f.synthetic, f.origins)

    # ------------------------------------------------------------------ percentages

    @staticmethod
    def shown(f: Figure, decimals: int = DECIMALS) -> Decimal:
        """The value as a reader sees it (rounded half up)."""
        return rounded(_value(f), decimals)

    def pct(self, f: Figure, subject: str, decimals: int = DECIMALS,
            magnitude: bool = False) -> str:
        """In prose: «3,5 prosent», «minus 1,9 prosent», «0,0 prosent».

        ``magnitude``: without the sign, when the sentence says the direction in words
        («gikk ned med 2,1 prosent»); the fact keeps its sign.
        """
        value = self.record(self._figure_fact(f, subject, number(f.value, decimals),
                                              label(self.lang, "unit_percent")))
        shown = value.lstrip(MINUS) if magnitude else prose_signed(value, self.lang)
        return shown + NBSP + label(self.lang, "word_percent")

    def pct_cell(self, f: Figure, subject: str, missing: str = "–") -> str:
        """In a table: «3,5», «−1,9»; ``missing`` when there is no figure."""
        if not f.known:
            return missing
        return self.record(self._figure_fact(f, subject, number(f.value, DECIMALS),
                                             label(self.lang, "unit_percent")))

    def pct_key(self, f: Figure, subject: str) -> str:
        """In a key-figure box: «3,5 %»."""
        return self.pct_cell(f, subject, label(self.lang, "missing")) + (
            NBSP + "%" if f.known else "")

    # ------------------------------------------------------------------ differences

    def difference(self, a: Figure | Norm, b: Figure | Norm) -> tuple[Decimal, int]:
        """a − b from the figures as shown, with the decimals needed to show it exactly."""
        da, db = _shown(a), _shown(b)
        decimals = max(_decimals(da), _decimals(db), DECIMALS)
        return da - db, decimals

    def points(self, diff: Decimal, decimals: int, subject: str, measure: str, year: str,
               basis: tuple[Figure, ...], signed: bool = False) -> str:
        """The size of a change or gap: «1,4 prosentpoeng» (its direction is said in words).

        ``signed``: a key-figure box or table, «+3,1 prosentpoeng», «−0,3 prosentpoeng».
        """
        value = number(float(diff), decimals)
        if diff > 0:
            value = "+" + value
        fact = Fact(subject, label(self.lang, f"measure_{measure}"), year, value,
                    label(self.lang, "unit_points"), "endring", *_provenance(basis))
        shown = self.record(fact)
        text = shown if signed else shown.lstrip(MINUS + "+")
        return text + NBSP + label(self.lang, "word_points")

    # ------------------------------------------------------------------ counts and norms

    def count(self, n: int, subject: str, measure: str, year: int | str,
              basis: Count | Figure | None = None, unit: str = "unit_municipalities") -> str:
        """A count of units as digits, recorded («12»); words are chosen by ``n_of``."""
        prov = _provenance((basis,)) if basis is not None else ("", "", "", False, ())
        return self.record(Fact(subject, label(self.lang, f"measure_{measure}"), str(year),
                                str(n), label(self.lang, unit), "antall", *prov))

    def share(self, value: int, subject: str, measure: str, year: int | str,
              basis: Count) -> str:
        """A whole percentage of units («15»), e.g. the share that emptied their fund."""
        return self.record(Fact(subject, label(self.lang, f"measure_{measure}"), str(year),
                                str(value), label(self.lang, "unit_percent_of_units"),
                                "andel", *_provenance((basis,))))

    def norm(self, n: Norm, year: int) -> str:
        """TBU's norm as TBU writes it: «1,75 prosent», «4 prosent»."""
        value = number(n.value, n.decimals)
        tbu = label(self.lang, "source_tbu")
        self.record(Fact(label(self.lang, f"kind_{n.kind}"), label(self.lang, "measure_norm"),
                         str(year), value, label(self.lang, "unit_percent"), "norm", tbu,
                         origins=((tbu, "", ""),)))
        return value + NBSP + label(self.lang, "word_percent")

    def norm_key(self, n: Norm, year: int) -> str:
        """The norm in a key-figure note: «4 %»."""
        return self.norm(n, year).split(NBSP)[0] + NBSP + "%"


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


def _provenance(items: tuple[Figure | Count | None, ...]
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
