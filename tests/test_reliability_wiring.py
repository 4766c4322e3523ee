"""The reliability parts meeting in the command: a hostile font roles file, the --root flag, and
an unusable cache folder reported in the JSON report (one warning, same PDF)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

LAYOUT = """root: {root}
fonts: roles.yaml
grid: {{body_size: 9pt, columns: 2, column_chars: 10, line_pitch: 14pt, rows: 20}}
pages:
  - page: 1
    regions: [{{name: body, columns: [1, 2], lines: [1, 20]}}]
stories:
  - {{name: s, article: a.txt, thread: [body]}}
"""
ROLES = (ROOT / "src" / "paiban" / "data" / "roles.yaml")


def _paiban(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "paiban", *args], capture_output=True, text=True,
                          env=env or os.environ.copy(), cwd=cwd, timeout=60)


def _project(tmp_path: Path, roles: str) -> Path:
    (tmp_path / "a.txt").write_text("  新区今天召开会议，部署全年工作。\n", encoding="utf-8")
    (tmp_path / "roles.yaml").write_text(roles, encoding="utf-8")
    layout = tmp_path / "l.yaml"
    layout.write_text(LAYOUT.format(root="."), encoding="utf-8")
    return layout


def test_an_alias_bomb_in_a_font_roles_file_is_refused_at_once(tmp_path):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))
    layout = _project(tmp_path, bomb + "roles: {song: {chain: [{file: NotoSerifCJK-Regular.ttc, face: 2}]}}\n")
    start = time.perf_counter()
    result = _paiban("check", str(layout))
    assert result.returncode == 2, result.stderr
    assert time.perf_counter() - start < 10
    (line,) = result.stderr.strip().splitlines()
    assert "roles.yaml" in line and "aliases" in line


def test_a_tag_in_a_font_roles_file_is_refused(tmp_path):
    layout = _project(tmp_path, "roles: !!python/object:os.system {song: {chain: []}}\n")
    result = _paiban("check", str(layout))
    assert result.returncode == 2 and "tags" in result.stderr, result.stderr


def test_the_root_flag_confines_the_build(tmp_path):
    demo = ROOT / "layouts" / "demo.yaml"
    outside = _paiban("check", str(demo), "--root", str(tmp_path))
    assert outside.returncode == 2
    assert "outside" in outside.stderr and len(outside.stderr.strip().splitlines()) == 1
    inside = _paiban("check", str(demo), "--root", str(ROOT))
    assert inside.returncode == 0, inside.stderr


def test_an_unusable_cache_folder_is_one_warning_in_the_report_and_the_same_pdf(tmp_path):
    layout = ROOT / "layouts" / "three-pages.yaml"
    good = _paiban("build", str(layout), "-o", str(tmp_path / "good"), "--json", "-j", "1")
    assert good.returncode == 0, good.stderr
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(blocker / "cache"))
    bad = _paiban("build", str(layout), "-o", str(tmp_path / "bad"), "--json", "-j", "1", env=env)
    assert bad.returncode == 0, bad.stderr
    cache = [w for w in json.loads(bad.stdout)["warnings"] if w["kind"] == "cache"]
    assert len(cache) == 1 and str(blocker) in cache[0]["message"]
    assert not [w for w in json.loads(good.stdout)["warnings"] if w["kind"] == "cache"]
    assert (tmp_path / "bad" / "three-pages.pdf").read_bytes() == (tmp_path / "good" / "three-pages.pdf").read_bytes()
