"""How each character stands in a vertical line (竖排), and the units of a vertical paragraph.

Vertical text is broken into lines by the same breakers, kinsoku tables, punctuation styles
and policies as horizontal text (`paiban.text.charclass`): a vertical line's measure is its
column's height, and a unit's width is its advance down the column. Those advances are the
horizontal ones for nearly everything: an ideograph is 1 em either way (its `vmtx` advance),
a mark's cell is its style's (½ em in banjiao) and its vertical form's ink is placed in that
cell as the horizontal glyph's is, and a turned Latin word or long number advances by its
horizontal width. The one difference is 纵中横: a short number stands upright across the
column in one em (`vertical_units`).

Orientation (`ORIENTATION`, per glyph), after Unicode UAX #50 "Unicode Vertical Text Layout"
(Vertical_Orientation: U upright, R rotated, Tu/Tr a vertical alternate glyph) and clreq §2.2.1
and §3.1.5 (vertical Chinese: ideographs upright; marks in their vertical forms; Western
letters and multi-digit numbers turned 90° clockwise, or numbers of two or three digits set
horizontally in one cell):

| glyph | how | source |
|---|---|---|
| a mark with a vertical form in the face (`vert`/`vrt2`) | that form, upright | UAX #50 Tu/Tr; clreq §3.1.5 |
| ideographs, kana, full-width forms (East Asian Width W or F) | upright | UAX #50 U |
| symbols UAX #50 sets upright though they are not wide (`UPRIGHT_SYMBOLS`: □ ■ ○ ※ ℃ § × ÷ ① …) | upright | UAX #50 U |
| a number of at most `tate_chu_yoko` characters | upright across the column, in 1 em | clreq §3.3.2 (纵中横) [conv: 2] |
| anything else (Latin, longer numbers, `—` without a vertical form, `·`) | turned 90° clockwise | UAX #50 R |
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import replace

from paiban.model.items import CharClass, Unit
from paiban.model.spec import Layout, StorySpec, TextStyle
from paiban.model.vertical_geometry import is_vertical

Itemizer = Callable[[str, TextStyle], tuple[Unit, ...]]

#: numbers of at most this many characters stand upright across the column (纵中横) by default
TATE_CHU_YOKO = 2
#: how a glyph is drawn (the letters of `PlacedLine.modes`)
UPRIGHT, VERTICAL_FORM, ROTATED, ACROSS = "u", "v", "r", "t"
#: East Asian Width values of characters that stand upright (UAX #11: wide, full-width)
_UPRIGHT_WIDTHS = frozenset({"W", "F"})
#: UAX #50 Vertical_Orientation U among characters whose East Asian Width is not W or F: the
#: symbols and signs of the Latin-1 supplement, general punctuation, letterlike symbols, number
#: forms, enclosed alphanumerics, geometric shapes, miscellaneous symbols and dingbats
UPRIGHT_SYMBOLS = (frozenset("§©®±¼½¾×÷‖†‡‰‱※‼⁂⁇⁈⁉") | frozenset(map(chr, range(0x2100, 0x2190)))
                   | frozenset(map(chr, range(0x2460, 0x2500))) | frozenset(map(chr, range(0x25A0, 0x2800))))
#: the stand-in of a 纵中横 unit while a vertical line is justified (one cell of 1 em)
ACROSS_STAND_IN = "\uf8ff"

ORIENTATION = {
    "vertical form": VERTICAL_FORM,
    "wide or full-width": UPRIGHT,
    "upright symbol": UPRIGHT,
    "short number": ACROSS,
    "other": ROTATED,
}


def orientation(char: str, has_vertical_form: bool) -> str:
    """How `char` (one glyph of a vertical line, not in a 纵中横 unit) is drawn: its vertical
    form, upright, or turned (see the module's table)."""
    if has_vertical_form:
        return ORIENTATION["vertical form"]
    if char in UPRIGHT_SYMBOLS or unicodedata.east_asian_width(char) in _UPRIGHT_WIDTHS:
        return ORIENTATION["wide or full-width"]
    return ORIENTATION["other"]


def is_across(u: Unit, tate_chu_yoko: int) -> bool:
    """Whether the unit is a number short enough to stand upright across the column."""
    return u.cls is CharClass.DIGIT and 0 < len(u.text) <= tate_chu_yoko


def vertical_units(units: tuple[Unit, ...], tate_chu_yoko: int) -> tuple[Unit, ...]:
    """A paragraph's units for a vertical line: each 纵中横 number one em down the column
    (1 em at a line's start and end too, with its Han–Latin spacing around it)."""
    if not any(is_across(u, tate_chu_yoko) for u in units):
        return units
    out = []
    for u in units:
        if is_across(u, tate_chu_yoko):
            pads = u.pad_before + u.pad_after
            u = replace(u, width=1.0 + pads, start_width=1.0 + u.pad_after, end_width=1.0 + u.pad_before)
        out.append(u)
    return tuple(out)


def story_itemizer(story: StorySpec, layout: Layout, itemize: Itemizer) -> Itemizer:
    """The itemizer of a story's paragraphs: `itemize` itself, or for a story that starts in a
    vertical region, its units for vertical lines (`vertical_units`, that region's
    `tate_chu_yoko`). A story that goes on in a region of the other mode keeps its first
    region's units (only a 纵中横 number's width differs)."""
    first = layout.regions[story.thread[0]]
    if not is_vertical(first):
        return itemize
    cache: dict[tuple[str, str], tuple[Unit, ...]] = {}

    def vertical(text: str, style: TextStyle) -> tuple[Unit, ...]:
        key = (text, style.name)
        hit = cache.get(key)
        if hit is None:
            hit = cache[key] = vertical_units(itemize(text, style), first.tate_chu_yoko)
        return hit

    return vertical
