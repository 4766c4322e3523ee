"""The line breakers' limits, one named case per rule (issue 18, point 3), with fake metrics.

* looseness: a justified line may not be stretched more than `max_stretch` em per gap; the
  greedy breaker then takes the next-best break (push-in, else a hyphenation point) and the flow
  reports a loose line no break avoids (`loose-line`, with story, paragraph and character);
* total fit: lines looser than `max_stretch` are not feasible; a paragraph of more than
  `total_fit.MAX_UNITS` units is broken greedily and the flow says so (`total-fit-too-long`);
* an over-long unit (a number wider than the line) is cut and reported (`overlong-unit`);
* the style key `max_stretch` is read from a layout and documented.
"""

from __future__ import annotations

from math import inf
from pathlib import Path

import pytest
from conftest import ROOT, full_text, simple_layout, text_region

from paiban.flow.thread_flow import flow_story
from paiban.linebreak import total_fit
from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted, open_gaps, stretch_per_gap
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.article import Article, Paragraph
from paiban.model.items import CharClass, LineBreak, Unit
from paiban.model.spec import Align, Breaker, KinsokuPolicy, TextStyle
from paiban.text.itemize import itemize

PUSH_OUT = KinsokuPolicy.PUSH_OUT


def han(text: str) -> list[Unit]:
    return [Unit(ch, CharClass.HAN, 1.0, 1.0, 1.0, False, False) for ch in text]


def point(ch: str = "，") -> Unit:
    """A point mark in banjiao: ½ em, may not start a line."""
    return Unit(ch, CharClass.POINT, 0.5, 0.5, 0.5, True, False)


def number(text: str, width: float) -> Unit:
    return Unit(text, CharClass.DIGIT, width, width, width, False, False)


def piece(text: str, width: float, hyphen: float | None = None) -> Unit:
    """A piece of a hyphenated Latin word; with `hyphen`, a hyphenation point follows it."""
    if hyphen is None:
        return Unit(text, CharClass.LATIN, width, width, width, False, False)
    return Unit(text, CharClass.LATIN, width, width, width + hyphen, False, True, joined=True, hyphen=True)


def options(max_stretch: float = inf, policy: KinsokuPolicy = PUSH_OUT) -> BreakOptions:
    return BreakOptions(policy, 0.5, False, False, max_stretch)


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def article(*texts: str) -> Article:
    return Article(Path("a.txt"), paragraphs=tuple(Paragraph(t) for t in texts))


# ---------------------------------------------------------------- how loose a line is

def test_stretch_is_slack_per_gap_that_justification_stretches():
    units = han("甲乙") + [piece("inter", 2.5, 0.5), piece("national", 4.0)] + han("丙")
    line = LineBreak(0, 5, 0.0, 12.0, 9.5)  # 2.5 em of slack
    # four gaps between five units, but none inside the joined word: three stretch
    assert open_gaps(units, 0, 5) == 3
    assert stretch_per_gap(units, line) == pytest.approx(2.5 / 3)
    spaced = [Unit(" ", CharClass.LATIN_SPACE, 0.25, 0.0, 0.0, False, False)] + han("甲乙")
    assert open_gaps(spaced, 0, 3) == 1  # no share beside a word space at the line's edge


# ---------------------------------------------------------------- greedy: the limit and its fallbacks

def loose_paragraph() -> tuple[Unit, ...]:
    """甲乙，1234567。丙…: in 6 em the number (3.5 em) and the 。 after it (which may not start a
    line) overflow; pushing them out leaves 甲乙， with 3.5 em over 2 gaps (1.75 em per gap)."""
    return tuple(han("甲乙") + [point(), number("1234567", 3.5), point("。")] + han("丙丁戊己"))


def test_without_a_limit_push_out_leaves_the_loose_line():
    lines, _ = break_paragraph_fitted(loose_paragraph(), 6.0, 0.0, options())
    assert (lines[0].start, lines[0].end) == (0, 3)
    assert stretch_per_gap(loose_paragraph(), lines[0]) == pytest.approx(1.75)


def test_looseness_limit_respected_by_squeezing_the_next_units_in():
    units = loose_paragraph()
    lines, _ = break_paragraph_fitted(units, 6.0, 0.0, options(max_stretch=0.5))
    # the next permitted break is after 。: 6.5 em, squeezed by ½ em (push-in, under push-out)
    assert (lines[0].start, lines[0].end, lines[0].natural) == (0, 5, 6.5)
    for line in lines[:-1]:
        assert line.natural > line.measure or stretch_per_gap(units, line) <= 0.5


def test_a_limit_looser_than_the_line_changes_nothing():
    units = loose_paragraph()
    assert break_paragraph_fitted(units, 6.0, 0.0, options(max_stretch=2.0)) == \
        break_paragraph_fitted(units, 6.0, 0.0, options())


def hyphen_paragraph() -> tuple[Unit, ...]:
    """甲乙 inter-national 丙: in 6 em `national` overflows and the break after `inter` is a
    hyphenation point, not a permitted break: push-out leaves 甲乙 with 4 em over 1 gap."""
    return tuple(han("甲乙") + [piece("inter", 2.5, 0.5), piece("national", 4.0)] + han("丙"))


def test_fallback_break_at_a_hyphenation_point_when_no_squeeze_helps():
    units = hyphen_paragraph()
    loose, _ = break_paragraph_fitted(units, 6.0, 0.0, options())
    assert (loose[0].start, loose[0].end) == (0, 2)
    lines, _ = break_paragraph_fitted(units, 6.0, 0.0, options(max_stretch=0.5))
    assert (lines[0].start, lines[0].end) == (0, 3)  # 甲乙inter- : 2 + 2.5 + the hyphen's 0.5
    assert lines[0].natural == 5.0 and not lines[0].forced


def test_a_hyphenation_point_comes_before_breaking_against_the_rules():
    # a word wider than the line and no permitted break in it: hyphenated, not forced
    units = (piece("inter", 2.5, 0.5), piece("nation", 3.0, 0.5), piece("alization", 4.5))
    lines, _ = break_paragraph_fitted(units, 5.5, 0.0, options())
    assert [(ln.start, ln.end, ln.forced) for ln in lines] == [(0, 1, False), (1, 2, False), (2, 3, False)]


def test_no_permitted_break_nor_hyphenation_point_is_a_forced_break():
    units = tuple(Unit("（", CharClass.OPEN, 0.5, 0.5, 0.5, False, True) for _ in range(40))
    lines, _ = break_paragraph_fitted(units, 6.0, 0.0, options(max_stretch=0.5))
    assert all(ln.forced for ln in lines[:-1]) and sum(ln.end - ln.start for ln in lines) == 40


def test_house_rules_do_not_make_a_line_looser_than_the_limit():
    # the jump line would end on its clause (，) 2 em short: within JUMP_CLAUSE_SLACK, but that is
    # 1 em per gap over 甲乙， and the limit is ½: the jump line ends later (甲乙，丙丁, or
    # 甲乙，丙 where the segmenter puts a word boundary: ⅓ em per gap), never looser than ½ em
    units = tuple(han("甲乙") + [point()] + han("丙丁戊己庚辛壬癸子丑寅卯"))
    free, _ = break_paragraph_fitted(units, 4.5, 0.0, options(), jump_lines=frozenset({0}))
    limited, _ = break_paragraph_fitted(units, 4.5, 0.0, options(max_stretch=0.5), jump_lines=frozenset({0}))
    assert free[0].end == 3 and limited[0].end in (4, 5) and stretch_per_gap(units, limited[0]) <= 0.5


# ---------------------------------------------------------------- total fit

def test_total_fit_takes_no_line_looser_than_the_limit():
    units = tuple(itemize("中中区1990。发展发展——中发展——”国，“", "banjiao"))
    free, _ = break_total_fit(units, 8.0, 0.0, options())
    assert max(stretch_per_gap(units, ln) for ln in free[:-1]) > 0.2  # 中中区1990。发: 0.3 em per gap
    limited, _ = break_total_fit(units, 8.0, 0.0, options(max_stretch=0.2))
    assert limited != break_paragraph_fitted(units, 8.0, 0.0, options(max_stretch=0.2))[0]  # total fit's own
    assert all(stretch_per_gap(units, ln) <= 0.2 for ln in limited[:-1])


def test_total_fit_counts_only_the_gaps_justification_stretches(monkeypatch):
    # 甲 + a URL in three joined pieces, then a 3-em word: the only break that is not far too
    # loose is after the URL, 1.1 em short: 0.37 em over its 3 gaps, but 1.1 em in the one gap
    # justification stretches (after 甲). Too loose for max_stretch ½: nothing feasible is left,
    # and total fit gives the paragraph to the greedy breaker
    url = [Unit("www.", CharClass.LATIN, 2.0, 2.0, 2.0, False, False, joined=True),
           Unit("example.", CharClass.LATIN, 2.0, 2.0, 2.0, False, False, joined=True),
           Unit("com/", CharClass.LATIN, 1.9, 1.9, 1.9, False, False)]
    units = tuple(han("甲") + url + [Unit("Word", CharClass.LATIN, 3.0, 3.0, 3.0, False, False)])
    greedy_calls = []
    monkeypatch.setattr(total_fit, "break_paragraph_fitted",
                        lambda *args: greedy_calls.append(args) or break_paragraph_fitted(*args))
    lines, _ = break_total_fit(units, 8.0, 0.0, options())
    assert [(ln.start, ln.end) for ln in lines] == [(0, 4), (4, 5)] and not greedy_calls
    break_total_fit(units, 8.0, 0.0, options(max_stretch=0.5))
    assert len(greedy_calls) == 1


def test_total_fit_prefers_a_hyphenation_point_to_a_very_loose_line():
    units = hyphen_paragraph()
    assert break_paragraph_fitted(units, 5.5, 0.0, options())[0][0].end == 2  # 甲乙, 3.5 em short
    lines, _ = break_total_fit(units, 5.5, 0.0, options())
    assert [(ln.start, ln.end) for ln in lines] == [(0, 3), (3, 5)]


def test_total_fit_beyond_its_size_is_the_greedy_breaker(monkeypatch):
    units = tuple(itemize("中国新区发展，“创新”突破。" * 20, "quanjiao"))
    monkeypatch.setattr(total_fit, "MAX_UNITS", len(units) - 1)
    assert break_total_fit(units, 15.0, 2.0, options()) == break_paragraph_fitted(units, 15.0, 2.0, options())


def test_total_fit_window_fallback_is_reported(monkeypatch):
    monkeypatch.setattr(total_fit, "MAX_UNITS", 100)
    layout = simple_layout([text_region("a", 1, (1, 30))], column_chars=10,
                           styles={"body": TextStyle("body", breaker=Breaker.TOTAL_FIT)})
    flow = flow_story(layout.stories[0], article("中" * 50, "中" * 120), layout, itemizer)
    assert [(w.kind, w.page, w.story) for w in flow.warnings] == [("total-fit-too-long", 1, "s")]
    assert flow.warnings[0].message == ("story s: paragraph 2 has 120 units, more than total fit takes (100); "
                                        "broken first-fit (greedy)")


def test_total_fit_active_nodes_are_bounded(monkeypatch):
    """Nodes made grow with the paragraph, not with its square: without the bound, a node per
    line number reachable at each breakpoint (their number grows along the paragraph)."""
    made = []

    class Counted(total_fit._Node):
        __slots__ = ()

        def __init__(self, *args):
            made.append(1)
            super().__init__(*args)

    monkeypatch.setattr(total_fit, "_Node", Counted)

    def nodes(n: int) -> int:
        made.clear()
        break_total_fit(tuple(itemize("中" * n, "banjiao")), 15.0, 2.0, options())
        return len(made)

    small, large = nodes(1500), nodes(6000)
    assert large < 4.4 * small
    assert large < (total_fit.MAX_ACTIVE + total_fit.MAX_PER_POSITION) * 6000


# ---------------------------------------------------------------- the flow's reports

def test_loose_line_reported_with_story_paragraph_and_character():
    # a 13-digit number (6.5 em) does not fit after the indent and 中中: the line before it is
    # 4 em short with one gap; nothing to squeeze, no hyphenation point
    layout = simple_layout([text_region("a", 1, (1, 5))], column_chars=10)
    flow = flow_story(layout.stories[0], article("中中中中中中中中", "中中1234567890123中中中"), layout, itemizer)
    assert [full_text(ln) for ln in flow.lines[1:3]] == ["中中", "1234567890123中中中"]
    assert [(w.kind, w.page, w.story) for w in flow.warnings] == [("loose-line", 1, "s")]
    assert flow.warnings[0].message == ("story s: paragraph 2 at character 1: a line stretched 6.00 em between "
                                        "units, more than max_stretch (0.5); no permitted break avoids it")


def test_no_loose_line_reported_for_a_style_that_is_not_justified():
    layout = simple_layout([text_region("a", 1, (1, 5))], column_chars=10,
                           styles={"body": TextStyle("body", align=Align.LEFT)})
    flow = flow_story(layout.stories[0], article("中中1234567890123中中中"), layout, itemizer)
    assert flow.warnings == ()


def test_max_stretch_of_the_style_is_the_flows_limit():
    layout = simple_layout([text_region("a", 1, (1, 5))], column_chars=10,
                           styles={"body": TextStyle("body", max_stretch=10.0)})
    flow = flow_story(layout.stories[0], article("中中1234567890123中中中"), layout, itemizer)
    assert flow.warnings == ()


def test_over_long_unit_is_cut_and_reported():
    layout = simple_layout([text_region("a", 1, (1, 6)), text_region("b", 2, (1, 6))], column_chars=8)
    digits = "1234567890" * 3  # 15 em in a 6-em first line: cut between its digits
    text = "中中" + digits + "。"
    flow = flow_story(layout.stories[0], article(text), layout, itemizer)
    assert "".join(full_text(ln) for ln in flow.lines) == text and flow.placed_characters == len(text)
    cut = [w for w in flow.warnings if w.kind == "overlong-unit"]
    assert [(w.page, w.story) for w in cut] == [(1, "s")]
    assert cut[0].message == ("story s: paragraph 1 at character 3: “123456789012345678901234…” (30 characters) "
                              "is wider than the narrowest line (6 em); cut between its characters")


def test_over_long_unit_in_overset_text_is_reported_without_a_page():
    layout = simple_layout([text_region("a", 1, (1, 1))], column_chars=8)
    flow = flow_story(layout.stories[0], article("中" * 6 + "1" * 30), layout, itemizer)
    assert flow.overset is not None
    assert [(w.kind, w.page) for w in flow.warnings] == [("overlong-unit", None)]


# ---------------------------------------------------------------- the layout key

def test_max_stretch_is_a_style_key_of_the_layout(tmp_path):
    from paiban.errors import InputError
    from paiban.input.layout_loader import load_layout

    (tmp_path / "a.txt").write_text("正文。\n", encoding="utf-8")
    layout = """\
page: {{size: a4}}
grid: {{columns: 1, column_chars: 10, rows: 20}}
styles:
  body: {{max_stretch: {value}}}
pages:
  - page: 1
    regions:
      - {{name: body, columns: [1, 1], lines: [1, 20]}}
stories:
  - {{name: s, article: a.txt, thread: [body]}}
"""
    path = tmp_path / "l.yaml"
    path.write_text(layout.format(value=0.3), encoding="utf-8")
    assert load_layout(path).styles["body"].max_stretch == 0.3
    path.write_text(layout.format(value=-1), encoding="utf-8")
    with pytest.raises(InputError, match="max_stretch"):
        load_layout(path)
    assert TextStyle("x").max_stretch == 0.5
    assert "| `max_stretch` |" in (ROOT / "docs" / "layout-spec.md").read_text(encoding="utf-8")
