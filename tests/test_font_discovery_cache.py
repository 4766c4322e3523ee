"""Tests of the on-disk caches of font facts (`paiban.fonts.disk_cache`): face names
(`discovery`) and metrics (`metrics`); and of how the
font list is found (`discovery.font_files`, `prefetch_font_files`).

Every cache test points ``$PAIBAN_CACHE_DIR`` at a fresh folder and forgets the in-process
caches, so what it sees comes from the font files or from that folder. Reading a font is
observed by wrapping `discovery._names` (the only place face names are read with fontTools).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pytest

from paiban.code_identity import code_identity
from paiban.fonts import discovery, disk_cache, metrics
from paiban.fonts.discovery import FaceNotFound, find_face_index, find_font_file, open_face
from paiban.fonts.metrics import STORED_INK_CHARS, load_metrics

SRC = Path(__file__).resolve().parents[1] / "src"


def _font(name: str) -> Path:
    path = find_font_file(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: see fonts/README.md)")
    return path


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh cache folder and empty in-process caches (before and after the test)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(folder))
    discovery.clear_caches()
    metrics.clear_metrics_cache()
    yield folder
    discovery.clear_caches()
    metrics.clear_metrics_cache()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Every (file name, face index) whose names are read from the font file itself."""
    seen: list[tuple[str, int]] = []
    real = discovery._names

    def spy(path: Path, index: int):
        seen.append((Path(path).name, index))
        return real(path, index)

    monkeypatch.setattr(discovery, "_names", spy)
    return seen


def _forget() -> None:
    """What a new process would have: nothing in memory, the disk cache as it is."""
    discovery.clear_caches()
    metrics.clear_metrics_cache()


def _entries(cache: Path, kind: str) -> list[Path]:
    folder = cache / kind
    return sorted(folder.iterdir()) if folder.is_dir() else []


# ---- face names -----------------------------------------------------------------------------

def test_second_lookup_reads_names_from_the_cache_not_the_font(cache: Path, reads) -> None:
    uming = _font("uming.ttc")
    assert find_face_index(uming, "AR PL UMing TW") == 2
    assert sorted(reads) == [("uming.ttc", i) for i in range(discovery.face_count(uming))]
    assert len(_entries(cache, "faces")) == 1
    _forget()
    reads.clear()
    assert find_face_index(uming, "ar pl uming tw") == 2
    assert find_face_index(uming, "AR PL UMing CN") == 0
    face = open_face(uming, 0)
    assert face.family == "AR PL UMing CN" and face.outlines == "glyf" and face.key == "uming-0"
    with pytest.raises(FaceNotFound):
        find_face_index(uming, "No Such Family")
    with pytest.raises(ValueError, match="out of range"):
        open_face(uming, 99)
    assert reads == []


def test_cached_face_equals_the_face_read_from_the_font(cache: Path) -> None:
    noto = _font("NotoSerifCJK-Regular.ttc")
    index = find_face_index(noto, "Noto Serif CJK SC")
    fresh = open_face(noto, index)
    _forget()
    cached = open_face(noto, index)
    assert cached == fresh and cached.outlines == "CFF" and cached.family == "Noto Serif CJK SC"


def test_changed_font_file_is_read_again(cache: Path, reads, tmp_path: Path) -> None:
    font = tmp_path / "fonts" / "Body.ttf"
    font.parent.mkdir()
    shutil.copyfile(_font("DejaVuSans.ttf"), font)
    assert open_face(font, 0).family == "DejaVu Sans"
    # another font under the same name (another size)
    shutil.copyfile(_font("DejaVuSerif.ttf"), font)
    _forget()
    assert open_face(font, 0).family == "DejaVu Serif"
    # the same bytes with another mtime: read again too
    reads.clear()
    st = font.stat()
    os.utime(font, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    _forget()
    assert open_face(font, 0).family == "DejaVu Serif"
    assert reads == [("Body.ttf", 0)]
    assert len(_entries(cache, "faces")) == 3  # one entry per file version


def test_removed_font_file_is_not_served_from_the_cache(cache: Path, tmp_path: Path) -> None:
    font = tmp_path / "Gone.ttf"
    shutil.copyfile(_font("DejaVuSans.ttf"), font)
    open_face(font, 0)
    font.unlink()
    _forget()
    with pytest.raises(FileNotFoundError):
        open_face(font, 0)
    with pytest.raises(FileNotFoundError):
        find_face_index(font, "DejaVu Sans")


def test_added_font_file_is_found(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    monkeypatch.setenv("PAIBAN_FONT_PATH", str(folder))
    assert find_font_file("PaibanAdded.ttf") is None
    shutil.copyfile(_font("DejaVuSans.ttf"), folder / "PaibanAdded.ttf")
    _forget()
    found = find_font_file("PaibanAdded.ttf")
    assert found == folder / "PaibanAdded.ttf"
    assert open_face(found, 0).family == "DejaVu Sans"


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\x00\x01\x02", None])
def test_corrupted_faces_entry_is_ignored_and_rewritten(cache: Path, reads, damage: bytes | None) -> None:
    dejavu = _font("DejaVuSans.ttf")
    open_face(dejavu, 0)
    (entry,) = _entries(cache, "faces")
    if damage is None:  # a whole entry cut short
        entry.write_bytes(entry.read_bytes()[:-7])
    else:
        entry.write_bytes(damage)
    _forget()
    reads.clear()
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    assert reads == [("DejaVuSans.ttf", 0)]
    _forget()
    reads.clear()
    assert open_face(dejavu, 0).family == "DejaVu Sans"  # the rewritten entry is good
    assert reads == []


def test_entry_of_another_file_is_not_used(cache: Path, reads) -> None:
    """An entry whose content names another key (a copied or mixed-up file) is a miss."""
    sans, serif = _font("DejaVuSans.ttf"), _font("DejaVuSerif.ttf")
    open_face(sans, 0)
    (sans_entry,) = _entries(cache, "faces")
    open_face(serif, 0)
    (serif_entry,) = [p for p in _entries(cache, "faces") if p != sans_entry]
    shutil.copyfile(sans_entry, serif_entry)
    _forget()
    assert open_face(serif, 0).family == "DejaVu Serif"


def test_well_formed_entry_with_wrong_shape_is_a_miss(cache: Path) -> None:
    dejavu = _font("DejaVuSans.ttf")
    open_face(dejavu, 0)
    (entry,) = _entries(cache, "faces")
    key = f"faces|{'|'.join(str(part) for part in disk_cache.file_stamp(dejavu.absolute()))}"
    assert disk_cache.read_entry("faces", key) is not None
    for data in ([["not", "names", "list"]], [[["DejaVu Sans"], 7]], [], {"a": 1}, "text"):
        disk_cache.write_entry("faces", key, data)  # sealed, but not faces
        assert disk_cache.read_entry("faces", key) == data
        _forget()
        assert open_face(dejavu, 0).family == "DejaVu Sans"
        assert discovery._valid_facts(data) is None


def test_faces_entry_is_plain_json_and_reads_back_as_tuples(cache: Path, reads) -> None:
    uming = _font("uming.ttc")
    fresh = discovery._file_faces(uming.absolute(), disk_cache.file_stamp(uming.absolute()))
    (entry,) = _entries(cache, "faces")
    assert entry.suffix == ".json"
    raw = entry.read_bytes()
    stored = json.loads(raw.decode("ascii"))
    assert set(stored) == {"sha256", "key", "data"} and stored["key"].startswith(code_identity() + "|faces|")
    body = b"{" + raw[raw.index(b'"key":'):]  # the exact text the digest covers: the entry without it
    assert stored["sha256"] == hashlib.sha256(body).hexdigest()
    assert stored["data"] == [[list(names), outlines] for names, outlines in fresh]
    _forget()
    reads.clear()
    cached = discovery._file_faces(uming.absolute(), disk_cache.file_stamp(uming.absolute()))
    assert reads == [] and cached == fresh
    assert all(type(f) is tuple and type(f[0]) is tuple for f in cached)


def test_entries_of_other_code_are_not_used(cache: Path, reads, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every key holds the code identity: after an upgrade (of paiban, Python, fontTools…) the
    facts are read again, into an entry of their own."""
    dejavu = _font("DejaVuSans.ttf")
    face = open_face(dejavu, 0)
    load_metrics(face)
    assert reads and all(len(_entries(cache, kind)) == 1 for kind in ("faces", "metrics"))
    monkeypatch.setattr(disk_cache, "code_identity", lambda: "another version of the code")
    _forget()
    reads.clear()
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    assert load_metrics(face).measured  # measured again
    assert reads == [("DejaVuSans.ttf", 0)]
    assert all(len(_entries(cache, kind)) == 2 for kind in ("faces", "metrics"))


def test_unreadable_font_error_is_kept_but_io_errors_are_not(cache: Path, reads, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "Broken.ttf"
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\x00" * 60)
    with pytest.raises(ValueError, match="Broken.ttf#0"):
        open_face(broken, 0)
    _forget()
    reads.clear()
    with pytest.raises(ValueError, match="Broken.ttf#0"):
        open_face(broken, 0)
    assert reads == []  # the same file gives the same error: from the cache
    with pytest.raises(ValueError, match="Broken.ttf#0"):
        find_face_index(broken, "Anything")

    flaky = tmp_path / "Flaky.ttf"
    shutil.copyfile(_font("DejaVuSans.ttf"), flaky)

    def io_error(path: Path, index: int):
        raise OSError(5, "Input/output error")

    spy = discovery._names
    monkeypatch.setattr(discovery, "_names", io_error)
    with pytest.raises(ValueError, match="cannot read font"):
        open_face(flaky, 0)
    assert not any(b"Flaky" in p.read_bytes() for p in _entries(cache, "faces"))
    monkeypatch.setattr(discovery, "_names", spy)
    assert open_face(flaky, 0).family == "DejaVu Sans"  # the failure was not remembered


def test_unusable_cache_folder_only_costs_speed(cache: Path, reads) -> None:
    from paiban.cache_health import cache_warnings, clear_cache_warnings

    clear_cache_warnings()
    cache.mkdir()
    (cache / "faces").write_text("a file where the folder should be")
    dejavu = _font("DejaVuSans.ttf")
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    _forget()
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    assert len(reads) == 2
    (warning,) = cache_warnings()  # once, however often it failed
    assert warning.startswith(f"font cache folder {cache} cannot be used (") and "faces" in warning
    clear_cache_warnings()


def test_concurrent_cold_lookups_leave_one_good_entry(cache: Path, reads, tmp_path: Path) -> None:
    """Three processes started together look the same collection up with an empty cache."""
    uming = _font("uming.ttc")
    go = tmp_path / "go"
    script = textwrap.dedent(f"""
        import os, time
        from pathlib import Path
        from paiban.fonts.discovery import find_face_index, open_face
        path, go = Path({str(uming)!r}), Path({str(go)!r})
        deadline = time.monotonic() + 60
        while not go.exists() and time.monotonic() < deadline:  # start together
            time.sleep(0.005)
        print(open_face(path, find_face_index(path, "AR PL UMing HK")).key)
    """)
    env = dict(os.environ, PYTHONPATH=str(SRC), PAIBAN_CACHE_DIR=str(cache))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    go.touch()
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], results
    assert [out.strip() for out, _ in results] == ["uming-1"] * 3
    entries = _entries(cache, "faces")
    assert len(entries) == 1 and entries[0].suffix == ".json"  # no temporary files left
    reads.clear()
    assert open_face(uming, 1).key == "uming-1"
    assert reads == []  # the entry the processes wrote is good


# ---- metrics --------------------------------------------------------------------------------

def test_cached_metrics_equal_measured_metrics(cache: Path) -> None:
    noto = _font("NotoSerifCJK-Regular.ttc")
    face = open_face(noto, find_face_index(noto, "Noto Serif CJK SC"))
    sample = "中文，。“”《》（）—…A9 (x) 𠀀\u3000"
    fresh = load_metrics(face)
    measured = {ch: (fresh.has(ch), fresh.advance(ch) if fresh.has(ch) else None) for ch in sample}
    inks = {ch: fresh.ink(ch) for ch in STORED_INK_CHARS if fresh.has(ch)}
    facts = (fresh.units_per_em, fresh.ascender, fresh.descender, tuple(fresh._cps), tuple(fresh._advances))
    assert len(_entries(cache, "metrics")) == 1
    _forget()
    cached = load_metrics(face)
    assert cached is not fresh and cached._tt is None  # nothing read from the font
    assert {ch: (cached.has(ch), cached.advance(ch) if cached.has(ch) else None) for ch in sample} == measured
    assert {ch: cached.ink(ch) for ch in inks} == inks
    # every covered code point and its advance, as stored
    assert (cached.units_per_em, cached.ascender, cached.descender, tuple(cached._cps), tuple(cached._advances)) == facts
    assert cached._tt is None
    assert cached.glyph_name("中") == fresh.glyph_name("中")  # opens the font for this only
    fresh.close()  # forgotten by the process's cache, which closes the fonts it holds


def test_metrics_entry_holds_json_and_raw_arrays(cache: Path) -> None:
    noto = _font("NotoSerifCJK-Regular.ttc")
    face = open_face(noto, find_face_index(noto, "Noto Serif CJK SC"))
    fresh = load_metrics(face)
    (entry,) = _entries(cache, "metrics")
    assert entry.suffix == ".bin"
    raw = entry.read_bytes()
    line = raw[:raw.index(b"\n")]
    header = json.loads(line)
    payload = raw[raw.index(b"\n") + 1:]
    body = b"{" + line[line.index(b'"key":'):]
    assert header["sha256"] == hashlib.sha256(body + b"\n" + payload).hexdigest()  # header and arrays
    count = len(fresh._cps)
    assert header["size"] == len(payload) == 2 * count * fresh._cps.itemsize
    assert header["data"]["count"] == count and header["data"]["upm"] == fresh.units_per_em
    assert payload == fresh._cps.tobytes() + fresh._advances.tobytes()
    _forget()
    cached = load_metrics(face)
    assert cached._tt is None
    assert cached._cps == fresh._cps and cached._advances == fresh._advances
    assert cached._ink == fresh._ink  # tuples again, not JSON lists
    assert all(v is None or type(v) is tuple for v in cached._ink.values())
    assert (type(cached.units_per_em), type(cached.ascender), type(cached.descender)) == (int, float, float)


@pytest.mark.parametrize("damage", ["truncated", "payload", "header", "header value", "size", "empty",
                                    "no header line", "old format"])
def test_corrupted_metrics_entry_is_ignored(cache: Path, damage: str) -> None:
    from paiban.cache_health import seal

    dejavu = _font("DejaVuSans.ttf")
    face = open_face(dejavu, 0)
    width = load_metrics(face).advance("A")
    (entry,) = _entries(cache, "metrics")
    raw = entry.read_bytes()
    cut = raw.index(b"\n")
    header = json.loads(raw[:cut])
    del header["sha256"]
    if damage == "truncated":
        raw = raw[: len(raw) // 2]
    elif damage == "payload":  # one bit of the arrays: the digest tells
        raw = raw[:-1] + bytes([raw[-1] ^ 1])
    elif damage == "header":
        raw = raw[:cut - 5] + raw[cut:]
    elif damage == "header value":  # still JSON, still the same shape, another em size
        raw = raw.replace(b'"upm":2048', b'"upm":2049', 1)
        assert b'"upm":2049' in raw
    elif damage == "size":  # sealed right, but a header that does not hold together with its arrays
        header["data"]["count"] += 1
        raw = seal(json.dumps(header, separators=(",", ":")).encode("ascii"), raw[cut + 1:])
    elif damage == "empty":
        raw = b""
    elif damage == "no header line":
        raw = raw.replace(b"\n", b" ", 1)
    else:  # the unsealed format of earlier versions: a header with a CRC-32, nothing else to check
        header["crc32"] = zlib.crc32(raw[cut + 1:])
        raw = json.dumps(header).encode("ascii") + raw[cut:]
    entry.write_bytes(raw)
    _forget()
    assert load_metrics(face).advance("A") == width
    assert load_metrics(face).measured  # measured again


def test_warm_process_never_imports_fonttools(cache: Path) -> None:
    noto = _font("NotoSerifCJK-Regular.ttc")
    script = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from paiban.fonts import find_face_index, load_metrics, open_face
        path = Path({str(noto)!r})
        face = open_face(path, find_face_index(path, "Noto Serif CJK SC"))
        m = load_metrics(face)
        print(m.has("中"), m.advance("中"), m.ink("，"), m.ink("("), "fontTools" in sys.modules)
    """)
    env = dict(os.environ, PYTHONPATH=str(SRC), PAIBAN_CACHE_DIR=str(cache))

    def run() -> str:
        out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    cold, warm = run(), run()
    assert cold[-1] == "True" and warm[-1] == "False"
    assert cold[:-1] == warm[:-1]


# ---- the entries' format --------------------------------------------------------

def test_entries_round_trip_and_bad_data_is_never_written(cache: Path) -> None:
    data = {"text": "中文 \u3000", "odd": "\udcff", "n": [1, 2.5, None, True]}
    disk_cache.write_entry("kind", "a key \udcfe", data)
    assert disk_cache.read_entry("kind", "a key \udcfe") == data
    assert disk_cache.read_entry("kind", "another key") is None
    disk_cache.write_binary_entry("kind", "a key", {"x": 1}, b"\x00\n\xff" * 3)
    assert disk_cache.read_binary_entry("kind", "a key") == ({"x": 1}, b"\x00\n\xff" * 3)
    assert disk_cache.read_binary_entry("kind", "a key \udcfe") is None  # not binary
    for bad in (float("nan"), [b"bytes"], {1: "int key"}, ("a", "tuple"), [{"x": ()}], object()):
        # nothing that would not read back the same
        disk_cache.write_entry("bad", "key", bad)
        disk_cache.write_binary_entry("bad", "key", bad, b"")
    assert _entries(cache, "bad") == []


def test_cache_holds_json_and_raw_bytes_only(cache: Path) -> None:
    """What a build leaves in the cache: JSON files and binary entries with a JSON header line
    (font programs, CMYK pictures): nothing that a reader would run, and no converted fonts."""
    from paiban import pipeline
    from paiban.render import cid_fonts, pictures

    _font("NotoSerifCJK-Regular.ttc")
    cid_fonts._programs.clear()  # kept in memory by earlier builds in this process
    pictures._memo.clear()
    demo = Path(__file__).resolve().parents[1] / "layouts" / "demo.yaml"
    pipeline.run(demo, cache / "demo.pdf")
    seen = set()
    for path in cache.rglob("*"):
        if not path.is_file() or path.name == "demo.pdf":
            continue
        seen.add((path.parent.name, path.suffix))
        raw = path.read_bytes()
        if path.suffix == ".json":
            json.loads(raw)
        elif path.suffix == ".bin":
            assert isinstance(json.loads(raw[:raw.index(b"\n")]), dict)
        else:
            raise AssertionError(f"not JSON nor a binary entry: {path}")
    assert {("faces", ".json"), ("metrics", ".bin"), ("programs", ".bin"), ("pictures", ".bin")} <= seen
    assert not {"converted", "whole", "digests", "checksums"} & {folder for folder, _ in seen}


# ---- the font list ---------------------------------------------------------------------------

def test_prefetch_builds_the_list_now_and_asks_fontconfig_once(monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    import threading

    fake = tmp_path / "Fake.ttf"
    calls: list[str] = []

    def fc_list():
        calls.append(threading.current_thread().name)
        return [fake]

    monkeypatch.setattr(discovery, "_fc_list", fc_list)
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    discovery.clear_caches()
    threads = threading.active_count()
    try:
        discovery.prefetch_font_files()
        assert calls == [threading.current_thread().name]  # here, now: no thread of its own
        assert threading.active_count() == threads
        assert fake in discovery.font_files()
        discovery.prefetch_font_files()  # known already
        assert discovery.font_files() and len(calls) == 1
        discovery.clear_caches()
        assert fake in discovery.font_files() and len(calls) == 2  # asked again
    finally:
        discovery.clear_caches()


def test_clear_caches_while_a_thread_builds_the_list_drops_that_list(monkeypatch: pytest.MonkeyPatch,
                                                                     tmp_path: Path) -> None:
    import threading

    old, new = tmp_path / "Old.ttf", tmp_path / "New.ttf"
    answer = [old]
    release = threading.Event()
    started = threading.Event()

    def fc_list():
        result = list(answer)
        started.set()
        release.wait(10)
        return result

    monkeypatch.setattr(discovery, "_fc_list", fc_list)
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    discovery.clear_caches()
    built: list[tuple] = []
    thread = threading.Thread(target=lambda: built.append(discovery.font_files()))
    try:
        thread.start()
        assert started.wait(10)
        answer[:] = [new]  # fonts installed meanwhile...
        discovery.clear_caches()  # ...and the caller says so
        release.set()
        thread.join(10)
        assert built and old in built[0]  # the thread gets what it asked for...
        files = discovery.font_files()  # ...but it is not kept
        assert new in files and old not in files
    finally:
        release.set()
        thread.join(10)
        discovery.clear_caches()


def test_fontconfig_lists_the_files_paiban_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    listed = discovery._fc_list()
    if listed is None:
        pytest.skip("fc-list is not installed")
    discovery.clear_caches()
    try:
        files = discovery.font_files()
        assert set(listed) <= set(files)
        assert all(p.suffix.lower() in discovery.FONT_SUFFIXES for p in listed)
    finally:
        discovery.clear_caches()


def test_commands_are_run_for_their_output_with_a_deadline():
    """fc-list is run with subprocess: its output when it exits 0, None when it fails, cannot
    be started or does not answer in time (then it is killed)."""
    import time

    assert discovery._output(["/bin/sh", "-c", "printf 'a\\nb\\n'"], 5.0) == b"a\nb\n"
    assert discovery._output(["/bin/sh", "-c", "echo x; exit 3"], 5.0) is None
    assert discovery._output(["/nonexistent/command"], 5.0) is None
    start = time.monotonic()
    assert discovery._output(["/bin/sleep", "5"], 0.3) is None
    assert time.monotonic() - start < 3


def test_discovery_has_no_fork_hooks_or_pipes() -> None:
    source = Path(discovery.__file__).read_text(encoding="utf-8")
    for banned in ("register_at_fork", "os.pipe", "posix_spawn", "os.fork", "marshal"):
        assert banned not in source, banned
