"""Flow a story's paragraphs through its thread of regions, across pages, with jump lines.

Lines fill a frame top to bottom, frames left to right, regions in thread order. Where the next
region is on another page, the segment's last line ends with the 下转 jump text (its width is
reserved in that line's measure, so a jump line never overflows) and the continuation's first
line starts with the 上接 text (on a line of its own when a paragraph starts there). Text left
when the slots run out is *overset*: counted and located, never dropped silently.

What the breakers could not do well is reported with the paragraph and the character where it
is: a line broken against the rules (forced-break), a justified line looser than its style's
`max_stretch` (loose-line), a number or word wider than the line cut into characters
(overlong-unit), a paragraph too long for total fit broken greedily (total-fit-too-long), a
paragraph ending on one hanzi with the rule that could not remove it (orphan: 单字成行), a page's
segment that ends inside a word before its 下转 line (jump-mid-word, with the text around it).
Every step is linear in a paragraph's length.

After an edit (`paiban serve`), a flow resumes from the last one's trace (`flow_story_traced`;
the trace records and the resuming steps are flow/flow_resume.py's): the paragraphs before the
first one edited keep their lines, and where a later paragraph starts in the same slot as
before, the rest of the last flow is taken as it was.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from itertools import islice
from math import inf
from operator import attrgetter
from typing import Callable, Sequence

from paiban.flow.flow_resume import FlowTrace, restore, resume_span, step_since, take_up
from paiban.flow.frames import Frame, Slot, thread_slots
from paiban.linebreak.display_breaks import break_display_fitted
from paiban.linebreak.greedy import (EPS, BreakOptions, break_paragraph_fitted, jump_ends_well, stretch_per_gap,
                                     too_loose)
from paiban.model.article import Article, ParagraphKind
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine, Overset, RegionFill, StoryFlow
from paiban.model.items import LineBreak, Unit
from paiban.linebreak import total_fit
from paiban.model.spec import Align, Breaker, Layout, StorySpec, TextStyle
from paiban.text.itemize import unit_stats
from paiban.units import page_numeral
from paiban.i18n import _

Itemizer = Callable[[str, TextStyle], tuple[Unit, ...]]

SENTENCE_END = re.compile(r"[。！？!?…]+[”’」』）]?")
_text_of = attrgetter("text")
_frame_of = attrgetter("frame")
_measure_of = attrgetter("measure")
_slot_of = attrgetter("slot")
# members looked up once (an enum's attribute costs twenty times a global's; these run per paragraph)
_BODY, _SUBHEAD, _TOTAL_FIT = ParagraphKind.BODY, ParagraphKind.SUBHEAD, Breaker.TOTAL_FIT


def style_name(story: StorySpec, kind: ParagraphKind) -> str:
    return {ParagraphKind.BODY: story.body_style, ParagraphKind.SUBHEAD: story.subhead_style,
            ParagraphKind.BYLINE: story.byline_style}[kind]


def break_options(style: TextStyle) -> BreakOptions:
    """The style's breaking options; only justified lines are stretched, so only they have a
    looseness limit."""
    max_stretch = style.max_stretch if style.align is Align.JUSTIFY else inf
    return BreakOptions(style.kinsoku, style.max_squeeze, style.avoid_orphans, style.orphan_pull_down, max_stretch)


def paragraph_breaker(style: TextStyle, units: tuple[Unit, ...]):
    """The line breaker the style asks for (greedy or total-fit); both take the same arguments.
    A paragraph of more than total_fit.MAX_UNITS units is broken greedily (the flow says so).
    Display type (`word_breaks`: subheads) breaks between words only (linebreak/display_breaks.py)."""
    if style.word_breaks:
        return break_display_fitted
    if style.breaker is _TOTAL_FIT and len(units) <= total_fit.MAX_UNITS:
        return total_fit.break_total_fit
    return break_paragraph_fitted


class _JumpTexts:
    """The jump lines' units per page number, itemized in the paragraph's style."""

    def __init__(self, layout: Layout, itemize: Itemizer):
        self.layout, self.itemize = layout, itemize
        self._cache: dict[tuple[str, int, str], tuple[Unit, ...]] = {}

    def units(self, template: str, page: int, style: TextStyle) -> tuple[Unit, ...]:
        key = (template, page, style.name)
        if key not in self._cache:
            self._cache[key] = self.itemize(template.format(page=page_numeral(page, self.layout.edition.page_numerals)), style)
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
        self.warnings: list[BuildWarning] = []
        #: [lines, characters] of the story's lines that hold text, per region (the fill report)
        self.fill: dict[str, list[int]] = {}
        self._options: dict[str, BreakOptions] = {}
        self._measures: dict[tuple[str, bool], tuple[list[float], float]] = {}
        self._sized: dict[float, list[float]] = {}  # the slots' measures in em of a size
        self._jump_marked: list[int] | None = None
        #: called before a line takes a slot that keeps a grid line above it for the repeated headline
        self.on_headline_slot: Callable[[], None] | None = None

    def at_column_foot(self, index: int) -> bool:
        slot = self.slots[index]
        return slot.row == self.frames[slot.frame].lines - 1

    def next_frame_start(self, index: int) -> int:
        slot = self.slots[index]
        return index + self.frames[slot.frame].lines - slot.row

    def break_options(self, style: TextStyle) -> BreakOptions:
        options = self._options.get(style.name)
        if options is None:
            options = self._options[style.name] = break_options(style)
        return options

    def measures(self, style: TextStyle, reserve_suffix: bool) -> tuple[list[float], float]:
        """Each slot's measure in em of `style`, less the 上接 text and (`reserve_suffix`) the 下转
        text it carries; and the measure past the last slot (its measure, no jump texts)."""
        key = (style.name, reserve_suffix)
        known = self._measures.get(key)
        if known is None:
            if self._jump_marked is None:
                self._jump_marked = [i for i, slot in enumerate(self.slots)
                                     if slot.jump_from is not None or slot.jump_to is not None]
            sized = self._sized.get(style.size)
            if sized is None:
                sized = self._sized[style.size] = [slot.measure / style.size for slot in self.slots]
            known = self._measures[key] = _slot_measures(self.slots, self._jump_marked, style, self.jumps,
                                                         reserve_suffix, sized)
        return known

    def page_of_slot(self, index: int) -> int | None:
        """The page of slot `index`; None past the thread's last slot (the line is overset)."""
        return self.frames[self.slots[index].frame].page if 0 <= index < len(self.slots) else None

    def warn(self, kind: str, pi: int, what: str, at_slot: int) -> None:
        """A warning about paragraph `pi` (0-based) of the story, on the page of slot `at_slot`."""
        name = self.story.name
        self.warnings.append(BuildWarning(kind, _("story {name}: paragraph {paragraph}{what}").format(
            name=name, paragraph=pi + 1, what=what),
                                          self.page_of_slot(at_slot), name))

    def place(self, line: FlowLine, characters: int = 0) -> None:
        """Put `line` (holding `characters` of text) in the next slot."""
        if self.slots[self.s].headline_line is not None and self.on_headline_slot is not None:
            self.on_headline_slot()
        self.add(line, characters)
        self.s += 1

    def add(self, line: FlowLine, characters: int) -> None:
        self.out.append(line)
        if line.units:
            fill = self.fill.get(line.region)
            if fill is None:
                fill = self.fill[line.region] = [0, 0]
            fill[0] += 1
            fill[1] += characters

    def standalone(self, pi: int, kind: ParagraphKind, style: TextStyle, *, prefix=(), suffix=()) -> FlowLine:
        """An empty jump line in the next slot, carrying the 上接 `prefix` or the 下转 `suffix`."""
        slot = self.slots[self.s]
        frame = self.frames[slot.frame]
        empty = LineBreak(0, 0, 0.0, slot.measure / style.size, 0.0)
        return FlowLine(self.story.name, pi, kind, style.name, (), empty, frame.page, frame.region,
                        frame.column, slot.grid_line, frame.x, frame.width, False, tuple(prefix),
                        tuple(suffix), self.s, "jump")


def _slot_measures(slots: list[Slot], jump_marked: list[int], style: TextStyle, jumps: _JumpTexts,
                   reserve_suffix: bool, sized: list[float] | None = None) -> tuple[list[float], float]:
    """`_Cursor.measures`, worked out once (a paragraph's lines look theirs up); `jump_marked`:
    the slots that carry a jump text; `sized`: the slots' measures in em of the style's size, when
    known (the styles of a story's paragraphs share a size, mostly)."""
    size = style.size
    measures = [slot.measure / size for slot in slots] if sized is None else list(sized)
    for i in jump_marked:
        slot = slots[i]
        m = measures[i]
        if slot.jump_from is not None:
            m -= _width(jumps.from_page(slot.jump_from, style))
        if slot.jump_to is not None and reserve_suffix:
            m -= _width(jumps.to_page(slot.jump_to, style))
        measures[i] = m
    return measures, slots[-1].measure / size if slots else 1e9


def flow_story(story: StorySpec, article: Article, layout: Layout, itemize: Itemizer) -> StoryFlow:
    return flow_story_traced(story, article, layout, itemize, traced=False)[0]


def flow_story_traced(story: StorySpec, article: Article, layout: Layout, itemize: Itemizer,
                      previous: FlowTrace | None = None, traced: bool = True) -> tuple[StoryFlow, FlowTrace | None]:
    """`flow_story`, and its trace; given the `previous` flow's trace of the same story (same spec,
    layout and itemizer), only what an edit of the article changed is flowed again: the
    paragraphs before the first one edited keep their lines, and once a paragraph after the last
    one edited starts in the slot it started in before, the rest is the previous flow's (a
    paragraph's lines depend only on its text, its index and the slot it starts in). Not
    `traced`: no trace (None), and nothing spent on one."""
    if previous is not None:
        frames, slots, jump_slots, narrowest = previous.thread
    else:
        frames, slots = thread_slots(layout, story.thread, story.repeat_headline)
        jump_slots = [i for i, slot in enumerate(slots) if slot.jump_to is not None]
        narrowest = min(map(_measure_of, slots), default=0.0)
    cur = _Cursor(story, layout, frames, slots, _JumpTexts(layout, itemize))
    paragraphs = article.paragraphs
    overset = None
    current = {"pi": 0, "kind": ParagraphKind.BODY}
    cur.on_headline_slot = lambda: _repeated_headline(cur, article, current["pi"], current["kind"], itemize)
    styles: dict[ParagraphKind, TextStyle] = {}
    first, same_from = resume_span(previous, article)
    steps = restore(cur, previous, first) if first else []
    for pi in range(first, len(paragraphs)):
        if pi >= same_from and pi < len(previous.steps) and previous.steps[pi].s == cur.s:
            steps += take_up(cur, previous, pi)
            overset = previous.overset
            break
        para = paragraphs[pi]
        if traced:
            start = (cur.s, len(cur.out), len(cur.warnings), cur.placed, len(cur.fill),
                     tuple(next(reversed(cur.fill.values()))) if cur.fill else None)
        current["pi"], current["kind"] = pi, para.kind
        style = styles.get(para.kind)
        if style is None:
            style = styles[para.kind] = layout.styles[style_name(story, para.kind)]
        units = itemize(para.text, style)
        limit = narrowest / style.size - style.indent
        notes: list[tuple[int, str, str]] = []
        # (most paragraphs have no unit to cut and nothing to say before their lines)
        if (limit > 0 and unit_stats(units).widest > limit) or style.breaker is _TOTAL_FIT:
            whole = units
            units = split_overlong(whole, limit, lambda text: itemize(text, style))
            notes = _paragraph_notes(whole, units, limit, style)
        is_last = pi == len(paragraphs) - 1
        lines, orphan = _start_paragraph(cur, article, pi, style, units, is_last, jump_slots)
        if orphan:  # on the paragraph's last line, whose slot is the line count on from here
            # the breakers say why no rule removed it; display type (subheads) only that it is left
            why = orphan if isinstance(orphan, str) else _("its lines break only between words")
            cur.warn("orphan", pi, _(" ends on one hanzi ({why})").format(why=why), cur.s + len(lines) - 1)
        overset = _place_lines(cur, article, pi, style, units, lines, is_last, notes)
        if traced:
            steps.append(step_since(cur, *start))
        if overset is not None:
            break
    trace = FlowTrace(article.headline, paragraphs, (frames, slots, jump_slots, narrowest), tuple(steps), cur.s,
                      tuple(cur.out), tuple(cur.warnings), overset) if traced else None
    cur.on_headline_slot = None  # the closure holds `cur`: a cycle of every slot and line, left to the cyclic GC
    out = cur.out
    if overset is None and story.balance:
        out = balance_final_segment(out, frames, slots)
    return (StoryFlow(story.name, tuple(out), overset, cur.placed, tuple(cur.warnings),
                      *_fill_report(out, frames, slots, layout, cur.fill)), trace)


def _paragraph_notes(whole: tuple[Unit, ...], units: tuple[Unit, ...], limit: float,
                     style: TextStyle) -> list[tuple[int, str, str]]:
    """What to report about a paragraph before its lines are broken, as (character offset,
    kind, message), in offset order: the units `split_overlong` cut, total fit not taken."""
    notes = [(offset, "overlong-unit", _(" at character {offset}: {text} is wider than the narrowest line ({limit:g} "
                                         "em); cut between its characters").format(offset=offset + 1, text=_excerpt(text),
                                                                                   limit=limit))
             for offset, text in (overlong_units(whole, limit) if units is not whole else ())]
    if style.breaker is Breaker.TOTAL_FIT and len(units) > total_fit.MAX_UNITS:
        notes.insert(0, (0, "total-fit-too-long", _(" has {count:,} units, more than total fit takes ({limit:,}); "
                                                    "broken first-fit (greedy)").format(count=len(units),
                                                                                        limit=total_fit.MAX_UNITS)))
    return notes


def _place_lines(cur: _Cursor, article: Article, pi: int, style: TextStyle, units: tuple[Unit, ...],
                 lines: list[LineBreak], is_last: bool, notes: Sequence[tuple[int, str, str]] = ()) -> Overset | None:
    """Put a paragraph's lines in the next slots, with the jump texts of jump and continuation
    slots; the overset when the slots run out first. Each of `notes` is reported on the page of
    the line that holds its character (no page when that line is overset)."""
    slots, frames, jumps, out, fill = cur.slots, cur.frames, cur.jumps, cur.out, cur.fill
    story_name, kind, style_name_ = cur.story.name, article.paragraphs[pi].kind, style.name
    units = units if type(units) is tuple else tuple(units)  # so that its slices are the lines' tuples
    chars = unit_stats(units).offsets
    offset = chars[lines[0].start] if lines else 0
    last = len(lines) - 1
    max_stretch = cur.break_options(style).max_stretch
    loose = max_stretch + EPS  # as `too_loose` compares
    next_note, n_notes, n_slots = 0, len(notes), len(slots)
    s, placed = cur.s, 0  # (kept here, and put in the cursor when a callback or the caller reads it)
    fi, region_fill = -1, None  # the frame of the line before, and its region's fill once counted
    for k, line in enumerate(lines):
        # (one unpacking each: a named tuple's fields are slow to look up one by one)
        start, end, _indent, measure, natural, forced = line
        line_chars = chars[end] - chars[start]
        while next_note < n_notes and (notes[next_note][0] < offset + line_chars or k == last):
            _offset, note_kind, message = notes[next_note]
            cur.warn(note_kind, pi, message, s)
            next_note += 1
        # (the slack first, as `too_loose` compares it: few lines are loose)
        if forced or (k < last and (measure - natural > loose or loose < 0.0)):
            _report_line(cur, pi, units, line, offset, max_stretch, s)
        if s >= n_slots:
            for _offset, note_kind, message in notes[next_note:]:
                cur.warn(note_kind, pi, message, s)
            cur.s, cur.placed = s, cur.placed + placed
            return _overset(article, pi, units, start)
        frame_index, _row, grid_line, _measure, jump_to, jump_from, headline_line = slots[s]
        if frame_index != fi:
            fi, region_fill = frame_index, None
            frame = frames[fi]
            page, region, column, x, width = frame.page, frame.region, frame.column, frame.x, frame.width
        prefix = suffix = ()
        if jump_from is not None:
            prefix = jumps.from_page(jump_from, style)
        if jump_to is not None and not (is_last and k == last):  # the story goes on
            suffix = jumps.to_page(jump_to, style)
            if k < last and not jump_ends_well(units, line):
                cur.warn("jump-mid-word", pi, _(" at character {offset}: the segment on page {page} ends inside a "
                                                "word, {around}").format(
                    offset=offset + line_chars, page=page, around=_around(units, end)), s)
        placed += line_chars
        # as _Cursor.place and _Cursor.add, inlined (this runs for every line of the edition)
        if headline_line is not None and cur.on_headline_slot is not None:
            cur.s = s
            cur.on_headline_slot()
        out.append(FlowLine(story_name, pi, kind, style_name_, units[start:end], line, page, region, column,
                            grid_line, x, width, k == last, prefix, suffix, s, "text", offset))
        if end > start:
            if region_fill is None:
                region_fill = fill.get(region)
                if region_fill is None:
                    region_fill = fill[region] = [0, 0]
            region_fill[0] += 1
            region_fill[1] += line_chars
        s += 1
        offset += line_chars
    cur.s, cur.placed = s, cur.placed + placed
    return None


def _report_line(cur: _Cursor, pi: int, units: tuple[Unit, ...], line: LineBreak, offset: int, max_stretch: float,
                 s: int) -> None:
    """Report `line` (at character `offset`, going in slot `s`) if it broke against the rules or
    is looser than `max_stretch`."""
    if line.forced:
        cur.warn("forced-break", pi, _(" at character {offset}: no permitted break fits a line; broke against the "
                                       "rules").format(offset=offset + 1), s)
    elif too_loose(units, line, max_stretch):
        cur.warn("loose-line", pi, _(" at character {offset}: a line stretched {stretch:.2f} em between units, more "
                                     "than max_stretch ({max_stretch:g}); no permitted break avoids it").format(
                                         offset=offset + 1, stretch=stretch_per_gap(units, line),
                                         max_stretch=max_stretch), s)


def _start_paragraph(cur: _Cursor, article: Article, pi: int, style: TextStyle, units: tuple[Unit, ...],
                     is_last: bool, jump_slots: list[int]) -> tuple[list[LineBreak], str | None]:
    """Put out what precedes a paragraph (续题, 上接 line), apply the keep rules, break its lines."""
    para = article.paragraphs[pi]
    for _ in range(3):  # a keep rule may move the paragraph to the next column, at most a few times
        _continuation_lines(cur, pi, para.kind, style)
        lines, orphan = _break_rest(cur, units, style, is_last, jump_slots)
        skip_to = _keep_rule_skip(cur, para.kind, lines, is_last)
        if skip_to is None:
            return lines, orphan
        _skip(cur, pi, para.kind, style, skip_to)
    return lines, orphan


def _continuation_lines(cur: _Cursor, pi: int, kind: ParagraphKind, style: TextStyle) -> None:
    """At a continuation slot where a paragraph starts, the 上接 line stands alone."""
    slots = cur.slots
    if cur.s >= len(slots) or slots[cur.s].jump_from is None:
        return
    cur.place(cur.standalone(pi, kind, style, prefix=cur.jumps.from_page(slots[cur.s].jump_from, style)))


def _repeated_headline(cur: _Cursor, article: Article, pi: int, kind: ParagraphKind, itemize: Itemizer) -> None:
    """The story's headline again (续题), on the grid line kept above a continuation slot."""
    slot = cur.slots[cur.s]
    if slot.headline_line is None or not article.headline.main:
        return
    style = cur.layout.styles.get(cur.story.continued_style) or cur.layout.styles[cur.story.subhead_style]
    frame = cur.frames[slot.frame]
    text = article.headline.main.replace("\n", "\u3000")
    empty = LineBreak(0, 0, 0.0, slot.measure / style.size, 0.0)
    units = itemize(text, style)
    cur.add(FlowLine(cur.story.name, pi, kind, style.name, units, empty, frame.page, frame.region, frame.column,
                     slot.headline_line, frame.x, frame.width, False, slot=-1, role="continued"),
            sum(map(len, map(_text_of, units))))


def _keep_rule_skip(cur: _Cursor, kind: ParagraphKind, lines: list[LineBreak], is_last: bool) -> int | None:
    """The slot to move a paragraph to when it breaks a keep rule, or None."""
    s, slots = cur.s, cur.slots
    if not lines or s >= len(slots):
        return None
    frame_lines = cur.frames[slots[s].frame].lines
    if kind is _SUBHEAD and cur.story.keep_subhead_with_next and not is_last:
        # the subhead and the first line after it stay in one column: no column foot among
        # the subhead's lines (a subhead is never split, nor the last line of a column)
        feet = [i for i in range(s, min(s + len(lines), len(slots))) if cur.at_column_foot(i)]
        if feet and len(lines) < frame_lines:
            target = cur.next_frame_start(feet[0])
            return target if target < len(slots) else None
    if kind is _BODY and cur.story.no_lone_first_line and len(lines) > 1:
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
    region = lines[-1].region
    first = _final_region_start(lines)
    while lines[first].slot < 0:  # (a repeated headline above the region)
        first += 1
    fixed = [ln for ln in lines[first:] if ln.slot < 0]
    segment = [ln for ln in lines[first:] if ln.slot >= 0]
    region_frames = [i for i, f in enumerate(frames) if f.region == region]
    # slots come frame by frame (thread_slots): each frame's slots are a run
    column_slots = [list(range(bisect_left(slots, f, key=_frame_of), bisect_right(slots, f, key=_frame_of)))
                    for f in region_frames]
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
            moved.append(ln.moved(column=frame.column, grid_line=slots[index].grid_line, x=frame.x, slot=index))
    return lines[:first] + fixed + moved


def _final_region_start(lines: Sequence[FlowLine]) -> int:
    """Where the lines of the region the story ends in start (with a repeated headline above it):
    a region holds one story, once (input/layout_stories.py), and its lines follow one another."""
    region = lines[-1].region if lines else None
    start = len(lines)
    while start > 0 and lines[start - 1].region == region:
        start -= 1
    return start


def _fill_report(lines: list[FlowLine], frames: list[Frame], slots: list[Slot], layout: Layout,
                 fill: dict[str, list[int]]) -> tuple[tuple[RegionFill, ...], int, int]:
    """Each region's text lines and characters (`fill`, counted as the lines were placed) and
    capacity, and the empty slots left after the story's end with the characters they would hold."""
    # the final region's slots come after every other region's: only its lines' slots matter
    used = set(map(_slot_of, lines[_final_region_start(lines):]))
    capacity: dict[str, int] = {}
    for f in frames:
        capacity[f.region] = capacity.get(f.region, 0) + f.lines
    fills = [RegionFill(name, layout.regions[name].page, *fill.get(name, (0, 0)), capacity[name])
             for name in capacity]
    last = max(used) if used else -1
    # in the final region, balancing leaves the free slots at the foot of several columns; slots
    # come frame by frame (thread_slots), so that region's up to the last line are runs of them
    region = lines[-1].region if lines else None
    free = [i for fi, f in enumerate(frames) if f.region == region
            for i in range(bisect_left(slots, fi, key=_frame_of), min(bisect_right(slots, fi, key=_frame_of), last + 1))
            if i not in used]
    free += range(last + 1, len(slots))
    chars = int(sum(slots[i].measure / layout.grid.body_size for i in free))
    return tuple(fills), len(free), chars


def split_overlong(units: tuple[Unit, ...], limit: float, itemize_text: Callable[[str], tuple[Unit, ...]]
                   ) -> tuple[Unit, ...]:
    """A number or Latin word wider than the narrowest line is cut into its characters (an
    emergency break, as a professional system does with a long URL) instead of running over;
    `overlong_units` says which (the flow reports them). `units` itself when none is."""
    if limit <= 0 or unit_stats(units).widest <= limit:
        return units
    out: list[Unit] = []
    pieces: dict[str, tuple[Unit, ...]] = {}  # each character's units, itemized once
    for u in units:
        if u.width > limit and len(u.text) > 1:
            for k, ch in enumerate(u.text):
                got = pieces.get(ch)
                if got is None:
                    got = pieces[ch] = itemize_text(ch)
                # the cut run stays one run: no justification space inside it
                out += [replace(p, joined=True) for p in got] if k < len(u.text) - 1 else got[:-1] + (
                    replace(got[-1], joined=u.joined),)
        else:
            out.append(u)
    return tuple(out)


def overlong_units(units: tuple[Unit, ...], limit: float) -> list[tuple[int, str]]:
    """(character offset, text) of each unit that `split_overlong` cuts."""
    if limit <= 0 or unit_stats(units).widest <= limit:
        return []
    offsets = unit_stats(units).offsets
    return [(offsets[i], u.text) for i, u in enumerate(units) if u.width > limit and len(u.text) > 1]


def _around(units: Sequence[Unit], at: int, most: int = 6) -> str:
    """`…前文|后文…`: the text on both sides of the break before unit `at`."""
    before = "".join(u.text for u in units[max(0, at - most):at])
    return f"“{before}|{''.join(u.text for u in units[at:at + most])}”"


def _excerpt(text: str, most: int = 24) -> str:
    return f"“{text}”" if len(text) <= most else _("“{text}…” ({count:,} characters)").format(
        text=text[:most], count=len(text))


def _break_rest(cur: _Cursor, units: tuple[Unit, ...], style: TextStyle, is_last: bool,
                jump_slots: list[int]) -> tuple[list[LineBreak], str | None]:
    """Break a paragraph into lines for the slots from the cursor's on, reserving jump-line space."""
    s = cur.s

    def measure(reserve_suffix: bool) -> Callable[[int], float]:
        # each line holds a unit at least: the breakers ask for the measures of lines 0 to
        # len(units) (a line past the thread's slots has the last slot's measure, `beyond`)
        measures, beyond = cur.measures(style, reserve_suffix)
        rooms = measures[s:s + len(units) + 1]
        if len(rooms) <= len(units):
            rooms += [beyond] * (len(units) + 1 - len(rooms))
        return rooms.__getitem__

    options = cur.break_options(style)
    first = bisect_left(jump_slots, s)
    last = bisect_left(jump_slots, s + len(units) + 1, first)
    jump_lines = frozenset(j - s for j in jump_slots[first:last]) if last > first else _NO_JUMPS
    breaker = paragraph_breaker(style, units)
    if is_last and jump_lines and _may_end_by(units, measure(False), min(jump_lines), options.max_squeeze):
        lines, orphan = breaker(units, measure(False), style.indent, options, 0, True, _NO_JUMPS,
                                style.squeeze_for_jump)
        if len(lines) - 1 <= min(jump_lines):
            return lines, orphan  # the story ends on or before the jump slot: no jump line
    return breaker(units, measure(True), style.indent, options, 0, True, jump_lines, style.squeeze_for_jump)


_NO_JUMPS: frozenset[int] = frozenset()


def _may_end_by(units: tuple[Unit, ...], measure: Callable[[int], float], line: int, max_squeeze: float) -> bool:
    """Could the units fit in lines 0 to `line`? False only when they cannot, whatever the
    breaker: a line is at most its measure and a squeeze wide, and holds units whose widths sum to
    at most that and the two edge trims of the widest unit (with 0 <= end width <= width,
    `UnitStats.ordered`, and line-start widths of at least 0, as itemize makes them)."""
    stats = unit_stats(units)
    if not stats.ordered:
        return True
    total, room = stats.width_sums[-1], 0.0
    for k in range(line + 1):
        room += measure(k) + max(0.0, max_squeeze) + 2 * stats.widest
        if room >= total:
            return True
    return False


def jump_problems(flow: StoryFlow, layout: Layout) -> list[str]:
    """Check every jump line against where the text really goes: a 下转 line must name the page of
    the story's next line, a 上接 line the page of its previous one. Page numbers come from the
    thread before layout and the jump text's width is reserved in its line, so one pass settles;
    this check proves it for every build (a failure is a bug, not an input error)."""
    problems = []
    text_lines = [ln for ln in flow.lines if ln.role != "continued"]
    pages = [ln.page for ln in text_lines]
    for i in [i for i, ln in enumerate(text_lines) if ln.suffix or ln.prefix]:  # (few lines carry a jump text)
        ln, page = text_lines[i], pages[i]
        if ln.suffix:
            target = next((p for p in islice(pages, i + 1, None) if p != page), None)
            wanted = layout.jumps.to_page.format(page=page_numeral(target, layout.edition.page_numerals)) if target else None
            if "".join(u.text for u in ln.suffix) != wanted:
                problems.append(_("story {story}: jump line on page {page} does not name page {target}").format(
                    story=flow.story, page=ln.page, target=target))
        if ln.prefix:
            source = next((pages[k] for k in range(i - 1, -1, -1) if pages[k] != page), None)
            wanted = layout.jumps.from_page.format(page=page_numeral(source, layout.edition.page_numerals)) if source else None
            if "".join(u.text for u in ln.prefix) != wanted:
                problems.append(_("story {story}: continuation on page {page} does not name page {source}").format(
                    story=flow.story, page=ln.page, source=source))
    return problems


def _overset(article: Article, pi: int, units: tuple[Unit, ...], start: int) -> Overset:
    offset = sum(len(u.text) for u in units[:start])
    rest = article.paragraphs[pi].text[offset:]
    chars = len(rest) + sum(len(p.text) for p in article.paragraphs[pi + 1:])
    m = SENTENCE_END.search(rest)
    sentence = rest[: m.end()] if m else rest
    return Overset(chars, pi, offset, sentence[:60])
