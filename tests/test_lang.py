"""The catalogues: every sentence and label in both bokmål and nynorsk, with the same fields."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kommunerapport.writing import lang
from kommunerapport.writing.check import BOKMAL_ONLY, NYNORSK_ONLY, WORD
from kommunerapport.writing.lang import (
    catalogue,
    fields,
    label,
    phrase,
    release_name,
    robek_reasons,
)

SOURCE = Path(lang.__file__).parent


def test_both_catalogues_have_the_same_entries() -> None:
    assert set(catalogue("nb")) == set(catalogue("nn"))


def test_both_catalogues_take_the_same_fields() -> None:
    for key, text in catalogue("nb").items():
        assert fields(text) == fields(catalogue("nn")[key]), key


def test_no_entry_is_empty() -> None:
    for code in ("nb", "nn"):
        assert all(text.strip() for text in catalogue(code).values())


@pytest.mark.parametrize(("code", "foreign"), [("nb", NYNORSK_ONLY), ("nn", BOKMAL_ONLY)])
def test_no_catalogue_uses_the_other_written_form(code: str, foreign: frozenset) -> None:
    """The report check's marker words never occur in the catalogue of the other form."""
    found = {(key, w) for key, text in catalogue(code).items()
             for w in WORD.findall(re.sub(r"\{\w+\}", " ", text)) if w.casefold() in foreign}
    assert found == set()


def test_every_key_the_code_asks_for_exists() -> None:
    """Literal keys in phrase()/label() calls anywhere in the package are in the catalogue."""
    calls = re.compile(r"\b(phrase|label)\((?:lang|self\.lang|\"nb\"|code), \"(\w[\w ]*)\"")
    asked = set()
    for path in SOURCE.rglob("*.py"):
        for kind, key in calls.findall(path.read_text("utf-8")):
            asked.add((kind, key))
    assert asked, "the pattern found no calls"
    known = set(catalogue("nb"))
    assert {(kind, key) for kind, key in asked if (kind, key) not in known} == set()


def test_subject_gets_a_capital_at_the_start_of_a_sentence() -> None:
    assert phrase("nn", "lede_result", subject="kommunane i Vestland", value="3,8 prosent",
                  year=2025) == "Kommunane i Vestland fekk samla eit netto driftsresultat på " \
                                "3,8 prosent i 2025."


def test_sample_notice_in_each_written_form() -> None:
    assert label("nb", "sample_notice") == "Eksempeldata – ikke offisielle tall"
    assert label("nn", "sample_notice") == "Eksempeldata – ikkje offisielle tal"


@pytest.mark.parametrize(("release", "nb", "nn"), [
    ("foreløpige tall 16.03.2026", "foreløpige tall 16.3.2026", "førebelse tal 16.3.2026"),
    ("reviderte tall, hentet 16.03.2026", "reviderte tall, hentet 16.3.2026",
     "reviderte tal, henta 16.3.2026"),
    ("reviderte tall 2026", "reviderte tall publisert i 2026", "reviderte tal publiserte i 2026"),
    # No date in the data: the report says so, and invents none.
    ("KS-undersøkelse, ks.csv", "KS-undersøkelse, ks.csv (dato ukjent)",
     "KS-undersøkelse, ks.csv (dato ukjend)"),
    ("reviderte tall, dato ukjent", "reviderte tall (dato ukjent)", "reviderte tal (dato ukjend)"),
    ("foreløpige tall 16.03.2026, Statistikkbanken, uttrekk 12134.csv",
     "foreløpige tall 16.3.2026 (Statistikkbanken, uttrekk 12134.csv)",
     "førebelse tal 16.3.2026 (Statistikkbanken, uttrekk 12134.csv)"),
    ("KS-undersøkelse, ks.csv, oppdatert 01.03.2026", "KS-undersøkelse, ks.csv, oppdatert 1.3.2026",
     "KS-undersøkelse, ks.csv, oppdatert 1.3.2026"),
])
def test_release_labels_in_the_report_language_and_date_style(release, nb, nn) -> None:
    assert release_name(release, "nb") == nb
    assert release_name(release, "nn") == nn


def test_robek_grounds_in_plain_words() -> None:
    # ROBEK 20.4.2026, kommuneloven § 28-1: c «Merforbruk skal dekkes inn over flere enn to år
    # etter at det oppsto», d «… oppsamlet merforbruk større enn tre prosent av driftsinntektene».
    assert robek_reasons("nb", "c og d") == [
        "et merforbruk skal dekkes inn over flere enn to år etter at det oppsto",
        "balanseregnskapet viser et oppsamlet merforbruk som er større enn tre prosent av "
        "driftsinntektene"]
    assert robek_reasons("nn", "a, b, c og d")[0] == (
        "driftsbudsjettet er vedteke med eit meirforbruk")


def test_builtin_release_mark_is_the_one_loading_writes() -> None:
    from kommunerapport.sources.loading import BUILTIN_MARK

    assert lang.BUILTIN_SUFFIX == ", " + BUILTIN_MARK
    assert release_name("foreløpige tall 16.03.2026, innebygde tall", "nn") == (
        "førebelse tal 16.3.2026, innebygde tal")
