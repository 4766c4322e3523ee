"""Compose a flowed document's pages in several processes, each also making its pages' text
operators (the expensive part of rendering), and merge the results in page order.

Once every story is flowed, pages are independent: `compose.compose_some_pages` sets any subset
of them. The pages wait in a `PageQueue`; this process and children made with ``fork`` (Linux),
which inherit the flowed stories and glyph tables instead of receiving them, each take the next
page until none is left, so a process slowed down (a busy or shared CPU) simply takes fewer.
Children send back their pages, warnings and text operators through a pipe (pickled, the lines
packed). The result is the same as composing in one process: same pages, same warnings in the
same order (`compose_some_pages` ranks them), same operators (`text_operators.CodeSpace` codes
do not depend on the process), so the PDF is byte-identical whoever took which page.

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
from paiban.model.placed import DeferredLines, PackedLines, PlacedPage, chars_by_face
from paiban.model.spec import Layout, StorySpec
from paiban.page.compose import FlowIndex, Rank, compose_some_pages, flow_index
from paiban.page.glyph_source import GlyphSource
from paiban.render.text_operators import Advance, CodeSpace, GlyphCodes, UnplannedCharacter, page_operators

Stories = list[tuple[StorySpec, Article, StoryFlow]]
#: (pages, ranked warnings, text operators, face → characters drawn, for each page)
Composed = tuple[tuple[PlacedPage, ...], list[tuple[Rank, str]], list[str], list[dict[str, set[str]]]]


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


class PageQueue:
    """Page numbers handed out one at a time to whichever process asks first, across ``fork``:
    a pipe holding two-byte page indexes, its write end closed once they are in. A read of two
    bytes from a pipe is never split between readers, so no page is taken twice."""

    def __init__(self, numbers: Sequence[int]):
        self.numbers = list(numbers)
        if len(self.numbers) > 16_000:  # a pipe holds 64 KiB unread
            raise PaibanError(f"{len(self.numbers)} pages are more than one layout can compose in processes")
        self.fd, write_end = os.pipe()
        data = b"".join(i.to_bytes(2, "big") for i in range(len(self.numbers)))
        try:
            while data:
                data = data[os.write(write_end, data):]
        finally:
            os.close(write_end)

    def take(self) -> int | None:
        """The next page number, or None when every page is taken."""
        data = os.read(self.fd, 2)
        return self.numbers[int.from_bytes(data, "big")] if len(data) == 2 else None

    def close(self) -> None:
        os.close(self.fd)


def compose_and_encode(layout: Layout, stories: Stories, glyphs: GlyphSource, proof: bool, numbers: Sequence[int],
                       space: CodeSpace, advance: Advance, index: FlowIndex | None = None) -> Composed:
    """Compose the pages in `numbers`; make their text operators and list, page by page, the
    characters each face draws (the fonts' subsets, an edition's page records). `index`: the
    stories' `flow_index`, when the document is composed in several calls."""
    pages, warnings = compose_some_pages(layout, stories, glyphs, proof, set(numbers), index)
    codes = GlyphCodes(space, advance)
    return pages, warnings, [page_operators(codes, page) for page in pages], [chars_by_face([p]) for p in pages]


def compose_forked(layout: Layout, stories: Stories, glyphs: GlyphSource, proof: bool, jobs: int,
                   space: CodeSpace, advance: Advance, meanwhile: Callable[[], object] | None = None,
                   deferred_lines: bool = False,
                   ) -> tuple[tuple[PlacedPage, ...], list[str], list[str], list[dict[str, set[str]]]]:
    """Every page composed and encoded, in up to `jobs` processes: (pages, warnings, operators,
    face → characters drawn per page). The lines of pages made in a child arrive as `PackedLines`,
    or with `deferred_lines` not at all: as `DeferredLines`, composed again here if read (for a
    build that needs only the text operators: pickling a page's lines costs as much as a
    quarter of composing it, and this is the build's last step).
    `meanwhile` runs here once the children are working (the caller's next step's imports).
    Faces a child met first are added to ``glyphs.faces``, as if composed here."""
    queue = PageQueue(layout.pages)
    index = flow_index(stories)  # once, not once a page
    children: list[tuple[int, int]] = []

    def taken() -> Composed:
        """Pages from the queue until it is empty, composed and encoded here."""
        parts = []
        while (number := queue.take()) is not None:
            parts.append(compose_and_encode(layout, stories, glyphs, proof, [number], space, advance, index))
        return (tuple(p for part in parts for p in part[0]), [w for part in parts for w in part[1]],
                [t for part in parts for t in part[2]], [d for part in parts for d in part[3]])

    def work() -> tuple[Composed, dict]:
        pages, warnings, texts, drawn = taken()
        if deferred_lines:  # the count travels in place of the lines
            packed = tuple(replace(page, lines=len(page.lines)) for page in pages)
        else:
            packed = tuple(replace(page, lines=PackedLines.pack(page.lines)) for page in pages)
        return (packed, warnings, texts, drawn), dict(glyphs.faces)

    def again(number: int) -> Callable[[], tuple]:
        return lambda: compose_some_pages(layout, stories, glyphs, proof, {number}, index)[0][0].lines

    try:
        for _ in range(min(jobs, len(layout.pages)) - 1):
            children.append(_fork(work, [fd for _, fd in children]))
        if meanwhile is not None:
            meanwhile()
        parts = [taken()]
        while children:
            part, faces = _collect(children[0])
            children.pop(0)
            if deferred_lines:
                part = (tuple(replace(page, lines=DeferredLines(again(page.number), page.lines)) for page in part[0]),
                        *part[1:])
            parts.append(part)
            for key, face in faces.items():
                glyphs.faces.setdefault(key, face)
    finally:
        queue.close()
        for pid, fd in children:  # stopped early: the children's work is not wanted
            _kill(pid, fd)
    order = {n: i for i, n in enumerate(layout.pages)}
    composed = sorted(((page, text, drawn) for part in parts for page, text, drawn in zip(part[0], part[2], part[3])),
                      key=lambda item: order[item[0].number])
    warnings = [w for _, w in sorted(w for part in parts for w in part[1])]
    return (tuple(page for page, _, _ in composed), warnings, [text for _, text, _ in composed],
            [drawn for _, _, drawn in composed])


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
