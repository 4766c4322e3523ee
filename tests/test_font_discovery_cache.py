"""Tests of the on-disk caches of font facts (`paiban.fonts.disk_cache`): face names
(`discovery`), metrics (`metrics`) and file digests (`convert.file_digest`).

Every test points ``$PAIBAN_CACHE_DIR`` at a fresh folder and forgets the in-process caches, so
what it sees comes from the font files or from that folder. Reading a font is observed by
wrapping `discovery._names` (the only place face names are read with fontTools).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from paiban.fonts import convert, discovery, disk_cache, metrics
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
    convert._digests.clear()
    yield folder
    discovery.clear_caches()
    metrics.clear_metrics_cache()
    convert._digests.clear()


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
    convert._digests.clear()


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
    import marshal

    stored = marshal.loads(entry.read_bytes())
    entry.write_bytes(marshal.dumps({"key": stored["key"], "data": [("not", "names", "tuple")]}))
    _forget()
    assert open_face(dejavu, 0).family == "DejaVu Sans"


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
    cache.mkdir()
    (cache / "faces").write_text("a file where the folder should be")
    dejavu = _font("DejaVuSans.ttf")
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    _forget()
    assert open_face(dejavu, 0).family == "DejaVu Sans"
    assert len(reads) == 2


def _open_in_process(path: str, cache_dir: str, barrier, queue) -> None:  # noqa: ANN001
    try:
        os.environ["PAIBAN_CACHE_DIR"] = cache_dir
        discovery.clear_caches()
        barrier.wait(timeout=30)
        queue.put(open_face(Path(path), find_face_index(Path(path), "AR PL UMing HK")).key)
    except BaseException as exc:  # report the failure to the parent
        queue.put(repr(exc))


def test_concurrent_cold_lookups_leave_one_good_entry(cache: Path, reads) -> None:
    uming = _font("uming.ttc")
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(3)
    queue = ctx.Queue()
    procs = [ctx.Process(target=_open_in_process, args=(str(uming), str(cache), barrier, queue)) for _ in range(3)]
    for p in procs:
        p.start()
    keys = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    assert keys == ["uming-1"] * 3
    entries = _entries(cache, "faces")
    assert len(entries) == 1 and entries[0].suffix == ".marshal"  # no temporary files left
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
    facts = (fresh.units_per_em, fresh.ascender, fresh.descender, fresh.codepoints())
    assert len(_entries(cache, "metrics")) == 1
    _forget()
    cached = load_metrics(face)
    assert cached is not fresh and cached._tt is None  # nothing read from the font
    assert {ch: (cached.has(ch), cached.advance(ch) if cached.has(ch) else None) for ch in sample} == measured
    assert {ch: cached.ink(ch) for ch in inks} == inks
    assert (cached.units_per_em, cached.ascender, cached.descender, cached.codepoints()) == facts
    assert cached._tt is None
    assert cached.glyph_name("中") == fresh.glyph_name("中")  # opens the font for this only


def test_corrupted_metrics_entry_is_ignored(cache: Path) -> None:
    dejavu = _font("DejaVuSans.ttf")
    face = open_face(dejavu, 0)
    width = load_metrics(face).advance("A")
    (entry,) = _entries(cache, "metrics")
    entry.write_bytes(entry.read_bytes()[: len(entry.read_bytes()) // 2])
    _forget()
    assert load_metrics(face).advance("A") == width
    assert load_metrics(face)._tt is not None  # measured again


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


# ---- digests and the fontTools version ------------------------------------------------------

def test_file_digest_is_cached_per_file_version(cache: Path, tmp_path: Path) -> None:
    font = tmp_path / "Digest.ttf"
    shutil.copyfile(_font("DejaVuSans.ttf"), font)
    want = hashlib.sha256(font.read_bytes()).hexdigest()
    assert convert.file_digest(font) == want
    (entry,) = _entries(cache, "digests")
    convert._digests.clear()
    entry.write_bytes(b"\xff" * 10)  # corrupted: hashed again
    assert convert.file_digest(font) == want
    shutil.copyfile(_font("DejaVuSerif.ttf"), font)
    convert._digests.clear()
    assert convert.file_digest(font) == hashlib.sha256(font.read_bytes()).hexdigest() != want


def test_fonttools_stamp_is_the_installed_version() -> None:
    import fontTools

    assert disk_cache.fonttools_stamp() == fontTools.version


# ---- the font list prefetch -----------------------------------------------------------------

def _no_prefetch_running() -> None:
    """Wait for prefetch threads that earlier tests' registries started."""
    import threading

    for thread in threading.enumerate():
        if thread.name == "paiban-font-files":
            thread.join(30)


def test_prefetched_font_list_asks_fontconfig_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import threading
    import time

    fake = tmp_path / "Fake.ttf"
    calls: list[str] = []
    started = threading.Event()

    def slow_fc_list():
        calls.append(threading.current_thread().name)
        started.set()
        time.sleep(0.2)
        return [fake]

    _no_prefetch_running()
    monkeypatch.setattr(discovery, "_fc_list", slow_fc_list)
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    discovery.clear_caches()
    try:
        discovery.prefetch_font_files()
        assert started.wait(10)
        assert fake in discovery.font_files()  # waits for the prefetch
        assert calls == ["paiban-font-files"]
        discovery.prefetch_font_files()  # known already: no second thread
        assert discovery.font_files() and calls == ["paiban-font-files"]
    finally:
        discovery.clear_caches()


def test_clear_caches_during_a_prefetch_drops_its_list(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
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

    _no_prefetch_running()
    monkeypatch.setattr(discovery, "_fc_list", fc_list)
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    discovery.clear_caches()
    try:
        discovery.prefetch_font_files()
        assert started.wait(10)
        answer[:] = [new]  # fonts installed meanwhile...
        discovery.clear_caches()  # ...and the caller says so
        release.set()
        files = discovery.font_files()
        assert new in files and old not in files
    finally:
        release.set()
        discovery.clear_caches()


def test_a_fork_during_a_prefetch_waits_for_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A child forked while the prefetch thread starts fc-list may inherit the write end of its
    output pipe and keep the thread waiting for as long as it lives (seen: a build's PDF writer
    child, which waits for the build, hung both, about one build in fifteen). So every fork
    first waits for a prefetch under way: the thread is over when fork() returns."""
    import os
    import stat
    import threading
    import time

    fake = tmp_path / "Fake.ttf"
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    slow = bin_dir / "fc-list"
    slow.write_text(f"#!/bin/sh\nsleep 0.3\necho {fake}\n", encoding="utf-8")
    slow.chmod(slow.stat().st_mode | stat.S_IEXEC)
    _no_prefetch_running()
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("PAIBAN_FONT_PATH", raising=False)
    discovery.clear_caches()
    try:
        discovery.prefetch_font_files()
        time.sleep(0.1)  # fc-list is running now
        assert any(t.name == "paiban-font-files" and t.is_alive() for t in threading.enumerate())
        start = time.monotonic()
        pid = os.fork()
        if pid == 0:  # a child that lives on, holding whatever it inherited
            time.sleep(3)
            os._exit(0)
        try:
            assert not any(t.name == "paiban-font-files" and t.is_alive() for t in threading.enumerate())
            assert fake in discovery.font_files()
            assert time.monotonic() - start < 2.5, "the prefetch waited for the child"
        finally:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
    finally:
        discovery.clear_caches()


def test_commands_are_run_for_their_output_with_a_deadline():
    """fc-list is run with os.posix_spawn (no subprocess import): its output when it exits 0,
    None when it fails, cannot be started or does not answer in time (killed, reaped)."""
    from paiban.fonts import discovery

    assert discovery._output(["/bin/sh", "-c", "printf 'a\\nb\\n'"], 5.0) == b"a\nb\n"
    assert discovery._output(["/bin/sh", "-c", "echo x; exit 3"], 5.0) is None
    assert discovery._output(["/nonexistent/command"], 5.0) is None
    assert discovery._output(["/bin/sleep", "5"], 0.3) is None
