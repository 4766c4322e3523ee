"""The identity of the code that shapes paiban's output: one key part for every cache.

A cached font fact, a cached page PDF and a recorded edition build are valid only for the code
that made them: paiban's own source and data files, the Python that ran them, and the libraries
that shape the output (reportlab writes the PDF, fontTools reads the fonts, PyYAML the input,
Pillow and pypdfium2 the pictures and previews, jieba finds where display type may break).
`code_identity()` is a digest of all of them; every cache puts it in its keys, so an upgrade of
any of them is a miss, never an old result.

Library versions are read from the installed distributions' ``NAME-VERSION.dist-info`` folder
names on ``sys.path`` (first one wins, as for an import): what ``importlib.metadata`` reports,
without its ~50 ms of imports on every start.
"""

from __future__ import annotations

import hashlib
import os
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["LIBRARIES", "code_identity", "library_versions"]

#: the distributions whose version changes what paiban writes (normalised names)
LIBRARIES = ("reportlab", "fonttools", "pyyaml", "pillow", "pypdfium2", "jieba")


def _normalised(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def library_versions() -> dict[str, str]:
    """Normalised distribution name → installed version ("none" when not installed)."""
    wanted = {_normalised(n): n for n in LIBRARIES}
    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            if not name.endswith(".dist-info"):
                continue
            dist, _, version = name[: -len(".dist-info")].partition("-")
            key = _normalised(dist)
            if key in wanted and key not in found:
                found[key] = version
    return {name: found.get(_normalised(name), "none") for name in LIBRARIES}


def _package_files() -> list[Path]:
    """paiban's source and data files, sorted (os.walk, not entering __pycache__ folders: a
    third of the time of Path.rglob, which lists every .pyc too)."""
    found: list[Path] = []
    for folder, folders, files in os.walk(Path(__file__).parent):
        folders[:] = [name for name in folders if name != "__pycache__"]
        found += [Path(folder, name) for name in files if name.endswith((".py", ".yaml"))]
    return sorted(found)


@lru_cache(maxsize=None)
def code_identity() -> str:
    """A digest of paiban's source and data files (their bytes), the Python version and the
    versions of `LIBRARIES`. Computed once per process."""
    h = hashlib.blake2b(digest_size=16)

    def feed(data: bytes) -> None:
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)

    feed(sys.version.encode())
    for name, version in library_versions().items():
        feed(f"{name}={version}".encode())
    root = Path(__file__).parent
    for path in _package_files():
        feed(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape"))
        feed(path.read_bytes())
    return h.hexdigest()
