"""How the PDF writer draws a cropped picture (`fit: fill` with a `focus`): the crop chosen by
composition is drawn where it was placed, even when float rounding puts the crop a hair inside
the frame (the picture was centred instead, losing its focus)."""

from __future__ import annotations

from paiban.model.placed import EncodedPage, PlacedImage
from paiban.render.pdf_writer import _image_operators

PAGE = EncodedPage(number=1, width=800.0, height=1100.0, stream=b"", chars={})


def _drawn_at(ops: str) -> tuple[float, float, float, float]:
    """(w, h, x, y) of the picture's `cm` matrix: the last one in the operators."""
    parts = ops.split(" cm ")[-2].split()
    w, _b, _c, h, x, y = (float(v) for v in parts[-6:])
    return w, h, x, y


def test_a_crop_a_rounding_error_inside_the_frame_is_drawn_where_composition_put_it():
    frame_y = 80.64566929133866
    crop = (100.0, 80.64566929133869, 300.0, 400.0)  # focus at the foot: the crop's foot is the frame's
    image = PlacedImage("x.png", 100.0, frame_y, 300.0, 200.0, (600, 800), 150.0, crop=crop)
    w, h, x, y = _drawn_at(_image_operators(image, "Im1", PAGE, bleed=8.5))
    assert (round(w, 3), round(h, 3), round(x, 3), round(y, 3)) == (300.0, 400.0, 100.0, round(frame_y, 3))


def test_a_frame_that_really_leaves_its_crop_is_scaled_to_cover():
    image = PlacedImage("x.png", 0.0, 500.0, 300.0, 200.0, (600, 400), 150.0, crop=(0.0, 480.0, 300.0, 240.0))
    w, h, x, _y = _drawn_at(_image_operators(image, "Im1", PAGE, bleed=8.5))
    assert w > 300.0 and h > 240.0 and x < 0.0  # runs on into the bleed at the left
