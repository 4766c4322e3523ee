"""Frames and slots: where the lines of a thread can go.

A text region splits into `text_columns` frames (text columns) of equal measure; a thread's
frames are its regions' frames in order, each filled top to bottom. A *slot* is one line
position in a frame. A slot is a *jump slot* when it is the last line of a region whose next
region in the thread is on another page (the segment's last line carries `（下转第X版）`), and a
*continuation slot* when it is the first line of such a next region (`（上接第Y版）`).
"""

from __future__ import annotations

from dataclasses import dataclass

from paiban.model.spec import Grid, Layout, Region


@dataclass(frozen=True, slots=True)
class Frame:
    region: str
    page: int
    column: int  # 0-based text column within the region
    x: float  # pt from the type area's left edge
    width: float  # pt (the measure)
    first_line: int  # grid line (1-based) of the frame's first line
    lines: int


@dataclass(frozen=True, slots=True)
class Slot:
    frame: int  # index into the thread's frames
    row: int  # 0-based line within the frame
    grid_line: int  # 1-based grid line on the page
    measure: float  # pt
    jump_to: int | None = None  # page number the 下转 line names (jump slot)
    jump_from: int | None = None  # page number the 上接 line names (continuation slot)
    #: grid line just above this slot, kept for the repeated headline (续题) of the story
    headline_line: int | None = None


def region_measure_chars(grid: Grid, region: Region) -> float:
    """The measure of one text column of `region`, in grid characters."""
    span_chars = region.span * grid.column_chars + (region.span - 1) * grid.gutter_chars
    n = region.text_columns
    return (span_chars - (n - 1) * region.gutter_chars) / n


def region_frames(grid: Grid, region: Region) -> list[Frame]:
    measure = region_measure_chars(grid, region)
    x0 = grid.column_x(region.first_column)
    return [
        Frame(region.name, region.page, i,
              x0 + i * (measure + region.gutter_chars) * grid.body_size,
              measure * grid.body_size, region.first_line, region.lines)
        for i in range(region.text_columns)
    ]


def thread_slots(layout: Layout, thread: tuple[str, ...],
                 repeat_headline: bool = False) -> tuple[list[Frame], list[Slot]]:
    """All frames and line slots of a thread, in flow order, with jump marks set.

    With `repeat_headline`, a continuation region's first line is kept for the repeated headline
    and the slot below it becomes the continuation slot."""
    frames: list[Frame] = []
    slots: list[Slot] = []
    regions = [layout.regions[name] for name in thread]
    for r, region in enumerate(regions):
        prev_page = regions[r - 1].page if r > 0 else None
        next_page = regions[r + 1].page if r + 1 < len(regions) else None
        region_first_slot = len(slots)
        for frame in region_frames(layout.grid, region):
            fi = len(frames)
            frames.append(frame)
            for row in range(frame.lines):
                slots.append(Slot(fi, row, frame.first_line + row, frame.width))
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
