"""From a report's context to its files on disk, only when they would change.

``write_files`` is what every report goes through, one at a time or in a batch:

1. the report's fingerprints (``fingerprint``): what it says, and what its files would
   be, with the approval that holds for what it says (``outputs.approvals``): approved
   content is written without «UTKAST», anything else as a draft;
2. if the PDF on disk is the tool's, unchanged since (``outputs.records.current``), and
   was written as these files would be: nothing is written, not even the file's time
   (unless ``force``). A press kit that is asked for and missing is added alone;
3. else the PDF (atomically), its press kit when asked for or when one is there (a kit
   is kept in step with its PDF), then the record that vouches for both.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from kommunerapport import files
from kommunerapport.errors import KommunerapportError
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs import approvals, records
from kommunerapport.render import fingerprint
from kommunerapport.render.context import ReportContext
from kommunerapport.render.html import render_html
from kommunerapport.render.kit import kit_folder, write_kit
from kommunerapport.render.pdf import pictures, write_pdf
from kommunerapport.writing.facts import Fact

WRITTEN, UNCHANGED, KIT_ONLY = "written", "unchanged", "kit"


@dataclass(frozen=True)
class Written:
    """What became of a report's files."""

    path: Path  # the PDF
    result: str  # written | unchanged | kit (only the press kit was added)
    status: str  # records.DRAFT, APPROVED or CHANGED
    pages: int | None

    @property
    def changed(self) -> bool:
        return self.result != UNCHANGED

    @property
    def draft(self) -> bool:
        return self.status != records.APPROVED


@dataclass(frozen=True)
class Subject:
    """Whose report it is, as its record says (``records.Record``)."""

    kind: ReportKind
    number: str | None
    year: int


def approval_for(target: Path, content: str) -> tuple[str, str | None, str | None]:
    """(status, approved by, approved at) for this content of this file."""
    known = approvals.load(target.parent)
    found = known.of(target.name, content)
    if found is not None:
        return records.APPROVED, found.by, found.at
    earlier = known.latest(target.name)
    if earlier is not None:
        return records.CHANGED, earlier.by, earlier.at
    return records.DRAFT, None, None


class PageLimitError(KommunerapportError):
    """A report ran over its page limit where the limit is a rule (in a batch)."""


def write_files(context: ReportContext, facts: tuple[Fact, ...], target: Path,
                subject: Subject, templates_dir: Path | None = None, kit: bool = False,
                force: bool = False, page_limit: int | None = None,
                strict_pages: bool = False) -> Written:
    """Write the report's PDF (and kit) to ``target`` unless it is there already.

    ``page_limit``: a report longer than this is laid out again closer (``tight``: smaller
    charts and map), and with ``strict_pages`` not written if it is still too long
    (``PageLimitError``).
    """
    files.own_folder(target.parent)
    content = fingerprint.content(context, facts, templates_dir)
    status, by, at = approval_for(target, content)
    draft = status != records.APPROVED
    context = dataclasses.replace(context, draft=draft)
    written_as = fingerprint.written_as(content, context, draft)
    folder = kit_folder(target)
    previous = None if force else records.current(target)
    if previous is not None and previous.written_as == written_as:
        kit_there = previous.kit is not None and records.kit_digest(folder) == previous.kit
        if kit and not kit_there:
            write_kit(context, facts, target)
            records.save(target, dataclasses.replace(
                previous, kit=records.kit_digest(folder), status=status, approved_by=by,
                approved_at=at))
            return Written(target, KIT_ONLY, status, previous.pages)
        if (previous.status, previous.approved_by, previous.approved_at) != (status, by, at):
            records.with_approval(target, previous, status, by, at)
        return Written(target, UNCHANGED, status, previous.pages)
    keep_kit = kit or (folder.is_dir() and files.kind_of(folder) is None)
    html = render_html(context, templates_dir=templates_dir)
    with files.atomic_path(target, what=f"rapporten {target.name}") as tmp:
        pages = write_pdf(html, tmp, templates_dir, pictures(context))
        if page_limit is not None and pages > page_limit:
            closer = dataclasses.replace(context, tight=True)
            pages = write_pdf(render_html(closer, templates_dir=templates_dir), tmp,
                              templates_dir, pictures(closer))
        if strict_pages and page_limit is not None and pages > page_limit:
            raise PageLimitError(f"{target.name} ble {pages} sider; grensen for denne "
                                 f"rapporttypen er {page_limit}. Rapporten er ikke skrevet.")
    if keep_kit:
        write_kit(context, facts, target)
    records.record_written(
        target, kind=subject.kind, number=subject.number, year=subject.year,
        lang=context.lang, sample=context.sample, fingerprint=content, written_as=written_as,
        status=status, approved_by=by, approved_at=at, pages=pages,
        kit=records.kit_digest(folder) if keep_kit else None)
    return Written(target, WRITTEN, status, pages)
