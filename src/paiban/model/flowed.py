"""What the flow stage produces: a story's lines assigned to slots, and what did not fit.

`FlowLine` still speaks in units and em (font-independent); page composition turns it into
positioned glyphs (model/placed.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from paiban.model.article import ParagraphKind
from paiban.model.build_warning import BuildWarning
from paiban.model.items import LineBreak, Unit


@dataclass(frozen=True)
class FlowLine:
    """One broken line of a story, placed in a region's column on a grid line."""

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

    def __init__(self, story: str, paragraph: int, kind: ParagraphKind, style: str, units: tuple[Unit, ...],
                 brk: LineBreak, page: int, region: str, column: int, grid_line: int, x: float, measure: float,
                 last_of_paragraph: bool, prefix: tuple[Unit, ...] = (), suffix: tuple[Unit, ...] = (),
                 slot: int = -1, role: str = "text", char_offset: int = 0):
        # the generated __init__ of a frozen dataclass sets the fields one object.__setattr__ at a
        # time; a broadsheet edition has thousands of lines, so they are set in one step (field by
        # field into `self.__dict__` builds a little faster but leaves a dict slower to read)
        self.__dict__.update(story=story, paragraph=paragraph, kind=kind, style=style, units=units, brk=brk,
                             page=page, region=region, column=column, grid_line=grid_line, x=x, measure=measure,
                             last_of_paragraph=last_of_paragraph, prefix=prefix, suffix=suffix, slot=slot,
                             role=role, char_offset=char_offset)

    def moved(self, column: int, grid_line: int, x: float, slot: int) -> FlowLine:
        """This line in another slot (as `dataclasses.replace`, which looks every field up): its
        fields copied, four of them changed."""
        line = object.__new__(FlowLine)
        object.__setattr__(line, "__dict__", {**self.__dict__, "column": column, "grid_line": grid_line, "x": x,
                                              "slot": slot})
        return line


_INIT = FlowLine.__init__.__code__
assert _INIT.co_varnames[:_INIT.co_argcount] == ("self", *(f.name for f in fields(FlowLine))), \
    "FlowLine.__init__ must take every field, in order"


@dataclass(frozen=True)
class Overset:
    """The text of a story that did not fit its thread."""

    characters: int  # characters of story text that found no slot
    paragraph: int  # where overset starts
    offset: int  # character offset in that paragraph
    sentence: str  # the first overset sentence (or its start)


@dataclass(frozen=True)
class RegionFill:
    """How full one region of a story's thread is."""

    region: str
    page: int
    lines: int  # text lines of the story placed in the region
    characters: int
    capacity: int  # line slots the region has


@dataclass(frozen=True)
class StoryFlow:
    """A story flowed through its thread: its lines, fills, overset and warnings."""

    story: str
    lines: tuple[FlowLine, ...]
    overset: Overset | None = None
    placed_characters: int = 0
    warnings: tuple[BuildWarning, ...] = field(default=())
    regions: tuple[RegionFill, ...] = ()
    #: empty line slots left after the story's end (剩余), and the characters they would hold
    underset_lines: int = 0
    underset_characters: int = 0
