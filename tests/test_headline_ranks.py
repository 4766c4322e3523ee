"""Headline ranks: a story's `rank` (lead, secondary, brief) picks its headline, kicker and
subtitle styles, whose sizes fall with the rank; the demo's lead (头条) is the largest type on
page 1 after the masthead, with the kicker and subtitle the layout gives it, in one alignment."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from test_layout_loader import VALID, replace_once

from paiban import pipeline
from paiban.errors import InputError
from paiban.input.layout_loader import load_layout

DEMO = ROOT / "layouts" / "demo.yaml"


@pytest.fixture
def layouts(tmp_path: Path) -> Path:
    (tmp_path / "layouts").mkdir()
    (tmp_path / "articles").mkdir()
    for name in ("lead", "side"):
        (tmp_path / "articles" / f"{name}.txt").write_text("正文。\n", encoding="utf-8")
    return tmp_path / "layouts"


def load(folder: Path, text: str):
    path = folder / "demo.yaml"
    path.write_text(text, encoding="utf-8")
    return load_layout(path)


def test_a_rank_picks_the_headline_styles_and_styles_override_one(layouts):
    text = replace_once(VALID, "    styles: {body: quote}\n",
                        "    rank: lead\n    kicker: 引题|两行\n    styles: {body: quote, subtitle: quote}\n")
    text = replace_once(text, "    thread: [side-body]\n", "    thread: [side-body]\n    rank: brief\n")
    lead, side = load(layouts, text).stories
    assert (lead.headline_style, lead.kicker_style, lead.subtitle_style) == ("lead-headline", "lead-kicker", "quote")
    assert (lead.kicker_text, lead.subtitle_text) == ("引题|两行", None)
    assert (side.headline_style, side.kicker_style, side.subtitle_style) == \
        ("brief-headline", "brief-kicker", "brief-subtitle")
    plain = load(layouts, VALID).stories[1]
    assert (plain.headline_style, plain.kicker_style, plain.subtitle_style) == ("headline", "kicker", "subtitle")


def test_the_built_in_sizes_fall_with_the_rank(layouts):
    styles = load(layouts, VALID).styles
    for part in ("headline", "kicker", "subtitle"):
        lead, secondary, brief = (styles[f"lead-{part}"], styles[part], styles[f"brief-{part}"])
        assert lead.size > secondary.size > brief.size, part


def test_an_unknown_rank_is_one_clear_error(layouts):
    with pytest.raises(InputError) as info:
        load(layouts, replace_once(VALID, "    styles: {body: quote}\n", "    rank: chief\n"))
    message = str(info.value)
    assert "rank" in message and "lead" in message and "brief" in message


@pytest.fixture(scope="module")
def demo():
    return pipeline.run(DEMO, None)


def test_the_demos_lead_headline_is_the_largest_type_after_the_masthead_with_kicker_and_subtitle(demo):
    page = demo.document.pages[0]
    lead = {ln.kind: ln for ln in page.lines if ln.story == "lead" and ln.region == "lead-head"}
    assert set(lead) == {"kicker", "headline", "subtitle"}
    others = [ln.size for ln in page.lines if ln.kind not in ("masthead",) and ln is not lead["headline"]]
    assert lead["headline"].size > max(others)
    secondary = max(ln.size for ln in page.lines if ln.kind == "headline" and ln.story != "lead")
    assert lead["headline"].size >= 1.5 * secondary
    centres = [ln.xs[0] + (ln.xs[-1] + ln.size - ln.xs[0]) / 2 for ln in lead.values()]
    assert max(centres) - min(centres) < 0.02 * lead["headline"].width  # one alignment: centred
