"""What a layout editor signs off (issue 16, "Done when"), read from the PDFs of the demo and both
sample editions, each built once for the module (with its text trace and its JSON report, in a
cache folder of the module's own).

What the other tests already prove is not proved again here: tests/test_display_lines_pdf.py (the
display lines of the trace end between words, and are printed on their page),
tests/test_picture_pdf.py (every picture exactly as wide as its columns, its caption at its left
edge on a body grid line at most one line under it: image boxes from the content stream, caption
characters from pdfium), tests/test_jump_ends.py and tests/test_headline_ranks.py (the same
points on the flowed model). This file reads them off the printed page:

* display type (headline, kicker, subtitle, subhead, caption): which lines are display lines, and
  which lines make one part, comes from the trace (the PDF does not say that a line in 黑体 at the
  body size is a subhead); that each of them is a line of its own in the PDF comes from the PDF:
  the characters pdfium finds on one baseline within the line's measure read exactly the line's
  text, and the lines of a part stand one under the other. So the break the segmenter judges
  (`paiban.text.phrases.boundaries` on the part's text) is the break that is printed.
* jumps: every `（下转…）` the PDF prints, with the characters before it on its line (contiguous on
  the baseline), found in the story's source paragraph: the printed segment must end after a
  clause mark or between two words of the paragraph.
* 单字成行: every line of every story column (the columns are the layout's frames; the text is what
  the PDF prints on that column's grid line) that reads one hanzi and its closing marks must be
  reported on its page as an ``orphan`` warning naming the rule that could not remove it (the
  reader is shown to find one: a small layout that prints `癸。` alone).
* the demo's lead headline: the largest type on page 1 outside the masthead, by pdfium's font
  sizes, reads the lead story's headline, and its kicker and subtitle are printed right above and
  below it in the headline region.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from conftest import DEMO, ROOT
from test_display_lines_pdf import display_parts, read_trace
from test_picture_pdf import _pages

from paiban.flow.frames import thread_slots
from paiban.input.article_reader import read_article
from paiban.model.spec import RegionKind
from paiban.text import phrases

BUILDS = {"demo": DEMO, "city": ROOT / "layouts" / "editions" / "city.yaml",
          "coast": ROOT / "layouts" / "editions" / "coast.yaml"}
SPACE = re.compile(r"[\s\u3000]+")
#: the marks after which a page's segment ends on a clause (a point or a closing mark)
CLAUSE_END = set("，。、；：！？…”’」』）》〉】〕")
CLOSING = set("，。、；：！？…”’」』）》〉】〕·—")
JUMP_TO = re.compile(r"（下转第[^（）]{1,4}版）")
JUMP_FROM = re.compile(r"（上接第[^（）]{1,4}版）")
BASELINE = 0.88  # the baseline below the em box's top (page/compose.py)
#: characters of one line stand at most this many em apart, origin to origin (a justified line
#: stretches at most ½ em a gap); the next text column's first character stands 2 em or more away
SAME_LINE_EM = 1.6
#: how far left of its line box an opening mark's origin may stand, in em
LEFT_HALF = 0.55


@dataclass(frozen=True)
class Char:
    x: float  # origin, pt from the trim box's left edge (the page as designed)
    y: float  # baseline, pt from the trim box's foot
    size: float
    ch: str


@dataclass(frozen=True)
class Build:
    name: str
    source: Path
    pdf: Path
    trace: Path
    warnings: tuple[dict, ...]  # kind, message, page, story
    pages: list  # (PDF page index, layout, layout page), from tests/test_picture_pdf.py


def _chars(page) -> list[Char]:
    """Every drawn character of a pypdfium2 page, with its origin and font size."""
    tx, ty = page.get_trimbox()[:2]
    text = page.get_textpage()
    x, y = ctypes.c_double(), ctypes.c_double()
    out = []
    for i in range(text.count_chars()):
        ch = text.get_text_range(i, 1)
        if not ch.strip():
            continue
        pdfium_c.FPDFText_GetCharOrigin(text.raw, i, ctypes.byref(x), ctypes.byref(y))
        out.append(Char(x.value - tx, y.value - ty, pdfium_c.FPDFText_GetFontSize(text.raw, i), ch))
    return out


def _within(row: list[Char], x0: float, x1: float) -> str:
    """The text of a baseline's characters that stand in the measure from `x0` to `x1` (an opening
    mark at the line's start stands half an em to its left: its ink is the mark's right half)."""
    return "".join(c.ch for c in row if x0 - LEFT_HALF * c.size <= c.x <= x1 + 0.5)


def _baselines(chars: list[Char]) -> dict[float, list[Char]]:
    """The characters by baseline (to 0.1 pt), each baseline's in x order."""
    rows: dict[float, list[Char]] = {}
    for c in chars:
        rows.setdefault(round(c.y, 1), []).append(c)
    return {y: sorted(row, key=lambda c: c.x) for y, row in rows.items()}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """`builds(name)`: the build of the demo or a sample edition, made on first use."""
    cache = tmp_path_factory.mktemp("cache")
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(cache))
    made: dict[str, Build] = {}

    def build(name: str) -> Build:
        if name not in made:
            source, out = BUILDS[name], tmp_path_factory.mktemp(name)
            args = [sys.executable, "-m", "paiban", "build", str(source), "-o", str(out), "--json",
                    "--trace", str(out / "trace.txt")]
            done = subprocess.run(args + ([] if name == "demo" else ["--no-previews"]), capture_output=True,
                                  text=True, cwd=ROOT, env=env, timeout=600)
            assert done.returncode == 0, done.stderr
            report = json.loads(done.stdout)
            warnings = report["warnings"] if name == "demo" else [w for p in report["pages"] for w in p["warnings"]]
            made[name] = Build(name, source, out / f"{name}.pdf", out / "trace.txt", tuple(warnings), _pages(source))
        return made[name]

    return build


@pytest.fixture(scope="module")
def pdf_chars():
    """`pdf_chars(build)`: every page's characters (`Char`), read once per PDF."""
    read: dict[Path, list[list[Char]]] = {}

    def chars(build: Build) -> list[list[Char]]:
        if build.pdf not in read:
            document = pdfium.PdfDocument(build.pdf)
            read[build.pdf] = [_chars(page) for page in document]
            document.close()
        return read[build.pdf]

    return chars


# ---- display type ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BUILDS))
def test_every_display_line_is_printed_as_its_own_line_and_ends_between_words(name, builds, pdf_chars):
    build = builds(name)
    pages = pdf_chars(build)
    rows = [_baselines(chars) for chars in pages]
    parts = display_parts(read_trace(build.trace))
    bad, broken = [], 0
    for part in parts:
        above = float("inf")
        for ln in part:
            if ln.vertical:  # read back down its column by tests/test_vertical_edition.py
                continue
            want = SPACE.sub("", ln.text)
            # PlacedLine.x is the line box's left edge on the page as designed; w its measure
            x0 = float(_trace_field(build.trace, ln, "x"))
            x1 = x0 + float(_trace_field(build.trace, ln, "w"))
            found = [y for y, row in rows[ln.page - 1].items() if y < above and _within(row, x0, x1) == want]
            assert found, (f"{name} page {ln.page}: the {ln.kind} line {ln.text!r} of region {ln.region} is not "
                           "a line of its own in the PDF (within its measure, below the part's line above)")
            above = max(found)
        text = "".join(SPACE.sub("", ln.text) for ln in part)
        cuts, at = phrases.boundaries(text), 0
        for ln, nxt in zip(part, part[1:]):
            broken += 1
            at += len(SPACE.sub("", ln.text))
            if at not in cuts:
                bad.append(f"page {ln.page} {ln.kind} ({ln.region}): {ln.text} / {nxt.text}"
                           f"  (words: {'|'.join(phrases.words(text))})")
    assert broken > 0, f"{name}: no display part breaks: nothing is tested"
    assert not bad, f"{name}: display lines ending inside a word:\n" + "\n".join(bad)


_TRACE_FIELDS: dict[Path, dict[tuple, dict[str, str]]] = {}
_TRACE_LINE = re.compile(r"^\s+L(\d+) c(\d+) x=(\S+) [wh]=(\S+) (\w+): (.*)$")


def _trace_field(trace: Path, ln, field: str) -> str:
    """x or w of a trace line (tests/test_display_lines_pdf.py's `TraceLine` keeps neither)."""
    if trace not in _TRACE_FIELDS:
        fields, page, region = {}, 0, ""
        for raw in trace.read_text(encoding="utf-8").splitlines():
            if raw.startswith("page "):
                page = int(raw.split()[1])
            elif raw.startswith("  region "):
                region = raw[len("  region "):]
            elif m := _TRACE_LINE.match(raw):
                fields[(page, region, int(m[2]), int(m[1]), m[5], m[6])] = {"x": m[3], "w": m[4]}
        _TRACE_FIELDS[trace] = fields
    return _TRACE_FIELDS[trace][(ln.page, ln.region, ln.column, ln.grid_line, ln.kind, ln.text)][field]


# ---- jumps -------------------------------------------------------------------------------------

def _paragraphs(build: Build) -> list[str]:
    """Every source paragraph of the stories the build sets, whitespace-free."""
    articles = {story.article for _, layout, _ in build.pages for story in layout.stories}
    return [SPACE.sub("", p.text) for path in sorted(articles) for p in read_article(path).paragraphs]


def _jump_segments(pages: list[list[Char]]) -> list[tuple[int, str]]:
    """(page, the text before it on its line) of every 下转 jump line the PDF prints."""
    out = []
    for number, chars in enumerate(pages, start=1):
        for row in _baselines(chars).values():
            text = "".join(c.ch for c in row)
            for m in JUMP_TO.finditer(text):
                start = m.start()
                while start > 0 and row[start].x - row[start - 1].x <= SAME_LINE_EM * row[start].size:
                    start -= 1
                out.append((number, JUMP_FROM.sub("", text[start:m.start()])))
    return out


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_every_printed_jump_line_follows_a_clause_end_or_a_word_boundary(name, builds, pdf_chars):
    build = builds(name)
    paragraphs = _paragraphs(build)
    segments = _jump_segments(pdf_chars(build))
    assert segments, f"{name}: the PDF prints no 下转 jump line: nothing is tested"
    bad = []
    for page, before in segments:
        if not before:
            continue  # a jump line alone on its line: the text before it ended its own line
        found = [(p, m.end()) for p in paragraphs for m in re.finditer(re.escape(before), p)]
        assert found, f"{name} page {page}: the line before （下转…） {before!r} is in no source paragraph"
        for paragraph, end in found:  # a short line found in several places: each must end well
            if end < len(paragraph) and paragraph[end - 1] not in CLAUSE_END \
                    and end not in phrases.boundaries(paragraph):
                bad.append(f"page {page}: …{paragraph[max(0, end - 8):end]}|{paragraph[end:end + 8]}…")
    assert not bad, f"{name}: jump lines inside a word:\n" + "\n".join(bad)


# ---- 单字成行 ------------------------------------------------------------------------------------

def _single_hanzi(text: str) -> bool:
    return len(text) >= 1 and "\u3400" <= text[0] <= "\u9fff" and all(c in CLOSING for c in text[1:])


def _one_hanzi_lines(build: Build, pages: list[list[Char]]) -> list[tuple[int, str, str]]:
    """(PDF page, story, text) of every story column line the PDF prints as one hanzi (and its marks)."""
    out = []
    for index, layout, number in build.pages:
        rows = _baselines(pages[index])
        grid, left = layout.grid, layout.page.margin_left
        for story in layout.stories:
            frames, _ = thread_slots(layout, story.thread, story.repeat_headline)
            for frame in frames:
                if frame.page != number:
                    continue
                for line in range(frame.first_line, frame.first_line + frame.lines):
                    y = layout.grid_top(number) - (line - 1) * grid.line_pitch - BASELINE * grid.body_size
                    row = [c for ry, r in rows.items() if abs(ry - y) < 0.15 for c in r]
                    text = _within(row, left + frame.x, left + frame.x + frame.width)
                    if _single_hanzi(text):
                        out.append((index + 1, story.name, text))
    return out


@pytest.mark.parametrize("name", sorted(BUILDS))
def test_every_single_hanzi_line_the_pdf_prints_is_reported_with_its_rule(name, builds, pdf_chars):
    build = builds(name)
    pages = pdf_chars(build)
    lines = _one_hanzi_lines(build, pages)
    orphans = [w for w in build.warnings if w["kind"] == "orphan"]
    for w in orphans:  # each names the rule that could not remove it
        assert re.search(r"ends on one hanzi \(.+\)$", w["message"]), w["message"]
    unreported = []
    for page, story in sorted({(page, story) for page, story, _ in lines}):
        printed = [text for p, s, text in lines if (p, s) == (page, story)]
        told = [w for w in orphans if w["page"] == page and w["story"] == story]
        if len(told) < len(printed):
            unreported.append(f"page {page} story {story}: {printed} printed, {len(told)} reported")
    assert not unreported, f"{name}: 单字成行 not reported:\n" + "\n".join(unreported)


def test_the_one_hanzi_line_reader_finds_a_printed_one(tmp_path, pdf_chars):
    """The reader above is not blind: a column of 5 that prints `癸。` alone (the layout of
    tests/test_edition_preflight.py, pull-down off) is found, on its page, in its story."""
    from test_edition_preflight import ARTICLE, LAYOUT

    assert _single_hanzi("前。") and _single_hanzi("当——") and not _single_hanzi("前后。") and not _single_hanzi("。")
    (tmp_path / "a.txt").write_text(ARTICLE, encoding="utf-8")
    source = tmp_path / "one.yaml"
    source.write_text(LAYOUT.format(preflight=""), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "paiban", "build", str(source), "-o", str(tmp_path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    build = Build("one", source, tmp_path / "one.pdf", tmp_path / "none", (), _pages(source))
    assert _one_hanzi_lines(build, pdf_chars(build)) == [(1, "s", "癸。")]


# ---- the demo's lead headline ----------------------------------------------------------------------

def test_the_demos_lead_headline_is_the_largest_type_on_page_1_after_the_masthead(builds, pdf_chars):
    build = builds("demo")
    index, layout, number = build.pages[0]
    grid, left = layout.grid, layout.page.margin_left

    def inside(c: Char, region) -> bool:
        top = layout.grid_top(number) - (region.first_line - 1) * grid.line_pitch
        bottom = layout.grid_top(number) - region.last_line * grid.line_pitch
        return region.left(grid, left) - 0.5 <= c.x <= region.right(grid, left) + 0.5 and bottom <= c.y <= top

    mastheads = [r for r in layout.regions.values() if r.kind is RegionKind.MASTHEAD and r.page == number]
    assert mastheads
    chars = [c for c in pdf_chars(build)[index] if not any(inside(c, r) for r in mastheads)]
    largest = max(c.size for c in chars)
    story = next(s for s in layout.stories if s.name == "lead")
    head = read_article(story.article).headline
    main = SPACE.sub("", head.main.replace("|", ""))
    top = [c for c in chars if abs(c.size - largest) < 0.01]
    assert "".join(c.ch for c in sorted(top, key=lambda c: (-c.y, c.x))) == main
    region = layout.regions[story.headline_region]
    assert all(inside(c, region) for c in top)
    second = max(c.size for c in chars if c.size < largest - 0.01)
    assert largest >= 1.5 * second, f"the lead headline {largest:g} pt, the next type {second:g} pt"
    # kicker right above, subtitle right below, in the lead's headline region
    block = [c for c in chars if inside(c, region) and c not in top]
    above = "".join(c.ch for c in sorted((c for c in block if c.y > max(t.y for t in top)), key=lambda c: (-c.y, c.x)))
    below = "".join(c.ch for c in sorted((c for c in block if c.y < min(t.y for t in top)), key=lambda c: (-c.y, c.x)))
    kicker = story.kicker_text if story.kicker_text is not None else head.kicker
    subtitle = story.subtitle_text if story.subtitle_text is not None else head.subtitle
    assert kicker and subtitle, "the lead has a kicker and a subtitle"
    assert above == SPACE.sub("", kicker.replace("|", ""))
    assert below == SPACE.sub("", subtitle.replace("|", ""))
