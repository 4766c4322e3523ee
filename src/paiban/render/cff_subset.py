"""The CFF outlines of an OpenType face, cut to a document's characters, as a CIDFontType0C program.

Noto CJK and most OpenType CJK fonts draw with CFF (PostScript) outlines. A PDF embeds them as
they are (PDF 1.7 §9.9, ``/FontFile3`` with ``/Subtype /CIDFontType0C``) under a
``/CIDFontType0`` font. Such a font has no ``/CIDToGIDMap``: the CID a page's code selects is
looked up in the CFF program's charset (§9.7.4.2), so the subset made here is re-keyed so that
the charset gives each glyph the CID paiban's text operators use for its character, its code
point (`paiban.render.text_operators.CodeSpace`). Two characters that share a glyph in the
source font (兀 and ⺎) get a copy of the charstring each, so every CID stays a glyph of its own.

The subset is cut with fontTools' CFF objects directly: the wanted charstrings (and .notdef,
with its box) taken as they are, hints kept, the font dictionaries and subroutines they do not
use dropped (``remove_unused_subroutines``), the ``CFF `` table compiled alone. fontTools'
general subsetter would also run every glyph for ``seac`` accents (which CJK fonts do not
have) and rebuild the other tables, doubling the time; this takes ~0.3 s for the 600
characters of a page where the CFF→TrueType conversion took ~1 s, and the outlines are the
font's own (a CFF2 face: its default instance, as CFF). A name-keyed CFF (a Latin OpenType font) is made CID-keyed first, with one font
dictionary (ROS Adobe-Identity-0), since §9.7.4.2 would otherwise take the CIDs as glyph indices.
Deterministic: the same font file and characters give the same bytes.
"""

from __future__ import annotations

import copy
import io
import mmap
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from paiban.fonts.sfnt_bytes import Unsupported, cmap_glyphs, table_directory
from paiban.render.cff_bytes import subset_cid_cff

__all__ = ["CffProgram", "cff_program"]


@dataclass(frozen=True)
class CffProgram:
    """A compiled CID-keyed CFF subset and what its font descriptor needs (glyph space: 1000/em)."""

    data: bytes
    ps_name: str
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    covered: tuple[int, ...]  # the code points the program draws (others show .notdef)


def cff_program(path: Path, index: int, codes: list[tuple[int, int]],
                extra: dict[int, int] | None = None) -> CffProgram:
    """Face ``index`` of ``path`` cut to ``codes``, (CID, code point) pairs, re-keyed to the CIDs.
    ``extra``: code point → glyph id for code points the cmap does not map (the private-use
    stand-ins of vertical forms, `paiban.fonts.vertical_glyphs`)."""
    from fontTools.ttLib import TTFont

    extra = extra or {}
    with TTFont(str(path), fontNumber=int(index), lazy=True, recalcTimestamp=False, recalcBBoxes=False) as font:
        fast = _from_bytes(font, Path(path), int(index), codes, extra)
        if fast is not None:
            data, covered = fast
            return CffProgram(data, _ps_name(font, Path(path)), *_descriptor(font), covered=covered)
        if "CFF2" in font:  # PDF embeds CFF: the default instance of a variable font
            from fontTools.cffLib.CFF2ToCFF import convertCFF2ToCFF

            convertCFF2ToCFF(font)
        if "CFF " not in font:
            raise ValueError(f"{path}#{index}: no CFF outlines")
        cmap = dict(font.getBestCmap() or {})
        cmap.update((cp, font.getGlyphName(gid)) for cp, gid in extra.items())
        wanted = sorted((cid, cp) for cid, cp in codes if cp in cmap)
        cff = font["CFF "].cff
        del cff.fontNames[1:]
        top = cff.topDictIndex[0]
        if not hasattr(top, "ROS"):
            _make_cid_keyed(cff, top)
        _rekey(top, [(".notdef", ".notdef")] + [(f"cid{cid:05d}", cmap[cp]) for cid, cp in wanted])
        _drop_unused_font_dicts(top)
        cff.remove_unused_subroutines()
        top.CIDCount = max((cid for cid, _ in wanted), default=0) + 1
        for key in ("UniqueID", "XUID"):  # they name the whole font, not this subset
            top.rawDict.pop(key, None)
            if hasattr(top, key):
                delattr(top, key)
        buf = io.BytesIO()
        cff.compile(buf, font, isCFF2=False)
        return CffProgram(buf.getvalue(), _ps_name(font, Path(path)), *_descriptor(font),
                          covered=tuple(sorted(cp for _, cp in wanted)))


def _from_bytes(font: Any, path: Path, index: int, codes: list[tuple[int, int]],
                extra: dict[int, int] | None = None) -> tuple[bytes, tuple[int, ...]] | None:
    """The subset cut from the font's bytes (`paiban.render.cff_bytes`), or None where that
    reader does not handle the font; `extra` as `cff_program`'s. The CFF table is read in place
    from the file mapped into memory: a Noto CJK collection's is ~20 MB, of which a subset reads
    a few hundred kB."""
    extra = extra or {}
    if "CFF " not in font.reader or "cmap" not in font.reader:
        return None
    try:
        gids = cmap_glyphs(font.reader["cmap"], sorted({cp for _, cp in codes if cp not in extra}))
    except (Unsupported, struct.error, IndexError):
        return None
    gids.update(extra)
    wanted = sorted((cid, gids[cp]) for cid, cp in codes if cp in gids)
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        data = _subset_in_place(mapped, index, wanted)  # its views of the file are gone on return
    return None if data is None else (data, tuple(sorted(cp for _, cp in codes if cp in gids)))


def _subset_in_place(mapped: mmap.mmap, index: int, wanted: list[tuple[int, int]]) -> bytes | None:
    try:
        at, length = table_directory(mapped, index)["CFF "]
        return subset_cid_cff(memoryview(mapped)[at:at + length], wanted)
    except (Unsupported, struct.error, IndexError, KeyError):
        return None


def _drop_unused_font_dicts(top: Any) -> None:
    """Keep only the font dictionaries (and their local subroutines) the subset's glyphs use."""
    select = top.FDSelect
    used = sorted(set(select.gidArray))
    renumber = {old: new for new, old in enumerate(used)}
    select.gidArray = [renumber[fd] for fd in select.gidArray]
    fd_array = top.FDArray
    fd_array.items = [fd_array[i] for i in used]
    for attr in ("file", "offsets"):
        if hasattr(fd_array, attr):
            delattr(fd_array, attr)


def _rekey(top: Any, order: list[tuple[str, str]]) -> None:
    """Give the subset the glyph order ``order`` of (new name ``cidNNNNN``, glyph it copies)."""
    charstrings = top.CharStrings
    old = {name: i for i, name in enumerate(top.charset)}
    index = charstrings.charStringsIndex
    items, seen = [], set()
    for _, source in order:
        item = index[old[source]]  # read from the file, not yet decompiled
        items.append(copy.copy(item) if id(item) in seen else item)  # one object per glyph
        seen.add(id(item))
    index.items = items
    for attr in ("file", "offsets"):
        if hasattr(index, attr):
            delattr(index, attr)
    select = top.FDSelect
    select.format = None
    select.gidArray = [select.gidArray[old[source]] for _, source in order]
    charstrings.charStrings = {name: i for i, (name, _) in enumerate(order)}
    top.charset = [name for name, _ in order]
    top.numGlyphs = len(order)


def _make_cid_keyed(cff: Any, top: Any) -> None:
    """Turn a name-keyed CFF font into a CID-keyed one with a single font dictionary."""
    from fontTools.cffLib import FDArrayIndex, FDSelect, FontDict

    fd_array = FDArrayIndex()
    fd_array.strings = cff.strings
    fd_array.GlobalSubrs = cff.GlobalSubrs
    font_dict = FontDict()
    font_dict.setCFF2(False)
    font_dict.Private = top.Private
    font_dict.FontName = getattr(top, "FontName", None) or cff.fontNames[0]
    font_dict.FontMatrix = getattr(top, "FontMatrix", [0.001, 0, 0, 0.001, 0, 0])
    font_dict.rawDict = {}
    fd_array.append(font_dict)
    charstrings = top.CharStrings
    if not charstrings.charStringsAreIndexed:
        raise ValueError("a CFF font whose charstrings are not indexed")
    charstrings.charStringsIndex.fdArray = fd_array
    charstrings.fdArray = fd_array
    select = FDSelect()
    select.gidArray = [0] * len(top.charset)
    select.format = None
    charstrings.fdSelect = select
    top.FDArray = fd_array
    top.FDSelect = select
    top.ROS = ("Adobe", "Identity", 0)
    for key in ("Private", "Encoding"):
        top.rawDict.pop(key, None)
        if hasattr(top, key):
            delattr(top, key)


def _ps_name(font: Any, path: Path) -> str:
    name = font["name"].getDebugName(6) if "name" in font else None
    text = "".join(c for c in (name or path.stem) if c.isascii() and c.isalnum() or c in "-_")
    return text or "Font"


def _descriptor(font: Any) -> tuple[tuple[int, int, int, int], int, int, int, float]:
    """(FontBBox, Ascent, Descent, CapHeight, ItalicAngle) in 1000 units per em."""
    head = font["head"]
    scale = 1000 / head.unitsPerEm
    bbox = tuple(round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax))
    os2 = font["OS/2"] if "OS/2" in font else None
    source = os2 if os2 is not None else font["hhea"]
    ascent = round(getattr(source, "sTypoAscender", getattr(source, "ascent", 0)) * scale)
    descent = round(getattr(source, "sTypoDescender", getattr(source, "descent", 0)) * scale)
    cap = getattr(os2, "sCapHeight", 0) if os2 is not None else 0
    italic = float(font["post"].italicAngle) if "post" in font else 0.0
    return bbox, ascent, descent, round(cap * scale) if cap else ascent, italic  # type: ignore[return-value]
