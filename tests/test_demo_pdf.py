"""The bundled demo, built for real: text read back from the PDF proves what was printed."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
from conftest import DEMO, SPACE, assert_stories_read_back, region_text

from paiban import pipeline
from paiban.input.article_reader import read_article
from paiban.text.charclass import NOT_AT_LINE_END, NOT_AT_LINE_START



@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "demo.pdf"
    result = pipeline.run(DEMO, out)
    return result, out


def pdf_pages_text(path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    try:
        return [page.get_textpage().get_text_range() for page in pdf]
    finally:
        pdf.close()


def test_demo_has_two_pages_and_no_overset_or_missing_glyph(demo):
    result, out = demo
    assert result.report.pages >= 2
    assert result.report.overset == 0
    assert result.report.missing == ()
    assert len(pdf_pages_text(out)) == result.report.pages


def test_every_story_reads_back_from_the_pdf_exactly_once_in_order(demo):
    result, out = demo
    layout = result.layout
    pdf = pdfium.PdfDocument(str(out))
    try:
        assert_stories_read_back(pdf, layout)
        # the lead's headline is printed once, above its body, between the layout's kicker and subtitle
        head = SPACE.sub("", region_text(pdf, layout, "lead-head"))
        lead = layout.stories[0]
        parts = (lead.kicker_text, read_article(lead.article).headline.main, lead.subtitle_text)
        assert head == SPACE.sub("", "".join(parts))
    finally:
        pdf.close()


def test_lead_ends_page_one_with_the_to_jump_and_starts_page_two_with_the_from_jump(demo):
    result, out = demo
    pdf = pdfium.PdfDocument(str(out))
    try:
        page1 = SPACE.sub("", region_text(pdf, result.layout, "lead-body"))
        page2 = SPACE.sub("", region_text(pdf, result.layout, "lead-cont"))
    finally:
        pdf.close()
    assert page1.endswith("（下转第二版）")
    assert page2.startswith("（上接第一版）")


def test_page_one_shows_headline_byline_and_15_character_columns(demo):
    result, _ = demo
    page1 = result.document.pages[0]
    kinds = {ln.kind for ln in page1.lines}
    assert {"headline", "byline", "body"} <= kinds
    body = [ln for ln in page1.lines if ln.kind == "body" and ln.story == "lead"]
    assert {round(ln.width / ln.size, 6) for ln in body} == {15.0}
    headline = next(ln for ln in page1.lines if ln.kind == "headline")
    lead = result.layout.regions["lead-body"]
    grid = result.layout.grid
    left = result.layout.page.margin_left + grid.column_x(lead.first_column)
    assert headline.x == pytest.approx(left)
    assert headline.width == pytest.approx((lead.span * 15 + lead.span - 1) * grid.body_size)
    # the headline's glyphs are centred over the story's columns
    x0, x1 = headline.xs[0], headline.xs[-1]
    centre = (x0 + x1 + headline.size) / 2
    assert centre == pytest.approx(headline.x + headline.width / 2, abs=headline.size)


def test_no_demo_line_breaks_a_kinsoku_rule(demo):
    result, _ = demo
    for page in result.document.pages:
        for ln in page.lines:
            if ln.kind in ("body", "subhead", "byline") and ln.text:
                assert ln.text[0] not in NOT_AT_LINE_START, ln.text
                assert ln.text[-1] not in NOT_AT_LINE_END, ln.text


def test_building_twice_gives_byte_identical_pdfs(demo, tmp_path):
    _, first = demo
    second = tmp_path / "again.pdf"
    pipeline.run(DEMO, second)
    assert first.read_bytes() == second.read_bytes()


def test_fonts_are_embedded_subsets_and_no_base14_font_appears(demo):
    _, out = demo
    data = out.read_bytes()
    basefonts = re.findall(rb"/BaseFont\s*/([^\s/>]+)", data)
    assert basefonts, "no fonts found"
    for name in basefonts:
        assert re.match(rb"[A-Z]{6}\+", name), name
    assert b"Helvetica" not in data
    # one embedded program per font descriptor: CFF (FontFile3) or TrueType (FontFile2)
    programs = data.count(b"/FontFile2") + data.count(b"/FontFile3")
    assert programs == len(re.findall(rb"/Type\s*/FontDescriptor", data)) > 0
    assert b"/Lang (zh-CN)" in data or b"/Lang(zh-CN)" in data


def test_page_one_renders_ink_in_the_story_columns_and_none_beside_them(demo):
    result, out = demo
    pdf = pdfium.PdfDocument(str(out))
    try:
        image = pdf[0].render(scale=30 / 72, grayscale=True).to_pil()
        trim_x, trim_y = pdf[0].get_trimbox()[:2]  # the page as designed, inside the marks
    finally:
        pdf.close()
    scale = 30 / 72
    layout = result.layout
    top = layout.page.height - layout.grid_top(layout.pages[0]) + trim_y

    def darkness(x0, x1, line0, line1) -> float:
        box = (int((x0 + trim_x) * scale), int((top + (line0 - 1) * layout.grid.line_pitch) * scale),
               int((x1 + trim_x) * scale), int((top + line1 * layout.grid.line_pitch) * scale))
        crop = image.crop(box)
        pixels = crop.convert("L").tobytes()
        return sum(255 - p for p in pixels) / (255 * len(pixels))

    grid = layout.grid
    left = layout.page.margin_left
    lead = layout.regions["lead-body"]
    story_x1 = left + grid.column_x(lead.last_column) + grid.column_chars * grid.body_size
    assert darkness(left, story_x1, lead.first_line, lead.last_line) > 0.05
    # the picture is drawn where its region is
    pic = layout.regions["lead-picture"]
    assert darkness(left + grid.column_x(pic.first_column), left + grid.column_x(pic.last_column),
                    pic.first_line, pic.first_line + 10) > 0.2
    # no ink in the gutter between the lead's first two columns: lines keep to their measure
    gutter_x = left + grid.column_x(2)
    assert darkness(gutter_x - grid.body_size + 2.5, gutter_x - 2, lead.first_line, lead.last_line - 1) < 0.002
