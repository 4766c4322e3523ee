"""Parsed YAML kept between runs, keyed by the text parsed: a layout, a roles file or an
article's front matter that has not changed is not parsed again, and PyYAML is not imported.

Importing PyYAML compiles some twenty regular expressions (its reader's and resolver's): ~25 ms,
the largest single cost of starting a build, paid again by every run although a newspaper's
layouts and roles file change seldom. `cached(kind, text, where, parse)` returns what `parse()`
returned for the same `kind`, `where` (what the result names: the file, a line offset) and the
same text, from ``<cache>/parsed/<kind>-<crc32>-<length>.pickle``; only on a miss does it call
`parse` (which imports PyYAML) and store the result. A parse that raises stores nothing: the
error is raised on every run, exactly as without the cache.

An entry holds its whole key (the text included) and is used only when the key is equal, so a
checksum collision is a miss. The key also holds a stamp of the code that builds the results
(paiban's version and the size and time of the modules whose classes they hold), so a changed
parser never meets an old entry. Entries are written atomically (a temporary file, renamed); a
missing, unreadable, damaged or read-only cache only costs speed (`paiban.fonts.disk_cache`
explains the cache folder, ``$PAIBAN_CACHE_DIR``).
"""

from __future__ import annotations

import os
import pickle
import zlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FORMAT = 1
#: entries kept: storing one more removes the oldest half (test runs parse thousands of texts)
MAX_ENTRIES = 512
#: modules whose classes a cached result holds (yaml_source.Node, errors.Where) and whose code makes it
_CODE = ("input/yaml_source.py", "errors.py", "fonts/registry.py", "input/article_reader.py", "input/parse_cache.py")
_stamp: tuple | None = None


def _code_stamp() -> tuple:
    global _stamp
    if _stamp is None:
        from paiban import __version__

        root = Path(__file__).resolve().parent.parent
        parts: list[object] = [FORMAT, __version__]
        for name in _CODE:
            try:
                st = os.stat(root / name)
                parts += [name, st.st_size, st.st_mtime_ns]
            except OSError:
                parts += [name, None]
        _stamp = tuple(parts)
    return _stamp


def _folder() -> Path:
    from paiban.fonts.disk_cache import default_cache_dir

    return default_cache_dir() / "parsed"


def cached(kind: str, text: str, where: Hashable, parse: Callable[[], T]) -> T:
    """`parse()` for `text`, from the cache when this `kind`, `where` and text were parsed before."""
    key = (kind, _code_stamp(), where, text)
    data = text.encode("utf-8", "surrogatepass")
    path = _folder() / f"{kind}-{zlib.crc32(data):08x}-{len(data)}.pickle"
    try:
        stored_key, value = pickle.loads(path.read_bytes())
        if stored_key == key:
            return value
    except Exception:  # noqa: BLE001 - missing, unreadable, damaged or from other code: a miss
        pass
    value = parse()
    _store(path, key, value)
    return value


def _store(path: Path, key: tuple, value: object) -> None:
    from paiban.atomic_files import write_atomically

    try:
        data = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        path.parent.mkdir(parents=True, exist_ok=True)
        _make_room(path.parent)
        write_atomically(path, data)
    except Exception:  # noqa: BLE001 - an unwritable cache, a value that does not pickle: only speed
        pass


def _make_room(folder: Path) -> None:
    """At `MAX_ENTRIES` entries, remove the older half (by time written)."""
    with os.scandir(folder) as found:
        entries = [e for e in found if e.name.endswith(".pickle")]
    if len(entries) < MAX_ENTRIES:
        return
    aged = []
    for entry in entries:
        try:
            aged.append((entry.stat().st_mtime_ns, entry.path))
        except OSError:  # removed meanwhile by another build
            pass
    for _, old in sorted(aged)[: len(aged) - MAX_ENTRIES // 2]:
        try:
            os.unlink(old)
        except OSError:
            pass
