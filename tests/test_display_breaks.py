"""Display type breaks between words (linebreak/display_breaks.py), with fake metrics: every hanzi
1 em wide, Latin ½ em, no fonts. The headline block (page/compose.headline_block) shrinks a
headline that can only break inside a word, within its style's limits, and reports it otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import simple_layout, text_region

from paiban.linebreak.display_breaks import break_display, break_display_fitted, manual_parts
from paiban.model.article import Article, Headline
from paiban.model.spec import Align, PunctStyle, Region, RegionKind, StorySpec, TextStyle
from paiban.page.compose import headline_block
from paiban.page.justify import GlyphInfo
from paiban.text import phrases
from paiban.text.itemize import itemize


def lines_of(text: str, measure: float, balance: bool = True) -> list[str]:
    units = itemize(text, "quanjiao")
    return ["".join(u.text for u in units[b.start:b.end]) for b in break_display(units, measure, balance).lines]


def ends_between_words(text: str, lines: list[str]) -> bool:
    """Every line but the last ends at one of jieba's word boundaries of `text`."""
    cuts, at = set(), 0
    for line in lines[:-1]:
        at += len(line)
        cuts.add(at)
    return cuts <= phrases.boundaries(text)


@pytest.mark.parametrize("measure", [5, 6, 7, 8, 9, 10, 11])
def test_the_port_headline_never_splits_its_words_at_any_measure(measure):
    text = "港区集装箱航线再添新成员"
    lines = lines_of(text, measure)
    assert "".join(lines) == text
    assert ends_between_words(text, lines), lines
    for line in lines[:-1]:
        assert not line.endswith(("集", "集装", "航")), lines


def test_the_port_headline_at_the_demos_old_measure_breaks_between_phrases():
    # the example: balanced by length alone it read 港区集装箱航 / 线再添新成员
    assert lines_of("港区集装箱航线再添新成员", 7.5) == ["港区集装箱航线", "再添新成员"]


@pytest.mark.parametrize("measure", [4, 5, 6, 7, 8, 9])
def test_numbers_stay_whole(measure):
    cases = (("老城区今年再建二十座口袋公园", "二十"), ("一季度吞吐量同比增长12.3%创新高", "12.3%"))
    for text, number in cases:
        lines = lines_of(text, measure)
        assert ends_between_words(text, lines), lines
        assert any(number in line for line in lines), lines


def test_lines_are_balanced_and_the_fewest():
    lines = lines_of("中学生科创实验室向社会开放", 10)
    assert len(lines) == 2
    assert abs(len(lines[0]) - len(lines[1])) <= 3, lines
    assert lines_of("新区简讯", 10) == ["新区简讯"]


def test_a_weak_break_beside_a_one_hanzi_word_is_a_last_resort():
    text = "地铁六号线二期工程全线贯通"
    units = itemize(text, "quanjiao")
    wide = break_display(units, 9)
    assert wide.weak == 0 and wide.in_word == 0
    assert phrases.weak_boundaries(text), "the case needs a one-hanzi word"


def test_a_break_inside_a_word_is_taken_only_when_nothing_else_fits_and_is_counted():
    units = itemize("中华人民共和国", "quanjiao")  # one word
    assert break_display(units, 7).in_word == 0
    narrow = break_display(units, 4)
    assert narrow.in_word >= 1
    assert all(b.natural <= 4 + 1e-9 for b in narrow.lines)


def test_manual_breaks_with_a_bar_or_a_newline_are_honoured():
    assert manual_parts("港区集装箱航线 | 再添新成员") == ["港区集装箱航线", "再添新成员"]
    assert manual_parts("创新无止境\n突破不止步") == ["创新无止境", "突破不止步"]
    assert manual_parts("新区简讯") == ["新区简讯"]


def test_a_caption_fills_its_lines_and_only_its_last_is_short():
    text = "西海岸新区港区，集装箱船在晨光中靠泊作业。（示例图片）"
    lines = lines_of(text, 10, balance=False)
    assert ends_between_words(text, lines)
    assert all(len(line) >= 8 for line in lines[:-1]), lines


def test_a_subhead_in_the_flow_breaks_between_words_with_its_indent():
    text = "首批5G智慧路灯点亮滨海大道"
    units = itemize(text, "banjiao")
    lines, orphan = break_display_fitted(units, lambda k: 12.0, indent=2.0)
    assert lines[0].indent == 2.0 and all(b.indent == 0 for b in lines[1:])
    shown = ["".join(u.text for u in units[b.start:b.end]) for b in lines]
    assert ends_between_words(text, shown), shown
    assert not orphan


# ---------------------------------------------------------------- the headline block, fake glyphs


class FakeGlyphs:
    """A GlyphSource whose every character is 1 em (Latin ½ em) in one fake face."""

    def lookup(self, role):
        return lambda ch: GlyphInfo("fake", 0.5 if ch.isascii() else 1.0, None)

    def latin_advance(self, role):
        return lambda ch: 0.5


def block(main: str, *, size: float, min_size: float | None, max_lines: int = 2, kicker: str = "",
          subtitle: str = ""):
    """The headline block of `main` in a one-column (15 × 9 pt = 135 pt) headline region."""
    head = Region("head", 1, RegionKind.HEADLINE, 1, 1, 1, 10)
    styles = {"headline": TextStyle("headline", "hei", size, indent=0, punctuation=PunctStyle.QUANJIAO,
                                    align=Align.CENTER, max_lines=max_lines, shrink_to_fit=min_size is not None,
                                    min_size=min_size),
              "kicker": TextStyle("kicker", size=9.0, indent=0, align=Align.LEFT),
              "subtitle": TextStyle("subtitle", size=9.0, indent=0, align=Align.RIGHT)}
    layout = simple_layout([text_region("body", 1, (11, 40)), head], styles=styles, headline="head")
    story = StorySpec("s", Path("x.txt"), ("body",), "head")
    article = Article(Path("x.txt"), Headline(kicker, main, subtitle))
    return headline_block(layout, story, article, FakeGlyphs())


def test_a_headline_that_would_break_a_word_shrinks_within_its_limits():
    lines, _, notes = block("中华人民共和国", size=20.0, min_size=14.0, max_lines=2)  # 7 em at 6.75 em
    assert [ln.text for ln in lines] == ["中华人民共和国"]
    assert 14.0 <= lines[0].size <= 135 / 7 + 1e-6
    assert [n.kind for n in notes] == ["headline-shrunk"]


def test_a_headline_that_cannot_fit_without_breaking_a_word_is_reported():
    lines, _, notes = block("中华人民共和国", size=20.0, min_size=19.5, max_lines=2)
    assert lines[0].size == pytest.approx(19.5)
    assert "display-breaks-word" in [n.kind for n in notes]
    assert any("中华人民共和国" in n.message for n in notes)


def test_a_manual_break_in_the_headline_is_kept():
    lines, _, notes = block("港区|集装箱航线", size=12.0, min_size=None)
    assert [ln.text for ln in lines] == ["港区", "集装箱航线"]
    assert notes == []


def test_kicker_main_and_subtitle_share_the_main_headlines_alignment():
    lines, _, _ = block("新区简讯", size=18.0, min_size=None, kicker="示例", subtitle="副题")
    centres = {ln.kind: ln.xs[0] + (ln.xs[-1] + ln.size - ln.xs[0]) / 2 for ln in lines}
    assert set(centres) == {"kicker", "headline", "subtitle"}
    middle = 20.0 + 135 / 2  # the page's left margin + half the region
    for kind, centre in centres.items():
        assert centre == pytest.approx(middle, abs=0.5), (kind, centres)
