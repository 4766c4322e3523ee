"""Tests of paiban.fonts: discovery, roles, metrics, the cache folder (its place, its size limit,
two cold builds at once), UTF-16 code units. (CFF and TrueType embedding: tests/test_press_fonts.py.)

Tests that need a particular Debian font skip (with the reason) when it is not installed.
Expected punctuation numbers come from shared/reference/fonts-and-reportlab.md (measured with
fontTools independently of this code).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paiban.fonts import FontRegistry, UnknownRole, find_face_index, find_font_file, load_metrics, open_face
from paiban.fonts import discovery, disk_cache
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
def registry() -> FontRegistry:
    return FontRegistry()


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
    reg = FontRegistry(roles_file=roles)
    assert [f.key for f in reg.chain("body")] == ["Local-0"]  # missing file skipped, relative path found
    assert any("not installed" in line for line in reg.unresolved_entries("body"))  # as `paiban fonts` lists it
    caption = reg.chain("caption")
    assert caption[-1].key == "Local-0"
    assert reg.chain("body") == reg.chain("body")
    assert reg.face_for("body", "中") is None

    serif = _font("DejaVuSerif.ttf")
    reg2 = FontRegistry(roles_file=roles, overrides={"body": (serif, 0)})
    assert reg2.chain("body")[0].path == serif
    assert reg2.chain("caption") == (reg2.chain("body")[0], reg2.chain("body")[1])  # dedup, override propagates
    # a layout may add a role of its own through font_files
    reg3 = FontRegistry(roles_file=roles, overrides={"mine": (serif, 0)})
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


# ---- the cache folder: its place and its size ------------------------------------------------

def test_prune_removes_oldest(tmp_path: Path) -> None:
    d = tmp_path / "programs"
    d.mkdir()
    for i in range(5):
        f = d / f"{i:064x}.bin"
        f.write_bytes(b"x" * 100)
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
    stale = d / ".tmp-abc.bin"
    stale.write_bytes(b"y")
    os.utime(stale, (1_000_000, 1_000_000))
    removed = disk_cache.prune(tmp_path, 250)
    assert sorted(p.name for p in d.iterdir()) == [f"{3:064x}.bin", f"{4:064x}.bin"]
    assert stale in removed and len(removed) == 4
    assert disk_cache.prune(tmp_path / "nothing", 0) == []


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path / "p"))
    assert disk_cache.default_cache_dir() == tmp_path / "p"
    monkeypatch.delenv("PAIBAN_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "x"))
    assert disk_cache.default_cache_dir() == tmp_path / "x" / "paiban"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert disk_cache.default_cache_dir() == Path.home() / ".cache" / "paiban"


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


# ---- the cache's size limit, ToUnicode maps, two builds at once -----------------------------

def test_auto_prune_keeps_recent_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for sub in ("programs", "pictures"):
        (tmp_path / sub).mkdir()
    old = [tmp_path / "programs" / f"{i:064x}.bin" for i in range(3)] + [tmp_path / "pictures" / f"{9:064x}.bin"]
    for i, f in enumerate(old):
        f.write_bytes(b"x" * 400_000)
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
    recent = tmp_path / "programs" / f"{7:064x}.bin"
    recent.write_bytes(b"y" * 400_000)
    monkeypatch.setenv("PAIBAN_CACHE_MAX_MB", "0.5")
    assert disk_cache.cache_max_bytes() == 512 * 1024
    removed = disk_cache.auto_prune(tmp_path)
    assert set(removed) == set(old)  # the picture went too: oldest first
    assert [p for p, _, _ in disk_cache.cache_entries(tmp_path)] == [recent]  # over the limit, but in use
    monkeypatch.setenv("PAIBAN_CACHE_MAX_MB", "100")
    assert disk_cache.auto_prune(tmp_path) == []


def test_utf16_code_units_use_surrogate_pairs_beyond_u_ffff() -> None:
    from paiban.render.cid_fonts import utf16_hex

    assert utf16_hex(0x4E2D) == "4E2D"
    assert utf16_hex(0x2081D) == "D842DC1D"
    assert utf16_hex(0x20000) == "D840DC00"


def test_two_cold_builds_at_once_share_one_cache_entry_per_font(tmp_path: Path) -> None:
    """Two `paiban build` processes on the demo with an empty cache: both succeed, same PDF, and
    the cache holds one font program per face the demo draws with (four)."""
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

    programs = sorted(p.name for p in (cache / "programs").iterdir())
    assert len(programs) == 4 and all(name.endswith(".bin") for name in programs)  # one per face, no temp files
    assert not {"converted", "whole", "checksums"} & {p.name for p in cache.iterdir()}


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
