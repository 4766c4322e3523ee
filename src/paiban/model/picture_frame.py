"""Where a picture region's image and caption go on the grid (`picture_frame`): the page draws
them there (`paiban.page.furniture.picture`) and the flow keeps those lines from the text around
(`paiban.flow.frames`), so both take the one answer from here, as they take every other width and
position from the spec (`paiban.model.spec`).

The three fits (`Picture.fit`): ``fill`` keeps the region's lines and crops the image to cover
them; ``fit`` takes the image at the region's width and as many whole grid lines as it needs (at
most the region's), freeing the rest for text; ``contain`` keeps the region's lines and fits the
image inside. The image's bottom edge sits one leading above the next grid line, so the caption
below it has its baseline on the body grid, less than a line under the picture.
"""

from __future__ import annotations

import math
import unicodedata
from typing import NamedTuple

from paiban.model.spec import Layout, Region, RegionKind


class PictureFrame(NamedTuple):
    """The grid lines a picture region's image and caption take, from its first line down."""

    image_lines: int  # the image's lines; its bottom edge sits one leading above the next line
    caption_lines: int  # lines kept for the caption, right under the image, on the body grid
    lines: int  # lines kept from text: image, caption and, when text follows, one line of air


def picture_frame(layout: Layout, region: Region) -> PictureFrame:
    """Where a picture region's image and caption go. `fill` and `contain` keep the region's
    lines; `fit` takes the image at the region's width and as many whole grid lines as it needs
    (at most the region's), so the text around flows into the lines it frees. The caption's lines
    are counted here, before fonts are known, at one em a wide character (a narrow one 0.6 em)
    and one character per line of slack for line-break rules: never fewer than it sets. An image
    `fit` cannot take whole (taller than the region, or of unknown size) is cropped as `fill`."""
    pic = region.picture
    grid = layout.grid
    style = layout.styles.get(pic.caption_style)
    size = style.size if style is not None else grid.body_size
    caption = caption_line_estimate(pic.caption, region.width(grid), size)
    air = 1 if _text_below(layout, region) else 0
    image = region.lines - caption - air
    if pic.fit == "fit" and pic.pixels[0] > 0 and pic.pixels[1] > 0:
        height = region.width(grid) * pic.pixels[1] / pic.pixels[0]
        # whole lines the image covers (the leading under its last line is air above the caption)
        natural = max(1, math.floor((height + grid.line_pitch - grid.body_size) / grid.line_pitch + 1e-9))
        image = min(image, natural)
    return PictureFrame(image, caption, min(region.lines, image + caption + 1))


def _text_below(layout: Layout, region: Region) -> bool:
    """Whether a text region that the picture region cuts into goes on below it: then the
    picture keeps a line of air between its caption and that text."""
    return any(other.kind is RegionKind.TEXT and other.page == region.page
               and other.first_line <= region.last_line < other.last_line
               and other.first_column <= region.last_column and region.first_column <= other.last_column
               for other in layout.regions.values())


def caption_line_estimate(text: str, width: float, size: float) -> int:
    """Lines a caption of `text` takes at `size` pt in `width` pt, counted generously (see
    `picture_frame`); 0 for no caption."""
    if not text:
        return 0
    per_line = max(1, math.floor(width / size + 1e-9) - 1)
    ems = sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.6 for c in text)
    return max(1, math.ceil(ems / per_line - 1e-9))
