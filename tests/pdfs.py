"""Reading rendered PDFs back for tests: text per page, metadata, structure."""

from __future__ import annotations

from pathlib import Path

import pdfplumber
from pypdf import PdfReader
from pypdf.generic import PdfObject


def page_texts(path: Path) -> list[str]:
    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def full_text(path: Path) -> str:
    """All pages, with line breaks and hyphenation undone enough to find phrases."""
    text = "\n".join(page_texts(path))
    return " ".join(text.replace("-\n", "").split())


def figure_alts(path: Path) -> list[str | None]:
    """The /Alt of every /Figure element in the structure tree."""
    reader = PdfReader(path)
    found: list[str | None] = []

    def walk(node: PdfObject) -> None:
        node = node.get_object()
        if isinstance(node, list):
            for kid in node:
                walk(kid)
            return
        if not hasattr(node, "get"):
            return
        if node.get("/S") == "/Figure":
            found.append(node.get("/Alt"))
        kids = node.get("/K")
        if kids is not None:
            walk(kids)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded?) for every font used on any page."""
    reader = PdfReader(path)
    out = []
    for page in reader.pages:
        resources = page.get("/Resources", {})
        for font in resources.get("/Font", {}).values():
            font = font.get_object()
            descendant = font.get("/DescendantFonts")
            desc = (descendant[0].get_object() if descendant else font).get("/FontDescriptor")
            embedded = bool(desc) and any(
                k in desc.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            out.append((str(font.get("/BaseFont")), embedded))
    return out
