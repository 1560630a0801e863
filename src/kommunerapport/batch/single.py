"""One report from the command line: ``--county NAME``, ``--sector`` or ``--member NAME``.

Loads what the report needs (config, figures, register), builds it and writes it when
it would change, saying its warnings on stderr. The output folder is held as a batch
holds it (``outputs.lock``): a single report never writes into a folder a batch is
writing. Many reports at once are ``batch.run``.
"""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport import files
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import find_county, find_member, load_register
from kommunerapport.model.schema import resolve_year
from kommunerapport.outputs.lock import folder_lock
from kommunerapport.outputs.names import report_path
from kommunerapport.reports import (
    Written,
    build_county,
    member_report,
    member_target,
    publish,
    sector_report,
    shared_figures,
)
from kommunerapport.sources.loading import DataInput, load_inputs


def _warn(line: str) -> None:
    click.echo(f"Advarsel: {line}", err=True)


def write_members(members: list[str], year: int | None, lang: str | None,
                  data_file: DataInput | None, out_dir: Path, config_file: Path | None,
                  templates_dir: Path | None = None, kit: bool = False,
                  force: bool = False) -> list[Written]:
    """One report for each member the user named (any spelling or number), in order; every
    name is looked up before any report is written, and a report that would say the same
    as the one in ``out_dir`` is left alone (``force``: written anyway)."""
    numbers = list(dict.fromkeys(find_member(m) for m in members))
    config, dataset = load_inputs(config_file, data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    shared = shared_figures(dataset, register, year)
    reports = []
    for number in numbers:
        report = member_report(dataset, register, number, year, lang, config, shared)
        unit = register.unit(number)
        target = member_target(register, number, year, out_dir)
        if lang and lang != unit.lang:  # another language than its own: a file of its own
            target = target.with_name(f"{target.stem}-{lang}{target.suffix}")
        for line in report.warnings:
            _warn(line)
        reports.append((report, target))
    with files.folder_for(out_dir), folder_lock(out_dir):
        return [publish(report, target, templates_dir, warn=_warn, kit=kit, force=force)
                for report, target in reports]


def write_report(county: str | None, year: int | None, lang: str | None,
                 data_file: DataInput | None, out_dir: Path, config_file: Path | None,
                 templates_dir: Path | None = None, kit: bool = False,
                 force: bool = False) -> Written:
    """Build one county report (or the sector's, without ``county``) and write its PDF
    unless the one in ``out_dir`` already says the same (``force``: always)."""
    config, dataset = load_inputs(config_file, data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    if county:
        c = find_county(county, year)
        report = build_county(dataset, register, c, year, lang or c.lang, config)
        # Another language than the county's own gets its own file, not the same name.
        suffix = lang if lang and lang != c.lang else None
        target = report_path(out_dir, ReportKind.COUNTY, year, c.number, c.short_name, suffix)
    else:
        report = sector_report(dataset, register, year, lang or "nb", config)
        target = report_path(out_dir, ReportKind.SECTOR, year,
                             lang=lang if lang == "nn" else None)
    for line in report.warnings:
        _warn(line)
    with files.folder_for(out_dir), folder_lock(out_dir):
        return publish(report, target, templates_dir, warn=_warn, kit=kit, force=force)
