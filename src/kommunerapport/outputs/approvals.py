"""Who approved which report: the approvals in the tool's register, by content fingerprint.

``kommunerapport approve`` adds one entry per report: the file, the fingerprint of
what it says (``records.Record.fingerprint``), who approved it and when. The entries
live in the register folder beside the records::

    output/kommuner/.rapportregister/godkjenninger.json

and are never removed: an approval is of one content. A report written later with the
same content is approved (no «UTKAST»); with other content it is a draft again,
«changed since approval», until someone approves the new content.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

from kommunerapport import files
from kommunerapport.errors import KommunerapportError, UsageError, os_reason
from kommunerapport.outputs import records
from kommunerapport.outputs.names import FOLDERS, shown
from kommunerapport.outputs.records import RECORD_DIR

FILE = "godkjenninger.json"
FORMAT = 1


class ApprovalsError(KommunerapportError):
    """An approvals file that cannot be read or written."""


@dataclass(frozen=True)
class Approval:
    """One report's content approved by a person."""

    file: str  # the PDF's name
    fingerprint: str  # its content (records.Record.fingerprint)
    by: str  # the person's name, as given to ``approve --by``
    at: str  # UTC, ISO 8601


@dataclass(frozen=True)
class Approvals:
    """The approvals of one folder of reports."""

    entries: tuple[Approval, ...] = ()

    def of(self, file: str, fingerprint: str) -> Approval | None:
        """The latest approval of this content of this file, if any."""
        found = [a for a in self.entries if a.file == file and a.fingerprint == fingerprint]
        return found[-1] if found else None

    def latest(self, file: str) -> Approval | None:
        """The latest approval of any content of this file, if any."""
        found = [a for a in self.entries if a.file == file]
        return found[-1] if found else None


def approvals_path(folder: Path) -> Path:
    """The approvals of the reports in ``folder`` (where their PDFs are)."""
    return folder / RECORD_DIR / FILE


_CACHE: dict[Path, tuple[tuple[int, int], Approvals]] = {}


def load(folder: Path) -> Approvals:
    """The approvals of the reports in ``folder``; none when there is no file yet.

    Read again only when the file changed (a batch asks once per report)."""
    path = approvals_path(folder)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return Approvals()
    except OSError as exc:
        raise ApprovalsError(f"Kan ikke lese godkjenningene {path}: {os_reason(exc)}.") \
            from None
    key = (info.st_mtime_ns, info.st_size)
    cached = _CACHE.get(path)
    if cached is not None and cached[0] == key:
        return cached[1]
    approvals = _read(path)
    _CACHE[path] = (key, approvals)
    return approvals


def _read(path: Path) -> Approvals:
    odd = files.kind_of(path.parent) or files.kind_of(path)
    if odd is not None:
        raise ApprovalsError(f"Godkjenningene {path} ligger i eller er {odd}; kommunerapport "
                             "følger ikke lenker.")
    try:
        raw = json.loads(files.read_regular(path).decode("utf-8"))
    except files.NotRegular as exc:
        raise ApprovalsError(f"Godkjenningene {path} er {exc.what}, ikke en vanlig fil.") \
            from None
    except OSError as exc:
        raise ApprovalsError(f"Kan ikke lese godkjenningene {path}: {os_reason(exc)}.") \
            from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ApprovalsError(f"Godkjenningene {path} er ikke gyldig JSON.") from None
    try:
        if raw.get("format") != FORMAT:
            raise TypeError
        entries = tuple(Approval(**entry) for entry in raw["godkjenninger"])
        if not all(isinstance(v, str) for a in entries for v in asdict(a).values()):
            raise TypeError
    except (AttributeError, KeyError, TypeError):
        raise ApprovalsError(f"Godkjenningene {path} er ikke i formatet denne versjonen av "
                             "kommunerapport skriver.") from None
    return Approvals(entries)


def add(folder: Path, new: Iterable[Approval]) -> Approvals:
    """Add approvals for reports in ``folder``, whole or not at all; all of them after."""
    approvals = Approvals(load(folder).entries + tuple(new))
    path = approvals_path(folder)
    files.own_folder(path.parent)
    text = json.dumps({"format": FORMAT, "godkjenninger": [asdict(a) for a in
                                                          approvals.entries]},
                      indent=1, ensure_ascii=False)
    files.write_text(path, text, what="godkjenningene")
    _CACHE.pop(path, None)
    return approvals


# --- Approving reports ---------------------------------------------------------------


@dataclass(frozen=True)
class Approved:
    """What ``approve_reports`` did."""

    approved: tuple[Path, ...]  # newly approved
    already: tuple[Path, ...]  # approved before, with this content


def check_name(by: str) -> str:
    """The approver's name as it goes into the register: one line of printable text."""
    name = " ".join(by.split())
    if not name or len(name) > 100 or not name.isprintable():
        raise UsageError("--by: skriv navnet på den som godkjenner, for eksempel "
                         "--by \"Kari Nordmann\" (én linje, høyst 100 tegn).")
    return name


def choose(out_dir: Path, names: Iterable[str], everything: bool) -> list[Path]:
    """The PDFs to approve: those named (a path, or a file name in one of the output
    folder's kind folders), or with ``everything`` every report in them."""
    if everything:
        return [path for folder in FOLDERS for path in sorted((out_dir / folder).glob("*.pdf"))
                if files.kind_of(out_dir / folder) is None]
    chosen = []
    for name in names:
        path = Path(name)
        candidates = [path] if path.parent != Path() or path.exists() else [
            out_dir / folder / name for folder in FOLDERS]
        found = [p for p in candidates if p.exists() or p.is_symlink()]
        if not found:
            raise UsageError(f"Fant ikke rapporten «{name}» i {out_dir} (mappene "
                             f"{', '.join(FOLDERS)}).")
        resolved = found[0].absolute()
        if out_dir.absolute() not in resolved.parents:
            raise UsageError(f"{name} ligger ikke i rapportmappen {out_dir}; velg mappen "
                             "med --reports.")
        chosen.append(found[0])
    return list(dict.fromkeys(chosen))


def approve_reports(out_dir: Path, by: str, names: Iterable[str] = (),
                    everything: bool = False) -> Approved:
    """Record that ``by`` approved the chosen reports, each by the fingerprint of what it
    says. All or nothing: a report the tool's record does not vouch for (not written by
    it, edited since, a link) is named, and nothing is approved."""
    by = check_name(by)
    chosen = choose(out_dir, names, everything)
    refused, todo, already = [], [], []
    for pdf in chosen:
        record = records.current(pdf)
        if record is None:
            refused.append(f"{shown(pdf, out_dir)} ({why_not(pdf)})")
        elif load(pdf.parent).of(pdf.name, record.fingerprint) is not None:
            already.append(pdf)
        else:
            todo.append((pdf, record))
    if refused:
        raise ApprovalsError(
            f"Kan ikke godkjenne {len(refused)} "
            f"{'rapport' if len(refused) == 1 else 'rapporter'}: {', '.join(refused[:3])}"
            + (f" og {len(refused) - 3} til" if len(refused) > 3 else "")
            + ". Ingenting er godkjent; lag rapportene på nytt og se på dem først.")
    at = records.now()
    for folder in dict.fromkeys(pdf.parent for pdf, _ in todo):
        add(folder, [Approval(pdf.name, record.fingerprint, by, at)
                     for pdf, record in todo if pdf.parent == folder])
    return Approved(tuple(pdf for pdf, _ in todo), tuple(already))


def why_not(pdf: Path) -> str:
    """Why the tool's record does not vouch for ``pdf``, in Norwegian."""
    odd = files.kind_of(pdf)
    if odd is not None:
        return odd
    try:
        sha256 = records.sha256_file(pdf)
    except (OSError, files.NotRegular) as exc:
        return str(exc)
    return records.check(pdf, sha256)[1] or "ukjent"
