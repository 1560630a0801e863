"""HTML from Jinja2 templates, PDF from WeasyPrint: safe, tagged and reproducible.

- Jinja2 with autoescape and StrictUndefined: names and quotes are text, and a
  template that asks for something the context lacks fails loudly.
- A URL fetcher that serves only the project's own templates, styles and font
  files, ``data:`` URIs and the report's own pictures (``charts.Chart.image``);
  anything else (``file:///etc/passwd``, http, a redirect) is refused, so
  nothing outside the project can enter a PDF.
- PDF/UA-1 (tagged, with language, title and alt texts), no presentational hints.
- One Jinja environment per process (templates compiled once), and the
  stylesheet and fonts parsed once per process; ``warm_up`` lays out a page in
  a batch's parent so forked workers inherit the fonts.
- The fonts cut to the reports' characters (``fonts``), unless the text has a
  character only the full font has.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse, urlsplit

import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from kommunerapport.errors import TemplateError
from kommunerapport.pictures.charts import IMAGE_SCHEME
from kommunerapport.render import fonts
from kommunerapport.render.context import ReportContext

PACKAGE_DIR = Path(__file__).resolve().parents[1]
FONT_DIR = fonts.FULL_DIR
PDF_VARIANT = "pdf/ua-1"


def asset_dir(name: str) -> Path:
    """``templates`` or ``styles``: inside the installed package, else the source tree."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent.parent / name


class ProjectOnlyFetcher(URLFetcher):
    """Fetch ``data:`` URIs, files under the project's own asset folders and the report's
    own pictures (``images``: URL → bytes); refuse the rest."""

    def __init__(self, roots: tuple[Path, ...], images: Mapping[str, bytes] | None = None,
                 ) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)
        self.images = images or {}

    def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201
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


def _absolute(templates_dir: Path | None) -> Path | None:
    """A relative ``--templates mine`` made absolute: file URIs cannot be relative."""
    return templates_dir.absolute() if templates_dir else None


def roots(templates_dir: Path | None = None) -> tuple[Path, ...]:
    own = (asset_dir("templates"), asset_dir("styles"), fonts.CUT_DIR, fonts.FULL_DIR)
    return ((_absolute(templates_dir),) if templates_dir else ()) + own


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Templates from the user's folder first (if given), then the project's; one per folder."""
    return _environment(_absolute(templates_dir))


@lru_cache(maxsize=8)
def _environment(templates_dir: Path | None) -> jinja2.Environment:
    folders = [str(p) for p in (templates_dir, asset_dir("templates")) if p]
    # The context carries finished Norwegian text and numbers (report.py), so the
    # templates need no filters of their own.
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def stylesheet_path(templates_dir: Path | None = None) -> Path:
    """The user's ``report.css`` if their folder has one, else the project's."""
    templates_dir = _absolute(templates_dir)
    if templates_dir and (templates_dir / "report.css").is_file():
        return templates_dir / "report.css"
    return asset_dir("styles") / "report.css"


def render_html(context: ReportContext, template: str = "report.html",
                templates_dir: Path | None = None) -> str:
    try:
        return environment(templates_dir).get_template(template).render(context.as_dict())
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"Fant ikke malen «{exc.name}».") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"Malen {template} bruker noe rapporten ikke har: {exc.message}.") \
            from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename}, linje {exc.lineno}: {exc.message}.") from None


@lru_cache(maxsize=8)
def _styles(css_path: Path, root_key: tuple[Path, ...],
            font_set: fonts.FontSet = fonts.CUT) -> tuple[list[CSS], FontConfiguration, str]:
    """The parsed stylesheet with its fonts, and its text (the characters it may draw)."""
    font_config = FontConfiguration()
    fetcher = ProjectOnlyFetcher(root_key)
    faces = CSS(string=font_set.face_css(), font_config=font_config, url_fetcher=fetcher,
                base_url=css_path.parent.as_uri() + "/")
    css = CSS(filename=str(css_path), font_config=font_config, url_fetcher=fetcher)
    return [faces, css], font_config, css_path.read_text(encoding="utf-8", errors="replace")


def write_pdf(html: str, target: Path, templates_dir: Path | None = None,
              images: Mapping[str, bytes] | None = None) -> int:
    """Lay out ``html``, write a tagged PDF/UA-1 file to ``target``; the number of pages.

    ``images``: the pictures the HTML names by URL (``ReportContext.images``).
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
