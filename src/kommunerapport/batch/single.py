"""One report from the command line: ``--county NAME`` or ``--sector``.

Loads what the report needs (config, figures, register), builds it and writes it,
saying its warnings on stderr. Many reports at once are ``batch.run``.
"""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import find_county, load_register
from kommunerapport.model.schema import resolve_year
from kommunerapport.outputs.names import report_name
from kommunerapport.reports import build_county, sector_report, write
from kommunerapport.sources.configfile import load_config
from kommunerapport.sources.loading import DataInput, load_dataset


def _warn(line: str) -> None:
    click.echo(f"Advarsel: {line}", err=True)


def write_report(county: str | None, year: int | None, lang: str | None,
                 data_file: DataInput | None, out_dir: Path, config_file: Path | None,
                 templates_dir: Path | None = None, kit: bool = False) -> Path:
    """Build one county report (or the sector's, without ``county``) and write its PDF."""
    config = load_config(config_file)
    if data_file is not None and data_file.release is None and config.release:
        data_file = DataInput(data_file.paths, config.release)  # the config's date
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
