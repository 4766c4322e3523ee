"""`paiban.fonts.face_bytes` reads what fontTools reads, and `FaceMetrics` measured from a face's
bytes equal those measured with fontTools, for every code point of the installed faces.

Each face is read both ways in full (every code point of the chosen cmap subtable, every
glyph's advance and side bearing, the ink of every mark layout stores and of a sample of all the
glyphs), so a reader that got one group, one glyph or one bearing wrong fails here. Fonts not
installed are skipped (Debian: fonts/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont

from paiban.fonts import metrics
from paiban.fonts.discovery import find_face_index, find_font_file, open_face
from paiban.fonts.face_bytes import FaceFile, Unsupported
from paiban.fonts.metrics import STORED_INK_CHARS, FaceMetrics

#: (file, family in a collection): the default roles' faces, CFF and glyf, a font with composites
FACES = [("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"), ("NotoSerifCJK-Bold.ttc", "Noto Serif CJK SC"),
         ("NotoSansCJK-Bold.ttc", "Noto Sans CJK SC"), ("LXGWWenKai-Regular.ttf", None),
         ("uming.ttc", "AR PL UMing CN"), ("DejaVuSans.ttf", None)]


def _face(name: str, family: str | None) -> tuple[Path, int]:
    path = find_font_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path, find_face_index(path, family) if family else 0


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "cache"))
    metrics.clear_metrics_cache()
    yield tmp_path / "cache"
    metrics.clear_metrics_cache()


def _bounds(draw, glyphs=None) -> tuple | None:
    pen = BoundsPen(glyphs)
    draw(pen)
    return pen.bounds


@pytest.mark.parametrize("name, family", FACES)
def test_tables_read_as_fonttools_reads_them(name: str, family: str | None) -> None:
    path, index = _face(name, family)
    with TTFont(str(path), fontNumber=index, lazy=True) as tt, FaceFile(path, index) as font:
        order = tt.getGlyphOrder()
        gid = {glyph: i for i, glyph in enumerate(order)}
        best = tt.getBestCmap()
        cps, gids = font.best_cmap()
        assert list(cps) == sorted(best) and len(cps) > 1000
        assert list(gids) == [gid[best[cp]] for cp in cps]  # every code point
        advances, bearings = font.metrics()
        assert [(a, b) for a, b in zip(advances, bearings)] == [tt["hmtx"][g] for g in order]  # every glyph
        upm, ascender, descender = font.vertical()
        assert upm == tt["head"].unitsPerEm
        assert (ascender * upm, descender * upm) == (tt["OS/2"].sTypoAscender, tt["OS/2"].sTypoDescender)
        glyphs = tt.getGlyphSet()
        drawn = 0
        marks = {gid[best[ord(ch)]] for ch in STORED_INK_CHARS if ord(ch) in best}
        sample = sorted(marks | set(range(0, len(order), 53)))
        for g in sample:
            theirs = _bounds(lambda pen: glyphs[order[g]].draw(pen), glyphs)
            try:
                ours = _bounds(lambda pen: font.draw(g, pen, bearings[g]))
            except Unsupported:  # a composite glyph: fontTools draws it
                assert "glyf" in tt and tt["glyf"][order[g]].isComposite()
                continue
            assert ours == theirs, (name, g, order[g])
            drawn += 1
        assert drawn > len(sample) // 2  # the composites are a few


def test_composite_glyph_is_left_to_fonttools() -> None:
    path, index = _face("DejaVuSans.ttf", None)
    with TTFont(str(path), lazy=True) as tt, FaceFile(path, index) as font:
        half = tt.getGlyphID("onehalf")
        assert tt["glyf"]["onehalf"].isComposite()
        with pytest.raises(Unsupported, match="composite"):
            font.draw(half, BoundsPen(None), 0)


def test_missing_face_of_a_collection_is_unsupported() -> None:
    path, _ = _face("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC")
    with pytest.raises(Unsupported, match="no face 99"):
        FaceFile(path, 99)


def _facts(m: FaceMetrics) -> tuple:
    return m.units_per_em, m.ascender, m.descender, list(m._cps), list(m._advances), m._ink


@pytest.mark.parametrize("name, family", FACES)
def test_metrics_from_bytes_equal_metrics_from_fonttools(name: str, family: str | None, cache: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    path, index = _face(name, family)
    face = open_face(path, index)
    fast = FaceMetrics(face)
    assert fast.measured
    if name.startswith("Noto"):  # no composite glyph among the marks: fontTools never opened it
        assert fast._tt is None

    def refuse(*args: object) -> None:
        raise Unsupported("this test reads every face with fontTools")

    monkeypatch.setattr(metrics, "FaceFile", refuse)
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(cache.parent / "other"))
    slow = FaceMetrics(face)
    try:
        assert slow.measured and slow._tt is not None
        assert _facts(fast) == _facts(slow)
        assert len(fast._ink) > 10
    finally:
        slow.close()
        fast.close()


def test_face_without_format_12_cmap_is_measured_with_fonttools(cache: Path, tmp_path: Path) -> None:
    """A font whose best Unicode cmap is of format 4 (BMP only) is left to fontTools whole."""
    path, _ = _face("DejaVuSans.ttf", None)
    with TTFont(str(path)) as tt:
        cmap = tt["cmap"]
        cmap.tables = [t for t in cmap.tables if (t.platformID, t.platEncID) == (3, 1)]
        assert cmap.tables[0].format == 4
        bmp = tmp_path / "bmp-only.ttf"
        tt.save(str(bmp))
    with FaceFile(bmp, 0) as font, pytest.raises(Unsupported, match="format 4"):
        font.best_cmap()
    m = FaceMetrics(open_face(bmp, 0))
    try:
        assert m.measured and m._tt is not None  # read with fontTools
        assert m.has("A") and m.advance("A") > 0 and m.ink("(") is not None
    finally:
        m.close()
