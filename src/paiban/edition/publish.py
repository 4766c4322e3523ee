"""The output folder of an edition build: file names, one build at a time, publishing at once.

Outputs are made in the build cache (``.paiban-cache/render/``) and published here at the end of
a build: each file copied to a temporary name next to its target and renamed over it, and only
when it changed (``.paiban-cache/published-<edition>.json`` remembers what was published with
its size and modification time). SIGINT and SIGTERM wait while that runs, so an interrupted build
leaves the previous build's files or this one's, and never a partial file. Page files of the
edition that it no longer has (a 16-page edition that became 12 pages) are removed; the JSON
report is written last.

    NAME.pdf            the edition, every page
    NAME-NN.pdf         page NN (two digits, or more for 100 pages and up)
    NAME-NN.png         its preview
    NAME-contact.png    every page's thumbnail in a grid
    NAME-report.json    the build report (paiban.edition.edition_report)
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
from collections.abc import Iterator
from pathlib import Path

from paiban.edition.build_cache import CACHE_DIR_NAME, write_atomic

__all__ = ["locked", "page_file", "publish", "signals_held"]


def page_file(name: str, number: int, count: int, suffix: str) -> str:
    """``city-03.pdf``: the edition's name and the page number, padded to the widest number."""
    return f"{name}-{number:0{max(2, len(str(count)))}d}{suffix}"


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM are delivered after the block (publishing is not cut in half)."""
    held = {signal.SIGINT, signal.SIGTERM}
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path`: a second build into the same folder waits for the first."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _stamp(path: Path) -> list[int]:
    try:
        st = path.stat()
    except OSError:
        return [-1, -1]
    return [st.st_size, st.st_mtime_ns]


def publish(out: Path, name: str, outputs: list[tuple[str, Path]], report_json: str, keep_pages: bool
            ) -> dict[str, list]:
    """Copy `outputs` ((file name, made file) pairs) into `out` where they changed, remove this
    edition's other page files (unless `keep_pages`: a build that failed --strict publishes only
    its report), write the report last. Returns {file: [made file, size, mtime_ns]}."""
    manifest_path = out / CACHE_DIR_NAME / f"published-{name}.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    with signals_held():
        if keep_pages:
            published = manifest
        else:
            published = {}
            for file, source in outputs:
                target = out / file
                old = manifest.get(file)
                if old and old[0] == source.name and _stamp(target) == old[1:]:
                    published[file] = old  # already there, as written
                    continue
                write_atomic(target, source.read_bytes())
                published[file] = [source.name, *_stamp(target)]
            ours = re.compile(re.escape(name) + r"-(\d{2,}\.(pdf|png)|contact\.png)")
            for entry in os.listdir(out):
                if ours.fullmatch(entry) and entry not in published:
                    os.unlink(out / entry)
        write_atomic(out / f"{name}-report.json", (report_json + "\n").encode("utf-8"))
        write_atomic(manifest_path, json.dumps(published, indent=1).encode("utf-8"))
    return published
