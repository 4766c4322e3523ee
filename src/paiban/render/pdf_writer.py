"""The PDF backend: composed pages → a PDF file, with reportlab.

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

import hashlib
from collections import defaultdict
from itertools import repeat
from pathlib import Path
from typing import Callable, Iterable, Sequence

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from paiban.atomic_files import temporary_path
from paiban.model.placed import Document, PlacedLine, PlacedPage
from paiban.render.cid_fonts import CidFont, CidGlyph

#: FontFace.key → (registered reportlab font name); the registry prepares fonts for the PDF
FontNamer = Callable[[str, Iterable[str]], str]


def chars_by_face(doc: Document) -> dict[str, set[str]]:
    used: dict[str, set[str]] = defaultdict(set)
    for page in doc.pages:
        for line in page.lines:
            for face, start, end in line.runs():
                used[face].update(line.chars[start:end])
    return used


def write_pdf(doc: Document, path: Path, font_namer: FontNamer, author: str = "paiban",
              font_chars: dict[str, set[str]] | None = None,
              text_codes: Sequence[str | None] | None = None) -> list[str]:
    """Render `doc` to `path` atomically; return each page's text operators.

    `font_chars` (face → characters) names the characters each font is prepared for; by default
    those `doc` draws. An edition passes the characters of all its pages, so that every page,
    rendered alone or in any process, embeds subsets of the same converted fonts: same bytes,
    and the same text operators (font resources are named after their faces). `text_codes`
    gives pages' text operators already made for another PDF of the same fonts (an edition's
    combined PDF reuses its pages'); None for a page draws its lines."""
    used = chars_by_face(doc)
    if font_chars is not None:
        used = {face: set(font_chars.get(face, ())) | chars for face, chars in used.items()}
    names = {face: font_namer(face, sorted(chars)) for face, chars in sorted(used.items())}
    fonts = {face: CidFont(pdfmetrics.getFont(names[face]), sorted(used[face]), resource_name(face))
             for face in sorted(names)}
    made: list[str] = []
    with temporary_path(path) as tmp:
        first = doc.pages[0] if doc.pages else None
        size = (first.width, first.height) if first else (595.0, 842.0)
        rl_config.useA85 = 0  # binary streams: smaller, and reportlab's pure-Python ASCII85 is slow
        # a TrueType font as the initial font: reportlab then sets none in the page preamble
        # (with its default it would add an unembedded Helvetica)
        initial = {"initialFontName": names[min(names)]} if names else {}
        canvas = Canvas(str(tmp), pagesize=size, invariant=1, pageCompression=1, lang="zh-CN", **initial)
        canvas.setTitle(doc.title)
        canvas.setAuthor(author)
        canvas.setCreator("paiban")
        canvas.setSubject(doc.title)
        codes = _GlyphCodes(fonts)
        for i, page in enumerate(doc.pages):
            made.append(_draw_page(canvas, page, codes, text_codes[i] if text_codes else None))
            canvas.showPage()
        for font in fonts.values():
            font.add_to(canvas._doc)
        canvas.save()
    return made


def resource_name(face: str) -> str:
    """The PDF font resource name of a face: from its key, the same in every document."""
    return "/C" + hashlib.sha256(face.encode("utf-8")).hexdigest()[:10]


def _draw_page(canvas: Canvas, page: PlacedPage, codes: "_GlyphCodes", text: str | None = None) -> str:
    """Draw `page` (its lines as `text` when given); return the lines' text operators."""
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
    if text is None:
        text = "\n".join([_line_code(codes, line) for line in page.lines if line.chars])
    if text:
        canvas._code.append(text)
    for m in page.markers:
        canvas.setStrokeColorCMYK(0, 1, 1, 0)
        canvas.setLineWidth(0.8)
        canvas.rect(m.x, m.y, m.w, m.h, stroke=1, fill=0)
    return text


def _num(value: float) -> str:
    """A PDF number with at most 3 decimals (reportlab's fp_str, faster)."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _fine(value: float) -> str:
    """A PDF number with 5 decimals: a line's Tc, exact enough that 15–30 glyphs never drift
    by more than `PEN_TOLERANCE` and so need no per-glyph adjustment."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


#: a glyph closer than this (pt) to where the pen stands is drawn without a TJ adjustment
PEN_TOLERANCE = 1e-4


class _GlyphCodes(dict):
    """Per document: FontFace.key → {char: (font resource name, code, advance per 1 pt)}."""

    def __init__(self, fonts: dict[str, CidFont]):
        super().__init__((face, font.glyphs) for face, font in fonts.items())

    def __call__(self, face: str, char: str) -> CidGlyph:
        return self[face][char]


def _common_spacing(line: PlacedLine, deltas: list[float]) -> float:
    """The most common spacing between consecutive unscaled glyphs: the line's Tc (unrounded,
    so that the pen does not drift)."""
    if line.scaled:
        stretched = {i for i, _ in line.scaled}
        deltas = [d for i, d in enumerate(deltas) if i not in stretched]
    if not deltas:
        return 0.0
    rounded = list(map(round, deltas, repeat(3)))
    distinct = set(rounded)
    if len(distinct) == 1:
        best = rounded[0]
    else:  # the most frequent; on a tie the smallest in size
        best = max(sorted(distinct), key=lambda v: (rounded.count(v), -abs(v)))
    if abs(best) >= line.size:
        return 0.0
    return deltas[rounded.index(best)]


def _line_code(codes: _GlyphCodes, line: PlacedLine) -> str:
    size = line.size
    chars = line.chars
    encoded: list[CidGlyph] = []
    for face, start, end in line.runs():
        table = codes[face]
        encoded += [table[c] for c in chars[start:end]]
    widths = [e[2] * size for e in encoded]
    xs = line.xs
    deltas = [b - a - w for a, b, w in zip(xs, xs[1:], widths)]
    tc = round(_common_spacing(line, deltas), 5)
    code = ["BT", f"{_fine(tc)} Tc"] if tc else ["BT"]
    if len(line.face_runs) == 1 and not line.scaled:
        _one_font_run(code, encoded, deltas, tc, size, xs[0], line.y)
    else:
        _mixed_runs(code, line, encoded, widths, tc)
    if tc:
        code.append("0 Tc")  # Tc outlives ET: reset it
    code.append("ET")
    return "\n".join(code)


def _one_font_run(code: list[str], encoded: list[CidGlyph], deltas: list[float], tc: float,
                  size: float, x: float, y: float) -> None:
    """The common line: one font, no stretched glyph; a TJ adjustment only where a glyph is
    off the pen by more than `PEN_TOLERANCE` (squeezed marks, unit boundaries)."""
    code.append(f"{encoded[0][0]} {_num(size)} Tf")
    code.append(f"1 0 0 1 {_num(x)} {_num(y)} Tm")
    datas = [e[1] for e in encoded]
    parts: list[str] = []
    start = 0
    for i in [i for i, d in enumerate(deltas) if d - tc > PEN_TOLERANCE or d - tc < -PEN_TOLERANCE]:
        adjust = _num(-(deltas[i] - tc) * 1000 / size)
        if adjust != "0":
            parts.append("(" + "".join(datas[start:i + 1]) + ")")
            parts.append(adjust)
            start = i + 1
    parts.append("(" + "".join(datas[start:]) + ")")
    code.append("[" + " ".join(parts) + "] TJ")


def _mixed_runs(code: list[str], line: PlacedLine, encoded: list[CidGlyph], widths: list[float],
                tc: float) -> None:
    """A line with several fonts or stretched glyphs (dashes): Tf and Tz where they change."""
    size, y = line.size, line.y
    scales = dict(line.scaled)
    parts: list[str] = []  # TJ operands: "(run)" strings and adjustments
    run: list[str] = []  # the codes of the current string
    cur_font = None
    cur_scale = 1.0
    pen: float | None = None

    def flush() -> None:
        if run:
            parts.append("(" + "".join(run) + ")")
            run.clear()
        if parts:
            code.append("[" + " ".join(parts) + "] TJ")
            parts.clear()

    for i, (x, (font_name, data, _), width) in enumerate(zip(line.xs, encoded, widths)):
        scale = scales.get(i, 1.0)
        if font_name != cur_font:
            flush()
            code.append(f"{font_name} {_num(size)} Tf")
            cur_font = font_name
        if scale != cur_scale:
            flush()
            code.append(f"{_num(scale * 100)} Tz")
            cur_scale = scale
        if pen is None:
            flush()
            code.append(f"1 0 0 1 {_num(x)} {_num(y)} Tm")
        else:
            shift = x - pen
            if shift > PEN_TOLERANCE or shift < -PEN_TOLERANCE:
                adjust = _num(-shift * 1000 / (size * scale))
                if adjust != "0":
                    if run:
                        parts.append("(" + "".join(run) + ")")
                        run.clear()
                    parts.append(adjust)
        run.append(data)
        pen = x + (width + tc) * scale
    flush()
    if cur_scale != 1.0:
        code.append("100 Tz")  # Tz outlives ET: reset it
