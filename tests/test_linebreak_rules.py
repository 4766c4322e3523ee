"""Each line-breaking rule as a tiny named case with fake metrics (hanzi 1 em, marks by style,
Latin letters and digits ½ em): no font files are read."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from conftest import lines_text

from paiban.linebreak.greedy import BreakOptions, break_paragraph, break_paragraph_fitted, line_width
from paiban.model.spec import KinsokuPolicy
from paiban.text.itemize import itemize

PUSH_OUT = BreakOptions(KinsokuPolicy.PUSH_OUT, avoid_orphans=False)
PUSH_IN = BreakOptions(KinsokuPolicy.PUSH_IN, avoid_orphans=False)


def lines(text: str, measure: float, indent: float = 0.0, style: str = "banjiao",
          options: BreakOptions = PUSH_OUT) -> list[str]:
    units = itemize(text, style)
    return lines_text(units, break_paragraph(units, measure, indent, options))


def test_line_filled_exactly_to_the_measure():
    assert lines("中文中文中文", 3) == ["中文中", "文中文"]


def test_first_line_indent_takes_two_em():
    assert lines("中文中文中文", 4, indent=2) == ["中文", "中文中文"]


def test_push_out_carries_a_character_down_with_a_closing_point():
    # 中文中文 fills 4 em; `，` may not start a line, so 文 goes down with it
    assert lines("中文中文，中", 4) == ["中文中", "文，中"]


def test_push_in_squeezes_the_point_into_the_line():
    assert lines("中文中文，中", 4, options=PUSH_IN) == ["中文中文，", "中"]


def test_push_in_falls_back_to_push_out_when_the_squeeze_is_too_large():
    # 中文中文”。 is 5 em in a 4-em line: ½ em of squeeze is not enough
    assert lines("中文中文”。中", 4, options=PUSH_IN) == ["中文中", "文”。中"]


def test_opening_mark_never_ends_a_line():
    assert lines("中文中“文”", 4) == ["中文中", "“文”"]


def test_two_em_dash_is_unbreakable_and_never_starts_a_line():
    assert lines("中文中——文", 4) == ["中文", "中——文"]


def test_ellipsis_is_kept_whole_and_never_starts_a_line():
    # at the default (basic) level too: a newspaper never starts a line with `……` (issue 18)
    assert lines("中文中文……", 5) == ["中文中", "文……"]


def test_digit_run_is_unbreakable():
    assert lines("中文2023-2025年", 6) == ["中文", "2023-2025年"]


def test_percent_stays_with_its_number():
    assert lines("中文中25.9%中", 5) == ["中文中", "25.9%中"]


def test_latin_word_is_kept_whole():
    assert lines("中文paiban中", 4) == ["中文", "paiban中"]


def test_banjiao_sets_every_mark_half_width():
    units = itemize("中，“文”。", "banjiao")
    assert [u.width for u in units] == [1, 0.5, 0.5, 1, 0.5, 0.5]


def test_quanjiao_compresses_adjacent_pairs():
    units = itemize("中，“文”。", "quanjiao")
    # `，“` and `”。` would each be 2 em: the first mark of each pair loses its ½-em blank
    assert [u.width for u in units] == [1, 0.5, 1, 1, 0.5, 1]


def test_quanjiao_trims_the_line_end_mark():
    assert lines("中文中。中", 3.5, style="quanjiao") == ["中文中。", "中"]


def test_quanjiao_trims_the_line_start_opening_mark():
    units = itemize("“中", "quanjiao")
    assert line_width(units, 0, 2) == 1.5


def test_kaiming_keeps_full_stops_full_width():
    units = itemize("中。中，", "kaiming")
    assert [u.width for u in units] == [1, 1, 1, 0.5]


def test_orphan_is_saved_by_squeezing_a_quote_on_an_earlier_line():
    units = itemize("中“中中中中中中中中乙", "banjiao")
    plain = break_paragraph(units, 5, 0.0, PUSH_OUT)
    assert lines_text(units, plain)[-1] == "乙"
    fitted, orphan = break_paragraph_fitted(units, 5, 0.0, BreakOptions(KinsokuPolicy.PUSH_OUT))
    assert lines_text(units, fitted) == ["中“中中中中", "中中中中乙"]
    assert not orphan


def test_orphan_stays_when_only_point_marks_could_be_squeezed():
    units = itemize("中，中中中中中中中中乙", "banjiao")
    fitted, orphan = break_paragraph_fitted(units, 5, 0.0, BreakOptions(KinsokuPolicy.PUSH_OUT))
    assert lines_text(units, fitted)[-1] == "乙"
    assert orphan


def test_jump_line_squeezes_the_line_above_to_end_on_a_clause():
    # line 1 (the jump line, 4 em left for text) would end mid-clause; squeezing line 0 pulls
    # 乙 up so that line 1 ends after `，`
    units = itemize("中，中中中乙丙丁戊，己庚", "banjiao")
    measures = lambda k: 5.0 if k == 0 else 4.0  # noqa: E731
    plain, _ = break_paragraph_fitted(units, measures, 0.0, PUSH_OUT)
    assert lines_text(units, plain)[:2] == ["中，中中中", "乙丙丁"]
    fitted, _ = break_paragraph_fitted(units, measures, 0.0, PUSH_OUT, jump_lines=frozenset({1}))
    assert lines_text(units, fitted)[:2] == ["中，中中中乙", "丙丁戊，"]


def test_orphan_pull_down_gives_the_last_line_a_second_hanzi():
    units = itemize("中，中中中中中中中中乙", "banjiao")
    options = BreakOptions(KinsokuPolicy.PUSH_OUT, orphan_pull_down=True)
    fitted, orphan = break_paragraph_fitted(units, 5, 0.0, options)
    assert lines_text(units, fitted) == ["中，中中中", "中中中中", "中乙"]
    assert not orphan


def test_opening_mark_after_the_indent_is_trimmed_as_at_any_line_start():
    units = itemize("“中文”中", "quanjiao")
    # 2-em indent + “ trimmed to ½ em + 中文 (2): the blank before the quote's ink is the indent
    # (charclass.TRIM_AFTER_INDENT, clreq 段首缩排)
    assert line_width(units, 0, 3, indent=2.0) == 4.5
    assert line_width(units, 0, 3, indent=0.0) == 2.5


@pytest.mark.parametrize("style", ["quanjiao", "kaiming", "hangmobanjiao"])
@pytest.mark.parametrize("trim", [True, False])
def test_greedy_and_total_fit_agree_on_the_first_line_after_an_indent(style, trim):
    from paiban.linebreak.total_fit import break_total_fit

    # “中国… in a 15-em column after a 2-em indent: 2 + ½ + 12 = 14.5 em on the first line in
    # quanjiao for both breakers (one start-of-line rule: itemize.line_start_width), not 15 for one
    # and 14.5 for the other; were the rule switched (charclass.TRIM_AFTER_INDENT), 15 for both
    units = itemize("“中国" + "新区发展创新突破年月日的一是了人我在有他这为之大来以个" * 2 + "”。", style)
    with patch("paiban.text.itemize.TRIM_AFTER_INDENT", trim):
        greedy, _ = break_paragraph_fitted(units, 15.0, 2.0, PUSH_OUT)
        total, _ = break_total_fit(units, 15.0, 2.0, PUSH_OUT)
    assert greedy[0] == total[0]
    quote = units[0]  # 1 em in quanjiao and hangmobanjiao, ½ em in kaiming; ½ em at a line start
    assert greedy[0].natural == 2.0 + (quote.start_width if trim else quote.width) + 12.0
    assert lines_text(units, greedy)[0] == "“中国新区发展创新突破年月"


def test_gb_level_lets_a_dash_start_a_line():
    units = itemize("中文中——文", "banjiao", level="gb")
    assert lines_text(units, break_paragraph(units, 4, 0.0, PUSH_OUT)) == ["中文中", "——文"]


def test_strict_level_keeps_an_ellipsis_off_the_line_start():
    units = itemize("中文中文……", "banjiao", level="strict")
    assert lines_text(units, break_paragraph(units, 5, 0.0, PUSH_OUT)) == ["中文中", "文……"]


def test_total_fit_spreads_slack_instead_of_leaving_one_loose_line():
    from paiban.linebreak.total_fit import break_total_fit

    # greedy fills line 1 and leaves a near-empty last line; total fit balances looseness
    # only where lines end: both give valid breaks with the same text
    units = itemize("中文中文中文中文中文中文，中", "banjiao")
    greedy, _ = break_paragraph_fitted(units, 6, 0.0, PUSH_OUT)
    total, _ = break_total_fit(units, 6, 0.0, PUSH_OUT)
    assert "".join(lines_text(units, total)) == "".join(lines_text(units, greedy))
    assert all(ln.natural <= 6 + 0.5 for ln in total)


def test_total_fit_avoids_an_orphan_by_its_demerits():
    from paiban.linebreak.total_fit import break_total_fit

    units = itemize("中中中“中中中中中中中中乙", "banjiao")
    total, orphan = break_total_fit(units, 6, 0.0, BreakOptions(KinsokuPolicy.PUSH_OUT))
    assert not orphan
    assert lines_text(units, total)[-1] != "乙"


def test_han_latin_spacing_pads_latin_and_digits_next_to_hanzi_only():
    units = itemize("中ab中12，", "banjiao", latin_spacing=0.25)
    ab, digits = units[1], units[3]
    assert (ab.pad_before, ab.pad_after) == (0.25, 0.25)
    assert ab.width == 0.5 * 2 + 0.5
    assert (digits.pad_before, digits.pad_after) == (0.25, 0.0)


def test_han_latin_spacing_is_trimmed_at_the_line_edges():
    units = itemize("ab中", "banjiao", latin_spacing=0.25)
    assert line_width(units, 0, 2) == 1.0 + 0.25 + 1.0  # the gap before 中 stays inside the line
    assert line_width(units, 0, 1) == 1.0  # ending the line, the trailing gap goes
    units = itemize("中ab", "banjiao", latin_spacing=0.25)
    assert line_width(units, 1, 2) == 1.0  # starting a line, its leading gap goes


def test_latin_words_keep_their_ascii_punctuation_and_brackets():
    units = itemize("the (quick) fox, 中", "banjiao")
    assert [u.text for u in units] == ["the", " ", "(quick)", " ", "fox,", " ", "中"]
    assert all(u.cls.value in ("latin", "latin_space", "han") for u in units)


def test_a_word_space_takes_no_room_at_the_line_edges():
    units = itemize("ab cd", "banjiao")
    assert line_width(units, 0, 2) == 1.0  # "ab " ending a line: the space is not counted
    assert line_width(units, 1, 3) == 1.0  # " cd" starting one


def test_a_number_wider_than_the_line_is_cut_into_its_digits():
    from paiban.flow.thread_flow import split_overlong

    units = itemize("数字" + "1" * 40 + "也", "banjiao")
    split = split_overlong(units, 10.0, lambda text: itemize(text, "banjiao"))
    assert "".join(u.text for u in split) == "".join(u.text for u in units)
    assert max(u.width for u in split) <= 10.0
    lines = break_paragraph(split, 12.0, 2.0, PUSH_OUT)
    assert not any(ln.forced for ln in lines) and all(ln.natural <= 12.0 for ln in lines)


def test_itemize_keeps_grid_units_but_works_latin_out_with_each_font():
    """Single characters and runs of grid characters (hanzi, dashes) are itemized once per style
    and shared; Latin letters and words take the advances of the font asked for, and so do digits
    wider than ½ em (charclass.DIGIT_CELL_MAX_ADVANCE)."""
    from paiban.text.itemize import itemize

    narrow = itemize("2024年Paiban——排版", "banjiao", lambda c: 0.4)
    wide = itemize("2024年Paiban——排版", "banjiao", lambda c: 0.6)
    assert [u.text for u in narrow] == ["2024", "年", "Paiban", "——", "排", "版"]
    assert narrow[3] is wide[3] and narrow[1] is wide[1]  # grid units shared
    assert narrow[0].width == 2.0 and wide[0].width == 2.5  # ½-em digits; 0.6-em ones, on the grid
    assert narrow[2].width == pytest.approx(6 * 0.4) and wide[2].width == pytest.approx(6 * 0.6)
    assert itemize("x", "banjiao", lambda c: 0.4)[0].width == pytest.approx(0.4)
    assert itemize("x", "banjiao", lambda c: 0.7)[0].width == pytest.approx(0.7)
