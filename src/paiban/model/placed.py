"""Composed pages: positioned glyphs, rules and markers in points, ready for a backend.

Coordinates are PDF points with the origin at the page's bottom-left corner. A glyph's `x` is
its drawing origin (the font's advance box starts there); `face` is a `FontFace.key`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyph:
    char: str
    x: float
    face: str  # FontFace.key
    #: horizontal scale (1.0 normally; the 2-em dash may be stretched to join)
    scale: float = 1.0


@dataclass(frozen=True)
class PlacedLine:
    story: str
    region: str
    column: int
    grid_line: int
    kind: str  # body, subhead, byline, jump, headline, kicker, subtitle, furniture
    x: float  # left edge of the line box
    y: float  # baseline
    width: float  # the measure
    size: float  # pt
    text: str  # what the line reads (jump text included)
    glyphs: tuple[Glyph, ...]


@dataclass(frozen=True)
class Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.5  # pt
    #: CMYK colour (0..1 each)
    cmyk: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Marker:
    """A visible proof marker (missing glyph, overset) drawn as a red outlined box."""

    x: float
    y: float
    w: float
    h: float
    note: str


@dataclass(frozen=True)
class PlacedPage:
    number: int
    width: float
    height: float
    lines: tuple[PlacedLine, ...]
    rules: tuple[Rule, ...] = ()
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class MissingGlyph:
    char: str
    story: str
    paragraph: int  # 1-based; 0 for headline text
    offset: int  # 0-based character offset in the paragraph (or headline)
    role: str


@dataclass(frozen=True)
class Document:
    title: str
    pages: tuple[PlacedPage, ...]
