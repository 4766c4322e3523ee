"""PNG previews of rendered pages and the edition's contact sheet.

`page_previews` rasterises each page of a PDF with pypdfium2 (PDFium, the engine of Chrome's PDF
viewer) at the edition's preview resolution, greyscale unless colour is asked for, and returns
its PNG and a thumbnail reduced from it. The edition build gives it a preview rendition of pages
of one composition (`paiban.edition.render_pool.preview_jobs`: their CFF faces as TrueType
outlines, which PDFium reads six times faster; one document for them all, so PDFium parses
their fonts once and keeps its glyph bitmaps from page to page). These are proofs, and fast
beats small: a greyscale preview is a 16-level (4-bit) PNG, unfiltered, deflated with zlib's
run-length strategy (`grey_png`: 3.5 ms with zlib-ng and 370 KB for a 72 dpi broadsheet page,
where Python's zlib takes 6.6 ms for the same bytes, its level 1 10 ms for 300 KB, and Pillow's 8-bit PNG at its fastest 60 ms for 600
KB), and so are its thumbnail and the contact sheet (a 48-page sheet: 8 ms and 490 KB, where
Pillow's PNG took 73 ms for 1.4 MB); a colour one is Pillow's PNG at compress level 1.
`contact_sheet` lays the thumbnails out in a grid with the page number under each, with Pillow.
All are deterministic: the same PDF bytes give the same PNG bytes.
"""

from __future__ import annotations

import io
import struct
import zlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from paiban.edition.edition_loader import PreviewSpec


__all__ = ["contact_sheet", "page_previews"]

#: pixels around and between thumbnails, and the height of the label strip under each
MARGIN = 16
LABEL = 18


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(data, zlib.crc32(kind)))


def grey_png(image) -> bytes:
    """A greyscale ("L") image as a 4-bit greyscale PNG (PNG spec §11.2.2: colour type 0, bit
    depth 4), every row unfiltered, deflated with zlib's Z_RLE strategy (runs of one repeated
    byte, which is what a page's white is)."""
    width, height = image.size
    # Pillow packs the low four bits; a stride one byte longer than a row ends each row with a
    # zero byte. Shifted one byte on (a zero in front, the last one dropped), those zeros begin
    # the rows instead: each row's filter type, 0 (none)
    packed = image.point(_NIBBLE).tobytes("raw", "L;4", (width + 1) // 2 + 1)
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 4, 0, 0, 0, 0))
            + _chunk(b"IDAT", _deflate(b"\0" + memoryview(packed)[:-1])) + _chunk(b"IEND", b""))


def _deflate(data: bytes) -> bytes:
    """zlib's Z_RLE deflate, by zlib-ng: the same bytes as Python's zlib makes (checked by
    tests/test_preview_rendition.py) in half the time (3.5 ms for a page, not 6.6)."""
    from zlib_ng import zlib_ng

    packer = zlib_ng.compressobj(1, zlib_ng.DEFLATED, 15, 9, zlib_ng.Z_RLE)
    return packer.compress(data) + packer.flush()


#: 8-bit grey → its 4-bit level (255 stays white: 15, which a reader scales back to 255)
_NIBBLE = [value >> 4 for value in range(256)]


def page_previews(pdf: bytes, spec: PreviewSpec) -> list[tuple[bytes, bytes]]:
    """Every page of `pdf` as (preview PNG, thumbnail PNG): a page's PNGs are the same bytes as
    from a PDF of that page alone with the same fonts."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        made = []
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=spec.dpi / 72.0, grayscale=not spec.color)
            finally:
                page.close()
            made.append(_pngs(bitmap, spec))
        return made
    finally:
        document.close()


def _pngs(bitmap, spec: PreviewSpec) -> tuple[bytes, bytes]:
    """A page's rendered bitmap as (preview PNG, thumbnail PNG)."""
    from PIL import Image

    mode = "RGB" if spec.color else "L"
    image = bitmap.to_pil()  # a greyscale one shares the bitmap's memory: `bitmap` stays referenced
    if image.mode != mode:
        image = image.convert(mode)
    height = max(1, round(image.height * spec.thumb_width / image.width))
    factor = max(1, min(image.width // spec.thumb_width, image.height // height))
    # a box average down to near the size, then bilinear: 0.5 ms where Lanczos takes 6
    thumb = image.reduce(factor).resize((spec.thumb_width, height), Image.Resampling.BILINEAR)
    if spec.color:
        return _png(image), _png(thumb)
    return grey_png(image), grey_png(thumb)


def contact_sheet(thumbs: list[tuple[str, bytes]], spec: PreviewSpec, title: str = "") -> bytes:
    """One PNG with every (label, thumbnail PNG) in reading order, `spec.columns` to a row."""
    from PIL import Image, ImageDraw, ImageFont

    images = [Image.open(io.BytesIO(data)) for _, data in thumbs]
    mode = "RGB" if spec.color else "L"
    width = spec.thumb_width
    height = max((im.height for im in images), default=1)
    columns = max(1, min(spec.columns, len(images)))
    rows = max(1, -(-len(images) // columns))
    top = LABEL + MARGIN // 2 if title else 0
    sheet = Image.new(mode, (MARGIN + columns * (width + MARGIN), top + MARGIN + rows * (height + LABEL + MARGIN)),
                      "white" if mode == "RGB" else 255)
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default()
    ink = "black" if mode == "RGB" else 0
    frame = (160, 160, 160) if mode == "RGB" else 160
    if title:
        draw.text((MARGIN, MARGIN // 2), _ascii(title), fill=ink, font=font)
    for i, ((label, _), image) in enumerate(zip(thumbs, images)):
        row, col = divmod(i, columns)
        x = MARGIN + col * (width + MARGIN)
        y = top + MARGIN + row * (height + LABEL + MARGIN)
        sheet.paste(image.convert(mode), (x, y))
        draw.rectangle((x - 1, y - 1, x + image.width, y + image.height), outline=frame)
        text_w = draw.textlength(label, font=font)
        draw.text((x + (width - text_w) / 2, y + image.height + 3), label, fill=ink, font=font)
    return _png(sheet) if spec.color else grey_png(sheet)


def _ascii(text: str) -> str:
    """Pillow's built-in font has no CJK glyphs: keep what it can draw."""
    kept = "".join(ch for ch in text if 32 <= ord(ch) < 127).strip()
    return " ".join(kept.split())
