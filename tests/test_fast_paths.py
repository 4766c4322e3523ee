"""Each fast path against the code it shortcuts, bit for bit, over random input (hypothesis).

* line breaking (linebreak/greedy.py): where a line overflows, found by bisecting the running
  widths (`_first_overflow`, `_first_overflow_summed` off the grid), against adding unit after
  unit (`_scan`); a line's natural width from the width sums (`_line_natural`) against adding its
  units (`_natural`); whole paragraphs broken with both shortcuts against broken without them;
* justification (page/justify.py): a one-character unit placed by `_place` itself (hanzi at their
  advance; marks by their memoised offset in the cell) against `_place_unit`, which works every
  glyph's origin out (`_origin_in_cell`);
* text operators (render/text_operators.py): the text object of a one-face line without
  stretched glyphs (`_one_font_run`) against the one the general writer (`_mixed_runs`) makes of
  the same line.
"""

from __future__ import annotations

from math import inf, nextafter
from operator import sub
from unittest.mock import patch

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from paiban.linebreak import greedy
from paiban.linebreak.greedy import (ANY_MARK, EPS, BreakOptions, _first_overflow, _last_break, _line_natural,
                                     _natural, _scan, break_paragraph_fitted)
from paiban.model.items import CharClass, Unit
from paiban.model.placed import PlacedLine
from paiban.model.spec import KinsokuPolicy
from paiban.page import justify
from paiban.page.justify import GlyphInfo, LineGlyphs, _place, _place_unit
from paiban.render import text_operators
from paiban.render.text_operators import CodeSpace, GlyphCodes, line_operators
from paiban.text.itemize import half_width_latin, itemize, line_start_width, unit_stats

# ---------------------------------------------------------------- units of paragraphs

HANZI = st.sampled_from(list("中国新区发展创新突破年月日的一是了人我在有他这为之大来以个"))
MARKS = st.sampled_from(list("，。、；：？！“”《》（）·／"))
TOKEN = st.one_of(
    HANZI, HANZI, HANZI, MARKS, MARKS,
    st.just("——"), st.just("……"), st.just("—"), st.just("\u3000"), st.just(" "),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,2})?%?", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True),
)
TEXT = st.lists(TOKEN, min_size=1, max_size=80).map("".join)
STYLES = ["banjiao", "kaiming", "quanjiao", "hangmobanjiao", "font"]
#: Latin advances: on the grid (½ em), and off it as a font's are (1/1000 em, varying by letter)
LATIN_ADVANCES = {
    "half": half_width_latin,
    "font": lambda ch: 0.553,
    "varied": lambda ch: round(0.25 + (ord(ch) % 13) * 0.0371, 3),
}


@st.composite
def itemized(draw) -> tuple[Unit, ...]:
    """The units of a random paragraph, in any style, with grid or font Latin advances."""
    latin = LATIN_ADVANCES[draw(st.sampled_from(sorted(LATIN_ADVANCES)))]
    return itemize(draw(TEXT), draw(st.sampled_from(STYLES)), latin, draw(st.sampled_from([0.0, 0.25, 0.1])),
                   draw(st.sampled_from(["gb", "basic", "strict"])))


@st.composite
def synthetic(draw) -> tuple[Unit, ...]:
    """Units of arbitrary widths with 0 <= start width, end width <= width (the bisection's
    precondition, `UnitStats.ordered`): all on the grid (multiples of 1/1024 em) or not."""
    if draw(st.booleans()):  # on the grid
        width_of = st.integers(0, 3 * 512).map(lambda k: k / 512)
        part_of = st.sampled_from([1.0, 0.0, 0.5])
    else:
        width_of = st.floats(0.0, 3.0, allow_nan=False, allow_infinity=False)
        part_of = st.sampled_from([1.0, 0.0, 0.5, 0.3, 0.7071])
    units = []
    for _ in range(draw(st.integers(1, 40))):
        w = draw(width_of)
        cls = draw(st.sampled_from([CharClass.HAN, CharClass.OPEN, CharClass.CLOSE, CharClass.POINT,
                                    CharClass.LATIN]))
        units.append(Unit("中", cls, w, w * draw(part_of), w * draw(part_of), draw(st.booleans()),
                          draw(st.booleans())))
    return tuple(units)


PARAGRAPH = st.one_of(itemized(), synthetic())
INDENT = st.sampled_from([0.0, 2.0, 1.0, 0.5, 0.3, 0.1, 1 / 3])


def _fit_limits(units, start: int, indent: float) -> list[float]:
    """The room at which each unit from `start` on just fits the line (`_scan`'s sums): the
    places where the comparisons decide."""
    width, limits = indent, []
    for i in range(start, len(units)):
        u = units[i]
        mid = line_start_width(u, indent) if i == start else u.width
        limits.append(width + ((mid + u.end_width - u.width) if i == start else u.end_width))
        width += mid
    return limits


def _room_for(limit: float) -> float | None:
    """A room whose `room + EPS` (the limit `_next_break` bisects against) is `limit` exactly."""
    room = limit - EPS
    for _ in range(8):
        if room + EPS == limit:
            return room
        room = nextafter(room, inf if room + EPS < limit else -inf)
    return None


@settings(max_examples=300, deadline=None)
@given(units=PARAGRAPH, data=st.data(), indent=INDENT)
def test_overflow_search_matches_the_plain_scan(units, data, indent):
    stats = unit_stats(units)
    assume(stats.ordered)
    for start in sorted(set(data.draw(st.lists(st.integers(0, len(units) - 1), min_size=1, max_size=4)))):
        n = data.draw(st.sampled_from([len(units), data.draw(st.integers(start, len(units)))]))
        limits = _fit_limits(units, start, indent)
        rooms = [data.draw(st.floats(0.0, 40.0, allow_nan=False))]
        for limit in data.draw(st.lists(st.sampled_from(limits), max_size=4)):
            rooms += [limit, limit - EPS, limit + 1e-12, limit - 1e-12]
            # rooms whose `room + EPS` is the fit limit itself or a neighbouring float
            exact = (_room_for(t) for t in (limit, nextafter(limit, -inf), nextafter(limit, inf)))
            rooms += [room for room in exact if room is not None]
        for room in rooms:
            fast = _first_overflow(units, stats, start, n, room + EPS, indent)
            i, last_ok = _scan(units, start, n, room, room, indent, 0.0, ANY_MARK)
            assert fast is None or fast == i, (start, n, room)
            if fast is not None and fast < n:
                assert _last_break(units, start, fast) == last_ok


@settings(max_examples=300, deadline=None)
@given(units=PARAGRAPH, indent=INDENT)
def test_natural_width_from_the_sums_matches_the_plain_sum(units, indent):
    stats, n = unit_stats(units), len(units)
    for start in range(n):
        for end in {*range(start + 1, n + 1, max(1, n // 8)), n}:
            fast = _line_natural(units, stats, start, end, indent)
            plain = _natural(units, [u.width for u in units[start + 1:end - 1]], start, end, indent)
            assert fast == plain, (start, end)


def _plain_natural(units, stats, start, end, indent):
    return _natural(units, [u.width for u in units[start + 1:end - 1]], start, end, indent)


@settings(max_examples=200, deadline=None)
@given(units=PARAGRAPH, measure=st.one_of(st.integers(4, 30).map(float), st.floats(3.0, 30.0, allow_nan=False)),
       indent=INDENT, policy=st.sampled_from(list(KinsokuPolicy)), orphans=st.booleans(), pull=st.booleans(),
       jumps=st.sets(st.integers(0, 6), max_size=2))
def test_paragraphs_break_alike_without_the_shortcuts(units, measure, indent, policy, orphans, pull, jumps):
    options = BreakOptions(policy, 0.5, orphans, pull)
    fast = break_paragraph_fitted(units, measure, indent, options, jump_lines=frozenset(jumps))
    with patch.object(greedy, "_first_overflow", lambda *args: None), \
            patch.object(greedy, "_line_natural", _plain_natural):
        plain = break_paragraph_fitted(units, measure, indent, options, jump_lines=frozenset(jumps))
    assert fast == plain


# ---------------------------------------------------------------- glyphs in their cells

INK = st.one_of(st.none(), st.tuples(st.floats(0.0, 0.6), st.floats(0.0, 0.6)).map(lambda t: (t[0], t[0] + t[1])))


@st.composite
def glyph_infos(draw, chars: str) -> dict[str, GlyphInfo | None]:
    """A random font: each character's advance and ink, or no glyph. New `GlyphInfo` objects for
    each example, so the memo of mark offsets (keyed by the info's id) meets fresh infos."""
    table: dict[str, GlyphInfo | None] = {}
    for ch in sorted(set(chars)):
        if draw(st.integers(0, 9)) == 0:
            table[ch] = None
            continue
        advance = draw(st.sampled_from([1.0, 0.5, 0.553, 0.92, 1.0]))
        table[ch] = GlyphInfo("f", advance, draw(INK))
    return table


def _near_advance(info: GlyphInfo | None):
    """Cells at a glyph's advance or a hair off it (where the placement rules change)."""
    advance = info.advance if info is not None else 1.0
    return st.sampled_from([advance, advance + 1e-10, advance - 1e-10, advance + 1e-7, advance - 1e-7])


@settings(max_examples=300, deadline=None)
@given(units=itemized(), data=st.data(), x0=st.floats(0.0, 20.0, allow_nan=False))
def test_one_character_units_placed_as_their_origins_are_worked_out(units, data, x0):
    table = data.draw(glyph_infos("".join(u.text for u in units)))
    cells = [data.draw(st.one_of(st.sampled_from([u.width, u.start_width, u.end_width]),
                                 st.floats(0.0, 1.5, allow_nan=False), _near_advance(table.get(u.text))))
             for u in units]
    gaps = [data.draw(st.one_of(st.just(0.0), st.floats(-0.3, 0.5, allow_nan=False))) for _ in units]
    lookup = table.get
    latin = half_width_latin
    out = LineGlyphs([], [], [], [], False)
    x, missing = _place(units, cells, x0, gaps, lookup, latin, out)
    # the reference: every unit placed by `_place_unit`, glyph by glyph
    ref = LineGlyphs([], [], [], [], False)
    rx, rmissing = x0, False
    for u, cell, gap in zip(units, cells, gaps):
        rmissing = _place_unit(u, cell, rx, lookup, latin, ref) or rmissing
        rx += cell + gap
    assert (x, missing) == (rx, rmissing)
    assert out.chars == ref.chars and out.scaled == ref.scaled
    assert [v.hex() for v in out.xs] == [v.hex() for v in ref.xs]
    assert all(a is b for a, b in zip(out.infos, ref.infos))


def test_the_mark_memo_does_not_outlive_its_glyph_info():
    # a memoised offset belongs to one GlyphInfo object: another info of the same class in a cell
    # of the same width is worked out afresh
    unit = itemize("。", "quanjiao")[0]
    for ink in [(0.1, 0.35), (0.4, 0.6), (0.1, 0.35)]:
        info = GlyphInfo("f", 1.0, ink)
        out = LineGlyphs([], [], [], [], False)
        _place([unit], [0.5], 3.0, [0.0], {"。": info}.get, half_width_latin, out)
        assert out.xs == [justify._origin_in_cell(CharClass.POINT, 3.0, 0.5, info)]


# ---------------------------------------------------------------- text operators

DRAWN = st.sampled_from(list("中国新区发展，。“”《》（）——ABCxyz0123(\\)"))


def _advance(face: str, char: str) -> float:
    if char.isascii():
        return 0.5 if char.isdigit() else round(0.3 + (ord(char) % 11) * 0.041, 3)
    return 1.0


@st.composite
def one_face_lines(draw) -> PlacedLine:
    """A line of one face, no glyph stretched, its origins spaced as composition spaces them: a
    common spacing with squeezed marks and unit boundaries off it, some by a hair."""
    chars = "".join(draw(st.lists(DRAWN, min_size=1, max_size=40)))
    size = draw(st.sampled_from([9.0, 10.5, 7.5, 12.0, 26.0, 9.25]))
    common = draw(st.one_of(st.just(0.0), st.floats(-1.0, 4.0, allow_nan=False)))
    x = draw(st.floats(0.0, 900.0, allow_nan=False))
    xs = [x]
    for ch in chars[:-1]:
        off = draw(st.one_of(st.just(0.0), st.just(0.0), st.floats(-size, size, allow_nan=False),
                             st.floats(-3e-4, 3e-4, allow_nan=False)))
        x = x + (_advance("f", ch) * size + common + off)
        xs.append(x)
    y = draw(st.floats(0.0, 1200.0, allow_nan=False))
    return PlacedLine("s", "r", 0, 1, "body", 0.0, y, 300.0, size, chars, chars, tuple(xs), ((0, "f"),), ())


def _mixed_reference(codes: GlyphCodes, line: PlacedLine) -> str:
    """The text object of `line` as `line_operators` makes it for a line of several faces or
    stretched glyphs (`_mixed_runs`), for this one-face line."""
    face = codes[line.face_runs[0][1]]
    widths = [face.widths(line.size)[c] for c in line.chars]
    encoded = [face[c] for c in line.chars]
    deltas = list(map(sub, map(sub, line.xs[1:], line.xs), widths))
    tc = round(text_operators._common_spacing(line, deltas), 5)
    code = ["BT", f"{text_operators._fines[tc]} Tc"] if tc else ["BT"]
    text_operators._mixed_runs(code, line, encoded, widths, deltas, tc)
    if tc:
        code.append("0 Tc")
    code.append("ET")
    return "\n".join(code)


@settings(max_examples=400, deadline=None)
@given(line=one_face_lines())
def test_one_font_run_writes_what_the_general_writer_writes(line):
    codes = GlyphCodes(CodeSpace(), _advance)
    assert line_operators(codes, line) == _mixed_reference(codes, line)


#: a line the two writers once set apart (found by the property above): its first glyph is 9.67e-5 pt
#: off the pen, the others 0, so Tc is 0.0001 and the others sit at Tc − PEN_TOLERANCE = 0, where
#: `_one_font_run` compared (Δx − width) with Tc ± PEN_TOLERANCE and `_mixed_runs` compared
#: x − (x₀ + (width + Tc)) with ±PEN_TOLERANCE: the same sums in other orders, rounded apart.
#: Both now decide an unscaled glyph's adjustment from the same spacing.
PARTING_LINE = PlacedLine("s", "r", 0, 1, "body", 0.0, 0.0, 300.0, 9.0, "中中中中中", "中中中中中",
                          (0.0, 9.000096656107289, 18.00009665610729, 27.00009665610729, 36.00009665610729),
                          ((0, "f"),), ())


def test_the_writers_agree_at_the_pen_tolerance():
    codes = GlyphCodes(CodeSpace(), _advance)
    assert line_operators(codes, PARTING_LINE) == _mixed_reference(codes, PARTING_LINE)


@pytest.mark.parametrize("chars", ["中", "中国，", "A(\\)"])
def test_one_font_run_is_the_path_taken(chars):
    # the property above compares the fast path, not the general writer with itself
    line = PlacedLine("s", "r", 0, 1, "body", 0.0, 10.0, 300.0, 9.0, chars, chars,
                      tuple(9.0 * k for k in range(len(chars))), ((0, "f"),), ())
    codes = GlyphCodes(CodeSpace(), _advance)
    with patch.object(text_operators, "_one_font_run", side_effect=AssertionError("fast path")):
        with pytest.raises(AssertionError, match="fast path"):
            line_operators(codes, line)
