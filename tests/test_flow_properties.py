"""Random threads and region sizes: every character is placed exactly once, in order, or
reported as overset; no two lines share a slot; lines stay inside their regions."""

from __future__ import annotations

from pathlib import Path

from conftest import line_text, simple_layout, text_region
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.flow.thread_flow import flow_story
from paiban.model.article import Article, Paragraph, ParagraphKind
from paiban.model.spec import Region
from paiban.text.itemize import itemize

WORDS = st.sampled_from(["新区", "发展", "创新", "突破", "，", "。", "“高质量”", "2024年", "——", "《报告》", "AI", "、"])
PARAGRAPH = st.lists(WORDS, min_size=1, max_size=40).map("".join)


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


@st.composite
def threads(draw):
    """Up to four regions on pages 1–3, stacked in bands so that they never overlap."""
    count = draw(st.integers(1, 4))
    regions: list[Region] = []
    for i in range(count):
        page = draw(st.integers(1, 3))
        columns = draw(st.integers(1, 3))
        first = draw(st.integers(1, 4 - columns + 1))
        lines = draw(st.integers(1, 6))
        band = 10 * i + 1
        regions.append(text_region(f"r{i}", page, (band, band + lines - 1), (first, first + columns - 1),
                                   text_columns=draw(st.integers(1, columns))))
    return regions


@settings(max_examples=150, deadline=None)
@given(regions=threads(), texts=st.lists(PARAGRAPH, min_size=1, max_size=5),
       subheads=st.lists(st.booleans(), min_size=5, max_size=5))
def test_every_character_is_placed_once_in_order_or_reported_as_overset(regions, texts, subheads):
    paragraphs = tuple(Paragraph(t, ParagraphKind.SUBHEAD if sub and len(t) < 12 else ParagraphKind.BODY)
                       for t, sub in zip(texts, subheads))
    article = Article(Path("a.txt"), paragraphs=paragraphs)
    layout = simple_layout(regions, columns=4, column_chars=6, rows=60)
    flow = flow_story(layout.stories[0], article, layout, itemizer)
    text_lines = [ln for ln in flow.lines if ln.role == "text"]
    placed = "".join(map(line_text, sorted(text_lines, key=lambda ln: (ln.paragraph, ln.brk.start))))
    whole = "".join(p.text for p in paragraphs)
    assert placed == "".join(map(line_text, text_lines)), "lines are not in reading order"
    if flow.overset is None:
        assert placed == whole
    else:
        assert whole.startswith(placed)
        assert flow.overset.characters == len(whole) - len(placed)
        assert flow.overset.sentence and whole[len(placed):].startswith(flow.overset.sentence)
    assert flow.placed_characters == len(placed)
    slots = [ln.slot for ln in flow.lines if ln.slot >= 0]
    assert len(slots) == len(set(slots)), "two lines share a slot"
    for ln in flow.lines:
        region = layout.regions[ln.region]
        assert region.first_line <= ln.grid_line <= region.last_line
        assert ln.page == region.page


@settings(max_examples=150, deadline=None)
@given(regions=threads(), texts=st.lists(PARAGRAPH, min_size=1, max_size=5))
def test_flow_warnings_name_their_story_and_the_page_of_their_line(regions, texts):
    """An orphan warning is about the page of its paragraph's last line, a forced break, a loose
    line or a cut unit about the page of the line at the character it names; a warning about a
    line that was not placed has no page (the text is overset from that paragraph on)."""
    article = Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))
    layout = simple_layout(regions, columns=4, column_chars=6, rows=60)
    flow = flow_story(layout.stories[0], article, layout, itemizer)
    text_lines = [ln for ln in flow.lines if ln.role == "text"]
    for w in flow.warnings:
        assert w.story == "s" and w.kind in ("orphan", "forced-break", "loose-line", "overlong-unit",
                                                "jump-mid-word")
        pi = int(w.message.removeprefix("story s: paragraph ").split(" ")[0].rstrip(":")) - 1
        assert w.message.startswith(f"story s: paragraph {pi + 1}")
        if w.page is None:
            assert flow.overset is not None and flow.overset.paragraph == pi
        elif w.kind == "orphan":
            last = next(ln for ln in text_lines if ln.paragraph == pi and ln.last_of_paragraph)
            assert w.page == last.page
        else:  # a forced break, a loose line, a cut unit, a jump: the page of the line at its character
            at = int(w.message.split(" at character ")[1].split(":")[0]) - 1
            line = next(ln for ln in text_lines if ln.paragraph == pi
                        and ln.char_offset <= at < ln.char_offset + sum(len(u.text) for u in ln.units))
            assert w.page == line.page
