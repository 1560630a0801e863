"""HTML from the Jinja2 templates: the report context in, the page's markup out.

Jinja2 with autoescape and StrictUndefined: names and quotes are text, and a
template that asks for something the context lacks fails loudly. One environment
per templates folder and process (templates compiled once). The context carries
finished Norwegian text and numbers, so the templates need no filters of their own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from kommunerapport.errors import TemplateError
from kommunerapport.files import asset_dir
from kommunerapport.render.context import ReportContext


def absolute(templates_dir: Path | None) -> Path | None:
    """A relative ``--templates mine`` made absolute: file URIs cannot be relative."""
    return templates_dir.absolute() if templates_dir else None


def environment(templates_dir: Path | None = None) -> jinja2.Environment:
    """Templates from the user's folder first (if given), then the project's; one per folder."""
    return _environment(absolute(templates_dir))


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
