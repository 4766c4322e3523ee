"""The commonest characters have codes below 256 (`paiban.render.text_operators.COMMON`): PDFium
keeps the box of such a glyph instead of loading it for every occurrence. The codes are still
one character's each, printable ASCII keeps its own, no character takes code 0 (.notdef), and a
PDF's text reads back as it was written (ToUnicode maps the traded codes)."""

from __future__ import annotations

from paiban.render.text_operators import COMMON, CodeSpace


def test_common_characters_have_codes_below_256_and_ascii_keeps_its_own():
    space = CodeSpace()
    assert all(0 < space.cid(char) < 256 and not 0x20 <= space.cid(char) < 0x7F for char in COMMON)
    assert [space.cid(chr(code)) for code in range(0x20, 0x7F)] == list(range(0x20, 0x7F))
    assert space.cid("的") < 256 and space.cid("，") < 256 and space.cid("。") < 256


def test_every_character_of_the_bmp_has_a_code_of_its_own():
    space = CodeSpace()
    chars = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF]
    codes = [space.cid(char) for char in chars]
    assert len(set(codes)) == len(codes) and 0 not in codes[1:]
    assert {space.cid(chr(space.cid(char))) == ord(char) for char in chars} == {True}  # a swap
