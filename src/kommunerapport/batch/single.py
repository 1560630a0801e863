"""One report from the command line: ``--county NAME``, ``--sector`` or ``--member NAME``.

Loads what the report needs (config, figures, register), builds it and writes it,
saying its warnings on stderr. Many reports at once are ``batch.run``.
"""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import find_county, find_member, load_register
from kommunerapport.model.schema import resolve_year
from kommunerapport.outputs.names import report_name
from kommunerapport.reports import (
    build_county,
    member_report,
    member_target,
    sector_report,
    shared_figures,
    write,
)
from kommunerapport.sources.configfile import load_config
from kommunerapport.sources.loading import load_dataset


def _warn(line: str) -> None:
    click.echo(f"Advarsel: {line}", err=True)


def write_members(members: list[str], year: int | None, lang: str | None,
                  data_file: Path | None, out_dir: Path, config_file: Path | None,
                  templates_dir: Path | None = None, kit: bool = False) -> list[Path]:
    """One report for each member the user named (any spelling or number), in order; every
    name is looked up before any report is written."""
    numbers = list(dict.fromkeys(find_member(m) for m in members))
    config = load_config(config_file)
    dataset = load_dataset(data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    shared = shared_figures(dataset, register, year)
    out = []
    for number in numbers:
        report = member_report(dataset, register, number, year, lang, config, shared)
        unit = register.unit(number)
        target = member_target(register, number, year, out_dir)
        if lang and lang != unit.lang:  # another language than its own: a file of its own
            target = target.with_name(f"{target.stem}-{lang}{target.suffix}")
        for line in report.warnings:
            _warn(line)
        out.append(write(report, target, templates_dir, warn=_warn, kit=kit))
    return out


def write_report(county: str | None, year: int | None, lang: str | None,
                 data_file: Path | None, out_dir: Path, config_file: Path | None,
                 templates_dir: Path | None = None, kit: bool = False) -> Path:
    """Build one county report (or the sector's, without ``county``) and write its PDF."""
    config = load_config(config_file)
    dataset = load_dataset(data_file)
    register = load_register()
    year = resolve_year(dataset, year)
    if county:
        c = find_county(county, year)
        report = build_county(dataset, register, c, year, lang or c.lang, config)
        # Another language than the county's own gets its own file, not the same name.
        suffix = lang if lang and lang != c.lang else None
        target = out_dir / report_name(ReportKind.COUNTY, year, c.number, c.short_name, suffix)
    else:
        report = sector_report(dataset, register, year, lang or "nb", config)
        target = out_dir / report_name(ReportKind.SECTOR, year,
                                       lang=lang if lang == "nn" else None)
    for line in report.warnings:
        _warn(line)
    return write(report, target, templates_dir, warn=_warn, kit=kit)
