"""Compose pages: flowed story lines and headline blocks → positioned glyphs on pages.

Body lines sit on the page grid: grid line r's em box starts (r − 1) line pitches below the type
area's top, its baseline 0.88 em lower (the CJK ideographic em box of the fonts in use). A
headline block (引题 / 主题 / 副题) is set in its own styles, each part broken into lines
(quanjiao by default) and centred, the whole block centred vertically in its headline region.
"""

from __future__ import annotations

from dataclasses import dataclass

from paiban.linebreak.greedy import BreakOptions, break_paragraph
from paiban.model.article import Article
from paiban.model.flowed import FlowLine, StoryFlow
from paiban.model.placed import Glyph, Marker, PlacedLine, PlacedPage
from paiban.model.spec import Align, Layout, StorySpec, TextStyle
from paiban.page.glyph_source import GlyphSource
from paiban.page.justify import PositionedGlyph, justify_line
from paiban.text.itemize import itemize

#: baseline position below the em box's top, in em (ideographic em box: ascent 0.88)
BASELINE = 0.88


@dataclass
class PageBuilder:
    number: int
    width: float
    height: float
    lines: list[PlacedLine]
    markers: list[Marker]


def compose_pages(layout: Layout, stories: list[tuple[StorySpec, Article, StoryFlow]],
                  glyphs: GlyphSource) -> tuple[PlacedPage, ...]:
    geo = layout.page
    pages = {n: PageBuilder(n, geo.width, geo.height, [], []) for n in layout.pages}
    for story, article, flow in stories:
        if story.headline_region:
            for line in headline_block(layout, story, article, glyphs):
                pages[layout.regions[story.headline_region].page].lines.append(line)
        for fl in flow.lines:
            placed, markers = place_flow_line(layout, fl, glyphs)
            pages[fl.page].lines.append(placed)
            pages[fl.page].markers.extend(markers)
    return tuple(PlacedPage(p.number, p.width, p.height, tuple(p.lines), (), tuple(p.markers))
                 for p in (pages[n] for n in layout.pages))


def grid_line_top(layout: Layout, grid_line: int) -> float:
    return layout.page.type_top - (grid_line - 1) * layout.grid.line_pitch


def place_flow_line(layout: Layout, fl: FlowLine, glyphs: GlyphSource) -> tuple[PlacedLine, list[Marker]]:
    style = layout.styles[fl.style]
    size = style.size
    measure_em = fl.measure / size
    justify = style.align is Align.JUSTIFY and not fl.last_of_paragraph
    positioned = justify_line(
        fl.units, measure=measure_em, indent=fl.brk.indent, lookup=glyphs.lookup(style.font),
        latin_advance=glyphs.latin_advance(style.font), justify=justify, align=style.align,
        prefix=fl.prefix, suffix=fl.suffix)
    x0 = layout.page.margin_left + fl.x
    y = grid_line_top(layout, fl.grid_line) - BASELINE * size
    kind = fl.kind.value if fl.role == "text" else fl.role
    return _placed(fl.story, fl.region, fl.column, fl.grid_line, kind, x0, y, fl.measure, size,
                   fl.full_text, positioned)


def _placed(story: str, region: str, column: int, grid_line: int, kind: str, x0: float, y: float,
            width: float, size: float, text: str, positioned: list[PositionedGlyph]) -> tuple[PlacedLine, list[Marker]]:
    out: list[Glyph] = []
    markers: list[Marker] = []
    for g in positioned:
        if g.char in (" ", "\u3000"):
            continue
        if g.info is None:
            markers.append(Marker(x0 + g.x * size, y - 0.12 * size, size, size, f"missing glyph {g.char!r} U+{ord(g.char):04X}"))
            continue
        out.append(Glyph(g.char, x0 + g.x * size, g.info.face, g.scale))
    return PlacedLine(story, region, column, grid_line, kind, x0, y, width, size, text, tuple(out)), markers


def headline_block(layout: Layout, story: StorySpec, article: Article, glyphs: GlyphSource) -> list[PlacedLine]:
    """The kicker, main headline and subtitle, centred in the story's headline region."""
    region = layout.regions[story.headline_region]
    x0 = layout.page.margin_left + layout.grid.column_x(region.first_column)
    width = (region.span * layout.grid.column_chars + (region.span - 1) * layout.grid.gutter_chars) * layout.grid.body_size
    parts = [(article.headline.kicker, story.kicker_style, "kicker"),
             (article.headline.main, story.headline_style, "headline"),
             (article.headline.subtitle, story.subtitle_style, "subtitle")]
    rows: list[tuple[str, TextStyle, str, list[PositionedGlyph], float]] = []
    for text, style_name, kind in parts:
        if not text:
            continue
        style = layout.styles[style_name]
        for line_text, positioned in _headline_lines(text, style, width, glyphs):
            leading = style.leading or style.size * 1.25
            rows.append((line_text, style, kind, positioned, leading))
    if not rows:
        return []
    top = grid_line_top(layout, region.first_line)
    height = region.lines * layout.grid.line_pitch
    block_h = sum(r[4] for r in rows)
    y_top = top - max(0.0, (height - block_h) / 2)
    out: list[PlacedLine] = []
    for text, style, kind, positioned, leading in rows:
        baseline = y_top - (leading - style.size) / 2 - BASELINE * style.size
        line, _ = _placed(story.name, region.name, 0, region.first_line, kind, x0, baseline, width,
                          style.size, text, positioned)
        out.append(line)
        y_top -= leading
    return out


def _headline_lines(text: str, style: TextStyle, width: float, glyphs: GlyphSource):
    measure = width / style.size
    for part in text.split("\n"):
        units = itemize(part, style.punctuation.value, glyphs.latin_advance(style.font), style.latin_spacing,
                        style.kinsoku_level.value)
        options = BreakOptions(style.kinsoku, style.max_squeeze, False)
        for brk in break_paragraph(units, measure, 0.0, options, first_indent=False):
            line_units = units[brk.start:brk.end]
            positioned = justify_line(line_units, measure=measure, indent=0.0, lookup=glyphs.lookup(style.font),
                                      latin_advance=glyphs.latin_advance(style.font), justify=False,
                                      align=style.align)
            yield "".join(u.text for u in line_units), positioned
