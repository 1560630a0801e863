"""The report check: each class of defect an editor found is caught, and real reports pass."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from kommunerapport.model.config import Config
from kommunerapport.model.regions import find_county
from kommunerapport.render.context import Section
from kommunerapport.reports import Report, build, build_county, sector_report, shared_figures
from kommunerapport.sources.loading import load_dataset
from kommunerapport.writing.check import CheckError, check, problems

EXAMPLES = Path(__file__).parent.parent / "examples"
YEAR = 2025


def with_paragraph(report: Report, paragraph: str) -> Report:
    """The report with one more generated paragraph in its first section."""
    ctx = report.context
    first = ctx.sections[0]
    sections = (dataclasses.replace(first, paragraphs=first.paragraphs + (paragraph,)),
                *ctx.sections[1:])
    return dataclasses.replace(report, context=dataclasses.replace(ctx, sections=sections))


@pytest.fixture(scope="module")
def vestland(dataset, register):
    return build_county(dataset, register, find_county("Vestland"), YEAR, "nn", Config())


@pytest.fixture(scope="module")
def vestfold(dataset, register):
    return build_county(dataset, register, find_county("Vestfold"), YEAR, "nb", Config())


def test_a_generated_report_passes(vestland, vestfold) -> None:
    assert problems(vestland.draft()) == []
    assert problems(vestfold.draft()) == []


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


def test_a_number_that_is_not_a_figure_is_caught(vestfold) -> None:
    # The report says 3,5 for Vestfold's municipalities; 3,4 is in none of its figures.
    found = problems(with_paragraph(vestfold, "Kommunene fikk 3,4 prosent.").draft())
    assert found == ["tallet 3,4 i «Kommunene fikk 3,4 prosent.» (Resultatet målt mot normen) er "
                     "ikke et av rapportens tall."]
    assert problems(with_paragraph(vestfold, "Kommunene fikk 3,5 prosent.").draft()) == []


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


def test_the_users_headline_is_held_to_the_figures(dataset, register) -> None:
    # KS's own headline may not state a number the report's figures do not give.
    config = Config(headline="Kommunene fikk 9,9 prosent")
    report = sector_report(dataset, register, YEAR, "nb", config)
    with pytest.raises(CheckError, match="tallet 9,9"):
        check(report.draft())
    fine = sector_report(dataset, register, YEAR, "nb", Config(headline="Tilbake i pluss, men "
                                                                        "krisa er ikke over"))
    check(fine.draft())


def test_partial_survey_reports_pass_and_say_who_reported(register) -> None:
    # examples/ks-undersokelse.csv: 6 of Vestland's 43 municipalities, kasse, 2024–2025.
    dataset = load_dataset(EXAMPLES / "ks-undersokelse.csv", announce=False)
    for lang in ("nb", "nn"):
        report = build_county(dataset, register, find_county("Vestland"), YEAR, lang, Config())
        assert problems(report.draft()) == [], lang
        assert report.partial
    text = " ".join(" ".join(s.paragraphs) for s in report.context.sections)
    assert "som har rapportert" in " ".join(report.context.lede)
    assert "Ingen av kommunane gjekk" not in text
    # No national figure is made of the file's five municipalities.
    assert "I landet utan Oslo var disposisjonsfondet 6,6" not in text


@pytest.mark.parametrize("lang", ["nb", "nn"])
def test_every_county_and_a_spread_of_members_pass_in_both_forms(dataset, register,
                                                                 lang: str) -> None:
    """The full run over all 388 reports is ``scripts/check_reports.py``; here every county
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
    ctx = vestfold.context
    extra = Section("Ekstra", ("Tallet 7,77 står her.",))
    report = dataclasses.replace(vestfold, context=dataclasses.replace(
        ctx, sections=ctx.sections + (extra,)))
    assert any("7,77" in p for p in problems(report.draft()))


def test_the_users_headline_may_not_contradict_the_figures(dataset, register) -> None:
    # Sample: Vestfold's municipalities 0,4 → 3,5 %: «underskudd» and «svakere» are wrong.
    for headline, word in (("Underskudd i Vestfold", "underskudd"),
                           ("Svakere år for Vestfold", "svakere")):
        report = build_county(dataset, register, find_county("Vestfold"), YEAR, "nb",
                              Config(headline=headline))
        found = [p for p in problems(report.draft()) if "sier" in p]
        assert len(found) == 1 and f"sier «{word}»" in found[0].lower(), found
    # KS 6.3.2026: naming both sides of the turn is not a contradiction.
    fine = Config(headline="Kommuneøkonomien tilbake i pluss, men KS advarer: Krisa er ikke over",
                  lede="Kommunesektoren snudde et stort underskudd til et samlet overskudd.")
    assert problems(sector_report(dataset, register, YEAR, "nb", fine).draft()) == []


def test_partial_survey_trend_names_who_reported_and_compares_no_scopes(register) -> None:
    # examples/ks-undersokelse.csv is kasse; SSB's national line is konsern.
    dataset = load_dataset(EXAMPLES / "ks-undersokelse.csv", announce=False)
    report = build_county(dataset, register, find_county("Vestland"), YEAR, "nb", Config())
    trend = next(c for s in report.context.sections for c in s.charts
                 if c.title.startswith("Netto driftsresultat 2020"))
    assert trend.rows[0][0] == "De fem kommunene i Vestland som har rapportert"
    assert "lå over" not in trend.alt
    assert not report.context.key_figures[0].note.endswith(",")
