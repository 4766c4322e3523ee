"""Render and preview jobs of an edition build, run in the build's pool (`paiban.parallel`).

A `RenderJob` is plain picklable data: the encoded pages (`EncodedPage`: text operators and
the rest of the page), the `FontFace`s they draw with, the characters each face's font is
prepared for, the font conversion cache folder. `render_job` writes them as one PDF (a page, or
the combined edition) in a worker of the build's pool (this process, local processes, or a Dask
cluster) and returns a `RenderResult`; no reportlab state crosses a process boundary. A page's
fonts are prepared for the characters of its composition (the layout with its articles and
variables) and the combined PDF's for the edition's, so a page's PDF has the same bytes in any
process, alone or after other pages, and in every edition that shares its composition.

A `PreviewJob` is a page's PNG preview and its thumbnail (`previews.page_previews`), made from
the page's render job: not from its print PDF but from a preview rendition written in memory, the
same page with its CFF faces as TrueType outlines (`paiban.render.preview_outlines`: PDFium reads
a broadsheet page of those in about 10 ms where the print PDF takes 60), so it needs no PDF file.
`preview_jobs` makes the previews of pages of one composition together, from one rendition of
them all: their fonts (made for the composition's characters) written and parsed once, and
PDFium's glyph bitmaps cached from page to page (~24 ms a page, not 29 one page a document; the
PNGs have the same bytes).

With a `store` (the workers are on this machine) the files are written straight into the build
cache, under temporary names renamed when complete; without (Dask), their bytes come back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.fonts.faces import FontFace
from paiban.model.placed import EncodedPage
from paiban.parallel import worker_name

if TYPE_CHECKING:
    from paiban.edition.edition_loader import PreviewSpec

__all__ = ["PREVIEW_SUFFIXES", "PreviewJob", "RenderJob", "RenderResult", "contact_job", "prepare_font",
           "preview_jobs", "render_job"]

#: the files a preview job makes, by suffix
PREVIEW_SUFFIXES = (".png", ".thumb.png")


@dataclass(frozen=True)
class RenderJob:
    """One render job: pages to write as one PDF (a page, or the combined edition), with its fonts."""

    key: str  # the render cache key; the files are named after it
    label: str  # for messages: "page 3", "combined"
    title: str  # PDF title
    pages: tuple[EncodedPage, ...]
    faces: tuple[FontFace, ...]  # every face the pages draw with
    font_chars: tuple[tuple[str, str], ...]  # face key → the characters its font is prepared for
    font_cache: str | None  # font conversion cache folder (None: the worker's default)
    store: str | None  # write the files here (same machine); None: return their bytes


@dataclass(frozen=True)
class PreviewJob:
    """One page's previews at `preview`, drawn from what its PDF is written from."""

    key: str  # the preview's cache key
    page: RenderJob  # the page's render job: its encoded page, faces, font characters, font cache
    preview: PreviewSpec
    store: str | None


@dataclass(frozen=True)
class RenderResult:
    """What a render or preview job did: its time, its worker, and its files or their bytes."""

    key: str
    label: str
    seconds: float
    worker: str  # host:pid
    files: tuple[tuple[str, bytes], ...] = ()  # (suffix, bytes) when the job had no store


_registries: dict[str | None, Any] = {}


def _registry(font_cache: str | None) -> Any:
    """The worker's font registry for a font cache folder (made on its first job)."""
    from paiban.fonts.registry import FontRegistry

    hit = _registries.get(font_cache)
    if hit is None:
        hit = _registries[font_cache] = FontRegistry(prefetch=False)
    return hit


def prepare_font(face: FontFace, chars: str, font_cache: str | None) -> str:
    """Make (or find in the font cache) the face's font program for these characters, once,
    before the render jobs that embed it (`paiban.render.cid_fonts.prepare_program`)."""
    from paiban.render.cid_fonts import prepare_program
    from paiban.render.text_operators import metrics_advance

    return prepare_program(face, chars, metrics_advance(_registry(font_cache), {face.key: face}))


def render_job(job: RenderJob) -> RenderResult:
    """Write `job`'s PDF into the store (to a temporary name, then renamed), or return its bytes."""
    from paiban.atomic_files import write_atomically
    from paiban.render.pdf_writer import pdf_bytes
    from paiban.render.text_operators import metrics_advance

    registry = _registry(job.font_cache)
    faces = {face.key: face for face in job.faces}

    start = time.perf_counter()
    pdf = pdf_bytes(job.title, job.pages, faces, metrics_advance(registry, faces), font_chars=dict(job.font_chars))
    if job.store:
        write_atomically(Path(job.store) / f"{job.key}.pdf", pdf)  # mode 0o666 less the umask, as outputs
    made = () if job.store else ((".pdf", pdf),)
    return RenderResult(job.key, job.label, time.perf_counter() - start, worker_name(), made)


def preview_jobs(jobs: tuple[PreviewJob, ...]) -> tuple[RenderResult, ...]:
    """Make the preview and thumbnail PNGs of pages of one composition (the same fonts, the same
    preview setting) from one preview rendition of them all: into the store, or return their
    bytes. Each result has its share of the time."""
    from paiban.edition.build_cache import write_atomic
    from paiban.edition.previews import page_previews
    from paiban.render.pdf_writer import pdf_bytes
    from paiban.render.text_operators import metrics_advance

    faces = {face.key: face for job in jobs for face in job.page.faces}
    font_chars = dict(pair for job in jobs for pair in job.page.font_chars)
    first = jobs[0].page
    advance = metrics_advance(_registry(first.font_cache), faces)
    start = time.perf_counter()
    pdf = pdf_bytes(first.title, [page for job in jobs for page in job.page.pages], faces, advance,
                    font_chars=font_chars, preview=True)
    made = [tuple(zip(PREVIEW_SUFFIXES, pngs)) for pngs in page_previews(pdf, jobs[0].preview)]
    for job, files in zip(jobs, made):
        if job.store:
            for suffix, blob in files:
                write_atomic(Path(job.store) / f"{job.key}{suffix}", blob)
    share = (time.perf_counter() - start) / len(jobs)
    return tuple(RenderResult(job.key, "preview", share, worker_name(), () if job.store else files)
                 for job, files in zip(jobs, made))


def contact_job(key: str, thumbs: tuple[tuple[str, str | bytes], ...], preview: PreviewSpec, title: str,
                store: str | None) -> RenderResult:
    """An edition's contact sheet (`previews.contact_sheet`) of its (label, thumbnail) in page
    order, each thumbnail a PNG file's path (the same machine) or its bytes: into the store, or
    its bytes returned."""
    from paiban.edition.build_cache import write_atomic
    from paiban.edition.previews import contact_sheet

    start = time.perf_counter()
    sheet = contact_sheet([(label, Path(thumb).read_bytes() if isinstance(thumb, str) else thumb)
                           for label, thumb in thumbs], preview, title)
    if store:
        write_atomic(Path(store) / f"{key}.contact.png", sheet)
    made = () if store else ((".contact.png", sheet),)
    return RenderResult(key, "contact sheet", time.perf_counter() - start, worker_name(), made)
