"""Compositions: the layouts of one or more editions, loaded, keyed, deduplicated and composed.

For each layout file an edition lists: load it with its fonts (`pipeline.load`; a mistake is an
`InputError` naming that file), number its pages and apply the edition's variables
(`edition_loader.apply_edition`), read its stories. What results is a `Composition`: everything
that decides the layout's pages — the effective layout, its articles, the edition's code space
(`CodeSpace`: the codes of characters beyond U+FFFF) and its page numbers — with a key, the
digest of all of that. Editions that use a layout with the same inputs and variables get the same
key, and the layout is composed once for all of them (`prepare_editions`). Editions are prepared
one after another and each new composition is handed on (`ready`) as soon as its edition is
keyed (the first few as soon as their own articles are read), so that it is composed while the
next editions are read; a layout file loaded with the same root and limits, and articles with
the same files and limits, are read once a run (and the articles searched once for characters
beyond U+FFFF: each layout's own texts, its furniture, are searched for each use).

A composition is composed by `compose_part`: its stories flowed and its pages (all, or a run of
them) composed and encoded, in a worker of the build's pool (`compose_job`: the composition
travels as a `ComposeJob`, everything but its loaded fonts, which a forked worker has from the
build's process and any other opens once from the same files) or here. The parts come back as encoded pages
with their warnings, and the first part also brings what the report needs from the flow (each
story's fit, the flow's warnings, the glyph coverage with the page of each missing glyph), so
nothing flowed crosses a process boundary. `layout_info` sums the parts up as a `LayoutInfo`:
each page's `PageInfo` (its content digest, the characters it draws per font, its pictures,
stories, overset, underset, missing glyphs and warnings) and the characters the whole
composition draws per font — which its page PDFs embed (see `paiban.edition.night`).
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from dataclasses import dataclass, field
from pathlib import Path

from paiban import pipeline
from paiban.edition.build_cache import drawn_page_digest
from paiban.edition.edition_loader import EditionSpec, apply_edition, page_numbers
from paiban.errors import InputError, Where
from paiban.fonts.faces import FontFace
from paiban.flow.holes import holes
from paiban.model.build_warning import BuildWarning
from paiban.model.placed import EncodedPage, FallbackUse, MissingGlyph
from paiban.model.spec import Layout, RegionKind
from paiban.render.text_operators import CodeSpace
from paiban.text import phrases
from paiban.report import BuildReport, StoryReport
from paiban.i18n import _

__all__ = ["ComposeJob", "Composition", "LayoutInfo", "PageInfo", "Part", "before_fork", "compose_job",
           "compose_part", "layout_info", "page_title", "prepare_editions", "prepare_layouts"]


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
class Composition:
    """A layout as one or more editions use it: loaded, renumbered to their pages, with their
    variables and styles, its stories read, and the code space of its editions' PDFs."""

    key: str  # digest of everything below: the same for every edition that uses it alike
    path: Path
    loaded: pipeline.Loaded = field(repr=False)
    stories: tuple[pipeline.Story, ...] = field(repr=False)
    space: CodeSpace = field(repr=False, compare=False)
    mapping: dict[int, int] = field(hash=False, compare=False)  # layout page → edition page

    @property
    def layout(self) -> Layout:
        return self.loaded.layout

    def job(self) -> ComposeJob:
        """The composition as a pool job carries it (`compose_job`)."""
        return ComposeJob(self.key, self.path, self.layout, self.loaded.fonts, self.stories, self.space, self.mapping)


@dataclass(frozen=True)
class ComposeJob:
    """A composition as it travels to a worker: plain data, its fonts named by their files
    (`pipeline.Loaded.fonts`), not loaded."""

    key: str
    path: Path
    layout: Layout
    fonts: tuple
    stories: tuple[pipeline.Story, ...]
    space: CodeSpace
    mapping: dict[int, int]


@dataclass(frozen=True)
class FlowFacts:
    """What a composition's report needs from its flowed stories (made where they were flowed)."""

    stories: tuple[StoryReport, ...]
    warnings: tuple[BuildWarning, ...]
    missing: tuple[tuple[MissingGlyph, int], ...]  # each with the page it is printed on
    fallbacks: tuple[FallbackUse, ...]


@dataclass(frozen=True)
class Part:
    """Pages of a composition composed and encoded (and, for its first part, the flow's facts)."""

    key: str
    pages: tuple[pipeline.ComposedPage, ...]
    facts: FlowFacts | None
    seconds: float


@dataclass(frozen=True)
class LayoutInfo:
    """A composed composition as an edition needs it: its pages (summed up and encoded), the faces
    they draw with and its build report."""

    key: str
    path: Path
    title: str
    pages: tuple[PageInfo, ...]
    encoded: tuple[EncodedPage, ...] = field(repr=False)
    faces: dict[str, FontFace] = field(hash=False, compare=False)
    #: face key → every character the composition draws with it, sorted (its page PDFs' fonts)
    chars: dict[str, str] = field(hash=False, compare=False)
    report: BuildReport
    seconds: float = 0.0  # flow and compose time, summed over its parts
    placed: tuple = ()  # the composed pages with their lines, when kept (a trace)


# ---- preparing ---------------------------------------------------------------------------------

def prepare_editions(specs: list[EditionSpec], root: Path | None = None,
                     ready: Callable[[Composition, int], None] | None = None, early: int = 0
                     ) -> tuple[list[list[Composition]], dict[str, Composition]]:
    """Each edition's compositions in page order, and the distinct ones by key (in first use order).

    Each layout is loaded confined to `root` (default: its edition's root, `spec.root`; None
    there: each layout's own folder or `root:`) and with the edition's limits over its own.
    `ready(composition, edition index)`: called for each new distinct composition as soon as its
    edition is prepared, before the next edition is read; and for up to `early` compositions of
    the first editions as soon as their own stories are read, before the rest of their edition:
    those whose texts draw no character beyond U+FFFF, keyed as if their edition's code space
    were empty, as it nearly always is. Where it is not, the composition handed on early is not
    one the edition uses (its key differs), and the one it uses is handed on with the others."""
    global _fonts
    fonts = _fonts = pipeline.Fonts()  # (a worker forked from here opens no font again: `compose_job`)
    memo: dict[tuple, tuple] = {}  # the layouts and articles read before
    chosen: list[list[Composition]] = []
    distinct: dict[str, Composition] = {}
    sent: dict[str, Composition] = {}  # handed on early
    for rank, spec in enumerate(specs):
        def soon(make: Callable[[], Composition], rank: int = rank) -> Composition | None:
            if ready is None or len(sent) >= early:
                return None
            item = make()
            if item.key not in distinct and item.key not in sent:
                sent[item.key] = item
                ready(item, rank)
            return item

        items = _prepare(spec, fonts, root, memo, soon)
        new = [item for item in items if item.key not in distinct and item.key not in sent]
        chosen.append([distinct.setdefault(item.key, sent.get(item.key, item)) for item in items])
        for item in new if ready is not None else ():
            ready(item, rank)
    return chosen, distinct


def prepare_layouts(spec: EditionSpec, root: Path | None = None) -> list[Composition]:
    """One edition's compositions, in page order (see `prepare_editions`)."""
    return prepare_editions([spec], root)[0][0]


def _prepare(spec: EditionSpec, fonts: pipeline.Fonts, root: Path | None, memo: dict[tuple, tuple],
             soon: Callable[[Callable[[], Composition]], Composition | None]) -> list[Composition]:
    root = root if root is not None else spec.root
    source = f"the root of the edition file {spec.source.name}"
    loaded = [_load(ref.path, fonts, root, spec.limits, source, memo) for ref in spec.layouts]
    maps = page_numbers(spec, [item.layout.pages for item in loaded])
    read = []
    astral: set[str] = set()
    for ref, item, mapping in zip(spec.layouts, loaded, maps):
        layout = apply_edition(item.layout, spec, mapping)
        _check_roles(layout, item)
        stories, digest, in_articles = _stories(layout, memo)
        effective = pipeline.Loaded(layout, item.registry, item.glyphs, item.fonts)
        own = {*in_articles, *CodeSpace.for_texts(pipeline.layout_texts(layout)).astral}
        # without such characters it is composed alike in any edition that has none: it may go now
        early = None if own else soon(partial(_composition, ref.path, effective, stories, digest, CodeSpace(), mapping))
        astral.update(own)
        read.append((ref, effective, stories, digest, mapping, early))
    # one code space for the edition: its PDF holds every page, with the same codes as the page's own
    space = CodeSpace(astral)
    return [early if early is not None and not astral else _composition(ref.path, effective, stories, digest, space,
                                                                         mapping)
            for ref, effective, stories, digest, mapping, early in read]


def _composition(path: Path, loaded: pipeline.Loaded, stories: tuple, digest: str, space: CodeSpace,
                 mapping: dict[int, int]) -> Composition:
    return Composition(_key(loaded.layout, digest, space, mapping), path, loaded, tuple(stories), space, mapping)


def _load(path: Path, fonts: pipeline.Fonts, root: Path | None, limits: dict[str, int], source: str,
          memo: dict[tuple, tuple]) -> pipeline.Loaded:
    """`pipeline.load`, once a run for the same file, root and limits (editions share layouts;
    `source` only names the root in a message, and a load that fails is not kept)."""
    key = ("layout", path, root, tuple(sorted(limits.items())))
    if key not in memo:
        memo[key] = (pipeline.load(path, fonts, root=root, limits=limits, root_source=source),)
    return memo[key][0]


def _stories(layout: Layout, memo: dict[tuple, tuple]) -> tuple[tuple, str, tuple[str, ...]]:
    """The layout's stories with their articles, what names the articles in a composition's key
    (their files and limits: a composition key is compared within one run only) and the
    characters beyond U+FFFF the articles draw."""
    key = (tuple(story.article for story in layout.stories), layout.limits)
    hit = memo.get(key)
    if hit is None:  # within the run, the same files and limits are the same articles: read and searched once
        articles = tuple(article for _, article in pipeline.read_stories(layout))
        hit = memo[key] = (articles, repr(key), CodeSpace.for_texts(pipeline.article_texts(articles)).astral)
    articles, digest, astral = hit
    return tuple(zip(layout.stories, articles)), digest, astral


def _key(layout: Layout, articles: str, space: CodeSpace, mapping: dict[int, int]) -> str:
    """Digest of what decides a composition's pages: the effective layout (grid, styles, regions
    at their edition pages, stories, edition variables, fonts), its articles (read once a run)
    and the code space. Frozen dataclasses of strings, numbers and paths, whose `repr` is exact."""
    return _digest(repr(layout), articles, repr(space.astral), repr(sorted(mapping.items())))


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _check_roles(layout: Layout, loaded: pipeline.Loaded) -> None:
    """The edition's shared styles may name font roles: each must be one the layout's fonts know."""
    known = set(loaded.registry.roles()) | set(layout.font_overrides)
    for style in layout.styles.values():
        if style.font not in known:
            raise InputError(_("style {name}: unknown font role {font!r} (known roles: {known})").format(
                name=style.name, font=style.font, known=', '.join(sorted(known))), Where(layout.source))


def page_title(layout: Layout, number: int) -> str:
    """A page PDF's title: the paper, the date and the page (西海岸新区报 2024-01-05 第5版), from the
    composition alone, so that a page shared by several editions is the same file in each."""
    edition = layout.edition
    head = " ".join(text for text in (edition.paper, edition.date) if text) or layout.title
    return f"{head} 第{number}版"


# ---- composing ---------------------------------------------------------------------------------

def compose_part(item: Composition, numbers: tuple[int, ...], proof: bool, with_facts: bool,
                 keep_lines: bool = False) -> Part:
    """Flow `item`'s stories and compose and encode its pages `numbers`; with `with_facts`, also
    what its report needs from the flow."""
    start = time.perf_counter()
    flowed = pipeline.flow(item.loaded, item.stories, item.space)
    pages = tuple(future.result() for future in pipeline.compose_pages(flowed, proof, None, keep_lines=keep_lines,
                                                                       numbers=numbers))
    facts = _facts(item, flowed) if with_facts else None
    phrases.save()  # the words segmented for these pages, for the next build
    return Part(item.key, pages, facts, time.perf_counter() - start)


def _facts(item: Composition, flowed: pipeline.Flowed) -> FlowFacts:
    missing, fallbacks = pipeline.check_coverage(item.layout, item.stories, item.loaded.glyphs)
    first = _first_pages(item.layout)
    return FlowFacts(tuple(pipeline.story_report(s, a, f) for s, a, f in flowed.stories),
                     (*(w for _, _, f in flowed.stories for w in f.warnings), *holes(item.layout, flowed.stories)),
                     tuple((m, _missing_page(m, item.layout, flowed.flows, first)) for m in missing),
                     tuple(fallbacks))


#: the fonts of the compositions prepared here (`prepare_editions`), which a worker forked from
#: this process has too; a worker spawned or on another machine opens them at its first job
_fonts: pipeline.Fonts | None = None


def compose_job(job: ComposeJob, numbers: tuple[int, ...], proof: bool, with_facts: bool) -> Part:
    """A pool job: pages `numbers` of the composition `job` (see `compose_part`), its fonts those
    of the build (`_fonts`), opened once a process."""
    global _fonts
    _fonts = _fonts if _fonts is not None else pipeline.Fonts()
    registry, glyphs = _fonts.get(*job.fonts, job.path)
    loaded = pipeline.Loaded(job.layout, registry, glyphs, job.fonts)
    item = Composition(job.key, job.path, loaded, job.stories, job.space, job.mapping)
    return compose_part(item, numbers, proof, with_facts)


def before_fork() -> None:
    """In the build's process, before its pool's workers are forked: the words found by earlier
    builds (`phrases.preload`), which display type needs, read once for all of them."""
    phrases.preload()


def layout_info(item: Composition, parts: list[Part]) -> LayoutInfo:
    """The composition's parts (the first with the flow's facts) summed up."""
    facts = next(part.facts for part in parts if part.facts is not None)
    composed = sorted((page for part in parts for page in part.pages), key=lambda page: page.encoded.number)
    warnings = [*facts.warnings, *pipeline.merged_warnings(composed)]
    encoded = tuple(page.encoded for page in composed)
    report = BuildReport(str(item.path), None, len(composed), facts.stories, tuple(m for m, _ in facts.missing),
                         tuple(warnings), {}, fallbacks=facts.fallbacks,
                         low_resolution=pipeline.low_resolution_pictures(item.layout, encoded))
    faces = dict(item.loaded.glyphs.faces)
    chars: dict[str, set[str]] = defaultdict(set)
    for page in composed:
        faces.update(page.faces)
        for face, text in page.encoded.chars.items():
            chars[face].update(text)
    return LayoutInfo(item.key, item.path, item.layout.title, _page_infos(item, facts, report, encoded), encoded,
                      faces, {face: "".join(sorted(cs)) for face, cs in sorted(chars.items())}, report,
                      sum(part.seconds for part in parts),
                      tuple(page.placed for page in composed if page.placed is not None))


def _story_pages(layout: Layout) -> dict[str, list[int]]:
    story_pages: dict[str, list[int]] = defaultdict(list)
    for spec in layout.stories:
        if spec.headline_region:
            story_pages[spec.name].append(layout.regions[spec.headline_region].page)
        for name in spec.thread:
            story_pages[spec.name].append(layout.regions[name].page)
    return story_pages


def _first_pages(layout: Layout) -> dict[str, int]:
    return {name: pages[0] for name, pages in _story_pages(layout).items() if pages}


def _page_infos(item: Composition, facts: FlowFacts, report: BuildReport, encoded: tuple[EncodedPage, ...]
                ) -> tuple[PageInfo, ...]:
    layout = item.layout
    own_number = {v: k for k, v in item.mapping.items()}
    story_pages = _story_pages(layout)
    first_page = _first_pages(layout)
    overset: dict[int, int] = defaultdict(int)
    underset: dict[int, int] = defaultdict(int)
    for spec, story in zip(layout.stories, report.stories):
        if story.overset:
            overset[layout.regions[spec.thread[-1]].page] += story.overset
        for r in story.regions:
            underset[r.page] += max(0, r.capacity - r.lines)
    missing: dict[int, list[MissingGlyph]] = defaultdict(list)
    for m, page in facts.missing:
        missing[page].append(m)
    warnings: dict[int, list[BuildWarning]] = defaultdict(list)
    for w in report.warnings:  # a warning of no page (overset text) goes to its story's first page
        page = w.page if w.page is not None else first_page.get(w.story, layout.pages[0])
        warnings[page].append(w)
    out = []
    for page in encoded:
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
