"""The warm, incremental build of `paiban serve` (paiban/serve/session.py), without a browser: it
does only what a save asks for, and what it shows is what a fresh build of the same files shows."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, demo_copy

pytest.importorskip("starlette", reason="the serve extra is not installed (pip install -e '.[serve]')")

from paiban.serve.session import Session  # noqa: E402


@pytest.fixture
def demo(tmp_path) -> Path:
    return demo_copy(tmp_path)


def encoded(session: Session) -> dict[int, object]:
    return {n: page.encoded for part in session.parts for n, page in part.composed.items()}


def test_a_one_character_edit_reflows_one_story_and_renders_one_page(demo, tmp_path):
    session = Session(demo, tmp_path / "out")
    first = session.rebuild()
    assert first.error is None and first.changed == (1, 2)
    assert session.rebuild().changed == ()  # nothing saved: nothing rendered
    part = session.parts[0]
    flows = {name: hit[2] for name, hit in part.flows.items()}
    page2 = session.pages[2]
    written = page2.pdf.stat().st_mtime_ns

    article = demo.parent / "articles" / "sample-port.txt"  # the story 'port', on page 1
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("每周一班", "每周二班", 1), encoding="utf-8")
    outcome = session.rebuild([article])
    assert outcome.error is None
    assert outcome.changed == (1,)
    assert "layout" not in outcome.timings  # the layout was not loaded again
    assert session.pages[2] is page2 and page2.pdf.stat().st_mtime_ns == written
    assert session.pages[1].version > 2
    again = {name for name, hit in part.flows.items() if hit[2] is not flows[name]}
    assert again == {"port"}

    fresh = Session(demo, tmp_path / "fresh")
    fresh.rebuild()
    assert encoded(fresh) == encoded(session)  # the warm build shows what a cold one does
    port = "".join(line.text for line in part.composed[1].placed.lines if line.story == "port")
    assert "每周二班" in port and "每周一班" not in port


def test_a_broken_layout_keeps_the_last_good_pages_and_says_what_the_cli_says(demo, tmp_path):
    session = Session(demo, tmp_path / "out")
    session.rebuild()
    shown = dict(session.pages)
    good = demo.read_text(encoding="utf-8")
    demo.write_text(good.replace("  columns: 7 ", "  columns: seven "), encoding="utf-8")
    outcome = session.rebuild([demo])
    done = subprocess.run([sys.executable, "-m", "paiban", "check", str(demo)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 2
    assert outcome.error == done.stderr.strip().splitlines()[-1]
    assert outcome.changed == () and session.pages == shown and session.error == outcome.error

    demo.write_text(good, encoding="utf-8")
    fixed = session.rebuild([demo])
    assert fixed.error is None and session.error is None
    assert set(session.pages) == {1, 2}


def test_previews_and_overlay_follow_the_pages(demo, tmp_path):
    session = Session(demo, tmp_path / "out")
    session.rebuild()
    version, png, thumb = session.preview(1)
    assert version == session.pages[1].version
    assert png.startswith(b"\x89PNG") and thumb.startswith(b"\x89PNG")
    assert session.preview(1)[1] is png  # made once per version
    shapes = session.overlay()
    links = [s for s in shapes[1] if s.kind == "jump-link"]
    assert [s.target_page for s in links] == [2]  # （下转第二版） on page 1
    assert any(s.kind == "jump-link" and s.target_page == 1 for s in shapes[2])
    regions = {s.label.split(" · ")[0]: s for s in shapes[1] if s.kind == "region"}
    assert {"masthead", "lead-body", "port-body"} <= set(regions)
    assert re.fullmatch(r"lead-body · lead · (\d+)/\1", regions["lead-body"].label)  # full, as the demo is
    assert regions["lead-body"].tone == "ok"


def test_a_picture_saved_anew_renders_its_page_again(demo, tmp_path):
    from PIL import Image, ImageOps

    session = Session(demo, tmp_path / "out")
    session.rebuild()
    picture = demo.parent / "images" / "demo-audience.png"  # on page 2
    before = session.pages[2].pdf.read_bytes()
    with Image.open(picture) as image:
        ImageOps.invert(image.convert("RGB")).save(picture)  # the same size: the layout is unchanged
    outcome = session.rebuild([picture])
    assert outcome.error is None and outcome.changed == (2,)
    assert session.pages[2].pdf.read_bytes() != before


def test_a_preview_redrawn_where_lines_changed_is_the_full_render_pixel_for_pixel(demo, tmp_path, monkeypatch):
    from PIL import ImageChops

    from paiban.serve import pixels

    session = Session(demo, tmp_path / "out")
    session.rebuild()
    session.preview(1)
    patched = []
    real_patch = pixels.patch
    monkeypatch.setattr(pixels, "patch", lambda *args: patched.append(1) or real_patch(*args))
    article = demo.parent / "articles" / "sample-port.txt"
    for old, new in (("每周一班", "每周二班"), ("3月28日清晨", "3月28日清晨清晨清晨")):  # a replace, an insert
        article.write_text(article.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
        assert session.rebuild([article]).changed == (1,)
        version, png, _ = session.preview(1)
        shown = session._images[1][1]
        full = pixels.render(session.pages[1].pdf.read_bytes(), session.preview_spec)
        assert ImageChops.difference(shown, full).getbbox() is None
    assert len(patched) == 2


def test_edits_one_after_another_leave_the_pages_a_cold_build_makes(demo, tmp_path):
    """Each save resumes the flow of the story edited and composes its page from what the last
    composition made (`paiban.page.compose_memo`): a character inserted, taken out, a paragraph
    split in two, a headline changed; after each, the pages and flows are a cold build's."""
    session = Session(demo, tmp_path / "out")
    session.rebuild()
    article = demo.parent / "articles" / "sample-port.txt"
    text = article.read_text(encoding="utf-8")
    headline = next(line for line in text.splitlines() if line.startswith("headline:"))
    edits = [("每周一班", "每周一班班"), ("每周一班班", "每周一班"), ("每周一班", "每周一班\n\n"),
             (headline, headline + "新")]
    for step, (old, new) in enumerate(edits):
        text = text.replace(old, new, 1)
        article.write_text(text, encoding="utf-8")
        assert session.rebuild([article]).error is None
        fresh = Session(demo, tmp_path / f"fresh{step}")
        fresh.rebuild()
        assert encoded(fresh) == encoded(session), edits[step]
        assert [f for _, _, f in session.parts[0].flowed.stories] == [f for _, _, f in fresh.parts[0].flowed.stories]
