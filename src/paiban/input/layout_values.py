"""Reading the values of a layout (or an edition file) with their positions, and the files it names.

* `ValueReader`: lengths, type sizes, line pitches and names, each problem an `InputError` at the
  value; and the files the layout names, which must lie in its project folder. The layout
  loader reads with one; an edition file reads its styles with one too.
* The project folder: `caller_root` (the root a caller gives) and `resolve_root` (a file's
  `root:` and `allow_outside_root:` keys).
* `file_in` and `picture_in`: a named file (or a picture, decoded once) checked as
  input/input_files.py checks files; `read_limits`: the `limits:` mapping.
* `opt` and `shown_value`: a key's value or a default, and a value as messages quote it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from paiban.errors import InputError, Where
from paiban.i18n import N_, _
from paiban.input.input_files import (FileProblem, check_picture, format_bytes, format_pixels, inside,
                                      regular_file_size)
from paiban.input.layout_keys import LIMIT_KEYS, LIMITS
from paiban.input.yaml_source import Node
from paiban.model.spec import Limits
from paiban.units import HAO_SIZES_PT, PT_PER_MM, parse_length, parse_type_size

__all__ = ["MAX_LENGTH_PT", "ValueReader", "caller_root", "file_in", "opt", "picture_in", "read_limits",
           "resolve_root", "shown_value"]
#: unit → (suffixes and their factors, what a value may look like, how a value is shown)
_AMOUNT_UNITS: dict[str, tuple[dict[str, int], str, Callable[[int], str]]] = {
    "bytes": ({"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30},
              N_("a number of bytes or a size such as 512KB or 2MB"), format_bytes),
    "pixels": ({"": 1, "px": 1, "pixels": 1, "mp": 1_000_000},
               N_("a number of pixels or megapixels such as 64MP"), format_pixels),
}
_AMOUNT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")

#: Sanity bound on a length (anything beyond is surely a typo).
MAX_LENGTH_PT = 10_000 * PT_PER_MM  # 10 m


def caller_root(root: Path | None, path: Path, what: str, root_source: str) -> Path | None:
    """The caller's `root` resolved (None for none), with the `what` file at `path` inside it."""
    if root is None:
        return None
    where = Where(path)
    try:
        caller = Path(root).expanduser().resolve()
        is_dir = caller.is_dir()
    except (OSError, RuntimeError, ValueError):
        raise InputError(_("the root {root} is not a usable path").format(root=root), where) from None
    if not is_dir:
        raise InputError(_("the root {root} is not a folder").format(root=root), where)
    if not inside(path.resolve(), caller):
        raise InputError(_("the {what} is outside {caller}, {root_source}").format(
            what=_(what), caller=caller, root_source=_(root_source)), where)
    return caller


def resolve_root(base: Path, root_node: Node | None, allow_node: Node | None, caller: Path | None,
                 root_source: str, what: str) -> Path | None:
    """The folder the files of a layout or edition file must lie in (None: anywhere), from its
    `root:` (relative to `base`, the file's folder) and `allow_outside_root:` keys and the
    caller's resolved root. `what` is ``layout`` or ``edition file``."""
    allow = allow_node.as_bool() if allow_node is not None else False
    if allow and caller is not None:
        raise allow_node.error(_("this build is confined to {caller} ({root_source}); a {what} cannot lift "
                                 "that").format(
            caller=caller, root_source=_(root_source), what=_(what)))
    project = caller if caller is not None else base.resolve()
    if root_node is not None:
        text = root_node.as_str().strip()
        try:
            target = _resolved(text, base)
            is_dir = target.is_dir()
        except (OSError, RuntimeError, ValueError):
            raise root_node.error(_("root {text!r} is not a usable path").format(text=text)) from None
        if not is_dir:
            raise root_node.error(_("root {text} is not a folder (looked for {target}; relative to the {what}'s "
                                    "folder)").format(text=text, target=target, what=_(what)))
        if caller is not None and not inside(target, caller):
            raise root_node.error(_("root {text} ({target}) is outside {caller} ({root_source})").format(
                text=text, target=target, caller=caller, root_source=_(root_source)))
        project = target
    return None if allow else project


def read_limits(node: Node | None) -> dict[str, int]:
    """The `limits:` mapping of a layout or an edition file: the `Limits` fields it gives."""
    if node is None or node.is_null:
        return {}
    node.as_mapping(_("a mapping of limits ({keys})").format(keys=", ".join(LIMIT_KEYS)))
    node.check_keys(LIMITS)
    return {key: _amount(item, *LIMIT_KEYS[key]) for key, item in node.items()}


def _amount(node: Node, unit: str, smallest: int, largest: int) -> int:
    """A whole number of `unit`; a size may be written with KB, MB or GB (1 KB = 1024 bytes), a
    number of pixels with MP (1 MP = 1,000,000 pixels)."""
    units, examples, shown = _AMOUNT_UNITS.get(unit, ({"": 1}, N_("a whole number"), lambda n: f"{n:,}"))
    value = node.value
    match = _AMOUNT.fullmatch(value) if isinstance(value, str) else None
    if match is not None and match[2].lower() in units:
        amount = float(match[1]) * units[match[2].lower()]
        amount = int(amount) if math.isfinite(amount) else amount
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = node.as_number()
        if not amount.is_integer():
            raise node.error(_("expected a whole number of {unit}, got {value}").format(
                unit=_(unit), value=shown_value(node)))
    else:
        raise node.error(_("expected {examples}, got {value}").format(examples=_(examples), value=shown_value(node)))
    if not math.isfinite(amount) or not smallest <= amount <= largest:
        raise node.error(_("must be between {smallest} and {largest}, got {value}").format(
            smallest=shown(smallest), largest=shown(largest), value=shown_value(node)))
    return int(amount)


def _resolved(text: str, base: Path) -> Path:
    """The path `text` (``~`` expanded) relative to `base`, symlinks resolved."""
    target = Path(text).expanduser()
    return (target if target.is_absolute() else base / target).resolve()


def file_in(node: Node, base: Path, project: Path | None, what: str, kind: str, limit: int | None = None,
            limit_name: str | None = None, *, strip: bool = False) -> Path:
    """The path `node` gives, relative to `base` (the folder of its `kind` of file: ``layout``,
    ``edition file``), which must name an existing regular file inside `project` (symlinks
    resolved first; None: anywhere) of at most `limit` bytes. `strip`: the text stripped first."""
    what = _(what)  # a caller's N_() text, or one it translated already
    text = node.as_str().strip() if strip else node.as_str()
    try:
        target = _resolved(text, base)
    except (OSError, ValueError, RuntimeError):
        raise node.error(_("{what} {text!r} is not a usable path").format(what=what, text=text)) from None
    if project is not None and not inside(target, project):
        raise node.error(_("{what} {text} is outside the project folder {project} (it resolves to "
                           "{target}); set root: to the project folder, or allow_outside_root: true").format(
                               what=what, text=text, project=project, target=target))
    try:
        regular_file_size(target, f"{what} {text}", limit, limit_name)
    except FileNotFoundError:
        raise node.error(_("{what} not found: {text} (looked for {target}; paths are relative to the "
                           "{kind}'s folder)").format(
                               what=what, text=text, target=target, kind=_(kind))) from None  # fmt: skip
    except FileProblem as exc:
        raise node.error(str(exc)) from None
    except (OSError, ValueError):
        raise node.error(_("{what} {text!r} is not a usable path").format(what=what, text=text)) from None
    return target


def picture_in(node: Node, base: Path, project: Path | None, what: str, kind: str, limits: Limits, *,
               strip: bool = False) -> tuple[Path, tuple[int, int]]:
    """A JPEG or PNG file (as `file_in`) within the picture `limits`, decoded once: its path and
    size in pixels; every problem an input error at `node`."""
    what = _(what)
    path = file_in(node, base, project, what, kind, limits.picture_memory, "limits.picture_memory", strip=strip)
    try:
        size = check_picture(path, limits.picture_pixels, limits.picture_memory, what=f"{what} {path.name}")[1]
    except FileNotFoundError:
        raise node.error(_("{what} not found: {text} (looked for {path})").format(
            what=what, text=node.as_str(), path=path)) from None
    except FileProblem as exc:
        raise node.error(str(exc)) from None
    return path, size


class ValueReader:
    """Reads the values of the file at `path` with positions: lengths, type sizes and pitches
    (the same checks and messages in a layout and in an edition's styles), and the files it
    names, relative to its folder and inside `project` within `limits` (the layout loader sets
    both once it has read the `root:` and `limits:` keys)."""

    def __init__(self, path: Path, caller_root: Path | None = None) -> None:
        self.path = path
        self.base = path.absolute().parent
        #: the folder every named file must resolve into; None: anywhere (allow_outside_root)
        self.project: Path | None = caller_root if caller_root is not None else self.base.resolve()
        self.limits = Limits()

    def length(self, node: Node, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        """A length: a number is mm, text may carry mm/pt/cm/in."""
        try:
            value = parse_length(node.value, default_unit="mm")
        except (ValueError, OverflowError):
            raise node.error(_("expected a length such as 12mm or 9pt (a plain number is mm), got {value}").format(
                value=shown_value(node))) from None  # fmt: skip
        return self._check_length(node, value, minimum=minimum, positive=positive)

    def _check_length(self, node: Node, value: float, *, minimum: float | None, positive: bool) -> float:
        if not math.isfinite(value) or abs(value) > MAX_LENGTH_PT:
            raise node.error(_("the length {value} is too large").format(value=shown_value(node)))
        if positive and value <= 0:
            raise node.error(_("must be greater than zero, got {value}").format(value=shown_value(node)))
        if minimum is not None and value < minimum:
            raise node.error(_("must not be negative, got {value}").format(value=shown_value(node)))
        return value

    def type_size(self, node: Node) -> float:
        try:
            value = parse_type_size(node.value)
        except (ValueError, OverflowError):
            names = "、".join(HAO_SIZES_PT)
            raise node.error(_("expected a type size: a 号 name ({names}) or points (9, 9pt), got {value}").format(
                names=names, value=shown_value(node))) from None  # fmt: skip
        return self._check_length(node, value, minimum=None, positive=True)

    def pitch(self, node: Node, size: float) -> float:
        """A line pitch / leading: a number is a multiple of `size`, text a length with a unit."""
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return node.as_number(above=0, maximum=100) * size
        if isinstance(value, str):
            stripped = value.strip()
            if stripped and stripped[-1].isalpha():
                return self.length(node, positive=True)
        raise node.error(_("expected a multiple of the type size (1.5) or a length with a unit (14pt, 5mm), "
                           "got {value}").format(value=shown_value(node)))  # fmt: skip

    def file_path(self, node: Node, what: str, limit: int | None = None, limit_name: str | None = None) -> Path:
        return file_in(node, self.base, self.project, what, N_("layout"), limit, limit_name)

    def picture(self, node: Node, what: str) -> tuple[Path, tuple[int, int]]:
        return picture_in(node, self.base, self.project, what, N_("layout"), self.limits)

    def name(self, node: Node) -> str:
        return node.as_str().strip()


def opt(node: Node, key: str, read: Callable[[Node], Any], default: Any) -> Any:
    """`read` of the value at `key` of the mapping `node`, or `default` when the key is not given."""
    item = node.get(key)
    return read(item) if item is not None else default


def shown_value(node: Node) -> str:
    value = node.value
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if value is None:
        return "nothing (null)"
    return str(value).lower() if isinstance(value, bool) else str(value)
