"""A soft proof of the plates: one PNG per printing plate (C, M, Y, K) of each page of a PDF.

An editor sees what each plate carries: type and rules on K only, pictures on all four, a tint
where it was asked for. The plates are separated by Ghostscript's ``tiffsep`` device, which
simulates overprint as a press does, and each plate's TIFF becomes a greyscale PNG (dark = ink)
named ``<stem>-<page>-<plate>.png``.

Ghostscript runs inside this process through its C API (``libgs``, Debian's ``libgs10``, which
the ``ghostscript`` package installs), called with ctypes: paiban starts processes only in
`paiban.parallel`. Ghostscript allows one instance per process at a time, so the calls are
serialised. Its messages are collected and become the error's text when it fails.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import io
import tempfile
import threading
from pathlib import Path

from paiban.atomic_files import write_atomically
from paiban.errors import PaibanError
from paiban.i18n import _

__all__ = ["PLATES", "SeparationsUnavailable", "write_separations"]

#: tiffsep's file name for each process plate, and the short name in ours
PLATES = (("Cyan", "C"), ("Magenta", "M"), ("Yellow", "Y"), ("Black", "K"))
_lock = threading.Lock()
_OUTPUT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)
_INPUT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int)


class SeparationsUnavailable(PaibanError):
    """Ghostscript's library is not installed."""


def _library():
    name = ctypes.util.find_library("gs")
    if name is None:
        raise SeparationsUnavailable(_("separations need Ghostscript's library (libgs): apt-get install ghostscript"))
    return ctypes.CDLL(name)


def write_separations(pdf: Path, folder: Path, stem: str, dpi: int = 100) -> list[Path]:
    """Write a PNG of each plate of each page of ``pdf`` into ``folder``; the files written."""
    from PIL import Image

    with tempfile.TemporaryDirectory(prefix="paiban-plates-") as tmp:
        _ghostscript(["-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", f"-r{int(dpi)}",
                      f"-sOutputFile={tmp}/p%d.tif", str(pdf)])
        written = []
        page = 1
        while (Path(tmp) / f"p{page}.tif").exists():
            for plate, short in PLATES:
                source = Path(tmp) / f"p{page}({plate}).tif"
                if not source.exists():
                    raise PaibanError(f"Ghostscript made no {plate} plate for page {page}")
                with Image.open(source) as im:
                    target = folder / f"{stem}-{page}-{short}.png"
                    buf = io.BytesIO()
                    im.convert("L").save(buf, "PNG", optimize=False)
                write_atomically(target, buf.getvalue())
                written.append(target)
            page += 1
    return written


def _ghostscript(args: list[str]) -> None:
    gs = _library()
    messages: list[bytes] = []

    def keep(_handle, text, length):
        messages.append(ctypes.string_at(text, length))
        return length

    def no_input(_handle, _buffer, _length):
        return 0

    out, err, inp = _OUTPUT(keep), _OUTPUT(keep), _INPUT(no_input)
    argv = [b"gs"] + [a.encode("utf-8") for a in args]
    with _lock:
        instance = ctypes.c_void_p()
        if gs.gsapi_new_instance(ctypes.byref(instance), None) < 0:
            raise PaibanError("Ghostscript: cannot start an instance (another one is running in this process)")
        try:
            gs.gsapi_set_stdio(instance, inp, out, err)
            gs.gsapi_set_arg_encoding(instance, 1)  # UTF-8
            code = gs.gsapi_init_with_args(instance, len(argv), (ctypes.c_char_p * len(argv))(*argv))
            exit_code = gs.gsapi_exit(instance)
        finally:
            gs.gsapi_delete_instance(instance)
    if code < 0 and code != -101 or exit_code < 0:  # -101: gs_error_Quit, a normal end
        text = " ".join(b"".join(messages).decode("utf-8", "replace").split())
        raise PaibanError(f"Ghostscript could not separate the plates ({code}): {text[:300]}")
