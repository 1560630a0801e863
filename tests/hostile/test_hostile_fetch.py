"""A hostile or broken SSB (issue 10, category «fetch»): every call bounded, no traceback,
no redirect off SSB's host, no impossible figure kept.

A local HTTP server on 127.0.0.1 plays SSB (PxWebApi v2 and Klass) from the fixtures
in ``tests/fixtures/ssb`` and misbehaves on request: a 3 GB answer, a byte every
0,2 s, redirects to another port or host, deep JSON. Nothing here touches the
internet. Each case runs ``kommunerapport fetch`` in-process (or the client, where a
case is about one call) and asserts the exit code, the exact message, that no
traceback appears and that nothing outside the inputs was read. Limits are lowered
so every case takes well under a second or two.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import product
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import Result

from kommunerapport.errors import FetchError
from kommunerapport.sources import limits
from kommunerapport.sources.ssb import client as ssb_client

FIXTURES = Path(__file__).parent.parent / "fixtures" / "ssb"

from hostile import opened  # noqa: E402


def audited(tmp_path: Path) -> contextlib.AbstractContextManager[list[str]]:
    """Fails if anything outside the test's folder, the fixtures the server plays, the
    package and Python was opened (the server runs in this process, so it counts)."""
    return opened.audited(tmp_path, FIXTURES)


def run(tmp_path: Path, *args: str) -> Result:
    return opened.run(tmp_path, *args, allowed=(FIXTURES,))


def refused(result: Result, message: str) -> None:
    """Exit 1 and exactly one line on stderr: «Feil: <message>»."""
    assert (result.exit_code, result.stderr) == (1, f"Feil: {message}\n"), result.output


MISSING = " Mangler: 12134, 12143, 13551, 13561, 07459."


# --------------------------------------------------------------------------- the server

def _metadata(table: str) -> dict | None:
    path = FIXTURES / "constructed" / f"{table}_metadata.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def _value(table: str, cell: dict[str, str], unit: str) -> float:
    """Made-up, stable, plausible figures (not real ones)."""
    n = zlib.crc32("|".join((table, *cell.values())).encode())
    if unit in ("%", "prosent"):
        return (n % 150 - 50) / 10
    if unit == "kr":
        return float(40_000 + n % 100_000)
    return float(1 + n % 5_000_000)


class SSB:
    """What the server does: SSB's answers, and scripted misbehaviour per path."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, object]] = []
        self.script: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.override: dict[tuple[str, str, str], float] = {}  # (table, region, code) → value

    def data(self, table: str, body: dict) -> dict:
        meta = _metadata(table)
        selection = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
        ids = [d for d in meta["id"] if d in selection]
        dims = {}
        for d in ids:
            cat = meta["dimension"][d]["category"]
            asked = selection[d]
            dims[d] = {**meta["dimension"][d], "category": {
                "index": {c: i for i, c in enumerate(asked)},
                "label": {c: cat["label"][c] for c in asked},
                **({"unit": {c: cat["unit"][c] for c in asked}} if "unit" in cat else {})}}
        geo = meta["role"]["geo"][0]
        values = []
        for combo in product(*(selection[d] for d in ids)):
            cell = dict(zip(ids, combo, strict=True))
            code = cell["ContentsCode"]
            unit = dims["ContentsCode"]["category"]["unit"][code]["base"]
            key = (table, cell[geo], cell.get("KOKart0000", code))
            values.append(self.override.get(key, _value(table, cell, unit)))
        return {**meta, "id": ids, "size": [len(selection[d]) for d in ids], "dimension": dims,
                "value": values}


def _handler(state: SSB) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def send_json(self, doc: object, status: int = 200) -> None:
            raw = json.dumps(doc).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(OSError):
                self.wfile.write(raw)

        def handle_one(self, body: object) -> None:
            state.log.append((self.command, self.path, body))
            path = urlsplit(self.path).path
            for key, action in state.script.items():
                if key in path:
                    action(self)
                    return
            parts = path.strip("/").split("/")
            if parts[:2] == ["klass", "classifications"] and parts[-1] == "changes":
                # SSB's real Klass changes answers (131 as delivered; 104 under «svar»)
                name = {"131": "klass131_changes_1971-01-01_2025-01-02.json",
                        "104": "klass104_changes_2023-12-31_2024-01-02.json"}[parts[2]]
                doc = json.loads((FIXTURES / name).read_text("utf-8"))
                self.send_json(doc.get("svar", doc))
                return
            if parts[:2] == ["klass", "classifications"]:
                name = ("constructed/klass131_112_correspondsAt_2025-01-01.json"
                        if parts[-1] == "correspondsAt" else
                        {"131": "klass131_kommuner_2026-01-01.json",
                         "104": "constructed/klass104_fylker_2025-01-01.json"}[parts[2]])
                self.send_json(json.loads((FIXTURES / name).read_text("utf-8")))
                return
            table = parts[parts.index("tables") + 1]
            if parts[-1] == "metadata":
                self.send_json(_metadata(table))
                return
            self.send_json(state.data(table, body))

        def do_GET(self) -> None:  # http.server's name
            self.handle_one(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            self.handle_one(json.loads(self.rfile.read(length)))

    return Handler


@contextlib.contextmanager
def serve() -> Iterator[tuple[str, SSB]]:
    state = SSB()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def fake_ssb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, SSB]]:
    with serve() as (url, state):
        monkeypatch.setenv("KOMMUNERAPPORT_SSB_URL", f"{url}/api/v2")
        monkeypatch.setenv("KOMMUNERAPPORT_KLASS_URL", f"{url}/klass")
        monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setattr(ssb_client, "MIN_INTERVAL", 0.0)  # no two-second spacing in tests
        yield url, state


def metadata_url(url: str, table: str = "12134") -> str:
    return f"{url}/api/v2/tables/{table}/metadata?lang=no&outputFormat=json-stat2"


# --------------------------------------------------------------------------- size and time

def _declares_3_gb(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(3_000_000_000))
    h.end_headers()
    with contextlib.suppress(OSError):
        h.wfile.write(b'{"class": "dataset"')  # and then 3 GB, if anyone read on


def test_a_3_gb_answer_is_refused_from_its_header(tmp_path: Path, fake_ssb: tuple[str, SSB],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url, state = fake_ssb
    state.script["/tables/12134/metadata"] = _declares_3_gb
    result = run(tmp_path, "fetch", "--year", "2025")
    refused(result, f"tabell 12134: svaret fra SSB sier det skal bli 3 GB, over grensen for svar "
                    f"fra SSB på 50 MB; avbrutt ({metadata_url(url)})." + MISSING)
    assert len(state.log) == 1  # not retried: the same answer would come again


def _endless(h: BaseHTTPRequestHandler) -> None:
    """An answer without a length that never ends (read whole, it takes the memory)."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Connection", "close")
    h.end_headers()
    with contextlib.suppress(OSError):
        for _ in range(10_000):
            h.wfile.write(b" " * 1000)
    h.close_connection = True


def test_an_answer_without_a_length_is_cut_off_at_the_cap(tmp_path: Path,
                                                         fake_ssb: tuple[str, SSB],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url, state = fake_ssb
    monkeypatch.setattr(limits, "MAX_RESPONSE_BYTES", 100_000)
    state.script["/tables/12134/metadata"] = _endless
    result = run(tmp_path, "fetch", "--year", "2025")
    # read in chunks of 64 KiB: the second one passes the cap of 100 KB
    refused(result, f"tabell 12134: svaret fra SSB var allerede 131 KB, over grensen for svar "
                    f"fra SSB på 100 KB; avbrutt ({metadata_url(url)})." + MISSING)


def _trickle_body(h: BaseHTTPRequestHandler) -> None:
    """Headers at once, then a byte every 0,2 s: the socket is never silent for long."""
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    with contextlib.suppress(OSError):
        for _ in range(100):
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)


def _trickle_status(h: BaseHTTPRequestHandler) -> None:
    """Even the status line comes a byte at a time."""
    with contextlib.suppress(OSError):
        for byte in b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 10:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.2)
    h.close_connection = True


@pytest.mark.parametrize("trickle", [_trickle_body, _trickle_status])
def test_a_server_that_trickles_is_stopped_at_the_deadline(
        tmp_path: Path, fake_ssb: tuple[str, SSB], monkeypatch: pytest.MonkeyPatch,
        trickle: Callable) -> None:
    url, state = fake_ssb
    monkeypatch.setattr(limits, "DEADLINE", 1.0)  # 120 s in use
    state.script["/tables/12134/metadata"] = trickle
    started = time.monotonic()
    result = run(tmp_path, "fetch", "--year", "2025")
    refused(result, f"tabell 12134: SSB brukte over 1 s på svaret, grensen for ett kall; "
                    f"avbrutt ({metadata_url(url)}). Prøv igjen senere; det som er hentet, er "
                    "lagret." + MISSING)
    assert time.monotonic() - started < 5  # the socket timeout (30 s) never fires
    assert len(state.log) == 1


# --------------------------------------------------------------------------- redirects

def _redirect(code: int, location: Callable[[], str]) -> Callable:
    def action(h: BaseHTTPRequestHandler) -> None:
        h.send_response(code)
        h.send_header("Location", location())
        h.send_header("Content-Length", "0")
        h.end_headers()
    return action


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_to_another_port_is_not_followed(tmp_path: Path, fake_ssb: tuple[str, SSB],
                                                    code: int) -> None:
    url, state = fake_ssb
    with serve() as (other, elsewhere):
        state.script["/tables/12134/metadata"] = _redirect(code, lambda: metadata_url(other))
        result = run(tmp_path, "fetch", "--year", "2025")
    port = urlsplit(other).port
    refused(result, f"tabell 12134: SSB viste videre (HTTP {code}) til en annen adresse "
                    f"(127.0.0.1:{port}), som kommunerapport ikke følger; avbrutt "
                    f"({metadata_url(url)})." + MISSING)
    assert elsewhere.log == []  # the other server was never asked


def test_a_redirect_to_another_host_is_not_followed(tmp_path: Path,
                                                    fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    port = urlsplit(url).port
    # the same machine under another name is another host all the same
    state.script["/tables/12134/metadata"] = _redirect(
        302, lambda: f"http://localhost:{port}/api/v2/tables/12134/metadata")
    result = run(tmp_path, "fetch", "--year", "2025")
    refused(result, f"tabell 12134: SSB viste videre (HTTP 302) til en annen adresse "
                    f"(localhost:{port}), som kommunerapport ikke følger; avbrutt "
                    f"({metadata_url(url)})." + MISSING)
    assert len(state.log) == 1


def _query(url: str) -> ssb_client.Request:
    return ssb_client.Request(f"{url}/api/v2/tables/12134/data?lang=no&outputFormat=json-stat2",
                              "POST", {"selection": [
                                  {"variableCode": "KOKkommuneregion0000", "valueCodes": ["0301"]},
                                  {"variableCode": "ContentsCode", "valueCodes": ["KOSAGD230000"]},
                                  {"variableCode": "Tid", "valueCodes": ["2025"]}]},
                              "tabell 12134", "KOKkommuneregion0000=0301")


def _client(tmp_path: Path) -> ssb_client.Client:
    return ssb_client.Client(tmp_path / "cache", sleep=lambda s: None, min_interval=0.0)


@pytest.mark.parametrize("code", [301, 302, 303])
def test_a_post_is_never_turned_into_a_get(tmp_path: Path, fake_ssb: tuple[str, SSB],
                                           code: int) -> None:
    # a GET would get the table's default selection, not the regions asked for
    url, state = fake_ssb
    state.script["/tables/12134/data"] = _redirect(code, lambda: f"{url}/api/v2/moved/12134")
    req = _query(url)
    with audited(tmp_path), pytest.raises(FetchError) as err:
        _client(tmp_path).get_json(req)
    assert err.value.format_message() == (
        f"tabell 12134: SSB viste videre (HTTP {code}) på en POST-spørring, som ville blitt gjort "
        f"om til GET og gitt et annet utvalg; avbrutt ({req.url}).")
    assert [m for m, _, _ in state.log] == ["POST"]


@pytest.mark.parametrize("code", [307, 308])
def test_a_post_moved_within_ssb_stays_a_post_with_its_query(tmp_path: Path,
                                                             fake_ssb: tuple[str, SSB],
                                                             code: int) -> None:
    url, state = fake_ssb
    state.script["/tables/12134/data"] = _redirect(
        code, lambda: "/api/v2/tables/12134/moved/data")  # relative, as servers write it
    with audited(tmp_path):
        doc = _client(tmp_path).get_json(_query(url))
    assert [(m, p.split("?")[0]) for m, p, _ in state.log] == [
        ("POST", "/api/v2/tables/12134/data"), ("POST", "/api/v2/tables/12134/moved/data")]
    assert state.log[1][2] == state.log[0][2]  # the same selection
    assert doc["dimension"]["KOKkommuneregion0000"]["category"]["index"] == {"0301": 0}


# --------------------------------------------------------------------------- what comes back

def _deep(h: BaseHTTPRequestHandler) -> None:
    raw = b"[" * 100_000 + b"]" * 100_000
    h.send_response(200)
    h.send_header("Content-Length", str(len(raw)))
    h.end_headers()
    h.wfile.write(raw)


def test_deeply_nested_json_from_the_server(tmp_path: Path, fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    state.script["/tables/12134/metadata"] = _deep
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "tabell 12134: SSBs svar: JSON-strukturen er nestet 100000 nivåer dypt, over "
            "grensen for nesting på 64 nivåer (JSON-stat har 6)." + MISSING)


def test_a_data_answer_promising_more_cells_than_the_limit(tmp_path: Path,
                                                          fake_ssb: tuple[str, SSB],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url, state = fake_ssb
    monkeypatch.setattr(limits, "MAX_VALUES", 100)  # a batch of 150 regions × 1 × 1 is more
    result = run(tmp_path, "fetch", "--year", "2025")
    # the first data call: 150 regions × 9 contents codes × 2025 (constructed 12134 metadata)
    refused(result, "tabell 12134: SSBs svar: datasettet har 1 350 celler (150 × 9 × 1), over "
                    "grensen for verdier på 100 (SSB gir høyst 800 000 i ett uttrekk)." + MISSING)


def test_impossible_figures_from_ssb_are_left_out_and_named(tmp_path: Path,
                                                           fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    state.override[("13551", "0301", "AGD2")] = 0.0  # brutto driftsinntekter 0 for Oslo
    state.override[("12134", "4601", "KOSAGD230000")] = 250.0  # NDR 250 % for Bergen
    result = run(tmp_path, "fetch", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert ("2 verdier utelatt fordi de ikke kan være riktige (se docs/limits.md): SSB 12134 4601 "
            "2025 ndr_pct = 250.0 (tillatt er −100 til 100 (%)); SSB 13551 0301 2025 bdi = 0 (må "
            "være over 0 (1000 kr))") in result.stdout
    fetched = (tmp_path / "cache" / "fetched.csv").read_text("utf-8")
    assert "0301,2025,bdi," not in fetched and "4601,2025,ndr_pct," not in fetched
    assert "0301,2025,ndr," in fetched  # the rest of Oslo's figures are kept


# --------------------------------------------------------------------------- the cache

@pytest.mark.parametrize("entry", ["pipe", "deep", "list", "not json"])
def test_a_damaged_or_hostile_cache_entry_is_fetched_again(tmp_path: Path,
                                                          fake_ssb: tuple[str, SSB],
                                                          entry: str) -> None:
    url, state = fake_ssb
    client = _client(tmp_path)
    req = ssb_client.Request(metadata_url(url), table="tabell 12134", asked="metadata")
    path = client.cache_path(req)
    path.parent.mkdir(parents=True)
    if entry == "pipe":
        os.mkfifo(path)  # reading it would wait for ever
    else:
        path.write_text({"deep": "[" * 5000, "list": "[1]", "not json": "{"}[entry], "utf-8")
    with audited(tmp_path):
        doc = client.get_json(req)
    assert doc["extension"]["px"]["tableid"] == "12134"
    assert len(state.log) == 1 and client.calls == 1


@pytest.mark.parametrize("text", ['["EKG12"]', '{"years": []}', '{"years": {"2025": 7}}',
                                  '{"years": {"2025": {"groups": {"4601": "EKG12"}}}}',
                                  "[" * 5000])
def test_a_damaged_kostra_groups_file_reads_as_nothing_fetched(tmp_path: Path,
                                                               text: str) -> None:
    from kommunerapport.sources.ssb import klass as kostragroups

    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / kostragroups.FILE).write_text(text, "utf-8")
    with audited(tmp_path):
        assert kostragroups.kostra_group("4601", 2025, folder) is None  # no guess, no traceback


def test_escapes_in_ssbs_labels_do_not_reach_the_terminal(tmp_path: Path,
                                                         fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    meta = _metadata("12134")
    meta["label"] = "12134: Utvalgte nøkkeltall\x1b]0;eid\x07\x1b[2J"

    def hostile_metadata(h: BaseHTTPRequestHandler) -> None:
        h.send_json(meta)

    state.script["/tables/12134/metadata"] = hostile_metadata
    result = run(tmp_path, "fetch", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert "– 12134: Utvalgte nøkkeltall\\x1b]0;eid\\x07\\x1b[2J" in result.stdout
    assert not any(ch in result.output for ch in "\x1b\x07")


# --------------------------------------------------------------------------- issue 20, round three
# (sources: one guard for every answer; the network, not SSB, when the network fails)

def test_no_name_lookup_blames_the_network_not_ssb(tmp_path: Path, fake_ssb: tuple[str, SSB],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    # was «SSB svarte ikke … Prøv igjen senere»: a machine without DNS is no fault of SSB's.
    # The lookup fails here as it does without a name server (nothing leaves the machine).
    import socket

    def no_dns(*args: object, **kwargs: object) -> object:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    monkeypatch.setenv("KOMMUNERAPPORT_SSB_URL", "http://data.ssb.no/api/pxwebapi/v2")
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "tabell 12134: navnet data.ssb.no kan ikke slås opp (ingen navnetjener eller ingen "
            "nettverksforbindelse: Name or service not known); sjekk nettverket (og en "
            "eventuell proxy) på denne maskinen – feilen er ikke hos SSB. Det som er hentet, "
            "er lagret." + MISSING)


def _answer(doc: object) -> Callable[[BaseHTTPRequestHandler], None]:
    def send(h: BaseHTTPRequestHandler) -> None:
        raw = json.dumps(doc).encode()
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(raw)))
        h.end_headers()
        h.wfile.write(raw)
    return send


@pytest.mark.parametrize(("answer", "message"), [
    ([{"code": "0301", "name": "Oslo"}],
     "Klass 131: svaret er en liste, ikke et JSON-objekt med «codes»."),
    ({"codes": [{"name": "Oslo"}]},
     "Klass 131: kode nr. 1 i svaret har ikke tekstene «code» og «name» (fant {'name': "
     "'Oslo'})."),
])
def test_a_klass_answer_of_the_wrong_shape(tmp_path: Path, fake_ssb: tuple[str, SSB],
                                           answer: object, message: str) -> None:
    # was a traceback (a list, or codes without «code»)
    url, state = fake_ssb
    state.script["/classifications/131/codesAt"] = _answer(answer)
    refused(run(tmp_path, "fetch", "--year", "2025"), message + MISSING)


def test_a_klass_change_answer_of_the_wrong_shape(tmp_path: Path,
                                                  fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    state.script["/classifications/131/changes"] = _answer({"codeChanges": [{"oldCode": 230}]})
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "Klass 131 (endringer): endring nr. 1 har ikke tekstene oldCode, oldName, newCode, "
            "newName, changeOccurred (fant {'oldCode': 230})." + MISSING)


def _metadata_with(table: str, change: Callable[[dict], None]) -> Callable[
        [BaseHTTPRequestHandler], None]:
    doc = json.loads((FIXTURES / "constructed" / f"{table}_metadata.json").read_text("utf-8"))
    change(doc)
    return _answer(doc)


def test_time_codes_that_are_no_year(tmp_path: Path, fake_ssb: tuple[str, SSB]) -> None:
    # was a traceback (int("år20"))
    def years(doc: dict) -> None:
        cat = doc["dimension"]["Tid"]["category"]
        cat["index"] = {f"år{c}": i for c, i in cat["index"].items()}
        cat["label"] = {f"år{c}": v for c, v in cat["label"].items()}

    url, state = fake_ssb
    state.script["/tables/12134/metadata"] = _metadata_with("12134", years)
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "tabell 12134: tidskoden «år2015» begynner ikke med et årstall; SSB kan ha endret "
            "tabellen." + MISSING)


def test_a_role_with_strings_from_ssb(tmp_path: Path, fake_ssb: tuple[str, SSB]) -> None:
    # was «KeyError 'T'»: «time»: "Tid" read letter by letter
    def role(doc: dict) -> None:
        doc["role"]["time"] = "Tid"

    url, state = fake_ssb
    state.script["/tables/12134/metadata"] = _metadata_with("12134", role)
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "tabell 12134: SSBs svar: «role.time» skal være en liste med navn på dimensjoner, "
            "ikke 'Tid'." + MISSING)


def test_decimals_past_15_from_ssb(tmp_path: Path, fake_ssb: tuple[str, SSB]) -> None:
    # was killed by the kernel at 24 GB while formatting with 999 999 999 decimals
    def decimals(doc: dict) -> None:
        doc["extension"]["px"]["decimals"] = 999_999_999

    url, state = fake_ssb
    state.script["/tables/12134/metadata"] = _metadata_with("12134", decimals)
    refused(run(tmp_path, "fetch", "--year", "2025"),
            "tabell 12134: SSBs svar: «extension.px.decimals» er 999999999, ikke et antall "
            "desimaler (0–15)." + MISSING)


def test_a_change_table_from_klass_that_loops(tmp_path: Path,
                                              fake_ssb: tuple[str, SSB]) -> None:
    url, state = fake_ssb
    state.script["/classifications/131/changes"] = _answer({"codeChanges": [
        {"oldCode": a, "oldName": "Lørenskog", "oldShortName": "", "newCode": b,
         "newName": "Lørenskog", "newShortName": "", "changeOccurred": "2024-01-01"}
        for a, b in (("3029", "3222"), ("3222", "3029"))]})
    result = run(tmp_path, "fetch", "--year", "2025")
    refused(result, "Klass 131/104 (endringer): SSBs endringstabell kan ikke brukes: kjeden går "
                    "i ring: 3222 → 3029 → 3222 samme dag (01.01.2024)." + MISSING)
    assert not (tmp_path / "cache" / "fetched.csv").exists()
