"""Member reports rendered into tmp_path and read back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from pdfs import full_text, page_texts

from kommunerapport import figures as fig
from kommunerapport.errors import UsageError
from kommunerapport.model.config import Config
from kommunerapport.reports import member_report, member_target, shared_figures, write
from kommunerapport.writing.formatting import percent

SAMPLE = "Eksempeldata – ikke offisielle tall"
SAMPLE_NN = "Eksempeldata – ikkje offisielle tal"
YEAR = 2025


def _flat(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.fixture(scope="module")
def shared(dataset, register):
    return shared_figures(dataset, register, YEAR)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, dataset, register,
             shared) -> dict[str, Path]:
    """Kinn (nynorsk), Kragerø (ROBEK, neutral → bokmål), Lørenskog (real SSB figures),
    Kautokeino (a Sami parallel name) and Vestfold fylkeskommune."""
    out = tmp_path_factory.mktemp("members")
    paths = {}
    for number in ("4602", "4014", "3222", "5612", "39"):
        report = member_report(dataset, register, number, YEAR, None, Config(), shared=shared)
        paths[number] = write(report, member_target(register, number, YEAR, out))
    return paths


def test_files_are_named_for_the_member(rendered: dict) -> None:
    assert rendered["4602"].relative_to(rendered["4602"].parents[1]) == Path(
        "kommuner/kommuneokonomi-2025-4602-kinn.pdf")
    # The county authority in words, in a folder of its own: not mixed up with the
    # county's report, «kommuneokonomi-2025-vestfold.pdf».
    assert rendered["39"].relative_to(rendered["39"].parents[1]) == Path(
        "fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf")


@pytest.mark.parametrize("number", ["4602", "4014", "3222", "5612", "39"])
def test_member_report_is_one_or_two_pages(rendered: dict, number: str) -> None:
    assert 1 <= len(page_texts(rendered[number])) <= 2


@pytest.mark.parametrize(("number", "notice", "sample"), [
    ("4602", SAMPLE_NN, True), ("4014", SAMPLE, True), ("39", SAMPLE, False)])
def test_sample_notice_only_on_sample_figures(rendered: dict, number: str, notice: str,
                                             sample: bool) -> None:
    # Municipal accounts are sample data; a county authority's are SSB 13561's own. Kinn is
    # nynorsk, so its notice is too.
    text = full_text(rendered[number])
    assert (notice in text) is sample
    assert SAMPLE not in text or number != "4602"


def test_real_figures_are_called_real(rendered: dict) -> None:
    # Lørenskog has SSB 12134's own figures; the rest of Akershus is sample data.
    text = _flat(full_text(rendered["3222"]))
    # SSB 12134 has Lørenskog and three neighbours for 2024 and 2025; the years before, and
    # the rest of the county it is compared with, are sample data.
    assert ("Tallene for Lørenskog, Lillestrøm, Enebakk og Rælingen er fra SSB (foreløpige tall "
            "16.3.2026); tallene for de andre kommunene i Akershus og for Lørenskog, "
            "Lillestrøm, Enebakk og Rælingen før 2024 er eksempeldata") in text
    assert "syntetiske" not in text
    # the trend line joins sample years (2020–2023) and real ones (2024–2025): it says so
    assert "Lørenskog kommune (eksempeldata 2020–2023)" in text


def test_own_figures_match_the_figures_module(rendered: dict, table, shared) -> None:
    text = _flat(full_text(rendered["4014"]))
    now = fig.unit_figure(table, "4014", YEAR, "ndr_pct")
    reserve = fig.unit_figure(table, "4014", YEAR, "dispfond_pct")
    ranks = shared.groups["40"].ranks
    assert _flat(percent(now.value)) in text  # the key figure
    assert _flat(percent(reserve.value)) in text
    assert f"{ranks['4014']} av {len(ranks)}" in text
    assert "1,75 %" in text  # TBU's norm for municipalities


def test_county_authority_uses_its_norm_and_is_ranked_among_14(rendered: dict, table) -> None:
    text = _flat(full_text(rendered["39"]))
    now = fig.unit_figure(table, "39", YEAR, "ndr_pct")
    assert _flat(percent(now.value)) in text
    assert "Vestfold fylkeskommune" in text
    assert "4 prosent av driftsinntektene for fylkeskommunene" in text  # TBU: 4 %
    assert "av 14" in text and "av 15" not in text  # Oslo has no county authority


def test_nynorsk_member_gets_nynorsk(rendered: dict) -> None:
    text = _flat(full_text(rendered["4602"]))
    assert "Kinn kommune fekk eit netto driftsresultat" in text
    assert "ikkje" in text and "ikke " not in text
    assert "nummar" not in text


def test_robek_member_is_flagged_with_its_grounds_in_words(rendered: dict, register) -> None:
    assert register.robek_entry("4014").grounds == "c og d"
    text = _flat(full_text(rendered["4014"]))
    assert "Kommunen er oppført i ROBEK" in text
    assert "fordi et merforbruk skal dekkes inn over flere enn to år" in text
    assert "§ 28-1 c og d" in text
    assert "ikke oppført i ROBEK" in full_text(rendered["39"])


def test_parallel_name_at_first_mention(rendered: dict) -> None:
    # Klass 131: «Guovdageaidnu - Kautokeino»; ROBEK calls it Kautokeino.
    text = _flat(full_text(rendered["5612"]))
    assert "Guovdageaidnu – Kautokeino kommune fikk et netto driftsresultat" in text


def test_name_is_not_repeated_sentence_after_sentence(dataset, register, shared) -> None:
    report = member_report(dataset, register, "1517", YEAR, None, Config(), shared=shared)
    body = " ".join(p for s in report.context.sections for p in s.paragraphs)
    assert body.count("Hareid kommune") <= 1
    assert "Kommunen ligg " in body  # Hareid is nynorsk


def test_there_is_no_oslo_county_authority(dataset, register, shared) -> None:
    with pytest.raises(UsageError, match="Oslo har ingen egen fylkeskommune"):
        member_report(dataset, register, "03", YEAR, None, Config(), shared=shared)


def test_shared_figures_equal_those_from_the_whole_table(dataset, table, register,
                                                        shared) -> None:
    """Computed once for a batch, the shared figures are those of the whole table."""
    units = [m.number for m in register.in_county("46")]
    assert shared.national == fig.national(table, register, YEAR)
    assert shared.groups["46"].series == tuple(fig.series(table, units, list(shared.years)))
    assert shared.groups["fk"].now == fig.county_authorities_total(table, register, YEAR)
    assert "03" not in shared.groups["fk"].ranks


def test_a_county_authority_report_on_real_figures_is_not_marked_sample(dataset, register,
                                                                       shared) -> None:
    # SSB 13561: every figure a county authority's report states is real.
    report = member_report(dataset, register, "46", YEAR, None, Config(), shared=shared)
    assert report.context.sample is False
    assert "Eksempeldata" not in report.context.subject


def test_a_municipality_is_compared_with_its_kostra_group(dataset, register, shared,
                                                         tmp_path) -> None:
    """With a fetched Klass correspondence, the member's KOSTRA group and SSB's figure for it.

    The correspondence here is constructed (Klass's ``correspondsAt`` shape, Lørenskog put in
    group 8); the figure is real: SSB 12134, KOSTRA-gruppe 8, 2025.
    """
    from kommunerapport.sources.ssb import klass as kostragroups

    kostragroups.write(tmp_path, YEAR, {"correspondenceItems": [
        {"sourceCode": "3222", "sourceName": "Lørenskog", "targetCode": "08",
         "targetName": "KOSTRA-gruppe 8"}]}, "https://data.ssb.no/api/klass/v1/constructed",
        "2026-11-27T00:00:00")
    grouped = replace(dataset, kostra_groups=kostragroups.read_groups(tmp_path))
    report = member_report(grouped, register, "3222", YEAR, None, Config(), shared=shared)
    body = _flat(" ".join(p for s in report.context.sections for p in s.paragraphs))
    assert ("KOSTRA-gruppe 8, kommunene som ligner mest på Lørenskog i folketall og økonomi, "
            "fikk samlet 0,6 prosent i 2025.") in body  # SSB 12134, EKG08, 16.3.2026
    # Lørenskog 4,0 (SSB 12134, 16.3.2026) against the group's 0,6.
    assert "Kommunen ligger 3,4 prosentpoeng over KOSTRA-gruppe 8 samlet." in body


def test_no_kostra_group_without_a_fetched_correspondence(dataset, register, shared) -> None:
    report = member_report(dataset, register, "3222", YEAR, None, Config(), shared=shared)
    assert "KOSTRA" not in " ".join(p for s in report.context.sections for p in s.paragraphs)


def test_a_bilingual_name_in_full_first_then_the_name_readers_know(dataset, register,
                                                                   shared, rendered) -> None:
    # Issue 18: «Guovdageaidnu kommune», a Sami name with the Norwegian word, never; Klass's
    # name in full at first mention and in tables, then the register's short form.
    report = member_report(dataset, register, "5612", YEAR, None, Config(), shared=shared)
    assert _flat(report.context.title).endswith("for Kautokeino kommune")
    text = _flat(full_text(rendered["5612"]))
    assert "Guovdageaidnu kommune" not in text
    assert "Rangert etter netto driftsresultat" in text and "Kautokeino kommune" in text
    # The file is named for the first official name, in ASCII.
    assert rendered["5612"].name == "kommuneokonomi-2025-5612-guovdageaidnu.pdf"
    assert member_target(register, "5025", YEAR, Path("ut")).name == \
        "kommuneokonomi-2025-5025-roros.pdf"  # «Røros - Rosse», never «…-rosse»


def test_member_on_the_command_line_by_any_spelling(runner, tmp_path, monkeypatch) -> None:
    from kommunerapport.cli import main

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772755200")
    result = runner.invoke(main, ["--member", "kautokeino", "--member", "5025", "--member",
                                  "Vestfold fylkeskommune", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == [str(tmp_path / name) for name in (
        "kommuner/kommuneokonomi-2025-5612-guovdageaidnu.pdf",
        "kommuner/kommuneokonomi-2025-5025-roros.pdf",
        "fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf")]
    assert all(Path(p).is_file() for p in result.stdout.split())


@pytest.mark.parametrize(("typed", "message"), [
    ("Kautokeno", "Ukjent medlem «Kautokeno». Mente du: Kautokeino?"),
    ("Herøy", "«Herøy» passer på flere kommuner: 1515 Herøy (Møre og Romsdal), 1818 Herøy "
              "(Nordland). Bruk kommunenummeret."),
    ("99", "Ukjent fylkeskommune «99»."),
])
def test_an_unknown_member_is_refused_before_anything_is_written(runner, tmp_path, typed,
                                                                  message) -> None:
    from kommunerapport.cli import main

    result = runner.invoke(main, ["--member", "Bergen", "--member", typed, "--out",
                                  str(tmp_path / "ut")])
    assert (result.exit_code, result.stderr) == (2, f"Feil: {message}\n")
    assert not (tmp_path / "ut").exists()


def test_oslo_as_a_member_is_oslo_kommune() -> None:
    from kommunerapport.model.regions import find_member

    assert [find_member(name) for name in ("Oslo", "03", "0301", "Oslove")] == ["0301"] * 4
    assert find_member("Troms – Romsa – Tromssa fylkeskommune") == "55"
