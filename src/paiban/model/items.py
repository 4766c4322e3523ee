"""The items of composed text: character classes, unbreakable units and broken lines.

Plain data, shared by every stage: `text/itemize.py` cuts a paragraph into `Unit`s (the rules that
give a unit its class, widths and break properties are data in `text/charclass.py`), the line
breakers (`linebreak/`) cut the units into `LineBreak`s, the flow (`model/flowed.py`) keeps both
per line and page composition justifies them. Nothing here imports a stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple


class CharClass(str, Enum):
    HAN = "han"  # ideographs and other full-width letters (kana, □, ■, full-width Latin)
    OPEN = "open"  # opening quotes and brackets: blank on the left in GB fonts
    CLOSE = "close"  # closing quotes and brackets: blank on the right
    POINT = "point"  # 点号 ，。、；：？！: blank on the right in GB fonts
    MIDDLE = "middle"  # · ／: centred, fixed half width
    DASH = "dash"  # U+2014 (a pair forms the 2-em dash ——)
    ELLIPSIS = "ellipsis"  # U+2026 (a pair forms ……)
    SPACE = "space"  # U+3000 ideographic space
    DIGIT = "digit"  # ASCII digits and what sticks to them inside a number
    LATIN = "latin"  # Latin letters
    LATIN_SPACE = "latin_space"  # ASCII space between Latin words
    OTHER = "other"  # any other narrow character: ASCII symbols, % ‰ ℃ ° and kin, super/subscripts


#: the classes of punctuation marks (标点): the ones with a blank side that line edges trim and
#: squeezing takes
PUNCT_CLASSES = frozenset({CharClass.OPEN, CharClass.CLOSE, CharClass.POINT})


@dataclass(frozen=True, slots=True)
class Unit:
    """An unbreakable run of text (a character, `——`, a number, a Latin word), its class and
    its widths in em inside a line and at the line's ends."""

    text: str
    cls: CharClass
    width: float  # em inside a line
    start_width: float  # em when the unit starts a line (text/itemize.line_start_width)
    end_width: float  # em when the unit ends a line
    no_break_before: bool  # may not start a line
    no_break_after: bool  # may not end a line
    #: Han–Latin spacing (clreq §3.2.2) inside `width`, before and after the text; it may shrink by half
    pad_before: float = 0.0
    pad_after: float = 0.0
    #: the next unit goes on the same run (a URL, an e-mail address, a long number, a hyphenated
    #: word cut at its break points): justification puts no space between them
    joined: bool = False
    #: a hyphenation point follows (`no_break_after` holds: a breaker may end a line here only when
    #: no permitted break fits); a line ending here draws a hyphen, which `end_width` includes
    #: unless the unit ends with one
    hyphen: bool = False

    @property
    def is_mark(self) -> bool:
        return self.cls in PUNCT_CLASSES


class LineBreak(NamedTuple):
    """One line of a paragraph: units [start, end), set in `measure` em after `indent` em. A
    named tuple: an edition makes ~10⁴ of them, each in half the time of a frozen dataclass."""

    start: int
    end: int
    indent: float
    measure: float
    natural: float  # em, indent included
    #: the line broke against the rules (no permitted break fitted); reported as a warning
    forced: bool = False

    @property
    def slack(self) -> float:
        return max(0.0, self.measure - self.natural)
