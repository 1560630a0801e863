"""The report font: which files, and whether this machine subsets them fast.

Two sets of the same four faces of Source Sans Pro:

- the cut set, ``fonts/KommunerapportSans-*.ttf``, built by ``scripts/build_fonts.py``
  from the PyPI font with the characters a Norwegian, Sami or Kven report uses
  and every OpenType feature; WeasyPrint subsets it about four times faster;
- the full set from the ``font-source-sans-pro`` package, for a report whose
  text (a name or a quote from the config) has a character only it has.

Both are declared under the family name the stylesheets use, so a report looks
the same whichever set it was laid out with.

Without HarfBuzz's subsetter WeasyPrint subsets with fontTools, and fontTools
4.68 decompiles a font's whole GSUB and GPOS tables before it drops them (they
are in WeasyPrint's ``drop_tables``): most of a report's time. ``prepare``
drops them first, as fontTools did until 4.67; the output is the same bytes.
"""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import font_source_sans_pro

from kommunerapport.files import user_cache_folder

if TYPE_CHECKING:
    from fontTools.ttLib import TTFont

FAMILY = "Source Sans Pro"  # the name styles/report.css uses
FULL_DIR = Path(font_source_sans_pro.font_directory).resolve()
CUT_DIR = Path(__file__).resolve().parents[1] / "fonts"
COVERAGE = CUT_DIR / "coverage.json"

# (style suffix of the file, CSS weight, CSS style)
FACES = (("Regular", 400, "normal"), ("It", 400, "italic"), ("Semibold", 600, "normal"),
         ("Bold", 700, "normal"))


@dataclass(frozen=True)
class FontSet:
    """Four faces in one folder."""

    folder: Path
    prefix: str  # «SourceSansPro» or «KommunerapportSans»

    def file(self, style: str) -> Path:
        return self.folder / f"{self.prefix}-{style}.ttf"

    def face_css(self) -> str:
        """@font-face rules; the folder is known only at run time."""
        return "\n".join(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{self.file(style).as_uri()}"); '
            f"font-weight: {weight}; font-style: {css_style}; }}"
            for style, weight, css_style in FACES)


FULL = FontSet(FULL_DIR, "SourceSansPro")
CUT = FontSet(CUT_DIR, "KommunerapportSans")


@lru_cache(maxsize=1)
def _only_full() -> frozenset[str]:
    """Characters some full face draws and its cut face lacks (``scripts/build_fonts.py``)."""
    return frozenset(json.loads(COVERAGE.read_text(encoding="utf-8"))["only_full"])


def beyond_cut(text: str) -> str:
    """The characters of ``text`` that only the full set can draw, in code point order.

    A character neither set has falls back to a system font either way, so it
    does not call for the full set.
    """
    return "".join(sorted(set(text) & _only_full()))


def choose(text: str) -> FontSet:
    """The cut set unless ``text`` needs the full one."""
    return FULL if beyond_cut(text) else CUT


def harfbuzz_subsetter() -> bool:
    """Whether WeasyPrint found HarfBuzz's subsetter (fast) or falls back to fontTools (slow)."""
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    return harfbuzz_subset is not None and bool(harfbuzz.hb_version_atleast(4, 1, 0))


SAID: set[str] = set()
VERBOSE = False  # --verbose: the notes every time, not once per machine
MARKER = "merknad-harfbuzz-vist"  # in the user's cache folder: the speed note was said

SLOW_SUBSETTER = (
    "Merk: HarfBuzz-subset (libharfbuzz-subset0) er ikke installert, så skriftene bygges inn "
    "med fontTools, som er tregere. Raskere: sudo apt-get install libharfbuzz-subset0 "
    "(Debian/Ubuntu) eller brew install harfbuzz (macOS). Dette sies én gang på denne "
    "maskinen; --verbose sier det hver gang.")
FULL_FONT = (
    "Merk: teksten har tegn som bare hele skriften har ({chars}), så den bygges inn i stedet "
    "for utvalget, og det tar lengre tid uten libharfbuzz-subset0.")


def say_once(key: str, message: str) -> None:
    """A note on stderr, once per process (a batch says it in the parent, before forking)."""
    if key not in SAID:
        SAID.add(key)
        print(message, file=sys.stderr, flush=True)


def said_on_this_machine() -> bool:
    """Whether the speed note was said here before; marks it said from now on. A cache
    folder that cannot be written only means the note is said again next time."""
    marker = user_cache_folder() / MARKER
    if marker.is_file():
        return True
    with contextlib.suppress(OSError):
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text("Merknaden om libharfbuzz-subset0 er vist; slett fila for å se den "
                          "igjen, eller bruk --verbose.\n", "utf-8")
    return False


def note_slow_paths(text: str) -> None:
    """Say once per machine (every time with ``--verbose``) when PDFs are made the slow way,
    and how to leave it."""
    if harfbuzz_subsetter():
        return
    if "subsetter" not in SAID and (VERBOSE or not said_on_this_machine()):
        say_once("subsetter", SLOW_SUBSETTER)
    SAID.add("subsetter")
    extra = beyond_cut(text)
    if extra:
        shown = " ".join(f"«{c}» U+{ord(c):04X}" for c in extra[:5])
        say_once("full", FULL_FONT.format(chars=shown + (" …" if len(extra) > 5 else "")))


def prepare(text: str) -> None:
    """Before PDFs are written: the notes above, and fontTools made fast if WeasyPrint uses it."""
    if not harfbuzz_subsetter():
        drop_layout_before_subsetting()
    note_slow_paths(text)


def drop_layout_before_subsetting() -> None:
    """Make ``fontTools.subset.Subsetter`` delete GSUB and GPOS before it reads them, when
    its options drop them anyway: what fontTools did until 4.67 (4.68 decompiles both in
    full first). Public API only (``options.drop_tables``, ``del font[tag]``); once per process.
    """
    from fontTools import subset

    original = subset.Subsetter.subset
    if getattr(original, "drops_layout_first", False):
        return

    @functools.wraps(original)
    def subset_dropping_first(self: subset.Subsetter, font: TTFont) -> None:
        for tag in ("GSUB", "GPOS"):
            if tag in self.options.drop_tables and tag in font:
                del font[tag]  # from the file's table directory: never decompiled
        original(self, font)  # subsets in place; returns None

    subset_dropping_first.__dict__["drops_layout_first"] = True  # the mark checked above
    subset.Subsetter.subset = subset_dropping_first
