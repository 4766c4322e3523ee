"""Publishing an edition as a set: SIGKILL at any moment of a build leaves the previous edition or
the new one in the output folder, never a mix, and the report beside the PDFs describes them.

A small three-page edition is built (build A), then built again with another title, so that
every page and the edition PDF change (build B), and killed with SIGKILL at moments spread over
the second build, from a quarter of its time (Python starting) to past its end, in 40 copies of the
output folder (half of them with B's pages already in the render cache, so that more of the
build is publishing). Each time, what a reader of the output folder finds must be exactly A or
exactly B: the report's page keys name the build, and every output name holds that build's bytes.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from test_edition_build import SRC, make_edition, paiban

RUNS = 40
OURS = re.compile(r"small(-\d{2,}\.(pdf|png)|-contact\.png|\.pdf|-report\.json)")


def snapshot(out: Path) -> tuple[tuple[str, ...], dict[str, bytes]]:
    """(the report's page keys, every output name of the edition → its bytes, links followed)."""
    report = json.loads((out / "small-report.json").read_text(encoding="utf-8"))
    files = {entry.name: Path(entry.path).read_bytes() for entry in os.scandir(out)
             if OURS.fullmatch(entry.name) and entry.name != "small-report.json"}
    return tuple(p["key"] for p in report["pages"]), files


def test_sigkill_at_any_moment_leaves_the_old_edition_or_the_new_one(tmp_path):
    edition = make_edition(tmp_path / "src")
    base = tmp_path / "base"
    paiban("build", str(edition), "-o", str(base), "--no-previews", "-j", "1", check=True)
    old = snapshot(base)
    text = edition.read_text(encoding="utf-8")
    # a new title (the edition PDF's) and date (in every page PDF's title: 示例报 2024-01-06 第N版)
    edition.write_text(text.replace("title: 示例报 测试版", "title: 示例报 第二版").replace("2024-01-05", "2024-01-06"),
                       encoding="utf-8")
    reference = tmp_path / "reference"  # build B in a folder of its own: its bytes, its render cache
    shutil.copytree(base, reference, symlinks=True)
    start = time.perf_counter()
    paiban("build", str(edition), "-o", str(reference), "--no-previews", "-j", "1", check=True)
    took = time.perf_counter() - start
    new = snapshot(reference)
    assert set(old[0]).isdisjoint(new[0]) and old[1].keys() == new[1].keys()
    assert all(old[1][name] != new[1][name] for name in old[1])  # every file changes
    warm = tmp_path / "warm"  # A published, B's pages in the cache
    shutil.copytree(base, warm, symlinks=True)
    for entry in (reference / ".paiban-cache" / "render").iterdir():
        shutil.copy2(entry, warm / ".paiban-cache" / "render" / entry.name)

    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    rng = random.Random(20240105)
    seen = {"old": 0, "new": 0}
    for run in range(RUNS):
        out = tmp_path / f"run-{run}"
        shutil.copytree(warm if run % 2 else base, out, symlinks=True)
        proc = subprocess.Popen([sys.executable, "-m", "paiban", "build", str(edition), "-o", str(out),
                                 "--no-previews", "-j", "1"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        # moments spread evenly over the build after Python's start (and a little past its end),
        # each at random in its slot
        time.sleep(took * (0.25 + 0.9 * (run // 2 + rng.random()) / (RUNS // 2)))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        found = snapshot(out)
        if found == old:
            seen["old"] += 1
        else:
            assert found[0] == new[0], f"run {run}: the report is of neither build"
            assert found[1] == new[1], f"run {run}: the files are not those of the report's build"
            seen["new"] += 1
        if run < RUNS - 2:
            shutil.rmtree(out)
    assert seen["old"] and seen["new"], seen
    # a killed build's leftovers go at the next build, which publishes B; two build folders stay
    for run in (RUNS - 2, RUNS - 1):
        out = tmp_path / f"run-{run}"
        paiban("build", str(edition), "-o", str(out), "--no-previews", "-j", "1", check=True)
        assert snapshot(out) == new
        home = out / ".paiban-editions" / "small"
        assert not [p for p in home.iterdir() if p.name.endswith(".partial") or p.name.startswith(".tmp-")]
        assert len([p for p in home.iterdir() if p.is_dir() and not p.is_symlink()]) <= 2


def test_the_outputs_are_links_into_the_current_build_and_an_older_output_folder_is_taken_over(tmp_path):
    edition = make_edition(tmp_path / "src")
    out = tmp_path / "out"
    paiban("build", str(edition), "-o", str(out), "-j", "1", check=True)
    home = out / ".paiban-editions" / "small"
    current = home / os.readlink(home / "current")
    names = sorted(p.name for p in out.iterdir() if OURS.fullmatch(p.name))
    assert names == ["small-01.pdf", "small-01.png", "small-02.pdf", "small-02.png", "small-03.pdf", "small-03.png",
                     "small-contact.png", "small-report.json", "small.pdf"]
    for name in names:
        assert os.readlink(out / name) == f".paiban-editions/small/current/{name}"
        assert (out / name).resolve() == (current / name).resolve()
    built = snapshot(out)
    # the folder as an older paiban left it: regular files, no build folders
    legacy = tmp_path / "legacy"
    shutil.copytree(out, legacy, symlinks=False, ignore=shutil.ignore_patterns(".paiban-editions"))
    assert all((legacy / name).is_file() and not (legacy / name).is_symlink() for name in names)
    legacy_inodes = {name: (legacy / name).stat().st_ino for name in names if name != "small-report.json"}
    (legacy / "small-04.pdf").write_bytes(b"%PDF- a page the edition no longer has")
    done = paiban("build", str(edition), "-o", str(legacy), "-j", "1", "--force", "--json", check=True)
    assert json.loads(done.stdout)["status"] == "built"
    assert snapshot(legacy) == built and not (legacy / "small-04.pdf").exists()
    assert all(os.path.islink(legacy / name) for name in names)
    # unchanged files are the same inodes as before (hard links: not rewritten)
    assert {name: (legacy / name).stat().st_ino for name in legacy_inodes} == legacy_inodes
    # an output folder copied without its links (cp -r) builds into the same edition again
    copied = tmp_path / "copied"
    shutil.copytree(out, copied, symlinks=False)
    assert (copied / ".paiban-editions" / "small" / "current").is_dir()
    paiban("build", str(edition), "-o", str(copied), "-j", "1", "--force", check=True)
    assert snapshot(copied) == built and os.path.islink(copied / ".paiban-editions" / "small" / "current")
    # a build that fails --strict publishes its report alone: no PDF beside it that it does not describe
    spread = edition.parent / "spread.yaml"
    spread.write_text(spread.read_text(encoding="utf-8").replace("lines: [1, 40]", "lines: [1, 2]"), encoding="utf-8")
    done = paiban("build", str(edition), "-o", str(out), "-j", "1", "--strict")
    assert done.returncode == 1, done.stderr
    assert sorted(p.name for p in out.iterdir() if OURS.fullmatch(p.name)) == ["small-report.json"]
    assert json.loads((out / "small-report.json").read_text(encoding="utf-8"))["status"] == "strict-failed"
    assert (current / "small-01.pdf").is_file()  # the last good build stays, one build more
