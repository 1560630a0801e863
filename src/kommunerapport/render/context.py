"""What the templates receive: the report context, every field documented.

This is the contract between the Python side and the templates a designer
edits. ``tests/test_context.py`` fails when a template uses a key that is not
documented here, or when a documented key is no longer used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from kommunerapport.model.config import Contact, Quote

if TYPE_CHECKING:  # the contract names a drawing; drawing it is render's work
    from kommunerapport.pictures.drawing import Drawing

# The report's pictures by URL: the PDF's fetcher serves them (``render.pdf``).
IMAGE_SCHEME = "kommunerapport-bilde:"


@dataclass(frozen=True)
class Chart:
    """A chart or map, and what a reader without sight needs of it.

    ``drawing`` says what to draw; the picture is drawn when the report is rendered,
    once for the PDF (``src`` names it) and again for the press kit.
    """

    drawing: Drawing
    alt: str  # states the chart's message
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    data_note: str = ""  # where the data is instead, when it is already a table in the report
    style: str = ""  # a CSS class for its kind («map»)
    # For the press kit's pictures, which travel without the report around them:
    unit: str = ""  # what the values are, «Prosent av brutto driftsinntekter»
    source: str = ""  # where they come from, «SSB, tabell 12134 (nøkkeltall)»

    @property
    def src(self) -> str:
        """The picture's URL in the HTML: unique to what it draws."""
        return f"{IMAGE_SCHEME}{self.drawing.key}.png"

    def files(self, scale: float = 2.0) -> dict[str, bytes]:
        """The chart as PNG at ``scale`` × print resolution and as SVG, from one drawing.

        Keys «png» and «svg»; the SVG carries the title and the alt text.
        """
        return self.drawing.render(("png", "svg"), scale, self.title, self.alt)


@dataclass(frozen=True)
class KeyFigure:
    """A key-figure box: a big number with a label and a short note."""

    label: str
    value: str
    note: str = ""


@dataclass(frozen=True)
class DataTable:
    """A table with a caption; ``numeric`` marks the right-aligned columns.

    ``bars``: per row, a small bar drawn before column ``bar_column`` (its header
    spans both cells) as (left %, width %, negative) within the cell, or None; see
    ``reports.pictures.bars``. The bar is decoration; the number beside it is the data.
    """

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    header_column: int = 0  # the column that names the row (a <th scope="row">)
    bars: tuple[tuple[float, float, bool] | None, ...] = ()
    bar_column: int = -1
    note: str = ""  # a line under the table («Det mangler tall for …»)
    style: str = ""  # a CSS class for its kind («provenance»)
    halves: bool = False  # set as two tables side by side (a long list of municipalities)


@dataclass(frozen=True)
class Section:
    """A headed block of prose, optionally with charts and/or a table."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()  # charts and maps, each with its data
    table: DataTable | None = None


@dataclass(frozen=True)
class ReportContext:
    """Everything a report template may use."""

    lang: str  # «nb» or «nn»: html lang
    title: str  # the headline, also the PDF title
    subject: str  # PDF subject: what, where, year, release (and the sample notice)
    kind: str  # what the report is about, as the page's CSS class: «county», «sector», «member»
    organisation: str  # author and the dateline's sender
    dateline: str  # «6.3.2026»
    created: str  # ISO date for the PDF metadata
    labels: dict[str, str]  # fixed words of the layout in ``lang`` (lang.labels)
    sample: bool  # any synthetic figure in the report
    sample_notice: str  # «Eksempeldata – ikke offisielle tall» in ``lang`` (when ``sample``)
    sample_note: str  # which figures are sample data and which are real, unit by unit
    lede: tuple[str, ...]  # the opening sentences (the user's own lede first, if given)
    key_figures: tuple[KeyFigure, ...]
    quotes: tuple[Quote, ...]  # only from the user's config, never invented
    sections: tuple[Section, ...]
    provenance: DataTable  # «Om tallene»: which figure comes from which source and release
    method: str  # how aggregates are computed
    notes: tuple[str, ...]  # other notes on the figures (Oslo, county borders, coverage)
    contacts: tuple[Contact, ...]
    about: str  # «Om KS» text from the config, may be empty
    keywords: tuple[str, ...]
    # Not approved yet: «UTKAST» on every page (``labels.draft_mark``) and a line saying
    # so (``labels.draft_note``). The writer sets it from the approvals (``render.writer``).
    draft: bool = True
    # Laid out closer (charts and map smaller) for a report that ran over its page limit
    # at the normal size; the writer sets it (``render.writer``).
    tight: bool = False

    def as_dict(self) -> dict[str, object]:
        """Top-level keys for Jinja; nested dataclasses stay objects."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def charts(self) -> tuple[Chart, ...]:
        """Every chart and map, in the order the report shows them."""
        return tuple(c for s in self.sections for c in s.charts)


def documented_keys() -> set[str]:
    return set(ReportContext.__dataclass_fields__)


__all__ = ["Chart", "Contact", "DataTable", "KeyFigure", "Quote", "ReportContext", "Section",
           "documented_keys"]
