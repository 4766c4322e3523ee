"""Vertical setting (竖排, issue 21) in a sample edition: the 副刊 page (edition page 16, the second
page of layouts/editions/pages/back.yaml, shared by city.yaml and coast.yaml) carries an essay
set vertically (外婆的针线筐, its lines top to bottom and right to left, its vertical headline at
its right) and a horizontal story with a vertical headline beside its columns (竖题: the lead,
海边的冬天).

The city edition is built once (``--no-previews``, its own cache) and read back from its page
16 PDF: the text with PDFium (and poppler's pdftotext when it is installed), the glyphs' boxes
with PDFium (`test_vertical_pdf._region_chars`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_sample_editions import ROOT, edition_layouts
from test_vertical_pdf import _lines, _pdfium_pages, _region_chars, _squash

from paiban.input.article_reader import read_article
from paiban.model.vertical_geometry import is_vertical

ESSAY = ROOT / "layouts" / "articles" / "edition-supplement-memory.txt"
KICKER = "示例稿件（为演示排版而写，非真实新闻）"
PAGE = 16


@pytest.fixture(scope="module")
def page16(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("vertical-edition")
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(out / "cache"))
    subprocess.run([sys.executable, "-m", "paiban", "build", str(ROOT / "layouts" / "editions" / "city.yaml"),
                    "-o", str(out / "ed"), "--no-previews"], check=True, capture_output=True, cwd=ROOT, env=env)
    return out / "ed" / f"city-{PAGE:02d}.pdf"


@pytest.fixture(scope="module")
def back():
    """The layout of pages 15–16 and its page number of edition page 16."""
    for layout, numbers in edition_layouts("city"):
        for layout_page, edition_page in numbers.items():
            if edition_page == PAGE:
                return layout, layout_page
    raise AssertionError("no edition page 16")


def _essay_text() -> str:
    return "".join(p.text for p in read_article(ESSAY).paragraphs)


def test_the_page_has_a_vertical_story_and_a_vertical_headline_beside_a_horizontal_story(back):
    layout, page = back
    by_name = {s.name: s for s in layout.stories}
    memory, sea = by_name["supplement-memory"], by_name["supplement-sea"]
    body, head = layout.regions[memory.thread[0]], layout.regions[memory.headline_region]
    assert body.page == page and is_vertical(body) and is_vertical(head)
    assert head.first_column == body.last_column + 1  # the headline at the essay's right
    sea_body, sea_head = layout.regions[sea.thread[0]], layout.regions[sea.headline_region]
    assert sea_head.page == page and is_vertical(sea_head) and not is_vertical(sea_body)
    assert sea_head.first_column == sea_body.last_column + 1 and sea_head.first_line == sea_body.first_line


def test_the_vertical_essay_reads_back_once_in_order_with_pdfium(page16: Path):
    text = _pdfium_pages(page16)[0]
    essay = _essay_text()
    assert len(essay) > 300 and text.count(essay) == 1


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_the_vertical_essay_reads_back_once_in_order_with_poppler(page16: Path):
    text = subprocess.run(["pdftotext", "-raw", str(page16), "-"], check=True, capture_output=True,
                          text=True).stdout
    assert _squash(text).count(_essay_text()) == 1


def test_the_vertical_headlines_read_back_once_kicker_first(page16: Path):
    text = _pdfium_pages(page16)[0]
    assert text.count(KICKER + "外婆的针线筐") == 1
    assert text.count(KICKER + "海边的冬天") == 1


def _columns_of(path: Path, back, name: str):
    layout, page = back
    return _lines(_region_chars(path, layout, 0, name), layout.grid.body_size)


def test_the_essay_lines_stack_top_to_bottom_and_follow_right_to_left(page16: Path, back):
    layout = back[0]
    size, pitch = layout.grid.body_size, layout.grid.line_pitch
    lines = _columns_of(page16, back, "supplement-memory-body")
    assert len(lines) >= 15
    assert "".join(ch for line in lines for ch, _, _ in line) == _essay_text()
    centres = []
    for line in lines:
        xs = [x for _, box, _ in line for x in (box[0], box[2])]
        assert max(xs) - min(xs) <= 1.05 * size, line  # one column of characters
        ys = [(box[1] + box[3]) / 2 for _, box, _ in line]
        assert all(b < a for a, b in zip(ys, ys[1:])), line  # each one below the one before
        centres.append((max(xs) + min(xs)) / 2)
    steps = [a - b for a, b in zip(centres, centres[1:])]
    assert steps == pytest.approx([pitch] * len(steps), abs=1.5)  # right to left, a line pitch apart


def test_the_lead_headline_stands_in_one_column_beside_the_story(page16: Path, back):
    chars = _region_chars(page16, back[0], 0, "supplement-sea-head")
    main = [(ch, box) for ch, box, _ in chars if ch in "海边的冬天"]
    assert "".join(ch for ch, _ in main) == "海边的冬天"
    centres = [(box[0] + box[2]) / 2 for _, box in main]
    assert max(centres) - min(centres) < 1.0
    ys = [(box[1] + box[3]) / 2 for _, box in main]
    assert all(b < a for a, b in zip(ys, ys[1:]))
