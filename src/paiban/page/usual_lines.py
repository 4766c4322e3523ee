"""The usual body line, justified in a few list passes (`UsualLines`).

Most lines of a newspaper column are alike: one face, not squeezed, no jump text, no run-in, no
Han–Latin padding, hyphen, joined or blank units, every glyph present. `UsualLines` sets such a
line from what each unit looks like in a cell of its own width, worked out once per unit text
(its origin terms, or a compound unit's cells, as `paiban.page.justify` works them out), and
answers None for any other line, which the general path (`justify_glyphs`) sets. Both give the
same characters and origins bit for bit (tests/test_usual_lines.py).
"""

from __future__ import annotations

from typing import Sequence

from paiban.model.items import CharClass, Unit
from paiban.model.spec import Align
from paiban.page.justify import DASH_OVERLAP, GlyphLookup, LatinAdvance, _origin_in_cell, _origin_terms, unit_cells
from paiban.text.itemize import line_start_width

__all__ = ["UsualLine", "UsualLines", "usual_lines"]


#: characters that take room but draw nothing (the composer leaves them out)
_BLANKS = frozenset(" \u3000")
#: a glyph's origin terms (a, b, c): its origin is at pen + a − b − c (`_origin_terms`)
_Terms = tuple[float, float, float]
#: a compound unit's cell (a number's, a Latin word's, a dash's): (width, terms, scale); terms
#: None for a blank cell (nothing drawn)
_Cell = tuple[float, _Terms | None, float]
#: a line as `UsualLines` justifies it: its characters, their origins (em from the line's left
#: edge), the (index, scale) of stretched glyphs, and its one face run (a plain tuple: made in a
#: third of a named tuple's time)
UsualLine = tuple[str, list[float], tuple[tuple[int, float], ...], tuple[tuple[int, str], ...]]


class _Units(dict):
    """text → the unit of that text (None for a text not seen yet, or one `UsualLines` leaves)."""

    def __missing__(self, text: str) -> None:
        return None


class UsualLines:
    """`justify_glyphs` for the usual body line, in a few passes over the line that run in C or
    in list comprehensions: one face, no squeeze, no jump text, run-in, tracking, Han–Latin
    padding, hyphen or joined units, every character drawn.

    What a unit is in a cell of its own width (its `_origin_terms`, or a compound unit's cells)
    is worked out once, and found again by the unit's text: in a body style a text is one unit
    (the same object, or an equal one) all through a book. A line whose unit differs from the
    one first seen with its text (styles that compress adjacent marks have several) is left to
    `justify_glyphs`, as are the rest; only a line's end units sit in cells of other widths.

    Call it with a line; it answers the `UsualLine` of exactly the glyphs `justify_glyphs`
    places, or None for any other line. tests/test_usual_lines.py checks it against
    `justify_glyphs`. A lookup's answer for a character must not change while it lives
    (`GlyphSource`'s tables are filled once per character)."""

    def __init__(self, lookup: GlyphLookup, latin_advance: LatinAdvance):
        self.lookup, self.latin_advance = lookup, latin_advance
        self._runs: tuple[tuple[int, str], ...] = ()  # ((0, face),): the first glyph's face; units of another are left
        self._units = _Units()  # text → unit
        self._unit_of = self._units.__getitem__
        self._seen: set[str] = set()
        self._terms: dict[str, _Terms] = {}  # text → a one-character unit's terms, when not all 0
        self._marks: set[str] = set()  # the keys of `_terms`
        self._cells: dict[str, list[_Cell]] = {}  # text → a compound unit's cells

    def __call__(self, units: Sequence[Unit], measure: float, indent: float, justify: bool,
                 align: Align) -> UsualLine | None:
        texts = [u.text for u in units]
        # (`!=` compares the units by identity first, by value when they are two objects)
        if not units or tuple(map(self._unit_of, texts)) != units and not self._learn(units):
            return None
        n, first, last = len(units), units[0], units[-1]
        cells = [u.width for u in units]  # `_cell_widths`
        cells[0] = line_start_width(first, indent)
        if n == 1:
            cells[0] = cells[0] + last.end_width - last.width
        else:
            cells[-1] = last.end_width
        natural = sum(cells)
        room = measure - indent
        if natural > room + 1e-9:  # squeezed
            return None
        # each unit's pen: `justify_glyphs`'s gaps for the usual line, summed as `_place` sums them
        # (the pen after the last unit is made and dropped: cheaper than slicing the cells)
        slack, x = room - natural, 0.0 + indent
        if justify and n > 1:
            share = slack / (n - 1)
            x = start = x + 0.0
            xs = [x := x + (c + share) for c in cells]
        else:
            x = start = x + (slack / 2 if align is Align.CENTER else slack if align is Align.RIGHT else 0.0)
            xs = [x := x + c for c in cells]
        xs.pop()
        xs.insert(0, start)
        chars = "".join(texts)
        if len(chars) != n or "\u2014" in chars:  # a compound unit
            return self._spliced(units, cells, chars, xs)
        first_x, last_x = xs[0], xs[-1]
        for mark in self._marks.intersection(texts):  # glyph i is unit i's
            a, b, c = self._terms[mark]
            i = chars.find(mark)
            while i >= 0:
                xs[i] = xs[i] + a - b - c  # summed as `_origin_in_cell` sums them, bit for bit
                i = chars.find(mark, i + 1)
        if cells[0] != first.width:  # a line's ends trim their marks: terms for that cell
            xs[0] = _origin_in_cell(first.cls, first_x, cells[0], self.lookup(first.text))
        if n > 1 and cells[-1] != last.width:
            xs[-1] = _origin_in_cell(last.cls, last_x, cells[-1], self.lookup(last.text))
        return chars, xs, (), self._runs

    def _spliced(self, units: Sequence[Unit], cells: list[float], chars: str, pens: list[float]) -> UsualLine | None:
        """A line with compound units: each unit's glyphs, a compound unit's placed cell by cell
        as `_place_unit` places them (None when one sits at the line's end in a cell of another
        width)."""
        xs: list[float] = []
        scaled: list[tuple[int, float]] = []
        terms_of, compound = self._terms.get, self._cells.get
        for u, x, cell in zip(units, pens, cells):
            spec = compound(u.text)
            if spec is None:
                if cell != u.width:  # at an end of the line
                    xs.append(_origin_in_cell(u.cls, x, cell, self.lookup(u.text)))
                else:
                    t = terms_of(u.text)
                    xs.append(x if t is None else x + t[0] - t[1] - t[2])
                continue
            if cell != u.width:
                return None
            for w, t, scale in spec:
                if t is not None:
                    if scale != 1.0:
                        scaled.append((len(xs), scale))
                    xs.append(x + t[0] - t[1] - t[2])
                x += w
        return chars, xs, tuple(scaled), self._runs

    def _learn(self, units: Sequence[Unit]) -> bool:
        """Work out the units whose texts were not seen yet; whether the line's units are now
        the ones known by their texts."""
        if len(self._seen) > _UNITS_LIMIT:
            for memo in (self._units, self._seen, self._terms, self._marks, self._cells):
                memo.clear()
        for u in units:
            if u.text not in self._seen:
                self._seen.add(u.text)
                if self._usual(u):
                    self._units[u.text] = u
        return tuple(map(self._unit_of, [u.text for u in units])) == units

    def _usual(self, u: Unit) -> bool:
        """Whether `UsualLines` places `u`; its terms (or cells) when it does."""
        text = u.text
        if not text or u.pad_before or u.pad_after or u.joined or u.hyphen or not _BLANKS.isdisjoint(text):
            return False
        infos = [self.lookup(ch) for ch in text]
        if None in infos:
            return False
        if not self._runs:
            self._runs = ((0, infos[0].face),)
        if any(info.face != self._runs[0][1] for info in infos):
            return False
        if len(text) > 1 or u.cls is CharClass.DASH:
            self._cells[text] = self._compound_cells(u)
            return True
        terms = _origin_terms(u.cls, u.width, infos[0])
        if any(terms):  # (all 0: x + 0.0 − 0.0 − 0.0 is x)
            self._terms[text] = terms
            self._marks.add(text)
        return True

    def _compound_cells(self, u: Unit) -> list[_Cell]:
        """A compound unit's cells in a cell of its own width, as `_place_unit` works them out."""
        cells = unit_cells(u, u.width, self.latin_advance)
        out: list[_Cell] = []
        for k, (ch, w) in enumerate(cells):
            info = self.lookup(ch) if ch else None
            if info is None:  # Han–Latin padding or a number's extra width (a missing glyph is left)
                out.append((w, None, 1.0))
            elif u.cls is CharClass.DASH and info.ink is not None and info.ink[1] > info.ink[0]:
                left, right = (DASH_OVERLAP / 2 if k > 0 else 0.0), (DASH_OVERLAP / 2 if k < len(cells) - 1 else 0.0)
                scale = (w + left + right) / (info.ink[1] - info.ink[0])
                out.append((w, (0.0, left, info.ink[0] * scale), scale))  # `_dash_in_cell`: x − left − ink·scale
            else:
                out.append((w, _origin_terms(u.cls, w, info), 1.0))
        return out


_UNITS_LIMIT = 8192
#: (lookup, latin advance) → their `UsualLines` (both are bound methods: equal, and hashed alike,
#: for one table)
_usual: dict[tuple[GlyphLookup, LatinAdvance], UsualLines] = {}
_USUAL_LIMIT = 32


def usual_lines(lookup: GlyphLookup, latin_advance: LatinAdvance) -> UsualLines:
    """The `UsualLines` of a font role's lookups, kept with them: its memo of units outlives a page."""
    hit = _usual.get((lookup, latin_advance))
    if hit is None:
        if len(_usual) >= _USUAL_LIMIT:
            _usual.clear()
        hit = _usual[(lookup, latin_advance)] = UsualLines(lookup, latin_advance)
    return hit
