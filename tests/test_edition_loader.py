"""Edition files: validation with one-line errors, page numbering, edition variables over a layout's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from paiban.edition import is_edition_file
from paiban.edition.edition_loader import apply_edition, load_edition, page_numbers
from paiban.errors import InputError
from paiban.input.layout_loader import load_layout

LAYOUTS = ROOT / "layouts"
DEMO = LAYOUTS / "demo.yaml"
THREE = LAYOUTS / "three-pages.yaml"
SPREAD = LAYOUTS / "editions" / "pages" / "economy.yaml"


def edition(tmp_path: Path, text: str, name: str = "e.yaml") -> Path:
    """An edition file in `tmp_path` naming the repository's layouts: its root is the repository
    (appended last, so that the lines of the text stay where they are)."""
    path = tmp_path / name
    path.write_text(text + f"root: {ROOT}\n", encoding="utf-8")
    return path


def numbers(path: Path) -> list[dict[int, int]]:
    spec = load_edition(path)
    return page_numbers(spec, [load_layout(ref.path).pages for ref in spec.layouts])


def test_layouts_take_the_next_page_numbers(tmp_path):
    path = edition(tmp_path, f"edition_name: e\nlayouts:\n  - {DEMO}\n  - {THREE}\n  - {SPREAD}\n")
    assert numbers(path) == [{1: 1, 2: 2}, {1: 3, 2: 4, 3: 5}, {1: 6, 2: 7}]


def test_explicit_page_numbers_as_a_list_a_mapping_or_a_first_page(tmp_path):
    path = edition(tmp_path, f"""edition_name: e
layouts:
  - {{file: {THREE}, pages: {{1: 3, 2: 5, 3: 4}}}}
  - {{file: {DEMO}, pages: [2, 1]}}
  - {{file: {SPREAD}, pages: 6}}
""")
    assert numbers(path) == [{1: 3, 2: 5, 3: 4}, {1: 2, 2: 1}, {1: 6, 2: 7}]


BAD = {
    "missing name": ("layouts: [{demo}]\n", "edition_name: required key is missing"),
    "bad name": ("edition_name: 城市版\nlayouts: [{demo}]\n", "cannot name output files"),
    "typo": ("edition_name: e\nlayout: [{demo}]\n", "did you mean 'layouts'"),
    "no layout file": ("edition_name: e\nlayouts: [{demo}.nowhere.yaml]\n", "layout file not found"),
    "twice": ("edition_name: e\nlayouts:\n  - {demo}\n  - {demo}\n", "listed twice"),
    "gap": ("edition_name: e\nlayouts:\n  - {{file: {demo}, pages: [1, 3]}}\n", "no layout gives page 2"),
    "clash": ("edition_name: e\nlayouts:\n  - {demo}\n  - {{file: {three}, pages: 2}}\n", "already page 2"),
    "count": ("edition_name: e\nlayouts:\n  - {{file: {three}, pages: [1, 2]}}\n", "2 page numbers for a layout of 3"),
    "one of two": ("edition_name: e\nlayouts:\n  - {{file: {demo}, pages: [1]}}\n", "1 page numbers for a layout of 2"),
    "same page": ("edition_name: e\nlayouts:\n  - {{file: {demo}, pages: {{1: 1, 2: 1}}}}\n", "the same edition page"),
    "unmapped": ("edition_name: e\nlayouts:\n  - {{file: {demo}, pages: {{1: 1}}}}\n", "layout page 2 has no edition page"),
    "no such page": ("edition_name: e\nlayouts:\n  - {{file: {demo}, pages: {{1: 1, 2: 2, 7: 3}}}}\n", "has no page 7"),
    "section": ("edition_name: e\nedition: {{sections: {{9: 体育}}}}\nlayouts: [{demo}]\n", "section for page 9"),
    "date": ("edition_name: e\nedition: {{date: 2024-13-01}}\nlayouts: [{demo}]\n", "edition.date"),
    "variable": ("edition_name: e\nedition: {{papr: 日报}}\nlayouts: [{demo}]\n", "did you mean 'paper'"),
    "python tag": ("edition_name: !!python/object/apply:os.system ['touch pwned']\nlayouts: [{demo}]\n",
                   "is not allowed"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_edition_files_give_one_error_with_file_line_and_key(case, tmp_path):
    text, needle = BAD[case]
    path = edition(tmp_path, text.format(demo=DEMO, three=THREE))
    with pytest.raises(InputError) as info:
        numbers(path)
    message = str(info.value)
    assert needle in message
    assert message.startswith(str(path))
    assert "\n" not in message


def test_the_edition_applies_its_numbers_and_variables_to_a_layout(tmp_path):
    path = edition(tmp_path, f"""edition_name: e
edition: {{paper: 示例报, date: 2024-02-03, sections: {{6: 经济, 7: 经济续}}}}
layouts:
  - {{file: {SPREAD}, pages: [6, 7]}}
""")
    spec = load_edition(path)
    layout = load_layout(SPREAD)
    applied = apply_edition(layout, spec, {1: 6, 2: 7})
    assert applied.pages == (6, 7)
    assert {r.page for r in applied.regions.values()} == {6, 7}
    assert applied.edition.paper == "示例报" and applied.edition.date == "2024-02-03"
    assert applied.edition.sections == {6: "经济", 7: "经济续"}
    assert layout.pages == (1, 2)  # the loaded layout is left alone


def test_edition_files_are_told_from_layouts_without_parsing_them(tmp_path):
    assert is_edition_file(ROOT / "layouts" / "editions" / "city.yaml")
    assert not is_edition_file(DEMO)
    assert not is_edition_file(tmp_path / "missing.yaml")


def test_the_cli_reports_a_bad_edition_in_one_line_exit_2_and_writes_nothing(tmp_path):
    path = edition(tmp_path, f"edition_name: e\nlayouts:\n  - {DEMO}\n  - {{file: {THREE}, pages: [3, 4]}}\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "paiban", "build", str(path), "-o", str(out)], env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert f"{path}:4:" in lines[0] and "layouts[1].pages" in lines[0] and "3 pages" in lines[0]
    assert not out.exists()
    as_json = subprocess.run([sys.executable, "-m", "paiban", "build", str(path), "-o", str(out), "--json"],
                             env=env, capture_output=True, text=True, timeout=120)
    assert as_json.returncode == 2
    error = lines[0][len("paiban: error: "):]
    assert json.loads(as_json.stdout) == {"exit_status": 2, "status": "input-error", "error": error}


def test_shared_styles_in_an_edition_file_apply_over_each_layouts_styles(tmp_path):
    from paiban.edition.edition_loader import load_edition, shared_styles
    from paiban.errors import InputError as _InputError

    layouts = Path(__file__).resolve().parent.parent / "layouts"
    edition = tmp_path / "styled.yaml"
    edition.write_text(f"""edition_name: styled
styles:
  headline: {{font: biaosong, size: 小一}}
layouts:
  - {layouts / 'three-pages.yaml'}
root: {layouts}
""", encoding="utf-8")
    spec = load_edition(edition)
    layout = load_layout(layouts / "three-pages.yaml")
    styles = shared_styles(layout, spec)
    assert (styles["headline"].font, styles["headline"].size) == ("biaosong", 24.0)
    assert styles["headline"].align == layout.styles["headline"].align  # other fields kept
    assert styles["body"] == layout.styles["body"]
    edition.write_text(edition.read_text(encoding="utf-8").replace("size: 小一", "sise: 小一"), encoding="utf-8")
    try:
        load_edition(edition)
    except _InputError as exc:
        assert "styled.yaml:3" in str(exc) and "sise" in str(exc)
    else:
        raise AssertionError("an unknown style key must be an error")
