"""The kept code of dataclass methods: same classes as without it, nothing compiled twice."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from paiban import dataclass_code

SRC = str(Path(__file__).resolve().parent.parent / "src")

COUNT_COMPILED = ("import paiban.pipeline, paiban.cli\n"
                  "from paiban import dataclass_code\n"
                  "print(dataclass_code._added)\n")


def _compiled_in_fresh_process(cache: Path) -> int:
    env = dict(os.environ, PAIBAN_CACHE_DIR=str(cache), PYTHONPATH=SRC)
    out = subprocess.run([sys.executable, "-c", COUNT_COMPILED], env=env, capture_output=True, text=True, check=True)
    return int(out.stdout)


def test_installed_for_dataclasses():
    assert dataclasses.exec is dataclass_code._exec


def test_a_class_made_through_the_table_is_the_class_made_without_it():
    def make():
        @dataclasses.dataclass(frozen=True)
        class Point:
            """A point."""

            x: float
            y: float = 0.0
            tags: tuple[str, ...] = ()
        return Point

    kept = make()
    kept_again = make()  # the second time, every method comes from the table
    dataclasses.exec = exec
    try:
        plain = make()
    finally:
        dataclasses.exec = dataclass_code._exec
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__"):
        a, b, c = (getattr(cls, name).__code__ for cls in (kept, kept_again, plain))
        assert a.co_code == b.co_code == c.co_code, name
        assert a.co_consts == c.co_consts and a.co_names == c.co_names and a.co_filename == c.co_filename
    assert kept.__init__.__annotations__ == plain.__init__.__annotations__
    p = kept_again(1.0, tags=("a",))
    assert repr(p).endswith("Point(x=1.0, y=0.0, tags=('a',))")
    assert p == kept_again(1.0, 0.0, ("a",)) and hash(p) == hash(kept_again(1.0, 0.0, ("a",)))
    try:
        p.x = 2.0
    except dataclasses.FrozenInstanceError:
        pass
    else:
        raise AssertionError("a frozen class took an assignment")


def test_a_second_process_compiles_nothing(tmp_path):
    first = _compiled_in_fresh_process(tmp_path)
    assert first > 50  # paiban's classes: several methods each
    assert list(tmp_path.glob("dataclass-code-*.marshal"))
    assert _compiled_in_fresh_process(tmp_path) == 0


def test_a_damaged_table_is_only_a_miss(tmp_path):
    assert _compiled_in_fresh_process(tmp_path) > 0
    (table,) = tmp_path.glob("dataclass-code-*.marshal")
    table.write_bytes(b"not marshal data")
    assert _compiled_in_fresh_process(tmp_path) > 50  # compiled again, no error
    assert _compiled_in_fresh_process(tmp_path) == 0  # and written anew


def test_an_unwritable_cache_folder_costs_only_speed(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder should be")
    assert _compiled_in_fresh_process(blocked / "cache") > 50


def test_a_table_grown_past_its_limit_keeps_what_the_run_used(tmp_path, monkeypatch):
    monkeypatch.setattr(dataclass_code, "_path", str(tmp_path / "table.marshal"))
    monkeypatch.setattr(dataclass_code, "_codes", {f"# stale {i}": compile("", "<string>", "exec")
                                                   for i in range(dataclass_code.MAX_ENTRIES)})
    monkeypatch.setattr(dataclass_code, "_used", set())

    @dataclasses.dataclass
    class Fresh:
        """Made in this run."""

        value: int

    assert dataclass_code._added > 0
    dataclass_code.save()
    import marshal

    table = marshal.loads((tmp_path / "table.marshal").read_bytes())
    assert table and not any(key.startswith("# stale") for key in table)
    assert all(key in dataclass_code._used for key in table)
