"""Hostile and faulty input to ``kommunerapport send`` (issue 10, «Mail»).

The promise: each member gets its report exactly once, or the tool says that the
outcome is unknown. Every case runs against a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import tempfile
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mailkit import EVERYONE, FROM, MEMBERS, Certificates
from pypdf import PdfReader, PdfWriter

from hostile.conftest import Hostile
from hostile.mailserver import Inbox, Kill
from kommunerapport.mail import sendlog
from kommunerapport.mail import smtp as mail_smtp
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs import records
from kommunerapport.outputs.approvals import approve_reports
from kommunerapport.render import pdf as render
from kommunerapport.reports import member_report, write

SUMMARY = ("Sendt: {sent}. Allerede sendt: {already}. Endret, ikke sendt (bruk --resend): 0. "
           "{unknown}Feilet: {failed}.")
UNKNOWN = "Ukjent utfall, ikke sendt på nytt (bruk --resend-unknown): {}. "
DROPPED = ("forbindelsen brøt etter at hele e-posten var overført, før serveren svarte "
           "(serveren lukket forbindelsen)")
STILL_UNKNOWN = ("Feil: {n} har fortsatt ukjent utfall fra en tidligere sending (se over): spør "
                 "mottakerne, og merk det som kom fram med kommunerapport sendlog --confirm "
                 "ADRESSE, eller send på nytt med --resend-unknown.")


def summary(sent: int, already: int = 0, unknown: int = 0, failed: int = 0) -> str:
    return SUMMARY.format(sent=sent, already=already, failed=failed,
                          unknown=UNKNOWN.format(unknown) if unknown else "")


@pytest.fixture
def inbox():
    server = Inbox().start()
    yield server
    server.stop()


def small_report(folder: Path, number: str, short: str, *, sample: bool = False,
                 year: int = 2025) -> Path:
    """A one-page PDF, recorded as ``reports.write`` records what it writes."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    path = outputs.report_path(folder, ReportKind.MEMBER, year, number, short)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        writer.write(f)
    records.record_written(path, kind="member", number=number, year=year, lang="nb",
                           sample=sample, fingerprint=records.sha256_file(path),
                           written_as=records.sha256_file(path), status=records.APPROVED,
                           approved_by="Kari Nordmann", approved_at="2026-03-06T09:00:00+00:00")
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """output/ with the three members' recorded reports, and members.csv."""
    (tmp_path / "output").mkdir()
    for number, short, _ in MEMBERS:
        small_report(tmp_path / "output", number, short)
    rows = "".join(f"{n},{s},{a}\n" for n, s, a in MEMBERS)
    (tmp_path / "members.csv").write_text("nummer,navn,epost\n" + rows, encoding="utf-8")
    return tmp_path


def send(port: int, *extra: str) -> list[str]:
    return ["send", "--recipients", "members.csv", "--reports", "output",
            "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--from", FROM, *extra]


def log_path(root: Path) -> Path:
    return root / "output" / sendlog.LOG_NAME


# --- Connection lost after DATA: the outcome is unknown -------------------------------


def test_drop_after_data_is_unknown_named_and_not_retried(hostile: Hostile, root: Path,
                                                          inbox: Inbox) -> None:
    inbox.drop_after_data = {"post@kinn.example"}
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 av 3 e-poster har ukjent utfall og sendes ikke på nytt uten "
        "--resend-unknown; se over."))
    assert result.stdout == (
        "Sendt: 3901 Horten <post@horten.example>\n"
        f"Ukjent utfall: 4602 Kinn <post@kinn.example>: {DROPPED}\n"
        "Sendt: 46 Vestland <post@vestland.example>\n"
        f"{summary(sent=2, unknown=1)}\n"
        f"  Ukjent utfall: 4602 Kinn <post@kinn.example>: {DROPPED}\n")
    assert inbox.received() == EVERYONE  # Kinn's server got it once: no blind retry

    inbox.drop_after_data = set()  # the server is well again; a plain rerun sends nothing
    # and, while the outcome is unknown, says so and ends with an error.
    result = hostile.run(send(inbox.port), exit_code=1,
                         message=STILL_UNKNOWN.format(n="1 e-post"))
    first, named = result.stdout.splitlines()
    assert first == summary(sent=0, already=2, unknown=1)
    assert re.fullmatch(r"  Ukjent utfall: 4602 Kinn <post@kinn\.example>: ved en tidligere "
                        rf"sending \(\d{{4}}-\d\d-\d\dT[\d:]+\+00:00\): {re.escape(DROPPED)}",
                        named), named
    assert inbox.received() == EVERYONE

    result = hostile.run(send(inbox.port, "--resend-unknown"), exit_code=0, message=None)
    assert result.stdout == ("Sendt: 4602 Kinn <post@kinn.example>\n"
                             f"{summary(sent=1, already=2)}\n")
    assert inbox.received() == EVERYONE + Counter({"post@kinn.example": 1})  # asked for
    first, again = [msg for rcpts, msg in inbox.messages if rcpts == ["post@kinn.example"]]
    assert first["Message-ID"] == again["Message-ID"]  # a mail client can spot the duplicate


def test_drop_after_every_data_stops_the_run(hostile: Hostile, root: Path,
                                             inbox: Inbox) -> None:
    # Before: each message was retried 4 times (4 copies) and reported «ikke sendt».
    inbox.drop_after_data = {"*"}
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 av 3 e-poster ble ikke sendt, og 2 har ukjent utfall (sendes ikke på nytt "
        "uten --resend-unknown); se over."))
    assert result.stdout.splitlines()[-4:] == [
        summary(sent=0, unknown=2, failed=1),
        f"  Ukjent utfall: 3901 Horten <post@horten.example>: {DROPPED}",
        f"  Ukjent utfall: 4602 Kinn <post@kinn.example>: {DROPPED}",
        "  Feilet: 46 Vestland <post@vestland.example>: ikke sendt: e-postserveren svarte "
        "ikke på de 2 siste e-postene, så sendingen stoppet"]
    assert inbox.received() == Counter({"post@horten.example": 1, "post@kinn.example": 1})
    inbox.drop_after_data = set()
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 2 e-poster har fortsatt ukjent utfall fra en tidligere sending (se over): spør "
        "mottakerne, og merk det som kom fram med kommunerapport sendlog --confirm ADRESSE, "
        "eller send på nytt med --resend-unknown."))
    assert result.stdout.splitlines()[:2] == ["Sendt: 46 Vestland <post@vestland.example>",
                                              summary(sent=1, unknown=2)]
    assert inbox.received() == EVERYONE  # each exactly once


def test_no_reply_to_data_within_the_timeout_is_unknown(hostile: Hostile, root: Path,
                                                       inbox: Inbox,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_smtp, "COMMAND_TIMEOUT", 1.0)  # seconds of silence (60 in use)
    inbox.stall_after_data = 3.0
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 av 3 e-poster ble ikke sendt, og 2 har ukjent utfall (sendes ikke på nytt "
        "uten --resend-unknown); se over."))
    assert result.stdout.splitlines()[0] == (
        "Ukjent utfall: 3901 Horten <post@horten.example>: e-postserveren svarte ikke på 1 "
        "sekund etter at hele e-posten var overført")
    # Each was handed over once and not again after the timeout; then the run stopped.
    assert inbox.received() == Counter({"post@horten.example": 1, "post@kinn.example": 1})


def test_a_garbled_reply_to_data_is_unknown(hostile: Hostile, root: Path,
                                            inbox: Inbox) -> None:
    inbox.reply_to_data = "OK, probably"  # no reply code
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 av 3 e-poster ble ikke sendt, og 2 har ukjent utfall (sendes ikke på nytt "
        "uten --resend-unknown); se over."))
    assert result.stdout.splitlines()[0] == (
        "Ukjent utfall: 3901 Horten <post@horten.example>: e-postserveren svarte uforståelig "
        "(«probably») etter at hele e-posten var overført")  # smtplib keeps what follows «OK,»
    assert inbox.received() == Counter({"post@horten.example": 1, "post@kinn.example": 1})


def test_ctrl_c_while_waiting_for_the_reply_to_data_is_unknown(hostile: Hostile, root: Path,
                                                               inbox: Inbox) -> None:
    inbox.interrupt_at = "DATA"  # the first message, Horten's
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: Sendingen ble avbrutt (Ctrl-C) etter 0 sendt. 1 e-post har ukjent utfall og "
        "sendes ikke på nytt uten --resend-unknown. Kjør samme kommando igjen for å sende "
        "resten."))
    assert result.stdout == (f"{summary(sent=0, unknown=1)}\n"
                             "  Ukjent utfall: 3901 Horten <post@horten.example>: "
                             "sendingen ble avbrutt før serveren svarte\n")
    result = hostile.run(send(inbox.port), exit_code=1,
                         message=STILL_UNKNOWN.format(n="1 e-post"))
    assert result.stdout.splitlines()[2] == summary(sent=2, unknown=1)
    assert inbox.received() == EVERYONE  # Horten's went once, before the Ctrl-C


def test_ctrl_c_before_the_message_was_handed_over_is_simply_not_sent(
        hostile: Hostile, root: Path, inbox: Inbox) -> None:
    inbox.interrupt_at = "RCPT"  # Horten's RCPT TO: no DATA yet, nothing delivered
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: Sendingen ble avbrutt (Ctrl-C) etter 0 sendt. Kjør samme kommando igjen for å "
        "sende resten."))
    assert result.stdout == f"{summary(sent=0)}\n"
    result = hostile.run(send(inbox.port), exit_code=0, message=None)
    assert result.stdout.splitlines()[-1] == summary(sent=3)
    assert inbox.received() == EVERYONE


# --- The send log cannot be written -------------------------------------------------


def unwritable_by_format(log: Path) -> None:
    """SQLite's own read-only mark: a file format write version above 2 (header byte 18)
    says «written by a newer SQLite; read only». Root cannot write it either."""
    with log.open("r+b") as f:
        f.seek(18)
        f.write(bytes([3]))


def unwritable_by_mode(log: Path) -> None:
    """The case as reported: a read-only file (which root may write all the same)."""
    if os.geteuid() == 0:
        pytest.skip("root writes read-only files; the format case covers root")
    log.chmod(0o444)


@pytest.mark.parametrize("make_unwritable", [unwritable_by_format, unwritable_by_mode])
def test_unwritable_log_stops_before_the_first_message(hostile: Hostile, root: Path,
                                                       inbox: Inbox,
                                                       make_unwritable: Callable[[Path], None]
                                                       ) -> None:
    sendlog.open_log(root / "output").__exit__()  # an earlier run's log
    make_unwritable(log_path(root))
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        f"Feil: Kan ikke skrive i sendeloggen {Path('output') / sendlog.LOG_NAME} (filen eller "
        "mappen er skrivebeskyttet), så ingenting er sendt. Sjekk at det er plass og "
        "skrivetilgang i mappen output."))
    assert result.stdout == ""
    assert inbox.attempts == Counter()  # checked before the first message, not after


def test_log_refusing_to_record_an_accepted_message_stops_and_never_resends(
        hostile: Hostile, root: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    record = sendlog.SendLog.record

    def read_only_from_now(log: sendlog.SendLog, *args: str) -> None:
        log.db.execute("PRAGMA query_only = ON")  # SQLite now refuses writes, as for a full disk
        record(log, *args)

    with monkeypatch.context() as patch:
        patch.setattr(sendlog.SendLog, "record", read_only_from_now)
        result = hostile.run(send(inbox.port), exit_code=1, message=(
            f"Feil: Kan ikke skrive i sendeloggen {Path('output') / sendlog.LOG_NAME} (filen "
            "eller mappen er skrivebeskyttet) da den skulle notere at e-postserveren godtok "
            "3901 Horten <post@horten.example>. Sendingen stopper; e-posten står med ukjent "
            "utfall i loggen og sendes ikke på nytt uten --resend-unknown."))
    assert result.stdout == f"Sendt: 3901 Horten <post@horten.example>\n{summary(sent=1)}\n"
    result = hostile.run(send(inbox.port), exit_code=1,
                         message=STILL_UNKNOWN.format(n="1 e-post"))
    lines = result.stdout.splitlines()
    assert lines[:3] == ["Sendt: 4602 Kinn <post@kinn.example>",
                         "Sendt: 46 Vestland <post@vestland.example>",
                         summary(sent=2, unknown=1)]
    assert re.fullmatch(r"  Ukjent utfall: 3901 Horten <post@horten\.example>: ved en tidligere "
                        r"sending \(.+\): sendingen ble avbrutt før serveren svarte", lines[3])
    assert inbox.received() == EVERYONE  # Horten: once


@pytest.mark.parametrize(("make", "message"), [
    (lambda db: db.execute("CREATE TABLE sent (address TEXT, sha TEXT)"),
     "Sendeloggen {log} har ikke formatet denne versjonen av kommunerapport bruker: tabellen "
     "«sent» har kolonnene address, sha, ventet recipient, member, report_sha256, report_name, "
     "message_id, sent_at."),
    (lambda db: db.execute("CREATE TABLE people (name TEXT)"),
     "{log} er ikke en sendelogg fra kommunerapport: den har tabellen «people». Velg en annen "
     "mappe med --reports, eller flytt filen."),
], ids=["other-columns", "other-tables"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["send", "dry-run"])
def test_a_log_of_another_schema_is_one_line(hostile: Hostile, root: Path, inbox: Inbox,
                                             make: Callable[[sqlite3.Connection], object],
                                             message: str, dry_run: bool) -> None:
    with sqlite3.connect(log_path(root)) as db:
        make(db)
    db.close()
    extra = ("--dry-run",) if dry_run else ()
    hostile.run(send(inbox.port, *extra), exit_code=1,
                message="Feil: " + message.format(log=Path("output") / sendlog.LOG_NAME))
    assert inbox.attempts == Counter()


@pytest.mark.parametrize(("make", "message"), [
    (lambda log: log.write_text("nummer,epost\n", encoding="utf-8"),
     "{log} er ikke en sendelogg (ikke en SQLite-database). Velg en annen mappe med "
     "--reports, eller flytt filen."),
    (lambda log: log.mkdir(),
     "Sendeloggen {log} er ikke en fil. Flytt den, eller velg en annen mappe med --reports."),
], ids=["not-sqlite", "a-folder"])
@pytest.mark.parametrize("dry_run", [False, True], ids=["send", "dry-run"])
def test_a_log_that_is_no_database_is_one_line(hostile: Hostile, root: Path, inbox: Inbox,
                                               make: Callable[[Path], object], message: str,
                                               dry_run: bool) -> None:
    make(log_path(root))
    extra = ("--dry-run",) if dry_run else ()
    hostile.run(send(inbox.port, *extra), exit_code=1,
                message="Feil: " + message.format(log=Path("output") / sendlog.LOG_NAME))
    assert inbox.attempts == Counter()


# --- Sample or real: from the data, not the template ----------------------------------


def test_sample_report_from_a_template_without_meta_is_refused(
        hostile: Hostile, root: Path, inbox: Inbox, dataset: Dataset,
        register: Register) -> None:
    mine = root / "mine"  # the user's own report.html, without the <meta> lines
    mine.mkdir()
    own = (render.asset_dir("templates") / "report.html").read_text("utf-8")
    mine.joinpath("report.html").write_text(
        "\n".join(line for line in own.splitlines() if not line.startswith("<meta name=")),
        encoding="utf-8")
    report = member_report(dataset, register, "4602", 2025, None, Config())
    target = outputs.report_path(root / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    write(report, target, mine)
    approve_reports(root / "output", "Kari Nordmann", [target.name])
    kinn = write(report, target, mine)  # approved: written again, without «UTKAST»
    metadata = PdfReader(kinn).metadata
    assert "Eksempeldata" not in f"{metadata.get('/Keywords')}{metadata.get('/Subject')}"
    hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 rapport bygger på eksempeldata (kommuneokonomi-2025-4602-kinn.pdf) og sendes "
        "ikke. Bruk --allow-sample om det er meningen."))
    assert inbox.attempts == Counter()
    hostile.run(send(inbox.port, "--allow-sample"), exit_code=0, message=None)
    assert inbox.received() == EVERYONE


@pytest.mark.parametrize(("spoil", "why"), [
    (lambda pdf: records.record_path(pdf).unlink(),
     "ikke registrert som skrevet av kommunerapport"),
    (lambda pdf: pdf.write_bytes(pdf.read_bytes() + b"%edited\n"),
     "endret etter at kommunerapport skrev den"),
    (lambda pdf: records.record_path(pdf).write_text("{", encoding="utf-8"),
     "registreringen .rapportregister/kommuneokonomi-2025-4602-kinn.pdf.json kan ikke leses"),
], ids=["no-record", "edited", "garbled-record"])
def test_a_report_the_record_does_not_vouch_for_is_refused(hostile: Hostile, root: Path,
                                                           inbox: Inbox,
                                                           spoil: Callable[[Path], object],
                                                           why: str) -> None:
    spoil(outputs.report_path(root / "output", ReportKind.MEMBER, 2025, "4602", "Kinn"))
    hostile.run(send(inbox.port), exit_code=1, message=(
        f"Feil: 1 rapport i output kan ikke sendes: kommuneokonomi-2025-4602-kinn.pdf ({why}). "
        "Lag dem på nytt med kommunerapport --members."))
    assert inbox.attempts == Counter()


# --- Which report: the tool's record, never the alphabet ------------------------------


def test_an_old_copy_sorting_last_is_not_sent(hostile: Hostile, root: Path,
                                              inbox: Inbox) -> None:
    current = outputs.report_path(root / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    current.with_name("kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf").write_bytes(b"%PDF-old")
    hostile.run(send(inbox.port), exit_code=0, message=None, warnings=[
        "Merk: sender ikke kommuneokonomi-2025-4602-kinn-zzz-gammel.pdf (ikke registrert som "
        "skrevet av kommunerapport)."])
    by_rcpt = {rcpts[0]: msg for rcpts, msg in inbox.messages}
    [attachment] = by_rcpt["post@kinn.example"].iter_attachments()
    assert attachment.get_filename() == current.name
    assert attachment.get_payload(decode=True) == current.read_bytes()


def test_two_reports_the_tool_wrote_for_one_member_and_year_are_refused(
        hostile: Hostile, root: Path, inbox: Inbox) -> None:
    small_report(root / "output", "4602", "Kinn-zzz")  # recorded too: ambiguous
    hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 4602 Kinn har 2 rapporter for 2025 i output: kommuneokonomi-2025-4602-kinn-zzz.pdf, "
        "kommuneokonomi-2025-4602-kinn.pdf. Flytt bort den som ikke skal sendes."))
    assert inbox.attempts == Counter()


# --- Options ------------------------------------------------------------------------


@pytest.mark.parametrize("port", ["70000", "0", "-25"])
def test_smtp_port_out_of_range(hostile: Hostile, root: Path, port: str) -> None:
    # 70000 used to connect to 70000 % 65536 = 4464.
    hostile.run(send(0)[:-4] + ["--smtp-port", port, "--from", FROM], exit_code=2, message=(
        f"Feil: Ugyldig verdi for '--smtp-port': {port} er utenfor det gyldige området "
        "1<=x<=65535."))


def test_a_rate_that_would_sleep_for_days_is_refused(hostile: Hostile, root: Path,
                                                     inbox: Inbox) -> None:
    hostile.run(send(inbox.port, "--rate", "0.0001"), exit_code=2, message=(
        "Feil: --rate «0.0001»: for sakte; minst 0,1 e-post per minutt (én hvert tiende "
        "minutt), for eksempel 30/min."))
    assert inbox.attempts == Counter()


def test_a_slow_rate_says_how_long_up_front(hostile: Hostile, root: Path) -> None:
    result = hostile.run(["send", "--recipients", "members.csv", "--reports", "output",
                          "--rate", "0,1/min", "--from", FROM, "--dry-run"], exit_code=0,
                         message=None)
    # 3 messages, one every 10 minutes: the last goes 20 minutes after the first.
    assert result.stdout.splitlines()[-1] == "Med --rate tar 3 e-poster minst 20 minutter å sende."


# --- Bounded in time and memory (issue 20, item 2) ------------------------------------


class Hung(Exception):
    """The command did not end in time: it would have hung."""


@contextlib.contextmanager
def bounded(seconds: float, megabytes: float) -> Iterator[None]:
    """The block must end within ``seconds`` (else ``Hung`` is raised in it, so a
    regression fails instead of hanging the suite) and allocate at most ``megabytes``
    at its peak (Python's allocations, all threads: tracemalloc)."""
    def hung(signum: int, frame: object) -> None:
        raise Hung(f"still running after {seconds} s")

    before = signal.signal(signal.SIGALRM, hung)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    tracemalloc.start()
    try:
        yield
        peak = tracemalloc.get_traced_memory()[1]
        assert peak < megabytes * 1e6, f"peak {peak / 1e6:.0f} MB, over {megabytes} MB"
    finally:
        tracemalloc.stop()
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


@pytest.fixture
def misbehaving():
    """An Inbox to set up before it starts (``start`` takes aiosmtpd's options)."""
    servers: list[Inbox] = []

    def make(**kwargs: object) -> Inbox:
        server = Inbox()
        for name, value in kwargs.items():
            setattr(server, name, value)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


def test_a_greeting_that_never_ends_is_cut_off_by_the_deadline(
        hostile: Hostile, root: Path, misbehaving: Callable[..., Inbox],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: «220-» lines every 10 s kept send waiting for ever.
    monkeypatch.setattr(mail_smtp, "CONNECT_DEADLINE", 1.0)  # (60 s in use)
    server = misbehaving(drip="greeting").start()
    with bounded(seconds=10, megabytes=20):
        hostile.run(send(server.port), exit_code=1, message=(
            f"Feil: E-postserveren 127.0.0.1:{server.port} svarte ikke på hilsenen innen "
            "fristen på 1 sekund."))
    assert server.attempts == Counter()


def test_endless_ehlo_lines_are_cut_off_by_the_reply_cap(
        hostile: Hostile, root: Path, misbehaving: Callable[..., Inbox]) -> None:
    # Before: 2.9 GB and a MemoryError, before STARTTLS (a man in the middle can do it).
    server = misbehaving(flood_ehlo=True).start()
    with bounded(seconds=10, megabytes=20):
        hostile.run(send(server.port), exit_code=1, message=(
            f"Feil: E-postserveren 127.0.0.1:{server.port}: svaret på EHLO var over grensen "
            "på 100 linjer eller 64 KB."))
    assert server.attempts == Counter()


def test_a_reply_to_data_that_never_ends_is_an_unknown_outcome(
        hostile: Hostile, root: Path, misbehaving: Callable[..., Inbox],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_smtp, "MESSAGE_DEADLINE", 4.0)  # (120 s in use)
    server = misbehaving(drip="data").start()
    with bounded(seconds=30, megabytes=20):
        result = hostile.run(send(server.port), exit_code=1, message=(
            "Feil: 1 av 3 e-poster ble ikke sendt, og 2 har ukjent utfall (sendes ikke på nytt "
            "uten --resend-unknown); se over."))
    late = ("e-postserveren svarte ikke innen fristen på 4 sekunder etter at hele e-posten var "
            "overført")
    assert result.stdout.splitlines()[-3:] == [
        f"  Ukjent utfall: 3901 Horten <post@horten.example>: {late}",
        f"  Ukjent utfall: 4602 Kinn <post@kinn.example>: {late}",
        "  Feilet: 46 Vestland <post@vestland.example>: ikke sendt: e-postserveren svarte "
        "ikke på de 2 siste e-postene, så sendingen stoppet"]
    assert server.received() == Counter({"post@horten.example": 1, "post@kinn.example": 1})


def test_one_unanswered_rcpt_fails_only_its_own_message(
        hostile: Hostile, root: Path, misbehaving: Callable[..., Inbox],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: 326 s, and then every later member «Feilet», also those never tried.
    monkeypatch.setattr(mail_smtp, "COMMAND_TIMEOUT", 2.0)  # seconds of silence (60 in use)
    server = misbehaving(stall_rcpt={"post@kinn.example"}).start()
    stuck = "e-postserveren svarte ikke på RCPT TO på 2 sekunder; e-posten er ikke sendt"
    with bounded(seconds=10, megabytes=20):
        result = hostile.run(send(server.port), exit_code=1,
                             message="Feil: 1 av 3 e-poster ble ikke sendt; se over.")
    assert result.stdout == (
        "Sendt: 3901 Horten <post@horten.example>\n"
        f"Feilet: 4602 Kinn <post@kinn.example>: {stuck}\n"
        "Sendt: 46 Vestland <post@vestland.example>\n"
        f"{summary(sent=2, failed=1)}\n"
        f"  Feilet: 4602 Kinn <post@kinn.example>: {stuck}\n")
    assert server.attempts["post@kinn.example"] == 1  # not retried into the same silence
    server.stall_rcpt = set()
    hostile.run(send(server.port), exit_code=0, message=None)
    assert server.received() == EVERYONE  # Kinn's, once, on the rerun


def test_an_implicit_tls_port_asks_for_smtps(hostile: Hostile, root: Path,
                                            misbehaving: Callable[..., Inbox],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    # Before: 60 s, then «Får ikke kontakt».
    monkeypatch.setattr(mail_smtp, "CONNECT_DEADLINE", 1.0)
    context = Certificates(root).server_context("127.0.0.1")
    server = misbehaving().start(ssl_context=context, server_hostname="127.0.0.1")
    with bounded(seconds=10, megabytes=20):
        hostile.run(send(server.port), exit_code=1, message=(
            f"Feil: E-postserveren 127.0.0.1:{server.port} svarte ikke på hilsenen innen "
            "fristen på 1 sekund. Venter porten på TLS fra første byte (som port 465 gjør), "
            "bruk --smtps."))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_a_non_ascii_login_works(hostile: Hostile, root: Path,
                                 misbehaving: Callable[..., Inbox]) -> None:
    # Before: UnicodeEncodeError in AUTH, a traceback.
    server = misbehaving(users={"analyse-ø".encode(): "blåbær".encode()}).start(auth=True)
    hostile.run(send(server.port, "--smtp-user", "analyse-ø"), exit_code=0, message=None,
                env={"KOMMUNERAPPORT_SMTP_PASSWORD": "blåbær"})
    assert server.received() == EVERYONE


# --- Only regular files are read -------------------------------------------------------


def fifo(path: Path) -> Path:
    path.unlink(missing_ok=True)
    os.mkfifo(path)
    return path


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "send"])
def test_a_pipe_named_like_a_report_is_passed_over(hostile: Hostile, root: Path, inbox: Inbox,
                                                   dry_run: bool) -> None:
    fifo(root / "output" / "kommuneokonomi-2025-4602-kinn-kopi.pdf")
    with bounded(seconds=10, megabytes=50):
        hostile.run(send(inbox.port, *(["--dry-run"] if dry_run else [])), exit_code=0,
                    message=None, warnings=[
                        "Merk: sender ikke kommuneokonomi-2025-4602-kinn-kopi.pdf (ikke en "
                        "vanlig fil)."])


def test_a_pipe_as_the_record_is_refused(hostile: Hostile, root: Path, inbox: Inbox) -> None:
    kinn = outputs.report_path(root / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    fifo(records.record_path(kinn))
    with bounded(seconds=10, megabytes=50):
        hostile.run(send(inbox.port, "--dry-run"), exit_code=1, message=(
            "Feil: 1 rapport i output kan ikke sendes: kommuneokonomi-2025-4602-kinn.pdf "
            "(registreringen .rapportregister/kommuneokonomi-2025-4602-kinn.pdf.json er ikke "
            "en vanlig fil). Lag dem på nytt med kommunerapport --members."))


@pytest.mark.parametrize(("option", "what"), [("--recipients", "Mottakerfilen"),
                                              ("--exclude", "Avmeldingslisten"),
                                              ("--ca-file", "Sertifikatfilen (--ca-file)")])
@pytest.mark.parametrize("kind", ["pipe", "device"])
def test_a_pipe_or_device_as_an_input_is_refused(hostile: Hostile, root: Path, option: str,
                                                 what: str, kind: str) -> None:
    path = fifo(root / "inn.csv") if kind == "pipe" else Path("/dev/zero")
    args = send(25, "--dry-run")
    if option == "--recipients":
        args[args.index("members.csv")] = str(path)
    else:
        args += [option, str(path)]
    with bounded(seconds=10, megabytes=50):
        hostile.run(args, exit_code=2, inputs=[path], message=(
            f"Feil: {what} {path}: er ikke en vanlig fil (men en enhet, et rør eller en "
            "sokkel); lagre innholdet i en fil og oppgi den."))


def test_a_pipe_as_an_email_template_is_refused(hostile: Hostile, root: Path) -> None:
    (root / "mine").mkdir()
    fifo(root / "mine" / "email_body.txt")
    with bounded(seconds=10, megabytes=50):
        hostile.run(send(25, "--dry-run", "--templates", "mine"), exit_code=1, message=(
            f"Feil: E-postmalen {Path('mine') / 'email_body.txt'} kan ikke brukes: ikke en "
            "vanlig fil."))


def test_a_huge_recipients_file_is_refused_before_it_is_read(hostile: Hostile,
                                                             root: Path) -> None:
    with (root / "members.csv").open("ab") as f:
        f.truncate(3_000_000)  # sparse: 3 MB of zeros after the rows
    with bounded(seconds=10, megabytes=20):
        hostile.run(send(25, "--dry-run"), exit_code=2, message=(
            "Feil: Mottakerfilen members.csv: fila er 3 MB, over grensen for mottakerfilen "
            "på 2 MB."))


# --- Exactly once (issue 20, item 3) -----------------------------------------------------


@pytest.mark.parametrize("reply", ["251 2.1.5 Videresendt", "252 2.0.0 Godtatt, ikke sjekket"])
def test_any_2xx_to_the_end_of_data_is_a_delivery(hostile: Hostile, root: Path, inbox: Inbox,
                                                  reply: str) -> None:
    # Before: 251 counted «Feilet» and was not logged, so the rerun delivered twice.
    inbox.reply_to_data = reply
    hostile.run(send(inbox.port), exit_code=0, message=None)
    result = hostile.run(send(inbox.port), exit_code=0, message=None)
    assert result.stdout == f"{summary(sent=0, already=3)}\n"
    assert inbox.received() == EVERYONE


LOG = Path("output") / sendlog.LOG_NAME
RESTORE = ("Legg tilbake loggen fra en sikkerhetskopi. Er ingenting sendt fra denne mappen, "
           "slett filen og kjør på nytt.")


def a_log_with_history(root: Path, inbox: Inbox) -> int:
    """A real log after one run that sent everything; its size."""
    Hostile(root).run(send(inbox.port), exit_code=0, message=None)
    return log_path(root).stat().st_size


MODES = {"send": (), "dry-run": ("--dry-run",), "preview": ("--preview", "utkast")}


@pytest.mark.parametrize("mode", [*MODES, "sendlog"])
def test_an_emptied_log_is_refused_by_every_mode(hostile: Hostile, root: Path, inbox: Inbox,
                                                 mode: str) -> None:
    # Before: `: > sendlogg.sqlite3` made a real run recreate it and send everything again.
    a_log_with_history(root, inbox)
    log_path(root).write_bytes(b"")
    args = (["sendlog", "--reports", "output"] if mode == "sendlog"
            else send(inbox.port, *MODES[mode]))
    hostile.run(args, exit_code=1, message=(
        f"Feil: Sendeloggen {LOG} er tom (0 byte), så det er ukjent hva som alt er sendt. "
        f"{RESTORE}"))
    assert inbox.received() == EVERYONE and log_path(root).stat().st_size == 0


@pytest.mark.parametrize("mode", [*MODES, "sendlog"])
def test_a_truncated_log_is_refused_by_every_mode(hostile: Hostile, root: Path, inbox: Inbox,
                                                  mode: str) -> None:
    size = a_log_with_history(root, inbox)
    with log_path(root).open("r+b") as f:
        f.truncate(8192)  # two pages of SQLite's 4096 bytes are left
    args = (["sendlog", "--reports", "output"] if mode == "sendlog"
            else send(inbox.port, *MODES[mode]))
    hostile.run(args, exit_code=1, message=(
        f"Feil: Sendeloggen {LOG} er avkortet (8192 av {size} byte), så det er ukjent hva som "
        f"alt er sendt. {RESTORE}"))
    assert inbox.received() == EVERYONE


@pytest.mark.parametrize("mode", [*MODES, "sendlog"])
def test_a_damaged_log_is_refused_not_called_unwritable(hostile: Hostile, root: Path,
                                                        inbox: Inbox, mode: str) -> None:
    # Before: a corrupt send log was met with «Gjør filen og mappen skrivbare».
    a_log_with_history(root, inbox)
    with log_path(root).open("r+b") as f:
        f.seek(4096 + 8)  # the second page, past its header: the rows of «sent»
        f.write(b"\xff" * 2048)  # its cell pointers now point past the page
    args = (["sendlog", "--reports", "output"] if mode == "sendlog"
            else send(inbox.port, *MODES[mode]))
    hostile.run(args, exit_code=1, message=(
        f"Feil: Sendeloggen {LOG} er skadet, så det er ukjent hva som alt er sendt. {RESTORE}"))
    assert inbox.received() == EVERYONE


@pytest.mark.parametrize("mode", [*MODES, "sendlog"])
@pytest.mark.parametrize("companion", ["", "-journal"])
def test_a_planted_symlink_is_never_followed(hostile: Hostile, root: Path, inbox: Inbox,
                                             mode: str, companion: str) -> None:
    # Before: a dangling sendlogg.sqlite3 made the tool write outside the folder.
    outside = root / "utenfor" / "planted.sqlite3"
    outside.parent.mkdir()
    link = root / "output" / f"{sendlog.LOG_NAME}{companion}"
    link.symlink_to(outside)
    args = (["sendlog", "--reports", "output"] if mode == "sendlog"
            else send(inbox.port, *MODES[mode]))
    hostile.run(args, exit_code=1, message=(
        f"Feil: {LOG}{companion} er en symbolsk lenke. Verktøyet følger ikke lenker for "
        "sendeloggen, så det skriver aldri utenfor output. Erstatt lenken med selve filen, "
        "eller flytt den bort."))
    assert not outside.exists() and inbox.attempts == Counter()


def test_sigterm_before_the_rcpt_reply_is_not_sent_and_the_rerun_sends_it(
        hostile: Hostile, root: Path, inbox: Inbox) -> None:
    # Before: «ukjent utfall», and the rerun skipped that member and exited 0.
    inbox.interrupt_at, inbox.interrupt_signal = "RCPT", signal.SIGTERM
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: Sendingen ble avbrutt (SIGTERM) etter 0 sendt. Kjør samme kommando igjen for å "
        "sende resten."))
    assert result.stdout == f"{summary(sent=0)}\n"
    hostile.run(send(inbox.port), exit_code=0, message=None)
    assert inbox.received() == EVERYONE


def test_sighup_after_the_final_dot_is_unknown_until_confirmed(
        hostile: Hostile, root: Path, inbox: Inbox) -> None:
    inbox.interrupt_at, inbox.interrupt_signal = "DATA", signal.SIGHUP
    hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: Sendingen ble avbrutt (SIGHUP) etter 0 sendt. 1 e-post har ukjent utfall og "
        "sendes ikke på nytt uten --resend-unknown. Kjør samme kommando igjen for å sende "
        "resten."))
    # While the outcome is unknown, every run says so and exits non-zero.
    for extra in ((), ("--dry-run",)):
        result = hostile.run(send(inbox.port, *extra), exit_code=1,
                             message=STILL_UNKNOWN.format(n="1 e-post"))
        assert any("3901 Horten <post@horten.example>: " in line and "ukjent utfall" in
                   line.casefold() and "ved en tidligere sending" in line
                   for line in result.stdout.splitlines()), result.stdout
    # The recipient says it arrived: recorded as sent, and the runs are clean again.
    result = hostile.run(["sendlog", "--reports", "output", "--confirm", "post@horten.example"],
                         exit_code=0, message=None)
    assert result.stdout == "Merket som mottatt: 1 e-post til post@horten.example.\n"
    result = hostile.run(send(inbox.port), exit_code=0, message=None)
    assert result.stdout == f"{summary(sent=0, already=3)}\n"
    assert inbox.received() == EVERYONE


def test_a_full_disk_while_logging_names_the_log_and_what_it_wrote(
        hostile: Hostile, root: Path, inbox: Inbox, monkeypatch: pytest.MonkeyPatch) -> None:
    prepare = sendlog.SendLog.prepare

    def on_a_full_disk(log: sendlog.SendLog, recipient: str, member: str, sha256: str,
                       report_name: str, message_id: str) -> None:
        pages = log.db.execute("PRAGMA page_count").fetchone()[0]
        log.db.execute(f"PRAGMA max_page_count = {pages}")  # the file cannot grow any more,
        prepare(log, recipient, member, sha256, report_name + " " * 20_000,  # and this note
                message_id)  # needs it to: SQLite's own «database or disk is full»

    with monkeypatch.context() as patch:
        patch.setattr(sendlog.SendLog, "prepare", on_a_full_disk)
        result = hostile.run(send(inbox.port), exit_code=1, message=(
            f"Feil: Kan ikke skrive i sendeloggen {LOG} (disken er full) da den skulle notere "
            "at 3901 Horten <post@horten.example> skal sendes. Sendingen stopper; 3901 Horten "
            "<post@horten.example> er ikke sendt."))
    assert result.stdout == f"{summary(sent=0)}\n"
    assert inbox.attempts == Counter()  # stopped before the server heard of it
    hostile.run(send(inbox.port), exit_code=0, message=None)  # a rerun completes
    assert inbox.received() == EVERYONE


# --- Killed at every step: exactly once, or «ukjent» with an error (issue 20, item 3) ----

STEPS = ["greeting", "EHLO", "AUTH", "MAIL", "RCPT", "DATA", "body", "reply", "QUIT"]
BEFORE_THE_FINAL_DOT = {"greeting", "EHLO", "AUTH", "MAIL", "RCPT", "DATA"}
SIGNALS = {"SIGINT": signal.SIGINT, "SIGTERM": signal.SIGTERM, "SIGHUP": signal.SIGHUP,
           "SIGKILL": signal.SIGKILL}
HANDLED = {"SIGINT": "Ctrl-C", "SIGTERM": "SIGTERM", "SIGHUP": "SIGHUP"}


def send_process(root: Path, port: int) -> subprocess.Popen[str]:
    """``kommunerapport send`` as the console script runs it, in a process of its own."""
    env = {**os.environ, "KOMMUNERAPPORT_SMTP_PASSWORD": "hemmelig"}
    return subprocess.Popen(
        [sys.executable, "-m", "kommunerapport", *send(port, "--smtp-user", "analyse")],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("step", STEPS)
def test_killed_at_any_step_each_member_gets_it_once_or_is_named_unknown(
        root: Path, misbehaving: Callable[..., Inbox], step: str, name: str) -> None:
    """The second message's step (a session's: the first connection's), and then a plain
    rerun: every member's report arrived exactly once, or the rerun names it as «ukjent
    utfall» and ends with an error."""
    server = misbehaving(users={b"analyse": b"hemmelig"}).start(auth=True)
    first = send_process(root, server.port)
    server.kill = Kill(first.pid, SIGNALS[name], step, message=2)
    out, err = first.communicate(timeout=60)
    assert server.kill is None, f"the server never came to {step}"
    # Just after the last reply the run may end before the signal lands (and a signal the
    # test runner's own parent ignores, as a shell ignores SIGINT for a background job, is
    # then ignored): there nothing is in doubt either way.
    assert first.returncode != 0 or step in ("reply", "QUIT"), (out, err)
    assert "Traceback" not in err, err
    if name in HANDLED and step not in ("reply", "QUIT"):  # (after the reply: a race with
        assert err.splitlines()[-1].startswith(  # the end of the run, which may come first)
            f"Feil: Sendingen ble avbrutt ({HANDLED[name]}) etter "), err

    rerun = send_process(root, server.port)
    out, err = rerun.communicate(timeout=60)
    assert "Traceback" not in err, err
    received = server.received()
    unknown = {address for *_, address in MEMBERS for line in out.splitlines()
               if line.startswith("  Ukjent utfall: ")
               and f"<{address}>: ved en tidligere sending" in line}
    for *_, address in MEMBERS:
        assert received[address] == 1 or (address in unknown and rerun.returncode != 0), (
            step, name, address, received, out, err)
    if step in BEFORE_THE_FINAL_DOT:  # nothing can be in doubt: exactly once, and clean
        assert received == EVERYONE and not unknown and rerun.returncode == 0, (out, err)
    if step == "body":  # the server has Kinn's message and never said so: in doubt
        assert unknown == {"post@kinn.example"} and received == EVERYONE, (out, err)
    if unknown:
        assert rerun.returncode == 1 and err.splitlines()[-1].startswith(
            f"Feil: {len(unknown)} e-post")


# --- Memory stays flat over many messages ------------------------------------------------


def many_messages(root: Path, members: int, per_member: int) -> None:
    """``members`` municipalities' reports, ``per_member`` addresses each."""
    from kommunerapport.model.regions import load_register

    (root / "output").mkdir(parents=True)
    rows = ["nummer,navn,epost"]
    for m in load_register().municipalities[:members]:
        small_report(root / "output", m.number, m.short_name)
        addresses = ";".join(f"post{i}@k{m.number}.example" for i in range(per_member))
        rows.append(f"{m.number},{m.short_name},{addresses}")
    (root / "members.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def peak_of_a_send(root: Path, port: int) -> float:
    """The peak resident memory (MB) of one ``kommunerapport send`` process."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kommunerapport", *send(port)], cwd=root,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, process.stderr.read() if process.stderr else ""
    if process.stderr:
        process.stderr.close()
    return usage.ru_maxrss / 1024  # KB on Linux


def test_memory_stays_flat_over_many_messages(tmp_path: Path,
                                              misbehaving: Callable[..., Inbox]) -> None:
    """200 and 800 messages in a process each: the peak may not grow with the count.
    Before: about 100 KB a message without the cyclic collector (60 MB more for 800)."""
    server = misbehaving().start()
    server.handle_DATA = forget  # type: ignore[method-assign]  # keep no messages
    # The send log's fsyncs cost some 40 ms a message on a disk; memory is the point here.
    base = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else tmp_path
    with tempfile.TemporaryDirectory(dir=base, prefix="kommunerapport-test-") as folder:
        small, large = Path(folder) / "small", Path(folder) / "large"
        many_messages(small, 20, 10)
        many_messages(large, 80, 10)
        grown = peak_of_a_send(large, server.port) - peak_of_a_send(small, server.port)
    assert grown < 10, f"{grown:.1f} MB more for 600 more messages"


async def forget(server: object, session: object, envelope: object) -> str:
    return "250 OK"
