"""The headline rules and the generated sentences, one rule at a time."""

from __future__ import annotations

import pytest

from kommunerapport import text
from kommunerapport.figures import Count, Figure, norm

NORM = norm("kommuner", 2025)  # TBU: 1,75 %


def ndr(value: float | None, year: int = 2025) -> Figure:
    return Figure(value, "ndr_pct", year, "vektet")


@pytest.mark.parametrize(("before", "now", "rule", "nb", "nn"), [
    (-0.4, 3.5, "head_back_in_plus", "Kommunene i Vestfold tilbake i pluss",
     "Kommunane i Vestfold tilbake i pluss"),
    (1.0, -0.5, "head_into_deficit", "Kommunene i Vestfold går med underskudd",
     "Kommunane i Vestfold går med underskot"),
    (-1.0, -0.5, "head_still_deficit", "Fortsatt underskudd for kommunene i Vestfold",
     "Framleis underskot for kommunane i Vestfold"),
    (1.0, 2.6, "head_better", "Bedre resultat for kommunene i Vestfold",
     "Betre resultat for kommunane i Vestfold"),
    (3.0, 1.8, "head_weaker", "Svakere resultat for kommunene i Vestfold",
     "Svakare resultat for kommunane i Vestfold"),
    (2.0, 2.2, "head_above_norm", "Kommunene i Vestfold over anbefalt nivå",
     "Kommunane i Vestfold over tilrådd nivå"),
    (1.2, 1.0, "head_below_norm", "Kommunene i Vestfold under anbefalt nivå",
     "Kommunane i Vestfold under tilrådd nivå"),
])
def test_headline_rules(before, now, rule, nb, nn) -> None:
    assert text.headline_rule(ndr(now), ndr(before, 2024), NORM) == rule
    assert text.headline("nb", "kommunene i Vestfold", ndr(now), ndr(before, 2024), NORM) == nb
    assert text.headline("nn", "kommunane i Vestfold", ndr(now), ndr(before, 2024), NORM) == nn


def test_headline_compares_the_rounded_figures() -> None:
    # −0,04 shows as 0,0: not a deficit, so not «tilbake i pluss» from −0,04.
    assert text.headline_rule(ndr(0.3), ndr(-0.04, 2024), NORM) == "head_below_norm"


def test_headline_without_figures() -> None:
    assert text.headline_rule(ndr(None), ndr(1.0, 2024), NORM) == "head_unknown"


def test_lede_says_the_number_and_the_change() -> None:
    # KS 6.3.2026: «… to prosent … Det er en markant bedring fra minus 0,6 prosent i 2024.»
    lede = text.lede("nb", "kommunene uten Oslo", ndr(2.0), ndr(-0.6, 2024))
    assert lede == ["Kommunene uten Oslo fikk samlet et netto driftsresultat på to\u00a0prosent "
                    "i 2025.", "Det er en bedring fra minus 0,6\u00a0prosent året før."]
    assert text.lede("nn", "kommunane", ndr(1.0), ndr(2.5, 2024))[1] == (
        "Det er ei svekking frå 2,5\u00a0prosent året før.")


def count(n: int, reported: int, total: int | None = None, year: int = 2025) -> Count:
    return Count(n, reported, total or reported, (), (), year, False)


def test_one_in_three_reads_as_hver_tredje() -> None:
    # KS 6.3.2026: «Hver tredje kommune går med underskudd.»
    assert text.deficit_sentences("nb", count(119, 357), None) == [
        "Hver tredje kommune gikk med underskudd i 2025."]
    assert text.deficit_sentences("nn", count(119, 357), None) == [
        "Kvar tredje kommune gjekk med underskot i 2025."]


def test_small_counts_are_words() -> None:
    assert text.deficit_sentences("nb", count(2, 6), count(4, 6, year=2024)) == [
        "To av seks kommuner gikk med underskudd i 2025.", "Året før gjaldt det fire av seks."]


def test_emptied_share_change() -> None:
    # KS 6.3.2026: «… har økt fra 12 til 15 prosent.»
    sentences = text.emptied_sentences("nb", count(54, 357), count(43, 357, year=2024))
    assert sentences[1] == ("Andelen kommuner som har tømt disposisjonsfondet, har økt fra 12 til "
                            "15 prosent.")


def test_missing_units_are_named() -> None:
    counted = Count(1, 5, 6, ("3911",), (), 2025, False)
    assert text.coverage_sentence("nb", counted, ["Færder"]) == (
        "Tallene omfatter fem av seks kommuner som har rapportert. Det mangler tall for Færder.")


def test_names_are_joined_with_og() -> None:
    assert text.join_names(["Grue", "Åsnes", "Eidskog"], "nb") == "Grue, Åsnes og Eidskog"


def test_no_reported_figures_is_said_once_not_counted_as_zero() -> None:
    nobody = Count(0, 0, 43, ("4601",), (), 2025, False)
    assert text.deficit_sentences("nn", nobody, None) == []
    assert text.emptied_sentences("nn", nobody, None) == []
    assert text.coverage_sentence("nn", nobody, ["Bergen"]) == (
        "Det finst ikkje tal for nokon av dei 43 kommunane.")
