"""The night: one or more editions built in one pool, their work scheduled by its graph.

    with Night(options, progress) as night:
        per_edition, distinct = prepare_editions(specs, ready=night.compose)
        night.run(editions, cache, finish)

The graph of a night's work, each node a job of the build's pool (`paiban.parallel`):

* **compose** a composition (`compose.compose_job`: flow its stories, compose and encode its
  pages), once for every edition that uses it alike (`compose.prepare_editions`); a night of
  fewer compositions than workers splits each into runs of pages (each run flows the stories
  itself: the flow is a fraction of composing). Where the workers are forked, the pool opens
  with the first composition (`Night.compose`: the first ones go as soon as their own
  articles are read, the others as soon as their edition is), so the workers compose while the
  build's process reads the rest of the night, and start with the fonts it has opened and the
  words found by earlier builds (`compose.before_fork`);
* **font**: a CFF face converted once for the characters its PDFs are prepared for, before the
  first PDF that needs it (not by every worker at once);
* **render** a page's PDF once its composition is composed and its fonts are ready (a few pages
  of a composition a job: `PAGES_PER_JOB`). A page PDF
  embeds fonts prepared for the characters of its composition, and its title names the paper,
  the date and the page (`compose.page_title`), so it is a function of its composition alone:
  the same bytes whichever edition, process or machine renders it, and a page that several
  editions share is rendered once (deduplicated by its cache key, `build_cache.render_key`);
* **preview** a page's PNG and thumbnail once its PDF is made (once per page and preview setting;
  an edition's pages of one composition, one job once they are all made: `render_pool.preview_jobs`;
  the night's last ones, once every page PDF is made, `PAGES_PER_JOB` pages a job);
* **combined**: an edition's PDF, once all its compositions are composed (fonts prepared for the
  edition's characters);
* **contact**: an edition's contact sheet, once its previews are all made.

Jobs go to the pool as soon as their inputs are ready (a priority queue): every composition
first, whichever edition it is for (they are the longest jobs, and the rest of the night
waits for them: a composition left to the end would end the night on one worker alone), then
the first edition's jobs before the next's, and within an edition its contact sheet, its PDF
(the longest of the rest) and then its pages. At most two per worker wait in the pool, so
that a later-ready job of an earlier edition does not queue behind the whole night; two more
each while this process finishes an edition (`FINISH_BACKLOG`), so that the workers are not
left idle meanwhile. The CPUs stay busy from the first composition to the last preview while
each edition is finished, checked and published (its files published as a set: `publish`) as
soon as its last job is done.
What the cache already has is not rendered again. Where the pool's workers are not forked from
this process (Dask, spawned processes), or the lines are kept (a trace), this process composes,
one composition at a time between the pool's results, and the pool renders.
"""

from __future__ import annotations

import contextlib
import heapq
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban import parallel
from paiban.edition import render_pool
from paiban.edition.build_cache import (BuildCache, combined_key, contact_key, font_ready, mark_font_ready,
                                        preview_key, render_key, write_atomic)
from paiban.edition.compose import (Composition, LayoutInfo, Part, before_fork, compose_job, compose_part, layout_info,
                                    page_title)
from paiban.edition.edition_build import RenderFailed
from paiban.edition.publish import page_file
from paiban.i18n import _

if TYPE_CHECKING:
    from paiban.edition.edition_loader import EditionSpec
    from paiban.fonts.faces import FontFace

__all__ = ["EditionWork", "Night"]

#: job kinds, in the order they go to the pool within one edition
FONT, COMPOSE, CONTACT, COMBINED, RENDER, PREVIEW = range(6)
#: page PDFs made by one job (~5–10 ms each: one job a page would spend a good part of that
#: going to and coming back from a worker; many a job would leave the night's last jobs uneven)
PAGES_PER_JOB = 4
#: jobs each worker has waiting, beyond the usual limit, while the build's process finishes an
#: edition (its report and publishing, ~30–90 ms in which it submits nothing)
FINISH_BACKLOG = 2


@dataclass
class EditionWork:
    """One edition of the night: its file, spec and compositions, and what became of it."""

    path: Path  # the edition file, absolute
    spec: EditionSpec
    comps: list[Composition]
    strict: bool = False
    infos: list[LayoutInfo] = field(default_factory=list)
    keys: dict[int, str] = field(default_factory=dict)  # edition page → its PDF's key
    previews: dict[int, str] = field(default_factory=dict)  # edition page → its preview's key
    combined: str = ""
    contact: str = ""  # the contact sheet's key (previews only)
    problems: tuple[str, ...] = ()
    waiting: set[str] = field(default_factory=set)  # keys of files it still waits for
    phase: str = "composing"  # composing → rendering → done
    timings: dict[str, float] = field(default_factory=dict)
    report: Any = None
    published: dict[str, list] = field(default_factory=dict)


class Night:
    """The night's pool and the graph's state: what is composed, made, running and waiting (see
    the module docstring). A context manager: the pool is closed on leaving (cancelled when the
    block raises)."""

    def __init__(self, options: Any, progress: Callable[[str], None], at_least: int = 0):
        """`at_least`: the night's compositions are at least that many (the layouts of its
        largest edition: each is a composition of its own)."""
        self.options, self.progress, self.at_least = options, progress, at_least
        self._stack = contextlib.ExitStack()
        self.pool: parallel.Pool | None = None
        self.editions: list[EditionWork] = []
        self.distinct: dict[str, Composition] = {}
        self.rank: dict[str, int] = {}  # composition → the first edition that uses it
        self.held: list[str] = []  # compositions not yet queued (see `compose`)
        self.queue: list[tuple] = []  # (edition rank or -1, kind, sequence, function, args, node)
        self.sequence = 0
        self.running: dict[Any, tuple] = {}  # future → node
        self.users: dict[str, list[EditionWork]] = {}  # composition → the editions that use it
        self.parts: dict[str, list[Part]] = {}
        self.parts_left: dict[str, int] = {}
        self.infos: dict[str, LayoutInfo] = {}
        self.state: dict[str, str] = {}  # file key → "waiting" (its fonts), "queued", "done"
        self.after_font: dict[tuple[str, str], list[tuple]] = {}  # font → the nodes waiting for it
        self.fonts: dict[tuple[str, str], bool] = {}  # (face key, characters) → ready
        self.faces: dict[str, FontFace] = {}
        self.results: dict[str, render_pool.RenderResult] = {}
        self.page_jobs: dict[str, render_pool.RenderJob] = {}  # page PDF key → its job (its preview's source)
        self.composition_of: dict[str, str] = {}  # page PDF key → its composition
        self.renders_left: dict[str, int] = {}  # composition → its render jobs not done yet
        #: composition → its previews wanted, queued together once its pages are all made
        self.previews_wanted: dict[str, list[tuple[int, render_pool.PreviewJob]]] = {}
        self.font_needs: dict[tuple, list[tuple[str, str]]] = {}  # render node → the fonts it waits for
        self.watchers: dict[str, list[EditionWork]] = {}  # file key → editions waiting for it
        self.counts = {"pages": 0, "pages_done": 0, "previews": 0, "previews_done": 0}
        self.font_cache_dir = _font_cache_dir()
        #: forked workers compose: the pool opens with the first composition, while the build's
        #: process reads the rest (its workers start with the fonts it has opened)
        self.forks = options.scheduler is None and options.jobs > 1 and options.trace is None and parallel.can_fork()

    def __enter__(self) -> Night:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stack.__exit__(*exc)

    def _open(self) -> None:
        o = self.options
        if self.forks:
            before_fork()
        pool = self.pool = self._stack.enter_context(parallel.open_pool(
            o.jobs, o.scheduler, connect_timeout=o.scheduler_connect_timeout, deadline=o.scheduler_deadline,
            retries=o.scheduler_retries))
        self.local_compose = not pool.forked or o.trace is not None
        self.limit = 2 * max(1, o.jobs) + 2 if isinstance(pool, parallel.ProcessPool) else math.inf

    @property
    def early(self) -> int:
        """How many compositions the pool may take before their editions' code spaces are known
        (`compose.prepare_editions`): one per worker, where the workers already compose."""
        return max(1, self.options.jobs) if self.forks else 0

    def compose(self, item: Composition, rank: int) -> None:
        """Compose `item` (first used by the edition of index `rank`): at once where the pool is
        open and composes; held while the night may have fewer compositions than workers (a night
        of fewer splits each into runs of pages: `run` decides)."""
        self.distinct[item.key] = item
        self.rank[item.key] = rank
        self.parts[item.key] = []
        self.held.append(item.key)
        if self.pool is None and self.forks:
            self._open()
        if self.forks and max(len(self.distinct), self.at_least) >= max(1, self.options.jobs):
            self._submit_composes()
            self._fill()

    # ---- the loop -------------------------------------------------------------------------------

    def run(self, editions: list[EditionWork], cache: BuildCache, finish: Callable) -> None:
        """Compose, render and preview every edition of the night; `finish(work, status, results,
        executor)` is called for each edition as soon as it is done (or has failed --strict)."""
        if self.pool is None:
            self._open()
        self.editions, self.cache, self.finish = editions, cache, finish
        self.font_cache = str(self.font_cache_dir) if self.pool.local_files else None
        self.store = str(cache.render_dir) if self.pool.local_files else None
        for work in editions:
            for item in work.comps:
                self.users.setdefault(item.key, []).append(work)
        self._submit_composes()
        self._say()
        while self.queue or self.running:
            composed_here = self._fill()
            if not self.running:
                continue
            if composed_here and any(item[1] == COMPOSE for item in self.queue):
                done = [future for future in self.running if future.done()]  # and compose the next
            else:
                done = self.pool.wait_first(list(self.running))[0]
            for future in done:
                node = self.running.pop(future)
                self._done(node, _result(future, node[0]))
        left = [w.spec.name for w in self.editions if w.phase != "done"]
        if left:  # a bug: a node nobody submitted
            raise RenderFailed(_("the night ended with editions unfinished: {left}").format(left=', '.join(left)))

    def _push(self, rank: int, kind: int, function: Callable, args: tuple, node: tuple) -> None:
        self.sequence += 1
        heapq.heappush(self.queue, (rank, kind, self.sequence, function, args, node))

    def _fill(self, extra: int = 0) -> bool:
        """Submit the most urgent queued jobs, up to the limit (and `extra` more); a composition
        that this process composes (not forked workers, or a trace), one at a time: then True."""
        while self.queue and len(self.running) < self.limit + extra:
            rank, kind, _, function, args, node = heapq.heappop(self.queue)
            if kind == COMPOSE:
                item = self.distinct[args[0]]
                if self.local_compose:
                    self._done(node, compose_part(item, *args[1:], self.options.trace is not None))
                    return True  # back to the pool's results before composing the next
                args = (item.job(), *args[1:])
            self.running[self.pool.submit(function, *args)] = node
        return False

    # ---- compose --------------------------------------------------------------------------------

    def _submit_composes(self) -> None:
        """Queue the held compositions, each whole or in runs of pages (fewer than workers)."""
        workers, count = max(1, self.options.jobs), max(len(self.distinct), self.at_least)
        splits = 1 if self.local_compose or count >= workers else math.ceil(workers / count)
        held, self.held = self.held, []
        for key in held:
            pages = self.distinct[key].layout.pages
            runs = max(1, min(len(pages), splits))
            size = math.ceil(len(pages) / runs)
            chunks = [tuple(pages[i:i + size]) for i in range(0, len(pages), size)]
            self.parts_left[key] = len(chunks)
            for i, chunk in enumerate(chunks):  # before any edition's other jobs (the module's docstring)
                self._push(-1, COMPOSE, compose_job, (key, chunk, self.options.proof, i == 0),
                           (COMPOSE, key))

    def _composed(self, key: str, part: Part) -> None:
        self.parts[key].append(part)
        self.parts_left[key] -= 1
        if self.parts_left[key]:
            return
        info = self.infos[key] = layout_info(self.distinct[key], self.parts.pop(key))
        self._add_faces(info)
        for work in self.users.get(key, ()):  # none: composed early for an edition that turned out not to use it
            if all(item.key in self.infos for item in work.comps):
                self._edition_composed(work)
            elif not work.strict:
                self._want_pages(work, info)
        self._say()

    def _add_faces(self, info: LayoutInfo) -> None:
        """The night's faces by key: one key must mean one font file everywhere."""
        from paiban.errors import InputError, Where

        for key, face in info.faces.items():
            have = self.faces.setdefault(key, face)
            if (have.path, have.index) != (face.path, face.index):
                raise InputError(_("font {path} face {index} has the key {key!r} of {other_path} face "
                                   "{other_index}; give one of the files another name").format(
                                       path=face.path, index=face.index, key=key, other_path=have.path,
                                       other_index=have.index),
                                 Where(info.path, key="font_files"))

    def _edition_composed(self, work: EditionWork) -> None:
        from paiban.edition.edition_report import problems

        work.infos = [self.infos[item.key] for item in work.comps]
        work.timings["compose"] = time.perf_counter()
        work.problems = problems(work.infos, work.comps)
        if work.strict and work.problems:
            work.phase = "done"
            self.finish(work, "strict-failed", self.results, self.pool.description)
            return
        for info in work.infos:
            self._want_pages(work, info)
        self._want_combined(work)
        if self.options.previews:
            self._want_contact(work)
        work.phase = "rendering"  # now that it waits for every file it needs
        self._check(work)

    # ---- page PDFs, previews, the combined PDF ------------------------------------------------------

    def _want_pages(self, work: EditionWork, info: LayoutInfo) -> None:
        item = self.distinct[info.key]
        todo: list[render_pool.RenderJob] = []
        for page, encoded in zip(info.pages, info.encoded):
            if page.number in work.keys:
                continue
            title = page_title(item.layout, page.number)
            fonts = [(k, str(self.faces[k].path), self.faces[k].index, info.chars[k]) for k in page.chars]
            key = work.keys[page.number] = render_key(page.digest, title, fonts, page.pictures)
            if self.options.previews:
                work.previews[page.number] = preview_key(key, work.spec.previews)
                work.waiting.add(work.previews[page.number])
            work.waiting.add(key)
            self.watchers.setdefault(key, []).append(work)
            used = sorted(page.chars)
            self.composition_of[key] = info.key
            job = self.page_jobs[key] = render_pool.RenderJob(
                key, f"page {page.number}", title, (encoded,), tuple(self.faces[k] for k in used),
                tuple((k, info.chars[k]) for k in used), self.font_cache, self.store)
            if key in self.state:
                if self.state[key] == "done":
                    self._pdf_made(key)  # made for another edition: this one's preview
                continue
            if not self.options.force and self.cache.has_render(key, (".pdf",)):
                self.state[key] = "done"
                self._pdf_made(key)
                continue
            self.counts["pages"] += 1
            todo.append(job)
        for i in range(0, len(todo), PAGES_PER_JOB):
            jobs = tuple(todo[i:i + PAGES_PER_JOB])
            keys = tuple(job.key for job in jobs)
            fonts = sorted({font for job in jobs for font in job.font_chars})
            self.renders_left[info.key] = self.renders_left.get(info.key, 0) + 1
            self._when_fonts(keys, fonts, (self.rank[info.key], RENDER, render_pages, (jobs,), (RENDER, keys)))
        self._queue_previews()

    def _want_combined(self, work: EditionWork) -> None:
        spec = work.spec
        keys = [work.keys[n] for n in sorted(work.keys)]
        key = work.combined = combined_key(spec.title, keys)
        work.waiting.add(key)
        self.watchers.setdefault(key, []).append(work)
        if key in self.state:
            return
        if not self.options.force and self.cache.has_render(key, (".pdf",)):
            self.state[key] = "done"
            work.waiting.discard(key)
            return
        chars: dict[str, set[str]] = {}
        for info in work.infos:
            for face, text in info.chars.items():
                chars.setdefault(face, set()).update(text)
        font_chars = {face: "".join(sorted(cs)) for face, cs in sorted(chars.items())}
        pages = tuple(sorted((page for info in work.infos for page in info.encoded), key=lambda p: p.number))
        job = render_pool.RenderJob(key, "combined", spec.title, pages, tuple(self.faces[k] for k in font_chars),
                                    tuple(font_chars.items()), self.font_cache, self.store)
        self._when_fonts((key,), list(font_chars.items()),
                         (self.editions.index(work), COMBINED, render_pool.render_job, (job,), (COMBINED, key)))

    def _want_contact(self, work: EditionWork) -> None:
        """The edition's contact sheet: a job of its own once its previews are all made (`_check`)."""
        spec = work.spec
        key = work.contact = contact_key((spec.previews, spec.name, spec.title),
                                         [work.previews[n] for n in sorted(work.keys)])
        if not self.options.force and self.cache.has_render(key, (".contact.png",)):
            return
        work.waiting.add(key)
        self.watchers.setdefault(key, []).append(work)

    def _queue_contact(self, work: EditionWork) -> None:
        """Queue the contact sheet of an edition that waits for nothing else."""
        spec = work.spec
        self.state[work.contact] = "queued"
        thumbs = tuple((str(n), str(self.cache.render_path(work.previews[n], ".thumb.png"))) for n in sorted(work.keys))
        if not self.pool.local_files:  # a cluster's worker gets the thumbnails themselves
            thumbs = tuple((label, Path(path).read_bytes()) for label, path in thumbs)
        title = f"{spec.name} {spec.variables.get('date', '')} - {len(thumbs)} pages"
        self._push(self.editions.index(work), CONTACT, render_pool.contact_job,
                   (work.contact, thumbs, spec.previews, title, self.store), (CONTACT, work.contact))

    def _when_fonts(self, keys: tuple[str, ...], fonts: list[tuple[str, str]], node: tuple) -> None:
        """Queue `node` (making the files `keys`) once every CFF font of `fonts` is prepared
        (queueing their preparation)."""
        self.state.update((key, "waiting") for key in keys)
        self.font_needs[node[4]] = fonts
        missing = []
        for font in fonts:
            face = self.faces[font[0]]
            if font not in self.fonts:
                ready = not face.is_cff or font_ready(self.font_cache_dir, _font_stamp(face), font[1])
                self.fonts[font] = ready
                if not ready:
                    self._push(node[0], FONT, render_pool.prepare_font, (face, font[1], self.font_cache), (FONT, font))
            if not self.fonts[font]:
                missing.append(font)
                self.after_font.setdefault(font, []).append(node)
        if not missing:
            self.state.update((key, "queued") for key in keys)
            self._push(*node)

    def _font_ready(self, font: tuple[str, str]) -> None:
        self.fonts[font] = True
        mark_font_ready(self.font_cache_dir, _font_stamp(self.faces[font[0]]), font[1])
        for node in self.after_font.pop(font, []):
            keys = node[4][1] if node[1] == RENDER else (node[4][1],)
            if self.state.get(keys[0]) == "waiting" and all(self.fonts.get(f, False) for f in self.font_needs[node[4]]):
                self.state.update((key, "queued") for key in keys)
                self._push(*node)

    def _pdf_made(self, key: str) -> None:
        for work in self.watchers.get(key, []):
            if key not in work.waiting:
                continue
            work.waiting.discard(key)
            if self.options.previews:
                for number, pkey in work.previews.items():
                    if work.keys[number] == key:
                        self._want_preview(work, pkey, key)
            self._check(work)

    def _want_preview(self, work: EditionWork, pkey: str, pdf_key: str) -> None:
        self.watchers.setdefault(pkey, [])
        if work not in self.watchers[pkey]:
            self.watchers[pkey].append(work)
        if pkey in self.state:
            if self.state[pkey] == "done":
                work.waiting.discard(pkey)
            return
        if not self.options.force and self.cache.has_render(pkey, render_pool.PREVIEW_SUFFIXES):
            self.state[pkey] = "done"
            work.waiting.discard(pkey)
            return
        self.state[pkey] = "queued"
        self.counts["previews"] += 1
        job = render_pool.PreviewJob(pkey, self.page_jobs[pdf_key], work.spec.previews, self.store)
        self.previews_wanted.setdefault(self.composition_of[pdf_key], []).append((self.editions.index(work), job))

    def _queue_previews(self) -> None:
        """Queue the previews wanted of each composition whose page PDFs are all made: one job for
        an edition's at one preview setting (`render_pool.preview_jobs`: one rendition of their
        pages, the fonts read once)."""
        for composition in [c for c in self.previews_wanted if not self.renders_left.get(c)]:
            groups: dict[tuple, list[render_pool.PreviewJob]] = {}
            for rank, job in self.previews_wanted.pop(composition):
                groups.setdefault((rank, job.preview), []).append(job)
            # the night's last previews (every page PDF made or queued): smaller jobs, so that
            # the workers end together (a rendition of fewer pages costs a few ms more a page)
            last = len(self.infos) == len(self.distinct) and not any(self.renders_left.values())
            for (rank, _), jobs in groups.items():
                size = PAGES_PER_JOB if last else len(jobs)
                for i in range(0, len(jobs), size):
                    chunk = tuple(jobs[i:i + size])
                    keys = tuple(job.key for job in chunk)
                    self._push(rank, PREVIEW, render_pool.preview_jobs, (chunk,), (PREVIEW, keys))

    # ---- results ----------------------------------------------------------------------------------

    def _done(self, node: tuple, result: Any) -> None:
        kind, key = node
        if kind == COMPOSE:
            self._composed(key, result)
            return
        if kind == FONT:
            self._font_ready(key)
            return
        for made in result if kind in (RENDER, PREVIEW) else (result,):
            for suffix, data in made.files:  # a cluster's worker sends the bytes back
                write_atomic(self.cache.render_path(made.key, suffix), data)
            self.results[made.key] = made
            self.state[made.key] = "done"
        if kind == RENDER:
            self.renders_left[self.composition_of[result[0].key]] -= 1
            for made in result:
                self.counts["pages_done"] += 1
                self._pdf_made(made.key)
            self._queue_previews()
        else:
            self.counts["previews_done"] += len(key) if kind == PREVIEW else 0
            for made_key in key if kind == PREVIEW else (key,):
                for work in self.watchers.get(made_key, []):
                    work.waiting.discard(made_key)
                    self._check(work)
        self._say()

    def _check(self, work: EditionWork) -> None:
        """Finish an edition whose files are all made: its report, publishing (its contact sheet
        queued once the rest is made)."""
        if work.phase != "rendering":
            return
        if work.waiting == {work.contact} and work.contact not in self.state:
            self._queue_contact(work)
        if work.waiting:
            return
        work.phase = "done"
        work.timings["render"] = time.perf_counter()
        if not self.queue and not self.running and all(w.phase == "done" for w in self.editions):
            self.pool.release()  # the workers leave while the last edition is published
        elif not self.local_compose:  # (a local composition would run here, before the edition is finished)
            self._fill(FINISH_BACKLOG * max(1, self.options.jobs))  # work for the workers meanwhile
        self.finish(work, "built", self.results, self.pool.description)
        self._say()

    def _say(self) -> None:
        """One line: pages rendered and previews made of those to make, layouts composed, editions done."""
        c = self.counts
        done = sum(1 for w in self.editions if w.phase == "done")
        layouts = _("layouts composed {done}/{count}").format(done=len(self.infos), count=len(self.distinct))
        previews = _(" · previews {done}/{count}").format(done=c["previews_done"], count=c["previews"])
        head = (_("rendering page {done}/{count}").format(done=c["pages_done"], count=c["pages"])
                + (previews if self.options.previews else "")
                + f" · {layouts}") if c["pages"] else layouts
        self.progress(_("{head} · editions done {done}/{count}").format(head=head, done=done, count=len(self.editions)))


def render_pages(jobs: tuple[render_pool.RenderJob, ...]) -> tuple[render_pool.RenderResult, ...]:
    """A pool job: a few page PDFs (`render_pool.render_job` each)."""
    return tuple(render_pool.render_job(job) for job in jobs)


def outputs(work: EditionWork, cache: BuildCache, previews: bool) -> list[tuple[str, Path]]:
    """(output name, file in the cache) of everything the edition publishes."""
    name, count = work.spec.name, len(work.keys)
    made = [(f"{name}.pdf", cache.render_path(work.combined, ".pdf"))]
    for n in sorted(work.keys):
        made.append((page_file(name, n, count, ".pdf"), cache.render_path(work.keys[n], ".pdf")))
        if previews:
            made.append((page_file(name, n, count, ".png"), cache.render_path(work.previews[n], ".png")))
    if previews:
        made.append((f"{name}-contact.png", cache.render_path(work.contact, ".contact.png")))
    return made


def _result(future: Any, kind: int) -> Any:
    from paiban.errors import PaibanError

    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit, parallel.PoolError, PaibanError):  # said as they are, in one line
        raise
    except Exception as exc:  # a worker died, a bug
        what = {COMPOSE: "composing", FONT: "font preparation", PREVIEW: "a preview",
                CONTACT: "the contact sheet"}.get(kind, "rendering")
        raise RenderFailed(_("{what} failed: {error}: {exc}").format(
            what=what, error=type(exc).__name__, exc=exc)) from exc


def _font_cache_dir() -> Path:
    from paiban.fonts.disk_cache import default_cache_dir

    return default_cache_dir()


def _font_stamp(face: FontFace) -> str:
    from paiban.edition.build_cache import file_stamp

    return f"{file_stamp(face.path)}#{face.index}"
