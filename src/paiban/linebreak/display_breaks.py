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
tests/test_display_word_cuts.py drive it with fake metrics.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate
from typing import Sequence

from paiban.linebreak.greedy import EPS, BreakOptions, MeasureFn, is_orphan, line_width
from paiban.model.build_warning import BuildWarning
from paiban.model.items import LineBreak, Unit
from paiban.text import phrases
from paiban.text.itemize import can_break_before
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
    at = measure if callable(measure) else (lambda _: measure)
    kinds = _break_kinds(units)
    # best[j]: (cost, previous break) of the best lines of units[:j] ending with a break at j;
    # cost: (lines wider than the measure, breaks in a word, lines, weak breaks, badness). A
    # line's measure is that of its number in the best lines before it.
    best: list[tuple[tuple[int, int, int, int, float], int] | None] = [None] * (n + 1)
    best[0] = ((0, 0, 0, 0, 0.0), -1)
    for j in range(1, n + 1):
        kind = STRONG if j == n else kinds[j]
        if kind is None:
            continue
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            (overflow, in_word, lines, weak, badness), _ = best[i]
            room = at(lines)
            width = line_width(units, i, j, indent if i == 0 else 0.0)
            over = width > room + EPS
            slack = max(0.0, room - width)
            # a tie (the same balance) goes to the longer first line: 上长下短
            cost = (overflow + over, in_word + (kind == IN_WORD), lines + 1, weak + (kind == WEAK),
                    badness + (slack * slack if balance or j < n else 0.0) - (TIE * width if i == 0 else 0.0))
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, i)
            if over:
                break  # longer lines, from further back, overflow too
    breaks: list[LineBreak] = []
    j = n
    while j > 0:
        _, i = best[j]
        breaks.append((i, j))
        j = i
    breaks.reverse()
    lines = tuple(LineBreak(i, j, indent if k == 0 else 0.0, at(k), line_width(units, i, j, indent if k == 0 else 0.0))
                  for k, (i, j) in enumerate(breaks))
    (_, in_word, _, weak, _), _ = best[n]
    text = "".join(u.text for u in units)
    offsets = list(accumulate((len(u.text) for u in units), initial=0))
    cuts = tuple(_around(text, offsets[j]) for _, j in breaks[:-1] if kinds[j] == IN_WORD)
    return DisplayLines(lines, in_word, weak, cuts)


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
