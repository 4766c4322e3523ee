"""Paragraphs broken ahead by a child process (flow/prebreak.py) give the same flow, line for line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import simple_layout, text_region

from paiban.flow import prebreak, thread_flow
from paiban.flow.thread_flow import flow_story
from paiban.model.article import Article, Paragraph
from paiban.text.itemize import itemize


def itemizer(text, style):
    return itemize(text, style.punctuation.value)


def long_article(seed_article, times: int) -> Article:
    """The seed's paragraphs `times` over: hundreds of paragraphs, orphans and squeezes included."""
    return Article(Path("long.txt"), paragraphs=tuple(
        Paragraph(p.text, p.kind) for _ in range(times) for p in seed_article.paragraphs))


def threaded_layout():
    """A thread over three pages with two measures (15 and 31 characters) and two jumps."""
    regions = [text_region("a", 1, (1, 120), columns=(1, 3), text_columns=3),
               text_region("b", 2, (1, 80), columns=(1, 2), text_columns=1),
               text_region("c", 3, (1, 200), columns=(1, 4), text_columns=4)]
    return simple_layout(regions, columns=4, column_chars=15, rows=200)


class OfferingEverything:
    """A stand-in for PrebrokenParagraphs that has broken every paragraph already (no fork):
    the flow must accept each one only where it is exactly what it would break itself."""

    offered: list[int] = []

    def __init__(self, count, work):
        self.work = work

    def take(self, pi):
        OfferingEverything.offered.append(pi)
        return self.work(pi)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def test_breaks_offered_for_every_paragraph_are_used_only_where_they_are_exact(seed_article, monkeypatch):
    layout = threaded_layout()
    story = layout.stories[0]
    article = long_article(seed_article, 6)
    plain = flow_story(story, article, layout, itemizer)
    used = []
    monkeypatch.setattr(thread_flow, "PrebrokenParagraphs", OfferingEverything)
    monkeypatch.setattr(thread_flow, "lines_from", lambda ahead: used.append(1) or prebreak.lines_from(ahead))
    OfferingEverything.offered = []
    ahead = flow_story(story, article, layout, itemizer, ahead=True)
    assert ahead == plain
    assert len(plain.lines) > 500 and {ln.page for ln in plain.lines} == {1, 2, 3}
    # the usual measure is 15 characters (pages 1 and 3): page 2's 31-character paragraphs,
    # and those with a jump line, are broken here
    assert 0 < len(used) < len(OfferingEverything.offered)
    assert len(used) > len(article.paragraphs) // 3


def test_a_real_child_gives_the_same_flow_and_is_reaped(seed_article, monkeypatch):
    layout = threaded_layout()
    story = layout.stories[0]
    article = long_article(seed_article, 6)
    assert len(article.paragraphs) >= prebreak.MIN_PARAGRAPHS
    plain = flow_story(story, article, layout, itemizer)
    children = []
    real_fork = os.fork

    def fork():
        pid = real_fork()
        if pid:
            children.append(pid)
        return pid
    monkeypatch.setattr(prebreak.os, "fork", fork)
    for _ in range(3):
        assert flow_story(story, article, layout, itemizer, ahead=True) == plain
    assert len(children) == 3
    for pid in children:  # none left behind
        with pytest.raises(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)


def test_a_short_story_forks_no_child(seed_article, monkeypatch):
    layout = threaded_layout()
    forks = []
    real_fork = os.fork
    monkeypatch.setattr(prebreak.os, "fork", lambda: forks.append(1) or real_fork())
    flow = flow_story(layout.stories[0], seed_article, layout, itemizer, ahead=True)
    assert flow == flow_story(layout.stories[0], seed_article, layout, itemizer)
    assert not forks


def test_a_child_that_fails_costs_only_speed(seed_article, monkeypatch):
    layout = threaded_layout()
    story = layout.stories[0]
    article = long_article(seed_article, 6)
    plain = flow_story(story, article, layout, itemizer)

    def failing(*args):
        def work(pi):
            raise RuntimeError("broken")
        return work
    monkeypatch.setattr(thread_flow, "break_ahead", failing)
    assert flow_story(story, article, layout, itemizer, ahead=True) == plain
