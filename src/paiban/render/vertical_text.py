"""Text operators of a vertical line (竖排): PDF vertical writing, so the text reads back in order.

A vertical line (`PlacedLine.modes`, made by `paiban.page.vertical_compose`) is drawn as one
text object per run of glyphs drawn alike, in reading order (top to bottom), so a PDF reader
(pdfium, poppler) takes the characters in order:

* upright glyphs ("v": ideographs and the marks' vertical forms) in the face's **vertical
  font**, a Type 0 font with the ``Identity-V`` CMap (PDF 1.7 §9.7.5.2, writing mode 1) that
  shares the face's font program and ToUnicode (`paiban.render.cid_fonts.CidFont.add_to`): each
  glyph advances down by its vertical metrics (``/W2``, ``/DW2`` [origin −1000]: one em), its
  position vector puts the pen at the top centre of its em box (§9.7.4.3), and a ``TJ``
  number moves the pen further down (positive) or up (negative) in thousandths of an em, so
  squeezed marks and justification need one number where a glyph leaves the pen;
* turned glyphs ("r": Latin words, long numbers, a dash without a vertical form) in the
  horizontal font, with the text matrix turned 90° clockwise (``0 -1 1 0 x y Tm``), so their
  advance runs down the column;
* 纵中横 digits ("t") one by one in the vertical font, side by side across the column (each
  placed by its own text matrix, narrowed when the number is wider than an em), so that a
  reader takes them in the column's flow (poppler keeps upright horizontal text apart).

The marks' vertical forms are coded by their private-use stand-ins
(`paiban.fonts.vertical_glyphs.stand_in`), whose ToUnicode entries give the marks back.
"""

from __future__ import annotations

from paiban.model.placed import PlacedLine
from paiban.render.text_operators import GlyphCodes, resource_name

#: a pen closer than this (pt) to a glyph's place needs no TJ number
_TOLERANCE = 1e-4


def vertical_resource(face: str) -> str:
    """The PDF resource name of a face's vertical (Identity-V) font."""
    return "/V" + resource_name(face)[2:]


def _num(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def vertical_line_operators(codes: GlyphCodes, line: PlacedLine) -> str:
    """The text objects (BT … ET) that draw the vertical `line`, one per run of glyphs drawn
    alike (see the module), and the line's last glyph alone.

    Why the last glyph alone: pdfium's text reader (CPDF_TextPage::ProcessTextObject) takes
    consecutive text-showing operators whose starting points lie within about half an em of the
    same height as one line and sorts them left to right. Every vertical line starts at the
    same height, so the lines of a region, right to left, would read back in reverse; a
    line that ends with a glyph of its own, near its foot, starts the next line's group anew.
    Not when that glyph stands about as far down as a paragraph's first line starts (a short
    last line, 「快了。”」, before an indented one): it would join the next line's first run
    and read after it, so the line's last run is left whole (`_lone_last`)."""
    out = []
    faces = line.runs()
    scales = dict(line.scaled)
    last = _lone_last(line, faces, scales)
    for face, start, end in faces:
        i = start
        while i < end:
            mode = line.modes[i]
            j = i + 1
            while (j < end and j != last and mode != "t" and line.modes[j] == mode
                   and scales.get(j, 1.0) == scales.get(i, 1.0)):
                j += 1
            out.append(_run(codes, line, face, mode, i, j, scales.get(i, 1.0)))
            i = j
    return "\n".join(out)


#: em down its column where a paragraph's first line starts (the body styles' `indent: 2`), and
#: how near (em) to it a text object's first glyph joins that line's group in pdfium (half an em)
_INDENT_EM, _NEAR_EM = 2.0, 0.6


def _lone_last(line: PlacedLine, faces: list[tuple[str, int, int]], scales: dict[int, float]) -> int:
    """The index of the glyph `vertical_line_operators` draws alone at the end of `line`, or -1
    when the run it would end starts farther from an indented line's start than it does."""
    last = len(line.chars) - 1
    mode, scale = line.modes[last], scales.get(last, 1.0)
    start = last  # where the line's last run starts when its last glyph is not alone
    while (start > faces[-1][1] and mode != "t" and line.modes[start - 1] == mode
           and scales.get(start - 1, 1.0) == scale):
        start -= 1

    def near_indent(k: int) -> bool:
        return abs((line.y - line.ys[k]) / line.size - _INDENT_EM) <= _NEAR_EM

    return -1 if near_indent(last) and not near_indent(start) else last


def _run(codes: GlyphCodes, line: PlacedLine, face: str, mode: str, start: int, end: int, scale: float) -> str:
    size = line.size
    table = codes[face]
    chars, xs, ys = line.chars, line.xs, line.ys
    parts = [table.codes[chars[start]]]
    for k in range(start + 1, end):
        if mode == "v":  # the pen moved one em down from the previous glyph's top
            gap = (ys[k - 1] - ys[k]) - size
            adjust = gap * 1000 / size
        elif mode == "r":
            gap = (ys[k - 1] - ys[k]) - table.advances[chars[k - 1]] * size * scale
            adjust = -gap * 1000 / (size * scale)
        if abs(gap) > _TOLERANCE and _num(adjust) != "0":
            parts.append(f") {_num(adjust)} (")
        parts.append(table.codes[chars[k]])
    x, y = xs[start], ys[start]
    if mode == "v":
        font, matrix = vertical_resource(face), f"1 0 0 1 {_num(x)} {_num(y)} Tm"
    elif mode == "r":
        font, matrix = table.resource, f"0 -1 1 0 {_num(x)} {_num(y)} Tm"
    else:  # a 纵中横 digit: upright in the vertical font, at its own place, narrowed by the matrix
        font, matrix = vertical_resource(face), f"{_num(scale)} 0 0 1 {_num(x)} {_num(y)} Tm"
    stretch = mode == "r" and scale != 1.0
    code = ["BT", f"{font} {_num(size)} Tf"]
    if stretch:
        code.append(f"{_num(scale * 100)} Tz")
    code += [matrix, f"[({''.join(parts)})] TJ"]
    if stretch:
        code.append("100 Tz")
    code.append("ET")
    return "\n".join(code)


def vertical_faces(lines) -> tuple[str, ...]:
    """The faces whose vertical fonts the lines draw with, sorted."""
    found = set()
    for line in lines:
        if line.modes and ("v" in line.modes or "t" in line.modes):
            for face, start, end in line.runs():
                if "v" in line.modes[start:end] or "t" in line.modes[start:end]:
                    found.add(face)
    return tuple(sorted(found))
