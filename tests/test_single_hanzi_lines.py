"""No 单字成行 (issue 16, point 5): a paragraph does not end on a line of one hanzi where the
rules allow (linebreak/greedy.py, orphan rule): squeeze an eligible mark above (quotes and
brackets; a point mark only where it is wider than its ½-em floor), else push a character down
from a line above within `max_stretch`; what is left is reported with the rule that could not
remove it, and `--strict` fails on it when the layout's `preflight: {single_hanzi_lines: error}`
asks. The seed column's own `前。` stays in the seed-matching configuration (test_seed_column).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, lines_text, simple_layout, text_region

from paiban.errors import InputError
from paiban.flow.thread_flow import flow_story
from paiban.input.layout_loader import load_layout
from paiban.linebreak.greedy import BreakOptions, break_paragraph_fitted, stretch_per_gap
from paiban.model.article import Article, Paragraph
from paiban.model.items import CharClass, Unit
from paiban.model.spec import KinsokuPolicy, TextStyle
from paiban.text.itemize import itemize

PUSH_OUT = KinsokuPolicy.PUSH_OUT


def han(text: str) -> list[Unit]:
    return [Unit(ch, CharClass.HAN, 1.0, 1.0, 1.0, False, False) for ch in text]


def mark(ch: str, cls: CharClass, width: float) -> Unit:
    """A mark `width` em wide in the line, ½ em at the line's end; a point may not start a line."""
    return Unit(ch, cls, width, width, 0.5, cls is CharClass.POINT, cls is CharClass.OPEN)


def options(pull: bool = False, max_stretch: float = 0.5) -> BreakOptions:
    return BreakOptions(PUSH_OUT, 0.5, True, pull, max_stretch)


# ---- squeeze any eligible mark --------------------------------------------------------------

@pytest.mark.parametrize("style", ["quanjiao", "kaiming"])
def test_a_full_width_point_is_squeezed_to_pull_the_orphan_up(style):
    # 甲乙。丙丁 is 5 em in a 5.5-em line (。 is 1 em in both styles); squeezing its 。 by ½ em
    # takes 戊, and 癸 is no longer alone
    units = itemize("甲乙。丙丁戊己庚辛壬癸", style)
    plain, _ = break_paragraph_fitted(units, 5.5, 0.0, BreakOptions(PUSH_OUT, 0.5, False))
    fitted, orphan = break_paragraph_fitted(units, 5.5, 0.0, options())
    assert lines_text(units, plain)[-1] == "癸"
    assert lines_text(units, fitted) == ["甲乙。丙丁戊", "己庚辛壬癸"] and orphan is None
    assert fitted[0].natural > fitted[0].measure  # squeezed


def test_a_half_width_point_is_at_its_floor_and_is_not_squeezed():
    # the seed's banjiao: 。 is ½ em already (typography.md §1: `前。` stays in print)
    units = tuple(han("甲乙") + [mark("，", CharClass.POINT, 0.5)] + han("丙丁戊己庚辛壬") + han("癸")
                  + [mark("。", CharClass.POINT, 0.5)])
    fitted, orphan = break_paragraph_fitted(units, 5.0, 0.0, options())
    assert lines_text(units, fitted)[-1] == "癸。"
    assert orphan == "no quote or bracket, nor a point wider than ½ em, to squeeze above it; orphan_pull_down is off"


def test_a_quote_several_lines_above_pulls_the_orphan_up():
    # the squeeze on line 0 (its “) carries one character up through every line below
    # 甲“乙丙丁 is 4.5 em; three full lines and 酉 follow
    quote = mark("“", CharClass.OPEN, 0.5)
    units = tuple(han("甲") + [quote] + han("乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申") + han("酉"))
    plain, _ = break_paragraph_fitted(units, 5.0, 0.0, BreakOptions(PUSH_OUT, 0.5, False))
    fitted, orphan = break_paragraph_fitted(units, 5.0, 0.0, options())
    assert lines_text(units, plain)[-1] == "酉" and len(plain) == 5
    assert orphan is None and len(fitted) == 4
    assert fitted[0].natural > fitted[0].measure and lines_text(units, fitted)[0] == "甲“乙丙丁戊"


# ---- push a character down ------------------------------------------------------------------

def test_a_character_is_pushed_down_within_max_stretch():
    units = tuple(han("甲乙丙丁戊己庚辛壬癸子"))
    fitted, orphan = break_paragraph_fitted(units, 5.0, 0.0, options(pull=True))
    assert lines_text(units, fitted) == ["甲乙丙丁戊", "己庚辛壬", "癸子"] and orphan is None
    assert stretch_per_gap(units, fitted[1]) == pytest.approx(1 / 3)


def test_a_push_down_looser_than_max_stretch_is_refused_and_reported():
    units = tuple(han("甲乙丙丁戊己庚辛壬癸子"))
    fitted, orphan = break_paragraph_fitted(units, 5.0, 0.0, options(pull=True, max_stretch=0.25))
    assert lines_text(units, fitted)[-1] == "子"
    assert orphan.endswith("pushing a character down would stretch a line 0.33 em between units, more than "
                           "max_stretch (0.25)")


def test_no_push_down_that_adds_a_line_is_taken():
    # the last-but-one line is one unbreakable 5-em number: it cannot end earlier; giving 戊 down
    # from the line above it would put 戊 alone on a line before the number (four lines)
    number = Unit("1234567890", CharClass.DIGIT, 5.0, 5.0, 5.0, False, False)
    units = tuple(han("甲乙丙丁戊") + [number] + han("己"))
    fitted, orphan = break_paragraph_fitted(units, 5.0, 0.0, options(pull=True))
    assert lines_text(units, fitted) == ["甲乙丙丁戊", "1234567890", "己"]
    assert orphan.endswith("no line above may end earlier")


def test_push_down_keeps_a_clause_pair_together():
    # the last-but-one line ends 辛， and may not break before ，: 辛 goes down with its mark
    # (戊己庚 is then 1.5 em short, ¾ em in each of its two gaps: within max_stretch 1)
    units = tuple(han("甲乙丙丁戊己庚辛") + [mark("，", CharClass.POINT, 0.5)] + han("癸"))
    plain, _ = break_paragraph_fitted(units, 4.5, 0.0, BreakOptions(PUSH_OUT, 0.5, False))
    fitted, orphan = break_paragraph_fitted(units, 4.5, 0.0, options(pull=True, max_stretch=1.0))
    assert lines_text(units, plain) == ["甲乙丙丁", "戊己庚辛，", "癸"]
    assert lines_text(units, fitted) == ["甲乙丙丁", "戊己庚", "辛，癸"] and orphan is None


# ---- reported with the rule, and --strict ----------------------------------------------------

def test_the_flow_reports_a_left_orphan_with_the_rule_that_could_not_remove_it():
    style = TextStyle("body", indent=0.0, orphan_pull_down=True, max_stretch=0.1)
    layout = simple_layout([text_region("a", 1, (1, 9))], column_chars=5, styles={"body": style})
    art = Article(Path("a.txt"), paragraphs=(Paragraph("甲乙丙丁戊己庚辛壬癸子"),))
    flow = flow_story(layout.stories[0], art, layout, lambda t, s: itemize(t, s.punctuation.value))
    assert [(w.kind, w.page, w.story) for w in flow.warnings] == [("orphan", 1, "s")]
    assert flow.warnings[0].message == (
        "story s: paragraph 1 ends on one hanzi (no quote or bracket, nor a point wider than ½ em, to squeeze "
        "above it; pushing a character down would stretch a line 0.33 em between units, more than max_stretch "
        "(0.1))")


LAYOUT = """\
grid: {{columns: 1, column_chars: 5}}
{preflight}styles:
  body: {{indent: 0, orphan_pull_down: false}}
pages:
  - page: 1
    regions:
      - {{name: a, columns: [1, 1], lines: [1, 10]}}
stories:
  - {{name: s, article: a.txt, thread: a}}
"""
#: 甲乙，丙丁 | 戊己庚辛壬 | 癸。 in banjiao: the ， is at its floor and pull-down is off
ARTICLE = "甲乙，丙丁戊己庚辛壬癸。\n"


def _layout(tmp_path: Path, preflight: str) -> Path:
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    path = tmp_path / "one.yaml"
    path.write_text(LAYOUT.format(preflight=preflight), encoding="utf-8")
    return path


def _paiban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


def test_the_preflight_key_is_read_and_checked(tmp_path):
    assert load_layout(_layout(tmp_path, "")).single_hanzi_lines == "warn"
    assert load_layout(_layout(tmp_path, "preflight: {single_hanzi_lines: error}\n")).single_hanzi_lines == "error"
    with pytest.raises(InputError, match="single_hanzi_lines"):
        load_layout(_layout(tmp_path, "preflight: {single_hanzi_lines: fatal}\n"))


def test_strict_fails_on_a_single_hanzi_line_only_when_the_layout_asks(tmp_path):
    warned = _paiban("check", str(_layout(tmp_path, "")), "--strict", "--json", cwd=tmp_path)
    assert warned.returncode == 0, warned.stderr
    report = json.loads(warned.stdout)
    assert report["clean"] and report["errors"] == []
    assert [w["message"] for w in report["warnings"] if w["kind"] == "orphan"] == [
        "story s: paragraph 1 ends on one hanzi (no quote or bracket, nor a point wider than ½ em, to squeeze "
        "above it; orphan_pull_down is off)"]
    asked = _layout(tmp_path, "preflight: {single_hanzi_lines: error}\n")
    failed = _paiban("build", str(asked), "-o", str(tmp_path / "out"), "--strict", cwd=tmp_path)
    assert failed.returncode == 1
    assert "error: 单字成行 (preflight single_hanzi_lines: error): story s: paragraph 1 ends on one hanzi" \
        in failed.stdout
    assert not (tmp_path / "out" / "one.pdf").exists()
    relaxed = _paiban("build", str(asked), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert relaxed.returncode == 0 and (tmp_path / "out" / "one.pdf").exists()


# ---- the seed column ------------------------------------------------------------------------

def test_the_seed_prints_one_orphan_which_only_the_layouts_pull_down_removes(seed_article):
    """The scanned column ends paragraph 8 on `前。` alone (typography.md §1): the seed-matching
    configuration (`TextStyle` defaults: banjiao, push-out, no pull-down) keeps it, as
    test_seed_column's 162 lines need; the built-in `body` of a layout pulls a character down."""
    def last_lines(style: TextStyle) -> list[str]:
        out = []
        for p in seed_article.paragraphs[1:]:
            if p.kind.value != "body":
                continue  # the subheads (`…担当——`) have their own style
            units = itemize(p.text, "banjiao")
            lines, _ = break_paragraph_fitted(units, 15.0, 2.0, BreakOptions(
                style.kinsoku, style.max_squeeze, style.avoid_orphans, style.orphan_pull_down, style.max_stretch))
            out.append(lines_text(units, lines)[-1])
        return out

    seed = last_lines(TextStyle("body"))
    assert [t for t in seed if sum("\u4e00" <= c <= "\u9fff" for c in t) == 1] == ["前。"]
    pulled = last_lines(TextStyle("body", orphan_pull_down=True))
    assert [t for t in pulled if sum("\u4e00" <= c <= "\u9fff" for c in t) == 1] == []
    assert pulled[seed.index("前。")] == "向前。"
