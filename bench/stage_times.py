"""Print the time of each pipeline stage for the demo and for a 100,000-character edition.

    python bench/stage_times.py [--repeat N]

The edition is the seed's paragraphs repeated to about 100,000 characters, one story threaded
through eight broadsheet pages of seven 15-character columns. Stage times come from the build
report (warm process, fonts already converted in the cache); the last column is a whole cold
process (`python -m paiban build`), as a user or a nightly job would see it.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from paiban import pipeline  # noqa: E402
from paiban.input.article_reader import read_article  # noqa: E402

SEED = ROOT / "seeds" / "000_b4709c2c99975726.txt"
PAGES = 8


def edition_files(folder: Path, characters: int = 100_000) -> Path:
    seed = read_article(SEED)
    paragraphs = [p.text for p in seed.paragraphs[1:]]
    body: list[str] = []
    total = 0
    while total < characters:
        for text in paragraphs:
            body.append(text)
            total += len(text)
            if total >= characters:
                break
    (folder / "edition.txt").write_text("---\nheadline: 创新无止境 突破不止步\n---\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    regions = []
    for page in range(1, PAGES + 1):
        regions.append(f"  - page: {page}\n    regions:\n      - name: p{page}\n        columns: [1, 7]\n        lines: [1, 132]\n")
    thread = ", ".join(f"p{p}" for p in range(1, PAGES + 1))
    layout = f"""title: 100k benchmark edition
page: {{size: broadsheet, margins: {{top: 15mm, bottom: 15mm}}}}
grid: {{body_size: 小五, columns: 7, column_chars: 15, gutter_chars: 1, line_pitch: 11pt}}
pages:
{''.join(regions)}stories:
  - name: edition
    article: edition.txt
    thread: [{thread}]
"""
    path = folder / "edition.yaml"
    path.write_text(layout, encoding="utf-8")
    return path


def cold_process(layout: Path, out: Path) -> float:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "paiban", "build", str(layout), "-o", str(out)], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(name: str, layout: Path, out: Path, repeat: int) -> None:
    best: dict[str, float] = {}
    for _ in range(repeat):
        result = pipeline.run(layout, out / f"{layout.stem}.pdf")
        for stage, seconds in result.report.timings.items():
            best[stage] = min(best.get(stage, seconds), seconds)
    report = result.report
    chars = sum(s.placed for s in report.stories)
    cold = min(cold_process(layout, out) for _ in range(repeat))
    stages = "  ".join(f"{k} {v * 1000:7.1f}" for k, v in best.items())
    print(f"{name:8s} pages {report.pages:2d}  chars {chars:6d}  overset {report.overset:5d}  ms: {stages}"
          f"  | in-process {sum(best.values()) * 1000:7.1f}  cold process {cold * 1000:7.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        measure("demo", ROOT / "layouts" / "demo.yaml", folder, args.repeat)
        measure("edition", edition_files(folder), folder, args.repeat)


if __name__ == "__main__":
    main()
