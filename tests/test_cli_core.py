"""The ``counties`` and ``figures`` commands, run in-process: output, messages, exit codes."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from kommunerapport.cli import main

NOTICE = "Eksempeldata – ikke offisielle tall"


def table_rows(output: str) -> list[list[str]]:
    """The cells of each body row of a rich table in ``output``."""
    return [[cell.strip() for cell in line.strip("│").split("│")]
            for line in output.splitlines() if line.startswith("│")]


# -- counties ----------------------------------------------------------------------------------

def test_counties_lists_the_15_counties_with_counts_and_written_forms(runner) -> None:
    result = runner.invoke(main, ["counties"])
    assert result.exit_code == 0, result.output
    rows = table_rows(result.stdout)
    assert len(rows) == 15
    assert rows[0] == ["03", "Oslo", "1", "Nøytral"]
    assert ["39", "Vestfold", "6", "Nøytral"] in rows
    assert ["46", "Vestland", "43", "Nynorsk"] in rows  # the nynorsk county
    assert ["55", "Troms - Romsa - Tromssa", "21", "Nøytral"] in rows  # official, trilingual
    assert sum(int(r[2]) for r in rows) == 357  # Klass 131


def test_counties_refuses_a_year_before_the_register(runner) -> None:
    result = runner.invoke(main, ["counties", "--year", "2023"])
    assert result.exit_code == 2
    assert result.stderr.startswith("Feil: Registeret har fylkesinndelingen fra 2024; 2023")


# -- figures -----------------------------------------------------------------------------------

def test_figures_for_vestfold_shows_its_municipalities_as_sample_figures(runner) -> None:
    result = runner.invoke(main, ["figures", "--county", "Vestfold"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Kommunene i Vestfold 2025\n")
    assert NOTICE in out
    rows = {r[2]: r for r in table_rows(out)}
    assert list(rows) == ["Tønsberg", "Holmestrand", "Horten", "Larvik", "Færder", "Sandefjord"]
    # Sample figures (scripts/make_dataset.py, seed 20260306): rank, NDR 2025, 2024, disp.fond.
    assert rows["Tønsberg"] == ["1", "3905", "Tønsberg", "12,0", "2,9", "19,5", ""]
    assert rows["Holmestrand"][:5] == ["2", "3903", "Holmestrand", "3,8", "\u22120,7"]
    assert rows["Horten"][:4] == ["2", "3901", "Horten", "3,8"]  # a tie shares its rank
    assert rows["Sandefjord"][3] == "\u22121,9"  # U+2212, not a hyphen
    assert "-1" not in out and "." not in "".join(r[3] for r in rows.values())


def test_figures_for_a_county_states_the_count_as_n_of_those_reporting(runner) -> None:
    result = runner.invoke(main, ["figures", "--county", "39"])
    assert "Med underskudd: 2 av 6 som har rapportert (33\u00a0%)" in result.stdout  # sample


def test_figures_for_the_sector_shows_the_county_authorities_at_4_3(runner) -> None:
    result = runner.invoke(main, ["figures", "--sector", "--year", "2025"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Kommunesektoren 2025\n")
    # KS 6.3.2026: 4,3; SSB 13561, 14 county authorities without Oslo, weighted by BDI.
    assert ("Netto driftsresultat, fylkeskommunene uten Oslo: 4,3\u00a0% "
            "(+1,6 prosentpoeng fra året før), vektet, 14 av 14 enheter") in result.stdout
    assert "Disposisjonsfond, fylkeskommunene uten Oslo: 12,7\u00a0%" in result.stdout
    assert "Netto driftsresultat, landet uten Oslo: 2,1\u00a0%" in result.stdout  # SSB, revised
    assert "Norm for kommunene (TBU): 1,75\u00a0%" in result.stdout


def test_an_unknown_county_exits_2_with_a_suggestion(runner) -> None:
    result = runner.invoke(main, ["figures", "--county", "Vestfol"])
    assert result.exit_code == 2
    assert result.stderr == "Feil: Ukjent fylke «Vestfol». Mente du: Vestfold?\n"
    assert result.stdout == ""


def test_a_county_that_did_not_exist_that_year_explains_itself(runner) -> None:
    result = runner.invoke(main, ["figures", "--county", "Vestfold", "--year", "2023"])
    assert result.exit_code == 2
    assert result.stderr == ("Feil: Vestfold fylke fantes ikke i 2023: fra 2020 til 2023 var det "
                             "en del av 38 Vestfold og Telemark. Velg et år fra 2024.\n")


def test_a_year_not_in_the_data_exits_2_listing_the_years(runner) -> None:
    result = runner.invoke(main, ["figures", "--sector", "--year", "2019"])
    assert result.exit_code == 2
    assert result.stderr == ("Feil: Ingen tall for 2019 i innebygde data. Årene i dataene er "
                             "2020, 2021, 2022, 2023, 2024, 2025.\n")


@pytest.mark.parametrize("args", [["figures"], ["figures", "--sector", "--county", "39"]])
def test_figures_needs_exactly_one_of_county_and_sector(runner, args: list[str]) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Velg enten --county NAVN eller --sector." in result.stderr


# -- Help --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help_with_an_example(runner, command: str) -> None:
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.stdout or "Eksempler:" in result.stdout
    assert f"kommunerapport {command}" in result.stdout


def test_the_main_help_shows_examples(runner) -> None:
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "kommunerapport --county Vestfold" in result.stdout
    assert "kommunerapport figures --county Vestfold" in result.stdout


def test_every_command_is_a_click_command() -> None:
    assert {"counties", "figures"} <= set(main.commands)
    assert all(isinstance(c, click.Command) for c in main.commands.values())


def test_the_console_script_ends_with_mains_exit_code_and_all_its_output(tmp_path) -> None:
    """``cli.run`` skips the interpreter's teardown: nothing printed may be lost by it."""
    bad = subprocess.run([sys.executable, "-m", "kommunerapport", "--county", "Nowhere"],
                         capture_output=True, text=True, timeout=60)
    assert (bad.returncode, bad.stdout, bad.stderr) == (2, "", "Feil: Ukjent fylke «Nowhere».\n")
    good = subprocess.run([sys.executable, "-m", "kommunerapport", "--county", "Vestfold",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert good.returncode == 0, good.stderr
    assert good.stdout == f"{tmp_path / 'kommuneokonomi-2025-vestfold.pdf'}\n"
    assert (tmp_path / "kommuneokonomi-2025-vestfold.pdf").read_bytes()[-6:].strip() == b"%%EOF"


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "kommunerapport", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: ")
    assert "figures" in result.stdout and "counties" in result.stdout
