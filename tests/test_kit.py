"""The press kit: charts and maps as files, the text as Markdown, every number as CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from PIL import Image

from kommunerapport.batch import run as batch
from kommunerapport.cli import main
from kommunerapport.render.kit import kit_folder
from kommunerapport.render.kit_table import plain_number

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


def rows(folder: Path, name: str = "tall.csv") -> list[dict[str, str]]:
    """The CSV as Norwegian Excel reads it: a byte-order mark, then «;» between cells."""
    raw = (folder / name).read_bytes()
    if name == "tall.csv":
        assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
        return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""),
                                   delimiter=";"))
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))


def svg_texts(path: Path) -> list[str]:
    """Every <text> of an SVG: the words kept as text, not drawn as outlines."""
    root = ElementTree.fromstring(path.read_bytes())
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_the_kit_has_every_chart_and_map_in_both_formats(vestland: Path) -> None:
    pngs = sorted(p.stem for p in vestland.glob("*.png"))
    assert pngs == sorted(p.stem for p in vestland.glob("*.svg"))
    assert pngs == sorted(p.stem for p in vestland.glob("*.txt"))
    # Vestland's report: the trend and the map of its municipalities (nynorsk titles).
    assert pngs == ["kommunane-i-vestland-etter-netto-driftsresultat-2025",
                    "netto-driftsresultat-2020-2025-prosent"]
    for name in pngs:
        svg = (vestland / f"{name}.svg").read_text("utf-8")
        alt = (vestland / f"{name}.txt").read_text("utf-8").split("\n\n", 1)[1].split("\n")[0]
        assert "<title>" in svg and "<desc>" in svg
        assert alt and alt[:60] in svg.replace("&#8211;", "–")


def test_every_picture_carries_its_title_unit_source_and_marks(vestland: Path) -> None:
    # A web editor publishes a picture on its own: it must say what it is, in what unit,
    # from where, and that it is sample data and a draft, in the report's written form.
    trend = vestland / "netto-driftsresultat-2020-2025-prosent"
    words = {"Netto driftsresultat 2020–2025, prosent", "Prosent av brutto driftsinntekter",
             "Kjelde: Eksempeldata (kommunerapport); SSB, tabell 12134 (nøkkeltal)",
             "UTKAST  ·  Eksempeldata – ikkje offisielle tal"}
    assert words <= set(svg_texts(trend.with_suffix(".svg")))
    map_svg = vestland / "kommunane-i-vestland-etter-netto-driftsresultat-2025.svg"
    assert {"Kommunane i Vestland etter netto driftsresultat 2025",
            "Kjelde: Eksempeldata (kommunerapport)", "Kart: © Kartverket",
            "UTKAST  ·  Eksempeldata – ikkje offisielle tal"} <= set(svg_texts(map_svg))
    # Text, in the report's font: not outlines (matplotlib's default draws glyphs as paths).
    svg = trend.with_suffix(".svg").read_text("utf-8")
    assert "font-family: 'Source Sans Pro'" in svg
    with Image.open(trend.with_suffix(".png")) as image:  # the PNG's own text chunks
        assert image.text["Title"] == "Netto driftsresultat 2020–2025, prosent"
        assert image.text["Source"].startswith("Kjelde: Eksempeldata")
        assert image.text["Description"].startswith("Linjediagram over netto driftsresultat")


def test_the_map_names_the_municipalities_where_they_fit(vestland: Path, register) -> None:
    texts = set(svg_texts(vestland / "kommunane-i-vestland-etter-netto-driftsresultat-2025"
                                     ".svg"))
    vestland_names = {m.short_name for m in register.in_county("46")}
    named = texts & vestland_names
    assert len(named) >= 5  # the larger ones: Voss, Luster, Sunnfjord …
    assert "Voss" in named
    # Only names that fit: not all 43, and never two on top of each other (checked by
    # the drawing; here: fewer names than municipalities).
    assert len(named) < len(vestland_names)


def test_pngs_are_twice_the_print_resolution(vestland: Path) -> None:
    # Charts are drawn at 200 dpi as printed at 86 % of the column (172 dpi): twice that.
    with Image.open(vestland / "netto-driftsresultat-2020-2025-prosent.png") as image:
        assert round(image.info["dpi"][0]) == 344


def test_map_alt_text_names_the_classes_and_the_credit(vestland: Path) -> None:
    text = (vestland / "kommunane-i-vestland-etter-netto-driftsresultat-2025.txt").read_text(
        "utf-8")
    assert "Kart over kommunane i Vestland" in text
    assert "talet per klasse: 4 og over:" in text
    assert "Kart: © Kartverket." in text
    assert "Kjelde: Eksempeldata (kommunerapport)" in text


def test_every_number_in_the_text_is_in_the_csv(vestland: Path) -> None:
    markdown = (vestland / "tekst.md").read_text("utf-8")
    table = rows(vestland)
    printed = {r["tal"].lstrip("−+") for r in table}
    years = {y for r in table for y in re.findall(r"\d{4}", r["år"])}
    # The release's sentences and key figures (the tables' ranks are places, not figures;
    # «Om tala» names tables and years).
    body = "\n".join(line for line in markdown.split("\n## Om tala\n")[0].splitlines()
                     if not line.startswith("|"))
    text = LAW.sub(" ", DATE.sub(" ", re.sub(r"!\[.*?\]\(.*?\)", " ", body)))
    missing = {n.lstrip("−+-") for n in NUMBER.findall(text)} - printed - years
    assert missing == set()


def test_the_csv_says_where_each_figure_comes_from(vestland: Path) -> None:
    table = rows(vestland)
    assert list(table[0]) == ["tal", "verdi", "eining", "kva", "gjeld", "år", "kjelde", "omfang",
                              "talgrunnlag", "metode", "eksempeldata"]
    fk = next(r for r in table if r["gjeld"] == "Vestland fylkeskommune" and r["år"] == "2025")
    # SSB 13561, 16.3.2026: Vestland fylkeskommune 5,0 % in 2025; Norwegian Excel reads
    # «5,0» in the value column as the number 5.
    assert (fk["tal"], fk["verdi"], fk["kjelde"], fk["omfang"], fk["talgrunnlag"],
            fk["eksempeldata"]) == ("5,0", "5,0", "SSB, tabell 13561 (fylkeskommunane)",
                                    "konsern", "førebelse tal 16.3.2026", "nei")
    sample = [r for r in table if r["eksempeldata"] == "ja"]
    assert sample and all("kommunerapport" in r["kjelde"] or "SSB" in r["kjelde"]
                          for r in sample)


def test_the_machine_readable_csv_has_the_same_rows_with_decimal_points(vestland: Path) -> None:
    excel, plain = rows(vestland), rows(vestland, "tall-maskinlesbar.csv")
    assert not (vestland / "tall-maskinlesbar.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert len(excel) == len(plain) > 50
    for a, b in zip(excel, plain, strict=True):
        assert {k: v for k, v in a.items() if k != "verdi"} == {
            k: v for k, v in b.items() if k != "verdi"}
        assert a["verdi"].replace(",", ".") == b["verdi"]
    assert any(float(r["verdi"]) < 0 for r in plain if r["verdi"][1:2].isdigit())


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
    folder = tmp_path / "fylker" / "kommuneokonomi-2025-vestfold-pressepakke"
    (folder / "stale.png").write_bytes(b"")  # from an older run
    CliRunner().invoke(main, ["--county", "Vestfold", "--kit", "--out", str(tmp_path)])
    assert not (folder / "stale.png").exists()
    assert sorted(p.name for p in folder.parent.iterdir() if p.name.startswith(".")) == [
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
    assert plain_number("−1\u00a0234,5", decimal=",") == "-1234,5"


# -- A kit with the user's own words, some of them hostile ----------------------------------

HOSTILE_QUOTE = ('Se <img src=x onerror=alert(1)> og [klikk her](javascript:alert(1)) '
                 '*fet* _kursiv_ <script>alert(2)</script> | # 1. punkt')
CONFIG = f"""
organisation = "KS"
about = "KS er kommunesektorens organisasjon. <b>Alle</b> er medlemmer."
[[county.quotes]]
text = "{HOSTILE_QUOTE}"
name = "Kari Nordmann"
role = "fylkesleder i KS Vestfold"
[[county.contacts]]
name = "Ola Nordmann"
role = "rådgiver"
email = "ola@example.org"
"""


@pytest.fixture(scope="module")
def vestfold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kommunerapport --county Vestfold --kit --config ks.toml` with quotes and contacts."""
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("kit-config")
    (out / "ks.toml").write_text(CONFIG, "utf-8")
    mp = pytest.MonkeyPatch()
    mp.setenv("SOURCE_DATE_EPOCH", EPOCH)
    try:
        result = CliRunner().invoke(main, ["--county", "Vestfold", "--kit", "--out", str(out),
                                           "--config", str(out / "ks.toml")])
    finally:
        mp.undo()
    assert result.exit_code == 0, result.output
    return Path(result.stdout.split()[1])


def test_the_markdown_holds_the_whole_press_release(vestfold: Path) -> None:
    text = (vestfold / "tekst.md").read_text("utf-8")
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings[0] == "# Bedre resultat for kommunene i Vestfold"
    assert {"## Nøkkeltall", "## Sitater", "## Om tallene", "## Kontakt", "## Om KS"} <= set(
        headings)
    assert "*6.3.2026 \\| KS \\| Pressemelding*" in text  # the dateline
    assert "**UTKAST: Utkast – ikke godkjent for publisering**" in text
    assert "**Kommunene i Vestfold fikk samlet et netto driftsresultat på 3,5 prosent" in text
    assert "- **Ola Nordmann**, rådgiver, ola@example.org" in text
    assert "| Plass | Kommune | 2025 | 2024 | Fond 2025 | ROBEK |" in text  # the table
    assert "| 1 | Tønsberg | 12,0 | 2,9 | 19,5 |   |" in text
    assert "**Nøkkelord:**" in text


def test_the_markdown_carries_no_html_or_links_from_the_users_words(vestfold: Path) -> None:
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render((vestfold / "tekst.md").read_text("utf-8"))
    assert "<img src=x" not in html and "<script>" not in html and "<b>" not in html
    assert 'href="javascript' not in html
    assert html.count("<img ") == 2  # only the kit's own pictures
    # The quote reads as it was written, every character shown, none acted on.
    assert ("– Se &lt;img src=x onerror=alert(1)&gt; og [klikk her](javascript:alert(1)) "
            "*fet* _kursiv_ &lt;script&gt;alert(2)&lt;/script&gt; | # 1. punkt, sier "
            "fylkesleder i KS Vestfold, Kari Nordmann.") in html
    assert "KS er kommunesektorens organisasjon. &lt;b&gt;Alle&lt;/b&gt; er medlemmer." in html


def test_the_word_document_opens_with_headings_table_and_alt_texts(vestfold: Path) -> None:
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(str(vestfold / "tekst.docx"))
    headings = [(p.style.name, p.text) for p in doc.paragraphs
                if p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", "Bedre resultat for kommunene i Vestfold")
    assert ("Heading 2", "Sitater") in headings and ("Heading 2", "Om KS") in headings
    assert doc.paragraphs[0].text == "UTKAST: Utkast – ikke godkjent for publisering"
    assert doc.sections[0].header.paragraphs[0].text == "UTKAST"
    table = next(t for t in doc.tables if t.rows[0].cells[1].text == "Kommune")
    assert [c.text for c in table.rows[1].cells] == ["1", "Tønsberg", "12,0", "2,9", "19,5", ""]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert len(alts) == 2 and all(alt and len(alt) > 40 for alt in alts)  # trend and map
    quote = next(p for p in doc.paragraphs if p.style.name == "Quote")
    assert quote.text.startswith("– Se <img src=x onerror=alert(1)>")  # text, as written
    assert doc.core_properties.language == "nb-NO"
    assert doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val") == [
        "nb-NO"]
    assert doc.core_properties.title == "Bedre resultat for kommunene i Vestfold"


# -- tall.csv: formula injection (issue 20.4) -------------------------------------------------

def test_csv_cells_that_would_be_formulas_stay_text_and_numbers_stay_numbers() -> None:
    from kommunerapport.render.kit_table import excel_csv, plain_csv
    from kommunerapport.writing.facts import Fact

    hostile = Fact('=HYPERLINK("http://x","klikk")', "+SUM(1;2)", "2025", "−1,9", "-2+3",
                   "enhet", source="@SUM(A1)|' /C calc'!A0", release="\t=1+2",
                   scope="konsern")
    plus = Fact("Vestfold", "Endring", "2024–2025", "+0,4", "prosentpoeng", "endring")
    for data, sep, decimal, decode in ((excel_csv((hostile, plus), "nb"), ";", ",",
                                        "utf-8-sig"),
                                       (plain_csv((hostile, plus), "nb"), ",", ".", "utf-8")):
        table = list(csv.reader(io.StringIO(data.decode(decode), newline=""), delimiter=sep))
        row, other = table[1], table[2]
        assert row[4] == "'=HYPERLINK(\"http://x\",\"klikk\")"  # gjelder
        assert row[3] == "'+SUM(1;2)"  # hva
        assert row[2] == "'-2+3"  # enhet
        assert row[6] == "'@SUM(A1)|' /C calc'!A0"  # kilde
        assert row[8].startswith("'\t=1+2")  # tallgrunnlag (its date unknown)
        assert (row[0], row[1]) == ("−1,9", f"-1{decimal}9")  # numbers: never prefixed
        assert (other[0], other[1]) == ("+0,4", f"+0{decimal}4")
        assert not any(cell.startswith(("=", "+", "@", "\t")) and not cell[1:2].isdigit()
                       for r in table for cell in r)


def test_a_picture_is_marked_for_sample_data_and_drafts_only(dataset, register) -> None:
    import dataclasses

    from kommunerapport.model.config import Config
    from kommunerapport.render.kit import caption
    from kommunerapport.reports import member_report

    # Vestfold fylkeskommune's figures are SSB 13561's own; Kinn's are sample data.
    real = member_report(dataset, register, "39", 2025, None, Config())
    sample = member_report(dataset, register, "4602", 2025, None, Config())
    assert not real.context.sample and sample.context.sample
    for report, draft, marks in (
            (real, True, ("UTKAST",)), (real, False, ()),
            (sample, True, ("UTKAST", "Eksempeldata – ikkje offisielle tal")),
            (sample, False, ("Eksempeldata – ikkje offisielle tal",))):
        context = dataclasses.replace(report.context, draft=draft)
        for chart in context.charts:
            words = caption(context, chart, report.facts)
            assert words.marks == marks
            assert words.title == chart.title and words.unit == chart.unit
            assert words.source.startswith(("Kilde: SSB", "Kjelde: SSB", "Kjelde: Eksempel"))


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
    from kommunerapport.render.kit_table import plain_csv
    from kommunerapport.reports import sector_report

    report = sector_report(dataset, register, 2025, "nb", Config())
    table = list(csv.DictReader(plain_csv(report.facts, "nb").decode("utf-8").splitlines()))
    authorities = [r for r in table if r["hva"].startswith("Enheter i klassen")
                   and r["gjelder"] == "Fylkeskommunene"]
    assert len(authorities) == 6 and {r["enhet"] for r in authorities} == {"fylkeskommuner"}
    assert sum(int(r["tall"]) for r in authorities) == 14  # without Oslo
