"""Phase two of an edition build: encoded pages rendered to PDF (and PNG previews) as pool jobs.

A `RenderJob` is plain picklable data: the encoded pages (`EncodedPage`: text operators and
the rest of the page), the `FontFace`s they draw with, the characters the whole edition draws
with each face, the font conversion cache folder and the preview settings. `render_job` runs in
a worker of the build's pool (`paiban.parallel`: this process, local processes, or a Dask
cluster) and returns a `RenderResult`; no reportlab state crosses a process boundary, and since
every page is rendered with the edition's characters per font, a page's PDF has the same bytes
in any process, alone or after other pages. With a `store` (the workers are on this machine)
the files are written straight into the build cache, under temporary names renamed when
complete; without (Dask), their bytes come back.
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

__all__ = ["PAGE_SUFFIXES", "RenderJob", "RenderResult", "prepare_font", "render_job"]

#: the files a page job makes, by suffix; a combined job makes only the PDF
PAGE_SUFFIXES = (".pdf", ".png", ".thumb.png")


@dataclass(frozen=True)
class RenderJob:
    """One render job: pages to write as one PDF (a page, or the combined edition), with its fonts."""

    key: str  # the render cache key; the files are named after it
    label: str  # for messages: "page 3", "combined"
    title: str  # PDF title
    pages: tuple[EncodedPage, ...]
    faces: tuple[FontFace, ...]  # every face the pages draw with
    font_chars: tuple[tuple[str, str], ...]  # face key → the edition's characters in that face
    font_cache: str | None  # font conversion cache folder (None: the worker's default)
    preview: PreviewSpec | None  # None: no PNG
    store: str | None  # write the files here (same machine); None: return their bytes


@dataclass(frozen=True)
class RenderResult:
    """What a render job did: its times, its worker, and its files or their bytes."""

    key: str
    label: str
    render_seconds: float
    preview_seconds: float
    worker: str  # host:pid
    files: tuple[tuple[str, bytes], ...] = ()  # (suffix, bytes) when the job had no store


_registries: dict[str | None, Any] = {}


def _registry(font_cache: str | None) -> Any:
    """The worker's font registry for a font cache folder (made on its first job)."""
    from paiban.fonts.registry import FontRegistry

    hit = _registries.get(font_cache)
    if hit is None:
        hit = _registries[font_cache] = FontRegistry(cache_dir=Path(font_cache) if font_cache else None,
                                                       prefetch=False)
    return hit


def prepare_font(face: FontFace, chars: str, font_cache: str | None) -> str:
    """Convert (or find in the cache) the face's TrueType subset for the edition's characters."""
    return _registry(font_cache).pdf_font_name(face, chars)


def render_job(job: RenderJob) -> RenderResult:
    """Render `job`: the PDF, and for a page job its preview and thumbnail PNGs. With a store, the
    files are written there (to a temporary name, then renamed); without, they are returned."""
    import tempfile

    from paiban.edition.build_cache import write_atomic
    from paiban.render.pdf_writer import write_pdf
    from paiban.render.text_operators import metrics_advance

    registry = _registry(job.font_cache)
    faces = {face.key: face for face in job.faces}

    def namer(key: str, chars: Any) -> str:
        return registry.pdf_font_name(faces[key], chars)

    start = time.perf_counter()
    with contextlib.ExitStack() as stack:
        folder = Path(job.store) if job.store else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="paiban-render-")))
        target = folder / f"{job.key}.pdf"
        write_pdf(job.title, job.pages, target, namer, metrics_advance(registry, faces),
                  font_chars=dict(job.font_chars))
        rendered = time.perf_counter()
        made: list[tuple[str, bytes]] = []
        if job.preview is not None or not job.store:
            data = target.read_bytes()
            made.append((".pdf", data))
            if job.preview is not None:
                from paiban.edition.previews import page_previews

                png, thumb = page_previews(data, job.preview)
                made += [(".png", png), (".thumb.png", thumb)]
        if job.store:
            for suffix, blob in made[1:]:  # the PDF is there already
                write_atomic(folder / f"{job.key}{suffix}", blob)
            made = []
    done = time.perf_counter()
    return RenderResult(job.key, job.label, rendered - start, done - rendered, worker_name(), tuple(made))
