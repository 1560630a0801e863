"""Hostile and faulty config files (issue 10, category «config»): one line naming the file,
the line and what is wrong; exit code 2; no traceback; nothing read outside the inputs.

Every case runs ``kommunerapport --county Vestfold --config FILE`` in-process. The
config is read before anything else, so no case renders a PDF; an audit hook on
``open`` checks that only the test's folder, the package and Python were read.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import Result

import kommunerapport
import kommunerapport.reports  # noqa: F401 - imported here: matplotlib reads its font cache
from hostile.opened import run as run_cli
from hostile.opened import write
from kommunerapport.sources import limits


def run(tmp_path: Path, config: Path | str) -> Result:
    """The report command with ``config``; fails on a traceback or a read outside the inputs."""
    result = run_cli(tmp_path, "--county", "Vestfold", "--config", config, "--out",
                     tmp_path / "ut")
    assert not (tmp_path / "ut").exists()  # refused before any report was begun
    return result


def refused(result: Result, message: str) -> None:
    """Exit 2 (a usage error) and exactly one line on stderr: «Feil: <message>»."""
    assert (result.exit_code, result.stderr) == (2, f"Feil: {message}\n"), result.output


def toml(tmp_path: Path, text: str | bytes, name: str = "ks.toml") -> Path:
    return write(tmp_path, name, text)


QUOTE = '[[county.quotes]]\ntext = "Tallene viser omstilling"\nname = "Navn Navnesen"\n'


# --------------------------------------------------------------------------- unclear messages

def test_role_given_as_a_number(tmp_path: Path) -> None:
    # was «[[quotes]] mangler «role»», though role was there
    f = toml(tmp_path, QUOTE + "role = 3\n")
    refused(run(tmp_path, f), f"{f}, linje 4: «role» i [[county.quotes]] nr. 1 skal være tekst i "
                              "anførselstegn, ikke et tall (3).")


@pytest.mark.parametrize(("value", "kind"), [
    ("true", "en sannhetsverdi (true)"), ('["a"]', "en liste"), ("{ a = 1 }", "en tabell"),
    ("2026-03-06", "en dato eller et klokkeslett (2026-03-06)"), ("2.5", "et tall (2.5)")])
def test_each_wrong_type_is_named(tmp_path: Path, value: str, kind: str) -> None:
    f = toml(tmp_path, QUOTE + 'role = "styreleder"\n\n[[county.quotes]]\ntext = "To"\nname = "N"\n'
                       f"role = {value}\n")
    refused(run(tmp_path, f), f"{f}, linje 9: «role» i [[county.quotes]] nr. 2 skal være tekst i "
                              f"anførselstegn, ikke {kind}.")


def test_a_missing_role_names_its_table(tmp_path: Path) -> None:
    f = toml(tmp_path, 'organisation = "KS"\n\n' + QUOTE)
    refused(run(tmp_path, f), f"{f}, linje 3: [[county.quotes]] nr. 1 mangler «role».")


def test_an_empty_role_is_missing(tmp_path: Path) -> None:
    f = toml(tmp_path, QUOTE + 'role = "   "\n')
    refused(run(tmp_path, f), f"{f}, linje 4: [[county.quotes]] nr. 1 mangler «role».")


@pytest.mark.parametrize(("line", "message"), [
    ("about = 1e400", "«about» skal være tekst i anførselstegn, ikke et tall (inf)."),
    ('date = "i morgen"', "«date» skal være en dato, for eksempel 2026-03-06, ikke «i morgen»."),
    ("date = 2026-03-06T10:00:00", "«date» skal være en dato, for eksempel 2026-03-06, ikke "
                                   "en dato eller et klokkeslett (2026-03-06 10:00:00)."),
    ('keywords = "kommuneøkonomi"', "«keywords» skal være en liste med tekst, som "
                                    "[\"kommuneøkonomi\"]."),
    ('headline = "Til alle"', "«headline» står utenfor en mottakergruppe og ville kommet i alle "
                              "rapportene; flytt den til [sector], [county] eller [member] (se "
                              "examples/ks.toml)."),
    ('county = "Vestfold"', "«county» skal være en tabell, [county], ikke «Vestfold»."),
])
def test_top_level_values_of_the_wrong_kind(tmp_path: Path, line: str, message: str) -> None:
    f = toml(tmp_path, f'organisation = "KS"\n{line}\n')
    refused(run(tmp_path, f), f"{f}, linje 2: {message}")


@pytest.mark.parametrize(("line", "message"), [
    ("headline = 5", "«headline» i [county] skal være tekst i anførselstegn, ikke et tall (5)."),
    ('lede = ["Først", "så"]', "«lede» i [county] skal være tekst i anførselstegn, ikke en "
                               "liste."),
    ('quotes = "sitat"', "«quotes» i [county] skal skrives som [[county.quotes]]-tabeller."),
])
def test_an_audiences_words_of_the_wrong_kind(tmp_path: Path, line: str, message: str) -> None:
    f = toml(tmp_path, f'organisation = "KS"\n[county]\n{line}\n')
    refused(run(tmp_path, f), f"{f}, linje 3: {message}")


def test_an_unknown_field_in_a_contact(tmp_path: Path) -> None:
    f = toml(tmp_path, '[[county.contacts]]\nname = "Ola"\nmobil = "900 00 000"\n')
    refused(run(tmp_path, f), f"{f}, linje 3: ukjent felt «mobil» i [[county.contacts]] nr. 1. "
                              "Gyldige: name, role, phone, email.")


def test_invalid_toml(tmp_path: Path) -> None:
    # was tomllib's English: «ugyldig TOML (Expected '=' after a key in a key/value pair …)»
    f = toml(tmp_path, 'organisation "KS"\n')
    refused(run(tmp_path, f), f"{f}, linje 1, tegn 14: ugyldig TOML: ventet «=» etter navnet.")


# Broken TOML as a user writes it by hand; tomllib's English is translated, the place
# given as «linje, tegn» like every other message. The columns are counted by hand:
# tomllib points at the character that breaks the rule, or for a value given twice and a
# bad escape at the character just after it.
@pytest.mark.parametrize(("text", "where", "problem"), [
    # a municipality with «å» as a bare table key: TOML allows only A–Z, 0–9, _ and -
    ('[member.Våler]\nheadline = "Hei"\n', "linje 1, tegn 10",
     'ventet «]» på slutten av tabellnavnet. Navn med æ, ø, å eller mellomrom må stå i '
     'anførselstegn: [member."Våler"].'),
    ('about = "KS"\nabout = "KS Agenda"\n', "linje 2, tegn 20", "«about» er oppgitt to ganger."),
    ('[[county.quotes]]\ntext = "a"\n[county.quotes]\n', "linje 3, tegn 15",
     "«county.quotes» er oppgitt to ganger."),
    ('about = "Om KS\n', "linje 1, tegn 15",
     "teksten mangler avsluttende anførselstegn før linjeskiftet."),
    ('about = "C:\\mappe\\KS"\n', "linje 1, tegn 14", "en «\\» i en tekst må skrives «\\\\»."),
    ("about = KS\n", "linje 1, tegn 9", "ugyldig verdi; tekst skal stå i anførselstegn."),
    ('about = "KS" "Agenda"\n', "linje 1, tegn 14",
     "ventet linjeskift etter verdien; skriv én innstilling per linje."),
    ('[member."3805"]\ncontacts = [{ name = "Ola", name = "Kari" }]\n', "linje 2, tegn 42",
     "«name» er oppgitt to ganger i samme tabell."),
    ('about = "KS\x00"\n', "linje 1, tegn 12", "ulovlig tegn «\\x00» i en tekst."),
])
def test_broken_toml_is_explained_in_norwegian(tmp_path: Path, text: str, where: str,
                                               problem: str) -> None:
    f = toml(tmp_path, text)
    refused(run(tmp_path, f), f"{f}, {where}: ugyldig TOML: {problem}")


def test_a_table_name_of_many_spaces_given_twice_is_explained_at_once(tmp_path: Path) -> None:
    # tomllib quotes the whole name in its message; reading the place out of it once cost
    # the square of its length (0,6 s for 20 000 spaces, about 25 minutes for these)
    name = "a" + " " * 450_000 + "b"
    f = toml(tmp_path, f'["{name}"]\n["{name}"]\n')
    started = time.monotonic()
    # «[» 1, «"» 2, «a» 3, the spaces 4–450003, «b», «"», and «]» at 450006; the message
    # cuts the name and folds its spaces to one
    refused(run(tmp_path, f), f"{f}, linje 2, tegn 450006: ugyldig TOML: «a …(450002 tegn)» "
                              "er oppgitt to ganger.")
    assert time.monotonic() - started < 10


def test_a_list_left_open_at_the_end_of_the_file(tmp_path: Path) -> None:
    f = toml(tmp_path, 'keywords = ["kommuneøkonomi", "KS"\n')
    refused(run(tmp_path, f), f"{f}: ugyldig TOML (på slutten av fila): listen er ikke lukket "
                              "med «]».")


def test_text_that_is_not_utf8_names_line_and_character(tmp_path: Path) -> None:
    f = toml(tmp_path, 'about = "KS"\norganisation = "K\xffS"\n'.encode("latin-1"))
    refused(run(tmp_path, f), f"{f}, linje 2, tegn 18: teksten er ikke UTF-8 (byte 0xff); "
                              "lagre fila som UTF-8.")


def test_terminal_escapes_in_a_key_are_shown_escaped(tmp_path: Path) -> None:
    # TOML's own escapes put ESC and BEL into the key; the message shows them escaped
    f = toml(tmp_path, '"\\u001b[2J\\u001b]0;eid\\u0007" = 1\n')
    result = run(tmp_path, f)
    refused(result, f"{f}: ukjent innstilling «\\x1b[2J\\x1b]0;eid\\x07». Gyldige: "
                    "about, county, date, keywords, member, organisation, release, sector.")
    assert not any(ch in result.output for ch in "\x1b\x07")


def test_a_raw_escape_in_the_file_is_invalid_toml_shown_escaped(tmp_path: Path) -> None:
    f = toml(tmp_path, 'about = "KS\x1b[2J"\n')
    result = run(tmp_path, f)
    refused(result, f"{f}, linje 1, tegn 12: ugyldig TOML: ulovlig tegn «\\x1b» i en tekst.")
    assert "\x1b" not in result.output


# --------------------------------------------------------------------------- resources

@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_without_being_read(tmp_path: Path, device: str) -> None:
    # --config /dev/zero read without end
    result = run(tmp_path, device)
    refused(result, f"{device}: er ikke en vanlig fil (men en enhet, et rør eller en sokkel); "
                    "lagre innholdet i en fil og oppgi den.")
    assert device not in result.opened


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "ks.toml"
    os.mkfifo(pipe)
    result = run(tmp_path, pipe)
    refused(result, f"{pipe}: er ikke en vanlig fil (men en enhet, et rør eller en sokkel); "
                    "lagre innholdet i en fil og oppgi den.")
    assert str(pipe) not in result.opened


def test_a_config_over_the_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_CONFIG_BYTES", 1000)
    f = toml(tmp_path, 'about = "' + "KS " * 500 + '"\n')  # 1,5 KB
    result = run(tmp_path, f)
    refused(result, f"{f}: fila er 1,5 KB, over grensen for filstørrelse for "
                    "konfigurasjonsfiler på 1 KB.")
    assert str(f) not in result.opened


def test_deeply_nested_arrays(tmp_path: Path) -> None:
    # tomllib recurses: 100 000 levels would be a RecursionError
    f = toml(tmp_path, "keywords = " + "[" * 100_000 + "]" * 100_000 + "\n")
    refused(run(tmp_path, f), f"{f}: lister og tabeller er nestet dypere enn grensen for "
                              "nesting på 64 nivåer.")


def test_brackets_in_strings_and_comments_are_not_nesting(tmp_path: Path) -> None:
    from kommunerapport.sources.configfile import load_config

    text = ('about = "' + "[" * 100 + '"  # ' + "{" * 100 + "\n"
            "[sector]\nheadline = '''" + "[" * 100 + "'''\n")
    config = load_config(toml(tmp_path, text))
    assert config.about == "[" * 100 and config.sector.headline == "[" * 100


# --------------------------------------------------------------------------- audiences and dates

@pytest.mark.parametrize(("header", "message"), [
    ("[county.Atlantis]", "[county.Atlantis]: Ukjent fylke «Atlantis»."),
    ("[member.9999]", "[member.9999]: Ukjent kommune «9999»."),
    # two municipalities are called Våler (and two Herøy): the words must not go to both
    ('[member."Våler"]', "[member.Våler]: «Våler» passer på flere kommuner: 3114 Våler "
                         "(Østfold), 3419 Våler (Innlandet). Bruk kommunenummeret."),
])
def test_words_for_an_audience_that_is_not_one_member(tmp_path: Path, header: str,
                                                      message: str) -> None:
    f = toml(tmp_path, f'{header}\nheadline = "Til dere"\n')
    refused(run(tmp_path, f), f"{f}, linje 1: {message}")


def test_a_release_date_that_is_not_a_date(tmp_path: Path) -> None:
    f = toml(tmp_path, 'release = "i går"\n')
    refused(run(tmp_path, f), f"{f}, linje 1: «release» skal være en dato, for eksempel "
                              "2026-03-16 eller «16.03.2026», ikke «i går».")


def test_a_config_that_is_a_folder(tmp_path: Path) -> None:
    (tmp_path / "ks.toml").mkdir()
    result = run(tmp_path, tmp_path / "ks.toml")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == (f"Feil: Ugyldig verdi for '--config': Fila "
                                              f"'{tmp_path / 'ks.toml'}' er en mappe, ikke en fil.")


def test_a_false_headline_stops_the_report_before_anything_is_written(tmp_path: Path) -> None:
    # Vestfold 2025 in the built-in data: 2 of its 6 municipalities had a deficit (the
    # sample's Sandefjord, -1,9 %, and Færder, -1,2 %, in data/dataset.csv), so «all» is false
    f = toml(tmp_path, '[county]\nheadline = "Alle kommunene i Vestfold gikk med underskudd '
                       'i 2025"\n')
    result = run(tmp_path, f)
    assert (result.exit_code, result.stderr) == (1, (
        "Feil: Rapporten for Kommuneøkonomien 2025: kommunene i Vestfold stoppet i "
        "tekstkontrollen: «Alle kommunene i Vestfold gikk med underskudd i 2025» stemmer "
        "ikke med tallene: 2 av 6 kommuner gikk med underskudd i 2025.\n")), result.output
