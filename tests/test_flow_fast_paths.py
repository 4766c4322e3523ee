"""The flow stage's fast paths against the code they shortcut, bit for bit (hypothesis).

* greedy breaking (linebreak/greedy.py): a plain line (`_plain_line`: on the grid, no squeeze
  nor stop, the overflowing unit may start the next line, not too loose) against `_next_break`,
  and whole paragraphs broken with and without plain lines;
* display breaking (linebreak/display_breaks.py): the search, with its line widths from the width
  sums, its measures looked up once and the one line taken where it must win (`_FirstLineWins`),
  against the search as it was (every width added unit by unit, every pair of breaks looked at);
* the flow (flow/thread_flow.py): the slots' measures worked out once per style
  (`_slot_measures`) against each slot's measure less its jump texts, worked out alone; the
  empty slots after a story's end (`_fill_report`, from the final region's runs of slots) against
  every slot of the thread looked at.
"""

from __future__ import annotations

from itertools import accumulate
from math import inf
from pathlib import Path
from unittest.mock import patch

import pytest
from conftest import simple_layout, text_region
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_fast_paths import INDENT, PARAGRAPH, _fit_limits, _room_for, itemized

from paiban.flow import thread_flow
from paiban.flow.frames import thread_slots
from paiban.linebreak import display_breaks, greedy
from paiban.linebreak.display_breaks import DisplayLines, break_display
from paiban.linebreak.greedy import (ANY_MARK, EPS, BreakOptions, _first_overflow, _natural, _next_break,
                                     _plain_line, break_paragraph_fitted)
from paiban.model.article import Article, Paragraph
from paiban.model.items import LineBreak
from paiban.model.spec import KinsokuPolicy
from paiban.text.itemize import itemize, unit_stats

MAX_STRETCH = st.sampled_from([inf, 0.5, 0.25, 0.1, 0.0])


def _bounded(units) -> bool:
    return greedy._Breaker(units, 1.0, 0.0, BreakOptions(), True).bounded


@settings(max_examples=300, deadline=None)
@given(units=PARAGRAPH, data=st.data(), indent=INDENT, policy=st.sampled_from(list(KinsokuPolicy)),
       max_stretch=MAX_STRETCH)
def test_a_plain_line_is_the_line_next_break_makes(units, data, indent, policy, max_stretch):
    stats = unit_stats(units)
    assume(stats.on_grid)
    options = BreakOptions(policy, 0.5, max_stretch=max_stretch)
    for start in sorted(set(data.draw(st.lists(st.integers(0, len(units) - 1), min_size=1, max_size=4)))):
        rooms = [data.draw(st.floats(0.0, 40.0, allow_nan=False))]
        for limit in data.draw(st.lists(st.sampled_from(_fit_limits(units, start, indent)), max_size=3)):
            rooms += [limit, limit - 1e-12, limit + 1e-12]
            rooms += [room for room in (_room_for(limit),) if room is not None]
        bounded = _bounded(units)
        for measure in rooms:
            plain = _plain_line(units, stats.width_sums, start, len(units), measure, indent, max_stretch)
            general = _next_break(units, stats, start, measure, indent, options, 0.0, ANY_MARK, None, bounded)
            if isinstance(plain, int):  # not a plain line: where it overflows, which `_next_break` takes on
                assert plain == _first_overflow(units, stats, start, len(units), measure + EPS, indent)
                plain = _next_break(units, stats, start, measure, indent, options, 0.0, ANY_MARK, None, bounded,
                                    plain)
            assert plain is None or plain == general, (start, measure)


def test_plain_lines_are_the_path_taken():
    # the property above compares the fast path, not `_next_break` with itself
    units = itemize("中" * 40)
    stats = unit_stats(units)
    line = _plain_line(units, stats.width_sums, 0, len(units), 10.0, 2.0, inf)
    assert line is not None and (line.start, line.end, line.natural) == (0, 8, 10.0)
    with patch.object(greedy, "_next_break", side_effect=AssertionError("general path")):
        assert len(break_paragraph_fitted(units, 10.0, 0.0)[0]) == 4


@settings(max_examples=200, deadline=None)
@given(units=PARAGRAPH, measure=st.one_of(st.integers(4, 30).map(float), st.floats(3.0, 30.0, allow_nan=False)),
       narrower=st.sampled_from([0.0, 0.5, 3.0]), indent=INDENT, policy=st.sampled_from(list(KinsokuPolicy)),
       orphans=st.booleans(), pull=st.booleans(), max_stretch=MAX_STRETCH,
       jumps=st.sets(st.integers(0, 6), max_size=2))
def test_paragraphs_break_alike_without_plain_lines(units, measure, narrower, indent, policy, orphans, pull,
                                                    max_stretch, jumps):
    options = BreakOptions(policy, 0.5, orphans, pull, max_stretch)
    measure_of = (lambda k: measure - narrower if k % 3 == 1 else measure)  # a jump line's narrower measure
    fast = break_paragraph_fitted(units, measure_of, indent, options, jump_lines=frozenset(jumps))
    with patch.object(greedy, "_plain_line", lambda *args: None):
        general = break_paragraph_fitted(units, measure_of, indent, options, jump_lines=frozenset(jumps))
    assert fast == general


def _reference_display(units, measure, balance, indent):
    """`break_display` as it searched before its fast paths: every width added unit by unit
    (`line_width`), every measure asked for, every cut worked out."""
    n = len(units)
    kinds = display_breaks._break_kinds(units)
    best = [None] * (n + 1)
    best[0] = ((0, 0, 0, 0, 0.0), -1)
    for j in range(1, n + 1):
        kind = display_breaks.STRONG if j == n else kinds[j]
        if kind is None:
            continue
        for i in range(j - 1, -1, -1):
            if best[i] is None:
                continue
            (overflow, in_word, lines, weak, badness), _ = best[i]
            room = measure(lines)
            width = _plain_width(units, i, j, indent if i == 0 else 0.0)
            over = width > room + EPS
            slack = max(0.0, room - width)
            cost = (overflow + over, in_word + (kind == display_breaks.IN_WORD), lines + 1,
                    weak + (kind == display_breaks.WEAK),
                    badness + (slack * slack if balance or j < n else 0.0)
                    - (display_breaks.TIE * width if i == 0 else 0.0))
            if best[j] is None or cost < best[j][0]:
                best[j] = (cost, i)
            if over:
                break
    breaks, j = [], n
    while j > 0:
        breaks.append((best[j][1], j))
        j = best[j][1]
    breaks.reverse()
    lines = tuple(LineBreak(i, j, indent if k == 0 else 0.0, measure(k),
                            _plain_width(units, i, j, indent if k == 0 else 0.0))
                  for k, (i, j) in enumerate(breaks))
    (_, in_word, _, weak, _), _ = best[n]
    text = "".join(u.text for u in units)
    offsets = list(accumulate((len(u.text) for u in units), initial=0))
    cuts = tuple(display_breaks._around(text, offsets[j]) for _, j in breaks[:-1]
                 if kinds[j] == display_breaks.IN_WORD)
    return DisplayLines(lines, in_word, weak, cuts)


def _plain_width(units, start, end, indent):
    return _natural(units, [u.width for u in units[start + 1:end - 1]], start, end, indent)


@settings(max_examples=200, deadline=None)
@given(units=itemized(), measure=st.floats(2.0, 20.0, allow_nan=False), narrower=st.sampled_from([0.0, 1.0, 2.5]),
       balance=st.booleans(), indent=INDENT)
def test_display_lines_are_the_reference_searchs(units, measure, narrower, balance, indent):
    measure_of = (lambda k: measure - narrower if k == 1 else measure)
    assert break_display(units, measure_of, balance, indent) == _reference_display(units, measure_of, balance, indent)


@pytest.mark.parametrize("second", [8.5, 9.0, 9.5, 10.0])
def test_display_lines_alike_where_a_shorter_line_would_overflow_the_next_measure(second):
    # ten hanzi fit the first line (10 em) whole, but the nine after the first one overflow a
    # second line narrower than 9 em: the search meets that line first and stops there, so the
    # one line does not win (the shortcut must see it, to the hair)
    units = itemize("中" * 10, "quanjiao")
    measure_of = (lambda k: second if k == 1 else 10.0)
    got = break_display(units, measure_of, True, 0.0)
    assert got == _reference_display(units, measure_of, True, 0.0)
    assert len(got.lines) == (1 if second >= 9.0 else 2)


def test_display_lines_cut_inside_words_are_reported_alike():
    # the property above meets few cuts: a measure narrower than any word makes every break one
    units = itemize("港区集装箱航线再添新成员中学生科创实验室", "quanjiao")
    got = break_display(units, 1.5, True, 0.0)
    assert got.in_word > 0 and got.cuts
    assert got == _reference_display(units, lambda _k: 1.5, True, 0.0)


def test_slot_measures_are_each_slots_measure_less_its_jump_texts():
    layout = simple_layout([text_region("a", 1, (1, 3)), text_region("b", 3, (1, 2)), text_region("c", 2, (1, 4))],
                           column_chars=10, thread=("a", "b", "c"))
    _frames, slots = thread_slots(layout, layout.stories[0].thread)
    jumps = thread_flow._JumpTexts(layout, lambda text, style: itemize(text, style.punctuation.value))
    marked = [i for i, slot in enumerate(slots) if slot.jump_from is not None or slot.jump_to is not None]
    assert len(marked) == 4
    for style in layout.styles.values():
        for reserve in (True, False):
            measures, beyond = thread_flow._slot_measures(slots, marked, style, jumps, reserve)
            for slot, m in zip(slots, measures, strict=True):
                want = slot.measure / style.size
                if slot.jump_from is not None:
                    want -= sum(u.width for u in jumps.from_page(slot.jump_from, style))
                if slot.jump_to is not None and reserve:
                    want -= sum(u.width for u in jumps.to_page(slot.jump_to, style))
                assert m == want
            assert beyond == slots[-1].measure / style.size


def _reference_underset(flow, layout):
    """The empty slots after a story's end and their characters, every slot of the thread looked at."""
    frames, slots = thread_slots(layout, layout.stories[0].thread)
    used = {ln.slot for ln in flow.lines}
    last = max(used) if used else -1
    region = flow.lines[-1].region if flow.lines else None
    free = [i for i, sl in enumerate(slots) if i not in used and (i > last or frames[sl.frame].region == region)]
    return len(free), int(sum(slots[i].measure / layout.grid.body_size for i in free))


@settings(max_examples=60, deadline=None)
@given(chars=st.integers(0, 400), paragraphs=st.integers(1, 4))
def test_underset_slots_are_those_of_every_slot_looked_at(chars, paragraphs):
    # the story ends in a region of three columns, where balancing leaves free slots in each
    layout = simple_layout([text_region("a", 1, (1, 4), columns=(1, 2), text_columns=2),
                            text_region("b", 2, (1, 6), columns=(1, 3), text_columns=3)],
                           columns=3, column_chars=6, thread=("a", "b"))
    texts = [("中" * chars)[k::paragraphs] or "中" for k in range(paragraphs)]
    article = Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))
    flow = thread_flow.flow_story(layout.stories[0], article, layout,
                                  lambda text, style: itemize(text, style.punctuation.value))
    assert (flow.underset_lines, flow.underset_characters) == _reference_underset(flow, layout)
