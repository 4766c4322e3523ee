"""Pictures in the built PDFs of the demo and the sample editions, read back from the PDF: each
picture is exactly as wide as the columns of its region, and its caption starts at the picture's
left edge, its baseline on a body grid line at most one line below the picture.

The picture's visible box comes from the page's content stream (the image's ``cm`` inside the
clipping rectangles in force: a cropped picture is clipped to its frame); the caption's position
from pdfium's character origins. The regions come from the layouts, so the test follows whatever
the layouts say (the editions' pages are mapped as the edition maps them)."""

from __future__ import annotations

import ctypes
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import DEMO, ROOT

from paiban.edition.edition_loader import load_edition, page_numbers
from paiban.input.layout_loader import load_layout

EDITIONS = ROOT / "layouts" / "editions"
BASELINE = 0.88  # the baseline below the em box's top (page/compose.py)
TOLERANCE = 0.5  # pt


def _multiply(a, b):
    """The PDF matrix product a × b (a applied first)."""
    a0, a1, a2, a3, a4, a5 = a
    b0, b1, b2, b3, b4, b5 = b
    return (a0 * b0 + a1 * b2, a0 * b1 + a1 * b3, a2 * b0 + a3 * b2, a2 * b1 + a3 * b3,
            a4 * b0 + a5 * b2 + b4, a4 * b1 + a5 * b3 + b5)


def _box(ctm, x, y, w, h):
    xs, ys = [], []
    for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
        xs.append(ctm[0] * px + ctm[2] * py + ctm[4])
        ys.append(ctm[1] * px + ctm[3] * py + ctm[5])
    return min(xs), min(ys), max(xs), max(ys)


def _meet(a, b):
    if a is None:
        return b
    return max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])


def visible_images(page: pikepdf.Page) -> list[tuple[float, float, float, float]]:
    """Each image XObject the page draws: its box (x0, y0, x1, y1, page coordinates) cut to the
    clipping rectangles in force."""
    ctm, clip, stack, pending, out = (1, 0, 0, 1, 0, 0), None, [], None, []
    images = {str(name) for name, xobj in page.resources.get("/XObject", {}).items()
              if xobj.get("/Subtype") == "/Image"}
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op == "q":
            stack.append((ctm, clip))
        elif op == "Q":
            ctm, clip = stack.pop()
        elif op == "cm":
            ctm = _multiply(tuple(float(v) for v in operands), ctm)
        elif op == "re":
            pending = _box(ctm, *(float(v) for v in operands))
        elif op == "W":
            clip = _meet(clip, pending)
        elif op == "Do" and str(operands[0]) in images:
            out.append(_meet(clip, _box(ctm, 0, 0, 1, 1)))
    return out


def text_chars(page) -> list[tuple[float, float, str]]:
    """Every drawn character's origin (x, baseline y, page coordinates) and the character."""
    text = page.get_textpage()
    x, y = ctypes.c_double(), ctypes.c_double()
    out = []
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if not ch.strip():
            continue
        pdfium_c.FPDFText_GetCharOrigin(text.raw, i, ctypes.byref(x), ctypes.byref(y))
        out.append((x.value, y.value, ch))
    return out


def _build(source: Path, out: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "paiban", "build", str(source), "-o", str(out)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr


def _pages(source: Path) -> list[tuple[int, object, int]]:
    """(PDF page index, layout, layout page) of every page the source builds."""
    if source.parent == EDITIONS:
        spec = load_edition(source)
        layouts = [load_layout(ref.path, root=spec.root) for ref in spec.layouts]
        maps = page_numbers(spec, [tuple(layout.pages) for layout in layouts])
        return sorted((edition_page - 1, layout, own) for layout, mapping in zip(layouts, maps)
                      for own, edition_page in mapping.items())
    layout = load_layout(source)
    return [(i, layout, number) for i, number in enumerate(layout.pages)]


@pytest.fixture(scope="module", params=["demo", "city", "coast"])
def built(request, tmp_path_factory):
    source = DEMO if request.param == "demo" else EDITIONS / f"{request.param}.yaml"
    out = tmp_path_factory.mktemp(request.param)
    _build(source, out)
    return source, out / f"{request.param}.pdf"


def test_every_picture_is_as_wide_as_its_columns_and_its_caption_sits_on_the_grid_under_it(built):
    source, pdf_path = built
    checked = 0
    with pikepdf.open(pdf_path) as pdf:
        boxes = [visible_images(page) for page in pdf.pages]
    document = pdfium.PdfDocument(pdf_path)
    for index, layout, number in _pages(source):
        page = document[index]
        tx, ty = page.get_trimbox()[:2]  # the page as designed lies at the TrimBox
        grid, geo = layout.grid, layout.page
        chars = None
        unmatched = list(boxes[index])
        for region in layout.regions.values():
            if region.page != number or region.picture is None:
                continue
            left = tx + region.left(grid, geo.margin_left)
            right = tx + region.right(grid, geo.margin_left)
            top = ty + layout.grid_top(number) - (region.first_line - 1) * grid.line_pitch
            found = [b for b in unmatched if abs(b[0] - left) <= TOLERANCE and abs(b[3] - top) <= TOLERANCE]
            assert len(found) == 1, f"{pdf_path.name} page {index + 1}: picture {region.name} not at its region"
            box = found[0]
            unmatched.remove(box)
            assert abs((box[2] - box[0]) - (right - left)) <= TOLERANCE, (
                f"{pdf_path.name} page {index + 1}: picture {region.name} is {box[2] - box[0]:.1f} pt wide, "
                f"its columns {right - left:.1f} pt")
            checked += 1
            if not region.picture.caption:
                continue
            chars = chars if chars is not None else text_chars(page)
            below = [(x, y, ch) for x, y, ch in chars
                     if box[0] - TOLERANCE <= x <= box[2] and box[1] - grid.line_pitch - TOLERANCE <= y < box[1]]
            assert below, f"{pdf_path.name} page {index + 1}: no caption within a line under {region.name}"
            baseline = max(y for _, y, _ in below)
            first = sorted((x, ch) for x, y, ch in below if abs(y - baseline) < 0.1)
            caption = "".join(region.picture.caption.split())
            assert first[0][1] == caption[0], f"{region.name}: the line under the picture is not its caption"
            assert abs(first[0][0] - box[0]) <= TOLERANCE, (
                f"{pdf_path.name} page {index + 1}: caption of {region.name} starts {first[0][0] - box[0]:.1f} pt "
                "from the picture's left edge")
            lines = (ty + layout.grid_top(number) - BASELINE * grid.body_size - baseline) / grid.line_pitch
            assert abs(lines - round(lines)) * grid.line_pitch <= 0.05, (
                f"{pdf_path.name} page {index + 1}: caption of {region.name} is {lines:.2f} lines down the grid")
        assert not unmatched, f"{pdf_path.name} page {index + 1}: pictures outside every picture region: {unmatched}"
    assert checked > 0
