"""Glyph facts for layout and composition, per font role, from the font registry.

`GlyphSource` answers "which face draws this character in this role, how wide is it, where is
its ink" with per-role caches, and the coverage check that runs before layout: every character
of every story is looked up along its role's fallback chain, and those no face has are reported
with their story, paragraph and offset (never drawn as a silent tofu box).
"""

from __future__ import annotations

from typing import Iterable, Protocol

from paiban.model.placed import MissingGlyph
from paiban.page.justify import GlyphInfo, GlyphLookup, LatinAdvance
from paiban.text.charclass import HALF_WIDTH, CharClass, classify

#: characters that need no glyph (layout-only spaces)
INVISIBLE = frozenset(" \u3000")
#: classes whose ink bounds composition needs (outline bounds cost ~0.4 ms a glyph: skip the rest)
INK_CLASSES = frozenset({CharClass.OPEN, CharClass.CLOSE, CharClass.POINT, CharClass.DASH, CharClass.MIDDLE})


class Registry(Protocol):  # what GlyphSource needs of fonts.registry.FontRegistry
    def face_for(self, role: str, ch: str): ...
    def metrics(self, face): ...


class GlyphSource:
    def __init__(self, registry: Registry):
        self.registry = registry
        self._info: dict[str, dict[str, GlyphInfo | None]] = {}
        self.faces: dict[str, object] = {}  # FontFace.key -> FontFace

    def info(self, role: str, ch: str) -> GlyphInfo | None:
        cache = self._info.setdefault(role, {})
        if ch in cache:
            return cache[ch]
        face = self.registry.face_for(role, ch)
        result = None
        if face is not None:
            m = self.registry.metrics(face)
            self.faces[face.key] = face
            ink = m.ink(ch) if classify(ch) in INK_CLASSES else None
            result = GlyphInfo(face.key, m.advance(ch), ink)
        cache[ch] = result
        return result

    def lookup(self, role: str) -> GlyphLookup:
        return lambda ch: self.info(role, ch)

    def latin_advance(self, role: str) -> LatinAdvance:
        def advance(ch: str) -> float:
            info = self.info(role, ch)
            return info.advance if info is not None else HALF_WIDTH
        return advance

    def missing(self, role: str, text: str, story: str, paragraph: int) -> Iterable[MissingGlyph]:
        for offset, ch in enumerate(text):
            if ch not in INVISIBLE and self.info(role, ch) is None:
                yield MissingGlyph(ch, story, paragraph, offset, role)
