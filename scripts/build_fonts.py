"""Build the report fonts: Source Sans Pro (from PyPI) cut to the characters reports use.

Run from the repository root::

    python scripts/build_fonts.py [--out DIR]

Writes ``KommunerapportSans-{Regular,It,Semibold,Bold}.ttf``, the licence, a
FONTLOG and ``coverage.json`` (the characters only the full fonts have, so a
report can choose without opening a font) to
``src/kommunerapport/fonts/`` or ``DIR``.

Why: WeasyPrint subsets every font for every PDF. Without HarfBuzz's subsetter
(Debian's ``libharfbuzz-subset0``, which a new user does not have) it uses
fontTools, whose 4.68 release decompiles the whole GSUB and GPOS tables of the
font for each report before it drops them. Source Sans Pro has 1 942 glyphs
(Latin, Greek, Cyrillic, Vietnamese); the fonts built here keep the 700-odd a
Norwegian, Sami or Kven report can use, with every OpenType feature, so the
text is laid out exactly as with the full font and each report subsets about
four times faster. A report whose text has a character outside these fonts is
laid out with the full font instead (``kommunerapport.render.fonts``).

Licence: the SIL Open Font License 1.1. Adobe reserves the font name «Source»,
and a cut-down font is a Modified Version, so these files are renamed
«Kommunerapport Sans»; Adobe's copyright and the licence are kept, and
``FONTLOG.txt`` says what was changed.
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import font_source_sans_pro
from fontTools import subset
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "kommunerapport" / "fonts"
SOURCE = Path(font_source_sans_pro.font_directory)
FAMILY = "Kommunerapport Sans"
POSTSCRIPT = "KommunerapportSans"

# Source file → our file's style suffix; the four faces the reports use.
FACES = {
    "SourceSansPro-Regular.ttf": "Regular",
    "SourceSansPro-It.ttf": "It",
    "SourceSansPro-Semibold.ttf": "Semibold",
    "SourceSansPro-Bold.ttf": "Bold",
}


def _span(first: int, last: int) -> list[int]:
    return list(range(first, last + 1))


# What a report can hold: Norwegian (bokmål, nynorsk), the Sami languages (North:
# á č đ ŋ š ŧ ž; Lule, South: ï; Skolt: ǥ ǧ ǩ ǯ ʒ) and Kven (ä ö), names from the rest
# of Europe (Latin-1, Latin Extended-A, ș ț), combining accents (text typed in
# decomposed form), and the punctuation and signs the language module, Babel's
# number format and WeasyPrint use: dashes, quotes «» “” ‘’, ellipsis, bullets,
# the minus sign, non-breaking and narrow spaces, arrows, per mille, euro, ≈ ≠ ≤ ≥.
CHARACTERS = sorted(set(
    _span(0x20, 0x7E) + _span(0xA0, 0xFF) + _span(0x100, 0x17F)
    + [0x1B7, 0x1EE, 0x1EF, 0x292] + _span(0x1E4, 0x1E9) + _span(0x218, 0x21B)
    + _span(0x300, 0x36F)
    + _span(0x2000, 0x203A) + [0x2044, 0x20AC, 0x2122] + _span(0x2190, 0x2193)
    + [0x2212, 0x2248, 0x2260, 0x2264, 0x2265] + _span(0x25A0, 0x25FF)
))


# What nearly every report draws: its glyphs go first in each font (see ``_common_first``).
COMMON = sorted(set(_span(0x20, 0x7E)) | {ord(c) for c in "ÆØÅæøåÉéáčđŋšŧžÁČĐŊŠŦŽäöÄÖü"}
                | {ord(c) for c in "\u00a0\u202f\u2009–—…’‘“”«»−§%·×"})


def build(source: Path, target: Path) -> None:
    """Cut one face to ``CHARACTERS`` (as far as the font has them) and rename it."""
    options = subset.Options()
    options.layout_features = ["*"]  # small caps, old-style figures … as in the full font
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.hinting = False  # WeasyPrint drops hinting from what it embeds anyway
    font = TTFont(source)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=CHARACTERS)
    subsetter.subset(font)
    _rename(font)
    _common_first(font).save(target)


def _common_first(font: TTFont) -> TTFont:
    """The font with the glyphs of ``COMMON`` (with their components) at the lowest ids.

    WeasyPrint subsets with ``retain_gids``, which keeps every glyph id up to the highest
    one a report uses. Without HarfBuzz's subsetter fontTools then writes them all, and
    with the small caps, old-style figures and the rest in between, that was some 800
    glyphs a face for a report that uses 80. Only the order changes, not a glyph. Done on
    the font as saved (without glyph names), so the closure's names are the font's own.
    """
    from fontTools.ttLib.reorderGlyphs import reorderGlyphs

    buffer = io.BytesIO()
    font.save(buffer)
    font, common = (TTFont(io.BytesIO(buffer.getvalue())) for _ in range(2))
    options = subset.Options()
    options.notdef_outline = True
    closure = subset.Subsetter(options)  # the default features, as a report is laid out
    closure.populate(unicodes=COMMON)
    closure.subset(common)
    first = set(common.getGlyphOrder())
    order = font.getGlyphOrder()
    reorderGlyphs(font, [g for g in order if g in first] + [g for g in order if g not in first])
    return font


def _rename(font: TTFont) -> None:
    """Replace the reserved name wherever a name record names the font.

    Adobe's copyright and trademark notices (name IDs 0 and 7) stay as they are.
    """
    for record in font["name"].names:
        if record.nameID in (1, 3, 4, 6, 16, 18, 21):
            text = record.toUnicode()
            for reserved, ours in (("Source Sans Pro", FAMILY), ("SourceSansPro", POSTSCRIPT)):
                text = text.replace(reserved, ours)
            record.string = text
        elif record.nameID == 5:
            record.string = record.toUnicode() + "; cut to the characters of kommunerapport"
    names = " ".join(r.toUnicode() for r in font["name"].names if r.nameID not in (0, 7))
    assert "Source" not in names, "a name record still names the reserved font name"


def _characters(path: Path) -> set[str]:
    return {chr(c) for c in TTFont(path, lazy=True)["cmap"].getBestCmap()}


FONTLOG = """\
Kommunerapport Sans
===================

Source Sans Pro (roman 2.020, italic 1.075) by Adobe (Paul D. Hunt), from the PyPI package
font-source-sans-pro, cut by scripts/build_fonts.py in the kommunerapport
project to the characters its reports use (Latin-1, Latin Extended-A, the
Sami and Kven letters, combining accents, punctuation and a few signs), with
every OpenType feature kept and hinting removed, and the glyphs most reports
use moved to the front (only their order changed). Renamed because «Source» is
a Reserved Font Name. Licensed under the SIL Open Font License 1.1 (OFL.txt).
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    for name, style in FACES.items():
        build(SOURCE / name, out / f"{POSTSCRIPT}-{style}.ttf")
    # Per face: what the full face draws and the cut one does not (the italic has fewer
    # letters than the roman: no ŋ, ŧ, so those fall back to a system font with either set).
    only_full = set().union(*(
        _characters(SOURCE / name) - _characters(out / f"{POSTSCRIPT}-{style}.ttf")
        for name, style in FACES.items()))
    (out / "coverage.json").write_text(
        json.dumps({"only_full": "".join(sorted(only_full))}) + "\n", encoding="ascii")
    shutil.copyfile(SOURCE / "LICENSE.txt", out / "OFL.txt")
    (out / "FONTLOG.txt").write_text(FONTLOG, encoding="utf-8")


if __name__ == "__main__":
    main()
