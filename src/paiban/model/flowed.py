"""What the flow stage produces: a story's lines assigned to slots, and what did not fit.

`FlowLine` still speaks in units and em (font-independent); page composition turns it into
positioned glyphs (model/placed.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from paiban.linebreak.greedy import LineBreak
from paiban.model.article import ParagraphKind
from paiban.text.itemize import Unit


@dataclass(frozen=True)
class FlowLine:
    story: str
    paragraph: int  # index into the article's paragraphs
    kind: ParagraphKind
    style: str  # text style name
    units: tuple[Unit, ...]  # the line's units (prefix/suffix jump text excluded)
    brk: LineBreak  # indices refer to the paragraph's units; widths in em of the style size
    page: int
    region: str
    column: int  # text column in the region (0-based)
    grid_line: int  # 1-based
    x: float  # pt from the type area's left edge
    measure: float  # pt
    last_of_paragraph: bool
    prefix: tuple[Unit, ...] = ()  # 上接 jump text at the line start
    suffix: tuple[Unit, ...] = ()  # 下转 jump text at the line end
    slot: int = -1  # index of the thread slot the line sits in (-1: above it, a repeated headline)
    role: str = "text"  # text, jump (a 上接/下转 line alone) or continued (the repeated headline)
    char_offset: int = 0  # offset in the paragraph's text of the line's first character

    @property
    def text(self) -> str:
        return "".join(u.text for u in self.units)

    @property
    def full_text(self) -> str:
        return "".join(u.text for u in self.prefix) + self.text + "".join(u.text for u in self.suffix)


@dataclass(frozen=True)
class Overset:
    characters: int  # characters of story text that found no slot
    paragraph: int  # where overset starts
    offset: int  # character offset in that paragraph
    sentence: str  # the first overset sentence (or its start)


@dataclass(frozen=True)
class RegionFill:
    region: str
    page: int
    lines: int  # text lines of the story placed in the region
    characters: int
    capacity: int  # line slots the region has


@dataclass(frozen=True)
class StoryFlow:
    story: str
    lines: tuple[FlowLine, ...]
    overset: Overset | None = None
    placed_characters: int = 0
    warnings: tuple[str, ...] = field(default=())
    regions: tuple[RegionFill, ...] = ()
    #: empty line slots left after the story's end (剩余), and the characters they would hold
    underset_lines: int = 0
    underset_characters: int = 0
