"""Render and preview jobs of an edition build, run in the build's pool (`paiban.parallel`).

A `RenderJob` is plain picklable data: the encoded pages (`EncodedPage`: text operators and
the rest of the page), the `FontFace`s they draw with, the characters each face's font is
prepared for, the font conversion cache folder. `render_job` writes them as one PDF (a page, or
the combined edition) in a worker of the build's pool (this process, local processes, or a Dask
cluster) and returns a `RenderResult`; no reportlab state crosses a process boundary. A page's
fonts are prepared for the characters of its composition (the layout with its articles and
variables) and the combined PDF's for the edition's, so a page's PDF has the same bytes in any
process, alone or after other pages, and in every edition that shares its composition.

A `PreviewJob` makes a page's PNG preview and its thumbnail from its PDF (`previews.page_previews`).

With a `store` (the workers are on this machine) the files are written straight into the build
cache, under temporary names renamed when complete; without (Dask), their bytes come back.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.fonts.faces import FontFace
from paiban.model.placed import EncodedPage
from paiban.parallel import worker_name

if TYPE_CHECKING:
    from paiban.edition.edition_loader import PreviewSpec

__all__ = ["PREVIEW_SUFFIXES", "PreviewJob", "RenderJob", "RenderResult", "prepare_font", "preview_job",
           "render_job"]

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
    """One page's previews: from its PDF (a file in the store, or its bytes), at `preview`."""

    key: str  # the preview's cache key
    pdf: str | bytes  # the PDF's path (same machine) or its bytes
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
    """Write `job`'s PDF: into the store (to a temporary name, then renamed), or return its bytes."""
    import tempfile

    from paiban.render.pdf_writer import write_pdf
    from paiban.render.text_operators import metrics_advance

    registry = _registry(job.font_cache)
    faces = {face.key: face for face in job.faces}

    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        folder = Path(job.store) if job.store else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="paiban-render-")))
        target = folder / f"{job.key}.pdf"
        write_pdf(job.title, job.pages, target, faces, metrics_advance(registry, faces),
                  font_chars=dict(job.font_chars))
        made = () if job.store else ((".pdf", target.read_bytes()),)
    return RenderResult(job.key, job.label, time.perf_counter() - start, worker_name(), made)


def preview_job(job: PreviewJob) -> RenderResult:
    """Make the page's preview and thumbnail PNGs: into the store, or return their bytes."""
    from paiban.edition.build_cache import write_atomic
    from paiban.edition.previews import page_previews

    start = time.perf_counter()
    pdf = job.pdf if isinstance(job.pdf, bytes) else Path(job.pdf).read_bytes()
    made = tuple(zip(PREVIEW_SUFFIXES, page_previews(pdf, job.preview)))
    if job.store:
        for suffix, blob in made:
            write_atomic(Path(job.store) / f"{job.key}{suffix}", blob)
        made = ()
    return RenderResult(job.key, "preview", time.perf_counter() - start, worker_name(), made)
