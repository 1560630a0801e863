"""A reproduction for fontTools: 4.68 reads GSUB and GPOS it was told to drop.

    python benchmarks/fonttools_subset_regression.py [FONT.ttf]

Subsets a font the way WeasyPrint does without HarfBuzz (retain GIDs, drop
GSUB and GPOS) and times it; then again with the two tables deleted from the
font first, which is what ``Subsetter._prune_pre_subset`` does with tables in
``options.drop_tables`` and what fontTools did before reading them until 4.67.
The output bytes are the same; only the time differs. In 4.68
``Subsetter.subset`` enters ``ttLib.beyond64k._compact_layout_tables(font)``
first, which loads (decompiles) GDEF, GSUB and GPOS to look at their versions
and formats, so a table that is about to be dropped is decompiled in full.

Measured on 2 cores, Source Sans Pro Regular (1 942 glyphs, GPOS 66 KB):
fontTools 4.67.0 17 ms; 4.68.0 107 ms, 17 ms with the tables deleted first.

Upstream: fonttools/fonttools (not filed from here: this machine has no network).
A fix would skip tables in ``options.drop_tables`` in ``_compact_layout_tables``,
or drop them before it runs.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

import fontTools
from fontTools import subset
from fontTools.ttLib import TTFont


def default_font() -> Path:
    import font_source_sans_pro

    return Path(font_source_sans_pro.font_directory) / "SourceSansPro-Regular.ttf"


def cut(data: bytes, gids: list[int], drop_first: bool) -> bytes:
    options = subset.Options(retain_gids=True, passthrough_tables=True, hinting=False,
                             ignore_missing_glyphs=True, desubroutinize=True)
    options.drop_tables += ["GSUB", "GPOS", "SVG"]
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)  # comparable bytes
    if drop_first:
        for tag in ("GSUB", "GPOS"):
            if tag in font:
                del font[tag]
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=gids)
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else default_font()
    data = path.read_bytes()
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    gids = sorted({font.getGlyphID(cmap[ord(c)]) for c in "Kommuneøkonomien 2025 – 1,75 %"
                   if ord(c) in cmap})
    print(f"fontTools {fontTools.version}, {path.name}, {len(font.getGlyphOrder())} glyphs")
    results = {}
    for drop_first in (False, True):
        cut(data, gids, drop_first)
        start, runs = time.perf_counter(), 20
        for _ in range(runs):
            results[drop_first] = cut(data, gids, drop_first)
        label = "GSUB/GPOS deleted first" if drop_first else "as WeasyPrint calls it"
        print(f"  {label:<26} {(time.perf_counter() - start) / runs * 1000:6.1f} ms")
    print(f"  same output: {results[False] == results[True]}")


if __name__ == "__main__":
    main()
