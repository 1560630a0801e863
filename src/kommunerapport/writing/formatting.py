"""Norwegian number style, one place for every figure the tool prints.

Decimal comma and a non-breaking space between thousands (Babel's CLDR data for
nb/nn); a real minus sign (U+2212) in tables; small whole numbers as words in prose.
Rounding is half up, as SSB and KS round, not Python's half-to-even.

No finite float makes these functions raise: rounding works with as many digits
as the number has (Decimal's default of 28 would fail on 1e27). An infinite or
NaN value has no figure to show and reads as missing («–») in tables; the
import rules (``model.schema.BOUNDS``) keep such values out of the data in the first place.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

from babel.numbers import format_decimal

MINUS = "\u2212"
NBSP = "\u00a0"
LOCALE = "nb_NO"  # nn_NO has the same number symbols

WORDS = {
    "nb": ["null", "en", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti",
           "elleve", "tolv"],
    "nn": ["null", "ein", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti",
           "elleve", "tolv"],
}


def rounded(value: float, decimals: int = 1) -> Decimal:
    """Round half up on the decimal digits a person sees (2,25 → 2,3).

    Any finite float: the precision follows the number's own digits. A value that
    is not finite is a ValueError (there is nothing to round).
    """
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{value!r} er ikke et endelig tall")
    exact = Decimal(repr(value))
    with localcontext() as ctx:
        ctx.prec = max(28, exact.adjusted() + decimals + 3)
        return exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)


def _shown(value: float | None) -> float | None:
    """The value if there is a figure to show; None for None, NaN or an infinite value."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    return value


def number(value: float | None, decimals: int = 0, missing: str = "–") -> str:
    """Table style: «1 234,5», «−0,6» (U+2212), ``missing`` for no value."""
    shown = _shown(value)
    if shown is None:
        return missing
    return _number(float(shown), decimals)


@lru_cache(maxsize=4096)
def _number(value: float, decimals: int) -> str:
    """Remembered: a batch shows the same figures in many reports, and Babel takes 50 µs."""
    d = rounded(value, decimals)
    if d == 0:
        d = abs(d)  # never «−0,0»
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    with localcontext() as ctx:  # Babel quantizes again; give it the number's digits
        ctx.prec = max(28, d.adjusted() + decimals + 3)
        text = format_decimal(abs(d), format=pattern, locale=LOCALE, decimal_quantization=True)
    return (MINUS if d < 0 else "") + text


def signed(value: float | None, decimals: int = 1, missing: str = "–") -> str:
    """A change in a table: «+1,2», «−0,3», «0,0»."""
    shown = _shown(value)
    if shown is None:
        return missing
    text = number(shown, decimals)
    return text if text.startswith(MINUS) or rounded(shown, decimals) == 0 else "+" + text


def percent(value: float | None, decimals: int = 1, missing: str = "–") -> str:
    """Table style with the sign: «2,7 %», «−0,6 %»."""
    shown = _shown(value)
    if shown is None:
        return missing
    return number(shown, decimals) + NBSP + "%"


# «One» agrees with its noun and carries the accent that tells the number from the
# article («én av seks kommuner», «i eitt av seks år»). Genders: m (kommune, fylkeskommune,
# plass), f, n (år, fylke).
ONE = {"nb": {"m": "én", "f": "én", "n": "ett"}, "nn": {"m": "éin", "f": "éi", "n": "eitt"}}


def whole_word(n: int, lang: str = "nb", gender: str = "m") -> str:
    """Small whole numbers as words in prose (0–12), larger ones as figures."""
    if n == 1:
        return ONE[lang][gender]
    return WORDS[lang][n] if 0 <= n <= 12 else number(n)
