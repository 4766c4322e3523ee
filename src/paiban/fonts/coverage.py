"""Which face draws each character of a role, and how much of a character set a role covers.

One rule, used by the build (through `paiban.page.glyph_source.GlyphSource`) and by
``paiban fonts`` alike, so the two always agree (`resolve`):

* a character that `paiban.fonts.charsets.refusal` names (an emoji, a private-use code point)
  is **missing**, whatever the fonts map: it is reported and drawn as a red proof box;
* otherwise the first face of the role's chain whose cmap has it draws it: the role's first
  installed face (**primary**) or a later one (**fallback**; its own metrics are used in layout);
* a character no face of the chain has is **missing** too.

`set_coverage` counts a character set (GB 2312 hanzi, the 通用规范汉字表, an article's
characters) against a role; `scan_text` walks a text and gives every fallback and missing
character with its offset.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from paiban.fonts.charsets import refusal
from paiban.fonts.faces import FontFace
from paiban.i18n import N_

__all__ = ["FALLBACK", "MISSING", "NO_FONT", "PRIMARY", "CharResolution", "RoleFaces", "SetCoverage", "TextHit",
           "resolve", "scan_text", "set_coverage"]

PRIMARY = "primary"
FALLBACK = "fallback"
MISSING = "missing"
#: the reason of a missing character that is not refused but that no face has
NO_FONT = N_("no font has it")
#: characters that need no glyph (layout-only spaces, the headline's line break)
INVISIBLE = frozenset(" \u3000\n")


class RoleFaces(Protocol):
    """What coverage needs of `paiban.fonts.registry.FontRegistry`."""

    def chain(self, role: str) -> tuple[FontFace, ...]: ...

    def face_for(self, role: str, ch: str) -> FontFace | None: ...


@dataclass(frozen=True, slots=True)
class CharResolution:
    """How one character is drawn in one role."""

    char: str
    status: str  # PRIMARY, FALLBACK or MISSING
    face: FontFace | None  # the face that draws it (None when missing)
    reason: str = ""  # for MISSING: NO_FONT, "emoji" or "private use"


def resolve(registry: RoleFaces, role: str, ch: str) -> CharResolution:
    """The face that draws ``ch`` in ``role`` and whether it is the primary face (see module doc)."""
    refused = refusal(ch)
    if refused is not None:
        return CharResolution(ch, MISSING, None, refused)
    face = registry.face_for(role, ch)
    if face is None:
        return CharResolution(ch, MISSING, None, NO_FONT)
    chain = registry.chain(role)
    status = PRIMARY if chain and chain[0] == face else FALLBACK
    return CharResolution(ch, status, face)


@dataclass(frozen=True)
class TextHit:
    """A character of a text that is drawn by a fallback face or not at all, with its offset."""

    offset: int  # 0-based, in the text as given
    resolution: CharResolution


def scan_text(registry: RoleFaces, role: str, text: str) -> Iterator[TextHit]:
    """Every character of ``text`` that falls back or is missing in ``role``, in text order
    (spaces and line breaks need no glyph and are skipped)."""
    memo: dict[str, CharResolution] = {}
    for offset, ch in enumerate(text):
        if ch in INVISIBLE:
            continue
        res = memo.get(ch) or memo.setdefault(ch, resolve(registry, role, ch))
        if res.status != PRIMARY:
            yield TextHit(offset, res)


@dataclass(frozen=True)
class SetCoverage:
    """How a role covers a set of characters."""

    role: str
    total: int
    primary: int  # drawn by the role's first face
    by_face: dict[str, int] = field(default_factory=dict)  # FontFace.key -> characters it draws
    missing: tuple[str, ...] = ()  # sorted by code point
    refused: tuple[str, ...] = ()  # the missing ones that are emoji or private use

    @property
    def covered(self) -> int:
        return self.total - len(self.missing)

    @property
    def fallback(self) -> int:
        return self.covered - self.primary

    def percent(self) -> float:
        """Covered share in percent (100 for an empty set)."""
        return 100.0 * self.covered / self.total if self.total else 100.0


def set_coverage(registry: RoleFaces, role: str, chars: Iterable[str]) -> SetCoverage:
    """Count ``chars`` (distinct characters; invisible ones are ignored) against ``role``."""
    distinct = sorted({c for c in chars if c not in INVISIBLE}, key=ord)
    by_face: Counter[str] = Counter()
    primary = 0
    missing: list[str] = []
    refused: list[str] = []
    for ch in distinct:
        res = resolve(registry, role, ch)
        if res.status == MISSING:
            missing.append(ch)
            if res.reason != NO_FONT:
                refused.append(ch)
            continue
        assert res.face is not None
        by_face[res.face.key] += 1
        if res.status == PRIMARY:
            primary += 1
    return SetCoverage(role, len(distinct), primary, dict(by_face), tuple(missing), tuple(refused))
