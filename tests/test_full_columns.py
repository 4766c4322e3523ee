"""Full columns: page 1 with the masthead has no running-head margin (its type area starts where
the running head's room begins, `margins.running_head`, with as many more grid lines), and the
report names the holes a story leaves at the foot of a region (kind ``hole``: page, region, lines)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import DEMO, simple_layout, text_region

from paiban import pipeline
from paiban.errors import PaibanError
from paiban.flow.holes import SLACK_LINES, region_holes
from paiban.flow.thread_flow import flow_story
from paiban.input.layout_loader import load_layout
from paiban.model.article import Article, Paragraph
from paiban.model.spec import RegionKind
from paiban.text.itemize import itemize
from paiban.units import mm


@pytest.fixture(scope="module")
def demo():
    return pipeline.run(DEMO, None)


def _top(page) -> float:
    """The highest mark on a composed page: glyph tops, rules, boxes, pictures."""
    tops = [ln.y + 0.88 * ln.size for ln in page.lines]
    tops += [max(r.y0, r.y1) for r in page.rules] + [r.y + r.h for r in page.rects]
    tops += [im.y + im.h for im in page.images]
    return max(tops)


def test_page_1_with_the_masthead_starts_at_its_type_area_without_the_running_heads_room(demo):
    layout = demo.layout
    geo, grid = layout.page, layout.grid
    room = math.floor(mm(15) / grid.line_pitch)  # demo.yaml: margins.running_head: 15mm
    assert geo.head_lines == room == 3
    first, second = demo.document.pages[0], demo.document.pages[1]
    assert any(r.kind is RegionKind.MASTHEAD and r.page == first.number for r in layout.regions.values())
    # page 1's type area starts the running head's lines higher, and the masthead (and the ear
    # beside it) start right there: nothing of the 40 mm margin is left above them but the page's own
    assert layout.grid_top(first.number) == geo.type_top + room * grid.line_pitch
    assert _top(first) == pytest.approx(layout.grid_top(first.number), abs=0.01)
    assert geo.height - _top(first) < mm(26)
    # page 1 has the running head's lines as grid lines: its last line is every page's last line
    assert layout.rows_on(first.number) == grid.rows + room
    assert (layout.grid_top(first.number) - layout.rows_on(first.number) * grid.line_pitch
            == pytest.approx(layout.grid_top(second.number) - layout.rows_on(second.number) * grid.line_pitch))
    assert max(r.last_line for r in layout.regions.values() if r.page == first.number) == grid.rows + room
    # page 2 has its running head inside that room, above the same type area as before
    assert layout.grid_top(second.number) == geo.type_top
    heads = [ln for ln in second.lines if ln.kind == "running_head"]
    assert heads and all(geo.type_top < ln.y and ln.y + 0.88 * ln.size <= geo.type_top + room * grid.line_pitch
                         for ln in heads)
    assert not [ln for ln in first.lines if ln.kind == "running_head"]


def _layout_text(tmp_path: Path, running_head: str, body_lines: str, page2_lines: str) -> Path:
    (tmp_path / "a.txt").write_text("---\nheadline: 标题\n---\n\n" + "中文正文。" * 20 + "\n", encoding="utf-8")
    path = tmp_path / "layout.yaml"
    path.write_text(f"""
page: {{size: broadsheet, margins: {{top: 40mm, bottom: 20mm, running_head: {running_head}}}}}
grid: {{body_size: 9pt, columns: 2, column_chars: 15, gutter_chars: 1, line_pitch: 14pt, rows: 98}}
pages:
  - page: 1
    regions:
      - {{name: masthead, kind: masthead, columns: [1, 2], lines: [1, 12]}}
      - {{name: body, columns: [1, 2], lines: {body_lines}}}
  - page: 2
    regions:
      - {{name: more, columns: [1, 2], lines: {page2_lines}}}
stories:
  - {{name: s, article: a.txt, thread: [body, more]}}
""", encoding="utf-8")
    return path


def test_the_running_heads_room_gives_the_masthead_page_its_lines_and_no_other(tmp_path):
    layout = load_layout(_layout_text(tmp_path, "15mm", "[20, 101]", "[1, 98]"))
    assert (layout.page.head_lines, layout.rows_on(1), layout.rows_on(2)) == (3, 101, 98)
    with pytest.raises(PaibanError, match="1…98|98"):
        load_layout(_layout_text(tmp_path, "15mm", "[20, 101]", "[1, 99]"))
    with pytest.raises(PaibanError, match="running head's room"):
        load_layout(_layout_text(tmp_path, "45mm", "[20, 30]", "[1, 98]"))
    plain = load_layout(_layout_text(tmp_path, "0mm", "[20, 98]", "[1, 98]"))
    assert plain.grid_top(1) == plain.page.type_top and plain.rows_on(1) == 98


def _flow(layout, text: str):
    article = Article(Path("a.txt"), paragraphs=(Paragraph(text),))
    return flow_story(layout.stories[0], article, layout, lambda t, style: itemize(t, style.punctuation.value))


def test_a_story_short_of_its_region_by_more_than_a_line_is_reported_as_a_hole():
    layout = simple_layout([text_region("r", 3, (5, 14), columns=(1, 2), text_columns=2)], columns=2,
                           column_chars=5)
    # 10 lines a column; 12 lines of text balance or fill to 6 + 6 (or 10 + 2): the region's
    # fuller column ends 4 lines above its foot at best
    short = _flow(layout, "中" * 60)
    (hole,) = region_holes(layout, layout.stories[0], short)
    assert (hole.kind, hole.page, hole.story) == ("hole", 3, "s")
    empty = 14 - max(ln.grid_line for ln in short.lines)
    assert empty > SLACK_LINES and f"region r ends {empty} lines short" in hole.message
    # a full region, and one a line short of it, are not holes
    assert region_holes(layout, layout.stories[0], _flow(layout, "中" * 100)) == []
    nearly = _flow(layout, "中" * 95)
    assert 14 - max(ln.grid_line for ln in nearly.lines) <= SLACK_LINES
    assert region_holes(layout, layout.stories[0], nearly) == []
    # an overset story leaves no hole
    assert region_holes(layout, layout.stories[0], _flow(layout, "中" * 200)) == []


def test_the_build_report_lists_holes_and_the_demo_has_none(demo):
    holes = [w for w in demo.report.warnings if w.kind == "hole"]
    for w in holes:
        assert w.page in demo.layout.pages and w.story and "lines short of its foot" in w.message
    expected = [w for spec, flow in zip(demo.layout.stories, demo.flows) for w in region_holes(demo.layout, spec, flow)]
    assert holes == expected
    assert holes == [], "the demo's regions are sized to their stories: no column ends a line short of more"
