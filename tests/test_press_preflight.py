"""`paiban preflight FILE.pdf`: passes paiban's own output, fails other PDFs with the reason.

The bad PDFs are made here: one with reportlab's defaults (an RGB picture, the unembedded
Helvetica, no TrimBox: what paiban wrote before issue 17), and copies of the demo with one thing
broken each (with pikepdf), so that every rule is seen to fail on its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from conftest import DEMO, ROOT

from paiban import pipeline
from paiban.render.preflight import check_pdf


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("preflight") / "demo.pdf"
    pipeline.build(DEMO, pipeline.BuildOptions(output=out, keep_lines=False))
    return out


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "paiban", "preflight", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def _reportlab_pdf(path: Path) -> Path:
    """A PDF as reportlab writes it by default: Helvetica (not embedded), an RGB picture, a
    MediaBox only."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(path), pagesize=(300, 300), invariant=1)
    canvas.drawString(20, 250, "Hello")
    picture = Image.new("RGB", (64, 64), (200, 30, 30))
    canvas.drawImage(ImageReader(picture), 20, 20, 100, 100)
    canvas.showPage()
    canvas.save()
    return path


def test_our_output_passes(good):
    assert check_pdf(good) == []
    done = _cli(str(good))
    assert done.returncode == 0 and done.stdout.strip() == f"{good}: passes"


def test_a_pdf_with_an_rgb_image_an_unembedded_font_and_no_trimbox_fails_with_each_reason(tmp_path):
    bad = _reportlab_pdf(tmp_path / "plain.pdf")
    messages = [str(f) for f in check_pdf(bad)]
    assert "page 1: no TrimBox" in messages
    assert any(m.startswith("page 1: an RGB image") for m in messages)
    assert "page 1: font Helvetica is not embedded" in [m.replace("/Helvetica", "Helvetica") for m in messages]
    assert "not PDF/X: no GTS_PDFXVersion in the document information" in messages
    done = _cli(str(bad))
    assert done.returncode == 1
    assert f"{bad}: page 1: no TrimBox" in done.stdout.splitlines()


def _broken(good: Path, tmp_path: Path, name: str, change) -> Path:
    with pikepdf.open(good) as pdf:
        change(pdf)
        pdf.save(tmp_path / name, deterministic_id=True)
    return tmp_path / name


def test_an_rgb_picture_alone_fails(good, tmp_path):
    def rgb(pdf):
        name, image = next(iter(pdf.pages[0].Resources.XObject.items()))
        raw = image.read_bytes()
        image.write(bytes(b for i in range(0, len(raw), 4) for b in raw[i:i + 3]))  # CMYK bytes read as RGB
        image.ColorSpace = pikepdf.Name.DeviceRGB

    bad = _broken(good, tmp_path, "rgb.pdf", rgb)
    assert [str(f).split(" (")[0] for f in check_pdf(bad)] == ["page 1: an RGB image"]


def test_an_unembedded_font_alone_fails(good, tmp_path):
    def strip(pdf):
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        descriptor = font.DescendantFonts[0].FontDescriptor
        for key in ("/FontFile2", "/FontFile3"):
            if key in descriptor:
                del descriptor[key]

    findings = [str(f) for f in check_pdf(_broken(good, tmp_path, "font.pdf", strip))]
    assert len(findings) == 2 and all("is not embedded" in f for f in findings)  # the font is on both pages


def test_a_page_without_trimbox_alone_fails(good, tmp_path):
    def untrim(pdf):
        del pdf.pages[1].obj["/TrimBox"]

    assert [str(f) for f in check_pdf(_broken(good, tmp_path, "trim.pdf", untrim))] == ["page 2: no TrimBox"]


def test_black_text_that_does_not_overprint_fails(good, tmp_path):
    def knockout(pdf):
        for page in pdf.pages:
            for state in page.Resources.ExtGState.values():
                state.op = False
                state.OP = False

    findings = {str(f) for f in check_pdf(_broken(good, tmp_path, "knockout.pdf", knockout))}
    assert "page 1: black text does not overprint (needs op/OP true and OPM 1)" in findings
    assert "page 1: black stroke (rule) does not overprint (needs op/OP true and OPM 1)" in findings


def test_a_missing_output_intent_and_a_thin_bleed_fail(good, tmp_path):
    def strip(pdf):
        del pdf.Root["/OutputIntents"]
        page = pdf.pages[0].obj
        trim = [float(v) for v in page.TrimBox]
        page.BleedBox = pikepdf.Array([trim[0] - 1, trim[1] - 1, trim[2] + 1, trim[3] + 1])

    findings = [str(f) for f in check_pdf(_broken(good, tmp_path, "intent.pdf", strip))]
    assert findings == ["no PDF/X output intent (/OutputIntents with /S /GTS_PDFX)",
                        "page 1: the BleedBox is 0.4 mm beyond the TrimBox, less than 3 mm"]


def test_a_low_resolution_picture_is_a_finding_at_the_given_minimum(good):
    assert check_pdf(good, min_dpi=150) == []
    found = [str(f) for f in check_pdf(good, min_dpi=400)]
    assert found and all(" dpi, below 400" in f for f in found)


def test_a_file_that_is_not_a_pdf_is_one_finding(tmp_path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    (finding,) = check_pdf(junk)
    assert "cannot read the PDF" in str(finding)
    assert _cli(str(junk)).returncode == 1
    missing = _cli(str(tmp_path / "nowhere.pdf"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1


def test_the_build_reports_preflight_findings_as_warnings(monkeypatch, tmp_path):
    from paiban.render import preflight

    real = preflight.check_pdf
    monkeypatch.setattr(preflight, "check_pdf", lambda path, min_dpi=150.0: real(path, min_dpi) + [
        preflight.Finding(2, "a planted finding")])
    result = pipeline.build(DEMO, pipeline.BuildOptions(output=tmp_path / "demo.pdf", keep_lines=False))
    (warning,) = [w for w in result.report.warnings if w.kind == "preflight"]
    assert warning.page == 2 and warning.message == "preflight: page 2: a planted finding"
    assert "preflight" in result.report.timings

