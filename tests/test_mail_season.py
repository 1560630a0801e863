"""A mail-out a press officer can see before it goes (issue 19, item 3): recipients as
Excel saves them, a preview as .eml files, a test send to oneself, one county first, an
opt-out list, a resend marked as such, and the send history (``selection``, ``preview``,
``message``, ``status``). Against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from mailkit import (
    EVERYONE,
    FROM,
    MEMBERS,
    Inbox,
    cli,
    free_port,
    serving,
    setup_folder,
    write_report,
)
from pypdf import PdfReader

from kommunerapport.cli import main
from kommunerapport.mail import status
from kommunerapport.mail.sendlog import LOG_NAME
from kommunerapport.model.config import Config, Words
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs.approvals import approve_reports
from kommunerapport.reports import member_report, write
from kommunerapport.writing.check import MARKERS, WORD


@pytest.fixture
def inbox():
    with serving() as handler:
        yield handler


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return setup_folder(tmp_path)


def plain(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


# --- Recipients as a spreadsheet saves them -------------------------------------------


@pytest.mark.parametrize(("encoding", "prefix", "sep"), [
    ("cp1252", b"", ";"),  # Norwegian Excel: «CSV (semikolondelt)»
    ("latin-1", b"", ";"),
    ("utf-8", b"\xef\xbb\xbf", ","),  # «CSV UTF-8 (kommadelt)», with a byte-order mark
    ("utf-8", b"", ";"),
])
def test_recipients_are_read_as_excel_saves_them(tmp_path: Path, inbox: Inbox, encoding: str,
                                                 prefix: bytes, sep: str) -> None:
    (tmp_path / "output").mkdir()
    for number, short in (("3201", "Bærum"), ("3218", "Ås"), ("4224", "Åseral")):
        write_report(tmp_path / "output", number, short)
    text = (f"nummer{sep}navn{sep}epost\r\n3201{sep}Bærum{sep}post@baerum.example\r\n"
            f"3218{sep}Ås kommune{sep}post@aas.example\r\n4224{sep}Åseral{sep}"
            "post@aseral.example\r\n")
    (tmp_path / "members.csv").write_bytes(prefix + text.encode(encoding))
    result = cli(tmp_path, inbox.port)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert inbox.received() == Counter(
        {"post@baerum.example": 1, "post@aas.example": 1, "post@aseral.example": 1})
    [aseral] = inbox.to("post@aseral.example")
    assert aseral["Subject"] == "Kommuneøkonomien 2025: tala for Åseral kommune"  # nynorsk


def test_every_problem_in_the_recipients_file_is_named_at_once(root: Path,
                                                                inbox: Inbox) -> None:
    (root / "members.csv").write_text(
        "nummer;navn;epost\n3901;Horten;post@horten\n4602;Klepp;post@kinn.example\n"
        "46;Vestland;post@vestland.example\n9999;Atlantis;a@b.example\n"
        "3901;Horten;igjen@horten.example\n", encoding="cp1252")
    result = cli(root, inbox.port)
    path = root / "members.csv"
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{path}, rad 2: ugyldig e-postadresse «post@horten».",
        f"{path}, rad 3: nummer 4602 er Kinn, ikke «Klepp». Rett nummeret eller navnet.",
        f"{path}, rad 5: ukjent kommunenummer 9999.",
        f"Feil: {path} har 3 feil (se over). Rett dem og kjør på nytt; ingenting er sendt."]
    assert inbox.attempts == Counter()


# --- Preview ---------------------------------------------------------------------------


def read_eml(path: Path) -> EmailMessage:
    return message_from_bytes(path.read_bytes(), policy=policy.default)


def without_date_and_boundaries(msg: EmailMessage) -> bytes:
    """The message's bytes but for its Date and the random MIME boundaries."""
    del msg["Date"]
    raw = msg.as_bytes()
    for i, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        raw = raw.replace(part.get_boundary().encode(), f"boundary-{i}".encode())
    return raw


def test_preview_writes_each_message_exactly_as_it_goes(root: Path, inbox: Inbox) -> None:
    result = cli(root, inbox.port, "--preview", str(root / "utkast"))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    names = sorted(p.name for p in (root / "utkast").iterdir())
    assert names == ["001-3901-post@horten.example.eml", "002-4602-post@kinn.example.eml",
                     "003-46-post@vestland.example.eml"]
    assert result.stdout.splitlines()[-1] == (
        f"Forhåndsvisning: 3 e-poster skrevet som .eml i {root / 'utkast'}. Ingenting er sendt.")
    assert inbox.attempts == Counter() and not (root / "output" / LOG_NAME).exists()
    kinn = read_eml(root / "utkast" / "002-4602-post@kinn.example.eml")
    assert (kinn["From"], kinn["To"]) == (FROM, "post@kinn.example")
    assert kinn["Subject"] == "Kommuneøkonomien 2025: tala for Kinn kommune"
    assert kinn["List-Unsubscribe"] == "<mailto:analyse@ks.example?subject=avmeld>"
    assert plain(kinn).startswith("Hei, Kinn kommune!\n")
    [pdf] = kinn.iter_attachments()
    report = outputs.report_path(root / "output", ReportKind.MEMBER, 2025, "4602", "Kinn")
    assert pdf.get_payload(decode=True) == report.read_bytes()

    # Sent for real, each message is the preview but for its Date.
    assert cli(root, inbox.port).exit_code == 0
    for path in (root / "utkast").iterdir():
        previewed = read_eml(path)
        [sent] = inbox.to(previewed["To"])
        assert without_date_and_boundaries(previewed) == without_date_and_boundaries(sent)


def test_a_preview_never_replaces_a_folder_of_other_files(root: Path) -> None:
    result = cli(root, free_port(), "--preview", str(root / "output"))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Feil: --preview {root / 'output'}: mappen har andre filer enn .eml "
        "(fylkeskommuner, kommuner). Velg en ny eller tom mappe.\n")
    again = cli(root, free_port(), "--preview", str(root / "utkast"))
    assert again.exit_code == 0  # a new folder, and then its own earlier preview, are fine
    assert cli(root, free_port(), "--preview", str(root / "utkast")).exit_code == 0


def test_a_preview_needs_the_sender(root: Path) -> None:
    result = CliRunner().invoke(main, ["send", "--recipients", str(root / "members.csv"),
                                       "--reports", str(root / "output"), "--preview", "x"])
    assert (result.exit_code, result.stderr) == (
        2, "Feil: --preview trenger --from: e-postene skrives slik de ville gått, med "
           "avsender.\n")


# --- A test send to oneself ------------------------------------------------------------


def test_to_me_sends_one_of_each_kind_to_the_test_address(root: Path, inbox: Inbox) -> None:
    result = cli(root, inbox.port, "--to-me", "meg@ks.example")
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert result.stdout.splitlines()[0] == (
        "Sender 3 testmeldinger til meg@ks.example: 3901 Horten, 4602 Kinn, 46 Vestland.")
    assert inbox.received() == Counter({"meg@ks.example": 3})  # no member got anything
    subjects = sorted(m["Subject"] for _, m in inbox.messages)
    assert subjects == ["[TEST] Kommuneøkonomien 2025: tala for Kinn kommune",
                        "[TEST] Kommuneøkonomien 2025: tala for Vestland fylkeskommune",
                        "[TEST] Kommuneøkonomien 2025: tallene for Horten kommune"]
    assert not (root / "output" / LOG_NAME).exists()  # a test is no delivery
    result = cli(root, inbox.port)
    assert result.exit_code == 0
    assert inbox.received() == EVERYONE + Counter({"meg@ks.example": 3})
    tested = {m["Message-ID"] for rcpts, m in inbox.messages if rcpts == ["meg@ks.example"]}
    real = {m["Message-ID"] for rcpts, m in inbox.messages if rcpts != ["meg@ks.example"]}
    assert not tested & real  # a test is never taken for the real message


def test_to_me_with_only_sends_those_members(root: Path, inbox: Inbox) -> None:
    result = cli(root, inbox.port, "--to-me", "meg@ks.example", "--only", "4602")
    assert result.exit_code == 0
    [(rcpts, msg)] = inbox.messages
    assert rcpts == ["meg@ks.example"] and msg["To"] == "meg@ks.example"
    assert plain(msg).startswith("Hei, Kinn kommune!")


# --- One county first --------------------------------------------------------------------


@pytest.mark.parametrize(("only", "expected"), [
    (["Vestland"], {"post@kinn.example", "post@vestland.example"}),  # the county's members
    (["vestland"], {"post@kinn.example", "post@vestland.example"}),
    (["3901"], {"post@horten.example"}),
    (["46"], {"post@vestland.example"}),  # a number is one member: the county authority
    (["Kinn", "Vestfold"], {"post@kinn.example", "post@horten.example"}),
])
def test_only_limits_a_run(root: Path, inbox: Inbox, only: list[str],
                           expected: set[str]) -> None:
    args = [a for value in only for a in ("--only", value)]
    result = cli(root, inbox.port, *args)
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert set(inbox.received()) == expected
    assert cli(root, inbox.port).exit_code == 0  # the rest later, each exactly once
    assert inbox.received() == EVERYONE


@pytest.mark.parametrize(("value", "message"), [
    ("Troms", "--only «Troms»: ingen i mottakerfilen {csv} passer."),
    ("0301", "--only «0301»: ingen i mottakerfilen {csv} passer."),
    ("Vestfol", "--only: Ukjent fylke «Vestfol». Mente du: Vestfold?"),
])
def test_only_that_names_nobody_is_refused(root: Path, value: str, message: str) -> None:
    result = cli(root, free_port(), "--only", value)
    assert result.exit_code == 2
    assert result.stderr == "Feil: " + message.format(csv=root / "members.csv") + "\n"


# --- Opting out --------------------------------------------------------------------------


def test_an_opt_out_list_is_respected_and_counted(root: Path, inbox: Inbox) -> None:
    (root / "avmeldt.txt").write_text("# meldt av 3. mars\nPOST@kinn.example\n",
                                      encoding="utf-8")
    result = cli(root, inbox.port, "--exclude", str(root / "avmeldt.txt"))
    assert (result.exit_code, result.stderr) == (0, ""), result.output
    assert set(inbox.received()) == {"post@horten.example", "post@vestland.example"}
    assert result.stdout.splitlines()[-1] == (
        "Sendt: 2. Allerede sendt: 0. Endret, ikke sendt (bruk --resend): 0. "
        "Avmeldt (--exclude): 1. Feilet: 0.")


def test_a_bad_address_in_the_opt_out_list_is_named(root: Path) -> None:
    (root / "avmeldt.txt").write_text("epost\npost@kinn\n", encoding="utf-8")
    result = cli(root, free_port(), "--exclude", str(root / "avmeldt.txt"))
    assert (result.exit_code, result.stderr) == (
        2, f"Feil: {root / 'avmeldt.txt'}, linje 2: ugyldig e-postadresse «post@kinn».\n")


@pytest.mark.parametrize(("given", "header"), [
    ((), "<mailto:analyse@ks.example?subject=avmeld>"),
    (("--unsubscribe", "https://www.ks.example/avmeld"), "<https://www.ks.example/avmeld>"),
])
def test_every_message_says_how_to_opt_out(root: Path, inbox: Inbox, given: tuple[str, ...],
                                          header: str) -> None:
    assert cli(root, inbox.port, *given).exit_code == 0
    for _, msg in inbox.messages:
        assert msg["List-Unsubscribe"] == header
    target = given[1] if given else FROM
    assert plain(inbox.to("post@horten.example")[0]).splitlines()[-1].endswith(f"{target}.")


# --- A resend says what it replaces --------------------------------------------------------


def set_sent_at(root: Path, when: str) -> None:
    with sqlite3.connect(root / "output" / LOG_NAME) as db:
        db.execute("UPDATE sent SET sent_at = ?", (when,))
    db.close()


def test_a_resent_report_says_it_replaces_the_one_sent_on_that_day(root: Path,
                                                                   inbox: Inbox) -> None:
    assert cli(root, inbox.port).exit_code == 0
    # Sent at 23:30 UTC on 6 March: 00:30 on 7 March in Norway (UTC+1 in winter).
    set_sent_at(root, "2026-03-06T23:30:00+00:00")
    write_report(root / "output", "4602", "Kinn", title="Rettet")
    write_report(root / "output", "3901", "Horten", title="Rettet")
    dry = cli(root, inbox.port, "--resend", "--dry-run")
    assert ("E-post til 4602 Kinn <post@kinn.example>: kommuneokonomi-2025-4602-kinn.pdf "
            "(nynorsk, erstatter versjonen sendt 7. mars 2026), «Oppdatert: Kommuneøkonomien "
            "2025: tala for Kinn kommune (erstattar versjonen sendt 7. mars 2026)»") in (
        dry.stdout.splitlines())
    assert cli(root, inbox.port, "--resend").exit_code == 0
    _, kinn = inbox.to("post@kinn.example")
    assert kinn["Subject"] == ("Oppdatert: Kommuneøkonomien 2025: tala for Kinn kommune "
                               "(erstattar versjonen sendt 7. mars 2026)")
    assert plain(kinn).splitlines()[0] == (
        "Denne rapporten erstattar versjonen vi sende dykk 7. mars 2026.")
    assert "<strong>Denne rapporten erstattar versjonen vi sende dykk 7. mars 2026.</strong>" \
        in html(kinn)
    _, horten = inbox.to("post@horten.example")
    assert horten["Subject"] == ("Oppdatert: Kommuneøkonomien 2025: tallene for Horten kommune "
                                 "(erstatter versjonen sendt 7. mars 2026)")
    assert plain(horten).splitlines()[0] == (
        "Denne rapporten erstatter versjonen vi sendte dere 7. mars 2026.")
    first, _ = inbox.to("post@horten.example")
    assert "Oppdatert" not in first["Subject"]  # the first version said nothing of the kind


# --- The words: each written form pure, sample data never «KOSTRA» ------------------------


@pytest.mark.parametrize("sample", [False, True])
@pytest.mark.parametrize("replaces", [None, "7. mars 2026"])
def test_each_body_is_in_one_written_form(root: Path, sample: bool,
                                          replaces: str | None) -> None:
    from kommunerapport.mail.message import Extras, load_templates, render_email
    from kommunerapport.mail.recipients import find_reports, plan_messages, read_recipients

    members = read_recipients(root / "members.csv")
    messages = plan_messages(members, find_reports(members, root / "output"))
    templates = load_templates()
    for out in messages:
        out = type(out)(out.recipient, out.address,
                        type(out.report)(out.report.path, 2025, out.report.sha256, sample))
        subject, body, page = render_email(out, templates, Extras(FROM, replaces=replaces))
        words = {w.casefold() for w in WORD.findall(f"{subject} {body} {page}")}
        foreign = words & MARKERS[out.recipient.lang]
        assert not foreign, (out.recipient.lang, foreign)
        assert "KOSTRA" not in body  # the record does not say the source: the report does
        assert ("eksempeldata" in body) is sample
        assert ("kvar tala er henta frå" in body or "hvor tallene er hentet fra" in body) \
            is not sample


# --- What went to whom ----------------------------------------------------------------------


def test_sendlog_prints_and_exports_what_went_to_whom(root: Path, inbox: Inbox) -> None:
    inbox.permanent["post@kinn.example"] = "550 5.1.1 Mailbox unavailable"
    assert cli(root, inbox.port).exit_code == 1
    runner = CliRunner()
    result = runner.invoke(main, ["sendlog", "--reports", str(root / "output"), "--csv",
                                  str(root / "sendt.csv")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", line[:16]) for line in lines[:3])
    assert sorted(line[16:] for line in lines[:3]) == [  # (in the order they were sent)
        "  feilet         4602 Kinn <post@kinn.example>  kommuneokonomi-2025-4602-kinn.pdf: "
        "550 5.1.1 Mailbox unavailable",
        "  sendt          3901 Horten <post@horten.example>  kommuneokonomi-2025-3901-horten.pdf",
        "  sendt          46 Vestland fylkeskommune <post@vestland.example>  "
        "kommuneokonomi-2025-46-vestland-fylkeskommune.pdf"]
    assert lines[3:] == ["Sendt: 2. Ukjent utfall: 0. Feilet: 1.", f"Skrev {root / 'sendt.csv'}."]
    raw = (root / "sendt.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbftidspunkt;utfall;nummer;mottaker;epost;rapport;")
    rows = raw.decode("utf-8-sig").splitlines()
    assert len(rows) == 4 and all(r.count(";") >= 8 for r in rows)


@pytest.mark.parametrize(("cell", "shown"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("@SUM(A1)", "'@SUM(A1)"),
    ("+47 123", "'+47 123"), ("-1", "'-1"), ("\tx", "'\tx"), ("Horten", "Horten"),
])
def test_csv_cells_are_never_formulas(cell: str, shown: str) -> None:
    assert status.neutralised(cell) == shown  # OWASP's advice for CSV injection


def test_sendlog_without_a_log(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sendlog", "--reports", str(tmp_path)])
    assert (result.exit_code, result.stdout) == (
        0, f"Ingen sendelogg i {tmp_path} ennå: ingenting er sendt derfra.\n")


# --- The season, as a press officer runs it ----------------------------------------------


def test_a_season_preview_test_one_county_the_rest_and_a_correction(
        tmp_path: Path, inbox: Inbox, dataset: Dataset, register: Register,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Real member reports (sample figures, so --allow-sample), sent as KS would."""
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "rapporter"
    out.mkdir()
    built = [(member_report(dataset, register, number, 2025, None, Config()),
              outputs.report_path(out, ReportKind.MEMBER, 2025, number, short))
             for number, short, _ in MEMBERS]
    for report, target in built:  # drafts first; approved; then written without the mark
        write(report, target)
    approve_reports(out, "Kari Nordmann", everything=True)
    for report, target in built:
        write(report, target)
    (tmp_path / "mottakere.csv").write_bytes(
        "nummer;navn;epost\r\n3901;Horten;post@horten.example\r\n4602;Kinn;post@kinn.example\r\n"
        "46;Vestland;post@vestland.example\r\n".encode("cp1252"))
    base = ["send", "--recipients", "mottakere.csv", "--reports", "rapporter", "--from",
            "KS Analyse <analyse@ks.example>", "--smtp-host", "127.0.0.1", "--smtp-port",
            str(inbox.port), "--allow-sample"]
    runner = CliRunner()

    def run(*args: str) -> list[str]:
        result = runner.invoke(main, [*base, *args])
        assert (result.exit_code, result.stderr) == (0, ""), result.output
        return result.stdout.splitlines()

    # 1. Read the preview: the bodies, and the attachment is the report.
    run("--preview", "forhandsvisning")
    kinn = read_eml(tmp_path / "forhandsvisning" / "002-4602-post@kinn.example.eml")
    assert kinn["From"] == "KS Analyse <analyse@ks.example>"
    assert "Merk: Rapporten byggjer på eksempeldata – ikkje offisielle tal" in plain(kinn)
    [pdf] = kinn.iter_attachments()
    preview_pdf = tmp_path / "vedlegg.pdf"
    preview_pdf.write_bytes(pdf.get_payload(decode=True))
    assert "Kinn" in PdfReader(preview_pdf).pages[0].extract_text()
    preview_pdf.unlink()
    # 2. A test to oneself: one of each kind, nothing to the members.
    run("--to-me", "presse@ks.example")
    assert inbox.received() == Counter({"presse@ks.example": 3})
    # 3. One county first, then the rest.
    run("--only", "Vestland")
    assert set(inbox.received()) == {"presse@ks.example", "post@kinn.example",
                                     "post@vestland.example"}
    lines = run()
    assert lines[-1] == ("Sendt: 1. Allerede sendt: 2. Endret, ikke sendt (bruk --resend): 0. "
                         "Feilet: 0.")
    # 4. A correction to Kinn's report goes again, marked as replacing today's.
    config = Config(member=Words(headline="Kinn: rettet rapport"))
    report = member_report(dataset, register, "4602", 2025, None, config)
    kinn = outputs.report_path(out, ReportKind.MEMBER, 2025, "4602", "Kinn")
    write(report, kinn)  # changed since approval: a draft again, until approved
    approve_reports(out, "Kari Nordmann", [kinn.name])
    write(report, kinn)
    run("--resend")
    _, resent = inbox.to("post@kinn.example")
    assert resent["Subject"].startswith("Oppdatert: Kommuneøkonomien 2025: tala for Kinn kommune "
                                        "(erstattar versjonen sendt ")
    assert inbox.received() == EVERYONE + Counter({"presse@ks.example": 3,
                                                   "post@kinn.example": 1})
    # 5. What went to whom.
    result = runner.invoke(main, ["sendlog", "--reports", "rapporter"])
    assert result.stdout.splitlines()[-1] == "Sendt: 4. Ukjent utfall: 0. Feilet: 0."


@pytest.mark.parametrize(("args", "message"), [
    (("--to-me", "meg@ks"), "--to-me «meg@ks» er ikke en gyldig e-postadresse."),
    (("--unsubscribe", "http://ks.example/avmeld"),
     "--unsubscribe «http://ks.example/avmeld»: oppgi en e-postadresse eller en nettside som "
     "begynner med https://."),
])
def test_bad_values_for_the_new_options(root: Path, args: tuple[str, str], message: str) -> None:
    result = cli(root, free_port(), *args)
    assert (result.exit_code, result.stderr) == (2, f"Feil: {message}\n")


def test_confirming_an_address_without_unknown_outcomes_is_refused(root: Path,
                                                                    inbox: Inbox) -> None:
    assert cli(root, inbox.port).exit_code == 0
    result = CliRunner().invoke(main, ["sendlog", "--reports", str(root / "output"),
                                       "--confirm", "post@kinn.example"])
    assert (result.exit_code, result.stderr) == (
        2, "Feil: --confirm post@kinn.example: ingen e-post til denne adressen har ukjent "
           "utfall i sendeloggen.\n")


def test_own_plain_text_template_without_html_sends_plain_text_only(root: Path,
                                                                    inbox: Inbox) -> None:
    """An older --templates folder (subject and plain body) keeps working; the project's
    HTML, which would say other words, is left out, and the run says so."""
    mine = root / "mine"
    mine.mkdir()
    (mine / "email_body.txt").write_text("Til {{ member }}: rapporten er vedlagt.\n",
                                         encoding="utf-8")
    result = cli(root, inbox.port, "--templates", str(mine))
    assert result.exit_code == 0, result.output
    assert result.stderr == (f"Merk: {mine} har sin egen email_body.txt, men ingen "
                             "email_body.html; e-postene sendes bare som ren tekst.\n")
    [kinn] = inbox.to("post@kinn.example")
    assert kinn["Subject"] == "Kommuneøkonomien 2025: tala for Kinn kommune"  # the project's
    assert [p.get_content_type() for p in kinn.walk()] == [
        "multipart/mixed", "text/plain", "application/pdf"]
    assert plain(kinn) == "Til Kinn kommune: rapporten er vedlagt.\n"
