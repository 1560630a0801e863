"""Rendering is safe: only the project's own assets are ever loaded."""

from __future__ import annotations

import pytest

from kommunerapport.render import FONT_DIR, ProjectOnlyFetcher, asset_dir, environment, roots


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
    from kommunerapport.render import stylesheet_path

    assert stylesheet_path(tmp_path) == asset_dir("styles") / "report.css"
    (tmp_path / "report.css").write_text("@page { size: A4 }", "utf-8")
    assert stylesheet_path(tmp_path) == tmp_path / "report.css"


def test_a_missing_templates_folder_is_refused(runner) -> None:
    from kommunerapport.cli import main

    result = runner.invoke(main, ["--county", "Vestfold", "--templates", "/nonexistent/x"])
    assert result.exit_code == 2
    assert "'/nonexistent/x' does not exist" in result.output
