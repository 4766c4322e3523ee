"""Line breaking for display type: headlines, kickers, subtitles, subheads and captions.

Body text may break between any two hanzi; display type may not: a headline that reads
`港区集装箱航 / 线再添新成员` cuts a word in half. Here a line may end only where kinsoku permits
(`itemize.can_break_before`) *and* between two words (`text.phrases.boundaries`, jieba). A break
next to a one-hanzi word (`text.phrases.weak_boundaries`: `六号|线`) is a last resort; a break
inside a word is taken only when no other set of lines fits the measure (a word longer than the
measure, or kinsoku forbidding every break between words within a line's reach), and is counted
and located (`DisplayLines.cuts`) so that the caller can shrink the type or report it
(`breaks_word`: the warning ``display-breaks-word``, naming the text and where it is cut).

Among the breaks allowed, the lines are chosen by dynamic programming over the break points,
in this order of priority (lexicographic cost):

1. the fewest breaks inside a word,
2. the fewest lines,
3. the fewest weak breaks,
4. balance: the least sum of squared slack (every line for balanced type, every line but the
   last for a caption, whose last line may be short).

Manual breaks written by the author (`\\n`, or `|` in front matter: `港区集装箱航线|再添新成员`)
always break, and each part between them is broken as above (`manual_parts`).

Pure: units and measures in em, no fonts; tests/test_display_breaks.py and
tests/test_display_word_cuts.py drive it with fake metrics. The search works a line's width out
from the width sums, as `greedy._line_natural` does (tests/test_flow_fast_paths.py checks it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from math import inf
from typing import Sequence

from paiban.linebreak.greedy import EPS, BreakOptions, MeasureFn, _line_natural, is_orphan, line_width
from paiban.model.build_warning import BuildWarning
from paiban.model.items import LineBreak, Unit
from paiban.text import phrases
from paiban.text.itemize import GRID, MAX_GRID_SUM, UnitStats, can_break_before, line_start_width, unit_stats
from paiban.i18n import _

__all__ = ["DisplayLines", "break_display", "break_display_fitted", "breaks_word", "cut_words", "manual_parts"]

#: an author's line break: a newline or a `|`, with any spaces around it
MANUAL_BREAK = re.compile(r"\s*[\n|]\s*")
#: what a break costs, by kind (priorities 1 and 3 above)
STRONG, WEAK, IN_WORD = 0, 1, 2
#: the weight of a first line's width in the balance: it only decides between equal balances
TIE = 1e-6
#: the warning of display type that can only break inside a word
BREAKS_WORD = "display-breaks-word"
#: characters shown on each side of a cut word in the warning
AROUND = 6


@dataclass(frozen=True)
class DisplayLines:
    """The lines of one part of display type, and how many of its breaks are not between words:
    `in_word` cut a word or a number (the caller shrinks the type or reports it; `cuts`: the
    text around each, `集装箱航|线再添`), `weak` stand next to a one-hanzi word. A line wider than
    the measure is taken only when kinsoku leaves no other (its `natural` width tells)."""

    lines: tuple[LineBreak, ...]
    in_word: int
    weak: int
    cuts: tuple[str, ...] = ()


def manual_parts(text: str) -> list[str]:
    """`text` cut at the author's line breaks (`\\n` or `|`); empty parts are dropped."""
    return [part for part in MANUAL_BREAK.split(text.strip()) if part]


def break_display(units: Sequence[Unit], measure: float | MeasureFn, balance: bool = True,
                  indent: float = 0.0) -> DisplayLines:
    """Break `units` (one part, no manual breaks) into lines of at most `measure` em (a width, or
    a function of the line number), at word boundaries where possible (the module's docstring
    gives the order of priority). `balance`: count the last line's slack too (headlines), else
    let it be short (captions). `indent`: the first line's, in em."""
    n = len(units)
    if n == 0:
        return DisplayLines((), 0, 0)
    # the measure of each line number (there are at most n lines), looked up once
    rooms = [measure(k) for k in range(n + 1)] if callable(measure) else [measure] * (n + 1)
    stats = unit_stats(units)
    sums, ends = stats.width_sums, [u.end_width for u in units]
    starts, exact = _line_starts(units, stats, indent)
    first_wins = _FirstLineWins(units, stats, rooms, indent, starts, exact)
    if first_wins.whole():  # (most subheads: one line, and no break to look the words up for)
        return DisplayLines((LineBreak(0, n, indent, rooms[0], line_width(units, 0, n, indent)),), 0, 0)
    kinds = _break_kinds(units)
    # costs[j]: the cost of the best lines of units[:j] ending with a break at j, and before[j]
    # the break before it; cost: (lines wider than the measure, breaks in a word, lines, weak
    # breaks, badness). A line's measure is that of its number in the best lines before it.
    costs: list[tuple[int, int, int, int, float] | None] = [None] * (n + 1)
    before = [-1] * (n + 1)
    costs[0] = (0, 0, 0, 0, 0.0)
    # (the loop below runs for every pair of breaks: what it can, it looks up once)
    for j in range(1, n + 1):
        first_wins.add(j)
        kind = STRONG if j == n else kinds[j]
        if kind is None:
            continue
        cut, weakened, balanced = kind == IN_WORD, kind == WEAK, balance or j < n
        best, best_i = None, -1
        for i in range(0 if first_wins(j) else j - 1, -1, -1):
            if costs[i] is None:
                continue
            overflow, in_word, lines, weak, badness = costs[i]
            room = rooms[lines]
            if j - i > 1 and exact[i]:  # `_line_natural`, inlined
                width = starts[i] + ends[j - 1] + (sums[j - 1] - sums[i + 1])
            else:
                width = _line_natural(units, stats, i, j, indent if i == 0 else 0.0)
            over = width > room + EPS
            slack = room - width
            slack = slack if slack > 0.0 else 0.0  # max(0.0, slack)
            # a tie (the same balance) goes to the longer first line: 上长下短
            cost = (overflow + over, in_word + cut, lines + 1, weak + weakened,
                    badness + (slack * slack if balanced else 0.0) - (TIE * width if i == 0 else 0.0))
            if best is None or cost < best:
                best, best_i = cost, i
            if over:
                break  # longer lines, from further back, overflow too
        costs[j], before[j] = best, best_i
    breaks: list[LineBreak] = []
    j = n
    while j > 0:
        i = before[j]
        breaks.append((i, j))
        j = i
    breaks.reverse()
    lines = tuple(LineBreak(i, j, indent if k == 0 else 0.0, rooms[k],
                            line_width(units, i, j, indent if k == 0 else 0.0))
                  for k, (i, j) in enumerate(breaks))
    _, in_word, _, weak, _ = costs[n]
    if not in_word:  # (the cost counts the breaks in a word: none to show)
        return DisplayLines(lines, in_word, weak)
    text = "".join(u.text for u in units)
    offsets = list(accumulate((len(u.text) for u in units), initial=0))
    cuts = tuple(_around(text, offsets[j]) for _, j in breaks[:-1] if kinds[j] == IN_WORD)
    return DisplayLines(lines, in_word, weak, cuts)


class _FirstLineWins:
    """Does units[:j] as one line win the search for the lines ending at j, with nothing else
    looked at? Yes when it fits the first line and no line of units [i, j) (0 < i < j) is wider
    than the narrowest later line: then the search meets no line too wide before the one line,
    whose cost is below any other's (no line wider than the measure, no break in a word, one
    line). Told only where every width is exact (`exact`: on the grid), so that the widest of
    those lines comes from the width sums, kept as j grows (`add`)."""

    def __init__(self, units: Sequence[Unit], stats: UnitStats, rooms: list[float], indent: float,
                 starts: list[float], exact: list[bool]):
        self.units, self.stats, self.rooms, self.indent, self.starts = units, stats, rooms, indent, starts
        self.exact = stats.on_grid and all(exact)
        self.least = min(rooms[1:])  # no later line is narrower (there are at most n lines)
        #: the greatest starts[i] - sums[i + 1] for 0 < i < j - 1: a line [i, j) is that and the
        #: width sums up to j - 1 and the end width of unit j - 1 wide
        self.tail_base = -inf

    def add(self, j: int) -> None:
        """Take the lines ending at j into account (j = 1, 2, … in turn)."""
        if j >= 3 and self.exact:
            self.tail_base = max(self.tail_base, self.starts[j - 2] - self.stats.width_sums[j - 1])

    def __call__(self, j: int) -> bool:
        return self._wins(j, self.tail_base)

    def whole(self) -> bool:
        """Does the search end with all the units as one line (as it is told for j = n, every
        shorter line taken into account)? Then it finds nothing else: the breaks need no judging."""
        n, sums, starts = len(self.units), self.stats.width_sums, self.starts
        return self._wins(n, max((starts[i] - sums[i + 1] for i in range(1, n - 1)), default=-inf))

    def _wins(self, j: int, tail_base: float) -> bool:
        if not self.exact:
            return False
        if j == 1:  # one unit: no shorter line
            return _line_natural(self.units, self.stats, 0, 1, self.indent) <= self.rooms[0] + EPS
        sums, end = self.stats.width_sums, self.units[j - 1].end_width
        if self.starts[0] + end + (sums[j - 1] - sums[1]) > self.rooms[0] + EPS:  # as the search adds it
            return False
        widest = max(end + sums[j - 1] + tail_base, _line_natural(self.units, self.stats, j - 1, j, 0.0))
        return widest <= self.least + EPS


def _line_starts(units: Sequence[Unit], stats: UnitStats, indent: float) -> tuple[list[float], list[bool]]:
    """For a line from each unit: its indent (the first line's only) and the unit's line-start
    width, summed as `_line_natural` sums them, and whether that is on the grid (then the line's
    width comes from the width sums, exactly)."""
    starts = [(indent if i == 0 else 0.0) + line_start_width(u, indent if i == 0 else 0.0)
              for i, u in enumerate(units)]
    return starts, [stats.on_grid and 0.0 < b < MAX_GRID_SUM and (b * GRID).is_integer() for b in starts]


def cut_words(lines: Sequence[str]) -> tuple[str, ...]:
    """The ends of `lines` (the lines of one part of display type, in order) that fall inside one
    of the part's words, each as the text around it (`集装箱航|线再添`); () when every line ends
    between words. The judgement of `break_display`, for lines already set (a subhead in the flow)."""
    text = "".join(lines)
    between = phrases.boundaries(text)
    ends = list(accumulate(len(line) for line in lines))[:-1]
    return tuple(_around(text, at) for at in ends if 0 < at < len(text) and at not in between)


def breaks_word(what: str, text: str, cuts: Sequence[str], page: int | None, story: str = "") -> BuildWarning:
    """The warning (``display-breaks-word``) for display type `what` (``story lead: the caption of
    region lead-picture``) whose `text` could only be broken inside a word, at `cuts`."""
    return BuildWarning(BREAKS_WORD, _("{what} {text!r} breaks inside a word ({cuts}): nothing else fits its measure "
                                       "(write a | where it may break)").format(
                                           what=what, text=text, cuts=', '.join(cuts)), page, story)


def _around(text: str, at: int) -> str:
    """`text` around offset `at`, cut there with a `|`: ``…集装箱航|线再添…``."""
    before, after = text[max(0, at - AROUND):at], text[at:at + AROUND]
    return ("…" if at > AROUND else "") + before + "|" + after + ("…" if at + AROUND < len(text) else "")


def break_display_fitted(units: Sequence[Unit], measure: float | MeasureFn, indent: float = 2.0,
                         options: BreakOptions = BreakOptions(), start: int = 0, first_indent: bool = True,
                         jump_lines: frozenset[int] = frozenset(), squeeze_for_jump: bool = True
                         ) -> tuple[list[LineBreak], bool]:
    """`break_display` with the signature of the flow's paragraph breakers
    (`greedy.break_paragraph_fitted`), for display type set in the flow (subheads, whose style
    has `word_breaks`), balanced; returns (lines, orphan_left). A subhead
    never carries a jump line (it stays with the text after it), so `jump_lines`, the squeezes
    and `options` have nothing to do here."""
    lines = list(break_display(units[start:] if start else units, measure,
                               indent=indent if first_indent else 0.0).lines)
    if start:
        lines = [brk._replace(start=brk.start + start, end=brk.end + start) for brk in lines]
    return lines, bool(lines) and len(lines) > 1 and is_orphan(units, lines[-1])


def _break_kinds(units: Sequence[Unit]) -> list[int | None]:
    """For each unit boundary j (a line ending before units[j]): None where kinsoku forbids the
    break, else STRONG, WEAK or IN_WORD by the words around it."""
    text = "".join(u.text for u in units)
    offsets = list(accumulate((len(u.text) for u in units), initial=0))
    strong, weak = phrases.boundaries(text), phrases.weak_boundaries(text)
    kinds: list[int | None] = [None]
    for j in range(1, len(units)):
        if not can_break_before(units, j):
            kinds.append(None)
        elif offsets[j] in weak:
            kinds.append(WEAK)
        elif offsets[j] in strong:
            kinds.append(STRONG)
        else:
            kinds.append(IN_WORD)
    return kinds
