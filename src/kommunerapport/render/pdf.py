"""The PDF from the report's HTML, by WeasyPrint: safe, tagged and reproducible.

- A URL fetcher that serves only the project's own templates, styles and font
  files, ``data:`` URIs and the report's own pictures (``pictures``);
  anything else (``file:///etc/passwd``, http, a redirect) is refused, so
  nothing outside the project can enter a PDF.
- PDF/UA-1 (tagged, with language, title and alt texts), no presentational hints.
- The stylesheet and fonts parsed once per process; ``warm_up`` lays out a page in
  a batch's parent so forked workers inherit the fonts.
- The fonts cut to the reports' characters (``fonts``), unless the text has a
  character only the full font has.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kommunerapport.files import asset_dir
from kommunerapport.render import fonts
from kommunerapport.render.context import IMAGE_SCHEME, ReportContext
from kommunerapport.render.html import absolute, environment, read_asset

FONT_DIR = fonts.FULL_DIR
PDF_VARIANT = "pdf/ua-1"


class ProjectOnlyFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint has no types
    """Fetch ``data:`` URIs, files under the project's own asset folders and the report's
    own pictures (``images``: URL → bytes); refuse the rest."""

    def __init__(self, roots: tuple[Path, ...], images: Mapping[str, bytes] | None = None,
                 ) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.images = images or {}

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith(IMAGE_SCHEME) and url in self.images:
            return URLFetcherResponse(url, self.images[url],
                                      {"Content-Type": "image/png"})
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"kommunerapport loads only its own assets, not {url[:80]}")


def roots(templates_dir: Path | None = None) -> tuple[Path, ...]:
    own = (asset_dir("templates"), asset_dir("styles"), fonts.CUT_DIR, fonts.FULL_DIR)
    return ((templates_dir.absolute(),) if templates_dir else ()) + own  # as ``absolute``


def stylesheet_path(templates_dir: Path | None = None) -> Path:
    """The user's ``report.css`` if their folder has one, else the project's."""
    templates_dir = absolute(templates_dir)
    if templates_dir and os.path.lexists(templates_dir / "report.css"):
        return templates_dir / "report.css"
    return asset_dir("styles") / "report.css"


@lru_cache(maxsize=8)
def _styles(css_path: Path, root_key: tuple[Path, ...],
            font_set: fonts.FontSet = fonts.CUT) -> tuple[list[CSS], FontConfiguration, str]:
    """The parsed stylesheet with its fonts, and its text (the characters it may draw)."""
    font_config = FontConfiguration()
    fetcher = ProjectOnlyFetcher(root_key)
    faces = CSS(string=font_set.face_css(), font_config=font_config, url_fetcher=fetcher,
                base_url=css_path.parent.as_uri() + "/")
    text = read_asset(css_path)  # a regular file only: not a link, not a FIFO
    css = CSS(string=text, font_config=font_config, url_fetcher=fetcher,
              base_url=css_path.as_uri())
    return [faces, css], font_config, text


def pictures(context: ReportContext) -> dict[str, bytes]:
    """Draw the report's charts and maps for the PDF: URL (``Chart.src``) → stored PNG."""
    return {chart.src: chart.drawing.pdf_image() for chart in context.charts}


def write_pdf(html: str, target: Path, templates_dir: Path | None = None,
              images: Mapping[str, bytes] | None = None) -> int:
    """Lay out ``html``, write a tagged PDF/UA-1 file to ``target``; the number of pages.

    ``images``: the pictures the HTML names by URL (``pictures``).
    """
    allowed = roots(templates_dir)
    css_path = stylesheet_path(templates_dir)
    css_text = _styles(css_path, allowed)[2]
    fonts.prepare(html + css_text)
    css, font_config, _ = _styles(css_path, allowed, fonts.choose(html + css_text))
    document = HTML(string=html, base_url=asset_dir("templates").as_uri() + "/",
                    url_fetcher=ProjectOnlyFetcher(allowed, images))
    try:
        rendered = document.render(stylesheets=css, font_config=font_config,
                                   pdf_variant=PDF_VARIANT, presentational_hints=False)
        rendered.write_pdf(target, pdf_variant=PDF_VARIANT)
    finally:
        _forget_charts()
    return len(rendered.pages)


def _forget_charts() -> None:
    """Empty ``urllib.parse.urlsplit``'s cache (Python 3.11+: the last 128 URLs).

    WeasyPrint splits every URL it meets, and a user's template may carry a
    ``data:`` URI of 50 to 100 KB, so a batch worker would keep those of its last
    128 reports and grow until the cache is full.
    """
    clear = getattr(urlsplit, "cache_clear", None)
    if clear is not None:
        clear()


# A page with each face, for ``warm_up``.
_WARM_UP = """<html lang="nb"><body>
<p>Kommuneøkonomien netto driftsresultat disposisjonsfondet
<b>fylkeskommunene</b> <i>prosentpoeng</i> <span style="font-weight: 600">Vestfold</span></p>
<p lang="nn">Kommuneøkonomien netto driftsresultat disposisjonsfondet fylkeskommunane</p>
</body></html>"""


def warm_up(templates_dir: Path | None = None) -> None:
    """Load what every report needs before a batch forks its workers.

    The templates are compiled, the stylesheet parsed and the fonts read by Pango (and
    the hyphenation dictionaries loaded, if a user's stylesheet hyphenates) once in the
    parent; each worker inherits them instead of loading them again.
    """
    env = environment(templates_dir)
    for name in env.list_templates(extensions=["html"]):
        # A broken template is reported with the first report that uses it.
        with contextlib.suppress(jinja2.TemplateError):
            env.get_template(name)
    allowed = roots(templates_dir)
    css, font_config, _ = _styles(stylesheet_path(templates_dir), allowed)
    HTML(string=_WARM_UP, url_fetcher=ProjectOnlyFetcher(allowed)).render(
        stylesheets=css, font_config=font_config, presentational_hints=False)


def quiet_fonttools() -> None:
    """fontTools logs every subset operation at INFO; keep the console clean."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)


quiet_fonttools()
