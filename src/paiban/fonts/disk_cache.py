"""Small on-disk caches of facts read from font files: face names, metrics, file digests.

A build reads the same facts from the same font files every time (family names of every face of
a collection, a face's cmap and advances, the sha256 of a file); reading them again costs tens
of milliseconds a file and the import of fontTools. So each is kept in the cache folder
(`default_cache_dir`), one file per entry, in formats that hold data only (never code):

* ``<cache>/<kind>/<sha256 of key>.json``: a JSON document ``{"key": key, "data": data}``
  (`read_entry`, `write_entry`);
* ``<cache>/<kind>/<sha256 of key>.bin``: raw bytes after a one-line JSON header
  ``{"key": key, "data": data, "size": n, "crc32": c}``, for facts that are mostly bytes
  (packed arrays, compressed font programs: `read_binary_entry`, `write_binary_entry`).

JSON has no tuples and only text keys, so the data stored must be plain JSON already (dicts
with text keys, lists, text, int, float, bool, None; anything else is not stored): a user
converts its facts to these shapes and back, and checks what it reads (an entry of the wrong
shape is a miss).

* **Keys.** The stored key is the caller's key behind `paiban.code_identity.code_identity`
  (paiban's source, the Python and the versions of fontTools, reportlab… that shape the
  facts), so other code never meets an old entry. A caller's key names the font file's version
  (`file_stamp`: absolute path, size, mtime in nanoseconds and inode) and what was read: a
  changed, replaced, added or removed font file is a miss.
* **Safety.** Entries are written atomically (a temporary file, then a rename: see
  `paiban.atomic_files`), so a concurrent build never sees half an entry; two builds filling the
  same entry write the same facts and the last rename wins. An entry that is missing,
  unreadable, cut short, corrupted (a binary entry's size and CRC-32 are checked) or holds
  another key is a miss (None), never an error, and a read-only or missing cache folder only
  costs speed.
"""

from __future__ import annotations

import hashlib
import json
import os
import zlib
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically
from paiban.code_identity import code_identity

__all__ = ["default_cache_dir", "entry_path", "file_stamp", "read_binary_entry", "read_entry",
           "write_binary_entry", "write_entry"]

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


def read_entry(kind: str, key: str) -> Any | None:
    """The data stored under ``key``, or None when there is none or it cannot be used."""
    try:
        entry = json.loads(entry_path(kind, key).read_bytes())
    except Exception:  # missing, unreadable, truncated, corrupted, nested too deeply: a miss
        return None
    if isinstance(entry, dict) and entry.get("key") == _stored_key(key) and "data" in entry:
        return entry["data"]
    return None


def write_entry(kind: str, key: str, data: Any) -> None:
    """Store ``data`` (plain JSON data: dicts with text keys, lists, text, numbers, booleans,
    None) under ``key`` atomically; failures only cost speed."""
    try:
        payload = _dumps({"key": _stored_key(key), "data": data})
        write_atomically(entry_path(kind, key), payload, mode=0o644)
    except (OSError, ValueError, TypeError):
        pass


def read_binary_entry(kind: str, key: str) -> tuple[Any, bytes] | None:
    """``(data, payload)`` stored under ``key`` by `write_binary_entry`, or None when there is
    none or it cannot be used (another key, a payload of another size or CRC-32)."""
    try:
        raw = entry_path(kind, key, binary=True).read_bytes()
        end = raw.index(b"\n")
        header = json.loads(raw[:end])
    except Exception:  # missing, unreadable, no header line, corrupted header: a miss
        return None
    if not (isinstance(header, dict) and header.get("key") == _stored_key(key) and "data" in header):
        return None
    payload = raw[end + 1:]
    if header.get("size") != len(payload) or header.get("crc32") != zlib.crc32(payload):
        return None
    return header["data"], payload


def write_binary_entry(kind: str, key: str, data: Any, payload: bytes) -> None:
    """Store ``data`` (as for `write_entry`) and the raw bytes ``payload`` under ``key``
    atomically, in one file; failures only cost speed."""
    try:
        header = _dumps({"key": _stored_key(key), "data": data, "size": len(payload),
                         "crc32": zlib.crc32(payload)})
        write_atomically(entry_path(kind, key, binary=True), header + b"\n" + bytes(payload), mode=0o644)
    except (OSError, ValueError, TypeError):
        pass
