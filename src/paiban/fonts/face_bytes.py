"""What layout needs of a face, read from its file's bytes with struct and array.

`paiban.fonts.metrics` measures a face the first time a machine meets it (after that its disk
entry answers). fontTools would decompile whole tables for it: the cmap and hmtx of a CJK face
map each of 65,535 glyphs to a name (0.1–0.2 s a table), the ``CFF `` table builds its charset
and font dictionaries, ``glyf`` its ``loca`` and the names of ``post``, before one glyph is
drawn. Layout needs glyph ids, not names, so this reads only that, straight from the file
(mapped into memory; the reading of the table directory, the cmap and CFF INDEXes and DICTs
is `paiban.fonts.sfnt_bytes`, which the PDF's CFF subsetter shares):

* `FaceFile.vertical`: em size, ascender and descender (``head``, ``OS/2``, ``hhea``);
* `FaceFile.best_cmap`: code point → glyph id of the Unicode subtable fontTools'
  ``getBestCmap`` would choose, when that is a well-formed format 12 subtable (every CJK font:
  groups in order, none inverted, overlapping or beyond U+10FFFF);
* `FaceFile.metrics`: advance and left side bearing by glyph id (``hmtx``, ``maxp``);
* `FaceFile.draw`: one glyph's outline on a pen: a CFF charstring (CID-keyed or not, run by
  fontTools' own Type 2 interpreter with the glyph's local and the global subroutines) or a
  simple ``glyf`` glyph (fontTools' `Glyph`, shifted to its ``hmtx`` side bearing as fontTools'
  glyph set draws it).

Anything else (another cmap format, CFF2, a composite glyph, a damaged table) raises
`Unsupported`, and the caller reads that face with fontTools. tests/test_face_bytes.py checks
that every code point of the faces installed gets what fontTools gives.
"""

from __future__ import annotations

import mmap
import struct
from array import array
from pathlib import Path
from typing import Any

from paiban.fonts.sfnt_bytes import (CMAP_PREFERENCES, CffDict, CffIndex, Unsupported, big_endian, cff_dict,
                                     cmap_subtables, dict_ints, fd_select, format12_map, table_directory)

__all__ = ["FaceFile", "Unsupported"]

class FaceFile:
    """One face of a font file (``index`` in a collection), mapped into memory until `close`."""

    def __init__(self, path: Path, index: int = 0):
        with open(path, "rb") as fh:
            try:
                self._map = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            except ValueError as exc:  # an empty file
                raise Unsupported(str(exc)) from exc
        self._cff: _Cff | None = None
        self._glyf: tuple[Any, Any, int, int] | None = None
        try:
            self._tables = table_directory(self._map, index)
        except Unsupported:
            self.close()
            raise
        except (struct.error, IndexError) as exc:
            self.close()
            raise Unsupported(f"table directory: {exc}") from exc

    def __enter__(self) -> FaceFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._map.close()

    def has(self, tag: str) -> bool:
        """Whether the face has the table ``tag``."""
        return tag in self._tables

    def table(self, tag: str) -> bytes:
        """The bytes of table ``tag``; Unsupported if the face has none."""
        if tag not in self._tables:
            raise Unsupported(f"no {tag!r} table")
        at, length = self._tables[tag]
        return self._map[at:at + length]

    # --- facts ----------------------------------------------------------------------------------

    def vertical(self) -> tuple[int, float, float]:
        """``(unitsPerEm, ascender, descender)``, the last two in em: OS/2's typographic ones
        when it has a non-zero ascender, else hhea's."""
        try:
            upm = struct.unpack_from(">H", self.table("head"), 18)[0]
            os2 = self.table("OS/2") if "OS/2" in self._tables else b""
            ascender, descender = struct.unpack_from(">hh", os2, 68) if len(os2) >= 72 else (0, 0)
            if not ascender:
                ascender, descender = struct.unpack_from(">hh", self.table("hhea"), 4)
        except struct.error as exc:
            raise Unsupported(f"head, OS/2 or hhea: {exc}") from exc
        if not upm:
            raise Unsupported("unitsPerEm 0")
        return upm, ascender / float(upm), descender / float(upm)

    def best_cmap(self) -> tuple[array, array]:
        """The code points of the best Unicode cmap subtable, ascending, and their glyph ids."""
        cmap = self.table("cmap")
        try:
            found = cmap_subtables(cmap)
            offset = next((found[key] for key in CMAP_PREFERENCES if key in found), None)
            if offset is None:
                return array("I"), array("I")
            fmt, _, length, _, count = struct.unpack_from(">HHIII", cmap, offset)
        except struct.error as exc:
            raise Unsupported(f"cmap: {exc}") from exc
        if fmt != 12 or length != 16 + 12 * count or offset + length > len(cmap):
            raise Unsupported(f"cmap subtable of format {fmt}")
        return format12_map(cmap[offset + 16:offset + length])

    def metrics(self) -> tuple[array, array]:
        """Advance widths and left side bearings by glyph id, for every glyph of ``maxp``."""
        try:
            glyphs = struct.unpack_from(">H", self.table("maxp"), 4)[0]
            long_metrics = min(struct.unpack_from(">H", self.table("hhea"), 34)[0], glyphs)
        except struct.error as exc:
            raise Unsupported(f"maxp or hhea: {exc}") from exc
        hmtx = self.table("hmtx")
        if not long_metrics or len(hmtx) < 4 * long_metrics + 2 * (glyphs - long_metrics):
            raise Unsupported("hmtx shorter than its glyph count")
        pairs = big_endian("h", hmtx[:4 * long_metrics])
        bearings = big_endian("h", hmtx[4 * long_metrics:4 * long_metrics + 2 * (glyphs - long_metrics)])
        advances = array("H", pairs[0::2].tobytes())  # unsigned, as fontTools reads them
        advances.extend([advances[-1]] * (glyphs - long_metrics))
        return advances, pairs[1::2] + bearings

    # --- outlines -------------------------------------------------------------------------------

    def draw(self, gid: int, pen: Any, lsb: int) -> None:
        """Draw glyph ``gid`` on ``pen`` as fontTools' glyph set would (``lsb``: its left side
        bearing in hmtx, which places a glyf outline)."""
        try:
            if "CFF " in self._tables:
                if self._cff is None:
                    self._cff = _Cff(self._map, self._tables["CFF "][0])
                self._cff.draw(gid, pen)
            elif "glyf" in self._tables and "CFF2" not in self._tables:
                self._draw_glyf(gid, pen, lsb)
            else:
                raise Unsupported("neither CFF nor glyf outlines")
        except (struct.error, IndexError, KeyError, TypeError, ValueError) as exc:
            # a damaged table, or what only fontTools' glyph set draws (a seac accent)
            raise Unsupported(f"glyph {gid}: {exc}") from exc

    def _draw_glyf(self, gid: int, pen: Any, lsb: int) -> None:
        if self._glyf is None:
            from fontTools.ttLib.tables._g_l_y_f import Glyph, table__g_l_y_f

            long_loca = struct.unpack_from(">h", self.table("head"), 50)[0]
            self._glyf = (Glyph, table__g_l_y_f(), self._tables["loca"][0] if "loca" in self._tables else -1,
                          long_loca)
        glyph_class, table, loca, long_loca = self._glyf
        if loca < 0 or gid >= struct.unpack_from(">H", self.table("maxp"), 4)[0]:
            raise Unsupported("no loca, or a glyph id beyond maxp")
        if long_loca:
            start, end = struct.unpack_from(">II", self._map, loca + 4 * gid)
        else:
            start, end = (2 * x for x in struct.unpack_from(">HH", self._map, loca + 2 * gid))
        at, length = self._tables["glyf"]
        if not start <= end <= length:
            raise Unsupported(f"loca of glyph {gid}")
        glyph = glyph_class(self._map[at + start:at + end])
        if glyph.isComposite():
            raise Unsupported(f"glyph {gid} is a composite")
        glyph.expand(table)
        glyph.draw(pen, table, lsb - glyph.xMin if hasattr(glyph, "xMin") else 0)


# ---- CFF ---------------------------------------------------------------------------------------

class _Subrs:
    """A subroutine INDEX as fontTools' Type 2 interpreter takes it: ``len`` and charstrings."""

    def __init__(self, m: mmap.mmap, pos: int | None):
        self._index = CffIndex(m, pos) if pos is not None else None
        self._items: dict[int, Any] = {}

    def __len__(self) -> int:
        return self._index.count if self._index is not None else 0

    def __getitem__(self, i: int) -> Any:
        if i not in self._items:
            from fontTools.misc.psCharStrings import T2CharString

            if self._index is None:
                raise Unsupported("a call to a missing subroutine")
            self._items[i] = T2CharString(self._index.item(i))
        return self._items[i]


class _Cff:
    """The ``CFF `` table at ``base``: charstrings by glyph id, with their subroutines."""

    def __init__(self, m: mmap.mmap, base: int):
        if m[base] != 1:
            raise Unsupported(f"CFF version {m[base]}")
        self._m, self._base = m, base
        names = CffIndex(m, base + m[base + 2])
        tops = CffIndex(m, names.end)
        strings = CffIndex(m, tops.end)
        self._global = _Subrs(m, strings.end)
        top = cff_dict(m, *tops[0])
        if top.get(1206, ([2], b""))[0] != [2]:
            raise Unsupported("charstrings not of Type 2")
        self._charstrings = CffIndex(m, base + dict_ints(top, 17, 1)[0])
        if 1230 in top:  # CID-keyed: a font dictionary per glyph
            fds = CffIndex(m, base + dict_ints(top, 1236, 1)[0])
            self._privates = [self._private(cff_dict(m, *span)) for span in fds]
            self._select = fd_select(m, base + dict_ints(top, 1237, 1)[0], self._charstrings.count)
        else:
            self._privates = [self._private(top)]
            self._select = None

    def _private(self, d: CffDict) -> _Subrs:
        """The local subroutines of the Private DICT a DICT points to."""
        size, offset = dict_ints(d, 18, 2)
        private = cff_dict(self._m, self._base + offset, self._base + offset + size)
        subrs = dict_ints(private, 19, 1)[0] if 19 in private else None
        return _Subrs(self._m, None if subrs is None else self._base + offset + subrs)

    def draw(self, gid: int, pen: Any) -> None:
        from fontTools.misc.psCharStrings import T2CharString, T2OutlineExtractor

        local = self._privates[self._select(gid) if self._select is not None else 0]
        # the widths (nominalWidthX, defaultWidthX) do not move the outline: 0 for both
        T2OutlineExtractor(pen, local, self._global, 0, 0).execute(T2CharString(self._charstrings.item(gid)))
