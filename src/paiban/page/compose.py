"""Compose pages: flowed story lines and headline blocks → positioned glyphs on pages.

Body lines sit on the page grid: grid line r's em box starts (r − 1) line pitches below the type
area's top, its baseline 0.88 em lower (the CJK ideographic em box of the fonts in use). A
headline block (引题 / 主题 / 副题) is set in its own styles (chosen by the story's rank), each
part broken between words into balanced lines (linebreak/display_breaks.py), the three parts in
one alignment, the whole block centred vertically in its headline region.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter

from paiban.linebreak.display_breaks import break_display, breaks_word, manual_parts
from paiban.model.article import Article
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine, StoryFlow
from paiban.model.placed import Marker, PlacedImage, PlacedLine, PlacedPage, Rect, Rule
from paiban.model.spec import Align, Layout, RegionKind, StorySpec, TextStyle
from paiban.model.vertical_geometry import is_vertical
from paiban.page import furniture
from paiban.page.compose_memo import ComposeMemo
from paiban.page.glyph_source import GlyphSource
from paiban.page.justify import GlyphInfo, LineGlyphs, justify_glyphs
from paiban.page.usual_lines import usual_lines
from paiban.page.vertical_compose import VerticalPlacer, vertical_headline_block
from paiban.text.itemize import itemize
from paiban.i18n import N_, _

#: baseline position below the em box's top, in em (ideographic em box: ascent 0.88)
BASELINE = 0.88
#: characters that take room but draw nothing
BLANKS = frozenset(" \u3000")


@dataclass
class PageBuilder:
    """A page being composed (lists, frozen into a PlacedPage at the end)."""

    number: int
    width: float
    height: float
    lines: list[PlacedLine]
    markers: list[Marker]
    rules: list[Rule] = field(default_factory=list)
    rects: list[Rect] = field(default_factory=list)
    images: list[PlacedImage] = field(default_factory=list)


#: where a warning stands in the document's order: (step, index of its page, region or story,
#: index among that one's warnings); the steps are the order `compose_some_pages` works in.
#: Pages composed apart merge by sorting their (Rank, BuildWarning) pairs on the rank alone
#: (`key=lambda pair: pair[0]`): a BuildWarning has no order of its own.
Rank = tuple[int, int, int]
RUNNING_HEADS, REGIONS, HEADLINES = 0, 1, 2


@dataclass(frozen=True)
class FlowIndex:
    """What composing a page needs of the flowed stories, worked out once for a document that is
    composed a few pages at a time: each story's lines by page, and the last grid line used in
    each region where a story ends (see `_last_lines_used`)."""

    lines_by_page: tuple[dict[int, list[FlowLine]], ...]  # per story: page number → its lines there
    last_used: dict[str, int]


def flow_index(stories: list[tuple[StorySpec, Article, StoryFlow]]) -> FlowIndex:
    by_page: list[dict[int, list[FlowLine]]] = []
    for _, _, flow in stories:
        pages: dict[int, list[FlowLine]] = {}
        for fl in flow.lines:
            pages.setdefault(fl.page, []).append(fl)
        by_page.append(pages)
    return FlowIndex(tuple(by_page), _last_lines_used(stories))


def compose_some_pages(layout: Layout, stories: list[tuple[StorySpec, Article, StoryFlow]],
                       glyphs: GlyphSource, proof: bool, numbers: set[int], index: FlowIndex | None = None,
                       memo: ComposeMemo | None = None) -> tuple[tuple[PlacedPage, ...], list[tuple[Rank, BuildWarning]]]:
    """Place furniture, every story's headline and lines on the pages in `numbers` (pages are
    independent once the stories are flowed); return those pages and their warnings (headlines
    that do not fit, low-resolution pictures). With `proof`, a story whose text does not fit gets
    a red overset marker (溢出) after the last line of its thread. Each warning comes with its
    `Rank`, so that pages composed apart merge into the same report, in the same order, by
    sorting. `index`: the stories' `flow_index`, when the caller composes the document in several
    calls. `memo`: what the last compositions of these pages made (`paiban.page.compose_memo`)."""
    index = index if index is not None else flow_index(stories)
    geo = layout.page
    pages = {n: PageBuilder(n, geo.width, geo.height, [], []) for n in layout.pages if n in numbers}
    warnings: list[tuple[Rank, BuildWarning]] = []
    if memo is not None:
        memo.begin(pages)
    made = memo.made if memo is not None else _made

    def add(page: PageBuilder, items: furniture.Furniture, step: int, index: int) -> None:
        page.lines.extend(items.lines)
        page.rules.extend(items.rules)
        page.rects.extend(items.rects)
        page.images.extend(items.images)
        page.markers.extend(items.markers)
        warnings.extend(((step, index, k), w) for k, w in enumerate(items.warnings))

    for i, number in enumerate(layout.pages):
        if number in pages:
            add(pages[number], made(number, ("running-head",), lambda: furniture.running_head(layout, number, glyphs)),
                RUNNING_HEADS, i)
    used = index.last_used
    place = LinePlacer(layout, glyphs)
    vertical = {name for name, region in layout.regions.items() if is_vertical(region)}
    place_vertical = VerticalPlacer(layout, glyphs) if vertical else None
    places = {n: memo.placer(n, place) if memo is not None else place for n in pages}
    for i, region in enumerate(layout.regions.values()):
        page = pages.get(region.page)
        if page is None:
            continue
        top = grid_line_top(layout, region.first_line, region.page)
        if region.kind is RegionKind.MASTHEAD:
            add(page, made(region.page, ("masthead", region.name),
                           lambda: furniture.masthead(layout, region, glyphs, top)), REGIONS, i)
        elif region.kind is RegionKind.PICTURE:
            add(page, made(region.page, ("picture", region.name),
                           lambda: furniture.picture(layout, region, glyphs, top)), REGIONS, i)
        last_used = used.get(region.name) if not is_vertical(region) else None
        add(page, made(region.page, ("rules", region.name, last_used),
                       lambda: furniture.region_rules(layout, region, top, last_used)), REGIONS, i)
    for i, (story, article, flow) in enumerate(stories):
        if proof and flow.overset is not None:
            number, marker = overset_marker(layout, story, flow)
            if number in pages:
                pages[number].markers.append(marker)
        page = pages.get(layout.regions[story.headline_region].page) if story.headline_region else None
        if page is not None:
            if place_vertical is not None and story.headline_region in vertical:
                lines, markers, notes = vertical_headline_block(layout, story, article, glyphs, place_vertical)
            else:
                def block(story=story, article=article):
                    return headline_block(layout, story, article, glyphs)
                lines, markers, notes = memo.headline(story, article, block) if memo is not None else block()
            page.lines.extend(lines)
            page.markers.extend(markers)
            warnings.extend(((HEADLINES, i, k), n) for k, n in enumerate(notes))
        for number, page in pages.items():
            fls = index.lines_by_page[i].get(number)
            if not fls:
                continue
            run_ins = [p.run_in for p in article.paragraphs]
            if memo is None and place_vertical is None:
                place.place(fls, run_ins, story.dateline_style, page.lines, page.markers)
                continue
            add_line, add_markers, place_here = page.lines.append, page.markers.extend, places[number]
            for fl in fls:
                if place_vertical is not None and fl.region in vertical:
                    placed, markers = place_vertical(fl)
                    add_line(placed)
                    add_markers(markers)
                    continue
                chars = run_ins[fl.paragraph] if fl.role == "text" else 0
                placed, markers = place_here(fl, (chars, story.dateline_style) if chars else None)
                add_line(placed)
                if markers:
                    add_markers(markers)
    result = tuple(PlacedPage(p.number, p.width, p.height, tuple(p.lines), tuple(p.rules), tuple(p.markers),
                              tuple(p.rects), tuple(p.images))
                   for p in (pages[n] for n in layout.pages if n in pages))
    return result, warnings


def _made(number: int, key: tuple, make):
    return make()


def _last_lines_used(stories: list[tuple[StorySpec, Article, StoryFlow]]) -> dict[str, int]:
    """For the region where each story ends (and does not fill it): the last grid line used,
    so that a box closes under the text (a balanced boxed brief does not leave an empty box)."""
    out: dict[str, int] = {}
    for _, _, flow in stories:
        if flow.overset is None and flow.lines:
            region = flow.lines[-1].region
            out[region] = max(ln.grid_line for ln in flow.lines if ln.region == region)
    return out


def overset_marker(layout: Layout, story: StorySpec, flow: StoryFlow) -> tuple[int, Marker]:
    """A box at the foot of the thread's last text column, naming the overset count."""
    region = layout.regions[story.thread[-1]]
    grid = layout.grid
    size = grid.body_size
    right = region.right(grid, layout.page.margin_left)
    y = grid_line_top(layout, region.last_line, region.page) - grid.line_pitch
    note = f"overset {flow.overset.characters} characters from: {flow.overset.sentence}"
    return region.page, Marker(right - size, y, size, size, note)


def grid_line_top(layout: Layout, grid_line: int, page: int) -> float:
    """The top of `grid_line` on `page` (a page with the masthead starts higher: `Layout.grid_top`)."""
    return layout.grid_top(page) - (grid_line - 1) * layout.grid.line_pitch


def _run_in(layout: Layout, fl: FlowLine, glyphs: GlyphSource, run_in: tuple[int, str] | None):
    """(units, lookup) of the line's start that belongs to a run-in dateline, or None."""
    if run_in is None or run_in[0] <= fl.char_offset or not fl.units:
        return None
    run_in_chars, style_name = run_in
    style = layout.styles.get(style_name)
    if style is None:
        return None
    n, seen = 0, fl.char_offset
    for u in fl.units:
        if seen >= run_in_chars:
            break
        seen += len(u.text)
        n += 1
    return n, glyphs.lookup(style.font)


class LinePlacer:
    """Flowed lines → placed lines, for one layout: what a line's style gives (size, glyph lookup,
    alignment) is looked up once per style, not once per line, and a grid line's baseline once
    per page. The usual body line (`UsualLines`) goes straight from its units to its
    `PlacedLine`; any other is justified by `justify_glyphs` and placed by `placed_line`."""

    def __init__(self, layout: Layout, glyphs: GlyphSource):
        self.layout, self.glyphs = layout, glyphs
        self._styles: dict[str, tuple] = {}
        self._left = layout.page.margin_left
        self._pitch = layout.grid.line_pitch
        self._tops: dict[int, float] = {}  # page → `Layout.grid_top`

    def _style(self, name: str) -> tuple:
        style = self.layout.styles[name]
        font = style.font
        lookup, latin_advance = self.glyphs.lookup(font), self.glyphs.latin_advance(font)
        hit = self._styles[name] = (style.size, lookup, latin_advance, style.align, style.align is Align.JUSTIFY,
                                    usual_lines(lookup, latin_advance))
        return hit

    def __call__(self, fl: FlowLine, run_in: tuple[int, str] | None = None) -> tuple[PlacedLine, list[Marker]]:
        """One line (`place`); `run_in`: the length of its paragraph's run-in dateline and the
        dateline's style, when it has one."""
        lines: list[PlacedLine] = []
        markers: list[Marker] = []
        chars, style = run_in if run_in is not None else (0, "")
        self.place((fl,), {fl.paragraph: chars}, style, lines, markers)
        return lines[0], markers

    def place(self, fls: Iterable[FlowLine], run_ins: Sequence[int] | Mapping[int, int], dateline_style: str,
              lines: list[PlacedLine], markers: list[Marker]) -> None:
        """Place lines of one story: append each to `lines`, and its proof markers to `markers`.
        `run_ins`: by paragraph, the length of its run-in dateline (0: none), set in
        `dateline_style`. (`compose_some_pages` places a page's lines of a story in one call: a
        call per line, with its result tuple, cost ~4 % of composing the page's instructions.)"""
        styles, tops, left, pitch, add = self._styles, self._tops, self._left, self._pitch, lines.append
        for fl in fls:
            hit = styles.get(fl.style)
            size, lookup, latin_advance, align, justified, usual = hit if hit is not None else self._style(fl.style)
            top = tops.get(fl.page)
            if top is None:
                top = tops[fl.page] = self.layout.grid_top(fl.page)
            y = top - (fl.grid_line - 1) * pitch - BASELINE * size  # `grid_line_top` − the baseline
            x0, justify = left + fl.x, justified and not fl.last_of_paragraph
            run_in = None
            if fl.role == "text":
                kind = fl.kind._value_  # (`Enum.value` is a property, 10× slower)
                chars = run_ins[fl.paragraph]
                if chars:
                    run_in = _run_in(self.layout, fl, self.glyphs, (chars, dateline_style))
            else:
                kind = fl.role
            if run_in is None and not fl.prefix and not fl.suffix:
                found = usual(fl.units, fl.measure / size, fl.brk.indent, justify, align)
                if found is not None:
                    chars, xs, scaled, runs = found
                    add(PlacedLine(fl.story, fl.region, fl.column, fl.grid_line, kind, x0, y, fl.measure, size, chars,
                                   chars, tuple([x0 + x * size for x in xs]), runs, scaled))
                    continue
            positioned = justify_glyphs(fl.units, fl.measure / size, fl.brk.indent, lookup, latin_advance, justify,
                                        align, fl.prefix, fl.suffix, run_in)
            # the text is the glyphs' characters: justify places every character of the line once, in order
            line, missing = placed_line(fl.story, fl.region, fl.column, fl.grid_line, kind, x0, y, fl.measure, size,
                                        None, positioned)
            add(line)
            if missing:
                markers.extend(missing)


_FACE = attrgetter("face")


def placed_line(story: str, region: str, column: int, grid_line: int, kind: str, x0: float, y: float,
                width: float, size: float, text: str | None, glyphs: LineGlyphs) -> tuple[PlacedLine, list[Marker]]:
    """The line of `glyphs` (em from the line's left edge) at (x0, y) in `size` pt type; a red
    proof box for each character no font has. Spaces and missing glyphs are not drawn. `text`:
    what the line reads; None when it is the glyphs' characters."""
    chars, xs, infos, scaled = glyphs.chars, glyphs.xs, glyphs.infos, glyphs.scaled
    markers: list[Marker] = []
    drawn = "".join(chars)
    if text is None:
        text = drawn
    if glyphs.missing or not BLANKS.isdisjoint(drawn):
        markers = [Marker(x0 + x * size, y - 0.12 * size, size, size, f"missing glyph {c!r} U+{ord(c):04X}")
                   for c, x, info in zip(chars, xs, infos) if info is None and c not in BLANKS]
        keep = [i for i, (c, info) in enumerate(zip(chars, infos)) if info is not None and c not in BLANKS]
        new_index = {old: new for new, old in enumerate(keep)}
        scaled = [(new_index[i], k) for i, k in scaled if i in new_index]
        chars, xs, infos = [chars[i] for i in keep], [xs[i] for i in keep], [infos[i] for i in keep]
        drawn = "".join(chars)
    line = PlacedLine(story, region, column, grid_line, kind, x0, y, width, size, text,
                      drawn, tuple([x0 + x * size for x in xs]), _face_runs(infos), tuple(scaled))
    return line, markers


def _face_runs(infos: list[GlyphInfo]) -> tuple[tuple[int, str], ...]:
    """(index of the first glyph, face) of each run of glyphs drawn by one face."""
    faces = list(map(_FACE, infos))
    if not faces or faces.count(faces[0]) == len(faces):  # one face (`count` compares them in C)
        return ((0, faces[0]),) if faces else ()
    runs: list[tuple[int, str]] = []
    face = None
    for i, f in enumerate(faces):
        if f != face:
            face = f
            runs.append((i, face))
    return tuple(runs)


def headline_block(layout: Layout, story: StorySpec, article: Article,
                   glyphs: GlyphSource) -> tuple[list[PlacedLine], list[Marker], list[BuildWarning]]:
    """The kicker (引题), main headline (主题) and subtitle (副题), in the story's headline region.

    Each part is broken between words (and at the author's `|` or line breaks) into balanced
    lines; the three share the main headline's alignment (centred unless it says left or right),
    and the block is centred vertically. A
    main headline that needs more than its style's `max_lines`, that can only break inside a
    word, or a block taller than the region, is set smaller down to `min_size` when the style may
    shrink, and reported when it still does not fit (warnings "headline-shrunk",
    "headline-does-not-fit", and "display-breaks-word" for any part that breaks inside a word,
    about the headline region's page)."""
    region = layout.regions[story.headline_region]
    x0 = region.left(layout.grid, layout.page.margin_left)
    width = region.width(layout.grid)
    height = region.lines * layout.grid.line_pitch
    kicker = article.headline.kicker if story.kicker_text is None else story.kicker_text
    subtitle = article.headline.subtitle if story.subtitle_text is None else story.subtitle_text
    parts = [(kicker, story.kicker_style, N_("kicker")), (article.headline.main, story.headline_style, N_("headline")),
             (subtitle, story.subtitle_style, N_("subtitle"))]
    parts = [(text, layout.styles[name], kind) for text, name, kind in parts if text]
    if not parts:
        return [], [], []
    notes: list[BuildWarning] = []
    main_style = next((st for _, st, kind in parts if kind == "headline"), None)
    align = (main_style or parts[0][1]).align
    if align is Align.JUSTIFY:  # no line of a headline is justified: a style that does not say is centred
        align = Align.CENTER
    parts = [(text, replace(style, align=align), kind) for text, style, kind in parts]
    scale = 1.0
    while True:
        rows = []
        too_many = cut_words = False
        broken_parts: list[tuple[str, list[str]]] = []  # (kind, where it is cut)
        for text, style, kind in parts:
            st = replace(style, size=style.size * scale, leading=(style.leading or style.size * 1.25) * scale) \
                if kind == "headline" else style
            lines, cuts = _headline_lines(text, st, width, glyphs)
            if kind == "headline" and st.max_lines and len(lines) > st.max_lines:
                too_many = True
            if cuts:
                broken_parts.append((kind, cuts))
                cut_words = cut_words or kind == "headline"
            rows += [(line_text, st, kind, positioned, st.leading or st.size * 1.25)
                     for line_text, positioned in lines]
        block_h = sum(r[4] for r in rows)
        fits = not too_many and not cut_words and block_h <= height + 1e-6
        if fits or main_style is None or not main_style.shrink_to_fit:
            break
        floor = (main_style.min_size or main_style.size) / main_style.size
        if scale <= floor + 1e-9:
            break
        scale = max(floor, scale * 0.92)
    if not fits and (too_many or block_h > height + 1e-6):
        why = _("needs more than {lines} lines").format(lines=main_style.max_lines) if too_many else \
            _("is {height:.0f} pt tall in a {room:.0f} pt region").format(height=block_h, room=height)
        action = _("even at its smallest size") if main_style is not None and main_style.shrink_to_fit else \
            _("and its style may not shrink")
        notes.append(BuildWarning("headline-does-not-fit",
                                  _("story {name}: headline {headline!r} {why} {action}").format(
                                      name=story.name, headline=article.headline.main, why=why, action=action),
                                  region.page, story.name))
    elif scale < 1.0:
        notes.append(BuildWarning("headline-shrunk", _("story {name}: headline set at {size:.1f} pt to fit (style "
                                                       "{style_size:g} pt)").format(
            name=story.name, size=main_style.size * scale, style_size=main_style.size),
                                  region.page, story.name))
    for kind, cuts in broken_parts:
        text = next(t for t, _, k in parts if k == kind)
        notes.append(breaks_word(_("story {name}: the {part}").format(name=story.name, part=_(kind)), text, cuts,
                                 region.page, story.name))
    top = grid_line_top(layout, region.first_line, region.page)
    y_top = top - max(0.0, (height - block_h) / 2)
    out: list[PlacedLine] = []
    markers: list[Marker] = []
    for text, style, kind, positioned, leading in rows:
        baseline = y_top - (leading - style.size) / 2 - BASELINE * style.size
        line, missing = placed_line(story.name, region.name, 0, region.first_line, kind, x0, baseline, width,
                                    style.size, text, positioned)
        out.append(line)
        markers += missing
        y_top -= leading
    return out, markers, notes


def _headline_lines(text: str, style: TextStyle, width: float, glyphs: GlyphSource
                    ) -> tuple[list[tuple[str, LineGlyphs]], list[str]]:
    """Lines of a headline part, broken at the author's manual breaks and between words, and
    balanced (linebreak/display_breaks.py); and where a break cuts a word (`DisplayLines.cuts`)."""
    measure = width / style.size
    lines: list[tuple[str, LineGlyphs]] = []
    cuts: list[str] = []
    lookup, latin_advance = glyphs.lookup(style.font), glyphs.latin_advance(style.font)
    for part in manual_parts(text):
        units = itemize(part, style.punctuation.value, latin_advance, style.latin_spacing, style.kinsoku_level.value)
        if style.tracking:  # break as if every unit carried its tracking (the last one's is free)
            tracked = tuple(replace(u, width=u.width + style.tracking, start_width=u.start_width + style.tracking,
                                    end_width=u.end_width + style.tracking) for u in units)
            broken = break_display(tracked, measure + style.tracking)
        else:
            broken = break_display(units, measure)
        cuts += broken.cuts
        for brk in broken.lines:
            line_units = units[brk.start:brk.end]
            positioned = justify_glyphs(line_units, measure=measure, indent=0.0, lookup=lookup,
                                        latin_advance=latin_advance, justify=False, align=style.align,
                                        tracking=style.tracking)
            lines.append(("".join(u.text for u in line_units), positioned))
    return lines, cuts
