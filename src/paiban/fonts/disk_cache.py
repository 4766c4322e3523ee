"""Small on-disk caches: facts read from font files (face names, metrics), font programs, pictures.

A build reads the same facts from the same font files every time; reading them again costs tens
of milliseconds a file and the import of fontTools. So each is kept in the cache folder
(`default_cache_dir`), one file per entry, data only (never code), sealed with the SHA-256 of
its bytes (`paiban.cache_health.seal`) and checked on every read:

* ``<cache>/<kind>/<sha256 of key>.json``: ``{"sha256":"<hex>","key":key,"data":data}``
  (`read_entry`, `write_entry`);
* ``<cache>/<kind>/<sha256 of key>.bin``: the header ``{"sha256":"<hex>","key":key,"data":data,
  "size":n}``, a newline, then ``n`` raw bytes, for facts that are mostly bytes (packed arrays,
  compressed font programs: `read_binary_entry`, `write_binary_entry`).

JSON has no tuples and only text keys, so the data stored must be plain JSON already (anything
else is not stored): a user converts its facts to these shapes and back, and checks what it
reads (an entry of the wrong shape is a miss).

* **Keys.** The stored key is the caller's key behind `paiban.code_identity.code_identity`, so
  other code never meets an old entry. A caller's key names the font file's version
  (`file_stamp`) and what was read: a changed, replaced, added or removed font file is a miss.
* **Safety.** Entries are written atomically (`paiban.atomic_files`), so a concurrent build
  never sees half an entry; two builds filling the same entry write the same facts. An entry
  that is missing, unreadable, damaged, of an older format or holds another key is a miss
  (None), never an error. A cache folder that cannot be written only costs speed: the first
  failure is recorded once for the folder (`paiban.cache_health.cache_warnings`).
* **Size.** After a font program is stored, the binary entries (``programs/``, ``pictures/``,
  ``metrics/``) are trimmed to ``$PAIBAN_CACHE_MAX_MB`` (default 1024 MB), oldest first, sparing
  entries written in the last 10 minutes (`auto_prune`); ``paiban fonts cache --prune MB`` trims
  them by hand (`prune`).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically
from paiban.cache_health import note_unusable, seal, unseal
from paiban.code_identity import code_identity
from paiban.i18n import N_

__all__ = ["auto_prune", "cache_entries", "cache_max_bytes", "default_cache_dir", "entry_path", "file_stamp",
           "prune", "read_binary_entry", "read_entry", "write_binary_entry", "write_entry"]

#: one stat result, as a key part: (absolute path, size, mtime_ns, inode)
FileStamp = tuple[str, int, int, int]


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


def _stored_key(key: str) -> str:
    return f"{code_identity()}|{key}"


def entry_path(kind: str, key: str, binary: bool = False) -> Path:
    """Where the entry ``key`` of ``kind`` (a sub-folder name: ``faces``, ``metrics``…) is kept:
    the ``.json`` file, or with ``binary`` the ``.bin`` file."""
    digest = hashlib.sha256(_stored_key(key).encode("utf-8", "surrogateescape")).hexdigest()
    return default_cache_dir() / kind / f"{digest}{'.bin' if binary else '.json'}"


def _check_plain(data: Any) -> None:
    """TypeError unless ``data`` reads back from JSON as it is (no tuples, no keys but text)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str):
                raise TypeError(f"not a text key: {key!r}")
            _check_plain(value)
    elif isinstance(data, list):
        for value in data:
            _check_plain(value)
    elif not (data is None or isinstance(data, (str, int, float))):  # bool is an int
        raise TypeError(f"not plain JSON data: {type(data).__name__}")


def _dumps(entry: dict[str, Any]) -> bytes:
    """One line of ASCII JSON (no raw newline: text is escaped); ValueError for NaN or infinity,
    TypeError for what does not read back the same."""
    _check_plain(entry)
    return json.dumps(entry, ensure_ascii=True, allow_nan=False, separators=(",", ":")).encode("ascii")


def _read(kind: str, key: str, binary: bool) -> tuple[Any, bytes] | None:
    """``(data, payload)`` of the entry, or None when there is none or it cannot be used (another
    key, a digest or a size that does not match)."""
    try:
        sealed = unseal(entry_path(kind, key, binary).read_bytes(), binary)
        header = json.loads(sealed[0]) if sealed is not None else None
    except Exception:  # missing, unreadable, not UTF-8, nested too deeply: a miss
        return None
    if not (isinstance(header, dict) and header.get("key") == _stored_key(key) and "data" in header):
        return None
    if binary and header.get("size") != len(sealed[1]):
        return None
    return header["data"], sealed[1]


def read_entry(kind: str, key: str) -> Any | None:
    """The data stored under ``key``, or None when there is none or it cannot be used."""
    entry = _read(kind, key, binary=False)
    return entry[0] if entry is not None else None


def write_entry(kind: str, key: str, data: Any) -> None:
    """Store ``data`` (plain JSON data: dicts with text keys, lists, text, numbers, booleans,
    None) under ``key`` atomically; failures only cost speed."""
    _write(kind, key, {"key": _stored_key(key), "data": data}, None)


def read_binary_entry(kind: str, key: str) -> tuple[Any, bytes] | None:
    """``(data, payload)`` stored under ``key`` by `write_binary_entry`, or None."""
    return _read(kind, key, binary=True)


def write_binary_entry(kind: str, key: str, data: Any, payload: bytes) -> None:
    """Store ``data`` (as for `write_entry`) and the raw bytes ``payload`` under ``key``
    atomically, in one file; failures only cost speed."""
    payload = bytes(payload)
    _write(kind, key, {"key": _stored_key(key), "data": data, "size": len(payload)}, payload)


def _write(kind: str, key: str, entry: dict[str, Any], payload: bytes | None) -> None:
    """Write an entry; data that is not plain JSON is not stored, and a folder that cannot take
    it is noted (`paiban.cache_health`), not raised."""
    try:
        sealed = seal(_dumps(entry), payload)
    except (ValueError, TypeError):
        return
    path = entry_path(kind, key, binary=payload is not None)
    try:
        write_atomically(path, sealed, mode=0o644, durable=False)
    except OSError as exc:
        note_unusable(path.parent.parent, exc, N_("font cache folder"))


# ---- size --------------------------------------------------------------------------------------

#: default size limit of the cache (``$PAIBAN_CACHE_MAX_MB`` overrides it)
DEFAULT_CACHE_MAX_MB = 1024
#: automatic pruning never removes entries used this recently (a running build may need them)
RECENT_SECONDS = 600.0
#: (folder, file suffix) of the entries the size limit applies to: the compressed font programs
#: and CMYK pictures the PDF writer keeps (`paiban.render.cid_fonts`, `paiban.render.pictures`)
#: and the fonts' metrics
PRUNED = (("programs", ".bin"), ("metrics", ".bin"), ("pictures", ".bin"))
#: temporary files of a killed writer are removed after this long
STALE_TEMPORARY_SECONDS = 3600.0


def cache_max_bytes() -> int:
    """The cache size limit: ``$PAIBAN_CACHE_MAX_MB`` megabytes, default `DEFAULT_CACHE_MAX_MB`."""
    raw = os.environ.get("PAIBAN_CACHE_MAX_MB", "").strip()
    try:
        mb = float(raw) if raw else DEFAULT_CACHE_MAX_MB
    except ValueError:
        mb = DEFAULT_CACHE_MAX_MB
    return max(0, int(mb * 1024 * 1024))


def _listing(directory: Path) -> list[Path]:
    """The files of a cache folder; none if it is missing or cannot be read."""
    try:
        return list(directory.iterdir())
    except OSError:
        return []


def cache_entries(cache_dir: Path) -> list[tuple[Path, int, float]]:
    """Every entry the size limit applies to: ``(file, size, mtime)``, oldest first."""
    entries: list[tuple[Path, int, float]] = []
    for sub, suffix in PRUNED:
        for p in _listing(Path(cache_dir) / sub):
            if p.name.startswith(".tmp-") or p.suffix != suffix:
                continue
            try:
                st = p.stat()
            except OSError:
                continue
            entries.append((p, st.st_size, st.st_mtime))
    entries.sort(key=lambda e: (e[2], e[0].name))
    return entries


def auto_prune(cache_dir: Path) -> list[Path]:
    """`prune` to `cache_max_bytes`, sparing entries used in the last `RECENT_SECONDS`."""
    limit = cache_max_bytes()
    if sum(size for _, size, _ in cache_entries(cache_dir)) <= limit:
        return []
    return prune(cache_dir, limit, keep_newer_than=RECENT_SECONDS)


def prune(cache_dir: Path, max_bytes: int, keep_newer_than: float = 0.0) -> list[Path]:
    """Delete the least recently written entries (oldest mtime first) until the rest total at
    most ``max_bytes``, keeping those written less than ``keep_newer_than`` seconds ago; also
    temporary files of a killed writer older than an hour. The deleted paths."""
    removed: list[Path] = []
    now = time.time()
    for sub, _ in PRUNED:
        for p in _listing(Path(cache_dir) / sub):
            try:
                if p.name.startswith(".tmp-") and now - p.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                    p.unlink()
                    removed.append(p)
            except OSError:
                pass
    entries = cache_entries(cache_dir)
    total = sum(size for _, size, _ in entries)
    for p, size, mtime in entries:
        if total <= max_bytes:
            break
        if keep_newer_than and now - mtime < keep_newer_than:
            continue
        try:
            p.unlink()
            removed.append(p)
        except FileNotFoundError:
            pass
        except OSError:
            continue  # a read-only cache: nothing can go
        total -= size
    return removed
