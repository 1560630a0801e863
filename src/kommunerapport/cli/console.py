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
from kommunerapport.model.schema import resolve_year
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
