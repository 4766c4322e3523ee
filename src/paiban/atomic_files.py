"""Write files so that a reader never sees half of one: a temporary file in the same folder
(named `TEMP_PREFIX`… ``.part``, so a clean-up can find it), flushed to the disk (``fsync``) if
it is an output, then a rename (atomic on POSIX). A failed write leaves no partial file, and a
crash right after an output's rename no empty file under the new name.

* **Regular files only.** A target that exists and is not a regular file (a symbolic link, even
  to a regular file, a device, a FIFO, a socket, a folder) is refused with `NotARegularFile` (an
  `OSError`) before anything is written, and left as it is.
* **Durability.** With ``durable`` (the default: outputs) the file is fsync'd before its rename
  and the folder after it, so the new name survives a crash with its content. The caches pass
  ``durable=False`` and wait for no disk: each of their entries is checked when it is read
  (sealed with its digest, `paiban.cache_health`, or with a checksum sidecar), so one cut short
  or lost in a crash is a miss, made again.
* **Checksummed folders are flushed by their publisher.** A file in a checksummed folder (below:
  the edition build's rendered pages, published as hard links) is not fsync'd either, durable or
  not: whoever publishes one flushes it first (`paiban.edition.publish` flushes an edition's new
  files, several at a time, before the edition is published). A page PDF costs its writer no
  wait for the disk.
* **Checksum sidecars.** In a folder that holds the file `CHECKSUM_MARKER` (the edition build's
  cache of rendered pages: its writers, the PDF writer among them, only know the path), every
  file written gets a sidecar ``<name>`` + `SIDECAR_SUFFIX` after its rename:
  ``{"sha256": "<hex>", "size": n}``. `intact` checks a file against it (or against one kept
  elsewhere: `write_sidecar`).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import stat
from contextlib import suppress
from pathlib import Path

__all__ = ["CHECKSUM_MARKER", "NotARegularFile", "SIDECAR_SUFFIX", "TEMP_PREFIX", "check_target", "intact",
           "sidecar_of", "sync_path", "umask", "write_atomically", "write_sidecar"]

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


_KINDS = ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))


def check_target(target: Path) -> None:
    """`NotARegularFile` if ``target`` exists and is anything but a regular file (a symbolic link
    is refused whatever it points to)."""
    try:
        st = os.lstat(target)
    except (FileNotFoundError, NotADirectoryError):  # NotADirectoryError: creating the folder says so
        return
    mode = st.st_mode
    if stat.S_ISREG(mode):
        return
    kind = next((k for test, k in _KINDS if test(mode)), "not a regular file")
    raise NotARegularFile(errno.EISDIR if stat.S_ISDIR(mode) else errno.EEXIST,
                          f"it is {kind}; paiban writes only regular files and leaves it as it is", str(target))


def write_atomically(target: Path, data: bytes, mode: int = 0o666, durable: bool = True) -> None:
    """Write `data` to `target` atomically: into a temporary file beside it, renamed onto `target`
    (see the module's docstring for when the file and its folder are flushed); removed if anything
    fails. The file gets `mode` less the umask. `NotARegularFile` before anything is written if
    `target` is there and is not a regular file."""
    target = Path(target)
    check_target(target)
    fd, tmp = _create_temporary(target, mode)
    try:
        checksummed = _takes_sidecar(target) and _in_checksummed_folder(target)
        flush = durable and not checksummed
        with open(fd, "wb") as fh:
            fh.write(data)
            if flush:
                fh.flush()
                os.fsync(fh.fileno())
        check_target(target)  # again: it may have appeared while the file was written
        os.replace(tmp, target)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    if flush:
        sync_path(target.parent)
    if checksummed:
        write_sidecar(target, hashlib.sha256(data).hexdigest(), len(data))


def _create_temporary(target: Path, mode: int) -> tuple[int, Path]:
    """A new file beside `target`, open for writing, with `mode` less the umask; and its path.
    The folder is made (with its parents) when the file cannot be made without it."""
    made = False
    while True:
        tmp = target.parent / f"{TEMP_PREFIX}{target.name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode), tmp
        except FileExistsError:
            continue
        except (FileNotFoundError, NotADirectoryError):
            if made:
                raise
            target.parent.mkdir(parents=True, exist_ok=True)  # says why where the folder cannot be made
            made = True


def _in_checksummed_folder(target: Path) -> bool:
    return os.path.isfile(target.parent / CHECKSUM_MARKER)


def _takes_sidecar(target: Path) -> bool:
    """Every file of a checksummed folder gets a sidecar but the marker and the sidecars."""
    return target.name != CHECKSUM_MARKER and not target.name.endswith(SIDECAR_SUFFIX)


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
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest() == want
    except (OSError, ValueError, KeyError, TypeError):
        return False
