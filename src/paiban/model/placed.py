"""Composed pages: positioned glyphs, rules and markers in points, ready for a backend.

Coordinates are PDF points with the origin at the page's bottom-left corner. A glyph's x
(`PlacedLine.xs`) is its drawing origin (the font's advance box starts there); faces are named by
`FontFace.key`.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from paiban.model.spec import Layout, Press


@dataclass(frozen=True)
class PlacedLine:
    """One line of glyphs. The glyphs are kept as columns, not as 10⁵ objects per edition: the
    characters drawn (a string), their origins, which face draws which run of them, and the few
    stretched ones."""

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
    chars: str = ""  # the drawn glyphs' characters, in order (spaces and missing glyphs are not drawn)
    xs: tuple[float, ...] = ()  # each drawn glyph's origin
    #: (index of the first glyph, FontFace.key) for each run of glyphs drawn by one face
    face_runs: tuple[tuple[int, str], ...] = ()
    #: (glyph index, horizontal scale) for the glyphs not drawn at 100 % (joined dashes)
    scaled: tuple[tuple[int, float], ...] = ()
    #: a vertical line (竖排, `paiban.page.vertical_compose`): each glyph's pen y beside its pen x
    #: in `xs` (x: the line's left edge, y: its top), and how it is drawn, one letter a glyph:
    #: "v" upright in the face's vertical font, "r" turned 90° clockwise, "t" upright across
    #: the column (纵中横); empty for a horizontal line
    ys: tuple[float, ...] = ()
    modes: str = ""

    def __init__(self, story: str, region: str, column: int, grid_line: int, kind: str, x: float, y: float,
                 width: float, size: float, text: str, chars: str = "", xs: tuple[float, ...] = (),
                 face_runs: tuple[tuple[int, str], ...] = (), scaled: tuple[tuple[int, float], ...] = (),
                 ys: tuple[float, ...] = (), modes: str = ""):
        # a frozen dataclass's generated __init__ sets fields one object.__setattr__ at a time;
        # a broadsheet edition has thousands of lines (as `FlowLine`)
        self.__dict__.update(story=story, region=region, column=column, grid_line=grid_line, kind=kind, x=x, y=y,
                             width=width, size=size, text=text, chars=chars, xs=xs, face_runs=face_runs,
                             scaled=scaled, ys=ys, modes=modes)

    def runs(self) -> list[tuple[str, int, int]]:
        """(face, start, end) of each run of glyphs drawn by one face."""
        n = len(self.face_runs)
        return [(face, start, self.face_runs[k + 1][0] if k + 1 < n else len(self.chars))
                for k, (start, face) in enumerate(self.face_runs)]


@dataclass(frozen=True)
class Rule:
    """A straight line (pt), with its width and CMYK colour."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float = 0.5  # pt
    #: CMYK colour (0..1 each)
    cmyk: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Rect:
    """A box: an outline (stroke > 0) and/or a CMYK tint behind text (boxed stories, 框)."""

    x: float
    y: float  # bottom edge
    w: float
    h: float
    stroke: float = 0.5
    stroke_cmyk: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    fill_cmyk: tuple[float, float, float, float] | None = None


@dataclass(frozen=True)
class PlacedImage:
    """A picture placed on a page (pt)."""

    path: str  # the image file, embedded as it is
    x: float
    y: float  # bottom edge
    w: float
    h: float
    pixels: tuple[int, int]  # width, height in pixels
    dpi: float  # effective resolution at this size
    #: the whole picture's rectangle (x, bottom, w, h) when it covers more than the frame above
    #: and is cropped to it (fill, fit); None: the picture is the frame
    crop: tuple[float, float, float, float] | None = None


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
    """One composed page: lines, rules, proof markers, boxes and pictures."""

    number: int
    width: float
    height: float
    lines: tuple[PlacedLine, ...]
    rules: tuple[Rule, ...] = ()
    markers: tuple[Marker, ...] = ()
    rects: tuple[Rect, ...] = ()  # drawn first, under the text
    images: tuple[PlacedImage, ...] = ()


@dataclass(frozen=True)
class EncodedPage:
    """A composed page as the PDF writer draws it: its lines as PDF text operators (made by
    `paiban.render.text_operators.encode_page`), the characters each face draws on it, and the
    rest of the page as composed. Small and independent of the process that made it: pages are
    composed and encoded in worker processes and only this comes back.

    The text operators are kept as the PDF embeds them, deflated (`stream`): a page's text is
    compressed once, where it is encoded, and goes as it is into its page PDF, its edition's PDF
    and its preview (a content stream of its own in the page's /Contents array), and between
    processes at a ninth of its size."""

    number: int
    width: float
    height: float
    #: the text objects of every line, as a zlib (FlateDecode) stream; b"" for a page without text
    stream: bytes
    #: FontFace.key → the distinct characters the page draws with it, sorted
    chars: dict[str, str] = field(hash=False)
    astral: tuple[str, ...] = ()  # the code space's characters beyond U+FFFF (`stream` depends on it)
    line_count: int = 0
    rules: tuple[Rule, ...] = ()
    markers: tuple[Marker, ...] = ()
    rects: tuple[Rect, ...] = ()
    images: tuple[PlacedImage, ...] = ()
    press: Press = Press()  # the layout's press settings (docs/print.md)
    slug: str = ""  # the slug line under the page: paper, date, page, edition (`paiban.render.press`)
    #: the faces whose vertical fonts (Identity-V) the page's vertical lines draw with
    vertical_faces: tuple[str, ...] = ()

    def operators(self) -> str:
        """The text objects of every line, inflated."""
        return zlib.decompress(self.stream).decode("utf-8") if self.stream else ""


def chars_by_face(pages: Iterable[PlacedPage]) -> dict[str, set[str]]:
    """FontFace.key → the characters the pages draw with it (the fonts' subsets)."""
    texts: dict[str, list[str]] = defaultdict(list)
    for page in pages:
        for line in page.lines:
            if len(line.face_runs) == 1:  # the common line: one face
                texts[line.face_runs[0][1]].append(line.chars)
                continue
            for face, start, end in line.runs():
                texts[face].append(line.chars[start:end])
    return {face: distinct_chars("".join(parts)) for face, parts in texts.items()}


def distinct_chars(text: str) -> set[str]:
    """`set(text)`, counted over code points: iterating a str makes a string object for each
    character beyond Latin-1, the ints of its UTF-32 form cost less (a page's text: ~20 % less)."""
    if text.isascii():
        return set(text)
    return set(map(chr, set(memoryview(text.encode("utf-32-le", "surrogatepass")).cast("I"))))


@dataclass(frozen=True)
class MissingGlyph:
    """A character that is not drawn: no face of its role has it, or it is an emoji or a
    private-use character (never drawn, see `paiban.fonts.charsets.refusal`)."""

    char: str
    story: str
    paragraph: int  # 1-based; 0 for headline text
    offset: int  # 0-based character offset in the paragraph (or headline part)
    role: str
    reason: str = "no font has it"  # or "emoji", "private use"
    part: str = ""  # "" for a paragraph; "kicker", "headline" or "subtitle" when paragraph is 0


@dataclass(frozen=True)
class FallbackUse:
    """A character drawn by a fallback face: not the first installed face of its role's chain.

    Its layout used that face's metrics. Positions are as in `MissingGlyph`.
    """

    char: str
    story: str
    paragraph: int  # 1-based; 0 for headline text
    offset: int  # 0-based character offset in the paragraph (or headline part)
    role: str
    face: str  # FontFace.key of the face that draws it, e.g. "uming-0"
    family: str = ""  # that face's family name, e.g. "AR PL UMing CN"
    part: str = ""  # as in MissingGlyph


@dataclass(frozen=True)
class Document:
    """The composed pages of one PDF, and the layout they were composed from (the proof
    overlays read its grid and regions: `paiban.page.proof_overlay`; None where no one needs it)."""

    title: str
    pages: tuple[PlacedPage, ...]
    layout: Layout | None = field(default=None, compare=False, repr=False)
