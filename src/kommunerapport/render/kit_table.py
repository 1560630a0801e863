"""The press kit's numbers: every number the report prints, one row each, in two CSVs.

- ``tall.csv`` opens in Norwegian Excel as it is: semicolons (the Norwegian list
  separator), decimal commas, UTF-8 with a byte-order mark (so Excel reads æøå), and
  line breaks as Windows writes them;
- ``tall-maskinlesbar.csv`` is for programs: commas, decimal points, UTF-8 without a
  mark, plain line breaks.

Both have the same columns, in the report's language: the number as printed and as a
plain number, its unit, what it is, whom it is about, the year, source, scope, release,
method and whether it is sample data.

A text cell that a spreadsheet would take for a formula (one that starts with ``=``,
``+``, ``-``, ``@``, a tab or a line break, as OWASP lists them, or their full-width
forms) gets an apostrophe in front, so ``=HYPERLINK(…)`` in a source name stays text.
A number is never changed: «−1,9» or «+0,4» is a number, not a formula.
"""

from __future__ import annotations

import csv
import io
import re

from kommunerapport.writing.facts import Fact
from kommunerapport.writing.formatting import MINUS
from kommunerapport.writing.lang import label, release_name, source_name

COLUMNS_NB = ("tall", "verdi", "enhet", "hva", "gjelder", "år", "kilde", "omfang",
              "tallgrunnlag", "metode", "eksempeldata")
EXCEL, PLAIN = "tall.csv", "tall-maskinlesbar.csv"
# OWASP «CSV Injection»: what a cell must not start with; and the full-width forms.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
NUMBER = re.compile(rf"[+\-{MINUS}]?\d[\d \u00a0]*(?:[.,]\d+)?")


def neutralised(cell: str) -> str:
    """A text cell made safe to open in a spreadsheet (the module's note)."""
    if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def plain_number(shown: str, decimal: str = ".") -> str:
    """«−1 234,5» → «-1234.5» (or «-1234,5» with ``decimal=","``), for a spreadsheet."""
    digits = shown.replace(MINUS, "-").replace("\u00a0", "").replace(" ", "")
    return digits.replace(",", decimal)


def rows(facts: tuple[Fact, ...], lang: str, decimal: str) -> list[list[str]]:
    """The header and one row per fact, every text cell neutralised."""
    out = [[label(lang, f"kit_col_{c}") for c in COLUMNS_NB]]
    for f in facts:
        scope = "/".join(label(lang, f"scope_word_{s}") for s in f.scope.split("/") if s)
        sources = "; ".join(source_name(s, lang) for s in f.source.split("; ") if s)
        releases = "; ".join(release_name(r, lang) for r in f.release.split("; ") if r)
        out.append([f.value, plain_number(f.value, decimal), f.unit, f.measure, f.subject,
                    f.year, sources, scope, releases, label(lang, f"method_{f.method}"),
                    label(lang, "yes") if f.synthetic else label(lang, "no")])
    return [[neutralised(cell) for cell in row] for row in out]


def excel_csv(facts: tuple[Fact, ...], lang: str) -> bytes:
    """``tall.csv``: for Norwegian Excel (the module's note)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows(facts, lang, ","))
    return buffer.getvalue().encode("utf-8-sig")


def plain_csv(facts: tuple[Fact, ...], lang: str) -> bytes:
    """``tall-maskinlesbar.csv``: for programs (the module's note)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows(facts, lang, "."))
    return buffer.getvalue().encode("utf-8")
