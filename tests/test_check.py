"""The report check: each class of defect an editor found is caught, and real reports pass."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kommunerapport.figures import Count, Figure
from kommunerapport.model.config import Config, Words
from kommunerapport.model.regions import find_county
from kommunerapport.render.context import Section
from kommunerapport.reports import Report, build, build_county, sector_report, shared_figures
from kommunerapport.sources.loading import load_dataset
from kommunerapport.writing import text
from kommunerapport.writing.check import CheckError, Draft, check, problems
from kommunerapport.writing.facts import OPEN, FactBook, plain

EXAMPLES = Path(__file__).parent.parent / "examples"
YEAR = 2025


def with_paragraph(report: Report, paragraph: str) -> Report:
    """The report with one more paragraph in its first section, as the check reads it."""
    ctx = report.marked or report.context
    first = ctx.sections[0]
    sections = (dataclasses.replace(first, paragraphs=first.paragraphs + (paragraph,)),
                *ctx.sections[1:])
    return dataclasses.replace(report, marked=dataclasses.replace(ctx, sections=sections))


def draft(*sentences: str, book: FactBook, lang: str = "nb", partial: bool = False) -> Draft:
    """A draft of the given sentences, with the facts of ``book``."""
    return Draft("en prøve", lang, YEAR, tuple(("avsnitt", s) for s in sentences), (),
                 tuple(book.facts), frozenset(), partial=partial)


@pytest.fixture(scope="module")
def vestland(dataset, register):
    return build_county(dataset, register, find_county("Vestland"), YEAR, "nn", Config())


@pytest.fixture(scope="module")
def vestfold(dataset, register):
    return build_county(dataset, register, find_county("Vestfold"), YEAR, "nb", Config())


def test_a_generated_report_passes(vestland, vestfold) -> None:
    assert problems(vestland.draft()) == []
    assert problems(vestfold.draft()) == []


def test_the_reader_never_sees_a_slot_mark(vestfold) -> None:
    def strings(value: object) -> list[str]:
        if isinstance(value, str):
            return [value]
        if isinstance(value, tuple | list):
            return [s for v in value for s in strings(v)]
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return [s for f in dataclasses.fields(value) if f.name != "drawing"
                    for s in strings(getattr(value, f.name))]
        return []
    seen = strings(vestfold.context)
    assert seen and not any(OPEN in s or "\ue002" in s for s in seen)
    assert any(OPEN in s for s in strings(vestfold.marked))  # the check's copy has them


def test_bokmal_in_a_nynorsk_report_is_caught(vestland) -> None:
    found = problems(with_paragraph(vestland, "Kommunane har ikke tømt fondet.").draft())
    assert found == ["«ikke» er bokmål i en rapport på nynorsk (Resultatet målt mot norma: "
                     "«Kommunane har ikke tømt fondet.»)."]


def test_nynorsk_in_a_bokmal_report_is_caught(vestfold) -> None:
    assert any("«kommunane» er nynorsk" in p for p in problems(
        with_paragraph(vestfold, "Alle kommunane er med.").draft()))


def test_proper_names_are_not_taken_for_words(vestland) -> None:
    # «Vik» and «Fedje» are names, not words; the register's names are left out of the check.
    assert problems(with_paragraph(vestland, "Vik og Fedje er med.").draft()) == []


def test_oslo_county_authority_is_caught(vestfold) -> None:
    assert any("Oslo fylkeskommune" in p for p in problems(
        with_paragraph(vestfold, "Oslo fylkeskommune er med.").draft()))


def test_a_number_that_was_not_filled_from_a_fact_is_caught(vestfold) -> None:
    # The report says 3,5 for Vestfold's municipalities; typed into a sentence, not filled
    # from its fact, even the right number is refused: the check holds each number to the
    # fact in its slot, not to the set of all numbers.
    for typed in ("3,4", "3,5"):
        found = problems(with_paragraph(vestfold, f"Kommunene fikk {typed} prosent.").draft())
        assert found == [f"tallet {typed} i «Kommunene fikk {typed} prosent.» (Resultatet målt "
                         "mot normen) er ikke fylt inn fra et av rapportens tall."]


def ndr(value: float, covers: tuple[str, ...] = ()) -> Figure:
    return Figure(value, "ndr_pct", YEAR, "vektet", covers=covers)


def test_each_number_is_held_to_the_fact_in_its_slot() -> None:
    book = FactBook("nb")
    sentence = f"Kommunene fikk {book.pct(ndr(-1.94), 'kommunene i Vestfold')}."
    assert plain(sentence) == "Kommunene fikk minus 1,9\u00a0prosent."
    assert problems(draft(sentence, book=book)) == []
    # Another number in the slot, the sign stripped, a sign added: each is caught.
    for wrong in ("minus 2,9", "1,9", "−1,8"):
        broken = sentence.replace("minus 1,9", wrong)
        found = problems(draft(broken, book=book))
        shown = " ".join(plain(broken).split())
        assert found == [f"tallet «{wrong}» i «{shown}» (avsnitt) viser ikke tallet det "
                         "står for (kommunene i Vestfold, netto driftsresultat i prosent av "
                         "brutto driftsinntekter 2025: −1,9)."], wrong


def test_a_count_in_words_is_held_to_its_fact() -> None:
    book = FactBook("nb")
    units = text.units_of("nb", book, 2, Count(2, 6, 6, (), (), YEAR, False), "municipalities",
                          "deficits", "kommunene")
    assert plain(units) == "to av seks kommuner"
    assert problems(draft(f"I 2025 gikk {units} med underskudd.", book=book)) == []
    wrong = units.replace("to", "tre", 1)
    assert plain(wrong) == "tre av seks kommuner"
    assert any("tallet «tre»" in p for p in problems(draft(f"I 2025 gikk {wrong}.", book=book)))


def test_a_label_that_names_one_set_never_shows_another_sets_figure() -> None:
    # Issue 18: «Dei 28 kommunane … som har rapportert» beside a figure for all 43.
    from kommunerapport.writing.facts import MismatchError, Who

    book = FactBook("nn")
    reported = Who("dei to kommunane som har rapportert", frozenset({"4601", "4602"}))
    assert plain(book.pct(ndr(1.8, ("4601", "4602")), reported)) == "1,8\u00a0prosent"
    with pytest.raises(MismatchError, match="gjelder 2 enheter, men tallet"):
        book.pct(ndr(1.5, ("4601", "4602", "4611")), reported)


def test_a_sentence_about_all_units_with_partial_data_is_caught(vestfold) -> None:
    partial = dataclasses.replace(vestfold, partial=True)
    before = set(problems(partial.draft()))
    added = set(problems(with_paragraph(partial,
                                        "Ingen av kommunene gikk med underskudd.").draft()))
    assert added - before == {
        "«Ingen av kommunene gikk med underskudd.» (Resultatet målt mot normen) gjelder alle "
        "kommunene, men ikke alle har rapportert."}
    said = "Ingen av de fem kommunene som har rapportert, gikk med underskudd."
    assert set(problems(with_paragraph(partial, said).draft())) == before


def test_a_sentence_printed_twice_is_caught(vestfold) -> None:
    # Issue 19: KS's lede put before the tool's made «… 2,1 prosent i 2025.» stand twice.
    lede = (vestfold.marked or vestfold.context).lede[0]
    found = problems(with_paragraph(vestfold, lede).draft())
    assert len(found) == 1 and found[0].startswith(f"setningen «{plain(lede)[:40]}")
    assert "står to ganger (ingress og Resultatet målt mot normen)" in found[0]


def test_the_users_headline_is_held_to_the_figures(dataset, register) -> None:
    # KS's own headline may not state a number the report's figures refute.
    config = Config(sector=Words(headline="Kommunene fikk 9,9 prosent"))
    report = sector_report(dataset, register, YEAR, "nb", config)
    with pytest.raises(CheckError, match="«Kommunene fikk 9,9 prosent» stemmer ikke"):
        check(report.draft())
    fine = sector_report(dataset, register, YEAR, "nb", Config(sector=Words(
        headline="Tilbake i pluss, men krisa er ikke over")))
    check(fine.draft())


def test_partial_survey_reports_pass_and_say_who_reported(register) -> None:
    # examples/ks-undersokelse.csv: 6 of Vestland's 43 municipalities, kasse, 2024–2025.
    dataset = load_dataset(EXAMPLES / "ks-undersokelse.csv", announce=False)
    for lang in ("nb", "nn"):
        report = build_county(dataset, register, find_county("Vestland"), YEAR, lang, Config())
        assert problems(report.draft()) == [], lang
        assert report.partial
    text_ = " ".join(" ".join(s.paragraphs) for s in report.context.sections)
    assert "som har rapportert" in " ".join(report.context.lede)
    assert "Ingen av kommunane gjekk" not in text_
    # No national figure is made of the file's five municipalities.
    assert "I landet utan Oslo var disposisjonsfondet 6,6" not in text_


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_county_and_a_spread_of_members_pass_in_both_forms(dataset, register,
                                                                 lang: str) -> None:
    """The full run over all 387 reports is ``scripts/check_reports.py``; here every county
    and three members from each county."""
    shared = shared_figures(dataset, register, YEAR)
    jobs = [("sector", "")] + [("county", c.number) for c in register.counties]
    for c in register.counties:
        jobs += [("member", m.number) for m in register.in_county(c.number)[:3]]
        if c.number != "03":
            jobs.append(("member", c.number))
    found = {}
    for kind, number in jobs:
        report = build(dataset, register, kind, number, YEAR, lang, Config(), shared)
        if problems(report.draft()):
            found[(kind, number)] = problems(report.draft())
    assert found == {}


def test_the_check_stops_a_report_with_one_line(vestfold) -> None:
    with pytest.raises(CheckError) as caught:
        check(with_paragraph(vestfold, "Oslo fylkeskommune.").draft())
    assert "\n" not in caught.value.format_message()
    assert caught.value.format_message().startswith("Rapporten for Kommuneøkonomien 2025: "
                                                    "kommunene i Vestfold stoppet")


def test_sections_are_checked_not_just_the_lede(vestfold) -> None:
    ctx = vestfold.marked
    extra = Section("Ekstra", ("Tallet 7,77 står her.",))
    report = dataclasses.replace(vestfold, marked=dataclasses.replace(
        ctx, sections=ctx.sections + (extra,)))
    assert any("7,77" in p for p in problems(report.draft()))


def test_table_cells_are_held_to_their_facts_too(vestfold) -> None:
    ctx = vestfold.marked
    table_section = next(s for s in ctx.sections if s.table is not None)
    rows = ((*table_section.table.rows[0][:2], "9,9", *table_section.table.rows[0][3:]),
            *table_section.table.rows[1:])
    table = dataclasses.replace(table_section.table, rows=rows)
    sections = tuple(dataclasses.replace(s, table=table) if s is table_section else s
                     for s in ctx.sections)
    report = dataclasses.replace(vestfold, marked=dataclasses.replace(ctx, sections=sections))
    assert any(p.startswith("tallet 9,9 i «9,9»") for p in problems(report.draft()))


def test_partial_survey_trend_names_who_reported_and_compares_no_scopes(register) -> None:
    # examples/ks-undersokelse.csv is kasse; SSB's national line is konsern.
    dataset = load_dataset(EXAMPLES / "ks-undersokelse.csv", announce=False)
    report = build_county(dataset, register, find_county("Vestland"), YEAR, "nb", Config())
    trend = next(c for s in report.context.sections for c in s.charts
                 if c.title.startswith("Netto driftsresultat 2020"))
    assert trend.rows[0][0] == "De fem kommunene i Vestland som har rapportert"
    assert "lå over" not in trend.alt
    assert not report.context.key_figures[0].note.endswith(",")


def test_two_commas_in_a_row_are_caught(vestfold) -> None:
    # Issue 18: «double commas».
    found = problems(with_paragraph(vestfold, "De fem som har rapportert,, gikk i pluss.").draft())
    assert found == ["to komma etter hverandre i «De fem som har rapportert,, gikk i pluss.» "
                     "(Resultatet målt mot normen)."]


def test_a_subjects_comma_before_the_templates_is_one() -> None:
    from kommunerapport.writing.lang import phrase

    # «rank_shared_reported» ends «… som har rapportert.»; a subject ending in a relative
    # clause before a comma of the template gives one comma, and none before a full stop.
    said = phrase("nb", "versus_above", subject="de fem kommunene som har rapportert,",
                  diff="1,0 prosentpoeng")
    assert said == ("De fem kommunene som har rapportert, ligger dermed 1,0 prosentpoeng over "
                    "landet uten Oslo.")
    assert ",," not in phrase("nb", "growth_income", subject="de to som har rapportert,",
                              income="økte med 1,0 prosent", first=2024, year=2025)
