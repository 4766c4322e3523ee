"""`paiban check --json`: exact overset and underset counts, the human table."""

from __future__ import annotations

import json

from test_cli_errors import paiban

HAN = "新区发展创新突破建设港口文化"


def hanzi(n: int, offset: int = 0) -> str:
    return "".join(HAN[(i + offset) % len(HAN)] for i in range(n))


def write_layout(tmp_path, article_text: str) -> str:
    (tmp_path / "story.txt").write_text(article_text, encoding="utf-8")
    layout = tmp_path / "fit.yaml"
    layout.write_text("""
grid: {columns: 2, column_chars: 10, gutter_chars: 1, line_pitch: 14pt, rows: 40}
page: {size: a4}
styles:
  body: {indent: 0}
pages:
  - page: 1
    regions:
      - {name: main, columns: [1, 2], lines: [1, 20]}
stories:
  - {name: story, article: story.txt, thread: [main]}
""", encoding="utf-8")
    return str(layout)


CAPACITY = 2 * 20 * 10  # two 10-character columns of 20 lines, no indent, no punctuation


def test_a_story_500_characters_too_long_reports_500_overset_and_where(tmp_path):
    overflow = hanzi(499, 3) + "。"
    layout = write_layout(tmp_path, hanzi(CAPACITY) + overflow + "\n")
    result = paiban("check", layout, "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    story = json.loads(result.stdout)["stories"][0]
    assert story["overset"] == 500
    assert story["overset_sentence"] == overflow[:60]
    assert story["underset_lines"] == 0


def test_a_short_story_reports_the_lines_and_characters_left_to_fill(tmp_path):
    layout = write_layout(tmp_path, hanzi(95) + "\n")  # 9½ lines: 10 lines used
    result = paiban("check", layout, "--json", cwd=tmp_path)
    story = json.loads(result.stdout)["stories"][0]
    assert story["overset"] == 0
    # balanced over two columns: 5 + 5 lines, 15 + 15 left
    assert story["underset_lines"] == 40 - 10
    assert story["underset_characters"] == (40 - 10) * 10
    assert story["regions"][0]["lines"] == 10


def test_the_human_report_prints_a_fit_table(tmp_path):
    layout = write_layout(tmp_path, hanzi(CAPACITY + 10) + "。\n")
    result = paiban("check", layout, cwd=tmp_path)
    assert "overset 11" in result.stdout
    assert "main" in result.stdout


def test_proof_draws_an_overset_marker_at_the_end_of_the_thread(tmp_path):
    from pathlib import Path

    from paiban import pipeline

    layout = Path(write_layout(tmp_path, hanzi(CAPACITY + 30) + "。\n"))
    plain = pipeline.run(layout, None)
    assert not any(m.note.startswith("overset") for p in plain.document.pages for m in p.markers)
    proof = pipeline.run(layout, tmp_path / "proof.pdf", proof=True)
    markers = [m for p in proof.document.pages for m in p.markers if m.note.startswith("overset")]
    assert len(markers) == 1 and "overset 31 characters" in markers[0].note
    last_line = max((ln for ln in proof.document.pages[0].lines), key=lambda ln: (ln.x, -ln.y))
    assert markers[0].x >= last_line.x and markers[0].y < last_line.y  # after the thread's last line
