"""The previews' fast PNG: a greyscale page as a 16-level (4-bit) PNG that any reader decodes to
the page's grey levels, rounded down to sixteen; the same image gives the same bytes."""

from __future__ import annotations

import io
import random

from PIL import Image

from paiban.edition.previews import grey_png


def test_a_4_bit_grey_png_decodes_to_the_image_in_sixteen_levels():
    rng = random.Random(7)
    for width, height in ((1, 1), (7, 3), (64, 9)):  # odd widths: the last byte of a row is half used
        image = Image.frombytes("L", (width, height), bytes(rng.randrange(256) for _ in range(width * height)))
        data = grey_png(image)
        decoded = Image.open(io.BytesIO(data))
        decoded.load()
        assert decoded.size == (width, height)
        assert list(decoded.convert("L").tobytes()) == [(v >> 4) * 17 for v in image.tobytes()]
        assert grey_png(image) == data


def test_white_stays_white_and_black_black():
    image = Image.frombytes("L", (4, 1), bytes([0, 15, 16, 255]))
    decoded = Image.open(io.BytesIO(grey_png(image))).convert("L")
    assert list(decoded.tobytes()) == [0, 0, 17, 255]
