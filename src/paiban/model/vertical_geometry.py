"""Where the lines of a vertical region (竖排, `Region.writing_mode == "vertical"`) go.

A vertical region is the same rectangle of the page grid as a horizontal one; its text is set
in lines that run top to bottom and follow each other right to left (clreq §2.2.1, "vertical
writing mode"). Its grid is turned: a line's *measure* is the region's height counted in
characters of the body size (whole characters, so a vertical line holds as many hanzi as its
em boxes fit between the region's top and the foot of its last grid line), and its *lines*
are the body line pitch apart across the region, the first flush with its right edge. A
region's `text_columns` split it into tiers (栏) stacked top to bottom, `gutter_chars` apart
(typography.md §6: "multi-column vertical pages are divided into horizontal tiers").

Lengths in pt; x from the page's left edge, y in PDF coordinates (up), as composition uses.
"""

from __future__ import annotations

from math import floor

from paiban.model.spec import Grid, Layout, Region

VERTICAL = "vertical"
HORIZONTAL = "horizontal"
WRITING_MODES = (HORIZONTAL, VERTICAL)
_EPS = 1e-9


def is_vertical(region: Region) -> bool:
    return region.writing_mode == VERTICAL


def height_chars(grid: Grid, region: Region) -> float:
    """The region's height in characters of the body size: from the top of its first grid
    line to the foot of its last line's em box."""
    return ((region.lines - 1) * grid.line_pitch + grid.body_size) / grid.body_size


def tier_chars(grid: Grid, region: Region) -> int:
    """The measure of one tier (text column) of a vertical region, in whole characters."""
    tiers = region.text_columns
    return floor((height_chars(grid, region) - (tiers - 1) * region.gutter_chars) / tiers + _EPS)


def line_count(grid: Grid, region: Region, pitch: float | None = None, size: float | None = None) -> int:
    """How many vertical lines of `size` type, `pitch` apart, fit across the region (body
    size and line pitch by default)."""
    pitch = grid.line_pitch if pitch is None else pitch
    size = grid.body_size if size is None else size
    return max(0, floor((region.width(grid) - size) / pitch + _EPS) + 1)


def line_left(layout: Layout, region: Region, index: int, pitch: float | None = None,
              size: float | None = None) -> float:
    """The left edge of vertical line `index` (0 = the rightmost), pt from the page's left."""
    grid = layout.grid
    pitch = grid.line_pitch if pitch is None else pitch
    size = grid.body_size if size is None else size
    return region.right(grid, layout.page.margin_left) - size - index * pitch


def region_top(layout: Layout, region: Region) -> float:
    """The top of the region's first grid line (PDF coordinates)."""
    return layout.grid_top(region.page) - (region.first_line - 1) * layout.grid.line_pitch


def tier_top(layout: Layout, region: Region, tier: int) -> float:
    """The top of tier `tier` (0-based, from the top) of a vertical region."""
    grid = layout.grid
    return region_top(layout, region) - tier * (tier_chars(grid, region) + region.gutter_chars) * grid.body_size
