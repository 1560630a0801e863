"""Property-based: the readers take valid-shaped hostile documents without any exception
but the tool's own, and within a memory cap (issue 20, item 1).

Hypothesis writes JSON-stat, PX, Statistikkbanken CSV and XLSX files, and Klass answers,
of the right shape with hostile contents: huge and negative decimals, numbers past any
float, texts where lists belong, odd Unicode, formulas, sizes that do not add up. Each
test runs in a forked child whose address space is capped (``resource.setrlimit``): a
reader that tried to take the machine fails with MemoryError there, not here. The
examples are derandomised (the same each run) and no example database is written.
"""

from __future__ import annotations

import json
import os
import resource
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kommunerapport.errors import KommunerapportError
from kommunerapport.sources import readers

CAP = 1_500_000_000  # bytes of address space a child may add to what it starts with
FUZZ = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _vm_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    return 0


def under_cap(test: Callable[[], None]) -> None:
    """Run ``test`` in a forked child with its address space capped; its failure (or a
    MemoryError) fails here with the child's traceback."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: cap, run, report, leave without running pytest's teardown
        os.close(read)
        code = 0
        try:
            limit = _vm_bytes() + CAP
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            test()
        except BaseException:  # every failure goes back to the parent
            os.write(write, traceback.format_exc()[-6000:].encode())
            code = 1
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        report = pipe.read().decode(errors="replace")
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, report


@pytest.fixture(autouse=True)
def _no_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOMMUNERAPPORT_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(autouse=True, scope="module")
def _hypothesis_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Hypothesis keeps its own files (a character table) in the test's temporary folder,
    not in the working tree."""
    from hypothesis import configuration

    before = configuration.storage_directory()
    configuration.set_hypothesis_home_dir(str(tmp_path_factory.mktemp("hypothesis")))
    yield
    configuration.set_hypothesis_home_dir(str(before))


def read_only_our_errors(name: str, content: bytes) -> None:
    """Write ``content`` as ``name`` and read it: a dataset, or one of the tool's errors."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            readers.read(path)
        except KommunerapportError as exc:
            assert "\n" not in exc.format_message()


# --------------------------------------------------------------------------- strategies

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
CODES = st.one_of(st.sampled_from(["0301", "4601", "3029", "1507", "EAK", "EAKUO", "39", "30",
                                   "K-3101", "år2024", "2025", "", " 0301"]), TEXT)
NUMBERS = st.one_of(st.none(), st.floats(-1e6, 1e6), st.floats(allow_nan=True,
                                                                allow_infinity=True),
                    st.integers(min_value=-10**30, max_value=10**30),
                    st.sampled_from([1e308, -1e308, 0, -0.0, 10**400]), TEXT, st.booleans())
DECIMALS = st.one_of(st.integers(0, 3), st.integers(-5, 20), st.sampled_from([999_999_999, -3]),
                     TEXT, st.none(), st.floats(), st.booleans())
CONTENTS = st.sampled_from(["KOSAGD230000", "KOSAG110000", "KOSKG210000", "X"])
CONTENT_LABELS = st.sampled_from([
    "Netto driftsresultat i prosent av brutto driftsinntekter (prosent)",
    "Frie inntekter per innbygger (kr)", "Fri egenkapital drift i % av br. driftsinnt. (%)",
    "Brutto driftsinntekter (1000 kr)", "Personer", ""])


@st.composite
def jsonstat_docs(draw: st.DrawFn) -> dict:
    regions = draw(st.lists(CODES, min_size=0, max_size=4, unique=True))
    contents = draw(st.lists(CONTENTS, min_size=1, max_size=3, unique=True))
    years = draw(st.lists(st.one_of(st.sampled_from(["2020", "2023", "2024", "2025", "1999",
                                                     "2099", "år2024"]), TEXT),
                          min_size=1, max_size=3))
    n = len(regions) * len(contents) * len(years)
    hostile = draw(st.integers(0, 9)) < 3  # most documents well formed, so the rows are read
    good_role = {"geo": ["KOKkommuneregion0000"], "time": ["Tid"], "metric": ["ContentsCode"]}
    role = good_role if not hostile else draw(st.one_of(
        st.just({"geo": "KOKkommuneregion0000", "time": "Tid"}),
        st.just({"geo": ["Region"]}), st.none(), st.just([]), st.just("geo")))
    size = [len(regions), len(contents), len(years)] if not hostile else draw(st.one_of(
        st.lists(st.integers(0, 10**9), max_size=3), st.text(max_size=3)))
    values = draw(st.lists(NUMBERS, min_size=n, max_size=n)) if not hostile else draw(
        st.one_of(st.lists(NUMBERS, max_size=6),
                  st.dictionaries(st.text(max_size=4), NUMBERS, max_size=3)))
    units = {c: {"base": draw(st.sampled_from(["prosent", "kr", "1000 kr", "mill. kr", "", "%"])),
                 "decimals": draw(DECIMALS)} for c in contents}
    labels = {c: draw(CONTENT_LABELS) for c in contents}
    return {
        "version": "2.0", "class": "dataset", "label": draw(TEXT),
        "updated": draw(st.one_of(st.just("2026-03-16T07:00:00Z"), TEXT, st.integers())),
        "id": ["KOKkommuneregion0000", "ContentsCode", "Tid"], "size": size, "role": role,
        "dimension": {
            "KOKkommuneregion0000": {"label": "region", "category": {
                "index": regions, "label": {r: draw(TEXT) for r in regions}}},
            "ContentsCode": {"label": "statistikkvariabel", "category": {
                "index": contents, "label": labels, "unit": units}},
            "Tid": {"label": "år", "category": {"index": years}}},
        "value": values,
        "status": draw(st.one_of(st.none(), st.dictionaries(st.text(max_size=3),
                                                             st.sampled_from(["..", ":", ".",
                                                                              "-", "x"]),
                                                             max_size=3))),
        "extension": {"px": {"tableid": draw(st.sampled_from(["12134", "13561", "", "x"])),
                             "decimals": draw(DECIMALS)}},
    }


def _px_value(text: str) -> str:
    return '"' + text.replace('"', "") + '"'


@st.composite
def px_files(draw: st.DrawFn) -> str:
    regions = draw(st.lists(st.one_of(st.sampled_from(["4601 Bergen", "3029 Lørenskog",
                                                       "EAK Landet"]), TEXT),
                            min_size=1, max_size=3))
    years = draw(st.lists(st.sampled_from(["2024", "2025", "år2025", "1999"]), min_size=1,
                          max_size=2))
    content = draw(CONTENT_LABELS)
    cells = len(regions) * len(years)
    data = draw(st.lists(st.one_of(st.sampled_from(['".."', '"-"', "1.5", "-3", "1e400", '"x"',
                                                    "9" * 50]),
                                   st.floats(allow_nan=False).map(repr)),
                         min_size=max(cells - 1, 0), max_size=cells + 1))
    extra = draw(st.lists(st.sampled_from([
        'DECIMALS="999999999";', "DECIMALS=-3;", 'LAST-UPDATED="20261316 08:00";',
        'LAST-UPDATED="20260316 08:00";', f'LAST-UPDATED({_px_value(content)})="20260615";',
        'TIMEVAL("år")=TLIST(A1),"2025";', 'KEYS("region")=CODES;', 'UNITS="prosent";',
        'CHARSET="ANSI";', 'MATRIX="12134";', 'TITLE="unterminated;']), max_size=4))
    return "\n".join([
        *extra, 'STUB="region";', 'HEADING="statistikkvariabel","år";',
        'VALUES("region")=' + ",".join(_px_value(r) for r in regions) + ";",
        f'VALUES("statistikkvariabel")={_px_value(content)};',
        'VALUES("år")=' + ",".join(_px_value(y) for y in years) + ";",
        "DATA=", " ".join(data) + ";"]) + "\n"


@st.composite
def statbank_csvs(draw: st.DrawFn) -> str:
    rows = draw(st.lists(st.tuples(
        st.one_of(st.sampled_from(["4601 Bergen", "Våler", "3029 Lørenskog (2020-2023)",
                                   "Landet u/Oslo", "Kostragr. 8"]), TEXT),
        CONTENT_LABELS,
        st.one_of(st.sampled_from(["2024", "2025", "år2024", "31.02.2026"]), TEXT),
        st.one_of(st.sampled_from(["..", "-", "1 234,5", "−0,6", "1e400", "9" * 400]), TEXT)),
        min_size=1, max_size=6))
    title = draw(st.one_of(st.just("12134: Utvalgte nøkkeltall"), TEXT,
                           st.just("Sist oppdatert 31.02.2026")))

    def cell(t: str) -> str:
        return '"' + t.replace('"', '""') + '"'

    lines = [cell(title), "", '"region";"statistikkvariabel";"år";"x"']
    lines += [";".join(cell(c) for c in row) for row in rows]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the properties

def test_jsonstat_reader_takes_hostile_documents() -> None:
    @FUZZ
    @given(jsonstat_docs())
    def check(doc: dict) -> None:
        read_only_our_errors("lagret.json", json.dumps(doc, allow_nan=True).encode())

    under_cap(check)


def test_px_reader_takes_hostile_files() -> None:
    @FUZZ
    @given(px_files(), st.sampled_from(["utf-8", "cp1252"]))
    def check(text: str, encoding: str) -> None:
        read_only_our_errors("tabell.px", text.encode(encoding, errors="replace"))

    under_cap(check)


def test_csv_readers_take_hostile_files() -> None:
    @FUZZ
    @given(statbank_csvs(), st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    def check(text: str, encoding: str) -> None:
        read_only_our_errors("12134.csv", text.encode(encoding, errors="replace"))

    under_cap(check)


def test_xlsx_reader_takes_hostile_workbooks() -> None:
    import io

    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = st.one_of(NUMBERS.filter(lambda v: not isinstance(v, int) or abs(v) < 10**15),
                      st.sampled_from(["=1+1", "=SUM(A1:A2)", "kommunenummer", "år",
                                       "netto driftsresultat (% av BDI)", "3901"]))

    @FUZZ
    @given(st.lists(st.lists(cells, min_size=1, max_size=4), min_size=1, max_size=5))
    def check(rows: list[list[object]]) -> None:
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["kommunenummer", "år", "netto driftsresultat (% av BDI)"])
        for row in rows:
            sheet.append([v if not isinstance(v, str)  # openpyxl refuses control characters
                          else ILLEGAL_CHARACTERS_RE.sub("", v)[:200] for v in row])
        buf = io.BytesIO()
        book.save(buf)
        read_only_our_errors("ks.xlsx", buf.getvalue())

    under_cap(check)


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda children: st.one_of(st.lists(children, max_size=3),
                               st.dictionaries(TEXT, children, max_size=3)), max_leaves=8)


def test_klass_answers_take_hostile_documents() -> None:
    from kommunerapport.errors import FetchError
    from kommunerapport.sources.ssb.klass import change_rows, klass_codes

    change = st.fixed_dictionaries({
        "oldCode": st.one_of(CODES, st.integers()), "oldName": TEXT,
        "newCode": st.one_of(CODES, st.integers()), "newName": TEXT,
        "changeOccurred": st.one_of(st.sampled_from(["2024-01-01", "2020-01-01", "1.1.2024"]),
                                    TEXT)})
    answers = st.one_of(JSON_VALUES, st.fixed_dictionaries({"codes": JSON_VALUES}),
                        st.fixed_dictionaries({"codeChanges": st.lists(change, max_size=4)}),
                        st.fixed_dictionaries({"codeChanges": JSON_VALUES}))

    @FUZZ
    @given(answers)
    def check(doc: object) -> None:
        from kommunerapport.model.history import parse

        for use in (lambda: klass_codes(doc, "Klass 131"),
                    lambda: parse(change_rows(doc, "131", "Klass 131"), "Klass 131")):
            try:
                use()
            except (FetchError, KommunerapportError) as exc:
                assert "\n" not in exc.format_message()

    under_cap(check)
