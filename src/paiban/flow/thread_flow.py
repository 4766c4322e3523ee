"""Flow a story's paragraphs through its thread of regions, across pages, with jump lines.

Lines fill a frame top to bottom, frames left to right, regions in thread order. Where the next
region is on another page, the segment's last line ends with the 下转 jump text (its width is
reserved in that line's measure, so a jump line never overflows) and the continuation's first
line starts with the 上接 text (on a line of its own when a paragraph starts there). Text left
when the slots run out is *overset*: counted and located, never dropped silently.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Callable

from paiban.flow.frames import Slot, thread_slots
from paiban.linebreak.greedy import BreakOptions, LineBreak, break_paragraph_fitted
from paiban.model.article import Article, ParagraphKind
from paiban.model.flowed import FlowLine, Overset, StoryFlow
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.spec import Breaker, Layout, StorySpec, TextStyle
from paiban.text.itemize import Unit
from paiban.units import chinese_numeral

Itemizer = Callable[[str, TextStyle], tuple[Unit, ...]]

SENTENCE_END = re.compile(r"[。！？!?…]+[”’」』）]?")


def style_name(story: StorySpec, kind: ParagraphKind) -> str:
    return {ParagraphKind.BODY: story.body_style, ParagraphKind.SUBHEAD: story.subhead_style,
            ParagraphKind.BYLINE: story.byline_style}[kind]


def break_options(style: TextStyle) -> BreakOptions:
    return BreakOptions(style.kinsoku, style.max_squeeze, style.avoid_orphans, style.orphan_pull_down)


def paragraph_breaker(style: TextStyle):
    """The line breaker the style asks for (greedy or total-fit); both take the same arguments."""
    return break_total_fit if style.breaker is Breaker.TOTAL_FIT else break_paragraph_fitted


class _JumpTexts:
    """The jump lines' units per page number, itemized in the paragraph's style."""

    def __init__(self, layout: Layout, itemize: Itemizer):
        self.layout, self.itemize = layout, itemize
        self._cache: dict[tuple[str, int, str], tuple[Unit, ...]] = {}

    def units(self, template: str, page: int, style: TextStyle) -> tuple[Unit, ...]:
        key = (template, page, style.name)
        if key not in self._cache:
            self._cache[key] = self.itemize(template.format(page=chinese_numeral(page)), style)
        return self._cache[key]

    def to_page(self, page: int, style: TextStyle) -> tuple[Unit, ...]:
        return self.units(self.layout.jumps.to_page, page, style)

    def from_page(self, page: int, style: TextStyle) -> tuple[Unit, ...]:
        return self.units(self.layout.jumps.from_page, page, style)


def _width(units: tuple[Unit, ...]) -> float:
    return sum(u.width for u in units)


def flow_story(story: StorySpec, article: Article, layout: Layout, itemize: Itemizer) -> StoryFlow:
    frames, slots = thread_slots(layout, story.thread)
    jump_slots = [i for i, slot in enumerate(slots) if slot.jump_to is not None]
    jumps = _JumpTexts(layout, itemize)
    out: list[FlowLine] = []
    warnings: list[str] = []
    s = 0  # next free slot
    placed = 0
    paragraphs = article.paragraphs
    for pi, para in enumerate(paragraphs):
        style = layout.styles[style_name(story, para.kind)]
        units = itemize(para.text, style)
        if s < len(slots) and slots[s].jump_from is not None:
            out.append(_prefix_line(story, pi, para.kind, style, slots[s], frames, jumps))
            s += 1
        is_last = pi == len(paragraphs) - 1
        lines, orphan = _break_rest(units, style, slots, s, jumps, is_last, jump_slots)
        if orphan:
            warnings.append(f"paragraph {pi + 1} ends on one hanzi (no quote or bracket to squeeze above it)")
        for k, line in enumerate(lines):
            if line.forced:
                warnings.append(f"paragraph {pi + 1}: no permitted break fits a line; broke against the rules")
            if s >= len(slots):
                return StoryFlow(story.name, tuple(out), _overset(article, pi, units, line.start),
                                 placed, tuple(warnings))
            slot = slots[s]
            frame = frames[slot.frame]
            story_goes_on = not (is_last and k == len(lines) - 1)
            prefix = jumps.from_page(slot.jump_from, style) if slot.jump_from is not None else ()
            suffix = jumps.to_page(slot.jump_to, style) if (slot.jump_to is not None and story_goes_on) else ()
            line_units = tuple(units[line.start:line.end])
            placed += sum(len(u.text) for u in line_units)
            out.append(FlowLine(story.name, pi, para.kind, style.name, line_units, line, frame.page,
                                frame.region, frame.column, slot.grid_line, frame.x, frame.width,
                                k == len(lines) - 1, prefix, suffix))
            s += 1
    return StoryFlow(story.name, tuple(out), None, placed, tuple(warnings))


def _break_rest(units: tuple[Unit, ...], style: TextStyle, slots: list[Slot], s: int,
                jumps: _JumpTexts, is_last: bool, jump_slots: list[int]) -> tuple[list[LineBreak], bool]:
    """Break a paragraph into lines for the slots from `s` on, reserving jump-line space."""
    size = style.size

    def measure(reserve_suffix: bool) -> Callable[[int], float]:
        def at(k: int) -> float:
            if not slots:
                return 1e9
            slot = slots[min(s + k, len(slots) - 1)]
            m = slot.measure / size
            if s + k < len(slots):
                if slot.jump_from is not None:
                    m -= _width(jumps.from_page(slot.jump_from, style))
                if slot.jump_to is not None and reserve_suffix:
                    m -= _width(jumps.to_page(slot.jump_to, style))
            return m
        return at

    options = break_options(style)
    first = bisect_left(jump_slots, s)
    last = bisect_left(jump_slots, s + len(units) + 1)
    jump_lines = frozenset(j - s for j in jump_slots[first:last])
    args = dict(indent=style.indent, options=options, squeeze_for_jump=style.squeeze_for_jump)
    breaker = paragraph_breaker(style)
    if is_last and jump_lines:
        lines, orphan = breaker(units, measure(False), **args)
        if len(lines) - 1 <= min(jump_lines):
            return lines, orphan  # the story ends on or before the jump slot: no jump line
    return breaker(units, measure(True), jump_lines=jump_lines, **args)


def _prefix_line(story: StorySpec, pi: int, kind: ParagraphKind, style: TextStyle, slot: Slot,
                 frames, jumps: _JumpTexts) -> FlowLine:
    frame = frames[slot.frame]
    prefix = jumps.from_page(slot.jump_from, style)
    empty = LineBreak(0, 0, 0.0, slot.measure / style.size, 0.0)
    return FlowLine(story.name, pi, kind, style.name, (), empty, frame.page, frame.region,
                    frame.column, slot.grid_line, frame.x, frame.width, False, prefix, ())


def _overset(article: Article, pi: int, units: tuple[Unit, ...], start: int) -> Overset:
    offset = sum(len(u.text) for u in units[:start])
    rest = article.paragraphs[pi].text[offset:]
    chars = len(rest) + sum(len(p.text) for p in article.paragraphs[pi + 1:])
    m = SENTENCE_END.search(rest)
    sentence = rest[: m.end()] if m else rest
    return Overset(chars, pi, offset, sentence[:60])
