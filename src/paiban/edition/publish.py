"""The output folder of an edition build: file names, one build at a time, publishing as a set.

Every build publishes a whole new folder, and one atomic rename makes it the edition:

    OUT/.paiban-editions/NAME/20240105T031500-3f9a1c/   a build's files, complete before it is used
    OUT/.paiban-editions/NAME/current  →  20240105T031500-3f9a1c   the pointer (a symbolic link)
    OUT/NAME-03.pdf  →  .paiban-editions/NAME/current/NAME-03.pdf  each output name (a symbolic link)

`publish` fills a new build folder (``<id>.partial``, renamed to ``<id>`` when complete, with the
report and a manifest), makes each output name a link through the pointer (a name the old
edition lacks links to nothing until the switch), replaces the pointer with ``os.replace`` of a
new link — the switch — and then removes the names the new edition no longer has. So a reader
opens a whole file of one build, every name belongs to the same build, and a build killed at any
moment leaves the previous edition or the new one, never a mix. SIGINT and SIGTERM wait during
the switch. Older build folders but the one before are removed after it (a reader that resolved
the pointer a moment ago still finds its files); ``.partial`` folders of killed builds go next time.

An unchanged file is hard-linked from the current build folder (the same inode and time: a hot
folder sees no new file, and it was flushed when first published); the others are hard-linked
from the build cache (copied where a link cannot be made: the cache on another file system) and
flushed here, one ``fsync`` each, several at a time (`_flush`), before the build folder is
complete (the cache's writers do not flush its files: `paiban.atomic_files`), so a page that
several editions share is one file on the disk, and nothing is published that is not on the disk.
Output files of an older paiban (regular files in ``OUT``) are first taken into a build folder
of their own, so that the first switch is atomic too.

    NAME.pdf            the edition, every page
    NAME-NN.pdf         page NN (two digits, or more for 100 pages and up)
    NAME-NN.png         its preview
    NAME-contact.png    every page's thumbnail in a grid
    NAME-report.json    the build report (paiban.edition.edition_report; `write_report`)
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import signal
import stat
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from paiban.atomic_files import sync_path
from paiban.edition.build_cache import CACHE_DIR_NAME, write_atomic
from paiban.i18n import _

__all__ = ["EDITIONS_DIR_NAME", "current_build", "intact", "locked", "page_file", "publish", "signals_held",
           "write_report"]

#: the folder of the published builds, in the output folder
EDITIONS_DIR_NAME = ".paiban-editions"
#: the pointer to the current build, in an edition's folder
CURRENT = "current"
#: in each build folder: {file: [cache file it was copied from, size, mtime_ns]}
MANIFEST = ".published.json"
#: files flushed at once when an edition is published (`_flush`)
FLUSH_AT_ONCE = 16

_BUILD_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{6}")


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


def _home(out: Path, name: str) -> Path:
    return out / EDITIONS_DIR_NAME / name


def _link_text(name: str, file: str) -> str:
    """What the output name `file` links to (relative: the output folder can be moved whole)."""
    return f"{EDITIONS_DIR_NAME}/{name}/{CURRENT}/{file}"


def current_build(out: Path, name: str) -> Path | None:
    """The folder of the edition's current build in `out`: where its pointer leads, or None."""
    home = _home(out, name)
    try:
        target = os.readlink(home / CURRENT)
    except OSError:
        return None
    folder = home / target
    return folder if _BUILD_ID.fullmatch(target) and folder.is_dir() else None


def intact(out: Path, name: str) -> bool:
    """Is the edition in `out` published as this module publishes it: a pointer to a build
    folder, and the report's name a link through it? (The unchanged rebuild needs both.)"""
    if current_build(out, name) is None:
        return False
    try:
        return os.readlink(out / f"{name}-report.json") == _link_text(name, f"{name}-report.json")
    except OSError:
        return False


def write_report(out: Path, name: str, report_json: str) -> None:
    """Write the report again into the current build (an unchanged rebuild: same files, new times)."""
    folder = current_build(out, name)
    if folder is None:  # not published by this module (see `intact`): the caller builds instead
        raise FileNotFoundError(_("{out}: no published build of {name}").format(out=out, name=name))
    write_atomic(folder / f"{name}-report.json", (report_json + "\n").encode("utf-8"))
    _ensure_link(out, name, f"{name}-report.json")


def _ours(name: str) -> re.Pattern[str]:
    """The output names of edition `name` (pages, previews, contact sheet, edition PDF, report)."""
    return re.compile(re.escape(name) + r"(-\d{2,}\.(pdf|png)|-contact\.png|\.pdf|-report\.json)")


def _new_id() -> str:
    return time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


def _symlink(home: Path, target: str, path: Path) -> None:
    """Make `path` a symbolic link to `target` in one rename (a link made beside it first)."""
    tmp = home / f".tmp-{path.name}.{secrets.token_hex(4)}.part"
    os.symlink(target, tmp)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _ensure_link(out: Path, name: str, file: str) -> None:
    """Make the output name `file` a link through the edition's pointer, if it is not one. A
    regular file there (an older paiban's output, taken into a build folder by `_adopt`) or
    another link is replaced, never written through; a folder or a device is an error."""
    path = out / file
    text = _link_text(name, file)
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        try:
            os.symlink(text, path)  # nothing there: made in place, whole at once
            return
        except FileExistsError:
            mode = stat.S_IFREG  # made meanwhile: as a file, replaced
    if stat.S_ISLNK(mode) and os.readlink(path) == text:
        return
    if not (stat.S_ISLNK(mode) or stat.S_ISREG(mode)):
        raise IsADirectoryError(_("{path}: an output of edition {name} is in the way of this one (not a file or a "
                                  "link); move it").format(path=path, name=name))
    _symlink(out, text, path)


def _reuse(source: Path, target: Path, mtime_ns: int | None = None) -> bool:
    """`target` as a hard link of `source` (a copy with its times where links are not possible:
    then True, a file to flush)."""
    try:
        os.link(source, target)
        return False
    except OSError:
        shutil.copy2(source, target)
        if mtime_ns is not None:
            os.utime(target, ns=(mtime_ns, mtime_ns))
        return True


def _flush(paths: list[Path]) -> None:
    """fsync the files, `FLUSH_AT_ONCE` at a time: each waits for the disk, and the fsyncs in
    flight together share the file system's journal commits (one after the other, an edition's
    fifty new files took up to half a second on a busy disk)."""
    if len(paths) > 1:
        with ThreadPoolExecutor(min(FLUSH_AT_ONCE, len(paths)), thread_name_prefix="paiban-flush") as pool:
            list(pool.map(_flush_file, paths))
    elif paths:
        _flush_file(paths[0])


def _flush_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # a file system that cannot: nothing to wait for
            raise
    finally:
        os.close(fd)


def _manifest(folder: Path | None) -> dict[str, list]:
    if folder is None:
        return {}
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _tidy(home: Path) -> None:
    """Remove what a killed build left in the edition's folder: unfinished build folders and
    half-made links."""
    for entry in os.scandir(home):
        if entry.name.endswith(".partial") and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        elif entry.name.startswith(".tmp-") and entry.name.endswith(".part"):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _take_current(out: Path, name: str, home: Path) -> Path | None:
    """The current build folder, after repairing what copying or an older paiban left: a real
    folder where the pointer should be (the output folder was copied without keeping links)
    becomes a build folder with a pointer; output files of an older paiban (regular files) are
    taken into a build folder of their own (hard links), with a pointer to it."""
    pointer = home / CURRENT
    folder = current_build(out, name)
    if folder is not None:
        return folder
    build = _new_id()
    if pointer.is_dir() and not pointer.is_symlink():
        # the links through it keep working until the rename; the new pointer follows at once
        os.rename(pointer, home / build)
    else:
        ours = _ours(name)
        legacy = [entry.name for entry in os.scandir(out)
                  if ours.fullmatch(entry.name) and entry.is_file(follow_symlinks=False)]
        if not legacy:
            return None
        partial = home / f"{build}.partial"
        partial.mkdir()
        _flush([partial / file for file in legacy if _reuse(out / file, partial / file)])
        os.rename(partial, home / build)
        sync_path(home)
    _symlink(home, build, pointer)
    return home / build


def publish(out: Path, name: str, outputs: list[tuple[str, Path]], report_json: str, keep_pages: bool,
            flushed: set[tuple[int, ...]] | None = None) -> dict[str, list]:
    """Publish `outputs` ((file name, made file) pairs) and the report as the edition `name` in
    `out`, as one set (see the module docstring). A build that failed --strict (`keep_pages`)
    publishes its report alone: the edition is then that report, without PDFs. Returns
    {file: [made file, size, mtime_ns]} of the published files (the report aside). `flushed`:
    the files (`_identity`) an earlier publish of the same run flushed; this one's are added (a
    page that several editions of the night share is waited for once)."""
    home = _home(out, name)
    home.mkdir(parents=True, exist_ok=True)
    with locked(home / ".lock"):  # also when the cache's lock is a private one (an unusable cache)
        return _publish(out, name, home, outputs, report_json, keep_pages, set() if flushed is None else flushed)


def _identity(st: os.stat_result) -> tuple[int, ...]:
    """A file's inode and contents stamp: the cache never rewrites a file in place."""
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns


def _publish(out: Path, name: str, home: Path, outputs: list[tuple[str, Path]], report_json: str,
             keep_pages: bool, flushed: set[tuple[int, ...]]) -> dict[str, list]:
    _tidy(home)
    current = _take_current(out, name, home)
    before = _manifest(current)
    build = _new_id()
    partial = home / f"{build}.partial"
    partial.mkdir()
    published: dict[str, list] = {}
    try:
        fresh: list[Path] = []  # files to flush: the cache's (its writers do not flush them) and copies
        fresh_ids: list[tuple[int, ...]] = []
        for file, source in ([] if keep_pages else outputs):
            target = partial / file
            old = before.get(file)
            here = current / file if current is not None else None
            if here is not None and (old and old[0] == source.name and _stamp(here) == old[1:]
                                     or not old and _same_bytes(here, source)):
                if _reuse(here, target, _stamp(here)[1]):  # unchanged: the same inode, the same time
                    fresh.append(target)
            else:
                _reuse(source, target)  # the cache's file
                fresh.append(target)
            st = os.stat(target)
            published[file] = [source.name, st.st_size, st.st_mtime_ns]
            if fresh and fresh[-1] is target:
                if _identity(st) in flushed:  # on the disk already: another edition of the night published it
                    fresh.pop()
                else:
                    fresh_ids.append(_identity(st))
        report = partial / f"{name}-report.json"
        report.write_bytes((report_json + "\n").encode("utf-8"))
        _flush([*fresh, report])  # before the folder is complete: nothing is published that is not on the disk
        flushed.update(fresh_ids)
        (partial / MANIFEST).write_text(json.dumps(published, indent=1), encoding="utf-8")
        sync_path(partial)
        os.rename(partial, home / build)
        sync_path(home)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    names = [*published, f"{name}-report.json"]
    ours = _ours(name)
    with signals_held():
        for file in names:  # a name the current edition lacks links to nothing until the switch
            _ensure_link(out, name, file)
        _symlink(home, build, home / CURRENT)  # the switch
        sync_path(home)
        for entry in os.scandir(out):  # names the new edition does not have
            if ours.fullmatch(entry.name) and entry.name not in names and not entry.is_dir(follow_symlinks=False):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
        sync_path(out)
    _prune(home, keep={build, current.name if current is not None else build})
    with contextlib.suppress(OSError):  # the manifest of paiban before build folders
        os.unlink(out / CACHE_DIR_NAME / f"published-{name}.json")
    return published


def _same_bytes(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except OSError:
        return False


def _prune(home: Path, keep: set[str]) -> None:
    """Remove build folders but `keep` (the current one and the one before it)."""
    for entry in os.scandir(home):
        if _BUILD_ID.fullmatch(entry.name) and entry.name not in keep and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
