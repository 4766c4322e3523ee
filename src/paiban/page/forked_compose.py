"""Compose a flowed document's pages in several processes, each also making its pages' text
operators (the expensive part of rendering), and merge the results in page order.

Once every story is flowed, pages are independent: `compose.compose_some_pages` sets any subset
of them. The pages are cut into contiguous chunks of about equal work (placed lines); the first
chunk is composed here, each other one in a child made with ``fork`` (Linux), which inherits the
flowed stories and glyph tables instead of receiving them, and sends back its pages, warnings and
text operators through a pipe (pickled). The result is the same as composing in one process:
same pages, same warnings in the same order (`compose_some_pages` ranks them), same operators
(`text_operators.CodeSpace` codes do not depend on the process), so the PDF is byte-identical.

A child that fails sends its error (or dies: a truncated payload) and the parent raises a
`PaibanError`. Children are always reaped, and killed if the parent stops early (an error,
Ctrl-C, SIGTERM turned into an exception by the command line); a child whose parent was killed
outright stops when it finds the pipe closed. Faces a child met first are handed back, so the
renderer knows every face the pages use.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace

from paiban.errors import PaibanError
from paiban.model.article import Article
from paiban.model.flowed import StoryFlow
from paiban.model.placed import PackedLines, PlacedPage, chars_by_face
from paiban.model.spec import Layout, StorySpec
from paiban.page.compose import Rank, compose_some_pages
from paiban.page.glyph_source import GlyphSource
from paiban.render.text_operators import Advance, CodeSpace, GlyphCodes, UnplannedCharacter, page_operators

Stories = list[tuple[StorySpec, Article, StoryFlow]]
#: (pages, ranked warnings, text operators, face → characters drawn, for each page)
Composed = tuple[tuple[PlacedPage, ...], list[tuple[Rank, str]], list[str], list[dict[str, set[str]]]]


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def page_chunks(layout: Layout, stories: Stories, parts: int) -> list[list[int]]:
    """The layout's pages cut into at most `parts` contiguous runs of about equal line counts."""
    weight = {n: 1 for n in layout.pages}
    for _, _, flow in stories:
        for fl in flow.lines:
            weight[fl.page] = weight.get(fl.page, 1) + 1
    total = sum(weight[n] for n in layout.pages)
    chunks: list[list[int]] = [[]]
    done = 0
    for n in layout.pages:
        # a run ends before the page that would take it further from its share than it is
        target = total * len(chunks) / parts
        if chunks[-1] and len(chunks) < parts and abs(done + weight[n] - target) > abs(done - target):
            chunks.append([])
        chunks[-1].append(n)
        done += weight[n]
    return chunks


def compose_and_encode(layout: Layout, stories: Stories, glyphs: GlyphSource, proof: bool, numbers: Sequence[int],
                       space: CodeSpace, advance: Advance) -> Composed:
    """Compose the pages in `numbers`; make their text operators and list, page by page, the
    characters each face draws (the fonts' subsets, an edition's page records)."""
    pages, warnings = compose_some_pages(layout, stories, glyphs, proof, set(numbers))
    codes = GlyphCodes(space, advance)
    return pages, warnings, [page_operators(codes, page) for page in pages], [chars_by_face([p]) for p in pages]


def compose_forked(layout: Layout, stories: Stories, glyphs: GlyphSource, proof: bool, jobs: int,
                   space: CodeSpace, advance: Advance, meanwhile: Callable[[], object] | None = None,
                   ) -> tuple[tuple[PlacedPage, ...], list[str], list[str], list[dict[str, set[str]]]]:
    """Every page composed and encoded, in up to `jobs` processes: (pages, warnings, operators,
    face → characters drawn per page). The lines of pages made in a child arrive as `PackedLines`.
    `meanwhile` runs here once the children are working (the caller's next step's imports).
    Faces a child met first are added to ``glyphs.faces``, as if composed here."""
    chunks = page_chunks(layout, stories, jobs)
    children: list[tuple[int, int]] = []

    def work(chunk: list[int]) -> tuple[Composed, dict]:
        pages, warnings, texts, drawn = compose_and_encode(layout, stories, glyphs, proof, chunk, space, advance)
        packed = tuple(replace(page, lines=PackedLines.pack(page.lines)) for page in pages)
        return (packed, warnings, texts, drawn), dict(glyphs.faces)

    try:
        for chunk in chunks[1:]:
            children.append(_fork(lambda c=chunk: work(c), [fd for _, fd in children]))
        if meanwhile is not None:
            meanwhile()
        parts = [compose_and_encode(layout, stories, glyphs, proof, chunks[0], space, advance)]
        while children:
            part, faces = _collect(children[0])
            children.pop(0)
            parts.append(part)
            for key, face in faces.items():
                glyphs.faces.setdefault(key, face)
    finally:
        for pid, fd in children:  # stopped early: the children's work is not wanted
            _kill(pid, fd)
    pages = tuple(p for part in parts for p in part[0])
    warnings = [w for _, w in sorted(w for part in parts for w in part[1])]
    texts = [t for part in parts for t in part[2]]
    drawn = [chars for part in parts for chars in part[3]]
    return pages, warnings, texts, drawn


def _fork(work: Callable[[], object], siblings: list[int]) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, send, leave without running the parent's exit handlers
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's clean-up handler
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
            for fd in (read_end, *siblings):
                os.close(fd)
            gc.freeze()  # the inherited objects are never scanned: fewer pages copied on write
            try:
                payload = pickle.dumps(("ok", work()), protocol=pickle.HIGHEST_PROTOCOL)
            except UnplannedCharacter as exc:
                payload = pickle.dumps(("unplanned", str(exc)))
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:  # noqa: BLE001 - the parent is gone, or the pipe is
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    return pid, read_end


def _collect(child: tuple[int, int]) -> tuple[Composed, dict]:
    pid, fd = child
    with os.fdopen(os.dup(fd), "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    try:
        kind, value = pickle.loads(data)
    except Exception as exc:  # killed while writing (out of memory, SIGKILL): a truncated payload
        raise PaibanError(f"composing pages in a child process failed: it stopped (exit status {status}) "
                          f"after sending {len(data)} bytes ({type(exc).__name__})") from None
    if kind == "unplanned":
        raise UnplannedCharacter(value)
    if kind != "ok":
        raise PaibanError(f"composing pages in a child process failed: {value}")
    return value


def _kill(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    for step in (lambda: os.close(fd), lambda: os.waitpid(pid, 0)):
        try:
            step()
        except (OSError, ChildProcessError):  # already closed or reaped by _collect
            pass
