"""HTML from the Jinja2 templates: the report context in, the page's markup out.

Jinja2 with autoescape and StrictUndefined: names and quotes are text, and a
template that asks for something the context lacks fails loudly. One environment
per templates folder and process (templates compiled once). The context carries
finished Norwegian text and numbers, so the templates need no filters of their own.
Templates are read from regular files only: a symbolic link (which could bring a file
from outside the folder into the PDF) or a FIFO (which would hang the run) is refused.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import jinja2
from jinja2.loaders import split_template_path

from kommunerapport.errors import TemplateError, os_reason, template_reason
from kommunerapport.files import NotRegular, asset_dir, read_regular
from kommunerapport.render.context import ReportContext


def read_asset(path: Path) -> str:
    """A template or stylesheet's text, from a regular file only; TemplateError otherwise."""
    try:
        return read_regular(path).decode("utf-8")
    except NotRegular as exc:
        raise TemplateError(f"{path} er {exc.what}; maler og stiler leses bare fra vanlige "
                            "filer.") from None
    except UnicodeDecodeError:
        raise TemplateError(f"{path} er ikke UTF-8-tekst.") from None
    except OSError as exc:
        raise TemplateError(f"Kan ikke lese {path}: {os_reason(exc)}.") from None


class RegularFileLoader(jinja2.FileSystemLoader):
    """``FileSystemLoader`` that reads regular files only (``read_asset``)."""

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if not os.path.lexists(path):
                continue
            source = read_asset(path)
            mtime = os.lstat(path).st_mtime_ns

            def uptodate(path: Path = path, mtime: int = mtime) -> bool:
                try:
                    return os.lstat(path).st_mtime_ns == mtime
                except OSError:
                    return False

            return source, str(path), uptodate
        raise jinja2.TemplateNotFound(template)


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
        loader=RegularFileLoader(folders),
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
        raise TemplateError(f"Malen {template} bruker noe rapporten ikke har: "
                            f"{template_reason(exc)}.") from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename}, linje {exc.lineno}: {template_reason(exc)}.") \
            from None
