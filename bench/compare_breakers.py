"""Compare the greedy and total-fit line breakers on the seed column and on a long text.

    python bench/compare_breakers.py

For each breaker × punctuation style × kinsoku policy, set in one 15-em column (2-em indent) with
the style defaults' looseness limit (`max_stretch`, as the flow sets body text): lines, lines
identical to the seed's print (the seed column only), squeezed lines, paragraphs left ending on
one hanzi, the mean and largest slack of justified lines (em), justified lines looser than the
limit, and the time (the best of three runs). The numbers are written into
docs/line-breaking.md by hand.
"""

from __future__ import annotations

import difflib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import lines_text, seed_printed_lines  # noqa: E402

from paiban.input.article_reader import read_article  # noqa: E402
from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted  # noqa: E402
from paiban.linebreak.total_fit import break_total_fit  # noqa: E402
from paiban.linebreak.greedy import too_loose  # noqa: E402
from paiban.model.spec import KinsokuPolicy, TextStyle  # noqa: E402
from paiban.text.itemize import itemize  # noqa: E402

BREAKERS = {"greedy": break_paragraph_fitted, "total-fit": break_total_fit}
STYLES = ("banjiao", "quanjiao", "kaiming")


MAX_STRETCH = TextStyle("body").max_stretch


def run(paragraphs: list[str], breaker: str, style: str, policy: KinsokuPolicy) -> dict:
    options = BreakOptions(policy, 0.5, True, max_stretch=MAX_STRETCH)
    best = float("inf")
    for _ in range(3):
        texts: list[str] = []
        squeezed = orphans = loose = 0
        slacks: list[float] = []
        start = time.perf_counter()
        for text in paragraphs:
            units = itemize(text, style)
            lines, orphan = BREAKERS[breaker](units, 15.0, 2.0, options)
            orphans += orphan is not None
            for k, ln in enumerate(lines):
                squeezed += ln.natural - ln.measure > 1e-9  # set narrower than its natural width
                if k < len(lines) - 1:
                    slacks.append(ln.slack)
                    loose += too_loose(units, ln, MAX_STRETCH)
            texts += lines_text(units, lines)
        best = min(best, time.perf_counter() - start)
    return {"lines": len(texts), "texts": texts, "squeezed": squeezed, "orphans": orphans,
            "mean_slack": sum(slacks) / max(1, len(slacks)), "max_slack": max(slacks, default=0.0),
            "loose": loose, "ms": best * 1000}


def table(name: str, paragraphs: list[str], printed: list[str] | None) -> None:
    chars = sum(map(len, paragraphs))
    print(f"\n{name}: {len(paragraphs)} paragraphs, {chars} characters, 15-em column")
    print("| breaker | style | policy | lines | same as print | squeezed | orphans | mean slack | max slack | loose | ms |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for breaker in BREAKERS:
        for style in STYLES:
            for policy in KinsokuPolicy:
                r = run(paragraphs, breaker, style, policy)
                same = "—"
                if printed is not None and style == "banjiao":
                    m = difflib.SequenceMatcher(a=printed, b=r["texts"], autojunk=False)
                    same = str(sum(b.size for b in m.get_matching_blocks()))
                print(f"| {breaker} | {style} | {policy.value} | {r['lines']} | {same} | {r['squeezed']} | "
                      f"{r['orphans']} | {r['mean_slack']:.2f} | {r['max_slack']:.2f} | {r['loose']} | {r['ms']:.0f} |")


def main() -> None:
    seed = read_article(ROOT / "seeds" / "000_b4709c2c99975726.txt")
    paragraphs = [p.text for p in seed.paragraphs[1:]]
    table("seed column", paragraphs, seed_printed_lines())
    table("long text (seed ×42)", paragraphs * 42, None)


if __name__ == "__main__":
    main()
