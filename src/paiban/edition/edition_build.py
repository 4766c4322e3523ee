"""Build a whole edition: compose every layout, render every page in parallel, publish atomically.

    report = build_edition(Path("layouts/editions/city.yaml"), BuildOptions(output=Path("out"), jobs=2))

1. **Prepare**: read the edition file, load every layout once, read and flow its stories
   (`compose.prepare_layouts`). Bad input stops here with an `InputError` (exit 2).
2. **Compose**: the build's pool opens (`paiban.parallel`: its workers are forked now, with the
   flowed layouts) and composes and encodes every page, while this process checks the glyphs.
3. **Key** every page: what it draws, the edition's characters of each font it uses, its
   pictures. With ``strict`` and overset text, missing glyphs or pictures below the print
   resolution, the build stops here (exit 1): the report is written, no PDF.
4. **Render** what the cache does not have (`render_pool`), in the same pool: first the fonts
   (each CFF face converted once for the edition's characters), then the combined PDF and every
   page PDF with its previews, as parallel jobs; then the contact sheet. A Dask cluster that
   cannot be reached, does not answer or does not finish in time (`paiban.parallel`) is a
   `PoolError` (exit 3), never a hang.
5. **Publish** (`publish`): the files go into a new build folder, and one atomic rename of a
   link makes it the edition, with SIGINT and SIGTERM held back for those few milliseconds.

Nothing but the cache and the new build folder is written before the switch of step 5; an
interrupted build (Ctrl-C, SIGTERM: `interrupt_on_sigterm`) stops its workers and removes its
temporary files, and a build killed outright leaves the previous edition or the new one, never a
mix and never a partial file. One build at a time writes to an output folder (a lock).

Outputs: ``NAME.pdf``, ``NAME-NN.pdf``, ``NAME-NN.png``, ``NAME-contact.png``,
``NAME-report.json``, links into ``.paiban-editions/NAME/current/`` (see `publish`); the cache
is ``.paiban-cache/`` (see `build_cache`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.edition import publish as publishing
from paiban.edition import render_pool, uptodate
from paiban.edition.build_cache import BuildCache, clean_temporaries, write_atomic
from paiban.edition.publish import locked, page_file, publish
from paiban.errors import PaibanError
from paiban.interrupts import BuildInterrupted, interrupt_on_sigterm

if TYPE_CHECKING:  # the typesetting modules are imported only when something is to be done
    from paiban.edition.compose import LayoutInfo, PreparedLayout
    from paiban.edition.edition_loader import EditionSpec
    from paiban.edition.edition_report import EditionReport
    from paiban.fonts.faces import FontFace
    from paiban.model.placed import EncodedPage

__all__ = ["BuildInterrupted", "BuildOptions", "RenderFailed", "build_edition", "interrupt_on_sigterm"]

EXIT_OK, EXIT_STRICT = 0, 1


class RenderFailed(PaibanError):
    """A render job failed (a worker crashed, the cluster went away): not the input's fault."""


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
    from paiban.cache_health import clear_cache_warnings

    clear_cache_warnings()  # this build's, in a process that builds more than once
    clock = _Clock()
    edition = Path(path).absolute()
    if options.output is None:
        from paiban.edition.compose import compose_layouts, prepare_layouts
        from paiban.edition.edition_loader import load_edition

        spec = load_edition(path, root=options.root)
        prepared = prepare_layouts(spec)
        clock.lap("prepare")
        infos = compose_layouts(prepared, None, options.proof, keep_lines=options.trace is not None)
        clock.lap("compose")
        if options.trace is not None:
            _write_trace(options.trace, spec, infos)
        return _report(spec, prepared, infos, {}, None, options, clock, "checked", "-")
    out = options.output
    cache = BuildCache(out)
    if cache.root.is_dir() and not (options.force or options.trace):
        unchanged = _unchanged(cache, edition, options, clock)
        if unchanged is not None:
            return unchanged
    from paiban.edition.compose import prepare_layouts
    from paiban.edition.edition_loader import load_edition

    spec = load_edition(path, root=options.root)  # bad input stops here, before anything is created
    progress(f"preparing {len(spec.layouts)} layouts")
    prepared = prepare_layouts(spec)
    clock.lap("prepare")
    out.mkdir(parents=True, exist_ok=True)
    cache.create()
    with locked(cache.lock_path):
        cache.clean()
        clean_temporaries(out)
        uptodate.forget(cache.root, edition)
        report, published = _build(spec, prepared, cache, options, clock, progress)
        if report.status == "built":
            uptodate.save_state(cache.root, edition, options.proof, options.previews, _inputs(spec, prepared),
                                report, published)
        return report


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


def _inputs(spec: EditionSpec, prepared: list[PreparedLayout]) -> list[Path]:
    """Every file the build read: edition, layouts, articles, pictures, font roles and font files."""
    files = [spec.source]
    for item in prepared:
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


def _build(spec: EditionSpec, prepared: list[PreparedLayout], cache: BuildCache, options: BuildOptions,
           clock: _Clock, progress: Callable[[str], None]) -> tuple[EditionReport, dict[str, list]]:
    """Steps 2–5 of the module docstring; the report and the published files' stamps."""
    from paiban import parallel
    from paiban.edition.build_cache import combined_key, contact_key, render_key
    from paiban.edition.compose import compose_layouts
    from paiban.pipeline import install_layouts

    out = cache.root.parent
    layouts = {item.key: item.flowed for item in prepared}
    try:
        with parallel.open_pool(options.jobs, options.scheduler, inherit=(install_layouts, (layouts,)),
                                connect_timeout=options.scheduler_connect_timeout,
                                deadline=options.scheduler_deadline, retries=options.scheduler_retries) as pool:
            progress(f"composing {sum(len(item.layout.pages) for item in prepared)} pages")
            infos = compose_layouts(prepared, pool, options.proof, keep_lines=options.trace is not None)
            clock.lap("compose")
            faces = _faces(infos, prepared)
            font_chars = _edition_chars(infos)
            preview = spec.previews if options.previews else None
            count = sum(len(info.pages) for info in infos)
            keys: dict[int, str] = {}
            for info in infos:
                for page, encoded in zip(info.pages, info.encoded):
                    fonts = [(k, str(faces[k].path), faces[k].index, font_chars[k]) for k in page.chars]
                    keys[page.number] = render_key(page.digest, _page_title(spec, page.number), fonts,
                                                   page.pictures, preview)
            page_keys = [keys[n] for n in sorted(keys)]
            ckey = combined_key(spec.title, page_keys)
            problems = _problems(infos)
            if options.strict and problems:
                clock.lap("key")
                report = _report(spec, prepared, infos, {}, out, options, clock, "strict-failed", pool.description,
                                 problems)
                return report, publish(out, spec.name, [], report.to_json(), keep_pages=True)
            suffixes = render_pool.PAGE_SUFFIXES if preview else (".pdf",)
            todo_pages = [n for n in sorted(keys) if options.force or not cache.has_render(keys[n], suffixes)]
            todo_combined = options.force or not cache.has_render(ckey, (".pdf",))
            clock.lap("key")
            results: dict[str, Any] = {}
            if todo_pages or todo_combined:
                encoded = {page.number: page for info in infos for page in info.encoded}
                results = _render(pool, spec, cache, faces, font_chars, keys, ckey, encoded, todo_pages,
                                  todo_combined, preview, progress)
            executor = pool.description if results else "nothing to render"
        clock.lap("render")
        outputs: list[tuple[str, Path]] = [(f"{spec.name}.pdf", cache.render_path(ckey, ".pdf"))]
        for n in sorted(keys):
            outputs.append((page_file(spec.name, n, count, ".pdf"), cache.render_path(keys[n], ".pdf")))
            if preview:
                outputs.append((page_file(spec.name, n, count, ".png"), cache.render_path(keys[n], ".png")))
        if preview:
            sheet_key = contact_key((preview, spec.name, spec.title), page_keys)
            sheet = cache.render_path(sheet_key, ".contact.png")
            if options.force or not cache.has_render(sheet_key, (".contact.png",)):
                progress("contact sheet")
                write_atomic(sheet, _contact_sheet(spec, cache, keys, preview))
            outputs.append((f"{spec.name}-contact.png", sheet))
        if options.trace is not None:
            _write_trace(options.trace, spec, infos)
        clock.lap("contact sheet")
        report = _report(spec, prepared, infos, results, out, options, clock, "built", executor, problems, keys,
                         {name for name, _ in outputs})
        published = publish(out, spec.name, outputs, report.to_json(), keep_pages=False)
        cache.prune()
        return report, published
    except BaseException:
        cache.clean()
        clean_temporaries(out)
        raise


def _faces(infos: list[LayoutInfo], prepared: list[PreparedLayout]) -> dict[str, FontFace]:
    """Every face of the edition by key; one key must mean one font file everywhere."""
    from paiban.errors import InputError, Where

    faces: dict[str, FontFace] = {}
    owner: dict[str, Path] = {}
    for info, item in zip(infos, prepared):
        for key, face in info.faces.items():
            have = faces.get(key)
            if have is not None and (have.path, have.index) != (face.path, face.index):
                raise InputError(f"font {face.path} face {face.index} has the key {key!r} of {have.path} face "
                                 f"{have.index} in {owner[key].name}; give one of the files another name",
                                 Where(item.path, key="font_files"))
            faces.setdefault(key, face)
            owner.setdefault(key, item.path)
    return faces


def _edition_chars(infos: list[LayoutInfo]) -> dict[str, str]:
    """Face key → every character the edition draws with it, sorted."""
    chars: dict[str, set[str]] = {}
    for info in infos:
        for page in info.pages:
            for key, text in page.chars.items():
                chars.setdefault(key, set()).update(text)
    return {key: "".join(sorted(cs)) for key, cs in sorted(chars.items())}


def _page_title(spec: EditionSpec, number: int) -> str:
    return f"{spec.title} 第{number}版"


def _problems(infos: list[LayoutInfo]) -> tuple[str, ...]:
    out = []
    for info in infos:
        for page in info.pages:
            if page.overset:
                out.append(f"page {page.number}: {page.overset} characters overset")
            if page.missing:
                out.append(f"page {page.number}: {len(page.missing)} missing glyphs")
            out.extend(f"page {page.number}: {w}" for w in page.low_res)
    return tuple(out)


def _render(pool: Any, spec: EditionSpec, cache: BuildCache, faces: dict[str, FontFace],
            font_chars: dict[str, str], keys: dict[int, str], ckey: str, pages: dict[int, EncodedPage],
            todo_pages: list[int], todo_combined: bool, preview: Any, progress: Callable[[str], None]
            ) -> dict[str, Any]:
    """Render the pages and the edition PDF as jobs of `pool`: the fonts first (each CFF face
    converted once for the edition's characters, not by every worker), then the edition PDF (the
    longest job) and the pages."""
    from paiban.edition.build_cache import font_ready, mark_font_ready
    from paiban.fonts.disk_cache import default_cache_dir

    here = default_cache_dir()
    font_cache = str(here) if pool.local_files else None
    store = str(cache.render_dir) if pool.local_files else None
    needed = set(faces) if todo_combined else {k for n in todo_pages for k in pages[n].chars}
    fresh_fonts = [k for k in sorted(needed)
                   if faces[k].is_cff and not font_ready(here, _font_stamp(faces[k]), font_chars[k])]
    if fresh_fonts:
        progress(f"preparing {len(fresh_fonts)} fonts")
        futures = [pool.submit(render_pool.prepare_font, faces[k], font_chars[k], font_cache) for k in fresh_fonts]
        for future in pool.as_completed(futures):
            _result(future, "font preparation")
        for k in fresh_fonts:
            mark_font_ready(here, _font_stamp(faces[k]), font_chars[k])

    def job(key: str, label: str, title: str, numbers: list[int], with_preview: bool) -> render_pool.RenderJob:
        used = sorted({k for n in numbers for k in pages[n].chars})
        return render_pool.RenderJob(key, label, title, tuple(pages[n] for n in numbers),
                                     tuple(faces[k] for k in used), tuple((k, font_chars[k]) for k in used),
                                     font_cache, preview if with_preview else None, store)

    progress(f"rendering {len(todo_pages)} pages" + (" and the edition PDF" if todo_combined else ""))
    combined = None
    if todo_combined:
        combined = pool.submit(render_pool.render_job, job(ckey, "combined", spec.title, sorted(pages), False))
    futures = [pool.submit(render_pool.render_job, job(keys[n], f"page {n}", _page_title(spec, n), [n], True))
               for n in todo_pages]
    results: dict[str, Any] = {}
    for done, future in enumerate(pool.as_completed(futures), 1):
        _keep(cache, _result(future, "rendering"), results)
        progress(f"rendering page {done}/{len(todo_pages)}")
    if combined is not None:
        _keep(cache, _result(combined, "rendering"), results)
        progress(f"rendering the edition PDF ({len(todo_pages)}/{len(todo_pages)} pages)")
    return results


def _keep(cache: BuildCache, result: Any, results: dict[str, Any]) -> None:
    for suffix, data in result.files:
        write_atomic(cache.render_path(result.key, suffix), data)
    results[result.key] = result


def _result(future: Any, what: str) -> Any:
    from paiban.parallel import PoolError

    try:
        return future.result()
    except (KeyboardInterrupt, SystemExit, PoolError):  # PoolError: the cluster failed, said in one line
        raise
    except Exception as exc:  # a worker died, a bug
        raise RenderFailed(f"{what} failed: {type(exc).__name__}: {exc}") from exc


def _font_stamp(face: FontFace) -> str:
    from paiban.edition.build_cache import file_stamp

    return f"{file_stamp(face.path)}#{face.index}"


def _contact_sheet(spec: EditionSpec, cache: BuildCache, keys: dict[int, str], preview: Any) -> bytes:
    from paiban.edition.previews import contact_sheet

    thumbs = [(str(n), cache.render_path(keys[n], ".thumb.png").read_bytes()) for n in sorted(keys)]
    date = spec.variables.get("date", "")
    return contact_sheet(thumbs, preview, f"{spec.name} {date} - {len(keys)} pages")


def _write_trace(path: Path, spec: EditionSpec, infos: list[LayoutInfo]) -> None:
    from paiban.model.placed import Document
    from paiban.render.text_trace import text_trace

    pages = sorted((page for info in infos for page in info.placed), key=lambda p: p.number)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, text_trace(Document(spec.title, tuple(pages))).encode("utf-8"))


def _report(spec: EditionSpec, prepared: list[PreparedLayout], infos: list[LayoutInfo],
            results: dict[str, Any], out: Path | None, options: BuildOptions, clock: _Clock, status: str,
            executor: str, problems: tuple[str, ...] | None = None, keys: dict[int, str] | None = None,
            published: set[str] | None = None) -> EditionReport:
    from paiban.cache_health import cache_warnings
    from paiban.edition.edition_report import EditionReport, LayoutReport, PageReport

    keys = keys or {}
    published = published or set()
    count = sum(len(info.pages) for info in infos)
    pages: list[PageReport] = []
    layouts: list[LayoutReport] = []
    for info, item in zip(infos, prepared):
        shown = _shown(item.path)
        for page in info.pages:
            key = keys.get(page.number, "")
            result = results.get(key)
            pdf = page_file(spec.name, page.number, count, ".pdf")
            png = page_file(spec.name, page.number, count, ".png")
            pages.append(PageReport(
                page=page.number, layout=shown, layout_page=page.layout_page, stories=page.stories,
                lines=page.lines, overset=page.overset, underset_lines=page.underset_lines,
                missing_glyphs=tuple(asdict(m) for m in page.missing), low_res_pictures=page.low_res,
                warnings=tuple(asdict(w) for w in page.warnings), pdf=pdf if pdf in published else None,
                preview=png if png in published else None, rendered=result is not None,
                render_seconds=result.render_seconds if result else None,
                preview_seconds=result.preview_seconds if result and result.preview_seconds else None,
                worker=result.worker if result else None, key=key))
        report = info.report
        layouts.append(LayoutReport(shown, tuple(sorted(item.mapping.items())), False, info.seconds,
                                    report.stories, len(report.fallbacks)))
    pages.sort(key=lambda p: p.page)
    problems = _problems(infos) if problems is None else problems
    exit_status = EXIT_STRICT if options.strict and problems else EXIT_OK
    outputs = {}
    if out is not None:
        if f"{spec.name}.pdf" in published:
            outputs["combined"] = f"{spec.name}.pdf"
        if f"{spec.name}-contact.png" in published:
            outputs["contact_sheet"] = f"{spec.name}-contact.png"
        outputs["report"] = f"{spec.name}-report.json"
    return EditionReport(spec.name, spec.title, _shown(spec.source), str(out) if out is not None else None, status,
                         exit_status, options.strict, executor, tuple(pages), tuple(layouts), outputs,
                         clock.total(), problems, tuple(cache_warnings()))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)
