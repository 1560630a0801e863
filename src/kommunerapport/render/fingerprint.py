"""A report's fingerprint: what it says and how it is drawn, known without drawing it.

A rerun must tell, for each of 387 reports, whether the file on disk already says
what the report would say now, in a small part of the time rendering takes. So the
fingerprint is made from what goes into the PDF, not from the PDF:

- ``content``: the report's context (every word and number, every chart as what it
  draws: ``Drawing.key``), its facts (the press kit's table), the templates, the
  stylesheet and the fonts it is laid out with (their bytes), and the tool's version.
  Not the dateline, and not whether it is a draft: this is what ``approve`` approves,
  and a press release approved on Monday is still approved when it goes out on Tuesday;
- ``written_as``: ``content`` and the rest of what makes the files: the dateline, the
  «UTKAST» mark, the libraries that lay out and draw (their versions) and whether
  HarfBuzz subsets the fonts. Two runs with the same ``written_as`` write the same
  files, so the second leaves them alone (``render.writer``).

Both are sha256 in hex over a canonical JSON form, the same in every process.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from kommunerapport import __version__
from kommunerapport.errors import TemplateError
from kommunerapport.files import NotRegular, asset_dir, kind_of, read_regular
from kommunerapport.render import fonts
from kommunerapport.render.context import ReportContext
from kommunerapport.writing.facts import Fact

# Not part of ``content``: the date, and the draft mark (``written_as`` has them).
DATED = ("dateline", "created")
MARKED = ("draft",)
LIBRARIES = ("weasyprint", "pydyf", "tinycss2", "matplotlib", "pillow", "fonttools",
             "python-docx")


def canonical(value: Any) -> Any:
    """``value`` as plain JSON data that is the same in every process: dataclasses by
    their fields, a drawing by what it draws, floats exactly, functions by name.

    TypeError for a value whose only form would name its place in memory: a report
    whose fingerprint changed on every run would be rewritten on every run.
    """
    from kommunerapport.pictures.drawing import Drawing

    if isinstance(value, Drawing):
        return {"drawing": value.key}
    if is_dataclass(value) and not isinstance(value, type):
        return {"@": type(value).__qualname__,
                **{f.name: canonical(getattr(value, f.name)) for f in fields(value)}}
    if isinstance(value, enum.Enum):
        return canonical(value.value)
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (Decimal, dt.date, Path)):
        return str(value)
    if isinstance(value, dict):
        return [[canonical(k), canonical(v)] for k, v in sorted(value.items(), key=repr)]
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if hasattr(value, "item") and hasattr(value, "dtype"):  # a numpy scalar
        return canonical(value.item())
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{value.__module__}.{value.__qualname__}"
    text = repr(value)
    if " at 0x" in text:
        raise TypeError(f"no stable form for {type(value).__qualname__} in a fingerprint")
    return f"{type(value).__qualname__}:{text}"


def digest(value: Any) -> str:
    text = json.dumps(canonical(value), ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content(context: ReportContext, facts: tuple[Fact, ...],
            templates_dir: Path | None = None) -> str:
    """What the reader reads (the module's note), as a sha256 in hex."""
    said = {f.name: getattr(context, f.name) for f in fields(context)
            if f.name not in DATED + MARKED}
    return digest({"context": said, "facts": facts, "assets": assets(templates_dir),
                   "tool": __version__})


def written_as(content_fingerprint: str, context: ReportContext, draft: bool) -> str:
    """Everything that makes the report's files (the module's note), as a sha256 in hex."""
    return digest({"content": content_fingerprint,
                   "dated": [getattr(context, name) for name in DATED], "draft": draft,
                   "libraries": libraries(), "harfbuzz": fonts.harfbuzz_subsetter()})


def assets(templates_dir: Path | None = None) -> str:
    """The bytes of every template, stylesheet and font a report may be laid out with."""
    return _assets(templates_dir.absolute() if templates_dir else None)


@lru_cache(maxsize=8)
def _assets(templates_dir: Path | None) -> str:
    found: list[tuple[str, str]] = []
    if templates_dir is not None:  # the user's folder: every file (CSS may name images)
        found += _files(templates_dir, "**/*", "egne maler")
    found += _files(asset_dir("templates"), "*.html", "maler")
    found += _files(asset_dir("styles"), "*", "stiler")
    for font_set in (fonts.CUT, fonts.FULL):
        found += [(f"{font_set.prefix}-{style}", _sha(font_set.file(style)))
                  for style, _, _ in fonts.FACES]
    found.append(("coverage", _sha(fonts.COVERAGE)))
    return digest(found)


def _files(folder: Path, pattern: str, label: str) -> list[tuple[str, str]]:
    out = []
    for path in sorted(folder.glob(pattern)):
        if path.is_dir() or kind_of(path) is not None:
            continue  # a link or a FIFO is never read (``render.html`` refuses it if asked)
        out.append((f"{label}/{path.relative_to(folder)}", _sha(path)))
    return out


def _sha(path: Path) -> str:
    try:
        return hashlib.sha256(read_regular(path)).hexdigest()
    except (OSError, NotRegular) as exc:
        raise TemplateError(f"Kan ikke lese {path}: {exc}.") from None


@lru_cache(maxsize=1)
def libraries() -> tuple[tuple[str, str], ...]:
    """The versions of the libraries that lay out and draw the files."""
    return tuple((name, _version(name)) for name in LIBRARIES)


def _version(name: str, find: Callable[[str], str] = metadata.version) -> str:
    try:
        return find(name)
    except metadata.PackageNotFoundError:
        return ""
