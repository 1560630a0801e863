"""Every generated sentence and label exists in both bokmål and nynorsk."""

from __future__ import annotations

import string

from kommunerapport.lang import LABELS, PHRASES


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_phrases() -> None:
    assert set(PHRASES["nb"]) == set(PHRASES["nn"])
    assert set(LABELS["nb"]) == set(LABELS["nn"])


def test_both_languages_take_the_same_values() -> None:
    for key, template in PHRASES["nb"].items():
        assert fields(template) == fields(PHRASES["nn"][key]), key


def test_nynorsk_is_not_bokmal() -> None:
    same = [k for k in PHRASES["nb"] if PHRASES["nb"][k] == PHRASES["nn"][k]]
    # Only words that are spelled alike in both may be identical.
    assert set(same) <= {"subject_member", "subject_county_authority", "subject_sector",
                         "head_back_in_plus", "head_unknown", "none",
                         "chart_units_title", "chart_trend_title", "direction_down",
                         "axis_percent", "reserve", "series_norm", "bin_below", "bin_between",
                         "bin_above"}
