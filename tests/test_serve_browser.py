"""`paiban serve` in Debian's Chromium, headless, driven by playwright (the system browser: no
`playwright install`): the live page as a layout editor uses it.

On a copy of the demo, with `paiban serve` running as its own process: the two pages show; an
article saved with more text changes page 1's image and the overset count without a reload; the
proof overlay toggles on and its jump link on page 1 (下转第二版) lands on page 2; a broken
layout file shows the same one line `paiban check` prints while the last good pages stay; the
fixed file clears it. Skipped when Chromium or playwright is missing, except in CI (CI=true),
where that fails.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CHROMIUM, ROOT, demo_copy, stop_server
from conftest import CHROMIUM_ARGS as ARGS

IN_CI = os.environ.get("CI") == "true"

if not IN_CI:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium; tasks.sh does it)",
                    allow_module_level=True)
    pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[serve,test]')")
    pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")


def environment() -> dict[str, str]:
    return {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONPATH": str(ROOT / "src")}


@pytest.fixture
def served(tmp_path):
    """(URL, layout path) of `paiban serve` running on a copy of the demo."""
    layout = demo_copy(tmp_path / "project")
    process = subprocess.Popen([sys.executable, "-m", "paiban", "serve", str(layout), "--port", "0",
                                "-o", str(tmp_path / "out")], env=environment(), stderr=subprocess.PIPE, text=True)
    try:
        line = process.stderr.readline()  # the first build is done before the address is printed
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, f"paiban serve said {line!r}"
        yield found.group(0), layout
    finally:
        stop_server(process)


@pytest.fixture
def browser_page(tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1600, "height": 1000})
        try:
            yield context.new_page()
        finally:
            context.close()


def versions(page) -> dict[int, int]:
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('figure.page')].map(
        f => [f.dataset.number, Number(f.querySelector('img.pixels').dataset.version || 0)]))""")


def cli_error(layout: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "paiban", "check", str(layout)], env=environment(),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    return done.stderr.strip().splitlines()[-1]


def test_live_page_in_chromium(served, browser_page):
    url, layout = served
    page = browser_page
    page.goto(url)
    page.wait_for_function("document.querySelectorAll('figure.page img.pixels[data-version]').length === 2",
                           timeout=30_000)
    assert page.inner_text("#overset") == "0"
    assert page.is_hidden("#error")
    before = versions(page)
    pixels = page.evaluate("document.querySelector('#page-1 img.pixels').naturalWidth")
    assert pixels > 500  # a broadsheet page at 72 dpi
    page.evaluate("window.notReloaded = true")

    # an article's first paragraph made longer: page 1 changes, and the story is overset
    article = layout.parent / "articles" / "sample-port.txt"
    text = article.read_text(encoding="utf-8")
    assert "八个港口，每周一班。" not in text
    article.write_text(text.replace("每周一班，", "每周一班。" + "港口新增航线的消息传来，市民纷纷点赞。" * 20, 1),
                       encoding="utf-8")
    page.wait_for_function("Number(document.querySelector('#overset').textContent) > 0", timeout=30_000)
    page.wait_for_function(f"Number(document.querySelector('#page-1 img.pixels').dataset.version) > {before['1']}",
                           timeout=30_000)
    after = versions(page)
    assert after["2"] == before["2"]  # page 2 shows nothing of that story: not rendered again
    assert page.evaluate("window.notReloaded") is True
    assert page.eval_on_selector("#page-1 img.pixels", "img => img.complete && img.naturalWidth") > 500
    overset = int(page.inner_text("#overset"))
    page.wait_for_function(f"paiban.state.stories.find(s => s.name === 'port').overset === {overset}",
                           timeout=30_000)  # the report's table follows the pages

    # the proof overlay: on, with the regions and the jump link to page 2; the link lands there
    assert page.eval_on_selector_all("#page-1 svg *", "els => els.length") == 0
    page.click("#overlay-toggle")
    page.wait_for_selector("#page-1 svg .link[data-target='2']", state="attached", timeout=30_000)
    assert page.eval_on_selector_all("#page-1 svg .kind-region", "els => els.length") > 5
    page.eval_on_selector("#pages", "el => el.scrollLeft = 0")
    page.click("#page-1 svg .link[data-target='2']", force=True)
    page.wait_for_function("location.hash === '#page-2'", timeout=5_000)
    assert "current" in page.get_attribute("#page-2", "class")
    assert page.evaluate("""() => { const r = document.querySelector('#page-2').getBoundingClientRect();
        return r.left < window.innerWidth && r.right > 0; }""")
    page.click("#overlay-toggle")
    assert page.eval_on_selector_all("#page-1 svg *", "els => els.length") == 0

    # a broken layout: the one line the CLI prints, over the last good pages
    good = layout.read_text(encoding="utf-8")
    shown = versions(page)
    layout.write_text(good.replace("  columns: 7 ", "  columns: seven "), encoding="utf-8")
    expected = cli_error(layout)
    page.wait_for_function("!document.querySelector('#error').hidden", timeout=30_000)
    assert page.inner_text("#error").strip() == expected
    assert expected.startswith("paiban: error: ") and "columns" in expected
    assert versions(page) == shown
    assert page.eval_on_selector("#page-1 img.pixels", "img => img.complete && img.naturalWidth") > 500

    # fixed: the error goes, the pages stay
    layout.write_text(good, encoding="utf-8")
    page.wait_for_function("document.querySelector('#error').hidden", timeout=30_000)
    assert set(versions(page)) == {"1", "2"}
    assert page.evaluate("window.notReloaded") is True
