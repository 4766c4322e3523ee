"""An edition honours its layouts' `preflight` as a layout build does: a layout that asks
`preflight: {single_hanzi_lines: error}` and keeps a 单字成行 (a paragraph ending on one hanzi no
rule could remove) makes `paiban build|check EDITION --strict` fail (exit 1, the edition's report
alone, no PDF), in a night of several editions too (`paiban build ED1 ED2`), and also when the
edition was built before without --strict and nothing changed (the up-to-date path). Without
--strict, or when the layout does not ask, the 单字成行 is a warning and the edition is built.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT
from test_single_hanzi_lines import ARTICLE, LAYOUT  # one column: 甲乙，丙丁 | 戊己庚辛壬 | 癸。

ERROR = "单字成行 (preflight single_hanzi_lines: error): story s: paragraph 1 ends on one hanzi"


def _edition(folder: Path, name: str, asks: bool) -> Path:
    """An edition of one page whose layout keeps a 单字成行, and asks preflight to fail on it or not."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    preflight = "preflight: {single_hanzi_lines: error}\n" if asks else ""
    (folder / "page.yaml").write_text(LAYOUT.format(preflight=preflight), encoding="utf-8")
    path = folder / f"{name}.yaml"
    path.write_text(f"edition_name: {name}\nlayouts:\n  - page.yaml\n", encoding="utf-8")
    return path


def _paiban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args, "--jobs", "1"] if args[0] == "build" else
                          [sys.executable, "-m", "paiban", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def test_strict_fails_an_edition_whose_layout_asks_and_keeps_a_single_hanzi_line(tmp_path):
    edition = _edition(tmp_path / "asks", "asks", asks=True)
    out = tmp_path / "out"
    failed = _paiban("build", str(edition), "-o", str(out), "--strict", "--json", cwd=tmp_path)
    assert failed.returncode == 1, failed.stderr
    report = json.loads(failed.stdout)
    assert report["status"] == "strict-failed" and report["exit_status"] == 1
    assert [p for p in report["problems"] if "单字成行" in p] == [f"page 1: {ERROR} (no quote or bracket, nor a "
                                                               "point wider than ½ em, to squeeze above it; "
                                                               "orphan_pull_down is off)"]
    assert not (out / "asks.pdf").exists()
    checked = _paiban("check", str(edition), "--strict", cwd=tmp_path)
    assert checked.returncode == 1 and ERROR in checked.stderr + checked.stdout


def test_without_strict_the_edition_is_built_and_a_strict_rebuild_of_it_still_fails(tmp_path):
    edition = _edition(tmp_path / "asks", "asks", asks=True)
    out = tmp_path / "out"
    built = _paiban("build", str(edition), "-o", str(out), "--no-previews", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert (out / "asks.pdf").exists()
    assert "warning: page 1: story s: paragraph 1 ends on one hanzi" in built.stdout
    # nothing changed since: the up-to-date path must not pass what a full build fails
    again = _paiban("build", str(edition), "-o", str(out), "--no-previews", "--strict", cwd=tmp_path)
    assert again.returncode == 1, again.stdout
    assert ERROR in again.stderr


def test_a_layout_that_does_not_ask_keeps_the_single_hanzi_line_as_a_warning(tmp_path):
    edition = _edition(tmp_path / "warns", "warns", asks=False)
    done = _paiban("build", str(edition), "-o", str(tmp_path / "out"), "--no-previews", "--strict", "--json",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "built" and report["problems"] == []
    assert [w["kind"] for p in report["pages"] for w in p["warnings"] if w["kind"] == "orphan"] == ["orphan"]


def test_the_night_fails_strict_for_the_edition_that_asks_and_builds_the_other(tmp_path):
    asks = _edition(tmp_path / "asks", "asks", asks=True)
    warns = _edition(tmp_path / "warns", "warns", asks=False)
    out = tmp_path / "out"
    night = _paiban("build", str(asks), str(warns), "-o", str(out), "--no-previews", "--strict", "--json",
                    cwd=tmp_path)
    assert night.returncode == 1, night.stderr
    report = json.loads(night.stdout)
    status = {e["edition"]: (e["status"], e["exit_status"], len(e["problems"])) for e in report["editions"]}
    assert status == {"asks": ("strict-failed", 1, 1), "warns": ("built", 0, 0)}
    assert not (out / "asks.pdf").exists() and (out / "warns.pdf").exists()
