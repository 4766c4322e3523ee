"""PNG previews of rendered pages and the edition's contact sheet.

`page_previews` rasterises a one-page PDF with pypdfium2 (PDFium, the engine of Chrome's PDF
viewer) at the edition's preview resolution, greyscale unless colour is asked for, and returns
the PNG (``compress_level=1``: these are proofs, fast beats small) and a thumbnail.
`contact_sheet` lays the thumbnails out in a grid with the page number under each, with Pillow.
Both are deterministic: the same PDF bytes give the same PNG bytes.
"""

from __future__ import annotations

import io
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


def page_previews(pdf: bytes, spec: PreviewSpec) -> tuple[bytes, bytes]:
    """The first page of `pdf` as (preview PNG, thumbnail PNG)."""
    import pypdfium2 as pdfium
    from PIL import Image

    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        try:
            bitmap = page.render(scale=spec.dpi / 72.0, grayscale=not spec.color)
            image = bitmap.to_pil()
            image = image.convert("RGB" if spec.color else "L")
        finally:
            page.close()
    finally:
        document.close()
    height = max(1, round(image.height * spec.thumb_width / image.width))
    thumb = image.resize((spec.thumb_width, height), Image.Resampling.LANCZOS)
    return _png(image), _png(thumb)


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
    return _png(sheet)


def _ascii(text: str) -> str:
    """Pillow's built-in font has no CJK glyphs: keep what it can draw."""
    kept = "".join(ch for ch in text if 32 <= ord(ch) < 127).strip()
    return " ".join(kept.split())
