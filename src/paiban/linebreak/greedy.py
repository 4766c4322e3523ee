"""Greedy (first-fit) line breaking with kinsoku policies and the seed paper's push-in rules.

Pure functions over `Unit`s (text/itemize.py); no fonts. A line is the half-open unit range
[start, end). Its natural width is the indent, the first unit's line-start width, the middle
units' widths and the last unit's line-end width. A line may be *squeezed* (set narrower than its
natural width) by at most `max_squeeze` em, and only when it holds a mark to take the squeeze;
the renderer later takes that space from the marks' blank as the font's ink allows.

Policies (typography.md §2; InDesign/Founder names in spec.KinsokuPolicy):
* push-out (只推不挤): when a prohibited unit does not fit, carry the last breakable part down;
* push-in (先挤后推): squeeze the line so the prohibited unit fits; push out when it cannot;
* push-out-first (先推后挤): push out when there is an earlier break; squeeze when there is none.

House rules of the seed paper (typography.md §1), applied per paragraph after the first pass:
* orphan: a paragraph must not end on a line holding one hanzi: squeeze quotes/brackets on the
  first earlier line where that pulls text up (`avoid_orphans`);
* jump fit (flow/thread_flow.py): squeeze the line nearest the jump line to end on a clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from paiban.model.spec import KinsokuPolicy
from paiban.text.charclass import CharClass
from paiban.text.itemize import BRACKET_CLASSES, PUNCT_CLASSES, Unit, can_break_before

EPS = 1e-9
#: the classes that may be squeezed to save an orphan (quotes/brackets, typography.md §1 case 1)
ORPHAN_SQUEEZE = BRACKET_CLASSES
#: the classes that may be squeezed for kinsoku push-in or to keep a jump line (any mark)
ANY_MARK = PUNCT_CLASSES


@dataclass(frozen=True, slots=True)
class LineBreak:
    """One line of a paragraph: units [start, end), set in `measure` em after `indent` em."""

    start: int
    end: int
    indent: float
    measure: float
    natural: float  # em, indent included
    #: the line broke against the rules (no permitted break fitted); reported as a warning
    forced: bool = False

    @property
    def squeeze(self) -> float:
        """How many em the line must shrink (0 when it fits at natural widths)."""
        return max(0.0, self.natural - self.measure)

    @property
    def slack(self) -> float:
        return max(0.0, self.measure - self.natural)


@dataclass(frozen=True)
class BreakOptions:
    policy: KinsokuPolicy = KinsokuPolicy.PUSH_OUT
    max_squeeze: float = 0.5
    avoid_orphans: bool = True
    #: when no squeeze saves an orphan, break the line above one unit earlier
    orphan_pull_down: bool = False


def start_width(u: Unit, indent: float) -> float:
    """A unit's width at a line start: its leading blank is trimmed, except after an indent
    (an opening mark that begins an indented paragraph keeps its full width)."""
    return u.width if indent > 0 else u.start_width


def line_width(units: Sequence[Unit], start: int, end: int, indent: float = 0.0) -> float:
    """Natural width in em of units [start, end) as one line."""
    if end <= start:
        return indent
    if end - start == 1:
        u = units[start]
        return indent + start_width(u, indent) + u.end_width - u.width
    total = indent + start_width(units[start], indent) + units[end - 1].end_width
    for k in range(start + 1, end - 1):
        total += units[k].width
    return total


def has_mark(units: Sequence[Unit], start: int, end: int, classes: frozenset[CharClass]) -> bool:
    return any(units[k].cls in classes for k in range(start, end))


def next_break(units: Sequence[Unit], start: int, measure: float, indent: float = 0.0,
               options: BreakOptions = BreakOptions(), allow: float = 0.0,
               allow_classes: frozenset[CharClass] = ANY_MARK, stop: int | None = None) -> LineBreak:
    """The line starting at `start`: first fit at natural widths, then the kinsoku policy.

    `allow` lets this line be squeezed by up to that many em when it holds a mark of
    `allow_classes` (the orphan and jump-fit rules); push-in kinsoku uses `options.max_squeeze`.
    `stop` ends the line at that unit at the latest (a permitted break).
    """
    n = len(units) if stop is None else stop
    room = measure + (allow if allow > 0 else 0.0)
    width = indent  # natural width of units [start, i) with the last one at its mid-line width
    i = start
    last_ok = -1
    while i < n:
        u = units[i]
        mid = start_width(u, indent) if i == start else u.width
        end_w = (mid + u.end_width - u.width) if i == start else u.end_width
        if width + end_w > room + EPS:
            break
        if allow > 0 and width + end_w > measure + EPS and not has_mark(units, start, i + 1, allow_classes):
            break
        width += mid
        i += 1
        if can_break_before(units, i):
            last_ok = i
    if i >= n:
        return _line(units, start, n, indent, measure)
    if last_ok == i:  # the unit that overflows may start the next line
        return _line(units, start, i, indent, measure)
    # kinsoku: units[i] cannot start a line (or units[i-1] cannot end one)
    pushed_in = _push_in_end(units, start, i, indent, measure, options.max_squeeze)
    policy = options.policy
    if policy is KinsokuPolicy.PUSH_IN and pushed_in is not None:
        return _line(units, start, pushed_in, indent, measure)
    if last_ok > start:
        return _line(units, start, last_ok, indent, measure)
    if policy is not KinsokuPolicy.PUSH_OUT and pushed_in is not None:
        return _line(units, start, pushed_in, indent, measure)
    # no permitted break fits: take the next permitted one if squeezing reaches it, else force
    if pushed_in is not None:
        return _line(units, start, pushed_in, indent, measure)
    end = max(i, start + 1)
    return LineBreak(start, end, indent, measure, line_width(units, start, end, indent), forced=True)


def _push_in_end(units: Sequence[Unit], start: int, i: int, indent: float, measure: float,
                 max_squeeze: float) -> int | None:
    """End of the line if the units up to the next permitted break are squeezed in, or None."""
    if max_squeeze <= 0:
        return None
    j = i + 1
    while j < len(units) and not can_break_before(units, j):
        j += 1
    j = min(j, len(units))
    natural = line_width(units, start, j, indent)
    if natural - measure <= max_squeeze + EPS and has_mark(units, start, j, ANY_MARK):
        return j
    return None


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
    measure_of = measure if callable(measure) else (lambda _k, m=measure: m)
    lines: list[LineBreak] = []
    pos = start
    squeezes = squeezes or {}
    stops = stops or {}
    while pos < len(units):
        k = len(lines)
        ind = indent if (k == 0 and first_indent) else 0.0
        allow, classes = squeezes.get(k, (0.0, ANY_MARK))
        line = next_break(units, pos, measure_of(k), ind, options, allow, classes, stops.get(k))
        lines.append(line)
        pos = line.end
    return lines


def is_orphan(units: Sequence[Unit], line: LineBreak) -> bool:
    """A last line that holds exactly one hanzi (a mark beside it does not help)."""
    hanzi = sum(units[k].hanzi for k in range(line.start, line.end))
    others = any(units[k].cls not in PUNCT_CLASSES and units[k].cls is not CharClass.HAN
                 for k in range(line.start, line.end))
    return hanzi == 1 and not others


def ends_clause(units: Sequence[Unit], line: LineBreak) -> bool:
    """Does the line end after a point or closing mark (a pause where a reader may jump)?"""
    return line.end > line.start and units[line.end - 1].cls in (CharClass.POINT, CharClass.CLOSE)


def break_paragraph_fitted(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                           options: BreakOptions = BreakOptions(), start: int = 0,
                           first_indent: bool = True, jump_lines: frozenset[int] = frozenset(),
                           squeeze_for_jump: bool = True) -> tuple[list[LineBreak], bool]:
    """Break a paragraph and apply the house rules. Returns (lines, orphan_left).

    * orphan: squeeze quotes/brackets on the first earlier line where that pulls text up;
    * jump fit: for a line in `jump_lines` (it carries a 下转 jump line and the paragraph goes
      on) that does not end on a clause, squeeze the nearest line above that makes it end on one.
    """
    squeezes: dict[int, tuple[float, frozenset[CharClass]]] = {}
    lines = break_paragraph(units, measure, indent, options, start, first_indent)
    if options.avoid_orphans and len(lines) > 1 and is_orphan(units, lines[-1]):
        for k in range(len(lines) - 1):
            trial_sq = {k: (options.max_squeeze, ORPHAN_SQUEEZE)}
            trial = break_paragraph(units, measure, indent, options, start, first_indent, trial_sq)
            if trial[k].end == lines[k].end:
                continue  # squeezing this line pulls nothing up
            if len(trial) <= len(lines) and not is_orphan(units, trial[-1]):
                lines, squeezes = trial, trial_sq
                break
    if squeeze_for_jump and options.max_squeeze > 0:
        for j in sorted(jump_lines):
            if j >= len(lines) - 1 or ends_clause(units, lines[j]):
                continue
            for k in range(j - 1, max(-1, j - 4), -1):
                if k in squeezes:
                    continue
                trial_sq = {**squeezes, k: (options.max_squeeze, ANY_MARK)}
                trial = break_paragraph(units, measure, indent, options, start, first_indent, trial_sq)
                if j < len(trial) and ends_clause(units, trial[j]):
                    lines, squeezes = trial, trial_sq
                    break
            else:
                lines = _end_jump_line_on_clause(units, lines, j, measure, indent, options, start,
                                                 first_indent, squeezes)
    if options.orphan_pull_down and len(lines) > 1 and is_orphan(units, lines[-1]):
        lines = _pull_down(units, lines, measure)
    orphan = len(lines) > 1 and is_orphan(units, lines[-1])
    return lines, orphan


#: a jump line may end this many em short of its measure to end on a clause
JUMP_CLAUSE_SLACK = 2.0


def _end_jump_line_on_clause(units: Sequence[Unit], lines: list[LineBreak], j: int, measure, indent: float,
                             options: BreakOptions, start: int, first_indent: bool,
                             squeezes: dict[int, tuple[float, frozenset[CharClass]]]) -> list[LineBreak]:
    """End jump line `j` earlier, after its last clause, if that leaves at most JUMP_CLAUSE_SLACK."""
    line = lines[j]
    for e in range(line.end - 1, line.start, -1):
        if units[e - 1].cls in (CharClass.POINT, CharClass.CLOSE) and can_break_before(units, e):
            if line.measure - line_width(units, line.start, e, line.indent) > JUMP_CLAUSE_SLACK + EPS:
                return lines
            return break_paragraph(units, measure, indent, options, start, first_indent, squeezes, {j: e})
    return lines


#: a line that gives a character to the paragraph's last line may end up this many em short
PULL_DOWN_MAX_SLACK = 3.0


def _pull_down(units: Sequence[Unit], lines: list[LineBreak], measure: float | MeasureFn) -> list[LineBreak]:
    """Break the last-but-one line at its previous permitted break, so the last line gains text."""
    measure_of = measure if callable(measure) else (lambda _k, m=measure: m)
    above, last = lines[-2], lines[-1]
    k = len(lines) - 1
    for b in range(above.end - 1, above.start, -1):
        if not can_break_before(units, b):
            continue
        new_above = _line(units, above.start, b, above.indent, above.measure)
        new_last = _line(units, b, last.end, 0.0, measure_of(k))
        if new_last.natural > new_last.measure + EPS or new_above.slack > PULL_DOWN_MAX_SLACK:
            return lines
        if not is_orphan(units, new_last):
            return lines[:-2] + [new_above, new_last]
    return lines


def lines_text(units: Sequence[Unit], lines: Iterable[LineBreak]) -> list[str]:
    return ["".join(units[k].text for k in range(ln.start, ln.end)) for ln in lines]
