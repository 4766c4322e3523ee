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
from dataclasses import dataclass, replace
from typing import Callable

from paiban.flow.frames import Frame, Slot, thread_slots
from paiban.linebreak.greedy import BreakOptions, LineBreak, break_paragraph_fitted
from paiban.model.article import Article, ParagraphKind
from paiban.model.flowed import FlowLine, Overset, RegionFill, StoryFlow
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


@dataclass
class _Cursor:
    """Where the flow stands: the next free slot, and what has been placed so far."""

    story: StorySpec
    layout: Layout
    frames: list[Frame]
    slots: list[Slot]
    jumps: _JumpTexts
    s: int = 0
    placed: int = 0

    def __post_init__(self) -> None:
        self.out: list[FlowLine] = []
        self.warnings: list[str] = []
        self.on_slot: Callable[[], None] | None = None  # called before a line takes a slot

    def at_column_foot(self, index: int) -> bool:
        slot = self.slots[index]
        return slot.row == self.frames[slot.frame].lines - 1

    def next_frame_start(self, index: int) -> int:
        slot = self.slots[index]
        return index + self.frames[slot.frame].lines - slot.row

    def place(self, line: FlowLine) -> None:
        if self.on_slot is not None:
            self.on_slot()
        self.out.append(line)
        self.s += 1

    def standalone(self, pi: int, kind: ParagraphKind, style: TextStyle, *, prefix=(), suffix=(),
                   role: str = "jump") -> FlowLine:
        slot = self.slots[self.s]
        frame = self.frames[slot.frame]
        empty = LineBreak(0, 0, 0.0, slot.measure / style.size, 0.0)
        return FlowLine(self.story.name, pi, kind, style.name, (), empty, frame.page, frame.region,
                        frame.column, slot.grid_line, frame.x, frame.width, False, tuple(prefix),
                        tuple(suffix), self.s, role)


def flow_story(story: StorySpec, article: Article, layout: Layout, itemize: Itemizer) -> StoryFlow:
    frames, slots = thread_slots(layout, story.thread, story.repeat_headline)
    jump_slots = [i for i, slot in enumerate(slots) if slot.jump_to is not None]
    cur = _Cursor(story, layout, frames, slots, _JumpTexts(layout, itemize))
    paragraphs = article.paragraphs
    overset = None
    current = {"pi": 0, "kind": ParagraphKind.BODY}
    cur.on_slot = lambda: _repeated_headline(cur, article, current["pi"], current["kind"], itemize)
    narrowest = min((slot.measure for slot in slots), default=0.0)
    for pi, para in enumerate(paragraphs):
        current.update(pi=pi, kind=para.kind)
        style = layout.styles[style_name(story, para.kind)]
        units = split_overlong(itemize(para.text, style), narrowest / style.size - style.indent,
                               lambda text: itemize(text, style))
        is_last = pi == len(paragraphs) - 1
        lines, orphan = _start_paragraph(cur, article, pi, style, units, is_last, jump_slots, itemize)
        if orphan:
            cur.warnings.append(f"paragraph {pi + 1} ends on one hanzi (no quote or bracket to squeeze above it)")
        offset = sum(len(u.text) for u in units[:lines[0].start]) if lines else 0
        for k, line in enumerate(lines):
            if line.forced:
                cur.warnings.append(f"paragraph {pi + 1}: no permitted break fits a line; broke against the rules")
            if cur.s >= len(slots):
                overset = _overset(article, pi, units, line.start)
                break
            slot = slots[cur.s]
            frame = frames[slot.frame]
            story_goes_on = not (is_last and k == len(lines) - 1)
            prefix = cur.jumps.from_page(slot.jump_from, style) if slot.jump_from is not None else ()
            suffix = cur.jumps.to_page(slot.jump_to, style) if (slot.jump_to is not None and story_goes_on) else ()
            line_units = tuple(units[line.start:line.end])
            cur.placed += sum(len(u.text) for u in line_units)
            cur.place(FlowLine(story.name, pi, para.kind, style.name, line_units, line, frame.page,
                               frame.region, frame.column, slot.grid_line, frame.x, frame.width,
                               k == len(lines) - 1, prefix, suffix, cur.s, char_offset=offset))
            offset += sum(len(u.text) for u in line_units)
        if overset is not None:
            break
    out = cur.out
    if overset is None and story.balance:
        out = balance_final_segment(out, frames, slots)
    return StoryFlow(story.name, tuple(out), overset, cur.placed, tuple(cur.warnings),
                     *_fill_report(out, frames, slots, layout))


def _start_paragraph(cur: _Cursor, article: Article, pi: int, style: TextStyle, units: tuple[Unit, ...],
                     is_last: bool, jump_slots: list[int], itemize: Itemizer) -> tuple[list[LineBreak], bool]:
    """Put out what precedes a paragraph (续题, 上接 line), apply the keep rules, break its lines."""
    para = article.paragraphs[pi]
    for _ in range(3):  # a keep rule may move the paragraph to the next column, at most a few times
        _continuation_lines(cur, article, pi, para.kind, style, itemize)
        lines, orphan = _break_rest(units, style, cur.slots, cur.s, cur.jumps, is_last, jump_slots)
        skip_to = _keep_rule_skip(cur, para.kind, lines, is_last)
        if skip_to is None:
            return lines, orphan
        _skip(cur, pi, para.kind, style, skip_to)
    return lines, orphan


def _continuation_lines(cur: _Cursor, article: Article, pi: int, kind: ParagraphKind, style: TextStyle,
                        itemize: Itemizer) -> None:
    """At a continuation slot where a paragraph starts, the 上接 line stands alone."""
    slots = cur.slots
    if cur.s >= len(slots) or slots[cur.s].jump_from is None:
        return
    cur.place(cur.standalone(pi, kind, style, prefix=cur.jumps.from_page(slots[cur.s].jump_from, style),
                             role="jump"))


def _repeated_headline(cur: _Cursor, article: Article, pi: int, kind: ParagraphKind, itemize: Itemizer) -> None:
    """The story's headline again (续题), on the grid line kept above a continuation slot."""
    slot = cur.slots[cur.s]
    if slot.headline_line is None or not article.headline.main:
        return
    style = cur.layout.styles.get(cur.story.continued_style) or cur.layout.styles[cur.story.subhead_style]
    frame = cur.frames[slot.frame]
    text = article.headline.main.replace("\n", "\u3000")
    empty = LineBreak(0, 0, 0.0, slot.measure / style.size, 0.0)
    cur.out.append(FlowLine(cur.story.name, pi, kind, style.name, itemize(text, style), empty, frame.page,
                            frame.region, frame.column, slot.headline_line, frame.x, frame.width, False,
                            slot=-1, role="continued"))


def _keep_rule_skip(cur: _Cursor, kind: ParagraphKind, lines: list[LineBreak], is_last: bool) -> int | None:
    """The slot to move a paragraph to when it breaks a keep rule, or None."""
    s, slots = cur.s, cur.slots
    if not lines or s >= len(slots):
        return None
    frame_lines = cur.frames[slots[s].frame].lines
    if kind is ParagraphKind.SUBHEAD and cur.story.keep_subhead_with_next and not is_last:
        # the subhead and the first line after it stay in one column: no column foot among
        # the subhead's lines (a subhead is never split, nor the last line of a column)
        feet = [i for i in range(s, min(s + len(lines), len(slots))) if cur.at_column_foot(i)]
        if feet and len(lines) < frame_lines:
            target = cur.next_frame_start(feet[0])
            return target if target < len(slots) else None
    if kind is ParagraphKind.BODY and cur.story.no_lone_first_line and len(lines) > 1:
        if cur.at_column_foot(s) and frame_lines > 1:
            target = cur.next_frame_start(s)
            return target if target < len(slots) else None
    return None


def _skip(cur: _Cursor, pi: int, kind: ParagraphKind, style: TextStyle, target: int) -> None:
    """Leave slots empty up to `target`; a skipped jump slot still carries its 下转 line."""
    while cur.s < target:
        slot = cur.slots[cur.s]
        if slot.jump_to is not None:
            cur.place(cur.standalone(pi, kind, style, suffix=cur.jumps.to_page(slot.jump_to, style)))
        else:
            cur.s += 1


def balance_final_segment(lines: list[FlowLine], frames: list[Frame], slots: list[Slot]) -> list[FlowLine]:
    """Equalise the lines per column in the region where the story ends (clreq: the shortfall
    goes to the foot of the last column). Lines keep their breaks: all columns of a region share
    one measure. A repeated headline above the region stays where it is."""
    if not lines:
        return lines
    region, page = lines[-1].region, lines[-1].page
    first = next(i for i, ln in enumerate(lines) if ln.region == region and ln.page == page and ln.slot >= 0)
    fixed = [ln for ln in lines[first:] if ln.slot < 0]
    segment = [ln for ln in lines[first:] if ln.slot >= 0]
    region_frames = [i for i, f in enumerate(frames) if f.region == region]
    column_slots = [[i for i, sl in enumerate(slots) if sl.frame == f] for f in region_frames]
    columns = len(region_frames)
    capacity = sum(map(len, column_slots))
    if columns < 2 or len(segment) >= capacity or any(ln.region != region for ln in segment):
        return lines
    if len({frames[f].column for f in region_frames}) != columns:
        return lines  # a picture cuts a column in two: keep the columns filled in reading order
    height = -(-len(segment) // columns)
    while True:
        chunks = [segment[sum(min(height, len(cs)) for cs in column_slots[:c]):][:min(height, len(column_slots[c]))]
                  for c in range(columns)]
        fits = sum(map(len, chunks)) == len(segment)
        # a subhead must not end a column that is followed by more text
        kept = all(not (chunk and chunk[-1].kind is ParagraphKind.SUBHEAD and any(chunks[c + 1:]))
                   for c, chunk in enumerate(chunks))
        if fits and kept:
            break
        height += 1
        if height > max(map(len, column_slots)):
            return lines
    moved: list[FlowLine] = []
    for c, chunk in enumerate(chunks):
        frame = frames[region_frames[c]]
        for row, ln in enumerate(chunk):
            index = column_slots[c][row]
            moved.append(replace(ln, column=frame.column, grid_line=slots[index].grid_line, x=frame.x,
                                 slot=index))
    return lines[:first] + fixed + moved


def _fill_report(lines: list[FlowLine], frames: list[Frame], slots: list[Slot],
                 layout: Layout) -> tuple[tuple[RegionFill, ...], int, int]:
    used = {ln.slot for ln in lines}
    fills: list[RegionFill] = []
    for name in dict.fromkeys(f.region for f in frames):
        region = layout.regions[name]
        mine = [ln for ln in lines if ln.region == name and ln.units]
        capacity = sum(f.lines for f in frames if f.region == name)
        fills.append(RegionFill(name, region.page, len(mine), sum(len(ln.text) for ln in mine), capacity))
    last = max(used) if used else -1
    free = [i for i in range(last + 1, len(slots))]
    # in the final region, balancing leaves the free slots at the foot of several columns
    if lines:
        region = lines[-1].region
        free = [i for i, sl in enumerate(slots) if i not in used and (i > last or frames[sl.frame].region == region)]
    chars = int(sum(slots[i].measure / layout.grid.body_size for i in free))
    return tuple(fills), len(free), chars


def split_overlong(units: tuple[Unit, ...], limit: float, itemize_text: Callable[[str], tuple[Unit, ...]]
                   ) -> tuple[Unit, ...]:
    """A number or Latin word wider than the narrowest line is cut into its characters (an
    emergency break, as a professional system does with a long URL) instead of running over."""
    if limit <= 0 or all(u.width <= limit or len(u.text) < 2 for u in units):
        return units
    out: list[Unit] = []
    for u in units:
        if u.width > limit and len(u.text) > 1:
            out.extend(piece for ch in u.text for piece in itemize_text(ch))
        else:
            out.append(u)
    return tuple(out)


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


def jump_problems(flow: StoryFlow, layout: Layout) -> list[str]:
    """Check every jump line against where the text really goes: a 下转 line must name the page of
    the story's next line, a 上接 line the page of its previous one. Page numbers come from the
    thread before layout and the jump text's width is reserved in its line, so one pass settles;
    this check proves it for every build (a failure is a bug, not an input error)."""
    problems = []
    text_lines = [ln for ln in flow.lines if ln.role != "continued"]
    for i, ln in enumerate(text_lines):
        if ln.suffix:
            target = next((x.page for x in text_lines[i + 1:] if x.page != ln.page), None)
            wanted = layout.jumps.to_page.format(page=chinese_numeral(target)) if target else None
            if "".join(u.text for u in ln.suffix) != wanted:
                problems.append(f"story {flow.story}: jump line on page {ln.page} does not name page {target}")
        if ln.prefix:
            source = next((x.page for x in reversed(text_lines[:i]) if x.page != ln.page), None)
            wanted = layout.jumps.from_page.format(page=chinese_numeral(source)) if source else None
            if "".join(u.text for u in ln.prefix) != wanted:
                problems.append(f"story {flow.story}: continuation on page {ln.page} does not name page {source}")
    return problems


def _overset(article: Article, pi: int, units: tuple[Unit, ...], start: int) -> Overset:
    offset = sum(len(u.text) for u in units[:start])
    rest = article.paragraphs[pi].text[offset:]
    chars = len(rest) + sum(len(p.text) for p in article.paragraphs[pi + 1:])
    m = SENTENCE_END.search(rest)
    sentence = rest[: m.end()] if m else rest
    return Overset(chars, pi, offset, sentence[:60])
