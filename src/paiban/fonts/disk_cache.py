"""Small on-disk caches of facts read from font files: face names, metrics, file digests.

A build reads the same facts from the same font files every time (family names of every face of
a collection, a face's cmap and advances, the sha256 of a file); reading them again costs tens
of milliseconds a file and the import of fontTools. So each is kept in the cache folder
(`default_cache_dir`), one marshal file per entry: ``<cache>/<kind>/<sha256 of key>.marshal``
holding ``{"key": key, "data": data}``.

* **Keys.** A key names the font file's version (`file_stamp`: absolute path, size, mtime in
  nanoseconds and inode), what was read, the format version and, where fontTools did the
  reading, the fontTools version (`fonttools_stamp`, found without importing fontTools). A
  changed, replaced, added or removed font file, or another fontTools, is a miss.
* **Safety.** Entries are written atomically (a temporary file, then a rename: see
  `paiban.atomic_files`), so a concurrent build never sees half an entry; two builds filling the
  same entry write the same facts and the last rename wins. An entry that is missing, unreadable,
  corrupted or holds another key is a miss (`read_entry` returns None), never an error, and a
  read-only or missing cache folder only costs speed.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import threading
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically

__all__ = ["default_cache_dir", "entry_path", "file_stamp", "fonttools_stamp", "read_entry", "write_entry"]

#: one stat result, as a key part: (absolute path, size, mtime_ns, inode)
FileStamp = tuple[str, int, int, int]

#: fontTools' version line in its __init__.py (a pattern, compiled when first needed)
_VERSION_LINE = rb"^version\s*=\s*__version__\s*=\s*[\"']([^\"']+)[\"']"
_lock = threading.Lock()
_fonttools: list[str] = []


def default_cache_dir() -> Path:
    """``$PAIBAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/paiban``, else ``~/.cache/paiban``."""
    env = os.environ.get("PAIBAN_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg).expanduser() / "paiban"
    return Path.home() / ".cache" / "paiban"


def file_stamp(path: Path) -> FileStamp:
    """``(absolute path, size, mtime_ns, inode)`` of ``path``; FileNotFoundError if it is missing."""
    absolute = os.path.abspath(path)
    st = os.stat(absolute)
    return absolute, st.st_size, st.st_mtime_ns, st.st_ino


def fonttools_stamp() -> str:
    """The installed fontTools version (``"4.68.0"``), equal to ``fontTools.version``.

    Read from fontTools' ``__init__.py`` without importing it (the import costs ~10 ms, and a
    build whose facts are all cached needs no fontTools); imported only when that line cannot be
    found. ``"none"`` when fontTools is not installed. Computed once per process.
    """
    with _lock:
        if not _fonttools:
            _fonttools.append(_read_fonttools_version() or _imported_fonttools_version())
        return _fonttools[0]


def _read_fonttools_version() -> str | None:
    import importlib.util

    try:
        spec = importlib.util.find_spec("fontTools")
        if spec is None:
            return "none"
        found = re.search(_VERSION_LINE, Path(spec.origin or "").read_bytes(), re.MULTILINE)
    except (ImportError, ValueError, OSError):
        return None
    return found.group(1).decode("ascii", "replace") if found else None


def _imported_fonttools_version() -> str:
    try:
        import fontTools
    except ImportError:
        return "none"
    return str(getattr(fontTools, "version", "?"))


def entry_path(kind: str, key: str) -> Path:
    """Where the entry ``key`` of ``kind`` (a sub-folder name: ``faces``, ``metrics``…) is kept."""
    digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
    return default_cache_dir() / kind / f"{digest}.marshal"


def read_entry(kind: str, key: str) -> Any | None:
    """The data stored under ``key``, or None when there is none or it cannot be used."""
    try:
        entry = marshal.loads(entry_path(kind, key).read_bytes())
    except Exception:  # missing, unreadable, truncated, corrupted: a miss
        return None
    if isinstance(entry, dict) and entry.get("key") == key and "data" in entry:
        return entry["data"]
    return None


def write_entry(kind: str, key: str, data: Any) -> None:
    """Store ``data`` (marshal-able) under ``key`` atomically; failures only cost speed."""
    try:
        payload = marshal.dumps({"key": key, "data": data})
        write_atomically(entry_path(kind, key), payload, mode=0o644)
    except (OSError, ValueError):
        pass
