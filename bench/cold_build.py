"""Time the demo built with an empty cache folder: this checkout against an older commit.

    python bench/cold_build.py [--rounds 5] [--commit 355e226] [--layout ours|theirs]

Issue 17's bar: the first build on a machine (an empty ``PAIBAN_CACHE_DIR``: fonts measured,
font programs cut, pictures converted) takes at most half of what it took at 355e226, the code
that converted Noto CJK to TrueType. The commit's files are taken with ``git archive`` into a
temporary folder; both builds run there, with this venv's Python, on the same layout file (by
default the commit's ``layouts/demo.yaml``, which both can build; ``--layout ours`` takes this
checkout's demo for ours). They alternate, old then new, each round with a fresh empty cache
folder, so that a machine's load falls on both alike; each time is a whole process
(``python -m paiban build``), as a user sees it. Prints each round, then best and median of each
and their ratios (new / old), with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_build(src: Path, cwd: Path, layout: Path, out: Path) -> float:
    """Seconds of one ``paiban build`` with paiban from ``src`` and an empty cache folder."""
    with tempfile.TemporaryDirectory(prefix="paiban-cold-") as cache:
        env = dict(os.environ, PYTHONPATH=str(src), PAIBAN_CACHE_DIR=cache)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "paiban", "build", str(layout), "-o", str(out)], cwd=cwd,
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--commit", default="355e226", help="the old code (default: 355e226)")
    parser.add_argument("--layout", choices=("theirs", "ours"), default="theirs",
                        help="ours: build this checkout's layouts/demo.yaml for the new code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="paiban-old-") as old, tempfile.TemporaryDirectory() as out:
        old_root = Path(old)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.commit], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(old_root)], input=archive.stdout, check=True)
        new_cwd = ROOT if args.layout == "ours" else old_root
        runs = {"old": (old_root / "src", old_root), "new": (ROOT / "src", new_cwd)}
        times: dict[str, list[float]] = {"old": [], "new": []}
        print(f"load before: {load()}  (cpus: {os.cpu_count()})")
        for n in range(1, args.rounds + 1):
            for name, (src, cwd) in runs.items():
                times[name].append(cold_build(src, cwd, cwd / "layouts" / "demo.yaml", Path(out) / name))
            print(f"round {n}: old {times['old'][-1]:.2f} s  new {times['new'][-1]:.2f} s  "
                  f"ratio {times['new'][-1] / times['old'][-1]:.2f}")
        print(f"load after: {load()}")
        best = {name: min(t) for name, t in times.items()}
        median = {name: statistics.median(t) for name, t in times.items()}
        print(f"best:   old {best['old']:.2f} s  new {best['new']:.2f} s  ratio {best['new'] / best['old']:.2f}")
        print(f"median: old {median['old']:.2f} s  new {median['new']:.2f} s  "
              f"ratio {median['new'] / median['old']:.2f}")


if __name__ == "__main__":
    main()
