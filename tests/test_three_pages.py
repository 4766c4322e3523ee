"""The 3-page, 4-story layout: jumps named right, every story read back from the PDF once."""

from __future__ import annotations


import pypdfium2 as pdfium
import pytest
from conftest import JUMP_TEXT as JUMP
from conftest import ROOT, SPACE, assert_stories_read_back, region_text

from paiban import pipeline
from paiban.render.text_trace import text_trace
from paiban.units import chinese_numeral

LAYOUT = ROOT / "layouts" / "three-pages.yaml"
GOLDEN = ROOT / "tests" / "goldens" / "three-pages.trace"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("three") / "three-pages.pdf"
    return pipeline.run(LAYOUT, out), out


def test_layout_has_three_pages_four_stories_and_the_threads_the_issue_asks_for(built):
    result, _ = built
    layout = result.layout
    assert len(layout.pages) == 3 and len(layout.stories) == 4
    lead = next(s for s in layout.stories if s.name == "lead")
    assert [layout.regions[r].page for r in lead.thread] == [1, 3, 2]
    port = next(f for f in result.flows if f.story == "port")
    widths = {ln.measure for ln in port.lines if ln.units}
    assert len(widths) == 2, widths  # 15 and 23 characters
    assert result.report.overset == 0


def test_every_jump_line_names_the_page_the_story_goes_to_or_comes_from(built):
    result, out = built
    layout = result.layout
    pdf = pdfium.PdfDocument(str(out))
    try:
        checked = 0
        for story in layout.stories:
            pages = [layout.regions[r].page for r in story.thread]
            for i, name in enumerate(story.thread):
                text = SPACE.sub("", region_text(pdf, layout, name))
                for kind, numeral in JUMP.findall(text):
                    if kind == "下转":
                        assert numeral == chinese_numeral(pages[i + 1]), (story.name, name)
                    else:
                        assert numeral == chinese_numeral(pages[i - 1]), (story.name, name)
                    checked += 1
        assert checked >= 6  # lead: 2 × (下转 + 上接); port: 下转 + 上接
    finally:
        pdf.close()


def test_every_story_reads_back_from_the_pdf_exactly_once_in_order(built):
    result, out = built
    layout = result.layout
    pdf = pdfium.PdfDocument(str(out))
    try:
        assert_stories_read_back(pdf, layout)
    finally:
        pdf.close()


def test_culture_story_final_segment_is_balanced_over_its_columns(built):
    result, _ = built
    flow = next(f for f in result.flows if f.story == "culture")
    per_column: dict[int, int] = {}
    for ln in flow.lines:
        per_column[ln.column] = per_column.get(ln.column, 0) + 1
    counts = [per_column.get(c, 0) for c in range(5)]
    total = len(flow.lines)
    height = -(-total // 5)
    # equal columns; the shortfall at the foot of the last column only
    assert counts == [height] * 4 + [total - 4 * height], counts
    rows = result.layout.regions["culture-body"].lines  # the region is sized to the story: no hole
    assert rows == height
    assert flow.underset_lines == 5 * rows - total


def test_three_pages_golden_trace(built, golden):
    result, _ = built
    golden(GOLDEN, text_trace(result.document))
