"""The flow resumed after an edit (`flow_story_traced` with the previous flow's trace, as
`paiban serve` runs it) gives exactly the flow of the whole story flowed again: random edits of
random paragraphs on small threads across pages (jump lines, keep rules, balancing, repeated
headlines), one after another."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from conftest import simple_layout, text_region
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.flow.thread_flow import flow_story, flow_story_traced
from paiban.model.article import Article, Headline, Paragraph, ParagraphKind
from paiban.text.itemize import itemize

WORDS = st.sampled_from(["新区", "发展", "创新", "突破", "，", "。", "“高质量”", "2024年", "——", "《报告》", "AI", "、",
                         "了"])
TEXT = st.lists(WORDS, min_size=1, max_size=30).map("".join)
PARAGRAPH = st.builds(lambda text, sub: Paragraph(text, ParagraphKind.SUBHEAD if sub and len(text) < 10
                                                  else ParagraphKind.BODY), TEXT, st.booleans())


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


@st.composite
def layouts(draw):
    """Two to four regions over pages 1–3 (regions of the thread on other pages: jump lines)."""
    regions = []
    for i in range(draw(st.integers(2, 4))):
        columns = draw(st.integers(1, 3))
        lines = draw(st.integers(2, 7))
        band = 10 * i + 1
        regions.append(text_region(f"r{i}", draw(st.integers(1, 3)), (band, band + lines - 1), (1, columns),
                                   text_columns=columns))
    layout = simple_layout(regions, columns=4, column_chars=6, rows=60)
    story = replace(layout.stories[0], balance=draw(st.booleans()), no_lone_first_line=draw(st.booleans()),
                    repeat_headline=draw(st.booleans()))
    return replace(layout, stories=(story,))


@st.composite
def edits(draw, paragraphs: int):
    """(kind, paragraph, position, text): a character or a word replaced, inserted or taken out,
    a paragraph inserted or removed, the headline changed."""
    kind = draw(st.sampled_from(["replace", "insert", "delete", "add-paragraph", "drop-paragraph", "headline"]))
    text = draw(st.sampled_from(["了", "——", "2024年", "新区发展"]))
    return kind, draw(st.integers(0, paragraphs - 1)), draw(st.integers(0, 40)), text


def edited(article: Article, edit) -> Article:
    kind, pi, at, text = edit
    paragraphs = list(article.paragraphs)
    pi = min(pi, len(paragraphs) - 1)
    para = paragraphs[pi]
    at = min(at, len(para.text))
    if kind == "replace":
        para = replace(para, text=para.text[:at] + text + para.text[at + len(text):])
    elif kind == "insert":
        para = replace(para, text=para.text[:at] + text + para.text[at:])
    elif kind == "delete" and len(para.text) > 1:
        para = replace(para, text=para.text[:at] + para.text[at + 1:] or para.text)
    elif kind == "add-paragraph":
        paragraphs.insert(pi, Paragraph(text * (at // 3 + 1)))
    elif kind == "drop-paragraph" and len(paragraphs) > 1:
        del paragraphs[pi]
        return replace(article, paragraphs=tuple(paragraphs))
    elif kind == "headline":
        return replace(article, headline=Headline(main=article.headline.main + text))
    paragraphs[pi] = para
    return replace(article, paragraphs=tuple(paragraphs))


@settings(max_examples=300, deadline=None)
@given(layout=layouts(), paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=12), data=st.data())
def test_a_resumed_flow_is_the_whole_flow(layout, paragraphs, data):
    story = layout.stories[0]
    article = Article(Path("a.txt"), headline=Headline(main="新区发展"), paragraphs=tuple(paragraphs))
    flow, trace = flow_story_traced(story, article, layout, itemizer)
    assert flow == flow_story(story, article, layout, itemizer)
    for edit in data.draw(st.lists(edits(len(paragraphs)), min_size=1, max_size=3)):
        article = edited(article, edit)
        flow, trace = flow_story_traced(story, article, layout, itemizer, trace)
        whole, whole_trace = flow_story_traced(story, article, layout, itemizer)
        assert flow == whole
        assert trace == whole_trace  # the next edit resumes from what a whole flow would have left


def test_an_edit_in_a_long_story_flows_only_the_paragraph_edited():
    """A character replaced in paragraph 30 of 60: the lines break as before, so the paragraph
    after it starts where it did, and the rest is the previous flow's, not flowed again."""
    regions = [text_region(f"r{i}", i + 1, (1, 40), (1, 4), text_columns=4) for i in range(3)]
    layout = simple_layout(regions, columns=4, column_chars=8, rows=60)
    story = layout.stories[0]
    texts = [f"第{i}段的文字，新区发展创新突破，高质量发展。" * (1 + i % 3) for i in range(60)]
    article = Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))
    flow, trace = flow_story_traced(story, article, layout, itemizer)
    assert len({ln.page for ln in flow.lines}) == 3 and flow.overset is None
    texts[30] = texts[30].replace("新区", "城区", 1)
    article = replace(article, paragraphs=tuple(Paragraph(t) for t in texts))
    itemized = []

    def counting(text, style):
        itemized.append(text)
        return itemizer(text, style)

    resumed, _ = flow_story_traced(story, article, layout, counting, trace)
    assert resumed == flow_story(story, article, layout, itemizer)
    assert any("城区" in t for t in itemized)
    assert [t for t in itemized if t in texts] == [texts[30]]  # only the paragraph edited was itemized
    assert sum(1 for ln in resumed.lines if ln.units and "城区" in "".join(u.text for u in ln.units)) == 1
