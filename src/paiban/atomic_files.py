"""Write files so that a reader never sees half of one: a temporary file in the same folder, then
a rename (atomic on POSIX). An interrupted or failed write leaves no partial file behind.

Temporary names start with `TEMP_PREFIX` and end with `.part`, so a clean-up can find them.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

TEMP_PREFIX = ".tmp-"


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def temporary_path(target: Path, mode: int = 0o666) -> Iterator[Path]:
    """A temporary path beside `target` to write to; renamed onto `target` when the block ends
    without an error, removed when it raises. The file gets `mode` less the umask (mkstemp
    would leave it readable by its owner only)."""
    import tempfile  # here: every build imports this module (font caches) long before it writes a file

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + target.name + ".", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode & ~umask())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomically(target: Path, data: bytes, mode: int = 0o666, fsync: bool = False) -> None:
    """Write `data` to `target` atomically; `fsync` first for caches that other processes share."""
    with temporary_path(target, mode) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
