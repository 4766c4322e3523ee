"""Glyph facts for layout and composition, per font role, from the font registry.

`GlyphSource` answers "which face draws this character in this role, how wide is it, where is
its ink" with per-role caches, and the coverage check that runs before layout: every character
of every story is resolved along its role's fallback chain (`paiban.fonts.coverage.resolve`, the
rule ``paiban fonts check`` uses too). Characters drawn by a fallback face are reported with
their story, paragraph and offset (`FallbackUse`); characters that are not drawn, because no
face has them or because they are emoji or private-use characters, are reported the same way
(`MissingGlyph`) and get no `GlyphInfo`, so the composer draws a red proof box, never a silent
tofu.

The check is `scan_segments`: each distinct character of a role is resolved once for all the
texts set in that role, and only the texts that hold a character not drawn by the role's first
face (almost never one) are walked, by a regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple, Protocol

from paiban.fonts.coverage import INVISIBLE as SKIPPED
from paiban.fonts.coverage import MISSING, PRIMARY, CharResolution, resolve
from paiban.fonts.faces import FontFace
from paiban.model.items import CharClass
from paiban.model.placed import FallbackUse, MissingGlyph
from paiban.page.justify import GlyphInfo, GlyphLookup, LatinAdvance
from paiban.text.charclass import HALF_WIDTH, classify

#: characters that need no glyph (layout-only spaces)
INVISIBLE = frozenset(" \u3000")
#: classes whose ink bounds composition needs (outline bounds cost ~0.4 ms a glyph: skip the rest)
INK_CLASSES = frozenset({CharClass.OPEN, CharClass.CLOSE, CharClass.POINT, CharClass.DASH, CharClass.MIDDLE})


class Registry(Protocol):  # what GlyphSource needs of fonts.registry.FontRegistry
    def chain(self, role: str) -> tuple[FontFace, ...]: ...
    def face_for(self, role: str, ch: str) -> FontFace | None: ...
    def metrics(self, face: FontFace): ...


class TextSegment(NamedTuple):
    """``text[start:end]`` set in ``role``, and where it is reported (offsets count from 0 in ``text``)."""

    role: str
    text: str
    story: str
    paragraph: int
    part: str = ""
    start: int = 0
    end: int | None = None


class GlyphSource:
    """Per-role glyph metrics and coverage, cached for one build."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self._info: dict[str, dict[str, GlyphInfo | None]] = {}
        self._resolved: dict[str, dict[str, CharResolution]] = {}
        self.faces: dict[str, FontFace] = {}  # FontFace.key -> FontFace
        self._tables: dict[str, _RoleGlyphs] = {}
        self._latin: dict[str, LatinAdvance] = {}

    def resolution(self, role: str, ch: str) -> CharResolution:
        """How ``ch`` is drawn in ``role``: by the primary face, a fallback face, or not at all."""
        cache = self._resolved.setdefault(role, {})
        hit = cache.get(ch)
        if hit is None:
            hit = cache[ch] = resolve(self.registry, role, ch)
        return hit

    def info(self, role: str, ch: str) -> GlyphInfo | None:
        """Face, advance and (for marks) ink of ``ch`` in ``role``; None when it is not drawn."""
        cache = self._info.setdefault(role, {})
        if ch in cache:
            return cache[ch]
        face = self.resolution(role, ch).face
        result = None
        if face is not None:
            m = self.registry.metrics(face)
            self.faces[face.key] = face
            ink = m.ink(ch) if classify(ch) in INK_CLASSES else None
            result = GlyphInfo(face.key, m.advance(ch), ink)
        cache[ch] = result
        return result

    def lookup(self, role: str) -> GlyphLookup:
        """``info`` for one role as a dict's ``__getitem__``: composition calls it 10⁵ times per
        edition, and a hit then costs one C call."""
        table = self._tables.get(role)
        if table is None:
            table = self._tables[role] = _RoleGlyphs(self, role)
        return table.__getitem__

    def latin_advance(self, role: str) -> LatinAdvance:
        """The advance (em) of a character in ``role`` (½ em when no face has it), as a dict's
        ``__getitem__``: itemizing and justifying Latin words and numbers call it per character."""
        hit = self._latin.get(role)
        if hit is None:
            hit = self._latin[role] = _RoleAdvances(self, role).__getitem__
        return hit

    def scan_segments(self, segments: Iterable[TextSegment]) -> tuple[list[MissingGlyph], list[FallbackUse]]:
        """The characters of the segments not drawn (`MissingGlyph`) and drawn by a fallback face
        (`FallbackUse`), each with its offset, in the segments' order."""
        items = list(segments)
        odd = self._odd_by_role(items)
        missing: list[MissingGlyph] = []
        fallbacks: list[FallbackUse] = []
        for seg in items:
            found = odd.get(seg.role)
            if found is None:
                continue
            resolutions, pattern = found
            end = len(seg.text) if seg.end is None else seg.end
            for match in pattern.finditer(seg.text, seg.start, end):
                res = resolutions[match.group()]
                if res.status == MISSING or res.face is None:
                    missing.append(MissingGlyph(res.char, seg.story, seg.paragraph, match.start(), seg.role,
                                                res.reason, seg.part))
                else:
                    fallbacks.append(FallbackUse(res.char, seg.story, seg.paragraph, match.start(), seg.role,
                                                 res.face.key, res.face.family, seg.part))
        return missing, fallbacks

    def _odd_by_role(self, segments: list[TextSegment]
                     ) -> dict[str, tuple[dict[str, CharResolution], re.Pattern[str]]]:
        """Per role: the resolutions of its characters not drawn by its first face, and a pattern
        matching any of them (roles without such characters are left out)."""
        chars: dict[str, set[str]] = {}
        for seg in segments:
            text = seg.text if seg.start == 0 and seg.end is None else seg.text[seg.start:seg.end]
            chars.setdefault(seg.role, set()).update(text)
        odd: dict[str, tuple[dict[str, CharResolution], re.Pattern[str]]] = {}
        for role, distinct in chars.items():
            found = {ch: res for ch in distinct - SKIPPED
                     if (res := self.resolution(role, ch)).status != PRIMARY}
            if found:
                alternatives = "|".join(re.escape(ch) for ch in sorted(found))
                odd[role] = (found, re.compile(alternatives))
        return odd


class _RoleAdvances(dict):
    """char → advance (em) in one role, from `GlyphSource.info` on a miss (½ em without a glyph)."""

    def __init__(self, source: GlyphSource, role: str):
        super().__init__()
        self.source = source
        self.role = role

    def __missing__(self, ch: str) -> float:
        info = self.source.info(self.role, ch)
        advance = self[ch] = info.advance if info is not None else HALF_WIDTH
        return advance


class _RoleGlyphs(dict):
    """char → GlyphInfo (or None) of one role, filled from `GlyphSource.info` on a miss."""

    def __init__(self, source: GlyphSource, role: str):
        super().__init__()
        self.source = source
        self.role = role

    def __missing__(self, ch: str) -> GlyphInfo | None:
        info = self[ch] = self.source.info(self.role, ch)
        return info
