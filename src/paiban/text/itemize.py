"""Itemize a paragraph: text → unbreakable `Unit`s with grid widths and break properties.

A unit is the smallest thing the line breaker moves: one hanzi or mark, or an unbreakable run
(`——`, `……`, a number such as `2023-2025` or `25.9%`, a Latin word). Widths are in em of the
style's size and follow the punctuation style (charclass.PUNCT_WIDTH): they are grid widths,
independent of the font, except for Latin letters, whose advances come from `latin_advance`.

Each unit (model/items.py) carries three widths: inside the line, at the line start (opening blank
trimmed) and at the line end (closing blank trimmed), as GB/T 15834 §5.1.10 and clreq §3.2 ask;
`line_start_width` is the rule that says which width a line's first unit takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from operator import attrgetter, ge
from typing import Callable, Sequence

from paiban.model.items import PUNCT_CLASSES, CharClass, Unit
from paiban.text.charclass import (
    BLANK_SIDE,
    FULL_STOPS,
    HALF_WIDTH,
    KINSOKU_LEVELS,
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    NUMBER_JOINERS,
    NUMBER_SUFFIXES,
    PAIR_COMPRESSION,
    PUNCT_WIDTH,
    TRIM_AFTER_INDENT,
    classify,
)

LatinAdvance = Callable[[str], float]

#: marks whose blank the orphan rule may squeeze: quotes and brackets (clreq reduction order)
BRACKET_CLASSES = frozenset({CharClass.OPEN, CharClass.CLOSE})


def line_start_width(u: Unit, indent: float) -> float:
    """The width of `u` as the first unit of a line that starts `indent` em in: the one
    start-of-line rule, of both line breakers and of the renderer. The unit's line-start width
    (its opening blank trimmed), after a first-line indent too (charclass.TRIM_AFTER_INDENT)."""
    return u.start_width if TRIM_AFTER_INDENT or indent <= 0 else u.width


def half_width_latin(ch: str) -> float:
    """Fake Latin metrics: every narrow character ½ em (used in tests and as a fallback)."""
    return HALF_WIDTH


def itemize(text: str, style: str = "banjiao", latin_advance: LatinAdvance = half_width_latin,
            latin_spacing: float = 0.0, level: str = "basic") -> tuple[Unit, ...]:
    """Split `text` into units for punctuation `style` (quanjiao, kaiming, banjiao, hangmobanjiao,
    font) with the prohibitions of kinsoku `level` (gb, basic, strict)."""
    rules = KINSOKU_LEVELS[level]
    cache = _SINGLE_CHAR_UNITS.get((style, level))
    if cache is None:
        cache = _SINGLE_CHAR_UNITS[style, level] = _CharUnits(style, rules)
    cache.latin_advance = latin_advance
    # every character as a unit of its own (one C-level pass), then each run of several
    # characters (`——`, a number, a Latin word) replaced by its unit, from the end backwards
    units = list(map(cache.__getitem__, text))
    long_runs = [m for m in _RUN.finditer(text) if m.end() - m.start() > 1]
    for m in reversed(long_runs):
        units[m.start():m.end()] = [_run_unit(m.group(), cache, style, latin_advance, rules)]
    if style in PAIR_COMPRESSION:
        units = _compress_pairs(units)
    if latin_spacing:
        units = _add_latin_spacing(units, latin_spacing)
    return tuple(units)


#: unbreakable runs: `——`, `……`, numbers with their joiners and suffix, Latin words (any other
#: character is a run of its own)
_RUN = re.compile(
    "\u2014+|\u2026+"
    "|[0-9]+(?:[" + re.escape("".join(sorted(NUMBER_JOINERS))) + "][0-9]+)*[" + "".join(sorted(NUMBER_SUFFIXES)) + "]?"
    "|[(\\[\"']?[A-Za-z\u00c0-\u024f]+(?:['\u2019-][A-Za-z\u00c0-\u024f]+)*[.,;:!?)\\]\"']*")


class _CharUnits(dict):
    """character → its unit alone, for one punctuation style and kinsoku level. Grid characters'
    units do not depend on the font and are kept; Latin letters, word spaces and other narrow
    characters are worked out with `latin_advance` (set by `itemize`) each time."""

    __slots__ = ("style", "rules", "latin_advance", "runs")

    def __init__(self, style: str, rules: tuple[frozenset[str], frozenset[str]]):
        super().__init__()
        self.style, self.rules = style, rules
        self.latin_advance: LatinAdvance = half_width_latin
        #: units of runs of several grid characters met before (`——`, numbers such as 2024)
        self.runs: dict[str, Unit] = {}

    def __missing__(self, ch: str) -> Unit:
        cls = classify(ch)
        unit = _unit(ch, cls, self.style, self.latin_advance, self.rules)
        if cls not in _FONT_CLASSES:
            self[ch] = unit  # font-independent: shareable
        return unit


#: classes whose units' widths come from the font (`latin_advance`)
_FONT_CLASSES = (CharClass.LATIN, CharClass.OTHER, CharClass.LATIN_SPACE)
#: units of single characters, per punctuation style and kinsoku level
_SINGLE_CHAR_UNITS: dict[tuple[str, str], _CharUnits] = {}


def _run_unit(run: str, cache: _CharUnits, style: str, latin_advance: LatinAdvance,
              rules: tuple[frozenset[str], frozenset[str]]) -> Unit:
    """The unit of one run (a single character's from `cache`, a run of grid characters' kept
    there too)."""
    if len(run) == 1:
        return cache[run]
    unit = cache.runs.get(run)
    if unit is not None:
        return unit
    cls = classify(run[0])
    if cls is not CharClass.LATIN and run[-1:].isalpha() or (len(run) > 1 and run[1:2].isalpha()):
        cls = CharClass.LATIN  # a word with its ASCII quotes, brackets or stops: (quick), fox,
    unit = _unit(run, cls, style, latin_advance, rules)
    if cls not in _FONT_CLASSES:  # font-independent: shareable
        if len(cache.runs) >= _RUNS_KEPT:
            cache.runs.clear()
        cache.runs[run] = unit
    return unit


#: runs of several characters kept per style (a new one past this many starts the table afresh)
_RUNS_KEPT = 4096


def _unit(run: str, cls: CharClass, style: str, latin_advance: LatinAdvance,
          rules: tuple[frozenset[str], frozenset[str]] = (NOT_AT_LINE_START, NOT_AT_LINE_END)) -> Unit:
    first, last = run[0], run[-1]
    no_before = first in rules[0]
    no_after = last in rules[1]
    if cls in PUNCT_CLASSES:
        width = PUNCT_WIDTH[style][cls]
        if style == "kaiming" and run in FULL_STOPS:
            width = 1.0
        start_w = end_w = width
        blank = BLANK_SIDE[cls]
        if style == "font":
            pass
        elif blank == "left":
            start_w = min(width, 0.5)
        else:
            end_w = min(width, 0.5)
        return Unit(run, cls, width, start_w, end_w, no_before, no_after)
    if cls is CharClass.LATIN_SPACE:  # a word space disappears at a line's edges
        width = sum(latin_advance(c) for c in run)
        return Unit(run, cls, width, 0.0, 0.0, no_before, no_after)
    if cls in (CharClass.HAN, CharClass.SPACE):
        width = float(len(run))
    elif cls in (CharClass.DASH, CharClass.ELLIPSIS):
        width = float(len(run))  # each U+2014/U+2026 one em: `——` is 2 em (GB/T 15834 §4.1.7)
    elif cls is CharClass.MIDDLE:
        width = 0.5 * len(run)
    elif cls is CharClass.DIGIT:
        width = HALF_WIDTH * len(run)
    else:  # Latin words, spaces, other narrow characters: the font's advance
        width = sum(latin_advance(c) for c in run)
    return Unit(run, cls, width, width, width, no_before, no_after)


def _compress_pairs(units: list[Unit]) -> list[Unit]:
    """Adjacent marks whose blanks meet lose ½ em (`”。` `，“` `》！`): quanjiao and kaiming."""
    out = list(units)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        if not (a.is_mark and b.is_mark):
            continue
        if BLANK_SIDE[a.cls] == "right" and a.width > 0.5:
            out[i] = _with_width(a, a.width - 0.5)
        elif BLANK_SIDE[b.cls] == "left" and b.width > 0.5:
            out[i + 1] = _with_width(b, b.width - 0.5)
    return out


def _with_width(u: Unit, width: float) -> Unit:
    return Unit(u.text, u.cls, width, min(u.start_width, width), min(u.end_width, width),
                u.no_break_before, u.no_break_after)


def _add_latin_spacing(units: list[Unit], gap: float) -> list[Unit]:
    """clreq §3.2.2: a gap (¼ em, shrinkable to ⅛) between Han and Latin letters or digits,
    carried by the Latin/digit unit as padding, trimmed at the line's edges."""
    out = list(units)
    narrow = (CharClass.LATIN, CharClass.DIGIT)
    for i, u in enumerate(out):
        if u.cls not in narrow:
            continue
        before = gap if i > 0 and out[i - 1].cls is CharClass.HAN else 0.0
        after = gap if i + 1 < len(out) and out[i + 1].cls is CharClass.HAN else 0.0
        if before or after:
            out[i] = Unit(u.text, u.cls, u.width + before + after, u.start_width + after,
                          u.end_width + before, u.no_break_before, u.no_break_after, before, after)
    return out


def can_break_before(units: tuple[Unit, ...] | list[Unit], i: int) -> bool:
    """May a line end between units[i-1] and units[i]? (i == len: the paragraph's end)."""
    if i <= 0:
        return False
    if i >= len(units):
        return True
    return not units[i].no_break_before and not units[i - 1].no_break_after


@dataclass(frozen=True, slots=True)
class UnitStats:
    """Per-unit numbers of a paragraph's units, as lists, for the line breaker and the flow."""

    widths: list[float]  # mid-line widths
    width_sums: list[float]  # width_sums[i]: sum of widths[:i], in order
    #: 0 <= end width <= width for every unit (the line breaker's bisecting fit relies on it)
    ordered: bool
    #: `ordered`, and all widths and end widths are multiples of 1/GRID em summing to less than
    #: MAX_GRID_SUM em: then every sum of them is exact in floating point, in any order
    on_grid: bool
    offsets: list[int]  # offsets[i]: characters in units[:i]; offsets[-1] is the text's length
    widest: float  # the largest width (0 for no units)


#: the fraction of an em that grid widths are multiples of (½, ¼ and ⅛ em are; font advances in
#: 1/1000 or 1/2048 em are not)
GRID = 1024.0
MAX_GRID_SUM = 2.0 ** 30


def on_grid(value: float) -> bool:
    """Is `value` a multiple of 1/GRID em below MAX_GRID_SUM (sums of such values are exact)?"""
    return (value * GRID).is_integer() and abs(value) < MAX_GRID_SUM


_text = attrgetter("text")
#: stats of recently seen units tuples, by identity (an entry holds its tuple, so its id is not
#: reused while it lives); a tuple of frozen units never changes
_STATS: dict[int, tuple[tuple[Unit, ...], UnitStats]] = {}
_STATS_LIMIT = 256


def unit_stats(units: Sequence[Unit]) -> UnitStats:
    """The `UnitStats` of `units`, cached for tuples (a list may change between calls)."""
    if type(units) is not tuple:
        return _unit_stats(units)
    hit = _STATS.get(id(units))
    if hit is not None and hit[0] is units:
        return hit[1]
    stats = _unit_stats(units)
    if len(_STATS) >= _STATS_LIMIT:
        _STATS.clear()
    _STATS[id(units)] = (units, stats)
    return stats


def _unit_stats(units: Sequence[Unit]) -> UnitStats:
    # list comprehensions and C-level maps: these run over every unit of an edition
    widths = [u.width for u in units]
    ends = [u.end_width for u in units]
    distinct_widths, distinct_ends = set(widths), set(ends)
    ordered = all(map(ge, widths, ends)) and min(distinct_ends, default=0.0) >= 0.0
    sums = list(accumulate(widths, initial=0.0))
    grid = ordered and sums[-1] < MAX_GRID_SUM and all(map(on_grid, distinct_widths | distinct_ends))
    return UnitStats(widths, sums, ordered, grid, list(accumulate(map(len, map(_text, units)), initial=0)),
                     max(distinct_widths, default=0.0))
