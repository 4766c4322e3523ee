"""Handing fonts to reportlab: registration once per process, and a fix for its ToUnicode maps.

`register_font` registers one face of a TrueType file with reportlab under a name (once per
process) and gives it a PostScript name of its own: reportlab maps every font whose PostScript
name it has seen before onto the first such font, so two subsets of one face would share glyphs.

**ToUnicode, characters beyond U+FFFF.** reportlab (5.1) writes each code of a TrueType subset's
ToUnicode CMap as ``<%04X>`` of the code point, so CJK Extension B characters such as 𠠝
(U+2081D) come out as ``<2081D>``: five hex digits, which PDF readers take as U+2081 (₁) and a
stray nibble. The glyph is drawn correctly, but copying, searching and archiving the text get the
wrong character. PDF 1.7 §9.10.3 asks for UTF-16BE: ``<D842DC1D>``. `install_tounicode_fix`
replaces ``reportlab.pdfbase.ttfonts.makeToUnicodeCMap`` (looked up by name each time a subset
is written) with `make_tounicode_cmap`, which is byte-identical to reportlab's for every
character up to U+FFFF and writes surrogate pairs above; `register_font` installs it.

This module and `paiban.render` are the only ones that import reportlab, and only when called.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

__all__ = ["install_tounicode_fix", "make_tounicode_cmap", "register_font", "reportlab_original", "utf16_hex"]

_reg_lock = threading.Lock()
_registered: dict[str, tuple[str, int]] = {}


def register_font(name: str, path: Path, index: int) -> str:
    """Register ``path``/``index`` with reportlab under ``name`` (once per process); return the name.

    If ``name`` is already taken by another file (two fonts with the same file name in different
    directories), a short hash of the path is appended.
    """
    target = (str(path), int(index))
    with _reg_lock:
        have = _registered.get(name)
        if have == target:
            return name
        if have is not None:
            name = f"{name}-{hashlib.sha256(target[0].encode('utf-8', 'surrogateescape')).hexdigest()[:6]}"
            if _registered.get(name) == target:
                return name
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        install_tounicode_fix()  # characters beyond U+FFFF read back right
        font = TTFont(name, str(path), subfontIndex=int(index))
        # reportlab maps every font whose PostScript name it has seen before onto the first
        # such font (pdfmetrics._dynFaceNames): two subsets of one face would share glyphs.
        # Give each registered font a face name of its own, derived from the registered name,
        # so that the PDF stays the same whatever else the process registered before.
        font.face.name = _face_name(font.face.name, name)
        pdfmetrics.registerFont(font)
        _registered[name] = target
        return name


def _face_name(ps_name: bytes, registered: str) -> bytes:
    """`ps_name` plus a short hash of the registered name (PDF names stay ASCII, no spaces)."""
    digest = hashlib.sha256(registered.encode("utf-8")).hexdigest()[:8]
    return ps_name + b"-" + digest.encode("ascii")


# ---- ToUnicode maps -------------------------------------------------------------------------

_installed = False
#: reportlab's own function, kept by `install_tounicode_fix` (tests compare the two)
reportlab_original: Callable[[str, Sequence[int]], str] | None = None


def utf16_hex(code_point: int) -> str:
    """The UTF-16BE code units of ``code_point`` in upper-case hex (4 digits, or 8 for a pair)."""
    if code_point <= 0xFFFF:
        return "%04X" % code_point
    v = code_point - 0x10000
    return "%04X%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))


def make_tounicode_cmap(fontname: str, subset: Sequence[int]) -> str:
    """reportlab's ``makeToUnicodeCMap`` with UTF-16BE destination codes."""
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname,
        "/Ordering (%s)" % fontname,
        "/Supplement 0",
        ">> def",
        "/CMapName /%s def" % fontname,
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1),
        "endcodespacerange",
        "%d beginbfchar" % len(subset),
    ] + ["<%02X> <%s>" % (i, utf16_hex(v)) for i, v in enumerate(subset)] + [
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


def install_tounicode_fix() -> None:
    """Make reportlab write UTF-16BE ToUnicode maps (idempotent)."""
    global _installed, reportlab_original
    if _installed:
        return
    from reportlab.pdfbase import ttfonts

    reportlab_original = getattr(ttfonts, "makeToUnicodeCMap", None)
    if reportlab_original is not None:  # another reportlab: leave it as it is
        ttfonts.makeToUnicodeCMap = make_tounicode_cmap
    _installed = True
