"""The press kit's ``tekst.docx``: the press release as a Word document a press officer
edits, written with python-docx.

The same words as the PDF and ``tekst.md``, with Word's own structure: the headline as
Heading 1 and every section as Heading 2, the key figures and contacts as lists, the
quotes in the Quote style, the tables as Word tables (their header row repeated on each
page), and every picture with its alt text (``descr``) and title, as Word shows them
under «Alternativ tekst». The document's language is the report's (``nb-NO``, ``nn-NO``),
so Word checks its spelling in the right written form. A draft says «UTKAST» in the
header of every page.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from kommunerapport.render.context import Chart, DataTable, ReportContext

LANGUAGES = {"nb": "nb-NO", "nn": "nn-NO"}
RED = RGBColor(0xB3, 0x26, 0x1E)


@dataclass(frozen=True)
class Picture:
    """A chart or map of the report as the kit drew it."""

    chart: Chart
    png: bytes


def document(context: ReportContext, pictures: Sequence[Picture]) -> bytes:
    """The report as a .docx file's bytes."""
    doc = Document()
    _language(doc, LANGUAGES[context.lang])
    _properties(doc, context)
    labels = context.labels
    if context.draft:
        header = doc.sections[0].header.paragraphs[0]
        _run(header, labels["draft_mark"], bold=True, colour=RED)
        _run(doc.add_paragraph(), f"{labels['draft_mark']}: {labels['draft_note']}",
             bold=True, colour=RED)
    doc.add_paragraph(f"{context.dateline} | {context.organisation} | "
                      f"{labels['press_release']}")
    if context.sample:
        paragraph = doc.add_paragraph()
        _run(paragraph, f"{context.sample_notice}. ", bold=True, colour=RED)
        paragraph.add_run(context.sample_note)
    doc.add_heading(_plain(context.title), level=1)
    _run(doc.add_paragraph(), _plain(" ".join(context.lede)), bold=True)
    if context.key_figures:
        doc.add_heading(labels["kit_key_figures"], level=2)
        for kf in context.key_figures:
            note = f" ({_plain(kf.note)})" if kf.note else ""
            doc.add_paragraph(f"{_plain(kf.label)}: {_plain(kf.value)}{note}",
                              style="List Bullet")
    if context.quotes:
        doc.add_heading(labels["kit_quotes"], level=2)
        for quote in context.quotes:
            doc.add_paragraph(f"– {quote.text}, {labels['says']} {quote.role}, {quote.name}.",
                              style="Quote")
    drawn = {p.chart.title: p for p in pictures}
    for section in context.sections:
        doc.add_heading(_plain(section.heading), level=2)
        for text in section.paragraphs:
            doc.add_paragraph(_plain(text))
        for chart in section.charts:
            if chart.title in drawn:
                _picture(doc, drawn[chart.title])
        if section.table is not None:
            _table(doc, section.table)
    doc.add_heading(labels["h_about_figures"], level=2)
    _table(doc, context.provenance)
    doc.add_paragraph(" ".join((labels["ssb_credit"] + ".", f"{labels['method']}: "
                                f"{context.method}", labels["scope_note"], *context.notes)))
    if context.contacts:
        doc.add_heading(labels["h_contacts"], level=2)
        for c in context.contacts:
            paragraph = doc.add_paragraph(style="List Bullet")
            _run(paragraph, c.name, bold=True)
            paragraph.add_run("".join(f", {p}" for p in (c.role, c.phone, c.email) if p))
    if context.about:
        doc.add_heading(labels["h_about"].format(organisation=context.organisation), level=2)
        doc.add_paragraph(context.about)
    if context.keywords:
        paragraph = doc.add_paragraph()
        _run(paragraph, f"{labels['keywords']}: ", bold=True)
        paragraph.add_run(", ".join(context.keywords))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _plain(text: str) -> str:
    return text.replace("\u00a0", " ")


def _run(paragraph: Paragraph, text: str, bold: bool = False,
         colour: RGBColor | None = None) -> None:
    run = paragraph.add_run(text)
    run.bold = bold
    if colour is not None:
        run.font.color.rgb = colour


def _picture(doc: DocxDocument, picture: Picture) -> None:
    """The picture, its alt text and title where Word keeps them, and its title below."""
    width = Cm(14) if picture.chart.style == "map" else Cm(16)
    shape = doc.add_paragraph().add_run().add_picture(io.BytesIO(picture.png), width=width)
    properties = shape._inline.docPr  # no public API for alt text in python-docx 1.x
    properties.set("descr", picture.chart.alt)
    properties.set("title", picture.chart.title)
    caption = doc.add_paragraph(_plain(picture.chart.title), style="Caption")
    caption.alignment = WD_ALIGN_PARAGRAPH.LEFT


def _table(doc: DocxDocument, data: DataTable) -> None:
    """A Word table with its caption above, its header row repeated on every page."""
    doc.add_paragraph(_plain(data.caption), style="Caption")
    grid = doc.add_table(rows=1 + len(data.rows), cols=len(data.headers))
    grid.style = "Table Grid"
    for r, row in enumerate((data.headers, *data.rows)):
        for c, value in enumerate(row):
            cell = grid.rows[r].cells[c]
            cell.text = _plain(value)
            paragraph = cell.paragraphs[0]
            if c < len(data.numeric) and data.numeric[c] and r > 0:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(9)
                run.bold = r == 0 or None
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    grid.rows[0]._tr.get_or_add_trPr().append(repeat)
    if data.note:
        doc.add_paragraph(_plain(data.note))


def _language(doc: DocxDocument, tag: str) -> None:
    """The document's language, for Word's spelling and a screen reader."""
    styles = doc.styles.element
    for rpr in [*styles.xpath("w:docDefaults/w:rPrDefault/w:rPr"),
                doc.styles["Normal"].element.get_or_add_rPr()]:
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), tag)
    doc.core_properties.language = tag


# Word's document properties hold at most 255 characters each (python-docx refuses more).
PROPERTY_LIMIT = 255


def _property(text: str) -> str:
    """``text`` as a document property: whole, or cut with «…» at the limit."""
    return text if len(text) <= PROPERTY_LIMIT else text[:PROPERTY_LIMIT - 1] + "…"


def _properties(doc: DocxDocument, context: ReportContext) -> None:
    props = doc.core_properties
    props.title = _property(_plain(context.title))
    props.subject = _property(_plain(context.subject))
    props.author = _property(context.organisation)
    props.keywords = _property(", ".join(context.keywords))
    props.comments = ""
    props.last_modified_by = context.organisation
    day = dt.datetime.fromisoformat(context.created).replace(tzinfo=dt.UTC)
    props.created = props.modified = day
    props.revision = 1
