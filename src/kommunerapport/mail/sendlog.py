"""The send log: which report went to which address, so that ``send`` is safe to rerun.

One SQLite file beside the reports, written ahead of the network:

1. A new log is made whole (a temporary file with its tables, linked into place), so
   a log is never half made; then, for a run, a row goes into ``runs``: a log that
   cannot be written stops the run before the first message.
2. Before a message goes to the server it is noted in ``unknown`` as prepared
   (``PREPARED``): not delivered, whatever happens next, because a server keeps
   nothing without the final dot of the message.
3. Just before the final dot goes out, the note becomes ``SENDING``: from here until
   the server's reply, nobody can tell whether it was delivered.
4. After a 2xx reply it moves to ``sent``, in one transaction. A refusal, or a server
   that did not answer before the final dot, moves it to ``failed``; a run stopped
   before the final dot removes it.

A run killed at any moment leaves the truth: a prepared note was never delivered (the
next run removes it and sends the message), a ``SENDING`` note is an unknown outcome
that ``send`` never sends again by itself (``--resend-unknown``, or ``kommunerapport
sendlog --confirm ADDRESS`` once the recipient says it arrived).

The log is refused, by every mode, when it cannot be the truth: a symbolic link (the
tool never writes through one), an empty or truncated file, a damaged database, or
somebody else's tables. Deleting it is the user's decision, never the tool's.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kommunerapport import __version__, files
from kommunerapport.errors import DeliveryError

LOG_NAME = "sendlogg.sqlite3"
COMPANIONS = ("-journal", "-wal", "-shm")  # the files SQLite keeps beside a database
SENDING = "sendingen ble avbrutt før serveren svarte"  # a note the run never got to resolve
PREPARED = "klargjort, ikke overlevert"  # noted before the final dot: never delivered
SQLITE_MAGIC = b"SQLite format 3\x00"

COLUMNS = {
    "sent": ("recipient", "member", "report_sha256", "report_name", "message_id", "sent_at"),
    "unknown": ("recipient", "member", "report_sha256", "report_name", "message_id", "since",
                "reason"),
    "failed": ("recipient", "member", "report_sha256", "report_name", "failed_at", "reason"),
    "runs": ("started_at", "tool"),
}
TABLES = (
    """CREATE TABLE IF NOT EXISTS sent (
    recipient     TEXT NOT NULL,  -- the address, lower case
    member        TEXT NOT NULL,  -- kommunenummer or fylkesnummer
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    sent_at       TEXT NOT NULL,  -- UTC, ISO 8601
    PRIMARY KEY (recipient, member, report_sha256)
)""",
    """CREATE TABLE IF NOT EXISTS unknown (
    recipient     TEXT NOT NULL,
    member        TEXT NOT NULL,
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    message_id    TEXT NOT NULL,
    since         TEXT NOT NULL,  -- when it was noted, UTC
    reason        TEXT NOT NULL,  -- PREPARED, SENDING, or why the outcome is unknown
    PRIMARY KEY (recipient, member, report_sha256)
)""",
    """CREATE TABLE IF NOT EXISTS failed (
    recipient     TEXT NOT NULL,
    member        TEXT NOT NULL,
    report_sha256 TEXT NOT NULL,
    report_name   TEXT NOT NULL,
    failed_at     TEXT NOT NULL,  -- UTC
    reason        TEXT NOT NULL   -- the server's reply, or why there was none
)""",
    """CREATE TABLE IF NOT EXISTS runs (
    started_at    TEXT NOT NULL,  -- UTC; also proves the log can be written
    tool          TEXT NOT NULL
)""",
)

# SQLite's result codes (``sqlite3.Error.sqlite_errorname``) in words.
SQLITE_WORDS = (
    ("SQLITE_FULL", "disken er full"),
    ("SQLITE_READONLY", "filen eller mappen er skrivebeskyttet"),
    ("SQLITE_IOERR", "lese- eller skrivefeil på disken"),
    ("SQLITE_CANTOPEN", "filen kan ikke åpnes"),
    ("SQLITE_PERM", "mangler tillatelse"),
    ("SQLITE_AUTH", "mangler tillatelse"),
    ("SQLITE_CORRUPT", "filen er skadet"),
    ("SQLITE_NOTADB", "filen er ikke en SQLite-database"),
    ("SQLITE_BUSY", "filen er i bruk av en annen sending"),
    ("SQLITE_LOCKED", "filen er i bruk av en annen sending"),
    ("SQLITE_NOMEM", "for lite minne"),
)
# The operating system's error numbers in words.
OS_WORDS = {
    errno.ENOSPC: "disken er full",
    errno.EDQUOT: "diskkvoten er brukt opp",
    errno.EROFS: "filsystemet er skrivebeskyttet",
    errno.EACCES: "mangler skrivetilgang",
    errno.EPERM: "mangler tillatelse",
    errno.EIO: "lese- eller skrivefeil på disken",
    errno.ENOENT: "mappen finnes ikke",
}


def sqlite_words(exc: sqlite3.Error) -> str:
    """Why SQLite refused, in Norwegian; its own words quoted only when unknown."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, words in SQLITE_WORDS:
        if name.startswith(prefix):
            return words
    text = str(exc)
    for english, words in (("readonly", "filen eller mappen er skrivebeskyttet"),
                           ("disk is full", "disken er full"), ("malformed", "filen er skadet"),
                           ("not a database", "filen er ikke en SQLite-database"),
                           ("locked", "filen er i bruk av en annen sending")):
        if english in text:
            return words
    return f"SQLite sier «{text}»"


def os_words(exc: OSError) -> str:
    return OS_WORDS.get(exc.errno or 0, exc.strerror or "ukjent feil")


class LogWriteError(DeliveryError):
    """The log refused a write during the run; ``detail`` says why, in Norwegian."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(f"Kan ikke skrive i sendeloggen {path} ({detail}).")
        self.path, self.detail = path, detail


@dataclass(frozen=True)
class Unknown:
    """A message whose delivery nobody can confirm or deny."""

    since: str
    reason: str


@dataclass(frozen=True)
class Entry:
    """One line of the log's history: a delivery, an unknown outcome or a failure."""

    when: str  # UTC, ISO 8601
    outcome: str  # «sendt», «ukjent» or «feilet»
    recipient: str
    member: str
    report_name: str
    report_sha256: str
    message_id: str
    note: str  # why it is unknown or failed; empty for a delivery


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

    def last_sent(self, recipient: str, member: str) -> str | None:
        """When the newest report went to this address for this member (UTC), or None."""
        row = self.db.execute("SELECT max(sent_at) FROM sent WHERE recipient = ? AND member = ?",
                              (recipient.lower(), member)).fetchone()
        return row[0] if row and row[0] else None

    def unknown(self, recipient: str, member: str) -> dict[str, Unknown]:
        """Report hash → the message of that report whose outcome is unknown."""
        if not self._has("unknown"):  # a log written before this table existed
            return {}
        rows = self.db.execute(
            "SELECT report_sha256, since, reason FROM unknown WHERE recipient = ? AND member = ? "
            "AND reason != ?", (recipient.lower(), member, PREPARED))
        return {sha: Unknown(since, reason) for sha, since, reason in rows}

    def prepare(self, recipient: str, member: str, sha256: str, report_name: str,
                message_id: str) -> None:
        """Note a message about to go to the server: not delivered until the final dot."""
        self._write(("INSERT OR REPLACE INTO unknown VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (recipient.lower(), member, sha256, report_name, message_id, _now(),
                      PREPARED)))

    def sending(self, recipient: str, member: str, sha256: str) -> None:
        """The final dot is about to go: from now on the outcome is unknown until a reply."""
        self._write(("UPDATE unknown SET since = ?, reason = ? WHERE recipient = ? AND "
                     "member = ? AND report_sha256 = ?",
                     (_now(), SENDING, recipient.lower(), member, sha256)))

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

    def failed(self, recipient: str, member: str, sha256: str, report_name: str,
               reason: str) -> None:
        """The server refused it, or did not answer before the final dot: not delivered."""
        key = (recipient.lower(), member, sha256)
        self._write(("INSERT INTO failed VALUES (?, ?, ?, ?, ?, ?)",
                     (*key, report_name, _now(), reason)),
                    ("DELETE FROM unknown WHERE recipient = ? AND member = ? "
                     "AND report_sha256 = ?", key))

    def not_sent(self, recipient: str, member: str, sha256: str) -> None:
        """Stopped before the final dot: forget the note."""
        self._write(("DELETE FROM unknown WHERE recipient = ? AND member = ? "
                     "AND report_sha256 = ?", (recipient.lower(), member, sha256)))

    def confirm(self, recipient: str) -> int:
        """The recipient says the messages of unknown outcome arrived: record them as
        sent (at the time they were handed over). How many."""
        rows = self.db.execute(
            "SELECT recipient, member, report_sha256, report_name, message_id, since "
            "FROM unknown WHERE recipient = ? AND reason != ?",
            (recipient.lower(), PREPARED)).fetchall()
        statements = [("INSERT OR REPLACE INTO sent VALUES (?, ?, ?, ?, ?, ?)", tuple(r))
                      for r in rows]
        statements += [("DELETE FROM unknown WHERE recipient = ? AND member = ? AND "
                        "report_sha256 = ?", tuple(r[:3])) for r in rows]
        if statements:
            self._write(*statements)
        return len(rows)

    def entries(self) -> list[Entry]:
        """The whole history, oldest first: deliveries, unknown outcomes, failures."""
        found = tables(self.db)
        out = [Entry(when, "sendt", r, m, name, sha, mid, "") for r, m, sha, name, mid, when
               in self.db.execute("SELECT * FROM sent")]
        if "unknown" in found:
            out += [Entry(when, "ukjent", r, m, name, sha, mid, why)
                    for r, m, sha, name, mid, when, why in self.db.execute(
                        "SELECT * FROM unknown WHERE reason != ?", (PREPARED,))]
        if "failed" in found:
            out += [Entry(when, "feilet", r, m, name, sha, "", why)
                    for r, m, sha, name, when, why in self.db.execute("SELECT * FROM failed")]
        return sorted(out, key=lambda e: (e.when, e.member, e.recipient))

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
            raise LogWriteError(self.path, sqlite_words(exc)) from None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- Opening ---------------------------------------------------------------------------


def open_log(folder: Path) -> SendLog:
    """Open (or make) the send log in the reports folder, locked for this run.

    The exclusive lock is held until the log is closed, so two ``send`` runs on
    the same folder cannot both send the same report. A row in ``runs`` proves,
    before anything is sent, that the log can be written; notes of messages that
    never reached their final dot (a killed run) are removed: they were not delivered.
    """
    path = folder / LOG_NAME
    if not check_file(path):
        make_log(path)
    try:
        db = sqlite3.connect(path, timeout=0.5)
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    try:
        db.execute("PRAGMA locking_mode = EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
        check_database(db, path)
        for table in TABLES:  # a log of an older version gets the tables it lacks
            db.execute(table)
        db.execute("DELETE FROM unknown WHERE reason = ?", (PREPARED,))
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
    """The log for a dry run, a preview or the status, without making a file; None if
    there is none yet."""
    path = folder / LOG_NAME
    if not check_file(path):
        return None
    try:
        db = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=0.5)
    except sqlite3.Error as exc:
        raise log_error(path, exc) from None
    try:
        check_database(db, path)
    except sqlite3.Error as exc:
        db.close()
        raise log_error(path, exc) from None
    except DeliveryError:
        db.close()
        raise
    return SendLog(path, db)


def make_log(path: Path) -> None:
    """A new, empty log, made whole: written as a temporary file beside it, then linked
    into place (never over anything: a file or link that appeared meanwhile wins)."""
    folder = path.parent
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=f".{LOG_NAME}.{os.getpid()}.", suffix=".tmp",
                                    dir=folder)
        os.close(fd)
        tmp = Path(name)
        db = sqlite3.connect(tmp)
        try:
            with db:
                for table in TABLES:
                    db.execute(table)
        finally:
            db.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
        with contextlib.suppress(OSError):
            dirfd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dirfd)
            finally:
                os.close(dirfd)
    except OSError as exc:
        raise DeliveryError(f"Kan ikke lage sendeloggen {path} ({os_words(exc)}), så ingenting "
                            f"er sendt. Sjekk at det er plass og skrivetilgang i mappen "
                            f"{folder}.") from None
    except sqlite3.Error as exc:
        raise DeliveryError(f"Kan ikke lage sendeloggen {path} ({sqlite_words(exc)}), så "
                            f"ingenting er sendt. Sjekk at det er plass og skrivetilgang i "
                            f"mappen {folder}.") from None
    finally:
        if tmp is not None:
            for leftover in (tmp, tmp.with_name(tmp.name + "-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
    check_file(path)  # what is there now: ours, or one made at the same moment


RESTORE = ("Legg tilbake loggen fra en sikkerhetskopi. Er ingenting sendt fra denne "
           "mappen, slett filen og kjør på nytt.")


def check_file(path: Path) -> bool:
    """Whether the log exists; DeliveryError when it cannot be the send log.

    Nothing is followed or opened that could hang: the file's own ``lstat`` first
    (a symbolic link is refused, dangling or not, and so is one in SQLite's companion
    files), then its first 100 bytes through a descriptor that refuses links.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise DeliveryError(f"Kan ikke bruke sendeloggen {path}: {os_words(exc)}.") from None
    for suffix in COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if os.path.islink(companion):
            raise symlink_refusal(companion)
    if info is None:
        return False
    if stat.S_ISLNK(info.st_mode):
        raise symlink_refusal(path)
    if not stat.S_ISREG(info.st_mode):
        raise DeliveryError(f"Sendeloggen {path} er ikke en fil. Flytt den, eller velg en "
                            "annen mappe med --reports.")
    if info.st_size == 0:
        raise DeliveryError(f"Sendeloggen {path} er tom (0 byte), så det er ukjent hva som alt "
                            f"er sendt. {RESTORE}")
    header = read_header(path)
    if not header.startswith(SQLITE_MAGIC):
        raise DeliveryError(f"{path} er ikke en sendelogg (ikke en SQLite-database). "
                            "Velg en annen mappe med --reports, eller flytt filen.")
    expected = expected_size(header, hot_journal=has_hot_journal(path))
    if info.st_size < 100 or (expected and info.st_size < expected):
        raise DeliveryError(f"Sendeloggen {path} er avkortet ({info.st_size} av "
                            f"{expected or 100} byte), så det er ukjent hva som alt er sendt. "
                            f"{RESTORE}")
    return True


def symlink_refusal(path: Path) -> DeliveryError:
    return DeliveryError(f"{path} er en symbolsk lenke. Verktøyet følger ikke lenker for "
                         f"sendeloggen, så det skriver aldri utenfor {path.parent}. Erstatt "
                         "lenken med selve filen, eller flytt den bort.")


def read_header(path: Path) -> bytes:
    try:
        fd = files.open_no_follow(path)
    except OSError as exc:
        raise DeliveryError(f"Kan ikke lese sendeloggen {path}: {os_words(exc)}.") from None
    try:
        return os.read(fd, 100)
    finally:
        os.close(fd)


def has_hot_journal(path: Path) -> bool:
    """A journal left by a write that was cut off; SQLite rolls it back when it opens."""
    try:
        return os.lstat(path.with_name(path.name + "-journal")).st_size > 0
    except OSError:
        return False


def expected_size(header: bytes, hot_journal: bool) -> int | None:
    """The size a database file of this header must have, if the header says it.

    The page size is at bytes 16–17 (1 means 65 536); the number of pages at 28–31,
    valid when the number at 92–95 equals the change counter at 24–27 (SQLite's file
    format, section 1.3). A journal being rolled back may still grow the file.
    """
    if len(header) < 100 or hot_journal:
        return None
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if header[92:96] != header[24:28] or pages == 0:
        return page_size
    return page_size * pages


def tables(db: sqlite3.Connection) -> set[str]:
    """The log's tables, without SQLite's own (``sqlite_sequence``, ``sqlite_stat1``)."""
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {r[0] for r in rows if not r[0].startswith("sqlite_")}


def check_database(db: sqlite3.Connection, path: Path) -> None:
    """Refuse, in one line, a damaged file or one that is not a send log of this layout.

    A send log from an older version lacks tables that are added; anything else
    (no tables, other tables, other columns) is somebody else's file, and guessing is
    how a report gets sent twice.
    """
    verdict = [r[0] for r in db.execute("PRAGMA quick_check")]
    if verdict != ["ok"]:
        raise DeliveryError(f"Sendeloggen {path} er skadet, så det er ukjent hva som alt er "
                            f"sendt. {RESTORE}")
    found = tables(db)
    foreign = sorted(found - COLUMNS.keys())
    if foreign:
        raise DeliveryError(f"{path} er ikke en sendelogg fra kommunerapport: den har "
                            f"tabellen «{foreign[0]}». Velg en annen mappe med --reports, "
                            "eller flytt filen.")
    if "sent" not in found:
        raise DeliveryError(f"{path} er ikke en sendelogg fra kommunerapport: den mangler "
                            "tabellen «sent». Velg en annen mappe med --reports, eller flytt "
                            "filen.")
    for table in sorted(found):
        columns = tuple(r[1] for r in db.execute(f"PRAGMA table_info({table})"))
        if columns != COLUMNS[table]:
            raise DeliveryError(f"Sendeloggen {path} har ikke formatet denne versjonen av "
                                f"kommunerapport bruker: tabellen «{table}» har kolonnene "
                                f"{', '.join(columns)}, ventet {', '.join(COLUMNS[table])}.")


def log_error(path: Path, exc: sqlite3.Error, writing: bool = False) -> DeliveryError:
    words = sqlite_words(exc)
    if "i bruk" in words:
        return DeliveryError(f"Sendeloggen {path} er i bruk av en annen sending. "
                             "Vent til den er ferdig.")
    if words == "filen er ikke en SQLite-database":
        return DeliveryError(f"{path} er ikke en sendelogg (ikke en SQLite-database). "
                             "Velg en annen mappe med --reports, eller flytt filen.")
    if words == "filen er skadet":
        return DeliveryError(f"Sendeloggen {path} er skadet, så det er ukjent hva som alt er "
                             f"sendt. {RESTORE}")
    if writing:
        return DeliveryError(f"Kan ikke skrive i sendeloggen {path} ({words}), så ingenting "
                             f"er sendt. Sjekk at det er plass og skrivetilgang i mappen "
                             f"{path.parent}.")
    return DeliveryError(f"Kan ikke bruke sendeloggen {path}: {words}.")


@contextlib.contextmanager
def opened(folder: Path, write: bool) -> Iterator[SendLog | None]:
    """The log for a run (``write``: made if need be, locked) or for reading (None if none)."""
    log = open_log(folder) if write else read_only_log(folder)
    try:
        yield log
    finally:
        if log is not None:
            log.db.close()
