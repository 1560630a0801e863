"""Rebuild only what changed (issue 16.5): a report whose files already say what it would
say is not touched, not even its files' time; everything that changes what it says does
rewrite it, and only it."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from kommunerapport.batch import run as batch
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import records
from kommunerapport.render import fingerprint
from kommunerapport.render.kit import kit_folder
from kommunerapport.sources import loading
from kommunerapport.sources.loading import load_builtin

FEW = ["3903", "4602", "39"]  # Holmestrand, Kinn, Vestfold fylkeskommune
EPOCH = "1772755200"  # 6.3.2026


@pytest.fixture(autouse=True)
def _dated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the same dateline in every run


def state(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder``: its modification time (ns) and bytes."""
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def numbers(outcomes: list[batch.Outcome]) -> list[str]:
    return sorted(o.job.number for o in outcomes)


@pytest.fixture
def written(tmp_path: Path) -> Path:
    first = batch.run_batch(members=FEW, out_dir=tmp_path, jobs=1)
    assert numbers(first.written) == sorted(FEW)
    return tmp_path


def test_a_rerun_with_nothing_changed_touches_no_file(written: Path) -> None:
    before = state(written)
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1)
    assert (numbers(again.unchanged), again.written, again.failed) == (sorted(FEW), [], [])
    assert state(written) == before  # PDFs, records: same bytes, same times


def test_force_writes_every_report_again(written: Path) -> None:
    before = state(written)
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1, force=True)
    assert numbers(again.written) == sorted(FEW)
    after = state(written)
    pdfs = [name for name in before if name.endswith(".pdf")]
    assert all(after[name][0] != before[name][0] for name in pdfs)  # written anew …
    assert all(after[name][1] == before[name][1] for name in pdfs)  # … the same bytes


def with_holmestrand_at(ndr: float) -> Dataset:
    """The built-in data with Holmestrand's (3903) netto driftsresultat 2025 changed, the
    amount and the share together: 109 487 of 2 488 333 kr brutto driftsinntekter is 4,4 %
    (the sample has 94 557, 3,8 %)."""
    data = load_builtin()
    table = data.table.copy()
    row = (table.unit == "3903") & (table.year == 2025)
    table.loc[row & (table.measure == "ndr"), "value"] = ndr
    table.loc[row & (table.measure == "ndr_pct"), "value"] = round(ndr / 2488333 * 100, 1)
    return dataclasses.replace(data, table=table)


def test_a_changed_figure_rewrites_only_the_reports_that_show_it(
        written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = state(written)
    monkeypatch.setattr(loading, "load_dataset", lambda path: with_holmestrand_at(109487.0))
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1)
    # Holmestrand's own report; Kinn (Vestland) and Vestfold fylkeskommune (the county
    # authorities) show none of Holmestrand's figures, nor any aggregate it is part of.
    assert numbers(again.written) == ["3903"]
    assert numbers(again.unchanged) == ["39", "4602"]
    after = state(written)
    changed = sorted(name for name in before if after[name] != before[name])
    assert changed == ["kommuner/.rapportregister/kommuneokonomi-2025-3903-holmestrand.pdf.json",
                       "kommuner/kommuneokonomi-2025-3903-holmestrand.pdf"]


def test_changed_templates_or_styles_rewrite_every_report(written: Path) -> None:
    from kommunerapport.files import asset_dir

    mine = written.parent / "mine"
    mine.mkdir()
    css = (asset_dir("styles") / "report.css").read_text("utf-8")
    (mine / "report.css").write_text(css.replace("#1b365d", "#2e5d1b"), "utf-8")
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1, templates_dir=mine)
    assert numbers(again.written) == sorted(FEW)
    assert numbers(batch.run_batch(members=FEW, out_dir=written, jobs=1,
                                   templates_dir=mine).unchanged) == sorted(FEW)


def test_a_new_version_of_the_tool_rewrites_every_report(
        written: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fingerprint, "__version__", "99.0.0")
    fingerprint._assets.cache_clear()
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1)
    assert numbers(again.written) == sorted(FEW)


@pytest.mark.parametrize("spoil", ["edited", "no-record", "empty"])
def test_a_file_the_record_does_not_vouch_for_is_written_again(written: Path,
                                                               spoil: str) -> None:
    pdf = written / "kommuner" / "kommuneokonomi-2025-4602-kinn.pdf"
    if spoil == "edited":
        pdf.write_bytes(pdf.read_bytes() + b"% edited\n")
    elif spoil == "no-record":
        records.record_path(pdf).unlink()
    else:
        pdf.write_bytes(b"")  # as a full disk may leave it
    again = batch.run_batch(members=FEW, out_dir=written, jobs=1)
    assert numbers(again.written) == ["4602"]
    assert records.current(pdf) is not None


def test_a_kit_asked_for_later_is_added_without_touching_the_pdf(written: Path) -> None:
    pdf = written / "kommuner" / "kommuneokonomi-2025-3903-holmestrand.pdf"
    before = pdf.stat().st_mtime_ns
    again = batch.run_batch(members=["3903"], out_dir=written, jobs=1, kit=True)
    assert [o.path for o in again.written] == [kit_folder(pdf)]
    assert pdf.stat().st_mtime_ns == before
    assert records.read_record(pdf).kit == records.kit_digest(kit_folder(pdf))
    third = batch.run_batch(members=["3903"], out_dir=written, jobs=1, kit=True)
    assert numbers(third.unchanged) == ["3903"]


def test_the_summary_says_unchanged(written: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rich.console import Console

    batch.run_batch(members=FEW, out_dir=written, jobs=1, console=Console(stderr=True))
    err = capsys.readouterr().err
    assert "Skrevet: 0, uendret: 3, hoppet over: 0, feilet: 0 (" in err
    assert "Uendret: kommuner" not in err  # named only with --verbose
    batch.run_batch(members=FEW, out_dir=written, jobs=1, verbose=True,
                    console=Console(stderr=True))
    assert "  Uendret: kommuner/kommuneokonomi-2025-4602-kinn.pdf" in capsys.readouterr().err


def test_after_ctrl_c_the_summary_counts_what_is_on_disk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers finish the report in hand when the batch stops: the parent never hears
    # of it, but it is on disk, recorded, and counted.
    def interrupted(todo: list[batch.Job], count: int) -> Iterator[batch.Outcome]:
        yield batch.write_one(todo[0])
        batch.write_one(todo[1])  # a worker's, finished after the interrupt
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "outcomes", interrupted)
    summary = batch.run_batch(members=FEW, out_dir=tmp_path, jobs=1)
    assert summary.interrupted
    on_disk = sorted(p.name for p in tmp_path.rglob("*.pdf"))
    assert len(summary.written) == len(on_disk) == 2


STABLE = textwrap.dedent("""
    from kommunerapport.model.config import Config
    from kommunerapport.model.regions import load_register
    from kommunerapport.render import fingerprint
    from kommunerapport.reports import member_report
    from kommunerapport.sources.loading import load_builtin
    report = member_report(load_builtin(), load_register(), "4602", 2025, None, Config())
    print(fingerprint.content(report.context, report.facts))
""")


def test_the_fingerprint_is_the_same_in_every_process(dataset, register) -> None:
    from kommunerapport.model.config import Config
    from kommunerapport.reports import member_report

    report = member_report(dataset, register, "4602", 2025, None, Config())
    here = fingerprint.content(report.context, report.facts)
    seen = {subprocess.run([sys.executable, "-c", STABLE], capture_output=True, text=True,
                           timeout=120, env={**os.environ, "PYTHONHASHSEED": seed},
                           check=True).stdout.strip() for seed in ("1", "2")}
    assert seen == {here}


def test_the_fingerprint_ignores_the_date_and_the_mark_but_not_the_words(
        dataset, register) -> None:
    from kommunerapport.model.config import Config
    from kommunerapport.reports import member_report

    context = member_report(dataset, register, "4602", 2025, None, Config()).context
    other_day = dataclasses.replace(context, dateline="9.3.2026", created="2026-03-09",
                                    draft=False)
    assert fingerprint.content(other_day, ()) == fingerprint.content(context, ())
    assert fingerprint.written_as("0" * 64, other_day, False) != fingerprint.written_as(
        "0" * 64, context, False)
    reworded = dataclasses.replace(context, title=context.title + "!")
    assert fingerprint.content(reworded, ()) != fingerprint.content(context, ())


def test_a_value_without_a_stable_form_is_refused() -> None:
    class Opaque:
        pass

    with pytest.raises(TypeError, match="no stable form for"):
        fingerprint.canonical(Opaque())
