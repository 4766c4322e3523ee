"""`edition_report.plain` (dataclasses as dicts, tuples and lists as lists, all the way down, by
type) gives what the by-value reading gives, on report-shaped and odd values, and a real
report's `to_dict` survives `from_dict` unchanged."""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from paiban.edition.edition_report import EditionReport, LayoutReport, PageReport, plain
from paiban.report import StoryReport


def _reference(value: Any) -> Any:
    """The reading `plain` had before it cached its decision per type."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _reference(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [_reference(item) for item in value]
    if isinstance(value, dict):
        return {key: _reference(item) for key, item in value.items()}
    return value


class Color(enum.Enum):
    RED = "red"


class Pair(NamedTuple):
    a: int
    b: Any


@dataclass(frozen=True)
class Inner:
    name: str
    items: tuple[Any, ...] = ()


@dataclass
class Outer:
    inner: Inner
    table: dict[str, Any]
    kind: type = Inner  # a dataclass class as a value stays as it is


class MyDict(dict):
    pass


class MyList(list):
    pass


VALUES = [
    None, 1, 2.5, "text", b"bytes", Color.RED, Path("a/b"), Inner, (), [], {},
    Pair(1, (2, [3])), MyDict(a=(1,)), MyList([(1, 2)]),
    Inner("x", (Inner("y"), {"k": (Color.RED, None)})),
    Outer(Inner("z", ([1, (2,)],)), {"n": Pair(3, Inner("w"))}),
    {"nested": [{"deep": (Inner("q"), Pair(0, ()))}]},
]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_plain_reads_each_value_as_before(value: Any) -> None:
    got = plain(value)
    assert got == _reference(value)
    assert type(got) is type(_reference(value))


def test_a_report_with_every_part() -> None:
    page = PageReport(page=1, layout="l.yaml", layout_page=1, stories=("a", "b"), lines=10, overset=0,
                      underset_lines=2, missing_glyphs=({"char": "𠀀", "story": "a", "paragraph": 3, "offset": 4,
                                                         "part": None, "reason": "no font"},),
                      low_res_pictures=("p.jpg",), warnings=({"kind": "k", "message": "m", "page": 1, "story": "a"},),
                      pdf="e-01.pdf", rendered=True, render_seconds=0.01, worker="vm:1", key="abc")
    layout = LayoutReport("l.yaml", ((1, 1),), False, 0.5, (StoryReport("a", 10, 100, 100, 0),), 0)
    report = EditionReport("e", "E", "e.yaml", "out", "built", 0, False, "process", (page,), (layout,),
                           {"report": "e-report.json"}, {"total": 1.0}, ("p",), ())
    data = report.to_dict()
    assert data["pages"] == [_reference(page)]
    assert data["layouts"][0]["stories"] == _reference(layout.stories)
    assert EditionReport.from_dict(data).to_dict() == data
