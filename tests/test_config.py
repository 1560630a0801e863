"""The user's own words: per audience, what a config file may hold, read as written."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from kommunerapport.errors import UsageError
from kommunerapport.model.config import DEFAULT_KEYWORDS, Config, Contact, Quote, Words
from kommunerapport.sources.configfile import load_config

EXAMPLE = Path(__file__).parent.parent / "examples" / "ks.toml"


def toml(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "ks.toml"
    f.write_text(text, encoding="utf-8")
    return f


def test_no_file_gives_no_words_and_no_quotes() -> None:
    config = load_config(None)
    assert config == Config()
    for kind in ("sector", "county", "member"):
        assert config.words(kind, "39") == Words()
    assert config.keywords == DEFAULT_KEYWORDS


def test_the_example_file_loads_with_words_for_each_audience() -> None:
    config = load_config(EXAMPLE)
    assert config.organisation == "KS"
    assert config.sector.headline.startswith("Kommuneøkonomien tilbake i pluss")
    vestfold = config.words("county", "39")
    assert vestfold.quotes == (Quote("Tallene viser at mange kommuner har gjort krevende "
                                     "omstillinger.", "Navn Navnesen",
                                     "fylkesleder i KS Vestfold"),)
    assert vestfold.contacts[0] == Contact("Navn Navnesen", "regiondirektør, KS Vestfold",
                                           "+47 00 00 00 00", "vestfold@example.org")
    # Vestfold's own table replaces the headline; the lede of [county] stands for it.
    assert vestfold.headline == "Kommunene i Vestfold over normen i {år}"
    assert vestfold.lede == config.county.lede
    # Another county has the defaults only: no Vestfold quote, the shared contact.
    agder = config.words("county", "42")
    assert agder.quotes is None and agder.contacts[0].role == "kommunikasjonsrådgiver, KS"
    assert config.words("member", "3905").lede.startswith("{medlem} fikk")


def test_words_are_trimmed_never_rewritten(tmp_path: Path) -> None:
    f = toml(tmp_path, '[sector]\nheadline = "  Kommunene tilbake i pluss  "\n'
                       'lede = "Netto driftsresultat ble 2,1 prosent."\ndate = 2026-03-06\n')
    with pytest.raises(UsageError, match="ukjent felt «date» i \\[sector\\]"):
        load_config(f)
    f = toml(tmp_path, 'date = 2026-03-06\n[sector]\nheadline = "  Kommunene tilbake i pluss  "'
                       '\nlede = "Netto driftsresultat ble 2,1 prosent."\n')
    config = load_config(f)
    assert config.sector.headline == "Kommunene tilbake i pluss"
    assert config.sector.lede == "Netto driftsresultat ble 2,1 prosent."
    assert config.date == dt.date(2026, 3, 6)
    assert config.source == str(f)


def test_a_county_or_member_is_named_by_any_spelling_or_number(tmp_path: Path) -> None:
    f = toml(tmp_path, '[county."more og romsdal"]\nheadline = "A"\n[county.39]\nlede = "B"\n'
                       '[member.Kautokeino]\nlede = "C"\n[member."5501"]\nlede = "D"\n'
                       '[member."Vestfold fylkeskommune"]\nlede = "E"\n[member."46"]\nlede = "F"\n')
    config = load_config(f)
    assert dict(config.counties) == {"15": Words("A"), "39": Words("", "B")}
    assert {n: w.lede for n, w in config.members} == {"5612": "C", "5501": "D", "39": "E",
                                                      "46": "F"}


@pytest.mark.parametrize(("text", "message"), [
    ('headline = "Alle"\n', "linje 1: «headline» står utenfor en mottakergruppe og ville kommet "
                            "i alle rapportene; flytt den til [sector], [county] eller [member]"),
    ('[[quotes]]\ntext = "T"\nname = "N"\nrole = "R"\n', "linje 1: «quotes» står utenfor"),
    ('[county.Vestfol]\nlede = "A"\n', "linje 1: [county.Vestfol]: Ukjent fylke «Vestfol». "
                                       "Mente du: Vestfold?"),
    ('[member.Bergn]\nlede = "A"\n', "linje 1: [member.Bergn]: Ukjent kommune «Bergn». "
                                     "Mente du: Bergen?"),
    ('[county.Vestfold]\nlede = "A"\n[county.39]\nlede = "B"\n',
     "[county.39] og [county.Vestfold] gjelder den samme"),
    ('[member]\nheadline = "{navn} fikk {resultat}"\n',
     "linje 2: «headline» i [member] har ukjent felt {resultat}; medlemsrapportene kan bruke "
     "{medlem}, {navn}, {fylke}"),
    ('[sector]\nlede = "{navn}"\n', "«lede» i [sector] har ukjent felt {navn}; sektorrapporten"),
    ('[county]\nlede = "Over {år"\n', "«lede» i [county] har en krøllparentes uten make"),
    ('[county]\nmobil = "9"\n', "ukjent felt «mobil» i [county]. Gyldige: headline, lede, "
                                "quotes, contacts, eller en tabell [county.<navn>] for ett fylke."),
    ('[[sector.quotes]]\ntext = "T"\nname = "N"\nrole = 3\n',
     "linje 4: «role» i [[sector.quotes]] nr. 1 skal være tekst i anførselstegn, ikke et tall (3)"),
    ('[[county.Vestfold.contacts]]\nname = "Ola"\nmobil = "9"\n',
     "linje 3: ukjent felt «mobil» i [[county.Vestfold.contacts]] nr. 1. Gyldige: name, role, "
     "phone, email."),
])
def test_words_in_the_wrong_place_are_refused_with_one_line(tmp_path: Path, text: str,
                                                            message: str) -> None:
    f = toml(tmp_path, text)
    with pytest.raises(UsageError) as caught:
        load_config(f)
    assert message in caught.value.format_message()
    assert caught.value.format_message().startswith(str(f))


def test_a_literal_brace_is_written_twice(tmp_path: Path) -> None:
    f = toml(tmp_path, '[sector]\nlede = "Tallene {{foreløpige}} for {år}"\n')
    assert load_config(f).sector.lede == "Tallene {{foreløpige}} for {år}"


def test_a_utf8_bom_is_allowed(tmp_path: Path) -> None:
    f = tmp_path / "ks.toml"
    f.write_bytes('\ufefforganisation = "KS Agder"\n'.encode())
    assert load_config(f).organisation == "KS Agder"


def test_every_sentence_tomllib_can_say_has_its_norwegian() -> None:
    # The sentences are read from tomllib's own source, so a Python that adds one fails
    # here rather than showing the user English.
    import inspect
    import tomllib._parser as parser  # its messages are what we translate

    from kommunerapport.sources.tomlmessages import SENTENCES

    said = set(re.findall(r'suffixed_err\(\s*src,\s*\w+,\s*f?"((?:[^"\\]|\\.)*)"',
                          inspect.getsource(parser)))
    assert len(said) >= 20, said  # the regular expression still finds them
    for sentence in said:
        example = re.sub(r"\{[^}]*\}", "'x'", sentence).replace("\\\\", "\\")
        assert any(re.fullmatch(pattern, example) for pattern, _ in SENTENCES), sentence


@pytest.mark.parametrize(("text", "message"), [
    # columns counted by hand: tomllib points at the «]» of the second [sector], the start
    # of the line without a name, the first «Z» that is no hex digit, the first
    # digit of a date that does not exist
    ('[sector]\nheadline = "a"\n[sector]\n', "linje 3, tegn 8: ugyldig TOML: «sector» er "
                                              "oppgitt to ganger."),
    ('x = 1\n= 2\n', "linje 2, tegn 1: ugyldig TOML: linjen er verken en innstilling "
                     "(navn = verdi) eller en tabell ([navn])."),
    ('about = "\\uZZZZ"\n', "linje 1, tegn 12: ugyldig TOML: ugyldig tegnkode etter \\u "
                            "eller \\U."),
    ('date = 2026-02-30\n', "linje 1, tegn 8: ugyldig TOML: ugyldig dato eller klokkeslett."),
    ('a = { b = 1\n', "linje 1, tegn 12: ugyldig TOML: tabellen er ikke lukket med «}»."),
])
def test_broken_toml_in_norwegian(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "ks.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as refused:
        load_config(path)
    assert refused.value.format_message() == f"{path}, {message}"
    assert not re.search(r"\b(at|line|column|Invalid|Expected|Cannot)\b",
                         refused.value.format_message())
