"""The vertical forms of a face's punctuation (竖排标点), read from its `vert`/`vrt2` features.

In vertical text the marks of `，。、；：？！“”‘’「」『』（）《》……` take other glyphs: points move to
the upper right of their cell (mainland style: GB/T 15834—2011 §5.1.7 and clreq §3.1.5,
"In vertical writing … the positions of the punctuation marks change"), brackets, quotes and
the ellipsis turn a quarter. A font carries these glyphs and says which replace which in its
GSUB `vert` and `vrt2` features (OpenType spec, "Feature tags": vert = vertical alternates,
vrt2 = vertical alternates and rotation), as single substitutions. They are read here with
fontTools, once per font file version, and kept on disk (`paiban.fonts.disk_cache`, kind
``vertical``, plain JSON): for each mark of `VERTICAL_MARKS` the face substitutes, the glyph id
of its vertical form, the form's vertical origin (``VORG``, else the face's default), its
vertical advance (``vmtx``) and its ink from the top of its vertical em box, which is what
composition places a mark in its (half) cell by, as it does horizontally.

A vertical form has no character of its own (a text never holds presentation forms such as
U+FE10). In a composed line it is drawn as a *private-use stand-in*: the mark's index in
`VERTICAL_MARKS` from U+E000 (paiban never draws a private-use character of a text:
`paiban.fonts.charsets.refusal`), whose code the PDF font maps to the vertical glyph and whose
ToUnicode maps back to the mark (`stand_in`, `mark_of`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from paiban.fonts.disk_cache import file_stamp, read_entry, write_entry
from paiban.fonts.faces import FontFace

__all__ = ["VERTICAL_MARKS", "VerticalFacts", "VerticalForm", "mark_of", "stand_in", "vertical_facts"]

#: the marks whose vertical forms are looked up (clreq §3.1.5 and GB/T 15834 §5.1.7: the marks
#: that change in vertical setting); their order fixes the stand-ins' codes: append only
VERTICAL_MARKS = "，。、；：？！“”‘’「」『』（）《》〔〕【】〈〉〖〗［］｛｝…—～－＿｜"
#: the first private-use code point of the stand-ins (U+E000 + index in VERTICAL_MARKS)
STAND_IN_BASE = 0xE000
_STAND_INS = {mark: chr(STAND_IN_BASE + i) for i, mark in enumerate(VERTICAL_MARKS)}


def stand_in(mark: str) -> str:
    """The private-use character that stands for `mark`'s vertical form in a composed line."""
    return _STAND_INS[mark]


def mark_of(char: str) -> str | None:
    """The mark a stand-in stands for; None for any other character."""
    i = ord(char) - STAND_IN_BASE if len(char) == 1 else -1
    return VERTICAL_MARKS[i] if 0 <= i < len(VERTICAL_MARKS) else None


@dataclass(frozen=True)
class VerticalForm:
    """A mark's vertical glyph: its id, vertical origin and advance (1000 units per em, as PDF
    glyph space), and its ink from the top of its vertical em box (em)."""

    gid: int
    origin: int  # VORG y: the top of the vertical em box, 1000/em
    advance: float  # vertical advance, em
    ink: tuple[float, float] | None  # (top, bottom) of the ink, em below the em box's top


@dataclass(frozen=True)
class VerticalFacts:
    """A face's vertical facts: its default vertical origin (1000/em) and its marks' forms."""

    default_origin: int
    forms: dict[str, VerticalForm]


_cache: dict[FontFace, VerticalFacts] = {}
_lock = threading.Lock()


def vertical_facts(face: FontFace) -> VerticalFacts:
    """The `VerticalFacts` of `face`: per process, else from the disk cache, else read."""
    hit = _cache.get(face)
    if hit is not None:
        return hit
    with _lock:
        hit = _cache.get(face)
        if hit is None:
            key = _key(face)
            stored = _parse(read_entry("vertical", key)) if key is not None else None
            if stored is None:
                data = _read_font(face)
                if key is not None:
                    write_entry("vertical", key, data)
                stored = _parse(data)
            assert stored is not None
            hit = _cache[face] = stored
    return hit


def _key(face: FontFace) -> str | None:
    try:
        path, size, mtime_ns, inode = file_stamp(face.path)
    except OSError:
        return None
    return f"vertical|{path}|{size}|{mtime_ns}|{inode}|{face.index}|{VERTICAL_MARKS}"


def _parse(data: Any) -> VerticalFacts | None:
    """The facts of a stored entry; None when it does not hold together (a miss)."""
    if not (isinstance(data, dict) and isinstance(data.get("default_origin"), int)
            and isinstance(data.get("forms"), dict)):
        return None
    forms = {}
    for mark, value in data["forms"].items():
        if not (mark in _STAND_INS and isinstance(value, list) and len(value) == 4):
            return None
        gid, origin, advance, ink = value
        if not (isinstance(gid, int) and isinstance(origin, int) and isinstance(advance, (int, float))
                and (ink is None or (isinstance(ink, list) and len(ink) == 2))):
            return None
        forms[mark] = VerticalForm(gid, origin, float(advance), None if ink is None else (float(ink[0]), float(ink[1])))
    return VerticalFacts(data["default_origin"], forms)


def _read_font(face: FontFace) -> dict[str, Any]:
    """The facts read with fontTools, as plain JSON data."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    with TTFont(str(face.path), fontNumber=face.index, lazy=True) as font:
        upm = int(font["head"].unitsPerEm)
        scale = 1000 / upm
        default = _default_origin(font, upm)
        cmap = font.getBestCmap() or {}
        substitutions = _single_substitutions(font, ("vert", "vrt2"))
        vmtx = font["vmtx"] if "vmtx" in font else None
        vorg = font["VORG"] if "VORG" in font else None
        glyphs = font.getGlyphSet()
        forms: dict[str, list] = {}
        for mark in VERTICAL_MARKS:
            name = substitutions.get(cmap.get(ord(mark), ""))
            if name is None or name not in glyphs:
                continue
            origin = vorg.VOriginRecords.get(name, vorg.defaultVertOriginY) if vorg is not None else default
            advance = vmtx[name][0] if vmtx is not None and name in vmtx.metrics else upm
            pen = BoundsPen(glyphs)
            glyphs[name].draw(pen)
            ink = None
            if pen.bounds is not None:
                _, y_min, _, y_max = pen.bounds
                ink = [round((origin - y_max) / upm, 4), round((origin - y_min) / upm, 4)]
            forms[mark] = [font.getGlyphID(name), round(origin * scale), advance / upm, ink]
        return {"default_origin": round(default * scale), "forms": forms}


def _default_origin(font: Any, upm: int) -> float:
    """The top of the vertical em box in font units: VORG's default, else the typographic
    ascender when ascender and descender span one em, else 0.88 em (the ideographic em box)."""
    if "VORG" in font:
        return font["VORG"].defaultVertOriginY
    os2 = font["OS/2"] if "OS/2" in font else None
    if os2 is not None and os2.sTypoAscender - os2.sTypoDescender == upm:
        return os2.sTypoAscender
    return 0.88 * upm


def _single_substitutions(font: Any, features: tuple[str, ...]) -> dict[str, str]:
    """Glyph name → substitute of the single-substitution lookups of `features` (any script
    and language: the vertical forms of CJK fonts are the same for all), in lookup order (a
    glyph's first substitute wins)."""
    if "GSUB" not in font:
        return {}
    table = font["GSUB"].table
    if table.FeatureList is None or table.LookupList is None:
        return {}
    indices = sorted({i for record in table.FeatureList.FeatureRecord if record.FeatureTag in features
                      for i in record.Feature.LookupListIndex})
    out: dict[str, str] = {}
    for i in indices:
        lookup = table.LookupList.Lookup[i]
        for sub in lookup.SubTable:
            if lookup.LookupType == 7:  # extension: the real subtable inside
                sub = sub.ExtSubTable
            for source, target in (getattr(sub, "mapping", None) or {}).items():
                out.setdefault(source, target)
    return out
