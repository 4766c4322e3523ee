"""The usual-line fast path of justification (page/usual_lines.py `UsualLines`) against the general
path (`justify_glyphs`, and `placed_line` after it), bit for bit.

* over random lines of random paragraphs (every punctuation style, Latin spacing, numbers,
  dashes, words, spaces), in random fonts (advances, inks, a second face, missing glyphs), at
  random measures, indents and alignments: whenever `UsualLines` answers, its characters, origins
  and stretched glyphs are `justify_glyphs`'s, and its line is one it may take;
* named lines it must take (hanzi, marks at both ends, a number, a Latin word, a 2-em dash, an
  indent, centred and right-aligned last lines), so the property above compares something;
* the demo's every body line placed by `LinePlacer` with and without the fast path.
"""

from __future__ import annotations

from unittest.mock import patch

from conftest import DEMO
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban import pipeline
from paiban.model.spec import Align
from paiban.page import compose
from paiban.page.justify import GlyphInfo, LineGlyphs, _cell_widths, justify_glyphs
from paiban.page.usual_lines import UsualLines
from paiban.text.itemize import half_width_latin, itemize

HANZI = st.sampled_from(list("中国新区发展创新突破年月日的一是了人我在有他这为之大来以个"))
MARKS = st.sampled_from(list("，。、；：？！“”《》（）·／"))
TOKEN = st.one_of(
    HANZI, HANZI, HANZI, HANZI, MARKS, MARKS,
    st.just("——"), st.just("……"), st.just("—"), st.just("\u3000"), st.just(" "),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,2})?%?", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True),
)
STYLES = ["banjiao", "kaiming", "quanjiao", "hangmobanjiao", "font"]
LATIN = [half_width_latin, lambda ch: 0.553, lambda ch: round(0.25 + (ord(ch) % 13) * 0.0371, 3)]
INK = st.one_of(st.none(), st.tuples(st.floats(0.0, 0.6), st.floats(0.0, 0.6)).map(lambda t: (t[0], t[0] + t[1])))


@st.composite
def fonts(draw, chars: str) -> dict[str, GlyphInfo | None]:
    """A random font: each character's face, advance and ink, now and then no glyph or another
    face; new `GlyphInfo`s (and a new lookup) for every example."""
    table: dict[str, GlyphInfo | None] = {}
    for ch in sorted(set(chars) | {"-"}):
        pick = draw(st.integers(0, 29))
        if pick == 0:
            table[ch] = None
            continue
        face = "g" if pick == 1 else "f"
        advance = 1.0 if "\u2e80" <= ch else draw(st.sampled_from([0.5, 0.553, 0.6, 1.0]))
        advance = draw(st.sampled_from([advance, advance, advance, 0.92]))
        table[ch] = GlyphInfo(face, advance, draw(INK))
    return table


def _general(units, measure, indent, lookup, latin, justify, align) -> LineGlyphs:
    return justify_glyphs(units, measure, indent, lookup, latin, justify, align)


def _assert_same(fast, slow: LineGlyphs) -> None:
    """`fast` (a `UsualLine`) places what `slow` places, and is a line `UsualLines` may take."""
    assert not slow.missing and all(info is not None for info in slow.infos)
    chars, xs, scaled, face_runs = fast
    assert " " not in chars and "\u3000" not in chars
    assert chars == "".join(slow.chars)
    assert [x.hex() for x in xs] == [x.hex() for x in slow.xs]
    assert list(scaled) == slow.scaled
    (start, face), = face_runs
    assert start == 0 and {info.face for info in slow.infos} == {face}


@settings(max_examples=300, deadline=None)
@given(data=st.data(), text=st.lists(TOKEN, min_size=1, max_size=60).map("".join),
       style=st.sampled_from(STYLES), latin=st.sampled_from(LATIN), spacing=st.sampled_from([0.0, 0.0, 0.25]),
       level=st.sampled_from(["gb", "basic", "strict"]))
def test_usual_lines_place_what_justify_glyphs_places(data, text, style, latin, spacing, level):
    units = itemize(text, style, latin, spacing, level)
    table = data.draw(fonts(text))
    usual = UsualLines(table.get, latin)  # one memo for every line of the paragraph, as in a book
    for _ in range(data.draw(st.integers(1, 6))):
        start = data.draw(st.integers(0, len(units) - 1))
        line = units[start:data.draw(st.integers(start + 1, len(units)))]
        indent = data.draw(st.sampled_from([0.0, 0.0, 2.0, 1.0, 0.5]))
        natural = indent + sum(_cell_widths(line, indent))
        slack = data.draw(st.one_of(st.just(0.0), st.just(1e-10), st.floats(-0.6, 4.0, allow_nan=False)))
        justify = data.draw(st.booleans())
        align = data.draw(st.sampled_from(list(Align)))
        fast = usual(line, natural + slack, indent, justify, align)
        if fast is not None:
            _assert_same(fast, _general(line, natural + slack, indent, table.get, latin, justify, align))


FONT = {ch: GlyphInfo("f", 1.0, None) for ch in "中国新区发展创新年月日我在有他"}
FONT.update({ch: GlyphInfo("f", 1.0, (0.08, 0.3)) for ch in "，。、："})  # ink on the left
FONT.update({"“": GlyphInfo("f", 1.0, (0.62, 0.9)), "”": GlyphInfo("f", 1.0, (0.1, 0.38)),
             "—": GlyphInfo("f", 1.0, (0.0, 0.92)), "…": GlyphInfo("f", 1.0, (0.1, 0.9))})
FONT.update({ch: GlyphInfo("f", 0.553, None) for ch in "0123456789.%ABCxyz"})


def _latin(ch: str) -> float:
    return FONT[ch].advance if ch in FONT else 0.5

NAMED = [  # (text, slack, indent, justify, align)
    ("中国新区发展创新年月日", 0.7, 0.0, True, Align.JUSTIFY),
    ("“新区发展”，我在有他。", 0.3, 0.0, True, Align.JUSTIFY),
    ("新区2024年发展12.5%，ABC在有", 1.1, 2.0, True, Align.JUSTIFY),
    ("我在——有他……新区", 0.2, 0.0, True, Align.JUSTIFY),
    ("新区发展：xyz。", 1.5, 2.0, False, Align.JUSTIFY),
    ("新区发展。", 3.0, 0.0, False, Align.CENTER),
    ("“新区”", 2.5, 0.0, False, Align.RIGHT),
]


def test_the_usual_line_takes_marks_numbers_words_and_dashes():
    # the fast path is taken for these (the property compares only the lines it takes)
    usual = UsualLines(FONT.get, _latin)
    for text, slack, indent, justify, align in NAMED:
        units = itemize(text, "banjiao", _latin)
        measure = indent + sum(_cell_widths(units, indent)) + slack
        fast = usual(units, measure, indent, justify, align)
        assert fast is not None, text
        _assert_same(fast, _general(units, measure, indent, FONT.get, _latin, justify, align))


def test_lines_it_leaves_go_to_justify_glyphs():
    usual = UsualLines(FONT.get, _latin)
    squeezed = itemize("中国新区发展创新年月日", "banjiao", _latin)
    assert usual(squeezed, 10.5, 0.0, True, Align.JUSTIFY) is None
    assert usual(squeezed, 11.0, 0.0, True, Align.JUSTIFY) is not None
    assert usual(itemize("中国 新区", "banjiao", _latin), 9.0, 0.0, True, Align.JUSTIFY) is None  # a space
    missing = UsualLines({**FONT, "国": None}.get, _latin)
    assert missing(itemize("中国新区", "banjiao", _latin), 9.0, 0.0, True, Align.JUSTIFY) is None
    other_face = UsualLines({**FONT, "国": GlyphInfo("g", 1.0, None)}.get, _latin)
    assert other_face(itemize("中新区", "banjiao", _latin), 5.0, 0.0, True, Align.JUSTIFY) is not None
    assert other_face(itemize("中国新区", "banjiao", _latin), 9.0, 0.0, True, Align.JUSTIFY) is None


def test_a_unit_unlike_the_one_first_seen_with_its_text_is_not_taken_for_it():
    usual = UsualLines(FONT.get, _latin)
    (wide,) = itemize("，", "quanjiao", _latin)
    (half,) = itemize("，", "banjiao", _latin)
    assert wide.width != half.width
    assert usual((wide,), 3.0, 0.0, False, Align.JUSTIFY) is not None
    assert usual((half,), 3.0, 0.0, False, Align.JUSTIFY) is None


def test_every_demo_line_is_placed_alike_with_and_without_the_fast_path():
    loaded = pipeline.load(DEMO)
    flowed = pipeline.flow(loaded, pipeline.read_stories(loaded.layout))
    lines = [(story, article, fl) for story, article, flow in flowed.stories for fl in flow.lines]
    taken = []

    def counted(lookup, latin_advance):
        usual = UsualLines(lookup, latin_advance)

        def call(*args):
            found = usual(*args)
            taken.append(found is not None)
            return found
        return call

    def place(usual_lines) -> list[str]:
        with patch.object(compose, "usual_lines", usual_lines):
            placer = compose.LinePlacer(flowed.layout, flowed.glyphs)
            out = []
            for story, article, fl in lines:
                chars = article.paragraphs[fl.paragraph].run_in if fl.role == "text" else 0
                out.append(repr(placer(fl, (chars, story.dateline_style) if chars else None)))
            return out

    general = place(lambda lookup, latin_advance: lambda *args: None)
    assert place(counted) == general
    assert len(general) > 300 and sum(taken) > 0.8 * len(general)
