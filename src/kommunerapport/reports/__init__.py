"""The reports: one module per kind, and here the choice of kind and the writing.

- ``county``: a county's municipalities, its county authority, against the country;
- ``sector``: the whole sector;
- ``member``: one municipality or county authority (Oslo's county report is Oslo
  kommune's own: a county with one municipality);
- ``common``: what the three share; ``check``: the text check every report passes
  before it is rendered.

``build`` returns a ``Report`` (the template context with its facts); ``write``
checks it, renders the PDF and says when it runs over its page limit.
"""

from __future__ import annotations

from pathlib import Path

import click

from kommunerapport.model.regions import County, Register, find_county, load_register
from kommunerapport.model.schema import Dataset, resolve_year
from kommunerapport.outputs import names as outputs
from kommunerapport.outputs import records
from kommunerapport.render.pdf import render_html, write_pdf
from kommunerapport.reports.common import OSLO_COUNTY, Report
from kommunerapport.reports.county import county_report
from kommunerapport.reports.member import Shared, member_report, shared_figures
from kommunerapport.reports.sector import sector_report
from kommunerapport.sources.configfile import Config, load_config
from kommunerapport.sources.loading import load_dataset
from kommunerapport.writing.check import check_report

__all__ = ["OSLO_COUNTY", "Report", "Shared", "build", "build_county", "member_report",
           "member_target", "sector_report", "shared_figures", "write", "write_report"]


def member_target(register: Register, number: str, year: int, out_dir: Path) -> Path:
    """Where a member's report goes (``outputs.member_name``)."""
    unit = register.county(number) if len(number) == 2 else register.municipality(number)
    return out_dir / outputs.member_name(year, number, unit.short_name)


def build_county(dataset: Dataset, register: Register, county: County, year: int, lang: str,
                 config: Config) -> Report:
    """A county's report; for a county with one municipality (Oslo), that municipality's."""
    units = register.in_county(county.number)
    if len(units) == 1:
        return member_report(dataset, register, units[0].number, year, lang, config)
    return county_report(dataset, register, county, year, lang, config)


def build(dataset: Dataset, register: Register, kind: str, number: str, year: int,
          lang: str | None, config: Config, shared: Shared | None = None) -> Report:
    """Any report: ``kind`` sector, county or member; ``lang`` None is the unit's own form."""
    if kind == "sector":
        return sector_report(dataset, register, year, lang or "nb", config)
    if kind == "county":
        county = register.county(number)
        return build_county(dataset, register, county, year, lang or county.lang, config)
    return member_report(dataset, register, number, year, lang, config, shared)


def write(report: Report, target: Path, templates_dir: Path | None = None,
          warn=None, kit: bool = False) -> Path:  # noqa: ANN001 - a callable taking one line
    """Check the report, render it to ``target`` (atomically) and return the path.

    A failed check is an error (nothing is written); running over the page limit is
    a warning, since a user's own templates may lay the page out differently. ``kit``:
    the press kit too, in a folder beside the PDF (``kit.write_kit``).
    """
    check_report(report)
    context = report.context
    html = render_html(context, templates_dir=templates_dir)
    with outputs.atomic_write(target) as tmp:
        pages = write_pdf(html, tmp, templates_dir, context.images)
    # The tool's own record of what it wrote: `send` trusts it, not the PDF's text.
    records.record_written(target, kind=context.kind, lang=context.lang, sample=context.sample)
    if kit:
        from kommunerapport.render.kit import write_kit

        write_kit(report, target)
    if pages and pages > report.page_limit and warn is not None:
        warn(f"{target.name} har {pages} sider; grensen for denne rapporttypen er "
             f"{report.page_limit}.")
    return target


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
        target = out_dir / outputs.county_name(year, c.short_name, suffix)
    else:
        report = sector_report(dataset, register, year, lang or "nb", config)
        target = out_dir / outputs.sector_name(year, lang if lang == "nn" else None)
    for line in report.warnings:
        click.echo(f"Advarsel: {line}", err=True)
    return write(report, target, templates_dir,
                 warn=lambda line: click.echo(f"Advarsel: {line}", err=True), kit=kit)

