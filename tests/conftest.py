"""Shared fixtures: the seed article, its printed lines, small layouts built in code, golden
files; and the cache folder of the whole run.

Every run uses a cache folder of its own (``$PAIBAN_CACHE_DIR``, set in `pytest_configure`
before any test runs, so the processes tests start inherit it), shared by all its tests and
removed at the end: the suite never reads or writes the user's ``~/.cache/paiban``. Tests that
need an empty cache point ``$PAIBAN_CACHE_DIR`` at a folder of their own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest

from paiban.input.article_reader import JUMP_LINE, _clean_line, read_article
from paiban.model.spec import (Grid, JumpTemplates, Layout, PageGeometry, Region, RegionKind,
                               StorySpec, TextStyle)

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_b4709c2c99975726.txt"
DEMO = ROOT / "layouts" / "demo.yaml"


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="write golden files (a missing golden file fails the test without it)")


#: the environment variable the run's cache folder is given in, and what it was before the run
_CACHE_VARIABLE = "PAIBAN_CACHE_DIR"
_saved_cache_variable = pytest.StashKey[tuple]()


def pytest_configure(config):
    """Point ``$PAIBAN_CACHE_DIR`` at a new temporary folder for the whole run."""
    folder = tempfile.mkdtemp(prefix="paiban-test-cache-")
    config.stash[_saved_cache_variable] = (os.environ.get(_CACHE_VARIABLE), folder)
    os.environ[_CACHE_VARIABLE] = folder
    # the tests read paiban's English messages; a Chinese shell would otherwise make them Chinese
    # (tests/test_i18n_cli.py sets its own locale variables for each run it makes)
    os.environ["LC_ALL"] = "C.UTF-8"
    os.environ.pop("LANGUAGE", None)


def pytest_unconfigure(config):
    """Remove the run's cache folder and give ``$PAIBAN_CACHE_DIR`` its value back."""
    saved = config.stash.get(_saved_cache_variable, None)
    if saved is None:
        return
    before, folder = saved
    if before is None:
        os.environ.pop(_CACHE_VARIABLE, None)
    else:
        os.environ[_CACHE_VARIABLE] = before
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def test_cache_dir(pytestconfig) -> Path:
    """The cache folder shared by the run's tests (``$PAIBAN_CACHE_DIR``)."""
    return Path(pytestconfig.stash[_saved_cache_variable][1])


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


def check_golden(path: Path, text: str, update: bool) -> None:
    """`text` must equal the golden file `path`. With `update` (``--update-goldens``) the file
    is written first; without it a missing file fails the test."""
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    elif not path.exists():
        pytest.fail(f"golden file {path} is missing: write it with pytest --update-goldens and review it",
                    pytrace=False)
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def golden(update_goldens):
    """``golden(path, text)``: `check_golden` with this run's ``--update-goldens``."""
    return lambda path, text: check_golden(path, text, update_goldens)


def seed_printed_lines() -> list[str]:
    """The seed's 162 printed body lines as text (byline, headline and the jump text removed)."""
    raw = [ln.rstrip() for ln in SEED.read_text(encoding="utf-8").split("\n") if ln.strip()]
    lines = [_clean_line(ln.strip()) for ln in raw[1:-1]]
    lines[-1] = JUMP_LINE.sub("", lines[-1])
    return lines


def simple_layout(regions: list[Region], *, column_chars: int = 15, columns: int = 1, rows: int = 200,
                  styles: dict[str, TextStyle] | None = None, article: Path = SEED,
                  thread: tuple[str, ...] | None = None, headline: str | None = None) -> Layout:
    grid = Grid(9.0, columns, column_chars, 1.0, 14.0, rows)
    all_styles = {n: TextStyle(n) for n in ("body", "subhead", "byline", "headline", "kicker", "subtitle")}
    all_styles.update(styles or {})
    pages = tuple(sorted({r.page for r in regions}))
    text_regions = tuple(r.name for r in regions if r.kind is RegionKind.TEXT)
    story = StorySpec("s", article, thread or text_regions, headline)
    return Layout(Path("test.yaml"), "test", PageGeometry(1000.0, 3000.0, 20.0, 20.0), grid, pages,
                  all_styles, {r.name: r for r in regions}, (story,), JumpTemplates())


def text_region(name: str, page: int, lines: tuple[int, int], columns: tuple[int, int] = (1, 1),
                text_columns: int = 1) -> Region:
    return Region(name, page, RegionKind.TEXT, columns[0], columns[1], lines[0], lines[1], text_columns, 1.0)


def region_text(pdf, layout, region_name: str) -> str:
    """The text a PDF (pypdfium2 document) shows inside a region's rectangle, by position."""
    region = layout.regions[region_name]
    grid, page = layout.grid, layout.page
    left = page.margin_left + grid.column_x(region.first_column) - 1
    right = page.margin_left + grid.column_x(region.last_column) + grid.column_chars * grid.body_size + 1
    top = layout.grid_top(region.page) - (region.first_line - 1) * grid.line_pitch + 1
    bottom = layout.grid_top(region.page) - region.last_line * grid.line_pitch + 3  # the leading below the last line
    index = layout.pages.index(region.page)
    x, y = pdf[index].get_trimbox()[:2]  # the page as designed lies at the TrimBox (marks around it)
    return pdf[index].get_textpage().get_text_bounded(left + x, bottom + y, right + x, top + y)


JUMP_TEXT = re.compile(r"（(下转|上接)第([一二三四五六七八九十]+)版）")
SPACE = re.compile(r"[\s\u3000]+")


def story_text_in_pdf(pdf, layout, story) -> str:
    """What a story's thread regions show in the PDF, whitespace-free, without its jump lines,
    its repeated headline (续题) and the captions of pictures inside its regions."""
    headline = SPACE.sub("", read_article(story.article).headline.main)
    captions = [SPACE.sub("", r.picture.caption) for r in layout.regions.values()
                if r.picture is not None and r.picture.caption]
    parts = []
    for name in story.thread:
        text = JUMP_TEXT.sub("", SPACE.sub("", region_text(pdf, layout, name)))
        if story.repeat_headline and name != story.thread[0] and text.startswith(headline):
            text = text[len(headline):]
        for caption in captions:
            text = text.replace(caption, "", 1)
        parts.append(text)
    return "".join(parts)


def assert_stories_read_back(pdf, layout) -> None:
    """Every story of `layout` reads back from the PDF (pypdfium2 document) exactly once, in order."""
    for story in layout.stories:
        article = read_article(story.article)
        assert story_text_in_pdf(pdf, layout, story) == SPACE.sub("", body_text(article)), story.name


# ---- reading the model back as text (what a test compares; the pipeline never needs it) ----------

def body_text(article) -> str:
    """All of an `Article`'s flowed text in order (byline paragraph included), without separators."""
    return "".join(p.text for p in article.paragraphs)


def units_text(units) -> str:
    return "".join(u.text for u in units)


def line_text(fl) -> str:
    """A `FlowLine`'s own text (its jump texts left out)."""
    return units_text(fl.units)


def full_text(fl) -> str:
    """A `FlowLine`'s text with its 上接 prefix and 下转 suffix (what the placed line reads)."""
    return units_text(fl.prefix) + units_text(fl.units) + units_text(fl.suffix)


def lines_text(units, lines) -> list[str]:
    """The text of each `LineBreak` of a paragraph's `units`."""
    return [units_text(units[ln.start:ln.end]) for ln in lines]


class Glyph(NamedTuple):
    """One drawn glyph of a `PlacedLine` (which keeps its glyphs as columns)."""

    char: str
    x: float
    face: str  # FontFace.key
    scale: float = 1.0


def placed_glyphs(line) -> list[Glyph]:
    """The drawn glyphs of a `PlacedLine`, one `Glyph` each: its character, origin, face and scale."""
    scales = dict(line.scaled)
    return [Glyph(line.chars[i], line.xs[i], face, scales.get(i, 1.0))
            for face, start, end in line.runs() for i in range(start, end)]


@pytest.fixture(scope="session")
def seed_article():
    return read_article(SEED)


HAN = re.compile(r"[\u3400-\u9fff]")


# CI runs the property tests with a fixed seed so that a run is repeatable; locally they explore.
from hypothesis import settings  # noqa: E402

settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


#: Debian's Chromium and the flags a headless run needs here (as root, no network): tests of `paiban serve`
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def demo_copy(folder: Path) -> Path:
    """The demo layout with its articles, pictures and the seed, in `folder` (its root is ..)."""
    shutil.copytree(ROOT / "layouts" / "articles", folder / "layouts" / "articles")
    shutil.copytree(ROOT / "layouts" / "images", folder / "layouts" / "images")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    shutil.copy(ROOT / "layouts" / "demo.yaml", folder / "layouts" / "demo.yaml")
    return folder / "layouts" / "demo.yaml"


def stop_server(process: subprocess.Popen) -> None:
    """End a `paiban serve` started by a test: asked to stop, killed after 20 s."""
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.stderr.close()
