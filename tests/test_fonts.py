"""Tests of paiban.fonts: discovery, roles, metrics, CFF->TTF conversion and its cache (whole-face
conversions from `paiban fonts prepare`, pruning, two cold builds at once), ToUnicode maps.

Tests that need a particular Debian font skip (with the reason) when it is not installed.
Expected punctuation numbers come from shared/reference/fonts-and-reportlab.md (measured with
fontTools independently of this code).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paiban.fonts import FontRegistry, UnknownRole, find_face_index, find_font_file, load_metrics, open_face
from paiban.fonts import convert, discovery
from paiban.fonts.coverage import MISSING, resolve
from paiban.fonts.faces import face_key

SRC = Path(__file__).resolve().parents[1] / "src"
SAMPLE = "□本报记者 李涛 跋山涉水，不改一往无前。山高路远，但见风光无限。勠力同心、足音铿锵“创新突破年”（2023）《专栏》"


def _font(name: str) -> Path:
    path = find_font_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: see fonts/README.md)")
    return path


def _cmap(face) -> set[int]:
    """Coverage read directly with fontTools, independent of FaceMetrics."""
    from fontTools.ttLib import TTFont

    with TTFont(str(face.path), fontNumber=face.index, lazy=True) as tt:
        return set(tt.getBestCmap())


@pytest.fixture
def registry(tmp_path: Path) -> FontRegistry:
    return FontRegistry(cache_dir=tmp_path / "cache")


# ---- discovery and faces --------------------------------------------------------------------

def test_song_chain_starts_with_noto_serif_sc(registry: FontRegistry) -> None:
    _font("NotoSerifCJK-Regular.ttc")
    first = registry.chain("song")[0]
    assert first.path.name == "NotoSerifCJK-Regular.ttc"
    assert first.index == 2
    assert first.family == "Noto Serif CJK SC"
    assert first.outlines == "CFF"
    assert first.key == "NotoSerifCJK-Regular-2"


def test_family_lookup_in_collections() -> None:
    uming = _font("uming.ttc")
    assert find_face_index(uming, "AR PL UMing CN") == 0
    assert find_face_index(uming, "ar pl uming tw") == 2
    with pytest.raises(LookupError, match="AR PL UMing CN"):
        find_face_index(uming, "No Such Family")
    face = open_face(uming, 0)
    assert (face.family, face.outlines, face.key) == ("AR PL UMing CN", "glyf", "uming-0")
    with pytest.raises(ValueError, match="out of range"):
        open_face(uming, 4)


def test_face_key_is_ascii_and_distinct() -> None:
    a = face_key(Path("/x/方正书宋.ttf"), 0)
    b = face_key(Path("/x/方正黑体.ttf"), 0)
    assert a.isascii() and " " not in a and a != b
    assert face_key(Path("/y/My Font.ttc"), 3).endswith("-3")
    assert face_key(Path("/a/NotoSerifCJK-Regular.ttc"), 2) == "NotoSerifCJK-Regular-2"


def test_discovery_honours_paiban_font_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dejavu = _font("DejaVuSans.ttf")
    nested = tmp_path / "debs" / "usr" / "share" / "fonts" / "truetype" / "x"
    nested.mkdir(parents=True)
    (nested / "PaibanTest-Regular.ttf").symlink_to(dejavu)
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "DejaVuSans.ttf").symlink_to(dejavu)
    monkeypatch.setenv("PAIBAN_FONT_PATH", os.pathsep.join([str(tmp_path / "debs"), str(shadow)]))
    assert find_font_file("PaibanTest-Regular.ttf") == (nested / "PaibanTest-Regular.ttf")
    assert find_font_file("paibantest-regular.TTF") == (nested / "PaibanTest-Regular.ttf")
    # a directory in PAIBAN_FONT_PATH is searched before the system's fonts
    assert find_font_file("DejaVuSans.ttf") == shadow / "DejaVuSans.ttf"
    face = open_face(nested / "PaibanTest-Regular.ttf", 0)
    assert face.family == "DejaVu Sans" and face.key == "PaibanTest-Regular-0"
    monkeypatch.delenv("PAIBAN_FONT_PATH")
    assert find_font_file("PaibanTest-Regular.ttf") is None


# ---- metrics --------------------------------------------------------------------------------

def test_punctuation_ink_noto_sc_left_uming_centred(registry: FontRegistry) -> None:
    noto = open_face(_font("NotoSerifCJK-Regular.ttc"), 2)
    m = load_metrics(noto)
    assert m.units_per_em == 1000
    lo, hi = m.ink("，")
    assert lo == pytest.approx(0.076, abs=0.005) and hi == pytest.approx(0.229, abs=0.005)
    assert hi < 0.5  # left half
    assert m.advance("，") == pytest.approx(1.0)
    assert m.advance("\u2014") == pytest.approx(0.89, abs=0.005)
    assert m.ink(" ") is None
    assert load_metrics(noto) is m  # cached

    uming = _font("uming.ttc")
    u = load_metrics(open_face(uming, find_face_index(uming, "AR PL UMing CN")))
    assert u.units_per_em == 1024
    lo, hi = u.ink("。")
    assert lo == pytest.approx(387 / 1024, abs=0.005) and hi == pytest.approx(637 / 1024, abs=0.005)
    assert (lo + hi) / 2 == pytest.approx(0.5, abs=0.02)  # centred


def test_uncovered_character_raises_keyerror() -> None:
    m = load_metrics(open_face(_font("DejaVuSans.ttf"), 0))
    assert not m.has("中")
    with pytest.raises(KeyError):
        m.advance("中")
    with pytest.raises(KeyError):
        m.ink("中")
    assert m.has("A") and 0.5 < m.advance("A") < 0.8


# ---- roles ----------------------------------------------------------------------------------

def test_face_for_falls_back_past_the_first_face(registry: FontRegistry) -> None:
    chain = registry.chain("song")
    if len(chain) < 2:
        pytest.skip("song chain has fewer than two installed faces")
    covers = [_cmap(f) for f in chain]
    ch = "\U0002081d"  # 𠠝, CJK Ext. B: not in Noto Serif CJK SC, in AR PL UMing
    if ord(ch) in covers[0]:
        pytest.skip("first song face already covers U+2081D")
    expected = next((f for f, c in zip(chain, covers) if ord(ch) in c), None)
    assert expected is not None, "no installed song face covers U+2081D"
    assert registry.face_for("song", ch) == expected
    assert registry.face_for("song", ch) is registry.face_for("song", ch)
    # U+20000: as of writing no Debian CJK font covers it; the answer must agree with the cmaps
    rare = "\U00020000"
    expected_rare = next((f for f, c in zip(chain, covers) if ord(rare) in c), None)
    assert registry.face_for("song", rare) == expected_rare
    assert (resolve(registry, "song", rare).status == MISSING) == (expected_rare is None)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cp=st.one_of(st.integers(0x4E00, 0x9FFF), st.integers(0x3000, 0x303F),
                    st.integers(0xFF00, 0xFFEF), st.integers(0x20000, 0x2A6DF), st.integers(0x20, 0x24F)))
def test_face_for_is_first_covering_face(cp: int) -> None:
    reg = _shared_registry()
    ch = chr(cp)
    face = reg.face_for("kai", ch)
    chain = reg.chain("kai")
    if face is None:
        assert not any(load_metrics(f).has(ch) for f in chain)
    else:
        pos = chain.index(face)
        assert load_metrics(face).has(ch)
        assert not any(load_metrics(f).has(ch) for f in chain[:pos])


_SHARED: list[FontRegistry] = []


def _shared_registry() -> FontRegistry:
    if not _SHARED:
        _SHARED.append(FontRegistry())
    return _SHARED[0]


def test_every_default_role_resolves(registry: FontRegistry) -> None:
    assert {"song", "biaosong", "hei", "kai", "fangsong", "latin"} <= set(registry.roles())
    if not (find_font_file("NotoSansCJK-Regular.ttc") or find_font_file("wqy-zenhei.ttc")):
        pytest.skip("no broad-coverage CJK fallback installed")
    for role in registry.roles():
        chain = registry.chain(role)
        assert chain, role
        assert registry.face_for(role, "中") is not None, role
    if find_font_file("LXGWWenKai-Light.ttf"):
        assert registry.chain("fangsong")[0].path.name == "LXGWWenKai-Light.ttf"


def test_unknown_role_and_bad_roles_files(registry: FontRegistry, tmp_path: Path) -> None:
    with pytest.raises(UnknownRole) as info:
        registry.chain("no-such-role")
    assert isinstance(info.value, KeyError)
    assert "no-such-role" in str(info.value) and "song" in str(info.value)

    bad = tmp_path / "roles.yaml"
    bad.write_text("roles:\n  song:\n    chain: [{file: a.ttf, fase: 0}]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'fase'"):
        FontRegistry(roles_file=bad)
    bad.write_text("roles:\n  song:\n    chian: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'chian'"):
        FontRegistry(roles_file=bad)
    bad.write_text("rolse: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="'rolse'"):
        FontRegistry(roles_file=bad)
    bad.write_text("roles:\n  a: {extends: b}\n  b: {extends: a}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="cycle"):
        FontRegistry(roles_file=bad)
    bad.write_text("roles:\n  a: {extends: zzz}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="zzz"):
        FontRegistry(roles_file=bad)


def test_custom_roles_file_and_override(tmp_path: Path) -> None:
    dejavu = _font("DejaVuSans.ttf")
    (tmp_path / "fonts").mkdir()
    (tmp_path / "fonts" / "Local.ttf").symlink_to(dejavu)
    roles = tmp_path / "roles.yaml"
    roles.write_text(textwrap.dedent("""\
        roles:
          body:
            chain:
              - {file: NoSuchFont-Regular.ttf}
              - {file: fonts/Local.ttf, face: 0}
          caption:
            chain: [{file: DejaVuSerif.ttf}]
            extends: body
        """), encoding="utf-8")
    reg = FontRegistry(roles_file=roles, cache_dir=tmp_path / "c")
    assert [f.key for f in reg.chain("body")] == ["Local-0"]  # missing file skipped, relative path found
    assert any("not installed" in line for line in reg.unresolved_entries("body"))  # as `paiban fonts` lists it
    caption = reg.chain("caption")
    assert caption[-1].key == "Local-0"
    assert reg.chain("body") == reg.chain("body")
    assert reg.face_for("body", "中") is None

    serif = _font("DejaVuSerif.ttf")
    reg2 = FontRegistry(roles_file=roles, overrides={"body": (serif, 0)}, cache_dir=tmp_path / "c")
    assert reg2.chain("body")[0].path == serif
    assert reg2.chain("caption") == (reg2.chain("body")[0], reg2.chain("body")[1])  # dedup, override propagates
    # a layout may add a role of its own through font_files
    reg3 = FontRegistry(roles_file=roles, overrides={"mine": (serif, 0)}, cache_dir=tmp_path / "c")
    assert reg3.chain("mine")[0].path == serif
    with pytest.raises(FileNotFoundError):
        FontRegistry(roles_file=roles, overrides={"body": (tmp_path / "missing.ttf", 0)})


def test_metrics_import_does_not_import_reportlab() -> None:
    code = textwrap.dedent("""\
        import sys
        from paiban.fonts import FontRegistry
        r = FontRegistry()
        for role in r.roles():
            f = r.face_for(role, "中")
            if f is not None:
                r.metrics(f).advance("中"); r.metrics(f).ink("中")
        assert "reportlab" not in sys.modules, "reportlab imported"
        """)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=60)


# ---- PDF fonts and the conversion cache -----------------------------------------------------

def test_pdf_font_name_for_cff_face_draws(registry: FontRegistry, tmp_path: Path) -> None:
    face = registry.face_for("song", "本")
    if face is None or face.outlines != "CFF":
        pytest.skip("song's first face is not a CFF font here")
    name = registry.pdf_font_name(face, [SAMPLE])
    assert name.startswith(face.key + "-") and name.isascii() and " " not in name
    files = list((tmp_path / "cache" / "converted").glob("*.ttf"))
    assert len(files) == 1 and files[0].stat().st_size > 10_000
    assert registry.pdf_font_name(face, list(SAMPLE)) == name  # same subset, same name
    assert registry.pdf_font_name(face, ["本报"]) != name  # another subset, another name

    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen import canvas

    font = pdfmetrics.getFont(name)
    m = load_metrics(face)
    for ch in "本报，。":
        assert font.face.charToGlyph[ord(ch)] != 0
        assert pdfmetrics.stringWidth(ch, name, 10) == pytest.approx(10 * m.advance(ch), abs=0.01)
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(400, 100), invariant=1, initialFontName=name)
    c.setFont(name, 12)
    c.drawString(10, 50, SAMPLE[:30])
    c.save()
    pdf = buf.getvalue()
    assert b"/FontFile2" in pdf

    pdfium = pytest.importorskip("pypdfium2")
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    text = page.get_textpage().get_text_range()
    assert text.replace(" ", "").startswith(SAMPLE[:30].replace(" ", ""))
    pixels = page.render(scale=1, grayscale=True).to_pil().convert("L").tobytes()
    assert sum(1 for p in pixels if p < 128) > 500  # ink was drawn
    doc.close()


def test_pdf_font_name_for_glyf_face(registry: FontRegistry) -> None:
    face = open_face(_font("uming.ttc"), 0)
    name = registry.pdf_font_name(face, "中")
    assert name == "uming-0"
    from reportlab.pdfbase import pdfmetrics

    assert pdfmetrics.stringWidth("中", name, 10) == pytest.approx(10.0, abs=0.01)
    assert not (registry.cache_dir / "converted").exists()  # glyf fonts need no conversion


def test_conversion_is_deterministic(tmp_path: Path) -> None:
    noto = _font("NotoSerifCJK-Regular.ttc")
    chars = sorted(set(SAMPLE))
    a, key_a = convert.converted_font(noto, 2, chars, tmp_path / "a")
    b, key_b = convert.converted_font(noto, 2, reversed(chars), tmp_path / "b")
    assert key_a == key_b == convert.subset_id(noto, 2, chars)
    assert a.name == b.name == f"{convert.cache_key(key_a)}.ttf"
    assert a.read_bytes() == b.read_bytes()
    assert convert.subset_to_ttf_bytes(noto, 2, chars) == a.read_bytes()
    again, _ = convert.converted_font(noto, 2, chars, tmp_path / "a")  # cache hit
    assert again == a
    from fontTools.ttLib import TTFont

    with TTFont(str(a)) as tt:
        assert "glyf" in tt and "CFF " not in tt
        assert tt["post"].formatType == 3.0
        cmap = tt.getBestCmap()
        assert {ord(c) for c in chars if c.strip()} <= set(cmap)
        with TTFont(str(noto), fontNumber=2, lazy=True) as src:
            assert tt["head"].modified == src["head"].modified  # not "now"


def test_the_subset_id_names_the_font_whatever_the_code_identity(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The cache file of a subset is keyed by the code identity too; the name the subset gets
    (in reportlab, hence in the PDF) is not, so that a PDF does not change with unrelated code."""
    noto = _font("NotoSerifCJK-Regular.ttc")
    chars = sorted(set(SAMPLE))
    subset = convert.subset_id(noto, 2, chars)
    key = convert.cache_key(subset)
    whole = convert.whole_font_key(noto, 2)
    monkeypatch.setattr(convert, "code_identity", lambda: "another version of the code")
    assert convert.subset_id(noto, 2, chars) == subset
    assert convert.cache_key(convert.subset_id(noto, 2, chars)) != key
    assert convert.whole_font_key(noto, 2) != whole


def test_concurrent_conversion_leaves_one_entry(tmp_path: Path) -> None:
    """Two processes started together convert the same subset into an empty cache."""
    noto = _font("NotoSerifCJK-Regular.ttc")
    chars = sorted(set(SAMPLE))
    cache_dir = tmp_path / "cold"
    go = tmp_path / "go"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from paiban.fonts import convert
        go = Path({str(go)!r})
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:  # start together
            time.sleep(0.005)
        out, _ = convert.converted_font(Path({str(noto)!r}), 2, {chars!r}, Path({str(cache_dir)!r}))
        print(out)
    """)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    results = [("ok", out.strip()) for out, _ in results]
    assert results[0][1] == results[1][1]
    entries = sorted(p.name for p in (cache_dir / "converted").iterdir())
    assert len(entries) == 1 and entries[0].endswith(".ttf"), entries  # no temp files left
    assert Path(results[0][1]).read_bytes() == convert.subset_to_ttf_bytes(noto, 2, chars)


def test_prune_removes_oldest(tmp_path: Path) -> None:
    d = tmp_path / "converted"
    d.mkdir()
    for i in range(5):
        f = d / f"{i:064x}.ttf"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
    stale = d / ".tmp-abc.ttf"
    stale.write_bytes(b"y")
    os.utime(stale, (1_000_000, 1_000_000))
    removed = convert.prune(tmp_path, 250)
    assert sorted(p.name for p in d.iterdir()) == [f"{3:064x}.ttf", f"{4:064x}.ttf"]
    assert stale in removed and len(removed) == 4
    assert convert.prune(tmp_path / "nothing", 0) == []


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "p"))
    assert convert.default_cache_dir() == tmp_path / "p"
    monkeypatch.delenv("PAIBAN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert convert.default_cache_dir() == tmp_path / "x" / "paiban"
    assert FontRegistry().cache_dir == tmp_path / "x" / "paiban"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert convert.default_cache_dir() == Path.home() / ".cache" / "paiban"


def test_discovery_falls_back_to_standard_dirs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-list
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    assert discovery._fc_list() is None
    discovery.clear_caches()
    try:
        files = discovery.font_files()
        if not any(str(p).startswith("/usr/share/fonts/") for p in files):
            pytest.skip("no fonts under /usr/share/fonts")
        assert all(p.suffix.lower() in discovery.FONT_SUFFIXES for p in files)
    finally:
        discovery.clear_caches()


def test_two_subsets_of_one_face_keep_their_own_glyphs_in_one_process(tmp_path) -> None:
    """reportlab maps fonts sharing a PostScript name onto the first one; we must not."""
    from reportlab.pdfbase import pdfmetrics

    registry = FontRegistry(cache_dir=tmp_path / "cache")
    face = registry.chain("song")[0]
    first = registry.pdf_font_name(face, ["甲乙"])
    second = registry.pdf_font_name(face, ["丙丁"])
    assert first != second
    assert ord("丙") in pdfmetrics.getFont(second).face.charToGlyph
    assert ord("甲") in pdfmetrics.getFont(first).face.charToGlyph


# ---- whole-face conversion (paiban fonts prepare), pruning, two builds at once --------------

def _small_cff_font(path: Path, chars: str) -> Path:
    """A real CFF font: Noto Serif CJK SC subset to ``chars``, outlines left as CFF."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    noto = _font("NotoSerifCJK-Regular.ttc")
    options = subset.Options()
    options.recalc_timestamp = False
    font = TTFont(str(noto), fontNumber=2, lazy=True)
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(text=chars)
    subsetter.subset(font)
    font.save(str(path))
    font.close()
    return path


def test_a_prepared_whole_face_gives_the_same_subsets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _small_cff_font(tmp_path / "Small-Regular.otf", SAMPLE + "一二三四五六七八九十")
    wanted = sorted(set(SAMPLE[:20]))
    direct = convert.subset_to_ttf_bytes(source, 0, wanted)
    cache = tmp_path / "cache"
    assert convert.whole_font_file(source, 0, cache) is None
    whole, made = convert.prepare_whole_font(source, 0, cache)
    assert made and whole.parent.name == "whole" and whole == convert.whole_font_file(source, 0, cache)
    assert convert.prepare_whole_font(source, 0, cache) == (whole, False)
    from fontTools.ttLib import TTFont

    with TTFont(str(whole)) as tt:
        assert "glyf" in tt and "CFF " not in tt
    seen: list[Path] = []
    real = convert.subset_to_ttf_bytes

    def spy(path: Path, index: int, chars):  # noqa: ANN001
        seen.append(Path(path))
        return real(path, index, chars)

    monkeypatch.setattr(convert, "subset_to_ttf_bytes", spy)
    subset, key = convert.converted_font(source, 0, wanted, cache)
    assert seen == [whole]  # cut from the whole conversion, not converted again
    assert subset.read_bytes() == direct  # the same bytes as without `prepare`
    assert key == convert.subset_id(source, 0, wanted)
    assert subset == cache / "converted" / f"{convert.cache_key(key)}.ttf"


def test_auto_prune_keeps_recent_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for sub in ("converted", "whole"):
        (tmp_path / sub).mkdir()
    old = [tmp_path / "converted" / f"{i:064x}.ttf" for i in range(3)] + [tmp_path / "whole" / f"{9:064x}.ttf"]
    for i, f in enumerate(old):
        f.write_bytes(b"x" * 400_000)
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
    recent = tmp_path / "converted" / f"{7:064x}.ttf"
    recent.write_bytes(b"y" * 400_000)
    monkeypatch.setenv("PAIBAN_CACHE_MAX_MB", "0.5")
    assert convert.cache_max_bytes() == 512 * 1024
    removed = convert.auto_prune(tmp_path)
    assert set(removed) == set(old)  # the whole face went too: least recently used first
    assert [p for p, _, _ in convert.cache_entries(tmp_path)] == [recent]  # over the limit, but in use
    monkeypatch.setenv("PAIBAN_CACHE_MAX_MB", "100")
    assert convert.auto_prune(tmp_path) == []


def test_tounicode_writes_surrogate_pairs_and_is_unchanged_below_u_ffff() -> None:
    from paiban.fonts import reportlab_fonts as tounicode

    registry = FontRegistry()
    registry.pdf_font_name(open_face(_font("uming.ttc"), 0), "中")  # installs the fix
    assert tounicode.reportlab_original is not None
    bmp = [0x20, 0x4E2D, 0x3002, 0xFFFD]
    assert tounicode.make_tounicode_cmap("AAAAAA+X", bmp) == tounicode.reportlab_original("AAAAAA+X", bmp)
    assert tounicode.utf16_hex(0x2081D) == "D842DC1D"
    assert "<01> <D840DC00>" in tounicode.make_tounicode_cmap("AAAAAA+X", [0x4E2D, 0x20000])


def test_two_cold_builds_at_once_share_one_cache_entry_per_subset(tmp_path: Path) -> None:
    """Two `paiban build` processes on the demo with an empty cache: both succeed, same PDF."""
    _font("NotoSerifCJK-Regular.ttc")
    layout = SRC.parent / "layouts" / "demo.yaml"  # built in place: its paths are relative to it
    cache = tmp_path / "cache"
    env = dict(os.environ, PYTHONPATH=str(SRC), PAIBAN_CACHE_DIR=str(cache))
    procs = [subprocess.Popen([sys.executable, "-m", "paiban", "build", str(layout), "-o", str(tmp_path / f"out{i}")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for i in (1, 2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    first, second = (tmp_path / f"out{i}" / "demo.pdf" for i in (1, 2))
    assert first.read_bytes() == second.read_bytes()

    from paiban import pipeline
    from paiban.model.placed import chars_by_face

    result = pipeline.run(layout)  # the same job in this process, to name the subsets it needs
    expected = set()
    for key, chars in chars_by_face(result.document.pages).items():
        face = result.glyphs.faces[key]
        if face.is_cff:
            expected.add(f"{convert.cache_key(convert.subset_id(face.path, face.index, chars))}.ttf")
    assert len(expected) >= 2  # song (Noto Serif) and hei (Noto Sans) at least
    entries = sorted(p.name for p in (cache / "converted").iterdir())
    assert entries == sorted(expected)  # one entry per subset, no temporary files
    assert not (cache / "whole").exists()


def test_discovery_finds_packages_unpacked_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """tasks.sh, as a normal user, unpacks the font .debs into ~/.cache/paiban/debs/root."""
    dejavu = _font("DejaVuSans.ttf")
    fonts = tmp_path / "cache" / "paiban" / "debs" / "root" / "usr" / "share" / "fonts" / "truetype" / "t"
    fonts.mkdir(parents=True)
    (fonts / "PaibanUnpacked-Regular.ttf").symlink_to(dejavu)
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert find_font_file("PaibanUnpacked-Regular.ttf") == fonts.absolute() / "PaibanUnpacked-Regular.ttf"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "elsewhere"))
    assert find_font_file("PaibanUnpacked-Regular.ttf") is None
