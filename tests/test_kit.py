"""The press kit: charts and maps as files, the text as Markdown, every number as CSV."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from PIL import Image

from kommunerapport.batch import run as batch
from kommunerapport.cli import main
from kommunerapport.render.kit import kit_folder, plain_number

EPOCH = "1772755200"  # 6.3.2026
NUMBER = re.compile(r"(?<![\w,.])[−+-]?\d+(?:[ \u00a0]\d{3})*(?:,\d+)?(?![\w,])")
DATE = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b")
LAW = re.compile(r"§\s*\d+(?:-\d+)?")


@pytest.fixture(scope="module")
def vestland(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kommunerapport --county Vestland --kit`, as the issue asks, run once."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("kit")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        result = CliRunner().invoke(main, ["--county", "Vestland", "--kit", "--out", str(out)])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    pdf, folder = (Path(line) for line in result.stdout.split())
    assert folder == kit_folder(pdf)
    return folder


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "tall.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_kit_has_every_chart_and_map_in_both_formats(vestland: Path) -> None:
    pngs = sorted(p.stem for p in vestland.glob("*.png"))
    assert pngs == sorted(p.stem for p in vestland.glob("*.svg"))
    assert pngs == sorted(p.stem for p in vestland.glob("*.txt"))
    # Vestland's report: the trend and the map of its municipalities (nynorsk titles).
    assert pngs == ["kommunane-i-vestland-etter-netto-driftsresultat-2025",
                    "netto-driftsresultat-2020-2025-prosent"]
    for name in pngs:
        svg = (vestland / f"{name}.svg").read_text("utf-8")
        alt = (vestland / f"{name}.txt").read_text("utf-8").split("\n\n", 1)[1].strip()
        assert "<title>" in svg and "<desc>" in svg
        assert alt and alt[:60] in svg.replace("&#8211;", "–")


def test_pngs_are_twice_the_print_resolution(vestland: Path) -> None:
    # The trend chart: printed 86 % of charts.WIDTH_IN (6,7 in) wide, at 200 dpi × 2.
    with Image.open(vestland / "netto-driftsresultat-2020-2025-prosent.png") as image:
        assert image.width == 2304  # 6,7 × 0,86 × 400 = 2304,8


def test_map_alt_text_names_the_classes_and_the_credit(vestland: Path) -> None:
    text = (vestland / "kommunane-i-vestland-etter-netto-driftsresultat-2025.txt").read_text(
        "utf-8")
    assert "Kart over kommunane i Vestland" in text
    assert "talet per klasse: 4 og over:" in text
    assert "Kart: © Kartverket." in text


def test_every_number_in_the_text_is_in_the_csv(vestland: Path) -> None:
    markdown = (vestland / "tekst.md").read_text("utf-8")
    table = rows(vestland)
    printed = {r["tal"].lstrip("−+") for r in table}
    years = {y for r in table for y in re.findall(r"\d{4}", r["år"])}
    text = LAW.sub(" ", DATE.sub(" ", re.sub(r"!\[.*?\]\(.*?\)", " ", markdown)))
    missing = {n.lstrip("−+-") for n in NUMBER.findall(text)} - printed - years
    assert missing == set()


def test_the_csv_says_where_each_figure_comes_from(vestland: Path) -> None:
    table = rows(vestland)
    assert list(table[0]) == ["tal", "verdi", "eining", "kva", "gjeld", "år", "kjelde", "omfang",
                              "talgrunnlag", "metode", "eksempeldata"]
    fk = next(r for r in table if r["gjeld"] == "Vestland fylkeskommune" and r["år"] == "2025")
    # SSB 13561, 16.3.2026: Vestland fylkeskommune 5,0 % in 2025.
    assert (fk["tal"], fk["verdi"], fk["kjelde"], fk["omfang"], fk["talgrunnlag"],
            fk["eksempeldata"]) == ("5,0", "5.0", "SSB, tabell 13561 (fylkeskommunane)",
                                    "konsern", "førebelse tal 16.3.2026", "nei")
    sample = [r for r in table if r["eksempeldata"] == "ja"]
    assert sample and all("kommunerapport" in r["kjelde"] or "SSB" in r["kjelde"]
                          for r in sample)


def test_the_markdown_has_the_pdfs_words(vestland: Path) -> None:
    from pdfs import full_text

    markdown = (vestland / "tekst.md").read_text("utf-8")
    pdf = full_text(vestland.with_name(vestland.name.removesuffix("-pressepakke") + ".pdf"))
    headline = markdown.splitlines()[0].removeprefix("# ")
    assert headline == "Tilbake i pluss for kommunane i Vestland"
    assert headline in pdf.replace("\u00a0", " ")
    assert markdown.count("**Eksempeldata – ikkje offisielle tal.**") == 1


def test_a_kit_is_replaced_whole_and_leaves_no_temporaries(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    from click.testing import CliRunner

    for _ in range(2):
        result = CliRunner().invoke(main, ["--county", "Vestfold", "--kit", "--out",
                                           str(tmp_path)])
        assert result.exit_code == 0, result.output
    folder = tmp_path / "kommuneokonomi-2025-vestfold-pressepakke"
    (folder / "stale.png").write_bytes(b"")  # from an older run
    CliRunner().invoke(main, ["--county", "Vestfold", "--kit", "--out", str(tmp_path)])
    assert not (folder / "stale.png").exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == [
        ".rapportregister"]


def test_skip_existing_writes_a_missing_kit(tmp_path: Path) -> None:
    first = batch.run_batch(members=["3903"], out_dir=tmp_path, jobs=1)
    assert len(first.written) == 1
    again = batch.run_batch(members=["3903"], out_dir=tmp_path, jobs=1, skip_existing=True,
                            kit=True)
    assert [o.job.number for o in again.written] == ["3903"]
    assert kit_folder(again.written[0].job.target).is_dir()
    third = batch.run_batch(members=["3903"], out_dir=tmp_path, jobs=1, skip_existing=True,
                            kit=True)
    assert [o.job.number for o in third.skipped] == ["3903"]


def test_plain_numbers_for_a_spreadsheet() -> None:
    assert plain_number("−1\u00a0234,5") == "-1234.5"
    assert plain_number("+2,05") == "+2.05"


def test_each_map_class_is_a_row_of_its_own_with_its_label(vestland: Path) -> None:
    # Issue 18: the kit's CSV merged six classes into four rows, without labels, when two
    # classes held the same count. Each class is a fact of its own now.
    classes = [r for r in rows(vestland) if r["kva"].startswith("Einingar i klassen ")]
    labels = [r["kva"].removeprefix("Einingar i klassen ") for r in classes]
    assert labels == ["4 og over", "1,75 til under 4", "0 til under 1,75", "−2 til under 0",
                      "−4 til under −2", "under −4"]
    assert {r["eining"] for r in classes} == {"kommunar"}
    # Vestland's 43 municipalities, each in one class (built-in sample: all have figures).
    assert sum(int(r["tal"]) for r in classes) == 43


def test_the_county_authorities_on_the_country_map_are_counted_as_such(tmp_path: Path,
                                                                        dataset,
                                                                        register) -> None:
    from kommunerapport.model.config import Config
    from kommunerapport.render.kit import facts_csv
    from kommunerapport.reports import sector_report

    report = sector_report(dataset, register, 2025, "nb", Config())
    table = list(csv.DictReader(facts_csv(report.facts, "nb").splitlines()))
    authorities = [r for r in table if r["hva"].startswith("Enheter i klassen")
                   and r["gjelder"] == "Fylkeskommunene"]
    assert len(authorities) == 6 and {r["enhet"] for r in authorities} == {"fylkeskommuner"}
    assert sum(int(r["tall"]) for r in authorities) == 14  # without Oslo
