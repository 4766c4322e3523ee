"""Layout YAML loading: a valid layout gives the right numbers; every mistake is one InputError
line naming the file, the line of the offending value and its key path; nothing else escapes."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paiban.errors import InputError
from paiban.input.layout_loader import load_layout
from paiban.input.yaml_source import parse_yaml
from paiban.model.spec import Align, KinsokuPolicy, PunctStyle, RegionKind
from paiban.units import PT_PER_MM

ROLES = {"song", "hei", "kai", "fangsong"}

VALID = """\
title: 示例日报 2024年1月5日
root: ..
page:
  size: broadsheet
  margins:
    top: 40mm
    bottom: 20mm
    left: auto
grid:
  body_size: 小五
  columns: 7
  column_chars: 15
  gutter_chars: 1
  line_pitch: 1.5
  rows: auto
jumps:
  to_page: （下转第{page}版）
  from_page: （上接第{page}版）
styles:
  body:
    size: 五号
  quote:
    font: kai
    leading: 14pt
    punctuation: kaiming
pages:
  - page: 1
    regions:
      - name: lead-head
        kind: headline
        columns: [1, 7]
        lines: [1, 8]
      - name: lead-body
        columns: [1, 4]
        lines: [9, 60]
        text_columns: 3
      - name: side-body
        columns: [5, 7]
        lines: [9, 60]
  - page: 2
    regions:
      - name: p2-body
        columns: 1
        lines: [1, 30]
stories:
  - name: lead
    article: ../articles/lead.txt
    headline: lead-head
    thread: [lead-body, p2-body]
    styles: {body: quote}
  - name: side
    article: ../articles/side.txt
    thread: [side-body]
"""


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "layouts").mkdir()
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "lead.txt").write_text("头条正文。\n", encoding="utf-8")
    (tmp_path / "articles" / "side.txt").write_text("侧栏正文。\n", encoding="utf-8")
    return tmp_path


def write(workdir: Path, text: str, name: str = "demo.yaml") -> Path:
    path = workdir / "layouts" / name
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, nth: int = 0, *, whole: bool = False) -> int:
    """1-based line number of the `nth` line containing `needle` (or, with `whole`, equal to it
    apart from indentation)."""
    lines = text.splitlines()
    hits = [i + 1 for i, line in enumerate(lines) if (line.strip() == needle if whole else needle in line)]
    assert len(hits) > nth, f"{needle!r} not in the test text"
    return hits[nth]


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def load_error(workdir: Path, text: str, known_roles=None) -> tuple[InputError, Path]:
    path = write(workdir, text)
    with pytest.raises(InputError) as info:
        load_layout(path, known_roles=known_roles)
    return info.value, path


def assert_error(err: InputError, path: Path, line: int | None, key: str | None, *words: str) -> None:
    text = str(err)
    assert "\n" not in text, text
    assert text.startswith(f"{path}:"), text
    assert path.name in text
    if line is not None:
        assert err.where.line == line, text
        assert text.startswith(f"{path}:{line}:"), text
    if key is not None:
        assert err.where.key == key, text
        assert f": {key}: " in text, text
    for word in words:
        assert word in text, f"{word!r} not in {text!r}"


# ---- a valid layout ----------------------------------------------------------------------------


def test_valid_layout_loads_with_numbers_in_points(workdir: Path) -> None:
    path = write(workdir, VALID)
    layout = load_layout(path, known_roles=ROLES)
    assert layout.source == path.resolve()
    assert layout.title == "示例日报 2024年1月5日"
    # broadsheet 390 × 546 mm; top margin 40 mm
    assert layout.page.width == pytest.approx(390 * PT_PER_MM)
    assert layout.page.height == pytest.approx(546 * PT_PER_MM)
    assert layout.page.margin_top == pytest.approx(40 * PT_PER_MM)
    grid = layout.grid
    assert (grid.body_size, grid.columns, grid.column_chars, grid.gutter_chars) == (9.0, 7, 15, 1.0)
    assert grid.line_pitch == pytest.approx(13.5)
    # rows = floor((546 - 40 - 20) mm / 13.5 pt) = floor(1377.64 / 13.5) = 102
    assert grid.rows == 102
    # type area 7×15 + 6 = 111 characters of 9 pt = 999 pt, centred
    assert grid.type_width == pytest.approx(999.0)
    assert layout.page.margin_left == pytest.approx((390 * PT_PER_MM - 999.0) / 2)
    assert layout.pages == (1, 2)
    assert list(layout.regions) == ["lead-head", "lead-body", "side-body", "p2-body"]
    head = layout.regions["lead-head"]
    assert (head.kind, head.page, head.first_column, head.last_column, head.first_line, head.last_line) == (
        RegionKind.HEADLINE, 1, 1, 7, 1, 8,
    )  # fmt: skip
    body = layout.regions["lead-body"]
    assert (body.kind, body.first_column, body.last_column, body.text_columns, body.gutter_chars) == (
        RegionKind.TEXT, 1, 4, 3, 1.0,
    )  # fmt: skip
    assert layout.regions["side-body"].text_columns == 3  # default: one per basic column spanned
    p2 = layout.regions["p2-body"]
    assert (p2.page, p2.first_column, p2.last_column, p2.first_line, p2.last_line) == (2, 1, 1, 1, 30)
    lead, side = layout.stories
    assert lead.name == "lead"
    assert lead.article == (workdir / "articles" / "lead.txt").resolve()
    assert lead.article.is_absolute()
    assert lead.thread == ("lead-body", "p2-body")
    assert lead.headline_region == "lead-head"
    assert lead.body_style == "quote" and lead.subhead_style == "subhead"
    assert side.thread == ("side-body",) and side.headline_region is None
    assert layout.jumps.to_page == "（下转第{page}版）"
    assert layout.font_overrides == {}


def test_layouts_that_differ_only_in_a_style_compare_unequal(workdir: Path) -> None:
    one = load_layout(write(workdir, VALID, "one.yaml"), known_roles=ROLES)
    same = load_layout(write(workdir, VALID, "same.yaml"), known_roles=ROLES)
    other = load_layout(write(workdir, replace_once(VALID, "leading: 14pt", "leading: 15pt"), "other.yaml"),
                        known_roles=ROLES)
    assert one.styles != other.styles
    assert one.regions == other.regions and one.stories == other.stories and one.grid == other.grid
    one, same, other = (replace(x, source=Path("x.yaml")) for x in (one, same, other))
    assert one == same
    assert one != other


def test_a_regions_measure_is_the_models(workdir: Path) -> None:
    """The loader checks the measure the flow will use (`Region.measure_chars`)."""
    layout = load_layout(write(workdir, VALID), known_roles=ROLES)
    lead = layout.regions["lead-body"]
    assert lead.measure_chars(layout.grid) == (4 * 15 + 3 * 1 - 2 * 1) / 3
    assert lead.width_chars(layout.grid) == 63


def test_styles_merge_over_builtin_defaults_and_resolve_to_points(workdir: Path) -> None:
    layout = load_layout(write(workdir, VALID))
    styles = layout.styles
    assert set(styles) >= {"body", "subhead", "byline", "headline", "kicker", "subtitle", "continued", "caption", "quote"}
    body = styles["body"]
    assert (body.font, body.size, body.leading, body.indent) == ("song", 10.5, None, 2.0)  # size overridden
    assert (body.punctuation, body.kinsoku, body.align) == (PunctStyle.BANJIAO, KinsokuPolicy.PUSH_OUT, Align.JUSTIFY)
    assert styles["subhead"].font == "hei" and styles["subhead"].orphan_pull_down is True
    assert styles["byline"].font == "kai" and styles["byline"].align is Align.LEFT
    headline = styles["headline"]
    assert (headline.size, headline.leading, headline.indent) == (26.0, pytest.approx(32.5), 0.0)
    assert (headline.punctuation, headline.kinsoku, headline.align) == (
        PunctStyle.QUANJIAO, KinsokuPolicy.PUSH_IN, Align.CENTER,
    )  # fmt: skip
    assert (styles["kicker"].size, styles["kicker"].leading) == (15.0, pytest.approx(21.0))
    assert (styles["subtitle"].size, styles["subtitle"].indent) == (14.0, 0.0)
    quote = styles["quote"]  # a new style: TextStyle defaults, body size, given fields
    assert (quote.font, quote.size, quote.leading, quote.punctuation) == ("kai", 9.0, 14.0, PunctStyle.KAIMING)


def test_defaults_fill_a_minimal_layout(workdir: Path) -> None:
    text = """\
grid:
  columns: 8
  column_chars: 13
pages:
  - page: 1
    regions:
      - {name: a, columns: [1, 8], lines: [1, 10]}
stories:
  - {name: s, article: lead.txt, thread: a}
"""
    (workdir / "layouts" / "lead.txt").write_text("头条正文。\n", encoding="utf-8")
    layout = load_layout(write(workdir, text, "minimal.yaml"))
    assert layout.title == "minimal"
    assert layout.page.margin_top == pytest.approx(30 * PT_PER_MM)
    # rows = floor((546 - 30 - 20) mm / 13.5 pt) = floor(1405.98 / 13.5) = 104
    assert layout.grid.rows == 104
    assert layout.stories[0].thread == ("a",)


def test_explicit_sizes_margins_pitch_and_rows(workdir: Path) -> None:
    text = VALID.replace("size: broadsheet", "size: [360, 400mm]").replace("left: auto", "left: 5mm")
    text = replace_once(text, "line_pitch: 1.5", "line_pitch: 12pt").replace("rows: auto", "rows: 70")
    layout = load_layout(write(workdir, text))
    assert layout.page.width == pytest.approx(360 * PT_PER_MM)
    assert layout.page.height == pytest.approx(400 * PT_PER_MM)
    assert layout.page.margin_left == pytest.approx(5 * PT_PER_MM)
    assert (layout.grid.line_pitch, layout.grid.rows) == (12.0, 70)


def test_font_files_and_roles_file_resolve_relative_to_the_layout(workdir: Path) -> None:
    (workdir / "fonts").mkdir()
    (workdir / "fonts" / "bao.ttf").write_bytes(b"x")
    (workdir / "fonts" / "kai.ttc").write_bytes(b"x")
    (workdir / "fonts" / "roles.yaml").write_text("song: x\n", encoding="utf-8")
    text = VALID + (
        "fonts: ../fonts/roles.yaml\n"
        "font_files:\n  song: ../fonts/bao.ttf\n  mykai: {file: ../fonts/kai.ttc, face: 2}\n"
    )
    text = text.replace("font: kai", "font: mykai")  # a role given only by font_files is known
    layout = load_layout(write(workdir, text), known_roles=ROLES)
    fonts = workdir / "fonts"
    assert layout.font_overrides == {
        "song": ((fonts / "bao.ttf").resolve(), 0),
        "mykai": ((fonts / "kai.ttc").resolve(), 2),
    }
    assert layout.roles_file == (fonts / "roles.yaml").resolve()
    assert layout.styles["quote"].font == "mykai"


# ---- errors ------------------------------------------------------------------------------------


def test_missing_layout_file_names_the_path(workdir: Path) -> None:
    path = workdir / "layouts" / "nope.yaml"
    with pytest.raises(InputError) as info:
        load_layout(path)
    assert str(path) in str(info.value) and "not found" in str(info.value)


def test_malformed_yaml_reports_its_line(workdir: Path) -> None:
    text = replace_once(VALID, "  column_chars: 15", "  column_chars: 15: 16")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "column_chars"), None, "malformed YAML")


def test_bad_indentation_reports_its_line(workdir: Path) -> None:
    text = replace_once(VALID, "  gutter_chars: 1\n", "  gutter_chars: 1\n  - oops\n")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "- oops"), None, "malformed YAML")


def test_unknown_top_level_key_suggests_the_right_one(workdir: Path) -> None:
    text = VALID.replace("stories:", "storys: []\nstories:")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "storys"), "storys", "unknown key 'storys'", "did you mean 'stories'", "grid")


def test_unknown_nested_style_key(workdir: Path) -> None:
    text = replace_once(VALID, "    size: 五号", "    sise: 五号")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "sise"), "styles.body.sise", "unknown key 'sise'", "did you mean 'size'")
    assert err.where.column == 5  # the key itself


def test_unknown_region_key_has_list_path(workdir: Path) -> None:
    text = replace_once(VALID, "        text_columns: 3", "        text_colums: 3")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "text_colums"), "pages[0].regions[1].text_colums", "text_columns")


def test_python_object_tag_is_refused_and_never_executed(workdir: Path, monkeypatch) -> None:
    marker = workdir / "executed"
    calls = []
    monkeypatch.setattr(os, "system", lambda cmd: calls.append(cmd) or 0)
    evil = f'title: !!python/object/apply:os.system ["touch {marker}"]'
    text = replace_once(VALID, "title: 示例日报 2024年1月5日", evil)
    err, path = load_error(workdir, text)
    assert_error(err, path, 1, "title", "tag !!python/object/apply:os.system is not allowed")
    assert calls == [] and not marker.exists()


def test_python_tag_deep_in_the_file_and_unknown_local_tags_are_refused(workdir: Path) -> None:
    text = replace_once(VALID, "        lines: [1, 30]", "        lines: !!python/tuple [1, 30]")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "python/tuple"), "pages[1].regions[0].lines", "!!python/tuple is not allowed")
    text = replace_once(VALID, "  columns: 7", "  columns: !include cols.yaml")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "!include"), "grid.columns", "tag !include is not allowed")


def test_missing_article_file(workdir: Path) -> None:
    text = replace_once(VALID, "../articles/side.txt", "../articles/sied.txt")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "sied.txt"), "stories[1].article", "article file not found", "sied.txt")


def test_unknown_font_role_only_when_roles_are_known(workdir: Path) -> None:
    text = replace_once(VALID, "font: kai", "font: kia")
    load_layout(write(workdir, text))  # no known roles: not checked here
    err, path = load_error(workdir, text, known_roles=ROLES)
    assert_error(
        err, path, line_of(text, "font: kia"), "styles.quote.font", "unknown font role 'kia'", "did you mean 'kai'"
    )


def test_region_column_outside_the_grid(workdir: Path) -> None:
    text = replace_once(VALID, "columns: [5, 7]", "columns: [5, 9]")
    err, path = load_error(workdir, text)
    assert_error(
        err, path, line_of(text, "[5, 9]"), "pages[0].regions[2].columns", "column 9 is outside the grid (columns 1–7)"
    )


def test_region_line_below_the_grid(workdir: Path) -> None:
    text = replace_once(VALID, "lines: [1, 30]", "lines: [1, 103]")
    err, path = load_error(workdir, text)
    assert_error(
        err, path, line_of(text, "[1, 103]"), "pages[1].regions[0].lines", "line 103 is outside the grid (lines 1–102)"
    )


def test_reversed_region_columns(workdir: Path) -> None:
    text = replace_once(VALID, "columns: [5, 7]", "columns: [7, 5]")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "[7, 5]"), "pages[0].regions[2].columns", "reversed")


def test_overlapping_regions_on_one_page(workdir: Path) -> None:
    text = replace_once(VALID, "columns: [5, 7]", "columns: [4, 7]")
    err, path = load_error(workdir, text)
    line = line_of(text, "name: side-body")
    assert_error(err, path, line, "pages[0].regions[2]", "'side-body'", "overlaps region 'lead-body'", "page 1")


def test_regions_on_different_pages_may_share_the_grid(workdir: Path) -> None:
    text = replace_once(VALID, "        columns: 1\n", "        columns: [1, 7]\n")
    assert load_layout(write(workdir, text)).regions["p2-body"].last_column == 7


def test_thread_naming_an_unknown_region(workdir: Path) -> None:
    text = replace_once(VALID, "[lead-body, p2-body]", "[lead-body, p2-bdy]")
    err, path = load_error(workdir, text)
    assert_error(
        err, path, line_of(text, "p2-bdy"), "stories[0].thread[1]", "no region named 'p2-bdy'", "did you mean 'p2-body'"
    )


def test_region_used_by_two_stories(workdir: Path) -> None:
    text = replace_once(VALID, "thread: [side-body]", "thread: [side-body, p2-body]")
    err, path = load_error(workdir, text)
    assert_error(
        err, path, line_of(text, "[side-body, p2-body]"), "stories[1].thread[1]", "'p2-body'", "already by story 'lead'"
    )


def test_thread_may_not_use_a_headline_region(workdir: Path) -> None:
    text = replace_once(VALID, "thread: [side-body]", "thread: [lead-head]")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "[lead-head]"), "stories[1].thread[0]", "is a headline region")


def test_duplicate_key(workdir: Path) -> None:
    text = replace_once(VALID, "  rows: auto\n", "  rows: auto\n  columns: 8\n")
    err, path = load_error(workdir, text)
    first = f"first given on line {line_of(text, 'columns: 7')}"
    assert_error(err, path, line_of(text, "columns: 8"), "grid.columns", "duplicate key 'columns'", first)


def test_string_where_a_number_is_needed(workdir: Path) -> None:
    text = replace_once(VALID, "column_chars: 15", "column_chars: fifteen")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "fifteen"), "grid.column_chars", "expected a whole number", "'fifteen'")


def test_bad_length_and_bad_type_size(workdir: Path) -> None:
    text = replace_once(VALID, "top: 40mm", "top: 40 furlongs")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "furlongs"), "page.margins.top", "expected a length")
    text = replace_once(VALID, "size: 五号", "size: 大五")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "大五"), "styles.body.size", "type size", "小五")


def test_type_area_wider_than_the_page(workdir: Path) -> None:
    text = replace_once(VALID, "column_chars: 15", "column_chars: 25")  # 7×25+6 = 181 chars ≈ 575 mm
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "columns: 7"), "grid.columns", "wider than the page")


def test_type_area_wider_than_the_page_minus_the_left_margin(workdir: Path) -> None:
    text = replace_once(VALID, "left: auto", "left: 50mm")  # 999 pt ≈ 352 mm > 390 − 50
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "columns: 7"), "grid.columns", "minus the left margin")


def test_too_many_text_columns_for_the_region(workdir: Path) -> None:
    text = replace_once(VALID, "text_columns: 3", "text_columns: 30")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "text_columns: 30"), "pages[0].regions[1].text_columns", "at least 2")


def test_explicit_rows_that_do_not_fit(workdir: Path) -> None:
    text = replace_once(VALID, "rows: auto", "rows: 200")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "rows: 200"), "grid.rows", "do not fit", "room for 102 rows")


def test_zero_line_pitch(workdir: Path) -> None:
    text = replace_once(VALID, "line_pitch: 1.5", "line_pitch: 0")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "line_pitch"), "grid.line_pitch", "greater than 0")


def test_missing_required_key(workdir: Path) -> None:
    text = replace_once(VALID, "  columns: 7\n", "")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "body_size"), "grid.columns", "required")


def test_headline_must_be_a_headline_region(workdir: Path) -> None:
    text = replace_once(VALID, "headline: lead-head", "headline: side-body")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "headline: side-body"), "stories[0].headline", "is a text region")


def test_jump_template_needs_page(workdir: Path) -> None:
    text = replace_once(VALID, "to_page: （下转第{page}版）", "to_page: （下转第{pg}版）")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "{pg}"), "jumps.to_page", "{page}")


def test_unknown_style_in_story_and_bad_enum(workdir: Path) -> None:
    text = replace_once(VALID, "styles: {body: quote}", "styles: {body: qoute}")
    err, path = load_error(workdir, text)
    assert_error(
        err, path, line_of(text, "qoute"), "stories[0].styles.body", "unknown style 'qoute'", "did you mean 'quote'"
    )
    text = replace_once(VALID, "punctuation: kaiming", "punctuation: kaimng")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "kaimng"), "styles.quote.punctuation", "did you mean 'kaiming'", "quanjiao")


def test_duplicate_page_and_region_and_story_names(workdir: Path) -> None:
    text = replace_once(VALID, "  - page: 2", "  - page: 1")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "page: 1", 1), "pages[1].page", "page 1 is listed twice")
    text = replace_once(VALID, "name: side-body", "name: lead-body")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "name: lead-body", 1), "pages[0].regions[2].name", "used twice")
    text = replace_once(VALID, "name: side\n", "name: lead\n")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "- name: lead", 1, whole=True), "stories[1].name", "used twice")


def test_non_text_key_empty_file_and_non_utf8(workdir: Path) -> None:
    text = replace_once(VALID, "  columns: 7\n", "  columns: 7\n  3.5: x\n")
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "3.5: x"), None, "a key must be text")
    text = replace_once(VALID, "  columns: 7\n", "  columns: 7\n  3: x\n")  # a number key is read as text
    err, path = load_error(workdir, text)
    assert_error(err, path, line_of(text, "3: x"), None, "unknown key '3'")
    err, path = load_error(workdir, "# only a comment\n")
    assert_error(err, path, 1, None, "empty")
    path = workdir / "layouts" / "latin1.yaml"
    path.write_bytes("title: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError) as info:
        load_layout(path)
    assert_error(info.value, path, 1, None, "UTF-8")


def test_top_level_must_be_a_mapping(workdir: Path) -> None:
    err, path = load_error(workdir, "- just\n- a list\n")
    assert_error(err, path, 1, None, "expected YAML key: value entries")


# ---- yaml_source on its own --------------------------------------------------------------------


def test_yaml_source_positions_paths_and_plain_values() -> None:
    root = parse_yaml("a:\n  b: [1, 2.5, true, null, x]\n  c: 2024-01-05\n", "f.yaml")
    items = root.require("a").require("b").as_list()
    assert [i.value for i in items] == [1, 2.5, True, None, "x"]
    assert (items[1].where.line, items[1].where.column, items[1].path) == (2, 10, "a.b[1]")
    assert root.require("a").require("c").as_str(coerce=True) == "2024-01-05"
    with pytest.raises(InputError, match=r"^f\.yaml:3:6: a\.c: expected text"):
        root.require("a").require("c").as_str()


def test_yaml_source_refuses_anchors_aliases_and_deep_nesting() -> None:
    with pytest.raises(InputError, match=r"^f\.yaml:1:7: base: anchor &b is not allowed"):
        parse_yaml("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n", "f.yaml")
    with pytest.raises(InputError, match=r"^f\.yaml:1:6: use: alias \*b is not allowed"):
        parse_yaml("use: *b\n", "f.yaml")
    with pytest.raises(InputError, match="nested more than 20 levels deep"):
        parse_yaml("a: " + "[" * 21 + "]" * 21, "f.yaml")
    assert parse_yaml("a: " + "[" * 19 + "]" * 19, "f.yaml").require("a").is_sequence


# ---- robustness --------------------------------------------------------------------------------


def _fresh(workdir: Path, data: bytes) -> None:
    path = workdir / "layouts" / "fuzz.yaml"
    path.write_bytes(data)
    try:
        load_layout(path, known_roles=ROLES)
    except InputError as err:
        text = str(err)
        assert "\n" not in text and text.startswith(str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    garbage=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(lambda s: s.encode("utf-8", "surrogatepass")),
    )
)
def test_random_garbage_raises_only_input_error(workdir: Path, garbage: bytes) -> None:
    _fresh(workdir, garbage)


_TOKENS = ["", " ", ":", "- ", "[", "]", "{", "}", "&a ", "*a", "<<: ", "!!python/object:os.system ", "!x ", "'",
           '"', "#", "\t", "\n", "0", "-1", "1e400", "999999999999999999999", ".nan", "auto", "null", "小五", "~",
           "[1, 99]", "{page}", "../articles/lead.txt", "lead-body", "p2-body", "columns: ", "lines: ", "yes",
           "2024-13-45", "\x00", "\ufeff", "9pt", "0mm", "1:30"]  # fmt: skip


@st.composite
def mutations(draw) -> str:
    lines = VALID.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["token", "delete", "duplicate", "swap", "chars", "value"]))
        if op == "token":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.sampled_from(_TOKENS)) + lines[i][pos:]
        elif op == "delete":
            lines.pop(i)
            if not lines:
                lines = [""]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "chars":
            pos = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:pos] + draw(st.text(max_size=5)) + lines[i][pos + draw(st.integers(0, 3)) :]
        else:  # replace a value after the colon
            if ":" in lines[i]:
                head = lines[i].split(":", 1)[0]
                lines[i] = head + ": " + draw(st.sampled_from(_TOKENS)) + "\n"
    return "".join(lines)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=mutations())
def test_random_mutations_of_a_valid_layout_raise_only_input_error(workdir: Path, text: str) -> None:
    _fresh(workdir, text.encode("utf-8", "surrogatepass"))


_LEAVES = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["auto", "小五", "一号", "12mm", "9pt", "0", "-3mm", "lead-body", "p2-body", "lead-head",
                     "headline", "text", "kai", "song", "../articles/lead.txt", "{page}", "a4", "对开"]),
    st.text(max_size=8),
)  # fmt: skip
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


@st.composite
def structural_mutations(draw) -> str:
    import yaml

    data = yaml.safe_load(VALID)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))[1:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.booleans()) or not isinstance(parent, dict):
            parent[path[-1]] = draw(_VALUES)
        else:
            del parent[path[-1]]
    return yaml.safe_dump(data, allow_unicode=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=structural_mutations())
def test_random_value_changes_in_a_valid_layout_raise_only_input_error(workdir: Path, text: str) -> None:
    _fresh(workdir, text.encode("utf-8"))


# ---- the documentation's example ---------------------------------------------------------------


def test_the_documented_example_loads(tmp_path: Path) -> None:
    doc = Path(__file__).resolve().parents[1] / "docs" / "layout-spec.md"
    match = re.search(r"<!-- example:start -->\s*```yaml\n(.*?)```", doc.read_text(encoding="utf-8"), re.S)
    assert match, "docs/layout-spec.md has no marked full example"
    example = match.group(1)
    layout_dir = tmp_path / "layouts"
    layout_dir.mkdir()
    for rel in re.findall(r"^\s*(?:article|fonts|file|song|hei|kai):\s*(\.\.?/\S+)", example, re.M):
        target = (layout_dir / rel).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("正文。\n", encoding="utf-8")
    layout = load_layout(write(tmp_path, example, "example.yaml"), known_roles=ROLES)
    assert layout.stories and layout.regions
