"""The send log: which report went to which address, so that ``send`` is safe to rerun.

One SQLite file beside the reports, written ahead of the network:

1. When the log is opened for a run, a row goes into ``runs``: a log that cannot
   be written stops the run before the first message, not after the server has
   accepted one.
2. Before a message is handed to the server it is noted in ``unknown`` («sending»).
3. After the server's 250 reply to DATA it moves to ``sent``, in one transaction.
   A refusal, or a connection lost before the message was handed over, removes
   the note: nothing was delivered, and a rerun sends it.

A message still in ``unknown`` is one whose outcome nobody can tell: the
connection broke after the whole message was handed over and before the server
replied, or the run was killed while waiting for that reply, or the log could
not record the 250. ``send`` never sends those again by itself (``--resend-unknown``).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kommunerapport import __version__
from kommunerapport.errors import DeliveryError, sqlite_reason

LOG_NAME = "sendlogg.sqlite3"
SENDING = "sendingen ble avbrutt før serveren svarte"  # a note the run never got to resolve

COLUMNS = {
    "sent": ("recipient", "member", "report_sha256", "report_name", "message_id", "sent_at"),
    "unknown": ("recipient", "member", "report_sha256", "report_name", "message_id", "since",
                "reason"),
    "runs": ("started_at", "tool"),
}
SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    recipient     TEXT NOT NULL,  -- the address, lower case
    member        TEXT NOT NULL,  -- kommunenummer or fylkesnummer
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    sent_at       TEXT NOT NULL,  -- UTC, ISO 8601
    PRIMARY KEY (recipient, member, report_sha256)
);
CREATE TABLE IF NOT EXISTS unknown (
    recipient     TEXT NOT NULL,
    member        TEXT NOT NULL,
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    since         TEXT NOT NULL,  -- when it was handed to the server, UTC
    reason        TEXT NOT NULL,  -- why the outcome is unknown, in Norwegian
    PRIMARY KEY (recipient, member, report_sha256)
);
CREATE TABLE IF NOT EXISTS runs (
    started_at    TEXT NOT NULL,  -- UTC; also proves the log can be written
    tool          TEXT NOT NULL
);
"""


class LogWriteError(DeliveryError):
    """The log refused a write during the run; ``detail`` says why (SQLite's words)."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"Kan ikke skrive i sendeloggen {path}: {detail}.")
        self.path, self.detail = path, detail


@dataclass(frozen=True)
class Unknown:
    """A message whose delivery nobody can confirm or deny."""

    since: str
    reason: str


@dataclass(frozen=True)
class SendLog:
    """An open send log; use as a context manager."""

    path: Path
    db: sqlite3.Connection

    def __enter__(self) -> SendLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def hashes_sent(self, recipient: str, member: str) -> set[str]:
        """The report hashes already delivered to this address for this member."""
        rows = self.db.execute(
            "SELECT report_sha256 FROM sent WHERE recipient = ? AND member = ?",
            (recipient.lower(), member),
        )
        return {r[0] for r in rows}

    def unknown(self, recipient: str, member: str) -> dict[str, Unknown]:
        """Report hash → the message of that report whose outcome is unknown."""
        if not self._has("unknown"):  # a log written before this table existed
            return {}
        rows = self.db.execute(
            "SELECT report_sha256, since, reason FROM unknown WHERE recipient = ? AND member = ?",
            (recipient.lower(), member),
        )
        return {sha: Unknown(since, reason) for sha, since, reason in rows}

    def sending(self, recipient: str, member: str, sha256: str, report_name: str,
                message_id: str) -> None:
        """Note a message about to be handed to the server (outcome unknown until resolved)."""
        self._write(("INSERT OR REPLACE INTO unknown VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (recipient.lower(), member, sha256, report_name, message_id, _now(),
                      SENDING)))

    def record(self, recipient: str, member: str, sha256: str, report_name: str,
               message_id: str) -> None:
        """Note one accepted message; committed before returning."""
        key = (recipient.lower(), member, sha256)
        self._write(("INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?)",
                     (*key, report_name, message_id, _now())),
                    ("DELETE FROM unknown WHERE recipient = ? AND member = ? "
                     "AND report_sha256 = ?", key))

    def outcome_unknown(self, recipient: str, member: str, sha256: str, reason: str) -> None:
        self._write(("UPDATE unknown SET reason = ? WHERE recipient = ? AND member = ? "
                     "AND report_sha256 = ?", (reason, recipient.lower(), member, sha256)))

    def not_sent(self, recipient: str, member: str, sha256: str) -> None:
        """The server refused it, or it was never handed over: forget the note."""
        self._write(("DELETE FROM unknown WHERE recipient = ? AND member = ? "
                     "AND report_sha256 = ?", (recipient.lower(), member, sha256)))

    def count(self) -> int:
        sent: int = self.db.execute("SELECT count(*) FROM sent").fetchone()[0]
        return sent

    def _has(self, table: str) -> bool:
        return table in tables(self.db)

    def _write(self, *statements: tuple[str, tuple[str, ...]]) -> None:
        """Run (sql, params) pairs in one transaction; LogWriteError if SQLite refuses."""
        try:
            with self.db:
                for sql, params in statements:
                    self.db.execute(sql, params)
        except sqlite3.Error as exc:
            raise LogWriteError(self.path, str(exc)) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def open_log(folder: Path) -> SendLog:
    """Open (or create) the send log in the reports folder, locked for this run.

    The exclusive lock is held until the log is closed, so two ``send`` runs on
    the same folder cannot both send the same report. A row in ``runs`` proves,
    before anything is sent, that the log can be written.
    """
    path = folder / LOG_NAME
    check_is_file(path)
    try:
        db = sqlite3.connect(path, timeout=0.5)
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    try:
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        check_schema(db, path)
        db.executescript(SCHEMA)
        db.execute("BEGIN EXCLUSIVE")
        db.execute("INSERT INTO runs VALUES (?, ?)", (_now(), f"kommunerapport {__version__}"))
        db.commit()  # in exclusive locking mode the lock outlives the transaction
    except sqlite3.Error as exc:
        db.close()
        raise log_error(path, exc, writing=True) from None
    except DeliveryError:
        db.close()
        raise
    return SendLog(path, db)


def read_only_log(folder: Path) -> SendLog | None:
    """The log for a dry run, without creating a file; None if there is none yet."""
    path = folder / LOG_NAME
    if not path.exists():
        return None
    check_is_file(path)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    try:
        check_schema(db, path)
        if "sent" not in tables(db):
            raise DeliveryError(f"Sendeloggen {path} mangler tabellen «sent»; "
                                "er det en sendelogg fra kommunerapport?")
    except sqlite3.Error as exc:
        db.close()
        raise log_error(path, exc) from None
    except DeliveryError:
        db.close()
        raise
    return SendLog(path, db)


def check_is_file(path: Path) -> None:
    if path.exists() and not path.is_file():
        raise DeliveryError(f"Sendeloggen {path} er ikke en fil. Flytt den, eller velg en "
                            "annen mappe med --reports.")


def tables(db: sqlite3.Connection) -> set[str]:
    """The log's tables, without SQLite's own (``sqlite_sequence``, ``sqlite_stat1``)."""
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def check_schema(db: sqlite3.Connection, path: Path) -> None:
    """Refuse, in one line, a file that is not a send log of this layout.

    A send log from an older version lacks tables that are added; anything else
    (other tables, other columns) is somebody else's file, and guessing is how a
    report gets sent twice.
    """
    found = tables(db)
    foreign = sorted(found - COLUMNS.keys())
    if foreign:
        raise DeliveryError(f"{path} er ikke en sendelogg fra kommunerapport: den har "
                            f"tabellen «{foreign[0]}». Velg en annen mappe med --reports, "
                            "eller flytt filen.")
    for table in sorted(found):
        columns = tuple(r[1] for r in db.execute(f"PRAGMA table_info({table})"))
        if columns != COLUMNS[table]:
            raise DeliveryError(f"Sendeloggen {path} har ikke formatet denne versjonen av "
                                f"kommunerapport bruker: tabellen «{table}» har kolonnene "
                                f"{', '.join(columns)}, ventet {', '.join(COLUMNS[table])}.")


def log_error(path: Path, exc: sqlite3.Error, writing: bool = False) -> DeliveryError:
    text = str(exc)
    if "locked" in text:
        return DeliveryError(f"Sendeloggen {path} er i bruk av en annen sending. "
                             "Vent til den er ferdig.")
    if "not a database" in text:
        return DeliveryError(f"{path} er ikke en sendelogg (ikke en SQLite-database). "
                             "Velg en annen mappe med --reports, eller flytt filen.")
    if writing:
        return DeliveryError(f"Kan ikke skrive i sendeloggen {path} ({text}), så ingenting "
                             "er sendt. Gjør filen og mappen skrivbare, og kjør på nytt.")
    return DeliveryError(f"Kan ikke bruke sendeloggen {path}: {sqlite_reason(exc)}.")
