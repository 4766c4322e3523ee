"""The no-op fast path: is the last build of this edition in this output folder still current?

After a build, `save_state` records the files it read with their size and modification time,
the fonts the machine offers (each font file and every folder above it, so that a font added,
removed or replaced shows), the code identity, the options that change the output, the report
and the files it published (``state-<edition>.json``, sealed: a damaged state is no state).
`check` compares all of that with the disk, like make does, without reading a YAML file or
importing the typesetting code: when nothing changed and every published file is still there as
written, the build is done. Anything else, or ``--force``, takes the full path, where the build
cache decides page by page (see `build_cache`).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically
from paiban.cache_health import note_unusable, seal, unseal
from paiban.code_identity import code_identity
from paiban.i18n import N_, active_language

__all__ = ["BuildState", "check", "font_stamps", "save_state"]


@dataclass(frozen=True)
class BuildState:
    """What a finished build depended on (code, options, input files, fonts, environment) and
    what it published, to tell whether the next build can skip everything."""

    edition: str  # the edition file, absolute
    code: str  # `code_identity()`
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


def _environment() -> tuple[str, ...]:
    """What else the build depended on: where fonts and caches are found, and the language of the
    report's messages (a report replayed in another language would say them in the old one)."""
    return (os.environ.get("PAIBAN_FONT_PATH", ""), os.environ.get("PAIBAN_CACHE_DIR", ""),
            os.environ.get("XDG_CACHE_HOME", ""), str(Path.home()), active_language())


def font_stamps() -> tuple[tuple[str, int, int], ...]:
    """Every font file paiban can find, and every folder from the search roots down to it."""
    from paiban.fonts.discovery import font_files, font_path_dirs, standard_font_dirs, unpacked_package_dirs

    roots = {os.path.abspath(p) for p in (*font_path_dirs(), *standard_font_dirs(), *unpacked_package_dirs())}
    paths: set[str] = set(roots)
    for file in font_files():
        text = os.path.abspath(file)
        paths.add(text)
        paths.add(os.path.dirname(text))
        parent, chain = os.path.dirname(text), []
        while parent not in roots and parent != os.path.dirname(parent):  # up to its search root
            chain.append(parent)
            parent = os.path.dirname(parent)
        if parent in roots:
            paths.update(chain)
    return tuple(_stamp(p) for p in sorted(paths))


def state_file(cache_root: Path, edition: Path) -> Path:
    name = hashlib.blake2b(str(edition).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_root / f"state-{name}.json"


def save_state(cache_root: Path, edition: Path, proof: bool, previews: bool, inputs: list[Path], report: Any,
               published: dict[str, list], fonts: tuple | None = None) -> None:
    """Record the finished build (a cache folder that cannot take it is noted, not raised: the
    next build then takes the full path). `report`: the report or its `to_dict`; `fonts`: the
    `font_stamps` when the caller has them (the editions of one run share them)."""
    state = {"edition": str(edition), "code": code_identity(), "options": [proof, previews],
             "inputs": [_stamp(p) for p in sorted({str(p) for p in inputs})], "fonts": fonts if fonts is not None else font_stamps(),
             "environment": _environment(), "report": report if isinstance(report, dict) else report.to_dict(),
             "published": published}
    try:
        write_atomically(state_file(cache_root, edition), seal(json.dumps(state, ensure_ascii=False).encode("utf-8")),
                         0o644, durable=False)
    except OSError as exc:
        note_unusable(cache_root, exc, N_("edition build cache"))


def forget(cache_root: Path, edition: Path) -> None:
    try:
        os.unlink(state_file(cache_root, edition))
    except FileNotFoundError:
        pass
    except OSError as exc:
        note_unusable(cache_root, exc, N_("edition build cache"))


def _load_state(path: Path) -> BuildState | None:
    from paiban.edition.edition_report import EditionReport

    try:
        sealed = unseal(path.read_bytes())
        if sealed is None:
            return None
        data = json.loads(sealed[0].decode("utf-8"))
        return BuildState(data["edition"], data["code"], tuple(data["options"]),
                          tuple(tuple(x) for x in data["inputs"]), tuple(tuple(x) for x in data["fonts"]),
                          tuple(data["environment"]), EditionReport.from_dict(data["report"]),
                          dict(data["published"]))
    except Exception:  # no state, or an unreadable or damaged one: build
        return None


def check(cache_root: Path, edition: Path, proof: bool, previews: bool) -> BuildState | None:
    """The last build's state if nothing it depends on changed and its outputs are intact."""
    state = _load_state(state_file(cache_root, edition))
    output = cache_root.parent
    if (state is None or state.edition != str(edition) or state.options != (proof, previews)
            or state.environment != _environment()
            or any(_stamp(stamp[0]) != stamp for stamp in state.inputs)
            or state.code != code_identity()
            or any(_stamp(str(output / name))[1:] != (size, mtime)
                   for name, (_, size, mtime) in state.published.items())
            or any(_stamp(stamp[0]) != stamp for stamp in state.fonts)):  # the slowest last
        return None
    return state


def replayed(report: Any, timings: dict[str, float], strict: bool, executor: str = "nothing to render") -> Any:
    """The last report as this run's: nothing composed or rendered, this run's times."""
    pages = tuple(replace(p, rendered=False, render_seconds=None, preview_seconds=None, worker=None)
                  for p in report.pages)
    layouts = tuple(replace(layout, cached=True, compose_seconds=0.0) for layout in report.layouts)
    return replace(report, pages=pages, layouts=layouts, timings=timings, executor=executor, strict=strict)
