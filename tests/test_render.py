"""Rendering is safe: only the project's own assets are ever loaded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from kommunerapport.files import asset_dir
from kommunerapport.render import fonts
from kommunerapport.render.context import IMAGE_SCHEME
from kommunerapport.render.html import environment
from kommunerapport.render.pdf import FONT_DIR, ProjectOnlyFetcher, roots

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def fetcher() -> ProjectOnlyFetcher:
    return ProjectOnlyFetcher(roots())


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "file:///etc/../etc/passwd",
    "http://127.0.0.1:9/x.png",
    "https://example.org/logo.png",
    "ftp://example.org/x",
])
def test_fetcher_refuses_anything_outside_the_project(fetcher, url: str) -> None:
    with pytest.raises(ValueError, match="only its own assets"):
        fetcher.fetch(url)


def test_fetcher_refuses_a_path_that_escapes_by_dots(fetcher) -> None:
    escape = asset_dir("styles").as_uri() + "/../../../../../../etc/passwd"
    with pytest.raises(ValueError):
        fetcher.fetch(escape)


def test_fetcher_serves_the_reports_own_pictures_and_no_other() -> None:
    image = b"\x89PNG not read here"
    fetcher = ProjectOnlyFetcher(roots(), {f"{IMAGE_SCHEME}a.png": image})
    response = fetcher.fetch(f"{IMAGE_SCHEME}a.png")
    assert (response.read(), response.content_type) == (image, "image/png")
    with pytest.raises(ValueError, match="only its own assets"):
        fetcher.fetch(f"{IMAGE_SCHEME}b.png")


def test_a_picture_given_by_url_is_in_the_pdf(tmp_path) -> None:
    import io

    import pypdf
    from PIL import Image

    from kommunerapport.render.pdf import write_pdf

    buffer = io.BytesIO()
    Image.new("RGB", (3, 2), (0x1b, 0x36, 0x5d)).save(buffer, format="png", compress_level=0)
    image = buffer.getvalue()
    url = f"{IMAGE_SCHEME}dot.png"
    write_pdf(f'<html lang="nb"><img src="{url}" alt="prikk"></html>', tmp_path / "x.pdf",
              images={url: image})
    page = pypdf.PdfReader(tmp_path / "x.pdf").pages[0]
    [embedded] = page.images
    assert embedded.image.size == (3, 2)
    assert embedded.image.getpixel((0, 0)) == (0x1b, 0x36, 0x5d)


def test_fetcher_serves_data_uris_styles_and_fonts(fetcher) -> None:
    assert fetcher.fetch("data:text/plain;base64,aGVq").read() == b"hej"
    assert b"@page" in fetcher.fetch((asset_dir("styles") / "report.css").as_uri()).read()
    font = fetcher.fetch((FONT_DIR / "SourceSansPro-Regular.ttf").as_uri())
    assert len(font.read()) > 100_000


def test_templates_escape_everything() -> None:
    env = environment()
    html = env.from_string("<p>{{ name }}</p>").render(name='<script>x</script>')
    assert html == "<p>&lt;script&gt;x&lt;/script&gt;</p>"


def test_templates_fail_on_unknown_names() -> None:
    import jinja2

    with pytest.raises(jinja2.UndefinedError):
        environment().from_string("{{ nothing }}").render()


def test_a_users_own_templates_come_first(tmp_path) -> None:
    (tmp_path / "_header.html").write_text("<p>{{ organisation }} Vestfold</p>", "utf-8")
    env = environment(tmp_path)
    assert env.get_template("_header.html").render(organisation="KS") == "<p>KS Vestfold</p>"
    assert env.get_template("_footer.html").filename.startswith(str(asset_dir("templates")))


def test_a_users_stylesheet_replaces_the_projects(tmp_path) -> None:
    from kommunerapport.render.pdf import stylesheet_path

    assert stylesheet_path(tmp_path) == asset_dir("styles") / "report.css"
    (tmp_path / "report.css").write_text("@page { size: A4 }", "utf-8")
    assert stylesheet_path(tmp_path) == tmp_path / "report.css"


def test_a_missing_templates_folder_is_refused(runner) -> None:
    from kommunerapport.cli import main

    result = runner.invoke(main, ["--county", "Vestfold", "--templates", "/nonexistent/x"])
    assert result.exit_code == 2
    assert "'/nonexistent/x' finnes ikke" in result.output


# -- Fonts: the cut set for the reports' own characters, the full set for the rest -------------

def _register_and_language_text() -> str:
    """Every name the register holds and every sentence and label the language module has."""
    from kommunerapport.model.regions import load_register
    from kommunerapport.writing import lang

    register = load_register()
    names = [n for c in register.counties for n in (c.name, c.short_name)]
    names += [n for m in register.municipalities for n in (m.name, m.short_name)]
    names += [e.grounds for e in register.robek]
    words = [t for code in lang.LANGUAGES for t in lang.catalogue(code).values()]
    templates = [p.read_text("utf-8") for p in asset_dir("templates").iterdir()]
    styles = [p.read_text("utf-8") for p in asset_dir("styles").iterdir()]
    return "".join(names + words + templates + styles + list(lang.SAMPLE_NOTICES))


def test_every_character_a_report_can_hold_is_in_the_cut_fonts() -> None:
    # Norwegian, the Sami names (Guovdageaidnu, Kárášjohka, Porsáŋgu …) and Kven forms, the
    # sentences in nb and nn, the templates: all on the fast path.
    assert fonts.beyond_cut(_register_and_language_text()) == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("Kárášjohka – «netto» −1,5 % … ŋ ŧ đ č ž ä ö ï", fonts.CUT),  # Sami and Kven letters
    ("Цитат fra ordføreren", fonts.FULL),  # Cyrillic: only the full font has it
    ("Ơn", fonts.FULL),  # Vietnamese, outside the cut
    ("☃ snømann", fonts.CUT),  # neither has it: a system font draws it either way
])
def test_a_character_only_the_full_font_has_chooses_the_full_font(text: str, expected) -> None:
    assert fonts.choose(text) == expected


def test_the_cut_fonts_draw_what_the_full_ones_draw_of_their_characters() -> None:
    from fontTools.ttLib import TTFont

    for style, _weight, _css in fonts.FACES:
        full = set(TTFont(fonts.FULL.file(style), lazy=True)["cmap"].getBestCmap())
        cut = set(TTFont(fonts.CUT.file(style), lazy=True)["cmap"].getBestCmap())
        assert cut <= full
        only_full = {chr(c) for c in full - cut}
        assert only_full <= set(fonts.beyond_cut("".join(only_full))), style  # coverage.json
        assert {0xE5, 0xF8, 0xE6, 0x10D, 0x111, 0x161, 0x17E, 0xE4, 0xF6, 0x2212} <= cut


def test_the_cut_fonts_do_not_carry_the_reserved_font_name() -> None:
    # OFL 1.1: «Source» is Adobe's Reserved Font Name; a cut font is a Modified Version.
    from fontTools.ttLib import TTFont

    for style, _weight, _css in fonts.FACES:
        names = TTFont(fonts.CUT.file(style), lazy=True)["name"].names
        naming = [r.toUnicode() for r in names if r.nameID not in (0, 7)]  # copyright, ™
        assert not [n for n in naming if "Source" in n], style
        assert any("Kommunerapport Sans" in n for n in naming)
    assert (fonts.CUT_DIR / "OFL.txt").read_text("utf-8").startswith("Copyright 2010")


def test_the_build_script_makes_the_fonts_that_are_shipped(tmp_path: Path) -> None:
    from fontTools.ttLib import TTFont

    subprocess.run([sys.executable, str(ROOT / "scripts" / "build_fonts.py"), "--out",
                    str(tmp_path)], check=True)
    assert (tmp_path / "coverage.json").read_bytes() == fonts.COVERAGE.read_bytes()
    for style, _weight, _css in fonts.FACES:
        built = TTFont(tmp_path / f"KommunerapportSans-{style}.ttf", lazy=True)
        shipped = TTFont(fonts.CUT.file(style), lazy=True)
        assert built.getGlyphOrder() == shipped.getGlyphOrder(), style
        assert built["cmap"].getBestCmap() == shipped["cmap"].getBestCmap(), style


def test_the_glyphs_most_reports_use_come_first() -> None:
    """WeasyPrint keeps every glyph id up to the highest one a report uses (retain_gids):
    a report in plain Norwegian keeps less than half of each face."""
    from fontTools.ttLib import TTFont

    text = "Kommuneøkonomien i Vestland: «Åtte av ti» – 1,75 % … Porsáŋgu, Snåase (ÆØÅ)"
    for style, _weight, _css in fonts.FACES:
        font = TTFont(fonts.CUT.file(style), lazy=True)
        cmap = font.getBestCmap()
        used = {font.getGlyphID(cmap[ord(c)]) for c in text if ord(c) in cmap}
        assert max(used) < len(font.getGlyphOrder()) / 2, style


def test_words_are_never_hyphenated_automatically(tmp_path: Path) -> None:
    """Pyphen's Norwegian patterns break compounds wrongly («prosentpo-eng»): a narrow
    column of long words breaks only between them."""
    import pypdf

    from kommunerapport.render.pdf import write_pdf

    words = "prosentpoeng driftsinntektene disposisjonsfondet fylkeskommunane " * 3
    write_pdf(f'<html lang="nb"><p style="width: 32mm">{words}</p>'
              f'<p lang="nn" style="width: 32mm">{words}</p></html>', tmp_path / "x.pdf")
    lines = pypdf.PdfReader(tmp_path / "x.pdf").pages[0].extract_text().splitlines()
    assert len(lines) >= 20 and not [line for line in lines if line.rstrip().endswith("-")]


def test_a_quote_in_another_script_is_drawn_with_the_full_font(tmp_path: Path) -> None:
    from pdfs import fonts as pdf_fonts
    from pdfs import full_text

    from kommunerapport.batch.single import write_report

    config = tmp_path / "ks.toml"
    config.write_text('organisation = "KS"\n[[county.quotes]]\ntext = "Бюджет в балансе"\n'
                      'name = "Ơn Nguyễn"\nrole = "ordfører"\n', "utf-8")
    pdf = write_report("Vestfold", 2025, None, None, tmp_path, config).path
    text = full_text(pdf)
    assert "Бюджет в балансе" in text and "Ơn Nguyễn" in text
    assert all("Source-Sans-Pro" in name for name, _ in pdf_fonts(pdf))  # no system fallback


def test_the_slow_subsetter_is_named_once_per_machine_with_the_way_out(
        monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(fonts, "harfbuzz_subsetter", lambda: False)
    monkeypatch.setattr(fonts, "SAID", set())
    fonts.note_slow_paths("Vestfold")
    fonts.note_slow_paths("Vestfold")
    assert capsys.readouterr().err == fonts.SLOW_SUBSETTER + "\n"
    assert "apt-get install libharfbuzz-subset0" in fonts.SLOW_SUBSETTER
    assert (tmp_path / "cache" / fonts.MARKER).is_file()
    monkeypatch.setattr(fonts, "SAID", set())  # the next run on this machine: not again
    fonts.note_slow_paths("Vestfold")
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(fonts, "SAID", set())
    monkeypatch.setattr(fonts, "VERBOSE", True)  # --verbose: every time
    fonts.note_slow_paths("Vestfold")
    assert capsys.readouterr().err == fonts.SLOW_SUBSETTER + "\n"


def test_verbose_on_the_command_line_says_the_speed_note_again(monkeypatch, tmp_path) -> None:
    from click.testing import CliRunner

    from kommunerapport.cli import main

    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772755200")
    monkeypatch.setattr(fonts, "harfbuzz_subsetter", lambda: False)
    monkeypatch.setattr(fonts, "VERBOSE", False)
    counts = []
    for extra in ([], [], ["--verbose"]):
        monkeypatch.setattr(fonts, "SAID", set())  # each run a process of its own
        result = CliRunner().invoke(main, ["--sector", "--force", "--out", str(tmp_path),
                                           *extra])
        assert result.exit_code == 0, result.output
        counts.append(result.stderr.count(fonts.SLOW_SUBSETTER))
    assert counts == [1, 0, 1]


def test_the_full_font_fallback_is_named_once(monkeypatch, capsys) -> None:
    monkeypatch.setattr(fonts, "harfbuzz_subsetter", lambda: False)
    monkeypatch.setattr(fonts, "SAID", {"subsetter"})
    fonts.note_slow_paths("Бюджет")
    fonts.note_slow_paths("Бюджет")
    assert capsys.readouterr().err == (
        "Merk: teksten har tegn som bare hele skriften har («Б» U+0411 «д» U+0434 «е» U+0435 "
        "«ж» U+0436 «т» U+0442 …), så den bygges inn i stedet for utvalget, og det tar lengre "
        "tid uten libharfbuzz-subset0.\n")  # six letters, the first five shown


def test_with_harfbuzz_nothing_is_said(monkeypatch, capsys) -> None:
    monkeypatch.setattr(fonts, "harfbuzz_subsetter", lambda: True)
    monkeypatch.setattr(fonts, "SAID", set())
    fonts.note_slow_paths("Бюджет")
    assert capsys.readouterr().err == ""


def test_one_jinja_environment_per_folder() -> None:
    assert environment() is environment()
    assert environment(Path("mine")) is environment(Path("mine").absolute())


def test_fonttools_reads_no_layout_table_it_drops_and_writes_the_same_bytes(monkeypatch) -> None:
    # fontTools 4.68 decompiles GSUB and GPOS before dropping them (WeasyPrint drops both).
    import io

    from fontTools import subset
    from fontTools.ttLib import TTFont

    def cut(gids: list[int]) -> tuple[bytes, set[str]]:
        options = subset.Options(retain_gids=True, passthrough_tables=True, hinting=False,
                                 ignore_missing_glyphs=True, desubroutinize=True)
        options.drop_tables += ["GSUB", "GPOS", "SVG"]  # as weasyprint.pdf.fonts does
        font = TTFont(io.BytesIO(fonts.CUT.file("Regular").read_bytes()),
                      recalcTimestamp=False)  # the same bytes, not the same second
        read = set()
        real = font.__class__.__getitem__
        monkeypatch.setattr(font.__class__, "__getitem__",
                            lambda self, tag: read.add(tag) or real(self, tag))
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=gids)
        subsetter.subset(font)
        monkeypatch.setattr(font.__class__, "__getitem__", real)
        out = io.BytesIO()
        font.save(out)
        return out.getvalue(), read

    gids = list(range(1, 80))
    unpatched = getattr(subset.Subsetter.subset, "__wrapped__", subset.Subsetter.subset)
    monkeypatch.setattr(subset.Subsetter, "subset", unpatched)  # as installed; undone after
    before, _ = cut(gids)
    fonts.drop_layout_before_subsetting()
    fonts.drop_layout_before_subsetting()  # once is enough; twice does not wrap twice
    after, read = cut(gids)
    assert after == before
    assert not {"GSUB", "GPOS"} & read


def test_a_pdf_leaves_no_chart_behind_in_urllibs_cache(tmp_path: Path) -> None:
    # urlsplit keeps its last 128 URLs; a chart is a 50-100 KB data: URI, so a batch worker
    # grew by some 20 MB until that cache was full. Memory must not grow with the reports.
    import base64
    import io
    from urllib.parse import urlsplit

    from PIL import Image

    from kommunerapport.render.pdf import write_pdf

    if not hasattr(urlsplit, "cache_info"):
        pytest.skip("urlsplit has no cache before Python 3.11")
    png = io.BytesIO()
    Image.new("RGBA", (2, 2), "#1b365d").save(png, format="PNG")
    pixel = base64.b64encode(png.getvalue()).decode()
    write_pdf(f'<html lang="nb"><img src="data:image/png;base64,{pixel}" alt="prikk"></html>',
              tmp_path / "x.pdf")
    assert (tmp_path / "x.pdf").read_bytes()[:5] == b"%PDF-"
    assert urlsplit.cache_info().currsize == 0
