"""The no-op fast path: is the last build of this edition in this output folder still current?

After a build, `save_state` records the files it read (edition file, layouts, articles,
pictures, font roles files and ``font_files``) with their size and modification time, the fonts
the machine offers (each font file and every folder above it, so that a font added, removed or
replaced shows), paiban's own source files, the options that change the output, the report and
the files it published. `check` compares all of that with the disk, like make does, without
reading a YAML file or importing the typesetting code: when nothing changed and every published
file is still there as written, the build is done (the report is written again, with this run's
times). Anything else, or ``--force``, takes the full path, where the build cache decides page
by page (by content, see `build_cache`).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import paiban

__all__ = ["BuildState", "check", "code_stamp", "font_stamps", "save_state"]


@dataclass(frozen=True)
class BuildState:
    """What a finished build depended on (code, options, input files, fonts, environment) and
    what it published, to tell whether the next build can skip everything."""

    edition: str  # the edition file, absolute
    code: str  # `code_stamp()`
    options: tuple[bool, bool]  # proof, previews
    inputs: tuple[tuple[str, int, int], ...]  # (file, size, mtime_ns)
    fonts: tuple[tuple[str, int, int], ...]  # font files and their folders
    environment: tuple[str, ...]
    report: Any  # the EditionReport of that build
    published: dict[str, list] = field(default_factory=dict)  # file → [source, size, mtime_ns]


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_size, st.st_mtime_ns)


def code_stamp() -> str:
    """paiban's version and the size and mtime of each of its source and data files."""
    h = hashlib.blake2b(digest_size=16)
    h.update(paiban.__version__.encode())
    root = os.path.dirname(paiban.__file__)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for name in sorted(filenames):
            if name.endswith((".py", ".yaml")):
                h.update(repr(_stamp(os.path.join(dirpath, name))).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _environment() -> tuple[str, ...]:
    return (os.environ.get("PAIBAN_FONT_PATH", ""), os.environ.get("PAIBAN_CACHE_DIR", ""),
            os.environ.get("XDG_CACHE_HOME", ""), str(Path.home()))


def font_stamps() -> tuple[tuple[str, int, int], ...]:
    """Every font file paiban can find, and every folder from the search roots down to it."""
    from paiban.fonts.discovery import font_files, font_path_dirs, standard_font_dirs, unpacked_package_dirs

    roots = {os.path.abspath(p) for p in (*font_path_dirs(), *standard_font_dirs(), *unpacked_package_dirs())}
    paths: set[str] = set(roots)
    for file in font_files():
        text = os.path.abspath(file)
        paths.add(text)
        parent = os.path.dirname(text)
        paths.add(parent)
        while parent not in roots and parent != os.path.dirname(parent):  # up to its search root
            parent = os.path.dirname(parent)
            if parent in roots:
                break
        else:
            continue
        child = os.path.dirname(text)
        while child != parent:
            paths.add(child)
            child = os.path.dirname(child)
    return tuple(_stamp(p) for p in sorted(paths))


def state_file(cache_root: Path, edition: Path) -> Path:
    name = hashlib.blake2b(str(edition).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_root / f"state-{name}.pkl"


def save_state(cache_root: Path, edition: Path, proof: bool, previews: bool, inputs: list[Path], report: Any,
               published: dict[str, list]) -> None:
    from paiban.edition.build_cache import write_atomic

    state = BuildState(str(edition), code_stamp(), (proof, previews),
                       tuple(_stamp(str(p)) for p in sorted({str(p) for p in inputs})), font_stamps(),
                       _environment(), report, published)
    write_atomic(state_file(cache_root, edition), pickle.dumps(state, protocol=5))


def forget(cache_root: Path, edition: Path) -> None:
    try:
        os.unlink(state_file(cache_root, edition))
    except FileNotFoundError:
        pass


def check(cache_root: Path, edition: Path, proof: bool, previews: bool) -> BuildState | None:
    """The last build's state if nothing it depends on changed and its outputs are intact."""
    try:
        with open(state_file(cache_root, edition), "rb") as fh:
            state: BuildState = pickle.load(fh)
    except Exception:  # no state, or an unreadable one: build
        return None
    if state.edition != str(edition) or state.options != (proof, previews) or state.environment != _environment():
        return None
    if any(_stamp(path) != (path, size, mtime) for path, size, mtime in state.inputs):
        return None
    if state.code != code_stamp():
        return None
    output = cache_root.parent
    for name, (_source, size, mtime) in state.published.items():
        if _stamp(str(output / name))[1:] != (size, mtime):
            return None
    if any(_stamp(path) != (path, size, mtime) for path, size, mtime in state.fonts):
        return None
    return state


def replayed(report: Any, timings: dict[str, float], strict: bool, executor: str = "nothing to render") -> Any:
    """The last report as this run's: nothing composed or rendered, this run's times."""
    pages = tuple(replace(p, rendered=False, render_seconds=None, preview_seconds=None, worker=None)
                  for p in report.pages)
    layouts = tuple(replace(layout, cached=True, compose_seconds=0.0) for layout in report.layouts)
    return replace(report, pages=pages, layouts=layouts, timings=timings, executor=executor, strict=strict)
