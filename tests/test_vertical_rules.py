"""Vertical setting (竖排) rules with fake metrics: the turned grid, the same breaking tables,
纵中横 widths, how glyphs stand, and where a mark's vertical form sits in its cell."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import full_text, line_text, simple_layout

from paiban.flow.thread_flow import flow_story
from paiban.model.article import Article, Paragraph
from paiban.model.items import CharClass
from paiban.model.spec import Grid, Layout, PageGeometry, Region, RegionKind
from paiban.model.vertical_geometry import height_chars, line_count, line_left, tier_chars, tier_top
from paiban.page.justify import GlyphInfo, justify_glyphs
from paiban.text.charclass import NOT_AT_LINE_END, NOT_AT_LINE_START
from paiban.text.itemize import half_width_latin, itemize
from paiban.text.vertical_rules import ROTATED, UPRIGHT, VERTICAL_FORM, is_across, orientation, vertical_units

GRID = Grid(9.0, 6, 11, 1.0, 13.5, 72)


def vertical_region(name="v", page=1, columns=(4, 5), lines=(24, 72), tiers=1, tcy=2) -> Region:
    return Region(name, page, RegionKind.TEXT, columns[0], columns[1], lines[0], lines[1], tiers, 1.0,
                  writing_mode="vertical", tate_chu_yoko=tcy)


def test_a_vertical_regions_measure_is_its_height_and_its_lines_run_across_it():
    region = vertical_region(tiers=3)
    # 48 line pitches and one em: (48 × 13.5 + 9) / 9 = 73 characters tall, three tiers with
    # two 1-character gutters: 23 whole characters each
    assert height_chars(GRID, region) == 73.0
    assert tier_chars(GRID, region) == 23
    # two basic columns and a gutter, 23 characters = 207 pt: lines 13.5 pt apart, one em wide
    assert line_count(GRID, region) == 15
    layout = Layout(Path("t.yaml"), "t", PageGeometry(800.0, 1100.0, 50.0, 67.5), GRID, (1,), {}, {"v": region})
    right = region.right(GRID, 67.5)
    assert line_left(layout, region, 0) == right - 9.0  # the first line flush right
    assert line_left(layout, region, 14) == right - 9.0 - 14 * 13.5  # the last one still inside
    assert line_left(layout, region, 14) >= region.left(GRID, 67.5)
    assert tier_top(layout, region, 1) == tier_top(layout, region, 0) - 24 * 9.0


def test_short_numbers_take_one_em_down_the_column_and_long_ones_keep_their_width():
    units = itemize("第3版12人2024年", "banjiao", half_width_latin)
    vertical = vertical_units(units, 2)
    widths = {u.text: u.width for u in vertical if u.cls is CharClass.DIGIT}
    assert widths == {"3": 1.0, "12": 1.0, "2024": 2.0}
    assert {u.text: u.width for u in vertical_units(units, 3) if u.cls is CharClass.DIGIT}["2024"] == 2.0
    assert [u.text for u in units if is_across(u, 0)] == []  # tate_chu_yoko: 0 turns every number
    assert vertical_units(itemize("没有数字", "banjiao", half_width_latin), 2) == \
        itemize("没有数字", "banjiao", half_width_latin)


def test_how_each_glyph_stands():
    assert orientation("中", False) == UPRIGHT
    assert orientation("，", True) == VERTICAL_FORM
    assert orientation("A", False) == ROTATED
    assert orientation("—", False) == ROTATED  # no vertical form in the face: turned a quarter
    assert orientation("□", False) == UPRIGHT  # UAX #50: geometric shapes stand upright
    assert orientation("℃", False) == UPRIGHT


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def test_vertical_lines_break_by_the_same_kinsoku_tables_in_the_turned_measure():
    region = vertical_region(columns=(1, 1), lines=(1, 7), tcy=2)  # (6 × 14 + 9) / 9 = 10 characters
    layout = simple_layout([region], column_chars=11, columns=1)
    layout = replace(layout, grid=replace(layout.grid, line_pitch=14.0))
    text = "海风吹过，书页哗啦啦地响。我忽然明白，这个小小的书摊，守着的不只是旧书。"
    flow = flow_story(layout.stories[0], Article(Path("a.txt"), paragraphs=(Paragraph(text),)), layout, itemizer)
    texts = [line_text(ln) for ln in flow.lines]
    assert "".join(texts) == text
    assert all(t[0] not in NOT_AT_LINE_START and t[-1] not in NOT_AT_LINE_END for t in texts)
    assert all(ln.measure == 90.0 for ln in flow.lines)  # ten characters of 9 pt down the column
    assert [ln.grid_line for ln in flow.lines] == list(range(1, len(flow.lines) + 1))  # right to left


def test_a_vertical_thread_jumps_with_the_same_jump_lines():
    layout = simple_layout([vertical_region("a", 1, (1, 1), (1, 4)), vertical_region("b", 2, (1, 1), (1, 4))],
                           column_chars=11)
    flow = flow_story(layout.stories[0], Article(Path("a.txt"), paragraphs=(Paragraph("中" * 60),)), layout,
                      itemizer)
    texts = [full_text(ln) for ln in flow.lines]
    first = [t for ln, t in zip(flow.lines, texts) if ln.region == "a"]
    second = [t for ln, t in zip(flow.lines, texts) if ln.region == "b"]
    assert first[-1].endswith("（下转第二版）") and second[0].startswith("（上接第一版）")


def test_a_point_keeps_its_vertical_ink_at_the_top_of_its_half_cell_and_an_opening_bracket_at_the_foot():
    # fake vertical forms: 1 em advances; ink measured down from the top of the vertical em box
    infos = {"中": GlyphInfo("f", 1.0, None), "，": GlyphInfo("f", 1.0, (0.09, 0.40)),
             "「": GlyphInfo("f", 1.0, (0.66, 0.95))}
    units = itemize("中，「中", "banjiao", half_width_latin)
    glyphs = justify_glyphs(units, 3.0, 0.0, infos.__getitem__, half_width_latin, justify=False)
    comma_top = glyphs.xs[1] + 0.09  # where its ink starts, em down the line
    bracket_foot = glyphs.xs[2] + 0.95
    assert 1.0 <= comma_top < 1.1  # right under the hanzi: its ink at the top of its ½-em cell
    assert 2.0 - 0.06 < bracket_foot <= 2.0  # the bracket's ink at the foot of its cell, by the text it opens
