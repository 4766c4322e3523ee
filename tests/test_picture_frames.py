"""Pictures that own their frame (`Picture.fit`): `fill` covers the frame and crops around the
focal point, `fit` takes the region's width and whole grid lines (the text around flows into the
lines it frees), `contain` fits inside as before; the caption sits on the body grid under the
picture, as wide as it; the renderer clips a cropped picture to its frame."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.flow.frames import pictures_on, region_frames
from paiban.model.picture_frame import caption_line_estimate, picture_frame
from paiban.model.placed import EncodedPage, PlacedImage
from paiban.page import furniture
from paiban.render.pdf_writer import _image_operators

WIDE = (1200, 900)  # the demo's placeholders: 4:3


@pytest.fixture(scope="module")
def demo():
    return pipeline.run(DEMO, None)


def _picture(demo, name: str = "lead-picture", **changes):
    region = demo.layout.regions[name]
    return replace(region, picture=replace(region.picture, **changes))


def _place(demo, fit: str, focus=(0.5, 0.5), width=279.0, height=400.0):
    pic = replace(demo.layout.regions["lead-picture"].picture, fit=fit, focus=focus, pixels=WIDE)
    out = furniture.Furniture()
    return furniture._image(demo.layout, pic, 100.0, 200.0, width, height, out, 1)


def test_fill_covers_the_frame_and_crops_around_the_focal_point(demo):
    # a 4:3 picture in a tall frame: scaled to the frame's height, cut at the sides
    left = _place(demo, "fill", focus=(0.0, 0.5))
    right = _place(demo, "fill", focus=(1.0, 0.5))
    middle = _place(demo, "fill", focus=(0.5, 0.5))
    for im in (left, right, middle):
        assert (im.x, im.y, im.w, im.h) == (100.0, 200.0, 279.0, 400.0)  # the frame, exactly
        assert im.crop[3] == pytest.approx(400.0) and im.crop[1] == pytest.approx(200.0)
        assert im.crop[2] == pytest.approx(400.0 * 4 / 3)
        assert im.dpi == pytest.approx(1200 / (im.crop[2] / 72))
    assert left.crop[0] == pytest.approx(100.0)  # the left edge kept
    assert right.crop[0] + right.crop[2] == pytest.approx(379.0)  # the right edge kept
    assert middle.crop[0] + middle.crop[2] / 2 == pytest.approx(100.0 + 279.0 / 2)  # centred
    # a wide frame: scaled to its width, cut at the top and bottom; a focus near the top keeps the top
    top = _place(demo, "fill", focus=(0.5, 0.1), width=400.0, height=100.0)
    assert top.crop[2] == pytest.approx(400.0) and top.crop[1] + top.crop[3] == pytest.approx(300.0)
    low = _place(demo, "fill", focus=(0.5, 0.7), width=400.0, height=100.0)
    # the focal point (70 % down the picture) lands in the middle of the frame
    assert low.crop[1] + low.crop[3] * 0.3 == pytest.approx(250.0)


def test_contain_fits_inside_the_frame_centred_as_before(demo):
    im = _place(demo, "contain")
    w, h = 279.0, 279.0 * 3 / 4
    assert (im.x, im.y, im.w, im.h) == pytest.approx((100.0, 200.0 + 400.0 - h, w, h))
    assert im.crop is None
    wide = _place(demo, "contain", width=800.0, height=300.0)
    assert (wide.x, wide.w, wide.h) == pytest.approx((100.0 + (800.0 - 400.0) / 2, 400.0, 300.0))


def test_fit_takes_the_width_and_whole_grid_lines_and_frees_the_rest_for_text(demo):
    layout = demo.layout
    grid = layout.grid
    tall = _picture(demo, fit="fit", pixels=WIDE)
    tall = replace(tall, last_line=tall.first_line + 40)
    frame = picture_frame(layout, tall)
    natural = tall.width(grid) * 3 / 4
    # whole lines: the image's height (less the leading under its last line) fits in them, and a
    # line more would not be covered
    assert frame.image_lines == math.floor((natural + grid.line_pitch - grid.body_size) / grid.line_pitch)
    assert frame.image_lines * grid.line_pitch - (grid.line_pitch - grid.body_size) <= natural
    assert natural - (frame.image_lines * grid.line_pitch - (grid.line_pitch - grid.body_size)) < grid.line_pitch
    assert frame.caption_lines == 1
    assert frame.lines == frame.image_lines + frame.caption_lines + 1 < tall.lines  # a line of air
    # the text region it cuts into takes the lines under it
    body = layout.regions["lead-body"]
    frames = region_frames(grid, body, ((tall, frame.lines),))
    under = [f for f in frames if f.column == 2]
    assert under[0].first_line == tall.first_line + frame.lines
    # fill keeps the whole region from the text
    fill = replace(tall, picture=replace(tall.picture, fit="fill"))
    assert picture_frame(layout, fill).lines == fill.lines
    # in the demo's own region (shorter than the picture) fit crops to the region as fill does
    own = _picture(demo, fit="fit", pixels=WIDE)
    assert picture_frame(layout, own) == picture_frame(layout, _picture(demo, fit="fill", pixels=WIDE))
    assert pictures_on(layout, body) == ((layout.regions["lead-picture"],
                                          picture_frame(layout, layout.regions["lead-picture"]).lines),)


def test_the_caption_sits_on_the_body_grid_under_the_picture_as_wide_as_it(demo):
    layout = demo.layout
    grid = layout.grid
    for name in ("lead-picture", "culture-picture"):
        region = layout.regions[name]
        top = layout.grid_top(region.page) - (region.first_line - 1) * grid.line_pitch
        out = furniture.picture(layout, region, demo.glyphs, top)
        assert not out.warnings
        (image,), frame = out.images, picture_frame(layout, region)
        left = layout.page.margin_left + region.left(grid)
        assert (image.x, image.w) == (left, region.right(grid) - region.left(grid))
        assert image.y + image.h == top
        captions = [ln for ln in out.lines if ln.kind == "caption"]
        assert 1 <= len(captions) <= frame.caption_lines
        for k, line in enumerate(captions):
            assert (line.x, line.width) == (image.x, image.w)
            assert line.y == pytest.approx(top - (frame.image_lines + k) * grid.line_pitch - 0.88 * grid.body_size)
            assert line.xs[0] == pytest.approx(image.x)  # flush left from the picture's edge
        # between the picture and the caption: less than a line
        assert image.y - captions[0].y < grid.line_pitch


def test_the_caption_estimate_is_never_short_of_the_lines_it_sets(demo):
    layout = demo.layout
    style = layout.styles["caption"]
    text = "西海岸新区港区，集装箱船在晨光中靠泊作业。（示例图片）　本报记者　示例　摄 ABC 2024"
    for width in (135.0, 279.0, 423.0, 711.0):
        estimate = caption_line_estimate(text, width, style.size)
        assert estimate >= len(furniture._caption_lines(text, style, width, demo.glyphs)[0])
    assert caption_line_estimate("", 279.0, 9.0) == 0


def test_a_cropped_picture_is_clipped_to_its_frame_in_the_pdf():
    page = EncodedPage(1, 1000.0, 1000.0, b"", {})
    cropped = PlacedImage("x.png", 100.0, 200.0, 279.0, 400.0, WIDE, 150.0, (50.0, 200.0, 533.0, 400.0))
    assert _image_operators(cropped, "Im1", page, 9.0) == "q 100 200 279 400 re W n 533 0 0 400 50 200 cm /Im1 Do Q"
    whole = PlacedImage("x.png", 100.0, 200.0, 279.0, 400.0, WIDE, 150.0)
    assert _image_operators(whole, "Im1", page, 9.0) == "q 279 0 0 400 100 200 cm /Im1 Do Q"
