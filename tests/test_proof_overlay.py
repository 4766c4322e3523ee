"""Proof overlays (`paiban.page.proof_overlay`) and `paiban build --proof`, which draws them.

The demo is built once with ``--proof``: every region of page 1 has its outline with the fill of
its story, the lead's ``（下转第二版）`` is a jump link to page 2 whose rectangle holds the text as
PDFium reads it back, the PDF links that line to page 2, says it is a proof not for press (its
pages pass preflight), and a second build is the same bytes. Tiny layouts built in `tmp_path`
have overset text and a character no font has.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.model.placed import FallbackUse
from paiban.model.spec import RegionKind
from paiban.page.proof_overlay import ProofShape, proof_shapes
from paiban.render.preflight import check_pdf

HAN = "新区发展创新突破建设港口文化"
JUMP = "（下转第二版）"
TINY = """
grid: {{columns: 2, column_chars: 10, gutter_chars: 1, line_pitch: 14pt, rows: 40}}
page: {{size: a4}}
styles:
  body: {{indent: 0}}
pages:
  - page: 1
    regions:
      - {{name: main, columns: [1, 2], lines: [1, 20]}}
      - {{name: side, columns: [1, 2], lines: [22, 30]}}
stories:
  - {{name: story, article: story.txt, thread: [main]}}
  - {{name: short, article: short.txt, thread: [side]}}
"""


def hanzi(n: int) -> str:
    return "".join(HAN[i % len(HAN)] for i in range(n))


def tiny_layout(tmp_path: Path, story: str, short: str = "短讯。\n") -> Path:
    (tmp_path / "story.txt").write_text(story, encoding="utf-8")
    (tmp_path / "short.txt").write_text(short, encoding="utf-8")
    layout = tmp_path / "tiny.yaml"
    layout.write_text(TINY.format(), encoding="utf-8")
    return layout


def of(shapes: tuple[ProofShape, ...], kind: str) -> list[ProofShape]:
    return [s for s in shapes if s.kind == kind]


@pytest.fixture(scope="module")
def demo_proof(tmp_path_factory) -> tuple[pipeline.BuildResult, Path]:
    out = tmp_path_factory.mktemp("proof") / "demo.pdf"
    return pipeline.build(DEMO, pipeline.BuildOptions(output=out, proof=True, keep_lines=False)), out


@pytest.fixture(scope="module")
def demo_shapes(demo_proof) -> dict[int, tuple[ProofShape, ...]]:
    result, _ = demo_proof
    return proof_shapes(result.document, result.report)


def test_each_region_of_page_one_has_an_outline_with_its_story_and_fill(demo_proof, demo_shapes):
    result, _ = demo_proof
    layout = result.layout
    regions = {s.label.split(" · ")[0]: s for s in of(demo_shapes[1], "region")}
    assert set(regions) == {r.name for r in layout.regions.values() if r.page == 1}
    fills = {fill.region: (story, fill) for story in result.report.stories for fill in story.regions}
    for name, shape in regions.items():
        region = layout.regions[name]
        assert shape.x1 - shape.x0 == pytest.approx(region.right(layout.grid) - region.left(layout.grid))
        assert shape.y1 - shape.y0 == pytest.approx(region.lines * layout.grid.line_pitch)
        if region.kind is RegionKind.TEXT:
            story, fill = fills[name]
            assert f" · {story.name} · {fill.lines}/{fill.capacity}" in shape.label
            left = fill.capacity - fill.lines
            assert ("剩余" in shape.label) == (left > 0)
            assert shape.tone == ("warn" if left > 1 else "ok")  # the demo's regions hold 15 characters a line
    short = [story for story in result.report.stories if story.underset_lines and len(story.regions) == 1
             and story.regions[0].page == 1]
    assert short  # the demo has stories that leave lines empty: their labels give the report's own count
    for story in short:
        assert regions[story.regions[0].region].label.endswith(f" · 剩余 {story.underset_characters}字")


def test_the_grid_has_each_column_gutter_and_line_of_the_page(demo_proof, demo_shapes):
    layout = demo_proof[0].layout
    for number, shapes in demo_shapes.items():
        assert len(of(shapes, "grid-column")) == layout.grid.columns
        assert len(of(shapes, "gutter")) == layout.grid.columns - 1
        lines = of(shapes, "grid-line")
        assert [s.label for s in lines] == [str(r) for r in range(1, layout.rows_on(number) + 1)]
        assert lines[0].y0 - lines[1].y0 == pytest.approx(layout.grid.line_pitch)


def test_the_jump_line_is_a_link_to_page_two_around_its_text_in_the_pdf(demo_proof, demo_shapes):
    _, out = demo_proof
    (link,) = of(demo_shapes[1], "jump-link")
    assert link.target_page == 2 and link.label == JUMP
    (back,) = of(demo_shapes[2], "jump-link")
    assert back.target_page == 1 and back.label == "（上接第一版）"
    page = pdfium.PdfDocument(out)[0]
    with pikepdf.open(out) as pdf:
        trim_x, trim_y = (float(v) for v in pdf.pages[0].TrimBox[:2])
    text = page.get_textpage()
    everything = text.get_text_range()
    start = everything.index(JUMP)
    for i in range(start, start + len(JUMP)):
        left, bottom, right, top = text.get_charbox(i)
        assert link.x0 - 0.5 <= left - trim_x and right - trim_x <= link.x1 + 0.5, everything[i]
        assert link.y0 - 0.5 <= bottom - trim_y and top - trim_y <= link.y1 + 0.5, everything[i]


def test_the_proof_pdf_links_the_jump_line_to_page_two(demo_proof, demo_shapes):
    _, out = demo_proof
    (link,) = of(demo_shapes[1], "jump-link")
    with pikepdf.open(out) as pdf:
        annots = [a for a in pdf.pages[0].obj.get("/Annots", []) if a.get("/Subtype") == "/Link"]
        assert len(annots) == 1
        annot = annots[0]
        assert annot.Dest[0].objgen == pdf.pages[1].obj.objgen
        trim = [float(v) for v in pdf.pages[0].TrimBox]
        assert [float(v) for v in annot.Rect] == pytest.approx(
            [link.x0 + trim[0], link.y0 + trim[1], link.x1 + trim[0], link.y1 + trim[1]], abs=0.01)
        assert int(annot.get("/F", 0)) & 4 == 0  # not printed


def test_a_proof_says_it_is_not_for_press_and_its_pages_pass_preflight(demo_proof):
    result, out = demo_proof
    findings = check_pdf(out)
    assert [f.page for f in findings] == [0] and "not PDF/X" in findings[0].message
    with pikepdf.open(out) as pdf:
        assert str(pdf.trailer.Info.Keywords) == "proof, not for press"
        assert "/GTS_PDFXVersion" not in pdf.trailer.Info and "/Metadata" not in pdf.Root
    assert not [w for w in result.report.warnings if w.kind == "preflight"]


def test_a_proof_build_is_byte_identical_when_repeated(demo_proof, tmp_path):
    _, out = demo_proof
    again = tmp_path / "demo.pdf"
    pipeline.build(DEMO, pipeline.BuildOptions(output=again, proof=True, keep_lines=False), jobs=2)
    assert again.read_bytes() == out.read_bytes()


def test_a_plain_build_has_no_overlays_and_stays_pdfx(tmp_path):
    layout = tiny_layout(tmp_path, hanzi(50) + "。\n")
    pipeline.build(layout, pipeline.BuildOptions(output=tmp_path / "plain.pdf"))
    with pikepdf.open(tmp_path / "plain.pdf") as pdf:
        assert "/Annots" not in pdf.pages[0].obj
        assert str(pdf.trailer.Info.GTS_PDFXVersion) == "PDF/X-4"
    assert check_pdf(tmp_path / "plain.pdf") == []


def test_an_overset_region_is_an_error_with_the_overset_count(tmp_path):
    layout = tiny_layout(tmp_path, hanzi(2 * 20 * 10 + 30) + "。\n")
    result = pipeline.run(layout, tmp_path / "proof.pdf", proof=True)
    shapes = proof_shapes(result.document, result.report)[1]
    regions = {s.label.split(" · ")[0]: s for s in of(shapes, "region")}
    assert regions["main"].tone == "error" and regions["main"].label == "main · story · 40/40 · 溢出 31字"
    assert regions["side"].tone == "warn" and "剩余" in regions["side"].label  # one short line in 18
    (overset,) = of(shapes, "overset")
    assert overset.tone == "error" and overset.label.startswith("溢出 31字")
    last = max((ln for ln in result.document.pages[0].lines if ln.story == "story"), key=lambda ln: (ln.x, -ln.y))
    assert overset.x1 == pytest.approx(last.x + last.width) and overset.y0 < last.y < overset.y1
    text = pdfium.PdfDocument(tmp_path / "proof.pdf")[0].get_textpage().get_text_range()
    assert "溢出 31字" in text and "40/40" in text  # the labels are in the PDF


def test_a_character_no_font_has_is_marked_where_it_stands(tmp_path):
    pua = "\uE000"
    layout = tiny_layout(tmp_path, hanzi(5) + pua + hanzi(12) + "。\n")
    result = pipeline.run(layout, None)
    (missing,) = of(proof_shapes(result.document, result.report)[1], "missing-glyph")
    assert missing.tone == "error" and "U+E000" in missing.label
    first = next(ln for ln in result.document.pages[0].lines if ln.story == "story")
    assert first.chars.startswith(hanzi(5) + hanzi(12)[:4])  # not drawn: between the 5th and the 6th
    assert first.xs[4] < missing.x0 < first.xs[5] and missing.x1 - missing.x0 == pytest.approx(first.size)
    assert missing.y0 < first.y < missing.y1


def test_a_picture_below_the_print_resolution_is_marked(demo_proof):
    result, _ = demo_proof
    document = replace(result.document, layout=replace(result.layout, min_dpi=100_000))
    shapes = proof_shapes(document, result.report)
    images = [im for page in result.document.pages for im in page.images]
    marked = [s for page in shapes.values() for s in of(page, "low-resolution")]
    assert len(marked) == len(images) == 4
    assert {(s.x0, s.y0, s.x1, s.y1) for s in marked} == {(im.x, im.y, im.x + im.w, im.y + im.h) for im in images}
    assert not [s for page in proof_shapes(result.document, result.report).values() for s in of(page, "low-resolution")]


def test_a_document_without_its_layout_is_refused(demo_proof):
    result, _ = demo_proof
    with pytest.raises(ValueError, match="layout"):
        proof_shapes(replace(result.document, layout=None), result.report)


def test_a_glyph_drawn_by_a_fallback_face_is_marked_as_a_warning(demo_proof):
    result, _ = demo_proof
    line = next(ln for ln in result.document.pages[0].lines if ln.story == "lead" and ln.kind == "body")
    char, face = line.chars[3], line.face_runs[0][1]
    report = replace(result.report, fallbacks=(FallbackUse(char, "lead", 1, 0, "song", face),))
    marked = [s for s in proof_shapes(result.document, report)[1] if s.kind == "missing-glyph"]
    drawn = [(ln, i) for ln in result.document.pages[0].lines if ln.story == "lead"
             for f, start, end in ln.runs() if f == face for i in range(start, end) if ln.chars[i] == char]
    assert len(marked) == len(drawn) > 0 and {s.tone for s in marked} == {"warn"}
    assert any(s.x0 == line.xs[3] and s.x1 == line.xs[4] and s.y0 < line.y < s.y1 for s in marked)
    assert f"U+{ord(char):04X}" in marked[0].label and face in marked[0].label
