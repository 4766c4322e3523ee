"""The seed's printed column, reproduced: its 162 body lines in one 15-em column, banjiao.

typography.md §1: push-out alone gives at least 156 of 162 lines; with the paper's two push-in
rules (orphan squeeze of a quote, squeeze above the jump line) all 162, and the column ends with
`势变化的不确定性，（下转第二版）`.
"""

from __future__ import annotations

import difflib
from dataclasses import replace

from conftest import full_text, lines_text, seed_printed_lines, simple_layout, text_region

from paiban.flow.thread_flow import flow_story
from paiban.linebreak.greedy import BreakOptions, break_paragraph
from paiban.model.article import Paragraph
from paiban.model.spec import KinsokuPolicy
from paiban.text.itemize import itemize


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def test_seed_reader_finds_28_paragraphs_and_162_printed_lines(seed_article):
    body = [p for p in seed_article.paragraphs if p.kind.value != "byline"]
    assert len(body) == 28
    assert len(seed_printed_lines()) == 162
    assert seed_article.byline == "□本报记者\u3000李涛"
    assert seed_article.headline.main == "创新无止境\u3000突破不止步"


def test_push_out_alone_reproduces_at_least_156_lines(seed_article):
    printed = seed_printed_lines()
    ours: list[str] = []
    for p in seed_article.paragraphs[1:]:
        units = itemize(p.text, "banjiao")
        ours += lines_text(units, break_paragraph(units, 15.0, 2.0, BreakOptions(KinsokuPolicy.PUSH_OUT, 0.5, False)))
    matcher = difflib.SequenceMatcher(a=printed, b=ours, autojunk=False)
    same = sum(block.size for block in matcher.get_matching_blocks())
    assert same >= 156, same


def _seed_story_with_continuation(seed_article):
    paras = list(seed_article.paragraphs[1:])  # the byline sits above the column in print
    paras[-1] = Paragraph(paras[-1].text + "为新区高质量发展注入更强动力。", paras[-1].kind)
    paras.append(Paragraph("这是第二版上的续文。"))
    return replace(seed_article, paragraphs=tuple(paras))


def test_house_style_reproduces_all_162_lines_and_the_jump_line(seed_article):
    article = _seed_story_with_continuation(seed_article)
    layout = simple_layout([text_region("col", 1, (1, 162)), text_region("next", 2, (1, 20))])
    flow = flow_story(layout.stories[0], article, layout, itemizer)
    page1 = [full_text(ln) for ln in flow.lines if ln.page == 1]
    printed = seed_printed_lines()
    printed[-1] += "（下转第二版）"
    assert len(page1) == 162
    mismatches = [(i + 1, a, b) for i, (a, b) in enumerate(zip(printed, page1)) if a != b]
    assert mismatches == []
    assert page1[-1] == "势变化的不确定性，（下转第二版）"
    page2 = [full_text(ln) for ln in flow.lines if ln.page == 2]
    assert page2[0].startswith("（上接第一版）为新区")
    assert flow.overset is None
