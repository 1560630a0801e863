"""The reports: one module per kind, and here the choice of kind and the writing.

- ``county``: a county's municipalities, its county authority, against the country;
- ``sector``: the whole sector;
- ``member``: one municipality or county authority (Oslo's county report is Oslo
  kommune's own: a county with one municipality);
- ``common``: what the three share; ``graphics``: their charts and maps; ``about``: the
  frame around the sections and «Om tallene».

``build`` returns a ``Report`` (the template context with its facts); ``publish``
checks its text (``writing.check``), writes its files when they would change
(``render.writer``: the PDF, the press kit, the record) and says when it runs over its
page limit; ``write`` is the same, returning the path.

Imports no batch, mail or command line.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kommunerapport.model.config import Config
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import County, Register
from kommunerapport.model.schema import Dataset
from kommunerapport.outputs.names import report_path
from kommunerapport.render.writer import PageLimitError, Subject, Written, write_files
from kommunerapport.reports.common import OSLO_COUNTY, Report
from kommunerapport.reports.county import county_report
from kommunerapport.reports.member import Shared, member_report, shared_figures
from kommunerapport.reports.sector import sector_report
from kommunerapport.writing.check import check

__all__ = ["OSLO_COUNTY", "PageLimitError", "Report", "Shared", "Written", "build",
           "build_county", "member_report", "member_target", "publish", "sector_report",
           "shared_figures", "write"]


def member_target(register: Register, number: str, year: int, out_dir: Path) -> Path:
    """Where a member's report goes (``outputs.names``): named for the first name of its
    official name, in the register's order («5612-guovdageaidnu», «5025-roros»)."""
    return report_path(out_dir, ReportKind.MEMBER, year, number, register.unit(number).name)


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


def publish(report: Report, target: Path, templates_dir: Path | None = None,
            warn: Callable[[str], object] | None = None, kit: bool = False,
            force: bool = False, strict_pages: bool = False) -> Written:
    """Check the report, write its files to ``target`` when they would change (``force``:
    always) and say what became of them.

    A failed check is an error (nothing is written). A report over its page limit is laid
    out again closer (``render.writer``); still over the limit, it is an
    error with ``strict_pages`` (a batch: nothing is written), else a warning (a single
    report, where a user's own templates may lay the page out differently). ``kit``: the
    press kit too, in a folder beside the PDF (``render.kit``).
    """
    check(report.draft())
    written = write_files(report.context, report.facts, target,
                          Subject(report.kind, report.number or None, report.year),
                          templates_dir, kit, force,
                          page_limit=report.page_limit, strict_pages=strict_pages)
    pages = written.pages
    if pages and pages > report.page_limit and warn is not None:
        warn(f"{target.name} har {pages} sider; grensen for denne rapporttypen er "
             f"{report.page_limit}.")
    return written


def write(report: Report, target: Path, templates_dir: Path | None = None,
          warn: Callable[[str], object] | None = None, kit: bool = False,
          force: bool = False, strict_pages: bool = False) -> Path:
    """``publish``, returning the PDF's path."""
    publish(report, target, templates_dir, warn, kit, force, strict_pages)
    return target
