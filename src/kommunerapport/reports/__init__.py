"""The reports: one module per kind, and here the choice of kind and the writing.

- ``county``: a county's municipalities, its county authority, against the country;
- ``sector``: the whole sector;
- ``member``: one municipality or county authority (Oslo's county report is Oslo
  kommune's own: a county with one municipality);
- ``common``: what the three share; ``graphics``: their charts and maps; ``about``: the
  frame around the sections and «Om tallene».

``build`` returns a ``Report`` (the template context with its facts); ``write``
checks its text (``writing.check``), renders the PDF, records it and says when it runs
over its page limit.

Imports no batch, mail or command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kommunerapport import files
from kommunerapport.errors import KommunerapportError
from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs import records
from kommunerapport.outputs.names import report_name
from kommunerapport.render.html import render_html
from kommunerapport.render.pdf import pictures, write_pdf
from kommunerapport.reports.common import OSLO_COUNTY, Report
from kommunerapport.reports.county import county_report
from kommunerapport.reports.member import Shared, member_report, shared_figures
from kommunerapport.reports.sector import sector_report
from kommunerapport.writing.check import check

__all__ = ["OSLO_COUNTY", "PageLimitError", "Report", "Shared", "build", "build_county",
           "member_report", "member_target", "sector_report", "shared_figures", "write"]


def member_target(register: Register, number: str, year: int, out_dir: Path) -> Path:
    """Where a member's report goes (``outputs.names``): named for the first name of its
    official name, in the register's order («5612-guovdageaidnu», «5025-roros»)."""
    name = register.unit(number).name
    return out_dir / report_name(ReportKind.MEMBER, year, number, name)


def build_county(dataset: Dataset, register: Register, county: County, year: int, lang: str,
                 config: Config) -> Report:
    """A county's report; for a county with one municipality (Oslo), that municipality's."""
    units = register.in_county(county.number)
    if len(units) == 1:
        return member_report(dataset, register, units[0].number, year, lang, config)
    return county_report(dataset, register, county, year, lang, config)


def build(dataset: Dataset, register: Register, kind: ReportKind, number: str, year: int,
          lang: str | None, config: Config, shared: Shared | None = None) -> Report:
    """Any report; ``lang`` None is the unit's own written form."""
    kind = ReportKind(kind)
    if kind is ReportKind.SECTOR:
        return sector_report(dataset, register, year, lang or "nb", config)
    if kind is ReportKind.COUNTY:
        county = register.county(number)
        return build_county(dataset, register, county, year, lang or county.lang, config)
    return member_report(dataset, register, number, year, lang, config, shared)


class PageLimitError(KommunerapportError):
    """A report ran over its kind's page limit, where the limit is a rule (in a batch)."""


def write(report: Report, target: Path, templates_dir: Path | None = None,
          warn: Callable[[str], object] | None = None, kit: bool = False,
          strict_pages: bool = False) -> Path:
    """Check the report, render it to ``target`` (atomically) and return the path.

    A failed check is an error (nothing is written). Running over the page limit is an
    error with ``strict_pages`` (a batch: nothing is written), else a warning (a single
    report, where a user's own templates may lay the page out differently). ``kit``: the
    press kit too, in a folder beside the PDF (``render.kit``).
    """
    check(report.draft())
    context = report.context
    html = render_html(context, templates_dir=templates_dir)
    with files.atomic_path(target) as tmp:
        pages = write_pdf(html, tmp, templates_dir, pictures(context))
        if strict_pages and pages and pages > report.page_limit:
            raise PageLimitError(f"{target.name} ble {pages} sider; grensen for denne "
                                 f"rapporttypen er {report.page_limit}. Rapporten er ikke "
                                 "skrevet.")
    # The tool's own record of what it wrote: `send` trusts it, not the PDF's text.
    records.record_written(target, kind=report.kind, lang=context.lang, sample=context.sample)
    if kit:
        from kommunerapport.render.kit import write_kit

        write_kit(context, report.facts, target)
    if pages and pages > report.page_limit and warn is not None:
        warn(f"{target.name} har {pages} sider; grensen for denne rapporttypen er "
             f"{report.page_limit}.")
    return target
