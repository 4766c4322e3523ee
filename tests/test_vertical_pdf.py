"""Vertical setting (竖排, issue 21), checked on the PDF of the sample layouts/vertical.yaml.

The sample has a horizontal story with a vertical headline beside it (竖题), and a supplement
piece (副刊) set vertically in three tiers that jumps to page 2, where it goes on vertically.
Everything here is read back from the PDF: the text with PDFium (and poppler's pdftotext when
it is installed), the glyphs' boxes and angles with PDFium, the glyph codes and the embedded
font programs with pikepdf and fontTools.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from paiban import pipeline
from paiban.fonts.vertical_glyphs import STAND_IN_BASE, VERTICAL_MARKS, vertical_facts
from paiban.input.article_reader import read_article
from paiban.model.vertical_geometry import height_chars, is_vertical, region_top
from paiban.text.charclass import NOT_AT_LINE_END, NOT_AT_LINE_START
from paiban.render.text_operators import CodeSpace

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "layouts" / "vertical.yaml"
ESSAY = ROOT / "layouts" / "articles" / "vertical-essay.txt"
#: the marks the issue names; the sample's vertical text holds every one of them
MARKS = "，。、；：？！“”‘’「」『』（）《》—…"
TO_PAGE, FROM_PAGE = "（下转第二版）", "（上接第一版）"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("vertical") / "vertical.pdf"
    result = pipeline.run(SAMPLE, out)
    assert not result.report.missing
    return result, out


def test_the_sample_builds_without_a_warning(built):
    """No hole (regions sized to their stories, vertical ones too), no shrunk headline, no
    low-resolution picture, no overset."""
    result, _ = built
    assert result.report.warnings == () and not result.report.low_resolution
    assert not result.report.overset


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _essay_text() -> str:
    return "".join(p.text for p in read_article(ESSAY).paragraphs)


def _pdfium_pages(path: Path) -> list[str]:
    pdf = pdfium.PdfDocument(str(path))
    return [_squash(pdf[i].get_textpage().get_text_range()) for i in range(len(pdf))]


def _story_reads_in_order(pages: list[str]) -> None:
    essay = _essay_text()
    one, two = pages
    start = one.index("□样稿")
    seg1 = one[start:one.index(TO_PAGE, start)]
    after = two.index(FROM_PAGE) + len(FROM_PAGE)
    seg2 = two[after:after + len(essay) - len(seg1)]
    assert len(seg1) > 500 and len(seg2) > 50  # the piece really goes on on page 2
    assert seg1 + seg2 == essay
    everything = one + two
    assert everything.count(seg1) == 1 and everything.count(seg2) == 1


def test_the_vertical_story_reads_back_once_in_order_with_pdfium(built):
    _, path = built
    _story_reads_in_order(_pdfium_pages(path))


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_the_vertical_story_reads_back_once_in_order_with_poppler(built):
    _, path = built
    pages = []
    for number in (1, 2):
        text = subprocess.run(["pdftotext", "-raw", "-f", str(number), "-l", str(number), str(path), "-"],
                              check=True, capture_output=True, text=True).stdout
        pages.append(_squash(text))
    _story_reads_in_order(pages)


def test_vertical_headlines_read_back_once_kicker_first(built):
    _, path = built
    one = _pdfium_pages(path)[0]
    port = "示例稿件（为演示排版而写，非真实新闻）港区集装箱航线再添新成员——一季度吞吐量同比增长百分之十二"
    assert one.count(port) == 1
    assert one.count("海风副刊海边的旧书摊") == 1


# ---- geometry, from PDFium's glyph boxes -------------------------------------------------------

def _region_chars(path: Path, layout, page_index: int, name: str) -> list[tuple[str, tuple, float]]:
    """(char, box, angle) of the drawn characters inside region `name`, in PDFium's text order."""
    region = layout.regions[name]
    grid = layout.grid
    left, right = region.left(grid, layout.page.margin_left), region.right(grid, layout.page.margin_left)
    top = region_top(layout, region)
    bottom = top - height_chars(grid, region) * grid.body_size
    page = pdfium.PdfDocument(str(path))[page_index]
    trim_x, trim_y, _, _ = page.get_trimbox()  # the page as composed starts at the trim (marks around it)
    left, right, top, bottom = left + trim_x, right + trim_x, top + trim_y, bottom + trim_y
    textpage = page.get_textpage()
    out = []
    for i in range(textpage.count_chars()):
        ch = textpage.get_text_range(i, 1)
        if not ch.strip() or pdfium_c.FPDFText_IsGenerated(textpage.raw, i):
            continue
        box = textpage.get_charbox(i)
        cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
        if left - 1 <= cx <= right + 1 and bottom - 1 <= cy <= top + 1:
            out.append((ch, box, pdfium_c.FPDFText_GetCharAngle(textpage.raw, i)))
    return out


def _lines(chars: list[tuple[str, tuple, float]], size: float) -> list[list[tuple[str, tuple, float]]]:
    """The characters cut into lines where the next one starts above the previous one or an em
    or more to its side (a new line, or the next tier)."""
    lines: list[list] = []
    for item in chars:
        if lines and item[1][3] <= lines[-1][-1][1][3] + size / 2 \
                and abs(item[1][0] + item[1][2] - lines[-1][-1][1][0] - lines[-1][-1][1][2]) / 2 < size:
            lines[-1].append(item)
        else:
            lines.append([item])
    return lines


def _vertical_lines(built):
    result, path = built
    layout = result.layout
    size = layout.grid.body_size
    return [(name, _lines(_region_chars(path, layout, page, name), size))
            for page, name in ((0, "essay-body"), (1, "essay-more"))], layout


def test_vertical_lines_stack_top_to_bottom_and_follow_right_to_left(built):
    regions, layout = _vertical_lines(built)
    size, pitch = layout.grid.body_size, layout.grid.line_pitch
    for name, lines in regions:
        assert len(lines) > 5
        previous_centre = previous_start = None
        for line in lines:
            xs = [x for _, box, _ in line for x in (box[0], box[2])]
            assert max(xs) - min(xs) <= 1.05 * size, f"{name}: a line wider than its column: {line}"
            centre = (max(xs) + min(xs)) / 2
            for (a, box_a, _), (b, box_b, _) in zip(line, line[1:]):
                ya, yb = (box_a[1] + box_a[3]) / 2, (box_b[1] + box_b[3]) / 2
                if abs(ya - yb) < 1.0:  # side by side: only the digits of a 纵中横 number
                    assert a.isdigit() and b.isdigit() and box_b[0] > box_a[0]
                else:
                    assert yb < ya, f"{name}: {b!r} is drawn above {a!r}"
            start = line[0][1][3]
            if previous_centre is not None:
                if abs(start - previous_start) <= 2.5 * size:  # the next line of the same tier
                    assert previous_centre - centre == pytest.approx(pitch, abs=1.5)
                else:  # the next tier: lower down, from the right again
                    assert start < previous_start - 10 * size and centre > previous_centre
            previous_centre, previous_start = centre, start


def test_no_vertical_line_starts_or_ends_against_the_kinsoku_tables(built):
    regions, _ = _vertical_lines(built)
    checked = 0
    for _, lines in regions:
        for line in lines:
            text = "".join(ch for ch, _, _ in line)
            assert text[0] not in NOT_AT_LINE_START, text
            assert text[-1] not in NOT_AT_LINE_END, text
            checked += 1
    assert checked > 40
    # the composed lines say the same, with the line ends as composition made them (a display
    # line may start with the author's text: a 副题 opens with ——)
    result, _ = built
    texts = [ln.text for page in result.document.pages for ln in page.lines
             if ln.modes and ln.kind in ("body", "byline", "subhead", "jump")]
    assert texts and all(t[0] not in NOT_AT_LINE_START and t[-1] not in NOT_AT_LINE_END for t in texts)


def test_two_digit_numbers_stand_across_the_column_and_latin_words_turn(built):
    regions, _ = _vertical_lines(built)
    chars = [item for _, lines in regions for line in lines for item in line]
    text = "".join(ch for ch, _, _ in chars)
    at = text.index("12年")
    (_, one, a1), (_, two, a2) = chars[at], chars[at + 1]
    assert abs((one[1] + one[3]) / 2 - (two[1] + two[3]) / 2) < 1.0  # side by side …
    assert one[2] <= two[0] + 0.2 and a1 == a2 == 0  # … left to right, upright
    for word in ("Wi-Fi", "CBD", "2024"):
        at = text.index(word)
        letters = chars[at:at + len(word)]
        for ch, box, angle in letters:
            assert math.isclose(angle, 3 * math.pi / 2, abs_tol=0.01) or math.isclose(angle, math.pi / 2, abs_tol=0.01), \
                (word, ch, angle)
        tops = [box[3] for _, box, _ in letters]
        assert tops == sorted(tops, reverse=True)  # the turned word runs down the column
    assert chars[text.index("老")][2] == 0  # hanzi stand upright


def test_a_jump_line_closes_the_vertical_segment_and_the_continuation_opens_with_it(built):
    result, _ = built
    lines = [ln for page in result.document.pages for ln in page.lines if ln.story == "essay" and ln.modes]
    first_page = [ln for ln in lines if ln.region == "essay-body"]
    second_page = [ln for ln in lines if ln.region == "essay-more"]
    assert first_page[-1].text.endswith(TO_PAGE)
    assert second_page[0].text.startswith(FROM_PAGE)
    assert all(is_vertical(result.layout.regions[ln.region]) for ln in lines)


# ---- glyphs: codes in the content stream, outlines in the embedded fonts ------------------------

def _drawn_codes(path: Path) -> tuple[Counter, Counter, dict[str, bytes]]:
    """(codes drawn with vertical fonts, codes drawn turned in horizontal fonts, vertical font
    resource → its embedded font program)."""
    vertical, turned = Counter(), Counter()
    programs: dict[str, bytes] = {}
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            fonts = page.Resources.Font
            for name in fonts.keys():
                font = fonts[name]
                if font.Encoding == pikepdf.Name("/Identity-V"):
                    descriptor = font.DescendantFonts[0].FontDescriptor
                    cff = descriptor.get("/FontFile3")  # a TrueType face (LXGW WenKai) has FontFile2
                    programs[name] = cff.read_bytes() if cff is not None else b""
            font = matrix = None
            for operands, operator in pikepdf.parse_content_stream(page):
                op = str(operator)
                if op == "Tf":
                    font = str(operands[0])
                elif op == "Tm":
                    matrix = [float(v) for v in operands]
                elif op in ("TJ", "Tj"):
                    items = operands[0] if op == "TJ" else [operands[0]]
                    data = b"".join(bytes(item) for item in items if isinstance(item, pikepdf.String))
                    codes = [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]
                    if font in programs:
                        vertical.update(codes)
                    elif matrix is not None and matrix[:4] == [0, -1, 1, 0]:
                        turned.update(codes)
    return vertical, turned, programs


def test_every_mark_of_the_vertical_text_is_drawn_as_the_fonts_vertical_form(built):
    result, path = built
    vertical, turned, programs = _drawn_codes(path)
    layout, glyphs = result.layout, result.glyphs
    essay = read_article(ESSAY)
    texts = [p.text for p in essay.paragraphs] + [essay.headline.kicker, essay.headline.main, TO_PAGE, FROM_PAGE]
    port = read_article(ROOT / "layouts" / "articles" / "sample-port.txt").headline
    texts += [port.kicker, port.main, port.subtitle]
    wanted = Counter(ch for text in texts for ch in text if ch in MARKS)
    assert set(wanted) == set(MARKS), "the sample holds every mark the issue names"
    for mark, count in wanted.items():
        role_faces = {layout.styles[s].font for s in ("essay", "essay-byline", "essay-head", "essay-kicker",
                                                        "headline", "kicker", "subtitle")}
        forms = [vertical_facts(glyphs.faces[glyphs.info(role, mark).face]).forms for role in role_faces]
        if all(mark in f for f in forms):  # drawn as its vertical form's stand-in, never as itself
            assert vertical[STAND_IN_BASE + VERTICAL_MARKS.index(mark)] == count, mark
            assert vertical[CodeSpace().cid(mark)] == 0 and turned[CodeSpace().cid(mark)] == 0, mark
        else:  # the font has no vertical form (Noto CJK's U+2014): turned a quarter
            assert mark == "—" and not any(mark in f for f in forms)
            assert turned[CodeSpace().cid(mark)] == count
    # and each stand-in's glyph in the embedded program is the font's vert/vrt2 glyph
    face = glyphs.faces[glyphs.info("song", "，").face]
    facts = vertical_facts(face)
    with TTFont(str(face.path), fontNumber=face.index, lazy=True) as source:
        source_glyphs = source.getGlyphSet()
        assert any(data and _program_holds(data, facts, source, source_glyphs) for data in programs.values())


def _program_holds(data: bytes, facts, source, source_glyphs) -> bool:
    """Whether the embedded CFF program draws every vertical form of `facts` it has a stand-in
    for with the outline of the source font's vertical glyph (same bounds), and has some."""
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff[cff.fontNames[0]]
    charstrings = top.CharStrings
    compared = 0
    for mark, form in facts.forms.items():
        name = f"cid{STAND_IN_BASE + VERTICAL_MARKS.index(mark):05d}"
        if name not in charstrings:
            continue
        drawn, wanted = BoundsPen(None), BoundsPen(source_glyphs)
        charstrings[name].draw(drawn)
        source_glyphs[source.getGlyphName(form.gid)].draw(wanted)
        if drawn.bounds != wanted.bounds:
            return False
        horizontal = BoundsPen(source_glyphs)
        source_glyphs[source.getBestCmap()[ord(mark)]].draw(horizontal)
        compared += horizontal.bounds != wanted.bounds
    return compared >= 20


# ---- reading order where a short last line meets an indented first line --------------------------

_SHORT_END_LAYOUT = """\
title: short paragraph ends, vertically
page: {size: a4, margins: {top: 20mm, bottom: 20mm, left: auto}}
grid: {body_size: 9, columns: 2, column_chars: 10, gutter_chars: 1, line_pitch: 1.5, rows: auto}
pages:
  - page: 1
    regions:
      - {name: body, columns: 1, lines: [1, 7], text_columns: 1, writing_mode: vertical}
stories:
  - {name: s, article: a.txt, thread: [body]}
"""


def test_a_short_last_line_before_an_indented_one_reads_back_in_order(tmp_path):
    """Lines of 10 characters: each paragraph's last line holds two characters and 。, whose
    foot lies where the next paragraph's first line starts (two em down, its indent). pdfium
    takes text objects that start at one height as one line, so the 。 drawn as a text object
    of its own would read after the next line; it reads in its place."""
    paragraphs = ["天地玄黄宇宙洪荒日月。", "盈昃辰宿列张寒来暑往。", "秋收冬藏闰余成岁律吕。"]
    (tmp_path / "a.txt").write_text("---\nheadline: 测试\n---\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    (tmp_path / "v.yaml").write_text(_SHORT_END_LAYOUT, encoding="utf-8")
    result = pipeline.run(tmp_path / "v.yaml", tmp_path / "v.pdf")
    lines = [ln for page in result.document.pages for ln in page.lines if ln.modes]
    ends = [(ln.y - ln.ys[-1]) / ln.size for ln in lines if ln.text.endswith("。")]
    starts = [(ln.y - ln.ys[0]) / ln.size for ln in lines[1:] if ln.text[0] in "盈秋"]
    assert ends[:2] == pytest.approx([2.0, 2.0], abs=0.1) and starts == pytest.approx([2.0, 2.0], abs=0.1)
    assert _pdfium_pages(tmp_path / "v.pdf")[0].count("".join(paragraphs)) == 1


def test_a_vertical_region_left_short_is_a_hole_counted_in_its_lines(tmp_path):
    """A story that fills two of the seven vertical lines of its region: a `hole` naming the
    lines left empty at the region's left edge (not a grid line: the region's lines run across)."""
    (tmp_path / "a.txt").write_text("---\nheadline: 测试\n---\n\n天地玄黄宇宙洪荒日月。\n", encoding="utf-8")
    (tmp_path / "v.yaml").write_text(_SHORT_END_LAYOUT, encoding="utf-8")
    result = pipeline.run(tmp_path / "v.yaml", None)
    holes = [w for w in result.report.warnings if w.kind == "hole"]
    assert len(holes) == 1 and holes[0].page == 1 and holes[0].story == "s"
    assert "vertical region body leaves 5 of its 7 lines empty at its left edge" in holes[0].message
    assert "grid line" not in holes[0].message


def test_the_live_server_flows_the_vertical_story_as_the_build_does(built, tmp_path):
    """`paiban serve` flows a story that starts in a vertical region with the vertical units
    too (纵中横 numbers one em wide): its lines are the build's."""
    from paiban.serve.session import Session

    result, _ = built
    session = Session(SAMPLE, tmp_path / "out")
    try:
        assert session.rebuild().error is None
        served = {s.name: flow for s, _, flow in session.flows()[0].stories}
    finally:
        session.close()
    names = [s.name for s in result.layout.stories]
    essay = result.flows[names.index("essay")]
    assert [(ln.region, ln.column, ln.grid_line, "".join(u.text for u in ln.units)) for ln in served["essay"].lines] == \
        [(ln.region, ln.column, ln.grid_line, "".join(u.text for u in ln.units)) for ln in essay.lines]
    assert served["essay"] == essay
