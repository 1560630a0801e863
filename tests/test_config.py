"""The user's own words: what a config file may hold, and that it is read as written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from kommunerapport.model.config import DEFAULT_KEYWORDS, Config, Contact, Quote
from kommunerapport.sources.configfile import load_config

EXAMPLE = Path(__file__).parent.parent / "examples" / "ks.toml"


def test_no_file_gives_no_quotes_and_no_own_headline() -> None:
    config = load_config(None)
    assert config == Config()
    assert (config.quotes, config.headline, config.lede) == ((), "", "")
    assert config.keywords == DEFAULT_KEYWORDS


def test_the_example_file_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.organisation == "KS"
    assert config.quotes == (Quote("Tallene viser at mange kommuner har gjort krevende "
                                   "omstillinger", "Navn Navnesen", "fylkesleder i KS Vestfold"),)
    assert config.contacts[0] == Contact("Navn Navnesen", "rådgiver, KS Vestfold",
                                         "+47 00 00 00 00", "post@example.org")


def test_headline_and_lede_are_the_users_own_text(tmp_path: Path) -> None:
    f = tmp_path / "ks.toml"
    f.write_text('headline = "  Kommunene tilbake i pluss  "\nlede = "Netto driftsresultat '
                 'ble 2,1 prosent."\ndate = 2026-03-06\n', encoding="utf-8")
    config = load_config(f)
    assert config.headline == "Kommunene tilbake i pluss"  # trimmed, never rewritten
    assert config.lede == "Netto driftsresultat ble 2,1 prosent."
    assert config.date == dt.date(2026, 3, 6)
    assert config.source == str(f)


def test_a_utf8_bom_is_allowed(tmp_path: Path) -> None:
    f = tmp_path / "ks.toml"
    f.write_bytes('\ufefforganisation = "KS Agder"\n'.encode())
    assert load_config(f).organisation == "KS Agder"
