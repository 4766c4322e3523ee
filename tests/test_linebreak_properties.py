"""Invariants of line breaking and justification over random Chinese text (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted, line_width
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.items import CharClass
from paiban.model.spec import Align, KinsokuPolicy
from paiban.page.justify import GlyphInfo, PositionedGlyph, justify_glyphs
from paiban.text.charclass import NOT_AT_LINE_END, NOT_AT_LINE_START, classify
from paiban.text.itemize import can_break_before, half_width_latin, itemize

HANZI = st.sampled_from(list("中国新区发展创新突破年月日的一是了人我在有他这为之大来以个"))
MARK = st.sampled_from(list("，。、；：？！"))
OPEN = st.sampled_from(list("“《（"))
CLOSE = st.sampled_from(list("”》）"))
TOKEN = st.one_of(
    HANZI, HANZI, HANZI, HANZI, MARK, OPEN, CLOSE,
    st.just("——"), st.just("……"),
    st.from_regex(r"[0-9]{1,4}(\.[0-9]{1,2})?%?", fullmatch=True),
    st.from_regex(r"[A-Za-z]{1,6}", fullmatch=True),
)
TEXT = st.lists(TOKEN, min_size=1, max_size=120).map("".join)
STYLES = ["banjiao", "kaiming", "quanjiao", "hangmobanjiao"]
BREAKERS = {"greedy": break_paragraph_fitted, "total-fit": break_total_fit}
POLICIES = list(KinsokuPolicy)


def fake_lookup(ch: str) -> GlyphInfo:
    cls = classify(ch)
    if cls in (CharClass.POINT, CharClass.CLOSE):
        return GlyphInfo("fake", 1.0, (0.1, 0.35))
    if cls is CharClass.OPEN:
        return GlyphInfo("fake", 1.0, (0.65, 0.9))
    if cls in (CharClass.DIGIT, CharClass.LATIN, CharClass.OTHER):
        return GlyphInfo("fake", 0.5, (0.05, 0.45))
    return GlyphInfo("fake", 1.0, (0.05, 0.95))


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.value)
@settings(max_examples=40, deadline=None)
@given(text=TEXT, measure=st.integers(8, 20), orphans=st.booleans(), pull=st.booleans(),
       breaker=st.sampled_from(sorted(BREAKERS)))
def test_breaking_invariants(text, measure, style, policy, orphans, pull, breaker):
    units = itemize(text, style)
    options = BreakOptions(policy, 0.5, orphans, pull)
    lines, orphan_left = BREAKERS[breaker](units, float(measure), 2.0, options)
    texts = ["".join(u.text for u in units[ln.start:ln.end]) for ln in lines]
    # joining the lines gives back the paragraph
    assert "".join(texts) == text
    for i, (ln, t) in enumerate(zip(lines, texts)):
        assert t, "empty line"
        if ln.forced:
            # only when one unbreakable unit is wider than the line, or the text offers no
            # permitted break inside the line at all (e.g. `——，——，`)
            alone = line_width(units, ln.start, ln.start + 1, ln.indent)
            assert alone > ln.measure or not any(can_break_before(units, j) for j in range(ln.start + 1, ln.end))
            continue
        if i > 0 and not lines[i - 1].forced:
            assert t[0] not in NOT_AT_LINE_START, f"line {i} starts with {t[0]!r}: {texts}"
        if i < len(lines) - 1:
            assert t[-1] not in NOT_AT_LINE_END, f"line {i} ends with {t[-1]!r}: {texts}"
            # a justified line is never more than 1 em short before justification... unless a
            # prohibited cluster was pushed out, which takes at most the cluster's width
        # never wider than the measure after the allowed squeeze, and only marks are squeezed
        assert ln.natural <= measure + 0.5 + 1e-9
        if ln.natural > measure + 1e-9:
            assert any(u.is_mark for u in units[ln.start:ln.end])
    if orphans and orphan_left:
        last = lines[-1]
        assert sum(len(u.text) for u in units[last.start:last.end] if u.cls is CharClass.HAN) == 1


@pytest.mark.parametrize("style", STYLES + ["font"])
@settings(max_examples=60, deadline=None)
@given(text=TEXT, measure=st.integers(8, 20), indent=st.sampled_from([0.0, 1.0, 2.0]),
       policy=st.sampled_from(POLICIES), spacing=st.sampled_from([0.0, 0.25]))
def test_both_breakers_measure_a_line_alike(text, measure, style, indent, policy, spacing):
    # one start-of-line rule (itemize.line_start_width): every line total fit sets has the natural
    # width greedy's `line_width` gives the same units, the indented first line included
    units = itemize(text, style, latin_spacing=spacing)
    lines, _ = break_total_fit(units, float(measure), indent, BreakOptions(policy, 0.5, True))
    for ln in lines:
        assert ln.natural == pytest.approx(line_width(units, ln.start, ln.end, ln.indent), abs=1e-9)


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p.value)
@settings(max_examples=25, deadline=None)
@given(text=TEXT, measure=st.integers(8, 20), breaker=st.sampled_from(sorted(BREAKERS)),
       spacing=st.sampled_from([0.0, 0.25]))
def test_justified_glyphs_stay_inside_the_measure(text, measure, style, policy, breaker, spacing):
    units = itemize(text, style, latin_spacing=spacing)
    lines, _ = BREAKERS[breaker](units, float(measure), 2.0, BreakOptions(policy, 0.5, True))
    for k, ln in enumerate(lines):
        last = k == len(lines) - 1
        if ln.forced:
            continue  # one unit wider than the line: reported as a warning, checked elsewhere
        line = justify_glyphs(units[ln.start:ln.end], measure=float(measure), indent=ln.indent,
                              lookup=fake_lookup, latin_advance=half_width_latin, justify=not last,
                              align=Align.JUSTIFY)
        scales = dict(line.scaled)
        glyphs = [PositionedGlyph(c, x, info, scales.get(i, 1.0))
                  for i, (c, x, info) in enumerate(zip(line.chars, line.xs, line.infos))]
        text = "".join(u.text for u in units[ln.start:ln.end])
        if units[ln.end - 1].hyphen and not text.endswith("-"):
            text += "-"  # the line ends at a hyphenation point: the hyphen is drawn
        assert "".join(g.char for g in glyphs) == text
        for g in glyphs:
            info = g.info
            ink_right = g.x + info.ink[1] * g.scale
            assert g.x + info.ink[0] * g.scale >= -1e-6
            assert ink_right <= measure + 1e-6, f"ink past the measure in {[u.text for u in units[ln.start:ln.end]]}"
        if not last and any(not u.joined for u in units[ln.start:ln.end - 1]):
            # a justified line with a gap to stretch (not one word cut at its hyphenation points)
            # reaches the right edge: its last ink ends within one em of it
            right = max(g.x + g.info.ink[1] * g.scale for g in glyphs)
            assert right >= measure - 1.0


def test_a_squeezed_line_ending_at_a_hyphenation_point_still_draws_its_hyphen():
    """Found by the property above: 中中中，中AAAAAAB| is 0.25 em too long; the push-in squeeze took
    the Han–Latin padding and the hyphen's cell as if both were padding, and the hyphen was lost."""
    units = itemize("——中0000.0中中中，中AAAAAABBAA", "hangmobanjiao", latin_spacing=0.25)
    lines, _ = break_total_fit(units, 9.0, 2.0, BreakOptions(KinsokuPolicy.PUSH_IN, 0.5, True))
    ln = lines[1]
    assert ln.natural > 9.0 and units[ln.end - 1].hyphen  # squeezed, ends at a hyphenation point
    line = justify_glyphs(units[ln.start:ln.end], measure=9.0, indent=ln.indent, lookup=fake_lookup,
                          latin_advance=half_width_latin, justify=True, align=Align.JUSTIFY)
    assert "".join(line.chars) == "中中中，中AAAAAAB-"
    assert line.xs[-1] + fake_lookup("-").ink[1] <= 9.0 + 1e-9
