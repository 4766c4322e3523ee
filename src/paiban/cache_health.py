"""What keeps paiban's caches honest: sealed entries, and the record of cache folders that could
not be used. A damaged entry (cut short, a flipped bit, a stray file) is a miss that is made
again, never wrong output; a cache folder that cannot be used costs speed, not the build.

* **Sealed entries** (`seal`, `unseal`): an entry ``E`` (the text of a JSON object, one line,
  not empty) is stored as ``{"sha256":"<64 hex digits>",`` followed by ``E`` without its opening
  brace: still one JSON object, ``sha256`` the digest of the exact bytes of ``E``. An entry with
  raw bytes after it (``payload``) is that line, a newline and the bytes, all covered by the digest.
* **Cache problems** (`note_unusable`, `cache_warnings`, `clear_cache_warnings`): the first
  failure to write into a cache folder is recorded once per folder and process, as one line.
* **Scratch folder** (`scratch_dir`): what a cache cannot hold but the build goes on to read (a
  converted font, a rendered page) goes into a folder of the process under the system's
  temporary folder, removed when it ends (`release_scratch`); folders left by processes that
  died are removed by the next one that makes one.

This module imports nothing of paiban: it sits in the bottom layer beside `paiban.atomic_files`.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import threading
from pathlib import Path

from paiban.i18n import N_, _

__all__ = ["cache_warnings", "clear_cache_warnings", "note_unusable", "release_scratch", "scratch_dir", "seal",
           "unseal"]

_HEAD = b'{"sha256":"'
_START = len(_HEAD) + 64 + 2  # the digest, then '",' and the entry's first key
_HEX = re.compile(rb"[0-9a-f]{64}")


def _digest(entry: bytes, payload: bytes | None) -> bytes:
    h = hashlib.sha256(entry)
    if payload is not None:
        h.update(b"\n" + payload)
    return h.hexdigest().encode("ascii")


def seal(entry: bytes, payload: bytes | None = None) -> bytes:
    """``entry`` (the text of a JSON object with at least one key, on one line) sealed with its
    SHA-256; with ``payload``, the sealed line, a newline and the payload, all covered by the
    digest. ValueError for anything else."""
    if not (entry[:1] == b"{" and entry[-1:] == b"}" and entry[1:].lstrip()[:1] == b'"') or b"\n" in entry:
        raise ValueError("a sealed entry is a JSON object with keys, on one line")
    sealed = _HEAD + _digest(entry, payload) + b'",' + entry[1:]
    return sealed if payload is None else sealed + b"\n" + payload


def unseal(raw: bytes, binary: bool = False) -> tuple[bytes, bytes] | None:
    """``(entry, payload)`` of a sealed file (``payload`` is ``b""`` unless ``binary``), or None
    when ``raw`` is not one or its digest does not match (cut short, damaged, another format)."""
    if not (raw.startswith(_HEAD) and raw[_START - 2:_START] == b'",'
            and _HEX.fullmatch(raw, len(_HEAD), _START - 2)):
        return None
    line, payload = raw, None
    if binary:
        line, newline, payload = raw.partition(b"\n")  # the head checked above holds no newline
        if not newline:
            return None
    entry = b"{" + line[_START:]
    if _digest(entry, payload) != raw[len(_HEAD):_START - 2]:
        return None
    return entry, payload or b""


# ---- cache folders that cannot be used -----------------------------------------------------

_lock = threading.Lock()
_warnings: dict[str, str] = {}  # cache folder → the warning about it


def note_unusable(folder: Path | str, error: BaseException, what: str = N_("cache folder")) -> None:
    """Record that ``folder`` (a cache's top folder) could not be used because of ``error``: one
    warning per folder and process, however often it fails."""
    key = os.path.abspath(folder)
    with _lock:
        if key in _warnings:
            return
        if isinstance(error, OSError) and error.strerror:
            reason = error.strerror + (f": {error.filename}" if error.filename else "")
        else:
            reason = f"{type(error).__name__}: {error}"
        _warnings[key] = _("{what} {folder} cannot be used ({reason}); the build goes on without it, more "
                           "slowly").format(what=_(what), folder=key, reason=reason)


def cache_warnings() -> list[str]:
    """One line per cache folder this process could not use, in the order they failed."""
    with _lock:
        return list(_warnings.values())


def clear_cache_warnings() -> None:
    """Forget the recorded cache problems (a long-lived process between builds; tests)."""
    with _lock:
        _warnings.clear()


# ---- the scratch folder ----------------------------------------------------------------------

SCRATCH_PREFIX = "paiban-nocache-"
_scratch: tuple[int, Path] | None = None  # (the process that made it and removes it, folder)


def scratch_dir() -> Path:
    """A folder for what the cache could not hold, made on first use. Worker processes forked
    after it was made use it too (what goes there is named by its content and written
    atomically); a process that finds none makes its own."""
    global _scratch
    with _lock:
        if _scratch is not None and _scratch[1].is_dir():
            return _scratch[1]
        import atexit
        import tempfile

        _remove_orphans(Path(tempfile.gettempdir()))
        folder = Path(tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-"))
        if _scratch is None or _scratch[0] != os.getpid():
            atexit.register(release_scratch)
        _scratch = (os.getpid(), folder)
        return folder


def release_scratch() -> None:
    """Remove the scratch folder if this process made it (also called before `os._exit`, which
    runs no exit handlers)."""
    global _scratch
    with _lock:
        if _scratch is None or _scratch[0] != os.getpid():
            return
        folder = _scratch[1]
        _scratch = None
    shutil.rmtree(folder, ignore_errors=True)


def _remove_orphans(temp: Path) -> None:
    """Remove scratch folders of processes that are gone (killed before they could clean up)."""
    try:
        names = os.listdir(temp)
    except OSError:
        return
    for name in names:
        if not name.startswith(SCRATCH_PREFIX):
            continue
        pid_text = name[len(SCRATCH_PREFIX):].partition("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
            continue  # still running
        except ProcessLookupError:
            pass
        except OSError:  # another user's process: leave it
            continue
        shutil.rmtree(temp / name, ignore_errors=True)
