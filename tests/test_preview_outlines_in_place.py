"""The preview outlines (`paiban.render.preview_outlines`) read a CFF face's charstrings in place
from the mapped font file; they must be exactly the glyphs fontTools' own reader gives, which the
module falls back to for what the in-place reader does not handle."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from paiban.fonts.faces import FontFace
from paiban.render import preview_outlines

SERIF = Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc")


@pytest.fixture
def serif() -> FontFace:
    if not SERIF.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    return FontFace(SERIF, 2, "Noto Serif CJK SC", "cff", "serif-test")


def _by_fonttools(monkeypatch: pytest.MonkeyPatch) -> None:
    @contextlib.contextmanager
    def refused(face: FontFace):
        raise preview_outlines.Unsupported("the test asks for fontTools")
        yield  # pragma: no cover

    monkeypatch.setattr(preview_outlines, "_charstrings_in_place", refused)


def test_glyphs_read_in_place_equal_those_fonttools_reads(serif: FontFace, monkeypatch: pytest.MonkeyPatch) -> None:
    gids = [0, 1, 2, *range(100, 65000, 331)]  # .notdef, spaces, marks, hanzi across the whole font
    in_place = preview_outlines._convert(serif, gids)
    _by_fonttools(monkeypatch)
    assert preview_outlines._convert(serif, gids) == in_place
    assert sum(1 for g in in_place.values() if g.contours) > len(gids) // 2  # real outlines, not blanks
