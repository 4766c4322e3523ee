"""Per-character fallback and missing glyphs, end to end through the CLI, and the rules behind them.

An article with two CJK Extension B characters (𠀀 U+20000, 𪚥 U+2A6A5), one that only a fallback
font has (𠠝 U+2081D), an emoji and private-use characters is built with `python -m paiban build`:
every fallback and every missing character is reported with story, paragraph and offset, emoji
and private-use characters are missing even though some installed font maps them, and `--strict`
exits 1 without writing a PDF. Expected faces are computed from the fonts' cmaps with fontTools,
so the test follows whatever fonts the machine has.
"""

from __future__ import annotations

import bz2
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from paiban.fonts import FontRegistry, find_font_file
from paiban.fonts.charsets import (BMP_EMOJI_PRESENTATION, gb2312_hanzi, is_emoji, is_private_use,
                                   read_tongyong_guifan, refusal, tongyong_guifan)
from paiban.model.placed import FallbackUse, MissingGlyph
from paiban.page.glyph_source import GlyphSource, TextSegment
from paiban.report import BuildReport

SRC = str(ROOT / "src")
EXT_B = ("\U00020000", "\U0002A6A5")
ONLY_IN_FALLBACK = "\U0002081D"  # 𠠝: not in Noto Serif CJK SC, in AR PL UMing
EMOJI = "\U0001F600"
PUA = ("\uE000", "\U000F0001")

# paragraph 1 (the byline-free body): Ext B and a fallback character; 2: emoji and BMP private
# use; 3: plane-15 private use. The headline has an emoji too.
ARTICLE = textwrap.dedent(f"""\
    ---
    headline: 生僻字{EMOJI}测试
    ---
    古籍中有{EXT_B[0]}字，也有{EXT_B[1]}字，还有{ONLY_IN_FALLBACK}字。

    稿件里写了表情{EMOJI}，还有私用区字符{PUA[0]}，都要报告。

    平面十五的私用字符{PUA[1]}也不能印。
    """)
LAYOUT = textwrap.dedent("""\
    title: 生僻字测试
    page: {size: A3}
    grid: {body_size: 9pt, columns: 2, column_chars: 15, gutter_chars: 1, line_pitch: 14pt, rows: auto}
    pages:
      - page: 1
        regions:
          - {name: head, kind: headline, columns: [1, 2], lines: [1, 4]}
          - {name: body, columns: [1, 2], lines: [5, 40]}
    stories:
      - {name: rare, article: rare.txt, headline: head, thread: [body]}
    """)


def paiban(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def _cmap(face) -> set[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(face.path), fontNumber=face.index, lazy=True) as tt:
        return set(tt.getBestCmap())


def _paragraphs() -> list[str]:
    body = ARTICLE.split("---\n", 2)[2]
    return [p.strip() for p in body.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The layout built once through the CLI with --json (PDF written), and the layout's folder."""
    if find_font_file("NotoSerifCJK-Regular.ttc") is None and find_font_file("uming.ttc") is None:
        pytest.skip("no CJK song font installed (see fonts/README.md)")
    d = tmp_path_factory.mktemp("rare")
    (d / "rare.txt").write_text(ARTICLE, encoding="utf-8")
    (d / "rare.yaml").write_text(LAYOUT, encoding="utf-8")
    result = paiban("build", "rare.yaml", "-o", "out", "--json", cwd=d)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout), d


def test_every_missing_character_is_reported_with_its_position(built):
    report, _ = built
    song = FontRegistry().chain("song")
    covers = [_cmap(f) for f in song]
    paras = _paragraphs()
    expected = set()
    for i, text in enumerate(paras, start=1):
        for offset, ch in enumerate(text):
            if ch in (EMOJI, *PUA):
                expected.add((ch, i, offset, "emoji" if ch == EMOJI else "private use"))
            elif ch in EXT_B and not any(ord(ch) in c for c in covers):
                expected.add((ch, i, offset, "no font has it"))
    got = {(m["char"], m["paragraph"], m["offset"], m["reason"]) for m in report["missing"] if m["paragraph"]}
    assert got == expected
    # the article's own positions, spelled out for the two certain cases
    assert (EMOJI, 2, paras[1].index(EMOJI), "emoji") in got
    assert (PUA[1], 3, paras[2].index(PUA[1]), "private use") in got
    assert all(m["story"] == "rare" and m["role"] == "song" for m in report["missing"] if m["paragraph"])
    headline = [m for m in report["missing"] if m["paragraph"] == 0]
    assert [(m["char"], m["part"], m["offset"], m["role"]) for m in headline] == [(EMOJI, "headline", 3, "hei")]
    assert report["clean"] is False


def test_extension_b_comes_from_a_fallback_font_when_one_has_it(built):
    report, _ = built
    song = FontRegistry().chain("song")
    covers = [_cmap(f) for f in song]
    paras = _paragraphs()
    fallbacks = {(f["char"], f["paragraph"], f["offset"]): f for f in report["fallbacks"]}
    for ch in (*EXT_B, ONLY_IN_FALLBACK):
        owners = [f for f, c in zip(song, covers) if ord(ch) in c]
        if not owners:
            assert (ch, 1, paras[0].index(ch)) not in fallbacks
            continue
        if owners[0] == song[0]:
            continue  # the first face has it: no fallback
        use = fallbacks[(ch, 1, paras[0].index(ch))]
        assert (use["face"], use["family"], use["role"], use["story"]) == \
            (owners[0].key, owners[0].family, "song", "rare")
    if not any(ord(ONLY_IN_FALLBACK) in c for c in covers[1:]) or ord(ONLY_IN_FALLBACK) in covers[0]:
        pytest.skip("no installed song fallback face draws U+2081D")
    assert any(f["char"] == ONLY_IN_FALLBACK for f in report["fallbacks"])


def test_missing_characters_are_not_drawn_and_the_rest_is(built):
    _, d = built
    pdfium = pytest.importorskip("pypdfium2")
    pdf = pdfium.PdfDocument(str(d / "out" / "rare.pdf"))
    try:
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    text = "".join(text.split())
    assert "古籍中有" in text and "也不能印" in text
    for ch in (EMOJI, *PUA):
        assert ch not in text
    # a character beyond U+FFFF drawn by a fallback font reads back as itself (render/cid_fonts.py)
    if FontRegistry().face_for("song", ONLY_IN_FALLBACK) is not None:
        assert f"还有{ONLY_IN_FALLBACK}字" in text


def test_the_summary_lists_missing_and_fallback_glyphs(built):
    _, d = built
    result = paiban("check", "rare.yaml", cwd=d)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "missing glyphs" in out and "U+1F600 in story rare, paragraph 2" in out
    assert "U+E000" in out and "private use" in out and "U+F0001" in out
    assert "fallback glyphs" in out


def test_strict_exits_1_and_writes_no_pdf(built):
    _, d = built
    result = paiban("build", "rare.yaml", "-o", "strict-out", "--strict", cwd=d)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "U+1F600" in result.stdout
    assert not (d / "strict-out" / "rare.pdf").exists()


# ---- the rules ------------------------------------------------------------------------------

def test_emoji_and_private_use_are_missing_even_when_a_font_maps_them() -> None:
    registry = FontRegistry()
    glyphs = GlyphSource(registry)
    mapped = [ch for ch in (EMOJI, PUA[0]) if registry.face_for("song", ch) is not None]
    if not mapped:
        pytest.skip("no installed font maps U+1F600 or U+E000 (DejaVu Sans, UMing HK do on Debian)")
    for ch in (EMOJI, *PUA):
        assert glyphs.info("song", ch) is None
        assert glyphs.resolution("song", ch).status == "missing"
    missing, _ = glyphs.scan_segments([TextSegment("song", f"中{EMOJI}文{PUA[0]}", "s", 3)])
    assert [(m.char, m.offset, m.reason) for m in missing] == [(EMOJI, 1, "emoji"), (PUA[0], 3, "private use")]


def test_refusal_ranges() -> None:
    for ch in (EMOJI, "\U0001F1E8", "\U0001F3FB", "\u2B50", "\u2705", "\uFE0F", "\U0001FAF6"):
        assert refusal(ch) == "emoji", hex(ord(ch))
    for ch in ("\uE000", "\uF8FF", "\U000F0000", "\U000FFFFD", "\U00100000", "\U0010FFFD"):
        assert refusal(ch) == "private use", hex(ord(ch))
    # what newspapers print stays printable
    for ch in "中，。★☆※○●□■◆→①㈠〇—…·％℃＋\U00020000":
        assert refusal(ch) is None, ch
    assert not is_emoji("ab") and not is_private_use("")


def test_emoji_ranges_cover_the_unicode_emoji_data() -> None:
    data = Path("/usr/share/unicode/emoji/emoji-data.txt")
    if not data.is_file():
        pytest.skip("emoji-data.txt not installed (Debian package unicode-data)")
    presentation: set[int] = set()
    pictographic: set[int] = set()
    for line in data.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cps, prop = (part.strip() for part in line.split(";"))
        lo, _, hi = cps.partition("..")
        span = range(int(lo, 16), int(hi or lo, 16) + 1)
        if prop == "Emoji_Presentation":
            presentation.update(span)
        elif prop == "Extended_Pictographic":
            pictographic.update(span)
    assert all(is_emoji(chr(cp)) for cp in presentation)
    assert all(is_emoji(chr(cp)) for cp in pictographic if cp >= 0x1F000)
    bmp = {cp for lo, hi in BMP_EMOJI_PRESENTATION for cp in range(lo, hi + 1)}
    assert bmp == {cp for cp in presentation if cp < 0x10000}


def test_gb2312_hanzi_from_the_codec() -> None:
    chars = gb2312_hanzi()
    assert len(chars) == 6763
    level1 = {bytes((0xA0 + row, 0xA0 + cell)).decode("gb2312") for row in range(16, 56) for cell in range(1, 95)
              if not (row == 55 and cell > 89)}
    assert len(level1) == 3755 and level1 < chars
    assert {"啊", "齄", "亍", "中"} <= chars and "，" not in chars and "丢" in chars


def test_tongyong_guifan_from_a_unihan_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = "# Unihan_OtherMappings.txt\nU+4E00\tkTGH\t2013:1\nU+4E01\tkTGH\t2013:2\nU+4E02\tkJIS0213\t1,14,1\n" \
            "U+20000\tkTGH\t2013:8105\n"
    plain = tmp_path / "Unihan_OtherMappings.txt"
    plain.write_text(lines, encoding="utf-8")
    assert read_tongyong_guifan(plain) == {"一": 1, "丁": 2, "\U00020000": 8105}
    packed = tmp_path / "packed" / "Unihan_OtherMappings.txt.bz2"
    packed.parent.mkdir()
    packed.write_bytes(bz2.compress(lines.encode("utf-8")))
    monkeypatch.setenv("PAIBAN_UNIHAN", str(packed.parent))
    assert tongyong_guifan() == {"一": 1, "丁": 2, "\U00020000": 8105}
    empty = tmp_path / "old.txt"
    empty.write_text("U+4E00\tkJIS0213\t1,14,1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="kTGH"):
        read_tongyong_guifan(empty)
    assert tongyong_guifan(empty) is None


def test_tongyong_guifan_from_debian_unicode_data(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAIBAN_UNIHAN", raising=False)
    table = tongyong_guifan()
    if table is None:
        pytest.skip("Unihan data not installed (Debian package unicode-data)")
    assert len(table) == 8105 and sorted(table.values()) == list(range(1, 8106))
    level1 = {ch for ch, pos in table.items() if pos <= 3500}
    assert len(level1) == 3500 and "中" in level1
    assert len(gb2312_hanzi() & set(table)) > 6000


def test_report_keeps_fallbacks_and_stays_unclean_on_missing() -> None:
    fallback = FallbackUse(ONLY_IN_FALLBACK, "s", 1, 5, "song", "uming-0", "AR PL UMing CN")
    missing = MissingGlyph(EMOJI, "s", 0, 2, "hei", "emoji", "headline")
    report = BuildReport("l.yaml", None, 1, (), (missing,), (), {}, fallbacks=(fallback,) * 30)
    assert not report.clean
    assert BuildReport("l.yaml", None, 1, (), (), (), {}, fallbacks=(fallback,)).clean
    text = report.summary()
    assert "fallback glyphs 30 (1 distinct" in text and "… and 10 more" in text
    assert "U+1F600 in story s, headline, offset 2 (role hei): emoji" in text
    data = json.loads(report.to_json())
    assert len(data["fallbacks"]) == 30 and data["fallbacks"][0]["face"] == "uming-0"
    assert data["missing"][0]["part"] == "headline"


def test_one_process_and_the_writer_process_report_the_same_glyphs(built):
    """With --jobs 2 the PDF writer process checks the coverage (pipeline.run): same report."""
    _, d = built
    reports = []
    for jobs in ("1", "2"):
        result = paiban("build", "rare.yaml", "-o", f"out-j{jobs}", "--json", "--jobs", jobs, cwd=d)
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    one, two = reports
    assert one["missing"] and one["fallbacks"]
    assert one["missing"] == two["missing"] and one["fallbacks"] == two["fallbacks"]
    assert (d / "out-j1" / "rare.pdf").read_bytes() == (d / "out-j2" / "rare.pdf").read_bytes()
