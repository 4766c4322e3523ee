"""The press PDF (issue 17): what a printing plant's preflight checks, checked independently.

The demo and the sample editions are read back with pikepdf (every page, form and image walked
for RGB), poppler's `pdfinfo -box` where installed, and separated by Ghostscript's ``tiffsep``
device: body text and rules are on the K plate only. Ghostscript tests skip only where
Ghostscript is not installed, and fail instead in CI (``CI=true``), where tasks.sh installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import DEMO, ROOT

from paiban import pipeline
from paiban.render.preflight import check_pdf

MM = 72 / 25.4
EDITIONS = ROOT / "layouts" / "editions"


def need_ghostscript() -> str:
    gs = shutil.which("gs")
    if gs is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Ghostscript (gs) is missing in CI: tasks.sh installs the Debian package ghostscript")
        pytest.skip("Ghostscript is not installed (Debian: apt-get install ghostscript)")
    return gs


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("press") / "demo.pdf"
    return pipeline.run(DEMO, out), out


@pytest.fixture(scope="module")
def edition_pdfs(tmp_path_factory) -> list[Path]:
    """The sample editions' PDFs (every page of city and coast, and each whole edition), built
    once, in one run."""
    out = tmp_path_factory.mktemp("editions")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    done = subprocess.run([sys.executable, "-m", "paiban", "build", str(EDITIONS / "city.yaml"),
                           str(EDITIONS / "coast.yaml"), "-o", str(out), "--no-previews"],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pdfs = sorted(p for p in out.glob("*.pdf"))
    assert len(pdfs) == 2 * 17  # 16 pages and the edition, twice
    return pdfs


def _colour_spaces_are_cmyk(pdf: pikepdf.Pdf) -> list[str]:
    """An independent walk: every colour space in every page's resources, form and image."""
    bad: list[str] = []

    def space_is_rgb(space) -> bool:
        if isinstance(space, pikepdf.Name):
            return space in (pikepdf.Name.DeviceRGB, pikepdf.Name.CalRGB)
        if isinstance(space, pikepdf.Array):
            if space[0] == pikepdf.Name.ICCBased:
                return int(space[1].N) != 4 and int(space[1].N) != 1
            return any(space_is_rgb(part) for part in space[1:] if isinstance(part, (pikepdf.Name, pikepdf.Array)))
        return False

    def walk(resources, where: str) -> None:
        if resources is None:
            return
        for name, space in (resources.get("/ColorSpace") or {}).items():
            if space_is_rgb(space):
                bad.append(f"{where} {name}")
        for name, xobject in (resources.get("/XObject") or {}).items():
            if xobject.Subtype == pikepdf.Name.Image:
                if space_is_rgb(xobject.get("/ColorSpace")) or xobject.get("/ColorSpace") is None:
                    bad.append(f"{where} image {name}")
            else:
                walk(xobject.get("/Resources"), f"{where} form {name}")

    for number, page in enumerate(pdf.pages, 1):
        walk(page.Resources, f"page {number}")
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("rg", "RG"):
                bad.append(f"page {number}: {operator}")
    return bad


def _check_press_pdf(path: Path) -> None:
    with pikepdf.open(path) as pdf:
        assert str(pdf.trailer.Info.GTS_PDFXVersion) == "PDF/X-4" and pdf.pdf_version == "1.6"
        assert pdf.trailer.Info.Trapped == pikepdf.Name("/False")
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFX and int(intent.DestOutputProfile.N) == 4
        assert intent.DestOutputProfile.read_bytes()[36:40] == b"acsp"  # an ICC profile, embedded
        xmp = pdf.Root.Metadata.read_bytes()
        assert b"<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
        for page in pdf.pages:
            trim, bleed, media = ([float(v) for v in page.obj[key]] for key in ("/TrimBox", "/BleedBox", "/MediaBox"))
            assert [t - b for t, b in zip(trim[:2], bleed[:2])] == pytest.approx([3 * MM] * 2, abs=0.01)
            assert [b - t for t, b in zip(trim[2:], bleed[2:])] == pytest.approx([3 * MM] * 2, abs=0.01)
            assert media[0] <= bleed[0] - 10 * MM and media[2] >= bleed[2] + 10 * MM  # room for the marks
        assert _colour_spaces_are_cmyk(pdf) == []
    assert check_pdf(path) == []


def test_the_demo_is_pdf_x4_with_boxes_an_output_intent_and_no_rgb(demo):
    result, path = demo
    _check_press_pdf(path)
    assert not [w for w in result.report.warnings if w.kind == "preflight"]


def test_every_page_of_the_sample_editions_is_pdf_x4_with_boxes_and_no_rgb(edition_pdfs):
    for path in edition_pdfs:
        _check_press_pdf(path)


def test_pdfinfo_reads_trim_and_bleed_boxes_3mm_apart(demo):
    if shutil.which("pdfinfo") is None:
        pytest.skip("poppler-utils (pdfinfo) is not installed")
    _, path = demo
    out = subprocess.run(["pdfinfo", "-box", "-f", "1", "-l", "2", str(path)], capture_output=True, text=True,
                         check=True).stdout
    boxes = {line.split(":")[0].split()[-1]: [float(v) for v in line.split(":")[1].split()]
             for line in out.splitlines() if "Box:" in line}
    assert boxes["TrimBox"][0] - boxes["BleedBox"][0] == pytest.approx(3 * MM, abs=0.01)
    assert "PDF/X-4" in out


def test_black_text_and_rules_overprint_on_k_only_and_crop_marks_lie_outside_the_bleed(demo):
    result, path = demo
    with pikepdf.open(path) as pdf:
        page = pdf.pages[0]
        (state,) = page.Resources.ExtGState.values()
        assert (bool(state.OP), bool(state.op), int(state.OPM)) == (True, True, 1)
        ops = [(list(operands), str(op)) for operands, op in pikepdf.parse_content_stream(page)]
        bleed = [float(v) for v in page.obj.BleedBox]
    text_at = next(i for i, (_, op) in enumerate(ops) if op == "BT")
    before = [op for _, op in ops[:text_at]]
    assert before[-3:] == ["q", "gs", "k"] and [float(v) for v in ops[text_at - 1][0]] == [0, 0, 0, 1]
    # crop marks and the targets' crosses: segments whose two ends lie outside the BleedBox
    segments = [(ops[i][0], ops[i + 1][0]) for i in range(len(ops) - 1) if ops[i][1] == "m" and ops[i + 1][1] == "l"]

    def outside(point) -> bool:
        x, y = float(point[0]), float(point[1])
        return not (bleed[0] <= x <= bleed[2] and bleed[1] <= y <= bleed[3])

    marks = [(a, b) for a, b in segments if outside(a) and outside(b)]
    assert len(marks) >= 8 + 8
    inside = [(a, b) for a, b in segments if not outside(a) and not outside(b)]
    assert len(inside) == len(result.document.pages[0].rules)  # the page's own rules, all inside


def test_ghostscript_separates_body_text_and_rules_onto_the_k_plate_only(demo, tmp_path):
    """The independent check of the issue's first Done-when point."""
    gs = need_ghostscript()
    from PIL import Image

    result, path = demo
    dpi = 100
    subprocess.run([gs, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=tiffsep", f"-r{dpi}",
                    f"-sOutputFile={tmp_path}/p%d.tif", str(path)], check=True, timeout=120)
    with pikepdf.open(path) as pdf:
        offset, media_height = float(pdf.pages[0].obj.TrimBox[0]), float(pdf.pages[0].obj.MediaBox[3])
    scale = dpi / 72

    def box(x0, y0, x1, y1):  # PDF points on the trim → pixel box in the separation
        return (round((x0 + offset) * scale), round((media_height - (y1 + offset)) * scale),
                round((x1 + offset) * scale), round((media_height - (y0 + offset)) * scale))

    for number, page in enumerate(result.document.pages, 1):
        plates = {p: Image.open(tmp_path / f"p{number}({p}).tif").convert("L") for p in ("Cyan", "Magenta", "Yellow", "Black")}
        text_boxes = [box(ln.x, ln.y - 0.2 * ln.size, ln.x + ln.width, ln.y + 0.85 * ln.size)
                      for ln in page.lines if ln.kind in ("body", "headline", "byline", "subhead") and ln.chars]
        rule_boxes = [box(min(r.x0, r.x1) - 0.5, min(r.y0, r.y1) - 0.5, max(r.x0, r.x1) + 0.5, max(r.y0, r.y1) + 0.5)
                      for r in page.rules]
        assert len(text_boxes) > 50 and rule_boxes
        for kind, boxes in (("text", text_boxes), ("rules", rule_boxes)):
            k_ink = sum(1 for b in boxes if plates["Black"].crop(b).getextrema()[0] < 128)
            assert k_ink >= 0.95 * len(boxes), f"page {number}: {kind} missing from the K plate"
            for plate in ("Cyan", "Magenta", "Yellow"):
                inked = [b for b in boxes if plates[plate].crop(b).getextrema()[0] < 255]
                assert inked == [], f"page {number}: {kind} on the {plate} plate at {inked[:3]}"


def test_separations_option_writes_a_png_per_plate(tmp_path):
    need_ghostscript()
    out = tmp_path / "out"
    result = pipeline.build(DEMO, pipeline.BuildOptions(output=out / "demo.pdf", keep_lines=False, separations=True))
    assert result.report.output
    names = sorted(p.name for p in out.glob("*.png"))
    assert names == [f"demo-{n}-{p}.png" for n in (1, 2) for p in "CKMY"]


def test_no_marks_makes_the_media_box_the_bleed_box(tmp_path):
    pipeline.build(DEMO, pipeline.BuildOptions(output=tmp_path / "demo.pdf", keep_lines=False, marks=False))
    with pikepdf.open(tmp_path / "demo.pdf") as pdf:
        for page in pdf.pages:
            bleed = [float(v) for v in page.obj.BleedBox]
            assert [float(v) for v in page.obj.MediaBox] == pytest.approx([0, 0, bleed[2] + bleed[0],
                                                                           bleed[3] + bleed[1]], abs=0.01)
            assert bleed[0] == pytest.approx(0)
    assert check_pdf(tmp_path / "demo.pdf") == []


def _layout_with(tmp_path: Path, press: str) -> Path:
    text = DEMO.read_text(encoding="utf-8") + "\npress:\n" + press
    layout = DEMO.parent / f".press-test-{os.getpid()}-{tmp_path.name}.yaml"
    layout.write_text(text, encoding="utf-8")
    return layout


def test_x1a_writes_pdf_13_with_the_older_version_keys_and_no_transparency(tmp_path):
    layout = _layout_with(tmp_path, "  pdfx: x-1a\n  bleed: 5mm\n")
    try:
        pipeline.build(layout, pipeline.BuildOptions(output=tmp_path / "x1a.pdf", keep_lines=False))
    finally:
        layout.unlink()
    with pikepdf.open(tmp_path / "x1a.pdf") as pdf:
        assert pdf.pdf_version == "1.3"
        info = pdf.trailer.Info
        assert (str(info.GTS_PDFXVersion), str(info.GTS_PDFXConformance)) == ("PDF/X-1:2001", "PDF/X-1a:2001")
        assert b"<pdfx:GTS_PDFXConformance>PDF/X-1a:2001</pdfx:GTS_PDFXConformance>" in pdf.Root.Metadata.read_bytes()
        for page in pdf.pages:
            assert float(page.obj.TrimBox[0]) - float(page.obj.BleedBox[0]) == pytest.approx(5 * MM, abs=0.01)
            for xobject in page.Resources.XObject.values():
                assert "/SMask" not in xobject and xobject.ColorSpace == pikepdf.Name.DeviceCMYK
            for state in page.Resources.ExtGState.values():
                assert not {"/SMask", "/ca", "/CA", "/BM"} & set(state.keys())
            assert "/Group" not in page.obj
    assert check_pdf(tmp_path / "x1a.pdf") == []


def test_the_output_is_the_same_bytes_wherever_the_pictures_lie(tmp_path):
    """Picture XObjects are named after their content, not their path (reportlab named them
    after the file's path, so a checkout elsewhere gave other bytes)."""
    pdfs = []
    for where in ("a", "b/deeper"):
        project = tmp_path / where / "layouts"
        shutil.copytree(DEMO.parent, project, ignore=shutil.ignore_patterns("editions", "*.pyc"))
        shutil.copytree(ROOT / "seeds", tmp_path / where / "seeds")
        pdf = tmp_path / where / "demo.pdf"
        pipeline.build(project / "demo.yaml", pipeline.BuildOptions(output=pdf, keep_lines=False))
        pdfs.append(pdf.read_bytes())
        with pikepdf.open(pdf) as opened:
            names = {str(n) for page in opened.pages for n in page.Resources.XObject.keys()}
        assert len(names) == 4 and all(n.startswith("/Im") for n in names)  # the demo's four pictures
    assert pdfs[0] == pdfs[1]


def test_a_plants_profile_and_condition_from_the_layout_go_into_the_output_intent(tmp_path):
    from paiban.errors import InputError
    from paiban.render.press import default_profile

    own = DEMO.parent / f".press-test-{os.getpid()}.icc"
    shutil.copyfile(default_profile(), own)  # stands for the plant's newsprint profile
    rgb = DEMO.parent / f".press-test-{os.getpid()}-rgb.icc"
    shutil.copyfile("/usr/share/color/icc/sRGB.icc" if Path("/usr/share/color/icc/sRGB.icc").exists()
                    else own, rgb)
    layout = _layout_with(tmp_path, f"  profile: {own.name}\n  output_condition_identifier: IFRA26\n"
                                    "  output_condition: ISO 12647-3 newsprint\n  registry_name: http://www.color.org\n")
    wrong = _layout_with(tmp_path / "x", "  pdfx: x-3\n")
    not_cmyk = _layout_with(tmp_path / "y", f"  profile: {rgb.name}\n")
    try:
        pipeline.build(layout, pipeline.BuildOptions(output=tmp_path / "own.pdf", keep_lines=False))
        with pytest.raises(InputError, match=r"press.pdfx: 'x-3' \(text\) is not a PDF/X version"):
            pipeline.build(wrong, pipeline.BuildOptions(keep_lines=False))
        if rgb.read_bytes() != own.read_bytes():
            with pytest.raises(InputError, match="press.profile: .* is a RGB profile"):
                pipeline.build(not_cmyk, pipeline.BuildOptions(keep_lines=False))
    finally:
        for path in (own, rgb, layout, wrong, not_cmyk):
            path.unlink()
    with pikepdf.open(tmp_path / "own.pdf") as pdf:
        (intent,) = pdf.Root.OutputIntents
        assert str(intent.OutputConditionIdentifier) == "IFRA26"
        assert str(intent.OutputCondition) == "ISO 12647-3 newsprint"
        assert str(intent.RegistryName) == "http://www.color.org"
