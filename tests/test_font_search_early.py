"""A build starts ``fc-list`` first thing (`discovery.start_font_search`), and the first font
list collects its answer: fontconfig is asked once, on another CPU while the build imports and
reads its input. A search started for another environment (home, font path) is asked again, and
one started before the caches were cleared (fonts installed since) is forgotten."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from paiban.fonts import discovery


@pytest.fixture
def fake_fc_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An ``fc-list`` on PATH that lists one font file and counts its runs."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    runs = tmp_path / "runs"
    script = bin_dir / "fc-list"
    script.write_text(f"#!/bin/sh\necho run >> '{runs}'\necho /fonts/Listed.ttf\necho /fonts/notes.txt\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    discovery.clear_caches()
    yield lambda: len(runs.read_text().splitlines()) if runs.exists() else 0
    discovery.clear_caches()


def test_an_early_search_is_collected_and_not_run_again(fake_fc_list) -> None:
    discovery.start_font_search()
    assert discovery._fc_list() == [Path("/fonts/Listed.ttf")]
    assert fake_fc_list() == 1
    discovery.start_font_search()  # once collected, the next list asks on its own
    assert discovery._fc_list() == [Path("/fonts/Listed.ttf")]
    assert fake_fc_list() == 2


def test_a_search_started_for_another_home_is_asked_again(fake_fc_list, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    discovery.start_font_search()
    monkeypatch.setenv("HOME", str(tmp_path))
    assert discovery._fc_list() == [Path("/fonts/Listed.ttf")]
    assert fake_fc_list() == 2


def test_clearing_the_caches_forgets_an_early_search(fake_fc_list) -> None:
    discovery.start_font_search()
    discovery.clear_caches()
    assert discovery._early_fc_list is None
    assert discovery._fc_list() == [Path("/fonts/Listed.ttf")]
    assert fake_fc_list() in (1, 2)  # (the early one may have run before it was killed)


def test_a_known_list_starts_no_search(fake_fc_list) -> None:
    discovery.font_files()
    runs = fake_fc_list()
    discovery.start_font_search()
    assert discovery._early_fc_list is None and fake_fc_list() == runs


def test_without_fc_list_nothing_is_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    discovery.clear_caches()
    try:
        discovery.start_font_search()
        assert discovery._early_fc_list is None
        assert discovery._fc_list() is None
    finally:
        discovery.clear_caches()
