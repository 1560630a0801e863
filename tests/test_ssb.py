"""`fetch` against a local server on 127.0.0.1 that plays SSB (PxWebApi v2 and Klass).

Nothing here touches the internet. The server answers metadata from the
constructed fixtures, data from a deterministic generator (not real figures,
except the real 12134 response), and on request misbehaves: 429, 500, slow
answers, SSB's real error bodies, an HTML 404 for an over-long URL.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
import zlib
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner

from kommunerapport import cli
from kommunerapport.errors import FetchError
from kommunerapport.model import measures
from kommunerapport.model import schema as data
from kommunerapport.model.history import builtin_history
from kommunerapport.sources import jsonstat, loading, rows, tidycsv
from kommunerapport.sources.ssb import catalogue as ssb_catalogue
from kommunerapport.sources.ssb import client as ssb_client
from kommunerapport.sources.ssb import fetch as ssb
from kommunerapport.sources.ssb import klass as ssb_klass
from kommunerapport.sources.ssb import queries as ssb_queries
from kommunerapport.sources.ssb import store as ssb_store

FIXTURES = Path(__file__).parent / "fixtures" / "ssb"
ERRORS = {e["case"]: e["body"] for e in json.loads(
    (FIXTURES / "pxwebapi_v2_error_bodies.json").read_text("utf-8"))["errors"]}
REAL_12134 = json.loads((FIXTURES / "12134_v2_jsonstat2_3kommuner_2024.json").read_text("utf-8"))
MAX_URL = 2000  # longer request lines get SSB's HTML 404


def _metadata(table: str) -> dict | None:
    path = FIXTURES / "constructed" / f"{table}_metadata.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else None


def _value(table: str, codes: tuple[str, ...], unit: str) -> float:
    """A made-up but stable value for a cell (not a real figure)."""
    n = zlib.crc32("|".join((table, *codes)).encode())
    if unit in ("%", "prosent"):
        return (n % 150 - 50) / 10
    if unit == "kr":  # per innbygger
        return float(40_000 + n % 100_000)
    return float(1 + n % 5_000_000)


class FakeSSB:
    """State shared with the handler: the request log and scripted misbehaviour."""

    def __init__(self) -> None:
        self.log: list[tuple[str, str, dict | None]] = []
        self.script: dict[str, list[tuple]] = defaultdict(list)  # path part → actions
        self.lock = threading.Lock()
        self.updated: str | None = None  # a later release: SSB's «updated» for the data
        self.revised: dict[tuple[str, str, str, str], float] = {}  # (table, geo, code, year)

    def reset(self) -> None:
        self.log.clear()
        self.script.clear()
        self.updated = None
        self.revised.clear()

    def next_action(self, path: str) -> tuple | None:
        with self.lock:
            for key, actions in self.script.items():
                if key in path and actions:
                    return actions.pop(0)
        return None

    def data(self, table: str, selection: dict[str, list[str]]) -> tuple[int, dict | str]:
        meta = _metadata(table)
        if meta is None:
            return 400, ERRORS["ugyldig tabell-ID"]
        ids, dims = [], {}
        for dim_id in meta["id"]:
            d = meta["dimension"][dim_id]
            codes = list(d["category"]["index"])
            if dim_id not in selection:
                if d["extension"]["elimination"]:
                    continue
                return 400, ERRORS["manglende mandatory"]
            asked = selection[dim_id]
            if any(c not in codes for c in asked):
                return 400, ERRORS["ugyldig kommune-kode"]
            cat = d["category"]
            dims[dim_id] = {**d, "category": {
                "index": {c: i for i, c in enumerate(asked)},
                "label": {c: cat["label"][c] for c in asked},
                **({"note": {c: n for c, n in cat["note"].items() if c in asked}}
                   if "note" in cat else {}),
                **({"unit": {c: u for c, u in cat["unit"].items() if c in asked}}
                   if "unit" in cat else {})}}
            ids.append(dim_id)
        values, status = [], {}
        geo = meta["role"]["geo"][0]
        from itertools import product

        for n, combo in enumerate(product(*(list(dims[i]["category"]["index"]) for i in ids))):
            cell = dict(zip(ids, combo, strict=True))
            unit = dims["ContentsCode"]["category"]["unit"][cell["ContentsCode"]]["base"]
            if cell[geo] == "EAKUO" and cell["Tid"] == "2025":
                values.append(None)
                status[str(n)] = ".."
            elif (cell[geo] in ("3801", "1507") and cell["Tid"] >= "2024") or (
                    began_2024(cell[geo]) and cell["Tid"] < "2024"):
                # as SSB: «.» (cannot occur) for a code in a year it was not in use
                values.append(None)
                status[str(n)] = "."
            elif (table, cell[geo], cell["ContentsCode"], cell["Tid"]) in self.revised:
                values.append(self.revised[(table, cell[geo], cell["ContentsCode"], cell["Tid"])])
            elif (table, cell[geo], cell["ContentsCode"], cell["Tid"]) in REAL:
                values.append(REAL[(table, cell[geo], cell["ContentsCode"], cell["Tid"])])
            else:
                values.append(_value(table, combo, unit))
        if self.updated:
            meta = {**meta, "updated": self.updated}
        doc = {**meta, "id": ids, "size": [len(dims[i]["category"]["index"]) for i in ids],
               "dimension": dims, "value": values, "status": status}
        return 200, doc


# Codes that began on 1.1.2024 (Klass 131 and 104 changes): SSB has no figures for them before.
BEGAN_2024 = {c.new for c in builtin_history().changes if c.date.year == 2024}


def began_2024(code: str) -> bool:
    """A municipality, or a county as 13561 writes it («3900» for 39), new on 1.1.2024."""
    return code in BEGAN_2024 or (len(code) == 4 and code.endswith("00")
                                  and code[:2] in BEGAN_2024)

# The real 12134 response's values, so that a fetch carries them through.
REAL = {("12134", code, "KOSAG110000", "2024"): v for code, v in
        zip(["0301", "4601", "5001"], REAL_12134["value"], strict=True)}


def klass_changes(number: str) -> dict:
    """SSB's real Klass ``changes`` answers: 131 as delivered (1971–2025), 104 around
    1.1.2024 (SSB's answer under «svar» in the copy's wrapper)."""
    if number == "131":
        return json.loads((FIXTURES / "klass131_changes_1971-01-01_2025-01-02.json")
                          .read_text("utf-8"))
    return json.loads((FIXTURES / "klass104_changes_2023-12-31_2024-01-02.json")
                      .read_text("utf-8"))["svar"]


def make_handler(state: FakeSSB) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep pytest output clean
            pass

        def _send(self, status: int, body: dict | str, ctype: str = "application/json",
                  headers: dict[str, str] | None = None) -> None:
            raw = (body if isinstance(body, str) else json.dumps(body)).encode()
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            # the client may have given up waiting (the timeout tests)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(raw)

        def _handle(self, body: dict | None) -> None:
            state.log.append((self.command, self.path, body))
            if len(self.path) > MAX_URL:
                self._send(404, "<!DOCTYPE html><html><body><h1>404 - File or directory not "
                                "found.</h1></body></html>", "text/html")
                return
            url = urlsplit(self.path)
            action = state.next_action(url.path)
            if action and action[0] == "status":
                body = action[2] if len(action) > 2 else {"title": "Error"}
                self._send(action[1], body, headers=action[3] if len(action) > 3 else None)
                return
            if action and action[0] == "sleep":
                time.sleep(action[1])
            if action and action[0] == "close":  # hang up without an answer
                self.close_connection = True
                return
            if action and action[0] == "truncate":  # promise more than is sent, hang up
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"class": "data')
                self.close_connection = True
                return
            parts = url.path.strip("/").split("/")
            if parts[:2] == ["klass", "classifications"] and parts[-1] == "correspondsAt":
                self._send(200, json.loads((FIXTURES / "constructed" /
                                            "klass131_112_correspondsAt_2025-01-01.json")
                                           .read_text("utf-8")))
                return
            if parts[:2] == ["klass", "classifications"] and parts[-1] == "changes":
                self._send(200, klass_changes(parts[2]))
                return
            if parts[:2] == ["klass", "classifications"]:
                name = {"131": "klass131_kommuner_2026-01-01.json",
                        "104": "constructed/klass104_fylker_2025-01-01.json"}[parts[2]]
                self._send(200, json.loads((FIXTURES / name).read_text("utf-8")))
                return
            table = parts[parts.index("tables") + 1]
            if parts[-1] == "metadata":
                meta = _metadata(table)
                self._send(200, meta) if meta else self._send(400, ERRORS["ugyldig tabell-ID"])
                return
            if body is not None:
                selection = {s["variableCode"]: s["valueCodes"] for s in body["selection"]}
            else:
                query = parse_qs(url.query)
                selection = {k[len("valuecodes["):-1]: v[0].split(",") for k, v in query.items()
                             if k.startswith("valuecodes[")}
            self._send(*state.data(table, selection))

        def do_GET(self) -> None:  # http.server's name
            self._handle(None)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            self._handle(json.loads(self.rfile.read(length)))

    return Handler


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, FakeSSB]]:
    state = FakeSSB()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(state))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", state
    httpd.shutdown()
    httpd.server_close()


class FakeTime:
    """An injectable clock and sleep: records waits, never waits."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def ssb_env(server: tuple[str, FakeSSB], tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> FakeSSB:
    url, state = server
    state.reset()
    monkeypatch.setenv("KOMMUNERAPPORT_SSB_URL", f"{url}/api/v2")
    monkeypatch.setenv("KOMMUNERAPPORT_KLASS_URL", f"{url}/klass")
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))
    return state


def client(fake: FakeTime, **kw: object) -> ssb_client.Client:
    return ssb_client.Client(sleep=fake.sleep, clock=fake.clock, **kw)


# --------------------------------------------------------------------------- pure functions

@pytest.mark.parametrize(("label", "measure"), [
    ("Netto driftsresultat i % av brutto driftsinntekter (%)", "ndr_pct"),
    ("Fri egenkapital drift i % av br. driftsinnt. (%)", "dispfond_pct"),
    ("Disposisjonsfond (1000 kr)", "dispfond"),
    ("AGD2 Brutto driftsinntekter Beløp (1000 kr) Konsern", "bdi"),
    ("Frie inntekter per innbygger (kr)", "frie_inntekter_innb"),
    ("Netto lånegjeld i prosent av brutto driftsinntekter", None),
    ("Brutto driftsresultat", None),
    ("Personer", "folkemengde"),
    # The subject must start the label; flows, per innbygger and other persons are not it.
    ("Bruk av / Avsetninger til disposisjonsfond (1000 kr)", None),
    ("Avsetninger til disposisjonsfond (1000 kr)", None),
    ("Brutto driftsinntekter per innbygger (kr)", None),
    ("Disposisjonsfond per innbygger (kr)", None),
    ("Personer i arbeidsstyrken", None),
    ("Renteutgifter i % av brutto driftsinntekter", None),
])
def test_measure_for(label: str, measure: str | None) -> None:
    assert measures.measure_for(label) == measure


def test_measure_for_one_cells_labels() -> None:
    assert measures.measure_for("Brutto driftsinntekter", "Konsern", "Beløp (1000 kr)") == "bdi"
    assert measures.measure_for("Menn", "Personer") == "folkemengde"
    # two subjects in one cell: neither is taken
    assert measures.measure_for("Netto driftsresultat", "Disposisjonsfond (1000 kr)") is None


def _two_codes_doc(labels: dict[str, str]) -> dict:
    return {"class": "dataset", "id": ["Region", "ContentsCode", "Tid"],
            "size": [1, len(labels), 1], "role": {"geo": ["Region"], "time": ["Tid"]},
            "dimension": {"Region": {"category": {"index": ["0301"]}},
                          "ContentsCode": {"category": {"index": list(labels), "label": labels}},
                          "Tid": {"category": {"index": ["2025"]}}},
            "value": [1.0] * len(labels)}


def test_two_codes_for_one_measure_is_an_error_not_the_first() -> None:
    labels = {"A": "Disposisjonsfond i % av brutto driftsinntekter (%)",
              "B": "Fri egenkapital drift i % av br. driftsinnt. (%)"}
    ds = jsonstat.parse(_two_codes_doc(labels))
    with pytest.raises(jsonstat.JsonStatError, match=r"«Disposisjonsfond i % av brutto "
                       r"driftsinntekter \(%\)» og «Fri egenkapital drift .*» gir begge "
                       r"disposisjonsfond i prosent av brutto driftsinntekter \(konsern\)"):
        ssb_catalogue.tidy_rows(ds, data.known_units())
    spec = ssb_catalogue.TableSpec("12134", "kommuner", "test")
    with pytest.raises(FetchError, match=r"tabell 12134: kodene A .* og B .* gir begge "
                                         r"disposisjonsfond i prosent"):
        ssb_queries.data_requests(spec, ds, ["0301"], [2025])


def test_flows_and_per_innbygger_labels_are_left_out_of_tidy_rows() -> None:
    labels = {"A": "Bruk av / Avsetninger til disposisjonsfond (1000 kr)",
              "B": "Brutto driftsinntekter per innbygger (kr)",
              "C": "Disposisjonsfond per innbygger (kr)",
              "D": "Disposisjonsfond (1000 kr)"}
    rows = ssb_catalogue.tidy_rows(jsonstat.parse(_two_codes_doc(labels)), data.known_units()).rows
    assert [(r["measure"], r["value"]) for r in rows] == [("dispfond", "1")]


@pytest.mark.parametrize(("text", "factor"), [
    ("kr", 0.001), ("Kroner", 0.001), ("NOK", 0.001), ("Frie inntekter per innbygger (kr)", 0.001),
    ("Brutto driftsinntekter i kroner", 0.001), ("1000 kr", 1.0), ("1 000 kr", 1.0),
    ("1\u00a0000 kroner", 1.0), ("tusen kr", 1.0), ("Disposisjonsfond (1000 kr)", 1.0),
    ("mill. kr", 1000.0), ("Brutto driftsinntekter (millioner kroner)", 1000.0),
    ("Netto driftsresultat, mill. kr", 1000.0), ("mrd. kr", 1_000_000.0),
    # «mill» outside the unit, or a unit that is not kroner, is no factor
    ("Tilskudd fra millionbyfondet (kr)", 0.001), ("Brutto driftsinntekter (euro)", None),
    ("Brutto driftsinntekter", None), ("prosent", None), ("Brutto driftsinntekter i alt", None),
])
def test_amount_factor(text: str, factor: float | None) -> None:
    assert measures.amount_factor(text) == factor


def _amount_doc(unit: dict | None, label: str = "Brutto driftsinntekter") -> dict:
    cat = {"index": ["BDI"], "label": {"BDI": label}}
    if unit is not None:
        cat["unit"] = {"BDI": unit}
    return {"class": "dataset", "id": ["Region", "ContentsCode", "Tid"], "size": [1, 1, 1],
            "role": {"geo": ["Region"], "time": ["Tid"]}, "updated": "2026-03-16T07:00:00Z",
            "dimension": {"Region": {"category": {"index": ["0301"]}},
                          "ContentsCode": {"category": cat},
                          "Tid": {"category": {"index": ["2025"]}}},
            "value": [20_000_000_000]}


@pytest.mark.parametrize(("unit", "label", "value"), [
    ({"base": "kr", "decimals": 0}, "Brutto driftsinntekter", "20000000.000"),  # kr kept
    (None, "Brutto driftsinntekter (kr)", "20000000"),
    ({"base": "1000 kr", "decimals": 0}, "Brutto driftsinntekter", "20000000000"),
    ({"base": "mill. kr", "decimals": 0}, "Brutto driftsinntekter", "20000000000000"),
])
def test_tidy_rows_scales_amounts_by_their_unit(unit: dict | None, label: str,
                                                value: str) -> None:
    rows = ssb_catalogue.tidy_rows(jsonstat.parse(_amount_doc(unit, label)),
                                   data.known_units()).rows
    assert [(r["measure"], r["value"]) for r in rows] == [("bdi", value)]


@pytest.mark.parametrize(("unit", "label", "message"), [
    (None, "Brutto driftsinntekter", "«Brutto driftsinntekter» er et beløp uten kjent enhet"),
    ({"base": "euro"}, "Brutto driftsinntekter", "har enheten «euro», som ikke er kr"),
    (None, "Brutto driftsinntekter (antall)", "har enheten «antall», som ikke er kr"),
])
def test_tidy_rows_refuses_an_amount_without_a_known_unit(unit: dict | None, label: str,
                                                          message: str) -> None:
    with pytest.raises(jsonstat.JsonStatError, match=message):
        ssb_catalogue.tidy_rows(jsonstat.parse(_amount_doc(unit, label)), data.known_units())


@pytest.mark.parametrize(("text", "level", "code"), [
    ("K-0301", None, "0301"), ("0301 Oslo - Oslove", None, "0301"), ("3900", "fylker", "39"),
    ("3905 Tønsberg", None, "3905"), ("EAKUO Landet uten Oslo", None, "EAKUO"), ("46", None, "46"),
    ("Oslo", None, None), ("12345", None, None),
])
def test_normalise_region_codes_and_labels(text: str, level: str | None, code: str | None) -> None:
    assert rows.normalise_region(text, level) == code


@pytest.mark.parametrize(("year", "updated", "label"), [
    (2025, "2026-03-16T07:00:00Z", "foreløpige tall 16.03.2026"),
    (2024, "2026-03-16T07:00:00Z", "reviderte tall 16.03.2026"),
    (2025, "2026-06-15T06:00:00Z", "reviderte tall 15.06.2026"),
])
def test_release_label(year: int, updated: str, label: str) -> None:
    assert ssb_catalogue.release_label(year, updated) == label


@pytest.mark.parametrize("table", ["07459", "11342", "06913"])
def test_population_has_its_own_release_label_not_kostras(table: str) -> None:
    # 1 January's population, published in February: no «foreløpige»/«reviderte» rule
    assert ssb_catalogue.release_label(2025, "2025-02-21T07:00:00Z", table) == \
        "befolkningstall oppdatert 21.02.2025"
    assert ssb_catalogue.release_label(2025, "2025-02-21T07:00:00Z", "12134") == \
        "foreløpige tall 21.02.2025"


def test_real_07459_file_is_labelled_as_population() -> None:
    from kommunerapport.sources import readers

    # SSB api/v0 07459 (real, fixtures/README.md): 1.1.2022, updated 24.02.2022
    path = FIXTURES.parent / "conformance" / "real" / "07459_v0_jsonstat2_kommuner_2022.json"
    t = readers.read(path).table
    assert set(t["release"]) == {"befolkningstall oppdatert 24.02.2022"}


def test_klass131_has_357_municipalities_in_15_counties() -> None:
    doc = json.loads((FIXTURES / "klass131_kommuner_2026-01-01.json").read_text("utf-8"))
    codes = ssb_klass.klass_codes(doc)
    assert len(codes) == 357  # SSB Klass 131, valid 1.1.2026 (9999 Uoppgitt left out)
    assert len({c[:2] for c in codes}) == 15
    assert codes["5603"] == "Hammerfest - Hámmerfeasta"


def test_real_12134_to_tidy_rows() -> None:
    ds = jsonstat.parse(REAL_12134)
    rows = ssb_catalogue.tidy_rows(ds, data.known_units()).rows
    got = {r["unit"]: r["value"] for r in rows}
    assert got == {"0301": "81240", "4601": "66605", "5001": "62853"}  # SSB 12134, 2024, kr
    assert {r["release"] for r in rows} == {"reviderte tall 16.03.2026"}
    assert {(r["measure"], r["scope"], r["source"]) for r in rows} == {
        ("frie_inntekter_innb", "konsern", "SSB 12134")}


# --------------------------------------------------------------------------- fetch

def test_fetch_everything_then_cache_hit(ssb_env: FakeSSB) -> None:
    fake = FakeTime()
    report = ssb.fetch([2024, 2025], client=client(fake), progress=False)
    assert report.missing == []
    rows = {(r["unit"], r["year"], r["measure"], r["scope"]): r for r in report.rows}
    oslo = rows[("0301", "2024", "frie_inntekter_innb", "konsern")]
    assert (oslo["value"], oslo["source"], oslo["release"]) == (
        "81240", "SSB 12134", "reviderte tall 16.03.2026")
    assert rows[("0301", "2025", "ndr_pct", "konsern")]["release"] == "foreløpige tall 16.03.2026"
    # SSB withholds «landet uten Oslo» 2025: a null with its symbol, not a zero.
    assert (rows[("EAKUO", "2025", "ndr_pct", "konsern")]["value"],
            rows[("EAKUO", "2025", "ndr_pct", "konsern")]["status"]) == ("", "..")
    # 13551: the konsern amounts, not the kommunekasse; 13561 mill. kr → 1000 kr.
    assert ("0301", "2025", "bdi", "konsern") in rows
    assert not any(k[3] == "kasse" for k in rows)
    fk = rows[("39", "2025", "bdi", "konsern")]
    assert fk["source"] == "SSB 13561" and float(fk["value"]) % 1000 == 0
    assert ("4601", "2025", "folkemengde", "konsern") in rows
    # population is no KOSTRA account: its own release label (constructed 07459 metadata)
    assert rows[("4601", "2025", "folkemengde", "konsern")]["release"] == \
        "befolkningstall oppdatert 16.03.2026"
    # The municipalities of Klass 131 and the SSB aggregates, no unknown codes.
    assert {k[0] for k in rows if k[2] == "ndr_pct"} >= {"EAK", "EKG08", "5001", "5636"}
    assert report.register["Klass 131"]["unknown"] == []
    # Data by POST in batches of at most 150 regions; every call throttled ≥ 2 s apart.
    posts = [b for m, _, b in ssb_env.log if m == "POST"]
    assert posts and all(len(b["selection"][0]["valueCodes"]) <= 150 for b in posts)
    # 5 metadata, Klass 131 and 104 (codes and changes), Klass 131 → 112 for each of the
    # two years, the data
    assert len(ssb_env.log) == report.calls == 5 + 2 + 2 + 2 + len(posts)
    assert fake.sleeps == [ssb_client.MIN_INTERVAL] * (report.calls - 1)
    # The written table validates; a second fetch makes no request.
    csv_path, _ = ssb_store.fetched_files()
    assert tidycsv.read_table(csv_path)["synthetic"].eq(False).all()
    again = ssb.fetch([2024, 2025], client=client(FakeTime()), progress=False)
    assert again.calls == 0 and len(ssb_env.log) == report.calls
    assert len(again.rows) == len(report.rows)


def test_category_notes_are_kept_in_the_fetched_metadata(ssb_env: FakeSSB,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    plain = _metadata

    def with_notes(table: str) -> dict | None:
        meta = plain(table)
        if table == "12134":
            cat = meta["dimension"]["ContentsCode"]["category"]
            cat["note"] = {"KOSAGD230000": ["Korrigert for premieavvik."]}
            meta["dimension"]["KOKkommuneregion0000"]["category"]["note"] = {
                "5001": ["Tall for 2025 er foreløpige."]}
        return meta

    monkeypatch.setattr(sys.modules[__name__], "_metadata", with_notes)
    ssb.fetch([2025], client=client(FakeTime()), progress=False)
    meta = json.loads(ssb_store.fetched_files()[1].read_text("utf-8"))
    notes = meta["tables"]["12134"]["notes"]
    assert ("Netto driftresultat i prosent av brutto driftsinntekter (prosent): Korrigert for "
            "premieavvik." in notes)
    region = plain("12134")["dimension"]["KOKkommuneregion0000"]["category"]
    assert f"{region['label']['5001']}: Tall for 2025 er foreløpige." in notes
    assert len(notes) == len(set(notes))  # once, though every batch carries it


def test_tidy_rows_keeps_category_notes() -> None:
    doc = _amount_doc({"base": "1000 kr"})
    doc["dimension"]["ContentsCode"]["category"]["note"] = {"BDI": ["Inkl. mva."]}
    notes = ssb_catalogue.tidy_rows(jsonstat.parse(doc), data.known_units()).notes
    assert notes == ["Brutto driftsinntekter: Inkl. mva."]


def test_offline_without_cache_fails_and_with_cache_works(ssb_env: FakeSSB) -> None:
    with pytest.raises(FetchError, match="--offline"):
        ssb.fetch([2025], client=client(FakeTime(), offline=True), progress=False)
    assert ssb_env.log == []
    ssb.fetch([2025], client=client(FakeTime()), progress=False)
    n = len(ssb_env.log)
    report = ssb.fetch([2025], client=client(FakeTime(), offline=True), progress=False)
    assert report.calls == 0 and len(ssb_env.log) == n


def test_refresh_fetches_again(ssb_env: FakeSSB) -> None:
    first = ssb.fetch([2025], client=client(FakeTime()), progress=False)
    again = ssb.fetch([2025], client=client(FakeTime(), refresh=True), progress=False)
    assert again.calls == first.calls > 0


def test_429_then_200_is_retried_with_backoff(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/12134/data"] = [
        ("status", 429, {"title": "Too many requests"}),
        ("status", 429, {"title": "Too many requests"}, {"Retry-After": "7"})]
    fake = FakeTime()
    report = ssb.fetch([2025], client=client(fake), progress=False)
    assert report.missing == []
    # 2 s between the 10 calls before it (5 metadata, 2 Klass change tables, 2 Klass
    # registers, 1 KOSTRA-group correspondence); the first 429: backoff 2 s; the second: 7 s
    # as SSB asked (more than the 4 s backoff, and not both); then 2 s apart.
    assert fake.sleeps == [2.0] * 10 + [2.0, 7.0] + [2.0] * (report.calls - 13)
    assert sum(m == "POST" and "/12134/" in p for m, p, _ in ssb_env.log) == 3 + 2


def test_retry_after_shorter_than_the_backoff_waits_the_backoff(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/12134/metadata"] = [
        ("status", 503, {"title": "Busy"}, {"Retry-After": "1"}),
        ("status", 503, {"title": "Busy"}, {"Retry-After": "1"})]
    fake = FakeTime()
    c = client(fake)
    c.get_json(ssb_queries.metadata_request(ssb_catalogue.TABLES[0]))
    assert fake.sleeps == [2.0, 4.0] and c.calls == 3


def test_500_until_retries_run_out_keeps_what_was_fetched(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/13551/data"] = [("status", 500)] * ssb_client.RETRIES
    fake = FakeTime()
    with pytest.raises(FetchError) as err:
        ssb.fetch([2025], client=client(fake), progress=False)
    message = err.value.format_message()
    assert message.startswith("tabell 13551: SSB svarte ikke etter 5 forsøk "
                              "(siste feil: HTTP 500)")
    assert "Lagret: 12134, 12143. Mangler: 13551, 13561, 07459." in message
    assert "\n" not in message
    first = next(n for n, (_, p, _) in enumerate(ssb_env.log) if "/13551/data" in p)
    assert fake.sleeps == [2.0] * first + [2.0, 4.0, 8.0, 16.0]  # throttle, then backoff only
    meta = json.loads(ssb_store.fetched_files()[1].read_text("utf-8"))
    assert meta["missing"] == ["13551", "13561", "07459"] and set(meta["tables"]) == {
        "12134", "12143"}
    # The next fetch asks only for what is missing.
    n = len(ssb_env.log)
    report = ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert report.missing == []
    assert all("/13551/" in p or "/13561/" in p or "/07459/" in p for _, p, _ in ssb_env.log[n:])


def _fetched() -> dict[tuple[str, ...], dict[str, str]]:
    import csv

    with ssb_store.fetched_files()[0].open(encoding="utf-8") as f:
        return {(r["unit"], r["year"], r["measure"], r["scope"]): r for r in csv.DictReader(f)}


def test_failed_refresh_keeps_the_figures_fetched_before(ssb_env: FakeSSB) -> None:
    ssb.fetch([2024, 2025], client=client(FakeTime()), progress=False)
    before = _fetched()
    amounts = {k: v for k, v in before.items() if v["source"] == "SSB 13551"}
    assert {k[2] for k in amounts} == {"bdi", "ndr"}
    ssb_env.script["/tables/13551/data"] = [("status", 500)] * ssb_client.RETRIES
    with pytest.raises(FetchError) as err:
        ssb.fetch([2024, 2025], client=client(FakeTime(), refresh=True), progress=False)
    assert err.value.format_message().endswith(
        "Lagret: 12134, 12143. Mangler: 13551, 13561, 07459. Tallene fra forrige henting "
        "beholdes for 13551, 13561, 07459.")
    after = _fetched()
    assert after == before  # the same figures: nothing lost, nothing doubled
    assert all(after[k] == v for k, v in amounts.items())
    meta = json.loads(ssb_store.fetched_files()[1].read_text("utf-8"))
    assert meta["missing"] == [] and meta["kept_from_earlier"] == ["13551", "13561", "07459"]
    assert tidycsv.read_table(ssb_store.fetched_files()[0]) is not None  # still validates


def test_a_narrower_fetch_keeps_the_other_years(ssb_env: FakeSSB) -> None:
    ssb.fetch(client=client(FakeTime()), progress=False)  # the latest six years
    six = _fetched()
    assert {k[1] for k in six} == {"2020", "2021", "2022", "2023", "2024", "2025"}
    ssb.fetch([2025], client=client(FakeTime(), refresh=True), progress=False)
    assert _fetched() == six
    meta = json.loads(ssb_store.fetched_files()[1].read_text("utf-8"))
    assert meta["tables"]["12134"]["years"] == [2020, 2021, 2022, 2023, 2024, 2025]


def test_merge_rows_replaces_refetched_years_and_keeps_table_priority() -> None:
    def row(unit: str, year: str, value: str, source: str, measure: str = "ndr_pct") -> dict:
        return {"unit": unit, "year": year, "measure": measure, "value": value, "status": "",
                "scope": "konsern", "source": source, "release": "r", "synthetic": "false"}

    previous = [row("0301", "2024", "1", "SSB 12134"), row("0301", "2025", "2", "SSB 12134"),
                row("4601", "2025", "3", "SSB 12134"),
                row("0301", "2025", "4", "SSB 12134", "dispfond_pct")]
    new = [row("0301", "2025", "5", "SSB 12134"),
           row("0301", "2025", "6", "SSB 12143", "dispfond_pct")]
    merged = {(r["unit"], r["year"], r["measure"]): r["value"] for r in
              ssb_store.merge_rows(previous, new, {("SSB 12134", "2025"), ("SSB 12143", "2025")})}
    # 2024 kept; 2025 replaced; 4601 2025 gone (12134 2025 was fetched again and lacks it)
    assert merged == {("0301", "2024", "ndr_pct"): "1", ("0301", "2025", "ndr_pct"): "5",
                      ("0301", "2025", "dispfond_pct"): "6"}
    # A table that failed this time keeps its figures and its precedence over 12143.
    merged = {(r["unit"], r["year"], r["measure"]): r["source"] for r in
              ssb_store.merge_rows(previous, new, {("SSB 12143", "2025")})}
    assert merged[("0301", "2025", "dispfond_pct")] == "SSB 12134"


def test_timeout_is_retried(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/12134/metadata"] = [("sleep", 0.6)]
    c = client(FakeTime(), timeout=0.2)
    meta = c.get_json(ssb_queries.metadata_request(ssb_catalogue.TABLES[0]))
    assert meta["extension"]["px"]["tableid"] == "12134"
    assert c.calls == 2


@pytest.mark.parametrize("drop", ["close", "truncate"])
def test_a_dropped_connection_is_retried(ssb_env: FakeSSB, drop: str) -> None:
    ssb_env.script["/tables/12134/metadata"] = [(drop,)]
    fake = FakeTime()
    c = client(fake)
    meta = c.get_json(ssb_queries.metadata_request(ssb_catalogue.TABLES[0]))
    assert meta["extension"]["px"]["tableid"] == "12134"
    assert c.calls == 2 and fake.sleeps == [ssb_client.BACKOFF]


def test_a_connection_that_keeps_dropping_is_one_line(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/12134/metadata"] = [("close",), ("truncate",)]
    c = client(FakeTime(), retries=2)
    with pytest.raises(FetchError) as err:
        c.get_json(ssb_queries.metadata_request(ssb_catalogue.TABLES[0]))
    assert err.value.format_message() == (
        "tabell 12134: SSB svarte ikke etter 2 forsøk (siste feil: forbindelsen ble brutt "
        "(IncompleteRead)). Prøv igjen senere; det som er hentet, er lagret.")


def test_timeouts_until_retries_run_out(ssb_env: FakeSSB) -> None:
    ssb_env.script["/tables/12134/metadata"] = [("sleep", 0.3)] * 2
    c = client(FakeTime(), timeout=0.1, retries=2)
    with pytest.raises(FetchError, match=r"tabell 12134: SSB svarte ikke etter 2 forsøk "
                                         r"\(siste feil: tidsavbrudd etter 0.1 s"):
        c.get_json(ssb_queries.metadata_request(ssb_catalogue.TABLES[0]))


def test_non_existent_table_stops_with_ssbs_message(ssb_env: FakeSSB) -> None:
    spec = ssb_catalogue.TableSpec("99999", "kommuner", "finnes ikke")
    with pytest.raises(FetchError) as err:
        ssb.fetch([2025], client=client(FakeTime()), progress=False, tables=[spec])
    assert err.value.format_message() == (
        "SSB avviste spørringen mot tabell 99999 (metadata): «Non-existent table» (HTTP 400). "
        "Mangler: 99999.")
    assert len(ssb_env.log) == 1  # a 4xx is not retried


def test_non_existent_value_names_table_and_codes(ssb_env: FakeSSB) -> None:
    base = ssb_client.base_url()
    req = ssb_client.Request(f"{base}/tables/12134/data?lang=no&outputFormat=json-stat2", "POST",
                      {"selection": [
                          {"variableCode": "KOKkommuneregion0000", "valueCodes": ["0301"]},
                          {"variableCode": "ContentsCode", "valueCodes": ["KOSAG999999"]},
                          {"variableCode": "Tid", "valueCodes": ["2025"]}]},
                      "tabell 12134", "ContentsCode=KOSAG999999")
    with pytest.raises(FetchError) as err:
        client(FakeTime()).get_json(req)
    assert err.value.format_message() == (
        "SSB avviste spørringen mot tabell 12134 (ContentsCode=KOSAG999999): "
        "«Non-existent value» (HTTP 400).")


def test_missing_mandatory_variable(ssb_env: FakeSSB) -> None:
    url = f"{ssb_client.base_url()}/tables/12134/data?valuecodes[Tid]=2025"
    with pytest.raises(FetchError, match="«Missing selection for mandantory variable»"):
        client(FakeTime()).get_json(ssb_client.Request(url, table="tabell 12134"))


def test_long_get_gets_html_404_but_fetch_posts(ssb_env: FakeSSB) -> None:
    codes = ",".join(f"{n:04d}" for n in range(301, 1141))  # ~840 codes, like all regions
    url = (f"{ssb_client.base_url()}/tables/12134/data?valuecodes[KOKkommuneregion0000]={codes}"
           "&valuecodes[ContentsCode]=KOSAGD230000&valuecodes[Tid]=2025")
    with pytest.raises(FetchError, match=r"HTML-side for tabell 12134; adressen er trolig for "
                                         r"lang \(\d+ tegn\)"):
        client(FakeTime()).get_json(ssb_client.Request(url, table="tabell 12134"))
    assert len(ssb_env.log) == 1  # not retried
    ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert all(len(p) < MAX_URL for _, p, _ in ssb_env.log[1:])


def test_year_not_in_table(ssb_env: FakeSSB) -> None:
    # 2026 is within the register (Klass 131 valid 1.1.2026) but not in the table
    with pytest.raises(FetchError, match="har ikke tall for 2026; siste år er 2025"):
        ssb.fetch([2026], client=client(FakeTime()), progress=False)


def test_year_the_register_does_not_know_is_refused_before_data_is_asked_for(
        ssb_env: FakeSSB) -> None:
    with pytest.raises(FetchError) as err:
        ssb.fetch([2031], client=client(FakeTime()), progress=False)
    assert err.value.format_message().startswith(
        "2031 er utenfor årene registeret kjenner (2001–2026); en nyere kommunerapport har "
        "regionene for senere år.")
    assert all("/data" not in p for _, p, _ in ssb_env.log)  # no data asked for


def test_cli_fetch_and_dataset_uses_fetched(ssb_env: FakeSSB, runner: CliRunner,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ssb_client, "MIN_INTERVAL", 0.0)
    result = runner.invoke(cli.main, ["fetch", "--year", "2024", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert "SSB 12134:" in result.output and "oppdatert 2026-03-16" in result.output
    # Codes the register does not know are named, not dropped, each with its reason:
    # regions from before 2024 (Vestfold og Telemark 38, Troms og Finnmark 54 …) and
    # SSB's own groups the model lacks (EKA39, EKA46: the county groupings).
    # The codes SSB used before 2024 (1507, 30, 38, 3801, 3803, 54 in the constructed
    # metadata) hold no figures for 2024–2025, so none is asked for; the change table
    # came from Klass (SSB's real answers from 2002: 499 in 131, 7 in 104 around 2024).
    assert ("Regionendringer (Klass 131 og 104): 506 endringer fra 2002; spurt etter 0 eldre "
            "regionkoder") in result.output
    assert "regionkoder fra før 2024" not in result.output
    assert ("Uten tall i rapportene: 2 regioner modellen ikke har (SSB-grupper, bydeler, "
            "uoppgitt o.l.): EKA39, EKA46.") in result.output
    n = len(ssb_env.log)
    result = runner.invoke(cli.main, ["fetch", "--year", "2024", "--year", "2025", "--offline"])
    assert result.exit_code == 0 and len(ssb_env.log) == n
    assert "0 kall til SSB" in result.output
    dataset = loading.load_dataset()
    assert not dataset.has_synthetic
    t = dataset.table
    oslo = t[(t.unit == "0301") & (t.year == 2024) & (t.measure == "frie_inntekter_innb")]
    assert oslo["value"].tolist() == [81240.0]
    assert set(t.source) == {f"SSB {s.id}" for s in ssb_catalogue.TABLES}


def test_cli_fetch_offline_without_cache(ssb_env: FakeSSB, runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["fetch", "--offline"])
    assert result.exit_code == 1
    assert "--offline" in result.output and ssb_env.log == []


def test_fetch_stores_the_kostra_groups_from_klass(ssb_env: FakeSSB, tmp_path: Path) -> None:
    from kommunerapport.sources.ssb import klass as kostragroups

    assert kostragroups.kostra_group("4601", 2025) is None  # nothing fetched: no guess
    report = ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert report.groups == {2025: 2}
    # Klass 131 → 112 (constructed answer; Bergen EKG12, Oslo EKG13 as Klass has them)
    assert kostragroups.kostra_group("4601", 2025) == "EKG12"
    info = kostragroups.kostra_group_info("0301", 2025)
    assert (info.code, info.label, info.year) == ("EKG13", "KOSTRA-gruppe 13", 2025)
    assert info.source == "SSB Klass 131 → 112 (KOSTRA-grupperinger)" and info.fetched
    assert kostragroups.kostra_group("4601", 2024) is None  # another year was not fetched
    assert any(line.startswith("KOSTRA-grupper 2025 (Klass 131 → 112): 2 kommuner")
               for line in ssb.summary(report))


def test_a_table_without_netto_driftsresultat_is_an_error(ssb_env: FakeSSB,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    meta = _metadata("12134")
    contents = meta["dimension"]["ContentsCode"]["category"]
    keep = [c for c in contents["index"] if c != "KOSAGD230000"]
    contents["index"] = {c: i for i, c in enumerate(keep)}
    contents["label"] = {c: contents["label"][c] for c in keep}
    contents["unit"] = {c: contents["unit"][c] for c in keep}
    meta["size"][meta["id"].index("ContentsCode")] = len(keep)
    monkeypatch.setattr(sys.modules[__name__], "_metadata",
                        lambda t: meta if t == "12134" else _original_metadata(t))
    with pytest.raises(FetchError, match="tabell 12134 ga ingen tall for netto driftsresultat"):
        ssb.fetch([2025], client=client(FakeTime()), progress=False)


_original_metadata = _metadata


def test_fetch_summary_gives_each_left_out_region_its_reason() -> None:
    # skipped: codes in the answers (historic municipalities with old figures);
    # left_out: codes in a table's metadata that were not asked for
    report = ssb.FetchReport(skipped={"1507": 12, "3803": 4},
                             left_out={"12134": ["0301x", "EKA39"], "13561": ["38", "54"]},
                             path=Path("fetched.csv"))
    report.left_out["07459"] = [f"{n:04d}" for n in range(1000, 1012)]
    lines = ssb.summary(report)
    old = [line for line in lines if "fra før 2024" in line]
    other = [line for line in lines if "modellen ikke har" in line]
    assert old == ["Uten tall i rapportene: 16 regionkoder fra før 2024 (registeret har "
                   "inndelingen fra 2024): 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, "
                   "1008, 1009 og 6 til."]
    assert other == ["Uten tall i rapportene: 2 regioner modellen ikke har (SSB-grupper, "
                     "bydeler, uoppgitt o.l.): 0301x, EKA39."]


@pytest.mark.parametrize(("old", "new", "same"), [
    ("https://data.ssb.no/api/v2/x", "https://data.ssb.no/api/v2/y", True),
    ("https://data.ssb.no/x", "https://DATA.ssb.no:443/y", True),
    ("http://data.ssb.no/x", "https://data.ssb.no/y", True),  # upgraded to https, same host
    ("https://data.ssb.no/x", "http://data.ssb.no/y", False),  # downgraded
    ("https://data.ssb.no/x", "https://data.ssb.no:8443/y", False),  # another port
    ("https://data.ssb.no/x", "https://evil.example/y", False),
    ("https://data.ssb.no/x", "https://data.ssb.no.evil.example/y", False),
    ("http://127.0.0.1:8000/x", "http://localhost:8000/y", False),  # another name
])
def test_redirects_are_followed_only_within_the_host(old: str, new: str, same: bool) -> None:
    from kommunerapport.sources.ssb import http as transport

    assert transport.same_host(old, new) is same


def test_fetch_asks_for_the_old_codes_of_the_years_it_fetches(ssb_env: FakeSSB) -> None:
    # Issue 16: SSB keeps 2020–2023 under the codes of those years (3801 Horten, 3803
    # Tønsberg, 1507 Ålesund, counties 30/38/54 in the constructed metadata). A fetch of
    # 2022–2025 must ask for them, and the figures must reach today's units on load.
    report = ssb.fetch([2022, 2023, 2024, 2025], client=client(FakeTime()), progress=False)
    asked = {c for m, p, b in ssb_env.log if m == "POST" and "/12134/" in p
             for c in b["selection"][0]["valueCodes"]}
    assert {"3801", "3803", "1507"} <= asked
    assert report.old_codes["12134"] == ["1507", "3801", "3803"]
    assert report.old_codes["13561"] == ["30", "38", "54"]
    # the change table from Klass is kept beside the figures, where loading finds it
    history = (ssb_store.cache_dir() / "regionendringer.csv").read_text("utf-8")
    assert "131,2024-01-01,3801,Horten,3901,Horten,renummerert" in history
    t = loading.load_dataset().table
    ndr = t[(t.measure == "ndr_pct") & t.value.notna()]
    # Horten: 2022–2023 fetched under 3801, 2024–2025 under 3901, one series under 3901
    assert sorted(ndr.loc[ndr.unit == "3901", "year"]) == [2022, 2023, 2024, 2025]
    assert not (ndr.unit.isin(["3801", "3803", "1507", "30", "38", "54"])).any()
    # the county authorities split in 2024 have nothing before it, and Ålesund neither
    assert sorted(ndr.loc[ndr.unit == "39", "year"]) == [2024, 2025]
    assert sorted(ndr.loc[ndr.unit == "1508", "year"]) == [2024, 2025]
    meta = loading.load_dataset().meta["history"]
    assert meta["split"]["1508"] == [2022, 2023] and meta["split"]["39"] == [2022, 2023]
    assert meta["renumbered"]["3901"] == {"3801": [2022, 2023]}


def test_a_klass_change_answer_of_the_wrong_shape_is_one_line(ssb_env: FakeSSB) -> None:
    ssb_env.script["/classifications/131/changes"] = [("status", 200, [{"oldCode": "0230"}])]
    with pytest.raises(FetchError) as err:
        ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert err.value.message.startswith(
        "Klass 131 (endringer): svaret er en liste uten listen «codeChanges».")
    assert ssb_store.fetched_files() is None  # nothing written


@pytest.mark.parametrize(("answer", "message"), [
    ([], "Klass 131: svaret er en liste, ikke et JSON-objekt med «codes»."),
    ({"codes": [{"name": "Oslo"}]},
     "Klass 131: kode nr. 1 i svaret har ikke tekstene «code» og «name» (fant {'name': 'Oslo'})."),
    ({"codes": "0301"}, "Klass 131: svaret mangler listen «codes» (fant en tekst)."),
])
def test_a_klass_register_answer_of_the_wrong_shape_is_one_line(
        ssb_env: FakeSSB, answer: object, message: str) -> None:
    ssb_env.script["/classifications/131/codesAt"] = [("status", 200, answer)]
    with pytest.raises(FetchError) as err:
        ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert err.value.message.startswith(message)


def test_a_klass_change_table_that_loops_stops_the_fetch(ssb_env: FakeSSB) -> None:
    loop = {"codeChanges": [
        {"oldCode": "3222", "oldName": "Lørenskog", "oldShortName": "", "newCode": "3029",
         "newName": "Lørenskog", "newShortName": "", "changeOccurred": "2024-01-01"},
        {"oldCode": "3029", "oldName": "Lørenskog", "oldShortName": "", "newCode": "3222",
         "newName": "Lørenskog", "newShortName": "", "changeOccurred": "2024-01-01"}]}
    ssb_env.script["/classifications/131/changes"] = [("status", 200, loop)]
    with pytest.raises(FetchError) as err:
        ssb.fetch([2025], client=client(FakeTime()), progress=False)
    assert "SSBs endringstabell kan ikke brukes" in err.value.message
    assert "kjeden går i ring: 3222 → 3029 → 3222 samme dag (01.01.2024)" in err.value.message
    assert "linje" not in err.value.message  # the answer has no lines to name
    assert ssb_store.fetched_files() is None



def test_a_refresh_keeps_march_beside_june_and_changes_compares_them(
        ssb_env: FakeSSB, runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    # Issue 16: two releases of table 12134. March as the local server gives it (updated
    # 2026-03-16, constructed metadata); June: the same table updated 2026-06-15 with
    # Lørenskog's NDR 2025 revised to 3.6 (the example; constructed, not SSB's).
    monkeypatch.setattr(ssb_client, "MIN_INTERVAL", 0.0)
    result = runner.invoke(cli.main, ["fetch", "--year", "2025"])
    assert result.exit_code == 0, result.output
    kept = {p.name: p for p in ssb_store.release_files("2026-03-16")}
    march = tidycsv.read_table(kept["SSB-12134.csv"])
    lorenskog = march[(march.unit == "3222") & (march.measure == "ndr_pct")]
    before = float(lorenskog["value"].iloc[0])
    assert before != 3.6
    ssb_env.updated = "2026-06-15T06:00:00Z"
    ssb_env.revised[("12134", "3222", "KOSAGD230000", "2025")] = 3.6
    result = runner.invoke(cli.main, ["fetch", "--year", "2025", "--refresh"])
    assert result.exit_code == 0, result.output
    assert ssb_store.release_dates() == ["2026-03-16", "2026-06-15"]  # side by side
    result = runner.invoke(cli.main, ["changes", "16.03.2026", "15.06.2026"])
    assert result.exit_code == 0, result.output
    shown = f"{before:.1f}".replace(".", ",").replace("-", "\u2212")
    lines = result.stdout.splitlines()
    assert f"Lørenskog, netto driftsresultat 2025: {shown} → 3,6 %" in lines
    # only what changed: one figure of 12134, and the same answer elsewhere is unchanged
    assert sum("→" in line for line in lines) == 1
    assert ("Berørte rapporter: sektorrapporten; fylkesrapportene for Akershus; "
            "medlemsrapportene for Lørenskog.") in lines
    result = runner.invoke(cli.main, ["changes", "16.03.2026", "15.06.2026", "--csv"])
    rows = result.stdout.splitlines()
    assert rows[0] == "enhet;navn;mål;år;omfang;gammel;ny;gammel utgivelse;ny utgivelse"
    assert rows[1].startswith("3222;Lørenskog;Netto driftsresultat i prosent av brutto "
                              f"driftsinntekter;2025;konsern;{shown};3,6;foreløpige tall "
                              "16.03.2026;")
    assert len(rows) == 2
    # A report on the June figures says in «Om tallene» what changed since March.
    from kommunerapport.model.regions import load_register
    from kommunerapport.reports import about

    dataset = loading.load_dataset()
    assert [(r["unit"], r["measure"], r["new"]) for r in dataset.meta["revisions"]] == [
        ("3222", "ndr_pct", 3.6)]
    notes = about.history_notes("nb", dataset.meta, load_register(), ["3222"], [2025])
    assert ("Endret siden foreløpige tall 16.3.2026: Lørenskog, netto driftsresultat i prosent "
            f"av brutto driftsinntekter 2025: {shown} → 3,6.") in notes
    nn = about.history_notes("nn", dataset.meta, load_register(), ["3222"], [2025])
    assert any(n.startswith("Endra sidan førebelse tal 16.3.2026: Lørenskog") for n in nn)


def test_changes_names_a_release_that_was_not_fetched(ssb_env: FakeSSB,
                                                      runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["changes", "16.03.2026", "15.06.2026"])
    assert result.exit_code == 2
    assert result.stderr == ("Feil: Ingen utgivelse fra 16.03.2026 er hentet; kjør "
                             "«kommunerapport fetch» først.\n")
