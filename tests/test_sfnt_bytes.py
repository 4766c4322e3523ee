"""`paiban.fonts.sfnt_bytes`, the byte readers the face reader and the CFF subsetter share, read
what fontTools reads: the table directory and tables, the glyphs of code points through a
format 12 or a format 4 cmap, and the CFF INDEXes and DICTs (a CID-keyed font's FDSelect too).

Fonts not installed are skipped (Debian: fonts/README.md).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from paiban.fonts.discovery import find_face_index, find_font_file
from paiban.fonts.sfnt_bytes import (CffIndex, Unsupported, cff_dict, cmap_glyphs, dict_ints, fd_select,
                                     sfnt_tables, table_directory)

CJK = ("NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC")  # a collection, CID-keyed CFF, format 12 cmap
LATIN = ("DejaVuSans.ttf", None)  # a single face, glyf, format 4 cmap (3, 1) before others


def _face(name: str, family: str | None) -> tuple[Path, int]:
    path = find_font_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed")
    return path, find_face_index(path, family) if family else 0


@pytest.mark.parametrize("name, family", [CJK, LATIN])
def test_tables_are_the_bytes_fonttools_reads(name: str, family: str | None) -> None:
    path, index = _face(name, family)
    tags = ("head", "hhea", "maxp", "cmap", "OS/2", "post", "no such table")
    tables, collection = sfnt_tables(path, index, tags)
    assert collection == name.endswith(".ttc")
    with TTFont(str(path), fontNumber=index, lazy=True) as tt:
        assert set(tables) == {tag for tag in tags if tag in tt.reader}
        for tag, data in tables.items():
            assert data == tt.reader[tag], tag
        with open(path, "rb") as fh:
            directory = table_directory(fh.read(), index)
        assert sorted(directory) == sorted(tt.reader.keys())


def test_a_face_a_collection_does_not_have_is_unsupported() -> None:
    path, _ = _face(*CJK)
    with pytest.raises(Unsupported, match="no face 99"):
        sfnt_tables(path, 99, ("head",))


@pytest.mark.parametrize("name, family, subtable", [(*CJK, 12), (*LATIN, 4)])
def test_cmap_glyphs_are_fonttools_best_cmap(name: str, family: str | None, subtable: int) -> None:
    path, index = _face(name, family)
    tables, _ = sfnt_tables(path, index, ("cmap",))
    with TTFont(str(path), fontNumber=index, lazy=True) as tt:
        best = tt.getBestCmap()
        order = {glyph: gid for gid, glyph in enumerate(tt.getGlyphOrder())}
        assert any(t.format == subtable for t in tt["cmap"].tables)
    wanted = sorted(best)[::7] + [0x10FFFF, 0xFFFF, 0x1F]  # a sample, and code points it lacks
    got = cmap_glyphs(tables["cmap"], wanted)
    assert got == {cp: order[best[cp]] for cp in wanted if cp in best and order[best[cp]]}
    assert len(got) > 100


def test_cff_indexes_and_dicts_are_fonttools_cff() -> None:
    path, index = _face(*CJK)
    tables, _ = sfnt_tables(path, index, ("CFF ",))
    cff = tables["CFF "]
    names = CffIndex(cff, cff[2])
    tops = CffIndex(cff, names.end)
    top = cff_dict(cff, *tops[0])
    with TTFont(str(path), fontNumber=index, lazy=True) as tt:
        font = tt["CFF "].cff
        theirs = font[font.fontNames[0]]
        assert names.item(0).decode() == font.fontNames[0]
        charstrings = CffIndex(cff, dict_ints(top, 17, 1)[0])
        assert len(charstrings) == len(tt.getGlyphOrder())
        order = tt.getGlyphOrder()
        for gid in (1, 5, len(order) - 1):  # the bytes of a charstring, before fontTools decompiles it
            assert charstrings.item(gid) == theirs.CharStrings[order[gid]].bytecode
        fd_array = CffIndex(cff, dict_ints(top, 1236, 1)[0])
        assert len(fd_array) == len(theirs.FDArray)
        select = fd_select(cff, dict_ints(top, 1237, 1)[0], len(charstrings))
        assert [select(g) for g in range(0, len(charstrings), 97)] == theirs.FDSelect.gidArray[::97]
        private = cff_dict(cff, *fd_array[0])
        assert dict_ints(private, 18, 2)[0] > 0  # Private DICT size, offset
    with pytest.raises(Unsupported, match="DICT operator 17"):
        dict_ints({17: ([None], b"")}, 17, 1)  # a real where an offset belongs
    with pytest.raises(IndexError):
        charstrings[len(charstrings)]
