"""How fast `paiban serve` answers a save: one character edited in an article, timed to the new
page PDF written and announced, and to the new pixels in a browser; next to Typst's warm recompile
of the same text after the same edit.

    python bench/serve_latency.py [--runs N] [--no-browser]

Two documents: the demo (layouts/demo.yaml, copied to a temporary folder; the edit is in the
story 'port' on page 1) and the 100,000-character 8-page benchmark layout of bench/stage_times.py
(one story threaded through eight broadsheet pages; the edit is in the middle, on page 4). Two
edits of each: a character replaced by another (the typo fixed: the lines keep their breaks), and
a character inserted then taken out again (the rest of the paragraph, and maybe of the story,
moves).

For each save, `paiban serve` runs as its own process (port 0; its page PDFs in its default
folder, in /dev/shm where there is one), warm after two saves not timed:

* save → PDF: from just before the article file is written to the server-sent event that
  announces the rebuilt page (its PDF is written before the event is sent), read by a plain
  HTTP client; ``server`` is the rebuild's own time as the event reports it (watching excluded);
* save → pixels: from the same moment to the `load` event of the new page image in headless
  Chromium (Debian's, driven by playwright; the page's own clock, `performance.timeOrigin +
  performance.now()`, against this process's `time.time()` on the same machine).

Typst (typst-py): the same text as one document with the same page, columns, type and pitch
(bench/edition_bench.py; the demo's articles one after another), a `typst.Compiler` compiled
twice, then after each edit of the .typ file compiled again and its PDF written: the warm
recompile. Each save in paiban is followed by the same edit in Typst (in turn: the machine's speed drifts, so
pairs see the same machine). Printed: best and median of `--runs` saves of each, and the median
of the ratios save → PDF / Typst pair by pair.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from edition_bench import font_dirs, typst_source  # noqa: E402
from stage_times import edition_files  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
ENV = dict(os.environ, PYTHONPATH=str(ROOT / "src"), LANG="C.UTF-8")


# ---- the documents ----------------------------------------------------------------------------

class Case:
    """A document to serve, the article to edit, and its Typst twin."""

    def __init__(self, name: str, layout: Path, article: Path, anchor: str, typ: Path, occurrence: int = 0):
        self.name, self.layout, self.article, self.typ = name, layout, article, typ
        #: a run of hanzi in both the article and the .typ, and which of its occurrences (the
        #: benchmark text repeats its paragraphs): its middle character is edited
        self.anchor, self.occurrence = anchor, occurrence
        self.at: dict[Path, int] = {}

    def edit(self, path: Path, how: str, step: int) -> None:
        """Replace the anchor's middle character (every other step back), or insert one there
        (every other step take it out again)."""
        text = path.read_text(encoding="utf-8")
        mid = len(self.anchor) // 2
        changed = self.anchor[:mid] + ("菜" if how == "replace" else "菜" + self.anchor[mid]) + self.anchor[mid + 1:]
        if step % 2 == 0:
            at = -1
            for _ in range(self.occurrence + 1):
                at = text.index(self.anchor, at + 1)
            self.at[path] = at
            old, new = self.anchor, changed
        else:
            at, old, new = self.at[path], changed, self.anchor
        if text[at:at + len(old)] != old:
            raise SystemExit(f"{path.name}: the edited text moved")
        path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")

    def steps(self, runs: int) -> range:
        """Two saves not timed, then `runs`, in an even count: the file ends as it began."""
        return range(2 + runs + runs % 2)


def demo_case(folder: Path) -> Case:
    for sub in ("layouts/articles", "layouts/images", "seeds"):
        shutil.copytree(ROOT / sub, folder / sub)
    layout = folder / "layouts" / "demo.yaml"
    shutil.copy(ROOT / "layouts" / "demo.yaml", layout)
    article = folder / "layouts" / "articles" / "sample-port.txt"
    from paiban.pipeline import load, read_stories

    stories = read_stories(load(layout).layout)
    texts = "\n".join(p.text for _, article_ in stories for p in article_.paragraphs)
    (folder / "edition.txt").write_text("---\nheadline: demo\n---\n\n" + texts.replace("\n", "\n\n") + "\n",
                                        encoding="utf-8")
    return Case("demo", layout, article, "每周一班", typst_source(folder))


def bench_case(folder: Path) -> Case:
    layout = edition_files(folder)  # folder/edition.txt and edition.yaml
    text = (folder / "edition.txt").read_text(encoding="utf-8")
    middle = re.compile(r"[\u4e00-\u9fff]{8}").search(text, len(text) // 2)
    anchor = middle.group(0)
    return Case("100k", layout, folder / "edition.txt", anchor, typst_source(folder),
                text[:middle.start()].count(anchor))


# ---- paiban serve -----------------------------------------------------------------------------

class Served:
    """`paiban serve` on a layout, with a server-sent events client reading its stream."""

    def __init__(self, layout: Path):
        self.process = subprocess.Popen([sys.executable, "-m", "paiban", "serve", str(layout), "--port", "0"],
                                        env=ENV, stderr=subprocess.PIPE, text=True)  # its own folder for the PDFs
        line = self.process.stderr.readline()
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not found:
            self.close()
            raise SystemExit(f"paiban serve did not start: {line}")
        self.url = found.group(0)
        self.connection = http.client.HTTPConnection("127.0.0.1", int(found.group(1)), timeout=60)
        self.connection.request("GET", "/events")
        self.stream = self.connection.getresponse()
        self.state = self.next_state()

    def next_state(self) -> dict:
        """The state of the next `update` event."""
        data = []
        while True:
            line = self.stream.readline().decode("utf-8")
            if not line:
                raise SystemExit("the event stream ended")
            if line.startswith("data: "):
                data.append(line[6:].rstrip("\n"))
            elif line == "\n" and data:
                return json.loads("\n".join(data))

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class TypstTwin:
    """The case's text in Typst: a `typst.Compiler` compiled twice, then once after each edit."""

    def __init__(self, case: Case):
        import typst

        extra = font_dirs()
        self.case = case
        self.compiler = typst.Compiler(str(case.typ), font_paths=extra) if extra else typst.Compiler(str(case.typ))
        self.pdf = case.typ.with_suffix(".pdf")
        self.pdf.write_bytes(self.compiler.compile())
        self.pdf.write_bytes(self.compiler.compile())
        if b"NotoSerifCJK" not in self.pdf.read_bytes():
            raise SystemExit("typst did not find Noto Serif CJK SC: the comparison would not be fair")

    def save(self, how: str, step: int) -> float:
        """The edit of `step` made, the warm recompile with its PDF written: its seconds."""
        self.case.edit(self.case.typ, how, step)
        start = time.perf_counter()
        self.pdf.write_bytes(self.compiler.compile())
        return time.perf_counter() - start


def time_saves(case: Case, runs: int, how: str, browser) -> dict[str, list[float]]:
    """Each save timed in paiban serve, then the same edit in Typst, in turn (the machine's speed
    drifts: side by side, both see the same machine)."""
    served = Served(case.layout)
    twin = TypstTwin(case)
    times: dict[str, list[float]] = {"pdf": [], "server": [], "pixels": [], "pages": [], "typst": []}
    page = None
    try:
        if browser is not None:
            page = browser.new_page()
            page.goto(served.url)
            count = len(served.state["pages"])
            page.wait_for_function(f"document.querySelectorAll('img.pixels[data-version]').length === {count}",
                                   timeout=60_000)
        for step in case.steps(runs):
            time.sleep(0.3)  # a save apart from the last
            start = time.time()
            case.edit(case.article, how, step)
            state = served.next_state()
            while not state["changed"] and not state["error"]:
                state = served.next_state()  # the report of the save before, or a batch that changed no page
            announced = time.time()
            if state["error"]:
                raise SystemExit(f"{case.name}: {state['error']}")
            pixels = _wait_pixels(page, state) / 1000 - start if page is not None else None
            served.next_state()  # the report follows the pages: let the server finish before Typst runs
            typst = twin.save(how, step)
            if not 2 <= step < runs + 2:
                continue  # warming up, or the last save back to the text as it was
            times["pdf"].append(announced - start)
            times["server"].append(state["seconds"])
            times["pages"].append(len(state["changed"]))
            times["typst"].append(typst)
            if pixels is not None:
                times["pixels"].append(pixels)
    finally:
        if page is not None:
            page.close()
        served.close()
    return times


def _wait_pixels(page, state: dict) -> float:
    """When (epoch ms, the page's clock) the last changed page's new image fired `load`."""
    number = state["changed"][-1]
    version = next(p["version"] for p in state["pages"] if p["number"] == number)
    condition = f"paiban.loads.find(l => l.page === {number} && l.version === {version})"
    page.wait_for_function(condition, timeout=60_000)
    return page.evaluate(f"{condition}.t")


# ---- the table --------------------------------------------------------------------------------

def ms(values: list[float]) -> str:
    if not values:
        return f"{'–':>17s}"
    return f"{min(values) * 1000:7.1f} / {statistics.median(values) * 1000:7.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--no-browser", action="store_true", help="save → PDF and Typst only")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="serve-latency-") as tmp:
        folder = Path(tmp)
        os.environ.setdefault("PAIBAN_CACHE_DIR", str(folder / "cache"))
        ENV.setdefault("PAIBAN_CACHE_DIR", os.environ["PAIBAN_CACHE_DIR"])
        (folder / "demo").mkdir()
        (folder / "100k").mkdir()
        cases = [demo_case(folder / "demo"), bench_case(folder / "100k")]
        playwright = browser = None
        if not args.no_browser:
            from playwright.sync_api import sync_playwright

            playwright = sync_playwright().start()
            browser = playwright.chromium.launch_persistent_context(
                str(folder / "chromium"), executable_path=CHROMIUM, args=BROWSER_ARGS, headless=True,
                viewport={"width": 1600, "height": 1000})
        try:
            for case in cases:
                for how in ("replace", "insert"):
                    rows.append((case.name, how, time_saves(case, args.runs, how, browser)))
                    print(f"{case.name} {how}: done", file=sys.stderr, flush=True)
        finally:
            if browser is not None:
                browser.close()
                playwright.stop()
    load = os.getloadavg()
    print(f"ms, best / median of {args.runs} saves (load average {load[0]:.2f} {load[1]:.2f}, {os.cpu_count()} CPUs)")
    print(f"{'document':8s} {'edit':8s} {'pages':>5s}  {'save → PDF':>17s}  {'(server rebuild)':>17s}  "
          f"{'save → pixels':>17s}  {'Typst warm':>17s}  {'PDF/Typst':>9s}")
    for name, how, times in rows:
        pages = statistics.median(times["pages"]) if times["pages"] else 0
        ratio = statistics.median(a / b for a, b in zip(times["pdf"], times["typst"])) if times["typst"] else 0.0
        print(f"{name:8s} {how:8s} {pages:5.0f}  {ms(times['pdf'])}  {ms(times['server'])}  "
              f"{ms(times['pixels'])}  {ms(times['typst'])}  {ratio:9.1f}")


if __name__ == "__main__":
    main()
