"""`paiban serve`: the live page: a local web server that shows a layout's pages and rebuilds them
as their files are saved.

Starlette (routes, static files, a streaming response for the events) on uvicorn (an ASGI server
on asyncio; `uvicorn.Server` on a socket bound here, so port 0 works and the address is printed
before the first request), and watchfiles (inotify through Rust's `notify`; its `awatch` yields
batches of saved files to the event loop). The pair is smaller than aiohttp (pure Python with h11
here, no C extension of its own) and Starlette is the base of FastAPI, so it is well kept.

One event loop does everything: a batch of saved files that are inputs of the pages is handed to
`Session.rebuild` (the warm, incremental build, `paiban.serve.session`), and the new state is sent
to every browser as a server-sent event (`/events`, `text/event-stream`). The page PDFs are
written and announced first; a browser then asks for the changed pages' previews
(`/page/N.png?v=VERSION`), which are made from the PDFs on that request. The browser's code is
plain HTML, JavaScript and CSS in `paiban/serve/static` (no build step).

The page's own words (headings, buttons, the status line) are in the server's language: ``/``
is index.html with its ``lang`` and a JSON of `labels` (translated through paiban's catalog, so
tests/test_i18n_catalog.py covers them), which app.js puts in place of its English.

Routes: ``/`` the viewer; ``/labels`` the page's words (JSON); ``/state`` the state (JSON, as
each event carries it); ``/events``; ``/page/N.png``, ``/thumb/N.png``, ``/page/N.pdf``;
``/overlay`` every page's proof shapes (JSON, `paiban.page.proof_overlay`).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import tempfile
import time
from dataclasses import asdict, replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from watchfiles import awatch

from paiban.i18n import _, active_language, pgettext
from paiban.interrupts import interrupt_on_sigterm
from paiban.serve.session import Outcome, Session

STATIC = Path(__file__).parent / "static"
#: how long watchfiles waits for more changes after one before it yields the batch (ms): a save
#: (truncate and write, or write and rename) arrives in one batch and is seen 2–3 ms after it (3–4 ms
#: with 2, 9 ms with 5; 60 saves by `Path.write_text` on /dev/shm: 60 batches with 1). A file still
#: being written when its batch is read shows as it is then (at worst an error line) and is built
#: again when the writer's last event comes.
STEP_MS = 1
#: a comment line to each browser this often (s), so that proxies and the browser keep the stream
KEEPALIVE = 15.0
#: the language code → the page's ``lang`` (CJK text takes the Simplified Chinese glyph forms)
HTML_LANG = {"en": "en", "zh": "zh-CN"}


def labels() -> dict[str, str]:
    """The page's words in the active language (app.js fills ``{ms}``, ``{number}``, ``{label}``)."""
    return {
        "connecting": pgettext("serve", "connecting…"),
        "connected": pgettext("serve", "connected"),
        "retrying": pgettext("serve", "disconnected: retrying…"),
        "built": pgettext("serve", "built in {ms} ms"),
        "failed": pgettext("serve", "build failed: showing the last good pages"),
        "error": pgettext("serve", "build error"),
        "overset": pgettext("serve", "overset"),
        "missing": pgettext("serve", "missing glyphs"),
        "overlay": pgettext("serve", "proof overlay"),
        "zoom_out": pgettext("serve", "zoom out"),
        "zoom_in": pgettext("serve", "zoom in"),
        "fit": pgettext("serve", "fit"),
        "fit_title": pgettext("serve", "fit the page height"),
        "pages": pgettext("serve", "pages"),
        "page": pgettext("serve", "page {number}"),
        "jump": pgettext("serve", "{label} → page {number}"),
        "report": pgettext("serve", "Report"),
        "story": pgettext("serve", "story"),
        "lines": pgettext("serve", "lines"),
        "placed": pgettext("serve", "placed"),
        "warnings": pgettext("serve", "Warnings"),
        "full_report": pgettext("serve", "full report"),
    }


def index_html() -> str:
    """index.html in the active language: its ``lang`` and the `labels` for app.js."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    words = json.dumps(labels(), ensure_ascii=False).replace("</", "<\\/")
    return page.replace("__LANG__", HTML_LANG[active_language()], 1).replace("__LABELS__", words, 1)


class LiveServer:
    """The session, the browsers listening to it, and the web application."""

    def __init__(self, session: Session):
        self.session = session
        self.listeners: set[asyncio.Queue[str]] = set()
        self.generation = 0
        self.last: Outcome | None = None
        self.stopping = asyncio.Event()
        self.app = Starlette(routes=[
            Route("/", self.index),
            Route("/labels", lambda request: JSONResponse(labels())),
            Route("/state", self.state_response),
            Route("/events", self.events),
            Route("/overlay", self.overlay),
            Route("/page/{number:int}.png", self.page_png),
            Route("/thumb/{number:int}.png", self.thumb_png),
            Route("/page/{number:int}.pdf", self.page_pdf),
            Route("/favicon.ico", lambda request: Response(status_code=204)),
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ])

    # ---- building and telling ---------------------------------------------------------------

    def rebuild(self, changed: set[Path], report: bool = True) -> None:
        """Build again and tell the browsers (with the report unless `report` is false)."""
        self.last = self.session.rebuild(changed, report)
        self.tell()

    def tell(self) -> None:
        self.generation += 1
        message = f"event: update\ndata: {json.dumps(self.state(), ensure_ascii=False)}\n\n"
        for queue in self.listeners:
            queue.put_nowait(message)

    def state(self) -> dict:
        """What the browser shows: pages and their versions, the error, the report."""
        session, last = self.session, self.last
        sizes = {n: (layout.page.width, layout.page.height) for layout in session.layouts() for n in layout.pages}
        reports = session.reports()
        return {
            "generation": self.generation,
            "title": session.title,
            "error": session.error,
            "changed": list(last.changed) if last else [],
            "seconds": round(last.seconds, 4) if last else 0.0,
            "timings": {k: round(v, 4) for k, v in (last.timings if last else {}).items()},
            "built_at": time.time(),
            "pages": [{"number": n, "version": session.pages[n].version, "box": session.pages[n].box,
                       "width": sizes[n][0], "height": sizes[n][1]} for n in session.page_numbers()],
            "overset": session.overset(),
            "missing": sum(len(r.missing) for r in reports),
            "warnings": [_("page {page}: {problem}").format(page=w.page, problem=w.message) if w.page
                         else str(w.message) for r in reports for w in r.warnings],
            "stories": [{"name": s.name, "lines": s.lines, "characters": s.characters, "placed": s.placed,
                         "overset": s.overset} for r in reports for s in r.stories],
            "report": "\n\n".join(r.summary() for r in reports),
        }

    async def watch(self) -> None:
        """Rebuild on every batch of saved inputs; watch again when the inputs' folders change."""
        while not self.stopping.is_set():
            inputs = self.session.inputs()
            folders = sorted({str(p.parent) for p in inputs if p.parent.is_dir()})
            try:
                async for batch in awatch(*folders, recursive=False, step=STEP_MS, debounce=1000,
                                          stop_event=self.stopping):
                    changed = {Path(path).resolve() for _, path in batch}
                    relevant = changed & inputs
                    if relevant or any(p.suffix in (".yaml", ".yml") for p in changed):
                        await self.saved(relevant or changed)
                        if self.session.inputs() != inputs:
                            break  # other files: watch their folders
            except (OSError, RuntimeError):  # a watched folder went away: watch what is there now
                await asyncio.sleep(0.5)

    async def saved(self, changed: set[Path]) -> None:
        """The new pages told first, then their previews made (the browsers are about to ask for
        them), then the report told."""
        self.rebuild(changed, report=False)
        await asyncio.sleep(0.002)  # the event goes out
        if self.last.error is not None:
            return
        for number in self.last.changed:
            try:
                self.session.preview(number)
            except Exception:  # noqa: BLE001 - the browser's request for it says what went wrong
                break
        self.session.report()
        self.last = replace(self.last, changed=())
        self.tell()

    # ---- routes -----------------------------------------------------------------------------

    async def index(self, request: Request) -> Response:
        return HTMLResponse(index_html(), headers={"Cache-Control": "no-store"})

    async def state_response(self, request: Request) -> Response:
        return JSONResponse(self.state())

    async def events(self, request: Request) -> Response:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self.listeners.add(queue)

        async def stream():
            try:
                yield f"event: update\ndata: {json.dumps(self.state(), ensure_ascii=False)}\n\n"
                while not self.stopping.is_set():
                    try:
                        yield await asyncio.wait_for(queue.get(), KEEPALIVE)
                    except asyncio.TimeoutError:
                        yield ": keepalive\n\n"
            finally:
                self.listeners.discard(queue)

        return StreamingResponse(stream(), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    async def overlay(self, request: Request) -> Response:
        shapes = self.session.overlay()
        return JSONResponse({str(n): [asdict(s) for s in page] for n, page in shapes.items()})

    def _preview(self, request: Request, thumb: bool) -> Response:
        number = request.path_params["number"]
        if number not in self.session.pages:
            return Response(status_code=404)
        version, png, small = self.session.preview(number)
        immutable = request.query_params.get("v") == str(version)
        return Response(small if thumb else png, media_type="image/png",
                        headers={"Cache-Control": "max-age=31536000, immutable" if immutable else "no-store"})

    async def page_png(self, request: Request) -> Response:
        return self._preview(request, thumb=False)

    async def thumb_png(self, request: Request) -> Response:
        return self._preview(request, thumb=True)

    async def page_pdf(self, request: Request) -> Response:
        view = self.session.pages.get(request.path_params["number"])
        if view is None:
            return Response(status_code=404)
        return Response(view.pdf.read_bytes(), media_type="application/pdf", headers={"Cache-Control": "no-store"})


def _memory_folder() -> str | None:
    """/dev/shm where it can be written (a page PDF is written and fsync'd on every save, and an
    fsync costs nothing there), else the system's temporary folder."""
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on `host`:`port` (0: a free port)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(64)
    sock.setblocking(False)
    return sock


def serve(path: Path, out: Path | None = None, host: str = "127.0.0.1", port: int = 8000,
          root: Path | None = None, announce=lambda line: print(line, file=sys.stderr, flush=True)) -> int:
    """Build `path` once, then serve it at http://host:port/ until interrupted; 0 (2 when there
    is no such file). The page PDFs go to `out`, by default a temporary folder removed at the end."""
    with interrupt_on_sigterm():  # SIGTERM stops the server as Ctrl-C does, and what it made is removed
        if out is None:
            with tempfile.TemporaryDirectory(prefix="paiban-serve-", dir=_memory_folder()) as scratch:
                return _serve(path, Path(scratch), host, port, root, announce)
        return _serve(path, out, host, port, root, announce)


def _serve(path: Path, out: Path, host: str, port: int, root: Path | None, announce) -> int:
    import uvicorn

    session = Session(path, out, root)
    live = LiveServer(session)
    live.rebuild(set())
    if session.error:
        announce(session.error)
        if not path.is_file():
            return 2  # nothing to watch: an input error, as `paiban build` exits with
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    announce(f"paiban: serving {path.name} at http://{shown}:{sock.getsockname()[1]}/ (pages in {out}; Ctrl-C stops)")
    config = uvicorn.Config(live.app, log_level="warning", lifespan="off", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)

    async def main() -> None:
        watcher = asyncio.create_task(live.watch())
        try:
            await server.serve(sockets=[sock])
        finally:
            live.stopping.set()
            for queue in live.listeners:
                queue.put_nowait(": bye\n\n")
            await watcher

    try:
        asyncio.run(main())
    finally:
        session.close()
    return 0
