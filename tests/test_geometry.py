"""Region and column geometry has one source, the model (model/spec.py): the loader, the flow's
frames, the headline, the furniture and the overset marker all take their widths and x positions
from `Grid` and `Region` methods, and get the same numbers to the last bit as they always did."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT, simple_layout, text_region
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.flow.frames import region_frames
from paiban.model.spec import Box, Grid, Region, RegionKind


def test_a_regions_widths_and_positions_in_characters_and_points():
    grid = Grid(body_size=9.0, columns=7, column_chars=15, gutter_chars=1.0, line_pitch=13.5, rows=60)
    region = Region("r", 1, RegionKind.TEXT, 2, 4, 1, 10, text_columns=2, gutter_chars=1.5)
    assert grid.span_width_chars(3) == 3 * 15 + 2 * 1 == 47
    assert grid.type_width_chars == grid.span_width_chars(7) == 111
    assert region.width_chars(grid) == 47 and region.width(grid) == 47 * 9
    assert region.measure_chars(grid) == (47 - 1.5) / 2 == 22.75
    assert region.measure(grid) == 22.75 * 9
    assert region.left(grid) == 16 * 9 and region.right(grid) == 3 * 16 * 9 + 15 * 9
    assert region.right(grid) - region.left(grid) == region.width(grid)
    assert region.left(grid, 50.0) == 50.0 + 16 * 9 and region.right(grid, 50.0) == 50.0 + 3 * 16 * 9 + 15 * 9
    assert region.text_column_x(grid, 0) == region.left(grid)
    assert region.text_column_x(grid, 1) == region.left(grid) + (22.75 + 1.5) * 9
    # the column rule runs in the middle of the gutter between the two text columns
    right_of_first = region.text_column_x(grid, 0) + region.measure(grid)
    assert region.column_rule_x(grid, 1) == (right_of_first + region.text_column_x(grid, 1)) / 2
    assert region.column_rule_x(grid, 1, 50.0) == 50.0 + region.column_rule_x(grid, 1)
    # the last text column ends at the region's right edge
    assert region.text_column_x(grid, 1) + region.measure(grid) == region.right(grid)


SIZES = st.sampled_from([7.875, 9.0, 9.5, 10.5, 10.0 / 3, 12.0])
GUTTERS = st.sampled_from([0.0, 0.5, 1.0, 1.5, 2.0, 0.3, 2.0 / 3])


@st.composite
def grids_and_regions(draw):
    grid = Grid(draw(SIZES), draw(st.integers(1, 9)), draw(st.integers(1, 20)), draw(GUTTERS), 14.0, 60)
    first = draw(st.integers(1, grid.columns))
    last = draw(st.integers(first, grid.columns))
    region = Region("r", 1, RegionKind.TEXT, first, last, 1, 10, draw(st.integers(1, last - first + 1)),
                    draw(GUTTERS))
    return grid, region, draw(st.sampled_from([0.0, 56.69291338582677, 28.346456692913385, 20.0]))


@settings(max_examples=300, deadline=None)
@given(grids_and_regions())
def test_the_methods_give_the_numbers_the_stages_computed_themselves_to_the_last_bit(case):
    """The expressions below are the ones the stages had (in the same order of floating-point
    operations): the PDFs stayed byte-identical when the stages moved to the methods."""
    grid, region, margin = case
    span, n, g, size = region.span, region.text_columns, region.gutter_chars, grid.body_size
    span_chars = span * grid.column_chars + (span - 1) * grid.gutter_chars
    measure = (span_chars - (n - 1) * g) / n
    x0 = grid.column_x(region.first_column)
    x1 = grid.column_x(region.last_column) + grid.column_chars * size
    assert region.width_chars(grid) == span_chars and grid.span_width_chars(span) == span_chars
    assert region.width(grid) == span_chars * size  # compose.headline_block
    assert region.measure_chars(grid) == measure  # flow/frames, the layout loader
    assert grid.text_column_chars(span, n, g) == measure
    assert region.measure(grid) == measure * size
    assert region.left(grid) == x0 and region.right(grid) == x1  # flow/frames.region_box
    assert region.left(grid, margin) == margin + x0  # furniture, headline x
    # compose.overset_marker: the margin added first
    assert region.right(grid, margin) == margin + grid.column_x(region.last_column) + grid.column_chars * size
    for i in range(n):
        assert region.text_column_x(grid, i) == x0 + i * (measure + g) * size  # flow/frames
    for i in range(1, n):  # furniture.region_rules
        gutter_left = x0 + (i * measure + (i - 1) * g) * size
        assert region.column_rule_x(grid, i, margin) == margin + gutter_left + g * size / 2


def test_frames_are_the_regions_text_columns_inside_a_boxs_padding():
    layout = simple_layout([text_region("a", 1, (1, 10), (1, 3), text_columns=2)], columns=3, column_chars=10)
    grid, region = layout.grid, layout.regions["a"]
    frames = region_frames(grid, region)
    assert [(f.x, f.width) for f in frames] == [(region.text_column_x(grid, i), region.measure(grid)) for i in (0, 1)]
    boxed = Region("b", 1, RegionKind.TEXT, 1, 3, 1, 10, 2, 1.0, box=Box(padding=1.0))
    inset = grid.body_size
    frames = region_frames(grid, boxed)
    assert frames[0].x == boxed.left(grid) + inset and frames[0].width == boxed.measure(grid) - inset
    assert frames[1].x == boxed.text_column_x(grid, 1) and frames[1].width == boxed.measure(grid) - inset
    assert frames[1].x + frames[1].width == boxed.right(grid) - inset
    assert [(f.first_line, f.lines) for f in frames] == [(2, 8), (2, 8)]  # a line of padding above and below


def test_page_composition_takes_no_geometry_from_the_flow_stage():
    for path in (ROOT / "src" / "paiban" / "page").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").startswith("paiban.flow"), (path.name, node.module)
            elif isinstance(node, ast.Import):
                assert not any(a.name.startswith("paiban.flow") for a in node.names), path.name


def test_grid_has_no_type_height():
    """It was never used: the type area's height is the page's (rows are derived from it)."""
    assert not hasattr(Grid, "type_height")


def test_layouts_that_differ_only_in_a_style_or_a_region_compare_unequal():
    from dataclasses import replace

    from paiban.model.spec import Edition, TextStyle

    layout = simple_layout([text_region("a", 1, (1, 10))])
    same = simple_layout([text_region("a", 1, (1, 10))])
    assert layout == same and hash(layout) == hash(same)
    assert replace(layout, styles={**layout.styles, "body": TextStyle("body", size=10.5)}) != layout
    assert replace(layout, regions={"a": text_region("a", 1, (1, 11))}) != layout
    assert replace(layout, font_overrides={"song": (Path("x.ttf"), 0)}) != layout
    assert replace(layout, edition=Edition(sections={2: "要闻"})) != layout
    # the dicts still do not hash: a layout hashes as before
    hash(replace(layout, styles={**layout.styles, "body": TextStyle("body", size=10.5)}))
