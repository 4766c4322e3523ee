"""Parsed YAML kept between runs (input/parse_cache.py): same results, errors never cached,
damaged entries only a miss, and a warm build does not import PyYAML."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import DEMO, ROOT

from paiban.errors import InputError
from paiban.input import parse_cache
from paiban.input.layout_loader import load_layout
from paiban.input.yaml_source import parse_yaml

SRC = str(ROOT / "src")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("PAIBAN_CACHE_DIR", str(tmp_path))
    return tmp_path / "parsed"


def test_a_layout_from_the_cache_is_the_layout_parsed(cache_dir):
    first = load_layout(DEMO)
    entries = sorted(cache_dir.iterdir())
    assert entries
    second = load_layout(DEMO)  # every parse a hit now
    assert sorted(cache_dir.iterdir()) == entries
    assert second == first


def test_the_key_is_the_text_and_where_it_came_from(cache_dir):
    a = parse_yaml("size: 9\n", "a.yaml")
    b = parse_yaml("size: 10\n", "a.yaml")
    c = parse_yaml("size: 9\n", "b.yaml")
    assert a.get("size").value == 9 and b.get("size").value == 10
    assert a.where.file == "a.yaml" and c.where.file == "b.yaml"
    assert parse_yaml("size: 9\n", "a.yaml", line_offset=3).get("size").where.line == 4


def test_a_malformed_file_raises_every_time_and_stores_nothing(cache_dir):
    messages = []
    for _ in range(2):
        with pytest.raises(InputError) as info:
            parse_yaml("a: [1, 2\n", "bad.yaml")
        messages.append(str(info.value))
    assert messages[0] == messages[1] and "bad.yaml:" in messages[0]
    assert not cache_dir.exists() or not list(cache_dir.iterdir())


def test_a_damaged_entry_is_a_miss(cache_dir):
    parse_yaml("size: 9\n", "a.yaml")
    (entry,) = cache_dir.iterdir()
    entry.write_bytes(b"not a pickle")
    assert parse_yaml("size: 9\n", "a.yaml").get("size").value == 9
    assert entry.read_bytes() != b"not a pickle"  # stored again


def test_an_entry_of_other_code_is_a_miss(cache_dir, monkeypatch):
    parse_yaml("size: 9\n", "a.yaml")
    monkeypatch.setattr(parse_cache, "_stamp", ("other code",))
    calls = []
    assert parse_cache.cached("node", "size: 9\n", ("str", "a.yaml", 0), lambda: calls.append(1) or "parsed") == "parsed"
    assert calls == [1]


def test_a_warm_build_does_not_import_pyyaml(tmp_path):
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(tmp_path / "cache"), PYTHONPATH=SRC)
    code = ("import sys\n"
            "from paiban import pipeline\n"
            f"pipeline.run(__import__('pathlib').Path({str(DEMO)!r}))\n"
            "print('yaml' in sys.modules)\n")
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                           timeout=300).stdout.strip() for _ in range(2)]
    assert runs == ["True", "False"]


def test_the_cache_keeps_at_most_its_limit(cache_dir, monkeypatch):
    monkeypatch.setattr(parse_cache, "MAX_ENTRIES", 8)
    for i in range(20):
        parse_yaml(f"size: {i}\n", "a.yaml")
        assert len(list(cache_dir.iterdir())) <= 8
    assert parse_yaml("size: 19\n", "a.yaml").get("size").value == 19
