"""A page's text objects are deflated once, where the page is encoded (`EncodedPage.stream`), and
go as they are into every PDF that draws the page (its page PDF, its edition's PDF, its preview):
a content stream of their own in the page's /Contents, between the page's other operators."""

from __future__ import annotations

import io
from unittest.mock import patch

import pikepdf

from paiban.model.placed import EncodedPage, Rule
from paiban.render import pdf_writer
from paiban.render.text_operators import deflate_stream

TEXT = "\n".join(f"BT\n1 0 0 1 {10 + i} {20 + i} Tm\n[(\\000\\031{i:03d})] TJ\nET" for i in range(400))


def _page(number: int, text: str = TEXT) -> EncodedPage:
    rules = (Rule(10.0, 10.0, 10.0, 200.0 + number, 0.5, (0, 0, 0, 1)),)
    return EncodedPage(number=number, width=400.0, height=300.0,
                       stream=deflate_stream(text.encode("utf-8")) if text else b"", chars={}, rules=rules)


def _pdf(title: str, pages: list[EncodedPage]) -> bytes:
    return pdf_writer.pdf_bytes(title, pages, {}, lambda face, char: 1.0)


def test_operators_give_back_the_text_objects() -> None:
    assert _page(1).operators() == TEXT
    assert _page(1, "").operators() == ""


def test_the_text_stream_is_embedded_as_it_is_in_page_and_edition_pdfs() -> None:
    pages = [_page(1), _page(2, TEXT.replace("Tm", " Tm"))]
    compressed: list[bytes] = []
    real = pdf_writer.deflate_stream

    def counting(content: bytes) -> bytes:
        compressed.append(content)
        return real(content)

    with patch.object(pdf_writer, "deflate_stream", counting):
        edition = _pdf("edition", pages)
        singles = [_pdf(f"p{page.number}", [page]) for page in pages]
    for page in pages:
        assert edition.count(page.stream) == 1
        assert sum(single.count(page.stream) for single in singles) == 1
    # the PDF writer compressed only what surrounds the text: two small streams a page
    assert len(compressed) == 2 * 4 and all(b" Tm" not in part and len(part) < 2000 for part in compressed)


def test_a_page_draws_its_streams_in_order() -> None:
    with pikepdf.open(io.BytesIO(_pdf("p1", [_page(1)]))) as pdf:
        page = pdf.pages[0]
        contents = page.obj.Contents
        assert isinstance(contents, pikepdf.Array) and len(contents) == 3
        parts = [bytes(stream.read_bytes()).decode("ascii") for stream in contents]
    assert parts[1] == TEXT
    assert parts[0].rstrip().endswith("0 0 0 1 k")  # black, overprinting, set before the text
    assert parts[2].lstrip().startswith("Q")
    assert "%text" not in "".join(parts)


def test_a_page_without_text_has_one_stream() -> None:
    with pikepdf.open(io.BytesIO(_pdf("p1", [_page(1, "")]))) as pdf:
        contents = pdf.pages[0].obj.Contents
        assert isinstance(contents, pikepdf.Stream)
        assert b" S" in contents.read_bytes()  # the rule
