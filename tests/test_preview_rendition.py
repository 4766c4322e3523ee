"""Page previews are drawn from a preview rendition of the page (`paiban.edition.render_pool.preview_jobs`):
the same content, its CFF faces as TrueType outlines (`paiban.render.preview_outlines`), because
PDFium reads a CFF page six times slower. The preview must look like PDFium's rendering of the
print PDF: on the demo's pages (three CFF faces and a TrueType one) no pixel of the 16-level
preview differs from the print PDF's rendering (quantised alike) by more than `LEVELS` levels, and
the mean difference stays under `MEAN`; a rendition with one glyph missing or moved by a pixel
breaks these bounds (so they can fail). Previews are deterministic: the same page gives the same
PNG bytes in another process with a cold font cache, and zlib-ng deflates them to the very bytes
Python's zlib makes. The converted glyphs are kept in the font
cache, per glyph: a page with new characters converts only those, a damaged entry is converted
again, and a program is a valid TrueType font (checksums included).
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops

from paiban import pipeline
from paiban.edition import previews, render_pool
from paiban.edition.edition_loader import PreviewSpec
from paiban.fonts.disk_cache import entry_path, file_stamp
from paiban.render import preview_outlines
from paiban.render.pdf_writer import pdf_bytes
from paiban.render.text_operators import metrics_advance

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "layouts" / "demo.yaml"
SPEC = PreviewSpec()  # 72 dpi, greyscale
#: grey levels (of 255; 17 is one of the preview's 16 levels) a pixel may differ by, and how many may
LEVELS, STRAYS = 51, 10
#: the mean absolute difference of the grey levels, over the page (measured: 0.02–0.26 on the
#: demo, three-pages and vertical layouts, 0.58 on the night benchmark's dense pages)
MEAN = 1.0


@pytest.fixture(scope="module")
def demo():
    """The demo's composed pages, their faces' metrics, and its font registry."""
    loaded = pipeline.load(DEMO)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout), None)
    pages = [future.result() for future in pipeline.compose_pages(flowed, False)]
    assert {face.is_cff for page in pages for face in page.faces.values()} == {True, False}
    return pages, loaded.registry


def _job(page) -> render_pool.PreviewJob:
    faces = tuple(page.faces[key] for key in sorted(page.encoded.chars))
    chars = tuple((key, page.encoded.chars[key]) for key in sorted(page.encoded.chars))
    render = render_pool.RenderJob("k", "page", "demo", (page.encoded,), faces, chars, None, None)
    return render_pool.PreviewJob("p", render, SPEC, None)


def _preview(page) -> bytes:
    return dict(render_pool.preview_jobs((_job(page),))[0].files)[".png"]


def _printed(page, registry) -> Image.Image:
    """PDFium's rendering of the page's print PDF, in the preview's 16 levels."""
    pdf = pdf_bytes("demo", [page.encoded], page.faces, metrics_advance(registry, page.faces))
    assert b"/FontFile3" in pdf and b"/FontFile2" in pdf  # CFF faces as they are, and the TrueType one
    image = pdfium.PdfDocument(pdf)[0].render(scale=SPEC.dpi / 72, grayscale=True).to_pil().convert("L")
    return image.point([(v >> 4) * 17 for v in range(256)])


def _difference(png: bytes, printed: Image.Image) -> tuple[float, int]:
    """(mean absolute difference, pixels that differ by more than LEVELS)."""
    preview = Image.open(io.BytesIO(png)).convert("L")
    assert preview.size == printed.size
    histogram = ImageChops.difference(preview, printed).histogram()
    mean = sum(level * count for level, count in enumerate(histogram)) / (preview.width * preview.height)
    return mean, sum(histogram[LEVELS + 1:])


def test_a_preview_looks_like_pdfium_rendering_the_print_pdf(demo):
    pages, registry = demo
    for page in pages:
        mean, strays = _difference(_preview(page), _printed(page, registry))
        assert mean <= MEAN and strays <= STRAYS, (page.encoded.number, mean, strays)


def test_the_rendition_has_no_cff_program_and_the_print_pdf_no_preview_program(demo):
    pages, registry = demo
    page = pages[0]
    faces = page.faces
    advance = metrics_advance(registry, faces)
    rendition = pdf_bytes("demo", [page.encoded], faces, advance, preview=True)
    printed = pdf_bytes("demo", [page.encoded], faces, advance)
    assert b"/FontFile3" not in rendition and b"/CIDFontType0 " not in rendition
    assert rendition.count(b"/FontFile2") == len(faces) and printed.count(b"/FontFile2") == 1
    assert printed == pdf_bytes("demo", [page.encoded], faces, advance, preview=False)


def _damaged(monkeypatch, face, change) -> None:
    """Make the previews' glyphs of `face` go through `change(glyphs)`."""
    real = preview_outlines.outlines
    monkeypatch.setattr(preview_outlines, "outlines",
                        lambda f, gids: change(dict(real(f, gids))) if f == face else real(f, gids))


@pytest.mark.parametrize("damage", ["missing", "moved"])
def test_a_missing_or_moved_glyph_breaks_the_bounds(demo, monkeypatch, damage):
    pages, registry = demo
    page = pages[0]
    # the body face's glyph of 的, the commonest character of Chinese text (on every demo page)
    face = next(f for key, f in page.faces.items() if key.startswith("NotoSerifCJK-Regular"))
    assert "的" in page.encoded.chars[face.key]
    gid = _lookup(face, ord("的"))

    def change(glyphs):
        glyph = glyphs[gid]
        if damage == "missing":
            glyphs[gid] = preview_outlines.Glyph(glyph.advance, b"", 0, 0, 0, 0)
        else:  # the side bearing no longer its xMin: FreeType shifts the outline by 120 units, 1 px at 9 pt
            glyphs[gid] = glyph._replace(x_min=glyph.x_min + 120)
        return glyphs

    _damaged(monkeypatch, face, change)
    mean, strays = _difference(_preview(page), _printed(page, registry))
    assert strays > 10 * STRAYS, (damage, mean, strays)


def _lookup(face, code_point: int) -> int:
    from paiban.fonts.sfnt_bytes import cmap_glyphs, sfnt_tables

    tables, _ = sfnt_tables(face.path, face.index, ("cmap",))
    return cmap_glyphs(tables["cmap"], [code_point])[code_point]


def test_the_same_page_gives_the_same_png_in_another_process_with_a_cold_cache(demo, tmp_path):
    pages, _ = demo
    here = [_preview(page) for page in pages]
    assert [_preview(page) for page in pages] == here
    script = ("import sys; from paiban import pipeline; from paiban.edition import render_pool; "
              "sys.path.insert(0, sys.argv[1]); import test_preview_rendition as t; "
              "loaded = pipeline.load(t.DEMO); "
              "flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout), None); "
              "pages = [f.result() for f in pipeline.compose_pages(flowed, False)]; "
              "sys.stdout.buffer.write(b''.join(t._preview(p) for p in pages))")
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(tmp_path / "cold"))
    there = subprocess.run([sys.executable, "-c", script, str(Path(__file__).parent)], env=env, cwd=ROOT,
                           capture_output=True, check=True).stdout
    assert there == b"".join(here)


def test_glyphs_are_converted_once_kept_per_glyph_and_a_damaged_entry_is_made_again(demo, monkeypatch):
    pages, _ = demo
    face = next(f for key, f in pages[0].faces.items() if key.startswith("NotoSerifCJK-Regular"))
    converted: list[list[int]] = []
    real = preview_outlines._convert
    monkeypatch.setattr(preview_outlines, "_convert", lambda f, gids: converted.append(gids) or real(f, gids))
    monkeypatch.setattr(preview_outlines, "_outlines", {})
    key = preview_outlines._entry_key(file_stamp(Path(face.path)), face.index)
    entry_path("programs", key, binary=True).unlink(missing_ok=True)

    first = preview_outlines.outlines(face, {0, 100, 200})
    assert converted == [[0, 100, 200]]
    monkeypatch.setattr(preview_outlines, "_outlines", {})  # another process: the entry on disk
    again = preview_outlines.outlines(face, {0, 100, 200, 300})
    assert converted == [[0, 100, 200], [300]]  # only the glyph never seen
    assert all(again[g] == first[g] for g in (0, 100, 200))

    path = entry_path("programs", key, binary=True)
    data = bytearray(path.read_bytes())
    data[-5] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(preview_outlines, "_outlines", {})
    assert preview_outlines.outlines(face, {300})[300] == again[300]
    assert converted[-1] == [300]  # the damaged entry was a miss

    program = preview_outlines.program(face, [0, 300, 100])
    font = TTFont(io.BytesIO(program), checkChecksums=2)  # raises on a wrong table checksum
    assert font["maxp"].numGlyphs == 3 and font["head"].indexToLocFormat == 1
    glyf = font["glyf"]
    assert [glyf[name].numberOfContours > 0 for name in font.getGlyphOrder()[1:]] == [True, True]
    assert [font["hmtx"][name][1] for name in font.getGlyphOrder()[1:]] == [again[300].x_min, again[100].x_min]


def test_a_page_s_preview_job_needs_no_pdf(demo):
    pages, _ = demo
    job = _job(pages[0])
    assert not hasattr(job, "pdf") and job.page.pages == (pages[0].encoded,)
    result = render_pool.preview_jobs((replace(job, store=None),))[0]
    assert [suffix for suffix, _ in result.files] == list(render_pool.PREVIEW_SUFFIXES)
    data = dict(result.files)[".thumb.png"]
    thumb = Image.open(io.BytesIO(data))
    assert thumb.mode == "L" and thumb.width == SPEC.thumb_width and data[24] == 4  # IHDR: 4 bits a pixel


def test_zlib_ng_deflates_a_preview_to_the_bytes_python_s_zlib_makes(demo):
    pages, _ = demo
    image = Image.open(io.BytesIO(_preview(pages[0]))).convert("L")
    rng = random.Random(5)
    for data in (image.tobytes(), bytes(rng.randrange(256) for _ in range(100_000)), b"\xff" * 70_000, b""):
        packer = zlib.compressobj(1, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
        assert previews._deflate(data) == packer.compress(data) + packer.flush()
