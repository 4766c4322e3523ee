"""The quick scans of a compose job checked against the plain rules they replace: the distinct
characters of a text (`distinct_chars`, used by `chars_by_face` for the fonts' subsets) against
`set(text)`, and the report's holes and subhead cuts (`paiban.flow.holes`) against the per-line
loops they were first written as, restated here."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import DEMO, simple_layout, text_region
from hypothesis import given, settings, strategies as st

from paiban import pipeline
from paiban.flow.holes import SLACK_LINES, region_holes, subhead_word_cuts
from paiban.flow.frames import thread_slots
from paiban.flow.thread_flow import flow_story
from paiban.linebreak.display_breaks import breaks_word, cut_words
from paiban.model.article import Article, Paragraph, ParagraphKind
from paiban.model.build_warning import BuildWarning
from paiban.model.placed import chars_by_face, distinct_chars
from paiban.model.spec import TextStyle
from paiban.model.vertical_geometry import is_vertical
from paiban.text.itemize import itemize
from paiban.i18n import _


# ---- distinct characters ---------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "abc abc", "中文中文，。", "é中\u00ff", "𠀀中𠀀a", "a\ud800中\udfff",
                                  "\x00\U0010ffff"])
def test_distinct_chars_are_the_set_of_the_text(text):
    assert distinct_chars(text) == set(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_distinct_chars_of_any_text_are_its_set(text):
    assert distinct_chars(text) == set(text)


def test_chars_by_face_of_the_demo_is_each_runs_characters():
    result = pipeline.run(DEMO, None)
    assert result.document is not None
    for page in result.document.pages:
        expected: dict[str, set[str]] = {}
        for line in page.lines:
            for face, start, end in line.runs():
                expected.setdefault(face, set()).update(line.chars[start:end])
        got = chars_by_face([page])
        assert got == {face: chars for face, chars in expected.items()} and any(len(c) > 100 for c in got.values())


# ---- holes: the per-line loops restated ------------------------------------------------------

def _region_holes_plain(layout, story, flow) -> list[BuildWarning]:
    if flow.overset is not None:
        return []
    frames = thread_slots(layout, story.thread, story.repeat_headline)[0]
    used: dict = {}
    for ln in flow.lines:
        key = (ln.region, ln.column)
        used[key] = max(used.get(key, 0), ln.grid_line)
    foot: dict = {}
    for f in frames:
        key = (f.region, f.column)
        foot[key] = max(foot.get(key, 0), f.first_line + f.lines - 1)
    out = []
    for name in story.thread:
        region = layout.regions[name]
        vertical = is_vertical(region)
        columns = [end - used.get((r, c), 0 if vertical else region.first_line - 1)
                   for (r, c), end in foot.items() if r == name]
        if columns and min(columns) > SLACK_LINES:
            out.append((name, min(columns), region.page))
    return out


def _subhead_cuts_plain(layout, story, flow) -> list[BuildWarning]:
    paragraphs: dict = {}
    for ln in flow.lines:
        style = layout.styles.get(ln.style)
        if ln.role == "text" and style is not None and style.word_breaks:
            paragraphs.setdefault(ln.paragraph, []).append(ln)
    out = []
    for pi, lines in paragraphs.items():
        if len(lines) < 2 or not lines[-1].last_of_paragraph:
            continue
        texts = ["".join(u.text for u in ln.units) for ln in lines]
        cuts = cut_words(texts)
        if cuts:
            out.append(breaks_word(_("story {name}: the subhead of paragraph {paragraph}").format(
                name=story.name, paragraph=pi + 1), "".join(texts), cuts, lines[0].page, story.name))
    return out


def _summary(warnings: list[BuildWarning], layout) -> list[tuple]:
    """(region, empty lines, page) of each hole warning, read back from its message."""
    out = []
    for w in warnings:
        assert w.kind == "hole"
        name = next(n for n in layout.regions if f"region {n} " in w.message)
        empty = int(w.message.split(" ends ")[1].split(" ")[0]) if " ends " in w.message else \
            int(w.message.split(" leaves ")[1].split(" ")[0])
        out.append((name, empty, w.page))
    return out


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 260), st.integers(1, 3), st.integers(0, 2))
def test_region_holes_match_the_per_line_loop_in_any_line_order(chars, text_columns, order):
    layout = simple_layout([text_region("r", 3, (5, 14 + 3 * text_columns), columns=(1, 3),
                                        text_columns=text_columns)], columns=3, column_chars=5)
    article = Article(Path("a.txt"), paragraphs=(Paragraph("中" * chars),))
    story = layout.stories[0]
    flow = flow_story(story, article, layout, lambda t, style: itemize(t, style.punctuation.value))
    lines = list(flow.lines)
    if order == 1:
        lines.reverse()
    elif order == 2:
        random.Random(chars).shuffle(lines)  # a column's lines not one after the other
    flow = replace(flow, lines=tuple(lines))
    assert _summary(region_holes(layout, story, flow), layout) == _region_holes_plain(layout, story, flow)


def test_the_demos_holes_and_subhead_cuts_match_the_per_line_loops():
    result = pipeline.run(DEMO, None)
    for spec, flow in zip(result.layout.stories, result.flows):
        assert _summary(region_holes(result.layout, spec, flow), result.layout) == \
            _region_holes_plain(result.layout, spec, flow)
        assert subhead_word_cuts(result.layout, spec, flow) == _subhead_cuts_plain(result.layout, spec, flow)


@pytest.mark.parametrize("subhead", ["新区简讯今日发布", "中华人民共和国成立", "综述"])
@pytest.mark.parametrize("word_breaks", [True, False])
def test_subhead_cuts_match_the_per_line_loop(subhead, word_breaks):
    style = TextStyle("subhead", indent=0.0, word_breaks=word_breaks)
    layout = simple_layout([text_region("a", 1, (1, 30))], column_chars=5, styles={"subhead": style})
    article = Article(Path("a.txt"), paragraphs=(Paragraph(subhead, ParagraphKind.SUBHEAD),
                                                 Paragraph("甲乙丙丁戊己庚辛壬癸" * 3),
                                                 Paragraph(subhead * 2, ParagraphKind.SUBHEAD)))
    story = layout.stories[0]
    flow = flow_story(story, article, layout, lambda t, s: itemize(t, s.punctuation.value))
    plain = _subhead_cuts_plain(layout, story, flow)
    assert subhead_word_cuts(layout, story, flow) == plain
    if not word_breaks:
        assert plain == []
