"""Build whole editions, one or a night of several: compose, render in parallel, publish each as a set.

    reports = build_editions([Path("city.yaml"), Path("coast.yaml")], BuildOptions(output=Path("out"), jobs=2))

1. **Prepare**: read every edition file, load its layouts, read their stories
   (`compose.prepare_editions`): each layout becomes a composition, keyed by its inputs and
   variables, and editions that use a layout alike share it. Where the pool's workers are
   forked, they are already composing the first edition's while the next ones are read. Bad
   input stops here with an `InputError` (exit 2), before anything is written. An edition whose
   last build is still current (`uptodate`) only writes its report again.
2. **The night** (`night.run_night`): one pool (`paiban.parallel`) composes every distinct
   composition once, renders every distinct page PDF once (a page PDF depends on its composition
   alone), makes every distinct preview once and each edition's PDF, scheduled by the graph of
   that work as each job's inputs are ready (the contact sheet a job too, once the edition's
   previews are made). What the cache has is not made again. With
   ``strict`` and overset text, missing glyphs, pictures below the print resolution or what a
   layout's `preflight` makes an error (单字成行), an edition stops once composed (exit 1): its
   report is published alone, no PDF. A Dask cluster that cannot be reached, does not answer or
   does not finish in time (`paiban.parallel`) is a `PoolError` (exit 3), never a hang.
3. **Publish** each edition as soon as its files are made (`publish`): its report, a new build
   folder and one atomic rename of a link, with SIGINT and SIGTERM held back
   for those few milliseconds.

Nothing but the cache and the new build folders is written before an edition's switch; an
interrupted build (Ctrl-C, SIGTERM: `interrupt_on_sigterm`) stops its workers and removes its
temporary files (the editions it had already published stay published, whole), and a build
killed outright leaves each edition the previous one or the new one, never a mix and never a
partial file. One build at a time writes to an output folder (a lock).

Outputs per edition: ``NAME.pdf``, ``NAME-NN.pdf``, ``NAME-NN.png``, ``NAME-contact.png``,
``NAME-report.json``, links into ``.paiban-editions/NAME/current/`` (see `publish`); the cache
is ``.paiban-cache/`` (see `build_cache`), shared by the editions built into the folder.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.edition import publish as publishing
from paiban.edition import uptodate
from paiban.edition.build_cache import BuildCache, clean_temporaries, write_atomic
from paiban.edition.publish import locked, page_file, publish
from paiban.errors import PaibanError
from paiban.interrupts import BuildInterrupted, interrupt_on_sigterm
from paiban.i18n import _

if TYPE_CHECKING:  # the typesetting modules are imported only when something is to be done
    from paiban.edition.edition_loader import EditionSpec
    from paiban.edition.edition_report import EditionReport

__all__ = ["BuildInterrupted", "BuildOptions", "RenderFailed", "build_edition", "build_editions",
           "interrupt_on_sigterm"]

EXIT_OK, EXIT_STRICT = 0, 1


class RenderFailed(PaibanError):
    """A job of the build failed (a worker crashed, the cluster went away): not the input's fault."""


@dataclass(frozen=True)
class BuildOptions:
    """What `build_edition` is asked to do (the command line's options)."""

    output: Path | None  # None: compose and report only (paiban check)
    jobs: int = 1
    scheduler: str | None = None  # a Dask scheduler address
    force: bool = False  # ignore the cache (entries are still written)
    strict: bool = False
    previews: bool = True
    proof: bool = False
    trace: Path | None = None
    root: Path | None = None  # the project folder every input must lie in (None: the edition file's)
    #: Dask only (None: the environment variable, else the default; see `paiban.parallel.dask_settings`)
    scheduler_connect_timeout: float | None = None  # seconds to reach the scheduler and hear it answer
    scheduler_deadline: float | None = None  # seconds the cluster has for all the build's jobs
    scheduler_retries: int | None = None  # runs again of a job that failed on a worker


class _Clock:
    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.timings: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now

    def total(self) -> dict[str, float]:
        return dict(self.timings, total=time.perf_counter() - self.start)


def build_edition(path: Path, options: BuildOptions, progress: Callable[[str], None] = lambda s: None
                  ) -> EditionReport:
    """Build (or, with ``options.output`` None, check) the edition file at `path`."""
    return build_editions([path], options, progress)[0]


def build_editions(paths: list[Path], options: BuildOptions, progress: Callable[[str], None] = lambda s: None
                   ) -> list[EditionReport]:
    """Build (or, with ``options.output`` None, check) the edition files at `paths` in one run:
    each edition's report, in the order given."""
    from paiban.cache_health import clear_cache_warnings

    clear_cache_warnings()  # this build's, in a process that builds more than once
    clock = _Clock()
    editions = list(dict.fromkeys(Path(path).absolute() for path in paths))
    if options.output is None:
        return _check(editions, options, clock)
    out = options.output
    cache = BuildCache(out)
    reports: dict[Path, EditionReport] = {}
    if cache.root.is_dir() and not (options.force or options.trace):
        for edition in editions:
            unchanged = _unchanged(cache, edition, options, _Clock())
            if unchanged is not None:
                reports[edition] = unchanged
    todo = [edition for edition in editions if edition not in reports]
    if todo:
        from paiban.edition.compose import prepare_editions
        from paiban.edition.night import EditionWork, Night

        specs = _load(todo, options)  # bad input stops here, before anything is created
        progress(_("preparing {count} editions").format(count=len(specs)))
        with Night(options, progress, at_least=max(len(spec.layouts) for spec in specs)) as night:
            per_edition, distinct = prepare_editions(specs, ready=night.compose, early=night.early)
            clock.lap("prepare")
            out.mkdir(parents=True, exist_ok=True)
            cache.create()
            with locked(cache.lock_path):
                cache.clean()
                clean_temporaries(out)
                for edition in todo:
                    uptodate.forget(cache.root, edition)
                works = [EditionWork(edition, spec, comps, options.strict)
                         for edition, spec, comps in zip(todo, specs, per_edition)]
                _night(night, works, cache, options, clock, progress)
                reports.update((work.path, work.report) for work in works)
                cache.prune()
    return [reports[edition] for edition in editions]


def _load(paths: list[Path], options: BuildOptions) -> list[EditionSpec]:
    """The edition files, read and checked; two editions of one name cannot share an output folder."""
    from paiban.edition.edition_loader import load_edition
    from paiban.errors import InputError, Where

    specs = [load_edition(path, root=options.root) for path in paths]
    named: dict[str, Path] = {}
    for spec in specs:
        if spec.name in named:
            raise InputError(_("edition_name {name!r} is also the name of {other}: two editions built together "
                               "need names of their own (their outputs are named after them)").format(
                                   name=spec.name, other=named[spec.name]),
                             Where(spec.source, key="edition_name"))
        named[spec.name] = spec.source
    return specs


def _check(editions: list[Path], options: BuildOptions, clock: _Clock) -> list[EditionReport]:
    """``paiban check``: compose every edition here and report, writing nothing (but a trace)."""
    from paiban.edition.compose import compose_part, layout_info, prepare_editions
    from paiban.edition.night import EditionWork

    specs = _load(editions, options)
    per_edition, distinct = prepare_editions(specs)
    clock.lap("prepare")
    infos = {key: layout_info(item, [compose_part(item, item.layout.pages, options.proof, True,
                                                  options.trace is not None)])
             for key, item in distinct.items()}
    clock.lap("compose")
    reports = []
    for edition, spec, comps in zip(editions, specs, per_edition):
        work = EditionWork(edition, spec, comps, infos=[infos[item.key] for item in comps])
        if options.trace is not None:
            _write_trace(options.trace, spec, work.infos)
        reports.append(_report(work, {}, None, options, clock.total(), "checked", "-"))
    return reports


def _unchanged(cache: BuildCache, edition: Path, options: BuildOptions, clock: _Clock) -> EditionReport | None:
    """The no-op path: when nothing changed since the last build and its edition is published as
    it left it, the last report with this run's times (written into the current build folder,
    beside its files); else None (build)."""
    out = cache.root.parent
    try:
        with locked(cache.lock_path):
            state = uptodate.check(cache.root, edition, options.proof, options.previews)
            if state is None or (options.strict and state.report.problems) \
                    or not publishing.intact(out, state.report.edition):
                return None
            # nothing changed since the last build: say so again
            clock.lap("up-to-date check")
            report = uptodate.replayed(state.report, clock.total(), options.strict)
            publishing.write_report(out, report.edition, report.to_json())
            return report
    except OSError:  # a cache or an output folder that cannot be used: the full path says why
        return None


def _inputs(spec: EditionSpec, comps: list) -> list[Path]:
    """Every file the build read: edition, layouts, articles, pictures, font roles and font files."""
    files = [spec.source]
    for item in comps:
        layout = item.layout
        files.append(item.path)
        files += [s.article for s in layout.stories]
        files += [r.picture.image for r in layout.regions.values() if r.picture is not None]
        if layout.edition.masthead_image is not None:
            files.append(layout.edition.masthead_image)
        if layout.roles_file is not None:
            files.append(layout.roles_file)
        files += [p for p, _ in layout.font_overrides.values()]
    return files


def _night(night: Any, works: list, cache: BuildCache, options: BuildOptions, clock: _Clock,
           progress: Callable[[str], None]) -> None:
    """Step 2 and 3 of the module docstring: each edition's report and published files go into its work."""
    from paiban.edition.night import outputs

    out = cache.root.parent
    night_start = clock.last
    fonts: list[tuple] = []  # the font stamps of the up-to-date state, found once for the night
    flushed: set[tuple[int, ...]] = set()  # the files on the disk already (`publish`)

    def finish(work: Any, status: str, results: dict[str, Any], executor: str) -> None:
        marks = dict(work.timings)
        timings = dict(clock.timings)  # prepare, shared by the night
        timings["compose"] = marks["compose"] - night_start
        if status == "strict-failed":
            timings["total"] = time.perf_counter() - clock.start
            work.report = _report(work, {}, out, options, timings, status, executor)
            work.published = publish(out, work.spec.name, [], work.report.to_json(), keep_pages=True)
            return
        timings["render"] = marks["render"] - marks["compose"]
        files = outputs(work, cache, options.previews)
        if options.trace is not None:
            _write_trace(options.trace, work.spec, work.infos)
        sheet = results.get(work.contact)  # made by a job of the pool (none: found in the cache)
        timings["contact sheet"] = sheet.seconds if sheet is not None else 0.0
        own = {key for key in (*work.keys.values(), *work.previews.values(), work.combined) if key in results}
        timings["total"] = time.perf_counter() - clock.start
        work.report = _report(work, {key: results[key] for key in own}, out, options, timings, "built",
                              executor if own else "nothing to render", {name for name, _ in files})
        data = work.report.to_dict()
        work.published = publish(out, work.spec.name, files, json.dumps(data, ensure_ascii=False, indent=2),
                                 keep_pages=False, flushed=flushed)
        fonts[:] = fonts or [uptodate.font_stamps()]
        uptodate.save_state(cache.root, work.path, options.proof, options.previews, _inputs(work.spec, work.comps),
                            data, work.published, fonts[0])
        progress(_("published {edition}").format(edition=work.spec.name))

    try:
        night.run(works, cache, finish)
    except BaseException:
        cache.clean()
        clean_temporaries(out)
        raise


def _write_trace(path: Path, spec: EditionSpec, infos: list) -> None:
    from paiban.model.placed import Document
    from paiban.render.text_trace import text_trace

    pages = sorted((page for info in infos for page in info.placed), key=lambda p: p.number)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text_trace(Document(spec.title, tuple(pages))).encode("utf-8"))


def _report(work: Any, results: dict[str, Any], out: Path | None, options: BuildOptions, timings: dict[str, float],
            status: str, executor: str, published: set[str] | None = None) -> EditionReport:
    from paiban.cache_health import cache_warnings
    from paiban.edition.edition_report import EditionReport, LayoutReport, PageReport, plain, problems

    spec = work.spec
    published = published or set()
    count = sum(len(info.pages) for info in work.infos)
    pages: list[PageReport] = []
    layouts: list[LayoutReport] = []
    for info, item in zip(work.infos, work.comps):
        shown = _shown(item.path)
        for page in info.pages:
            key = work.keys.get(page.number, "")
            made = results.get(key)
            preview = results.get(work.previews.get(page.number, ""))
            pdf = page_file(spec.name, page.number, count, ".pdf")
            png = page_file(spec.name, page.number, count, ".png")
            pages.append(PageReport(
                page=page.number, layout=shown, layout_page=page.layout_page, stories=page.stories,
                lines=page.lines, overset=page.overset, underset_lines=page.underset_lines,
                missing_glyphs=tuple(plain(m) for m in page.missing), low_res_pictures=page.low_res,
                warnings=tuple(plain(w) for w in page.warnings), pdf=pdf if pdf in published else None,
                preview=png if png in published else None, rendered=made is not None or preview is not None,
                render_seconds=made.seconds if made else None, preview_seconds=preview.seconds if preview else None,
                worker=(made or preview).worker if made or preview else None, key=key))
        report = info.report
        layouts.append(LayoutReport(shown, tuple(sorted(item.mapping.items())), False, info.seconds,
                                    report.stories, len(report.fallbacks)))
    pages.sort(key=lambda p: p.page)
    found = problems(work.infos, work.comps)
    exit_status = EXIT_STRICT if options.strict and found else EXIT_OK
    outputs = {}
    if out is not None:
        if f"{spec.name}.pdf" in published:
            outputs["combined"] = f"{spec.name}.pdf"
        if f"{spec.name}-contact.png" in published:
            outputs["contact_sheet"] = f"{spec.name}-contact.png"
        outputs["report"] = f"{spec.name}-report.json"
    return EditionReport(spec.name, spec.title, _shown(spec.source), str(out) if out is not None else None, status,
                         exit_status, options.strict, executor, tuple(pages), tuple(layouts), outputs,
                         timings, found, tuple(cache_warnings()))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
