"""What the tool wrote: one small record per report, so that ``send``, ``approve`` and a
rerun trust facts, not file names.

``send`` must know things about a PDF that its name and its text cannot be trusted to
tell: that this tool wrote exactly these bytes, whether the figures in it were sample
data, and whether it is a draft or approved. A rerun must know whether the report it
is about to write says anything the file on disk does not. Template text can be edited
and a file renamed or replaced, so each time a report is written the writer puts a
record beside it::

    output/kommuner/kommuneokonomi-2025-4602-kinn.pdf
    output/kommuner/.rapportregister/kommuneokonomi-2025-4602-kinn.pdf.json

The record holds:

- ``sha256`` and ``size`` of the PDF as written: a file whose bytes no longer match, or
  that has no record, is not the tool's (``send`` refuses it, a rerun writes it again);
- ``kind``, ``number`` (the member's), ``year``, ``lang`` and ``sample`` (any figure
  from the synthetic sample data; from the report's data, never its template);
- ``fingerprint``: what the reader reads, figures, words, templates, styles, fonts and
  the tool's version (``render.fingerprint.content``), without the date and the draft
  mark; what ``approve`` approves;
- ``written_as``: that and everything else that makes the files (the date, whether it
  carries «UTKAST», the libraries); a rerun with the same ``written_as`` leaves the
  files alone (``render.fingerprint.written_as``);
- ``status``: ``draft`` (not approved: «UTKAST» on every page), ``approved`` (this
  fingerprint approved; no mark) or ``changed`` (a draft of a report approved before
  with other content); with ``approved_by`` and ``approved_at`` of that approval. So
  ``send`` tells a draft from an approved report from the record alone;
- ``pages`` and ``kit`` (the digest of the press kit written with it, if any).

One file per report, each written atomically, because the batch writes reports from
several worker processes at once. The record is written after the PDF and its kit: a
process killed between them leaves a PDF the record does not vouch for, never a record
that vouches for the wrong bytes. Records and PDFs are read without following symbolic
links, and the register folder is never a link (it would make the tool write outside
the output folder).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from kommunerapport import __version__, files
from kommunerapport.errors import KommunerapportError, os_reason
from kommunerapport.model.kinds import ReportKind

RECORD_DIR = ".rapportregister"
FORMAT = 2  # bump when a field changes meaning; older records are then refused
DRAFT, APPROVED, CHANGED = "draft", "approved", "changed"
STATUSES = (DRAFT, APPROVED, CHANGED)


class RecordError(KommunerapportError):
    """A record that exists but cannot be read as one."""


@dataclass(frozen=True)
class Record:
    """What the tool knows about one report it wrote."""

    format: int
    file: str  # the PDF's name, «kommuneokonomi-2025-4602-kinn.pdf»
    sha256: str  # of the PDF's bytes as written
    size: int
    kind: str  # «member», «county» or «sector» (ReportKind)
    number: str | None  # kommunenummer «4602» or fylkesnummer «46» (members); else None
    year: int
    lang: str  # «nb» or «nn»
    sample: bool  # any figure from the synthetic sample data
    fingerprint: str  # what the reader reads (render.fingerprint.content)
    written_as: str  # everything that makes the files (render.fingerprint.written_as)
    status: str  # draft | approved | changed
    approved_by: str | None  # who approved (this content, or, when changed, the earlier)
    approved_at: str | None  # when, UTC ISO 8601
    pages: int | None
    kit: str | None  # digest of the press kit written with it (``kit_digest``), or None
    written_at: str  # UTC, ISO 8601
    tool: str  # «kommunerapport 0.2.0»

    @property
    def approved(self) -> bool:
        return self.status == APPROVED


def record_path(pdf: Path) -> Path:
    return pdf.parent / RECORD_DIR / f"{pdf.name}.json"


def sha256_file(path: Path) -> str:
    """The sha256 of a regular file's bytes; NotRegular for a link, FIFO or folder."""
    return hashlib.sha256(files.read_regular(path)).hexdigest()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def record_written(target: Path, *, kind: ReportKind | str, number: str | None, year: int,
                   lang: str, sample: bool, fingerprint: str, written_as: str,
                   status: str = DRAFT, approved_by: str | None = None,
                   approved_at: str | None = None, pages: int | None = None,
                   kit: str | None = None) -> Record:
    """Note that the tool has just written ``target`` (and its kit); call after both are
    in place."""
    record = Record(FORMAT, target.name, sha256_file(target), target.stat().st_size,
                    str(kind), number if str(kind) == ReportKind.MEMBER else None, year, lang,
                    bool(sample), fingerprint, written_as, status, approved_by, approved_at,
                    pages, kit, now(), f"kommunerapport {__version__}")
    save(target, record)
    return record


def save(target: Path, record: Record) -> None:
    """Write ``record`` as the record of ``target``, whole or not at all."""
    path = record_path(target)
    try:
        files.own_folder(path.parent)
        files.write_text(path, json.dumps(asdict(record), indent=1, ensure_ascii=False),
                         what=f"registreringen av {target.name}")
    except OSError as exc:
        raise RecordError(f"Kan ikke skrive registreringen {path}: {os_reason(exc)}.") \
            from None


def with_approval(target: Path, record: Record, status: str, approved_by: str | None,
                  approved_at: str | None) -> Record:
    """The record again with another approval status; the PDF is not touched."""
    updated = replace(record, status=status, approved_by=approved_by, approved_at=approved_at)
    save(target, updated)
    return updated


def read_record(pdf: Path) -> Record | None:
    """The record of ``pdf``, or None when there is none; RecordError when it is garbled,
    a symbolic link or in a register folder that is one."""
    path = record_path(pdf)
    odd = files.kind_of(path.parent)
    if odd is not None:
        raise RecordError(f"Registermappen {path.parent} er {odd}; kommunerapport følger "
                          "ikke lenker. Fjern den, og skriv rapportene på nytt.")
    try:
        raw = json.loads(files.read_regular(path).decode("utf-8"))
    except FileNotFoundError:
        return None
    except files.NotRegular as exc:
        raise RecordError(f"Registreringen {path} er {exc.what}, ikke en vanlig fil.") \
            from None
    except OSError as exc:
        raise RecordError(f"Kan ikke lese registreringen {path}: {os_reason(exc)}.") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RecordError(f"Registreringen {path} er ikke gyldig JSON.") from None
    try:
        record = Record(**raw) if isinstance(raw, dict) else None
    except TypeError:
        record = None
    if record is None or not valid(record):
        raise RecordError(f"Registreringen {path} er ikke i formatet denne versjonen av "
                          "kommunerapport skriver. Skriv rapporten på nytt.")
    return record


_HEX = re.compile(r"[0-9a-f]{64}")


def valid(record: Record) -> bool:
    """Every field of the type it should be: a hand-edited record is not trusted blindly."""
    optional_text = (record.approved_by, record.approved_at, record.number)
    return (record.format == FORMAT and isinstance(record.file, str)
            and all(isinstance(h, str) and _HEX.fullmatch(h) is not None
                    for h in (record.sha256, record.fingerprint, record.written_as))
            and isinstance(record.size, int) and record.kind in set(ReportKind)
            and all(v is None or isinstance(v, str) for v in optional_text)
            and isinstance(record.year, int) and record.lang in ("nb", "nn")
            and isinstance(record.sample, bool) and record.status in STATUSES
            and (record.pages is None or isinstance(record.pages, int))
            and (record.kit is None or isinstance(record.kit, str)))


def check(pdf: Path, sha256: str) -> tuple[Record | None, str | None]:
    """The record of ``pdf`` if it vouches for these bytes, else why not (in Norwegian)."""
    try:
        record = read_record(pdf)
    except RecordError:
        return None, f"registreringen {RECORD_DIR}/{pdf.name}.json kan ikke leses"
    if record is None:
        return None, "ikke registrert som skrevet av kommunerapport"
    if record.file != pdf.name:
        return None, f"registreringen gjelder {record.file}"
    if record.sha256 != sha256:
        return None, "endret etter at kommunerapport skrev den"
    return record, None


def current(pdf: Path) -> Record | None:
    """The record of ``pdf`` if both are on disk, regular files, and the record vouches for
    the PDF's bytes as they are now; else None. What a rerun, ``--skip-existing`` and
    ``approve`` trust: a PDF without its record, a 0-byte file left by a full disk or an
    edited file is not done."""
    if files.kind_of(pdf) is not None:
        return None
    try:
        sha256 = sha256_file(pdf)
    except (OSError, files.NotRegular):
        return None
    record, _ = check(pdf, sha256)
    return record


def kit_digest(folder: Path) -> str | None:
    """A digest of every file of a press kit (names and bytes), or None when ``folder`` is
    not a real folder of regular files: what a record says it wrote."""
    if files.kind_of(folder) is not None or not folder.is_dir():
        return None
    digest = hashlib.sha256()
    try:
        for path in sorted(folder.iterdir()):
            digest.update(path.name.encode("utf-8") + b"\0")
            digest.update(hashlib.sha256(files.read_regular(path)).digest())
    except (OSError, files.NotRegular):
        return None
    return digest.hexdigest()
