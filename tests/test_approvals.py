"""Draft and approval (issue 19.2): «UTKAST» on every page until approved, ``approve``
records who approved what by its content, ``send`` refuses drafts and reports changed
since approval, and ``send --draft`` sends drafts to a test address only."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hostile.mailserver import Inbox
from pdfs import page_texts

from kommunerapport.batch import run as batch
from kommunerapport.cli import main
from kommunerapport.outputs import approvals, records
from kommunerapport.sources import loading
from kommunerapport.sources.loading import load_builtin

EPOCH = "1772755200"  # 6.3.2026
FEW = ["3903", "4602", "39"]  # Holmestrand (bokmål), Kinn (nynorsk), Vestfold fylkeskommune
HOLMESTRAND = Path("kommuner/kommuneokonomi-2025-3903-holmestrand.pdf")
KINN = Path("kommuner/kommuneokonomi-2025-4602-kinn.pdf")
VESTFOLD = Path("fylkeskommuner/kommuneokonomi-2025-39-vestfold-fylkeskommune.pdf")
MEMBERS = "nummer,navn,epost\n3903,Holmestrand,post@holmestrand.example\n" \
          "4602,Kinn,post@kinn.example\n39,Vestfold,post@vfk.example\n"


@pytest.fixture(autouse=True)
def _dated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


@pytest.fixture
def season(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A press officer's folder: the three members' reports written, as drafts."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(batch, "all_members", lambda register: FEW)
    result = CliRunner().invoke(main, ["--members", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    (tmp_path / "members.csv").write_text(MEMBERS, "utf-8")
    return tmp_path / "output"


def marked_pages(pdf: Path) -> list[bool]:
    """Per page: whether it carries «UTKAST»."""
    return ["UTKAST" in text for text in page_texts(pdf)]


def test_a_report_is_a_draft_on_every_page_until_approved(season: Path) -> None:
    for name in (HOLMESTRAND, KINN, VESTFOLD):
        pages = marked_pages(season / name)
        assert pages and all(pages), name
        assert records.read_record(season / name).status == records.DRAFT
    # The line under the band, in the report's own written form (Kinn is nynorsk).
    assert "Utkast – ikkje godkjent for publisering" in page_texts(season / KINN)[0]
    assert "Utkast – ikke godkjent for publisering" in page_texts(season / HOLMESTRAND)[0]


def test_approve_records_who_approved_what_and_the_rerun_drops_the_mark(season: Path) -> None:
    result = CliRunner().invoke(main, ["approve", "--by", "Kari  Nordmann", "--all"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "Godkjent av Kari Nordmann: 3, allerede godkjent: 0."
    assert f"  Godkjent: {KINN}" in result.stdout
    stored = json.loads((season / "kommuner" / ".rapportregister" / "godkjenninger.json")
                        .read_text("utf-8"))
    kinn = records.read_record(season / KINN)
    assert [(a["file"], a["fingerprint"], a["by"]) for a in stored["godkjenninger"]] == [
        (HOLMESTRAND.name, records.read_record(season / HOLMESTRAND).fingerprint,
         "Kari Nordmann"), (KINN.name, kinn.fingerprint, "Kari Nordmann")]
    # Approving changes no PDF: the rerun writes the approved ones without the mark.
    rerun = CliRunner().invoke(main, ["--members", "--jobs", "1"])
    assert "Skrevet: 3, uendret: 0" in rerun.stderr
    assert "Utkast:" not in rerun.stderr
    for name in (HOLMESTRAND, KINN, VESTFOLD):
        assert not any(marked_pages(season / name)), name
        record = records.read_record(season / name)
        assert (record.status, record.approved_by) == (records.APPROVED, "Kari Nordmann")
    assert records.read_record(season / KINN).fingerprint == kinn.fingerprint
    third = CliRunner().invoke(main, ["--members", "--jobs", "1"])
    assert "Skrevet: 0, uendret: 3" in third.stderr


def test_a_report_changed_after_approval_is_a_draft_again(
        season: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    CliRunner().invoke(main, ["approve", "--by", "Kari Nordmann", "--all"])
    CliRunner().invoke(main, ["--members", "--jobs", "1"])
    revised = load_builtin()
    table = revised.table.copy()
    row = (table.unit == "3903") & (table.year == 2025)
    table.loc[row & (table.measure == "ndr"), "value"] = 109487.0  # 4,4 % of 2 488 333
    table.loc[row & (table.measure == "ndr_pct"), "value"] = 4.4
    monkeypatch.setattr(loading, "load_dataset",
                        lambda path: dataclasses.replace(revised, table=table))
    rerun = CliRunner().invoke(main, ["--members", "--jobs", "1"])
    assert "Skrevet: 1, uendret: 2" in rerun.stderr
    record = records.read_record(season / HOLMESTRAND)
    assert (record.status, record.approved_by) == (records.CHANGED, "Kari Nordmann")
    assert all(marked_pages(season / HOLMESTRAND))
    inbox = Inbox().start()
    try:
        sent = CliRunner().invoke(main, send_args(inbox.port))
    finally:
        inbox.stop()
    assert sent.exit_code == 1
    year, month, date = record.approved_at[:10].split("-")
    day = f"{int(date)}.{int(month)}.{year}"  # as Norwegians write a date
    assert sent.stderr == (
        f"Feil: 1 rapport i output er ikke godkjent og sendes ikke: {HOLMESTRAND.name} "
        f"(endret siden Kari Nordmann godkjente den {day}; utkast). Godkjenn med "
        "kommunerapport approve og lag dem på nytt, eller send dem til en testadresse med "
        "--draft.\n")
    assert inbox.attempts == Counter()


def send_args(port: int, *extra: str) -> list[str]:
    return ["send", "--recipients", "members.csv", "--smtp-host", "127.0.0.1", "--smtp-port",
            str(port), "--from", "analyse@ks.example", "--allow-sample", *extra]


def test_send_refuses_drafts_and_sends_them_to_a_test_address_with_draft(season: Path) -> None:
    inbox = Inbox().start()
    try:
        refused = CliRunner().invoke(main, send_args(inbox.port))
        assert refused.exit_code == 1
        assert refused.stderr.startswith("Feil: 3 rapporter i output er ikke godkjent og "
                                         "sendes ikke: ")
        assert f"{KINN.name} (ikke godkjent; utkast)" in refused.stderr
        assert inbox.attempts == Counter()
        trial = CliRunner().invoke(main, send_args(inbox.port, "--draft", "meg@ks.example"))
        assert trial.exit_code == 0, trial.output
        assert inbox.received() == Counter({"meg@ks.example": 3})  # nobody else
        subjects = sorted(str(m["Subject"]) for _, m in inbox.messages)
        assert any("Kinn" in s for s in subjects)
        # Approved and written again, the real run sends each member its own report.
        CliRunner().invoke(main, ["approve", "--by", "Kari Nordmann", "--all"])
        CliRunner().invoke(main, ["--members", "--jobs", "1"])
        real = CliRunner().invoke(main, send_args(inbox.port))
        assert real.exit_code == 0, real.output
        assert inbox.received() == Counter({"meg@ks.example": 3, "post@holmestrand.example": 1,
                                            "post@kinn.example": 1, "post@vfk.example": 1})
    finally:
        inbox.stop()


def test_a_test_address_must_be_an_address(season: Path) -> None:
    result = CliRunner().invoke(main, send_args(25, "--draft", "ikke en adresse", "--dry-run"))
    assert result.exit_code == 2
    assert result.stderr == "Feil: --draft: ugyldig e-postadresse «ikke en adresse».\n"


def test_approve_refuses_what_the_record_does_not_vouch_for(season: Path) -> None:
    (season / KINN).write_bytes((season / KINN).read_bytes() + b"% edited\n")
    result = CliRunner().invoke(main, ["approve", "--by", "Kari Nordmann", "--all"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Feil: Kan ikke godkjenne 1 rapport: {KINN} (endret etter at kommunerapport skrev "
        "den). Ingenting er godkjent; lag rapportene på nytt og se på dem først.\n")
    assert approvals.load(season / "kommuner").entries == ()
    assert approvals.load(season / "fylkeskommuner").entries == ()


def test_approve_by_name_only_what_is_named(season: Path) -> None:
    result = CliRunner().invoke(main, ["approve", "--by", "Kari Nordmann", KINN.name])
    assert result.exit_code == 0, result.output
    again = CliRunner().invoke(main, ["approve", "--by", "Ola Nordmann", str(Path("output")
                                                                            / KINN)])
    assert again.stdout.splitlines()[0] == "Godkjent av Ola Nordmann: 0, allerede godkjent: 1."
    assert [a.file for a in approvals.load(season / "kommuner").entries] == [KINN.name]
    assert approvals.load(season / "fylkeskommuner").entries == ()


@pytest.mark.parametrize(("args", "message"), [
    (["approve", "--by", "Kari"], "Feil: Nevn rapportene som skal godkjennes, eller bruk --all "
                                  "for alle.\n"),
    (["approve", "--by", " ", "--all"], "Feil: --by: skriv navnet på den som godkjenner, for "
                                        "eksempel --by \"Kari Nordmann\" (én linje, høyst 100 "
                                        "tegn).\n"),
    (["approve", "--by", "Kari", "finnes-ikke.pdf"],
     "Feil: Fant ikke rapporten «finnes-ikke.pdf» i output (mappene sektor, fylker, kommuner, "
     "fylkeskommuner).\n"),
])
def test_approve_says_what_is_wrong(season: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert result.stderr == message


def test_approve_without_reports_says_so(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["approve", "--by", "Kari", "--all"])
    assert result.exit_code == 2
    assert result.stderr == ("Feil: Fant ikke rapportmappen output. Lag rapportene først (for "
                             "eksempel kommunerapport --members), eller velg mappe med "
                             "--reports.\n")
