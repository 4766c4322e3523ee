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
* `JUMP_DEMERITS` when a line that carries a jump line (flow) does not end on a clause.

Measures may change from line to line (the flow's slots), so active breakpoints are kept per
(position, line number). Where no feasible set of breaks exists (a unit wider than the measure),
the greedy result is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from paiban.linebreak.greedy import BreakOptions, MeasureFn, break_paragraph_fitted, is_orphan
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
#: factor on the badness of a squeezed line, per kinsoku policy: push-in squeezes readily,
#: push-out-first when stretching would cost more, push-out only to save an orphan or a jump
SQUEEZE_COST = {KinsokuPolicy.PUSH_IN: 0.25, KinsokuPolicy.PUSH_OUT_FIRST: 1.0, KinsokuPolicy.PUSH_OUT: 8.0}
#: TeX's \\linepenalty: every line costs this much, so fewer lines are preferred at equal badness
LINE_PENALTY = 10.0
EPS = 1e-9


@dataclass
class _Node:
    """A feasible break: `line` lines set, the last ending before unit `position`, with the
    demerits of the way there and the break before it."""

    position: int
    line: int
    demerits: float
    previous: "_Node | None"


def _measure_fn(measure: float | MeasureFn) -> MeasureFn:
    return measure if callable(measure) else (lambda _k, m=measure: m)


def break_total_fit(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                    options: BreakOptions = BreakOptions(), start: int = 0, first_indent: bool = True,
                    jump_lines: frozenset[int] = frozenset(), squeeze_for_jump: bool = True
                    ) -> tuple[list[LineBreak], bool]:
    """Break units[start:] minimising total demerits. Returns (lines, orphan_left)."""
    n = len(units)
    if start >= n:
        return [], False
    measure_of = _measure_fn(measure)
    # prefix sums of mid-line widths and of marks
    width = [0.0] * (n + 1)
    marks = [0] * (n + 1)
    for i in range(start, n):
        width[i + 1] = width[i] + units[i].width
        marks[i + 1] = marks[i] + (1 if units[i].is_mark else 0)
    squeeze_factor = SQUEEZE_COST[options.policy]

    def natural(a: int, b: int, ind: float) -> float:
        first, last = units[a], units[b - 1]
        w = width[b] - width[a] - first.width + line_start_width(first, ind) - last.width + last.end_width
        return ind + w

    def line_indent(k: int) -> float:
        return indent if (k == 0 and first_indent) else 0.0

    breakpoints = [b for b in range(start + 1, n + 1) if can_break_before(units, b)]
    active: list[_Node] = [_Node(start, 0, 0.0, None)]
    best_final: _Node | None = None
    for b in breakpoints:
        is_end = b == n
        candidates: dict[int, _Node] = {}
        survivors: list[_Node] = []
        for node in active:
            a, k = node.position, node.line
            ind = line_indent(k)
            m = measure_of(k)
            nat = natural(a, b, ind)
            shrink = min(options.max_squeeze, MARK_SHRINK * (marks[b] - marks[a])) if options.max_squeeze > 0 else 0.0
            if nat > m + shrink + EPS:
                continue  # too wide now and for every later breakpoint: drop the node
            survivors.append(node)
            if nat > m + EPS:
                ratio = (nat - m) / shrink
                badness = 100.0 * ratio ** 3 * squeeze_factor
            elif is_end:
                badness = 0.0
            else:
                stretch = STRETCH * max(1, b - a - 1)
                ratio = (m - nat) / stretch
                if ratio > MAX_RATIO:
                    continue
                badness = 100.0 * ratio ** 3
            demerits = node.demerits + (LINE_PENALTY + badness) ** 2
            if is_end and options.avoid_orphans and _one_hanzi(units, a, b):
                demerits += ORPHAN_DEMERITS
            if squeeze_for_jump and k in jump_lines and not is_end and units[b - 1].cls not in (CharClass.POINT, CharClass.CLOSE):
                demerits += JUMP_DEMERITS
            key = k + 1
            if key not in candidates or demerits < candidates[key].demerits:
                candidates[key] = _Node(b, key, demerits, node)
        active = survivors
        if is_end:
            for node in candidates.values():
                if best_final is None or node.demerits < best_final.demerits:
                    best_final = node
        else:
            active.extend(candidates.values())
        if not active and not is_end:
            break  # nothing feasible: fall back below
    if best_final is None:
        return break_paragraph_fitted(units, measure, indent, options, start, first_indent,
                                      jump_lines, squeeze_for_jump)
    chain: list[_Node] = []
    node: _Node | None = best_final
    while node is not None and node.previous is not None:
        chain.append(node)
        node = node.previous
    chain.reverse()
    lines: list[LineBreak] = []
    a = start
    for k, node in enumerate(chain):
        ind = line_indent(k)
        lines.append(LineBreak(a, node.position, ind, measure_of(k), natural(a, node.position, ind)))
        a = node.position
    orphan = len(lines) > 1 and is_orphan(units, lines[-1])
    return lines, orphan


def _one_hanzi(units: Sequence[Unit], a: int, b: int) -> bool:
    return is_orphan(units, LineBreak(a, b, 0.0, 0.0, 0.0))
