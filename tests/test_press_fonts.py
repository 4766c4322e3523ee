"""The fonts' own outlines in the PDF: CFF faces as CIDFontType0C subsets, no conversion.

The subset is cut from the font's bytes (`paiban.render.cff_bytes`); fontTools' CFF objects cut
the same glyphs the slow way (`paiban.render.cff_subset`), which is the fallback and the reference
here: the same charset and, glyph for glyph, the same outlines."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.fonts.discovery import find_font_file
from paiban.render import cff_subset

TEXT = "本报讯记者李涛报道，新区发展我在其中。兀⺎（）一二三"


def _noto():
    path = find_font_file("NotoSerifCJK-Regular.ttc")
    if path is None:
        pytest.skip("Noto Serif CJK is not installed (Debian: fonts-noto-cjk)")
    return path


def _glyphs(data: bytes) -> tuple[dict, object]:
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.recordingPen import RecordingPen

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    top = cff.topDictIndex[0]
    drawn = {}
    for name in top.charset:
        pen = RecordingPen()
        top.CharStrings[name].draw(pen)
        drawn[name] = pen.value
    return drawn, top


def test_the_fast_subset_has_the_reference_charset_and_outlines(monkeypatch):
    noto = _noto()
    codes = [(ord(c), ord(c)) for c in sorted(set(TEXT))]
    fast = cff_subset.cff_program(noto, 2, codes)
    monkeypatch.setattr(cff_subset, "_from_bytes", lambda *args: None)
    slow = cff_subset.cff_program(noto, 2, codes)
    fast_glyphs, top = _glyphs(fast.data)
    slow_glyphs, _ = _glyphs(slow.data)
    assert top.ROS == ("Adobe", "Identity", 0)
    assert list(fast_glyphs) == list(slow_glyphs) == [".notdef"] + [f"cid{cid:05d}" for cid, _ in codes]
    assert fast_glyphs == slow_glyphs
    assert fast_glyphs["cid20800"] == fast_glyphs["cid11918"]  # 兀 and ⺎ share a glyph: a copy each
    assert fast.covered == slow.covered == tuple(cp for _, cp in codes)
    assert len(fast.data) < 60_000  # a subset, not the 23 MB face


def test_a_name_keyed_cff_font_is_made_cid_keyed(tmp_path):
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    def glyph():
        pen = T2CharStringPen(500, None)
        pen.moveTo((0, 0))
        pen.lineTo((0, 500))
        pen.lineTo((400, 0))
        pen.closePath()
        return pen.getCharString()

    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", "A", "B"])
    builder.setupCharacterMap({0x41: "A", 0x42: "B"})
    builder.setupCFF("Tiny-Regular", {"FullName": "Tiny"}, {".notdef": glyph(), "A": glyph(), "B": glyph()}, {})
    builder.setupHorizontalMetrics({".notdef": (500, 0), "A": (500, 0), "B": (500, 0)})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": "Tiny", "styleName": "Regular"})
    builder.setupOS2()
    builder.setupPost()
    builder.save(str(tmp_path / "Tiny.otf"))
    program = cff_subset.cff_program(tmp_path / "Tiny.otf", 0, [(0x42, 0x42), (0x43, 0x43)])
    glyphs, top = _glyphs(program.data)
    assert top.ROS == ("Adobe", "Identity", 0) and list(glyphs) == [".notdef", "cid00066"]
    assert program.covered == (0x42,)  # C is not in the font


def test_pdffonts_lists_the_noto_faces_as_embedded_cid_type0c_subsets(tmp_path):
    _noto()
    if shutil.which("pdffonts") is None:
        pytest.skip("poppler-utils (pdffonts) is not installed")
    pipeline.build(DEMO, pipeline.BuildOptions(output=tmp_path / "demo.pdf", keep_lines=False))
    listing = subprocess.run(["pdffonts", str(tmp_path / "demo.pdf")], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    noto = [line.split() for line in listing if "Noto" in line]
    assert len(noto) == 3  # Serif regular and bold, Sans bold
    for name, *kind, encoding, emb, sub, uni, _number, _generation in noto:
        assert (kind, encoding, emb, sub, uni) == (["CID", "Type", "0C"], "Identity-H", "yes", "yes", "yes"), name
        assert name[6] == "+"  # a subset tag
    others = [line.split() for line in listing if "Noto" not in line]
    assert all(fields[1:3] == ["CID", "TrueType"] and fields[-5:-2] == ["yes", "yes", "yes"] for fields in others)
