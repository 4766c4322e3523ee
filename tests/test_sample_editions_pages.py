"""The sample editions' inside pages as a layout editor signs them off (issue 16): every page at
least 70 % inked (5 mm cells, the measure of tests/test_sample_editions.py), no `hole`, no
overset and no other warning in either edition's report, pictures as wide as whole columns and
not drawn at a strip's or a tower's shape, and inside pages built from several page plans rather
than one template repeated. The demo and the three-page layout have no holes either.

Both editions are built once, into a temporary folder with their own cache (``--no-previews``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_sample_editions import EDITIONS, MIN_INK, ROOT, edition_layouts, ink_share

from paiban import pipeline
from paiban.model.spec import RegionKind


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("edition-pages")
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(out / "cache"))
    files = [str(ROOT / "layouts" / "editions" / f"{name}.yaml") for name in EDITIONS]
    subprocess.run([sys.executable, "-m", "paiban", "build", *files, "-o", str(out / "ed"), "--no-previews"],
                   check=True, capture_output=True, cwd=ROOT, env=env)
    return out / "ed"


@pytest.mark.parametrize("name", EDITIONS)
def test_every_page_is_inked_and_its_report_is_clean(built: Path, name: str):
    report = json.loads((built / f"{name}-report.json").read_text(encoding="utf-8"))
    warnings = {page["page"]: page["warnings"] for page in report["pages"] if page["warnings"]}
    assert not warnings, warnings  # no hole, no 单字成行, no shrunk headline, no low-resolution picture
    assert all(page["overset"] == 0 for page in report["pages"])
    for layout, numbers in edition_layouts(name):
        for layout_page, edition_page in numbers.items():
            share = ink_share(built / f"{name}-{edition_page:02d}.pdf", layout, layout_page)
            assert share >= MIN_INK, (name, edition_page, f"{share:.0%}")


def _pictures(name: str):
    for layout, numbers in edition_layouts(name):
        for region in layout.regions.values():
            if region.kind is RegionKind.PICTURE:
                yield numbers[region.page], region


@pytest.mark.parametrize("name", EDITIONS)
def test_pictures_span_whole_columns_at_a_sensible_shape(name: str):
    for page, region in _pictures(name):
        columns = region.last_column - region.first_column + 1
        assert region.first_column >= 1 and columns >= 2, (page, region.name)
        lines = region.last_line - region.first_line + 1
        assert lines >= 5, (page, region.name, lines)  # no strip of a picture


@pytest.mark.parametrize("name", EDITIONS)
def test_inside_pages_use_several_page_plans(name: str):
    """A page plan: where the pictures sit (columns and first line, rounded to ten lines) and
    which columns the headlines span; pages 3–16 use at least five different plans."""
    plans: dict[int, tuple] = {}
    for layout, numbers in edition_layouts(name):
        for layout_page, edition_page in numbers.items():
            regions = [r for r in layout.regions.values() if r.page == layout_page]
            plan = tuple(sorted((r.kind.value, r.first_column, r.last_column, r.first_line // 10)
                                for r in regions if r.kind in (RegionKind.PICTURE, RegionKind.HEADLINE)))
            plans[edition_page] = plan
    inside = [plans[page] for page in range(3, 17)]
    assert len(set(inside)) >= 5, len(set(inside))


@pytest.mark.parametrize("layout", ["demo.yaml", "three-pages.yaml"])
def test_the_demo_and_the_three_page_layout_have_no_holes(layout: str):
    result = pipeline.run(ROOT / "layouts" / layout, None)
    holes = [w.message for w in result.report.warnings if w.kind == "hole"]
    assert not holes, holes
    assert result.report.overset == 0
