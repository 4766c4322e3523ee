"""`GlyphCodes.keep_lines` (`paiban serve`): a line object encoded again reuses its text object,
and a page encoded with kept lines is the page encoded without them."""

from __future__ import annotations

from dataclasses import replace
from unittest.mock import patch

from paiban.model.placed import PlacedLine, PlacedPage
from paiban.render import text_operators
from paiban.render.text_operators import CodeSpace, GlyphCodes, encode_page


def _advance(face: str, char: str) -> float:
    return 0.5 if char.isascii() else 1.0


def _line(y: float, chars: str) -> PlacedLine:
    xs = tuple(10.0 + 9.3 * i for i in range(len(chars)))
    return PlacedLine("s", "r", 0, 1, "body", 0.0, y, 300.0, 9.0, chars, chars, xs, ((0, "f"),), ())


def _page(lines) -> PlacedPage:
    return PlacedPage(1, 400.0, 600.0, tuple(lines))


def test_kept_lines_encode_as_fresh_and_only_new_lines_are_encoded():
    lines = [_line(20.0 + 12 * i, "中文排版" * (i + 1)) for i in range(5)]
    kept = GlyphCodes(CodeSpace(), _advance)
    kept.keep_lines()
    assert encode_page(kept, _page(lines)) == encode_page(GlyphCodes(CodeSpace(), _advance), _page(lines))

    edited = list(lines)
    edited[2] = replace(lines[2], chars="中文版", text="中文版", xs=lines[2].xs[:3])
    calls = []
    real = text_operators.line_operators
    with patch.object(text_operators, "line_operators", lambda codes, line: calls.append(line) or real(codes, line)):
        again = encode_page(kept, _page(edited))
    assert calls == [edited[2]]  # the four unchanged line objects were not encoded again
    assert again == encode_page(GlyphCodes(CodeSpace(), _advance), _page(edited))


def test_an_equal_but_new_line_object_is_encoded_and_lines_are_not_kept_by_default():
    line = _line(20.0, "中文")
    codes = GlyphCodes(CodeSpace(), _advance)
    assert codes.lines is None
    encode_page(codes, _page([line]))
    assert codes.lines is None
    codes.keep_lines()
    encode_page(codes, _page([line]))
    twin = replace(line)
    calls = []
    real = text_operators.line_operators
    with patch.object(text_operators, "line_operators", lambda c, l: calls.append(l) or real(c, l)):
        encode_page(codes, _page([twin]))
    assert calls == [twin] and calls[0] is twin
