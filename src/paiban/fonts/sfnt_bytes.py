"""The low-level reading of an OpenType file's bytes, in place, without a font library.

Two readers work on a font's bytes instead of fontTools' decompiled tables, for speed:
`paiban.fonts.face_bytes` (layout's metrics and outlines) and `paiban.render.cff_bytes` (the
CFF subset a PDF embeds). What they both read is here, once:

* the sfnt table directory: `table_directory` (where each table of face ``index`` of a file or
  collection lies) and `sfnt_tables` (some tables' bytes, read from a file);
* the ``cmap``: `cmap_subtables` (the (platform, encoding) subtables), `format12_map` (a whole
  format 12 subtable as arrays) and `cmap_glyphs` (the glyphs of some code points, from the
  format 12 or 4 subtable);
* the ``CFF `` table (Adobe TN #5176): `CffIndex` (an INDEX's item spans), `cff_dict` (a DICT's
  operators and operands), `dict_ints` and `fd_select` (a CID-keyed font's FDSelect).

The renderer reads TrueType faces with `sfnt_tables` and `cmap_glyphs` too, so that a build
whose font programs are cached opens no font with a library. What these readers do not handle
raises `Unsupported`, and the caller reads the font with fontTools.
"""

from __future__ import annotations

import mmap
import struct
import sys
from array import array
from bisect import bisect_right
from pathlib import Path
from typing import Callable, Union

__all__ = ["CMAP_PREFERENCES", "CffIndex", "Unsupported", "big_endian", "cff_dict", "cmap_glyphs",
           "cmap_subtables", "dict_ints", "fd_select", "format12_map", "sfnt_tables", "table_directory"]

#: the bytes a reader works on: a file mapped into memory, or a table read out of it
Data = Union[bytes, mmap.mmap]

#: the (platform, encoding) pairs fontTools' ``getBestCmap`` tries, in its order
CMAP_PREFERENCES = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))

#: a CFF DICT: operator (``1200 + b`` for the escaped ``12 b``) → (its operands, None for a real;
#: their raw bytes with the operator's)
CffDict = dict[int, tuple[list[Union[int, None]], bytes]]


class Unsupported(Exception):
    """The font holds something these readers leave to fontTools."""


def big_endian(code: str, data: bytes) -> array:
    """The big-endian values of type ``code`` in ``data``, as an array in this machine's order."""
    values = array(code, data)
    if sys.byteorder != "big":
        values.byteswap()
    return values


# ---- sfnt ---------------------------------------------------------------------------------------

def table_directory(data: Data, index: int = 0) -> dict[str, tuple[int, int]]:
    """Tag → (offset, length) of the tables of face ``index`` of a font file or collection (the
    first entry of a tag repeated)."""
    start = 0
    if data[:4] == b"ttcf":
        if not 0 <= index < struct.unpack_from(">I", data, 8)[0]:
            raise Unsupported(f"no face {index}")
        start = struct.unpack_from(">I", data, 12 + 4 * index)[0]
    elif index != 0:
        raise Unsupported(f"no face {index}")
    tables: dict[str, tuple[int, int]] = {}
    for i in range(struct.unpack_from(">H", data, start + 4)[0]):
        tag, _, at, length = struct.unpack_from(">4sIII", data, start + 12 + 16 * i)
        if at + length > len(data):
            raise Unsupported(f"table {tag!r} beyond the end of the file")
        tables.setdefault(tag.decode("latin-1"), (at, length))
    return tables


def sfnt_tables(path: Path | str, index: int, tags: tuple[str, ...]) -> tuple[dict[str, bytes], bool]:
    """The tables ``tags`` (those the face has) of face ``index`` of an OpenType/TrueType file or
    collection; and whether the file is a collection."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as m:
        directory = table_directory(m, int(index))
        tables = {tag: m[at:at + length] for tag, (at, length) in directory.items() if tag in tags}
        return tables, m[:4] == b"ttcf"


# ---- cmap ---------------------------------------------------------------------------------------

def cmap_subtables(cmap: bytes) -> dict[tuple[int, int], int]:
    """(platform, encoding) → the offset of its subtable in the ``cmap`` table (the first one)."""
    found: dict[tuple[int, int], int] = {}
    for i in range(struct.unpack_from(">H", cmap, 2)[0]):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        found.setdefault((platform, encoding), offset)
    return found


def format12_map(groups_bytes: bytes) -> tuple[array, array]:
    """Every code point of a format 12 subtable's groups, ascending, and their glyph ids; raises
    `Unsupported` for groups fontTools would clamp, skip or override."""
    groups = big_endian("I", groups_bytes)
    codes, gids = array("I"), array("I")
    last = -1
    for start, end, gid in zip(groups[0::3], groups[1::3], groups[2::3]):
        if not last < start <= end <= 0x10FFFF:
            raise Unsupported("cmap format 12 groups out of order or overlapping")
        last = end
        if gid == 0:  # the missing glyph maps nothing: the group's next code points map from 1
            start, gid = start + 1, 1
        codes.extend(range(start, end + 1))
        gids.extend(range(gid, gid + end - start + 1))
    return codes, gids


def cmap_glyphs(cmap: bytes, code_points: list[int]) -> dict[int, int]:
    """Code point → glyph id for ``code_points``, read from a ``cmap`` table's bytes (its Unicode
    subtable of format 12, else 4) without decoding the whole map."""
    tables = cmap_subtables(cmap)
    for key in CMAP_PREFERENCES[:5]:  # the Unicode ones that can hold format 12 or 4
        offset = tables.get(key)
        if offset is None:
            continue
        fmt = struct.unpack_from(">H", cmap, offset)[0]
        if fmt == 12:
            return _format12_glyphs(cmap, offset, code_points)
        if fmt == 4:
            return _format4_glyphs(cmap, offset, code_points)
    raise Unsupported("no Unicode cmap of format 12 or 4")


def _format12_glyphs(cmap: bytes, offset: int, code_points: list[int]) -> dict[int, int]:
    groups = struct.unpack_from(">I", cmap, offset + 12)[0]
    # every group's (start, end, glyph) in one unpack: a CJK font has tens of thousands of groups
    starts = struct.unpack_from(f">{3 * groups}I", cmap, offset + 16)[::3]
    out = {}
    for cp in code_points:
        g = bisect_right(starts, cp) - 1
        if g < 0:
            continue
        start, end, gid = struct.unpack_from(">III", cmap, offset + 16 + 12 * g)
        if start <= cp <= end and gid + cp - start:
            out[cp] = gid + cp - start
    return out


def _format4_glyphs(cmap: bytes, offset: int, code_points: list[int]) -> dict[int, int]:
    segments = struct.unpack_from(">H", cmap, offset + 6)[0] // 2
    ends_at = offset + 14
    starts_at = ends_at + 2 * segments + 2
    deltas_at = starts_at + 2 * segments
    ranges_at = deltas_at + 2 * segments
    ends = struct.unpack_from(f">{segments}H", cmap, ends_at)
    out = {}
    for cp in code_points:
        if cp > 0xFFFF:
            continue
        s = bisect_right(ends, cp - 1)  # the first segment whose end >= cp
        if s >= segments:
            continue
        start = struct.unpack_from(">H", cmap, starts_at + 2 * s)[0]
        if cp < start:
            continue
        delta = struct.unpack_from(">h", cmap, deltas_at + 2 * s)[0]
        range_offset = struct.unpack_from(">H", cmap, ranges_at + 2 * s)[0]
        if range_offset == 0:
            gid = (cp + delta) & 0xFFFF
        else:
            at = ranges_at + 2 * s + range_offset + 2 * (cp - start)
            gid = struct.unpack_from(">H", cmap, at)[0]
            gid = (gid + delta) & 0xFFFF if gid else 0
        if gid:
            out[cp] = gid
    return out


# ---- CFF ----------------------------------------------------------------------------------------

class CffIndex:
    """A CFF INDEX at ``pos`` read in place: ``index[i]`` is the (start, end) of item i in the
    data, ``end`` the position after the INDEX."""

    def __init__(self, data: Data, pos: int):
        self._data = data
        self.count = struct.unpack_from(">H", data, pos)[0]
        if self.count == 0:
            self.end = pos + 2
            return
        self._size = data[pos + 2]
        self._offsets = pos + 3
        self._base = pos + 2 + (self.count + 1) * self._size  # offsets count from 1
        self.end = self._base + self._offset(self.count)

    def _offset(self, i: int) -> int:
        at = self._offsets + i * self._size
        return int.from_bytes(self._data[at:at + self._size], "big")

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> tuple[int, int]:
        if not 0 <= i < self.count:
            raise IndexError(f"INDEX item {i} of {self.count}")
        return self._base + self._offset(i), self._base + self._offset(i + 1)

    def item(self, i: int) -> bytes:
        """The bytes of item i."""
        start, end = self[i]
        return self._data[start:end]


def cff_dict(data: Data, start: int, end: int) -> CffDict:
    """The DICT in ``data[start:end]``."""
    out: CffDict = {}
    operands: list[int | None] = []
    i = mark = start
    while i < end:
        b = data[i]
        if b <= 21:
            op = 1200 + data[i + 1] if b == 12 else b
            i += 2 if b == 12 else 1
            out[op] = (operands, data[mark:i])
            operands, mark = [], i
        elif b == 28:
            operands.append(struct.unpack_from(">h", data, i + 1)[0])
            i += 3
        elif b == 29:
            operands.append(struct.unpack_from(">i", data, i + 1)[0])
            i += 5
        elif b == 30:  # a real: nibbles up to the end nibble 0xf
            i += 1
            while data[i] >> 4 != 0xF and data[i] & 0xF != 0xF:
                i += 1
            i += 1
            operands.append(None)
        elif 32 <= b <= 246:
            operands.append(b - 139)
            i += 1
        elif 247 <= b <= 250:
            operands.append((b - 247) * 256 + data[i + 1] + 108)
            i += 2
        elif 251 <= b <= 254:
            operands.append(-(b - 251) * 256 - data[i + 1] - 108)
            i += 2
        else:
            raise Unsupported(f"DICT byte {b}")
    return out


def dict_ints(d: CffDict, op: int, n: int) -> list[int]:
    """The ``n`` integer operands of operator ``op``; `Unsupported` if it has other ones or none."""
    values = d[op][0] if op in d else None
    if values is None or len(values) != n or any(v is None for v in values):
        raise Unsupported(f"DICT operator {op}")
    return values  # type: ignore[return-value]


def fd_select(data: Data, pos: int, count: int) -> Callable[[int], int]:
    """The font dictionary of each glyph id, from the FDSelect at ``pos`` of a CFF of ``count``
    glyphs (format 0 or 3)."""
    fmt = data[pos]
    if fmt == 0:
        table = data[pos + 1:pos + 1 + count]
        return lambda gid: table[gid]
    if fmt != 3:
        raise Unsupported(f"FDSelect format {fmt}")
    n = struct.unpack_from(">H", data, pos + 1)[0]
    ranges = [struct.unpack_from(">HB", data, pos + 3 + 3 * r) for r in range(n)]
    firsts = [first for first, _ in ranges]
    sentinel = struct.unpack_from(">H", data, pos + 3 + 3 * n)[0]

    def select(gid: int) -> int:
        r = bisect_right(firsts, gid) - 1
        if r < 0 or gid >= sentinel:
            raise Unsupported(f"glyph {gid} outside FDSelect")
        return ranges[r][1]
    return select
