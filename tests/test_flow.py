"""Flow through threads: frames, jump lines, overset counting."""

from __future__ import annotations

from conftest import full_text, line_text, simple_layout, text_region

from paiban.flow.thread_flow import flow_story
from paiban.model.article import Article, Paragraph
from paiban.text.itemize import itemize
from pathlib import Path


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def article(*texts: str) -> Article:
    return Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))


def test_lines_fill_columns_top_to_bottom_then_left_to_right():
    layout = simple_layout([text_region("r", 1, (1, 2), columns=(1, 2), text_columns=2)], columns=2, column_chars=5)
    flow = flow_story(layout.stories[0], article("中" * 18), layout, itemizer)
    assert [(ln.column, ln.grid_line) for ln in flow.lines] == [(0, 1), (0, 2), (1, 1), (1, 2)]
    assert [line_text(ln) for ln in flow.lines] == ["中" * 3, "中" * 5, "中" * 5, "中" * 5]


def test_story_that_fits_has_no_jump_line_even_when_the_thread_goes_on():
    layout = simple_layout([text_region("a", 1, (1, 3)), text_region("b", 2, (1, 3))], column_chars=10)
    flow = flow_story(layout.stories[0], article("中" * 20), layout, itemizer)
    assert all(not ln.suffix and not ln.prefix for ln in flow.lines)
    assert {ln.page for ln in flow.lines} == {1}


def test_jump_lines_name_the_pages_of_the_thread():
    layout = simple_layout([text_region("a", 1, (1, 2)), text_region("b", 3, (1, 2)), text_region("c", 2, (1, 5))],
                           column_chars=10, thread=("a", "b", "c"))
    flow = flow_story(layout.stories[0], article("中" * 60), layout, itemizer)
    texts = [full_text(ln) for ln in flow.lines]
    assert texts[1].endswith("（下转第三版）")
    assert texts[2].startswith("（上接第一版）")
    assert texts[3].endswith("（下转第二版）")
    assert texts[4].startswith("（上接第三版）")
    # the jump text's width is reserved: the text of a jump line is shorter than a full line
    assert line_text(flow.lines[1]) == "中" * (10 - 6)  # （下转第三版） is 6 em in banjiao


def test_overset_counts_every_character_left_over_and_names_the_sentence():
    layout = simple_layout([text_region("a", 1, (1, 2))], column_chars=10)
    text = "中" * 18 + "。这里开始溢出的句子。后面还有。"
    flow = flow_story(layout.stories[0], article(text, "第二段也在溢出。"), layout, itemizer)
    placed = sum(len(line_text(ln)) for ln in flow.lines)
    assert flow.overset is not None
    assert flow.overset.characters == len(text) + len("第二段也在溢出。") - placed
    assert flow.placed_characters == placed


def test_continuation_at_a_paragraph_start_puts_the_from_jump_on_its_own_line():
    layout = simple_layout([text_region("a", 1, (1, 2)), text_region("b", 2, (1, 5))], column_chars=10)
    flow = flow_story(layout.stories[0], article("中" * 8 + "中中中。", "下一段。"), layout, itemizer)
    texts = [full_text(ln) for ln in flow.lines]
    assert texts[1].endswith("（下转第二版）")
    assert texts[2] == "（上接第一版）"
    assert texts[3] == "下一段。"


def test_jump_check_accepts_real_threads_and_catches_a_wrong_page():
    from dataclasses import replace

    from paiban.flow.thread_flow import jump_problems

    layout = simple_layout([text_region("a", 1, (1, 2)), text_region("b", 3, (1, 2)), text_region("c", 2, (1, 5))],
                           column_chars=10, thread=("a", "b", "c"))
    flow = flow_story(layout.stories[0], article("中" * 60), layout, itemizer)
    assert jump_problems(flow, layout) == []
    # the same lines with the middle region moved to page 4: the jumps into and out of it are wrong
    moved = replace(flow, lines=tuple(replace(ln, page=4) if ln.region == "b" else ln for ln in flow.lines))
    assert jump_problems(moved, layout) == ["story s: jump line on page 1 does not name page 4",
                                            "story s: continuation on page 2 does not name page 4"]


def test_flow_warnings_carry_kind_page_story_and_the_whole_message():
    from paiban.model.build_warning import BuildWarning

    layout = simple_layout([text_region("a", 1, (1, 2)), text_region("b", 2, (1, 5))], column_chars=10)
    # paragraph 3 ends on page 2 with one hanzi on its last line, and no mark above to squeeze
    flow = flow_story(layout.stories[0], article("中" * 8, "中" * 9 + "。", "中" * 19 + "。"), layout, itemizer)
    assert full_text(flow.lines[-1]) == "中。" and flow.lines[-1].page == 2
    assert flow.warnings == (BuildWarning("orphan", "story s: paragraph 3 ends on one hanzi (no quote or bracket, "
                                                    "nor a point wider than ½ em, to squeeze above it; "
                                                    "orphan_pull_down is off)", 2, "s"),)
    assert str(flow.warnings[0]) == flow.warnings[0].message
    # a run of marks no line may start with: broken against the rules on page 1 and on page 2
    flow = flow_story(layout.stories[0], article("中" * 8, "中" + "！" * 30), layout, itemizer)
    forced = "story s: paragraph 2 at character {}: no permitted break fits a line; broke against the rules"
    assert flow.warnings == (BuildWarning("forced-break", forced.format(1), 1, "s"),
                             BuildWarning("forced-break", forced.format(4), 2, "s"))


def test_a_warning_about_a_line_that_was_not_placed_has_no_page():
    layout = simple_layout([text_region("a", 1, (1, 1))], column_chars=10)
    flow = flow_story(layout.stories[0], article("中" * 8, "中" + "！" * 30), layout, itemizer)
    assert flow.overset is not None and [(w.kind, w.page) for w in flow.warnings] == [("forced-break", None)]
    flow = flow_story(layout.stories[0], article("中" * 9 + "。"), layout, itemizer)
    assert flow.overset is not None and [(w.kind, w.page) for w in flow.warnings] == [("orphan", None)]
