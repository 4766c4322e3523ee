"""The article model: a story's text as the reader found it.

An `Article` holds the headline parts from front matter (or from the scanned column), and the body
as a tuple of `Paragraph`s, each of a kind (body, subhead, byline). Text is stored exactly as it
will be printed (no letter-spacing, `——` as two U+2014), so that joining the placed lines of a
paragraph gives back `Paragraph.text`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path


class ParagraphKind(str, Enum):
    BODY = "body"
    SUBHEAD = "subhead"
    BYLINE = "byline"


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of the story (body text, a subhead or the byline), its text as printed."""

    text: str
    kind: ParagraphKind = ParagraphKind.BODY
    #: 1-based line in the source file where the paragraph starts (for reports).
    source_line: int = 0
    #: leading characters set in the dateline style (a run-in 本报讯（记者 …）)
    run_in: int = 0


@dataclass(frozen=True)
class Headline:
    """The headline's three parts (引题, 主题, 副题); an empty part is not set."""

    kicker: str = ""  # 引题
    main: str = ""  # 主题 (may hold line breaks as "\n")
    subtitle: str = ""  # 副题

    def is_empty(self) -> bool:
        return not (self.kicker or self.main or self.subtitle)


@dataclass(frozen=True)
class Article:
    """A story's text as read from its file: headline, byline, dateline and paragraphs."""

    source: Path
    headline: Headline = field(default_factory=Headline)
    byline: str = ""
    dateline: str = ""
    paragraphs: tuple[Paragraph, ...] = ()
