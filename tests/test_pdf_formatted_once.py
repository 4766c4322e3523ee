"""What the PDF writer does once per process (or per machine) instead of once per PDF gives the
bytes it gave before: font objects formatted once for where they start in a document, a page's
resources, the ``/W`` arrays, the output profile compressed once per machine; and the memos keep
a composition's fonts while each page adds a slug font of its own."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest
from conftest import DEMO
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen.canvas import Canvas

from paiban import pipeline
from paiban.atomic_files import write_atomically
from paiban.model.spec import Press
from paiban.render import cid_fonts, pdf_writer, press
from paiban.render.text_operators import CodeSpace, metrics_advance


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    result = pipeline.run(DEMO, tmp_path_factory.mktemp("demo") / "demo.pdf")
    faces = dict(result.glyphs.faces)
    used = {face for page in result.pages for face in page.chars}
    font_chars = {face: "".join(sorted({c for page in result.pages for c in page.chars.get(face, "")}))
                  for face in used}
    return result.pages, faces, metrics_advance(result.registry, faces), font_chars


def _forget() -> None:
    cid_fonts._formatted_fonts.clear()
    cid_fonts._parts.clear()
    pdf_writer._resources.clear()


def test_fonts_formatted_once_give_the_bytes_of_fonts_formatted_now(demo):
    """A document whose fonts start at another object number (more pages before them) in between
    must not take the other's formatted objects: their references would point elsewhere."""
    pages, faces, advance, font_chars = demo
    _forget()
    alone = pdf_writer.pdf_bytes("t", [pages[1]], faces, advance, font_chars=font_chars)
    _forget()
    pdf_writer.pdf_bytes("t", [pages[1]], faces, advance, font_chars=font_chars)
    kept = len(cid_fonts._formatted_fonts)
    assert kept >= 1
    both = pdf_writer.pdf_bytes("t", list(pages[:2]), faces, advance, font_chars=font_chars)
    assert len(cid_fonts._formatted_fonts) > kept  # the same fonts, starting at other numbers
    assert pdf_writer.pdf_bytes("t", [pages[1]], faces, advance, font_chars=font_chars) == alone
    _forget()
    assert pdf_writer.pdf_bytes("t", list(pages[:2]), faces, advance, font_chars=font_chars) == both


def test_a_kept_font_is_not_formatted_again(demo, monkeypatch):
    pages, faces, advance, font_chars = demo
    _forget()
    first = pdf_writer.pdf_bytes("t", [pages[0]], faces, advance, font_chars=font_chars)

    def no_formatting(self, obj, name):
        raise AssertionError(f"{name} formatted again")
    monkeypatch.setattr(cid_fonts._Added, "add", no_formatting)
    assert pdf_writer.pdf_bytes("t", [pages[0]], faces, advance, font_chars=font_chars) == first


def test_page_resources_are_those_reportlab_gives_a_page():
    canvas = Canvas(io.BytesIO(), invariant=1)
    doc = canvas._doc
    overprint = doc.Reference(pdfdoc.PDFDictionary({"Type": "/ExtGState"}), "GSoverprint")
    canvas.showPage()
    page = doc.Pages.pages[0]
    pdf_writer._resources.clear()
    ours = pdf_writer._page_resources(doc, page, overprint)
    page.ExtGState = pdfdoc.PDFDictionary({"GSop": overprint})
    page.check_format(doc)  # reportlab's own, as it writes a page
    assert ours == pdfdoc.format(page.Resources, doc)


def test_width_arrays_formatted_once_are_reportlabs():
    cids = [0x20, 0x31, 0x32, 0x33, 0x4E2D, 0x4E2E, 0xFF0C, 0xFF0D]
    widths = [333.0, 500.0, 1000.0, 500.0, 1000.0, 1000.0, 499.5, 250.00001]
    direct = pdfdoc.format(pdfdoc.PDFArray(cid_fonts.width_array(cids, widths)), None)
    pairs = tuple((c, w) for c, w in zip(cids, widths) if round(w, 3) != 1000)
    cid_fonts._formatted_widths.cache_clear()
    assert cid_fonts._formatted_widths(pairs) == direct
    assert cid_fonts._formatted_widths(pairs) == direct  # kept


def test_a_composition_font_outlives_the_slug_fonts_of_its_pages(demo, monkeypatch):
    """Every page adds a font of its own (its slug's page number): the memos forget the least
    recently used, not everything, so the composition's fonts are made once."""
    pages, faces, advance, font_chars = demo
    face = faces[max(font_chars, key=lambda f: len(font_chars[f]))]
    made = []
    real = cid_fonts.font_parts
    monkeypatch.setattr(cid_fonts, "font_parts", lambda *a: made.append(a[1]) or real(*a))
    _forget()
    composition = sorted(font_chars[face.key])
    for i in range(3 * cid_fonts.MEMO_PROGRAMS):
        cid_fonts.CidFont(face, composition, CodeSpace(), advance)
        cid_fonts.CidFont(face, sorted(composition[:10] + [chr(0x4E00 + i)]), CodeSpace(), advance)
    assert made.count(composition) == 1
    assert len(cid_fonts._parts) == cid_fonts.MEMO_PROGRAMS


def test_the_output_profile_is_compressed_once_per_machine(tmp_path, monkeypatch):
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path))
    press._profiles.clear()
    made = press.icc_profile(Press())
    assert list((tmp_path / "profiles").iterdir())
    press._profiles.clear()

    def no_compress(data, *level):
        raise AssertionError("compressed again")
    monkeypatch.setattr(press.zlib, "compress", no_compress)
    assert press.icc_profile(Press()) == made  # from disk: the same bytes and description
    press._profiles.clear()
    for entry in (tmp_path / "profiles").iterdir():
        entry.write_bytes(entry.read_bytes()[:-1])
    with pytest.raises(AssertionError, match="compressed again"):  # a damaged entry is a miss
        press.icc_profile(Press())
    press._profiles.clear()


def test_the_xmp_title_is_escaped_as_xml():
    title = "A & B <C> 报 > D"
    packet = press.xmp_packet(title, Press(), 0.0, "id")
    assert escape(title).encode() in packet
    ns = {"dc": "http://purl.org/dc/elements/1.1/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    root = ET.fromstring(packet.split(b"?>", 1)[1].rsplit(b"<?xpacket", 1)[0])
    assert root.find(".//dc:title/rdf:Alt/rdf:li", ns).text == title


def test_an_atomic_write_makes_missing_folders_and_fails_as_before_under_a_file(tmp_path):
    write_atomically(tmp_path / "a" / "b" / "c.txt", b"x")
    assert (tmp_path / "a" / "b" / "c.txt").read_bytes() == b"x"
    (tmp_path / "f").write_text("a file where a folder should be")
    with pytest.raises(FileExistsError):
        write_atomically(tmp_path / "f" / "x.txt", b"x")
    with pytest.raises(NotADirectoryError):
        write_atomically(tmp_path / "f" / "g" / "x.txt", b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "f"]


def test_a_fonts_characters_are_those_prepared_and_those_drawn_sorted():
    pdf_writer._prepared.cache_clear()
    assert pdf_writer._font_text({"中", "a"}, "文中a") == "a中文"  # prepared: sorted once
    assert pdf_writer._font_text({"中", "第", "1"}, "文中a") == "1a中文第"  # a slug's characters too
    assert pdf_writer._font_text({"x"}, "") == "x"
