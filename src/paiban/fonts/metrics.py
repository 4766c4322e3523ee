"""Per-character font metrics: coverage, advance width, ink extent.

Layout code measures text with these, never with reportlab (which is imported only when a PDF
is drawn). All lengths are in em (font units / unitsPerEm), so they scale with the point size.

``ink`` is the horizontal extent of a glyph's outline (a BoundsPen over the glyph set, which
works for CFF and glyf alike). Punctuation compression needs it: Noto Serif CJK SC puts the ink
of ``，。、`` on the left half of the em, AR PL UMing centres ``。、``, so no single rule fits
every font.

Everything is read once per font file version, from the font's bytes (`paiban.fonts.face_bytes`:
the cmap subtable, hmtx and the outlines of the marks below by glyph id, ~10 ms for a CJK face
where fontTools, naming all 65,535 glyphs first, took ~0.3 s; a face that reader does not handle
is read with fontTools), and kept on disk
(``<cache>/metrics/``, a binary entry of `paiban.fonts.disk_cache`, sealed with the SHA-256 of
its header and arrays, so a damaged entry is measured again and rewritten; keyed by the file's
path, size, mtime and inode, the face, the byte order and the code identity): in its JSON header the
em size, ascender and descender and the ink of every mark whose class composition needs it
(`STORED_INK_CHARS`); as its raw bytes the covered code points and their advances (two packed
arrays, looked up by bisection, so an entry of a 60,000-character CJK face loads in well under
a millisecond). A process that finds the entry neither opens the font nor imports fontTools; it
does so only to measure the ink of another character, which layout never asks for.
`load_metrics` keeps one `FaceMetrics` per face for the whole process.
"""

from __future__ import annotations

import sys
import threading
from array import array
from bisect import bisect_left
from contextlib import suppress
from typing import Any

from paiban.fonts.disk_cache import file_stamp, read_binary_entry, write_binary_entry
from paiban.fonts.face_bytes import FaceFile, Unsupported
from paiban.fonts.faces import FontFace

__all__ = ["FaceMetrics", "load_metrics", "clear_metrics_cache"]

#: CJK marks whose ink composition needs (charclass OPENING, CLOSING, POINTS, MIDDLES, dash,
#: ellipsis), the ASCII brackets among them: measured when the metrics entry is made
STORED_INK_CHARS = "“‘「『（〔【［｛〖〘《〈”’」』）〕】］｝〗〙》〉，。、；：？！·・／—…([{)]}"
_HEADER_KEYS = {"upm", "ascender", "descender", "ink", "count"}


class FaceMetrics:
    """Metrics of one `FontFace`, from the disk cache or read from the font (see module doc)."""

    def __init__(self, face: FontFace):
        self.face = face
        self._lock = threading.RLock()
        self._tt: Any = None  # the fontTools TTFont, opened only when needed
        self._glyphset: Any = None
        self._glyph_names: dict[int, str] | None = None
        self._units: dict[int, int | None] = {}  # code point → advance in font units (memo)
        stored = _read_stored(face)
        #: True when this process measured the face (its disk entry was missing or unusable)
        self.measured = stored is None
        facts = stored if stored is not None else self._measure()
        self.units_per_em: int = facts["upm"]
        self.ascender: float = facts["ascender"]
        self.descender: float = facts["descender"]
        self._cps = array("I", facts["cps"])  # covered code points, ascending
        self._advances = array("I", facts["advances"])  # their advances in font units
        self._ink: dict[str, tuple[float, float] | None] = dict(facts["ink"])
        if stored is None:
            for ch in STORED_INK_CHARS:
                if self.has(ch) and ch not in self._ink:
                    self.ink(ch)  # with fontTools, for a face `face_bytes` leaves to it
            _write_stored(face, {**facts, "ink": dict(self._ink)})

    def __repr__(self) -> str:
        return f"FaceMetrics({self.face.key}, upm={self.units_per_em})"

    def _font(self) -> Any:
        """The face opened with fontTools (``lazy=True``; kept open until `close`)."""
        with self._lock:
            if self._tt is None:
                from fontTools.ttLib import TTFont

                self._tt = TTFont(str(self.face.path), fontNumber=self.face.index, lazy=True)
            return self._tt

    def _measure(self) -> dict[str, Any]:
        """Everything the entry holds, read from the font's bytes (`paiban.fonts.face_bytes`);
        for a face that reader leaves to fontTools, all but the ink (which `__init__` adds)."""
        try:
            with FaceFile(self.face.path, self.face.index) as font:
                upm, ascender, descender = font.vertical()
                cps, gids = font.best_cmap()
                advances, bearings = font.metrics()
                if gids and max(gids) >= len(advances):
                    raise Unsupported("a glyph id beyond maxp")
                ink = {}
                for ch in STORED_INK_CHARS:
                    i = bisect_left(cps, ord(ch))
                    if i < len(cps) and cps[i] == ord(ch):
                        with suppress(Unsupported):  # a composite glyph: `__init__` asks fontTools
                            ink[ch] = _bytes_ink(font, gids[i], bearings[gids[i]], upm)
                advances = array("I", [advances[g] for g in gids])
        except Unsupported:
            return self._measure_with_fonttools()
        return {"upm": upm, "ascender": ascender, "descender": descender, "ink": ink,
                "cps": cps.tobytes(), "advances": advances.tobytes()}

    def _measure_with_fonttools(self) -> dict[str, Any]:
        tt = self._font()
        upm = int(tt["head"].unitsPerEm)
        self._glyph_names = tt.getBestCmap() or {}
        hmtx = tt["hmtx"]
        cps = sorted(self._glyph_names)
        advances = [hmtx[self._glyph_names[cp]][0] for cp in cps]
        os2 = tt["OS/2"] if "OS/2" in tt else None
        if os2 is not None and getattr(os2, "sTypoAscender", 0):
            ascender, descender = os2.sTypoAscender / float(upm), os2.sTypoDescender / float(upm)
        else:
            hhea = tt["hhea"]
            ascender, descender = hhea.ascent / float(upm), hhea.descent / float(upm)
        return {"upm": upm, "ascender": ascender, "descender": descender, "ink": {},
                "cps": array("I", cps).tobytes(), "advances": array("I", advances).tobytes()}

    # --- coverage -------------------------------------------------------------------------------

    def _advance_units(self, cp: int) -> int | None:
        """The advance of code point ``cp`` in font units, None if the face does not cover it."""
        try:
            return self._units[cp]
        except KeyError:
            pass
        cps = self._cps
        i = bisect_left(cps, cp)
        units = self._advances[i] if i < len(cps) and cps[i] == cp else None
        self._units[cp] = units
        return units

    def has(self, ch: str) -> bool:
        """True if the face's cmap maps ``ch`` (one character) to a glyph."""
        return len(ch) == 1 and self._advance_units(ord(ch)) is not None

    def glyph_name(self, ch: str) -> str:
        """The glyph name ``ch`` maps to; KeyError if not covered (reads the font's cmap)."""
        if not self.has(ch):
            raise KeyError(f"{ch!r} (U+{ord(ch):04X}) not in {self.face}" if len(ch) == 1 else ch)
        with self._lock:
            if self._glyph_names is None:
                self._glyph_names = self._font().getBestCmap() or {}
            return self._glyph_names[ord(ch)]

    # --- widths ---------------------------------------------------------------------------------

    def advance(self, ch: str) -> float:
        """Advance width of ``ch`` in em; KeyError if the face does not cover it."""
        units = self._advance_units(ord(ch)) if len(ch) == 1 else None
        if units is None:
            self.glyph_name(ch)  # raises KeyError for a character the face does not cover
            raise KeyError(ch)
        return units / self.units_per_em

    def ink(self, ch: str) -> tuple[float, float] | None:
        """Horizontal ink extent ``(xMin, xMax)`` of ``ch`` in em; None for an empty glyph.

        KeyError if the face does not cover ``ch``.
        """
        with self._lock:
            if ch in self._ink:
                return self._ink[ch]
            name = self.glyph_name(ch)
            from fontTools.pens.boundsPen import BoundsPen

            if self._glyphset is None:
                self._glyphset = self._font().getGlyphSet()
            pen = BoundsPen(self._glyphset)
            self._glyphset[name].draw(pen)
            bounds = pen.bounds  # (x_min, y_min, x_max, y_max)
            result = None if bounds is None else (bounds[0] / self.units_per_em, bounds[2] / self.units_per_em)
            self._ink[ch] = result
            return result

    def close(self) -> None:
        """Close the font file if it was opened (it is reopened when needed)."""
        with self._lock:
            if self._tt is not None:
                self._tt.close()
                self._tt = self._glyphset = None


def _bytes_ink(font: FaceFile, gid: int, lsb: int, upm: int) -> tuple[float, float] | None:
    """`FaceMetrics.ink` of glyph ``gid``, drawn from the font's bytes."""
    from fontTools.pens.boundsPen import BoundsPen

    pen = BoundsPen(None)
    font.draw(gid, pen, lsb)
    bounds = pen.bounds
    return None if bounds is None else (bounds[0] / upm, bounds[2] / upm)


# ---- the disk cache -------------------------------------------------------------------------

def _store_key(face: FontFace) -> str | None:
    try:
        path, size, mtime_ns, inode = file_stamp(face.path)
    except OSError:
        return None
    # the arrays are stored in this machine's byte order
    return f"metrics|{path}|{size}|{mtime_ns}|{inode}|{face.index}|{sys.byteorder}"


def _read_stored(face: FontFace) -> dict[str, Any] | None:
    """The stored facts of ``face``, or None (no entry, or one that does not hold together).

    The entry's header holds the em size, ascender, descender, the number of code points and
    the ink as ``{character: [x_min, x_max] or null}``; its payload the packed code points, then
    their advances (each ``count`` items of ``array("I")``)."""
    key = _store_key(face)
    stored = read_binary_entry("metrics", key) if key is not None else None
    if stored is None:
        return None
    data, payload = stored
    if not (isinstance(data, dict) and _HEADER_KEYS <= set(data)):
        return None
    count, ink = data["count"], data["ink"]
    size = array("I").itemsize
    ok = (isinstance(data["upm"], int) and not isinstance(data["upm"], bool) and data["upm"] > 0
          and isinstance(count, int) and not isinstance(count, bool) and count >= 0
          and len(payload) == 2 * count * size
          and isinstance(data["ascender"], float) and isinstance(data["descender"], float)
          and isinstance(ink, dict) and all(_valid_ink(v) for v in ink.values()))
    if not ok:
        return None
    return {"upm": data["upm"], "ascender": data["ascender"], "descender": data["descender"],
            "cps": payload[:count * size], "advances": payload[count * size:],
            "ink": {ch: None if v is None else (float(v[0]), float(v[1])) for ch, v in ink.items()}}


def _valid_ink(value: object) -> bool:
    return value is None or (isinstance(value, list) and len(value) == 2
                             and all(isinstance(x, float) for x in value))


def _write_stored(face: FontFace, data: dict[str, Any]) -> None:
    key = _store_key(face)
    if key is None:
        return
    cps, advances = bytes(data["cps"]), bytes(data["advances"])
    header = {"upm": data["upm"], "ascender": data["ascender"], "descender": data["descender"],
              "count": len(cps) // array("I").itemsize,
              "ink": {ch: None if v is None else [v[0], v[1]] for ch, v in data["ink"].items()}}
    write_binary_entry("metrics", key, header, cps + advances)


_cache: dict[FontFace, FaceMetrics] = {}
_cache_lock = threading.Lock()


def load_metrics(face: FontFace) -> FaceMetrics:
    """The `FaceMetrics` of ``face``, built once per process (from the disk cache: ~1 ms)."""
    m = _cache.get(face)
    if m is not None:
        return m
    with _cache_lock:
        m = _cache.get(face)
        if m is None:
            m = _cache[face] = FaceMetrics(face)
    return m


def clear_metrics_cache() -> None:
    """Close and forget every cached `FaceMetrics` (tests; after fonts change on disk)."""
    with _cache_lock:
        for m in _cache.values():
            m.close()
        _cache.clear()
