"""Mixed text as units (issue 18): numbers, symbols, URLs, ISBNs, Latin words, dash and ellipsis
runs, itemized and justified with fake font metrics; one named test per defect.

The fake font (`ADVANCE`) has the proportions of Noto Serif CJK SC: `%` 0.92 em, `‰ ℃` 1 em,
`.` 0.33 em, Latin letters about 0.55 em. The PDF side (ink, extraction) is
tests/test_mixed_text_pdf.py.
"""

from __future__ import annotations

import pytest

from paiban.linebreak.greedy import BreakOptions, break_paragraph
from paiban.model.items import CharClass
from paiban.model.spec import KinsokuPolicy
from paiban.page.justify import GlyphInfo, justify_glyphs, unit_cells
from paiban.text.charclass import KINSOKU_LEVELS, classify
from paiban.text.itemize import can_break_before, itemize, unit_stats

ADVANCE = {"%": 0.92, "‰": 1.0, "℃": 1.0, ".": 0.33, ",": 0.33, "-": 0.35, "/": 0.35, "?": 0.43, "&": 0.78,
           "=": 0.58, ":": 0.33, "@": 0.91, "²": 0.39, "°": 0.34, "′": 0.26, "″": 0.44, " ": 0.26, "m": 0.97,
           "k": 0.61, "h": 0.66}
PUSH_OUT = BreakOptions(KinsokuPolicy.PUSH_OUT, avoid_orphans=False)


def font(ch: str) -> float:
    """Advances of a fake font: the table above, 0.55 em for other letters and digits."""
    return ADVANCE.get(ch, 0.55)


def units_of(text: str, level: str = "basic"):
    return itemize(text, "banjiao", font, 0.0, level)


def texts(units) -> list[str]:
    return [u.text for u in units]


def glyph(ch: str) -> GlyphInfo:
    return GlyphInfo("f", 1.0 if ord(ch) > 0x2000 and ch not in "′″‰" else font(ch), None)


def line_glyphs(units, measure: float, justify: bool = True):
    return justify_glyphs(units, measure, 0.0, glyph, font, justify)


# ---- symbols and numbers from the font ---------------------------------------------------------

def test_percent_sign_keeps_its_advance_instead_of_a_half_em_cell():
    """Defect: `%` in a half-em cell overprinted the `7` of `13.7%`."""
    unit = next(u for u in units_of("增长13.7%。") if u.text == "13.7%")
    cells = unit_cells(unit, unit.width, font)
    drawn = [(c, w) for c, w in cells if c]
    assert drawn == [("1", 0.5), ("3", 0.5), (".", 0.33), ("7", 0.5), ("%", 0.92)]
    assert unit.width == 3.0  # 2.75 em of cells, on the half-em grid
    blanks = [w for c, w in cells if not c]
    assert blanks == [pytest.approx(0.125), pytest.approx(0.125)]  # centred: no gap inside


@pytest.mark.parametrize("number, width", [("100℃", 2.5), ("3‰", 1.5), ("215.6", 2.5), ("1.58", 2.0),
                                           ("2023-2025", 4.5), ("44.3", 2.0), ("1300", 2.0)])
def test_number_units_are_as_wide_as_their_cells_rounded_up_to_the_half_em_grid(number, width):
    [unit] = [u for u in units_of("约" + number + "吨") if u.cls is CharClass.DIGIT]
    assert unit.text == number and unit.width == width
    assert unit.width >= sum(w for c, w in unit_cells(unit, unit.width, font) if c) - 1e-9


def test_decimal_point_sits_at_its_advance_not_in_a_gappy_half_em_cell():
    """Defect: `215 .6`: the point centred in a ½-em cell left blanks on both sides of it."""
    unit = units_of("215.6")[0]
    cells = unit_cells(unit, unit.width, font)
    assert [c for c, _ in cells] == ["", "2", "1", "5", ".", "6", ""]
    assert dict((c, w) for c, w in cells if c)["."] == 0.33


def test_digits_wider_than_half_an_em_keep_their_advance():
    """Bold sans digits (Noto Sans CJK SC Bold: 0.59 em, ink up to 0.54 em) in ½-em cells touched."""
    def bold(ch: str) -> float:
        return 0.59 if ch.isdigit() else font(ch)
    unit = itemize("2024年", "banjiao", bold)[0]
    assert unit.width == 2.5  # 4 × 0.59 = 2.36 em, on the half-em grid
    assert [w for c, w in unit_cells(unit, unit.width, bold) if c] == [0.59] * 4
    assert itemize("5年", "banjiao", bold)[0].width == 0.59
    assert itemize("5年", "banjiao", font)[0].width == 0.5  # the body font's digits stay on the grid


def test_a_paragraph_with_numbers_stays_on_the_grid_fast_path():
    units = units_of("今年增长13.7%，气温100℃，面积5.34 m²，1.58亿吨。")
    assert unit_stats(units).on_grid


@pytest.mark.parametrize("text, number", [("面积5.34 m²起", "5.34 m²"), ("限速30 km/h。", "30 km/h"),
                                          ("达到100℃，", "100℃"), ("东经120°12′30″，", "120°12′30″"),
                                          ("降至-18℃", "-18℃"), ("下降3‰。", "3‰"), ("PM2.5浓度", "2.5")])
def test_numbers_keep_their_sign_joiners_and_units_in_one_unit(text, number):
    """Defect: `5.34 / m²` broke between the number and its unit."""
    assert number in texts(units_of(text))


def test_superscripts_are_narrow_and_never_start_a_line_at_any_level():
    """Defect: `²` was a hanzi (1 em, breakable) and started a line."""
    assert classify("²") is CharClass.OTHER and classify("₂") is CharClass.OTHER
    for level in KINSOKU_LEVELS:
        units = units_of("平方米²", level)
        assert units[-1].text == "²" and units[-1].width == 0.39 and units[-1].no_break_before
    assert "CO₂" in texts(units_of("CO₂排放"))


@pytest.mark.parametrize("symbol", list("%‰℃°′″"))
def test_proportional_symbols_alone_take_the_fonts_advance(symbol):
    unit = units_of("中" + symbol)[1]
    assert unit.cls is CharClass.OTHER and unit.width == font(symbol)


# ---- break opportunities in runs ----------------------------------------------------------------

URL = "https://www.example.com/port/news/2024-05/report?id=3&lang=zh"


def breaks_inside(units, first: int, last: int) -> list[str]:
    """The text before each permitted break inside units[first:last]."""
    return ["".join(u.text for u in units[first:i]) for i in range(first + 1, last)
            if can_break_before(units, i)]


def test_url_breaks_after_slash_hyphen_question_and_ampersand_never_after_a_dot():
    """Defect: a URL broke after `.` (which reads as a sentence end)."""
    units = units_of("访问" + URL + "。")
    pieces = units[2:-1]
    assert "".join(texts(pieces)) == URL
    assert texts(pieces) == ["https://", "www.example.com/", "port/", "news/", "2024-", "05/", "report?",
                             "id=3&", "lang=zh"]
    assert all(p.cls is CharClass.LATIN for p in pieces)
    assert [p.joined for p in pieces] == [True] * 8 + [False]  # no justification space inside
    for before in breaks_inside(units, 2, len(units) - 1):
        assert before[-1] in "/-?&"


def test_email_address_breaks_only_after_a_hyphen_and_is_joined():
    units = units_of("邮件至press-office@example.com咨询")
    assert texts(units[3:5]) == ["press-", "office@example.com"]
    assert units[3].joined and not units[4].joined


def test_isbn_and_long_numbers_break_after_their_hyphens():
    """Defect: an unbreakable 8.5-em ISBN left a line with 9 em of slack."""
    units = units_of("（ISBN 978-7-5086-1234-5）")
    isbn = [u for u in units if u.cls is CharClass.DIGIT]
    assert texts(isbn) == ["978-", "7-", "5086-", "1234-", "5"]
    assert [u.joined for u in isbn] == [True, True, True, True, False]
    assert all(can_break_before(units, units.index(u) + 1) for u in isbn[:-1])
    # short numbers with hyphens stay whole: a date, a range
    assert "2024-05-01" in texts(units_of("于2024-05-01")) and "2023-2025" in texts(units_of("2023-2025年"))


def test_latin_words_longer_than_the_measure_are_hyphenated_at_pyphens_points():
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis"
    units = units_of("写作" + word + "。")
    pieces = [u for u in units if u.cls is CharClass.LATIN]
    assert "".join(texts(pieces)) == word and len(pieces) > 5
    assert all(len(p.text) >= 2 for p in pieces)  # `sil-i-co` keeps no one-letter piece
    # a hyphenation point is a last resort, not a permitted break: the word moves down whole
    # when it fits a line, and the line ending there carries the hyphen in its end width
    for p in pieces[:-1]:
        assert p.hyphen and p.joined and p.no_break_after
        assert p.end_width == pytest.approx(p.width + font("-"))
    assert not pieces[-1].hyphen
    lines = break_paragraph(units, 12.0, 0.0, PUSH_OUT)
    assert "".join(u.text for u in units) == "".join("".join(texts(units[ln.start:ln.end])) for ln in lines)
    inside = [ln for ln in lines if units[ln.end - 1].hyphen]
    assert inside, "the word was not cut at a hyphenation point"
    for ln in inside:
        out = line_glyphs(units[ln.start:ln.end], 12.0)
        assert out.chars[-1] == "-"  # the hyphen is drawn ...
    # ... but is no story character: the units' text is the paragraph's
    assert "".join(texts(units)) == "写作" + word + "。"


def test_a_bare_domain_name_is_one_word_never_broken_after_its_dot_nor_hyphenated():
    units = units_of("访问internationalexample.com了解")
    assert "internationalexample.com" in texts(units)
    assert not any(u.hyphen for u in units)


def test_short_latin_words_are_not_hyphenated():
    assert texts(units_of("John Smith说")) == ["John", " ", "Smith", "说"]
    assert not any(u.hyphen for u in units_of("the port director said"))  # each under 5 em


@pytest.mark.parametrize("mark", ["\u2014", "\u2026"])
def test_runs_of_dashes_and_ellipses_are_cut_into_unbreakable_pairs(mark):
    """Defect: 100,000 `——` were one unit (the regex `\\u2014+`) and came out as one `——`."""
    units = units_of(mark * 100_000)
    assert len(units) == 50_000 and {u.text for u in units} == {mark * 2}
    assert texts(units_of("中" + mark * 3)) == ["中", mark * 2, mark]
    lines = break_paragraph(units[:700], 15.0, 0.0, PUSH_OUT)
    assert len(lines) == 100 and all(ln.end - ln.start == 7 for ln in lines)


@pytest.mark.parametrize("level", ["gb", "basic", "strict"])
def test_ellipsis_never_starts_a_line_at_any_newspaper_level(level):
    """Defect: `……` started a line at the default kinsoku level."""
    units = units_of("中文中文……", level)
    lines = break_paragraph(units, 5.0, 0.0, PUSH_OUT)
    assert [ln.end - ln.start for ln in lines] == [3, 2]  # 中文中 / 文……
    assert "…" in KINSOKU_LEVELS[level][0] and "‥" in KINSOKU_LEVELS[level][0]


# ---- justification ----------------------------------------------------------------------------------

def test_a_url_gets_no_justification_space_inside():
    """Defect: justification put space inside URLs (`www. example. com / news /`)."""
    units = units_of("见" + URL[:29] + "中")  # 见 https:// www.example.com/ port/ 中
    out = line_glyphs(units, 24.0)
    start = out.chars.index("h")
    end = start + 29
    for k in range(start, end - 1):  # each glyph of the URL right after the one before
        assert out.xs[k + 1] - out.xs[k] == pytest.approx(font(out.chars[k]))
    assert out.xs[start] - out.xs[0] > 1.0 + 0.5  # the slack went to the gaps outside it


def test_a_latin_line_ending_at_a_word_space_is_flush_right():
    """Defect: a Latin line broken at a word space ended 0.2–0.6 em short: the trailing space took
    a share of the justification."""
    units = units_of("the port director said ")
    out = line_glyphs(units, 15.0)
    assert out.chars[-1] == " "
    last = max(i for i, c in enumerate(out.chars) if c != " ")
    assert out.xs[last] + font(out.chars[last]) == pytest.approx(15.0)
    assert out.xs[0] == 0.0


def test_a_latin_line_starting_at_a_word_space_is_flush_left():
    units = units_of(" ceremony, the port director")
    out = line_glyphs(units, 16.0)
    first = next(i for i, c in enumerate(out.chars) if c != " ")
    assert out.xs[first] == pytest.approx(0.0)
    assert out.xs[-1] + font(out.chars[-1]) == pytest.approx(16.0)


def test_a_number_is_centred_in_its_grid_width():
    units = units_of("13.7%")
    out = line_glyphs(units, 3.0, justify=False)
    assert out.chars == list("13.7%")
    assert out.xs[0] == pytest.approx(0.125 + (0.5 - font("1")) / 2)
    assert out.xs[-1] == pytest.approx(3.0 - 0.125 - 0.92)
