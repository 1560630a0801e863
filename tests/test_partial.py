"""The false statements of issue 18 the tool wrote itself, on CONSTRUCTED variants of the
built-in sample (``scripts/variants.py``: not SSB's figures): partial data, units that
shift from year to year, figures that round to zero, a fund share over fewer units."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pytest

from kommunerapport import figures as fig
from kommunerapport.model.config import Config
from kommunerapport.model.regions import find_county
from kommunerapport.reports import build_county, sector_report
from kommunerapport.sources.loading import load_dataset
from kommunerapport.writing.check import problems

YEAR = 2025
NBSP = "\u00a0"


def variants():
    script = Path(__file__).parent.parent / "scripts" / "variants.py"
    spec = importlib.util.spec_from_file_location("variants", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def constructed(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("varianter")
    module = variants()
    return {name: load_dataset(module.write(name, folder), announce=False)
            for name in ("delvis", "skiftende", "null")}


def flat(text: str) -> str:
    return text.replace(NBSP, " ")


def trend(report):
    return next(c for s in report.context.sections for c in s.charts
                if c.title.startswith("Netto driftsresultat 2020"))


def test_the_trend_line_of_those_that_reported_is_of_them_every_year(constructed,
                                                                    register) -> None:
    # Issue 18: the chart labelled «… som har rapportert» gave 2024 for all, the lede for
    # those that reported. Trøndelag: 28 of 38 have figures for 2025 (constructed).
    report = build_county(constructed["delvis"], register, find_county("Trøndelag"), YEAR,
                          "nb", Config())
    row = trend(report).rows[0]
    assert row[0] == "De 28 kommunene i Trøndelag som har rapportert"
    lede = flat(" ".join(report.context.lede))
    before = lede.split("fra ")[1].split(" prosent året før")[0]  # «minus 0,3»
    assert row[-2] == before.replace("minus ", "\u2212")  # the chart's 2024 is the lede's
    # … and is not the figure of all 38 (the sample's 2024 for Trøndelag's municipalities).
    units = [m.number for m in register.in_county("50")]
    everyone = fig.weighted(constructed["delvis"].table, units, YEAR - 1)
    assert everyone.n == 38 and row[-2] != f"{everyone.value:.1f}".replace(".", ",")
    assert problems(report.draft()) == []


def test_a_line_never_joins_two_sets_of_units(constructed, register) -> None:
    # Møre og Romsdal: a different municipality without figures each year (constructed).
    report = build_county(constructed["skiftende"], register, find_county("Møre og Romsdal"),
                          YEAR, "nb", Config())
    chart = trend(report)
    assert chart.rows[0][1:] == ("–", "–", "–", "–", "–", "1,8")
    assert flat(chart.alt).endswith("Noen av de 26 kommunene i Møre og Romsdal som har "
                                    "rapportert, mangler tall for 2020–2024, så linjen har "
                                    "ingen punkter der.")
    assert "Det finnes ikke tall for året før." in flat(" ".join(report.context.lede))


def test_a_figure_shown_as_zero_is_no_deficit_in_text_table_map_or_count(constructed,
                                                                        register) -> None:
    # Rogaland (constructed): 0,0, −0,04, +0,04, 0,0, −0,04 for its first five.
    report = build_county(constructed["null"], register, find_county("Rogaland"), YEAR, "nb",
                          Config())
    table = next(s.table for s in report.context.sections if s.table is not None)
    shown = {row[1]: row[2] for row in table.rows}
    first = [m for m in register.in_county("11")][:5]
    assert [shown[m.name.replace(" - ", " – ")] for m in first] == ["0,0"] * 5
    deficits = sum(1 for row in table.rows if row[2].startswith("\u2212"))
    assert report.context.key_figures[2].value == f"{deficits} av {len(table.rows)}"
    # On the map each of the five is coloured as 0,0 is: «0 til under 1,75», not a deficit.
    from kommunerapport.pictures.classes import class_of
    from kommunerapport.reports.graphics import areas

    mapped = areas(constructed["null"].table, register, [m.number for m in first], YEAR)
    assert [a.value for a in mapped] == [0.0] * 5
    assert {class_of(a.value) for a in mapped} == {3}  # BREAKS: −4, −2, 0, 1,75, 4
    assert "minus 0,0" not in flat(" ".join(p for s in report.context.sections
                                            for p in s.paragraphs))


def test_one_of_six_reporting_makes_a_report_that_says_so(constructed, register) -> None:
    # Issue 18: «With one of six reporting … no report can be made at all.»
    report = build_county(constructed["delvis"], register, find_county("Vestfold"), YEAR,
                          "nn", Config())
    assert problems(report.draft()) == []
    assert flat(report.context.lede[0]).startswith(
        "Den eine kommunen i Vestfold som har rapportert, fekk samla")
    body = flat(" ".join(p for s in report.context.sections for p in s.paragraphs))
    assert "Den eine kommunen som har rapportert, gjekk ikkje med underskot i 2025." in body


def test_a_fund_share_over_fewer_units_says_so(dataset, register) -> None:
    # Issue 18: a fund share over 5 of 6 followed «Tallene omfatter alle de seks kommunene».
    t = dataset.table
    gone = (t["unit"] == "3905") & (t["year"] == YEAR) & t["measure"].isin(
        ["dispfond_pct", "dispfond"])
    fewer = dataclasses.replace(dataset, table=t[~gone].reset_index(drop=True))
    report = build_county(fewer, register, find_county("Vestfold"), YEAR, "nb", Config())
    body = flat(" ".join(p for s in report.context.sections for p in s.paragraphs))
    assert "Tallene omfatter alle de seks kommunene." in body  # netto driftsresultat: all six
    assert "Disposisjonsfondet til de fem av seks kommunene i Vestfold som har rapportert, " \
           "utgjorde" in body
    assert problems(report.draft()) == []


def test_a_heading_names_only_what_its_section_holds(dataset, register) -> None:
    # Issue 18: «Inntekter, utgifter og investeringer» said nothing of investments. SSB's
    # 12134 for landet uten Oslo has no investment figure in the built-in data.
    report = sector_report(dataset, register, YEAR, "nb", Config())
    headings = [s.heading for s in report.context.sections]
    assert "Inntekter og utgifter" in headings
    assert "Inntekter, utgifter og investeringer" not in headings
