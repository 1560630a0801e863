"""Member reports rendered into tmp_path and read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pdfs import full_text, page_texts

from kommunerapport import figures as fig
from kommunerapport.config import Config
from kommunerapport.formatting import percent
from kommunerapport.member import member_context, member_target, shared_figures
from kommunerapport.report import write_context

SAMPLE = "Eksempeldata – ikke offisielle tall"
YEAR = 2025


def _flat(text: str) -> str:
    return text.replace("\u00a0", " ")


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory, dataset, register) -> dict[str, Path]:
    """Kinn (nynorsk), Kragerø (ROBEK, neutral → bokmål) and Vestfold fylkeskommune."""
    out = tmp_path_factory.mktemp("members")
    shared = shared_figures(dataset, register, YEAR)
    paths = {}
    for number in ("4602", "4014", "39"):
        ctx = member_context(dataset, register, number, YEAR, None, Config(), shared=shared)
        paths[number] = write_context(ctx, member_target(register, number, YEAR, out))
    return paths


def test_files_are_named_for_the_member(rendered: dict) -> None:
    assert rendered["4602"].name == "kommuneokonomi-2025-4602-kinn.pdf"
    assert rendered["39"].name == "kommuneokonomi-2025-fk39-vestfold.pdf"


@pytest.mark.parametrize("number", ["4602", "4014", "39"])
def test_member_report_is_one_or_two_pages(rendered: dict, number: str) -> None:
    assert 1 <= len(page_texts(rendered[number])) <= 2


@pytest.mark.parametrize(("number", "sample"), [("4602", True), ("4014", True), ("39", False)])
def test_sample_notice_only_on_sample_figures(rendered: dict, number: str, sample: bool) -> None:
    # Municipal accounts are sample data; a county authority's are SSB 13561's own.
    assert (SAMPLE in full_text(rendered[number])) is sample


def test_own_figures_match_the_figures_module(rendered: dict, table, register) -> None:
    text = _flat(full_text(rendered["4014"]))
    now = fig.unit_figure(table, "4014", YEAR, "ndr_pct")
    reserve = fig.unit_figure(table, "4014", YEAR, "dispfond_pct")
    units = [m.number for m in register.in_county("40")]
    rank = fig.ranking(table, units, YEAR)["4014"]
    assert _flat(percent(now.value)) in text  # the key figure, «1,7 %»
    assert _flat(percent(reserve.value)) in text
    assert f"{rank} av {len(units)}" in text
    assert "1,75 %" in text  # TBU's norm for municipalities


def test_county_authority_uses_its_norm(rendered: dict, table) -> None:
    text = _flat(full_text(rendered["39"]))
    now = fig.unit_figure(table, "39", YEAR, "ndr_pct")
    assert _flat(percent(now.value)) in text
    assert "Vestfold fylkeskommune" in text
    assert "fire prosent av driftsinntektene for fylkeskommunene" in text  # TBU: 4 %


def test_nynorsk_member_gets_nynorsk(rendered: dict) -> None:
    text = full_text(rendered["4602"])
    assert "Kinn kommune fekk eit netto driftsresultat" in text
    assert "ikkje" in text and "ikke oppført" not in text


def test_robek_member_is_flagged_with_its_grounds(rendered: dict, register) -> None:
    assert register.robek_entry("4014").grounds == "c og d"
    text = full_text(rendered["4014"])
    assert "Kragerø kommune er oppført i ROBEK" in text
    assert "§ 28-1 c og d" in text
    assert "ikke oppført i ROBEK" in full_text(rendered["39"])


def test_shared_figures_equal_those_from_the_whole_table(dataset, table, register) -> None:
    """The batch's shortcut (per-year and per-unit rows) changes no figure."""
    shared = shared_figures(dataset, register, YEAR)
    units = [m.number for m in register.in_county("46")]
    assert shared.national == fig.national(table, register, YEAR)
    assert shared.groups["46"].series == tuple(fig.series(table, units, list(shared.years)))
    assert shared.groups["46"].ranks == fig.ranking(table, units, YEAR)
    assert shared.groups["fk"].now == fig.county_authorities_total(table, register, YEAR)
    assert fig.unit_figure(shared.tables["4602"], "4602", YEAR, "ndr_pct") == fig.unit_figure(
        table, "4602", YEAR, "ndr_pct")


def test_a_county_authority_report_on_real_figures_is_not_marked_sample(dataset, register) -> None:
    # SSB 13561: every figure a county authority's report states is real.
    context = member_context(dataset, register, "46", 2025, None, Config())
    assert context.sample is False
    assert "Eksempeldata" not in context.subject
