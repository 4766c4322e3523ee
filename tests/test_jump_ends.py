"""Jumps that end well (issue 16, point 4): the line that carries a 下转 jump line ends on a
clause, else between two words (text/phrases.py, jieba), by the squeezes and the one-line
pull/push the house style allows (linebreak/greedy.py, jump fit); a jump that cannot end well is
reported (`jump-mid-word`). The whole-layout check builds the demo and the sample editions and
reads every jump line back from the PDF.
"""

from __future__ import annotations

import re
from math import inf
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import DEMO, ROOT, SPACE, full_text, lines_text, simple_layout, text_region

from paiban import pipeline
from paiban.flow.thread_flow import flow_story
from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted, jump_ends_well, stretch_per_gap
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.article import Article, Paragraph
from paiban.model.spec import KinsokuPolicy, TextStyle
from paiban.text.itemize import itemize
from paiban.text.phrases import boundaries, words

PUSH_OUT = BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False)
#: the marks after which a page's segment ends on a clause (a point or a closing mark)
CLAUSE_END = set("，。、；：！？…”’」』）》〉】〕")
EDITIONS = [ROOT / "layouts" / "editions" / "city.yaml", ROOT / "layouts" / "editions" / "coast.yaml"]


def texts(units, lines):
    return lines_text(units, lines)


# ---- the breakers, fake measures ------------------------------------------------------------

def test_jump_line_ends_on_a_clause_before_a_word_boundary():
    # jump line 2 would end 稳增长，质|量 (mid-word): it ends after its clause instead, 1 em short
    # (within JUMP_CLAUSE_SLACK), although 稳增长，质量 would end between words too
    units = itemize("甲乙丙丁，经济总量平稳增长，质量效益加快提升。", "banjiao")
    plain, _ = break_paragraph_fitted(units, 5.0, 0.0, PUSH_OUT)
    fitted, _ = break_paragraph_fitted(units, 5.0, 0.0, PUSH_OUT, jump_lines=frozenset({2}))
    assert texts(units, plain)[2] == "稳增长，质"
    assert texts(units, fitted)[:3] == ["甲乙丙丁，", "经济总量平", "稳增长，"]


def test_jump_line_ends_between_words_by_pushing_a_character_down():
    # no clause within reach and no mark to squeeze: 经济总量平|稳 becomes 经济总量|平稳 (1 em
    # short, ⅓ em between units: within max_stretch ½)
    units = itemize("经济总量平稳增长质量效益加快提升", "banjiao")
    assert words("经济总量平稳增长质量效益加快提升")[:2] == ("经济总量", "平稳")
    options = BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False, False, 0.5)
    plain, _ = break_paragraph_fitted(units, 5.0, 0.0, options)
    fitted, _ = break_paragraph_fitted(units, 5.0, 0.0, options, jump_lines=frozenset({0}))
    assert texts(units, plain)[0] == "经济总量平"
    assert texts(units, fitted)[0] == "经济总量"
    assert stretch_per_gap(units, fitted[0]) <= 0.5


def test_jump_line_ends_between_words_by_squeezing_a_mark_above():
    # 甲乙丙丁，| 经济总量平 (jump): no clause reachable; squeezing line 0's `，` pulls 经 up and
    # line 1 then ends 济总量平稳|增长, between words
    text = "甲乙丙丁，经济总量平稳增长质量效益加快提升"
    units = itemize(text, "banjiao")
    plain, _ = break_paragraph_fitted(units, 5.0, 0.0, PUSH_OUT)
    fitted, _ = break_paragraph_fitted(units, 5.0, 0.0, PUSH_OUT, jump_lines=frozenset({1}))
    assert texts(units, plain)[:2] == ["甲乙丙丁，", "经济总量平"]
    assert texts(units, fitted)[:2] == ["甲乙丙丁，经", "济总量平稳"]
    assert fitted[0].natural > fitted[0].measure  # squeezed
    assert jump_ends_well(units, fitted[1])


def test_jump_line_stays_mid_word_when_no_rule_reaches_a_boundary():
    # 新区非机|动车: the boundary before 非机动车 leaves the line 2 em short, 2 em in its one gap
    units = itemize("新区非机动车停放管理办法正式实施", "banjiao")
    tight = BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False, False, 0.5)
    fitted, _ = break_paragraph_fitted(units, 4.0, 0.0, tight, jump_lines=frozenset({0}))
    assert texts(units, fitted)[0] == "新区非机" and not jump_ends_well(units, fitted[0])
    free, _ = break_paragraph_fitted(units, 4.0, 0.0, BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False),
                                     jump_lines=frozenset({0}))
    assert texts(units, free)[0] == "新区"  # no looseness limit: pushed down to the word


def test_total_fit_prefers_a_word_boundary_for_the_jump_line():
    units = itemize("经济总量平稳增长质量效益加快提升", "banjiao")
    options = BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False, False, 0.5)
    lines, _ = break_total_fit(units, 5.0, 0.0, options, jump_lines=frozenset({0}))
    assert jump_ends_well(units, lines[0])


def test_a_jump_that_cannot_end_well_is_reported_with_the_text_around_it():
    style = TextStyle("body", max_stretch=0.1, indent=0.0, avoid_orphans=False)
    layout = simple_layout([text_region("a", 1, (1, 1)), text_region("b", 2, (1, 9))], column_chars=10,
                           styles={"body": style})
    # the jump line keeps 4 em for text (10 less the 6 em of （下转第二版）): 新区非机|动车; pushing
    # 非机 down would stretch 新区 by 2 em, more than max_stretch 0.1
    text = "新区非机动车停放管理办法正式实施，市民出行更加有序。"
    art = Article(Path("a.txt"), paragraphs=(Paragraph(text),))
    flow = flow_story(layout.stories[0], art, layout, lambda t, s: itemize(t, s.punctuation.value))
    jump = next(ln for ln in flow.lines if ln.suffix)
    assert full_text(jump) == "新区非机（下转第二版）"
    mid = [w for w in flow.warnings if w.kind == "jump-mid-word"]
    assert [(w.page, w.story) for w in mid] == [(1, "s")]
    assert mid[0].message == ("story s: paragraph 1 at character 4: the segment on page 1 ends inside a word, "
                              "“新区非机|动车停放管理”")


# ---- the whole layouts: the demo and the sample editions ------------------------------------

def _flows(path: Path):
    """(layout, flows) of every layout a file builds: the layout itself, or an edition's layouts
    renumbered to the edition's pages."""
    if path.parent.name != "editions":
        loaded = pipeline.load(path)
        yield loaded.layout, pipeline.flow(loaded, pipeline.read_stories(loaded.layout))
        return
    from paiban.edition.compose import prepare_layouts
    from paiban.edition.edition_loader import load_edition

    for item in prepare_layouts(load_edition(path)):
        yield item.layout, pipeline.flow(item.loaded, item.stories, item.space)


def _pdf_pages(path: Path, out: Path) -> list[str]:
    """The whitespace-free text of every page the build of `path` writes (an edition: its
    combined PDF)."""
    from paiban.cli import main

    assert main(["build", str(path), "-o", str(out), "--no-previews"] if path.parent.name == "editions"
                else ["build", str(path), "-o", str(out)]) in (0, None)
    pdf = pdfium.PdfDocument(out / f"{path.stem}.pdf")
    return [SPACE.sub("", page.get_textpage().get_text_range()) for page in pdf]


def _ends_well(paragraph: str, end: int) -> bool:
    return paragraph[end - 1] in CLAUSE_END or end in boundaries(paragraph)


@pytest.mark.parametrize("path", [DEMO, *EDITIONS], ids=lambda p: p.stem)
def test_every_jump_line_follows_a_clause_end_or_a_word_boundary(path, tmp_path):
    pages = _pdf_pages(path, tmp_path)
    jumps = 0
    for layout, flowed in _flows(path):
        for story, article, flow in flowed.stories:
            for ln in flow.lines:
                if not ln.suffix or not ln.units:
                    continue
                jumps += 1
                # the line reads so in the PDF, on its page
                assert SPACE.sub("", full_text(ln)) in pages[ln.page - 1], (story.name, full_text(ln))
                if ln.last_of_paragraph:
                    continue  # the paragraph ends here
                paragraph = article.paragraphs[ln.paragraph].text
                end = ln.char_offset + sum(len(u.text) for u in ln.units)
                assert paragraph[ln.char_offset:end] == "".join(u.text for u in ln.units)
                assert _ends_well(paragraph, end), \
                    f"{story.name} p.{ln.page}: {paragraph[max(0, end - 8):end]}|{paragraph[end:end + 8]}"
            assert not [w for w in flow.warnings if w.kind == "jump-mid-word"], story.name
    assert jumps >= 1


@pytest.mark.parametrize("path", [DEMO, *EDITIONS], ids=lambda p: p.stem)
def test_every_single_hanzi_last_line_is_reported(path):
    from paiban.linebreak.greedy import is_orphan

    for layout, flowed in _flows(path):
        for story, article, flow in flowed.stories:
            reported = {int(re.match(r"story \S+: paragraph (\d+)", w.message).group(1)) - 1
                        for w in flow.warnings if w.kind == "orphan"}
            lines_of: dict[int, list] = {}
            for ln in flow.lines:
                if ln.role == "text":
                    lines_of.setdefault(ln.paragraph, []).append(ln)
            for pi, lns in lines_of.items():
                last = lns[-1]
                one = len(lns) > 1 and last.last_of_paragraph and \
                    is_orphan(last.units, last.brk._replace(start=0, end=len(last.units)))
                if one:
                    assert pi in reported, f"{story.name} paragraph {pi + 1} ends on one hanzi, unreported"
            for w in flow.warnings:
                if w.kind == "orphan":
                    assert "ends on one hanzi (" in w.message and ")" in w.message


def test_squeeze_for_jump_off_leaves_the_jump_line_as_broken():
    units = itemize("经济总量平稳增长质量效益加快提升", "banjiao")
    options = BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False, False, inf)
    off, _ = break_paragraph_fitted(units, 5.0, 0.0, options, jump_lines=frozenset({0}), squeeze_for_jump=False)
    assert texts(units, off)[0] == "经济总量平"
