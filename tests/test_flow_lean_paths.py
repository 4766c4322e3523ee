"""The flow stage's leaner paths against the work they spare, bit for bit.

* display type (linebreak/display_breaks.py): a part that the search would set as one line
  (`_FirstLineWins.whole`) is set so without the search nor its word boundaries;
* the flow (flow/thread_flow.py): a paragraph's measures handed to the breakers as a list of its
  lines' measures (`_break_rest`) against each slot's measure looked up alone; the jump check
  (`jump_problems`), the final region's first line (`balance_final_segment`) and the measures of
  a size worked out once (`_slot_measures`) against the plain ways;
* the lines themselves (model/flowed.py): `FlowLine` and `FlowLine.moved` against the dataclass's
  own fields and `dataclasses.replace`; justification's gaps (`greedy.open_gaps`) against a count
  of every gap;
* frames (flow/frames.py): the thread's frames for holes (`thread_frames`) against those
  `thread_slots` gives, and a column's runs of lines between pictures (`line_runs`) against every
  line looked at.
"""

from __future__ import annotations

import dataclasses
from math import inf
from pathlib import Path
from unittest.mock import patch

import pytest
from conftest import simple_layout, text_region
from hypothesis import given, settings
from hypothesis import strategies as st
from test_fast_paths import INDENT, PARAGRAPH, itemized
from test_flow_fast_paths import _reference_display

from paiban.flow import thread_flow
from paiban.flow.frames import line_runs, thread_frames, thread_slots
from paiban.linebreak import display_breaks, greedy
from paiban.linebreak.display_breaks import break_display
from paiban.model.article import Article, Paragraph, ParagraphKind
from paiban.model.flowed import FlowLine
from paiban.model.items import CharClass, LineBreak, Unit
from paiban.model.spec import JumpTemplates
from paiban.text.itemize import itemize


def _itemizer(text, style):
    return itemize(text, style.punctuation.value)


# ---- display type: one line without the search ------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(units=itemized(), measure=st.floats(2.0, 40.0, allow_nan=False), narrower=st.sampled_from([0.0, 1.0, 2.5]),
       balance=st.booleans(), indent=INDENT)
def test_display_one_line_is_the_searchs(units, measure, narrower, balance, indent):
    measure_of = (lambda k: measure - narrower if k == 1 else measure)
    got = break_display(units, measure_of, balance, indent)
    with patch.object(display_breaks._FirstLineWins, "whole", lambda self: False):
        searched = break_display(units, measure_of, balance, indent)
    assert got == searched == _reference_display(units, measure_of, balance, indent)


@pytest.mark.parametrize("second", [8.5, 9.0, 9.5, 10.0])
def test_display_one_line_only_where_no_shorter_line_overflows_the_next_measure(second):
    # as test_flow_fast_paths' case: the search meets a line too wide for a narrower second
    # line before the one line, and stops there (the shortcut must see it, to the hair)
    units = itemize("中" * 10, "quanjiao")
    measure_of = (lambda k: second if k == 1 else 10.0)
    got = break_display(units, measure_of, True, 0.0)
    assert got == _reference_display(units, measure_of, True, 0.0)
    assert len(got.lines) == (1 if second >= 9.0 else 2)


def test_display_one_line_asks_no_word_boundaries():
    # the property above compares the shortcut, not the search with itself
    units = itemize("港区集装箱航线再添新成员", "quanjiao")
    with patch.object(display_breaks, "_break_kinds", side_effect=AssertionError("searched")):
        got = break_display(units, 20.0, True, 0.0)
    assert [(ln.start, ln.end) for ln in got.lines] == [(0, len(units))]
    assert break_display(units, 5.0, True, 0.0).lines[0].end < len(units)  # too narrow: searched


# ---- the flow ----------------------------------------------------------------------------------

def _jump_layout(lines_a=3, lines_b=2, lines_c=4):
    return simple_layout([text_region("a", 1, (1, lines_a)), text_region("b", 3, (1, lines_b)),
                          text_region("c", 2, (1, lines_c))], column_chars=10, thread=("a", "b", "c"))


@pytest.mark.parametrize("chars", [1, 5, 17, 40])
@pytest.mark.parametrize("last_lines", [4, 1])
def test_each_line_has_its_slots_measure(chars, last_lines):
    # the breakers get a list of the paragraph's lines' measures: every line they may ask for
    # (one a unit, and one more) must be there, and be the slot's (past the thread's slots: the
    # last slot's measure, without the 上接 text the last slot carries when it is a region's only one)
    layout = _jump_layout(lines_c=last_lines)
    story = layout.stories[0]
    frames, slots = thread_slots(layout, story.thread)
    cur = thread_flow._Cursor(story, layout, frames, slots, thread_flow._JumpTexts(layout, _itemizer))
    jump_slots = [i for i, slot in enumerate(slots) if slot.jump_to is not None]
    units = itemize("中" * chars)
    for style in (layout.styles["body"], layout.styles["subhead"]):
        measures, beyond = cur.measures(style, True)
        for s in range(len(slots) + 3):
            asked = []

            def breaker(units, measure, *args):
                asked.append([measure(k) for k in range(len(units) + 1)])
                return [], None
            cur.s = s
            with patch.object(thread_flow, "paragraph_breaker", lambda style, units: breaker):
                thread_flow._break_rest(cur, units, style, False, jump_slots)
            assert asked == [[measures[s + k] if s + k < len(measures) else beyond for k in range(chars + 1)]]


def _flow(layout, texts):
    article = Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))
    return thread_flow.flow_story(layout.stories[0], article, layout, _itemizer)


def _reference_jump_problems(flow, layout):
    """`jump_problems` as it was: the lines after and before each jump line looked through."""
    from paiban.units import page_numeral
    problems = []
    text_lines = [ln for ln in flow.lines if ln.role != "continued"]
    for i, ln in enumerate(text_lines):
        if ln.suffix:
            target = next((x.page for x in text_lines[i + 1:] if x.page != ln.page), None)
            wanted = layout.jumps.to_page.format(page=page_numeral(target, layout.edition.page_numerals)) if target else None
            if "".join(u.text for u in ln.suffix) != wanted:
                problems.append((ln.page, target))
        if ln.prefix:
            source = next((x.page for x in reversed(text_lines[:i]) if x.page != ln.page), None)
            wanted = layout.jumps.from_page.format(page=page_numeral(source, layout.edition.page_numerals)) if source else None
            if "".join(u.text for u in ln.prefix) != wanted:
                problems.append((ln.page, source))
    return problems


@pytest.mark.parametrize("chars", [5, 30, 60, 200])
def test_jump_problems_as_every_line_looked_through(chars):
    layout = _jump_layout()
    flow = _flow(layout, ["中" * chars, "国" * chars])
    assert len(thread_flow.jump_problems(flow, layout)) == len(_reference_jump_problems(flow, layout)) == 0
    # the jump lines made to name the wrong pages: both ways find the same problems
    wrong = dataclasses.replace(flow, lines=tuple(dataclasses.replace(ln, page=ln.page + 10)
                                                  if ln.page == 3 else ln for ln in flow.lines))
    found = thread_flow.jump_problems(wrong, layout)
    assert len(found) == len(_reference_jump_problems(wrong, layout))
    assert found or not any(ln.suffix or ln.prefix for ln in flow.lines)


def _reference_balance(lines, frames, slots):
    """`balance_final_segment` as it was, up to where the final region's first line is found."""
    region, page = lines[-1].region, lines[-1].page
    return next(i for i, ln in enumerate(lines) if ln.region == region and ln.page == page and ln.slot >= 0)


@settings(max_examples=60, deadline=None)
@given(chars=st.integers(1, 300), paragraphs=st.integers(1, 4), headline=st.booleans())
def test_balanced_lines_start_where_every_line_looked_at_says(chars, paragraphs, headline):
    layout = simple_layout([text_region("a", 1, (1, 4), columns=(1, 2), text_columns=2),
                            text_region("b", 2, (1, 6), columns=(1, 3), text_columns=3)],
                           columns=3, column_chars=6, thread=("a", "b"))
    texts = [("中" * chars)[k::paragraphs] or "中" for k in range(paragraphs)]
    story = dataclasses.replace(layout.stories[0], balance=False, repeat_headline=headline)
    article = Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))
    lines = list(thread_flow.flow_story(story, article, layout, _itemizer).lines)
    frames, slots = thread_slots(layout, story.thread, headline)
    first = _reference_balance(lines, frames, slots)
    seen = []
    real = thread_flow.FlowLine.moved

    def moved(line, **where):
        seen.append(line)
        return real(line, **where)
    with patch.object(thread_flow.FlowLine, "moved", moved):
        got = thread_flow.balance_final_segment(lines, frames, slots)
    if got is lines:
        return  # not balanced
    assert got[:first] == lines[:first]
    assert seen == [ln for ln in lines[first:] if ln.slot >= 0]  # the segment: every line from the first on


def test_slot_measures_of_a_size_worked_out_once():
    layout = _jump_layout()
    _frames, slots = thread_slots(layout, layout.stories[0].thread)
    jumps = thread_flow._JumpTexts(layout, _itemizer)
    marked = [i for i, slot in enumerate(slots) if slot.jump_from is not None or slot.jump_to is not None]
    for style in layout.styles.values():
        sized = [slot.measure / style.size for slot in slots]
        for reserve in (True, False):
            assert thread_flow._slot_measures(slots, marked, style, jumps, reserve, sized) == \
                thread_flow._slot_measures(slots, marked, style, jumps, reserve)
        assert sized == [slot.measure / style.size for slot in slots]  # (left as it was)


# ---- the lines ---------------------------------------------------------------------------------

def _line(**changes):
    units = itemize("中国新区")
    values = dict(story="s", paragraph=3, kind=ParagraphKind.SUBHEAD, style="subhead", units=units,
                  brk=LineBreak(0, 4, 0.0, 10.0, 4.0), page=2, region="r", column=1, grid_line=7, x=12.5,
                  measure=90.0, last_of_paragraph=True, prefix=units[:1], suffix=units[1:2], slot=9,
                  role="jump", char_offset=40)
    values.update(changes)
    return values


def test_a_flow_line_holds_each_field_given():
    values = _line()
    line = FlowLine(**values)
    assert {f.name: getattr(line, f.name) for f in dataclasses.fields(FlowLine)} == values == vars(line)
    assert line == FlowLine(*values.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        line.page = 3
    defaults = FlowLine(*list(values.values())[:13])
    assert (defaults.prefix, defaults.suffix, defaults.slot, defaults.role, defaults.char_offset) == \
        ((), (), -1, "text", 0)


def test_a_moved_line_is_the_line_replaced():
    line = FlowLine(**_line())
    moved = line.moved(column=2, grid_line=11, x=40.0, slot=17)
    assert moved == dataclasses.replace(line, column=2, grid_line=11, x=40.0, slot=17)
    assert vars(moved) == vars(dataclasses.replace(line, column=2, grid_line=11, x=40.0, slot=17))
    assert vars(line) == _line()  # the line itself is left as it was
    with pytest.raises(dataclasses.FrozenInstanceError):
        moved.slot = 3


def _reference_open_gaps(units, start, end):
    lo, hi = start, end - 1
    while lo < hi and units[lo].cls is CharClass.LATIN_SPACE:
        lo += 1
    while hi > lo and units[hi].cls is CharClass.LATIN_SPACE:
        hi -= 1
    return sum(1 for k in range(lo, hi) if not units[k].joined)


@settings(max_examples=300, deadline=None)
@given(units=PARAGRAPH, data=st.data())
def test_open_gaps_count_every_gap(units, data):
    start = data.draw(st.integers(0, len(units)))
    end = data.draw(st.integers(start, len(units)))
    for seq in (units, list(units)):
        assert greedy.open_gaps(seq, start, end) == _reference_open_gaps(units, start, end)


def test_open_gaps_leave_out_joined_runs_and_edge_spaces():
    # the property above meets few joined runs: a URL and words between spaces
    units = itemize(" see https://example.com/a-b?c=d now ")
    assert any(u.joined for u in units) and units[0].cls is CharClass.LATIN_SPACE
    assert greedy.open_gaps(units, 0, len(units)) == _reference_open_gaps(units, 0, len(units)) > 0
    assert greedy.open_gaps(units, 0, len(units)) < len(units) - 1
    assert greedy.stretch_per_gap(units, LineBreak(0, len(units), 0.0, inf, 0.0)) == inf


# ---- holes -------------------------------------------------------------------------------------

@pytest.mark.parametrize("repeat", [False, True])
def test_thread_frames_are_thread_slots_frames(repeat):
    layout = simple_layout([text_region("a", 1, (1, 4), columns=(1, 2), text_columns=2),
                            text_region("b", 2, (3, 9), columns=(1, 3), text_columns=3),
                            text_region("c", 2, (10, 12))], columns=3, column_chars=6)
    thread = layout.stories[0].thread
    assert thread_frames(layout, thread) == thread_slots(layout, thread, repeat)[0]
    assert len(thread_frames(layout, thread)) == 6


def _reference_runs(first, last, blocked):
    """The runs of lines not blocked, every line looked at (as `region_frames` found them)."""
    runs, run = [], []
    for line in range(first, last + 2):
        if line <= last and line not in blocked:
            run.append(line)
        elif run:
            runs.append((run[0], len(run)))
            run = []
    return runs


@settings(max_examples=300, deadline=None)
@given(first=st.integers(1, 30), lines=st.integers(0, 40), blocked=st.sets(st.integers(-5, 80), max_size=20))
def test_line_runs_are_those_of_every_line_looked_at(first, lines, blocked):
    last = first + lines - 1
    assert line_runs(first, last, blocked) == _reference_runs(first, last, blocked)
