"""The warm, incremental build behind `paiban serve`: a layout (or an edition) kept in memory.

A `Session` runs the pipeline's stages (`paiban.pipeline`) once, then on every saved file again,
doing only what the change asks for:

* the layout is loaded again (`pipeline.load`) only when a file other than an article changed
  (the layout, a picture, the roles file); the font registries and glyph sources (`pipeline.Fonts`)
  are kept unless a font file changed;
* articles are read again only when their file changed;
* a story is flowed again only when its spec, its article or the rest of the layout changed (its
  `StoryFlow` is kept with the inputs it was made of, and the itemizer's memo of paragraph units
  is kept with the fonts and styles); after an edit of its article only, the flow resumes at the
  first paragraph edited and takes the last flow up again where they meet
  (`paiban.flow.thread_flow.flow_story_traced`);
* a page is composed again only when what it shows changed: the lines of each story on it, the
  headlines set on it, the last lines used in its regions (`_page_key`); its lines placed before
  and its headlines are taken again (`paiban.page.compose_memo`);
* a page is rendered to its own PDF only when its encoded content (`EncodedPage`) differs from
  the one shown (or a picture or font on it is new); its preview and thumbnail are made when
  first asked for (`preview`): the last preview with the changed lines drawn again
  (`paiban.serve.pixels`), or the page PDF drawn whole.

The report (`report`) may follow the pages: the server tells the browser of the new pages
first, then makes the report and tells it again.

A mistake in the input (an `InputError`, a file gone in the middle of a save), or a bug, ends the
rebuild with the one line the CLI prints; the pages of the last good build stay.
Everything runs in the caller's thread: the server calls `rebuild` from its event loop.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path

from paiban import pipeline
from paiban.edition import is_edition_file
from paiban.edition.edition_loader import PreviewSpec, apply_edition, load_edition, page_numbers
from paiban.errors import InputError, PaibanError
from paiban.flow.flow_resume import FlowTrace
from paiban.flow.thread_flow import flow_story_traced
from paiban.i18n import _
from paiban.model.article import Article
from paiban.model.flowed import StoryFlow
from paiban.model.placed import Document, EncodedPage, PlacedPage
from paiban.model.spec import Layout, RegionKind, StorySpec
from paiban.page.compose import flow_index
from paiban.page.compose_memo import ComposeMemo
from paiban.page.proof_overlay import ProofShape, proof_shapes
from paiban.serve import pixels
from paiban.render.press import page_boxes
from paiban.render.text_operators import CodeSpace, GlyphCodes, encode_page
from paiban.report import BuildReport
from paiban.text.vertical_rules import story_itemizer

#: the preview of a page: greyscale at this resolution, and a thumbnail this wide for the strip
PREVIEW = PreviewSpec(dpi=72.0, color=False, thumb_width=120)


@dataclass(frozen=True)
class PageView:
    """A page as the browser shows it: its PDF (written), its version (a new one each time the
    page is rendered again), and where the PDF's MediaBox lies around the trim (pt, PDF axes,
    origin at the trim's lower-left corner: the proof overlay's coordinates)."""

    number: int
    version: int
    pdf: Path
    box: tuple[float, float, float, float]


@dataclass(frozen=True)
class Outcome:
    """What one rebuild did: the pages rendered again, the error (one line) or None, the time."""

    changed: tuple[int, ...]
    error: str | None
    seconds: float
    timings: dict[str, float]


def error_line(exc: BaseException) -> str:
    """The line `paiban build` prints on stderr for this failure (`paiban.cli`, `_Output.failed`):
    an input error, a file gone or unreadable; a check of paiban's own that failed, or a bug, as
    an internal error."""
    if isinstance(exc, OSError) and exc.filename is not None and exc.strerror:
        text = f"{exc.filename}: {exc.strerror}"
    elif isinstance(exc, (OSError, MemoryError)) or not isinstance(exc, PaibanError):
        text = f"{type(exc).__name__}: {exc}"  # a bug in paiban, when not the system's
    else:
        text = str(exc)
    internal = not isinstance(exc, (InputError, OSError, MemoryError))
    line = _("paiban: internal error: {message}") if internal else _("paiban: error: {message}")
    return line.format(message=" ".join(text.split()))


@dataclass
class _Part:
    """One layout file: as loaded, and what was made of it, with the inputs each was made of."""

    path: Path
    loaded: pipeline.Loaded
    basis: Layout  # the layout without its stories: when it is unchanged, unchanged stories need no new flow
    itemizer: object
    flows: dict[str, tuple[StorySpec, Article, StoryFlow]] = field(default_factory=dict)
    traces: dict[str, FlowTrace] = field(default_factory=dict)  # each flow's, to resume it after an edit
    coverage: dict[str, tuple[StorySpec, Article, tuple]] = field(default_factory=dict)
    furniture_coverage: tuple | None = None
    space: CodeSpace | None = None
    codes: GlyphCodes | None = None  # kept while the code space and fonts are
    flowed: pipeline.Flowed | None = None
    keys: dict[int, tuple] = field(default_factory=dict)  # page → what it was composed of
    memo: ComposeMemo = field(default_factory=ComposeMemo)  # the last compositions' lines and headlines
    composed: dict[int, pipeline.ComposedPage] = field(default_factory=dict)
    report: BuildReport | None = None


class Session:
    """A layout or edition file built once and then again, warm, for each batch of saved files."""

    def __init__(self, path: Path, out: Path, root: Path | None = None, preview: PreviewSpec = PREVIEW):
        self.path = path.resolve()
        self.out = out
        self.root = root
        self.preview_spec = preview
        self.edition = is_edition_file(self.path)
        self.fonts = pipeline.Fonts()
        self.parts: list[_Part] = []
        self.articles: dict[Path, Article] = {}
        self.pages: dict[int, PageView] = {}  # the last good pages, by page number
        self.error: str | None = None
        self.title = ""
        self._version = 0
        self._shown: dict[int, EncodedPage] = {}  # the encoded content of each page shown
        self._previews: dict[int, tuple[int, bytes, bytes]] = {}  # page → (version, PNG, thumbnail)
        self._placed: dict[int, PlacedPage] = {}  # page → the composed page shown
        self._images: dict[int, tuple] = {}  # page → (version, greyscale image, composed page) of its last preview
        self._overlay: dict[int, tuple[ProofShape, ...]] | None = None
        self._resolved: dict[Path, Path] = {}
        self._timings: dict[str, float] = {}
        self._scratch = out / ".preview-patch.pdf"  # the PDF of a preview's patch
        out.mkdir(parents=True, exist_ok=True)

    # ---- what to watch ----------------------------------------------------------------------

    def inputs(self) -> set[Path]:
        """Every file the pages are made of: layout (and edition) files, articles, pictures,
        the font roles file and the font files in use. Before the first good load: the file given."""
        files = {self.path}
        for part in self.parts:
            layout = part.loaded.layout
            files.add(part.path)
            files.update(story.article for story in layout.stories)
            files.update(r.picture.image for r in layout.regions.values() if r.picture is not None)
            if layout.edition.masthead_image is not None:
                files.add(layout.edition.masthead_image)
            files.add(part.loaded.registry.roles_file)
            files.update(face.path for face in part.loaded.glyphs.faces.values())
        return {self._real(Path(f)) for f in files}

    def _real(self, path: Path) -> Path:
        """`path` resolved, once (a layout names its files by the paths it was loaded with)."""
        real = self._resolved.get(path)
        if real is None:
            real = self._resolved[path] = path.resolve()
        return real

    def _font_files(self) -> set[Path]:
        return {self._real(Path(face.path)) for part in self.parts for face in part.loaded.glyphs.faces.values()} | \
               {self._real(Path(part.loaded.registry.roles_file)) for part in self.parts}

    # ---- the rebuild ------------------------------------------------------------------------

    def rebuild(self, changed: Collection[Path] = (), report: bool = True) -> Outcome:
        """Build again after `changed` files were saved (nothing: the first build, or all); the
        report too, unless `report` is false (then `report()` makes it)."""
        start = time.perf_counter()
        timer = pipeline.Timer()
        changed = {Path(p).resolve() for p in changed}
        try:
            fonts_changed = bool(changed & self._font_files())
            if fonts_changed:  # new registries; every page drawn again, whatever its encoding
                self.fonts = pipeline.Fonts()
                self.parts = []
            articles = {self._real(story.article) for part in self.parts for story in part.loaded.layout.stories}
            for path in changed:
                self.articles.pop(path, None)
            if not self.parts or not changed or not changed <= articles:
                with timer.stage("layout"):
                    self._load()
            stale = self._pictures_in(changed) | (set(self.pages) if fonts_changed else set())
            with timer.stage("read"):
                self._read()
            with timer.stage("flow"):
                for part in self.parts:
                    self._flow(part)
            with timer.stage("compose"):
                recomposed = [n for part in self.parts for n in self._compose(part, stale)]
            with timer.stage("render"):
                rendered = self._render(recomposed, stale)
        except Exception as exc:  # noqa: BLE001 - the page shows it and the server goes on
            self.error = error_line(exc)
            return Outcome((), self.error, time.perf_counter() - start, timer.timings)
        self.error, self._overlay, self._timings = None, None, timer.timings
        if report:
            self.report()
        return Outcome(tuple(rendered), None, time.perf_counter() - start, timer.timings)

    def _load(self) -> None:
        """The layout files loaded again; what was made of an unchanged layout basis is kept."""
        old = {part.path: part for part in self.parts}
        if self.edition:
            spec = load_edition(self.path, root=self.root)
            root = self.root if self.root is not None else spec.root
            source = f"the root of the edition file {spec.source.name}"
            loaded = [pipeline.load(ref.path, self.fonts, root=root, limits=spec.limits, root_source=source)
                      for ref in spec.layouts]
            maps = page_numbers(spec, [item.layout.pages for item in loaded])
            loaded = [replace(item, layout=apply_edition(item.layout, spec, mapping))
                      for item, mapping in zip(loaded, maps)]
            paths = [ref.path for ref in spec.layouts]
            self.title = spec.title
        else:
            loaded, paths = [pipeline.load(self.path, self.fonts, root=self.root)], [self.path]
            self.title = loaded[0].layout.title
        parts = []
        for path, item in zip(paths, loaded):
            layout = item.layout  # proofs on screen: no printer's marks, no slug
            item = replace(item, layout=replace(layout, press=replace(layout.press, marks=False)))
            basis = replace(item.layout, stories=())
            previous = old.get(path)
            if previous is not None and previous.basis == basis and previous.loaded.glyphs is item.glyphs:
                previous.loaded = item  # the same layout but for its stories: keep what was made
                parts.append(previous)
            else:
                parts.append(_Part(path, item, basis, pipeline.make_itemizer(item.glyphs)))
        self.parts = parts
        wanted = {n for part in parts for n in part.loaded.layout.pages}
        self.pages = {n: view for n, view in self.pages.items() if n in wanted}

    def _read(self) -> None:
        for part in self.parts:
            layout = part.loaded.layout
            missing = tuple(s for s in layout.stories if self._real(s.article) not in self.articles)
            if missing:
                for story, article in pipeline.read_stories(replace(layout, stories=missing)):
                    self.articles[self._real(story.article)] = article

    def _flow(self, part: _Part) -> None:
        """`pipeline.flow`, story by story, reusing each flow whose inputs did not change."""
        layout = part.loaded.layout
        flowed, fresh = [], []
        for story in layout.stories:
            article = self.articles[self._real(story.article)]
            hit = part.flows.get(story.name)
            if hit is None or hit[0] != story or hit[1] is not article:
                # the same story spec on the same layout basis: resumed where the article changed
                previous = part.traces.get(story.name) if hit is not None and hit[0] == story else None
                flow, part.traces[story.name] = flow_story_traced(
                    story, article, layout, story_itemizer(story, layout, part.itemizer), previous)
                hit = part.flows[story.name] = (story, article, flow)
                fresh.append(hit)
            flowed.append(hit)
        names = {story.name for story in layout.stories}
        part.flows = {name: hit for name, hit in part.flows.items() if name in names}
        part.traces = {name: trace for name, trace in part.traces.items() if name in names}
        pipeline.check_jumps(fresh, layout)  # the flows kept were checked when they were made
        stories = [(s, a) for s, a, _ in flowed]
        space = CodeSpace.for_texts(pipeline.document_texts(layout, stories))
        if part.space is None or part.space.astral != space.astral:
            part.space, part.keys, part.codes = space, {}, None  # other PDF codes: every page is encoded again
        part.flowed = pipeline.Flowed(layout, part.loaded.glyphs, tuple(flowed), part.space, flow_index(flowed))
        if part.codes is None:
            part.codes = pipeline.glyph_codes(part.flowed)
            part.codes.keep_lines()  # an edit's unchanged lines are the same objects: not encoded again

    def _pictures_in(self, changed: set[Path]) -> set[int]:
        """The pages that show a picture among the `changed` files (the layout names a picture
        by its path: a picture saved anew leaves the layout as it was)."""
        pages = set()
        for part in self.parts:
            layout = part.loaded.layout
            for region in layout.regions.values():
                if region.picture is not None and self._real(region.picture.image) in changed:
                    pages.add(region.page)
            masthead = layout.edition.masthead_image
            if masthead is not None and self._real(masthead) in changed:
                pages.update(r.page for r in layout.regions.values() if r.kind is RegionKind.MASTHEAD)
        return pages

    def _compose(self, part: _Part, stale: set[int]) -> list[int]:
        """Compose the pages whose content changed, or that show a picture saved anew; their numbers."""
        flowed = part.flowed
        run_ins = [tuple(p.run_in for p in article.paragraphs) for _, article, _ in flowed.stories]
        keys = {n: _page_key(flowed, n, part.basis, run_ins) for n in flowed.layout.pages}
        todo = [n for n, key in keys.items() if part.keys.get(n) != key or n not in part.composed or n in stale]
        part.memo.forget(stale)
        if todo:
            for page in (f.result() for f in pipeline.compose_pages(flowed, False, None, "", True, todo, part.codes,
                                                                    part.memo)):
                part.composed[page.encoded.number] = page
            part.memo.keep(set(flowed.layout.pages), {story.name for story in flowed.layout.stories})
        part.keys = keys
        part.composed = {n: part.composed[n] for n in flowed.layout.pages}
        return todo

    def _report(self, part: _Part, timings: dict[str, float]) -> None:
        flowed = part.flowed
        layout, glyphs = flowed.layout, flowed.glyphs
        if part.furniture_coverage is None:
            part.furniture_coverage = pipeline.check_coverage(layout, (), glyphs)
        missing, fallbacks = list(part.furniture_coverage[0]), list(part.furniture_coverage[1])
        for story, article, _flow in flowed.stories:
            hit = part.coverage.get(story.name)
            if hit is None or hit[0] != story or hit[1] is not article:
                found = pipeline.check_coverage(layout, [(story, article)], glyphs)
                own = ([m for m in found[0] if m.story], [f for f in found[1] if f.story])
                hit = part.coverage[story.name] = (story, article, own)
            missing += hit[2][0]
            fallbacks += hit[2][1]
        composed = [part.composed[n] for n in layout.pages]
        part.report = pipeline.build_report(part.path, flowed, composed, (missing, fallbacks), dict(timings))

    def _render(self, numbers: list[int], stale: set[int]) -> list[int]:
        """Each recomposed page whose encoded content changed: its PDF, and a new version."""
        rendered = []
        for part in self.parts:
            registry, glyphs = part.loaded.registry, part.loaded.glyphs
            for number in numbers:
                page = part.composed.get(number)
                if page is None:
                    continue
                if number in self.pages and number not in stale and self._shown.get(number) == page.encoded:
                    continue
                pdf = self.out / f"page-{number:02d}.pdf"
                faces = {**glyphs.faces, **page.faces}
                pipeline.write(self.title, [page.encoded], faces, registry, pdf)
                self._version += 1
                view = PageView(number, self._version, pdf, _rendered_box(page.encoded))
                self.pages[number], self._shown[number] = view, page.encoded
                self._placed[number] = page.placed
                if number in stale:  # a picture or a font is new: no patch of the last preview
                    self._images.pop(number, None)
                rendered.append(number)
        return sorted(rendered)

    # ---- what the browser is told -----------------------------------------------------------

    def preview(self, number: int) -> tuple[int, bytes, bytes]:
        """The page's (version, preview PNG, thumbnail PNG), made on first asking (the PDF is
        announced first; the pixels follow when the browser asks for them): the last preview
        with the changed lines drawn again where only lines changed (`paiban.serve.pixels`),
        else the page PDF rendered."""
        view = self.pages[number]
        hit = self._previews.get(number)
        if hit is not None and hit[0] == view.version:
            return hit
        placed = self._placed[number]
        last = self._images.get(number)
        image = self._patched(number, last[1], last[2], placed) if last is not None else None
        if image is None:
            image = pixels.render(view.pdf.read_bytes(), self.preview_spec)
        self._images[number] = (view.version, image, placed)
        hit = self._previews[number] = (view.version, *pixels.encode(image, self.preview_spec))
        return hit

    def _patched(self, number: int, image, old: PlacedPage, new: PlacedPage):
        """The old preview with the lines that changed drawn again, or None (render the page)."""
        spec, media = self.preview_spec, self.pages[number].box
        boxes = pixels.dirty_boxes(old, new)
        if boxes is None:
            return None
        boxes = [pixels.snap(box, media, spec) for box in boxes]
        page = pixels.patch_page(new, boxes)
        part = next(p for p in self.parts if number in p.composed)
        if page is None or part.codes is None:
            return None
        encoded = replace(encode_page(part.codes, page), press=part.loaded.layout.press)
        faces = {**part.loaded.glyphs.faces, **part.composed[number].faces}
        # with the page's own font subsets, made when it was written
        pipeline.write(self.title, [encoded], faces, part.loaded.registry, self._scratch, part.composed[number].encoded.chars)
        return pixels.patch(image, pixels.render(self._scratch.read_bytes(), spec), boxes, media, spec)

    def close(self) -> None:
        """Remove the scratch file of the previews."""
        self._scratch.unlink(missing_ok=True)

    def overlay(self) -> dict[int, tuple[ProofShape, ...]]:
        """Each page's proof shapes (`paiban.page.proof_overlay`), for the last good build."""
        if self._overlay is None:
            shapes: dict[int, tuple[ProofShape, ...]] = {}
            for part in self.parts:
                if part.report is None:
                    continue
                placed = tuple(page.placed for _, page in sorted(part.composed.items()) if page.placed is not None)
                shapes.update(proof_shapes(Document(self.title, placed, part.loaded.layout), part.report))
            self._overlay = shapes
        return self._overlay

    def page_numbers(self) -> list[int]:
        return [n for part in self.parts for n in part.loaded.layout.pages if n in self.pages]

    def report(self) -> None:
        """The build report of the last good build (`rebuild` makes it unless told to leave it
        for later: the pages are announced before it is made)."""
        try:
            for part in self.parts:
                if part.flowed is not None:
                    self._report(part, self._timings)
        except Exception as exc:  # noqa: BLE001 - as in `rebuild`
            self.error = error_line(exc)
        self._overlay = None

    def reports(self) -> list[BuildReport]:
        return [part.report for part in self.parts if part.report is not None]

    def overset(self) -> int:
        """The characters overset in the last good build (from the flows: before the report)."""
        return sum(flow.overset.characters for part in self.parts if part.flowed is not None
                   for flow in part.flowed.flows if flow.overset is not None)

    def layouts(self) -> list[Layout]:
        return [part.loaded.layout for part in self.parts]

    def flows(self) -> list[pipeline.Flowed]:
        return [part.flowed for part in self.parts if part.flowed is not None]


def _page_key(flowed: pipeline.Flowed, number: int, basis: Layout, run_ins: list[tuple[int, ...]]) -> tuple:
    """What page `number` is composed of, beyond the layout basis: each story's lines on it (and
    its paragraphs' run-ins, `run_ins`), the headline set on it, the last line used in its
    regions (`paiban.page.compose`)."""
    layout = flowed.layout
    parts: list = [id(basis)]
    for i, (story, article, _flow) in enumerate(flowed.stories):
        lines = flowed.index.lines_by_page[i].get(number)
        if lines:
            parts.append((i, lines, run_ins[i]))
        if story.headline_region and layout.regions[story.headline_region].page == number:
            parts.append((i, story, article.headline))
    parts.append(tuple(sorted((name, line) for name, line in flowed.index.last_used.items()
                              if layout.regions[name].page == number)))
    return tuple(parts)


def _rendered_box(page: EncodedPage) -> tuple[float, float, float, float]:
    """The area of the page PDF that the preview shows (its MediaBox), around the trim, in pt."""
    offset = page_boxes(page.width, page.height, page.press).offset
    return (-offset, -offset, page.width + offset, page.height + offset)
