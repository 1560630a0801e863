"""The sentence rules, one at a time, in bokmål and nynorsk."""

from __future__ import annotations

import pytest

from kommunerapport.figures import Count, Figure
from kommunerapport.model.norms import norm
from kommunerapport.writing import text
from kommunerapport.writing.facts import FactBook, plain

NORM = norm("kommuner", 2025)  # TBU: 1,75 %
NB_SUBJECT = text.Subject("kommunene i Vestfold", "kommunene i Vestfold", "kommunene i Vestfold")
NN_SUBJECT = text.Subject("kommunane i Vestland", "kommunane i Vestland", "kommunane i Vestland")
NBSP = "\u00a0"


def ndr(value: float | None, year: int = 2025, scope: str = "konsern") -> Figure:
    return Figure(value, "ndr_pct", year, "vektet", scope=scope)


def flat(sentences: list[str] | str) -> str:
    """As a reader sees it: the slot marks out, plain spaces."""
    joined = " ".join([sentences] if isinstance(sentences, str) else sentences)
    return plain(joined).replace(NBSP, " ")


@pytest.mark.parametrize(("before", "now", "rule", "nb", "nn"), [
    (-0.4, 3.5, "head_back_in_plus", "Tilbake i pluss for kommunene i Vestfold",
     "Tilbake i pluss for kommunane i Vestland"),
    (1.0, -0.5, "head_into_deficit", "Underskudd for kommunene i Vestfold",
     "Underskot for kommunane i Vestland"),
    (-1.0, -0.5, "head_still_deficit", "Fortsatt underskudd for kommunene i Vestfold",
     "Framleis underskot for kommunane i Vestland"),
    (1.0, 2.6, "head_better", "Bedre resultat for kommunene i Vestfold",
     "Betre resultat for kommunane i Vestland"),
    (3.0, 1.8, "head_weaker", "Svakere resultat for kommunene i Vestfold",
     "Svakare resultat for kommunane i Vestland"),
    (2.0, 2.2, "head_above_norm", "Resultat over anbefalt nivå for kommunene i Vestfold",
     "Resultat over tilrådd nivå for kommunane i Vestland"),
    (1.2, 1.0, "head_below_norm", "Resultat under anbefalt nivå for kommunene i Vestfold",
     "Resultat under tilrådd nivå for kommunane i Vestland"),
    (0.2, 0.02, "head_balance", "Resultat i balanse for kommunene i Vestfold",
     "Resultat i balanse for kommunane i Vestland"),
])
def test_headline_rules(before, now, rule, nb, nn) -> None:
    assert text.headline_rule(ndr(now), ndr(before, 2024), NORM) == rule
    # The last two words are tied, so the headline never ends with a lone word.
    assert text.headline("nb", NB_SUBJECT, ndr(now), ndr(before, 2024), NORM).replace(
        NBSP, " ") == nb
    assert text.headline("nn", NN_SUBJECT, ndr(now), ndr(before, 2024), NORM).replace(
        NBSP, " ") == nn


def test_zero_is_not_back_in_plus() -> None:
    # 0,0 as shown is balance, not a surplus: never «tilbake i pluss» at 0,0 %.
    assert text.headline_rule(ndr(0.04), ndr(-1.7, 2024), NORM) == "head_better"
    assert text.headline_rule(ndr(0.3), ndr(-0.04, 2024), NORM) == "head_below_norm"


def test_headline_and_lede_share_one_threshold() -> None:
    # −1,7 → −1,6: +0,1 prosentpoeng is neither «bedre» in the headline nor «en bedring».
    now, before = ndr(-1.6), ndr(-1.7, 2024)
    assert text.headline_rule(now, before, NORM) == "head_still_deficit"
    lede = text.lede("nb", FactBook("nb"), NB_SUBJECT, now, before)
    assert flat(lede[1]) == "Det er en liten bedring fra minus 1,7 prosent året før."
    # −1,0 → −0,5: half a point is the threshold for both.
    assert flat(text.lede("nb", FactBook("nb"), NB_SUBJECT, ndr(1.5), ndr(1.0, 2024))[1]) == (
        "Det er en bedring fra 1,0 prosent året før.")
    assert text.headline_rule(ndr(1.5), ndr(1.0, 2024), NORM) == "head_better"


def test_the_same_figure_is_said_to_be_the_same() -> None:
    book = FactBook("nb")
    assert flat(text.lede("nb", book, NB_SUBJECT, ndr(2.04), ndr(1.96, 2024))) == (
        "Kommunene i Vestfold fikk samlet et netto driftsresultat på 2,0 prosent i 2025. "
        "Det er det samme som året før.")
    sentence = text.result_with_before("nb", FactBook("nb"), "county_authority",
                                       "Vestfold fylkeskommune", ndr(2.0), ndr(2.0, 2024))
    assert flat(sentence) == ("Vestfold fylkeskommune hadde et netto driftsresultat på 2,0 "
                              "prosent i 2025, det samme som året før.")


def test_lede_in_nynorsk() -> None:
    # KS 6.3.2026: «… to prosent … en markant bedring fra minus 0,6 prosent i 2024»
    assert flat(text.lede("nn", FactBook("nn"), NN_SUBJECT, ndr(2.0), ndr(-0.6, 2024))) == (
        "Kommunane i Vestland fekk samla eit netto driftsresultat på 2,0 prosent i 2025. "
        "Det er ei betring frå minus 0,6 prosent året før.")


def test_differences_are_computed_from_the_figures_as_shown() -> None:
    # 3,5 % against TBU's 1,75: 1,75 prosentpoeng over, not «1,7».
    out = text.norm_sentences("nb", FactBook("nb"), NB_SUBJECT, ndr(3.46), NORM)
    assert flat(out[1]) == "Kommunene i Vestfold ligger 1,75 prosentpoeng over dette nivået."
    assert "(TBU) anbefaler et netto driftsresultat over tid på 1,75" in flat(out[0])


def test_no_comparison_across_scopes() -> None:
    survey, ssb = ndr(2.1, scope="kasse"), ndr(2.1)
    sentence = text.compare_sentence("nb", FactBook("nb"), "versus", "kommunene i Vestland",
                                     survey, ssb)
    assert "ligger" not in sentence
    assert sentence.startswith("Tallene for kommunene i Vestland gjelder kommunekassen alene")


def count(n: int, reported: int, total: int | None = None, year: int = 2025) -> Count:
    return Count(n, reported, total or reported, (), (), year, False)


def test_one_in_three_reads_as_hver_tredje() -> None:
    # KS 6.3.2026: «Hver tredje kommune går med underskudd.»
    assert flat(text.deficit_sentences("nb", FactBook("nb"), count(119, 357), None,
                                       "kommunene")) == (
        "Hver tredje kommune gikk med underskudd i 2025.")
    assert flat(text.deficit_sentences("nn", FactBook("nn"), count(119, 357), None,
                                       "kommunane")) == (
        "Kvar tredje kommune gjekk med underskot i 2025.")


def test_counts_are_words_when_small_and_figures_when_not() -> None:
    book = FactBook("nb")
    assert flat(text.deficit_sentences("nb", book, count(2, 6), count(4, 6, year=2024), "k")) == (
        "I 2025 gikk to av seks kommuner med underskudd. Året før gikk fire av de seks "
        "kommunene med underskudd.")
    # «Tolv av 43» is «12 av 43»: one style in one sentence.
    assert flat(text.deficit_sentences("nn", FactBook("nn"), count(12, 43), None, "k")) == (
        "I 2025 gjekk 12 av 43 kommunar med underskot.")


def test_one_is_the_number_one_in_the_nouns_gender() -> None:
    # Issue 18: «en av seks» → «én av seks»; nynorsk «éin av seks kommunar».
    assert flat(text.deficit_sentences("nb", FactBook("nb"), count(1, 6), None, "k")) == (
        "I 2025 gikk én av seks kommuner med underskudd.")
    assert flat(text.deficit_sentences("nn", FactBook("nn"), count(1, 6), None, "k")) == (
        "I 2025 gjekk éin av seks kommunar med underskot.")


def test_one_unit_that_reported_is_told_as_one() -> None:
    # One of six reporting: never «alle de én kommunene»; the sentence says what it is.
    one = count(1, 1, total=6)
    assert flat(text.deficit_sentences("nb", FactBook("nb"), one, count(0, 1, 1, 2024), "k")) == (
        "Den ene kommunen som har rapportert, gikk med underskudd i 2025. Året før gikk "
        "kommunen ikke med underskudd.")
    assert flat(text.norm_reached("nn", FactBook("nn"), 0, one, NORM, "k")) == (
        "Den eine kommunen som har rapportert, nådde ikkje norma i 2025.")


def test_all_and_none_are_said_with_the_definite_form() -> None:
    assert flat(text.deficit_sentences("nb", FactBook("nb"), count(0, 6), None, "k")) == (
        "I 2025 gikk ingen av de seks kommunene med underskudd.")
    book = FactBook("nb")
    reached = text.norm_reached("nb", book, 6, count(0, 6), NORM, "k")
    assert flat(reached) == "I 2025 nådde alle de seks kommunene normen."


def test_partial_data_says_those_that_reported() -> None:
    # A KS survey with 5 of 43 municipalities: «Ingen av dei fem kommunane som har rapportert …»
    partial = count(0, 5, total=43)
    assert flat(text.deficit_sentences("nn", FactBook("nn"), partial, count(2, 5, 5, 2024),
                                       "k")) == (
        "I 2025 gjekk ingen av dei fem kommunane som har rapportert, med underskot. Året før "
        "gjekk to av dei fem kommunane som har rapportert, med underskot.")


def test_last_year_is_counted_over_the_same_units() -> None:
    # Five report now; four of them have figures for 2024.
    now, before = count(1, 5, total=43), Count(2, 4, 5, ("4612",), (), 2024, False)
    out = text.deficit_sentences("nb", FactBook("nb"), now, before, "k")
    assert flat(out[1]) == "Av de fire som har tall for 2024, gikk to med underskudd det året."


def test_emptied_share_change() -> None:
    # KS 6.3.2026: «… har økt fra 12 til 15 prosent.»
    out = text.emptied_sentences("nb", FactBook("nb"), count(54, 357), count(43, 357, 357, 2024),
                                 "kommunene")
    assert flat(out) == ("Ved utgangen av 2025 hadde 54 av 357 kommuner tømt disposisjonsfondet. "
                         "Andelen kommuner som har tømt disposisjonsfondet, har økt fra 12 til "
                         "15 prosent.")
    same = text.emptied_sentences("nn", FactBook("nn"), count(30, 330), count(30, 330, 330, 2024),
                                  "kommunane")
    assert flat(same[1]) == ("Delen av kommunane som har tømt disposisjonsfondet, er 9 prosent, "
                             "det same som året før.")


def test_ties_name_everyone_who_shares_the_figure() -> None:
    values = [("Loppa", ndr(12.04)), ("Måsøy", ndr(11.96)), ("Alta", ndr(1.0)),
              ("Vardø", ndr(-3.0))]
    assert flat(text.extremes("nb", FactBook("nb"), values)) == (
        "Loppa og Måsøy hadde det sterkeste resultatet med 12,0 prosent, mens Vardø hadde det "
        "svakeste med minus 3,0 prosent.")


def test_when_every_figure_is_a_deficit_the_smallest_and_largest_are_named() -> None:
    # Issue 18: never «det sterkeste … minus 0,1».
    values = [("Loppa", ndr(-0.1)), ("Alta", ndr(-1.0)), ("Vardø", ndr(-3.0))]
    assert flat(text.extremes("nb", FactBook("nb"), values)) == (
        "Loppa hadde det minste underskuddet, 0,1 prosent, og Vardø det største, 3,0 prosent.")
    assert flat(text.extremes("nn", FactBook("nn"), values)) == (
        "Loppa hadde det minste underskotet, 0,1 prosent, og Vardø det største, 3,0 prosent.")


def test_a_deficit_shown_as_zero_is_a_balance_not_the_weakest_deficit() -> None:
    # −0,04 is printed 0,0: the best of a county whose others are in deficit is «beste».
    values = [("Loppa", ndr(-0.04)), ("Vardø", ndr(-3.0))]
    assert flat(text.extremes("nb", FactBook("nb"), values)) == (
        "Loppa hadde det beste resultatet med 0,0 prosent, mens Vardø hadde det svakeste med "
        "minus 3,0 prosent.")


def test_shared_places_are_told_as_shared() -> None:
    values = {"4602": ndr(-8.0), "4631": ndr(-8.02), "4601": ndr(2.0)}
    ranks = text.shown_ranks(values)
    assert ranks == {"4601": 1, "4602": 2, "4631": 2}
    sentence = text.rank_sentence("nn", FactBook("nn"), "Kinn", "4602", ranks,
                                  {"4602": "Kinn", "4631": "Masfjorden", "4601": "Bergen"},
                                  "kommunane i Vestland", 2025, partial=False)
    # Issue 18: not «deler plass 15 av de 18».
    assert flat(sentence) == ("Rangert etter netto driftsresultat deler Kinn 2. plass med "
                              "Masfjorden blant dei tre kommunane i Vestland.")


def test_missing_units_are_named() -> None:
    counted = Count(1, 5, 6, ("3911",), (), 2025, False)
    assert flat(text.coverage_sentence("nb", FactBook("nb"), counted, ["Færder"])) == (
        "Tallene omfatter de fem av seks kommunene som har rapportert. Det mangler tall for "
        "Færder.")


def test_no_reported_figures_is_said_once_not_counted_as_zero() -> None:
    nobody = Count(0, 0, 43, ("4601",), (), 2025, False)
    book = FactBook("nn")
    assert text.deficit_sentences("nn", book, nobody, None, "k") == []
    assert text.emptied_sentences("nn", book, nobody, None, "k") == []
    assert flat(text.coverage_sentence("nn", book, nobody, ["Bergen"])) == (
        "Det finst ikkje tal for nokon av dei 43 kommunane.")


def test_robek_member_in_plain_words() -> None:
    assert text.robek_member("nb", "Kommunen", "c og d", "20.4.2026") == (
        "Kommunen er oppført i ROBEK, registeret over kommuner og fylkeskommuner under statlig "
        "kontroll, fordi et merforbruk skal dekkes inn over flere enn to år etter at det oppsto "
        "og balanseregnskapet viser et oppsamlet merforbruk som er større enn tre prosent av "
        "driftsinntektene (kommuneloven § 28-1 c og d; per 20.4.2026).")


def test_income_against_costs() -> None:
    income = Figure(5.1, "bdi", 2025, "vekst")
    costs = Figure(-0.4, "bdu", 2025, "vekst")
    assert flat(text.growth_sentence("nb", FactBook("nb"), "kommunene i Vestfold", income,
                                     costs)) == (
        "Driftsinntektene til kommunene i Vestfold økte med 5,1 prosent fra 2024 til 2025, målt "
        "i løpende kroner, mens driftsutgiftene gikk ned med 0,4 prosent.")


def test_a_growth_shown_as_zero_is_unchanged() -> None:
    # Issue 18: not «økte med 0,0 prosent».
    income, costs = Figure(0.04, "bdi", 2025, "vekst"), Figure(-0.03, "bdu", 2025, "vekst")
    assert flat(text.growth_sentence("nn", FactBook("nn"), "kommunane i Vestland", income,
                                     costs)) == (
        "Driftsinntektene til kommunane i Vestland var uendra frå 2024 til 2025, målt i løpande "
        "kroner, medan driftsutgiftene var uendra.")


def test_names_are_joined_with_og() -> None:
    assert text.join_names(["Grue", "Åsnes", "Eidskog"], "nb") == "Grue, Åsnes og Eidskog"


def test_many_who_share_a_place_are_counted_not_listed() -> None:
    # 41 municipalities on 2,0: a rank sentence naming 40 others ran a report to 3 pages.
    values = {f"18{i:02d}": ndr(2.0) for i in range(41)}
    names = {u: f"K{i}" for i, u in enumerate(values)}
    sentence = text.rank_sentence("nb", FactBook("nb"), "Leirfjord kommune", "1800",
                                  text.shown_ranks(values), names, "kommunene i Nordland",
                                  2025, partial=False)
    assert flat(sentence) == ("Rangert etter netto driftsresultat deler Leirfjord kommune 1. "
                              "plass med 40 andre av de 41 kommunene i Nordland.")
    top = [(f"K{i}", ndr(5.0)) for i in range(8)] + [("Vardø", ndr(-1.0))]
    assert flat(text.extremes("nn", FactBook("nn"), top)) == (
        "8 kommunar hadde det sterkaste resultatet med 5,0 prosent, medan Vardø hadde det "
        "svakaste med minus 1,0 prosent.")
