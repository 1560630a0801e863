"""HTML from Jinja2 templates, PDF from WeasyPrint: safe, tagged and reproducible.

- Jinja2 with autoescape and StrictUndefined: names and quotes are text, and a
  template that asks for something the context lacks fails loudly.
- A URL fetcher that serves only the project's own templates, styles and font
  files and ``data:`` URIs; anything else (``file:///etc/passwd``, http, a
  redirect) is refused, so nothing outside the project can enter a PDF.
- PDF/UA-1 (tagged, with language, title and alt texts), no presentational hints.
- The stylesheet and fonts are parsed once per process and reused.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlparse

import font_source_sans_pro
import jinja2
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from kommunerapport.context import ReportContext
from kommunerapport.errors import TemplateError

PACKAGE_DIR = Path(__file__).resolve().parent
FONT_DIR = Path(font_source_sans_pro.font_directory).resolve()
PDF_VARIANT = "pdf/ua-1"


def asset_dir(name: str) -> Path:
    """``templates`` or ``styles``: inside the installed package, else the source tree."""
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent.parent / name


class ProjectOnlyFetcher(URLFetcher):
    """Fetch ``data:`` URIs and files under the project's own asset folders; refuse the rest."""

    def __init__(self, roots: tuple[Path, ...]) -> None:
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False)
        self.roots = tuple(r.resolve() for r in roots)

    def fetch(self, url: str, headers: dict | None = None):  # noqa: ANN201
        parsed = urlparse(url)
        if parsed.scheme == "data":
            return super().fetch(url, headers)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if any(path.is_relative_to(root) for root in self.roots) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"kommunerapport loads only its own assets, not {url[:80]}")


def roots(templates_dir: Path | None = None) -> tuple[Path, ...]:
    own = (asset_dir("templates"), asset_dir("styles"), FONT_DIR)
    return ((templates_dir,) if templates_dir else ()) + own


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Templates from the user's folder first (if given), then the project's."""
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
    if templates_dir and (templates_dir / "report.css").is_file():
        return templates_dir / "report.css"
    return asset_dir("styles") / "report.css"


FONT_FACES = (
    ("SourceSansPro-Regular.ttf", 400, "normal"),
    ("SourceSansPro-It.ttf", 400, "italic"),
    ("SourceSansPro-Semibold.ttf", 600, "normal"),
    ("SourceSansPro-Bold.ttf", 700, "normal"),
)


def font_face_css() -> str:
    """@font-face rules for the shipped font; its folder is known only at run time."""
    return "\n".join(
        f'@font-face {{ font-family: "Source Sans Pro"; src: url("{(FONT_DIR / name).as_uri()}"); '
        f"font-weight: {weight}; font-style: {style}; }}"
        for name, weight, style in FONT_FACES)


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


@lru_cache(maxsize=4)
def _styles(css_path: Path, root_key: tuple[Path, ...]) -> tuple[list[CSS], FontConfiguration]:
    fonts = FontConfiguration()
    fetcher = ProjectOnlyFetcher(root_key)
    faces = CSS(string=font_face_css(), font_config=fonts, url_fetcher=fetcher,
                base_url=css_path.parent.as_uri() + "/")
    css = CSS(filename=str(css_path), font_config=fonts, url_fetcher=fetcher)
    return [faces, css], fonts


def write_pdf(html: str, target: Path, templates_dir: Path | None = None) -> int:
    """Lay out ``html``, write a tagged PDF/UA-1 file to ``target``; the number of pages."""
    allowed = roots(templates_dir)
    css, fonts = _styles(stylesheet_path(templates_dir), allowed)
    document = HTML(string=html, base_url=asset_dir("templates").as_uri() + "/",
                    url_fetcher=ProjectOnlyFetcher(allowed)).render(
        stylesheets=css, font_config=fonts, pdf_variant=PDF_VARIANT,
        presentational_hints=False)
    document.write_pdf(target, pdf_variant=PDF_VARIANT)
    return len(document.pages)


def quiet_fonttools() -> None:
    """fontTools logs every subset operation at INFO; keep the console clean."""
    logging.getLogger("fontTools").setLevel(logging.WARNING)


quiet_fonttools()
