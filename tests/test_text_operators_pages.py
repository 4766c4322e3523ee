"""A page's text objects (`text_operators.page_operators`, which encodes each stretch of common
lines, one face at one size and nothing stretched, as one column of glyphs) against each line
encoded alone by the rule, written out plainly here (hypothesis).

The rule (module docstring of `paiban.render.text_operators`): the spacing after each glyph is
(next x − x) − width; Tc is the most common spacing to 3 decimals (of two as common the smaller
in size, of v and −v the negative one; none when it is an em or more), taken unrounded from its
first glyph and written to 5 decimals; a glyph is followed by a TJ adjustment where its spacing
is off Tc by more than `PEN_TOLERANCE` and the adjustment is not 0 to 3 decimals.

The characters each face draws are gathered on the way, and compared with `chars_by_face`; the
code space of a document's texts (`CodeSpace.for_texts`) with the characters beyond U+FFFF in them.

The pages drawn here mix faces and sizes (a stretch ends where either changes), one-glyph lines,
lines with nothing to draw, and lines of several faces or with a stretched dash (encoded one by
one, between stretches); the spacings aim at the edges: exactly the first everywhere, float noise
across a 3-decimal rounding boundary, ties, an em or more, and glyphs within, at and just beyond
`PEN_TOLERANCE` off the pen.
"""

from __future__ import annotations

from collections import Counter
from itertools import accumulate
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.model.placed import PlacedLine, PlacedPage, chars_by_face
from paiban.render import text_operators
from paiban.render.text_operators import (PEN_TOLERANCE, CodeSpace, GlyphCodes, UnplannedCharacter, code_text,
                                          encode_page, line_operators, page_operators, resource_name)

DRAWN = "中国新区发展，。“”《》（）ABCxyz0123(\\)\u3000𠀋"
ASTRAL = "𠀋"
FACES = ("serif", "sans", "kai")


def _advance(face: str, char: str) -> float:
    """Advances in em: each face its own (a face's Latin letters vary, as a font's do)."""
    if char.isascii():
        return 0.5 if char.isdigit() else round(0.3 + (ord(char) % 11) * 0.041 + FACES.index(face) * 0.013, 3)
    return 1.0 if face != "kai" else 0.96


def _codes() -> GlyphCodes:
    return GlyphCodes(CodeSpace(ASTRAL), _advance)


def _num(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _by_the_rule(line: PlacedLine) -> str:
    """The text object of a common line (one face, nothing stretched), glyph by glyph."""
    face, size, chars, xs = line.face_runs[0][1], line.size, line.chars, line.xs
    space = CodeSpace(ASTRAL)
    widths = [_advance(face, c) * size for c in chars]
    spacings = [(xs[i + 1] - xs[i]) - widths[i] for i in range(len(chars) - 1)]
    tc = 0.0
    if spacings:
        rounded = [round(s, 3) for s in spacings]
        counts = Counter(rounded)
        top = max(counts.values())
        best = min((v for v, n in counts.items() if n == top), key=lambda v: (abs(v), v))
        tc = 0.0 if abs(best) >= size else round(spacings[rounded.index(best)], 5)
    text = ""
    for i, c in enumerate(chars):
        text += code_text(space.cid(c))
        if i < len(spacings):
            s = spacings[i]
            if s > tc + PEN_TOLERANCE or s < tc - PEN_TOLERANCE:
                adjust = _num(-(s - tc) * 1000 / size, 3)
                if adjust != "0":
                    text += f") {adjust} ("
    head = ["BT", f"{_num(tc, 5)} Tc"] if tc else ["BT"]
    tail = ["0 Tc", "ET"] if tc else ["ET"]
    return "\n".join(head + [f"{resource_name(face)} {_num(size, 3)} Tf",
                             f"1 0 0 1 {_num(xs[0], 3)} {_num(line.y, 3)} Tm", f"[({text})] TJ"] + tail)


def _expected(lines: list[PlacedLine]) -> str:
    """Each line with something to draw, alone: common lines by the rule, the others by the
    general writer (`line_operators`, with codes of their own)."""
    return "\n".join(_by_the_rule(line) if len(line.face_runs) == 1 and not line.scaled
                     else line_operators(_codes(), line)
                     for line in lines if line.chars)


#: spacings (pt) of a line: the common one, and where glyphs leave it
COMMON = st.one_of(
    st.just(0.0),
    st.sampled_from([0.5175, -0.5175, 0.0005, -0.0005, 0.3245, 1.0125, 0.4090909]),  # 3-decimal ties by noise
    st.floats(-2.0, 4.0, allow_nan=False),
    st.floats(8.9, 30.0, allow_nan=False),  # an em or more: no Tc
)
OFF = st.one_of(
    st.just(0.0), st.just(0.0), st.just(0.0),
    st.sampled_from([1e-13, -1e-13, 2e-12, PEN_TOLERANCE, -PEN_TOLERANCE, 1.0001e-4, -1.0001e-4, 9.999e-5,
                     -9.999e-5, 1.00001e-4, -1.00001e-4]),
    st.floats(-3e-4, 3e-4, allow_nan=False),
    st.floats(-9.0, 9.0, allow_nan=False),
)
SIZES = st.sampled_from([9.0, 10.5, 7.5, 26.0, 9.25])


@st.composite
def common_lines(draw, face=None, size=None) -> PlacedLine:
    """A one-face line without stretched glyphs whose origins are summed as composition sums
    them: in em from the line's start, then x₀ + em × size (float noise included). Its spacings
    are all exactly the common one (a justified line), or off it here and there."""
    face = face or draw(st.sampled_from(FACES))
    size = size or draw(SIZES)
    chars = "".join(draw(st.lists(st.sampled_from(DRAWN), min_size=1, max_size=24)))
    common = draw(COMMON)
    exact = draw(st.booleans())
    steps = [_advance(face, c) + (common + (0.0 if exact else draw(OFF))) / size for c in chars[:-1]]
    x0 = draw(st.one_of(st.floats(0.0, 900.0, allow_nan=False), st.sampled_from([53.256, 214.99490551181108])))
    xs = tuple(x0 + e * size for e in accumulate(steps, initial=draw(st.sampled_from([0.0, 2.0, 0.25]))))
    y = draw(st.floats(0.0, 1200.0, allow_nan=False))
    return PlacedLine("s", "r", 0, 1, "body", 0.0, y, 300.0, size, chars, chars, xs, ((0, face),), ())


@st.composite
def other_lines(draw) -> PlacedLine:
    """A line of two faces, one with a stretched glyph, or one with nothing to draw."""
    line = draw(common_lines())
    kind = draw(st.sampled_from(["faces", "stretched", "empty"]))
    if kind == "empty":
        return PlacedLine("s", "r", 0, 1, "body", 0.0, line.y, 300.0, line.size, "", "", (), line.face_runs, ())
    if kind == "stretched":
        return PlacedLine("s", "r", 0, 1, "body", 0.0, line.y, 300.0, line.size, line.chars, line.chars, line.xs,
                          line.face_runs, ((len(line.chars) - 1, 1.5),))
    other = draw(st.sampled_from([f for f in FACES if f != line.face_runs[0][1]]))
    runs = (line.face_runs[0], (len(line.chars) // 2, other)) if len(line.chars) > 1 else ((0, other),)
    return PlacedLine("s", "r", 0, 1, "body", 0.0, line.y, 300.0, line.size, line.chars, line.chars, line.xs,
                      runs, ())


@st.composite
def pages(draw) -> list[PlacedLine]:
    """Lines as a page has them: stretches of common lines in one face and size (a column of
    body text), broken by other faces and sizes and by other lines."""
    lines: list[PlacedLine] = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["stretch", "stretch", "mixed", "other"]))
        if kind == "stretch":
            face, size = draw(st.sampled_from(FACES)), draw(SIZES)
            lines += draw(st.lists(common_lines(face, size), min_size=1, max_size=6))
        elif kind == "mixed":
            lines += draw(st.lists(common_lines(), min_size=1, max_size=4))
        else:
            lines.append(draw(other_lines()))
    return lines


def _page(lines) -> PlacedPage:
    return PlacedPage(1, 600.0, 900.0, tuple(lines))


@settings(max_examples=500, deadline=None)
@given(lines=pages())
def test_a_page_is_each_line_by_the_rule(lines):
    assert page_operators(_codes(), _page(lines)) == _expected(lines)


@settings(max_examples=300, deadline=None)
@given(lines=pages())
def test_the_characters_each_face_draws_are_gathered_as_the_lines_are_encoded(lines):
    # as `chars_by_face` finds them: a face whose only lines have nothing to draw is one too
    page = _page(lines)
    expected = {face: "".join(sorted(found)) for face, found in sorted(chars_by_face([page]).items())}
    assert encode_page(_codes(), page).chars == expected


@settings(max_examples=100, deadline=None)
@given(pages=st.lists(pages(), min_size=2, max_size=5))
def test_pages_sharing_the_memos_are_drawn_as_alone(pages):
    # one GlyphCodes for all pages, and memos that forget all they hold after 2 entries: a stretch
    # goes on with heads and adjustment tables that another line made, or that were forgotten
    codes = _codes()
    for face in FACES:
        for size in (9.0, 10.5, 7.5, 26.0, 9.25):
            sized = codes[face].sized[size]
            sized.firsts.limit = sized.spacings.limit = 2
    with patch.object(text_operators._adjustments, "limit", 2):
        got = [encode_page(codes, _page(lines)).operators() for lines in pages]
    assert got == [_expected(lines) for lines in pages]


def _line(chars: str, spacings: list[float], face: str = "serif", size: float = 9.0, y: float = 10.0,
          x0: float = 214.99490551181108) -> PlacedLine:
    xs = tuple(accumulate([_advance(face, c) * size + s for c, s in zip(chars, spacings)], initial=x0))
    return PlacedLine("s", "r", 0, 1, "body", 0.0, y, 300.0, size, chars, chars, xs, ((0, face),), ())


#: stretches whose spacings are named, one test each (the hypothesis search may miss them)
NAMED = {
    # every spacing exactly the first; then a line of one glyph; then a glyph 1.0001e-4 off
    "exact": [("中国新区发", [0.41] * 4), ("中", []), ("中国新区", [0.0, 1.0001e-4, 0.0])],
    # every spacing exactly the first and an em or more: no Tc, every glyph adjusted
    "an em": [("中国新", [9.5, 9.5]), ("中国新", [0.2, 0.2])],
    # no exact majority: noise on both sides of -0.5175 (rounds to -0.518 and -0.517 by turns)
    "noise": [("中国新区发展", [-0.5175000000000214, -0.5174999999999796, -0.5175000000000214,
                           -0.5174999999999796, 2.0])],
    # the first glyph 9.67e-5 off, the others on the pen (Tc 0.0001): the tolerance's edge
    "edge": [("中国新区发", [9.6656107289e-05, 0.0, 0.0, 0.0]), ("中国新区发", [0.0] * 4)],
    # a spacing exactly Tc ± PEN_TOLERANCE, in the stretch's second line
    "tolerance": [("中国", [0.3]), ("中国新区发展", [0.3, 0.3, 0.3 + PEN_TOLERANCE, 0.3 - PEN_TOLERANCE, 0.3])],
}


@pytest.mark.parametrize("name", sorted(NAMED))
def test_named_stretches(name):
    lines = [_line(chars, spacings, y=10.0 + 12 * i) for i, (chars, spacings) in enumerate(NAMED[name])]
    assert page_operators(_codes(), _page(lines)) == _expected(lines)


def test_a_stretch_is_encoded_at_once():
    # the property above checks `_one_font_run` on stretches, not only on single lines
    lines = [_line("中国新", [0.0, 0.0], y=10.0 + 12 * i) for i in range(4)]
    calls = []
    real = text_operators._one_font_run
    with patch.object(text_operators, "_one_font_run",
                      lambda sized, run, *rest: calls.append(len(run)) or real(sized, run, *rest)):
        page_operators(_codes(), _page(lines))
    assert calls == [4]


@pytest.mark.parametrize("where", [0, 1, 2])
def test_an_unplanned_character_fails_wherever_it_is_in_a_stretch(where):
    # last glyph of the first line, first glyph of the second, last glyph of the stretch
    texts = ["中国\U00020001", "中国新"] if where == 0 else (["中国", "\U00020001中"] if where == 1
                                                              else ["中国", "中\U00020001"])
    lines = [_line(text, [0.0] * (len(text) - 1), y=10.0 + 12 * i) for i, text in enumerate(texts)]
    with pytest.raises(UnplannedCharacter):
        page_operators(_codes(), _page(lines))


@pytest.mark.parametrize("where", [0, 1, 2])
def test_a_character_the_face_lacks_fails_wherever_it_is_in_a_stretch(where):
    # its advance is looked up: at a line's last glyph and the stretch's last too, whose spacing
    # after is never needed
    def advance(face: str, char: str) -> float:
        if char == "\u2603":
            raise KeyError(char)
        return _advance(face, char)

    texts = ["中国\u2603", "中国新"] if where == 0 else (["中国", "\u2603中"] if where == 1 else ["中国", "中\u2603"])
    lines = [_line(text, [0.0] * (len(text) - 1), y=10.0 + 12 * i) for i, text in enumerate(texts)]
    with pytest.raises(KeyError):
        page_operators(GlyphCodes(CodeSpace(ASTRAL), advance), _page(lines))


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(st.sampled_from("中a\u3000\ud800\udfff\uffff𠀋𪚥\U0010ffff"), max_size=8), max_size=6))
def test_the_code_space_of_texts_holds_their_characters_beyond_u_ffff(texts):
    # lone surrogates included: they are no such characters
    astral = tuple(sorted({c for text in texts for c in text if ord(c) > 0xFFFF}))
    assert CodeSpace.for_texts(texts).astral == astral
    assert CodeSpace.for_texts(iter(texts)).astral == astral
