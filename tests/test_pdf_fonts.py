"""The PDF's fonts: one Type 0 font per face, two-byte codes, exact ToUnicode, few font switches."""

from __future__ import annotations

import re
import zlib

import pytest
from conftest import DEMO

from paiban import pipeline
from paiban.errors import PaibanError
from paiban.render.cid_fonts import cid_to_gid_map, to_unicode_cmap, width_array
from paiban.render.text_operators import CodeSpace, code_text, resource_name


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


def test_codes_are_code_points_and_characters_beyond_the_bmp_get_surrogate_slots():
    space = CodeSpace.for_texts(["中文𪚥", "𠀀"])
    assert space.cid("丐") == 0x4E10 and space.cid("Ａ") == 0xFF21 and space.cid("A") == 0x41
    assert space.cid("𠀀") == 0xD800 and space.cid("𪚥") == 0xD801  # sorted, from U+D800
    with pytest.raises(PaibanError):
        space.cid("𠀁")  # not in the document's texts: an internal error, not a wrong glyph


def test_tounicode_maps_every_cid_with_surrogate_pairs_and_short_blocks():
    code_points = [0x4E2D, 0x20000, *range(0x4E00, 0x4E00 + 150)]
    cids = [0x4E2D, 0xD800, *range(0x4E00, 0x4E00 + 150)]
    cmap = to_unicode_cmap(cids, code_points)
    assert "<4E2D> <4E2D>" in cmap
    assert "<D800> <D840DC00>" in cmap  # U+20000 as UTF-16BE
    blocks = [int(n) for n in re.findall(r"(\d+) beginbfchar", cmap)]
    assert sum(blocks) == len(code_points) and max(blocks) <= 100


def test_widths_list_only_advances_other_than_one_em_and_the_gid_map_has_two_bytes_a_cid():
    entries = width_array([0x31, 0x32, 0x4E2D, 0xFF0C, 0xFF0D], [500, 500, 1000, 499.5, 1000])
    assert [x if isinstance(x, int) else x.sequence for x in entries] == [0x31, [500, 500], 0xFF0C, [499.5]]
    table = cid_to_gid_map([1, 3], [7, 0x0102])
    assert table == bytes([0, 0, 0, 7, 0, 0, 1, 2])


def test_each_face_is_one_type0_font_with_its_own_outlines(demo_pdf):
    """CFF faces (Noto CJK) as CIDFontType0 with a CIDFontType0C program, TrueType ones as
    CIDFontType2: one descendant per face either way."""
    result, data = demo_pdf
    faces = {face for page in result.document.pages for line in page.lines for _, face in line.face_runs}
    cff = {key for key in faces if result.glyphs.faces[key].is_cff}
    type0 = re.findall(rb"/Subtype\s*/Type0", data)
    assert len(type0) == len(faces) > 1 and cff
    assert len(re.findall(rb"/Subtype\s*/CIDFontType0\b", data)) == len(cff)
    assert len(re.findall(rb"/Subtype\s*/CIDFontType0C", data)) == len(cff)
    assert len(re.findall(rb"/Subtype\s*/CIDFontType2", data)) == len(faces) - len(cff)
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


@pytest.mark.parametrize("layout", ["demo.yaml", "three-pages.yaml"])
def test_pages_composed_in_several_processes_give_the_same_pdf(layout, tmp_path):
    path = DEMO.parent / layout
    one = pipeline.run(path, tmp_path / "one.pdf", jobs=1)
    for jobs in (2, 3):
        many = pipeline.run(path, tmp_path / f"{jobs}.pdf", jobs=jobs)
        assert (tmp_path / f"{jobs}.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()
        assert many.report.warnings == one.report.warnings
        assert many.pages == one.pages  # the same text operators, page for page
        assert many.document is None  # the composed lines stayed in the workers


@pytest.mark.parametrize("cff", [True, False], ids=["CFF", "TrueType"])
def test_compressed_font_programs_are_read_back_from_the_disk_cache(demo_pdf, monkeypatch, tmp_path, cff):
    from paiban.render import cid_fonts
    from paiban.render.text_operators import metrics_advance

    result, _ = demo_pdf
    face = next(f for f in sorted(result.glyphs.faces.values(), key=lambda f: f.key) if f.is_cff == cff)
    chars = sorted({c for page in result.document.pages for line in page.lines
                    for f, a, b in line.runs() if f == face.key for c in line.chars[a:b]})
    advance = metrics_advance(result.registry, {face.key: face})
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path))
    cid_fonts._programs.clear()
    font = cid_fonts.CidFont(face, chars, CodeSpace(), advance)
    made = font.program()
    assert list((tmp_path / "programs").iterdir())
    cid_fonts._programs.clear()

    def no_compress(data, *level):
        raise AssertionError("compressed again")
    monkeypatch.setattr(cid_fonts.zlib, "compress", no_compress)
    assert font.program() == made  # from disk
    cid_fonts._programs.clear()
    for entry in (tmp_path / "programs").iterdir():
        entry.write_bytes(b"garbage")
    with pytest.raises(AssertionError, match="compressed again"):  # a damaged entry is a miss
        font.program()


def test_a_second_build_reuses_the_font_programs_of_the_first(tmp_path, monkeypatch):
    """The programs are keyed by the font files and the codes: a second build stores none."""
    from paiban.render import cid_fonts

    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "cache"))
    cid_fonts._programs.clear()
    pipeline.run(DEMO, tmp_path / "one.pdf")
    programs = sorted((tmp_path / "cache" / "programs").iterdir())
    assert programs
    cid_fonts._programs.clear()
    pipeline.run(DEMO, tmp_path / "two.pdf")
    assert sorted((tmp_path / "cache" / "programs").iterdir()) == programs
    assert (tmp_path / "two.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()


FALLBACK_ONLY = "\U0002081D"  # 𠠝: not in Noto CJK; UMing or HanaMin draws it


def test_a_face_first_used_on_a_page_composed_in_another_process_is_embedded(tmp_path):
    """Pages composed in child processes report the faces they met: the renderer needs them."""
    from paiban.fonts.registry import FontRegistry

    if FontRegistry().face_for("song", FALLBACK_ONLY) in (None, FontRegistry().chain("song")[0]):
        pytest.skip("no installed fallback face of the song role draws U+2081D")
    (tmp_path / "art.txt").write_text("---\nheadline: 测试\n---\n\n" + "新区发展我在其中。" * 12
                                      + f"\n\n最后一段有{FALLBACK_ONLY}字。\n", encoding="utf-8")
    (tmp_path / "two.yaml").write_text("""title: two pages
page: {size: broadsheet}
grid: {body_size: 小五, columns: 7, column_chars: 15, gutter_chars: 1, line_pitch: 14pt}
pages:
  - page: 1
    regions: [{name: body1, columns: [1, 1], lines: [1, 4]}]
  - page: 2
    regions: [{name: body2, columns: [1, 3], lines: [1, 40]}]
stories:
  - {name: s, article: art.txt, thread: [body1, body2]}
""", encoding="utf-8")
    one = pipeline.run(tmp_path / "two.yaml", tmp_path / "one.pdf", jobs=1)
    assert FALLBACK_ONLY not in "".join(ln.text for ln in one.document.pages[0].lines)  # page 2 only
    for jobs in (2, 3):
        pipeline.run(tmp_path / "two.yaml", tmp_path / f"{jobs}.pdf", jobs=jobs)
        assert (tmp_path / f"{jobs}.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()
