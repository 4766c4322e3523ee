"""Greedy (first-fit) line breaking with kinsoku policies and the seed paper's push-in rules.

Pure functions over `Unit`s (text/itemize.py); no fonts. A line is the half-open unit range
[start, end). Its natural width is the indent, the first unit's line-start width (the one
start-of-line rule, itemize.line_start_width, which total_fit.py and the renderer apply too), the
middle units' widths and the last unit's line-end width. A line may be *squeezed* (set narrower
than its natural width) by at most `max_squeeze` em, and only when it holds a mark to take the
squeeze; the renderer later takes that space from the marks' blank as the font's ink allows.

Policies (typography.md §2; InDesign/Founder names in spec.KinsokuPolicy):
* push-out (只推不挤): when a prohibited unit does not fit, carry the last breakable part down;
* push-in (先挤后推): squeeze the line so the prohibited unit fits; push out when it cannot;
* push-out-first (先推后挤): push out when there is an earlier break; squeeze when there is none.

Where a line overflows is found by bisecting the paragraph's running widths (itemize.UnitStats)
instead of adding unit after unit; the comparisons, and so the breaks, are those of the plain
scan (`_scan`, still used for the house rules' extra squeeze and for unusual widths), and on the
grid a line's natural width comes from the width sums (`_line_natural`) instead of adding its
units (`_natural`): tests/test_fast_paths.py checks both shortcuts against what they shortcut.
Most lines are plain (`_plain_line`: on the grid, no squeeze nor stop, the unit that overflows
may start the next line, not too loose) and take a short path; tests/test_flow_fast_paths.py
checks it against `_next_break`.

Looseness limit (`BreakOptions.max_stretch`, em per gap between units): a line that would be
stretched more than that when justified ends at the next permitted break instead if squeezing
(up to `max_squeeze`, push-in, whatever the policy) gets it there; a loose line left is one no
permitted break avoids, and the flow reports it (`stretch_per_gap`).

House rules of the seed paper (typography.md §1), applied per paragraph after the first pass:
* orphan (单字成行): a paragraph must not end on a line holding one hanzi (`avoid_orphans`):
  1. pull it up: squeeze an eligible mark on the first earlier line, of the `ORPHAN_REACH` above
     the last, where that pulls text up. Eligible (`orphan_mark`): quotes and brackets always,
     a point mark only where it is set wider than its ½-em floor (quanjiao, kaiming's 。？！); in
     banjiao, the seed's style, points are at their floor (typography.md §1 case 1, clreq's
     reduction order: brackets before point marks);
  2. push a character down (`orphan_pull_down`): end one of the `PULL_REACH` lines above the last
     at its previous permitted break, so the last line gains text, where no line ends up looser
     than `max_stretch` nor more than `PULL_DOWN_MAX_SLACK` short;
  what could not remove an orphan is returned as the reason (the flow reports it).
* jump fit (flow/thread_flow.py): a line that carries a 下转 jump line ends on a clause: squeeze
  the nearest line above that makes it end on one, else end it earlier after its last clause
  (at most `JUMP_CLAUSE_SLACK` short); failing both it ends at least between two words (the
  segmenter's boundaries, text/phrases.py): squeeze a line above to pull the rest of the word up,
  else push the word's start down, within `max_stretch` (`jump_ends_well` checks it).

Linear time, whatever the paragraph: each line costs the units it holds (and a bisection); a
squeeze search scans no further than the squeeze can reach; re-breaking a paragraph from a line
on stops where the new lines meet the old ones again (`_Breaker.lines`, `resync`), and the house
rules try a bounded number of lines.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, compress, count
from math import inf
from operator import attrgetter
from typing import Callable, Sequence

from paiban.i18n import _
from paiban.model.items import PUNCT_CLASSES, CharClass, LineBreak, Unit
from paiban.model.spec import KinsokuPolicy
from paiban.text.itemize import (BRACKET_CLASSES, GRID, MAX_GRID_SUM, UnitStats, can_break_before,
                                 line_start_width, unit_stats)
from paiban.text.phrases import boundaries

EPS = 1e-9
#: the classes that may always be squeezed to save an orphan (quotes/brackets, typography.md §1 case 1)
ORPHAN_SQUEEZE = BRACKET_CLASSES
#: a point mark's width floor, em: one set wider may give the excess to save an orphan (clreq §3.1.6)
POINT_FLOOR = 0.5
#: the classes that may be squeezed for kinsoku push-in or to keep a jump line (any mark)
ANY_MARK = PUNCT_CLASSES

#: the orphan rule squeezes one of this many lines above a paragraph's last (not one further up,
#: which would re-break most of a long paragraph to pull one character up)
ORPHAN_REACH = 40
#: the units past a line's end that a squeeze of `max_squeeze` may pull into it (½ em: a hanzi,
#: or a few narrow units)
SQUEEZE_REACH = 3

# members looked up once (an enum's attribute costs twenty times a global's, in loops over units)
_HAN, _POINT, _LATIN_SPACE = CharClass.HAN, CharClass.POINT, CharClass.LATIN_SPACE
_CLAUSE_ENDS = (CharClass.POINT, CharClass.CLOSE)
_PUSH_IN = KinsokuPolicy.PUSH_IN
_joined = attrgetter("joined")


@dataclass(frozen=True)
class BreakOptions:
    """How a paragraph may be broken: the kinsoku policy, the squeeze allowed, the orphan rule."""

    policy: KinsokuPolicy = KinsokuPolicy.PUSH_OUT
    max_squeeze: float = 0.5
    avoid_orphans: bool = True
    #: when no squeeze saves an orphan, break the line above one unit earlier
    orphan_pull_down: bool = False
    #: the most a justified line may be stretched, em per gap between units (inf: no limit)
    max_stretch: float = inf


def open_gaps(units: Sequence[Unit], start: int, end: int) -> int:
    """The gaps of the line [start, end) that justification stretches (page/justify.py): between
    units, but not inside a joined run (a URL, a hyphenated word) nor beside the word spaces at
    the line's edges."""
    lo, hi = start, end - 1
    while lo < hi and units[lo].cls is _LATIN_SPACE:
        lo += 1
    while hi > lo and units[hi].cls is _LATIN_SPACE:
        hi -= 1
    return hi - lo - list(map(_joined, units[lo:hi])).count(True) if hi > lo else 0


def stretch_per_gap(units: Sequence[Unit], line: LineBreak) -> float:
    """How much justifying `line` puts into each gap it stretches, em (all of its slack when it
    has no such gap)."""
    return line.slack / max(1, open_gaps(units, line.start, line.end))


def too_loose(units: Sequence[Unit], line: LineBreak, max_stretch: float) -> bool:
    """Is `line` stretched more than `max_stretch` em per gap when justified?"""
    return line.slack > max_stretch + EPS and stretch_per_gap(units, line) > max_stretch + EPS


def line_width(units: Sequence[Unit], start: int, end: int, indent: float = 0.0) -> float:
    """Natural width in em of units [start, end) as one line."""
    if end - start < 3 or type(units) is not tuple:
        return _natural(units, [units[k].width for k in range(start + 1, end - 1)], start, end, indent)
    return _natural(units, unit_stats(units).widths[start + 1:end - 1], start, end, indent)


def _natural(units: Sequence[Unit], middle: Sequence[float], start: int, end: int, indent: float) -> float:
    """`line_width`, given the mid-line widths of units [start + 1, end - 1)."""
    if end <= start:
        return indent
    if end - start == 1:
        u = units[start]
        return indent + line_start_width(u, indent) + u.end_width - u.width
    total = indent + line_start_width(units[start], indent) + units[end - 1].end_width
    for width in middle:
        total += width
    return total


def has_mark(units: Sequence[Unit], start: int, end: int, classes: frozenset[CharClass]) -> bool:
    return any(units[k].cls in classes for k in range(start, end))


#: `LineBreak(start, end, indent, measure, natural, forced)` without the named tuple's argument
#: handling (one is made for every line of an edition)
_new_line = partial(tuple.__new__, LineBreak)


def _next_break(units: Sequence[Unit], stats: UnitStats, start: int, measure: float, indent: float,
                options: BreakOptions, allow: float, allow_classes: frozenset[CharClass],
                stop: int | None, bounded: bool = False, overflow: int | None = None) -> LineBreak:
    """The line starting at `start`: first fit at natural widths, then the kinsoku policy.

    `allow` lets this line be squeezed by up to that many em when it holds a mark of
    `allow_classes` (the orphan and jump-fit rules); push-in kinsoku uses `options.max_squeeze`.
    `stop` ends the line at that unit at the latest (a permitted break). `stats` are `units`'.
    `bounded`: no unit has a negative width or end width (`_Breaker.bounded`). `overflow`: the
    first unit that does not fit when it is known (`_plain_line` found it; no allow, no stop).
    """
    n = len(units) if stop is None else stop
    room = measure + (allow if allow > 0 else 0.0)
    i = overflow
    if i is None and allow <= 0 and stats.ordered:
        i = _first_overflow(units, stats, start, n, room + EPS, indent)
    if i is None:
        i, last_ok = _scan(units, start, n, room, measure, indent, allow, allow_classes)
    elif i < n:
        last_ok = _last_break(units, start, i)
    if i >= n:
        end = n
    elif last_ok == i:  # the unit that overflows may start the next line
        end = i
    else:  # kinsoku: units[i] cannot start a line (or units[i-1] cannot end one)
        end = _kinsoku_end(units, stats, start, i, last_ok, indent, measure, options, bounded)
        if end is None:  # no permitted break fits, nor does squeezing reach one
            end = _hyphen_end(units, start, start, i, indent, measure)
        if end is None:  # nor a hyphenation point: force
            end = max(i, start + 1)
            return _new_line((start, end, indent, measure, _line_natural(units, stats, start, end, indent), True))
    line = _new_line((start, end, indent, measure, _line_natural(units, stats, start, end, indent), False))
    if end < n and too_loose(units, line, options.max_stretch):
        # the next-best break: squeeze the units up to the next permitted break in, else hyphenate
        better = _push_in_end(units, stats, start, i, indent, measure, options.max_squeeze, bounded)
        if better is None or not end < better <= n:
            better = _hyphen_end(units, start, end, min(i, n), indent, measure)
        if better is not None:
            return LineBreak(start, better, indent, measure, _line_natural(units, stats, start, better, indent))
    return line


def _hyphen_end(units: Sequence[Unit], start: int, lo: int, hi: int, indent: float, measure: float) -> int | None:
    """The last break in (lo, hi] at a hyphenation point (`Unit.hyphen`: the line ends with a
    hyphen, in the unit's end width) where the line from `start` fits `measure`, or None."""
    best = None
    width = indent  # natural width of units [start, j) with the last one at its mid-line width
    for j in range(start, hi):
        u = units[j]
        mid = line_start_width(u, indent) if j == start else u.width
        if j >= lo and u.hyphen and not units[j + 1].no_break_before:
            end_w = (mid + u.end_width - u.width) if j == start else u.end_width
            if width + end_w <= measure + EPS:
                best = j + 1
        width += mid
    return best


def _kinsoku_end(units: Sequence[Unit], stats: UnitStats, start: int, i: int, last_ok: int, indent: float,
                 measure: float, options: BreakOptions, bounded: bool = False) -> int | None:
    """Where a line ends when units[i] overflows and may not start the next line, by policy."""
    if options.policy is _PUSH_IN:
        pushed_in = _push_in_end(units, stats, start, i, indent, measure, options.max_squeeze, bounded)
        if pushed_in is not None:
            return pushed_in
    if last_ok > start:
        return last_ok
    # push-out-first squeezes when there is no earlier break; push-out only to reach a permitted
    # break at all
    return _push_in_end(units, stats, start, i, indent, measure, options.max_squeeze, bounded)


def _line_natural(units: Sequence[Unit], stats: UnitStats, start: int, end: int, indent: float) -> float:
    """`line_width`; on the grid, from the width sums (the same value: grid sums are exact)."""
    if end - start > 1 and stats.on_grid:
        base = indent + line_start_width(units[start], indent)
        if 0.0 < base < MAX_GRID_SUM and (base * GRID).is_integer():  # on_grid(base)
            sums = stats.width_sums
            return base + units[end - 1].end_width + (sums[end - 1] - sums[start + 1])
    return _natural(units, stats.widths[start + 1:end - 1], start, end, indent)


def _scan(units: Sequence[Unit], start: int, n: int, room: float, measure: float, indent: float,
          allow: float, allow_classes: frozenset[CharClass]) -> tuple[int, int]:
    """Add units to the line from `start` while they fit in `room` (in `measure` unless the line
    holds a mark of `allow_classes`). Returns the first unit that does not fit (n when all fit)
    and the last permitted break on the way (-1 when none)."""
    width = indent  # natural width of units [start, i) with the last one at its mid-line width
    i = start
    last_ok = -1
    marked = False  # has_mark(units, start, i + 1, allow_classes), kept as units are added
    while i < n:
        u = units[i]
        mid = line_start_width(u, indent) if i == start else u.width
        end_w = (mid + u.end_width - u.width) if i == start else u.end_width
        if width + end_w > room + EPS:
            break
        marked = marked or u.cls in allow_classes
        if allow > 0 and width + end_w > measure + EPS and not marked:
            break
        width += mid
        i += 1
        if can_break_before(units, i):
            last_ok = i
    return i, last_ok


def _first_overflow(units: Sequence[Unit], stats: UnitStats, start: int, n: int, limit: float,
                    indent: float) -> int | None:
    """The first unit of `_scan` (without `allow`) that does not fit under `limit` (n when all
    fit), found by bisection; None when that fails (use `_scan`).

    The comparisons are `_scan`'s, on the same running widths. Since 0 <= end width <= width, a
    unit that overflows at its end width pushes the running width past `limit`: only the unit
    before the first running width past `limit` needs checking.
    """
    if start >= n:
        return start
    u = units[start]
    mid = line_start_width(u, indent)
    if indent + (mid + u.end_width - u.width) > limit:
        return start
    base = indent + mid  # the running width after the first unit
    if not (stats.on_grid and 0.0 < base < MAX_GRID_SUM and (base * GRID).is_integer()):  # on_grid(base)
        return _first_overflow_summed(units, stats, start, n, limit, base)
    return _grid_overflow(units, stats.width_sums, start, n, limit, base)


def _grid_overflow(units: Sequence[Unit], sums: list[float], start: int, n: int, limit: float, base: float) -> int:
    """`_first_overflow` on the grid, given that the first unit fits and the running width after
    it (`base`) is on the grid."""
    # on the grid, the running width before unit j is exactly sums[j] + off: bisect the sums
    off = base - sums[start + 1]
    j = bisect_right(sums, limit - off, start + 1)
    # `limit - off` may be rounded: step to the first j whose running width is past the limit
    while j > start + 1 and sums[j - 1] + off > limit:
        j -= 1
    while j < len(sums) and not sums[j] + off > limit:
        j += 1
    i = j - 1  # only unit i, before the first running width past the limit, may overflow earlier
    if start < i < n and sums[i] + off + units[i].end_width > limit:
        return i
    return min(j, n)


#: how far (em) past the measure the window of `_first_overflow_summed` reaches: far beyond the
#: rounding error of the width sums, so the window always holds the overflowing unit
WINDOW_MARGIN = 1.0


def _first_overflow_summed(units: Sequence[Unit], stats: UnitStats, start: int, n: int, limit: float,
                           base: float) -> int | None:
    """`_first_overflow` off the grid: the running widths are summed in `_scan`'s order, over a
    window that the width sums say reaches past the limit."""
    sums = stats.width_sums
    hi = bisect_right(sums, sums[start + 1] + (limit - base) + WINDOW_MARGIN, start + 1)
    m = min(n, hi)
    # running[j - start - 1]: the width of units [start, j) for j in (start, m]
    running = list(accumulate(stats.widths[start + 1:m], initial=base))
    k = bisect_right(running, limit)
    if k == len(running) and m < n:
        return None
    i = start + k  # running[k] (the width before unit i + 1) is the first past the limit
    if k > 0 and i < n and running[k - 1] + units[i].end_width > limit:
        return i
    return min(i + 1, n)


def _last_break(units: Sequence[Unit], start: int, i: int) -> int:
    """The last permitted break in (start, i], or -1 (`can_break_before`, inlined)."""
    if i >= len(units):
        return i if i > start else -1
    for j in range(i, start, -1):
        if not units[j].no_break_before and not units[j - 1].no_break_after:
            return j
    return -1


def _push_in_end(units: Sequence[Unit], stats: UnitStats, start: int, i: int, indent: float, measure: float,
                 max_squeeze: float, bounded: bool = False) -> int | None:
    """End of the line if the units up to the next permitted break are squeezed in, or None.

    When `bounded` (no width or end width is negative), the search for that break stops where the
    middle units' widths alone pass what a squeeze can take (they are a lower bound of the line's
    width): a run without a permitted break costs no more than a line."""
    if max_squeeze <= 0:
        return None
    n = len(units)
    sums = stats.width_sums
    # the units [start + 1, j - 1) take sums[j - 1] - sums[start + 1] of the line [start, j)
    reach = None if not bounded else \
        measure + max_squeeze + WINDOW_MARGIN - indent - line_start_width(units[start], indent) + sums[start + 1]
    j = i + 1
    while j < n and (units[j].no_break_before or units[j - 1].no_break_after):  # not can_break_before
        if reach is not None and j - 1 > start + 1 and sums[j - 1] > reach:
            return None
        j += 1
    j = min(j, n)
    natural = _line_natural(units, stats, start, j, indent)
    if natural - measure <= max_squeeze + EPS and has_mark(units, start, j, ANY_MARK):
        return j
    return None


def _plain_line(units: Sequence[Unit], sums: list[float], start: int, n: int, measure: float, indent: float,
                max_stretch: float) -> LineBreak | int | None:
    """`_next_break`'s line from `start` without a squeeze or a stop, for units on the grid
    (`UnitStats.on_grid`: `sums` are their width sums), in the common case: the first unit that
    does not fit may start the next line (or all fit), and the line is not too loose. Otherwise
    `_next_break` decides, given the first unit that does not fit where that was found (an int),
    else None (tests/test_flow_fast_paths.py checks the two agree)."""
    u = units[start]
    mid = line_start_width(u, indent)
    limit = measure + EPS
    base = indent + mid
    if indent + (mid + u.end_width - u.width) > limit:
        return None  # the first unit overflows
    if not (0.0 < base < MAX_GRID_SUM and (base * GRID).is_integer()):
        return None  # the line's width is not on the grid
    end = _grid_overflow(units, sums, start, n, limit, base)
    if end < n and (units[end].no_break_before or units[end - 1].no_break_after):
        return end  # kinsoku: the line must end elsewhere
    if end - start > 1:  # `_line_natural`
        natural = base + units[end - 1].end_width + (sums[end - 1] - sums[start + 1])
    else:
        natural = _natural(units, (), start, end, indent)
    line = _new_line((start, end, indent, measure, natural, False))
    loose = max_stretch + EPS
    # (`too_loose` compares the slack, max(0.0, measure - natural), first: most lines are not loose)
    if end < n and (measure - natural > loose or 0.0 > loose) and too_loose(units, line, max_stretch):
        return end
    return line


def _line(units: Sequence[Unit], start: int, end: int, indent: float, measure: float) -> LineBreak:
    return LineBreak(start, end, indent, measure, line_width(units, start, end, indent))


MeasureFn = Callable[[int], float]


def break_paragraph(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                    options: BreakOptions = BreakOptions(), start: int = 0,
                    first_indent: bool = True,
                    squeezes: dict[int, tuple[float, frozenset[CharClass]]] | None = None,
                    stops: dict[int, int] | None = None) -> list[LineBreak]:
    """Break units[start:] into lines. `measure` is a width or a function of the line number.

    `squeezes` maps a line number to an extra squeeze allowance for that line (house rules);
    `stops` maps a line number to the unit where that line must end at the latest.
    """
    return _Breaker(units, measure, indent, options, first_indent).lines([], start, squeezes or {}, stops or {})


_NO_SQUEEZE = (0.0, ANY_MARK)


class _Breaker:
    """One paragraph's line breaking, with its unit stats and measures looked up once; the
    house rules re-break it from a given line on (the lines above do not change)."""

    __slots__ = ("units", "stats", "options", "measure_of", "indent", "first_indent", "bounded")

    def __init__(self, units: Sequence[Unit], measure: float | MeasureFn, indent: float, options: BreakOptions,
                 first_indent: bool):
        self.units, self.stats, self.options = units, unit_stats(units), options
        #: no negative width or end width (a hyphenation unit's end width is more than its width)
        self.bounded = self.stats.ordered or (min(self.stats.widths, default=0.0) >= 0.0
                                              and min((u.end_width for u in units), default=0.0) >= 0.0)
        self.measure_of = measure if callable(measure) else (lambda _k, m=measure: m)
        self.indent, self.first_indent = indent, first_indent

    def line(self, k: int, pos: int, allow: float = 0.0, classes: frozenset[CharClass] = ANY_MARK,
             stop: int | None = None) -> LineBreak:
        """Line `k` of the paragraph, starting at unit `pos`."""
        ind = self.indent if (k == 0 and self.first_indent) else 0.0
        return _next_break(self.units, self.stats, pos, self.measure_of(k), ind, self.options, allow, classes,
                           stop, self.bounded)

    def lines(self, lines: list[LineBreak], pos: int, squeezes: dict[int, tuple[float, frozenset[CharClass]]],
              stops: dict[int, int], resync: list[LineBreak] | None = None) -> list[LineBreak]:
        """Append to `lines` (the paragraph's first lines, up to unit `pos`) the lines to its end.

        `resync`: the paragraph broken before with the same squeezes and stops from line
        len(lines) on; where a new line would start where one of those starts with the same line
        number, the rest are those lines (a line depends on nothing but its number, its start and
        its squeeze and stop)."""
        units, stats, measure_of, options = self.units, self.stats, self.measure_of, self.options
        n = len(units)
        sums, max_stretch = stats.width_sums, options.max_stretch
        plain = stats.on_grid  # (off the grid, every line takes `_next_break`)
        ruled = bool(squeezes or stops)  # (most paragraphs: no line squeezed nor stopped)
        first_indent = self.indent if self.first_indent else 0.0
        while pos < n:
            k = len(lines)
            if resync is not None and k < len(resync) and resync[k].start == pos:
                lines.extend(resync[k:])
                return lines
            ind = first_indent if k == 0 else 0.0
            measure = measure_of(k)
            line = None
            if plain and not (ruled and (k in squeezes or k in stops)):
                line = _plain_line(units, sums, pos, n, measure, ind, max_stretch)
            if line is None or line.__class__ is int:  # not a plain line (int: where it overflows)
                allow, classes = squeezes.get(k, _NO_SQUEEZE) if squeezes else _NO_SQUEEZE
                line = _next_break(units, stats, pos, measure, ind, options, allow, classes,
                                   stops.get(k) if stops else None, self.bounded, line)
            lines.append(line)
            pos = line.end
        return lines

    def squeezed(self, base: list[LineBreak], k: int,
                 squeezes: dict[int, tuple[float, frozenset[CharClass]]]) -> list[LineBreak]:
        """The paragraph broken with `squeezes`, given `base`: broken with the same squeezes but
        for line `k` (and no stops). Lines above `k` stay; when line `k` ends where it did, all do."""
        if k >= len(base):
            return base
        allow, classes = squeezes[k]
        first = self.line(k, base[k].start, allow, classes)
        if first.end == base[k].end:
            return base
        return self.lines(base[:k] + [first], first.end, squeezes, {}, base)


def is_orphan(units: Sequence[Unit], line: LineBreak) -> bool:
    """A last line that holds exactly one hanzi (a mark beside it does not help)."""
    hanzi = 0
    for k in range(line.start, line.end):
        u = units[k]
        if u.cls is _HAN:
            hanzi += len(u.text)
            if hanzi > 1:
                return False
        elif u.cls not in PUNCT_CLASSES:
            return False
    return hanzi == 1


def ends_clause(units: Sequence[Unit], line: LineBreak) -> bool:
    """Does the line end after a point or closing mark (a pause where a reader may jump)?"""
    return line.end > line.start and units[line.end - 1].cls in _CLAUSE_ENDS


#: units on each side of a break that the segmenter reads to tell whether it falls between words
#: (a window, not the paragraph: a hostile paragraph of a megabyte is segmented in constant time)
WORD_CONTEXT = 24


def between_words(units: Sequence[Unit], end: int) -> bool:
    """Does a break before unit `end` fall between two words (text/phrases.boundaries of the
    `WORD_CONTEXT` units around it)?"""
    if end <= 0 or end >= len(units):
        return True
    offsets = unit_stats(units).offsets
    lo, hi = max(0, end - WORD_CONTEXT), min(len(units), end + WORD_CONTEXT)
    return offsets[end] - offsets[lo] in boundaries("".join(u.text for u in units[lo:hi]))


def jump_ends_well(units: Sequence[Unit], line: LineBreak) -> bool:
    """May a page's segment end with `line` (before its 下转 line): on a clause or between words?"""
    return ends_clause(units, line) or between_words(units, line.end)


def orphan_mark(u: Unit) -> bool:
    """May `u` be squeezed to save an orphan: a quote or bracket, or a point mark set wider than
    its ½-em floor (module docstring)?"""
    return u.cls in ORPHAN_SQUEEZE or (u.cls is _POINT and u.width > POINT_FLOOR + EPS)


def break_paragraph_fitted(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                           options: BreakOptions = BreakOptions(), start: int = 0,
                           first_indent: bool = True, jump_lines: frozenset[int] = frozenset(),
                           squeeze_for_jump: bool = True) -> tuple[list[LineBreak], str | None]:
    """Break a paragraph and apply the house rules (module docstring). Returns (lines, orphan):
    `orphan` is None unless the last line holds one hanzi, else why no rule removed it."""
    breaker = _Breaker(units, measure, indent, options, first_indent)
    first = lines = breaker.lines([], start, {}, {})
    squeezes: dict[int, tuple[float, frozenset[CharClass]]] = {}
    orphan = len(lines) > 1 and is_orphan(units, lines[-1])
    if not orphan and not (squeeze_for_jump and jump_lines):
        return lines, None  # (most paragraphs: no rule has anything to do)
    why_not_up = None
    if options.avoid_orphans and orphan:
        lines, squeezes, why_not_up = _pull_orphan_up(breaker, lines)
    if squeeze_for_jump:
        lines = _fit_jumps(breaker, lines, squeezes, jump_lines)
    if lines is not first:
        orphan = len(lines) > 1 and is_orphan(units, lines[-1])
    if not orphan:
        return lines, None
    if why_not_up is None:
        why_not_up = _("avoid_orphans is off")
    if not options.orphan_pull_down:
        return lines, _("{why}; orphan_pull_down is off").format(why=why_not_up)
    lines, why_not_down = _push_down(breaker, lines, squeezes, jump_lines)
    return lines, None if why_not_down is None else f"{why_not_up}; {why_not_down}"


Squeezes = dict[int, tuple[float, frozenset[CharClass]]]


def _pull_orphan_up(breaker: _Breaker, lines: list[LineBreak]) -> tuple[list[LineBreak], Squeezes, str]:
    """Squeeze an eligible mark on the first earlier line where that pulls the orphan up: the
    lines and squeezes, and (when nothing did) why."""
    units, options = breaker.units, breaker.options
    lo = max(0, len(lines) - 1 - ORPHAN_REACH)
    if options.max_squeeze <= 0:
        return lines, {}, _("max_squeeze is 0")
    first = lines[lo].start
    marks = list(compress(count(first), map(orphan_mark, units[first:])))  # eligible units from `first` on

    def marked(start: int, end: int) -> bool:  # is there one in [start, end) (start >= first)?
        at = bisect_left(marks, start)
        return at < len(marks) and marks[at] < end

    if not marked(first, lines[-1].start):
        return lines, {}, _("no quote or bracket, nor a point wider than ½ em, to squeeze above it")
    # the seed's banjiao has no point above its floor: only brackets may then take the squeeze
    wide_points = any(units[i].cls is _POINT for i in marks) or \
        any(u.cls is _POINT and orphan_mark(u) for u in units[:first])
    classes = ANY_MARK if wide_points else ORPHAN_SQUEEZE
    for k in range(lo, len(lines) - 1):
        line = lines[k]
        if not marked(line.start, min(line.end + SQUEEZE_REACH, len(units))):
            continue  # no eligible mark on the line or in the units a squeeze may pull into it
        trial_sq = {k: (options.max_squeeze, classes)}
        trial = breaker.squeezed(lines, k, trial_sq)
        if trial is lines:
            continue  # squeezing this line pulls nothing up
        squeezed = trial[k]
        if squeezed.natural > squeezed.measure + EPS and not marked(squeezed.start, squeezed.end):
            continue  # only marks at their floor would take the squeeze
        if len(trial) <= len(lines) and not is_orphan(units, trial[-1]):
            return trial, trial_sq, ""
    return lines, {}, _("squeezing the marks above pulls nothing up")


def _fit_jumps(breaker: _Breaker, lines: list[LineBreak], squeezes: Squeezes,
               jump_lines: frozenset[int]) -> list[LineBreak]:
    """End each line of `jump_lines` (it carries a 下转 line and the paragraph goes on) on a
    clause, else between words (module docstring)."""
    units = breaker.units
    unstopped = lines  # broken with `squeezes` and no stops
    for j in sorted(jump_lines):
        if j >= len(lines) - 1 or ends_clause(units, lines[j]):
            continue
        for ends in (ends_clause, jump_ends_well):
            if ends is jump_ends_well and ends(units, lines[j]):
                break
            got = _squeeze_above(breaker, unstopped, squeezes, j, ends)
            if got is not None:
                lines = unstopped = got[0]
                squeezes = got[1]
                break
            shorter = _end_jump_line_earlier(breaker, lines, j, squeezes, ends)
            if shorter is not lines:
                lines = shorter
                break
    return lines


def _squeeze_above(breaker: _Breaker, unstopped: list[LineBreak], squeezes: Squeezes, j: int,
                   ends: Callable[[Sequence[Unit], LineBreak], bool]) -> tuple[list[LineBreak], Squeezes] | None:
    """Squeeze any mark on the nearest of the three lines above jump line `j` (or on `j`
    itself) that makes it end as `ends` asks: the lines and squeezes, or None."""
    options = breaker.options
    if options.max_squeeze <= 0:
        return None
    for k in range(j - 1 if ends is ends_clause else j, max(-1, j - 4), -1):
        if k in squeezes:
            continue
        trial_sq = {**squeezes, k: (options.max_squeeze, ANY_MARK)}
        trial = breaker.squeezed(unstopped, k, trial_sq)
        if j < len(trial) and ends(breaker.units, trial[j]):
            return trial, trial_sq
    return None


#: a jump line may end this many em short of its measure to end on a clause, this many between words
JUMP_CLAUSE_SLACK = 2.0
JUMP_WORD_SLACK = 3.0


def _end_jump_line_earlier(breaker: _Breaker, lines: list[LineBreak], j: int, squeezes: Squeezes,
                           ends: Callable[[Sequence[Unit], LineBreak], bool]) -> list[LineBreak]:
    """End jump line `j` earlier, at its last break where it ends as `ends` asks, if that leaves
    it at most JUMP_CLAUSE_SLACK (JUMP_WORD_SLACK between words) short and not looser than
    `max_stretch`; else `lines`."""
    units, line = breaker.units, lines[j]
    most = JUMP_CLAUSE_SLACK if ends is ends_clause else JUMP_WORD_SLACK
    for e in range(line.end - 1, line.start, -1):
        if not can_break_before(units, e):
            continue
        shorter = _line(units, line.start, e, line.indent, line.measure)
        if shorter.slack > most + EPS or too_loose(units, shorter, breaker.options.max_stretch):
            return lines
        if ends(units, shorter):
            allow, classes = squeezes.get(j, _NO_SQUEEZE)
            first = breaker.line(j, line.start, allow, classes, e)
            return breaker.lines(lines[:j] + [first], first.end, squeezes, {}, lines)
    return lines


#: a line that gives a character to the paragraph's last line may end up this many em short
PULL_DOWN_MAX_SLACK = 3.0
#: the lines above the last that may give it a character (each carries one on to the next)
PULL_REACH = 3


def _push_down(breaker: _Breaker, lines: list[LineBreak], squeezes: Squeezes,
               jump_lines: frozenset[int]) -> tuple[list[LineBreak], str | None]:
    """End one of the `PULL_REACH` lines above the last at an earlier permitted break, so the
    last line gains text: the lines, and None, or (when nothing did) `lines` and why."""
    units, max_stretch = breaker.units, breaker.options.max_stretch
    n = len(lines)
    loosest = None  # the least stretch per gap that a push down would have needed
    for k in range(n - 2, max(-1, n - 2 - PULL_REACH), -1):
        line = lines[k]
        for b in range(line.end - 1, line.start, -1):
            if not can_break_before(units, b):
                continue
            shorter = _line(units, line.start, b, line.indent, line.measure)
            if shorter.slack > PULL_DOWN_MAX_SLACK + EPS:
                break
            trial = breaker.lines(lines[:k], line.start, squeezes, {k: b})
            if len(trial) > n or is_orphan(units, trial[-1]) or \
                    any(jump_ends_well(units, lines[j]) and not jump_ends_well(units, trial[j])
                        for j in jump_lines if j < n - 1 and j < len(trial) - 1):
                continue
            worst = max((stretch_per_gap(units, ln) for ln in trial[k:-1] if too_loose(units, ln, max_stretch)),
                        default=None)
            if worst is None:
                return trial, None
            loosest = worst if loosest is None else min(loosest, worst)
    if loosest is None:
        return lines, _("no line above may end earlier")
    return lines, _("pushing a character down would stretch a line {stretch:.2f} em between units, more than "
                    "max_stretch ({max_stretch:g})").format(stretch=loosest, max_stretch=max_stretch)
