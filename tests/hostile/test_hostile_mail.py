"""Hostile and faulty input to ``kommunerapport send`` (issue 10, «Mail»).

The promise: each member gets its report exactly once, or the tool says that the
outcome is unknown. Every case runs against a real SMTP server on 127.0.0.1.
"""

from __future__ import annotations

import os
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from hostile.conftest import Hostile
from hostile.mailserver import Inbox
from kommunerapport.mail import sendlog
from kommunerapport.mail import smtp as mail_smtp
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs import records
from kommunerapport.render import pdf as render
from kommunerapport.reports import member_report, write

FROM = "analyse@ks.example"
# nummer, kortnavn, address (written forms from the register, Klass 131/104).
MEMBERS = [
    ("3901", "Horten", "post@horten.example"),
    ("4602", "Kinn", "post@kinn.example"),
    ("46", "Vestland", "post@vestland.example"),
]
EVERYONE = Counter(address for *_, address in MEMBERS)
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
    path = folder / outputs.report_name(ReportKind.MEMBER, year, number, short)
    with path.open("wb") as f:
        writer.write(f)
    records.record_written(path, kind="member", lang="nb", sample=sample)
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
    monkeypatch.setattr(mail_smtp, "COMMAND_TIMEOUT", 0.3)  # seconds of silence (60 in use)
    inbox.stall_after_data = 1.0
    result = hostile.run(send(inbox.port), exit_code=1, message=(
        "Feil: 1 av 3 e-poster ble ikke sendt, og 2 har ukjent utfall (sendes ikke på nytt "
        "uten --resend-unknown); se over."))
    assert result.stdout.splitlines()[0] == (
        "Ukjent utfall: 3901 Horten <post@horten.example>: e-postserveren svarte ikke på 0,3 "
        "sekunder etter at hele e-posten var overført")
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
    kinn = write(report, root / "output" / outputs.report_name(ReportKind.MEMBER, 2025, "4602",
                                                               "Kinn"), mine)
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
    spoil(root / "output" / outputs.report_name(ReportKind.MEMBER, 2025, "4602", "Kinn"))
    hostile.run(send(inbox.port), exit_code=1, message=(
        f"Feil: 1 rapport i output kan ikke sendes: kommuneokonomi-2025-4602-kinn.pdf ({why}). "
        "Lag dem på nytt med kommunerapport --members."))
    assert inbox.attempts == Counter()


# --- Which report: the tool's record, never the alphabet ------------------------------


def test_an_old_copy_sorting_last_is_not_sent(hostile: Hostile, root: Path,
                                              inbox: Inbox) -> None:
    current = root / "output" / outputs.report_name(ReportKind.MEMBER, 2025, "4602", "Kinn")
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
        f"Error: Invalid value for '--smtp-port': {port} is not in the range 1<=x<=65535."))


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
