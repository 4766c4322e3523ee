"""Write a layout's PDF in a process of its own, started before the build, so that importing the
renderer (reportlab, ~30 ms) and loading the fonts for it happen on another core while this
process reads, flows and composes.

`PdfWriterProcess` forks once the layout's fonts are loaded (Linux), so the child inherits them;
it imports `pdf_writer` and waits. When the build is composed, `write` sends it what the PDF needs and
nothing more: each page without its lines (rules, boxes, pictures, markers), each page's text
operators (made while composing, `text_operators`), the faces and characters of the fonts, the
code space. The child writes the file atomically with the same `write_pdf` as a build in one
process, so the bytes are the same, and answers with the time it took or the error.

The child never outlives the build: leaving the `with` block (normally, on an error, on SIGTERM
turned into an exception) stops and reaps it; SIGTERM or SIGINT in the child removes its
temporary file (`atomic_files`), and it exits when the parent closes the pipe.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from paiban.errors import PaibanError

if TYPE_CHECKING:
    from paiban.fonts.registry import FontRegistry
    from paiban.pipeline import BuildResult


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class PdfWriterProcess:
    """A forked child that writes one PDF (see the module). Made before the build, started by
    `pipeline.run` once the layout's fonts are loaded (the child inherits them)."""

    def __init__(self) -> None:
        self.pid = 0
        self._to_child = self._from_child = self._side = -1

    @property
    def started(self) -> bool:
        return self.pid != 0

    def start(self, registry: FontRegistry, side_job: Callable[[], object] | None = None) -> None:
        """Fork the child, which imports the renderer, runs `side_job` (work of the build that
        nothing before the report needs: `side_result` gives its value) and waits for `write`."""
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        side_r, side_w = os.pipe() if side_job is not None else (-1, -1)
        self.pid = os.fork()
        if self.pid == 0:
            code = 1
            try:
                for fd in (self._to_child, self._from_child, side_r):
                    if fd >= 0:
                        os.close(fd)
                code = _serve(registry, to_child_r, from_child_w, side_job, side_w)
            finally:
                os._exit(code)
        os.close(to_child_r)
        os.close(from_child_w)
        if side_w >= 0:
            os.close(side_w)
        self._side = side_r

    def side_result(self, fallback: Callable[[], object]) -> object:
        """The value of the `side_job` given to `start`; `fallback()` when there was none or it
        did not come (it raised, or the child died): the same work done here."""
        fd, self._side = self._side, -1
        return read_side_result(fd, fallback)

    def write(self, result: BuildResult, output: Path) -> float:
        """Have the child write `result` (composed with text operators) to `output`; return the
        child's time in seconds. Raises what writing raised there: OSError or PaibanError."""
        document = result.document
        shells = [_page_shell(p) for p in document.pages]
        drawn = result.drawn_chars()
        faces = {key: result.glyphs.faces[key] for key in drawn}
        payload = pickle.dumps((str(output), document.title, shells, list(result.page_texts or ()), faces,
                                drawn, result.space), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            with os.fdopen(self._to_child, "wb") as pipe:
                self._to_child = -1
                pipe.write(payload)
        except BrokenPipeError:  # the child is gone: its (empty) answer says so below
            pass
        with os.fdopen(self._from_child, "rb") as pipe:
            self._from_child = -1
            answer = pipe.read()
        os.waitpid(self.pid, 0)
        self.pid = 0
        try:
            kind, *value = pickle.loads(answer)
        except Exception:  # the child died (killed, out of memory): no answer
            raise PaibanError(f"the PDF writer process stopped without writing {output}") from None
        if kind == "oserror":
            raise OSError(value[0], value[1], value[2])
        if kind == "raise":
            raise value[0]
        if kind != "ok":
            raise PaibanError(f"writing {output} failed: {value[0]}")
        return value[0]

    def close(self) -> None:
        for fd in (self._to_child, self._from_child, self._side):
            if fd >= 0:
                os.close(fd)
        self._to_child = self._from_child = self._side = -1
        if self.pid:  # not asked to write, or stopped early: end the child, which removes its temporary file
            try:
                os.kill(self.pid, signal.SIGTERM)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
            self.pid = 0

    def __enter__(self) -> PdfWriterProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _page_shell(page):
    from dataclasses import replace

    return replace(page, lines=())


def _serve(registry: FontRegistry, requests: int, answers: int, side_job: Callable[[], object] | None = None,
           side: int = -1) -> int:
    """The child: prepare, run the side job, wait for one request, write, answer. Returns the
    exit code."""
    from paiban.interrupts import BuildInterrupted, interrupt_on_sigterm

    signal.signal(signal.SIGINT, signal.SIG_DFL)
    try:
        with interrupt_on_sigterm():  # SIGTERM unwinds, removing the temporary file
            prepared = _prepare(registry)
            if side_job is not None:
                run_side_job(side_job, side)
            with os.fdopen(requests, "rb") as pipe:
                request = pipe.read()
            if not request:  # the build stopped before rendering (an error, --strict, check)
                return 0
            answer = _write(prepared, request)
    except (BuildInterrupted, KeyboardInterrupt):
        return 143
    try:
        data = pickle.dumps(answer)
    except Exception as exc:  # noqa: BLE001 - an error that does not pickle: its message
        data = pickle.dumps(("error", f"{type(answer[1]).__name__}: {answer[1]} ({exc})"))
    with os.fdopen(answers, "wb") as pipe:
        pipe.write(data)
    return 0


def run_side_job(job: Callable[[], object], side: int) -> None:
    """In a child: run `job` and send its value (or that it failed) down the pipe `side`."""
    try:
        data = pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - the parent does the work itself
        data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
    try:
        with os.fdopen(side, "wb") as pipe:
            pipe.write(data)
    except OSError:  # the parent is gone or no longer listening
        pass


def read_side_result(fd: int, fallback: Callable[[], object]) -> object:
    """In the parent: the value `run_side_job` sent down the pipe `fd` (closed here); `fallback()`
    when there is no pipe (-1) or the job failed or its process died."""
    if fd < 0:
        return fallback()
    with os.fdopen(fd, "rb") as pipe:
        data = pipe.read()
    try:
        kind, value = pickle.loads(data)
    except Exception:  # noqa: BLE001 - the child died first
        return fallback()
    return value if kind == "ok" else fallback()


def _prepare(registry: FontRegistry) -> FontRegistry | Exception:
    """The renderer imported (or the error doing so) and the registry to draw with."""
    try:
        import paiban.render.pdf_writer  # noqa: F401  (the import this process exists for)
    except Exception as exc:  # noqa: BLE001 - reported if and when a PDF is asked for
        return exc
    return registry


def _write(registry, request: bytes) -> tuple:
    start = time.perf_counter()
    try:
        if isinstance(registry, Exception):
            raise registry
        from paiban.model.placed import Document
        from paiban.render.pdf_writer import write_pdf
        from paiban.render.text_operators import metrics_advance

        output, title, pages, texts, faces, drawn, space = pickle.loads(request)
        write_pdf(Document(title, tuple(pages)), Path(output),
                  lambda key, chars: registry.pdf_font_name(faces[key], chars),
                  metrics_advance(registry, faces), space=space, text_codes=texts, drawn=drawn)
    except OSError as exc:
        return ("oserror", exc.errno, exc.strerror, exc.filename)
    except PaibanError as exc:  # an input error found while drawing (a picture, say): raised as is
        return ("raise", exc)
    except Exception as exc:  # noqa: BLE001 - the parent reports it
        return ("error", f"{type(exc).__name__}: {exc}")
    return ("ok", time.perf_counter() - start)
