"""Holes: empty lines a story leaves at the foot of its regions.

A layout editor wants every text column to end on the last grid line of its region (or the
region's columns balanced and the region ending with them). A story shorter than its regions
leaves white at their foot; one empty line is the usual slack, more is a hole the report names
(kind ``hole``, with the page, the region and the lines), so the layout can be tightened or the
story given more text. Pictures and boxes are taken into account as the flow takes them: the
lines are counted in the thread's frames (`paiban.flow.frames.thread_slots`).
"""

from __future__ import annotations

from collections.abc import Iterable

from paiban.flow.frames import thread_slots
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import StoryFlow
from paiban.model.spec import Layout, StorySpec

#: empty lines at the foot of a region the report lets pass
SLACK_LINES = 1


def region_holes(layout: Layout, story: StorySpec, flow: StoryFlow) -> list[BuildWarning]:
    """A ``hole`` warning for each region of the story's thread whose fullest-to-the-foot text
    column still leaves more than `SLACK_LINES` empty lines at the region's foot (the deepest
    frame of each column counts: text above a picture may end where the picture starts)."""
    if flow.overset is not None:
        return []
    frames, _ = thread_slots(layout, story.thread, story.repeat_headline)
    used: dict[tuple[str, int], int] = {}
    for ln in flow.lines:
        key = (ln.region, ln.column)
        used[key] = max(used.get(key, 0), ln.grid_line)
    foot: dict[tuple[str, int], int] = {}  # each text column's last grid line
    for f in frames:
        key = (f.region, f.column)
        foot[key] = max(foot.get(key, 0), f.first_line + f.lines - 1)
    out = []
    for name in story.thread:
        columns = [(c, end - used.get((r, c), layout.regions[name].first_line - 1))
                   for (r, c), end in foot.items() if r == name]
        if not columns:
            continue
        empty = min(lines for _, lines in columns)  # the region ends with its longest column
        if empty > SLACK_LINES:
            region = layout.regions[name]
            out.append(BuildWarning("hole", f"story {story.name}: region {name} ends {empty} lines short of its "
                                    f"foot (grid line {region.last_line})", region.page, story.name))
    return out


def holes(layout: Layout, stories: Iterable[tuple[StorySpec, object, StoryFlow]]) -> list[BuildWarning]:
    """`region_holes` of every story, in the stories' order."""
    return [w for story, _, flow in stories for w in region_holes(layout, story, flow)]
