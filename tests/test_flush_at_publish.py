"""When the disk is waited for (`paiban.atomic_files`, `paiban.edition.publish`): an output is
flushed before its rename and its folder after it; a cache entry and a file of the checksummed
render cache are not flushed when written; publishing an edition flushes each of its new files
before its build folder is renamed into place (nothing is published that is not on the disk); a
file another edition of the same run already flushed (the run's `flushed` set) is not flushed again,
but one changed since is."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from paiban import atomic_files
from paiban.atomic_files import CHECKSUM_MARKER, SIDECAR_SUFFIX, write_atomically
from paiban.edition import publish as publishing


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every fsync, as the (device, inode) it flushed, in order."""
    done: list[tuple[int, int]] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        st = os.fstat(fd)
        done.append((st.st_dev, st.st_ino))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return done


def _id(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_dev, st.st_ino


def test_an_output_is_flushed_and_so_is_its_folder(tmp_path: Path, synced: list) -> None:
    write_atomically(tmp_path / "out.pdf", b"%PDF-1.6 output")
    assert synced == [_id(tmp_path / "out.pdf"), _id(tmp_path)]


def test_a_cache_entry_is_not_flushed(tmp_path: Path, synced: list) -> None:
    write_atomically(tmp_path / "entry.bin", b"sealed elsewhere", durable=False)
    assert synced == [] and (tmp_path / "entry.bin").read_bytes() == b"sealed elsewhere"


def test_a_file_of_a_checksummed_folder_is_not_flushed_and_gets_its_checksum(tmp_path: Path, synced: list) -> None:
    (tmp_path / CHECKSUM_MARKER).write_text("{}")
    data = b"%PDF-1.6 a page" * 1000
    write_atomically(tmp_path / "page.pdf", data)  # durable by default, but its publisher flushes it
    assert synced == []
    facts = json.loads((tmp_path / ("page.pdf" + SIDECAR_SUFFIX)).read_bytes())
    assert facts == {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    assert atomic_files.intact(tmp_path / "page.pdf")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CHECKSUM_MARKER, "page.pdf",
                                                                 "page.pdf" + SIDECAR_SUFFIX])


def test_publishing_flushes_every_new_file_before_the_build_folder_is_complete(
        tmp_path: Path, synced: list, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / CHECKSUM_MARKER).write_text("{}")
    made = {}
    for name in ("e-01.pdf", "e-02.pdf", "e.pdf"):
        write_atomically(cache / f"{name}.key", f"%PDF {name}".encode())
        made[name] = cache / f"{name}.key"
    assert synced == []  # the render workers do not wait for the disk
    renamed: list[tuple[str, int]] = []  # (the folder renamed into place, fsyncs done before)
    real_rename = os.rename
    monkeypatch.setattr(publishing.os, "rename",
                        lambda a, b: (renamed.append((Path(b).name, len(synced))), real_rename(a, b))[1])
    out = tmp_path / "out"
    publishing.publish(out, "e", list(made.items()), "{}", keep_pages=False)
    (build, before), = [r for r in renamed if not r[0].endswith(".partial")]
    flushed_first = set(synced[:before])
    assert {_id(path) for path in made.values()} <= flushed_first  # the same inodes: hard links
    assert all((out / name).read_bytes() == path.read_bytes() for name, path in made.items())
    # the next build publishes the same files: already on the disk, taken from the current build
    synced.clear()
    publishing.publish(out, "e", list(made.items()), "{}", keep_pages=False)
    assert not {_id(path) for path in made.values()} & set(synced)


# ---- a night: a file shared by editions is flushed once

def _cache(tmp_path: Path, names: list[str]) -> dict[str, Path]:
    cache = tmp_path / "cache"
    cache.mkdir(exist_ok=True)
    (cache / CHECKSUM_MARKER).write_text("{}")
    made = {}
    for name in names:
        write_atomically(cache / f"{name}.key", f"%PDF {name}".encode())
        made[name] = cache / f"{name}.key"
    return made


def test_a_shared_file_is_flushed_by_the_first_edition_only(tmp_path: Path, synced: list) -> None:
    made = _cache(tmp_path, ["shared", "local-a", "local-b"])
    out = tmp_path / "out"
    flushed: set = set()
    publishing.publish(out, "a", [("a-01.pdf", made["shared"]), ("a-02.pdf", made["local-a"])], "{}",
                       keep_pages=False, flushed=flushed)
    assert {_id(made["shared"]), _id(made["local-a"])} <= set(synced)
    synced.clear()
    publishing.publish(out, "b", [("b-01.pdf", made["shared"]), ("b-02.pdf", made["local-b"])], "{}",
                       keep_pages=False, flushed=flushed)
    assert _id(made["shared"]) not in synced
    assert _id(made["local-b"]) in synced
    assert _id(out / "b-01.pdf") == _id(made["shared"])  # still the same file, a hard link
    assert (out / "b-01.pdf").read_bytes() == b"%PDF shared"


def test_without_the_set_every_new_file_is_flushed(tmp_path: Path, synced: list) -> None:
    made = _cache(tmp_path, ["shared"])
    out = tmp_path / "out"
    publishing.publish(out, "a", [("a-01.pdf", made["shared"])], "{}", keep_pages=False)
    synced.clear()
    publishing.publish(out, "b", [("b-01.pdf", made["shared"])], "{}", keep_pages=False)
    assert _id(made["shared"]) in synced


def test_a_file_replaced_since_is_flushed_again(tmp_path: Path, synced: list) -> None:
    made = _cache(tmp_path, ["page"])
    out = tmp_path / "out"
    flushed: set = set()
    publishing.publish(out, "a", [("a-01.pdf", made["page"])], "{}", keep_pages=False, flushed=flushed)
    write_atomically(made["page"], b"%PDF another page, longer")  # a new file under the same name
    synced.clear()
    publishing.publish(out, "b", [("b-01.pdf", made["page"])], "{}", keep_pages=False, flushed=flushed)
    assert _id(made["page"]) in synced
