"""Mixed text in the PDF (issue 18): the sample tests/mixed_text/ (numbers with symbols and units,
a URL, an e-mail address, an ISBN, an English name and sentence, a very long Latin word) built
into a PDF and checked from what the PDF shows: the text PDFium extracts and the boxes of its
glyphs (their ink, and their em boxes) and origins, which PDFium gives in the media box: the
layout's coordinates are the trim box's.

PDFium marks a hyphen that ends a line before a letter as U+FFFE (a soft hyphen it joins across
the line break), whether paiban drew it for a hyphenated word or it belongs to the text.
"""

from __future__ import annotations

import ctypes
import re
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import ROOT, body_text, line_text

from paiban import pipeline
from paiban.input.article_reader import read_article
from paiban.page.compose import grid_line_top
from paiban.text.charclass import ELLIPSES, SUPER_SUBSCRIPTS

LAYOUT = ROOT / "tests" / "mixed_text" / "layout.yaml"
ARTICLE = ROOT / "tests" / "mixed_text" / "article.txt"
URL = "https://www.example.com/port/news/2024-05/report?id=3&lang=zh"
EMAIL = "press-office@example.com"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis"
NUMBERS = ["215.6", "13.7%", "1.58", "6.7%", "3‰", "-18℃", "100℃", "5.34 m²", "30 km/h", "120°12′30″",
           "978-7-5086-1234-5", "0532-8888-6666"]
#: PDF points: how far two ink boxes may overlap, and a flush line's edge may be off (rounding)
TOLERANCE = 0.01


class Char(NamedTuple):
    index: int  # in the page's text
    char: str
    ink: tuple[float, float, float, float]  # left, bottom, right, top (pt, the layout's coordinates)
    loose: tuple[float, float, float, float]  # the em box around the origin (and any ink outside it)
    x: float  # the origin


class Built(NamedTuple):
    result: pipeline.BuildResult
    text: str  # the page's text as PDFium extracts it, its line breaks taken out
    chars: list[Char]  # its drawn characters


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    out = tmp_path_factory.mktemp("mixed") / "mixed.pdf"
    result = pipeline.run(LAYOUT, out)
    pdf = pdfium.PdfDocument(str(out))
    try:
        page = pdf[0]
        x0, y0 = page.get_trimbox()[:2]
        text = page.get_textpage()

        def box(i: int, loose: bool) -> tuple[float, float, float, float]:
            left, bottom, right, top = text.get_charbox(i, loose=loose)
            return left - x0, bottom - y0, right - x0, top - y0

        def origin(i: int) -> float:
            x, y = ctypes.c_double(), ctypes.c_double()
            pdfium_c.FPDFText_GetCharOrigin(text, i, ctypes.byref(x), ctypes.byref(y))
            return x.value - x0
        chars = [Char(i, text.get_text_range(i, 1), box(i, False), box(i, True), origin(i))
                 for i in range(text.count_chars())]
        return Built(result, re.sub("[\r\n]", "", text.get_text_range()),
                     [c for c in chars if not c.char.isspace()])
    finally:
        pdf.close()


def test_the_sample_fits_and_every_character_is_placed_once(built):
    result = built.result
    flow = result.flows[0]
    article = read_article(ARTICLE)
    assert flow.overset is None
    # the hyphen drawn at the end of a hyphenated line is no story character
    assert flow.placed_characters == len(body_text(article))
    assert "".join(line_text(ln) for ln in flow.lines if ln.role == "text") == body_text(article)


def test_numbers_read_back_exactly_from_the_pdf(built):
    """Defect: a decimal point in a half-em cell read back as `1 .58`."""
    text = built.text
    for number in NUMBERS:
        assert number in text, number
    assert not re.search(r"[0-9] \.|\. [0-9]", text)


def test_url_and_email_read_back_without_inner_spaces(built):
    """Defect: justification put space inside URLs, and extracted text had it."""
    text = built.text.replace("\ufffe", "-")
    assert URL in text and EMAIL in text


def same_word(a: Char, b: Char) -> bool:
    """Neighbouring letters of a Latin word: set at the font's own advances, where a serif `f`
    reaches over the next letter by design (`office`, `before`)."""
    return abs(a.index - b.index) == 1 and (a.char + b.char).isascii() and (a.char + b.char).isalpha()


def test_no_two_glyphs_ink_boxes_intersect(built):
    """Defect: `%` `‰` `℃` in half-em cells overprinted the digits before them (2.2–2.5 pt)."""
    chars = built.chars
    inked = sorted((c for c in chars if c.ink[2] > c.ink[0]), key=lambda c: c.ink[0])
    overlaps = []
    for i, a in enumerate(inked):
        for b in inked[i + 1:]:
            if b.ink[0] >= a.ink[2] - TOLERANCE:
                break
            if min(a.ink[3], b.ink[3]) - max(a.ink[1], b.ink[1]) > TOLERANCE and not same_word(a, b):
                overlaps.append((a.char, b.char, round(a.ink[2] - b.ink[0], 3)))
    assert len(inked) > 500 and overlaps == []


def line_chars(built, fl) -> list[Char]:
    """The drawn characters of a flowed body line, left to right, from the PDF."""
    result, chars = built.result, built.chars
    layout = result.layout
    left = layout.page.margin_left + fl.x
    top = grid_line_top(layout, fl.grid_line, fl.page)
    size = layout.grid.body_size
    mine = [c for c in chars if left - 1 < (c.loose[0] + c.loose[2]) / 2 < left + fl.measure + 1
            and top - size < (c.loose[1] + c.loose[3]) / 2 < top]
    return sorted(mine, key=lambda c: c.loose[0])


def test_latin_lines_are_flush_on_both_sides(built):
    """Defect: a Latin line breaking at a word space ended 0.2–0.6 em short of the measure. A
    line's first glyph starts at its left edge (after the indent), its last glyph's advance ends at
    its right edge."""
    result = built.result
    layout = result.layout
    size = layout.grid.body_size
    advance = result.glyphs.latin_advance(layout.styles["body"].font)
    english = [fl for fl in result.flows[0].lines if fl.role == "text" and fl.paragraph == 2]
    assert len(english) > 4
    at_space = 0
    for fl in english[:-1]:
        drawn = line_chars(built, fl)
        left = layout.page.margin_left + fl.x
        assert abs(drawn[0].x - (left + fl.brk.indent * size)) < TOLERANCE, line_text(fl)
        assert abs(drawn[-1].x + advance(drawn[-1].char) * size - (left + fl.measure)) < TOLERANCE, line_text(fl)
        at_space += fl.units[-1].text == " "
    assert at_space > 2  # the lines that broke at a word space (the defect's case) are among them


def test_long_latin_word_is_hyphenated_and_reads_back_whole(built):
    result = built.result
    lines = [fl for fl in result.flows[0].lines if fl.role == "text" and fl.paragraph == 3]
    cut = [fl for fl in lines if fl.units and fl.units[-1].hyphen]
    assert cut, "the word longer than the measure was not hyphenated"
    assert line_chars(built, cut[0])[-1].char == "\ufffe"  # the drawn hyphen ends the line
    text = built.text
    assert LONG_WORD in text.replace("\ufffe", "") and LONG_WORD not in text


def test_units_stay_with_numbers_and_no_line_starts_with_a_superscript_or_an_ellipsis(built):
    result = built.result
    lines = [line_text(fl) for fl in result.flows[0].lines if fl.role == "text"]
    assert all(line[0] not in SUPER_SUBSCRIPTS | ELLIPSES for line in lines if line)
    assert any("5.34 m²" in line for line in lines) and any("30 km/h" in line for line in lines)


def test_the_url_breaks_only_after_slash_hyphen_question_mark_or_ampersand(built):
    result = built.result
    flow = [fl for fl in result.flows[0].lines if fl.role == "text" and fl.paragraph == 1]
    text = "".join(line_text(fl) for fl in flow)
    start, end = text.index(URL), text.index(URL) + len(URL)
    ends, pos = [], 0
    for fl in flow:
        pos += len(line_text(fl))
        if start < pos < end:
            ends.append(text[pos - 1])
    assert ends and all(ch in "/-?&" for ch in ends), ends
