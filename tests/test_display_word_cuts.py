"""Display type that can only break inside a word is reported, never cut silently: a caption, a
subhead set in the flow, and a headline, kicker or subtitle each give a ``display-breaks-word``
warning naming the story (when there is one), the text and where it is cut (`集装箱航|线再添`).
`break_display` takes a break inside a word only when no set of lines between words fits the
measure (a word longer than it); it says where (`DisplayLines.cuts`). Fake metrics: every hanzi
1 em, Latin ½ em, no fonts."""

from __future__ import annotations

from pathlib import Path

from conftest import simple_layout, text_region

from paiban.flow.holes import holes, subhead_word_cuts
from paiban.flow.thread_flow import flow_story
from paiban.linebreak.display_breaks import break_display, cut_words
from paiban.model.article import Article, Paragraph, ParagraphKind
from paiban.model.spec import Picture, Region, RegionKind, StorySpec, TextStyle
from paiban.page import furniture
from paiban.page.justify import GlyphInfo
from paiban.text import phrases
from paiban.text.itemize import itemize

#: one word (jieba) of 7 hanzi: wider than a 5 em measure, so some line must end inside it
LONG_WORD = "中华人民共和国"


class FakeGlyphs:
    """A GlyphSource whose every character is 1 em (Latin ½ em) in one fake face."""

    def lookup(self, role):
        return lambda ch: GlyphInfo("fake", 0.5 if ch.isascii() else 1.0, None)

    def latin_advance(self, role):
        return lambda ch: 0.5


def test_the_long_word_is_one_word():
    assert phrases.words(LONG_WORD + "成立") == (LONG_WORD, "成立")


# ---- the breaker says where it cut --------------------------------------------------------------

def test_a_break_between_words_has_no_cut():
    units = itemize("港区集装箱航线再添新成员", "quanjiao")
    broken = break_display(units, 7.5)
    assert broken.in_word == 0 and broken.cuts == ()


def test_a_word_wider_than_the_measure_is_cut_and_the_cut_is_located():
    units = itemize(LONG_WORD + "成立", "quanjiao")
    broken = break_display(units, 5, balance=False)
    assert broken.in_word == len(broken.cuts) == 1
    assert [u for u in broken.lines if u.natural > 5 + 1e-9] == []
    cut = broken.cuts[0]
    assert cut.replace("|", "") == LONG_WORD + "成立" and cut.index("|") in range(1, len(LONG_WORD))


def test_cut_words_judges_lines_already_set():
    assert cut_words(["港区集装箱航线", "再添新成员"]) == ()
    assert cut_words(["港区集装箱航", "线再添新成员"]) == ("港区集装箱航|线再添新成员",)
    assert cut_words(["示例稿件（为演示排", "版而写）"]) == ("…件（为演示排|版而写）",)
    assert cut_words(["新区简讯"]) == ()


# ---- captions ---------------------------------------------------------------------------------

def _picture_layout(caption: str):
    """A 5-character column (45 pt) with a picture region over the story's text region."""
    pic = Region("pic", 1, RegionKind.PICTURE, 1, 1, 1, 12,
                 picture=Picture(Path("x.png"), caption, pixels=(1200, 900)))
    styles = {"caption": TextStyle("caption", indent=0.0)}
    return simple_layout([text_region("body", 1, (1, 40)), pic], column_chars=5, styles=styles), pic


def test_a_caption_that_can_only_break_inside_a_word_is_reported_with_its_story_and_text():
    caption = LONG_WORD + "成立"
    layout, pic = _picture_layout(caption)
    out = furniture.picture(layout, pic, FakeGlyphs(), 500.0)
    cuts = [w for w in out.warnings if w.kind == "display-breaks-word"]
    assert [(w.page, w.story) for w in cuts] == [(1, "s")]
    message = cuts[0].message
    assert message.startswith(f"story s: the caption of picture region pic {caption!r} breaks inside a word (")
    assert "|" in message and "write a | where it may break" in message
    assert "".join(ln.text for ln in out.lines if ln.kind == "caption") == caption  # still set, whole


def test_a_caption_that_breaks_between_words_is_not_reported():
    layout, pic = _picture_layout("港区，新船靠泊。")
    out = furniture.picture(layout, pic, FakeGlyphs(), 500.0)
    assert [w for w in out.warnings if w.kind == "display-breaks-word"] == []
    assert len([ln for ln in out.lines if ln.kind == "caption"]) >= 2  # it does break: between words


# ---- subheads in the flow --------------------------------------------------------------------------

def _flowed_subhead(text: str):
    subhead = TextStyle("subhead", indent=0.0, word_breaks=True)
    layout = simple_layout([text_region("a", 1, (1, 30))], column_chars=5, styles={"subhead": subhead})
    article = Article(Path("a.txt"), paragraphs=(Paragraph(text, ParagraphKind.SUBHEAD),
                                                 Paragraph("甲乙丙丁戊己庚辛壬癸")))
    story = layout.stories[0]
    flow = flow_story(story, article, layout, lambda t, s: itemize(t, s.punctuation.value))
    return layout, story, article, flow


def test_a_subhead_that_can_only_break_inside_a_word_is_reported():
    layout, story, article, flow = _flowed_subhead(LONG_WORD + "成立")
    assert len([ln for ln in flow.lines if ln.paragraph == 0]) >= 2
    found = subhead_word_cuts(layout, story, flow)
    assert [(w.kind, w.page, w.story) for w in found] == [("display-breaks-word", 1, "s")]
    assert found[0].message.startswith(f"story s: the subhead of paragraph 1 {LONG_WORD + '成立'!r} breaks inside")
    # the reports ask `holes`, which brings it
    assert found[0] in holes(layout, [(story, article, flow)])


def test_a_subhead_broken_between_words_is_not_reported():
    layout, story, _, flow = _flowed_subhead("新区简讯今日发布")
    assert len([ln for ln in flow.lines if ln.paragraph == 0]) >= 2
    assert subhead_word_cuts(layout, story, flow) == []


# ---- headline, kicker, subtitle ----------------------------------------------------------------------

def test_a_kicker_that_can_only_break_inside_a_word_is_reported_with_the_cut():
    from paiban.model.article import Headline
    from paiban.page.compose import headline_block

    head = Region("head", 1, RegionKind.HEADLINE, 1, 1, 1, 10)
    styles = {"headline": TextStyle("headline", size=9.0, indent=0),
              "kicker": TextStyle("kicker", size=9.0, indent=0), "subtitle": TextStyle("subtitle", size=9.0)}
    layout = simple_layout([text_region("body", 1, (11, 40)), head], column_chars=5, styles=styles,
                           headline="head")
    story = StorySpec("s", Path("x.txt"), ("body",), "head")
    article = Article(Path("x.txt"), Headline(LONG_WORD, "新区简讯", ""))
    _, _, notes = headline_block(layout, story, article, FakeGlyphs())
    cuts = [n for n in notes if n.kind == "display-breaks-word"]
    assert [(n.page, n.story) for n in cuts] == [(1, "s")]
    assert cuts[0].message.startswith(f"story s: the kicker {LONG_WORD!r} breaks inside a word (")
