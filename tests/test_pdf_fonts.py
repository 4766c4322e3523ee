"""The PDF's fonts: one Type 0 font per face, two-byte codes, exact ToUnicode, few font switches."""

from __future__ import annotations

import re
import zlib

import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.render.cid_fonts import code_text, to_unicode_cmap
from paiban.render.pdf_writer import resource_name


@pytest.fixture(scope="module")
def demo_pdf(tmp_path_factory) -> tuple[object, bytes]:
    out = tmp_path_factory.mktemp("fonts") / "demo.pdf"
    result = pipeline.run(DEMO, out)
    return result, out.read_bytes()


def _streams(data: bytes) -> list[bytes]:
    out = []
    for m in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", m.end())
        try:
            out.append(zlib.decompress(data[m.end():end]))
        except zlib.error:
            pass
    return out


def test_two_byte_codes_are_escaped_for_a_string_literal():
    assert code_text(0x0041) == "\\000A"
    assert code_text(0x2829) == "\\(\\)"  # parentheses and the backslash are escaped
    assert code_text(0x5C0A) == "\\\\\\012"
    assert code_text(0xFF7E) == "\\377~"


def test_tounicode_maps_every_cid_with_surrogate_pairs_and_short_blocks():
    code_points = [0x4E2D, 0x20000, *range(0x4E00, 0x4E00 + 150)]
    cmap = to_unicode_cmap(code_points)
    assert "<0001> <4E2D>" in cmap
    assert "<0002> <D840DC00>" in cmap  # U+20000 as UTF-16BE
    blocks = [int(n) for n in re.findall(r"(\d+) beginbfchar", cmap)]
    assert sum(blocks) == len(code_points) and max(blocks) <= 100


def test_each_face_is_one_type0_font_with_a_cid_truetype_program(demo_pdf):
    result, data = demo_pdf
    faces = {face for page in result.document.pages for line in page.lines for _, face in line.face_runs}
    type0 = re.findall(rb"/Subtype\s*/Type0", data)
    assert len(type0) == len(faces) > 1
    assert len(re.findall(rb"/Subtype\s*/CIDFontType2", data)) == len(faces)
    assert len(re.findall(rb"/Encoding\s*/Identity-H", data)) == len(faces)
    assert b"/Subtype /TrueType" not in data and b"/Subtype/TrueType" not in data  # no simple fonts


def test_a_body_line_selects_its_font_once(demo_pdf):
    """With 256-glyph simple fonts a line switched fonts at almost every rare character."""
    result, data = demo_pdf
    body_face = next(face for page in result.document.pages for line in page.lines if line.kind == "body"
                     for _, face in line.face_runs)
    name = resource_name(body_face).encode("ascii")
    text_objects = [obj for s in _streams(data) for obj in re.findall(rb"BT\n(.*?)\nET", s, re.S)
                    if name + b" " in obj]
    assert len(text_objects) > 100
    single = sum(1 for obj in text_objects if obj.count(b" Tf") == 1)
    assert single >= 0.95 * len(text_objects)
