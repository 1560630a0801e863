"""Which reports a batch writes, and where: the sector, the counties and the members.

Every member once: the 357 municipalities and the county authorities, Oslo as a
municipality only (its accounts are Oslo kommune's). Counties and county authorities
created in 2024 are left out of earlier years.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kommunerapport import reports
from kommunerapport.model.kinds import ReportKind
from kommunerapport.model.regions import County, Register
from kommunerapport.outputs.names import report_path


@dataclass(frozen=True)
class Job:
    """One report to write; ``number`` its unit («» for the sector)."""

    kind: ReportKind
    number: str
    name: str
    target: Path


def plan(register: Register, year: int, out_dir: Path, everything: bool = False,
         members: Iterable[str] | None = None) -> list[Job]:
    """The reports to write: the sector and counties, and/or the given members.

    Every county has a report for every year: before 2024 its municipalities' figures
    are counted back through the change table. County authorities created in 2024 are
    left out of earlier years (they have no accounts then).
    """
    jobs: list[Job] = []
    if everything:
        jobs.append(Job(ReportKind.SECTOR, "", "landet",
                        report_path(out_dir, ReportKind.SECTOR, year)))
        jobs += [Job(ReportKind.COUNTY, c.number, c.short_name,
                     report_path(out_dir, ReportKind.COUNTY, year, c.number, c.short_name))
                 for c in register.counties]
    for number in members or ():
        unit = register.unit(number)
        if isinstance(unit, County) and unit.valid_from > year:
            continue  # a county authority that did not exist yet has no report
        jobs.append(Job(ReportKind.MEMBER, number, unit.short_name,
                        reports.member_target(register, number, year, out_dir)))
    return jobs


def all_members(register: Register) -> list[str]:
    """Every member: the 357 municipalities, then the county authorities.

    Oslo is a member once: its accounts are Oslo kommune's, with no county authority
    of its own.
    """
    return [m.number for m in register.municipalities] + [
        c.number for c in register.counties if c.number != reports.OSLO_COUNTY]
