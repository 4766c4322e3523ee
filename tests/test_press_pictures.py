"""Pictures for the press: RGB, grey, 16-bit and transparent pictures converted to the output
profile's CMYK (`paiban.render.pictures`), and elements that touch the trim run on into the bleed."""

from __future__ import annotations

import zlib
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from paiban.model.placed import EncodedPage, PlacedImage, Rect
from paiban.model.spec import Press
from paiban.render import pictures
from paiban.render.pdf_writer import write_pdf
from paiban.render.press import icc_profile

MM = 72 / 25.4


@pytest.fixture(scope="module")
def profile() -> bytes:
    return icc_profile(Press())[0]


def _pixels(picture: pictures.Picture) -> list[tuple[int, ...]]:
    raw = zlib.decompress(picture.compressed)
    assert len(raw) == 4 * picture.width * picture.height  # CMYK, 8 bits a component
    return [tuple(raw[i:i + 4]) for i in range(0, len(raw), 4)]


def test_an_rgb_picture_becomes_cmyk_through_the_profile(tmp_path, profile):
    path = tmp_path / "red.png"
    Image.new("RGB", (8, 8), (220, 20, 30)).save(path)
    c, m, y, k = _pixels(pictures.cmyk_picture(str(path), profile, "perceptual"))[0]
    assert m > 200 and y > 150 and c < 60  # red is magenta and yellow


def test_a_16_bit_grey_png_prints_grey_not_white(tmp_path, profile):
    path = tmp_path / "grey16.png"
    Image.new("I;16", (8, 8), 0x4000).save(path)  # a quarter of white: a dark grey
    with Image.open(path) as im:
        assert im.mode.startswith("I")
    pixel = _pixels(pictures.cmyk_picture(str(path), profile, "perceptual"))[0]
    assert sum(pixel) > 300  # plenty of ink (Pillow's plain conversion clipped it to white: no ink)


def test_transparent_areas_print_as_paper_not_black(tmp_path, profile):
    path = tmp_path / "alpha.png"
    im = Image.new("RGBA", (8, 8), (0, 0, 0, 0))  # transparent black
    im.putpixel((0, 0), (0, 0, 0, 255))  # one opaque black pixel
    im.save(path)
    pixels = _pixels(pictures.cmyk_picture(str(path), profile, "perceptual"))
    assert sum(pixels[0]) > 500  # the opaque black one
    assert max(pixels[1]) <= 2  # transparent: white paper, no ink


def test_the_rendering_intent_is_used_and_names_the_cache_entry(tmp_path, profile, monkeypatch):
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "sky.png"
    Image.new("RGB", (8, 8), (40, 90, 250)).save(path)  # a saturated blue, outside the press gamut
    made = {intent: pictures.cmyk_picture(str(path), profile, intent) for intent in pictures.INTENTS}
    assert len({p.compressed for p in made.values()}) >= 2  # the intents differ for an out-of-gamut colour
    assert len(list((tmp_path / "cache" / "pictures").glob("*.bin"))) == 4
    pictures._memo.clear()
    assert pictures.cmyk_picture(str(path), profile, "relative") == made["relative"]  # read back from the cache


def _page(tmp_path: Path, **parts) -> EncodedPage:
    return EncodedPage(number=1, width=400.0, height=300.0, stream=b"", chars={}, **parts)


def test_a_tint_and_a_picture_that_touch_the_trim_run_on_into_the_bleed(tmp_path):
    path = tmp_path / "photo.png"
    Image.new("RGB", (200, 100), (120, 120, 120)).save(path)
    page = _page(tmp_path, rects=(Rect(0, 0, 100, 50, stroke=0, fill_cmyk=(0, 0.2, 0, 0)),
                                  Rect(100, 100, 50, 50, stroke=0, fill_cmyk=(0.2, 0, 0, 0))),
                 images=(PlacedImage(str(path), 200, 200, 200, 100, (200, 100), 72.0),))
    out = tmp_path / "bleed.pdf"
    write_pdf("bleed", [page], out, {}, lambda face, char: 1.0)
    with pikepdf.open(out) as pdf:
        ops = [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(pdf.pages[0])]
    rects = [[float(v) for v in operands] for operands, op in ops if op == "re"]
    bleed = 3 * MM
    # the tint in the corner grows by the bleed to the left and below; the one inside stays
    assert rects[0] == pytest.approx([-bleed, -bleed, 100 + bleed, 50 + bleed], abs=0.01)
    assert rects[1] == pytest.approx([100, 100, 50, 50])
    # the picture touching the top right corner: clipped to its frame run on into the bleed, and
    # scaled (keeping its proportions) to cover it, anchored at its inner corner
    assert rects[2] == pytest.approx([200, 200, 200 + bleed, 100 + bleed], abs=0.01)
    matrix = next([float(v) for v in operands] for operands, op in ops if op == "cm" and float(operands[0]) > 50)
    scale = max((200 + bleed) / 200, (100 + bleed) / 100)
    assert matrix == pytest.approx([200 * scale, 0, 0, 100 * scale, 200, 200], abs=0.01)
