"""Geometry of the page furniture: headlines, pictures, rules, running heads (issue: the page)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, full_text, placed_glyphs

from paiban import pipeline
from paiban.model.spec import RegionKind
from paiban.units import chinese_numeral


@pytest.fixture(scope="module")
def demo():
    return pipeline.run(DEMO, None)


def boxes_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def line_box(line, result=None):
    """A text line's ink box, one em tall: from the first to the last glyph's advance box, or,
    given the build `result`, to their ink where the font has it measured (marks: a closing
    bracket trimmed to half a cell at the line's end keeps its ink inside the cell while its
    advance box reaches past it)."""
    glyphs = placed_glyphs(line)
    if not glyphs:
        return (line.x, line.y - 0.12 * line.size, line.x, line.y + 0.88 * line.size)
    first, last = glyphs[0], glyphs[-1]
    x0, x1 = first.x, last.x + line.size
    if result is not None:
        faces = result.glyphs.faces
        ink0 = result.registry.metrics(faces[first.face]).ink(first.char)
        ink1 = result.registry.metrics(faces[last.face]).ink(last.char)
        x0 = first.x + ink0[0] * line.size if ink0 else x0
        x1 = last.x + ink1[1] * line.size if ink1 else x1
    return (x0, line.y - 0.12 * line.size, x1, line.y + 0.88 * line.size)


def test_every_headline_spans_exactly_its_story_columns(demo):
    layout = demo.layout
    for story in layout.stories:
        if not story.headline_region:
            continue
        head = layout.regions[story.headline_region]
        body = layout.regions[story.thread[0]]
        assert (head.first_column, head.last_column) == (body.first_column, body.last_column), story.name
        page = demo.document.pages[layout.pages.index(head.page)]
        lines = [ln for ln in page.lines if ln.region == head.name]
        x0, x1 = body.left(layout.grid), body.right(layout.grid)
        for ln in lines:
            assert ln.x == pytest.approx(layout.page.margin_left + x0)
            assert ln.width == pytest.approx(x1 - x0)
            left, _, right, _ = line_box(ln, demo)
            assert left >= ln.x - 0.01 and right <= ln.x + ln.width + 0.01


def test_no_text_line_overlaps_a_picture_or_its_caption(demo):
    layout = demo.layout
    for page in demo.document.pages:
        images = [(im.x, im.y, im.x + im.w, im.y + im.h) for im in page.images]
        captions = [line_box(ln) for ln in page.lines if ln.kind == "caption"]
        assert images or page.number != 1, "the demo's front page has pictures"
        for ln in page.lines:
            if ln.kind in ("caption", "masthead", "masthead_info", "running_head") or not ln.chars:
                continue
            box = line_box(ln)
            for other in images + captions:
                assert not boxes_overlap(box, other), (ln.text, other)
        if page.number == 1:
            pic = next(r for r in layout.regions.values() if r.kind is RegionKind.PICTURE)
            # the picture's columns hold lead text above and below, none beside it
            assert any(ln.story == "lead" and ln.grid_line > pic.last_line and
                       ln.x >= pic.left(layout.grid, layout.page.margin_left) - 0.01
                       for ln in page.lines)


def test_column_rules_sit_centred_in_the_gutters(demo):
    layout = demo.layout
    region = layout.regions["port-body"]
    page = demo.document.pages[0]
    grid = layout.grid
    x0 = region.left(grid)
    measure = region.measure(grid)
    vertical = [r for r in page.rules if r.x0 == r.x1]
    assert vertical
    left_column_right = layout.page.margin_left + x0 + measure
    right_column_left = left_column_right + region.gutter_chars * grid.body_size
    centre = (left_column_right + right_column_left) / 2
    assert any(r.x0 == pytest.approx(centre) for r in vertical)
    # and no body glyph touches a column rule
    for ln in page.lines:
        if ln.region == "port-body":
            for x in ln.xs:
                assert not (x < centre < x + 0.5 * ln.size and abs(x - centre) < 0.5), ln.text


def test_running_head_on_every_page_but_the_first_with_date_weekday_and_page(demo):
    pages = demo.document.pages
    assert not [ln for ln in pages[0].lines if ln.kind == "running_head"]
    assert [ln for ln in pages[0].lines if ln.kind == "masthead"], "page 1 carries the masthead"
    for page in pages[1:]:
        texts = " ".join(ln.text for ln in page.lines if ln.kind == "running_head")
        assert f"第{chinese_numeral(page.number)}版" in texts  # page_numerals: chinese, as the jump lines
        assert "2024年1月5日 星期五" in texts  # 5 January 2024 was a Friday
        assert "西海岸新区报" in texts and "责任编辑" in texts
        head_y = min(ln.y for ln in page.lines if ln.kind == "running_head")
        body_top = max(ln.y for ln in page.lines if ln.kind not in ("running_head",))
        assert head_y > body_top  # above the type area
        assert any(r.y0 == r.y1 and r.y0 < head_y for r in page.rules)  # the rule beneath it


def write_variant(tmp_path: Path, change) -> Path:
    folder = tmp_path / "layouts"
    shutil.copytree(ROOT / "layouts", folder)
    (tmp_path / "seeds").mkdir()
    shutil.copy(ROOT / "seeds" / "000_b4709c2c99975726.txt", tmp_path / "seeds")
    path = folder / "demo.yaml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_a_headline_too_long_is_shrunk_when_allowed_and_reported_when_not(tmp_path):
    long_head = "港区集装箱航线再添新成员　一季度吞吐量同比增长百分之十二创历史新高"
    article = (ROOT / "layouts" / "articles" / "sample-port.txt").read_text(encoding="utf-8")
    article = article.replace("headline: 港区集装箱航线再添新成员", f"headline: {long_head}")

    def shrink(text: str) -> str:
        return text

    path = write_variant(tmp_path, shrink)
    (path.parent / "articles" / "sample-port.txt").write_text(article, encoding="utf-8")
    result = pipeline.run(path, None)
    notes = [str(w) for w in result.report.warnings if "headline" in str(w)]
    assert any("set at" in w for w in notes) or any("even at its smallest" in w for w in notes), notes
    sizes = {ln.size for ln in result.document.pages[0].lines if ln.region == "port-head" and ln.kind == "headline"}
    assert max(sizes) < 26.0  # shrunk from 一号

    no_shrink = path.read_text(encoding="utf-8").replace("shrink_to_fit: true", "shrink_to_fit: false")
    path.write_text(no_shrink, encoding="utf-8")
    result = pipeline.run(path, None)
    assert any("may not shrink" in str(w) for w in result.report.warnings), result.report.warnings


def test_a_low_resolution_picture_is_reported_in_the_build_report(tmp_path):
    from PIL import Image

    path = write_variant(tmp_path, lambda t: t.replace("images/reading-room-placeholder.png", "images/tiny.png"))
    Image.new("RGB", (120, 90), (200, 200, 200)).save(path.parent / "images" / "tiny.png")
    result = pipeline.run(path, None)
    low = [str(w) for w in result.report.warnings if "dpi" in str(w)]
    assert low and re.search(r"tiny\.png: \d+ dpi", low[0]), result.report.warnings


def test_two_em_dash_prints_as_one_solid_rule_in_a_font_whose_dash_is_narrower(demo):
    """Noto Serif CJK SC's U+2014 is 0.89 em: the two glyphs are stretched to meet."""
    glyphs = demo.glyphs
    checked = 0
    for page in demo.document.pages:
        for line in page.lines:
            g = placed_glyphs(line)
            for a, b in zip(g, g[1:]):
                if a.char == b.char == "\u2014":
                    ink_a = glyphs.info("song" if line.kind == "body" else "hei", "\u2014").ink
                    left_a = a.x + ink_a[0] * line.size * a.scale
                    right_a = a.x + ink_a[1] * line.size * a.scale
                    left_b = b.x + ink_a[0] * line.size * b.scale
                    right_b = b.x + ink_a[1] * line.size * b.scale
                    assert a.scale > 1.0 and b.scale > 1.0
                    assert left_b <= right_a + 1e-6, "a gap between the two dashes"
                    assert right_b - left_a == pytest.approx(2 * line.size, abs=0.05 * line.size)
                    checked += 1
    assert checked >= 2  # the seed's 我参与——创新突破 and its subheads' ——


def test_kicker_tracking_spaces_its_characters(demo):
    # the port story's kicker: the `kicker` style, with tracking (the lead's lead-kicker has none)
    kicker = next(ln for ln in demo.document.pages[0].lines if ln.kind == "kicker" and ln.story == "port")
    glyphs = list(zip(kicker.chars, kicker.xs))
    steps = {round(xb - xa, 3) for (a, xa), (b, xb) in zip(glyphs, glyphs[1:])
             if "\u4e00" <= a <= "\u9fff" and "\u4e00" <= b <= "\u9fff"}
    assert round(kicker.size * 1.1, 3) in steps  # 1 em + tracking 0.1 em


def _warning_variant(tmp_path):
    """The demo with tiny pictures on both pages and a headline too big for its region."""
    from PIL import Image

    def change(text: str) -> str:
        return re.sub(r"images/[\w-]+\.png", "images/tiny.png", text) \
                 .replace("brief-headline: {font: hei, size: 三号", "brief-headline: {font: hei, size: 一号")
    path = write_variant(tmp_path, change)
    Image.new("RGB", (40, 30), (200, 200, 200)).save(path.parent / "images" / "tiny.png")
    return path


def test_warnings_of_pages_composed_in_several_processes_keep_the_documents_order(tmp_path):
    """Low-resolution pictures on both pages and a shrunk headline: the same warnings, in the
    same order, whether the pages are composed in one process or in three."""
    path = _warning_variant(tmp_path)
    one = pipeline.run(path, tmp_path / "one.pdf", jobs=1)
    page_warnings = [w for w in map(str, one.report.warnings) if "dpi" in w or "headline" in w]
    assert len(page_warnings) >= 5, one.report.warnings  # pictures on pages 1 and 2, shrunk headlines
    for jobs in (2, 3):
        many = pipeline.run(path, tmp_path / f"{jobs}.pdf", jobs=jobs)
        assert many.report.warnings == one.report.warnings
        assert (tmp_path / f"{jobs}.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()


@pytest.mark.parametrize("layout_file", [DEMO, ROOT / "layouts" / "three-pages.yaml"])
def test_a_placed_line_reads_what_its_flow_line_holds(layout_file):
    """A body line's text is taken from the glyphs justify placed (compose.placed_line): in the
    composed document, each flow line's placed line must read the flow line's text with its jump
    texts, character for character (run-ins, Latin, numbers, dashes, spaces and missing glyphs
    included)."""
    result = pipeline.run(layout_file)
    placed: dict[tuple, list] = {}
    for page in result.document.pages:
        for ln in page.lines:
            placed.setdefault((ln.story, ln.region, ln.column, ln.grid_line), []).append(ln)
    checked = 0
    for flow in result.flows:
        for fl in flow.lines:
            (line,) = placed[(fl.story, fl.region, fl.column, fl.grid_line)]
            assert line.kind == (fl.kind.value if fl.role == "text" else fl.role)
            assert line.text == full_text(fl)
            checked += 1
    assert checked > 200


def test_page_warnings_say_their_kind_page_and_story_and_merge_by_rank(tmp_path):
    """Composing warns with BuildWarnings: a low-resolution picture about its region's page, a
    shrunk headline about its story and the headline region's page. Pages composed one at a
    time, their (rank, warning) pairs sorted on the rank alone, give the document's order."""
    from paiban.page.compose import compose_some_pages

    path = _warning_variant(tmp_path)
    loaded = pipeline.load(path)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout))
    layout, stories = flowed.layout, list(flowed.stories)
    _, in_one_call = compose_some_pages(layout, stories, flowed.glyphs, False, set(layout.pages))
    warnings = [w for _, w in in_one_call]
    pictures = {r.page for r in layout.regions.values() if r.picture is not None}
    low = [w for w in warnings if w.kind == "low-resolution"]
    assert {w.page for w in low} == pictures and len(pictures) > 1
    assert all(w.story == "" and "tiny.png" in w.message and "dpi" in w.message for w in low)
    heads = [w for w in warnings if w.kind in ("headline-shrunk", "headline-does-not-fit")]
    assert heads
    specs = {s.name: s for s in layout.stories}
    for w in heads:
        assert w.message.startswith(f"story {w.story}: headline ")
        assert w.page == layout.regions[specs[w.story].headline_region].page
    assert {w.kind for w in warnings} <= {"low-resolution", "headline-shrunk", "headline-does-not-fit",
                                          "picture-room"}
    ranked = [pair for n in reversed(layout.pages)
              for pair in compose_some_pages(layout, stories, flowed.glyphs, False, {n}, flowed.index)[1]]
    assert [w for _, w in sorted(ranked, key=lambda pair: pair[0])] == warnings
    # the build composes a page a job and merges the same way
    assert pipeline.merged_warnings(f.result() for f in pipeline.compose_pages(flowed, False)) == warnings


def test_a_picture_region_without_room_for_its_image_warns_about_its_page(demo):
    from dataclasses import replace

    from paiban.model.build_warning import BuildWarning
    from paiban.page import furniture

    layout = demo.layout
    pic = next(r for r in layout.regions.values() if r.picture is not None and r.picture.caption)
    short = replace(pic, last_line=pic.first_line + 1)
    out = furniture.picture(layout, short, demo.glyphs, 500.0)
    assert not out.images
    assert out.warnings == [BuildWarning("picture-room", f"picture region {pic.name}: no room for the image above "
                                         "its caption", pic.page)]
