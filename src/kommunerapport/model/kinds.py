"""What a report is about, and what a unit number is.

A report is about the whole sector, one county (its municipalities), or one member
(a municipality or a county authority). A member is known by its number: four
digits for a municipality (kommunenummer «3901»), two for a county authority
(fylkesnummer «39»); ``is_county_number`` is the one place that tells them apart.
"""

from __future__ import annotations

from enum import StrEnum


class ReportKind(StrEnum):
    """The three kinds of report; the value is what records, file names and CSS say."""

    SECTOR = "sector"
    COUNTY = "county"
    MEMBER = "member"


def is_county_number(number: str) -> bool:
    """«39» (a county or its county authority) rather than «3901» (a municipality)."""
    return len(number) == 2
