"""What each key of a layout or an edition file holds: the vocabulary of the loaders' key tables.

Every YAML mapping the loaders read has a key table, a `Keys`: each key it may have → the kind
of value that key holds, and the keys it must have. The loaders refuse any other key
(`Node.check_keys(TABLE, required=TABLE.required)`), and `paiban.input.layout_schema` turns the
same tables into the JSON Schemas shipped for editors (src/paiban/data/*.schema.json), so a key's
name, its kind and its choices are written once.

A kind is a `Scalar`, a `Choice` of words, a `ListOf` kinds, a `MapOf` (free keys, such as
style names), a nested `Keys`, or an `AnyOf` several kinds. The kinds say what an editor can
check by shape; the loaders check the rest (ranges, files, geometry) with positions.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Union

__all__ = ["AnyOf", "Choice", "Keys", "Kind", "ListOf", "MapOf", "Scalar"]


class Scalar(Enum):
    """A single value (docs/layout-spec.md, Units)."""

    TEXT = "text"  # text
    LABEL = "label"  # text to print: any scalar, read as written (第1234期, 5678, 2024-01-05)
    BOOL = "bool"  # true or false
    INT = "int"  # a whole number
    NUMBER = "number"  # a number
    LENGTH = "length"  # 12mm, 9pt, 1.5cm, 1in; a plain number is mm
    TYPE_SIZE = "type_size"  # a 号 name (小五) or points (9, 9pt)
    PITCH = "pitch"  # a multiple of the type size (1.5) or a length with a unit (14pt)
    PATH = "path"  # a file, relative to the file that names it
    DATE = "date"  # YYYY-MM-DD
    AMOUNT = "amount"  # a whole number, or with a unit: 512KB, 2MB, 64MP
    NULL = "null"  # nothing (the key given empty)


@dataclass(frozen=True)
class Choice:
    """One of these words."""

    values: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    """A list of `item`s; exactly `size` of them when given (a span [first, last], a CMYK tint)."""

    item: Kind
    size: int | None = None


@dataclass(frozen=True)
class MapOf:
    """A mapping of free keys (style names, font roles; page numbers with `numbered`) to `value`s;
    `names` are keys every file knows (the built-in style names), offered first by an editor."""

    value: Kind
    numbered: bool = False
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnyOf:
    """Any of these kinds (``box: true`` or ``box: {padding: 1}``)."""

    kinds: tuple[Kind, ...]

    def __init__(self, *kinds: Kind) -> None:
        object.__setattr__(self, "kinds", kinds)


class Keys(Mapping[str, "Kind"]):
    """A key table: every key a mapping may have → its kind, in the order documented; `required`
    the keys it must have; `name` names it in the JSON Schema's ``$defs`` (a table used in
    several places, such as a text style)."""

    def __init__(self, kinds: Mapping[str, Kind], required: tuple[str, ...] = (), name: str = "") -> None:
        unknown = [key for key in required if key not in kinds]
        if unknown:
            raise ValueError(f"required keys {unknown} are not in the table")
        self._kinds = dict(kinds)
        self.required = required
        self.name = name

    def __getitem__(self, key: str) -> Kind:
        return self._kinds[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def __repr__(self) -> str:
        return f"Keys({', '.join(self._kinds)})"


Kind = Union[Scalar, Choice, ListOf, MapOf, AnyOf, Keys]
