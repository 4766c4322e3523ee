"""Justify one line: from units (em, grid widths) to glyph origins, using the fonts' ink.

* Each unit gets a cell (its width at that place in the line); a line that must shrink takes the
  space first from the blank side of its marks, as far as the font's ink allows (xeCJK's
  method), then evenly from the gaps between units.
* A justified line spreads its slack evenly over the gaps between units, never inside `——`,
  `……`, numbers or Latin words, nor between the `joined` units of a URL, a long number or a
  hyphenated word; word spaces at the line's edges (0 wide there) take no share, so a Latin line
  is flush on both sides. A paragraph's last line is set at natural width.
* A number's digits sit in ½-em cells and its other characters (`.`, `%`, `℃`, a unit) at their
  advance, the whole centred in the unit's grid width; a line ending on a hyphenation point
  (`Unit.hyphen`) gets its hyphen drawn.
* Inside its cell a glyph sits by its ink: marks keep their ink on the side the font puts it and
  lose the blank on the other side (a font that centres `。` gets it moved into the half cell);
  other glyphs are centred on their cell. U+2014 glyphs are stretched to join into a solid rule.
* The usual body line (one face, not squeezed, no jump text or run-in) is placed by
  `paiban.page.usual_lines` in a few list passes; it gives what `justify_glyphs` gives, bit for
  bit (tests/test_usual_lines.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, NamedTuple, Sequence

from paiban.model.items import CharClass, Unit
from paiban.model.spec import Align
from paiban.text.itemize import line_start_width, number_cells

#: smallest blank (em) a squeezed mark keeps between its ink and the cell edge
INK_MARGIN = 0.04
#: overlap (em) of joined dash glyphs so the 2-em dash prints as one rule
DASH_OVERLAP = 0.02


@dataclass(frozen=True, slots=True)
class GlyphInfo:
    """A character's glyph in the face that draws it: face key, advance and ink (em)."""

    face: str  # FontFace.key
    advance: float  # em
    ink: tuple[float, float] | None  # em


#: character → GlyphInfo, or None when no font has the character
GlyphLookup = Callable[[str], GlyphInfo | None]
LatinAdvance = Callable[[str], float]


class PositionedGlyph(NamedTuple):
    char: str
    x: float  # em from the line's left edge
    info: GlyphInfo | None
    scale: float = 1.0


def unit_cells(u: Unit, width: float, latin_advance: LatinAdvance, line_end: bool = False) -> list[tuple[str, float]]:
    """Split a unit of the given width into (char, cell width) pairs; extra width goes last, or
    for a number half before and half after it. A hyphenation unit that ends its line
    (`line_end`) ends with the hyphen's cell, whatever a squeeze took from its padding.

    Han–Latin padding and a number's extra width are cells of their own, with the character ""
    (nothing is drawn there)."""
    hyphen = _line_end_hyphen(u) if line_end else 0.0
    if hyphen:
        core = replace(u, end_width=u.width, hyphen=False)
        return unit_cells(core, width - hyphen, latin_advance) + [("-", hyphen)]
    if u.pad_before or u.pad_after:
        return _padded_cells(u, width, latin_advance)
    if len(u.text) == 1:
        return [(u.text, width)]
    if u.cls in (CharClass.DASH, CharClass.ELLIPSIS, CharClass.HAN, CharClass.SPACE):
        cells = [(c, 1.0) for c in u.text]
    elif u.cls is CharClass.DIGIT:
        cells = number_cells(u.text, latin_advance)
    else:
        cells = [(c, latin_advance(c)) for c in u.text]
    extra = width - sum(w for _, w in cells)
    if extra > 1e-9 and u.cls is CharClass.DIGIT:
        return [("", extra / 2), *cells, ("", extra / 2)]
    if abs(extra) > 1e-9:
        c, w = cells[-1]
        cells[-1] = (c, w + extra)
    return cells


def _padded_cells(u: Unit, width: float, latin_advance: LatinAdvance) -> list[tuple[str, float]]:
    plain = Unit(u.text, u.cls, u.width - u.pad_before - u.pad_after, u.width, u.width,
                 u.no_break_before, u.no_break_after, joined=u.joined)
    core = unit_cells(plain, plain.width, latin_advance)
    pads = u.pad_before + u.pad_after
    shrink = u.width - width  # trimmed at a line edge, or squeezed: taken from the padding
    scale = max(0.0, (pads - shrink) / pads) if pads else 0.0
    cells = [("", u.pad_before * scale)] if u.pad_before else []
    cells += core
    if u.pad_after:
        cells.append(("", u.pad_after * scale))
    return cells


def _line_end_hyphen(u: Unit) -> float:
    """The width of the hyphen a unit ending its line at a hyphenation point draws (0: none)."""
    return u.end_width - u.width if u.hyphen and u.end_width > u.width else 0.0


def _cell_widths(units: Sequence[Unit], indent: float = 0.0) -> list[float]:
    n = len(units)
    first = line_start_width(units[0], indent)  # the breakers' start-of-line rule
    if n == 1:
        u = units[0]
        return [first + u.end_width - u.width]
    cells = [u.width for u in units]
    cells[0] = first
    cells[-1] = units[-1].end_width
    return cells


def _squeeze_capacity(u: Unit, cell: float, lookup: GlyphLookup) -> float:
    if u.pad_before or u.pad_after:
        core = u.width - u.pad_before - u.pad_after
        return max(0.0, cell - core) / 2  # the padding left in this cell shrinks by half (¼ → ⅛ em)
    if not u.is_mark:
        return 0.0
    info = lookup(u.text)
    if info is None or info.ink is None:
        return max(0.0, cell - INK_MARGIN)
    ink_w = info.ink[1] - info.ink[0]
    return max(0.0, cell - ink_w - 2 * INK_MARGIN)


class LineGlyphs(NamedTuple):
    """A justified line as columns (what `PlacedLine` keeps): the glyphs' characters, origins (em
    from the line's left edge) and infos, the (index, scale) of stretched ones, and whether a
    character has no glyph (its info is None)."""

    chars: list[str]
    xs: list[float]
    infos: list[GlyphInfo | None]
    scaled: list[tuple[int, float]]
    missing: bool


def justify_glyphs(units: Sequence[Unit], measure: float, indent: float, lookup: GlyphLookup,
                   latin_advance: LatinAdvance, justify: bool, align: Align = Align.JUSTIFY,
                   prefix: Sequence[Unit] = (), suffix: Sequence[Unit] = (),
                   run_in: tuple[int, GlyphLookup] | None = None, tracking: float = 0.0) -> LineGlyphs:
    """Glyph origins (em from the line's left edge) for a line `measure` em wide in all, as
    columns (`LineGlyphs`; the composer calls this once per body line, by position).

    `measure` is the full line width; prefix (上接) and suffix (下转) jump texts take their
    natural widths at the start and the end. `run_in` = (n, lookup): the first n units are
    drawn with that lookup (a dateline in its own font; widths stay on the grid). `tracking`
    (em) is added between units of a line that is not justified (headlines: 字距).
    """
    body = _cell_widths(units, indent) if units else []
    room = measure - indent
    if prefix or suffix:
        pre_cells = _cell_widths(prefix) if prefix else []
        suf_cells = _cell_widths(suffix) if suffix else []
        pre_w, suf_w = sum(pre_cells), sum(suf_cells)
        room -= pre_w + suf_w
    n_gaps = len(units) - 1 if units else 0
    track = tracking if (tracking and not justify) else 0.0
    natural = sum(body) + track * n_gaps
    gaps = [track] * n_gaps + [0.0] if units else []  # gap after each body unit
    shift = 0.0
    if natural > room + 1e-9:  # squeeze: marks' blank first, then the gaps
        need = natural - room
        caps = [_squeeze_capacity(u, c, lookup) for u, c in zip(units, body)]
        caps[-1] = _squeeze_capacity(units[-1], body[-1] - _line_end_hyphen(units[-1]), lookup)
        total_cap = sum(caps)
        take = min(need, total_cap)
        if total_cap > 0:
            body = [c - take * cap / total_cap for c, cap in zip(body, caps)]
        rest = need - take
        if rest > 1e-9 and n_gaps:
            open_gaps = _open_gaps(units, False) or range(n_gaps)
            for i in open_gaps:
                gaps[i] = -rest / len(open_gaps)
    else:
        slack = room - natural
        if suffix and units:
            if justify:
                gaps = _spread(units, slack, True)
            else:
                gaps[-1] += slack
        elif justify and n_gaps:
            usual = units[0].cls is not _SPACE and units[-1].cls is not _SPACE
            if usual:
                for u in units:  # (a plain loop: the fastest test on a line of hanzi)
                    if u.joined:
                        usual = False
                        break
            # the usual line: the slack shared by every gap between units
            gaps = [slack / n_gaps] * n_gaps + [0.0] if usual else _spread(units, slack, False)
        elif align is Align.CENTER:
            shift = slack / 2
        elif align is Align.RIGHT:
            shift = slack
    out = LineGlyphs([], [], [], [], False)
    x = 0.0
    missing = False
    if prefix:
        x, missing = _place(prefix, pre_cells, x, [0.0] * len(prefix), lookup, latin_advance, out)
    if run_in is not None and run_in[0] > 0:
        n = run_in[0]
        x, m1 = _place(units[:n], body[:n], x + indent + shift, gaps[:n], run_in[1], latin_advance, out)
        x, m2 = _place(units[n:], body[n:], x, gaps[n:], lookup, latin_advance, out, units[-1])
        missing = missing or m1 or m2
    else:
        x, m1 = _place(units, body, x + indent + shift, gaps, lookup, latin_advance, out, units[-1] if units else None)
        missing = missing or m1
    if suffix:
        _, m3 = _place(suffix, suf_cells, measure - suf_w, [0.0] * len(suffix), lookup, latin_advance, out)
        missing = missing or m3
    return out._replace(missing=missing) if missing else out


def _spread(units: Sequence[Unit], slack: float, trailing: bool) -> list[float]:
    """The gap after each unit of a justified line: `slack` shared by the gaps that stretch
    (`_open_gaps`), and by the one after the last unit too when `trailing` (a 下转 jump text
    follows). A line without such a gap keeps its slack at the end."""
    gaps = [0.0] * len(units)
    open_gaps = _open_gaps(units, trailing)
    for i in open_gaps:
        gaps[i] = slack / len(open_gaps)
    return gaps


_SPACE = CharClass.LATIN_SPACE


def _open_gaps(units: Sequence[Unit], trailing: bool) -> list[int]:
    """The units after which justification may put space: not inside a joined run, not around
    the word spaces at the line's edges (they are 0 wide there: a share beside them would leave
    the line short of the edge); and the last unit when `trailing`."""
    lo, hi = 0, len(units) - 1
    while lo < hi and units[lo].cls is _SPACE:
        lo += 1
    while hi > lo and units[hi].cls is _SPACE:
        hi -= 1
    out = [i for i in range(lo, hi) if not units[i].joined]
    if trailing:
        out.append(len(units) - 1)
    return out


def _place(units: Sequence[Unit], cells: Sequence[float], x: float, gaps: Sequence[float],
           lookup: GlyphLookup, latin_advance: LatinAdvance, out: LineGlyphs,
           line_end: Unit | None = None) -> tuple[float, bool]:
    """Append the glyphs of `units` to `out`; return the pen after them and whether one is missing.
    `line_end`: the unit that ends the line, when it is among them (it draws its hyphen)."""
    han, dash = CharClass.HAN, CharClass.DASH
    chars, xs, infos = out.chars, out.xs, out.infos
    add_char, add_x, add_info = chars.append, xs.append, infos.append
    origins = _origins
    missing = False
    for u, cell, gap in zip(units, cells, gaps):
        text = u.text
        if len(text) == 1:
            info = lookup(text)
            cls = u.cls
            if cls is han and info is not None and info.advance == cell:  # the common case
                add_char(text)
                add_x(x)
                add_info(info)
                x += cell + gap
                continue
            if cls is not dash and not u.pad_before and not u.pad_after:
                # one character in its cell (a mark, mostly): its offset in the cell, memoised
                add_char(text)
                add_info(info)
                if info is None:  # no font has it: at the cell's start, reported
                    add_x(x)
                    missing = True
                else:
                    key = (cls, cell, id(info))
                    hit = origins.get(key)
                    if hit is None or hit[0] is not info:
                        if len(origins) >= _ORIGINS_LIMIT:
                            origins.clear()
                        hit = origins[key] = (info, *_origin_terms(cls, cell, info))
                    add_x(x + hit[1] - hit[2] - hit[3])  # as `_origin_in_cell` adds them, bit for bit
                x += cell + gap
                continue
        missing = _place_unit(u, cell, x, lookup, latin_advance, out, u is line_end) or missing
        x += cell + gap
    return x, missing


#: (class, cell, id(info)) → (info, *`_origin_terms`): the marks of a line recur all through an
#: edition; the info is kept to check that the id is still that object's. tests/test_fast_paths.py
#: checks the glyphs `_place` places itself against `_place_unit`, which works each origin out
_origins: dict[tuple, tuple] = {}
_ORIGINS_LIMIT = 4096


def _place_unit(u: Unit, cell: float, x: float, lookup: GlyphLookup, latin_advance: LatinAdvance,
                out: LineGlyphs, line_end: bool = False) -> bool:
    """Append the glyphs of a unit of several cells (a number, a Latin word, a dash, a unit with
    Han–Latin padding), its cell at `x`; return whether one is missing. `_place` places the
    units of one character in one cell itself."""
    missing = False
    cells_of_unit = unit_cells(u, cell, latin_advance, line_end)
    for k, (ch, w) in enumerate(cells_of_unit):
        if not ch:  # Han–Latin padding
            x += w
            continue
        if u.cls is CharClass.DASH:
            joins = (k > 0, k < len(cells_of_unit) - 1)
            g = _dash_in_cell(ch, x, w, lookup(ch), joins)
        else:
            g = _glyph_in_cell(ch, u.cls, x, w, lookup(ch))
        if g.scale != 1.0:
            out.scaled.append((len(out.chars), g.scale))
        if g.info is None:
            missing = True
        out.chars.append(g.char)
        out.xs.append(g.x)
        out.infos.append(g.info)
        x += w
    return missing


def _dash_in_cell(ch: str, x: float, cell: float, info: GlyphInfo | None,
                  joins: tuple[bool, bool]) -> PositionedGlyph:
    """A U+2014 stretched so its ink fills the cell, overlapping a neighbouring dash slightly."""
    if info is None or info.ink is None or info.ink[1] <= info.ink[0]:
        return _glyph_in_cell(ch, CharClass.DASH, x, cell, info)
    left = DASH_OVERLAP / 2 if joins[0] else 0.0
    right = DASH_OVERLAP / 2 if joins[1] else 0.0
    scale = (cell + left + right) / (info.ink[1] - info.ink[0])
    return PositionedGlyph(ch, x - left - info.ink[0] * scale, info, scale)


def _glyph_in_cell(ch: str, cls: CharClass, x: float, cell: float, info: GlyphInfo | None) -> PositionedGlyph:
    return PositionedGlyph(ch, _origin_in_cell(cls, x, cell, info), info)


_CLOSE_OR_POINT = (CharClass.CLOSE, CharClass.POINT)


def _origin_in_cell(cls: CharClass, x: float, cell: float, info: GlyphInfo | None) -> float:
    """Where a glyph's origin goes in the cell [x, x + cell]: by its ink for a mark (see the
    module), centred otherwise; at x when no font has it."""
    if info is None:
        return x
    a, b, c = _origin_terms(cls, cell, info)
    return x + a - b - c


def _origin_terms(cls: CharClass, cell: float, info: GlyphInfo) -> tuple[float, float, float]:
    """(a, b, c) with the glyph's origin at x + a − b − c in the cell [x, x + cell] (summed in
    that order; the terms that are 0 change nothing)."""
    ink = info.ink
    if ink is None or abs(cell - info.advance) < 1e-9:
        return (cell - info.advance) / 2, 0.0, 0.0
    ink_w = ink[1] - ink[0]
    if cls in _CLOSE_OR_POINT:
        left = min(ink[0], max(0.0, (cell - ink_w) / 2))
        return left, ink[0], 0.0
    if cls is CharClass.OPEN:
        right_blank = min(info.advance - ink[1], max(0.0, (cell - ink_w) / 2))
        return cell, right_blank, ink[1]
    return (cell - info.advance) / 2, 0.0, 0.0
