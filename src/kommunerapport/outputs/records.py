"""What the tool wrote: one small record per report, so that ``send`` trusts facts.

``send`` must know two things about a PDF that its name and its text cannot be
trusted to tell: that this tool wrote exactly these bytes, and whether the
figures in it were sample data. Template text can be edited (a user's own
``report.html`` may drop the ``<meta>`` lines) and a file can be renamed or
replaced, so each time a report is written the writer puts a record beside it::

    output/kommuneokonomi-2025-4602-kinn.pdf
    output/.rapportregister/kommuneokonomi-2025-4602-kinn.pdf.json

The record holds the PDF's sha256, size, kind, member number, year, language,
and whether any figure came from the sample data (``ReportContext.sample``, which
follows the data, not the template). A report whose bytes no longer match its
record, or that has none, is not the tool's: ``send`` refuses it.

One file per report, each written atomically (a temporary file renamed into
place), because the batch writes reports from several worker processes at once:
no shared file, no lock, no parent that must gather anything. A worker killed
between the PDF and its record leaves a PDF without a (matching) record, which
``send`` refuses; it never leaves a record that vouches for the wrong bytes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kommunerapport import __version__, files
from kommunerapport.errors import KommunerapportError, OutputError
from kommunerapport.model.kinds import ReportKind
from kommunerapport.outputs.names import PREFIX

RECORD_DIR = ".rapportregister"
FORMAT = 1  # bump when a field changes meaning; older records are then refused
NAME_RE = re.compile(rf"{PREFIX}-(\d{{4}})-(?:(\d{{4}})|fk(\d{{2}}))?")


class RecordError(KommunerapportError):
    """A record that exists but cannot be read as one."""


@dataclass(frozen=True)
class Record:
    """What the tool knows about one report it wrote."""

    format: int
    file: str  # the PDF's name, «kommuneokonomi-2025-4602-kinn.pdf»
    sha256: str  # of the PDF's bytes as written
    size: int
    kind: str  # «member», «county» or «sector» (ReportContext.kind)
    number: str | None  # kommunenummer «4602» or fylkesnummer «46» (members); else None
    year: int | None  # accounting year; None when the file name does not carry one
    lang: str  # «nb» or «nn»
    sample: bool  # any figure from the synthetic sample data
    written_at: str  # UTC, ISO 8601
    tool: str  # «kommunerapport 0.2.0»


def record_path(pdf: Path) -> Path:
    return pdf.parent / RECORD_DIR / f"{pdf.name}.json"


def sha256_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def year_and_number(name: str) -> tuple[int | None, str | None]:
    """«kommuneokonomi-2025-4602-kinn.pdf» → (2025, "4602"); «…-fk46-…» → "46";
    a county or the sector's report has no number (``outputs`` names them all)."""
    match = NAME_RE.match(name)
    if not match:
        return None, None
    return int(match.group(1)), match.group(2) or match.group(3)


def record_written(target: Path, *, kind: ReportKind, lang: str, sample: bool) -> Record:
    """Note that the tool has just written ``target``; call after the PDF is in place.

    The year and member number come from the file name (``outputs`` encodes them);
    the kind, language and sample flag from the report's context.
    """
    year, number = year_and_number(target.name)
    record = Record(FORMAT, target.name, sha256_file(target), target.stat().st_size, kind,
                    number if kind == ReportKind.MEMBER else None, year, lang, bool(sample),
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    f"kommunerapport {__version__}")
    try:
        record_path(target).parent.mkdir(exist_ok=True)
        files.write_text(record_path(target), json.dumps(asdict(record), indent=1))
    except OSError as exc:
        raise OutputError(f"Kan ikke skrive registreringen {record_path(target)}: "
                          f"{exc.strerror or exc}.") from None
    return record


def read_record(pdf: Path) -> Record | None:
    """The record of ``pdf``, or None when there is none; RecordError when it is garbled."""
    path = record_path(pdf)
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RecordError(f"Kan ikke lese registreringen {path}: {exc}.") from None
    try:
        record = Record(**raw)
    except TypeError:
        record = None
    if record is None or not valid(record):
        raise RecordError(f"Registreringen {path} er ikke i formatet denne versjonen av "
                          "kommunerapport skriver. Skriv rapporten på nytt.")
    return record


def valid(record: Record) -> bool:
    """Every field of the type it should be: a hand-edited record is not trusted blindly."""
    return (record.format == FORMAT and isinstance(record.file, str)
            and isinstance(record.sha256, str) and re.fullmatch(r"[0-9a-f]{64}", record.sha256)
            is not None and isinstance(record.size, int) and record.kind in set(ReportKind)
            and (record.number is None or isinstance(record.number, str))
            and (record.year is None or isinstance(record.year, int))
            and record.lang in ("nb", "nn") and isinstance(record.sample, bool))


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
