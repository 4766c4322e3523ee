"""Holes: empty lines a story leaves at the foot of its regions.

A layout editor wants every text column to end on the last grid line of its region (or the
region's columns balanced and the region ending with them). A story shorter than its regions
leaves white at their foot; one empty line is the usual slack, more is a hole the report names
(kind ``hole``, with the page, the region and the lines; a vertical region's lines run across it,
so its hole is the lines left empty at its left edge), so the layout can be tightened or the
story given more text. Pictures and boxes are taken into account as the flow takes them: the
lines are counted in the thread's frames (`paiban.flow.frames.thread_frames`).

`holes` is the report's look at the flowed stories as a whole (the layout build's and the
edition's reports both ask it), so it also names display type set in the flow — subheads, styles
with `word_breaks` — whose lines end inside a word (`subhead_word_cuts`: kind
``display-breaks-word``, as for headlines and captions, `linebreak.display_breaks.breaks_word`):
the breaker takes such a break only when no line between words fits the column.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from operator import attrgetter

from paiban.flow.frames import thread_frames
from paiban.linebreak.display_breaks import breaks_word, cut_words
from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import FlowLine, StoryFlow
from paiban.model.spec import Layout, StorySpec
from paiban.model.vertical_geometry import is_vertical
from paiban.i18n import _

#: empty lines at the foot of a region the report lets pass
SLACK_LINES = 1

_column = attrgetter("region", "column")
_grid_line = attrgetter("grid_line")


def region_holes(layout: Layout, story: StorySpec, flow: StoryFlow) -> list[BuildWarning]:
    """A ``hole`` warning for each region of the story's thread whose fullest-to-the-foot text
    column still leaves more than `SLACK_LINES` empty lines at the region's foot (the deepest
    frame of each column counts: text above a picture may end where the picture starts)."""
    if flow.overset is not None:
        return []
    frames = thread_frames(layout, story.thread)
    used: dict[tuple[str, int], int] = {}
    for key, run in groupby(flow.lines, key=_column):  # one max per run of a column's lines
        used[key] = max(used.get(key, 0), *map(_grid_line, run))
    foot: dict[tuple[str, int], int] = {}  # each text column's last grid line
    for f in frames:
        key = (f.region, f.column)
        foot[key] = max(foot.get(key, 0), f.first_line + f.lines - 1)
    out = []
    for name in story.thread:
        region = layout.regions[name]
        vertical = is_vertical(region)  # its frames are tiers of vertical lines counted from 1, right to left
        columns = [(c, end - used.get((r, c), 0 if vertical else region.first_line - 1))
                   for (r, c), end in foot.items() if r == name]
        if not columns:
            continue
        empty = min(lines for _, lines in columns)  # the region ends with its longest column
        if empty > SLACK_LINES and vertical:
            out.append(BuildWarning("hole", _("story {name}: vertical region {region} leaves {empty} of its {across} "
                                              "lines empty at its left edge").format(
                                                  name=story.name, region=name, empty=empty,
                                                  across=max(foot[key] for key in foot if key[0] == name)),
                                    region.page, story.name))
        elif empty > SLACK_LINES:
            out.append(BuildWarning("hole", _("story {name}: region {region} ends {empty} lines short of its foot (grid line "
                                              "{last_line})").format(
                                                  name=story.name, region=name, empty=empty, last_line=region.last_line), region.page, story.name))
    return out


def subhead_word_cuts(layout: Layout, story: StorySpec, flow: StoryFlow) -> list[BuildWarning]:
    """A ``display-breaks-word`` warning for each paragraph set whole in a `word_breaks` style (a
    subhead) with a line that ends inside a word, naming the story, the paragraph and the text."""
    word_styles = {name for name, style in layout.styles.items() if style.word_breaks}
    paragraphs: dict[int, list[FlowLine]] = {}
    for ln in flow.lines if word_styles else ():
        if ln.style in word_styles and ln.role == "text":
            paragraphs.setdefault(ln.paragraph, []).append(ln)
    out = []
    for pi, lines in paragraphs.items():
        if len(lines) < 2 or not lines[-1].last_of_paragraph:
            continue  # one line, or overset: nothing to judge
        texts = ["".join(u.text for u in ln.units) for ln in lines]
        cuts = cut_words(texts)
        if cuts:
            out.append(breaks_word(_("story {name}: the subhead of paragraph {paragraph}").format(
                name=story.name, paragraph=pi + 1), "".join(texts), cuts,
                                   lines[0].page, story.name))
    return out


def holes(layout: Layout, stories: Iterable[tuple[StorySpec, object, StoryFlow]]) -> list[BuildWarning]:
    """`region_holes` of every story, in the stories' order, then their `subhead_word_cuts`."""
    stories = list(stories)
    return [w for story, _, flow in stories for w in region_holes(layout, story, flow)] + \
        [w for story, _, flow in stories for w in subhead_word_cuts(layout, story, flow)]
