"""Compose vertical text (竖排): flowed lines and headline blocks of vertical regions → glyphs.

A vertical line is justified by the same code as a horizontal one (`justify_glyphs`): along
the column, em from the line's top, with a *vertical* glyph lookup (`VerticalLookup`) whose
advances and ink are taken down the column: an ideograph 1 em, a mark's vertical form
(`paiban.fonts.vertical_glyphs`) with its ink measured from the top of its vertical em box,
so that a point keeps its ink at the top of its half cell and a bracket its ink on the side of
the text it encloses, exactly as the horizontal rules place them left and right; a turned
Latin word or number keeps its horizontal advances and ink. A 纵中横 number is justified as
one 1-em cell (a stand-in, `ACROSS_STAND_IN`) and then set upright across the column,
narrowed to the column when it is wider than an em.

Then each glyph is put on the page (`PlacedLine.xs`, `ys`, `modes`): lines follow each other
right to left (`paiban.model.vertical_geometry`); an upright glyph's pen is the top centre
of its em box (the vertical origin of a PDF vertical font), a turned glyph's pen is on its
baseline, 0.12 em right of the line's left edge (so its em box fills the column), a 纵中横
number's digits stand side by side, centred across the column in their 1-em cell, each drawn
by the vertical font too (so a reader takes them in the column's flow).

A headline region with `writing_mode: vertical` holds a vertical headline (竖题): the main
headline broken between words into vertical lines of the region's height, the kicker to its
right and the subtitle to its left, the block centred across the region.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from paiban.fonts.vertical_glyphs import stand_in, vertical_facts
from paiban.linebreak.display_breaks import break_display, manual_parts
from paiban.model.article import Article
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine
from paiban.model.items import CharClass, Unit
from paiban.model.placed import Marker, PlacedLine
from paiban.model.spec import Align, Layout, StorySpec, TextStyle
from paiban.model.vertical_geometry import line_left, region_top, tier_top
from paiban.page.glyph_source import GlyphSource
from paiban.page.justify import GlyphInfo, GlyphLookup, LineGlyphs, justify_glyphs
from paiban.text.itemize import itemize
from paiban.text.vertical_rules import ACROSS, ACROSS_STAND_IN, ROTATED, UPRIGHT, VERTICAL_FORM, is_across, \
    orientation, vertical_units
from paiban.i18n import _

#: a turned glyph's baseline right of its line's left edge, em (the ideographic em box: descent 0.12)
TURNED_BASELINE = 0.12
BLANKS = frozenset(" \u3000")
_ACROSS_INFO = GlyphInfo("", 1.0, None)


class VerticalLookup(dict):
    """char → its `GlyphInfo` down a vertical line in one role (see the module), made on a miss."""

    def __init__(self, glyphs: GlyphSource, role: str):
        super().__init__()
        self.glyphs, self.role = glyphs, role

    def __missing__(self, ch: str) -> GlyphInfo | None:
        info = self[ch] = self._make(ch)
        return info

    def _make(self, ch: str) -> GlyphInfo | None:
        if ch == ACROSS_STAND_IN:
            return _ACROSS_INFO
        info = self.glyphs.info(self.role, ch)
        if info is None:
            return None
        form = vertical_facts(self.glyphs.faces[info.face]).forms.get(ch)
        if form is not None:
            return GlyphInfo(info.face, form.advance, form.ink)
        if orientation(ch, False) == UPRIGHT:
            return GlyphInfo(info.face, 1.0, None)
        return info  # turned: the horizontal advance and ink run down the column


class VerticalPlacer:
    """Flowed lines of vertical regions → placed vertical lines, for one layout."""

    def __init__(self, layout: Layout, glyphs: GlyphSource):
        self.layout, self.glyphs = layout, glyphs
        self._lookups: dict[str, VerticalLookup] = {}

    def lookup(self, role: str) -> GlyphLookup:
        table = self._lookups.get(role)
        if table is None:
            table = self._lookups[role] = VerticalLookup(self.glyphs, role)
        return table.__getitem__

    def __call__(self, fl: FlowLine) -> tuple[PlacedLine, list[Marker]]:
        layout = self.layout
        region = layout.regions[fl.region]
        style = layout.styles[fl.style]
        size, tcy = style.size, region.tate_chu_yoko
        across: list[str] = []
        units, prefix, suffix = (_stand_ins(part, tcy, across) for part in (fl.units, fl.prefix, fl.suffix))
        justified = style.align is Align.JUSTIFY and not fl.last_of_paragraph
        positioned = justify_glyphs(units, fl.measure / size, fl.brk.indent, self.lookup(style.font),
                                    self.glyphs.latin_advance(style.font), justified, style.align, prefix, suffix)
        left = line_left(layout, region, fl.grid_line - 1)
        top = tier_top(layout, region, fl.column)
        kind = fl.kind.value if fl.role == "text" else fl.role
        return self.place(positioned, across, style, fl.story, fl.region, fl.column, fl.grid_line, kind, left, top,
                          fl.measure)

    def place(self, positioned: LineGlyphs, across: list[str], style: TextStyle, story: str, region: str,
              column: int, grid_line: int, kind: str, left: float, top: float, measure: float
              ) -> tuple[PlacedLine, list[Marker]]:
        """The glyphs of a justified vertical line (em down from `top`) on the line whose left
        edge is `left`: what each draws, where, and how (see the module)."""
        size, role = style.size, style.font
        chars: list[str] = []
        text: list[str] = []
        xs: list[float] = []
        ys: list[float] = []
        modes: list[str] = []
        faces: list[str] = []
        scaled: list[tuple[int, float]] = []
        markers: list[Marker] = []
        scales = dict(positioned.scaled)
        pending = iter(across)
        centre = left + size / 2
        for i, (ch, along, info) in enumerate(zip(positioned.chars, positioned.xs, positioned.infos)):
            y = top - along * size
            if ch == ACROSS_STAND_IN:
                self._across(next(pending), role, size, left, y, chars, text, xs, ys, modes, faces, scaled, markers)
                continue
            if ch in BLANKS:
                continue
            if info is None:
                markers.append(Marker(left, y - size, size, size, f"missing glyph {ch!r} U+{ord(ch):04X}"))
                continue
            form = vertical_facts(self.glyphs.faces[info.face]).forms.get(ch)
            how = orientation(ch, form is not None)
            text.append(ch)
            faces.append(info.face)
            if how == ROTATED:
                if i in scales:
                    scaled.append((len(chars), scales[i]))
                chars.append(ch)
                xs.append(left + TURNED_BASELINE * size)
                modes.append(ROTATED)
            else:
                chars.append(stand_in(ch) if how == VERTICAL_FORM else ch)
                xs.append(centre)
                modes.append(VERTICAL_FORM)  # drawn by the vertical font, as its own glyph or its form
            ys.append(y)
        runs: list[tuple[int, str]] = []
        for i, face in enumerate(faces):
            if not runs or runs[-1][1] != face:
                runs.append((i, face))
        line = PlacedLine(story, region, column, grid_line, kind, left, top, measure, size, "".join(text),
                          "".join(chars), tuple(xs), tuple(runs), tuple(scaled), tuple(ys), "".join(modes))
        return line, markers

    def _across(self, digits: str, role: str, size: float, left: float, y: float, chars: list[str],
                text: list[str], xs: list[float], ys: list[float], modes: list[str], faces: list[str],
                scaled: list[tuple[int, float]], markers: list[Marker]) -> None:
        """A 纵中横 number in its 1-em cell from `y` down: upright, centred across the column."""
        infos = [self.glyphs.info(role, d) for d in digits]
        if any(info is None for info in infos):
            markers.append(Marker(left, y - size, size, size, f"missing glyph in {digits!r}"))
            return
        width = sum(info.advance for info in infos)
        scale = min(1.0, 1.0 / width) if width > 0 else 1.0
        x = left + (size - width * scale * size) / 2
        for d, info in zip(digits, infos):
            if scale != 1.0:
                scaled.append((len(chars), scale))
            chars.append(d)
            text.append(d)
            xs.append(x + info.advance * scale * size / 2)  # the pen of a vertical font: the glyph's top centre
            ys.append(y)
            modes.append(ACROSS)
            faces.append(info.face)
            x += info.advance * scale * size


def _stand_ins(units: Sequence[Unit], tcy: int, across: list[str]) -> tuple[Unit, ...]:
    """The units with each 纵中横 number replaced by a 1-em stand-in cell (its digits kept, in
    order, in `across`)."""
    out = []
    for u in units:
        if is_across(u, tcy):
            across.append(u.text)
            u = replace(u, text=ACROSS_STAND_IN, cls=CharClass.HAN)
        out.append(u)
    return tuple(out)


# ---- the vertical headline (竖题) ------------------------------------------------------------

def vertical_headline_block(layout: Layout, story: StorySpec, article: Article, glyphs: GlyphSource,
                            placer: VerticalPlacer) -> tuple[list[PlacedLine], list[Marker], list[BuildWarning]]:
    """The kicker, main headline and subtitle set vertically in the story's headline region
    (right to left), centred across it; the main headline set smaller down to its style's
    `min_size` when its lines do not fit the region (reported when they still do not)."""
    region = layout.regions[story.headline_region]
    grid = layout.grid
    height = (region.lines - 1) * grid.line_pitch + grid.body_size
    width = region.width(grid)
    kicker = article.headline.kicker if story.kicker_text is None else story.kicker_text
    subtitle = article.headline.subtitle if story.subtitle_text is None else story.subtitle_text
    parts = [(t, layout.styles[name], kind) for t, name, kind in
             ((kicker, story.kicker_style, "kicker"), (article.headline.main, story.headline_style, "headline"),
              (subtitle, story.subtitle_style, "subtitle")) if t]
    if not parts:
        return [], [], []
    notes: list[BuildWarning] = []
    main = next((st for _, st, kind in parts if kind == "headline"), parts[0][1])
    scale = 1.0
    while True:
        rows = []
        for text, style, kind in parts:
            st = style
            if kind == "headline":
                st = replace(style, size=style.size * scale, leading=(style.leading or style.size * 1.25) * scale)
            st = replace(st, align=Align.CENTER if st.align is Align.JUSTIFY else st.align)
            for units, positioned, across in _headline_lines(text, st, height, glyphs, placer, region.tate_chu_yoko):
                rows.append((st, kind, positioned, across, st.leading or st.size * 1.25))
        block = sum(r[4] for r in rows) - (rows[-1][4] - rows[-1][0].size)
        too_many = main.max_lines and sum(1 for r in rows if r[1] == "headline") > main.max_lines
        if (block <= width + 1e-6 and not too_many) or not main.shrink_to_fit:
            break
        floor = (main.min_size or main.size) / main.size
        if scale <= floor + 1e-9:
            break
        scale = max(floor, scale * 0.92)
    if block > width + 1e-6 or too_many:
        notes.append(BuildWarning("headline-does-not-fit", _("story {name}: vertical headline {headline!r} is {block:.0f} pt wide in a "
                                                             "{width:.0f} pt region").format(
                                                                 name=story.name, headline=article.headline.main,
                                                                 block=block, width=width),
                                  region.page, story.name))
    elif scale < 1.0:
        notes.append(BuildWarning("headline-shrunk", _("story {name}: headline set at {size:.1f} pt to fit (style "
                                                       "{style_size:g} pt)").format(
            name=story.name, size=main.size * scale, style_size=main.size), region.page, story.name))
    right = region.right(grid, layout.page.margin_left) - max(0.0, (width - block) / 2)
    top = region_top(layout, region)
    out: list[PlacedLine] = []
    markers: list[Marker] = []
    for st, kind, positioned, across, leading in rows:
        line, missing = placer.place(positioned, across, st, story.name, region.name, 0, region.first_line, kind,
                                     right - st.size, top, height)
        out.append(line)
        markers += missing
        right -= leading
    return out, markers, notes


def _headline_lines(text: str, style: TextStyle, height: float, glyphs: GlyphSource, placer: VerticalPlacer,
                    tcy: int) -> list[tuple[tuple[Unit, ...], LineGlyphs, list[str]]]:
    """The vertical lines of one headline part: broken between words (and at the author's
    breaks) in a measure of the region's height, each aligned down the column as its style says."""
    measure = height / style.size
    latin_advance = glyphs.latin_advance(style.font)
    lookup = placer.lookup(style.font)
    out = []
    for part in manual_parts(text):
        units = vertical_units(itemize(part, style.punctuation.value, latin_advance, style.latin_spacing,
                                       style.kinsoku_level.value), tcy)
        if style.tracking:
            tracked = tuple(replace(u, width=u.width + style.tracking, start_width=u.start_width + style.tracking,
                                    end_width=u.end_width + style.tracking) for u in units)
            broken = break_display(tracked, measure + style.tracking)
        else:
            broken = break_display(units, measure)
        for brk in broken.lines:
            across: list[str] = []
            line_units = _stand_ins(units[brk.start:brk.end], tcy, across)
            positioned = justify_glyphs(line_units, measure=measure, indent=0.0, lookup=lookup,
                                        latin_advance=latin_advance, justify=False, align=style.align,
                                        tracking=style.tracking)
            out.append((line_units, positioned, across))
    return out


__all__ = ["VerticalLookup", "VerticalPlacer", "vertical_headline_block"]
