"""A night's shared page is waited for once: `publish` given the run's `flushed` set does not
fsync again a file another edition of the run already flushed, and still flushes every other
new file (and a file changed since) before its build folder is complete."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from paiban.atomic_files import CHECKSUM_MARKER, write_atomically
from paiban.edition import publish as publishing


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
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
