"""TBU's norms for netto driftsresultat, in % of brutto driftsinntekter.

Det tekniske beregningsutvalg (TBU) recommends what netto driftsresultat should be
over time: 1,75 % for the municipalities, 4 % for the county authorities and 2 %
for the sector as a whole (3 % before 2014). Each report draws the norm of the units
it shows.
"""

from __future__ import annotations

from dataclasses import dataclass

NORM_MUNICIPALITIES = 1.75
NORM_COUNTY_AUTHORITIES = 4.0
NORM_SECTOR = 2.0
NORM_SECTOR_BEFORE_2014 = 3.0


@dataclass(frozen=True)
class Norm:
    value: float
    kind: str  # kommuner | fylkeskommuner | sektoren

    @property
    def decimals(self) -> int:
        """As TBU writes them: «1,75», «4»."""
        return 2 if self.value % 1 else 0


def norm(kind: str, year: int) -> Norm:
    """TBU's norm for kommuner, fylkeskommuner or sektoren in ``year``."""
    if kind == "kommuner":
        return Norm(NORM_MUNICIPALITIES, kind)
    if kind == "fylkeskommuner":
        return Norm(NORM_COUNTY_AUTHORITIES, kind)
    return Norm(NORM_SECTOR if year >= 2014 else NORM_SECTOR_BEFORE_2014, kind)
