"""The sample editions (layouts/editions/city.yaml, coast.yaml) are full newspapers: every page has
ink in at least 70 % of its type area, measured on a rendering in 5 mm cells; no story or
article appears twice in one edition; and the running head and the jump lines print the same
numerals (`page_numerals`).

Both editions are built once (module fixture, `--no-previews`); each page PDF is rasterised
inside its TrimBox (issue 17: the page as designed lies there, the printer's marks outside).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from paiban.edition.edition_loader import load_edition, page_numbers
from paiban.input.layout_loader import load_layout
from paiban.units import chinese_numeral, mm

ROOT = Path(__file__).resolve().parents[1]
EDITIONS = ("city", "coast")
CELL = mm(5)  # the cell of the ink measure
SCALE = 1.0  # px per pt (72 dpi): a 5 mm cell is about 14 × 14 pixels
INK = 250  # a pixel darker than this is ink
MIN_INK = 0.70


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-editions")
    files = [str(ROOT / "layouts" / "editions" / f"{name}.yaml") for name in EDITIONS]
    subprocess.run([sys.executable, "-m", "paiban", "build", *files, "-o", str(out), "--no-previews"],
                   check=True, capture_output=True, cwd=ROOT)
    return out


def edition_layouts(name: str):
    """[(layout, {layout page: edition page})] of an edition, in order."""
    spec = load_edition(ROOT / "layouts" / "editions" / f"{name}.yaml")
    layouts = [load_layout(ref.path, root=spec.root) for ref in spec.layouts]
    maps = page_numbers(spec, [tuple(layout.pages) for layout in layouts])
    return list(zip(layouts, maps))


def ink_share(pdf_path: Path, layout, layout_page: int) -> float:
    """The share of 5 mm cells of the type area that hold at least one ink pixel."""
    page = pdfium.PdfDocument(pdf_path)[0]
    trim_x, trim_y = page.get_trimbox()[:2]
    height = page.get_height()
    image = page.render(scale=SCALE, grayscale=True).to_pil().convert("L")
    grid = layout.grid
    left = layout.page.margin_left
    top = layout.grid_top(layout_page)  # PDF coordinates inside the trim
    bottom = top - layout.rows_on(layout_page) * grid.line_pitch
    right = left + grid.type_width
    cells = inked = 0
    y = top
    while y - CELL >= bottom - 0.5:
        x = left
        while x + CELL <= right + 0.5:
            box = (round((trim_x + x) * SCALE), round((height - trim_y - y) * SCALE),
                   round((trim_x + x + CELL) * SCALE), round((height - trim_y - y + CELL) * SCALE))
            cells += 1
            inked += image.crop(box).getextrema()[0] < INK
            x += CELL
        y -= CELL
    return inked / cells


@pytest.mark.parametrize("name", EDITIONS)
def test_every_page_has_ink_in_seventy_percent_of_its_type_area(built: Path, name: str):
    shares = {}
    for layout, numbers in edition_layouts(name):
        for layout_page, edition_page in numbers.items():
            shares[edition_page] = ink_share(built / f"{name}-{edition_page:02d}.pdf", layout, layout_page)
    assert sorted(shares) == list(range(1, 17))
    thin = {page: f"{share:.0%}" for page, share in shares.items() if share < MIN_INK}
    assert not thin, f"{name}: pages with ink in less than {MIN_INK:.0%} of the type area: {thin}"


@pytest.mark.parametrize("name", EDITIONS)
def test_no_story_or_article_appears_twice_in_an_edition(name: str):
    stories, articles = [], []
    for layout, _ in edition_layouts(name):
        stories += [story.name for story in layout.stories]
        articles += [story.article.resolve() for story in layout.stories]
    assert len(stories) > 60  # a 16-page local paper: dozens of stories
    assert len(set(stories)) == len(stories), sorted(s for s in stories if stories.count(s) > 1)
    assert len(set(articles)) == len(articles), sorted({str(a) for a in articles if articles.count(a) > 1})


@pytest.mark.parametrize("name", EDITIONS)
def test_every_sample_picture_has_a_caption_or_is_an_advertisement(name: str):
    for layout, _ in edition_layouts(name):
        for region in layout.regions.values():
            if region.picture is None or region.picture.image.name.startswith(("ad-", "harbour", "reading")):
                continue
            assert region.picture.caption.endswith("（示例图片，绘制）"), (region.name, region.picture.caption)


PAGE_LABEL = re.compile(r"第(\S+?)版")
JUMP = re.compile(r"（(?:下转|上接)第(\S+?)版）")


def page_text(pdf_path: Path) -> str:
    return pdfium.PdfDocument(pdf_path)[0].get_textpage().get_text_range()


def test_running_head_and_jump_lines_use_the_same_numerals(built: Path):
    # the demo's lead jumps from page 1 to page 2 in both editions; page 2's running head
    # names page 2 in the numerals of its jump line (第二版 by default)
    for name in EDITIONS:
        page1, page2 = page_text(built / f"{name}-01.pdf"), page_text(built / f"{name}-02.pdf")
        assert JUMP.findall(page1) == [chinese_numeral(2)]
        assert JUMP.findall(page2) == [chinese_numeral(1)]
        assert f"第{chinese_numeral(2)}版" in page2 and "第2版" not in page2
        for page in range(3, 17):  # every running head in Chinese numerals
            assert f"第{chinese_numeral(page)}版" in page_text(built / f"{name}-{page:02d}.pdf")


def test_arabic_page_numerals_change_the_running_head_and_the_jumps_alike(tmp_path: Path):
    text = (ROOT / "layouts" / "editions" / "city.yaml").read_text(encoding="utf-8")
    assert "page_numerals: chinese" in text
    edition = tmp_path / "editions" / "arabic.yaml"
    edition.parent.mkdir()
    text = text.replace("page_numerals: chinese", "page_numerals: arabic")
    text = text.replace("root: ../..", f"root: {ROOT}").replace("../demo.yaml", str(ROOT / "layouts" / "demo.yaml"))
    text = text.replace("pages/", str(ROOT / "layouts" / "editions" / "pages") + "/")
    text = text.replace(f"root: {ROOT}", f"root: {ROOT}\nallow_outside_root: true")
    edition.write_text(text.replace("edition_name: city", "edition_name: arabic"), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "paiban", "build", str(edition), "-o", str(out), "--no-previews"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    page1, page2 = page_text(out / "arabic-01.pdf"), page_text(out / "arabic-02.pdf")
    assert JUMP.findall(page1) == ["2"] and JUMP.findall(page2) == ["1"]
    assert "第2版" in page2 and "第二版" not in page2


def test_page_numerals_are_checked(tmp_path: Path):
    layout = tmp_path / "bad.yaml"
    layout.write_text((ROOT / "layouts" / "demo.yaml").read_text(encoding="utf-8")
                      .replace("  page_label:", "  page_numerals: roman\n  page_label:", 1)
                      .replace("root: ..", f"root: {ROOT}")
                      .replace("../seeds/", f"{ROOT}/seeds/").replace("articles/", f"{ROOT}/layouts/articles/")
                      .replace("images/", f"{ROOT}/layouts/images/"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "paiban", "check", str(layout)], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2
    assert "page_numerals" in proc.stderr and "chinese, arabic" in proc.stderr and "Traceback" not in proc.stderr
