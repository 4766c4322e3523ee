"""Text operators: a composed line → the PDF text object that draws it. Pure Python, no reportlab.

Each face of a document is one Type 0 font with two-byte codes (see `paiban.render.cid_fonts`).
The code of a character is a fixed function of the character (`CodeSpace`): its code point for
the Basic Multilingual Plane, except that the `COMMON` characters trade codes with the codes below
256 that printable ASCII does not use (PDFium keeps the box of a glyph whose code is below 256;
any other it loads again for every occurrence as it lays a page out: with the commonest 160
characters of Chinese text below 256, half a page's characters are, and PDFium reads a page in
half the time); and for the rare characters beyond U+FFFF (CJK Extension B …) a
slot in U+D800–U+DFFF, which no character uses, given in the order of the sorted list of such
characters the document may draw. So the operators of a page do not depend on which other pages
share its PDF: a page's operators are made once, in any process, and reused for the edition PDF.

A line is one text object: `Tc` (5 decimals, so the pen does not drift) for the common spacing,
`TJ` adjustments only where a glyph deviates from it (squeezed marks, unit boundaries), `Tf` where
the face changes and `Tz` where a dash glyph is stretched. Advances come from the same font
metrics composition used, and the font's `/W` array is written from them too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from itertools import chain, repeat
from operator import sub
from typing import NamedTuple

from paiban.errors import PaibanError
from paiban.model.placed import EncodedPage, PlacedLine, PlacedPage, chars_by_face

#: first and last two-byte code for characters beyond U+FFFF (surrogates are never characters)
ASTRAL_FIRST, ASTRAL_LAST = 0xD800, 0xDFFF
_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")
#: PDF literal-string spelling of each byte (printable ASCII as is, the rest octal)
_BYTE_TEXT = tuple("\\" + chr(b) if b in b"()\\" else chr(b) if 32 <= b < 127 else "\\%03o" % b
                   for b in range(256))

#: (FontFace.key, character) → advance in em, from the font metrics
Advance = Callable[[str, str], float]


def code_text(cid: int) -> str:
    """The two-byte code `cid` as it is written inside a PDF string literal."""
    return _BYTE_TEXT[cid >> 8] + _BYTE_TEXT[cid & 0xFF]


def resource_name(face: str) -> str:
    """The PDF font resource name of a face: from its key, the same in every document."""
    return "/C" + hashlib.sha256(face.encode("utf-8")).hexdigest()[:10]


#: punctuation, then the commonest characters of jieba's dictionary (by its word counts), in order
COMMON = "，。、“”：；？！（）《》—…一是人了不在有大中国和为这上他个地年来我会以到时要出的生学说道民家子也成行下们于后就发自之对得主长可过天作分方用多你着部能市等业全里工公经本都而高政法面门动日进区事代那去心小同北定开产前其军还然起种所如现理机体表力好外与文当两实重新三么只山水关明从化平建又制南内西没此将员名手最东头者月间无"
#: the codes `COMMON` takes: below 256, not 0 (.notdef) and not printable ASCII
_SLOTS = [code for code in range(1, 256) if not 0x20 <= code < 0x7F]
#: code point → code, both ways (a swap: every code is still one character's)
_TRADED = {**{ord(char): slot for char, slot in zip(COMMON, _SLOTS)},
           **{slot: ord(char) for char, slot in zip(COMMON, _SLOTS)}}


class UnplannedCharacter(PaibanError):
    """A character beyond U+FFFF is drawn that the document's texts did not announce."""


class CodeSpace:
    """Character → two-byte code (CID) for every font of a document."""

    def __init__(self, astral: Iterable[str] = ()):
        self.astral = tuple(sorted(set(astral)))
        if len(self.astral) > ASTRAL_LAST - ASTRAL_FIRST + 1:
            raise PaibanError(f"{len(self.astral)} distinct characters beyond U+FFFF in one document; "
                              f"at most {ASTRAL_LAST - ASTRAL_FIRST + 1} can be drawn")
        self._astral = {c: ASTRAL_FIRST + i for i, c in enumerate(self.astral)}

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> "CodeSpace":
        """The code space for a document whose drawn characters all come from `texts`."""
        text = "".join(texts)
        # a character beyond U+FFFF is two UTF-16 units: whether there is one is seen at the speed
        # of a copy (most documents have none), and only then is the text searched
        if len(text.encode("utf-16-le", "surrogatepass")) == 2 * len(text):
            return cls()
        return cls(_ASTRAL.findall(text))

    def cid(self, char: str) -> int:
        cp = ord(char)
        if cp <= 0xFFFF:
            return _TRADED.get(cp, cp)
        hit = self._astral.get(char)
        if hit is None:
            raise UnplannedCharacter(f"{char!r} U+{cp:04X} is drawn but was not in the document's texts")
        return hit


class GlyphCode(NamedTuple):
    resource: str  # the font's resource name, e.g. "/C0123456789"
    code: str  # two-byte code, escaped for a string literal
    advance: float  # em


class _Memo(dict):
    """key → `make(key)`, made on first use; past `limit` keys it forgets them all and starts over."""

    __slots__ = ("make", "limit")

    def __init__(self, make: Callable, limit: int | None = None):
        super().__init__()
        self.make = make
        self.limit = limit

    def __missing__(self, key):
        if self.limit is not None and len(self) >= self.limit:
            self.clear()
        value = self[key] = self.make(key)
        return value


class FaceCodes(dict):
    """One face: char → `GlyphCode`, made on first use. Its tables, filled on first use too:
    `codes` (char → code text), `advances` (char → em), and per font size `widths(size)`
    (char → advance × size, pt), `font_operator(size)` (the ``Tf`` operator) and `sized[size]`."""

    def __init__(self, face: str, space: CodeSpace, advance: Advance):
        super().__init__()
        self.face = face
        self.resource = resource_name(face)
        self.space = space
        self.advance = advance
        self.codes: dict[str, str] = _Memo(lambda char: code_text(space.cid(char)))
        self.advances: dict[str, float] = _Memo(lambda char: advance(face, char))
        self._widths: dict[float, dict[str, float]] = {}
        self._font_operators: dict[float, str] = {}
        #: size → this face at that size, for `_one_font_run`
        self.sized: dict[float, _Sized] = _Memo(lambda size: _Sized(self, size))

    def __missing__(self, char: str) -> GlyphCode:
        hit = self[char] = GlyphCode(self.resource, self.codes[char], self.advances[char])
        return hit

    def widths(self, size: float) -> dict[str, float]:
        """char → advance in pt at `size` (the advance in em × size, as a product)."""
        table = self._widths.get(size)
        if table is None:
            codes, advances = self.codes, self.advances

            def width(char: str) -> float:
                codes[char]  # an unplanned character fails here, as when its code is written first
                return advances[char] * size
            table = self._widths[size] = _Memo(width)
        return table

    def font_operator(self, size: float) -> str:
        """``/Cxxxxxxxxxx size Tf``."""
        text = self._font_operators.get(size)
        if text is None:
            text = self._font_operators[size] = f"{self.resource} {_num(size)} Tf"
        return text


class _Sized:
    """One face at one size: what `_one_font_run` looks up for each line, made once, so that a
    line costs a few lookups besides its glyphs. `spacings`: Tc (5 decimals) → (the text
    object's head up to the Tm numbers, the `_adjustment_table` lookup, its tail after the last
    code); `firsts`: a spacing (unrounded) → the same, for a line whose spacings are mostly
    exactly that one (`_common_spacing`'s usual line: Tc is that spacing, or none from an em)."""

    __slots__ = ("size", "width", "code", "font", "spacings", "firsts")

    def __init__(self, face: FaceCodes, size: float):
        self.size = size
        self.width = face.widths(size).__getitem__
        self.code = face.codes.__getitem__
        self.font = face.font_operator(size)
        self.spacings = _Memo(self._spacing, 1 << 10)
        self.firsts = _Memo(self._first, 1 << 12)

    def _spacing(self, tc: float) -> tuple[str, Callable[[float], str], str]:
        after = _adjustments[tc, self.size].__getitem__
        if tc:  # Tc outlives ET: reset it
            return f"BT\n{_fines[tc]} Tc\n{self.font}\n1 0 0 1 ", after, ")] TJ\n0 Tc\nET"
        return f"BT\n{self.font}\n1 0 0 1 ", after, ")] TJ\nET"

    def _first(self, first: float) -> tuple[str, Callable[[float], str], str]:
        return self.spacings[round(first, 5) if abs(_rounded3[first]) < self.size else 0.0]


class GlyphCodes(dict):
    """FontFace.key → `FaceCodes`, for one document (or one edition)."""

    def __init__(self, space: CodeSpace, advance: Advance):
        super().__init__()
        self.space = space
        self.advance_of = advance
        #: id(line) → (line, its text object), for a caller that encodes the same lines again
        #: (`paiban serve`: unchanged lines are the same objects); None: not kept
        self.lines: dict[int, tuple[PlacedLine, str]] | None = None

    def keep_lines(self) -> None:
        """Keep each line's text object, to reuse it when the same line object is encoded again."""
        self.lines = {}

    def __missing__(self, face: str) -> FaceCodes:
        table = self[face] = FaceCodes(face, self.space, self.advance_of)
        return table


def metrics_advance(registry, faces: dict) -> Advance:
    """`Advance` from a font registry's metrics (``registry.metrics(face).advance``), the same
    numbers composition placed the glyphs with; ``faces`` maps FontFace.key → FontFace."""
    metrics: dict[str, object] = {}

    def advance(key: str, char: str) -> float:
        m = metrics.get(key)
        if m is None:
            m = metrics[key] = registry.metrics(faces[key])
        return m.advance(char)
    return advance


#: deflate level of the pages' content streams: 3 compressed the text operators of a broadsheet
#: page in a third of the time of the default 6 (Python's zlib: ~0.6 ms instead of ~1.9 ms for
#: 125 KB of operators), for streams a quarter larger
STREAM_LEVEL = 3


def deflate_stream(content: bytes) -> bytes:
    """A content stream compressed at `STREAM_LEVEL` (FlateDecode: the zlib format) by zlib-ng,
    which the previews' PNGs use too: ~40 % faster than Python's zlib at this level and ~6 %
    smaller (the eight pages of a 100,000-character layout: 4.4 ms and 174 KB, where zlib took
    7.3 ms for 185 KB). Its bytes are zlib-ng's own, the same for the same input and version
    (imported here, ~2 ms: not before the pool's workers are forked)."""
    from zlib_ng import zlib_ng

    return zlib_ng.compress(content, STREAM_LEVEL)


def encode_page(codes: GlyphCodes, page: PlacedPage) -> EncodedPage:
    """A composed page as the PDF writer draws it: its lines' text objects (deflated, once: see
    `EncodedPage`), the characters each face draws, and the rest of the page as it is."""
    drawn: dict[str, set[str]] = {}
    text = page_operators(codes, page, drawn)
    encoded = EncodedPage(page.number, page.width, page.height, deflate_stream(text.encode("utf-8")) if text else b"",
                          {face: "".join(sorted(found)) for face, found in sorted(drawn.items())},
                          codes.space.astral, len(page.lines), page.rules, page.markers, page.rects, page.images)
    if any(line.modes for line in page.lines):  # vertical lines (竖排) draw with vertical fonts too
        from paiban.render.vertical_text import vertical_faces

        encoded = replace(encoded, vertical_faces=vertical_faces(page.lines))
    return encoded


def page_operators(codes: GlyphCodes, page: PlacedPage, drawn: dict[str, set[str]] | None = None) -> str:
    """The text objects of every line of `page`, one after the other (a vertical line's by
    `paiban.render.vertical_text`); and in `drawn`, when given, FontFace.key → the characters the
    page draws with it (`chars_by_face`), gathered on the way."""
    drawn = {} if drawn is None else drawn
    if codes.lines is not None or any(line.modes for line in page.lines):
        drawn.update(chars_by_face([page]))
        if codes.lines is not None:
            return "\n".join([_kept_operators(codes, line) for line in page.lines if line.chars])
        from paiban.render.vertical_text import vertical_line_operators

        return "\n".join([(vertical_line_operators if line.modes else line_operators)(codes, line)
                          for line in page.lines if line.chars])
    texts: list[str] = []
    run: list[PlacedLine] = []  # consecutive common lines in one face at one size: `_one_font_run`
    face = size = None  # theirs
    for line in page.lines:
        if not line.chars:
            for _, name in line.face_runs:  # a face with nothing to draw is a face of the page too
                drawn.setdefault(name, set())
            continue
        if len(line.face_runs) == 1 and not line.scaled:  # a common line
            if line.size != size or line.face_runs[0][1] != face:
                if run:
                    texts.append(_one_font_run(codes[face].sized[size], run, drawn.setdefault(face, set())))
                    run = []
                face, size = line.face_runs[0][1], line.size
            run.append(line)
            continue
        if run:
            texts.append(_one_font_run(codes[face].sized[size], run, drawn.setdefault(face, set())))
            run = []
            face = size = None
        texts.append(line_operators(codes, line))
        for name, start, end in line.runs():
            drawn.setdefault(name, set()).update(line.chars[start:end])
    if run:
        texts.append(_one_font_run(codes[face].sized[size], run, drawn.setdefault(face, set())))
    return "\n".join(texts)


#: lines kept by `GlyphCodes.keep_lines` before they are all forgotten (and encoded again)
_KEPT_LINES = 1 << 16


def _kept_operators(codes: GlyphCodes, line: PlacedLine) -> str:
    """`line`'s text object, kept in `codes.lines` (the entry holds the line: its id stays its)."""
    kept = codes.lines
    hit = kept.get(id(line))
    if hit is not None and hit[0] is line:
        return hit[1]
    if line.modes:
        from paiban.render.vertical_text import vertical_line_operators

        text = vertical_line_operators(codes, line)
    else:
        text = line_operators(codes, line)
    if len(kept) >= _KEPT_LINES:
        kept.clear()
    kept[id(line)] = (line, text)
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


# The same few values recur line after line (positions, sizes, spacings, squeezes): memoised.
# Keys are floats, and 0.0 and -0.0 are one key; that changes nothing: both give "0" as text,
# round to a zero that is only compared by value, and are never off the pen.
_MEMO_LIMIT = 1 << 16
#: value → `_num(value)`
_nums: dict[float, str] = _Memo(_num, _MEMO_LIMIT)
#: value → `_fine(value)`
_fines: dict[float, str] = _Memo(_fine, _MEMO_LIMIT)
#: value → round(value, 3)
_rounded3: dict[float, float] = _Memo(lambda value: round(value, 3), _MEMO_LIMIT)

#: a glyph closer than this (pt) to where the pen stands is drawn without a TJ adjustment
PEN_TOLERANCE = 1e-4


def _adjustment_table(key: tuple[float, float]) -> dict[float, str]:
    """For the lines of a (Tc, size): the spacing after a glyph → what follows the glyph's code in
    the TJ array: ") adjustment (" when the next glyph is off the pen by more than `PEN_TOLERANCE`
    and the adjustment is not 0 to 3 decimals, else ""."""
    tc, size = key
    low, high = tc - PEN_TOLERANCE, tc + PEN_TOLERANCE

    def after(delta: float) -> str:
        if delta > high or delta < low:
            adjust = _num(-(delta - tc) * 1000 / size)
            if adjust != "0":
                return f") {adjust} ("
        return ""
    return _Memo(after, 1 << 12)


#: (Tc, size) → `_adjustment_table`
_adjustments: dict[tuple[float, float], dict[float, str]] = _Memo(_adjustment_table, 256)


def _common_spacing(line: PlacedLine, deltas: list[float]) -> float:
    """The most common spacing between consecutive unscaled glyphs: the line's Tc (unrounded,
    so that the pen does not drift). Spacings count as equal when equal to 3 decimals; of two
    as common, the smaller in size wins, of v and -v the negative one; a spacing of a whole em
    or more is no spacing (0)."""
    if line.scaled:
        stretched = {i for i, _ in line.scaled}
        deltas = [d for i, d in enumerate(deltas) if i not in stretched]
    if not deltas:
        return 0.0
    first = deltas[0]
    if deltas.count(first) * 2 > len(deltas):  # most of them are the first (the usual line)
        return first if abs(_rounded3[first]) < line.size else 0.0
    return _spacing_of(deltas, line.size)


def _spacing_of(deltas: list[float], size: float) -> float:
    """`_common_spacing` of the spacings `deltas` (not empty) at font size `size`."""
    rounded = list(map(_rounded3.__getitem__, deltas))
    best = rounded[0]
    if rounded.count(best) * 2 > len(rounded):  # most of them are the first, to 3 decimals
        return deltas[0] if abs(best) < size else 0.0
    distinct = list(set(rounded))
    counts = list(map(rounded.count, distinct))
    top = max(counts)
    if counts.count(top) == 1:
        best = distinct[counts.index(top)]
    else:  # a tie: the smallest in size, of v and -v the negative
        best = min([v for v, n in zip(distinct, counts) if n == top], key=lambda v: (abs(v), v))
    if abs(best) >= size:
        return 0.0
    return deltas[rounded.index(best)]


def line_operators(codes: GlyphCodes, line: PlacedLine) -> str:
    """The text object (BT … ET) that draws `line`."""
    size = line.size
    chars = line.chars
    xs = line.xs
    if len(line.face_runs) == 1 and not line.scaled:  # the common line
        return _one_font_run(codes[line.face_runs[0][1]].sized[size], [line])
    runs = [(line.face_runs[0][1], 0, len(chars))] if len(line.face_runs) == 1 else line.runs()
    widths: list[float] = []
    encoded: list[GlyphCode] = []
    for name, start, end in runs:
        widths += map(codes[name].widths(size).__getitem__, chars[start:end])
    for name, start, end in runs:
        encoded += map(codes[name].__getitem__, chars[start:end])
    deltas = list(map(sub, map(sub, xs[1:], xs), widths))
    tc = round(_common_spacing(line, deltas), 5)
    code = ["BT", f"{_fines[tc]} Tc"] if tc else ["BT"]
    _mixed_runs(code, line, encoded, widths, deltas, tc)
    if tc:
        code.append("0 Tc")  # Tc outlives ET: reset it
    code.append("ET")
    return "\n".join(code)


def _one_font_run(sized: "_Sized", lines: list[PlacedLine], drawn: set[str] | None = None) -> str:
    """The text objects of common lines (one font at one size, no stretched glyph), one a line;
    a TJ adjustment only where a glyph is off the pen by more than `PEN_TOLERANCE` (squeezed
    marks, unit boundaries). The lines' glyphs are taken as one column (codes, origins, widths),
    so that each step is one pass over all of them; they are added to `drawn` when given."""
    width = sized.width
    glyphs = list("".join([line.chars for line in lines]))  # one str a glyph for both lookups
    xs = list(chain.from_iterable([line.xs for line in lines]))
    # (next x - x) - width, glyph by glyph (at a line's last glyph: to the next line, unused)
    deltas = list(map(sub, map(sub, xs[1:], xs), map(width, glyphs)))
    width(glyphs[-1])  # the last glyph's too: a character the face lacks fails, as in any line
    if drawn is not None:
        drawn.update(glyphs)
    # what precedes each glyph's code: the text object's head at a line's first glyph, else ""
    # or ") adjustment (" (`_adjustment_table`)
    before: list[str] = []
    tail = ""
    start = 0
    for line in lines:
        end = start + len(line.chars) - 1
        spacings = deltas[start:end]
        first = spacings[0] if spacings else 0.0
        same = spacings.count(first)
        if not spacings:  # one glyph
            head, after, next_tail = sized.spacings[0.0]
        elif same * 2 > len(spacings):  # most of them are the first (the usual line)
            head, after, next_tail = sized.firsts[first]
        else:
            head, after, next_tail = sized.spacings[round(_spacing_of(spacings, sized.size), 5)]
        before.append(f"{tail}\n{head}{_nums[xs[start]]} {_nums[line.y]} Tm\n[(")
        # all of them the first (a justified line without marks): one lookup for all
        before += repeat(after(first), same) if same == len(spacings) else map(after, spacings)
        tail = next_tail
        start = end + 1
    parts = [""] * (2 * len(glyphs))  # before and code by turns
    parts[::2] = before
    parts[1::2] = map(sized.code, glyphs)
    return "".join(parts)[1:] + tail  # [1:]: the first line's "\n"


def _mixed_runs(code: list[str], line: PlacedLine, encoded: list[GlyphCode], widths: list[float],
                deltas: list[float], tc: float) -> None:
    """A line with several fonts or stretched glyphs (dashes): Tf and Tz where they change.
    Between two unscaled glyphs the adjustment is decided as `_one_font_run` decides it, from the
    same spacing (`deltas`, next x − x − width) against Tc; around a stretched glyph, from the pen."""
    size, y = line.size, line.y
    scales = dict(line.scaled)
    parts: list[str] = []  # TJ operands: "(run)" strings and adjustments
    run: list[str] = []  # the codes of the current string
    cur_font = None
    cur_scale = 1.0
    pen: float | None = None
    low, high = tc - PEN_TOLERANCE, tc + PEN_TOLERANCE

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
            code.append(f"{font_name} {_nums[size]} Tf")
            cur_font = font_name
        if scale != cur_scale:
            flush()
            code.append(f"{_nums[scale * 100]} Tz")
            cur_scale = scale
        if pen is None:
            flush()
            code.append(f"1 0 0 1 {_nums[x]} {_nums[y]} Tm")
        else:
            adjust = "0"
            if scale == 1.0 and scales.get(i - 1, 1.0) == 1.0:
                delta = deltas[i - 1]
                if delta > high or delta < low:
                    adjust = _nums[-(delta - tc) * 1000 / size]
            else:
                shift = x - pen
                if shift > PEN_TOLERANCE or shift < -PEN_TOLERANCE:
                    adjust = _nums[-shift * 1000 / (size * scale)]
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
