"""Phase one of an edition build: every layout loaded once, renumbered, flowed and composed.

For each layout file the edition lists: load it with its fonts (`pipeline.load`; a mistake is
an `InputError` naming that file), number its pages and apply the edition's variables
(`edition_loader.apply_edition`), read and flow its stories (`pipeline.flow`). Then every page
of every layout is composed and encoded (`pipeline.compose_pages`) in the build's pool, and
summed up as a `PageInfo`: its content digest, the characters it draws per font, its pictures,
stories, overset, underset, missing glyphs and warnings.

Functions: `prepare_layouts` (load, number, flow), `compose_layouts` (every page, in a pool).
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from paiban import parallel, pipeline
from paiban.edition.build_cache import drawn_page_digest
from paiban.edition.edition_loader import EditionSpec, apply_edition, page_numbers
from paiban.errors import InputError, Where
from paiban.fonts.faces import FontFace
from paiban.model.build_warning import BuildWarning
from paiban.model.placed import EncodedPage, MissingGlyph
from paiban.model.spec import Layout, RegionKind
from paiban.render.text_operators import CodeSpace
from paiban.report import BuildReport

__all__ = ["LayoutInfo", "PageInfo", "PreparedLayout", "compose_layouts", "prepare_layouts"]


@dataclass(frozen=True)
class PageInfo:
    """What the edition build needs to know about one composed page, besides its encoding."""

    number: int  # the edition's page number
    layout_page: int  # the page number in its layout file
    digest: str  # digest of what the page draws
    #: face key → the distinct characters the page draws with it, sorted
    chars: dict[str, str] = field(hash=False, compare=False)
    pictures: tuple[str, ...] = ()  # image files drawn on the page
    low_res: tuple[str, ...] = ()  # pictures below the layout's min_dpi
    stories: tuple[str, ...] = ()
    overset: int = 0  # characters of stories whose thread ends on this page and does not fit
    underset_lines: int = 0  # empty text lines in the page's story regions
    missing: tuple[MissingGlyph, ...] = ()
    warnings: tuple[BuildWarning, ...] = ()
    lines: int = 0  # placed lines


@dataclass(frozen=True)
class LayoutInfo:
    """A composed layout as the edition needs it: its pages (summed up and encoded), the faces
    they draw with and its build report."""

    path: Path
    title: str
    pages: tuple[PageInfo, ...]
    encoded: tuple[EncodedPage, ...] = field(repr=False)
    faces: dict[str, FontFace] = field(hash=False, compare=False)
    report: BuildReport
    seconds: float = 0.0  # flow and compose time
    placed: tuple = ()  # the composed pages with their lines, when kept (a trace)


@dataclass(frozen=True)
class PreparedLayout:
    """A layout loaded once, renumbered to the edition's pages, its stories read and flowed."""

    path: Path
    flowed: pipeline.Flowed
    stories: tuple[pipeline.Story, ...]
    mapping: dict[int, int] = field(hash=False, compare=False)  # layout page → edition page
    seconds: float = 0.0

    @property
    def layout(self) -> Layout:
        return self.flowed.layout

    @property
    def key(self) -> str:
        """The layout's name in the build's pool (its first edition page is unique)."""
        return str(min(self.mapping.values()))


def prepare_layouts(spec: EditionSpec, root: Path | None = None) -> list[PreparedLayout]:
    """Load every layout (once), give its pages their edition numbers, read and flow its stories.

    Each layout is loaded confined to `root` (default: the edition's root, `spec.root`, from
    `load_edition(path, root)`; None there: each layout's own folder or `root:`) and with the
    edition's limits over its own."""
    fonts = pipeline.Fonts()
    root = root if root is not None else spec.root
    source = f"the root of the edition file {spec.source.name}"
    loaded = [pipeline.load(ref.path, fonts, root=root, limits=spec.limits, root_source=source)
              for ref in spec.layouts]
    maps = page_numbers(spec, [item.layout.pages for item in loaded])
    read = []
    for item, mapping in zip(loaded, maps):
        layout = apply_edition(item.layout, spec, mapping)
        _check_roles(layout, item)
        read.append((pipeline.Loaded(layout, item.registry, item.glyphs), pipeline.read_stories(layout)))
    # one code space for the edition: its PDF holds every page, with the same codes as the page's own
    space = CodeSpace.for_texts(text for loaded_, stories in read
                                for text in pipeline.document_texts(loaded_.layout, stories))
    out = []
    for ref, (effective, stories), mapping in zip(spec.layouts, read, maps):
        start = time.perf_counter()
        flowed = pipeline.flow(effective, stories, space)
        out.append(PreparedLayout(ref.path, flowed, stories, mapping, time.perf_counter() - start))
    return out


def _check_roles(layout: Layout, loaded: pipeline.Loaded) -> None:
    """The edition's shared styles may name font roles: each must be one the layout's fonts know."""
    known = set(loaded.registry.roles()) | set(layout.font_overrides)
    for style in layout.styles.values():
        if style.font not in known:
            raise InputError(f"style {style.name}: unknown font role {style.font!r} "
                             f"(known roles: {', '.join(sorted(known))})", Where(layout.source))


def compose_layouts(prepared: list[PreparedLayout], pool: parallel.Pool | None, proof: bool,
                    keep_lines: bool = False) -> list[LayoutInfo]:
    """Every page of every layout composed and encoded: in `pool` when its workers were forked
    with the layouts installed (`pipeline.install_layouts`, under `PreparedLayout.key`), else
    here. Each layout's glyph coverage is checked here meanwhile."""
    futures = [pipeline.compose_pages(item.flowed, proof, pool, item.key, keep_lines) for item in prepared]
    coverage = [pipeline.check_coverage(item.layout, item.stories, item.flowed.glyphs) for item in prepared]
    infos = []
    for item, pending, found in zip(prepared, futures, coverage):
        start = time.perf_counter()
        composed = [future.result() for future in pending]
        report = pipeline.build_report(item.path, item.flowed, composed, found, {})
        faces = dict(item.flowed.glyphs.faces)
        for page in composed:
            faces.update(page.faces)
        encoded = tuple(page.encoded for page in composed)
        pages = _page_infos(item, report, composed)
        placed = tuple(page.placed for page in composed if page.placed is not None)
        infos.append(LayoutInfo(item.path, item.layout.title, pages, encoded, faces, report,
                                item.seconds + time.perf_counter() - start, placed))
    return infos


def _page_infos(item: PreparedLayout, report: BuildReport, composed: list[pipeline.ComposedPage]
                ) -> tuple[PageInfo, ...]:
    layout = item.layout
    own_number = {v: k for k, v in item.mapping.items()}
    story_pages: dict[str, list[int]] = defaultdict(list)
    for spec in layout.stories:
        if spec.headline_region:
            story_pages[spec.name].append(layout.regions[spec.headline_region].page)
        for name in spec.thread:
            story_pages[spec.name].append(layout.regions[name].page)
    first_page = {name: pages_[0] for name, pages_ in story_pages.items() if pages_}
    overset: dict[int, int] = defaultdict(int)
    underset: dict[int, int] = defaultdict(int)
    for spec, story in zip(layout.stories, report.stories):
        if story.overset:
            overset[layout.regions[spec.thread[-1]].page] += story.overset
        for r in story.regions:
            underset[r.page] += max(0, r.capacity - r.lines)
    missing: dict[int, list[MissingGlyph]] = defaultdict(list)
    for m in report.missing:
        missing[_missing_page(m, layout, item.flowed.flows, first_page)].append(m)
    warnings: dict[int, list[BuildWarning]] = defaultdict(list)
    for w in report.warnings:  # a warning of no page (overset text) goes to its story's first page
        page = w.page if w.page is not None else first_page.get(w.story, layout.pages[0])
        warnings[page].append(w)
    out = []
    for page in (c.encoded for c in composed):
        n = page.number
        low = tuple(f"picture {Path(im.path).name}: {im.dpi:.0f} dpi, below the {layout.min_dpi:.0f} dpi minimum"
                    for im in page.images if im.dpi < layout.min_dpi)
        out.append(PageInfo(
            number=n, layout_page=own_number.get(n, n), digest=drawn_page_digest(page), chars=page.chars,
            pictures=tuple(sorted({im.path for im in page.images})), low_res=low,
            stories=tuple(name for name, ps in story_pages.items() if n in ps),
            overset=overset.get(n, 0), underset_lines=underset.get(n, 0), missing=tuple(missing.get(n, ())),
            warnings=tuple(warnings.get(n, ())), lines=page.line_count))
    return tuple(out)


def _missing_page(m: MissingGlyph, layout: Layout, flows: tuple, first_page: dict[str, int]) -> int:
    """The page where a missing glyph is printed (its paragraph's line, its headline, its caption)."""
    if m.paragraph > 0:
        pages = [ln.page for flow in flows if flow.story == m.story for ln in flow.lines
                 if ln.paragraph == m.paragraph - 1 and ln.role == "text" and ln.char_offset <= m.offset]
        if pages:  # the last line that starts at or before the character
            return pages[-1]
    if m.story in first_page:
        return first_page[m.story]
    for region in layout.regions.values():
        if m.part and region.name in m.part:  # "caption of lead-picture"
            return region.page
        if m.part == "masthead" and region.kind is RegionKind.MASTHEAD:
            return region.page
    return layout.pages[0]
