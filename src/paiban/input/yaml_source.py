"""Safe YAML reading that keeps positions.

`load_yaml_file` / `parse_yaml` compose a YAML text with PyYAML's safe loader and walk the node
tree themselves, so nothing but plain data is ever constructed and every value remembers its file,
line, column and key path (``pages[0].regions[1].columns``). The result is a tree of `Node`s with
a small typed accessor API; every mistake is raised as an `InputError` pointing at the value (or at
the key, when the key itself is wrong).

Classes and functions:

- `Node`: one mapping, sequence or scalar, with `.where`, `.key_where`, `.value` (plain Python),
  `.get`, `.require`, `.items`, `.check_keys`, `.as_str`, `.as_int`, `.as_number`, `.as_bool`,
  `.as_list`, `.as_choice` and `.error`.
- `parse_yaml(text, file)`: text → root `Node`.
- `load_yaml_file(path)`: read a UTF-8 file → root `Node` (missing file → `InputError`).
- `did_you_mean(word, choices)`: the " did you mean 'x'?" fragment of messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from paiban.errors import InputError, Where

#: PyYAML and its node classes, imported by the first parse (a run that reads no YAML needs none);
#: `_COMPOSER` is libyaml's safe loader when PyYAML was built with it (about 5 times faster, the
#: same node tree), else PyYAML's own
yaml: Any = None
MappingNode: Any = None
ScalarNode: Any = None
SequenceNode: Any = None
_COMPOSER: Any = None


def _import_yaml() -> None:
    global yaml, MappingNode, ScalarNode, SequenceNode, _COMPOSER
    if yaml is None:
        import yaml as pyyaml
        from yaml.nodes import MappingNode as mapping, ScalarNode as scalar, SequenceNode as sequence

        MappingNode, ScalarNode, SequenceNode = mapping, scalar, sequence
        _COMPOSER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
        yaml = pyyaml

__all__ = ["Node", "parse_yaml", "load_yaml_file", "did_you_mean", "describe", "join_path"]

_STD = "tag:yaml.org,2002:"
#: Scalar tags whose safe constructors build plain values (str, int, float, bool, None, date).
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MAP_TAG = _STD + "map"
_SEQ_TAG = _STD + "seq"
_MERGE_TAG = _STD + "merge"

#: Upper bound on nodes produced while expanding aliases (stops "billion laughs" files).
MAX_NODES = 100_000
#: Largest magnitude accepted by `Node.as_number` / `Node.as_int` unless a tighter bound is given.
MAX_MAGNITUDE = 1e9


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


_PLAIN_KEY = re.compile(r"[^\s.\[\]'\"]+(?: [^\s.\[\]'\"]+)*")


def join_path(parent: str, key: str | int) -> str:
    """The key path of `key` under `parent`: ``a.b``, ``a[2]``; odd keys are quoted (``a['x.y']``)."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    if not _PLAIN_KEY.fullmatch(key) or not key.isprintable():
        return f"{parent}[{key!r}]"
    return f"{parent}.{key}" if parent else key


def did_you_mean(word: str, choices: Collection[str]) -> str:
    """``" did you mean 'size'?"`` when a choice is close to `word`, else ``""``."""
    import difflib  # only for messages: not imported by a build that has none

    close = difflib.get_close_matches(str(word), [str(c) for c in choices], n=1, cutoff=0.6)
    return f" did you mean '{close[0]}'?" if close else ""


def describe(value: Any) -> str:
    """A short description of a plain value for messages: ``'abc' (text)``, ``a list``."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (yes/no)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r} (text)"
    if isinstance(value, dict):
        return "a mapping (key: value entries)"
    if isinstance(value, list):
        return "a list"
    return f"{value!s} ({type(value).__name__})"


class Node:
    """One YAML value with its position.

    `kind` is ``"mapping"``, ``"sequence"`` or ``"scalar"``. `where` points at the value and carries
    its key path; `key_where` points at the key that holds it (for mapping entries), else is None.
    """

    __slots__ = ("kind", "where", "key_where", "raw", "_scalar", "_items", "_map")

    def __init__(self, kind: str, where: Where, key_where: Where | None = None) -> None:
        self.kind = kind
        self.where = where
        self.key_where = key_where
        self.raw: str | None = None  # the scalar's source text
        self._scalar: Any = None
        self._items: list[Node] = []  # sequence items, or mapping values in order
        self._map: dict[str, Node] = {}

    # ---- shape ---------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The key path (``styles.body.size``); ``""`` for the root."""
        return self.where.key or ""

    @property
    def is_mapping(self) -> bool:
        return self.kind == "mapping"

    @property
    def is_sequence(self) -> bool:
        return self.kind == "sequence"

    @property
    def is_scalar(self) -> bool:
        return self.kind == "scalar"

    @property
    def is_null(self) -> bool:
        return self.kind == "scalar" and self._scalar is None

    @property
    def value(self) -> Any:
        """The plain Python value (dicts and lists for mappings and sequences)."""
        if self.kind == "mapping":
            return {k: v.value for k, v in self._map.items()}
        if self.kind == "sequence":
            return [item.value for item in self._items]
        return self._scalar

    def __repr__(self) -> str:
        return f"Node({self.kind}, {self.where})"

    # ---- errors --------------------------------------------------------------------------------

    def error(self, message: str, *, at_key: bool = False, key: str | None = None) -> InputError:
        """An `InputError` at this value (or at its key with ``at_key=True``); `key` overrides the
        key path shown."""
        where = self.key_where if at_key and self.key_where is not None else self.where
        if key is not None:
            where = Where(where.file, where.line, where.column, key)
        return InputError(_one_line(message), where)

    def _child_path(self, key: str | int) -> str:
        return join_path(self.path, key)

    # ---- mappings ------------------------------------------------------------------------------

    def as_mapping(self, what: str = "a mapping (key: value entries)") -> Node:
        if self.kind != "mapping":
            raise self.error(f"expected {what}, got {describe(self.value)}")
        return self

    def get(self, key: str) -> Node | None:
        """The value under `key`, or None when absent. Raises unless this is a mapping."""
        return self.as_mapping()._map.get(key)

    def require(self, key: str) -> Node:
        """The value under `key`; a missing key is an error at this mapping."""
        node = self.get(key)
        if node is None:
            raise self.error("required key is missing", key=self._child_path(key))
        return node

    def items(self) -> Iterator[tuple[str, Node]]:
        return iter(self.as_mapping()._map.items())

    def check_keys(self, allowed: Collection[str], required: Collection[str] = ()) -> Node:
        """Raise for the first key not in `allowed` (at the key, with a "did you mean") or the first
        missing `required` key. Returns self."""
        self.as_mapping()
        for key, node in self._map.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                listed = ", ".join(allowed)
                raise node.error(f"unknown key {key!r};{hint} allowed keys here: {listed}", at_key=True)
        for key in required:
            self.require(key)
        return self

    # ---- sequences -----------------------------------------------------------------------------

    def as_list(self, what: str = "a list") -> list[Node]:
        if self.kind != "sequence":
            raise self.error(f"expected {what}, got {describe(self.value)}")
        return list(self._items)

    def __bool__(self) -> bool:  # a Node is always truthy, even an empty list or mapping
        return True

    # ---- scalars -------------------------------------------------------------------------------

    def as_str(self, *, allow_empty: bool = False, coerce: bool = False) -> str:
        """Text. With `coerce`, any scalar (a number, a date) gives its source text."""
        value = self._scalar if self.kind == "scalar" else self.value
        if coerce and self.kind == "scalar" and value is not None and self.raw is not None:
            value = value if isinstance(value, str) else self.raw
        if not isinstance(value, str):
            hint = "; put it in quotes" if self.kind == "scalar" and value is not None else ""
            raise self.error(f"expected text, got {describe(value)}{hint}")
        if not allow_empty and not value.strip():
            raise self.error("must not be empty")
        return value

    def as_bool(self) -> bool:
        value = self.value
        if not isinstance(value, bool):
            raise self.error(f"expected true or false, got {describe(value)}")
        return value

    def as_number(
        self,
        *,
        minimum: float | None = None,
        maximum: float | None = None,
        above: float | None = None,
    ) -> float:
        """A finite int or float; `minimum`/`maximum` inclusive, `above` exclusive."""
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"expected a number, got {describe(value)}")
        try:
            number = float(value)
        except OverflowError:
            raise self.error(f"the number {value} is too large") from None
        if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
            raise self.error(f"the number {value} is too large")
        _check_range(self, number, value, minimum, maximum, above)
        return number

    def as_int(self, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"expected a whole number, got {describe(value)}")
        if abs(value) > MAX_MAGNITUDE:
            raise self.error(f"the number {value} is too large")
        _check_range(self, value, value, minimum, maximum, None)
        return value

    def as_choice(self, choices: Sequence[str], what: str = "value") -> str:
        """One of `choices` (text); the message lists them and suggests the closest."""
        value = self.value
        if isinstance(value, str) and value in choices:
            return value
        listed = ", ".join(choices)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise self.error(f"{describe(value)} is not a {what};{hint} use one of: {listed}")


def _check_range(
    node: Node,
    number: float,
    shown: Any,
    minimum: float | None,
    maximum: float | None,
    above: float | None,
) -> None:
    if minimum is not None and number < minimum:
        raise node.error(f"must be at least {minimum:g}, got {shown}")
    if above is not None and number <= above:
        raise node.error(f"must be greater than {above:g}, got {shown}")
    if maximum is not None and number > maximum:
        raise node.error(f"must be at most {maximum:g}, got {shown}")


# ---- building the tree -------------------------------------------------------------------------


class _Builder:
    """Walks a composed node tree into `Node`s, constructing only plain scalars."""

    def __init__(self, file: Path | str | None, line_offset: int) -> None:
        self.file = file
        self.line_offset = line_offset
        self.constructor = yaml.SafeLoader("")
        self.count = 0
        self.active: set[int] = set()  # ids of nodes being walked (recursive aliases)

    def where(self, ynode: yaml.Node, path: str) -> Where:
        mark = ynode.start_mark
        return Where(self.file, mark.line + 1 + self.line_offset, mark.column + 1, path or None)

    def build(self, ynode: yaml.Node, path: str, key_where: Where | None = None) -> Node:
        where = self.where(ynode, path)
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(f"the file expands to more than {MAX_NODES} values (aliases?)", where)
        if id(ynode) in self.active:
            raise InputError("an alias refers to a value that contains it", where)
        tag = ynode.tag
        if isinstance(ynode, ScalarNode):
            if tag not in _SCALAR_TAGS:
                raise _tag_error(tag, where)
            node = Node("scalar", where, key_where)
            node.raw = ynode.value
            try:
                node._scalar = self.constructor.construct_object(ynode, deep=True)
            except Exception as exc:  # e.g. !!int abc, a date 2024-13-45
                raise InputError(f"cannot read {ynode.value!r} as {_show_tag(tag)} ({_one_line(exc)})", where) from None
            return node
        self.active.add(id(ynode))
        try:
            if isinstance(ynode, SequenceNode):
                if tag != _SEQ_TAG:
                    raise _tag_error(tag, where)
                node = Node("sequence", where, key_where)
                for i, item in enumerate(ynode.value):
                    node._items.append(self.build(item, join_path(path, i)))
                return node
            if isinstance(ynode, MappingNode):
                if tag != _MAP_TAG:
                    raise _tag_error(tag, where)
                node = Node("mapping", where, key_where)
                self.fill_mapping(node, ynode, path)
                return node
        finally:
            self.active.discard(id(ynode))
        raise InputError(f"unexpected YAML node {type(ynode).__name__}", where)  # pragma: no cover

    def key_text(self, knode: yaml.Node, path: str) -> tuple[str, Where]:
        kwhere = self.where(knode, path)
        if not isinstance(knode, ScalarNode):
            kind = "a list" if isinstance(knode, SequenceNode) else "a mapping"
            raise InputError(f"a key must be text, got {kind}", kwhere)
        if knode.tag not in _SCALAR_TAGS:
            raise _tag_error(knode.tag, kwhere)
        if knode.tag not in (_STD + "str", _STD + "int"):  # numbers as keys: page numbers
            raise InputError(
                f"a key must be text, got {knode.value or 'null'!r} ({_show_tag(knode.tag)[2:]}); put it in quotes",
                kwhere,
            )
        return knode.value, kwhere

    def fill_mapping(self, node: Node, ynode: MappingNode, path: str) -> None:
        merged: list[tuple[str, Node]] = []
        seen: dict[str, Where] = {}
        for knode, vnode in ynode.value:
            if isinstance(knode, ScalarNode) and knode.tag == _MERGE_TAG:
                merged.extend(self.merge_sources(vnode, path))
                continue
            key, kwhere0 = self.key_text(knode, path)
            child_path = join_path(path, key)
            kwhere = Where(kwhere0.file, kwhere0.line, kwhere0.column, child_path)
            if key in seen:
                raise InputError(_one_line(f"duplicate key {key!r} (first given on line {seen[key].line})"), kwhere)
            seen[key] = kwhere
            value = self.build(vnode, child_path, kwhere)
            node._map[key] = value
            node._items.append(value)
        for key, value in merged:  # explicit keys win over merged ones (YAML merge semantics)
            if key not in node._map:
                node._map[key] = value
                node._items.append(value)

    def merge_sources(self, vnode: yaml.Node, path: str) -> list[tuple[str, Node]]:
        """Entries of a ``<<: *anchor`` (or ``<<: [*a, *b]``; earlier sources win)."""
        sources = vnode.value if isinstance(vnode, SequenceNode) and vnode.tag == _SEQ_TAG else [vnode]
        entries: list[tuple[str, Node]] = []
        for source in sources:
            if not isinstance(source, MappingNode):
                raise InputError("a merge key (<<) needs a mapping or a list of mappings", self.where(source, path))
            built = self.build(source, path)
            entries.extend((k, v) for k, v in built._map.items() if k not in dict(entries))
        return entries


def _tag_error(tag: str, where: Where) -> InputError:
    return InputError(
        f"tag {_show_tag(tag)} is not allowed; only plain text, numbers, true/false, lists and mappings",
        where,
    )


def parse_yaml(text: str, file: Path | str | None = None, *, line_offset: int = 0) -> Node:
    """Parse one YAML document into a `Node` tree. `line_offset` is added to reported lines (for
    YAML embedded further down a file, e.g. front matter). Raises `InputError` for malformed YAML,
    disallowed tags, duplicate or non-text keys and an empty document."""
    _import_yaml()
    try:
        root = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        line = mark.line + 1 + line_offset if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        raise InputError(f"malformed YAML: {_one_line(problem)}", Where(file, line, column)) from None
    except yaml.reader.ReaderError as exc:
        line, column = _line_col(text, exc.position)
        raise InputError(
            f"malformed YAML: character U+{exc.character:04X} is not allowed ({exc.reason})",
            Where(file, line + line_offset, column),
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {_one_line(exc)}", Where(file)) from None
    except RecursionError:
        raise InputError("malformed YAML: nested too deeply", Where(file)) from None
    if root is None:
        raise InputError("the file is empty; expected YAML key: value entries", Where(file, 1 + line_offset, 1))
    try:
        return _Builder(file, line_offset).build(root, "")
    except RecursionError:
        raise InputError("the YAML is nested too deeply", Where(file)) from None


def _line_col(text: str, position: int) -> tuple[int, int]:
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    return line, column


def load_yaml_file(path: Path | str, *, what: str = "file", shown_as: Path | str | None = None) -> Node:
    """Read a UTF-8 YAML file (a BOM is allowed). `what` names the file in "not found" messages
    (``layout file``); `shown_as` is the name used in messages (default: `path` as given)."""
    shown = shown_as if shown_as is not None else path
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found: {path}", Where(shown)) from None
    except IsADirectoryError:
        raise InputError(f"{what} is a directory, not a file: {path}", Where(shown)) from None
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {what} {path}: {_one_line(exc)}", Where(shown)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02X} cannot be decoded); save it as UTF-8",
            Where(shown, line, column),
        ) from None
    return parse_yaml(text, shown)
