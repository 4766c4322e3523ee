"""Total-fit (Knuth–Plass style) line breaking over the same units as the greedy breaker.

Items: every unit is a box, a line's first unit at its line-start width and its last at its
line-end width, as in the greedy breaker (one rule for both: itemize.line_start_width); between
two units where a break is permitted (kinsoku, itemize.can_break_before) lies a breakpoint; the
gap between any two units is glue that stretches by `STRETCH` em (justification spreads slack over
gaps) and a line shrinks by squeezing its marks, at most `BreakOptions.max_squeeze` em (½ em per
mark). A line's badness is 100·|r|³ for its adjustment ratio r, times `SQUEEZE_COST[policy]` for
a squeezed line: push-in squeezes readily, push-out only where it saves an orphan or keeps a jump
line on a clause.
The paragraph minimises the sum of demerits (LINE_PENALTY + badness)² plus penalties:

* `ORPHAN_DEMERITS` when the last line holds one hanzi (the orphan rule as a cost);
* `JUMP_DEMERITS` when a line that carries a jump line (flow) ends inside a word (text/phrases.py
  boundaries), `JUMP_WORD_DEMERITS` when it ends between words but not on a clause;
* `HYPHEN_DEMERITS` for a line that ends at a hyphenation point (`Unit.hyphen`: not a permitted
  break, the last resort before a loose line).

Measures may change from line to line (the flow's slots), so active breakpoints are kept per
(position, line number). Where no feasible set of breaks exists (a unit wider than the measure),
the greedy result is returned. A line is never stretched past `BreakOptions.max_stretch` em per
gap (nor past ratio `MAX_RATIO`).

Linear in time and memory: a breakpoint keeps at most `MAX_PER_POSITION` active nodes (the line
numbers with the fewest demerits) and the paragraph at most `MAX_ACTIVE` (the fewest demerits),
so each breakpoint costs a bounded number of nodes; a paragraph of more than `MAX_UNITS` units
is broken greedily (the flow reports it). On the seed column neither bound is reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from typing import Sequence

from paiban.linebreak.greedy import BreakOptions, MeasureFn, between_words, break_paragraph_fitted, is_orphan
from paiban.model.items import CharClass, LineBreak, Unit
from paiban.model.spec import KinsokuPolicy
from paiban.text.itemize import can_break_before, line_start_width

#: stretch of one inter-unit gap, em (a 15-em line of 14 gaps stretches 2.1 em at ratio 1)
STRETCH = 0.15
#: shrink one mark can give on the grid, em
MARK_SHRINK = 0.5
#: adjustment ratio beyond which a stretched line is not considered (a 15-em line of 14 gaps may
#: then be up to 6.3 em short); where nothing is feasible the greedy result is used
MAX_RATIO = 3.0
ORPHAN_DEMERITS = 1e8  # as TeX adds a penalty p as p², a widow penalty of 10000
JUMP_DEMERITS = 1e7
JUMP_WORD_DEMERITS = 1e6
#: the demerits of a line stretched to ratio 2 (0.3 em per gap), (10 + 100 · 2³)²: a word is
#: hyphenated rather than set that loose
HYPHEN_DEMERITS = 810.0 ** 2
#: factor on the badness of a squeezed line, per kinsoku policy: push-in squeezes readily,
#: push-out-first when stretching would cost more, push-out only to save an orphan or a jump
SQUEEZE_COST = {KinsokuPolicy.PUSH_IN: 0.25, KinsokuPolicy.PUSH_OUT_FIRST: 1.0, KinsokuPolicy.PUSH_OUT: 8.0}
#: TeX's \\linepenalty: every line costs this much, so fewer lines are preferred at equal badness
LINE_PENALTY = 10.0
EPS = 1e-9
#: active nodes kept per breakpoint (different line numbers ending there) and in all: the bound
#: that makes the search linear (a node stays active while a line from it may still fit: from
#: about as many breakpoints as a line holds, 15 in a 15-em column of hanzi)
MAX_PER_POSITION = 2
MAX_ACTIVE = 48
#: paragraphs of more units than this are broken greedily (2.5 times the default paragraph limit,
#: `limits.paragraph_chars`); 30,000 hanzi take about a second
MAX_UNITS = 50_000


@dataclass(slots=True)
class _Node:
    """A feasible break: `line` lines set, the last ending before unit `position`, with the
    demerits of the way there and the break before it; and what the next line needs of it (its
    indent and measure, its first unit's widths, the width and marks before it)."""

    position: int
    line: int
    demerits: float
    previous: "_Node | None"
    indent: float = 0.0
    measure: float = 0.0
    width_before: float = 0.0  # mid-line widths of the units before `position`
    first_width: float = 0.0  # the next line's first unit: its mid-line and its line-start width
    first_start: float = 0.0
    marks_before: int = 0
    jump: bool = False  # the next line carries a jump line


def _measure_fn(measure: float | MeasureFn) -> MeasureFn:
    return measure if callable(measure) else (lambda _k, m=measure: m)


def break_total_fit(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                    options: BreakOptions = BreakOptions(), start: int = 0, first_indent: bool = True,
                    jump_lines: frozenset[int] = frozenset(), squeeze_for_jump: bool = True
                    ) -> tuple[list[LineBreak], str | None]:
    """Break units[start:] minimising total demerits. Returns (lines, orphan) as
    `greedy.break_paragraph_fitted` does (why a one-hanzi last line stayed, or None). A paragraph
    of more than `MAX_UNITS` units is broken greedily (`break_paragraph_fitted`)."""
    n = len(units)
    if start >= n:
        return [], False
    if n - start > MAX_UNITS:
        return break_paragraph_fitted(units, measure, indent, options, start, first_indent,
                                      jump_lines, squeeze_for_jump)
    measure_of = _measure_fn(measure)
    # prefix sums of mid-line widths and of marks
    width = [0.0] * (n + 1)
    marks = [0] * (n + 1)
    joined = [0] * (n + 1)
    for i in range(start, n):
        width[i + 1] = width[i] + units[i].width
        marks[i + 1] = marks[i] + (1 if units[i].is_mark else 0)
        joined[i + 1] = joined[i] + units[i].joined
    squeeze_factor = SQUEEZE_COST[options.policy]
    # every gap stretches in the badness; only the gaps justification stretches count for
    # max_stretch (greedy.open_gaps), and there are no more of those
    max_ratio = min(MAX_RATIO, options.max_stretch / STRETCH)
    max_stretch = options.max_stretch

    def open_gaps(a: int, b: int) -> int:
        """greedy.open_gaps of the line [a, b), from the sums of joined units."""
        lo, hi = a, b - 1
        while lo < hi and units[lo].cls is CharClass.LATIN_SPACE:
            lo += 1
        while hi > lo and units[hi].cls is CharClass.LATIN_SPACE:
            hi -= 1
        return hi - lo - (joined[hi] - joined[lo])
    max_squeeze = options.max_squeeze
    avoid_orphans = options.avoid_orphans

    def natural(a: int, b: int, ind: float) -> float:
        first, last = units[a], units[b - 1]
        w = width[b] - width[a] - first.width + line_start_width(first, ind) - last.width + last.end_width
        return ind + w

    def line_indent(k: int) -> float:
        return indent if (k == 0 and first_indent) else 0.0

    def node(b: int, k: int, demerits: float, previous: _Node | None) -> _Node:
        """The node of a break before unit `b` after `k` lines (its next line is line k)."""
        ind = line_indent(k)
        first = units[b]
        return _Node(b, k, demerits, previous, ind, measure_of(k), width[b], first.width,
                     line_start_width(first, ind), marks[b], squeeze_for_jump and k in jump_lines)

    breakpoints = [b for b in range(start + 1, n + 1)
                   if can_break_before(units, b) or (b < n and units[b - 1].hyphen and not units[b].no_break_before)]
    active: list[_Node] = [node(start, 0, 0.0, None)]
    best_final: _Node | None = None
    for b in breakpoints:
        is_end = b == n
        last = units[b - 1]
        last_width, last_end = last.width, last.end_width
        off_clause = last.cls not in (CharClass.POINT, CharClass.CLOSE)
        # a hyphen's width is only at this break: a line too wide with it may fit at the next
        hyphen = max(0.0, last_end - last_width) if last.hyphen and not is_end else 0.0
        break_demerits = HYPHEN_DEMERITS if last.hyphen and not is_end else 0.0
        width_b, marks_b = width[b], marks[b]
        candidates: dict[int, _Node] = {}
        survivors: list[_Node] = []
        for nd in active:
            # natural(a, b, ind), in its order of operations
            nat = nd.indent + (width_b - nd.width_before - nd.first_width + nd.first_start - last_width + last_end)
            m = nd.measure
            shrink = min(max_squeeze, MARK_SHRINK * (marks_b - nd.marks_before)) if max_squeeze > 0 else 0.0
            if nat > m + shrink + EPS:
                if nat - hyphen > m + shrink + EPS:
                    continue  # too wide now and for every later breakpoint: drop the node
                survivors.append(nd)
                continue
            survivors.append(nd)
            if nat > m + EPS:
                ratio = (nat - m) / shrink
                badness = 100.0 * ratio ** 3 * squeeze_factor
            elif is_end:
                badness = 0.0
            else:
                ratio = (m - nat) / (STRETCH * max(1, b - nd.position - 1))
                if ratio > max_ratio:
                    continue
                if m - nat > max_stretch + EPS and (m - nat) / max(1, open_gaps(nd.position, b)) > max_stretch + EPS:
                    continue
                badness = 100.0 * ratio ** 3
            demerits = nd.demerits + (LINE_PENALTY + badness) ** 2 + break_demerits
            if is_end and avoid_orphans and _one_hanzi(units, nd.position, b):
                demerits += ORPHAN_DEMERITS
            if nd.jump and not is_end and off_clause:
                demerits += JUMP_WORD_DEMERITS if between_words(units, b) else JUMP_DEMERITS
            key = nd.line + 1
            best = candidates.get(key)
            if best is None or demerits < best.demerits:
                candidates[key] = _Node(b, key, demerits, nd)  # completed below if it stays
        active = survivors
        if is_end:
            for nd in candidates.values():
                if best_final is None or nd.demerits < best_final.demerits:
                    best_final = nd
        else:
            new = list(candidates.values())
            if len(new) > MAX_PER_POSITION:
                new = sorted(new, key=_rank)[:MAX_PER_POSITION]
            active.extend(node(b, nd.line, nd.demerits, nd.previous) for nd in new)
            if len(active) > MAX_ACTIVE:  # keep the best, in breakpoint order
                kept = set(map(id, sorted(active, key=_rank)[:MAX_ACTIVE]))
                active = [nd for nd in active if id(nd) in kept]
        if not active and not is_end:
            break  # nothing feasible: fall back below
    if best_final is None:
        return break_paragraph_fitted(units, measure, indent, options, start, first_indent,
                                      jump_lines, squeeze_for_jump)
    chain: list[_Node] = []
    nd: _Node | None = best_final
    while nd is not None and nd.previous is not None:
        chain.append(nd)
        nd = nd.previous
    chain.reverse()
    lines: list[LineBreak] = []
    a = start
    for k, nd in enumerate(chain):
        ind = line_indent(k)
        lines.append(LineBreak(a, nd.position, ind, measure_of(k), natural(a, nd.position, ind)))
        a = nd.position
    if len(lines) > 1 and is_orphan(units, lines[-1]):
        return lines, ("total fit found no breaks that avoid it within max_squeeze and max_stretch"
                       if avoid_orphans else "avoid_orphans is off")
    return lines, None


_rank = attrgetter("demerits", "position", "line")


def _one_hanzi(units: Sequence[Unit], a: int, b: int) -> bool:
    return is_orphan(units, LineBreak(a, b, 0.0, 0.0, 0.0))
