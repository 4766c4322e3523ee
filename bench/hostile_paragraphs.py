"""Hostile paragraphs: the time and peak memory of a whole build of one paragraph no paper prints.

    python bench/hostile_paragraphs.py                  # every case at 10, 25, 50 and 100 % of its size
    python bench/hostile_paragraphs.py --fractions 1    # the full sizes only
    python bench/hostile_paragraphs.py --one latin 1.0  # one build (what each row runs in a process of its own)

Each case is one story of one paragraph in a small two-page layout (two 15-character columns a
page, a jump line between the pages), its `limits:` raised so the paragraph is read (article_size
8 MB, paragraph_chars 4,000,000: the limits are the layout's, never bypassed). Every build runs
in a new process, as `paiban build LAYOUT -o OUT` would (pipeline.build: read, itemize, break,
flow, compose the two pages, write the PDF), after a warm-up build per case that puts the fonts
and the segmented words around its jump line (text/phrases.py) in the
cache. A row gives the build's time (in the process, imports excluded), its flow stage, the
process's peak resident memory (getrusage ru_maxrss: Python, fonts and all), and whether every
character of the file is placed or reported as overset (placed + overset = the file's paragraph).

Cases (issue 18): 1 MB of Latin with spaces (`ab ab ab …`), 90,000 opening and 90,000 closing
brackets, 100,000 `——`, 30,000 hanzi broken with total fit, 1 MB of hanzi without punctuation.
Done when each is under 3 s and 500 MB and time grows linearly with size: the flow stage's ms per
100,000 characters stays about constant from 10 % to 100 % (the build's fixed cost, ~0.2 s of
fonts, two pages and a PDF, is not in it).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

HANZI = "中国新区发展创新突破经济社会海洋港口城市建设"
#: case → (what it is, its paragraph at full size, the breaker)
CASES: dict[str, tuple[str, str, str]] = {
    "latin": ("1 MB Latin with spaces", ("ab " * 349_526)[:1 << 20], "greedy"),
    "open": ("90,000 opening brackets", "（" * 90_000, "greedy"),
    "close": ("90,000 closing brackets", "）" * 90_000, "greedy"),
    "dashes": ("100,000 ——", "——" * 100_000, "greedy"),
    "total-fit": ("30,000 hanzi, total fit", (HANZI * 1400)[:30_000], "total-fit"),
    "hanzi": ("1 MB hanzi, no punctuation", (HANZI * 16_000)[:(1 << 20) // 3], "greedy"),
}

LAYOUT = """\
title: hostile paragraph
page: {{size: a4}}
grid: {{columns: 2, column_chars: 15, rows: 40}}
limits: {{article_size: 8MB, paragraph_chars: 4000000}}
styles:
  body: {{breaker: {breaker}}}
pages:
  - page: 1
    regions:
      - {{name: head, kind: headline, columns: [1, 2], lines: [1, 4]}}
      - {{name: one, columns: [1, 2], lines: [5, 40]}}
  - page: 2
    regions:
      - {{name: two, columns: [1, 2], lines: [1, 40]}}
stories:
  - {{name: s, article: a.txt, headline: head, thread: [one, two]}}
"""


def paragraph(case: str, fraction: float) -> str:
    text = CASES[case][1]
    size = int(len(text) * fraction)
    return text[:size - size % 2] if case == "dashes" else text[:size]


def write_case(folder: Path, case: str, fraction: float) -> tuple[Path, str]:
    text = paragraph(case, fraction)
    (folder / "a.txt").write_text("---\nheadline: 主题\n---\n\n" + text + "\n", encoding="utf-8")
    layout = folder / "l.yaml"
    layout.write_text(LAYOUT.format(breaker=CASES[case][2]), encoding="utf-8")
    return layout, text


def one(case: str, fraction: float) -> dict:
    """Build one case in this process; what a row shows, as a dict."""
    from paiban import pipeline
    from paiban.pipeline import BuildOptions

    with tempfile.TemporaryDirectory() as tmp:
        layout, text = write_case(Path(tmp), case, fraction)
        start = time.perf_counter()
        result = pipeline.build(layout, BuildOptions(output=Path(tmp) / "out.pdf"))
        seconds = time.perf_counter() - start
    flow = result.flows[0]
    overset = flow.overset.characters if flow.overset else 0
    kinds: dict[str, int] = {}
    for w in result.report.warnings:
        kinds[w.kind] = kinds.get(w.kind, 0) + 1
    return {"case": case, "chars": len(text), "bytes": len(text.encode()), "seconds": seconds,
            "flow": result.report.timings.get("flow", 0.0),
            "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "placed": flow.placed_characters, "overset": overset, "warnings": kinds}


def in_process(case: str, fraction: float) -> dict:
    """`one` in a new process (its peak memory is its own)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    out = subprocess.run([sys.executable, __file__, "--one", case, str(fraction)], check=True, env=env,
                         capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--one", nargs=2, metavar=("CASE", "FRACTION"))
    parser.add_argument("--fractions", default="0.1,0.25,0.5,1")
    parser.add_argument("--cases", default=",".join(CASES))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.one[0], float(args.one[1]))))
        return
    for case in args.cases.split(","):  # warm-up: the fonts, and the words around each case's jump
        in_process(case, 0.01)            # line (jieba's dictionary, ~0.4 s once), into the cache
    fractions = [float(f) for f in args.fractions.split(",")]
    print("| case | size | characters | build s | flow s | peak MB | placed + overset = characters | warnings |")
    print("|---|---|---|---|---|---|---|---|")
    growth: dict[str, list[tuple[int, float]]] = {}
    for case in args.cases.split(","):
        for fraction in fractions:
            r = in_process(case, fraction)
            growth.setdefault(case, []).append((r["chars"], r["flow"]))
            every = "yes" if r["placed"] + r["overset"] == r["chars"] else "NO"
            warnings = ", ".join(f"{k} {v}" for k, v in sorted(r["warnings"].items())) or "–"
            print(f"| {CASES[case][0]} | {r['bytes'] / 1024:,.0f} KB | {r['chars']:,} | {r['seconds']:.2f} | "
                  f"{r['flow']:.2f} | {r['maxrss_mb']:.0f} | {r['placed']:,} + {r['overset']:,} {every} | {warnings} |",
                  flush=True)
    if len(fractions) > 1:
        print("\n| flow stage, ms per 100,000 characters | " + " | ".join(f"{f:.0%}" for f in fractions) + " |")
        print("|---|" + "---|" * len(fractions))
        for case, points in growth.items():
            print(f"| {CASES[case][0]} | " + " | ".join(f"{s / c * 1e8:.0f}" for c, s in points) + " |")


if __name__ == "__main__":
    main()
