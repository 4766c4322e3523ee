"""Hostile paragraphs (issue 18, point 6) at small sizes: every character placed once or reported
as overset, and the flow's time growing linearly with the paragraph's length.

bench/hostile_paragraphs.py measures the full sizes (1 MB) in whole builds; here each kind is a
20,000-character paragraph flowed in this process, and the growth is checked from a quarter of
that to all of it (a quadratic step would take 16 times as long, a linear one 4). The shortcuts
that make the greedy breaker and the flow linear are checked against the code without them.
"""

from __future__ import annotations

import time
from math import inf
from pathlib import Path
from unittest.mock import patch

import pytest
from conftest import full_text, line_text, simple_layout, text_region
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.flow.thread_flow import _may_end_by, flow_story
from paiban.linebreak import greedy
from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.article import Article, Paragraph
from paiban.model.spec import Breaker, KinsokuPolicy, TextStyle
from paiban.text.itemize import itemize

HANZI = "中国新区发展创新突破经济社会海洋港口城市建设"
#: kind → the paragraph of `n` characters, and the breaker
KINDS = {
    "latin": (lambda n: ("ab " * n)[:n], Breaker.GREEDY),
    "open-brackets": (lambda n: "（" * n, Breaker.GREEDY),
    "close-brackets": (lambda n: "）" * n, Breaker.GREEDY),
    "dashes": (lambda n: "——" * (n // 2), Breaker.GREEDY),
    "hanzi": (lambda n: (HANZI * n)[:n], Breaker.GREEDY),
    "hanzi-total-fit": (lambda n: (HANZI * n)[:n], Breaker.TOTAL_FIT),
    "long-number": (lambda n: "1" * n, Breaker.GREEDY),
    "ellipses": (lambda n: "……" * (n // 2), Breaker.GREEDY),
}
SIZE = 20_000


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def flow(text: str, breaker: Breaker, pages: int = 2):
    """`text` as one paragraph in a thread of `pages` pages of two 15-character columns of 30
    lines (jump lines between the pages), most of it overset."""
    regions = [text_region(f"p{p}", p, (1, 30), columns=(1, 2), text_columns=2) for p in range(1, pages + 1)]
    layout = simple_layout(regions, columns=2, column_chars=15,
                           styles={"body": TextStyle("body", breaker=breaker)})
    article = Article(Path("a.txt"), paragraphs=(Paragraph(text),))
    return flow_story(layout.stories[0], article, layout, itemizer)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_character_is_placed_once_or_reported_as_overset(kind):
    make, breaker = KINDS[kind]
    text = make(SIZE)
    result = flow(text, breaker)
    overset = result.overset.characters if result.overset else 0
    assert result.placed_characters + overset == len(text)
    placed = "".join(line_text(ln) for ln in result.lines if ln.role == "text")
    assert placed == text[:len(placed)] and len(placed) == result.placed_characters  # in order, each once
    if result.overset:
        assert result.overset.offset == len(placed)
    jumps = [full_text(ln) for ln in result.lines if ln.suffix or ln.prefix]
    assert jumps and all("下转" in t or "上接" in t for t in jumps)  # jump texts, not the story's text


def test_a_paragraph_that_fits_is_placed_whole():
    for make, breaker in KINDS.values():
        text = make(1_500)
        result = flow(text, breaker, pages=3)
        assert result.overset is None and result.placed_characters == len(text)
        assert "".join(line_text(ln) for ln in result.lines if ln.role == "text") == text


def _best_seconds(texts: list[str], breaker: Breaker) -> list[float]:
    """The best of three flows of each text, in turn (a slower minute slows them alike)."""
    best = [float("inf")] * len(texts)
    for _ in range(3):
        for i, text in enumerate(texts):
            start = time.perf_counter()
            flow(text, breaker)
            best[i] = min(best[i], time.perf_counter() - start)
    return best


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_flow_time_grows_linearly(kind):
    make, breaker = KINDS[kind]
    small, large = _best_seconds([make(SIZE // 4), make(SIZE)], breaker)
    # 4 times the text: 4 times the time when linear (16 when quadratic); a floor for the fixed
    # cost of a flow (slots, jump texts) that tiny paragraphs are made of
    assert large < 8 * max(small, 0.002), (small, large)


# ---------------------------------------------------------------- the shortcuts that make it linear
# Each against the code without it, over random paragraphs (as tests/test_fast_paths.py does for
# the breaker's other shortcuts).

TOKEN = st.one_of(
    st.sampled_from(list("中国新区发展创新突破年月日的一是了人我在有他这为之大来以个")),
    st.sampled_from(list("，。、；：？！“”《》（）")), st.just("——"), st.just("……"), st.just(" "),
    st.from_regex(r"[0-9]{1,9}(\.[0-9]{1,2})?%?", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True), st.just("internationalization"),
)
#: mixed text, and text of hanzi and the marks that make clauses, quotes and kinsoku runs (where
#: the jump-line and push-in rules act)
PARAGRAPH = st.one_of(st.lists(TOKEN, min_size=1, max_size=150).map("".join),
                      st.lists(st.sampled_from(list("中国新区发展创新突破年月日中国新区发展，。、“”》")),
                               min_size=10, max_size=150).map("".join))
MEASURE = st.one_of(st.integers(5, 15).map(float), st.floats(3.0, 20.0, allow_nan=False))


def _options(data) -> BreakOptions:
    return BreakOptions(data.draw(st.sampled_from(list(KinsokuPolicy))), data.draw(st.sampled_from([0.5, 1.0, 0.0])),
                        data.draw(st.booleans()), data.draw(st.booleans()),
                        data.draw(st.sampled_from([inf, 0.5, 0.25, 0.1])))


@settings(max_examples=300, deadline=None)
@given(text=PARAGRAPH, measure=MEASURE, style=st.sampled_from(["banjiao", "quanjiao", "kaiming"]),
       jumps=st.sets(st.integers(0, 6), min_size=1, max_size=3), data=st.data())
def test_re_breaking_that_meets_the_old_lines_keeps_them(text, measure, style, jumps, data):
    """`_Breaker.lines(..., resync)`: the house rules' re-breaking stops where the new lines meet
    the old ones; the paragraph is broken as if every line after had been broken again."""
    units, options = itemize(text, style), _options(data)
    fast = break_paragraph_fitted(units, measure, 2.0, options, jump_lines=frozenset(jumps))
    lines = greedy._Breaker.lines
    with patch.object(greedy._Breaker, "lines", lambda self, ln, pos, sq, st_, resync=None: lines(self, ln, pos, sq, st_)):
        plain = break_paragraph_fitted(units, measure, 2.0, options, jump_lines=frozenset(jumps))
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(text=PARAGRAPH, measure=MEASURE, style=st.sampled_from(["banjiao", "quanjiao", "kaiming"]), data=st.data())
def test_push_in_search_that_stops_at_the_squeezes_reach_finds_what_the_whole_search_finds(text, measure, style,
                                                                                          data):
    units, options = itemize(text, style), _options(data)
    fast = break_paragraph_fitted(units, measure, 2.0, options)
    with patch.object(greedy, "WINDOW_MARGIN", inf):  # the bound never stops the search
        plain = break_paragraph_fitted(units, measure, 2.0, options)
    assert fast == plain


@settings(max_examples=200, deadline=None)
@given(text=PARAGRAPH, measures=st.lists(MEASURE, min_size=1, max_size=6), last=st.integers(0, 12),
       breaker=st.sampled_from([break_paragraph_fitted, break_total_fit]), data=st.data())
def test_a_paragraph_said_not_to_end_by_a_line_does_not(text, measures, last, breaker, data):
    """`thread_flow._may_end_by` lets the flow skip breaking a story's last paragraph without its
    jump line: only when the paragraph cannot end on or before that line, whatever the breaker."""
    units, options = itemize(text, "banjiao"), _options(data)

    def measure(k: int) -> float:
        return measures[min(k, len(measures) - 1)]

    if not _may_end_by(units, measure, last, options.max_squeeze):
        lines, _ = breaker(units, measure, 2.0, options)
        assert len(lines) - 1 > last


def test_push_in_reaches_across_a_run_of_marks():
    # 中中中中 fill 4 of 4.2 em; ” and 。 may not start a line: squeezing both in (0.8 em of 1)
    # reaches the break after 。 (the search passes ” before it finds that break)
    units = itemize("中中中中”。中中", "banjiao")
    lines, _ = break_paragraph_fitted(units, 4.2, 0.0, BreakOptions(KinsokuPolicy.PUSH_IN, 1.0, False))
    assert (lines[0].end, lines[0].natural) == (6, 5.0)


def test_the_article_reader_keeps_every_dash_of_a_long_run(tmp_path):
    """Only the OCR's lone three-stroke dash `———` becomes `——`; an author's longer run is text."""
    from paiban.input.article_reader import read_article

    path = tmp_path / "dashes.txt"
    path.write_text("---\nheadline: 破折号\n---\n\n" + "——" * 5000 + "\n\n前文———后文\n", encoding="utf-8")
    paragraphs = [p.text for p in read_article(path).paragraphs]
    assert paragraphs[0] == "——" * 5000
    assert paragraphs[1] == "前文——后文"
