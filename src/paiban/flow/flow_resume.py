"""A story's flow resumed after an edit of its article (`paiban serve`): the trace records.

`flow_story_traced` (flow/thread_flow.py) flows a story paragraph by paragraph and keeps a
`FlowTrace`: the thread's slots, the lines and warnings, and one `Step` per paragraph (the slot
it started in and what it added). Given the previous flow's trace, `resume_span` finds the
paragraph to flow from (the first one edited) and the first one from which the previous flow
may be taken up again; `restore` sets the flow's cursor as the previous flow had it at that
paragraph, `take_up` appends the rest of the previous flow once a later paragraph starts in the
slot it started in before, and `step_since` records what a paragraph just flowed. A paragraph's
lines depend only on its text, its index and the slot it starts in, which is what makes this
exact: tests/test_flow_resume.py checks a resumed flow against one from scratch.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from math import inf
from typing import NamedTuple, Protocol, Sequence

from paiban.model.article import Article, Headline, Paragraph
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine, Overset

__all__ = ["FlowState", "FlowTrace", "Step", "restore", "resume_span", "step_since", "take_up"]


class FlowState(Protocol):
    """What of the flow's cursor (thread_flow's `_Cursor`) a resumed flow reads and sets."""

    s: int  # the next free slot
    placed: int  # characters placed
    out: list[FlowLine]
    warnings: list[BuildWarning]
    fill: dict[str, list[int]]  # region → [lines, characters] of text


class Step(NamedTuple):
    """What one paragraph added to the flow: the slot it started in, its lines (with the jump
    lines and the repeated headline before them), warnings and characters placed, and the lines
    and characters it added to each region's fill. None of it depends on what came before but
    the slot: a flow taken up again at the same slot keeps its steps as they are."""

    s: int
    lines: int
    warnings: int
    placed: int
    fill: tuple[tuple[str, int, int], ...]


@dataclass(frozen=True)
class FlowTrace:
    """A story's flow paragraph by paragraph, with its thread's slots and its lines before
    balancing: what `flow_story_traced` resumes from after an edit of the article."""

    headline: Headline
    paragraphs: tuple[Paragraph, ...]
    thread: tuple  # the story's thread: frames, slots, jump slots, the narrowest measure
    steps: tuple[Step, ...]  # one per paragraph reached
    end: int  # the slot after the last line
    lines: tuple[FlowLine, ...]
    warnings: tuple[BuildWarning, ...]
    overset: Overset | None


def resume_span(previous: FlowTrace | None, article: Article) -> tuple[int, float]:
    """The paragraph to flow from (the first edited, or one before where the last paragraph
    changed: it was flowed as the story's end), and the first paragraph after the last edited
    one, from which the previous flow may be taken up again (inf: never)."""
    if previous is None or previous.headline != article.headline or not previous.steps:
        return 0, inf
    old, new = previous.paragraphs, article.paragraphs
    first = 0
    for a, b in zip(old, new):
        if a != b:
            break
        first += 1
    first = max(0, min(first, len(old) - 1, len(new) - 1, len(previous.steps) - 1))
    if len(old) != len(new):  # paragraph numbers moved: nothing after the edit is the same
        return first, inf
    same_from = len(new)
    while same_from > first + 1 and old[same_from - 1] == new[same_from - 1]:
        same_from -= 1
    return first, same_from


def step_since(cur: FlowState, s: int, lines: int, warnings: int, placed: int, regions: int,
          last: tuple[int, int] | None) -> Step:
    """What the paragraph flowed since the cursor stood at slot `s`, with `lines`, `warnings`
    and `placed` characters, and `regions` in its fill, the last one's fill `last`, added. Lines
    fill the regions in thread order, each region once: only the last region and those after it
    can have changed."""
    added = []
    for k, (r, (n, c)) in enumerate(islice(cur.fill.items(), max(regions - 1, 0), None)):
        if k == 0 and last is not None:
            n, c = n - last[0], c - last[1]
        if n or c:
            added.append((r, n, c))
    return Step(s, len(cur.out) - lines, len(cur.warnings) - warnings, cur.placed - placed, tuple(added))


def _add_fill(cur: FlowState, steps: Sequence[Step]) -> None:
    fill = cur.fill
    for step in steps:
        for r, n, c in step.fill:
            got = fill.get(r)
            if got is None:
                fill[r] = [n, c]
            else:
                got[0] += n
                got[1] += c


def restore(cur: FlowState, previous: FlowTrace, pi: int) -> list[Step]:
    """The cursor as the previous flow had it at the start of paragraph `pi`; the steps to there."""
    steps = previous.steps[:pi]
    cur.s = previous.steps[pi].s
    cur.placed = sum(step.placed for step in steps)
    cur.out = list(previous.lines[:sum(step.lines for step in steps)])
    cur.warnings = list(previous.warnings[:sum(step.warnings for step in steps)])
    _add_fill(cur, steps)
    return list(steps)


def take_up(cur: FlowState, previous: FlowTrace, pi: int) -> tuple[Step, ...]:
    """The previous flow from paragraph `pi` on (which starts at the cursor's slot) appended to
    the cursor's; its steps from there."""
    before, rest = previous.steps[:pi], previous.steps[pi:]
    cur.out += previous.lines[sum(step.lines for step in before):]
    cur.warnings += previous.warnings[sum(step.warnings for step in before):]
    cur.placed += sum(step.placed for step in rest)
    _add_fill(cur, rest)
    cur.s = previous.end
    return rest
