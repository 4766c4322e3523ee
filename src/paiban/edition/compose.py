"""Phase one of an edition build: every layout of the edition composed, or taken from the cache.

For each layout file the edition lists: load it (the layout loader validates it; a mistake is an
`InputError` naming that file), number its pages and apply the edition's variables
(`edition_loader.apply_edition`), then look its composition key up in the build cache
(`build_cache.compose_key`). A miss runs paiban's pipeline (`pipeline.run`, no PDF) on the
renumbered layout and stores the result: a small `LayoutInfo` (the build report, and per page a
`PageInfo`: its content digest, the characters it draws per font, pictures, stories, overset,
underset, missing glyphs and warnings) and, apart, the heavy composed pages, which are only read
back when a page has to be rendered.

Functions: `prepare_layouts` (load, number, key), `compose_layouts` (cache or compose),
`load_pages` (the `PlacedPage`s of a composed layout).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from paiban.edition.build_cache import BuildCache, compose_key, content_digest, drawn_page_digest, font_inventory
from paiban.edition.edition_loader import EditionSpec, apply_edition, page_numbers
from paiban.errors import InputError, Where
from paiban.fonts.faces import FontFace
from paiban.input.layout_loader import load_layout
from paiban.model.placed import MissingGlyph, PlacedPage, chars_by_face
from paiban.model.spec import Layout, RegionKind
from paiban.report import BuildReport

if TYPE_CHECKING:
    from paiban.pipeline import BuildResult, SideWorker

__all__ = ["LayoutInfo", "PageInfo", "PageText", "PreparedLayout", "compose_layouts", "load_pages", "prepare_layouts"]


@dataclass(frozen=True)
class PageInfo:
    """What the edition build needs to know about one composed page without reading its glyphs."""

    number: int  # the edition's page number
    layout_page: int  # the page number in its layout file
    digest: str  # content digest of the `PlacedPage`
    #: face key → the distinct characters the page draws with it, sorted
    chars: dict[str, str] = field(hash=False, compare=False)
    pictures: tuple[str, ...] = ()  # image files drawn on the page
    low_res: tuple[str, ...] = ()  # pictures below the layout's min_dpi
    stories: tuple[str, ...] = ()
    overset: int = 0  # characters of stories whose thread ends on this page and does not fit
    underset_lines: int = 0  # empty text lines in the page's story regions
    missing: tuple[MissingGlyph, ...] = ()
    warnings: tuple[str, ...] = ()
    lines: int = 0  # placed lines


@dataclass(frozen=True)
class PageText:
    """A page's text operators, made while composing, and the code space they use (its characters
    beyond U+FFFF, `paiban.render.text_operators.CodeSpace`): reusable by a render that uses
    the same space."""

    astral: tuple[str, ...]
    operators: str


@dataclass(frozen=True)
class LayoutInfo:
    """A composed layout as the edition needs it: its key, its pages, the faces they draw with and
    its build report."""

    path: Path
    key: str
    title: str
    pages: tuple[PageInfo, ...]
    faces: dict[str, FontFace] = field(hash=False, compare=False)
    report: BuildReport | None = None
    seconds: float = 0.0  # compose time when it was composed


@dataclass(frozen=True)
class PreparedLayout:
    """A layout loaded, renumbered to the edition's pages and keyed, not yet composed."""

    path: Path
    layout: Layout  # with the edition applied
    mapping: dict[int, int] = field(hash=False, compare=False)  # layout page → edition page
    key: str = ""
    own_pages: tuple[int, ...] = ()  # the layout file's own page numbers, in its order


def prepare_layouts(spec: EditionSpec, proof: bool) -> list[PreparedLayout]:
    """Load every layout, give its pages their edition numbers and compute its composition key."""
    from paiban.fonts.registry import default_roles_file

    loaded = [load_layout(ref.path) for ref in spec.layouts]
    maps = page_numbers(spec, [layout.pages for layout in loaded])
    inventory = font_inventory()
    out = []
    for ref, layout, mapping in zip(spec.layouts, loaded, maps):
        effective = apply_edition(layout, spec, mapping)
        pictures = [r.picture.image for r in effective.regions.values() if r.picture is not None]
        if effective.edition.masthead_image is not None:
            pictures.append(effective.edition.masthead_image)
        key = compose_key(repr(effective), [s.article for s in effective.stories], pictures,
                          effective.roles_file or default_roles_file(),
                          [p for p, _ in effective.font_overrides.values()], inventory, proof)
        out.append(PreparedLayout(ref.path, effective, mapping, key, layout.pages))
    return out


def compose_layouts(prepared: list[PreparedLayout], cache: BuildCache | None, proof: bool,
                    progress: Callable[[str], None] = lambda s: None, use_cache: bool = True,
                    before_composing: Callable[[], None] = lambda: None,
                    texts: dict[int, PageText] | None = None, jobs: int = 1,
                    saves: list[Callable[[], None]] | None = None, helper: SideWorker | None = None,
                    ) -> tuple[list[LayoutInfo], dict[str, tuple[PlacedPage, ...]], list[bool]]:
    """Every layout's `LayoutInfo` (from the cache when its key is there and `use_cache`), the pages
    composed now (by key), and for each layout whether it came from the cache. New compositions
    are stored in `cache`; `before_composing` is called once, before the first one. With `texts`,
    the pages composed now also get their text operators there, by edition page number, made in
    `jobs` processes (`paiban.page.forked_compose`). With `saves`, storing them is left to the
    caller: a call for each is appended there (the caller stores them while workers render).
    `helper`: handed to `pipeline.run` (the render workers, started once the fonts are loaded)."""
    cached = [cache.load_info(item.key) if cache is not None and use_cache else None for item in prepared]
    if any(info is None for info in cached):
        before_composing()
    infos: list[LayoutInfo] = []
    fresh: dict[str, tuple[PlacedPage, ...]] = {}
    hits: list[bool] = []
    for i, (item, info) in enumerate(zip(prepared, cached), 1):
        if info is not None:
            infos.append(info)
            hits.append(True)
            continue
        progress(f"composing {i}/{len(prepared)} {item.path.name}")
        made: dict[int, PageText] = {}
        # with text operators made, the lines of pages composed in other processes stay there
        info, pages = compose_one(item, proof, made if texts is not None else None, jobs, keep_lines=texts is None,
                                  helper=helper)
        if texts is not None:
            texts.update(made)
        if cache is not None:
            save = (lambda key=item.key, info=info, stored=_stored(pages, made):
                    cache.save_composition(key, info, stored))
            if saves is None:
                save()
            else:
                saves.append(save)
        infos.append(info)
        fresh[item.key] = pages
        hits.append(False)
    return infos, fresh, hits


def load_pages(info: LayoutInfo, cache: BuildCache | None, fresh: dict[str, tuple[PlacedPage, ...]],
               proof: bool, prepared: PreparedLayout, astral: tuple[str, ...] | None = None,
               texts: dict[int, PageText] | None = None) -> tuple[PlacedPage, ...]:
    """The composed pages of a layout: composed in this run, from the cache, or composed again.

    The cache keeps pages without their lines when their text operators were made (`_stored`):
    such pages are returned when the caller draws from operators in the code space `astral`
    (the operators go into `texts`, by page number); with `astral` None (the lines are read: a
    trace) or operators of another code space, the layout is composed again."""
    if info.key in fresh:
        return fresh[info.key]
    entry = cache.load_pages(info.key) if cache is not None else None
    if entry is not None:
        pages, stored = entry
        if stored is None:  # stored with their lines
            fresh[info.key] = pages
            return pages
        if astral is not None and texts is not None and all(
                n in stored and stored[n].astral == astral for n in (p.number for p in pages)):
            texts.update(stored)
            return pages
    made: dict[int, PageText] = {}
    _, pages = compose_one(prepared, proof, made)  # composed here: with their lines
    if cache is not None:
        cache.save_composition(info.key, info, _stored(pages, made))
    fresh[info.key] = pages
    if texts is not None:
        texts.update(made)
    return pages


def _stored(pages: tuple[PlacedPage, ...], texts: dict[int, PageText]) -> tuple:
    """A layout's pages as the cache keeps them: without their lines and with their text
    operators when every page has them (the lines of pages composed in a child process were
    never sent here), else with their lines."""
    if all(p.number in texts for p in pages):
        return tuple(replace(p, lines=()) for p in pages), {p.number: texts[p.number] for p in pages}
    return tuple(pages), None


def _run_pipeline(path: Path, layout: Layout, own_pages: tuple[int, ...], proof: bool,
                  encode: bool = False, jobs: int = 1, keep_lines: bool = True, helper: SideWorker | None = None
                  ) -> BuildResult:
    """`pipeline.run` on `path`, with the loaded layout replaced by `layout` (the edition's): the
    registry is built from the file as usual (font roles, font_files), the layout handed on is the
    renumbered one with the edition's variables."""
    from paiban import pipeline

    def transform(loaded: Layout) -> Layout:
        if loaded.pages != own_pages:
            raise InputError(f"the layout's pages changed during the build (now {list(loaded.pages)})",
                             Where(path, key="pages"))
        return layout

    # composed in several processes, the pages are drawn by render workers, not here
    return pipeline.run(path, None, proof=proof, transform=transform, encode=encode, jobs=jobs, renders_here=jobs <= 1,
                        keep_lines=keep_lines, helper=helper)


def compose_one(item: PreparedLayout, proof: bool, texts: dict[int, PageText] | None = None, jobs: int = 1,
                keep_lines: bool = True, helper: SideWorker | None = None) -> tuple[LayoutInfo, tuple[PlacedPage, ...]]:
    """Compose one layout (`pipeline.run`); its pages' text operators into `texts` when given.
    `keep_lines` False: pages composed in a child process come as `DeferredLines`."""
    start = time.perf_counter()
    result = _run_pipeline(item.path, item.layout, item.own_pages, proof, encode=texts is not None, jobs=jobs,
                           keep_lines=keep_lines, helper=helper)
    if texts is not None and result.page_texts is not None and result.space is not None:
        for page, text in zip(result.document.pages, result.page_texts):
            texts[page.number] = PageText(result.space.astral, text)
    layout = result.layout
    pages = result.document.pages
    if tuple(p.number for p in pages) != layout.pages:  # pragma: no cover - pipeline invariant
        raise InputError(f"{item.path}: composed pages {[p.number for p in pages]} are not {layout.pages}")
    infos = _page_infos(layout, result, pages, {v: k for k, v in item.mapping.items()})
    info = LayoutInfo(item.path, item.key, layout.title, infos, dict(result.glyphs.faces), result.report,
                      time.perf_counter() - start)
    return info, pages


def _page_infos(layout: Layout, result: BuildResult, pages: tuple[PlacedPage, ...], own_number: dict[int, int]
                ) -> tuple[PageInfo, ...]:
    report: BuildReport = result.report
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
            underset[r["page"]] += max(0, r["capacity"] - r["lines"])
    missing: dict[int, list[MissingGlyph]] = defaultdict(list)
    for m in report.missing:
        missing[_missing_page(m, layout, result.flows, first_page)].append(m)
    warnings: dict[int, list[str]] = defaultdict(list)
    for w in report.warnings:
        warnings[_warning_page(w, layout, pages, first_page)].append(w)
    out = []
    for i, page in enumerate(pages):
        chars = result.page_chars[i] if result.page_chars is not None else chars_by_face([page])
        n = page.number
        low = tuple(f"picture {Path(im.path).name}: {im.dpi:.0f} dpi, below the {layout.min_dpi:.0f} dpi minimum"
                    for im in page.images if im.dpi < layout.min_dpi)
        out.append(PageInfo(
            number=n, layout_page=own_number.get(n, n), digest=_page_digest(result, i, page),
            chars={face: "".join(sorted(cs)) for face, cs in sorted(chars.items())},
            pictures=tuple(sorted({im.path for im in page.images})), low_res=low,
            stories=tuple(name for name, ps in story_pages.items() if n in ps),
            overset=overset.get(n, 0), underset_lines=underset.get(n, 0), missing=tuple(missing.get(n, ())),
            warnings=tuple(warnings.get(n, ())), lines=len(page.lines)))
    return tuple(out)


def _page_digest(result: BuildResult, index: int, page: PlacedPage) -> str:
    """The page's digest: from its text operators when composing made them, else its content."""
    if result.page_texts is not None and result.space is not None:
        return drawn_page_digest(page, result.page_texts[index], result.space.astral)
    return content_digest(page)


def _missing_page(m: MissingGlyph, layout: Layout, flows: tuple, first_page: dict[str, int]) -> int:
    """The page where a missing glyph is printed (its paragraph's line, its headline, its caption)."""
    if m.paragraph > 0:
        page = None
        for flow in flows:
            if flow.story != m.story:
                continue
            for ln in flow.lines:
                if ln.paragraph == m.paragraph - 1 and ln.role == "text" and ln.char_offset <= m.offset:
                    page = ln.page
        if page is not None:
            return page
    if m.story in first_page:
        return first_page[m.story]
    for region in layout.regions.values():
        if m.part and region.name in m.part:  # "caption of lead-picture"
            return region.page
        if m.part == "masthead" and region.kind is RegionKind.MASTHEAD:
            return region.page
    return layout.pages[0]


def _warning_page(text: str, layout: Layout, pages: tuple[PlacedPage, ...], first_page: dict[str, int]) -> int:
    """The page a warning is about: its story's first page, its picture's, its region's."""
    if text.startswith("story "):
        name = text[len("story "):].split(":", 1)[0]
        if name in first_page:
            return first_page[name]
    if text.startswith("picture "):
        subject = text[len("picture "):].split(":", 1)[0]
        for page in pages:
            if any(Path(im.path).name == subject for im in page.images):
                return page.number
    for name, region in layout.regions.items():
        if name in text.split(":", 1)[0].split():
            return region.page
    for name, page in first_page.items():
        if name in text.split(":", 1)[0].split():
            return page
    return layout.pages[0]
