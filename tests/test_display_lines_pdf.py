"""No line of display type (headline, kicker, subtitle, subhead, caption) in the demo and the
sample editions ends inside a word.

Generic over the layouts' content: each build writes its text trace (`--trace`, page → region →
line with its kind); the display lines are found there by kind and grouped into the parts they
were broken from (consecutive lines of one kind in one region, and for a subhead in one column
on consecutive grid lines). Each line is checked to be on its page of the PDF, and each break
between two lines of a part to fall between two of jieba's words (text/phrases.py) of the part.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import ROOT

from paiban.text import phrases

DISPLAY_KINDS = ("headline", "kicker", "subtitle", "subhead", "caption")
TRACE_LINE = re.compile(r"^\s+L(\d+) c(\d+) x=\S+ ([wh])=\S+ (\w+): (.*)$")
BUILDS = {"demo": ROOT / "layouts" / "demo.yaml",
          "city": ROOT / "layouts" / "editions" / "city.yaml",
          "coast": ROOT / "layouts" / "editions" / "coast.yaml"}
SPACE = re.compile(r"[\s\u3000]+")


@dataclass(frozen=True)
class TraceLine:
    page: int
    region: str
    column: int
    grid_line: int
    kind: str
    text: str
    vertical: bool = False  # a vertical line (竖排): the trace gives its length down the column


def read_trace(path: Path) -> list[TraceLine]:
    out, page, region = [], 0, ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("page "):
            page = int(raw.split()[1])
        elif raw.startswith("  region "):
            region = raw[len("  region "):]
        elif m := TRACE_LINE.match(raw):
            out.append(TraceLine(page, region, int(m[2]), int(m[1]), m[4], m[5], vertical=m[3] == "h"))
    return out


def display_parts(lines: list[TraceLine]) -> list[list[TraceLine]]:
    """The display lines grouped into the parts they were broken from."""
    parts: list[list[TraceLine]] = []
    for ln in lines:
        if ln.kind not in DISPLAY_KINDS:
            continue
        prev = parts[-1][-1] if parts else None
        same = prev is not None and (prev.page, prev.region, prev.kind) == (ln.page, ln.region, ln.kind)
        if same and ln.kind == "subhead":
            same = ln.column == prev.column and ln.grid_line == prev.grid_line + 1
        if same:
            parts[-1].append(ln)
        else:
            parts.append([ln])
    return parts


@pytest.fixture(scope="module", params=sorted(BUILDS))
def built(request, tmp_path_factory):
    """(trace lines, the PDF's text by page number) of one build."""
    name = request.param
    out = tmp_path_factory.mktemp(name)
    trace = out / "trace.txt"
    done = subprocess.run([sys.executable, "-m", "paiban", "build", str(BUILDS[name]), "-o", str(out),
                           "--trace", str(trace)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    pdf = pdfium.PdfDocument(out / f"{name}.pdf")
    texts = {i + 1: SPACE.sub("", page.get_textpage().get_text_range()) for i, page in enumerate(pdf)}
    pdf.close()
    return name, read_trace(trace), texts


def test_every_display_line_ends_between_words(built):
    name, lines, texts = built
    parts = display_parts(lines)
    kinds = {part[0].kind for part in parts}
    assert {"headline", "kicker", "caption", "subhead"} <= kinds, (name, kinds)
    assert any(len(part) > 1 for part in parts), "no display part breaks at all: nothing is tested"
    bad = []
    for part in parts:
        for ln in part:
            assert SPACE.sub("", ln.text) in texts[ln.page], (name, ln)
        text = "".join(ln.text for ln in part)
        cuts, at = phrases.boundaries(text), 0
        for ln, nxt in zip(part, part[1:]):
            at += len(ln.text)
            if at not in cuts:
                bad.append(f"page {ln.page} {ln.kind}: {ln.text} / {nxt.text}  ({'|'.join(phrases.words(text))})")
    assert not bad, f"{name}: lines ending inside a word:\n" + "\n".join(bad)
