"""Build the package's region change table from SSB's Klass answers in ``sources/ssb/``.

Run from the repository root::

    python scripts/build_history.py [--out DIR]

Writes ``src/kommunerapport/data/regionendringer.csv`` (or into ``DIR``): every change of
Klass 131 (municipalities) and Klass 104 (counties) from 2002 on (KOSTRA's figures start
in 2001), one row per old code → new code, with the rule the figures follow
(``kommunerapport.model.history``): ``delt`` where one code went to several on one date,
``sammenslått`` where several went to one, else ``renummerert``. A new name under the
same code is no change for the figures and is left out. Deterministic: the same input
gives the same bytes.

Inputs (see sources/README.md for where each came from):
  * ``klass131_changes_1971-01-01_2025-01-02.json``: Klass 131 ``changes``, SSB's answer as
    delivered;
  * ``klass104_changes_2018-2020_vcr.yml``: the recorded HTTP exchange for Klass 104
    ``changes`` 2019-01-01..2020-01-02 (the 2020 county merges), as R's vcr stored it;
  * ``klass104_changes_2023-12-31_2024-01-02.json``: Klass 104 ``changes`` around
    1.1.2024 (the splits of Viken, Vestfold og Telemark, Troms og Finnmark), SSB's
    answer under ``svar`` in a wrapper that says where it came from.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SSB = ROOT / "sources" / "ssb"
OUT = ROOT / "src" / "kommunerapport" / "data"
FIRST = "2002-01-01"


def cassette_body(text: str, uri_part: str) -> dict[str, Any]:
    """The JSON body of the vcr exchange whose URI contains ``uri_part``.

    vcr writes the body as a YAML single-quoted scalar folded over lines (a line break
    is a space, ``''`` is a quote) and R writes non-ASCII as ``<U+00D8>``.
    """
    at = text.index(uri_part)
    start = text.index("string: '", text.index("body:", text.index("response:", at)))
    i, out = start + len("string: '"), []
    while True:
        ch = text[i]
        if ch == "'":
            if text[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            break
        if ch == "\n":
            out.append(" ")
            i += 1
            while text[i] == " ":
                i += 1
            continue
        out.append(ch)
        i += 1
    body = re.sub(r"<U\+([0-9A-F]{4})>", lambda m: chr(int(m.group(1), 16)), "".join(out))
    loaded: dict[str, Any] = json.loads(body)
    return loaded


def changes() -> list[dict[str, str]]:
    """Every change from ``FIRST`` on, as ``kommunerapport fetch`` makes them of Klass's
    answers (``sources.ssb.klass.change_rows``: the rule of each change)."""
    from kommunerapport.sources.ssb.klass import change_rows

    out = []
    for doc, klass in (
        (json.loads((SSB / "klass131_changes_1971-01-01_2025-01-02.json").read_text("utf-8")),
         "131"),
        (cassette_body((SSB / "klass104_changes_2018-2020_vcr.yml").read_text("utf-8"),
                       "from=2019-01-01&to=2020-01-02"), "104"),
        (json.loads((SSB / "klass104_changes_2023-12-31_2024-01-02.json").read_text("utf-8"))
         ["svar"], "104"),
    ):
        out += [r for r in change_rows(doc, klass, klass) if r["dato"] >= FIRST]
    out.sort(key=lambda r: (r["klass"], r["dato"], r["gammel"], r["ny"]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=["klass", "dato", "gammel", "gammelt_navn", "ny",
                                        "nytt_navn", "regel"], lineterminator="\n")
    w.writeheader()
    w.writerows(changes())
    out.mkdir(parents=True, exist_ok=True)
    (out / "regionendringer.csv").write_text(buf.getvalue(), encoding="utf-8")


if __name__ == "__main__":
    main()
