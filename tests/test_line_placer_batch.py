"""Placing a story's lines on a page in one call (`LinePlacer.place`, as `compose_some_pages`
does without a memo) against the general path: every line justified by `justify_glyphs` and
placed one at a time (the usual-line fast path off; the per-line loop a `ComposeMemo` takes),
page for page, bit for bit.
"""

from __future__ import annotations

from pathlib import Path
from unittest.mock import patch

import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.page import compose
from paiban.page.compose_memo import ComposeMemo

THREE_PAGES = DEMO.parent / "three-pages.yaml"


def _pages(flowed, memo: ComposeMemo | None) -> list[str]:
    stories = list(flowed.stories)
    out = []
    for number in flowed.layout.pages:
        (page,), warnings = compose.compose_some_pages(flowed.layout, stories, flowed.glyphs, True, {number},
                                                       flowed.index, memo)
        out += [repr(page), repr(warnings)]
    return out


@pytest.mark.parametrize("layout", [DEMO, THREE_PAGES], ids=["demo", "three-pages"])
def test_a_story_s_lines_placed_in_one_call_are_the_lines_placed_one_by_one(layout: Path):
    loaded = pipeline.load(layout)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout))
    lines = [fl for _, _, flow in flowed.stories for fl in flow.lines]
    # what `place` branches on is there: run-ins, lines of several styles, jump text and other roles
    assert any(fl.role == "text" and article.paragraphs[fl.paragraph].run_in
               for _, article, flow in flowed.stories for fl in flow.lines)
    assert len({fl.style for fl in lines}) >= 3
    if layout == THREE_PAGES:
        assert any(fl.prefix or fl.suffix for fl in lines) and any(fl.role != "text" for fl in lines)
    batched = _pages(flowed, None)
    with patch.object(compose, "usual_lines", lambda lookup, latin_advance: lambda *args: None):
        general = _pages(flowed, ComposeMemo())
    assert batched == general


def test_a_character_no_font_has_gets_its_proof_marker():
    loaded = pipeline.load(DEMO)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout))
    for style in flowed.layout.styles.values():  # no face has 的 now (its advance was known to the flow)
        flowed.glyphs.lookup(style.font).__self__["的"] = None
    stories = list(flowed.stories)
    pages = [compose.compose_some_pages(flowed.layout, stories, flowed.glyphs, True, {number}, flowed.index)[0][0]
             for number in flowed.layout.pages]
    body = [line for page in pages for line in page.lines if line.kind != "headline"]
    missing = sum(line.text.count("的") for line in body)
    notes = [m.note for page in pages for m in page.markers if "U+7684" in m.note]
    assert missing > 50 and len(notes) >= missing
    assert not any("的" in line.chars for line in body)
