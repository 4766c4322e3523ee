"""Proof overlays: what a layout desk checks on a page, as shapes the PDF (`paiban build
--proof`, `paiban.render.proof_drawing`) and the browser (`paiban serve`) draw over it.

    shapes = proof_shapes(result.document, result.report)   # page number → its shapes

`document` is the composed `paiban.model.placed.Document` with its lines (a build that keeps
them: `BuildOptions.keep_lines`) and its `layout` set (`pipeline.build` sets it; for an edition,
call this once per layout with that layout's pages and report); `report` is the layout's
`paiban.report.BuildReport` (the fill of each story's regions, overset, fallback glyphs, the
headline warnings). Every shape is a rectangle in PDF points with the origin at the bottom-left
corner of the page's **trim** (the page as designed): the coordinates of the composed page
(`PlacedPage`). The renderer draws the page shifted onto the trim (`PageBoxes.offset`, the
bleed plus the marks' zone when there are marks); a viewer of the PDF adds that offset, or reads
it from the TrimBox.

Kinds (a shape's `label` says what it marks; `tone` is ``info``, ``ok``, ``warn`` or ``error``):

* ``grid-column``: each basic column of the page grid, from the top of grid line 1 to the
  foot of the last line; label its number.
* ``gutter``: the space between two basic columns, over the same height.
* ``grid-line``: one per body grid line, a line (``y0 == y1``) at its baseline across the type
  area (the body's baselines, where InDesign's baseline grid would be); label its number. A
  page has about a hundred, so a viewer may draw them as one pattern (the pitch is the distance
  between two of them).
* ``region``: each region's outline. Label: region name, story, and for text regions the fill:
  ``lines used/capacity`` and ``剩余 N字`` (characters the empty lines would hold) or ``溢出 N字``
  (overset; on the last region of the story's thread). Tone ``error`` where the story is overset
  (or its headline does not fit), ``warn`` where more than a line is left empty (or the headline
  was shrunk, or no story flows in the region), else ``ok``; picture and masthead regions
  ``info``.
* ``overset``: where overset text starts: the end of the story's last placed line (or the top of
  its last region when no line was placed); tone ``error``, label the overset count and sentence.
* ``jump-link``: the jump text of a ``（下转第N版）`` or ``（上接第N版）`` line (the layout's
  `jumps:` templates), `target_page` the page it names; tone ``info``.
* ``missing-glyph``: the cell of a character no font has (tone ``error``, as composition's red
  proof box) or of one drawn by a fallback face (tone ``warn``).
* ``low-resolution``: a picture drawn below the layout's `preflight.min_dpi`; tone ``error``.

Shapes come in that order on each page (the grid first: it is drawn under the page).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import RegionFill
from paiban.model.placed import Document, FallbackUse, PlacedLine, PlacedPage
from paiban.model.spec import Layout, Region, RegionKind
from paiban.units import page_numeral

#: baseline below the em box's top and the em box's depth below the baseline (as composition)
BASELINE = 0.88
DEPTH = 1 - BASELINE


@dataclass(frozen=True)
class ProofShape:
    """One proof mark: a rectangle in pt (origin: the trim's bottom-left corner), what it is
    (`kind`), what it says (`label`), how it stands (`tone`), and for a jump link the page it
    points to."""

    kind: str
    x0: float
    y0: float
    x1: float
    y1: float
    label: str = ""
    tone: str = "info"  # info, ok, warn, error
    target_page: int | None = None


class StoryFit(Protocol):
    """What a story's fit in the build report gives (`paiban.report.StoryReport`, a layer above)."""

    @property
    def name(self) -> str: ...
    @property
    def overset(self) -> int: ...
    @property
    def overset_sentence(self) -> str: ...
    @property
    def regions(self) -> tuple[RegionFill, ...]: ...
    @property
    def underset_lines(self) -> int: ...
    @property
    def underset_characters(self) -> int: ...


class ProofReport(Protocol):
    """What the overlays read of a build report (`paiban.report.BuildReport`)."""

    @property
    def stories(self) -> Sequence[StoryFit]: ...
    @property
    def fallbacks(self) -> Sequence[FallbackUse]: ...
    @property
    def warnings(self) -> Sequence[BuildWarning]: ...


def proof_shapes(document: Document, report: ProofReport) -> dict[int, tuple[ProofShape, ...]]:
    """Each page's proof shapes (see the module docstring), by page number."""
    layout = document.layout
    if layout is None:
        raise ValueError("proof_shapes needs the document's layout (Document.layout)")
    fills = {fill.region: (story, fill) for story in report.stories for fill in story.regions}
    heads = _headline_tones(layout, report.warnings)
    fallbacks = {(f.story, f.face, f.char) for f in report.fallbacks}
    jumps = _jump_texts(layout)
    out: dict[int, tuple[ProofShape, ...]] = {}
    for page in document.pages:
        shapes = _grid(layout, page.number)
        shapes += [_region(layout, region, fills.get(region.name), heads)
                   for region in layout.regions.values() if region.page == page.number]
        shapes += _overset(layout, page, report.stories)
        shapes += [shape for line in page.lines for shape in _jump_links(line, jumps)]
        shapes += _glyphs(page, fallbacks)
        shapes += [ProofShape("low-resolution", im.x, im.y, im.x + im.w, im.y + im.h,
                              f"{im.dpi:.0f} dpi < {layout.min_dpi:.0f}", "error")
                   for im in page.images if im.dpi < layout.min_dpi]
        out[page.number] = tuple(shapes)
    return out


# ---- the grid ---------------------------------------------------------------------------------

def _grid(layout: Layout, number: int) -> list[ProofShape]:
    grid = layout.grid
    left = layout.page.margin_left
    top = layout.grid_top(number)
    rows = layout.rows_on(number)
    bottom = top - rows * grid.line_pitch
    width = grid.column_chars * grid.body_size
    shapes = []
    for c in range(1, grid.columns + 1):
        x = left + grid.column_x(c)
        shapes.append(ProofShape("grid-column", x, bottom, x + width, top, str(c)))
        if c < grid.columns:
            shapes.append(ProofShape("gutter", x + width, bottom, left + grid.column_x(c + 1), top))
    right = left + grid.type_width
    for r in range(1, rows + 1):
        y = top - (r - 1) * grid.line_pitch - BASELINE * grid.body_size
        shapes.append(ProofShape("grid-line", left, y, right, y, str(r)))
    return shapes


# ---- regions ----------------------------------------------------------------------------------

def _outline(layout: Layout, region: Region) -> tuple[float, float, float, float]:
    grid = layout.grid
    left = layout.page.margin_left
    top = layout.grid_top(region.page) - (region.first_line - 1) * grid.line_pitch
    return (region.left(grid, left), top - region.lines * grid.line_pitch, region.right(grid, left), top)


def _region(layout: Layout, region: Region, fill: tuple[StoryFit, RegionFill] | None,
            heads: dict[str, tuple[str, str]]) -> ProofShape:
    outline = _outline(layout, region)
    if region.kind is RegionKind.TEXT:
        label, tone = _text_fill(layout, region, fill)
    elif region.kind is RegionKind.HEADLINE and region.name in heads:
        story, tone = heads[region.name]
        label = f"{region.name} · {story}"
    else:
        label, tone = f"{region.name} · {region.kind.value}", "info"
    return ProofShape("region", *outline, label, tone)


def _text_fill(layout: Layout, region: Region, fill: tuple[StoryFit, RegionFill] | None) -> tuple[str, str]:
    """A text region's label and tone: its story's lines, capacity and what is left or overset."""
    if fill is None:
        return f"{region.name} · no story", "warn"
    story, used = fill
    label = f"{region.name} · {story.name} · {used.lines}/{used.capacity}"
    if story.overset and story.regions[-1].region == region.name:
        return f"{label} · 溢出 {story.overset}字", "error"
    free = used.capacity - used.lines
    if free <= 0:
        return label, "ok"
    left = _left_characters(layout, region, story, free)
    tone = "warn" if left > region.measure_chars(layout.grid) else "ok"
    return f"{label} · 剩余 {left}字", tone


def _left_characters(layout: Layout, region: Region, story: StoryFit, free: int) -> int:
    """The characters `free` empty lines of the region would hold: the flow's own count when the
    story leaves them only here (its slots know their measure), else by the region's measure."""
    others = sum(max(0, f.capacity - f.lines) for f in story.regions if f.region != region.name)
    if others == 0 and story.underset_lines == free:
        return story.underset_characters
    return int(free * region.measure_chars(layout.grid))


def _headline_tones(layout: Layout, warnings: Iterable[BuildWarning]) -> dict[str, tuple[str, str]]:
    """Headline region → (its story, tone): error when the headline does not fit, warn when shrunk."""
    rank = {"ok": 0, "warn": 1, "error": 2}
    worst = {"headline-does-not-fit": "error", "headline-shrunk": "warn", "display-breaks-word": "warn"}
    tones = {story.name: "ok" for story in layout.stories}
    for w in warnings:
        tone = worst.get(w.kind)
        if tone is not None and w.story in tones and rank[tone] > rank[tones[w.story]]:
            tones[w.story] = tone
    return {story.headline_region: (story.name, tones[story.name])
            for story in layout.stories if story.headline_region}


def _overset(layout: Layout, page: PlacedPage, stories: Iterable[StoryFit]) -> list[ProofShape]:
    shapes = []
    specs = {story.name: story for story in layout.stories}
    for story in stories:
        spec = specs.get(story.name)
        if not story.overset or spec is None or layout.regions[spec.thread[-1]].page != page.number:
            continue
        label = f"溢出 {story.overset}字: {story.overset_sentence}"
        placed = [ln for ln in page.lines if ln.story == story.name and ln.region in spec.thread]
        if placed:
            last = placed[-1]
            x1, size = last.x + last.width, last.size
            shapes.append(ProofShape("overset", x1 - size, last.y - DEPTH * size, x1, last.y + BASELINE * size,
                                     label, "error"))
        else:
            x0, _, x1, top = _outline(layout, layout.regions[spec.thread[-1]])
            size = layout.grid.body_size
            shapes.append(ProofShape("overset", x0, top - size, x0 + size, top, label, "error"))
    return shapes


# ---- jump lines -------------------------------------------------------------------------------

def _jump_texts(layout: Layout) -> list[tuple[str, bool, int]]:
    """(text, is it a 下转 line's, page) for every page a jump line may name."""
    numerals = layout.edition.page_numerals
    out = []
    for page in layout.pages:
        out.append((layout.jumps.to_page.format(page=page_numeral(page, numerals)), True, page))
        out.append((layout.jumps.from_page.format(page=page_numeral(page, numerals)), False, page))
    return out


def _jump_links(line: PlacedLine, jumps: list[tuple[str, bool, int]]) -> list[ProofShape]:
    """The jump text of a body line that ends with a 下转 text or starts with a 上接 text."""
    if not line.story or not line.chars:
        return []
    for text, to_page, page in jumps:
        if to_page and line.chars.endswith(text):
            start, end = len(line.chars) - len(text), len(line.chars)
        elif not to_page and line.chars.startswith(text):
            start, end = 0, len(text)
        else:
            continue
        # an opening bracket set half width starts half an em before its ink: not before the line
        x0, x1 = max(line.xs[start], line.x), _glyph_end(line, end - 1)
        size = line.size
        return [ProofShape("jump-link", x0, line.y - DEPTH * size, x1, line.y + BASELINE * size,
                           text, "info", page)]
    return []


def _glyph_end(line: PlacedLine, i: int) -> float:
    """Where glyph `i` of the line ends: the next glyph's origin, or for the last one the line's
    end (it is set flush there unless the line is short: then an em after its origin)."""
    if i + 1 < len(line.xs):
        return line.xs[i + 1]
    end = line.x + line.width
    return end if line.xs[i] < end <= line.xs[i] + line.size else line.xs[i] + line.size


# ---- glyphs -----------------------------------------------------------------------------------

def _glyphs(page: PlacedPage, fallbacks: set[tuple[str, str, str]]) -> list[ProofShape]:
    """Missing glyphs (composition's red proof boxes) and glyphs drawn by a fallback face."""
    shapes = [ProofShape("missing-glyph", m.x, m.y, m.x + m.w, m.y + m.h, m.note, "error")
              for m in page.markers if m.note.startswith("missing glyph")]
    if not fallbacks:
        return shapes
    stories = {story for story, _, _ in fallbacks}
    for line in page.lines:
        if line.story not in stories:
            continue
        for face, start, end in line.runs():
            for i in range(start, end):
                char = line.chars[i]
                if (line.story, face, char) in fallbacks:
                    size = line.size
                    shapes.append(ProofShape("missing-glyph", line.xs[i], line.y - DEPTH * size, _glyph_end(line, i),
                                             line.y + BASELINE * size,
                                             f"fallback glyph {char!r} U+{ord(char):04X} ({face})", "warn"))
    return shapes
