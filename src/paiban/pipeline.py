"""The driver: one function per stage, run in order.

load layout → fonts → read articles → coverage → flow (line breaking inside) → compose → render.
`run` returns the composed document and the build report; it writes the PDF only when asked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable
from pathlib import Path

from paiban.errors import InputError, PaibanError, Where
from paiban.flow.thread_flow import flow_story, jump_problems, style_name
from paiban.fonts.registry import FontRegistry, UnknownRole
from paiban.input.article_reader import read_article
from paiban.input.layout_loader import load_layout
from paiban.model.article import Article
from paiban.model.flowed import StoryFlow
from paiban.model.placed import Document, FallbackUse, MissingGlyph, chars_by_face
from paiban.model.spec import Layout, StorySpec, TextStyle
from paiban.page.compose import compose_document
from paiban.page.glyph_source import GlyphSource, TextSegment
from paiban.render.text_operators import CodeSpace, UnplannedCharacter
from paiban.report import BuildReport, StoryReport
from paiban.text.itemize import Unit, itemize

if TYPE_CHECKING:
    from typing import Protocol

    from paiban.render.writer_process import PdfWriterProcess

    class SideWorker(Protocol):
        """A process started during the build that takes work nothing needs before the report."""

        def start(self, registry: FontRegistry, side_job: Callable[[], object]) -> None: ...

        def side_result(self, fallback: Callable[[], object]) -> object: ...


@dataclass
class Timer:
    """Wall time per stage name (s)."""

    timings: dict[str, float]

    def stage(self, name: str):
        timer = self

        class _Stage:
            def __enter__(self):
                self.t = time.perf_counter()

            def __exit__(self, *exc):
                timer.timings[name] = timer.timings.get(name, 0.0) + time.perf_counter() - self.t

        return _Stage()


@dataclass(frozen=True)
class BuildResult:
    """A composed build: layout, document, report, flows, fonts, and the PDF's codes."""

    layout: Layout
    document: Document
    report: BuildReport
    flows: tuple[StoryFlow, ...]
    registry: FontRegistry
    glyphs: GlyphSource
    space: CodeSpace | None = None  # the PDF's glyph codes (from the document's texts)
    page_texts: tuple[str, ...] | None = None  # each page's text operators, made while composing
    #: for each page: face key → the characters it draws there, found while composing
    page_chars: tuple[dict[str, set[str]], ...] | None = None

    def drawn_chars(self) -> dict[str, set[str]]:
        """Face key → the characters the document draws with it: from `page_chars` when
        composing listed them (a child's pages then stay packed), else read off the pages."""
        if self.page_chars is None:
            return chars_by_face(self.document.pages)
        drawn: dict[str, set[str]] = {}
        for chars in self.page_chars:
            for face, found in chars.items():
                drawn.setdefault(face, set()).update(found)
        return drawn


def load_fonts(layout_path: Path) -> tuple[Layout, FontRegistry]:
    """Load the layout twice: first to find its font roles file, then validating roles against it."""
    first = load_layout(layout_path)
    overrides = dict(first.font_overrides)
    try:
        registry = FontRegistry(first.roles_file, overrides)
    except (UnknownRole, FileNotFoundError, ValueError) as exc:
        raise InputError(str(exc), Where(layout_path, key="font_files")) from None
    layout = load_layout(layout_path, known_roles=set(registry.roles()) | set(overrides))
    return layout, registry


def make_itemizer(glyphs: GlyphSource):
    cache: dict[tuple[str, str], tuple[Unit, ...]] = {}

    def itemizer(text: str, style: TextStyle) -> tuple[Unit, ...]:
        key = (text, style.name)
        if key not in cache:
            cache[key] = itemize(text, style.punctuation.value, glyphs.latin_advance(style.font),
                                 style.latin_spacing, style.kinsoku_level.value)
        return cache[key]

    return itemizer


def check_coverage(layout: Layout, stories: list[tuple[StorySpec, Article]],
                   glyphs: GlyphSource) -> tuple[list[MissingGlyph], list[FallbackUse]]:
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


def low_resolution_pictures(layout: Layout, document: Document) -> tuple[str, ...]:
    return tuple(f"page {page.number}: picture {Path(im.path).name} at {im.dpi:.0f} dpi, below {layout.min_dpi:.0f}"
                 for page in document.pages for im in page.images if im.dpi < layout.min_dpi)


def story_report(story: StorySpec, article: Article, flow: StoryFlow) -> StoryReport:
    total = sum(len(p.text) for p in article.paragraphs)
    regions = tuple({"region": r.region, "page": r.page, "lines": r.lines, "characters": r.characters,
                     "capacity": r.capacity} for r in flow.regions)
    ov = flow.overset
    return StoryReport(story.name, sum(1 for ln in flow.lines if ln.role == "text"), total,
                       flow.placed_characters, ov.characters if ov else 0, ov.sentence if ov else "",
                       ov.paragraph + 1 if ov else 0, regions, flow.underset_lines, flow.underset_characters)


def run(layout_path: Path, output: Path | None = None, proof: bool = False,
        transform: Callable[[Layout], Layout] | None = None, jobs: int = 1, encode: bool = False,
        writer: PdfWriterProcess | None = None, renders_here: bool = True, keep_lines: bool = True,
        helper: SideWorker | None = None) -> BuildResult:
    """Build `layout_path`; write the PDF to `output` when given. `proof` draws overset markers;
    `transform` changes the loaded layout before the build (an edition's numbering and variables).
    With `jobs` > 1 the pages are composed in that many processes (`forked_compose`), each also
    making its pages' text operators, as it does with `encode` (for a `run_render` to follow);
    the PDF is the same byte for byte. `writer`: a `PdfWriterProcess` to start once the fonts
    are loaded, for a `run_render` to write the PDF with (the renderer is then not imported
    here). `renders_here`: False when other processes draw the PDFs (an edition's render
    workers): the renderer is not imported here either. `keep_lines`: False when nothing will
    read the lines of pages composed in other processes (they are drawn from their text
    operators): they come back as `DeferredLines`, composed again here only if read.
    `helper`: like `writer`, started once the fonts are loaded and the articles read, and given
    the glyph coverage check to do meanwhile (an edition's render workers, forked then)."""
    timer = Timer({})
    with timer.stage("layout"):
        layout, registry = load_fonts(layout_path)
        if transform is not None:
            layout = transform(layout)
            known = set(registry.roles())
            for style in layout.styles.values():
                if style.font not in known:
                    raise InputError(f"style {style.name}: unknown font role {style.font!r} "
                                     f"(known roles: {', '.join(sorted(known))})", Where(layout.source))
        glyphs = GlyphSource(registry)
    with timer.stage("read"):
        stories = [(s, read_article(s.article)) for s in layout.stories]
    def coverage() -> tuple[list[MissingGlyph], list[FallbackUse]]:
        return check_coverage(layout, stories, glyphs)

    if writer is not None:  # it checks the coverage while this process flows and composes
        writer.start(registry, coverage)
    elif helper is not None:
        helper.start(registry, coverage)
    side = writer if writer is not None else helper
    with timer.stage("coverage"):
        found = None if side is not None else coverage()
        space = CodeSpace.for_texts(document_texts(layout, stories))
    with timer.stage("flow"):
        itemizer = make_itemizer(glyphs)
        flows = [flow_story(s, a, layout, itemizer) for s, a in stories]
        problems = [p for f in flows for p in jump_problems(f, layout)]
        if problems:
            raise PaibanError("jump lines did not settle: " + "; ".join(problems))
    with timer.stage("compose"):
        flowed = [(s, a, f) for (s, a), f in zip(stories, flows)]
        pages, page_warnings, texts, drawn = _compose(layout, flowed, glyphs, proof, jobs if output or encode else 1,
                                               encode or output is not None, space, registry,
                                               writer is None or output is not None, renders_here, keep_lines)
        document = Document(layout.title, pages)
    if found is None:
        with timer.stage("coverage"):
            found = side.side_result(coverage)
    missing, fallbacks = found
    warnings = [f"story {s.name}: {w}" for (s, _), f in zip(stories, flows) for w in f.warnings]
    warnings += page_warnings
    report = BuildReport(
        str(layout_path), None, len(pages),
        tuple(story_report(s, a, f) for (s, a), f in zip(stories, flows)),
        tuple(missing), tuple(warnings), timer.timings, fallbacks=tuple(fallbacks),
        low_resolution=low_resolution_pictures(layout, document))
    result = BuildResult(layout, document, report, tuple(flows), registry, glyphs, space,
                         tuple(texts) if texts is not None else None, tuple(drawn) if drawn is not None else None)
    return run_render(result, output) if output is not None else result


def _compose(layout: Layout, flowed: list, glyphs: GlyphSource, proof: bool, jobs: int, encode: bool,
             space: CodeSpace, registry: FontRegistry, import_renderer: bool = True, renders_here: bool = True,
             keep_lines: bool = True) -> tuple[tuple, list[str], list[str] | None, list[dict[str, set[str]]] | None]:
    """(pages, warnings, text operators or None, face → characters drawn per page or None): in
    `jobs` processes, or here. `import_renderer`: this process draws the PDF (else a writer
    process does: the children's lines stay there); `renders_here`: False when render workers
    keep the pages (their lines travel packed) and this process draws nothing."""
    from paiban.page import forked_compose
    from paiban.render.text_operators import metrics_advance

    if encode:
        advance = metrics_advance(registry, glyphs.faces)
        try:
            if jobs > 1 and len(layout.pages) > 1 and forked_compose.can_fork():
                # a writer process draws from the text operators: the children's lines stay there
                meanwhile = _import_renderer if import_renderer and renders_here else None
                return forked_compose.compose_forked(layout, flowed, glyphs, proof, jobs, space, advance,
                                                     meanwhile=meanwhile,
                                                     deferred_lines=not (import_renderer and keep_lines))
            pages, ranked, texts, drawn = forked_compose.compose_and_encode(layout, flowed, glyphs, proof,
                                                                            layout.pages, space, advance)
            return pages, [w for _, w in ranked], texts, drawn
        except UnplannedCharacter:
            pass  # a character beyond U+FFFF from outside the texts: the renderer makes the codes
    pages, warnings = compose_document(layout, flowed, glyphs, proof)
    return pages, warnings, None, None


def _import_renderer() -> None:
    import paiban.render.pdf_writer  # noqa: F401  (reportlab: ~30 ms, while the children compose)


def document_texts(layout: Layout, stories: list[tuple[StorySpec, Article]]) -> list[str]:
    """Every text the document may draw: paragraphs, headlines, furniture (for the PDF's codes)."""
    texts = [p.text for _, a in stories for p in a.paragraphs]
    texts += [t for _, a in stories for t in (a.headline.kicker, a.headline.main, a.headline.subtitle) if t]
    texts += [t for _, t, _ in furniture_texts(layout)]
    return texts


def run_render(result: BuildResult, output: Path, writer: PdfWriterProcess | None = None) -> BuildResult:
    """Render a composed build to `output` (atomically) and record the time and path. A `writer`
    process writes it when the build comes with its text operators (as `run` makes them)."""
    timings = dict(result.report.timings)
    start = time.perf_counter()
    if writer is not None and writer.started and result.page_texts is not None and result.space is not None:
        writer.write(result, output)
    else:
        _render_here(result, output)
    timings["render"] = time.perf_counter() - start
    report = replace(result.report, output=str(output), timings=timings)
    return replace(result, report=report)


def _render_here(result: BuildResult, output: Path) -> None:
    from paiban.render.pdf_writer import write_pdf  # reportlab only when rendering
    from paiban.render.text_operators import metrics_advance

    registry, glyphs = result.registry, result.glyphs
    drawn = result.drawn_chars()  # without unpacking the lines of pages composed in a child

    def render(space: CodeSpace | None, texts: tuple[str, ...] | None) -> None:
        write_pdf(result.document, output, lambda key, chars: registry.pdf_font_name(glyphs.faces[key], chars),
                  metrics_advance(registry, glyphs.faces), space=space, text_codes=texts, drawn=drawn)

    try:
        render(result.space, result.page_texts)
    except UnplannedCharacter:  # the codes then come from the characters drawn
        render(None, None)
