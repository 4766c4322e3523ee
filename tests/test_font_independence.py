"""The seed column set in two body fonts: same line breaks, marks placed by each font's ink.

The grid makes layout font-independent: every hanzi is one em and every banjiao mark half an em
whatever the font, so Noto Serif CJK SC (CFF, embedded with its own outlines) and AR PL UMing
(TrueType) must break the seed's 162 lines identically. Inside
a half cell a mark sits by its ink (page/justify.py): Noto puts the ink of 。 in the left quarter
of the em, UMing centres it, so UMing's 。 origin moves left by the difference while the cells,
and every glyph after the mark, stay where they are. Ink numbers are read with fontTools
(`load_metrics`); shared/reference/fonts-and-reportlab.md has them measured independently.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from conftest import SEED, full_text, placed_glyphs, seed_printed_lines, simple_layout, text_region

from paiban.flow.thread_flow import flow_story
from paiban.fonts import FontRegistry, find_font_file, load_metrics, open_face
from paiban.input.article_reader import read_article
from paiban.model.article import Paragraph
from paiban.page.compose import compose_some_pages
from paiban.page.glyph_source import GlyphSource
from paiban.pipeline import make_itemizer

SQUEEZED = "2023年是西海岸新区的“创新突"  # 15.5 em of text in a 15-em line: squeezed ½ em


def is_han(ch: str) -> bool:
    """CJK unified ideographs (extension A and the basic block), compatibility ideographs and the
    supplementary ideographic planes."""
    cp = ord(ch)
    return 0x3400 <= cp <= 0x9FFF or 0xF900 <= cp <= 0xFAFF or 0x20000 <= cp <= 0x3FFFF


def _font(name: str) -> Path:
    path = find_font_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: see fonts/README.md)")
    return path


def _seed_article():
    article = read_article(SEED)
    paras = list(article.paragraphs[1:])  # the byline sits above the column in print
    paras[-1] = Paragraph(paras[-1].text + "为新区高质量发展注入更强动力。", paras[-1].kind)
    paras.append(Paragraph("这是第二版上的续文。"))
    return replace(article, paragraphs=tuple(paras))


@pytest.fixture(scope="module")
def columns(tmp_path_factory):
    """font name -> (flow, placed lines, the body face) for the seed column set in that font."""
    _font("NotoSerifCJK-Regular.ttc")  # skip without it
    uming = _font("uming.ttc")
    article = _seed_article()
    layout = simple_layout([text_region("col", 1, (1, 162)), text_region("next", 2, (1, 20))])
    registries = {
        "noto": FontRegistry(),  # song: Noto Serif CJK SC, the CFF source
        "uming": FontRegistry(overrides={"song": (uming, 0)}),  # like font_files: song: uming.ttc
    }
    out = {}
    for name, registry in registries.items():
        glyphs = GlyphSource(registry)
        story = layout.stories[0]
        flow = flow_story(story, article, layout, make_itemizer(glyphs))
        pages, _ = compose_some_pages(layout, [(story, article, flow)], glyphs, False, set(layout.pages))
        lines = [ln for page in pages for ln in page.lines]
        out[name] = (flow, lines, registry.chain("song")[0])
    assert out["noto"][2].family == "Noto Serif CJK SC" and out["noto"][2].is_cff
    assert out["uming"][2].family == "AR PL UMing CN"
    return out


def test_every_font_breaks_the_seed_column_into_the_printed_lines(columns):
    texts = {name: [ln.text for ln in lines] for name, (_, lines, _) in columns.items()}
    assert texts["noto"] == texts["uming"]
    page1 = [ln.text for ln in columns["uming"][1] if ln.region == "col"]
    printed = seed_printed_lines()
    printed[-1] += "（下转第二版）"
    assert page1 == printed
    # every glyph is drawn by the body font itself: no fallback hides a difference
    for name, (_, lines, face) in columns.items():
        assert {g.face for ln in lines for g in placed_glyphs(ln)} == {face.key}, name


def _ink(face, ch: str) -> tuple[float, float]:
    ink = load_metrics(face).ink(ch)
    assert ink is not None
    return ink


def test_full_stop_in_a_half_cell_follows_each_fonts_ink(columns):
    _, noto_lines, noto_face = columns["noto"]
    _, uming_lines, uming_face = columns["uming"]
    n0, n1 = _ink(noto_face, "。")
    u0, u1 = _ink(uming_face, "。")
    assert n1 < 0.5 and abs((u0 + u1) / 2 - 0.5) < 0.02  # Noto: left; UMing: centred

    def origin_in_half_cell(x0: float, x1: float) -> float:  # keep the ink, lose the blank
        return min(x0, max(0.0, (0.5 - (x1 - x0)) / 2)) - x0

    expected = origin_in_half_cell(u0, u1) - origin_in_half_cell(n0, n1)
    assert expected < -0.2  # em: UMing's 。 origin sits a quarter em further left
    checked = 0
    for ln, lu in zip(noto_lines, uming_lines):
        glyphs_n, glyphs_u = placed_glyphs(ln), placed_glyphs(lu)
        for k, (gn, gu) in enumerate(zip(glyphs_n, glyphs_u)):
            if gn.char != "。" or not 0 < k < len(glyphs_n) - 1:
                continue
            before, after = glyphs_n[k - 1], glyphs_n[k + 1]
            if not (is_han(before.char) and is_han(after.char)):
                continue  # hanzi | 。 | hanzi: one-em cells around a plain half cell
            size = ln.size
            assert gu.x - gn.x == pytest.approx(expected * size, abs=0.01), ln.text
            # the cells did not move: the glyph after the mark is where it was
            assert glyphs_u[k + 1].x == pytest.approx(after.x, abs=1e-6)
            # and in both fonts the ink lies inside the half cell after the hanzi before it
            for g, (i0, i1), glyphs in ((gn, (n0, n1), glyphs_n), (gu, (u0, u1), glyphs_u)):
                assert g.x + i0 * size >= glyphs[k - 1].x + size - 1e-6
                assert g.x + i1 * size <= glyphs[k - 1].x + 1.5 * size + 1e-6
            checked += 1
    assert checked >= 10


def test_the_squeezed_quote_keeps_its_ink_and_loses_its_blank(columns):
    flow, noto_lines, noto_face = columns["noto"]
    _, uming_lines, uming_face = columns["uming"]
    fl = next(f for f in flow.lines if full_text(f) == SQUEEZED)
    natural = fl.brk.indent + sum(u.width for u in fl.units)
    assert natural == pytest.approx(15.5)  # half an em too long: squeezed
    ln = next(x for x in noto_lines if x.text == SQUEEZED)
    lu = next(x for x in uming_lines if x.text == SQUEEZED)
    k = ln.text.index("“")
    glyphs_n, glyphs_u = placed_glyphs(ln), placed_glyphs(lu)
    gn, gu = glyphs_n[k], glyphs_u[k]
    n0, n1 = _ink(noto_face, "“")
    u0, u1 = _ink(uming_face, "“")
    size = ln.size
    assert abs(gu.x - gn.x) > 0.05  # pt: each font's quote is placed by its own ink
    # an opening quote keeps its ink at the right of its (squeezed) cell, in both fonts
    assert gn.x + n1 * size == pytest.approx(gu.x + u1 * size, abs=0.02)
    for g, i0, glyphs in ((gn, n0, glyphs_n), (gu, u0, glyphs_u)):
        assert g.x + i0 * size >= glyphs[k - 1].x + size - 1e-6  # no overlap with 的
    # the line still fills exactly the measure in both fonts
    for line, glyphs in ((ln, glyphs_n), (lu, glyphs_u)):
        last = glyphs[-1]
        assert last.x + size == pytest.approx(line.x + line.width, abs=0.01)


def test_uming_face_override_matches_the_font_files_mechanism(tmp_path):
    uming = _font("uming.ttc")
    registry = FontRegistry(overrides={"song": (uming, 0)})
    assert registry.chain("song")[0] == open_face(uming, 0)
