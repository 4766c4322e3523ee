"""The driver: a layout file → composed, encoded pages → a PDF and its report.

    result = build(Path("layouts/demo.yaml"), BuildOptions(output=Path("out/demo.pdf")), jobs=2)

Each stage is a function of the previous stage's frozen result:

1. `load`: the layout file, read and validated once (every file it names a regular file inside
   its root, `BuildOptions.root`; every picture within the limits and decoded once); the font
   registry of its roles file.
2. `read_stories`: every story's article, within the layout's limits.
3. `flow`: itemize, break lines and flow every story through its thread (`paiban.flow`).
4. `compose_pages`: each page composed (`paiban.page`) and encoded to PDF text operators
   (`paiban.render.text_operators`): `EncodedPage`s, with the composed pages themselves when
   the caller keeps the lines (a trace, a test).
5. `check_coverage`: missing and fallback glyphs, with their places.
6. `write`: the PDF (`paiban.render.pdf_writer`), atomically.

How pages are composed is the caller's choice, not a stage's: in this process, or in a pool of
`jobs` worker processes (`paiban.parallel`; the workers are forked once the stories are flowed,
so they start with them). The PDF is the same byte for byte either way. An edition build
(`paiban.edition`) uses the same stages for each of its layouts and the same pool.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from paiban import parallel
from paiban.cache_health import cache_warnings, clear_cache_warnings
from paiban.errors import InputError, PaibanError, Where
from paiban.flow.holes import holes
from paiban.flow.thread_flow import flow_story, jump_problems, style_name
from paiban.fonts.faces import FontFace
from paiban.fonts.registry import FontRegistry, UnknownRole
from paiban.input.article_reader import read_article
from paiban.input.layout_loader import load_layout
from paiban.model.article import Article
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import StoryFlow
from paiban.model.items import Unit
from paiban.model.placed import Document, EncodedPage, FallbackUse, MissingGlyph, PlacedPage
from paiban.model.spec import Layout, StorySpec, TextStyle
from paiban.page.compose import FlowIndex, Rank, compose_some_pages, flow_index
from paiban.page.compose_memo import ComposeMemo
from paiban.page.furniture import page_label
from paiban.page.glyph_source import GlyphSource, TextSegment
from paiban.page.proof_overlay import ProofShape, proof_shapes
from paiban.render.text_operators import CodeSpace, GlyphCodes, encode_page, metrics_advance
from paiban.report import BuildReport, StoryReport
from paiban.text import phrases
from paiban.text.itemize import itemize
from paiban.text.vertical_rules import story_itemizer
from paiban.i18n import _

Story = tuple[StorySpec, Article]
FlowedStory = tuple[StorySpec, Article, StoryFlow]


@dataclass(frozen=True)
class BuildOptions:
    """What to build (how it runs — `jobs`, a scheduler — is the caller's separate choice)."""

    output: Path | None = None  # the PDF; None: compose and report only
    #: proof overlays in the PDF (grid, regions and their fill, overset, jump links, missing glyphs,
    #: low-resolution pictures: `paiban.page.proof_overlay`); the PDF is then not for press
    proof: bool = False
    strict: bool = False  # no PDF when the build has overset text, missing glyphs or low-res pictures
    keep_lines: bool = True  # keep the composed pages with their lines (`BuildResult.document`)
    #: the folder every input file must lie in (the layout too); None: the layout's folder, or the
    #: folder its `root:` names (docs/layout-spec.md, "Files and limits")
    root: Path | None = None
    marks: bool = True  # False: no printer's marks and slug whatever the layout says (proofs)
    separations: bool = False  # also a PNG per plate (C, M, Y, K) of each page beside the PDF


class Timer:
    """Wall time per stage name (s)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


# ---- 1. load ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Loaded:
    """A layout read once, with the fonts of its roles."""

    layout: Layout
    registry: FontRegistry
    glyphs: GlyphSource
    #: (roles file, font_files) of `Fonts.get`: what opens the same fonts in another process
    fonts: tuple = field(default=(), compare=False)


class Fonts:
    """Font registries and glyph sources by (roles file, font_files): the layouts of an edition
    that name the same fonts share them (and what they have read of the font files)."""

    def __init__(self) -> None:
        self._made: dict[tuple, tuple[FontRegistry, GlyphSource]] = {}

    def get(self, roles_file: Path | None, overrides: dict[str, tuple[Path, int]], where: Path
            ) -> tuple[FontRegistry, GlyphSource]:
        key = (roles_file, tuple(sorted(overrides.items())))
        hit = self._made.get(key)
        if hit is None:
            try:
                registry = FontRegistry(roles_file, dict(overrides))
            except (UnknownRole, FileNotFoundError, ValueError) as exc:
                raise InputError(str(exc), Where(where, key="font_files")) from None
            hit = self._made[key] = (registry, GlyphSource(registry))
        return hit


def load(path: Path, fonts: Fonts | None = None, *, root: Path | None = None,
         limits: Mapping[str, int] | None = None, root_source: str = "the build's root") -> Loaded:
    """Read and validate the layout at `path` once, with the font roles its registry knows.
    `root`, `limits`, `root_source`: as `load_layout`'s (the folder every file must lie in, limits
    over the layout's own, and where the root comes from)."""
    fonts = fonts if fonts is not None else Fonts()
    chosen: list[tuple[FontRegistry, GlyphSource]] = []

    def font_roles(roles_file: Path | None, overrides: dict[str, tuple[Path, int]]) -> set[str]:
        chosen.append((*fonts.get(roles_file, overrides, path), (roles_file, dict(overrides))))
        return set(chosen[-1][0].roles()) | set(overrides)

    layout = load_layout(path, font_roles=font_roles, root=root, limits=limits, root_source=root_source)
    return Loaded(layout, *chosen[-1])


# ---- 2. read, 3. flow -------------------------------------------------------------------------

def read_stories(layout: Layout) -> tuple[Story, ...]:
    """Every story's article, read within the layout's limits: the file a regular file of at
    most `limits.article_size` bytes (checked again here: it may have changed since the layout
    was loaded), no paragraph longer than `limits.paragraph_chars`."""
    return tuple((story, _read_article(story.article, layout)) for story in layout.stories)


def _read_article(path: Path, layout: Layout) -> Article:
    limits = layout.limits
    article = read_article(path, limits.article_size, "limits.article_size")  # at most the limit + 1 bytes
    for paragraph in article.paragraphs:
        if len(paragraph.text) > limits.paragraph_chars:
            raise InputError(_("a paragraph of {count:,} characters is longer than the limit "
                               "(limits.paragraph_chars = {paragraph_chars:,})").format(
                                   count=len(paragraph.text), paragraph_chars=limits.paragraph_chars),
                             Where(path, paragraph.source_line or None))
    return article


def make_itemizer(glyphs: GlyphSource) -> Callable[[str, TextStyle], tuple[Unit, ...]]:
    """`itemize` with the fonts' Latin advances, memoised by (text, style name) for one layout."""
    cache: dict[tuple[str, str], tuple[Unit, ...]] = {}

    def itemizer(text: str, style: TextStyle) -> tuple[Unit, ...]:
        key = (text, style.name)
        if key not in cache:
            cache[key] = itemize(text, style.punctuation.value, glyphs.latin_advance(style.font),
                                 style.latin_spacing, style.kinsoku_level.value)
        return cache[key]

    return itemizer


@dataclass(frozen=True)
class Flowed:
    """A layout with its stories flowed: everything composing any of its pages needs."""

    layout: Layout
    glyphs: GlyphSource
    stories: tuple[FlowedStory, ...]
    space: CodeSpace  # the PDF codes of every character the layout may draw
    index: FlowIndex = field(compare=False)

    @property
    def flows(self) -> tuple[StoryFlow, ...]:
        return tuple(flow for _, _, flow in self.stories)


def flow(loaded: Loaded, stories: Sequence[Story], space: CodeSpace | None = None) -> Flowed:
    """Every story broken into lines and flowed through its thread; jump lines must settle.
    `space`: the PDF codes, when the pages go into a PDF with other layouts' (an edition's);
    by default those of this layout's texts."""
    layout = loaded.layout
    itemizer = make_itemizer(loaded.glyphs)
    flowed = tuple((s, a, flow_one_story(s, a, layout, itemizer)) for s, a in stories)
    check_jumps(flowed, layout)
    space = space if space is not None else CodeSpace.for_texts(document_texts(layout, stories))
    return Flowed(layout, loaded.glyphs, flowed, space, flow_index(list(flowed)))


def check_jumps(flowed: Iterable[FlowedStory], layout: Layout) -> None:
    """Every jump line of the flowed stories must name the page its story goes on or comes from."""
    problems = [p for _, _, f in flowed for p in jump_problems(f, layout)]
    if problems:
        raise PaibanError("jump lines did not settle: " + "; ".join(problems))


def flow_one_story(story: StorySpec, article: Article, layout: Layout,
                   itemizer: Callable[[str, TextStyle], tuple[Unit, ...]]) -> StoryFlow:
    """One story flowed as `flow` flows each (`paiban.serve` flows only the stories that changed)."""
    return flow_story(story, article, layout, story_itemizer(story, layout, itemizer))


def document_texts(layout: Layout, stories: Iterable[Story]) -> list[str]:
    """Every text the document may draw: paragraphs, headlines, jump lines, furniture."""
    return article_texts(article for _, article in stories) + layout_texts(layout)


def article_texts(articles: Iterable[Article]) -> list[str]:
    """The texts of articles: their paragraphs and headlines."""
    articles = list(articles)
    texts = [p.text for a in articles for p in a.paragraphs]
    texts += [t for a in articles for t in (a.headline.kicker, a.headline.main, a.headline.subtitle) if t]
    return texts


def layout_texts(layout: Layout) -> list[str]:
    """The texts a layout draws besides its articles: jump lines and page furniture."""
    return [layout.jumps.to_page, layout.jumps.from_page, *(t for _, t, _ in furniture_texts(layout))]


# ---- 4. compose and encode --------------------------------------------------------------------

@dataclass(frozen=True)
class ComposedPage:
    """One page composed and encoded; the composed page itself only when its lines are kept
    (a worker process sends back the rest: pickling the lines would cost a quarter of composing)."""

    encoded: EncodedPage
    warnings: tuple[tuple[Rank, BuildWarning], ...]
    faces: dict[str, FontFace] = field(compare=False)  # the faces the page draws with
    placed: PlacedPage | None = None


class _Composer:
    """A flowed layout as one process composes its pages: the glyph codes are made once."""

    def __init__(self, flowed: Flowed, codes: GlyphCodes | None = None, memo: ComposeMemo | None = None):
        self.flowed, self.memo = flowed, memo
        self.codes = codes if codes is not None else glyph_codes(flowed)

    def page(self, number: int, proof: bool, keep_lines: bool = False) -> ComposedPage:
        f = self.flowed
        (page,), warnings = compose_some_pages(f.layout, list(f.stories), f.glyphs, proof, {number}, f.index,
                                               self.memo)
        encoded = replace(encode_page(self.codes, page), press=f.layout.press, slug=slug_line(f.layout, number))
        faces = f.glyphs.faces
        return ComposedPage(encoded, tuple(warnings), {key: faces[key] for key in encoded.chars},
                            page if keep_lines else None)


#: in a worker process: the flowed layouts whose pages it composes, by key (`install_layouts`)
_composers: dict[str, _Composer] = {}


def install_layouts(flowed: dict[str, Flowed]) -> None:
    """In a forked worker, before its first job: the flowed layouts it composes pages of."""
    _composers.clear()
    _composers.update((key, _Composer(f)) for key, f in flowed.items())


def compose_page_job(key: str, number: int, proof: bool) -> ComposedPage:
    """A pool job: page `number` of the installed layout `key`, composed and encoded."""
    page = _composers[key].page(number, proof)
    phrases.save()  # the words this worker segmented, for the next build
    return page


def glyph_codes(flowed: Flowed) -> GlyphCodes:
    """The PDF codes and advances of `flowed`'s glyphs, made as pages need them (a caller that
    composes the same layout again, with the same code space and fonts, may keep them)."""
    return GlyphCodes(flowed.space, metrics_advance(flowed.glyphs.registry, flowed.glyphs.faces))


def compose_pages(flowed: Flowed, proof: bool, pool: parallel.Pool | None = None, key: str = "",
                  keep_lines: bool = True, numbers: Sequence[int] | None = None,
                  codes: GlyphCodes | None = None, memo: ComposeMemo | None = None) -> list:
    """A future of each page of `flowed` (or of its pages `numbers`) composed and encoded, in
    layout order: in `pool` when its workers were forked with `flowed` installed under `key`
    (`install_layouts`) and the lines are not kept, else here (the futures are then done), with
    `codes` (`glyph_codes`) when given, and `memo` (what the last compositions made) when given."""
    numbers = flowed.layout.pages if numbers is None else numbers
    if pool is not None and pool.forked and not keep_lines:
        return [pool.submit(compose_page_job, key, number, proof) for number in numbers]
    composer, here = _Composer(flowed, codes, memo), parallel.InlinePool()
    return [here.submit(composer.page, number, proof, keep_lines) for number in numbers]


def merged_warnings(composed: Iterable[ComposedPage]) -> list[BuildWarning]:
    """The pages' warnings in the document's order (pages composed apart sort into place by rank)."""
    ranked = sorted((w for page in composed for w in page.warnings), key=lambda pair: pair[0])
    return [warning for _, warning in ranked]


# ---- 5. coverage ------------------------------------------------------------------------------

def check_coverage(layout: Layout, stories: Sequence[Story], glyphs: GlyphSource
                   ) -> tuple[list[MissingGlyph], list[FallbackUse]]:
    """Every character that is not drawn, and every one drawn by a fallback face, with its place.

    Body paragraphs are numbered from 1 (offsets into `Paragraph.text`); headline parts have
    paragraph 0 and name their part (offsets into the part's text, line breaks counted).
    """
    segments: list[TextSegment] = []
    for story, article in stories:
        for i, para in enumerate(article.paragraphs, start=1):
            role = layout.styles[style_name(story, para.kind)].font
            if para.run_in:  # the run-in dateline is drawn in its own font
                run_in_role = layout.styles[story.dateline_style].font
                segments.append(TextSegment(run_in_role, para.text, story.name, i, end=para.run_in))
            segments.append(TextSegment(role, para.text, story.name, i, start=para.run_in or 0))
        head = article.headline
        for text, style, part in ((head.kicker, story.kicker_style, "kicker"),
                                  (head.main, story.headline_style, "headline"),
                                  (head.subtitle, story.subtitle_style, "subtitle")):
            if text and story.headline_region:
                segments.append(TextSegment(layout.styles[style].font, text, story.name, 0, part))
    for style_name_, text, part in furniture_texts(layout):
        segments.append(TextSegment(layout.styles[style_name_].font, text, "", 0, part))
    return glyphs.scan_segments(segments)


def furniture_texts(layout: Layout) -> list[tuple[str, str, str]]:
    """(style, text, part) of the text the page furniture prints: masthead, running head, captions."""
    edition = layout.edition
    out = []
    if edition.paper:
        out.append(("masthead", edition.paper, "masthead"))
    for text in (edition.issue, edition.serial, edition.cn, edition.credits, *edition.sections.values()):
        if text:
            out.append(("running_head", text, "running head"))
    for region in layout.regions.values():
        if region.picture is not None and region.picture.caption:
            out.append((region.picture.caption_style, region.picture.caption, f"caption of {region.name}"))
    return out


# ---- 6. write ---------------------------------------------------------------------------------

def write(title: str, pages: Sequence[EncodedPage], faces: dict[str, FontFace], registry: FontRegistry,
          output: Path, font_chars: dict[str, str] | None = None,
          proof: Mapping[int, Sequence[ProofShape]] | None = None) -> None:
    """The PDF of `pages` at `output`, atomically (reportlab is imported here, when a PDF is
    written); with `proof`, each page's proof overlays (a proof, not for press)."""
    from paiban.render.pdf_writer import write_pdf

    write_pdf(title, pages, output, faces, metrics_advance(registry, faces), font_chars=font_chars, proof=proof)


def slug_line(layout: Layout, number: int) -> str:
    """The slug under a press page (`paiban.render.press`): paper, date, issue, page and section,
    the layout file; the build time when ``SOURCE_DATE_EPOCH`` gives one (never the clock)."""
    edition = layout.edition
    parts = [edition.paper, edition.date, edition.issue, page_label(layout, number),
             edition.sections.get(number, ""), layout.source.name]
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        parts.append(time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(epoch))))
    return " ".join(part for part in parts if part)


# ---- the report -------------------------------------------------------------------------------

def low_resolution_pictures(layout: Layout, pages: Iterable[EncodedPage]) -> tuple[str, ...]:
    return tuple(f"page {page.number}: picture {Path(im.path).name} at {im.dpi:.0f} dpi, below {layout.min_dpi:.0f}"
                 for page in pages for im in page.images if im.dpi < layout.min_dpi)


def story_report(story: StorySpec, article: Article, flow: StoryFlow) -> StoryReport:
    total = sum(len(p.text) for p in article.paragraphs)
    ov = flow.overset
    return StoryReport(story.name, sum(1 for ln in flow.lines if ln.role == "text"), total,
                       flow.placed_characters, ov.characters if ov else 0, ov.sentence if ov else "",
                       ov.paragraph + 1 if ov else 0, flow.regions, flow.underset_lines, flow.underset_characters)


def build_report(source: Path, flowed: Flowed, composed: Sequence[ComposedPage],
                 coverage: tuple[list[MissingGlyph], list[FallbackUse]], timings: dict[str, float]) -> BuildReport:
    missing, fallbacks = coverage
    warnings = [w for _, _, f in flowed.stories for w in f.warnings] + holes(flowed.layout, flowed.stories)
    warnings += merged_warnings(composed)
    warnings += [BuildWarning("cache", text) for text in cache_warnings()]
    encoded = [page.encoded for page in composed]
    return BuildReport(str(source), None, len(composed),
                       tuple(story_report(s, a, f) for s, a, f in flowed.stories),
                       tuple(missing), tuple(warnings), timings, fallbacks=tuple(fallbacks),
                       low_resolution=low_resolution_pictures(flowed.layout, encoded),
                       errors=preflight_errors(flowed.layout, warnings))


def preflight_errors(layout: Layout, warnings: Iterable[BuildWarning]) -> tuple[str, ...]:
    """The warnings the layout's `preflight` makes errors: 单字成行 with `single_hanzi_lines: error`."""
    if layout.single_hanzi_lines != "error":
        return ()
    return tuple(_("单字成行 (preflight single_hanzi_lines: error): {message}").format(message=w.message)
                 for w in warnings if w.kind == "orphan")


# ---- the whole build --------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildResult:
    """A finished build: the layout, its flowed stories, its encoded pages, the report, and the
    composed pages with their lines when they were kept (`BuildOptions.keep_lines`)."""

    layout: Layout
    report: BuildReport
    pages: tuple[EncodedPage, ...]
    flows: tuple[StoryFlow, ...]
    registry: FontRegistry
    glyphs: GlyphSource
    document: Document | None = None


def build(path: Path, options: BuildOptions = BuildOptions(), jobs: int = 1) -> BuildResult:
    """Build the layout at `path` (see the module docstring); with `jobs` > 1 the pages are
    composed in that many worker processes, unless the lines are kept."""
    clear_cache_warnings()  # this build's, in a process that builds more than once
    timer = Timer()
    with timer.stage("layout"):
        loaded = load(path, root=options.root)
    if not options.marks:
        layout = loaded.layout
        loaded = replace(loaded, layout=replace(layout, press=replace(layout.press, marks=False)))
    with timer.stage("read"):
        stories = read_stories(loaded.layout)
    with timer.stage("flow"):
        flowed = flow(loaded, stories)
    layout = flowed.layout
    keep_lines = options.keep_lines or (options.proof and options.output is not None)  # the overlays read them
    jobs = jobs if len(layout.pages) > 1 and not keep_lines else 1
    with _pool(jobs, {"": flowed}) as pool:
        with timer.stage("compose"):
            futures = compose_pages(flowed, options.proof, pool, "", keep_lines)
        with timer.stage("coverage"):  # while the workers compose
            coverage = check_coverage(layout, stories, loaded.glyphs)
        with timer.stage("compose"):
            composed = [future.result() for future in futures]
    phrases.save()  # the words segmented here (subheads, jump ends; all of them with one process)
    report = build_report(path, flowed, composed, coverage, timer.timings)
    encoded = tuple(page.encoded for page in composed)
    placed = tuple(page.placed for page in composed if page.placed is not None)
    document = Document(layout.title, placed, layout) if keep_lines else None
    result = BuildResult(layout, report, encoded, flowed.flows, loaded.registry, loaded.glyphs, document)
    if options.output is None or (options.strict and not report.clean):
        return result
    faces = dict(loaded.glyphs.faces)
    for page in composed:
        faces.update(page.faces)
    with timer.stage("render"):
        shapes = proof_shapes(document, report) if options.proof and document is not None else None
        write(layout.title, encoded, faces, loaded.registry, options.output, proof=shapes)
    with timer.stage("preflight"):
        checked = preflight(options.output, proof=options.proof)
    if options.separations:
        from paiban.render.separations import write_separations

        with timer.stage("separations"):
            write_separations(options.output, options.output.parent, options.output.stem)
    report = replace(report, warnings=report.warnings + checked)
    return replace(result, report=replace(report, output=str(options.output), timings=timer.timings))


def preflight(pdf: Path, proof: bool = False) -> tuple[BuildWarning, ...]:
    """`paiban.render.preflight` on a PDF just written: its findings as warnings (kind
    ``preflight``; they do not fail the build, as the PDF is written). paiban's own output
    passes: a finding is a bug to report. Pictures below the layout's resolution are reported
    by composition already (``low-resolution``), so preflight leaves them out here. A `proof`
    makes no PDF/X claim (`paiban.render.proof_drawing`): only its pages are checked."""
    from paiban.render.preflight import check_pdf

    return tuple(BuildWarning("preflight", _("preflight: {finding}").format(finding=finding), page=finding.page or None)
                 for finding in check_pdf(pdf, min_dpi=0) if finding.page or not proof)


@contextmanager
def _pool(jobs: int, flowed: dict[str, Flowed]):
    """A pool whose workers compose pages of `flowed`; none for one process, or where workers
    are not forked (they would not have the flowed stories)."""
    if jobs <= 1 or not parallel.can_fork():
        yield None
        return
    phrases.preload()  # the workers break headlines between words: the words found before, read once here
    with parallel.open_pool(jobs, inherit=(install_layouts, (flowed,))) as pool:
        yield pool


def run(layout_path: Path, output: Path | None = None, proof: bool = False, jobs: int = 1) -> BuildResult:
    """`build` with the composed lines kept (the library's and the tests' entry point)."""
    return build(layout_path, BuildOptions(output=output, proof=proof, keep_lines=jobs <= 1), jobs)
