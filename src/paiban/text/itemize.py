"""Itemize a paragraph: text → `Unit`s with widths and break properties.

A unit is the smallest thing the line breaker moves: one hanzi or mark, or an unbreakable run: a
pair `——` or `……` (a longer run is several pairs), a number with its sign, joiners and unit
(`2023-2025`, `25.9%`, `5.34 m²`), a Latin word. Runs that may break inside come as several units
marked `joined` (justification puts no space between them): URLs and e-mail addresses, cut after
`/ - ? &` and never after `.`; numbers longer than `charclass.LONG_NUMBER` with hyphens (ISBNs),
cut after their hyphens; Latin words wider than `charclass.HYPHENATE_MIN_WIDTH`, cut at their
hyphenation points (pyphen) into units whose break is a `hyphen` break: not a permitted one, a
breaker's last resort before breaking against the rules.

Widths are in em of the style's size. Hanzi, marks and dashes take grid widths, by punctuation
style (charclass.PUNCT_WIDTH); Latin letters, symbols (`% ‰ ℃ °`, super- and subscripts) and a
number's characters other than digits take the font's advance (`latin_advance`); digits sit in
½-em cells, as the seed's paper prints them (`digit_cell`), and a number as a whole takes the next
multiple of ½ em (`number_width`), so that it stays on the grid.

Each unit (model/items.py) carries three widths: inside the line, at the line start (opening blank
trimmed) and at the line end (closing blank trimmed), as GB/T 15834 §5.1.10 and clreq §3.2 ask;
`line_start_width` is the rule that says which width a line's first unit takes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from math import ceil
from operator import ge
from typing import Callable, Sequence

from paiban.model.items import PUNCT_CLASSES, CharClass, Unit
from paiban.text.charclass import (
    BLANK_SIDE,
    DIGIT_CELL_MAX_ADVANCE,
    FULL_STOPS,
    HALF_WIDTH,
    HYPHENATE_MAX_CHARS,
    HYPHENATE_MIN_WIDTH,
    HYPHENATION_LANGUAGE,
    KINSOKU_LEVELS,
    LONG_NUMBER,
    NOT_AT_LINE_END,
    NOT_AT_LINE_START,
    NUMBER_JOINERS,
    NUMBER_PREFIXES,
    NUMBER_SUFFIXES,
    NUMBER_UNITS,
    PAIR_COMPRESSION,
    PUNCT_WIDTH,
    SUPER_SUBSCRIPTS,
    TRIM_AFTER_INDENT,
    URL_BREAK_AFTER,
    classify,
)

LatinAdvance = Callable[[str], float]
Rules = tuple[frozenset[str], frozenset[str]]

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


def digit_cell(ch: str, latin_advance: LatinAdvance) -> float:
    """A digit's cell: ½ em, or the font's advance when that is wider than DIGIT_CELL_MAX_ADVANCE."""
    advance = latin_advance(ch)
    return HALF_WIDTH if advance <= DIGIT_CELL_MAX_ADVANCE else advance


def number_cells(text: str, latin_advance: LatinAdvance) -> list[tuple[str, float]]:
    """The cells of a number's characters: a digit's `digit_cell`, any other character the font's
    advance."""
    return [(c, digit_cell(c, latin_advance) if "0" <= c <= "9" else latin_advance(c)) for c in text]


def number_width(text: str, latin_advance: LatinAdvance) -> float:
    """A number unit's width: its cells' sum rounded up to the half-em grid (the renderer centres
    the number in it)."""
    natural = sum([digit_cell(c, latin_advance) if "0" <= c <= "9" else latin_advance(c) for c in text])
    return ceil(natural / HALF_WIDTH - 1e-9) * HALF_WIDTH


def itemize(text: str, style: str = "banjiao", latin_advance: LatinAdvance = half_width_latin,
            latin_spacing: float = 0.0, level: str = "basic") -> tuple[Unit, ...]:
    """Split `text` into units for punctuation `style` (quanjiao, kaiming, banjiao, hangmobanjiao,
    font) with the prohibitions of kinsoku `level` (gb, basic, strict)."""
    rules = KINSOKU_LEVELS[level]
    cache = _SINGLE_CHAR_UNITS.get((style, level))
    if cache is None:
        cache = _SINGLE_CHAR_UNITS[style, level] = _CharUnits(style, rules)
    cache.use_font(latin_advance)
    char_unit = cache.__getitem__
    # one pass: each character a unit of its own (a C-level map), but each run of several
    # characters (`——`, a number, a Latin word, a URL) replaced by its units
    match = (_RUNS_AND_ADDRESSES if ("@" in text or "://" in text or "www." in text) else _RUNS).match
    candidate = _RUN_START.search
    units: list[Unit] = []
    pos = 0
    found = candidate(text)
    while found is not None:  # each place where two characters of a run meet (none in hanzi)
        start = found.start()
        m = match(text, start)
        if m is None or m.end() - start < 2:
            found = candidate(text, start + 1)
            continue
        if start > pos:
            units += map(char_unit, text[pos:start])
        units += _run_units(m.group(), m.lastgroup, cache, style, latin_advance, rules)
        pos = m.end()
        found = candidate(text, pos)
    if pos < len(text):
        units += map(char_unit, text[pos:] if pos else text)
    if style in PAIR_COMPRESSION:
        units = _compress_pairs(units)
    if latin_spacing:
        units = _add_latin_spacing(units, latin_spacing)
    return tuple(units)


def _char_class(chars) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


_LETTER = "A-Za-z\u00c0-\u024f"
#: what may end a Latin word after its letters
_WORD_END = ".,;:!?)]\"'"
_SUPSUB = "".join(sorted(SUPER_SUBSCRIPTS))
#: a Latin word with its ASCII brackets, quotes and stops: (quick) fox, CO₂ m² it's U.S. example.com
#: (a dot between letters joins them: no break after it)
_WORD = (f"[(\\[\"']?[{_LETTER}][{_LETTER}{_SUPSUB}]*(?:['\u2019.-][{_LETTER}{_SUPSUB}]+)*"
         "[" + re.escape(_WORD_END) + "]*")
#: a number: its sign (not after a letter or digit), digit groups with their joiners, and a
#: suffix sign or a unit symbol (with or without a space; not followed by a letter or digit)
_NUMBER = ("(?:(?<![0-9A-Za-z])[-" + "".join(sorted(NUMBER_PREFIXES)) + "])?"
           "[0-9]+(?:" + _char_class(NUMBER_JOINERS) + "[0-9]+)*"
           "(?: ?(?:" + "|".join(re.escape(u) for u in NUMBER_UNITS) + ")(?![0-9A-Za-z])"
           "| ?" + _char_class(NUMBER_SUFFIXES) + ")?")
_URL_CHARS = "A-Za-z0-9\\-._~:/?#\\[\\]@!$&'*+,;=%"
#: a URL ends on a character that cannot be the text's own punctuation after it
_URL = f"(?:https?://|ftp://|www\\.)(?:[{_URL_CHARS}]*[A-Za-z0-9/#=&_~\\-%+$*@])?"
#: an e-mail address, from the start of a run of the characters its name may have (with RFC
#: 5321's lengths, so that looking for one stays linear in the text's length)
_EMAIL = "(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\\.[A-Za-z0-9-]{1,63}){1,8}"
_PAIRS = "\u2014\u2014|\u2026\u2026"
#: runs of several characters (any other character is a unit of its own); the addresses are
#: looked for only in texts that may hold one
_RUNS = re.compile(f"(?P<pair>{_PAIRS})|(?P<number>{_NUMBER})|(?P<word>{_WORD})")
_RUNS_AND_ADDRESSES = re.compile(f"(?P<address>{_URL}|{_EMAIL})|(?P<pair>{_PAIRS})|(?P<number>{_NUMBER})"
                                 f"|(?P<word>{_WORD})")
#: where a run of several characters may start: a character that may begin one (a dash, a
#: digit, a letter, an opening ASCII bracket or quote, a sign, what may begin an e-mail address)
#: and one that may follow in it
_RUN_FIRST = "\u2014\u2026" + _LETTER + "0-9" + re.escape("([\"'._%+-" + "".join(sorted(NUMBER_PREFIXES)))
_RUN_CHARS = ("\u2014\u2026\u2019\u00c0-\u024f\x20-\x7e" + re.escape("".join(sorted(
    NUMBER_PREFIXES | NUMBER_SUFFIXES | SUPER_SUBSCRIPTS | {c for u in NUMBER_UNITS for c in u}))))
_RUN_START = re.compile(f"[{_RUN_FIRST}][{_RUN_CHARS}]")
#: a URL's pieces: each ends after a run of the characters it may break after
_PIECES = re.compile("[^{0}]*[{0}]+|[^{0}]+".format(re.escape("".join(sorted(URL_BREAK_AFTER)))))
_HYPHEN_PIECES = re.compile("[^-]*-+|[^-]+")


class _CharUnits(dict):
    """character → its unit alone, for one punctuation style and kinsoku level. Grid characters'
    units do not depend on the font and are kept for good; Latin letters, digits, word spaces and
    other narrow characters, and Latin words and numbers (`words`), are worked out with
    `latin_advance` and kept while itemizing goes on with the same one (`use_font`)."""

    __slots__ = ("style", "rules", "latin_advance", "runs", "words", "font_chars")

    def __init__(self, style: str, rules: Rules):
        super().__init__()
        self.style, self.rules = style, rules
        self.latin_advance: LatinAdvance = half_width_latin
        #: units of runs of several grid characters met before (`——`, `……`)
        self.runs: dict[str, Unit] = {}
        #: the units of Latin words and numbers met with this `latin_advance`
        self.words: dict[str, tuple[Unit, ...]] = {}
        #: the characters kept whose units depend on `latin_advance`
        self.font_chars: list[str] = []

    def use_font(self, latin_advance: LatinAdvance) -> None:
        """Itemize with `latin_advance` from now on: forget what depends on the one before."""
        if latin_advance is self.latin_advance:
            return
        self.latin_advance = latin_advance
        for ch in self.font_chars:
            del self[ch]
        self.font_chars.clear()
        self.words.clear()

    def __missing__(self, ch: str) -> Unit:
        cls = classify(ch)
        unit = self[ch] = _unit(ch, cls, self.style, self.latin_advance, self.rules)
        if cls in _FONT_CLASSES:
            self.font_chars.append(ch)
        return unit


#: classes whose units' widths come from the font (`latin_advance`)
_FONT_CLASSES = (CharClass.LATIN, CharClass.OTHER, CharClass.LATIN_SPACE, CharClass.DIGIT)
#: units of single characters, per punctuation style and kinsoku level
_SINGLE_CHAR_UNITS: dict[tuple[str, str], _CharUnits] = {}
#: runs of several characters kept per style (a new one past this many starts the table afresh)
_RUNS_KEPT = 4096


def _run_units(run: str, kind: str | None, cache: _CharUnits, style: str, latin_advance: LatinAdvance,
               rules: Rules) -> Sequence[Unit]:
    """The units of one run of several characters, of the `_RUNS` group `kind`."""
    if kind == "word":
        units = cache.words.get(run)
        if units is None:
            if len(cache.words) >= _RUNS_KEPT:
                cache.words.clear()
            units = cache.words[run] = _word_units(run, latin_advance, rules)
        return units
    if kind == "address":
        return _joined(_PIECES.findall(run), CharClass.LATIN, latin_advance, rules)
    if kind == "number":
        if len(run) > LONG_NUMBER and "-" in run[1:-1]:  # an ISBN: may break after its hyphens
            return _joined(_HYPHEN_PIECES.findall(run), CharClass.DIGIT, latin_advance, rules)
        units = cache.words.get(run)  # (a number is never a word: kept with them)
        if units is None:
            if len(cache.words) >= _RUNS_KEPT:
                cache.words.clear()
            width = number_width(run, latin_advance)
            units = cache.words[run] = (Unit(run, CharClass.DIGIT, width, width, width, run[0] in rules[0],
                                             run[-1] in rules[1]),)
        return units
    unit = cache.runs.get(run)  # a pair of dashes or ellipses: font-independent
    if unit is None:
        if len(cache.runs) >= _RUNS_KEPT:
            cache.runs.clear()
        unit = cache.runs[run] = _unit(run, classify(run[0]), style, latin_advance, rules)
    return [unit]


def _joined(pieces: list[str], cls: CharClass, latin_advance: LatinAdvance, rules: Rules) -> list[Unit]:
    """One run cut into `pieces` that may break between them: each joined to the next (no
    justification space), the run's first and last characters keeping their prohibitions. Widths
    are the font's (a number's digits at ½ em), not rounded: the pieces' sum is the run's width."""
    last = len(pieces) - 1
    units = []
    for k, piece in enumerate(pieces):
        cells = number_cells(piece, latin_advance) if cls is CharClass.DIGIT else \
            [(c, latin_advance(c)) for c in piece]
        width = sum(w for _, w in cells)
        units.append(Unit(piece, cls, width, width, width, k == 0 and piece[0] in rules[0],
                          k == last and piece[-1] in rules[1], joined=k < last))
    return units


def _word_units(word: str, latin_advance: LatinAdvance, rules: Rules) -> tuple[Unit, ...]:
    """A Latin word as one unit; a word wider than HYPHENATE_MIN_WIDTH em cut at its hyphenation
    points and explicit hyphens into `hyphen` units (a line may end there only as a last resort),
    unless a dot joins its letters (a domain name, an abbreviation: never hyphenated)."""
    advances = [latin_advance(c) for c in word]
    width = sum(advances)
    points = _hyphenation_points(word) if HYPHENATE_MIN_WIDTH <= width and len(word) <= HYPHENATE_MAX_CHARS \
        and "." not in word.rstrip(_WORD_END) else ()
    if not points:
        return (Unit(word, CharClass.LATIN, width, width, width, word[0] in rules[0], word[-1] in rules[1]),)
    hyphen = latin_advance("-")
    units = []
    cuts = (0, *points, len(word))
    for k in range(len(cuts) - 1):
        a, b = cuts[k], cuts[k + 1]
        piece, w = word[a:b], sum(advances[a:b])
        if b == len(word):
            units.append(Unit(piece, CharClass.LATIN, w, w, w, False, piece[-1] in rules[1]))
        else:
            end = w if piece.endswith("-") else w + hyphen
            units.append(Unit(piece, CharClass.LATIN, w, w, end, k == 0 and piece[0] in rules[0], True,
                              joined=True, hyphen=True))
    return tuple(units)


def _hyphenation_points(word: str) -> tuple[int, ...]:
    """Offsets in `word` where it may be hyphenated: after an explicit hyphen, and where pyphen's
    patterns (HYPHENATION_LANGUAGE) allow it in each of its runs of letters; no piece shorter
    than two characters."""
    points = {m.end() for m in re.finditer("-+", word) if 0 < m.start() and m.end() < len(word)}
    for m in re.finditer(f"[{_LETTER}]+", word):
        points.update(m.start() + p for p in _pyphen_positions(m.group()))
    kept: list[int] = []
    for p in sorted(points):
        if p - (kept[-1] if kept else 0) >= 2 and len(word) - p >= 2:
            kept.append(p)
    return tuple(kept)


@lru_cache(maxsize=4096)
def _pyphen_positions(letters: str) -> tuple[int, ...]:
    return tuple(_hyphenator().positions(letters))


@lru_cache(maxsize=1)
def _hyphenator():
    import pyphen  # loads its dictionary: only for a paragraph with a long Latin word

    return pyphen.Pyphen(lang=HYPHENATION_LANGUAGE)


def _unit(run: str, cls: CharClass, style: str, latin_advance: LatinAdvance,
          rules: Rules = (NOT_AT_LINE_START, NOT_AT_LINE_END)) -> Unit:
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
        width = sum(digit_cell(c, latin_advance) for c in run)
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
                          u.end_width + before, u.no_break_before, u.no_break_after, before, after,
                          u.joined, u.hyphen)
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
    # (a comprehension reads `text` faster than `map(attrgetter("text"), …)` does)
    return UnitStats(widths, sums, ordered, grid, list(accumulate([len(u.text) for u in units], initial=0)),
                     max(distinct_widths, default=0.0))
