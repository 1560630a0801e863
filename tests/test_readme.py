"""Every README command works as written, on a fresh clone (issue 19.6).

The README is walked through as a new user would: every line of every ``sh`` block after
the two install commands (which CI runs itself, ``.ci/run``), in order, in a folder holding
what a clone holds (``examples/``, ``templates/``, ``styles/``), with an empty cache. A
``kommunerapport`` line runs the command line in-process; any other line (``cp``,
``mkdir``) runs in the shell. Each must succeed, and what the README says it writes must
be there.

Nothing touches the internet: ``fetch`` asks a local server that plays SSB
(``test_ssb.FakeSSB``), and the real ``send`` reaches «smtp.example.org» as a local SMTP
server with STARTTLS and a login, its certificate made for that name. Two things are
smaller than on a user's machine, so the suite stays quick: ``--members`` writes the five
members of ``examples/members.csv`` instead of 371, and SSB is not asked to wait between
calls.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import ssl
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import test_ssb
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner
from hostile.mailserver import Inbox

from kommunerapport.batch import run as batch
from kommunerapport.cli import main
from kommunerapport.mail import session as mail_session
from kommunerapport.outputs import records
from kommunerapport.sources.ssb import client as ssb_client

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"```sh\n(.*?)```", README, re.S)
MEMBERS = ["3901", "3903", "4602", "39", "46"]  # examples/members.csv
SMTP_HOST, PASSWORD = "smtp.example.org", "secret"


def readme_lines() -> list[str]:
    """Every command line after the two install commands, comments cut off."""
    lines = []
    for block in BLOCKS[2:]:
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line:
                lines.append(line)
    return lines


@pytest.fixture
def fresh_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clone = tmp_path / "kommunerapport"
    for folder in ("examples", "templates", "styles"):
        shutil.copytree(ROOT / folder, clone / folder)
    monkeypatch.chdir(clone)
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))  # a new machine
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1772755200")  # 6.3.2026
    monkeypatch.setattr(batch, "all_members", lambda register: MEMBERS)
    return clone


@pytest.fixture
def ssb(monkeypatch: pytest.MonkeyPatch) -> Iterator[test_ssb.FakeSSB]:
    state = test_ssb.FakeSSB()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), test_ssb.make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setenv("KOMMUNERAPPORT_SSB_URL", f"{url}/api/v2")
    monkeypatch.setenv("KOMMUNERAPPORT_KLASS_URL", f"{url}/klass")
    monkeypatch.setattr(ssb_client, "MIN_INTERVAL", 0.0)
    yield state
    httpd.shutdown()
    httpd.server_close()


def authenticator(server: object, session: object, envelope: object, mechanism: str,
                  auth_data: object) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == b"ks"
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """«smtp.example.org» port 25: a local server with STARTTLS, a certificate for that
    name from a CA the client is told to trust, and a login for «ks»."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    try:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", f"/CN={SMTP_HOST}", "-addext", f"subjectAltName=DNS:{SMTP_HOST}",
                        "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("openssl is needed to make a test certificate")
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(cert, key)
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        inbox.port = s.getsockname()[1]
    from aiosmtpd.controller import Controller

    inbox.controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port,
                                  tls_context=server_context, require_starttls=True,
                                  authenticator=authenticator, auth_required=True)
    inbox.controller.start()
    trusting = ssl.create_default_context(cafile=str(cert))
    monkeypatch.setattr(mail_session.ssl, "create_default_context", lambda *a, **k: trusting)
    connect = socket.create_connection

    def to_the_local_server(address: tuple[str, int], *args: object, **kwargs: object
                            ) -> socket.socket:
        if address == (SMTP_HOST, 25):
            address = ("127.0.0.1", inbox.port)
        return connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", to_the_local_server)
    yield inbox
    inbox.stop()


def run_line(line: str) -> tuple[int, str]:
    """One README line as a user types it; its exit code and output."""
    words = shlex.split(line)
    env = {}
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, value = words.pop(0).split("=", 1)
        env[name] = value
    if words and words[0] == "kommunerapport":
        result = CliRunner().invoke(main, words[1:], env=env, prog_name="kommunerapport")
        return result.exit_code, result.output
    done = subprocess.run(["bash", "-c", line], capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env})
    return done.returncode, done.stdout + done.stderr


def test_the_readme_has_commands_for_every_part() -> None:
    lines = readme_lines()
    commands = {shlex.split(line)[0] for line in lines if not line.startswith("KOMMUNE")}
    assert commands <= {"kommunerapport", "cp", "mkdir"}
    for needed in ("fetch", "approve", "send", "inspect", "--kit", "--members", "--config",
                   "--templates", "--data"):
        assert any(needed in line for line in lines), needed


def test_every_readme_command_works_as_written_on_a_fresh_clone(
        fresh_clone: Path, ssb: test_ssb.FakeSSB, smtp: Inbox) -> None:
    for line in readme_lines():
        if line.startswith("kommunerapport fetch --refresh"):
            # The refresh on 15 June finds SSB's revision: the local server now stamps its
            # tables as SSB did that day (PxWebApi's «updated», UTC).
            ssb.updated = "2026-06-15T06:00:00Z"
        code, output = run_line(line)
        assert code == 0, f"{line}\n{output}"
        assert "Traceback" not in output, line
    out = fresh_clone / "output"
    # What the README says they write, where it says.
    assert (out / "fylker" / "kommuneokonomi-2025-vestfold.pdf").is_file()
    assert (out / "fylker" / "kommuneokonomi-2025-vestfold-nn.pdf").is_file()
    assert (out / "sektor" / "kommuneokonomi-2025-landet.pdf").is_file()
    assert (fresh_clone / "rapporter" / "sektor" / "kommuneokonomi-2025-landet.pdf").is_file()
    assert (out / "fylker" / "kommuneokonomi-2025-vestland-pressepakke" / "tekst.docx").is_file()
    assert (fresh_clone / "mine" / "report.css").is_file()
    # and every report the README names in its text or comments
    named = re.findall(r"\b(?:output|rapporter)/[\w/.-]+\.pdf", README)
    assert len(named) >= 4
    for path in named:
        assert (fresh_clone / path).is_file(), path
    # The members approved, written again without «UTKAST», and sent: examples/members.csv
    # has five members, Holmestrand with two addresses.
    # (Tønsberg, written with the config's words before the approval and without them
    # after, is a draft again: «changed since approval». It is not among the recipients.)
    sent = {row.split(",")[0] for row in (ROOT / "examples" / "members.csv").read_text(
        "utf-8").splitlines()[1:] if row}
    for pdf in sorted((out / "kommuner").glob("*.pdf")) + sorted(
            (out / "fylkeskommuner").glob("*.pdf")):
        if pdf.name.split("-")[2] in sent:
            assert records.read_record(pdf).status == records.APPROVED, pdf.name
    received = smtp.received()
    tests = received.pop("meg@ks.no")  # --to-me: one of each kind, to oneself first
    assert tests >= 1
    assert received == Counter({  # then Vestland, then the rest: each member once
        "postmottak@horten.example.org": 1, "postmottak@holmestrand.example.org": 1,
        "okonomi@holmestrand.example.org": 1, "postmottak@kinn.example.org": 1,
        "post@vestfoldfylke.example.org": 1, "post@vestlandfylke.example.org": 1})
    assert any("/data" in path for _, path, _ in ssb.log)  # fetch asked the local SSB
