"""Terminal output for ``counties``, ``figures`` and ``inspect``: the figures without a PDF.

Text from the data (sources, releases, notes) is never read as rich markup («[/bold]»
in a source is printed as it stands) and its control characters are shown escaped.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from kommunerapport import figures as fig
from kommunerapport.errors import UsageError, printable
from kommunerapport.model import norms
from kommunerapport.model.regions import FIRST_YEAR, Register, find_county, load_register
from kommunerapport.model.schema import Dataset, resolve_year
from kommunerapport.sources.loading import DataInput, load_dataset
from kommunerapport.writing.formatting import number, percent, signed
from kommunerapport.writing.lang import SAMPLE_NOTICE


def _console() -> Console:
    return Console(width=110, highlight=False, soft_wrap=True)


def print_counties(year: int | None = None) -> None:
    """The counties from 2024 on; an earlier year is refused, not shown with today's counties."""
    if year is not None and year < FIRST_YEAR:
        raise UsageError(f"Registeret har fylkesinndelingen fra {FIRST_YEAR}; {year} hadde "
                         "andre fylker (som Viken og Vestfold og Telemark). "
                         f"Velg et år fra {FIRST_YEAR}.")
    register = load_register()
    table = Table(title=f"Fylkene fra {FIRST_YEAR}", title_justify="left")
    for name in ("Nr.", "Fylke", "Kommuner", "Målform"):
        table.add_column(name, justify="right" if name in ("Nr.", "Kommuner") else "left")
    for c in register.counties:
        table.add_row(c.number, c.name, str(len(register.in_county(c.number))), c.written_form)
    _console().print(table)


def _line(label: str, f: fig.Figure, before: fig.Figure | None = None) -> str:
    text = f"{label}: {percent(f.value)}"
    if before is not None:
        text += f" ({signed(fig.change(f, before).value)} prosentpoeng fra året før)"
    if f.method == fig.METHOD_WEIGHTED:
        text += f", vektet, {f.n} av {f.total} enheter"
    elif f.method == fig.METHOD_PUBLISHED:
        text += ", publisert av SSB"
    if f.note:
        text += f" ({f.note})"
    return text + f" [{', '.join(f.sources)}; {', '.join(f.releases)}; {f.scope}]"


def print_figures(county: str | None, year: int | None,
                  data_file: DataInput | None) -> None:
    dataset = load_dataset(data_file)
    year = resolve_year(dataset, year)
    register = load_register()
    t = dataset.table
    out = _console()
    if county:
        c = find_county(county, year)
        units = [m.number for m in register.in_county(c.number)]
        title = f"Kommunene i {c.short_name} {year}"
    else:
        units = fig.municipalities(register)
        title = f"Kommunesektoren {year}"
    out.print(f"[bold]{title}[/bold]")
    if dataset.has_synthetic:
        note = printable(str(dataset.meta.get("synthetic_note", "")))
        out.print(f"[bold red]{SAMPLE_NOTICE}[/bold red]: {escape(note)}")
    lines = []
    if county:
        lines.append(_line("Netto driftsresultat, kommunene i fylket",
                           fig.weighted(t, units, year), fig.weighted(t, units, year - 1)))
        lines.append(_line("Disposisjonsfond, kommunene i fylket",
                           fig.weighted(t, units, year, "dispfond_pct")))
        fk = fig.unit_figure(t, c.number, year, "ndr_pct")
        lines.append(_line(f"Netto driftsresultat, {c.short_name} fylkeskommune", fk))
    lines.append(_line("Netto driftsresultat, landet uten Oslo",
                       fig.national(t, register, year), fig.national(t, register, year - 1)))
    lines.append(_line("Netto driftsresultat, landet inkludert Oslo",
                       fig.national(t, register, year, with_oslo=True)))
    lines.append(_line("Netto driftsresultat, fylkeskommunene uten Oslo",
                       fig.county_authorities_total(t, register, year),
                       fig.county_authorities_total(t, register, year - 1)))
    lines.append(_line("Disposisjonsfond, fylkeskommunene uten Oslo",
                       fig.county_authorities_total(t, register, year, "dispfond_pct")))
    norm = norms.norm("kommuner", year)
    lines.append(f"Norm for kommunene (TBU): {percent(norm.value, norm.decimals)}")
    for label, counted in (("Med underskudd", fig.deficits(t, units, year)),
                           ("Med tømt disposisjonsfond", fig.emptied_reserves(t, units, year))):
        text = (f"{label}: {counted.count} av {counted.reported} som har rapportert "
                f"({percent(counted.share, 0)})")
        if counted.missing:
            names = ", ".join(register.municipality(u).short_name for u in counted.missing)
            text += f"; mangler tall: {names}"
        lines.append(text)
    for line in lines:
        out.print(printable(line), markup=False)
    if county:
        _print_units(out, t, register, units, year)


def _print_units(out: Console, t: pd.DataFrame, register: Register, units: list[str],
                 year: int) -> None:
    table = Table(title="Kommunene, netto driftsresultat og disposisjonsfond (% av BDI)",
                  title_justify="left")
    for name in ("Rang", "Nr.", "Kommune", f"NDR {year}", f"NDR {year - 1}",
                 f"Disp.fond {year}", "ROBEK"):
        table.add_column(name, justify="left" if name in ("Kommune", "ROBEK") else "right")
    for row in fig.unit_rows(t, register, units, year):
        table.add_row(str(row.rank or "–"), row.unit, row.name, number(row.ndr.value, 1),
                      number(row.ndr_before.value, 1), number(row.dispfond.value, 1),
                      "ROBEK" if row.robek else "")
    out.print(table)


def print_import(paths: tuple[Path, ...], release: dt.date | None = None) -> None:
    """``inspect``: the import summary of data files, on stdout, without a report."""
    from kommunerapport.sources import readers
    from kommunerapport.sources.combine import combine
    from kommunerapport.sources.loading import import_summary, with_builtin_real

    parts = [readers.read(p, release=release) for p in paths]
    dataset = with_builtin_real(combine(parts))
    for line in import_summary(parts, dataset):
        _console().print(printable(line), markup=False)


def _side(text: str) -> Dataset:
    """``changes``' GAMMEL or NY: a data file, or a fetched release by its date."""
    from pathlib import Path

    from kommunerapport.model.releases import parse_date
    from kommunerapport.sources import readers
    from kommunerapport.sources.loading import load_release

    if Path(text).exists():
        return readers.read(Path(text))
    try:
        day = parse_date(text)
    except ValueError:
        raise UsageError(f"«{text}» er verken en fil eller en dato (DD.MM.ÅÅÅÅ) for en "
                         "utgivelse hentet med «kommunerapport fetch».") from None
    return load_release(day)


def unit_label(register: Register, unit: str) -> str:
    """«Lørenskog», «Vestfold fylkeskommune», «Landet uten Oslo»."""
    from kommunerapport.model.kinds import is_county_number
    from kommunerapport.model.schema import AGGREGATES

    if unit in AGGREGATES:
        return AGGREGATES[unit]
    if is_county_number(unit):
        return f"{register.county(unit).short_name} fylkeskommune"
    return register.municipality(unit).short_name


def shown_value(value: float | None, measure: str) -> str:
    from kommunerapport.model.schema import shown_decimals

    if value is None:
        return "ingen tall"
    return number(value, shown_decimals(measure))


def short_measure(measure: str) -> str:
    """«netto driftsresultat» for the share of BDI; the unit shown after the values says
    which («%», «(1000 kr)»)."""
    from kommunerapport.model.schema import MEASURES

    name = MEASURES[measure][0].lower()
    for tail in (" i prosent av brutto driftsinntekter", " i prosent"):
        name = name.removesuffix(tail)
    return name


def unit_of(measure: str) -> str:
    from kommunerapport.model.schema import MEASURES

    return {"%": " %", "kr": " kr", "1000 kr": " (1000 kr)", "personer": ""}[
        MEASURES[measure][1]]


def touched_reports(register: Register, units: set[str]) -> list[str]:
    """Which reports show the changed figures: each member's own, its county's, the sector's;
    a national figure is quoted in every report."""
    from kommunerapport.model.kinds import is_county_number

    if not units:
        return []
    if units & {"EAK", "EAKUO", "EAFK", "EAFKUO"}:
        return ["alle rapportene (landstallene står i hver rapport)"]
    members = sorted(u for u in units if u.isdigit())
    counties = sorted({u if is_county_number(u) else register.municipality(u).county
                       for u in members})
    out = ["sektorrapporten"]
    if counties:
        out.append("fylkesrapportene for " + ", ".join(register.county(c).short_name
                                                        for c in counties))
    if members:
        out.append("medlemsrapportene for " + ", ".join(unit_label(register, u)
                                                         for u in members))
    groups = sorted(u for u in units if u.startswith("EKG"))
    if groups:
        out.append("medlemsrapportene for kommunene i " + ", ".join(
            unit_label(register, g) for g in groups))
    return out


def print_changes(old: str, new: str, as_csv: bool) -> None:
    """``changes``: the comparison on stdout, as lines or as a CSV table."""
    import csv
    import sys

    from kommunerapport.model.schema import MEASURES
    from kommunerapport.sources.revisions import compare

    before, after = _side(old), _side(new)
    result = compare(before.table, after.table)
    register = load_register()
    if as_csv:
        w = csv.writer(sys.stdout, delimiter=";", lineterminator="\n")
        w.writerow(["enhet", "navn", "mål", "år", "omfang", "gammel", "ny", "gammel utgivelse",
                    "ny utgivelse"])
        for r in result.revisions:
            w.writerow([r.unit, unit_label(register, r.unit), MEASURES[r.measure][0], r.year,
                        r.scope, shown_value(r.old, r.measure), shown_value(r.new, r.measure),
                        r.old_release, r.new_release])
        return
    out = _console()

    def say(line: str) -> None:
        out.print(printable(line), markup=False, highlight=False, soft_wrap=True)

    say(f"Fra {before.path} til {after.path}:")
    for r in result.revisions:
        say(f"{unit_label(register, r.unit)}, {short_measure(r.measure)} {r.year}: "
            f"{shown_value(r.old, r.measure)} → {shown_value(r.new, r.measure)}"
            f"{unit_of(r.measure)}")
    if not result.revisions:
        say("Ingen tall er endret.")
    if result.appeared:
        say("Kommet til: " + ", ".join(unit_label(register, u) for u in result.appeared) + ".")
    if result.vanished:
        say("Borte: " + ", ".join(unit_label(register, u) for u in result.vanished) + ".")
    for what in result.incomparable:
        say(f"Kan ikke sammenlignes: {what}.")
    touched = touched_reports(register, {r.unit for r in result.revisions}
                              | set(result.appeared) | set(result.vanished))
    if touched:
        say("Berørte rapporter: " + "; ".join(touched) + ".")
