"""The press kit: what a web editor needs beside the PDF, in a folder of its own.

``kommuneokonomi-2025-vestland.pdf`` gets ``kommuneokonomi-2025-vestland-pressepakke/``:

- every chart and map as ``<name>.png`` (twice the print resolution) and ``<name>.svg``
  (words as text, in the report's font), named for what it shows, each carrying its
  title, unit and source, the «Eksempeldata» mark for sample data and «UTKAST» for a
  draft (``pictures.drawing.Caption``); maps with the units' names where they fit; and
  ``<name>.txt`` holding its title, alt text, unit and source;
- ``tekst.md``: the press release as Markdown (``kit_text``);
- ``tekst.docx``: the same, as a Word document to edit (``kit_word``);
- ``tall.csv`` for Norwegian Excel and ``tall-maskinlesbar.csv`` for programs: every
  number the report prints, with what it is and where it comes from (``kit_table``).

The folder is written beside the PDF under a temporary name and renamed into place,
so a kit is never half-written; an older kit is replaced whole.
"""

from __future__ import annotations

from pathlib import Path

from kommunerapport import files
from kommunerapport.outputs.names import slug
from kommunerapport.pictures.drawing import Caption
from kommunerapport.pictures.maps import with_names
from kommunerapport.render import kit_table, kit_text, kit_word
from kommunerapport.render.context import Chart, ReportContext
from kommunerapport.writing.facts import Fact
from kommunerapport.writing.lang import label, source_name

SUFFIX = "-pressepakke"
SCALE = 2.0  # the PNGs: twice the print resolution
TEXT, WORD = "tekst.md", "tekst.docx"


def kit_folder(pdf: Path) -> Path:
    """Where a report's kit goes: beside the PDF, named after it."""
    return pdf.with_name(pdf.stem + SUFFIX)


def write_kit(context: ReportContext, facts: tuple[Fact, ...], pdf: Path) -> Path:
    """Write the kit of the report whose PDF is ``pdf``, whole or not at all; its folder."""
    target = kit_folder(pdf)
    with files.atomic_folder(target, what=f"pressepakken {target.name}") as tmp:
        names, pictures = _pictures(context, facts, tmp)
        (tmp / TEXT).write_text(kit_text.markdown(context, names), "utf-8")
        (tmp / WORD).write_bytes(kit_word.document(context, pictures))
        (tmp / kit_table.EXCEL).write_bytes(kit_table.excel_csv(facts, context.lang))
        (tmp / kit_table.PLAIN).write_bytes(kit_table.plain_csv(facts, context.lang))
    return target


def chart_name(chart: Chart, taken: set[str]) -> str:
    """A file name from what the chart shows, unique within the kit."""
    base = slug(chart.title.replace("–", "-")) or "figur"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def caption(context: ReportContext, chart: Chart, facts: tuple[Fact, ...]) -> Caption:
    """The words a picture carries on its own: title, unit, source and marks."""
    sources = chart.source or "; ".join(sorted({source_name(s, context.lang) for f in facts
                                                for s in f.source.split("; ") if s}))
    marks = ((label(context.lang, "draft_mark"),) if context.draft else ()) + (
        (context.sample_notice,) if context.sample else ())
    return Caption(chart.title, chart.unit,
                   label(context.lang, "chart_source", sources=sources) if sources else "",
                   marks)


def _pictures(context: ReportContext, facts: tuple[Fact, ...], folder: Path
              ) -> tuple[dict[str, str], list[kit_word.Picture]]:
    """Each chart as PNG and SVG with its words; chart title → file name (no suffix), and
    the pictures for the Word document."""
    names: dict[str, str] = {}
    pictures: list[kit_word.Picture] = []
    taken: set[str] = set()
    for chart in context.charts:
        name = chart_name(chart, taken)
        words = caption(context, chart, facts)
        drawn = with_names(chart.drawing).render(("png", "svg"), SCALE, chart.title,
                                                 chart.alt, words)
        (folder / f"{name}.png").write_bytes(drawn["png"])
        (folder / f"{name}.svg").write_bytes(drawn["svg"])
        about = [chart.title, "", chart.alt, "", *(line for line in
                                                    (words.unit, words.source, *words.marks)
                                                    if line)]
        (folder / f"{name}.txt").write_text("\n".join(about) + "\n", "utf-8")
        names[chart.title] = name
        pictures.append(kit_word.Picture(chart, drawn["png"]))
    return names, pictures
