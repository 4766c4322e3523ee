"""Phase two of an edition build: composed pages rendered to PDF (and PNG previews), in parallel.

A `RenderJob` is plain picklable data: the composed pages (`PlacedPage`s), the `FontFace`s they
draw with, the characters the whole edition draws with each face, the font conversion cache
folder and the preview settings. `render_job` runs in a fresh worker process and returns a
`RenderResult`; no reportlab state crosses a process boundary, and since every page is rendered
with the edition's characters per font, a page's PDF has the same bytes in any process, alone
or after other pages.

Where jobs run (`open_executor`):

* ``jobs == 1``: in this process (`InlineExecutor`);
* ``jobs > 1``: worker processes on this machine, started before anything is rendered, which
  write their files straight into the build cache under temporary names, renamed when complete:
  on Linux forked from the build (`paiban.edition.forked_pool.ForkedPool`: they inherit the
  fonts and the layout, and one can take a side job), elsewhere a
  `concurrent.futures.ProcessPoolExecutor` of spawned processes (`LocalExecutor`);
* ``--scheduler ADDRESS``: a Dask distributed cluster (``dask.distributed.Client(ADDRESS)``,
  the ``dask`` extra); workers may be on other machines, so they return the files' bytes and
  this process writes them (`DaskExecutor`). The workers need paiban installed.

Workers leave SIGINT to the parent and turn SIGTERM into an exit that removes their temporary
file; `Executor.close(cancel=True)` stops a pool at once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.batch_gc import tune_for_batch
from paiban.fonts.faces import FontFace
from paiban.model.placed import PlacedPage

if TYPE_CHECKING:
    from paiban.edition.edition_loader import PreviewSpec

__all__ = ["DaskExecutor", "InlineExecutor", "LocalExecutor", "RenderJob", "RenderResult", "SchedulerError",
           "open_executor", "prepare_font", "render_job"]

#: the files a page job makes, by suffix; a combined job makes only the PDF
PAGE_SUFFIXES = (".pdf", ".png", ".thumb.png")


class SchedulerError(RuntimeError):
    """The Dask scheduler cannot be reached or used."""


@dataclass(frozen=True)
class RenderJob:
    """One render job: pages to write as one PDF (a page, or the combined edition), with its fonts."""

    key: str  # the render cache key; the files are named after it
    label: str  # for messages: "page 3", "combined"
    title: str  # PDF title
    pages: tuple[PlacedPage, ...]
    faces: tuple[FontFace, ...]  # every face the pages draw with
    font_chars: tuple[tuple[str, str], ...]  # face key → the edition's characters in that face
    font_cache: str | None  # font conversion cache folder (None: the worker's default)
    preview: PreviewSpec | None  # None: no PNG
    store: str | None  # write the files here (same machine); None: return their bytes
    #: the pages' text operators, already made by page jobs (the combined PDF reuses them)
    text_codes: tuple[str | None, ...] | None = None
    astral: tuple[str, ...] = ()  # the edition's characters beyond U+FFFF (its `CodeSpace`)
    want_text: bool = False  # return the pages' text operators (page jobs, for the combined PDF)


@dataclass(frozen=True)
class RenderResult:
    """What a render job did: its times, its worker, and its files or their bytes."""

    key: str
    label: str
    render_seconds: float
    preview_seconds: float
    worker: str  # host:pid
    files: tuple[tuple[str, bytes], ...] = ()  # (suffix, bytes) when the job had no store
    text_codes: tuple[str, ...] = ()  # the pages' text operators, when the job asked for them


# ---- in the worker ----------------------------------------------------------------------------

_registries: dict[str | None, Any] = {}


def _registry(font_cache: str | None) -> Any:
    from paiban.fonts.registry import FontRegistry

    hit = _registries.get(font_cache)
    if hit is None:
        hit = _registries[font_cache] = FontRegistry(cache_dir=Path(font_cache) if font_cache else None,
                                                       prefetch=False)
    return hit


def worker_init() -> None:
    """Pool worker setup: Ctrl-C is the parent's to handle; SIGTERM exits through `finally` blocks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    tune_for_batch()  # spawned workers start with the defaults


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def warm_up(previews: bool = True) -> str:
    """Import what rendering needs (runs while the parent composes); the previews' libraries only
    when the build makes previews."""
    if previews:
        import paiban.edition.previews  # noqa: F401  (pypdfium2, Pillow)
    import paiban.render.pdf_writer  # noqa: F401  (reportlab)

    _registry(None)
    return _worker_name()


def _worker_name() -> str:
    return f"{os.uname().nodename}:{os.getpid()}"  # socket.gethostname(), without importing socket


def prepare_font(face: FontFace, chars: str, font_cache: str | None) -> str:
    """Convert (or find in the cache) the face's TrueType subset for the edition's characters."""
    return _registry(font_cache).pdf_font_name(face, chars)


def render_job(job: RenderJob) -> RenderResult:
    """Render `job`: the PDF, and for a page job its preview and thumbnail PNGs. With a store, the
    files are written there (to a temporary name, then renamed); without, they are returned."""
    from paiban.edition.build_cache import write_atomic
    from paiban.model.placed import Document
    from paiban.render.pdf_writer import write_pdf
    from paiban.render.text_operators import CodeSpace, metrics_advance

    registry = _registry(job.font_cache)
    faces = {face.key: face for face in job.faces}
    chars = {key: set(text) for key, text in job.font_chars}

    def namer(key: str, cs: Any) -> str:
        return registry.pdf_font_name(faces[key], cs)

    start = time.perf_counter()
    import tempfile  # a job without a store (Dask): its files go through a temporary folder

    with contextlib.ExitStack() as stack:
        folder = Path(job.store) if job.store else Path(stack.enter_context(
            tempfile.TemporaryDirectory(prefix="paiban-render-")))
        target = folder / f"{job.key}.pdf"
        # with every page's text operators given, the lines are not read: the fonts are the job's
        # faces with the edition's characters (`font_chars`), whatever each page draws of them
        drawn = {key: set() for key in faces} if job.text_codes and None not in job.text_codes else None
        texts = write_pdf(Document(job.title, job.pages), target, namer, metrics_advance(registry, faces),
                          font_chars=chars, space=CodeSpace(job.astral), text_codes=job.text_codes, drawn=drawn)
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
    return RenderResult(job.key, job.label, rendered - start, done - rendered, _worker_name(), tuple(made),
                        tuple(texts) if job.want_text else ())


# ---- executors --------------------------------------------------------------------------------

class _Finished:
    """A job run at once: its value, or its exception raised by `result`."""

    def __init__(self, value: Any = None, error: BaseException | None = None):
        self.value, self.error = value, error

    def done(self) -> bool:
        return True

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class _Executor:
    """What the executors that take no side job and have nothing to let go early share (a
    `paiban.edition.forked_pool.ForkedPool` does both)."""

    def side_result(self, fallback: Callable[[], object]) -> object:
        """A side job is never given to this executor: `fallback()` does it in the build."""
        return fallback()

    def release(self) -> None:
        """No more jobs will come: nothing to do here."""


class InlineExecutor(_Executor):
    """Runs jobs in this process, one after the other (``--jobs 1``)."""

    description = "this process"
    local_files = True

    def submit(self, fn: Callable[..., Any], *args: Any) -> _Finished:
        try:
            return _Finished(fn(*args))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the result
            return _Finished(error=exc)

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        return iter(futures)

    def close(self, cancel: bool = False) -> None:
        pass


def start_method() -> str:
    """``fork`` on Linux while this process has not imported reportlab (the workers start before
    anything is rendered, so they inherit no reportlab state, and forking saves each of them
    starting an interpreter); ``spawn`` otherwise (macOS, Windows)."""
    if sys.platform.startswith("linux") and "reportlab" not in sys.modules:
        return "fork"
    return "spawn"


class LocalExecutor(_Executor):
    """A `concurrent.futures` process pool on this machine (see `start_method`; on Linux
    `open_executor` forks a `ForkedPool` instead); a worker renders many jobs."""

    local_files = True

    def __init__(self, jobs: int, previews: bool = True):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.jobs = jobs
        self.description = f"{jobs} local worker processes"
        context = multiprocessing.get_context(start_method())
        self.pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=worker_init)
        self.warm = [self.pool.submit(warm_up, previews) for _ in range(jobs)]

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self.pool.submit(fn, *args)

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        from concurrent.futures import as_completed

        return as_completed(futures)

    def close(self, cancel: bool = False) -> None:
        if not cancel:
            self.pool.shutdown(wait=True)
            return
        processes = list(getattr(self.pool, "_processes", {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # stop the jobs that already run
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


class DaskExecutor(_Executor):
    """Jobs on a Dask distributed cluster; the files come back as bytes."""

    local_files = False

    def __init__(self, address: str):
        try:
            from dask.distributed import Client
        except ImportError:
            raise SchedulerError("--scheduler needs Dask: pip install 'paiban[dask]'") from None
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise SchedulerError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.description = f"Dask scheduler {address} ({workers} workers)"
        self.futures: list[Any] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        # the composed pages go to the cluster as data, not inside the task graph (no "large graph")
        data = self.client.scatter(list(args), hash=False)
        future = self.client.submit(fn, *data, pure=False)
        self.futures.append(future)
        return future

    def as_completed(self, futures: list[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed as dask_as_completed

        return iter(dask_as_completed(futures, loop=self.client.loop))

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel and self.futures:
                self.client.cancel(self.futures)
        finally:
            self.client.close()


def open_executor(jobs: int, scheduler: str | None, previews: bool = True,
                  side_job: Callable[[], object] | None = None) -> Any:
    """The executor for `jobs` and `scheduler` (see the module docstring). `side_job`: work of
    the build for a forked worker to do before rendering (its `side_result`); the other
    executors leave it to the caller (their `side_result` runs the fallback)."""
    if scheduler:
        return DaskExecutor(scheduler)
    if jobs <= 1:
        return InlineExecutor()
    if start_method() == "fork":
        from paiban.edition.forked_pool import ForkedPool

        return ForkedPool(jobs, lambda: warm_up(previews), worker_init, side_job)
    return LocalExecutor(jobs, previews)
