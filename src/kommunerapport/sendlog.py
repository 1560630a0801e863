"""The send log: which report went to which address, so that ``send`` is safe to rerun.

One SQLite file beside the reports. A row is written only after the mail server
accepted the message (its 250 reply to DATA), and committed at once, so a run
that dies half-way leaves a log of exactly what was delivered.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kommunerapport.errors import DeliveryError

LOG_NAME = "sendlogg.sqlite3"

SCHEMA = """
CREATE TABLE IF NOT EXISTS sent (
    recipient     TEXT NOT NULL,  -- the address, lower case
    member        TEXT NOT NULL,  -- kommunenummer or fylkesnummer
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    sent_at       TEXT NOT NULL,  -- UTC, ISO 8601
    PRIMARY KEY (recipient, member, report_sha256)
)
"""


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

    def record(self, recipient: str, member: str, sha256: str, report_name: str,
               message_id: str) -> None:
        """Note one accepted message; committed before returning."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?)",
                (recipient.lower(), member, sha256, report_name, message_id,
                 datetime.now(UTC).isoformat(timespec="seconds")),
            )

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM sent").fetchone()[0]


def open_log(folder: Path) -> SendLog:
    """Open (or create) the send log in the reports folder, locked for this run.

    The exclusive lock is held until the log is closed, so two ``send`` runs on
    the same folder cannot both send the same report.
    """
    path = folder / LOG_NAME
    try:
        db = sqlite3.connect(path, timeout=0.5)
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute(SCHEMA)
        db.execute("BEGIN EXCLUSIVE")
        db.commit()  # in exclusive locking mode the lock outlives the transaction
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    return SendLog(path, db)


def read_only_log(folder: Path) -> SendLog | None:
    """The log for a dry run, without creating a file; None if there is none yet."""
    path = folder / LOG_NAME
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=0.5)
        db.execute("SELECT 1 FROM sent LIMIT 1")
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    return SendLog(path, db)


def log_error(path: Path, exc: sqlite3.Error) -> DeliveryError:
    if "locked" in str(exc):
        return DeliveryError(f"Sendeloggen {path} er i bruk av en annen sending. "
                             "Vent til den er ferdig.")
    return DeliveryError(f"Kan ikke bruke sendeloggen {path}: {exc}.")
