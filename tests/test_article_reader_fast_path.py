"""The plain reader's fast path (one-line paragraphs without dashes or `## `) gives exactly the
paragraphs of the general path (`_add_paragraph` on every paragraph) on varied and hostile text."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from paiban.input import article_reader as ar
from paiban.model.article import Paragraph

PIECES = ["第八次国家级新区", "工作", "——", "———", "————", "## ", "##", "#", " ", "  ", "\t", "\u3000",
          "。", "abc", "Z9", "1", "（下转第二版）", "\u00a0", "\u2028", "x ", " y", "小标题——", "\ufeff"]


def _general(lines: list[str], first_line: int) -> list[Paragraph]:
    """The reference: every paragraph through the general path."""
    out: list[Paragraph] = []
    chunk: list[str] = []
    start = first_line
    for number, line in enumerate(lines, first_line):
        if line.strip():
            if not chunk:
                start = number
            chunk.append(line.strip())
        elif chunk:
            ar._add_paragraph(out, chunk, start)
            chunk = []
    if chunk:
        ar._add_paragraph(out, chunk, start)
    return out


def _random_lines(rng: random.Random) -> list[str]:
    lines = []
    for _ in range(rng.randint(1, 40)):
        if rng.random() < 0.35:
            lines.append(rng.choice(["", " ", "\u3000", "\t \u3000", "  "]))
        else:
            lines.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8))))
    return lines


HOSTILE = [
    ["## 小标题", "", "正文。"],
    ["##", "", "## ", "", "## \u3000", ""],
    ["结尾——", "", "长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长长——", ""],
    ["破折号———在中间", "", "————四画", "", "\u3000全角空格开头\u3000", ""],
    ["abc", "def", "", "中文", "接着", "", "a1", "中", ""],
    ["  缩进", "\t制表", "", "", "", "末行没有空行"],
    ["———", "", "——", ""],
]


@pytest.mark.parametrize("lines", HOSTILE)
def test_fast_path_matches_general_path_on_hostile_text(lines: list[str]) -> None:
    got = ar._read_plain(Path("a.txt"), lines, 3, {}).paragraphs
    assert list(got) == _general(lines, 3)


def test_fast_path_matches_general_path_on_random_text() -> None:
    rng = random.Random(22)
    fast_seen = 0
    for _ in range(3000):
        lines = _random_lines(rng)
        got = list(ar._read_plain(Path("a.txt"), lines, 1, {}).paragraphs)
        assert got == _general(lines, 1), lines
        fast_seen += sum(1 for p in got if "—" not in p.text)
    assert fast_seen > 1000  # the fast path was really taken


def test_night_articles_read_as_before(tmp_path: Path) -> None:
    """A realistic article: long one-line paragraphs, a subhead, a wrapped paragraph, a dateline."""
    text = ("---\nheadline: 标题\ndateline: 本报讯\n---\n\n" + "第一段正文。" * 40 + "\n\n## 小标题\n\n"
            + "第二段\nwrapped line\nEnglish words\n\n" + "第三段———完。\n\n" + "短标题——\n")
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    article = ar.read_article(path)
    lines = text.split("\n")[4:]
    assert [p.text for p in article.paragraphs[1:]] == [p.text for p in _general(lines, 5)[1:]]
    assert article.paragraphs[0].text.startswith("本报讯\u3000第一段")
    assert [p.kind.name for p in article.paragraphs] == ["BODY", "SUBHEAD", "BODY", "BODY", "SUBHEAD"]
