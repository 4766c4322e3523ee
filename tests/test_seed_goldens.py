"""Golden traces of the seed column for each punctuation style, kinsoku policy and breaker.

Each trace lists every line of the 28 paragraphs set in one 15-em column: line number, natural
width in em, `squeezed` when the line is set narrower than its natural width, and the text.
A change in line breaking shows up here as a diff; rewrite with `pytest --update-goldens`.
"""

from __future__ import annotations

import pytest
from conftest import ROOT, check_golden

from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted
from paiban.linebreak.total_fit import break_total_fit
from paiban.model.spec import KinsokuPolicy
from paiban.text.charclass import NOT_AT_LINE_END, NOT_AT_LINE_START
from paiban.text.itemize import itemize

GOLDENS = ROOT / "tests" / "goldens" / "seed_column"
STYLES = ("banjiao", "kaiming", "quanjiao", "hangmobanjiao")
CASES = [(style, policy, "greedy") for style in STYLES for policy in KinsokuPolicy] + [
    ("banjiao", KinsokuPolicy.PUSH_OUT, "total-fit"), ("quanjiao", KinsokuPolicy.PUSH_IN, "total-fit")]


def squeeze(ln) -> float:
    """How many em a `LineBreak` must shrink (0 when it fits at natural widths)."""
    return max(0.0, ln.natural - ln.measure)


def seed_lines(seed_article, style: str, policy: KinsokuPolicy, breaker: str):
    fn = break_total_fit if breaker == "total-fit" else break_paragraph_fitted
    out = []
    for p in seed_article.paragraphs[1:]:
        units = itemize(p.text, style)
        lines, _ = fn(units, 15.0, 2.0, BreakOptions(policy, 0.5, True))
        for ln in lines:
            out.append((ln, "".join(u.text for u in units[ln.start:ln.end])))
    return out


@pytest.mark.parametrize("style,policy,breaker", CASES, ids=lambda v: getattr(v, "value", v))
def test_seed_column_golden_trace(seed_article, style, policy, breaker, golden):
    lines = seed_lines(seed_article, style, policy, breaker)
    trace = "".join(f"{k + 1:3d} {ln.natural:5.2f} {'squeezed' if squeeze(ln) > 1e-9 else '        '} {text}\n"
                    for k, (ln, text) in enumerate(lines))
    golden(GOLDENS / f"{style}-{policy.value}-{breaker}.txt", trace)


def test_quanjiao_push_in_keeps_every_line_in_15_em_without_kinsoku_violations(seed_article):
    lines = seed_lines(seed_article, "quanjiao", KinsokuPolicy.PUSH_IN, "greedy")
    for ln, text in lines:
        assert ln.natural - min(squeeze(ln), 0.5) <= 15.0 + 1e-9, text
    texts = [t for _, t in lines]
    for a, b in zip(texts, texts[1:]):
        assert a[-1] not in NOT_AT_LINE_END and b[0] not in NOT_AT_LINE_START, (a, b)


def test_a_missing_golden_file_fails_unless_goldens_are_updated(tmp_path):
    path = tmp_path / "goldens" / "new.txt"
    with pytest.raises(pytest.fail.Exception, match="missing.*--update-goldens"):
        check_golden(path, "line\n", update=False)
    assert not path.exists()  # not written: the next run fails too
    check_golden(path, "line\n", update=True)
    assert path.read_text(encoding="utf-8") == "line\n"
    check_golden(path, "line\n", update=False)
    with pytest.raises(AssertionError):
        check_golden(path, "other\n", update=False)
