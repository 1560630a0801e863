"""The press kit: what a web editor needs beside the PDF, in a folder of its own.

``kommuneokonomi-2025-vestland.pdf`` gets ``kommuneokonomi-2025-vestland-pressepakke/``:

- every chart and map as ``<name>.png`` (twice the print resolution) and
  ``<name>.svg``, named for what it shows, with ``<name>.txt`` holding its title and
  alt text;
- ``tekst.md``: the headline, lede, key figures, body and quotes, the same words as
  the PDF, as Markdown for a CMS;
- ``tall.csv``: every number the report prints, as printed and as a plain number,
  with what it is, whom it is about, its unit, year, source, scope and release
  (the report's ``FactBook``), so a journalist can check each sentence.

The folder is written beside the PDF under a temporary name and renamed into place,
so a kit is never half-written; an older kit is replaced whole.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from kommunerapport import files
from kommunerapport.errors import OutputError
from kommunerapport.outputs.names import slug
from kommunerapport.render.context import Chart, ReportContext
from kommunerapport.writing.facts import Fact
from kommunerapport.writing.formatting import MINUS
from kommunerapport.writing.lang import label, release_name, source_name

SUFFIX = "-pressepakke"
SCALE = 2.0  # the PNGs: twice the print resolution
COLUMNS_NB = ("tall", "verdi", "enhet", "hva", "gjelder", "år", "kilde", "omfang",
              "tallgrunnlag", "metode", "eksempeldata")


def kit_folder(pdf: Path) -> Path:
    """Where a report's kit goes: beside the PDF, named after it."""
    return pdf.with_name(pdf.stem + SUFFIX)


def write_kit(context: ReportContext, facts: tuple[Fact, ...], pdf: Path) -> Path:
    """Write the kit of the report whose PDF is ``pdf``, whole or not at all; its folder."""
    target = kit_folder(pdf)
    try:
        with files.atomic_folder(target) as tmp:
            names = _charts(context, tmp)
            (tmp / "tekst.md").write_text(markdown(context, names), "utf-8")
            (tmp / "tall.csv").write_text(facts_csv(facts, context.lang), "utf-8")
    except OSError as exc:
        raise OutputError(f"Kan ikke skrive pressepakken {target}: {exc.strerror}.") from None
    return target


def charts_of(context: ReportContext) -> list[Chart]:
    return [chart for section in context.sections for chart in section.charts]


def chart_name(chart: Chart, taken: set[str]) -> str:
    """A file name from what the chart shows, unique within the kit."""
    base = slug(chart.title.replace("–", "-")) or "figur"
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _charts(context: ReportContext, folder: Path) -> dict[str, str]:
    """Each chart as PNG and SVG with its alt text; chart title → file name (no suffix)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for chart in charts_of(context):
        name = chart_name(chart, taken)
        files = chart.files(SCALE)
        (folder / f"{name}.png").write_bytes(files["png"])
        (folder / f"{name}.svg").write_bytes(files["svg"])
        (folder / f"{name}.txt").write_text(f"{chart.title}\n\n{chart.alt}\n", "utf-8")
        names[chart.title] = name
    return names


def markdown(context: ReportContext, names: dict[str, str]) -> str:
    """The report's words as Markdown, in the PDF's order."""
    labels = context.labels
    out = [f"# {context.title.replace(chr(0xa0), ' ')}", ""]
    if context.sample:
        out += [f"**{context.sample_notice}.** {context.sample_note}", ""]
    out += [f"**{' '.join(context.lede)}**", ""]
    for kf in context.key_figures:
        note = f" ({kf.note})" if kf.note else ""
        out.append(f"- {kf.label}: {kf.value}{note}")
    out.append("")
    for quote in context.quotes:
        out += [f"> – {quote.text}, {labels['says']} {quote.role}, {quote.name}.", ""]
    for section in context.sections:
        out += [f"## {section.heading}", ""]
        for paragraph in section.paragraphs:
            out += [paragraph, ""]
        for chart in section.charts:
            if chart.title in names:
                alt = chart.alt.replace("]", ")").replace("[", "(")
                out += [f"![{alt}]({names[chart.title]}.png)", ""]
    return "\n".join(out).replace("\u00a0", " ").rstrip() + "\n"


def plain_number(shown: str) -> str:
    """«−1 234,5» → «-1234.5», for a spreadsheet."""
    return shown.replace(MINUS, "-").replace("\u00a0", "").replace(" ", "").replace(",", ".")


def facts_csv(facts: tuple[Fact, ...], lang: str) -> str:
    """Every number of the report, one row each (``COLUMNS``), in the report's language."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label(lang, f"kit_col_{c}") for c in COLUMNS_NB])
    for f in facts:
        scope = "/".join(label(lang, f"scope_word_{s}") for s in f.scope.split("/") if s)
        sources = "; ".join(source_name(s, lang) for s in f.source.split("; ") if s)
        releases = "; ".join(release_name(r, lang) for r in f.release.split("; ") if r)
        writer.writerow([f.value, plain_number(f.value), f.unit, f.measure, f.subject, f.year,
                         sources, scope, releases, label(lang, f"method_{f.method}"),
                         label(lang, "yes") if f.synthetic else label(lang, "no")])
    return buffer.getvalue()
