"""Input files a nightly job can trust: regular files only, read within limits, inside the project.

Every file paiban reads from the user (layout, edition, article, picture, font roles file, font
files) goes through here:

* only a **regular file** is read: a FIFO, a device, a socket or a directory is refused at once,
  by `os.stat` before anything opens it, and again by `os.fstat` on the opened descriptor (opened
  with `O_NONBLOCK`, so a FIFO swapped in between the two cannot block the open);
* at most **the limit + 1 bytes** are read, so a file that grows, lies about its size or is
  `/proc`-like (size 0, endless content) is cut off and refused, never read into memory whole;
* a **picture** is opened, its format and size checked against the limits before a pixel is
  decoded, then verified and decoded in full once, with Pillow's `LOAD_TRUNCATED_IMAGES` off: a
  truncated JPEG is an input error, not half a grey picture;
* paths are **confined** to a root folder (`inside`): the caller resolves the path (symlinks
  followed) and checks the result.

Functions raise `FileProblem` (a message without a place) or, for the text readers, `InputError`
naming the file; the layout and edition loaders turn a `FileProblem` into an error at the YAML
key that named the file.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from paiban.errors import InputError, Where
from paiban.i18n import N_, _

__all__ = ["FileProblem", "MAX_YAML_BYTES", "check_picture", "file_kind", "format_bytes", "format_pixels",
           "inside", "read_input_bytes", "read_input_text", "regular_file_size"]

#: The largest layout, edition or font roles file (YAML): a layout of a hundred pages is ~100 KB,
#: and the YAML reader stops at 100,000 values anyway. Fixed: it is needed before any limit is read.
MAX_YAML_BYTES = 4 * 1024 * 1024

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)


class FileProblem(Exception):
    """A file that cannot be used as input: the message says why (without the file's place)."""


_FILE_KINDS = ((stat.S_ISREG, N_("a regular file")), (stat.S_ISDIR, N_("a directory")),
               (stat.S_ISFIFO, N_("a FIFO (named pipe)")), (stat.S_ISCHR, N_("a character device")),
               (stat.S_ISBLK, N_("a block device")), (stat.S_ISSOCK, N_("a socket")))


def file_kind(mode: int) -> str:
    """What a file of this `st_mode` is, for messages: ``a directory``, ``a FIFO (named pipe)``…"""
    kind = next((kind for test, kind in _FILE_KINDS if test(mode)), N_("not a regular file"))
    return _(kind)


def _short(value: float, unit: str) -> str:
    return f"{value:.0f} {unit}" if value >= 10 or value == int(value) else f"{value:.1f} {unit}"


def format_bytes(size: int) -> str:
    """``1 MB``, ``256 MB``, ``874 KB``, ``12 bytes`` (1 KB = 1024 bytes)."""
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            return _short(size / factor, unit)
    return _("{size} bytes").format(size=size)


def format_pixels(pixels: int) -> str:
    """``64 MP``, ``900 MP``, ``0.3 MP`` (1 MP = 1,000,000 pixels), ``1,000 pixels``."""
    if pixels < 100_000:
        return f"{pixels:,} pixel{'s' if pixels != 1 else ''}"
    return _short(pixels / 1_000_000, "MP")


def _too_large(what: str, size: int | None, limit: int, limit_name: str | None) -> FileProblem:
    shown = f" ({format_bytes(size)})" if size is not None else ""
    name = f"{limit_name} = " if limit_name else ""
    return FileProblem(_("{what} is larger{shown} than the limit ({name}{limit})").format(
        what=what, shown=shown, name=name, limit=format_bytes(limit)))


def _check_stat(st: os.stat_result, what: str, limit: int | None, limit_name: str | None) -> int:
    """`st.st_size`; `FileProblem` unless `st` is of a regular file of at most `limit` bytes."""
    if not stat.S_ISREG(st.st_mode):
        raise FileProblem(_("{what} is {kind}, not a regular file").format(what=what, kind=file_kind(st.st_mode)))
    if limit is not None and st.st_size > limit:
        raise _too_large(what, st.st_size, limit, limit_name)
    return st.st_size


def regular_file_size(path: Path, what: str, limit: int | None = None, limit_name: str | None = None) -> int:
    """The size of `path`, which must be an existing regular file of at most `limit` bytes
    (`os.stat`, following symlinks; nothing is opened). Raises `FileNotFoundError` when it does
    not exist, `FileProblem` when it is something else or too large."""
    return _check_stat(os.stat(path), what, limit, limit_name)


def _open_regular(path: Path, what: str, limit: int | None, limit_name: str | None) -> int:
    """A read-only descriptor of the regular file `path` (checked before and after opening)."""
    regular_file_size(path, what, limit, limit_name)  # a FIFO or device is never opened
    fd = os.open(path, _OPEN_FLAGS)
    try:
        _check_stat(os.fstat(fd), what, limit, limit_name)  # swapped or grown since the stat
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_input_bytes(path: Path, limit: int, what: str, limit_name: str | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them: at most limit + 1 bytes are
    read, and a file with more is refused. Raises `FileNotFoundError`, `FileProblem`, `OSError`."""
    fd = _open_regular(path, what, limit, limit_name)
    with os.fdopen(fd, "rb", buffering=0) as file:
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = file.read(min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise _too_large(what, None, limit, limit_name)
    return data


def read_input_text(path: Path, limit: int, what: str, *, shown: Path | str | None = None,
                    limit_name: str | None = None) -> str:
    """The UTF-8 text (a BOM is allowed) of the regular file `path` of at most `limit` bytes.
    Every problem is an `InputError` naming the file (`shown`, default `path`): not found, not a
    regular file, too large, unreadable, not UTF-8 (with the line and column of the bad byte)."""
    shown = shown if shown is not None else path
    try:
        data = read_input_bytes(Path(path), limit, what, limit_name)
    except FileNotFoundError:
        raise InputError(_("{what} not found: {path}").format(what=what, path=path), Where(shown)) from None
    except FileProblem as exc:
        raise InputError(str(exc), Where(shown)) from None
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise InputError(_("cannot read {what} {path}: {reason}").format(
            what=what, path=path, reason=' '.join(reason.split())), Where(shown)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            _("the file is not UTF-8 text (byte 0x{value:02X} cannot be decoded); save it as UTF-8").format(
                value=data[exc.start]),
            Where(shown, line, column),
        ) from None


def inside(path: Path, root: Path) -> bool:
    """Whether the resolved `path` is `root` or lies under it (both resolved by the caller)."""
    return path == root or root in path.parents


# ---- pictures ----------------------------------------------------------------------------------

#: Bytes a pixel takes in Pillow's memory, by mode (everything else: 4, as RGB, RGBA, CMYK, I, F)
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
#: Pillow's decompression-bomb check is process-global; it is lifted around our own header read
_PILLOW_LOCK = threading.Lock()
#: (path, size, mtime, limits) → (format, pixel size): a picture shared by the layouts of an
#: edition is decoded once
_CHECKED: dict[tuple, tuple[str, tuple[int, int]]] = {}
#: formats recognised only to say "use a JPEG or PNG file"
_OTHER_FORMATS = ("GIF", "TIFF", "BMP", "WEBP")


def check_picture(path: Path, max_pixels: int, max_bytes: int, *, what: str | None = None,
                  pixels_name: str = "limits.picture_pixels", memory_name: str = "limits.picture_memory",
                  formats: tuple[str, ...] = ("JPEG", "PNG")) -> tuple[str, tuple[int, int]]:
    """(format, (width, height)) of the picture at `path`: a regular file of at most `max_bytes`
    bytes in one of `formats`, of at most `max_pixels` pixels taking at most `max_bytes` bytes
    decoded, read in full without an error. `what` names it in messages (``image x.png``).
    Raises `FileNotFoundError` or `FileProblem`."""
    from PIL import Image, ImageFile, UnidentifiedImageError

    what = what if what is not None else f"image {path.name}"
    ImageFile.LOAD_TRUNCATED_IMAGES = False  # a truncated picture is an error, never half grey
    fd = _open_regular(path, what, max_bytes, memory_name)
    with os.fdopen(fd, "rb") as file:
        st = os.fstat(file.fileno())
        key = (str(path), st.st_size, st.st_mtime_ns, st.st_ino, max_pixels, max_bytes, formats)
        if (hit := _CHECKED.get(key)) is not None:
            return hit
        try:
            with _PILLOW_LOCK:  # the header only: our limits decide, before anything is decoded
                saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
                try:
                    im = Image.open(file, formats=list(formats) + [f for f in _OTHER_FORMATS if f not in formats])
                finally:
                    Image.MAX_IMAGE_PIXELS = saved
            with im:
                kind, (width, height), mode = im.format, im.size, im.mode
                if kind not in formats:
                    raise FileProblem(_("{what} is {kind}; use a {formats} file").format(
                        what=what, kind=kind, formats=' or '.join(formats)))
                pixels = width * height
                if pixels > max_pixels:
                    raise FileProblem(_("{what} is {width} × {height} pixels ({pixels}), more than the limit "
                                        "({pixels_name} = {limit})").format(
                                            what=what, width=width, height=height, pixels=format_pixels(pixels),
                                            pixels_name=pixels_name, limit=format_pixels(max_pixels)))
                memory = pixels * _PIXEL_BYTES.get(mode, 4)
                if memory > max_bytes:
                    raise FileProblem(_("{what} ({width} × {height} pixels, {mode}) takes {size} decoded, more than the "
                                        "limit ({memory_name} = {limit})").format(
                                            what=what, width=width, height=height, mode=mode, size=format_bytes(memory),
                                            memory_name=memory_name, limit=format_bytes(max_bytes)))
                im.verify()  # checksums and structure
            file.seek(0)
            with Image.open(file, formats=[kind]) as im:
                im.load()  # every pixel decoded once: truncated or corrupt data fails here
        except FileProblem:
            raise
        except UnidentifiedImageError:
            raise FileProblem(_("cannot read {what}: not a {formats} file").format(
                what=what, formats=' or '.join(formats))) from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError, Image.DecompressionBombError) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise FileProblem(_("cannot read {what}: {reason}").format(what=what, reason=reason)) from None
    _CHECKED[key] = (kind, (width, height))
    return kind, (width, height)
