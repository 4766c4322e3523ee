"""Safe YAML reading that keeps positions.

`parse_yaml` / `parse_text_yaml` build a tree of `Node`s straight from PyYAML's parser events, so
nothing but plain data is ever constructed, no anchors, aliases or tags are accepted and every
value remembers its file, line, column and key path (``pages[0].regions[1].columns``). `Node` has a
small typed accessor API; every mistake is raised as an `InputError` pointing at the value (or at
the key, when the key itself is wrong).

Classes and functions:

- `Node`: one mapping, sequence or scalar, with `.where`, `.key_where`, `.value` (plain Python),
  `.get`, `.require`, `.items`, `.check_keys`, `.as_str`, `.as_int`, `.as_number`, `.as_bool`,
  `.as_list`, `.as_choice` and `.error`.
- `parse_yaml(text, file)`: a layout or edition file → root `Node`, scalars typed.
- `parse_text_yaml(text, file)`: text written by authors (an article's front matter) → root
  `Node` or None, every scalar the text as written (``NO`` stays ``NO``, ``1.10`` stays ``1.10``).
- `did_you_mean(word, choices)`: the " did you mean 'x'?" fragment of messages.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from paiban.errors import InputError, Where
from paiban.i18n import N_, _

#: PyYAML, imported by the first parse (a run that reads no YAML needs none); `_COMPOSER` is
#: libyaml's safe loader when PyYAML was built with it (about 5 times faster, the same events),
#: else PyYAML's own
yaml: Any = None
ScalarNode: Any = None
_COMPOSER: Any = None


def _import_yaml() -> None:
    global yaml, ScalarNode, _COMPOSER
    if yaml is None:
        import yaml as pyyaml

        ScalarNode = pyyaml.nodes.ScalarNode
        _COMPOSER = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
        yaml = pyyaml

__all__ = ["Node", "parse_yaml", "parse_text_yaml", "did_you_mean", "describe", "join_path"]

_STD = "tag:yaml.org,2002:"
#: Most values in one document.
MAX_NODES = 100_000
#: Deepest nesting accepted by default (mappings and lists inside each other).
MAX_DEPTH = 20
#: Longest source text of a value quoted in a message (a longer one is cut, with its length).
SHOWN_CHARS = 40
#: Largest magnitude accepted by `Node.as_number` / `Node.as_int` unless a tighter bound is given.
MAX_MAGNITUDE = 1e9


def _show_tag(tag: str) -> str:
    return "!!" + tag[len(_STD) :] if tag.startswith(_STD) else tag


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _clip(text: str, limit: int = SHOWN_CHARS) -> str:
    """`text` as quoted in a message: a long one cut, with its length (a 100,000-digit number
    must not become a 100,000-character message)."""
    text = str(text)
    if len(text) <= limit:
        return repr(text)
    return _("{text}… ({count:,} characters)").format(text=repr(text[: limit - 3]), count=len(text))


def _number(value: Any) -> str:
    """A number as shown in a message (a very long one cut, with its length)."""
    text = repr(value)
    if len(text) <= SHOWN_CHARS:
        return text
    return _("{text}… ({count:,} digits)").format(text=text[: SHOWN_CHARS - 3], count=len(text))


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
    return _(" did you mean '{word}'?").format(word=close[0]) if close else ""


def describe(value: Any) -> str:
    """A short description of a plain value for messages: ``'abc' (text)``, ``a list``."""
    if value is None:
        return _("nothing (null)")
    if isinstance(value, bool):
        return _("{value} (yes/no)").format(value="true" if value else "false")
    if isinstance(value, (int, float)):
        return _("{value} (a number)").format(value=_number(value))
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("{value} (text)").format(value=repr(shown))
    if isinstance(value, dict):
        return _("a mapping (key: value entries)")
    if isinstance(value, list):
        return _("a list")
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

    def as_mapping(self, what: str = N_("a mapping (key: value entries)")) -> Node:
        if self.kind != "mapping":
            raise self.error(_("expected {what}, got {value}").format(what=_(what), value=describe(self.value)))
        return self

    def get(self, key: str) -> Node | None:
        """The value under `key`, or None when absent. Raises unless this is a mapping."""
        return self.as_mapping()._map.get(key)

    def require(self, key: str) -> Node:
        """The value under `key`; a missing key is an error at this mapping."""
        node = self.get(key)
        if node is None:
            raise self.error(_("required key is missing"), key=self._child_path(key))
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
                raise node.error(_("unknown key {key!r};{hint} allowed keys here: {listed}").format(
                    key=key, hint=hint, listed=listed), at_key=True)
        for key in required:
            self.require(key)
        return self

    # ---- sequences -----------------------------------------------------------------------------

    def as_list(self, what: str = N_("a list")) -> list[Node]:
        if self.kind != "sequence":
            raise self.error(_("expected {what}, got {value}").format(what=_(what), value=describe(self.value)))
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
            hint = _("; put it in quotes") if self.kind == "scalar" and value is not None else ""
            raise self.error(_("expected text, got {value}{hint}").format(value=describe(value), hint=hint))
        if not allow_empty and not value.strip():
            raise self.error(_("must not be empty"))
        return value

    def as_bool(self) -> bool:
        value = self.value
        if not isinstance(value, bool):
            raise self.error(_("expected true or false, got {value}").format(value=describe(value)))
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
            raise self.error(_("expected a number, got {value}").format(value=describe(value)))
        try:
            number = float(value)
        except OverflowError:
            raise self.error(_("the number {value} is too large").format(value=_number(value))) from None
        if not math.isfinite(number) or abs(number) > MAX_MAGNITUDE:
            raise self.error(_("the number {value} is too large").format(value=_number(value)))
        _check_range(self, number, value, minimum, maximum, above)
        return number

    def as_int(self, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(_("expected a whole number, got {value}").format(value=describe(value)))
        if abs(value) > MAX_MAGNITUDE:
            raise self.error(_("the number {value} is too large").format(value=_number(value)))
        _check_range(self, value, value, minimum, maximum, None)
        return value

    def as_choice(self, choices: Sequence[str], what: str = N_("value")) -> str:
        """One of `choices` (text); the message lists them and suggests the closest."""
        value = self.value
        if isinstance(value, str) and value in choices:
            return value
        listed = ", ".join(choices)
        hint = did_you_mean(value, choices) if isinstance(value, str) else ""
        raise self.error(_("{value} is not a {what};{hint} use one of: {listed}").format(
            value=describe(value), what=_(what), hint=hint, listed=listed))


def _check_range(
    node: Node,
    number: float,
    shown: Any,
    minimum: float | None,
    maximum: float | None,
    above: float | None,
) -> None:
    if minimum is not None and number < minimum:
        raise node.error(_("must be at least {minimum:g}, got {shown}").format(minimum=minimum, shown=shown))
    if above is not None and number <= above:
        raise node.error(_("must be greater than {above:g}, got {shown}").format(above=above, shown=shown))
    if maximum is not None and number > maximum:
        raise node.error(_("must be at most {maximum:g}, got {shown}").format(maximum=maximum, shown=shown))


# ---- building the tree -------------------------------------------------------------------------


def _malformed(exc: BaseException, text: str, file: Path | str | None, line_offset: int) -> InputError:
    """The `InputError` for a text PyYAML cannot parse."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem:
            problem = f"{exc.problem} ({exc.context})"
        line = mark.line + 1 + line_offset if mark is not None else None
        column = mark.column + 1 if mark is not None else None
        return InputError(_("malformed YAML: {detail}").format(detail=_one_line(problem)), Where(file, line, column))
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line, column = before.count("\n") + 1, exc.position - before.rfind("\n")
        return InputError(
            _("malformed YAML: character U+{character:04X} is not allowed ({reason})").format(
                character=exc.character, reason=exc.reason),
            Where(file, line + line_offset, column),
        )
    return InputError(_("malformed YAML: {detail}").format(detail=_one_line(exc)), Where(file))


def parse_yaml(text: str, file: Path | str | None = None, *, line_offset: int = 0,
               max_depth: int = MAX_DEPTH) -> Node:
    """Parse one YAML document (a layout, an edition file) into a `Node` tree; an empty document
    is an error. Scalars are typed as YAML's safe loader types them (``12`` a number, ``true`` a
    yes/no, ``2024-01-05`` a date); otherwise the rules of `parse_text_yaml`."""
    root = _parse(text, file, line_offset, max_depth, True)
    if root is None:
        raise InputError(_("the file is empty; expected YAML key: value entries"), Where(file, 1 + line_offset, 1))
    return root


def parse_text_yaml(text: str, file: Path | str | None = None, *, line_offset: int = 0,
                    max_depth: int = MAX_DEPTH) -> Node | None:
    """Parse one YAML document written as text (an article's front matter) into a `Node` tree in
    which every scalar is the text as written, after YAML's quoting (``NO``, ``1.10``,
    ``2024-13-45`` and ``0x1F`` stay text; an empty value is ``""``); None for an empty document.
    `line_offset` is added to reported lines (the front matter starts on line 2 of its file)."""
    return _parse(text, file, line_offset, max_depth, False)


def _parse(text: str, file: Path | str | None, line_offset: int, max_depth: int, typed: bool) -> Node | None:
    """Both readers: no anchors (``&a``), aliases (``*a``) or tags (``!!set``, ``!!python/…``, even
    ``!!str``); mappings and lists at most `max_depth` deep; keys are text; no key twice. The text
    is read event by event and refused at its first offending event, so an alias bomb or a
    20,000-deep nesting costs no more than its first few lines. Raises `InputError`."""
    _import_yaml()
    builder = _Builder(file, line_offset, max_depth, typed)
    events = yaml.parse(text, Loader=_COMPOSER)
    try:
        for event in events:
            builder.feed(event)
    except (yaml.YAMLError, RecursionError) as exc:
        raise _malformed(exc, text, file, line_offset) from None
    finally:
        events.close()
    return builder.root


class _Builder:
    """Builds the `Node` tree from parser events, without recursion."""

    def __init__(self, file: Path | str | None, line_offset: int, max_depth: int, typed: bool) -> None:
        self.file = file
        self.line_offset = line_offset
        self.max_depth = max_depth
        #: a safe loader to resolve and construct typed scalars; None for text as written
        self.loader = yaml.SafeLoader("") if typed else None
        self.root: Node | None = None
        self.documents = 0
        self.count = 0
        #: the open mappings and lists, innermost last, each with the key waiting for its value
        self.stack: list[list[Any]] = []  # [node, (key, key_where) | None]

    def where(self, event: Any, path: str) -> Where:
        mark = event.start_mark
        return Where(self.file, mark.line + 1 + self.line_offset, mark.column + 1, path or None)

    def refuse_extras(self, event: Any, where: Where, what: str = N_("value")) -> None:
        if isinstance(event, yaml.AliasEvent) or event.anchor is not None:
            sign = _("alias *") if isinstance(event, yaml.AliasEvent) else _("anchor &")
            raise InputError(_("{sign}{name} is not allowed here: no anchors (&) or aliases (*); write each "
                               "{what} out").format(sign=sign, name=_one_line(event.anchor)[:40], what=_(what)), where)
        if event.tag is not None:
            raise InputError(_("tag {tag} is not allowed here: no tags, anchors or aliases").format(
                tag=_show_tag(_one_line(event.tag)[:60])), where)

    def tag(self, event: Any) -> str:
        """A scalar's tag, resolved as YAML's safe loader does (always text when not `typed`)."""
        return self.loader.resolve(ScalarNode, event.value, event.implicit) if self.loader else _STD + "str"

    def scalar(self, event: Any, where: Where) -> Any:
        tag = self.tag(event)
        if tag == _STD + "str":
            return event.value
        try:
            return self.loader.construct_object(ScalarNode(tag, event.value, event.start_mark), deep=True)
        except Exception as exc:  # e.g. a date 2024-13-45
            raise InputError(_("cannot read {value} as {tag} ({detail})").format(
                value=_clip(event.value), tag=_show_tag(tag), detail=_one_line(exc)[:200]),
                             where) from None

    def feed(self, event: Any) -> None:
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            return
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                raise InputError(_("a second YAML document (a --- line); expected one"), self.where(event, ""))
            return
        if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            self.stack.pop()
            return
        top = self.stack[-1] if self.stack else None
        if top is not None and top[0].kind == "mapping" and top[1] is None:
            self.key(event, top)
            return
        key, key_where = None, None
        if top is None:
            path = ""
        elif top[0].kind == "sequence":
            path = join_path(top[0].path, len(top[0]._items))
        else:
            (key, key_where), top[1] = top[1], None
            path = key_where.key or ""
        where = self.where(event, path)
        self.refuse_extras(event, where)
        self.count += 1
        if self.count > MAX_NODES:
            raise InputError(_("more than {max_nodes} values").format(max_nodes=MAX_NODES), where)
        if isinstance(event, yaml.ScalarEvent):
            node = Node("scalar", where, key_where)
            node.raw = event.value
            node._scalar = self.scalar(event, where)
        else:
            if len(self.stack) >= self.max_depth:
                raise InputError(_("nested more than {max_depth} levels deep").format(max_depth=self.max_depth), where)
            node = Node("mapping" if isinstance(event, yaml.MappingStartEvent) else "sequence", where, key_where)
        if top is None:
            self.root = node
        else:
            top[0]._items.append(node)
            if key is not None:
                top[0]._map[key] = node
        if not isinstance(event, yaml.ScalarEvent):
            self.stack.append([node, None])

    def key(self, event: Any, top: list[Any]) -> None:
        mapping: Node = top[0]
        where = self.where(event, mapping.path)
        if not isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent)):
            kind = _("a list") if isinstance(event, yaml.SequenceStartEvent) else _("a mapping")
            raise InputError(_("a key must be text, got {kind}").format(kind=kind), where)
        key = event.value if isinstance(event, yaml.ScalarEvent) else ""
        kwhere = Where(where.file, where.line, where.column, join_path(mapping.path, key))
        self.refuse_extras(event, where if isinstance(event, yaml.AliasEvent) else kwhere, N_("key"))
        tag = self.tag(event)
        if tag not in (_STD + "str", _STD + "int", _STD + "merge"):  # numbers as keys: page numbers
            raise InputError(_("a key must be text, got {key!r} ({tag}); put it in quotes").format(
                key=key or 'null', tag=_show_tag(tag)[2:]),
                             where)
        first = mapping._map.get(key)
        if first is not None:
            line = first.key_where.line if first.key_where is not None else first.where.line
            raise InputError(_one_line(_("duplicate key {key} (first given on line {line})").format(
                key=_clip(key), line=line)), kwhere)
        top[1] = (key, kwhere)
