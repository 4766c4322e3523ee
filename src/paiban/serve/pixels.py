"""Page previews for the live page, made again only where the page changed.

PDFium (pypdfium2) draws a page PDF, but reading a dense broadsheet page costs it 60–150 ms: it
loads the outline of every character to find its box (~6 µs a character, 12,500 on a page of
the 100k layout). An edit changes a few lines. So when a page is composed again and what changed
is only lines of text (`dirty_boxes`: the boxes of the lines that are not in both versions, the
rules, tints and markers the same), the new preview is the old one with those boxes drawn again
(`patch`): a one-page PDF of just the lines, rules, tints and markers that touch the boxes is
rendered with the same resolution and boxes, and its pixels inside the boxes are pasted over the
old image. Everything that touches a box is in that PDF and nothing else reaches into it, so
those pixels are the ones a full render gives. Anything else (a picture in a changed box,
vertical lines, other rules or boxes, most of the page changed) renders the whole page.

Previews are greyscale PNGs of 16 levels, as an edition's (`paiban.edition.previews.grey_png`) but
stored rather than compressed (`stored_png`), at the session's resolution, with a thumbnail for
the page strip.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Callable, Iterable

from paiban.edition.edition_loader import PreviewSpec
from paiban.model.placed import PlacedLine, PlacedPage

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in page pt (PDF axes)

#: past this share of a page's lines changed, rendering the whole page is as quick
MOST_CHANGED = 0.5


def render(pdf: bytes, spec: PreviewSpec):
    """The first page of `pdf` as a greyscale ("L") Pillow image at `spec.dpi`."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        try:
            return page.render(scale=spec.dpi / 72.0, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
    finally:
        document.close()


def encode(image, spec: PreviewSpec) -> tuple[bytes, bytes]:
    """(preview PNG, thumbnail PNG) of a greyscale image."""
    from PIL import Image

    height = max(1, round(image.height * spec.thumb_width / image.width))
    factor = max(1, min(image.width // spec.thumb_width, image.height // height))
    thumb = image.reduce(factor).resize((spec.thumb_width, height), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    thumb.save(buffer, format="PNG", compress_level=1)
    return stored_png(image), buffer.getvalue()


def stored_png(image) -> bytes:
    """A greyscale image as a 16-level PNG (`paiban.edition.previews.grey_png`) whose zlib stream
    is stored, not compressed: 3 ms where compressing takes 20 (a broadsheet page at 72 dpi,
    0.9 MB; it goes to a browser on the same machine)."""
    width, height = image.size
    packed = image.point(_NIBBLE).tobytes("raw", "L;4")
    stride = (width + 1) // 2
    rows = b"\0" + b"\0".join(packed[i * stride:(i + 1) * stride] for i in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows, 0)) + _chunk(b"IEND", b""))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


#: 8-bit grey → its 4-bit level, as `grey_png` maps it
_NIBBLE = [value >> 4 for value in range(256)]


def line_box(line: PlacedLine) -> Box | None:
    """Where a horizontal line's glyphs may put ink: its measure and glyph origins widened by an
    em (hanging punctuation, stretched dashes), from below its descenders to above its em box.
    None for a vertical line (竖排), which this does not patch."""
    if line.ys:
        return None
    size = line.size
    stretch = max((scale for _, scale in line.scaled), default=1.0)
    left = min(line.x, min(line.xs, default=line.x)) - size * 0.5
    right = max(line.x + line.width, max(line.xs, default=line.x) + size * stretch) + size * 0.5
    return (left, line.y - size * 0.35, right, line.y + size * 1.05)


def _touches(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _rule_box(rule) -> Box:
    half = rule.width / 2 + 1
    return (min(rule.x0, rule.x1) - half, min(rule.y0, rule.y1) - half,
            max(rule.x0, rule.x1) + half, max(rule.y0, rule.y1) + half)


def _rect_box(rect) -> Box:
    half = rect.stroke / 2 + 1
    return (rect.x - half, rect.y - half, rect.x + rect.w + half, rect.y + rect.h + half)


def _marker_box(marker) -> Box:
    return (marker.x - 2, marker.y - 2, marker.x + marker.w + 2, marker.y + marker.h + 2)


def dirty_boxes(old: PlacedPage, new: PlacedPage) -> list[Box] | None:
    """The boxes to draw again to turn `old`'s preview into `new`'s, or None when the whole page
    must be rendered: anything but lines changed, or most lines, or a vertical line."""
    if (old.width, old.height, old.rules, old.rects, old.images, old.markers) != \
            (new.width, new.height, new.rules, new.rects, new.images, new.markers):
        return None
    before, after = {_line_key(line): line for line in old.lines}, {_line_key(line): line for line in new.lines}
    changed = [before[k] for k in before.keys() - after.keys()] + [after[k] for k in after.keys() - before.keys()]
    if len(changed) > MOST_CHANGED * max(len(after), 1):
        return None
    boxes = [line_box(line) for line in changed]
    if any(box is None for box in boxes):
        return None
    return boxes


def _line_key(line: PlacedLine) -> tuple:
    """What a line draws, quick to hash (its glyph positions follow from it: composition is
    deterministic; `xs` itself is a tuple of floats, slow to hash a page of)."""
    return (line.x, line.y, line.width, line.size, line.text, line.chars, line.face_runs, line.scaled, line.ys,
            line.kind, line.xs[0] if line.xs else 0.0, line.xs[-1] if line.xs else 0.0)


def patch_page(new: PlacedPage, boxes: list[Box]) -> PlacedPage | None:
    """A page of `new`'s size with what touches `boxes`, in `new`'s order; None when a picture does."""
    if any(_touches((im.x, im.y, im.x + im.w, im.y + im.h), box) for im in new.images for box in boxes):
        return None

    def near(items: Iterable, box_of: Callable) -> tuple:
        return tuple(item for item in items if any(_touches(box_of(item), box) for box in boxes))

    low, high = min(b[1] for b in boxes), max(b[3] for b in boxes)
    lines = []
    for line in new.lines:
        if line.ys:
            return None
        if line.y + line.size * 1.1 < low or line.y - line.size * 0.4 > high:
            continue  # far above or below every box
        box = line_box(line)
        if any(_touches(box, b) for b in boxes):
            lines.append(line)
    return PlacedPage(new.number, new.width, new.height, tuple(lines), near(new.rules, _rule_box),
                      near(new.markers, _marker_box), near(new.rects, _rect_box), ())


def snap(box: Box, media: Box, spec: PreviewSpec) -> Box:
    """`box` grown to whole pixels of the preview, and one more pixel on every side (what touches
    a pixel of the box must be drawn in the patch)."""
    step = 72.0 / spec.dpi
    x0, y0, x1, y1 = box
    left = media[0] + (math.floor((x0 - media[0]) / step) - 1) * step
    right = media[0] + (math.ceil((x1 - media[0]) / step) + 1) * step
    top = media[3] - (math.floor((media[3] - y1) / step) - 1) * step
    bottom = media[3] - (math.ceil((media[3] - y0) / step) + 1) * step
    return (left, bottom, right, top)


def patch(image, patch_image, boxes: list[Box], media: Box, spec: PreviewSpec):
    """`image` (the old preview) with the pixels of `boxes` taken from `patch_image` (a render of
    `patch_page`); `media` is the rendered area in page pt (the preview's MediaBox)."""
    scale = spec.dpi / 72.0
    out = image.copy()
    for x0, y0, x1, y1 in boxes:
        left = max(0, round((x0 - media[0]) * scale) + 1)  # the snapped box less its outer pixel
        right = min(image.width, round((x1 - media[0]) * scale) - 1)
        top = max(0, round((media[3] - y1) * scale) + 1)
        bottom = min(image.height, round((media[3] - y0) * scale) - 1)
        if right > left and bottom > top:
            out.paste(patch_image.crop((left, top, right, bottom)), (left, top))
    return out
