"""Caches that cannot lie: a damaged cache costs time, never output, and outputs are regular files.

Every kind of cache entry is cut short, has bits flipped or is deleted (random entries, a fixed
seed per case) between two builds, each in a copy of a cache warmed once: the font cache's
faces, metrics and compressed font programs, for a small layout; the rendered pages (PDF, preview, thumbnail and their checksums), the up-to-date
state and the font-ready markers, for a small edition. The next build exits 0 with the clean
build's bytes, and it rewrites what it needed (a build after it finds nothing to redo). A cache
folder that cannot be used costs only speed, with one warning; ``--trace`` onto a symbolic link,
a device, a FIFO or a folder fails and leaves it as it was.

Builds run as separate processes (each with empty in-process caches, as a new build has), with
``$PAIBAN_CACHE_DIR`` pointing at the case's own copy, never the run's shared cache.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import ROOT
from test_edition_build import make_edition

from paiban.atomic_files import CHECKSUM_MARKER, SIDECAR_SUFFIX, NotARegularFile, intact, umask, write_atomically
from paiban.cache_health import seal, unseal

SRC = ROOT / "src"
MODES = ("truncate", "flip", "delete")
FONT_KINDS = {  # kind → the entries' folder and name pattern in the font cache
    "faces": ("faces", "*.json"),
    "metrics": ("metrics", "*.bin"),
    "programs": ("programs", "*.bin"),
}


def paiban(*args: str, cache: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC), PAIBAN_CACHE_DIR=str(cache))
    result = subprocess.run([sys.executable, "-m", "paiban", *map(str, args)], env=env, capture_output=True,
                            text=True, timeout=180)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def damage(path: Path, mode: str, rng: random.Random) -> None:
    """Cut ``path`` short, flip one to three of its bits, or delete it."""
    if mode == "delete":
        path.unlink()
        return
    raw = bytearray(path.read_bytes())
    if mode == "truncate":
        del raw[rng.randrange(len(raw)):]
    else:
        for _ in range(rng.randint(1, 3)):
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
    path.write_bytes(bytes(raw))


def damage_some(paths: list[Path], mode: str, rng: random.Random) -> list[Path]:
    assert paths, "nothing of this kind in the cache"
    chosen = rng.sample(sorted(paths), rng.randint(1, len(paths)))
    for path in chosen:
        damage(path, mode, rng)
    return chosen


def snapshot(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every file under ``folder`` (not the lock): its inode (a rewrite is a new one) and bytes."""
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.read_bytes())
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "lock"}


def published(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file() and p.suffix in (".pdf", ".png")}


class Warm(NamedTuple):
    src: Path  # the small edition's folder (edition file, layouts, articles)
    cache: Path  # a font cache warmed by both clean builds
    layout_pdf: bytes  # the clean build of spread.yaml
    edition_out: Path  # the clean build of the edition, with its .paiban-cache


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Warm:
    base = tmp_path_factory.mktemp("corruption")
    edition = make_edition(base / "src")
    cache = base / "cache"
    paiban("build", edition.parent / "spread.yaml", "-o", base / "layout", "-j", "1", cache=cache)
    paiban("build", edition, "-o", base / "edition", "-j", "1", cache=cache)
    return Warm(edition.parent, cache, (base / "layout" / "spread.pdf").read_bytes(), base / "edition")


# ---- the font cache ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", sorted(FONT_KINDS))
def test_a_damaged_font_cache_entry_is_a_miss_that_is_rewritten(warm: Warm, tmp_path: Path, kind: str,
                                                                mode: str) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(warm.cache, cache)
    folder, pattern = FONT_KINDS[kind]
    damage_some(list((cache / folder).glob(pattern)), mode, random.Random(f"{kind}-{mode}"))
    layout = warm.src / "spread.yaml"
    paiban("build", layout, "-o", tmp_path / "repaired", "-j", "1", cache=cache)
    assert (tmp_path / "repaired" / "spread.pdf").read_bytes() == warm.layout_pdf
    repaired = snapshot(cache)
    paiban("build", layout, "-o", tmp_path / "again", "-j", "1", cache=cache)
    assert (tmp_path / "again" / "spread.pdf").read_bytes() == warm.layout_pdf
    assert snapshot(cache) == repaired  # nothing rewritten: the first build mended what it used


def test_every_font_cache_entry_is_sealed(warm: Warm) -> None:
    """Entries of the facts and programs caches verify with their digest."""
    for kind in ("faces", "metrics", "programs"):
        folder, pattern = FONT_KINDS[kind]
        entries = list((warm.cache / folder).glob(pattern))
        assert entries, kind
        for entry in entries:
            assert unseal(entry.read_bytes(), binary=entry.suffix == ".bin") is not None, entry


# ---- caches that cannot be used ---------------------------------------------------------------

WARNINGS_SCRIPT = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from paiban import pipeline
    from paiban.cache_health import cache_warnings
    pipeline.run(Path(sys.argv[1]), Path(sys.argv[2]))
    print(json.dumps(cache_warnings()))
""")  # in a process of its own: this one has registered fonts under other file names)


def _unusable_caches(tmp_path: Path) -> list[Path]:
    """Cache folders no process can use: below a regular file (even root cannot), and, when not
    root, a read-only folder."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    caches = [blocker / "cache"]
    if os.geteuid() != 0:  # root writes into a read-only folder anyway
        read_only = tmp_path / "read-only"
        read_only.mkdir()
        read_only.chmod(0o500)
        caches.append(read_only)
    return caches


def _scratch_folders(pid: int) -> list[Path]:
    import tempfile

    return list(Path(tempfile.gettempdir()).glob(f"paiban-nocache-{pid}-*"))


def test_an_unusable_font_cache_costs_only_speed_with_one_warning(warm: Warm, tmp_path: Path) -> None:
    """Nothing is left in a scratch folder: the font facts and programs are only not kept."""
    layout = warm.src / "spread.yaml"
    for n, cache in enumerate(_unusable_caches(tmp_path)):
        out = tmp_path / f"out-{n}"
        env = dict(os.environ, PYTHONPATH=str(SRC), PAIBAN_CACHE_DIR=str(cache))
        command = subprocess.Popen([sys.executable, "-m", "paiban", "build", str(layout), "-o", str(out), "-j", "1"],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        _, err = command.communicate(timeout=180)
        assert command.returncode == 0, err
        assert (out / "spread.pdf").read_bytes() == warm.layout_pdf
        library = subprocess.Popen([sys.executable, "-c", WARNINGS_SCRIPT, str(layout), str(tmp_path / f"lib-{n}.pdf")],
                                   env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        printed, err = library.communicate(timeout=180)
        assert library.returncode == 0, err
        (warning,) = json.loads(printed)
        assert str(cache) in warning and "cannot be used" in warning
        assert (tmp_path / f"lib-{n}.pdf").read_bytes() == warm.layout_pdf
        assert _scratch_folders(command.pid) == _scratch_folders(library.pid) == []


def test_an_edition_with_an_unusable_font_cache_builds_the_same_files(warm: Warm, tmp_path: Path) -> None:
    (cache,) = _unusable_caches(tmp_path)[:1]
    out = tmp_path / "out"
    paiban("build", warm.src / "small.yaml", "-o", out, "--jobs", "2", cache=cache)
    assert published(out) == published(warm.edition_out)


def test_an_unusable_edition_cache_costs_only_speed(warm: Warm, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / ".paiban-cache").write_text("a file where the cache folder should be\n")
    cache = tmp_path / "cache"
    shutil.copytree(warm.cache, cache)
    paiban("build", warm.src / "small.yaml", "-o", out, "-j", "1", cache=cache)
    assert published(out) == published(warm.edition_out)


# ---- the edition build cache ------------------------------------------------------------------

def _edition_case(warm: Warm, tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of the clean edition build and of the font cache: (output folder, its render
    folder, font cache)."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(warm.edition_out, out)
    shutil.copytree(warm.cache, cache)
    return out, out / ".paiban-cache" / "render", cache


def _render_entries(render: Path, sidecars: bool = False) -> list[Path]:
    """The rendered pages and previews (not the contact sheet, which edition_build checks itself)."""
    return [p for p in render.iterdir() if p.name != CHECKSUM_MARKER and ".contact." not in p.name
            and p.name.endswith(SIDECAR_SUFFIX) == sidecars]


def _rebuild(warm: Warm, out: Path, cache: Path) -> dict:
    done = paiban("build", warm.src / "small.yaml", "-o", out, "-j", "1", "--json", cache=cache)
    assert published(out) == published(warm.edition_out)
    return json.loads(done.stdout)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", ["render", "render checksums", "state", "font markers"])
def test_a_damaged_edition_cache_entry_is_a_miss_that_is_rewritten(warm: Warm, tmp_path: Path, kind: str,
                                                                  mode: str) -> None:
    out, render, cache = _edition_case(warm, tmp_path)
    rng = random.Random(f"{kind}-{mode}")
    states = list((out / ".paiban-cache").glob("state-*.json"))
    if kind == "state":
        damage_some(states, mode, rng)
    else:
        if kind == "font markers":  # read when pages are rendered: all of them must be
            damage_some(list((cache / "edition-fonts").iterdir()), mode, rng)
            for entry in _render_entries(render):
                entry.unlink()
        else:
            damage_some(_render_entries(render, sidecars=kind == "render checksums"), mode, rng)
        for state in states:  # with the state of the last build, nothing is looked at: look
            state.unlink()
    before = {entry.name: entry.stat().st_ino for entry in _render_entries(render)}
    report = _rebuild(warm, out, cache)
    if kind != "state":  # what was damaged was made again: a page, a preview or the edition PDF
        after = {entry.name: entry.stat().st_ino for entry in _render_entries(render)}
        assert report["totals"]["pages_rendered"] >= 1 or after != before
    (state,) = states
    assert unseal(state.read_bytes()) is not None
    for entry in _render_entries(render):
        assert intact(entry), entry
    if kind == "font markers":
        from paiban.edition.build_cache import _marker_text

        for marker in (cache / "edition-fonts").iterdir():
            assert unseal(marker.read_bytes()) == (_marker_text(marker), b"")
    again = _rebuild(warm, out, cache)
    assert again["totals"]["pages_rendered"] == 0


def test_a_damaged_contact_sheet_is_made_again(warm: Warm, tmp_path: Path) -> None:
    out, render, cache = _edition_case(warm, tmp_path)
    (sheet,) = render.glob("*.contact.png")
    damage(sheet, "flip", random.Random(1))
    for state in (out / ".paiban-cache").glob("state-*.json"):
        state.unlink()
    for name in published(out):  # published again from the cache
        (out / name).unlink()
    _rebuild(warm, out, cache)


def test_a_sealed_file_is_checked_exactly() -> None:
    body = json.dumps({"key": "k", "data": [1, 2.5, "中"]}, ensure_ascii=False).encode("utf-8")
    for payload in (None, b"\x00\n\xff" * 5):
        sealed = seal(body, payload)
        binary = payload is not None
        assert unseal(sealed, binary) == (body, payload or b"")
        for i in range(len(sealed)):
            flipped = bytearray(sealed)
            flipped[i] ^= 0x20
            assert unseal(bytes(flipped), binary) is None, i
            assert unseal(sealed[:i], binary) is None
    assert unseal(body) is None  # not sealed: an entry of an older format


# ---- outputs are regular files ----------------------------------------------------------------

def test_atomic_writes_refuse_anything_but_a_regular_file(tmp_path: Path) -> None:
    target = tmp_path / "somewhere.txt"
    target.write_text("keep me\n")
    link = tmp_path / "link"
    link.symlink_to(target)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nothing")
    folder = tmp_path / "folder"
    folder.mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for path in (link, dangling, folder, fifo, Path("/dev/null")):
        before = os.lstat(path)
        with pytest.raises(NotARegularFile, match="paiban writes only regular files") as caught:
            write_atomically(path, b"new")
        assert isinstance(caught.value, OSError) and caught.value.filename == str(path)
        after = os.lstat(path)
        assert (after.st_ino, after.st_mode, after.st_mtime_ns) == (before.st_ino, before.st_mode, before.st_mtime_ns)
    assert target.read_text() == "keep me\n" and not (tmp_path / "nothing").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "fifo", "folder", "link", "somewhere.txt"]
    write_atomically(target, b"new")  # a regular file is replaced
    assert target.read_bytes() == b"new" and stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask()


def test_trace_onto_a_symlink_or_a_device_fails_and_leaves_it(warm: Warm, tmp_path: Path) -> None:
    somewhere = tmp_path / "somewhere.txt"
    somewhere.write_text("keep me\n")
    link = tmp_path / "link-to-somewhere"
    link.symlink_to(somewhere)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(NotARegularFile):  # checked in this process first: never let a build replace /dev/full
        write_atomically(Path("/dev/full"), b"")
    targets = [link, fifo] + ([Path("/dev/full")] if os.path.exists("/dev/full") else [])
    for n, target in enumerate(targets):
        before = os.lstat(target)
        done = paiban("build", warm.src / "spread.yaml", "-o", tmp_path / f"out-{n}", "-j", "1", "--trace", target,
                      cache=warm.cache, check=False)
        assert done.returncode == 3, done.stderr
        assert str(target) in done.stderr and "regular file" in done.stderr
        after = os.lstat(target)
        assert (after.st_ino, after.st_mode, after.st_rdev) == (before.st_ino, before.st_mode, before.st_rdev)
    assert os.readlink(link) == str(somewhere) and somewhere.read_text() == "keep me\n"
    assert not list(tmp_path.glob(".tmp-*")) and not list(Path("/dev").glob(".tmp-full*"))
