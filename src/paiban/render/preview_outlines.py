"""A CFF face's glyphs as TrueType (glyf) outlines, for page previews only.

A print PDF embeds a CFF face (Noto CJK) as it is: ``/FontFile3 /CIDFontType0C``
(`paiban.render.cff_subset`), which a press needs (docs/print.md). Rasterising such a page
with PDFium is slow for a reason of PDFium's own: while it lays out a text object it asks
every character's box (``CPDF_CIDFont::GetCharBBox``), keeps the answer only for codes below
256, and otherwise loads the glyph with FreeType (``FT_Load_Glyph``, ``FT_LOAD_NO_SCALE``) for
every occurrence. Our codes are code points (`paiban.render.text_operators.CodeSpace`), so a
broadsheet page's 13,000 characters are 13,000 glyph loads, and loading a CFF glyph interprets
its charstring (~5 µs): 60 ms of a page's preview. Loading a TrueType glyph copies its points
(~0.8 µs). So a preview is drawn from a *preview rendition* of its page: the same content
stream, with each CFF face as a ``/CIDFontType2`` whose ``/FontFile2`` holds the same glyphs
as quadratic outlines (`outlines`: fontTools' Cu2QuPen into TTGlyphPen, at most `TOLERANCE`
font units from the cubic curves; without the CFF hints, which previews do not miss: no pixel
of a 72 dpi preview in 16 levels differs from PDFium's rendering of the print PDF by more than 3
levels, tests/test_preview_rendition.py), made by `program`. The print PDFs never see these
programs.

Converting a glyph takes ~0.3 ms, so every converted glyph is kept: per process, and on disk in
the font cache (`paiban.fonts.disk_cache`, kind ``programs``, pruned with the font programs):
one binary entry per face, keyed by the font file's stamp, its face index and `TOLERANCE`,
holding every glyph converted so far (their ids, advances and glyf data). A night that draws
new characters converts only the glyphs never seen and stores the union; two processes storing
at once lose nothing but time (the entry is written atomically; a glyph one of them lacks is
converted again later). A damaged or foreign entry is a miss.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import accumulate, chain
from pathlib import Path
from typing import Any, NamedTuple

from paiban.fonts.disk_cache import auto_prune, default_cache_dir, file_stamp, read_binary_entry, \
    write_binary_entry
from paiban.fonts.faces import FontFace
from paiban.fonts.face_bytes import FaceFile
from paiban.fonts.sfnt_bytes import Unsupported, sfnt_tables

__all__ = ["TOLERANCE", "Glyph", "outlines", "program"]

#: font units (of 1000 to the em for Noto CJK): how far a quadratic outline may stray from the
#: cubic one, 0.07 px of a 72 pt headline at 72 dpi
TOLERANCE = 1.0


class Glyph(NamedTuple):
    """A converted glyph as a program embeds it."""

    advance: int
    data: bytes  # glyf data, padded to four bytes (empty: no outline)
    checksum: int  # of ``data`` (OpenType's table checksum: a glyf table's is the sum of its glyphs')
    x_min: int
    contours: int
    points: int


#: (font file stamp, face index) → glyph id → Glyph
_outlines: dict[tuple, dict[int, Glyph]] = {}
#: (font file stamp, face index) → the face's head and hhea tables
_headers: dict[tuple, tuple[bytes, bytes]] = {}
_lock = threading.Lock()


def _entry_key(stamp: tuple, index: int) -> str:
    return f"outlines|{stamp}|{index}|{TOLERANCE}"


def outlines(face: FontFace, gids: set[int]) -> dict[int, Glyph]:
    """Glyph id → `Glyph`, holding ``gids`` of the CFF face: kept per process, read from the font
    cache, or converted (and stored)."""
    stamp = file_stamp(Path(face.path))
    with _lock:
        known = _outlines.get((stamp, face.index))
        if known is None:
            known = _outlines[(stamp, face.index)] = _stored(_entry_key(stamp, face.index))
        missing = sorted(gids - known.keys())
        if missing:
            made = _convert(face, missing)
            known.update(_stored(_entry_key(stamp, face.index)))  # what other processes added meanwhile
            known.update(made)
            _store(_entry_key(stamp, face.index), known)
        return known


def _glyph(advance: int, data: bytes) -> Glyph:
    data += b"\0" * (-len(data) % 4)
    if not data:
        return Glyph(advance, data, 0, 0, 0, 0)
    contours, x_min = struct.unpack_from(">hh", data, 0)
    points = struct.unpack_from(">H", data, 10 + 2 * (contours - 1))[0] + 1
    return Glyph(advance, data, _checksum(data), x_min, contours, points)


def _checksum(data: bytes) -> int:
    """OpenType's table checksum of four-byte-aligned ``data``."""
    return sum(struct.unpack(f">{len(data) // 4}I", data)) & 0xFFFFFFFF


def _stored(key: str) -> dict[int, Glyph]:
    """The glyphs of a face's entry; none when it is missing or not as written."""
    entry = read_binary_entry("programs", key)
    if entry is None:
        return {}
    header, payload = entry
    if not isinstance(header, dict):
        return {}
    gids, sizes, advances = header.get("gids"), header.get("sizes"), header.get("advances")
    if not (isinstance(gids, list) and isinstance(sizes, list) and isinstance(advances, list)
            and len(gids) == len(sizes) == len(advances)
            and all(type(v) is int and v >= 0 for v in gids + sizes + advances)
            and all(size % 4 == 0 and (size == 0 or size >= 12) for size in sizes)
            and sum(sizes) == len(payload)):
        return {}
    found, at = {}, 0
    try:
        for gid, size, advance in zip(gids, sizes, advances):
            found[gid] = _glyph(advance, payload[at:at + size])
            at += size
    except struct.error:  # a glyph's header does not hold together
        return {}
    return found


def _store(key: str, glyphs: dict[int, Glyph]) -> None:
    order = sorted(glyphs)
    write_binary_entry("programs", key, {"gids": order, "sizes": [len(glyphs[g].data) for g in order],
                                         "advances": [glyphs[g].advance for g in order]},
                       b"".join(glyphs[g].data for g in order))
    auto_prune(default_cache_dir())


def _convert(face: FontFace, gids: list[int]) -> dict[int, Glyph]:
    """Each glyph's CFF charstring drawn into quadratic curves, as glyf data. The charstrings are
    read in place from the font file mapped into memory (`paiban.fonts.face_bytes`): fontTools'
    own reader would hold a Noto CJK collection's ~20 MB CFF table and every glyph it touched
    (a first night's previews took ~480 MB in one process). A face this reader does not handle
    (a variable CFF2 face) goes through fontTools."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    tables, _ = sfnt_tables(face.path, face.index, ("hhea", "hmtx"))
    hmtx, metrics_count = tables["hmtx"], struct.unpack_from(">H", tables["hhea"], 34)[0]
    for in_place in (True, False):
        made = {}
        try:
            with (_charstrings_in_place if in_place else _charstrings_of_fonttools)(face) as draw:
                for gid in gids:
                    pen = TTGlyphPen(None)
                    # CFF outer contours run anticlockwise, TrueType's clockwise
                    draw(gid, Cu2QuPen(pen, TOLERANCE, reverse_direction=True))
                    glyph = pen.glyph(dropImpliedOnCurves=True)
                    advance = struct.unpack_from(">H", hmtx, 4 * min(gid, metrics_count - 1))[0]
                    made[gid] = _glyph(advance, glyph.compile(None) if glyph.numberOfContours else b"")
            return made
        except Unsupported:  # what only fontTools reads (CFF2, a seac accent): fontTools draws them all
            continue
    raise AssertionError("unreachable")


@contextmanager
def _charstrings_in_place(face: FontFace) -> Iterator[Callable[[int, Any], None]]:
    """A function drawing glyph ``gid`` of the CFF face on a pen, from the mapped file."""
    with FaceFile(Path(face.path), int(face.index)) as file:
        if not file.has("CFF "):
            raise Unsupported("no CFF table")
        yield lambda gid, pen: file.draw(gid, pen, 0)


@contextmanager
def _charstrings_of_fonttools(face: FontFace) -> Iterator[Callable[[int, Any], None]]:
    """The same drawing function, by fontTools' reader."""
    from fontTools.ttLib import TTFont

    with TTFont(str(face.path), fontNumber=int(face.index), lazy=True, recalcTimestamp=False,
                recalcBBoxes=False) as font:
        if "CFF2" in font:  # a variable face: its default instance, as the print program has it
            from fontTools.cffLib.CFF2ToCFF import convertCFF2ToCFF

            convertCFF2ToCFF(font)
        charstrings = font["CFF "].cff.topDictIndex[0].CharStrings.charStringsIndex
        yield lambda gid, pen: charstrings[gid].draw(pen)


def program(face: FontFace, gids: list[int]) -> bytes:
    """A TrueType program of the face's glyphs ``gids`` (glyph ``i`` of the program is ``gids[i]``;
    give glyph 0 first, .notdef): the face's head and hhea, and glyf, loca, hmtx and maxp made
    from `outlines`; no cmap (a ``/CIDToGIDMap`` selects the glyphs), no hints."""
    glyphs = outlines(face, set(gids))
    key = (file_stamp(Path(face.path)), face.index)
    if key not in _headers:
        tables, _ = sfnt_tables(face.path, face.index, ("head", "hhea"))
        _headers[key] = tables["head"], tables["hhea"]
    head, hhea = _headers[key]
    drawn = [glyphs[gid] for gid in gids]
    offsets = [0, *accumulate(len(g.data) for g in drawn)]
    tables = {
        # checksum adjustment 0 (set below), long loca offsets, glyph data format 0
        "head": head[:8] + b"\0\0\0\0" + head[12:50] + struct.pack(">hh", 1, 0) + head[54:],
        "hhea": hhea[:34] + struct.pack(">H", len(gids)) + hhea[36:],
        # version 1.0: the glyph count, the largest glyph's points and contours, two zones, no hints
        "maxp": struct.pack(">I14H", 0x00010000, len(gids), max(g.points for g in drawn),
                            max(g.contours for g in drawn), 0, 0, 2, *(0,) * 8),
        # the left side bearing is the glyph's xMin: FreeType puts the origin at xMin − lsb
        "hmtx": struct.pack(">" + "Hh" * len(drawn), *chain.from_iterable((g.advance, g.x_min) for g in drawn)),
        "loca": struct.pack(f">{len(offsets)}I", *offsets),
    }
    sums = {tag: _checksum(data + b"\0" * (-len(data) % 4)) for tag, data in tables.items()}
    tables["glyf"] = b"".join(g.data for g in drawn)
    sums["glyf"] = sum(g.checksum for g in drawn) & 0xFFFFFFFF
    return _sfnt(tables, sums)


def _sfnt(tables: dict[str, bytes], sums: dict[str, int]) -> bytes:
    """An sfnt file of ``tables`` whose checksums are ``sums`` (tags sorted, each 4-byte aligned,
    head's checksum adjustment set: the font's checksum is the sum of its directory's words and
    its tables' checksums)."""
    tags = sorted(tables)
    count = len(tags)
    power = 1 << (count.bit_length() - 1)
    directory = [struct.pack(">IHHHH", 0x00010000, count, power * 16, power.bit_length() - 1,
                             count * 16 - power * 16)]
    at = 12 + 16 * count
    for tag in tags:
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), sums[tag], at, len(tables[tag])))
        at += len(tables[tag]) + (-len(tables[tag]) % 4)
    header = b"".join(directory)
    total = (_checksum(header) + sum(sums.values())) & 0xFFFFFFFF
    head = bytearray(tables["head"])
    struct.pack_into(">I", head, 8, (0xB1B0AFBA - total) & 0xFFFFFFFF)
    body = (bytes(head) if tag == "head" else tables[tag] for tag in tags)
    return header + b"".join(data + b"\0" * (-len(data) % 4) for data in body)
