"""Bad input: one line naming file and line, exit code 2, no traceback, no output file."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, ROOT, SEED

SRC = str(ROOT / "src")


def paiban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def demo_text(tmp_path: Path) -> str:
    """The demo layout, with every path made absolute so that it can live in `tmp_path` (and its
    files, in the repository, outside the layout's folder: `allow_outside_root`)."""
    text = re.sub(r"^root:.*$", "allow_outside_root: true", DEMO.read_text(encoding="utf-8"), flags=re.M)
    layouts = ROOT / "layouts"
    return (text.replace("../seeds/000_b4709c2c99975726.txt", str(SEED))
                .replace("article: articles/", f"article: {layouts}/articles/")
                .replace("image: images/", f"image: {layouts}/images/"))


CASES = {
    "malformed_yaml": (lambda t, d: t.replace("grid:\n", "grid: [\n", 1), "malformed YAML"),
    "unknown_key": (lambda t, d: t.replace("  column_chars: 15", "  column_chars: 15\n  colums: 7"), "colums"),
    "missing_article": (lambda t, d: t.replace(str(SEED), "nowhere/article.txt"), "article"),
    "unknown_font_role": (lambda t, d: t.replace("font: kai", "font: caoshu"), "caoshu"),
    "region_outside_page": (lambda t, d: t.replace("columns: [1, 3]", "columns: [1, 9]"), "columns"),
    "python_tag": (lambda t, d: t.replace("title: ", "title: !!python/object/apply:os.system ['touch pwned'] #"), "python"),
    "empty_article": (lambda t, d: t.replace(str(SEED), str(d / "empty.txt")), "empty.txt"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_gives_one_line_exit_2_and_no_output(case, tmp_path):
    mutate, needle = CASES[case]
    (tmp_path / "empty.txt").write_text("\n\n", encoding="utf-8")
    layout = tmp_path / "bad.yaml"
    original = demo_text(tmp_path)
    text = mutate(original, tmp_path)
    assert text != original, "the mutation did not apply"
    layout.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = paiban("build", str(layout), "-o", str(out), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    message = lines[0]
    assert needle in message
    assert "bad.yaml:" in message or "empty.txt:" in message
    assert any(part.isdigit() for part in message.split(":")), "no line number"
    assert not out.exists() or not any(out.iterdir())
    assert not (tmp_path / "pwned").exists()


def test_a_good_build_prints_the_report_and_writes_the_pdf(tmp_path):
    layout = tmp_path / "demo.yaml"
    layout.write_text(demo_text(tmp_path), encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "pages   2" in result.stdout
    assert (tmp_path / "out" / "demo.pdf").stat().st_size > 10_000
    assert not list((tmp_path / "out").glob(".*part"))


def test_strict_fails_on_overset_and_writes_nothing(tmp_path):
    text = demo_text(tmp_path).replace("{name: lead-cont, columns: [1, 2], lines: [1, 8]}",
                                       "{name: lead-cont, columns: [1, 2], lines: [1, 3]}")
    assert "lines: [1, 3]}" in text
    layout = tmp_path / "tight.yaml"
    layout.write_text(text, encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "overset" in result.stdout
    assert not (tmp_path / "out" / "tight.pdf").exists()
    relaxed = paiban("check", str(layout), "--json", cwd=tmp_path)
    assert relaxed.returncode == 0
    import json

    report = json.loads(relaxed.stdout)
    assert report["overset"] > 0 and report["stories"][0]["overset_sentence"]


def test_a_broken_image_is_an_input_error(tmp_path):
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    text = demo_text(tmp_path).replace(f"{ROOT / 'layouts'}/images/harbour-placeholder.png", str(tmp_path / "broken.png"))
    layout = tmp_path / "bad.yaml"
    layout.write_text(text, encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "cannot read image broken.png" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unwritable_output_folder_is_one_line_exit_3(tmp_path):
    layout = tmp_path / "demo.yaml"
    layout.write_text(demo_text(tmp_path), encoding="utf-8")
    (tmp_path / "out").write_text("a file where the output folder should be", encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_strict_fails_on_a_low_resolution_picture(tmp_path):
    from PIL import Image

    Image.new("RGB", (60, 45), (200, 200, 200)).save(tmp_path / "tiny.png")
    text = demo_text(tmp_path).replace(f"{ROOT / 'layouts'}/images/harbour-placeholder.png", str(tmp_path / "tiny.png"))
    layout = tmp_path / "lowres.yaml"
    layout.write_text(text, encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "dpi" in result.stdout
    assert not (tmp_path / "out" / "lowres.pdf").exists()
