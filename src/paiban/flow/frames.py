"""Frames and slots: where the lines of a thread can go.

A text region splits into `text_columns` frames (text columns) of equal measure; a thread's
frames are its regions' frames in order, each filled top to bottom. A *slot* is one line
position in a frame. A slot is a *jump slot* when it is the last line of a region whose next
region in the thread is on another page (the segment's last line carries `（下转第X版）`), and a
*continuation slot* when it is the first line of such a next region (`（上接第Y版）`).

The measure is in pt from here on: the region's text column in grid characters
(`Region.measure_chars`) becomes pt once (`Region.measure`, then a box's padding off), and that
pt number travels unchanged (`Frame.width`, `Slot.measure`, `FlowLine.measure`, the placed
line's width). Whoever works in em of a style divides it by the style's size where it needs it
(the line breakers in thread_flow, justification in page/compose), the same division of the same
number, so the lines are justified to the very measure they were broken for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import repeat
from typing import NamedTuple

from paiban.model.picture_frame import picture_frame
from paiban.model.spec import Grid, Layout, Region
from paiban.model.vertical_geometry import is_vertical, line_count, tier_chars


@dataclass(frozen=True, slots=True)
class Frame:
    """A rectangle of grid lines and columns that flowed text fills."""

    region: str
    page: int
    column: int  # 0-based text column within the region
    x: float  # pt from the type area's left edge
    width: float  # pt (the measure; the breakers and justification take it in em of a style's size)
    first_line: int  # grid line (1-based) of the frame's first line
    lines: int


class Slot(NamedTuple):
    """One line position of a thread (a named tuple: a broadsheet thread has thousands)."""

    frame: int  # index into the thread's frames
    row: int  # 0-based line within the frame
    grid_line: int  # 1-based grid line on the page
    measure: float  # pt
    jump_to: int | None = None  # page number the 下转 line names (jump slot)
    jump_from: int | None = None  # page number the 上接 line names (continuation slot)
    #: grid line just above this slot, kept for the repeated headline (续题) of the story
    headline_line: int | None = None


def region_frames(grid: Grid, region: Region, obstacles: tuple[tuple[Region, int], ...] = ()) -> list[Frame]:
    """The region's text columns (their geometry is the region's: `Region.text_column_x`,
    `Region.measure`), inside a box's padding; a picture over a column cuts the lines it keeps
    (`obstacles`: picture regions with those lines, `picture_frame`) out of it (the column goes
    on below the picture), so text flows around pictures. A vertical region's frames are its
    tiers, each holding its vertical lines right to left (`paiban.model.vertical_geometry`)."""
    if is_vertical(region):
        measure = tier_chars(grid, region) * grid.body_size
        return [Frame(region.name, region.page, t, region.left(grid), measure, 1, line_count(grid, region))
                for t in range(region.text_columns)]
    measure = region.measure(grid)
    inset = region.box.padding * grid.body_size if region.box is not None else 0.0
    edges = [(pic.left(grid), pic.right(grid), pic, lines) for pic, lines in obstacles]
    frames: list[Frame] = []
    for i in range(region.text_columns):
        x = region.text_column_x(grid, i)
        width = measure
        if region.box is not None:  # a boxed region's text sits inside the padding
            left = inset if i == 0 else 0.0
            right = inset if i == region.text_columns - 1 else 0.0
            x, width = x + left, width - left - right
        blocked = set()
        for px0, px1, pic, lines in edges:
            if px0 < x + width - 0.5 and x < px1 - 0.5:
                blocked.update(range(pic.first_line, pic.first_line + lines))
        first, last = region.first_line, region.last_line
        if region.box is not None:  # a line of padding above and below the text
            first, last = first + 1, last - 1
        frames += [Frame(region.name, region.page, i, x, width, start, lines)
                   for start, lines in line_runs(first, last, blocked)]
    return frames


def line_runs(first: int, last: int, blocked: set[int]) -> list[tuple[int, int]]:
    """The runs of lines from `first` to `last` that are not `blocked`, as (first line, lines):
    found from the blocked lines, not by looking at every line."""
    runs = []
    start = first
    for cut in [*sorted(line for line in blocked if first <= line <= last), last + 1]:
        if cut > start:
            runs.append((start, cut - start))
        start = cut + 1
    return runs


def pictures_on(layout: Layout, region: Region) -> tuple[tuple[Region, int], ...]:
    """Picture regions on the same page whose lines and columns meet `region`, each with the
    lines it keeps from text (`picture_frame`)."""
    return tuple((other, picture_frame(layout, other).lines) for other in layout.regions.values()
                 if other.picture is not None and other.page == region.page
                 and other.first_line <= region.last_line and region.first_line <= other.last_line
                 and other.first_column <= region.last_column and region.first_column <= other.last_column)


def thread_frames(layout: Layout, thread: tuple[str, ...]) -> list[Frame]:
    """The frames of a thread, in flow order: `thread_slots`' frames, without the slots."""
    return [frame for name in thread
            for frame in region_frames(layout.grid, layout.regions[name], pictures_on(layout, layout.regions[name]))]


def _frame_slots(fi: int, frame: Frame) -> Iterator[Slot]:
    """The slots of frame `fi`, top to bottom, without jump marks."""
    n = frame.lines
    fields = zip(repeat(fi, n), range(n), range(frame.first_line, frame.first_line + n), repeat(frame.width, n),
                 repeat(None, n), repeat(None, n), repeat(None, n))
    # `Slot._make` without its length check: a broadsheet thread has thousands of slots
    return map(tuple.__new__, repeat(Slot, n), fields)


def thread_slots(layout: Layout, thread: tuple[str, ...],
                 repeat_headline: bool = False) -> tuple[list[Frame], list[Slot]]:
    """All frames and line slots of a thread, in flow order (frame by frame, each top to bottom),
    with jump marks set.

    With `repeat_headline`, a continuation region's first line is kept for the repeated headline
    and the slot below it becomes the continuation slot."""
    frames: list[Frame] = []
    slots: list[Slot] = []
    regions = [layout.regions[name] for name in thread]
    for r, region in enumerate(regions):
        prev_page = regions[r - 1].page if r > 0 else None
        next_page = regions[r + 1].page if r + 1 < len(regions) else None
        region_first_slot = len(slots)
        for frame in region_frames(layout.grid, region, pictures_on(layout, region)):
            fi = len(frames)
            frames.append(frame)
            slots.extend(_frame_slots(fi, frame))
        if next_page is not None and next_page != region.page and len(slots) > region_first_slot:
            last = slots[-1]
            slots[-1] = Slot(last.frame, last.row, last.grid_line, last.measure, jump_to=next_page)
        if prev_page is not None and prev_page != region.page and len(slots) > region_first_slot:
            first = slots[region_first_slot]
            headline_line = None
            if repeat_headline and len(slots) > region_first_slot + 1:
                headline_line = first.grid_line
                del slots[region_first_slot]
                first = slots[region_first_slot]
            slots[region_first_slot] = Slot(first.frame, first.row, first.grid_line, first.measure,
                                            first.jump_to, jump_from=prev_page, headline_line=headline_line)
    return frames, slots
