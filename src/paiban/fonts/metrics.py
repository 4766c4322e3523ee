"""Per-character font metrics read with fontTools: coverage, advance width, ink extent.

Layout code measures text with these, never with reportlab (which is imported only when a PDF
is drawn). All lengths are in em (font units / unitsPerEm), so they scale with the point size.

``ink`` is the horizontal extent of a glyph's outline (a BoundsPen over the glyph set, which
works for CFF and glyf alike). Punctuation compression needs it: Noto Serif CJK SC puts the ink
of ``，。、`` on the left half of the em, AR PL UMing centres ``。、``, so no single rule fits
every font.

The font file stays open (fontTools ``lazy=True``) for the life of the `FaceMetrics`;
`load_metrics` keeps one per face for the whole process. Decoding a CJK font's cmap and its CFF
outlines costs ~0.2 s a face, so the cmap and the ink of every CJK mark are also kept on disk
(``<cache>/metrics/``, keyed by the file's path, size, mtime, face and the fontTools version):
a cold process then starts in milliseconds.
"""

from __future__ import annotations

import hashlib
import marshal
import threading
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically
from paiban.fonts.faces import FontFace

__all__ = ["FaceMetrics", "load_metrics", "clear_metrics_cache"]


class FaceMetrics:
    """Metrics of one `FontFace`, read lazily and memoised per character."""

    def __init__(self, face: FontFace):
        from fontTools.ttLib import TTFont

        self.face = face
        self._lock = threading.RLock()
        self._tt: Any = TTFont(str(face.path), fontNumber=face.index, lazy=True)
        head = self._tt["head"]
        self.units_per_em: int = int(head.unitsPerEm)
        self._hmtx: Any = None
        self._glyphset: Any = None
        self._ink: dict[str, tuple[float, float] | None] = {}
        self._advance: dict[int, int] = {}  # code point → advance in font units
        stored = _read_stored(face)
        if stored is not None:
            self._cmap: dict[int, str] = stored["cmap"]
            self._advance = stored["advance"]
            self._ink.update(stored["ink"])
        else:
            self._cmap = self._tt.getBestCmap() or {}
            hmtx = self._tt["hmtx"]
            self._advance = {cp: hmtx[name][0] for cp, name in self._cmap.items()}
            for ch in STORED_INK_CHARS:
                if self.has(ch):
                    self.ink(ch)
            _write_stored(face, {"cmap": self._cmap, "advance": self._advance, "ink": dict(self._ink)})
        hhea = self._tt["hhea"]
        os2 = self._tt["OS/2"] if "OS/2" in self._tt else None
        upm = float(self.units_per_em)
        if os2 is not None and getattr(os2, "sTypoAscender", 0):
            self.ascender: float = os2.sTypoAscender / upm
            self.descender: float = os2.sTypoDescender / upm
        else:
            self.ascender = hhea.ascent / upm
            self.descender = hhea.descent / upm

    def __repr__(self) -> str:
        return f"FaceMetrics({self.face.key}, upm={self.units_per_em})"

    # --- coverage -------------------------------------------------------------------------------

    def has(self, ch: str) -> bool:
        """True if the face's cmap maps ``ch`` (one character) to a glyph."""
        return len(ch) == 1 and ord(ch) in self._cmap

    def missing(self, text: str) -> set[str]:
        """The distinct characters of ``text`` the face does not cover."""
        cmap = self._cmap
        return {c for c in set(text) if ord(c) not in cmap}

    def codepoints(self) -> frozenset[int]:
        """Every code point the face covers."""
        return frozenset(self._cmap)

    def glyph_name(self, ch: str) -> str:
        """The glyph name ``ch`` maps to; KeyError if not covered."""
        if len(ch) != 1:
            raise KeyError(ch)
        try:
            return self._cmap[ord(ch)]
        except KeyError:
            raise KeyError(f"{ch!r} (U+{ord(ch):04X}) not in {self.face}") from None

    # --- widths ---------------------------------------------------------------------------------

    def advance(self, ch: str) -> float:
        """Advance width of ``ch`` in em; KeyError if the face does not cover it."""
        units = self._advance.get(ord(ch)) if len(ch) == 1 else None
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
                self._glyphset = self._tt.getGlyphSet()
            pen = BoundsPen(self._glyphset)
            self._glyphset[name].draw(pen)
            if pen.bounds is None:
                result = None
            else:
                x_min, _y_min, x_max, _y_max = pen.bounds
                result = (x_min / self.units_per_em, x_max / self.units_per_em)
            self._ink[ch] = result
            return result

    def close(self) -> None:
        """Close the font file. The object is unusable for advance/ink afterwards."""
        with self._lock:
            self._tt.close()


#: CJK marks whose ink composition needs (charclass OPENING, CLOSING, POINTS, MIDDLES, dash, ellipsis)
STORED_INK_CHARS = "“‘「『（〔【［｛〖〘《〈”’」』）〕】］｝〗〙》〉，。、；：？！·・／—…"
_STORE_VERSION = "2"


def _store_path(face: FontFace) -> Path | None:
    try:
        from fontTools import version as fonttools_version

        from paiban.fonts.convert import default_cache_dir

        st = face.path.stat()
        key = f"{_STORE_VERSION}|{face.path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{face.index}|{fonttools_version}"
        return default_cache_dir() / "metrics" / (hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest() + ".marshal")
    except OSError:
        return None


def _read_stored(face: FontFace) -> dict | None:
    path = _store_path(face)
    if path is None:
        return None
    try:
        data = marshal.loads(path.read_bytes())
        return data if isinstance(data, dict) and {"cmap", "advance", "ink"} <= set(data) else None
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write_stored(face: FontFace, data: dict) -> None:
    """Write atomically; a read-only or missing cache directory only costs speed."""
    path = _store_path(face)
    if path is None:
        return
    try:
        write_atomically(path, marshal.dumps(data), mode=0o644)
    except OSError:
        pass


_cache: dict[FontFace, FaceMetrics] = {}
_cache_lock = threading.Lock()


def load_metrics(face: FontFace) -> FaceMetrics:
    """The `FaceMetrics` of ``face``, built once per process (about 0.1 s for a Noto CJK face)."""
    m = _cache.get(face)
    if m is not None:
        return m
    with _cache_lock:
        m = _cache.get(face)
        if m is None:
            m = FaceMetrics(face)
            _cache[face] = m
    return m


def clear_metrics_cache() -> None:
    """Close and forget every cached `FaceMetrics` (tests; after fonts change on disk)."""
    with _cache_lock:
        for m in _cache.values():
            m.close()
        _cache.clear()

