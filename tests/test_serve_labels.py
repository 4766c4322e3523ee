"""`paiban serve`'s page speaks the server's language: with LANG=zh_CN.UTF-8 the report's heading,
its table's heads and the status line show in Chinese in Chromium (playwright, Debian's browser);
with LANG=C the page and ``/labels`` are English (plain HTTP, no browser). The browser part is
skipped when Chromium or playwright is missing, except in CI (CI=true), where that fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request

import pytest
from conftest import CHROMIUM, ROOT, demo_copy, stop_server
from conftest import CHROMIUM_ARGS as ARGS

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")



@pytest.fixture
def serve(tmp_path):
    """A function: the URL of `paiban serve` on a copy of the demo, run with the locale `lang`."""
    processes = []

    def start(lang: str) -> str:
        layout = demo_copy(tmp_path / f"project-{len(processes)}")
        env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
        env.update(LANG=lang, PYTHONPATH=str(ROOT / "src"))
        process = subprocess.Popen([sys.executable, "-m", "paiban", "serve", str(layout), "--port", "0",
                                    "-o", str(tmp_path / f"out-{len(processes)}")],
                                   env=env, stderr=subprocess.PIPE, text=True)
        processes.append(process)
        line = process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        assert found, f"paiban serve said {line!r}"
        return found.group(0)

    yield start
    for process in processes:
        stop_server(process)


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def test_labels_english_with_lang_c(serve):
    url = serve("C")
    labels = json.loads(fetch(url + "labels"))
    assert labels["report"] == "Report"
    assert [labels[k] for k in ("story", "lines", "placed", "overset")] == ["story", "lines", "placed", "overset"]
    assert labels["built"] == "built in {ms} ms"
    page = fetch(url)
    assert '<html lang="en">' in page
    embedded = re.search(r'<script id="labels" type="application/json">(.*?)</script>', page, re.S)
    assert embedded and json.loads(embedded.group(1)) == labels
    assert "__LANG__" not in page and "__LABELS__" not in page


def test_labels_chinese_in_chromium(serve, tmp_path):
    if os.environ.get("CI") != "true":
        if not CHROMIUM.exists():
            pytest.skip("Debian's chromium is not installed (apt-get install chromium; tasks.sh does it)")
        pytest.importorskip("playwright", reason="playwright is not installed (pip install -e '.[serve,test]')")
    from playwright.sync_api import sync_playwright

    url = serve("zh_CN.UTF-8")
    assert json.loads(fetch(url + "labels"))["report"] == "报告"
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), args=ARGS, headless=True,
            viewport={"width": 1600, "height": 1000})
        try:
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("document.querySelectorAll('figure.page img.pixels[data-version]').length === 2",
                                   timeout=30_000)
            assert page.get_attribute("html", "lang") == "zh-CN"
            assert page.inner_text("#report h2") == "报告"
            assert page.eval_on_selector_all("#stories th", "ths => ths.map(th => th.textContent)") == [
                "稿件", "行数", "已排", "溢出"]
            assert page.inner_text("#report summary") == "完整报告"
            assert page.inner_text("#report h3").startswith("警告")
            assert re.fullmatch(r"生成用时 \d+ 毫秒", page.inner_text("#status"))
            assert page.get_attribute("#zoom-in", "title") == "放大"
            assert page.inner_text("#page-1 figcaption") == "第 1 版"
        finally:
            context.close()
