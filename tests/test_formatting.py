"""Norwegian number style, character for character.

U+2212 is the minus sign (−), U+00A0 the non-breaking space; both are spelt out in the
expected strings so that a hyphen or an ordinary space cannot pass unnoticed.
"""

from __future__ import annotations

import pytest

from kommunerapport.writing.formatting import (
    MINUS,
    NBSP,
    number,
    percent,
    rounded,
    signed,
    whole_word,
)


def test_the_special_characters_are_the_right_code_points() -> None:
    assert MINUS == "\u2212"
    assert NBSP == "\u00a0"


# -- Tables ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (2.7, 1, "2,7"),  # decimal comma
    (-0.6, 1, "\u22120,6"),  # KS 6.3.2026: −0,6, with a real minus sign
    (1234.5, 1, "1\u00a0234,5"),  # thousands grouped with a non-breaking space
    (5_550_203, 0, "5\u00a0550\u00a0203"),  # SSB: folkemengde 1.1.2024
    (-1234.56, 1, "\u22121\u00a0234,6"),
    (999, 0, "999"),
    (4.0, 1, "4,0"),  # the decimal is kept in tables
    (1.75, 2, "1,75"),  # TBU's norm for the municipalities
])
def test_number_in_table_style(value: float, decimals: int, expected: str) -> None:
    assert number(value, decimals) == expected


@pytest.mark.parametrize(("value", "expected"), [
    (2.25, "2,3"),  # half up, not Python's half to even («2,2»)
    (2.35, "2,4"),
    (0.05, "0,1"),
    (-0.05, "\u22120,1"),  # half away from zero for negatives too
    (2.66, "2,7"),  # DOMAIN.md: 2.66 % → KS 2,7
    (4.29, "4,3"),  # DOMAIN.md: 4.29 % → KS 4,3
])
def test_rounding_is_half_up_on_the_digits_a_person_sees(value: float, expected: str) -> None:
    assert number(value, 1) == expected


def test_rounded_returns_the_decimal_that_is_shown() -> None:
    assert str(rounded(2.25)) == "2.3"
    assert str(rounded(2.675, 2)) == "2.68"  # the float 2.675 is just below; repr says 2.675


@pytest.mark.parametrize("value", [-0.04, -0.0, 0.0, 0.04])
def test_never_minus_zero(value: float) -> None:
    assert number(value, 1) == "0,0"
    assert percent(value) == "0,0\u00a0%"
    assert signed(value) == "0,0"


@pytest.mark.parametrize(("value", "expected"), [
    (2.7, "2,7\u00a0%"),  # a non-breaking space before «%»
    (-0.6, "\u22120,6\u00a0%"),
    (15.1685, "15,2\u00a0%"),
])
def test_percent_in_tables(value: float, expected: str) -> None:
    assert percent(value) == expected


def test_percent_with_no_decimals() -> None:
    assert percent(12.0448, 0) == "12\u00a0%"  # share that emptied the reserve, 2024


@pytest.mark.parametrize(("value", "expected"), [
    (1.6, "+1,6"),
    (-0.3, "\u22120,3"),
    (0.0, "0,0"),  # no sign on no change
])
def test_signed_changes(value: float, expected: str) -> None:
    assert signed(value) == expected


@pytest.mark.parametrize("formatter", [number, percent, signed])
@pytest.mark.parametrize("missing", [None, float("nan")])
def test_a_missing_value_is_a_dash_never_zero(formatter, missing) -> None:
    assert formatter(missing) == "–"  # U+2013


def test_a_missing_value_can_be_shown_another_way() -> None:
    assert number(None, missing="..") == ".."


def test_kroner_are_whole() -> None:
    assert number(81_240.4) == "81\u00a0240"  # SSB 12134: Oslo, frie inntekter per innbygger


# -- Prose -------------------------------------------------------------------------------------

def test_one_agrees_with_its_noun_and_is_told_from_the_article() -> None:
    # Språkrådet: «én» with the accent where it is the number; «ett»/«eitt» for a neuter noun
    # («i eitt av seks år»); nynorsk «éin» (masculine), «éi» (feminine).
    assert whole_word(1, "nb") == "én" and whole_word(1, "nb", "n") == "ett"
    assert whole_word(1, "nn") == "éin" and whole_word(1, "nn", "f") == "éi"
    assert whole_word(1, "nn", "n") == "eitt"
    assert whole_word(2, "nn", "n") == "to"


@pytest.mark.parametrize(("n", "expected"), [
    (0, "null"), (3, "tre"), (12, "tolv"), (13, "13"), (1234, "1\u00a0234"),
])
def test_counts_in_prose(n: int, expected: str) -> None:
    assert whole_word(n) == expected


# -- No finite float makes formatting raise (issue 10: 1e27 gave decimal.InvalidOperation) -----

def _finite_floats() -> list[float]:
    """Powers of ten across the whole float range, their neighbours, the extremes and
    a seeded spread of bit patterns: any of them once broke Decimal's 28 digits."""
    import random
    import struct
    import sys

    values = [0.0, -0.0, sys.float_info.max, -sys.float_info.max, sys.float_info.min,
              5e-324, -5e-324, 1e27, -1e27, 0.05, 2.25, 9.95, 99.95]
    values += [s * 10.0 ** e for e in range(-320, 309, 7) for s in (1.0, -1.0, 4.5)]
    rng = random.Random(10)  # issue 10
    while len(values) < 600:
        v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if v == v and abs(v) != float("inf"):
            values.append(v)
    return values


def test_no_finite_float_makes_a_formatter_raise() -> None:
    for v in _finite_floats():
        for decimals in (0, 1, 2):
            assert number(v, decimals) and percent(v, decimals) and signed(v, decimals)


def test_large_values_are_written_out_not_refused() -> None:
    # 1e27 with one decimal needs 29 digits, one more than Decimal's default context
    assert number(1e27, 1) == "1" + "\u00a0000" * 9 + ",0"  # 10^27: nine groups of zeros
    assert rounded(1e27, 1) == 10**27
    assert number(-2.5e30) == "\u22122\u00a0500" + "\u00a0000" * 9


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_value_that_is_not_finite_is_shown_as_missing(value: float) -> None:
    assert number(value, 1) == percent(value) == signed(value) == "\u2013"
    if value == value:  # NaN aside: nothing to round is said so, not InvalidOperation
        with pytest.raises(ValueError, match="ikke et endelig tall"):
            rounded(value)
