"""``scripts/check_reports.py``: how full a page is, and which pages are left too empty."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPTS = Path(__file__).parent.parent / "scripts"


def script(name: str):
    sys.path.insert(0, str(SCRIPTS))  # check_reports imports its neighbour variants
    try:
        spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPTS))


check_reports = script("check_reports")


@pytest.mark.parametrize(("pages", "found"), [
    ([0.95, 0.9, 0.3], []),
    ([0.95, 0.6, 0.9], ["r.pdf: side 2 av 3 er bare 60% full"]),  # a third empty, and more
    ([0.95, 0.9, 0.97, 0.02], ["r.pdf: siste side holder bare 2% av en side"]),
    ([0.12], []),  # a one-page report is as long as it is
])
def test_a_page_left_a_third_empty_is_a_problem(pages: list[float], found: list[str]) -> None:
    assert check_reports.page_problems("r.pdf", pages) == found


def test_fill_measures_down_to_the_lowest_content(tmp_path: Path) -> None:
    # Two A4 pages drawn with known content: a line two thirds down the text area of page 1,
    # nothing on page 2 but its margins' running text, which does not count.
    from weasyprint import HTML

    html = ("<style>@page { size: A4; margin: 20mm 20mm 22mm 20mm; @bottom-right "
            "{ content: 'Side' } } body { margin: 0 } div { height: 170mm; "
            "border-bottom: 1px solid black } p { break-before: page }</style>"
            "<div></div><p style='margin:0'>&nbsp;</p>")
    pdf = tmp_path / "to.pdf"
    HTML(string=html).write_pdf(pdf)
    first, second = check_reports.fill(pdf)
    # The text area is 297 − 20 − 22 = 255 mm; the line ends 170 mm down: 0,667.
    assert first == pytest.approx(170 / 255, abs=0.01)
    assert second < 0.05


def test_the_variants_are_constructed_and_say_so(tmp_path: Path) -> None:
    variants = script("variants")
    path = variants.write("null", tmp_path)
    text = path.read_text("utf-8")
    assert "Konstruerte testdata" in text and ",false\n" in text  # real SSB rows stay real
    changed = [line for line in text.splitlines() if "Konstruerte testdata" in line]
    assert changed and all(line.endswith(",true") for line in changed)


def test_a_variant_reaches_the_batch_as_data_it_can_load(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # The script's own run is long; here its batch writes one member's report, from the
    # data the script hands it: a bare path once broke every variant after the sample.
    from kommunerapport.batch import run as batch

    real, asked = batch.run_batch, {}

    def one_report(**options: Any) -> batch.BatchSummary:
        asked.update(options)
        return real(members=["5601"], out_dir=options["out_dir"], jobs=1,
                    data_file=options["data_file"])

    monkeypatch.setattr(check_reports.batch, "run_batch", one_report)
    problems = check_reports.run("null", "nb", None, 1, tmp_path / "null" / "nb", False)
    assert problems == []
    written = list((tmp_path / "null" / "nb").rglob("*.pdf"))
    assert [p.name for p in written] == ["kommuneokonomi-2025-5601-alta.pdf"]
    # only the counties the variant changes, and their members: Rogaland (11), Finnmark (56)
    assert {m[:2] for m in asked["members"]} == {"11", "56"}
