"""The PDF backend: encoded pages (`paiban.model.placed.EncodedPage`) → a PDF file, with reportlab.

Glyphs are drawn exactly where composition put them: one text object per line, a per-line
character spacing (`Tc`, 5 decimals so the pen does not drift) for the even spread, `TJ`
adjustments only where a glyph deviates from it (squeezed marks, unit boundaries), `Tz` where a
dash glyph is stretched. Each face is one Type 0 font with two-byte codes (`cid_fonts`), so a
line switches fonts only where its face changes; CFF faces were converted to TrueType by the font
registry. The initial font is one of ours so no unembedded Helvetica appears, and `invariant=1`
makes the output byte-identical for identical input. The file is written to a temporary name in
the target directory and renamed into place, so a crash never leaves a half-written PDF.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Sequence

import zlib

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFStream
from reportlab.pdfgen.canvas import Canvas

from paiban.atomic_files import temporary_path
from paiban.model.placed import EncodedPage
from paiban.render.cid_fonts import CidFont
from paiban.render.text_operators import Advance, CodeSpace

#: (FontFace.key, characters) → the registered reportlab font name; the registry prepares fonts
FontNamer = Callable[[str, Iterable[str]], str]


def write_pdf(title: str, pages: Sequence[EncodedPage], path: Path, font_namer: FontNamer, advance: Advance,
              author: str = "paiban", font_chars: dict[str, str] | None = None) -> None:
    """Write the encoded pages to `path` as one PDF, atomically.

    `advance` gives the metrics composition used (the fonts' /W arrays agree with the glyph
    positions). `font_chars` (face → characters) names the characters each font is prepared
    for; by default those the pages draw. An edition passes the characters of all its pages, so
    that every page, rendered alone or in any process, embeds subsets of the same converted
    fonts: same bytes. Every page must use the same code space (`EncodedPage.astral`)."""
    used: dict[str, set[str]] = {}
    for page in pages:
        for face, chars in page.chars.items():
            used.setdefault(face, set()).update(chars)
    if font_chars is not None:
        used = {face: set(font_chars.get(face, ())) | chars for face, chars in used.items()}
    spaces = {page.astral for page in pages}
    if len(spaces) > 1:
        raise ValueError("the pages of one PDF were encoded with different code spaces")
    space = CodeSpace(spaces.pop() if spaces else ())
    names = {face: font_namer(face, sorted(chars)) for face, chars in sorted(used.items())}
    fonts = [CidFont(face, pdfmetrics.getFont(names[face]), sorted(used[face]), space, advance)
             for face in sorted(names)]
    with temporary_path(path) as tmp:
        first = pages[0] if pages else None
        size = (first.width, first.height) if first else (595.0, 842.0)
        rl_config.useA85 = 0  # binary streams: smaller, and reportlab's pure-Python ASCII85 is slow
        # a TrueType font as the initial font: reportlab then sets none in the page preamble
        # (with its default it would add an unembedded Helvetica)
        initial = {"initialFontName": names[min(names)]} if names else {}
        canvas = Canvas(str(tmp), pagesize=size, invariant=1, pageCompression=1, lang="zh-CN", **initial)
        canvas.setTitle(title)
        canvas.setAuthor(author)
        canvas.setCreator("paiban")
        canvas.setSubject(title)
        for page in pages:
            _draw_page(canvas, page)
            canvas.showPage()
        for pdf_page in canvas._doc.Pages.pages:
            _compress_contents(pdf_page)
        for font in fonts:
            font.add_to(canvas._doc)
        canvas.save()


#: zlib level of the pages' content streams: 3 compresses the text operators of a broadsheet page
#: in a third of the time of zlib's default 6 (5 ms instead of 15 ms for the benchmark's 8
#: pages, 1 MB of operators), for streams a quarter larger (111 KB instead of 88 KB)
PAGE_STREAM_LEVEL = 3


class _PageFlate:
    """reportlab's Flate filter at `PAGE_STREAM_LEVEL` (its own uses zlib's default level)."""

    pdfname = "FlateDecode"

    def encode(self, text: str | bytes) -> bytes:
        return zlib.compress(text.encode("utf-8") if isinstance(text, str) else text, PAGE_STREAM_LEVEL)

    def decode(self, encoded: bytes) -> bytes:
        return zlib.decompress(encoded)


_PAGE_FLATE = _PageFlate()


def _compress_contents(page) -> None:
    """Give a reportlab page its content stream as `PDFPage.check_format` would, compressed by
    `_PageFlate` (check_format keeps a stream it finds)."""
    if page.Contents or not page.stream or not page.compression:
        return
    stream = PDFStream()
    stream.filters = [_PAGE_FLATE]
    stream.content = page.stream
    stream.__Comment__ = "page stream"
    page.Contents = stream


def _draw_page(canvas: Canvas, page: EncodedPage) -> None:
    canvas.setPageSize((page.width, page.height))
    for rect in page.rects:
        if rect.fill_cmyk is not None:
            canvas.setFillColorCMYK(*rect.fill_cmyk)
        if rect.stroke > 0:
            canvas.setStrokeColorCMYK(*rect.stroke_cmyk)
            canvas.setLineWidth(rect.stroke)
        canvas.rect(rect.x, rect.y, rect.w, rect.h, stroke=1 if rect.stroke > 0 else 0,
                    fill=1 if rect.fill_cmyk is not None else 0)
    canvas.setFillColorCMYK(0, 0, 0, 1)
    for image in page.images:
        canvas.drawImage(image.path, image.x, image.y, image.w, image.h)
    for rule in page.rules:
        canvas.setStrokeColorCMYK(*rule.cmyk)
        canvas.setLineWidth(rule.width)
        canvas.line(rule.x0, rule.y0, rule.x1, rule.y1)
    if page.text:
        canvas._code.append(page.text)
    for m in page.markers:
        canvas.setStrokeColorCMYK(0, 1, 1, 0)
        canvas.setLineWidth(0.8)
        canvas.rect(m.x, m.y, m.w, m.h, stroke=1, fill=0)
