"""The PDF backend: composed pages → a PDF file, with reportlab.

Glyphs are drawn exactly where composition put them: one text object per line, a per-line
character spacing (`Tc`) for the even spread, `TJ` adjustments only where a glyph deviates from
it (squeezed marks, unit boundaries), `Tz` where a dash glyph is stretched. Fonts are embedded as
subsets (reportlab's TrueType subsetting; CFF faces were converted by the font registry), the
initial font is one of ours so no unembedded Helvetica appears, and `invariant=1` makes the
output byte-identical for identical input. The file is written to a temporary name in the target
directory and renamed into place, so a crash never leaves a half-written PDF.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path
from typing import Callable, Iterable

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from paiban.atomic_files import temporary_path
from paiban.model.placed import Document, PlacedLine, PlacedPage

#: FontFace.key → (registered reportlab font name); the registry prepares fonts for the PDF
FontNamer = Callable[[str, Iterable[str]], str]


def chars_by_face(doc: Document) -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for page in doc.pages:
        for line in page.lines:
            for g in line.glyphs:
                used[g.face].add(g.char)
    return used


def write_pdf(doc: Document, path: Path, font_namer: FontNamer, author: str = "paiban",
              font_chars: dict[str, set[str]] | None = None) -> None:
    """Render `doc` to `path` atomically.

    `font_chars` (face → characters) names the characters each font is prepared for; by default
    those `doc` draws. An edition passes the characters of all its pages, so that every page,
    rendered alone or in any process, embeds subsets of the same converted fonts: same bytes."""
    used = chars_by_face(doc)
    if font_chars is not None:
        used = {face: set(font_chars.get(face, ())) | chars for face, chars in used.items()}
    names = {face: font_namer(face, sorted(chars)) for face, chars in sorted(used.items())}
    with temporary_path(path) as tmp:
        first = doc.pages[0] if doc.pages else None
        size = (first.width, first.height) if first else (595.0, 842.0)
        initial = names[min(names)] if names else None
        kwargs = {"initialFontName": initial, "initialFontSize": 9} if initial else {}
        rl_config.useA85 = 0  # binary streams: smaller, and reportlab's pure-Python ASCII85 is slow
        canvas = Canvas(str(tmp), pagesize=size, invariant=1, pageCompression=1, lang="zh-CN", **kwargs)
        canvas.setTitle(doc.title)
        canvas.setAuthor(author)
        canvas.setCreator("paiban")
        canvas.setSubject(doc.title)
        codes = _GlyphCodes(canvas, names)
        for page in doc.pages:
            _draw_page(canvas, page, codes)
            canvas.showPage()
        canvas.save()


def _draw_page(canvas: Canvas, page: PlacedPage, codes: "_GlyphCodes") -> None:
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
    for line in page.lines:
        if line.glyphs:
            canvas._code.append(_line_code(codes, line))
    for m in page.markers:
        canvas.setStrokeColorCMYK(0, 1, 1, 0)
        canvas.setLineWidth(0.8)
        canvas.rect(m.x, m.y, m.w, m.h, stroke=1, fill=0)


def _num(value: float) -> str:
    """A PDF number with at most 3 decimals (reportlab's fp_str, faster)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


class _GlyphCodes:
    """Per document: (font resource name, escaped string, advance per 1 pt of size) by glyph."""

    def __init__(self, canvas: Canvas, names: dict[str, str]):
        self.canvas = canvas
        self.fonts = {face: pdfmetrics.getFont(name) for face, name in names.items()}
        self.cache: dict[tuple[str, str], tuple[str, str, float]] = {}

    def __call__(self, face: str, char: str) -> tuple[str, str, float]:
        key = (face, char)
        hit = self.cache.get(key)
        if hit is None:
            font = self.fonts[face]
            doc = self.canvas._doc
            subset, data = font.splitString(char, doc)[0]
            hit = (font.getSubsetInternalName(subset, doc), f"({self.canvas._escape(data)})",
                   font.stringWidth(char, 1.0))
            self.cache[key] = hit
        return hit


def _tc_for(line: PlacedLine, widths: list[float]) -> float:
    """The most common spacing between consecutive unscaled glyphs: the line's Tc."""
    deltas: Counter[float] = Counter()
    g = line.glyphs
    for i in range(len(g) - 1):
        if g[i].scale == 1.0:
            deltas[round(g[i + 1].x - g[i].x - widths[i], 3)] += 1
    if not deltas:
        return 0.0
    best = max(deltas.items(), key=lambda kv: (kv[1], -abs(kv[0])))[0]
    return best if abs(best) < line.size else 0.0


def _line_code(codes: _GlyphCodes, line: PlacedLine) -> str:
    size = line.size
    encoded = [codes(g.face, g.char) for g in line.glyphs]
    widths = [e[2] * size for e in encoded]
    tc = _tc_for(line, widths)
    code = ["BT", f"{_num(tc)} Tc"] if tc else ["BT"]
    parts: list[str] = []
    cur_font = None
    cur_scale = 1.0
    pen: float | None = None

    def flush() -> None:
        if parts:
            code.append(f"[{' '.join(parts)}] TJ")
            parts.clear()

    for g, (font_name, data, _), width in zip(line.glyphs, encoded, widths):
        if font_name != cur_font:
            flush()
            code.append(f"{font_name} {_num(size)} Tf")
            cur_font = font_name
        if g.scale != cur_scale:
            flush()
            code.append(f"{_num(g.scale * 100)} Tz")
            cur_scale = g.scale
        if pen is None:
            flush()
            code.append(f"1 0 0 1 {_num(g.x)} {_num(line.y)} Tm")
        else:
            shift = g.x - pen
            if abs(shift) > 1e-4:
                parts.append(_num(-shift * 1000 / (size * cur_scale)))
        parts.append(data)
        pen = g.x + (width + tc) * g.scale
    flush()
    if cur_scale != 1.0:
        code.append("100 Tz")  # Tz and Tc outlive ET: reset them
    if tc:
        code.append("0 Tc")
    code.append("ET")
    return "\n".join(code)
