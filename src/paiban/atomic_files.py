"""Write files so that a reader never sees half of one: a temporary file in the same folder,
flushed to the disk (``fsync``), then a rename (atomic on POSIX). An interrupted or failed write
leaves no partial file behind, and a crash right after the rename does not leave an empty file
under the new name.

Temporary names start with `TEMP_PREFIX` and end with `.part`, so a clean-up can find them.

* **Regular files only.** A target that exists must be a regular file: a symbolic link (even one
  to a regular file), a device (``/dev/full``), a FIFO, a socket or a folder is refused with
  `NotARegularFile` (an `OSError`) before anything is written, and left as it is.
* **Durability.** The temporary file is always fsync'd before the rename, so a crash never
  leaves a renamed but empty or partial file. With ``durable`` (the default: outputs) the folder
  is fsync'd after the rename too, so the new name survives a crash; the caches pass
  ``durable=False``, and files in a checksummed folder (below) skip it as well: a cache entry
  lost in a crash is only a miss.
* **Checksum sidecars.** In a folder that holds the file `CHECKSUM_MARKER` (the edition build's
  cache of rendered pages: its writers, the PDF writer among them, only know the path), every file
  written here gets a sidecar ``<name>`` + `SIDECAR_SUFFIX` after it is renamed into place:
  ``{"sha256": "<hex>", "size": n}``. `intact` checks a file against its sidecar (or against
  one kept elsewhere: `write_sidecar`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

__all__ = ["CHECKSUM_MARKER", "NotARegularFile", "SIDECAR_SUFFIX", "TEMP_PREFIX", "check_target", "intact",
           "sidecar_of", "temporary_path", "umask", "write_atomically", "write_sidecar"]

TEMP_PREFIX = ".tmp-"
#: a folder holding a file of this name gets a checksum sidecar for every file written into it
CHECKSUM_MARKER = ".checksummed.json"
#: the name of a file's sidecar is the file's name and this
SIDECAR_SUFFIX = ".sha256.json"


class NotARegularFile(OSError):
    """The target of a write exists and is not a regular file (a symbolic link, a device, a FIFO,
    a socket, a folder): paiban writes only regular files and leaves such a target alone."""


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_target(target: Path) -> None:
    """`NotARegularFile` if ``target`` exists and is anything but a regular file (a symbolic link
    is refused whatever it points to)."""
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return
    except NotADirectoryError:
        return  # a file where a folder of the path should be: creating the folder says so
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return
    if stat.S_ISLNK(mode):
        kind = "a symbolic link"
    elif stat.S_ISDIR(mode):
        kind = "a folder"
    elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        kind = "a device"
    elif stat.S_ISFIFO(mode):
        kind = "a FIFO"
    elif stat.S_ISSOCK(mode):
        kind = "a socket"
    else:
        kind = "not a regular file"
    raise NotARegularFile(errno.EISDIR if stat.S_ISDIR(mode) else errno.EEXIST,
                          f"it is {kind}; paiban writes only regular files and leaves it as it is", str(target))


@contextmanager
def temporary_path(target: Path, mode: int = 0o666, durable: bool = True) -> Iterator[Path]:
    """A temporary path beside `target` to write to; flushed and renamed onto `target` when the
    block ends without an error, removed when it raises. The file gets `mode` less the umask
    (mkstemp would leave it readable by its owner only). `NotARegularFile` before anything is
    written if `target` is there and is not a regular file. ``durable``: also fsync the folder
    after the rename."""
    import tempfile  # here: every build imports this module (font caches) long before it writes a file

    target = Path(target)
    check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX + target.name + ".", suffix=".part", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _commit(Path(tmp), target, mode, durable)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_atomically(target: Path, data: bytes, mode: int = 0o666, durable: bool = True) -> None:
    """Write `data` to `target` atomically (see `temporary_path`)."""
    with temporary_path(target, mode, durable) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)


def _commit(tmp: Path, target: Path, mode: int, durable: bool) -> None:
    """Flush `tmp` to the disk, rename it onto `target`; the sidecar where the folder asks for one."""
    sealed = target.name != CHECKSUM_MARKER and not target.name.endswith(SIDECAR_SUFFIX) \
        and os.path.isfile(target.parent / CHECKSUM_MARKER)
    h = hashlib.sha256() if sealed else None
    size = 0
    with open(tmp, "rb") as fh:
        if h is not None:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
                size += len(block)
        os.fsync(fh.fileno())
    os.chmod(tmp, mode & ~umask())
    check_target(target)  # again: it may have appeared while the file was written
    os.replace(tmp, target)
    if durable and not sealed:  # a checksummed entry lost in a crash is only a miss
        sync_path(target.parent)
    if h is not None:
        write_sidecar(target, h.hexdigest(), size)


def sync_path(path: Path, folder: bool = True) -> None:
    """fsync a folder (its entries: a rename into it) or a file; quietly nothing where the file
    system cannot."""
    try:
        fd = os.open(path, os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if folder else 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a folder
    finally:
        os.close(fd)


# ---- checksum sidecars --------------------------------------------------------------------------

def sidecar_of(path: Path) -> Path:
    """The default sidecar of ``path``: beside it, its name and `SIDECAR_SUFFIX`."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def write_sidecar(path: Path, digest: str, size: int, sidecar: Path | None = None) -> None:
    """Record that ``path`` holds ``size`` bytes whose SHA-256 is ``digest`` (in ``sidecar``,
    default `sidecar_of`), atomically; write the file itself first."""
    text = json.dumps({"sha256": digest, "size": size}, separators=(",", ":")).encode("ascii")
    write_atomically(sidecar if sidecar is not None else sidecar_of(path), text, 0o644, durable=False)


def intact(path: Path, sidecar: Path | None = None) -> bool:
    """True if ``path`` holds exactly the bytes its sidecar records (size and SHA-256); False if
    either is missing, unreadable, cut short or damaged."""
    try:
        facts = json.loads((sidecar if sidecar is not None else sidecar_of(path)).read_bytes())
        want, size = facts["sha256"], facts["size"]
        if not (isinstance(want, str) and isinstance(size, int)):
            return False
        if os.stat(path).st_size != size:
            return False
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except (OSError, ValueError, KeyError, TypeError):
        return False
    return h.hexdigest() == want
