"""Load a layout YAML file into `paiban.model.spec.Layout`, validating everything.

The schema is documented for users in docs/layout-spec.md. Every problem is raised as one
`InputError` naming the file, line, column and key path of the offending value; the first problem
found stops loading. Paths inside the layout (articles, pictures, font files, the font roles file)
are relative to the layout file's directory.

Every file the layout names must be a regular file (never a FIFO, a device or a directory) and
must resolve, symlinks followed, inside the project folder: the layout's folder, the folder its
`root:` key names, or the root the caller gives (`load_layout(root=…)`, an edition's root); the
layout may lift this with `allow_outside_root: true` unless the caller gave a root. Articles and
pictures are checked against the `limits:` (`paiban.model.spec.Limits`; a caller's limits, an
edition's, replace the layout's key by key); every picture is decoded in full once here. The file
checks themselves are in input/input_files.py.

Text styles are read by input/text_styles.py, edition variables by input/edition_variables.py.
"""

from __future__ import annotations


import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from paiban.errors import InputError, Where
from paiban.input.input_files import (MAX_YAML_BYTES, FileProblem, check_picture, format_bytes, format_pixels,
                                      inside, read_input_text, regular_file_size)
from paiban.input.yaml_source import Node, did_you_mean, parse_yaml
from paiban.model.spec import (
    Press,
    Grid,
    JumpTemplates,
    Box,
    Edition,
    Layout,
    Limits,
    PageGeometry,
    Picture,
    Region,
    RegionKind,
    StorySpec,
    TextStyle,
)
from paiban.input.edition_variables import MAX_PAGE, edition_variables
from paiban.input.press_settings import read_press
from paiban.input.text_styles import DEFAULT_STYLES, STYLE_KEYS, load_style
from paiban.units import HAO_SIZES_PT, PAGE_SIZES_MM, PT_PER_MM, parse_length, parse_type_size

__all__ = ["load_layout", "read_limits", "resolve_root", "DEFAULT_STYLES", "LIMIT_KEYS", "STYLE_ROLES"]


#: Story `styles:` keys → StorySpec field.
STYLE_ROLES: dict[str, str] = {
    "body": "body_style",
    "subhead": "subhead_style",
    "byline": "byline_style",
    "headline": "headline_style",
    "kicker": "kicker_style",
    "subtitle": "subtitle_style",
    "continued": "continued_style",
    "dateline": "dateline_style",
}

TOP_KEYS = ("title", "fonts", "page", "grid", "jumps", "font_files", "styles", "pages", "stories", "edition",
            "preflight", "limits", "root", "allow_outside_root", "press")
PAGE_KEYS = ("size", "margins")
MARGIN_KEYS = ("top", "bottom", "left", "running_head")
GRID_KEYS = ("body_size", "columns", "column_chars", "gutter_chars", "line_pitch", "rows")
JUMP_KEYS = ("to_page", "from_page")
PAGE_ENTRY_KEYS = ("page", "regions")
REGION_KEYS = ("name", "kind", "columns", "lines", "text_columns", "gutter_chars", "image", "caption",
               "caption_style", "fit", "focus", "box", "column_rules", "rule_below")
BOX_KEYS = ("padding", "stroke", "tint")
PICTURE_FITS = ("fill", "fit", "contain")  # how a picture takes its region (`Picture.fit`)
PREFLIGHT_KEYS = ("min_dpi", "single_hanzi_lines")
#: how a paragraph left ending on one hanzi is reported (spec.Layout.single_hanzi_lines)
SINGLE_HANZI_LEVELS = ("warn", "error")
STORY_FLAGS = ("balance", "keep_subhead_with_next", "no_lone_first_line", "repeat_headline")
STORY_KEYS = ("name", "article", "headline", "thread", "rank", "kicker", "subtitle", "styles") + STORY_FLAGS
#: A story's `rank` → the prefix of its headline styles (lead-headline, brief-kicker …): sizes
#: and weights fall with the rank (头条, secondary story, brief); `styles:` overrides any of them.
RANKS = {"lead": "lead-", "secondary": "", "brief": "brief-"}
RANKED_ROLES = ("headline", "kicker", "subtitle")
FONT_FILE_KEYS = ("file", "face")
#: `limits:` keys (the `Limits` fields) → (unit, smallest, largest)
LIMIT_KEYS: dict[str, tuple[str, int, int]] = {
    "article_size": ("bytes", 1, 1 << 30),
    "paragraph_chars": ("characters", 1, 10_000_000),
    "picture_pixels": ("pixels", 1, 178_000_000),  # Pillow (which embeds pictures) refuses 179 MP and more
    "picture_memory": ("bytes", 1 << 10, 4 << 30),
}
#: unit → (suffixes and their factors, what a value may look like, how a value is shown)
_AMOUNT_UNITS: dict[str, tuple[dict[str, int], str, Callable[[int], str]]] = {
    "bytes": ({"": 1, "b": 1, "byte": 1, "bytes": 1, "kb": 1 << 10, "mb": 1 << 20, "gb": 1 << 30},
              "a number of bytes or a size such as 512KB or 2MB", format_bytes),
    "pixels": ({"": 1, "px": 1, "pixels": 1, "mp": 1_000_000},
               "a number of pixels or megapixels such as 64MP", format_pixels),
}
_AMOUNT = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*")

DEFAULT_MARGINS_MM = {"top": 30.0, "bottom": 20.0}
#: Sanity bounds (anything beyond is surely a typo).
MAX_LENGTH_PT = 10_000 * PT_PER_MM  # 10 m
MAX_COLUMNS = 100
MAX_CHARS = 1000
MAX_ROWS = 10_000
#: A text column must hold at least this many characters of the body size.
MIN_MEASURE_CHARS = 2
_EPS = 1e-6


#: (roles file or None for the default, font_files overrides) → the font roles they resolve
FontRoles = Callable[[Path | None, dict[str, tuple[Path, int]]], Collection[str]]


def load_layout(path: Path, known_roles: Collection[str] | None = None, font_roles: FontRoles | None = None,
                *, root: Path | None = None, limits: Mapping[str, int] | None = None,
                root_source: str = "the build's root") -> Layout:
    """Read and validate the layout YAML at `path`.

    `known_roles`: the font role names that can be resolved; when given, every `font:` in
    `styles` must be one of them or a role given in `font_files`. `font_roles`: where they come
    from instead, asked once the layout's `fonts` (roles file) and `font_files` are read (the
    driver loads the font registry there, so the layout is read once).

    `root`: the folder every file must lie in (the layout file too), given by the caller; the
    layout's `root:` may narrow it, never leave it, and `allow_outside_root` is then refused.
    None: the layout's own folder (or its `root:`). `root_source` names where `root` comes from
    in messages. `limits`: `Limits` fields that replace the layout's own `limits:` (an
    edition's).
    """
    path = Path(path)
    caller = caller_root(root, path, "layout file", root_source)
    tree = parse_yaml(read_input_text(path, MAX_YAML_BYTES, "layout file"), path)
    return _Loader(path, tree, known_roles, font_roles, caller, dict(limits or {}), root_source).load()


def caller_root(root: Path | None, path: Path, what: str, root_source: str) -> Path | None:
    """The caller's `root` resolved (None for none), with the `what` file at `path` inside it."""
    if root is None:
        return None
    where = Where(path)
    try:
        caller = Path(root).expanduser().resolve()
        is_dir = caller.is_dir()
    except (OSError, RuntimeError, ValueError):
        raise InputError(f"the root {root} is not a usable path", where) from None
    if not is_dir:
        raise InputError(f"the root {root} is not a folder", where)
    if not inside(path.resolve(), caller):
        raise InputError(f"the {what} is outside {caller}, {root_source}", where)
    return caller


def resolve_root(base: Path, root_node: Node | None, allow_node: Node | None, caller: Path | None,
                 root_source: str, what: str) -> Path | None:
    """The folder the files of a layout or edition file must lie in (None: anywhere), from its
    `root:` (relative to `base`, the file's folder) and `allow_outside_root:` keys and the
    caller's resolved root. `what` is ``layout`` or ``edition file``."""
    allow = allow_node.as_bool() if allow_node is not None else False
    if allow and caller is not None:
        raise allow_node.error(f"this build is confined to {caller} ({root_source}); a {what} cannot lift that")
    project = caller if caller is not None else base.resolve()
    if root_node is not None:
        text = root_node.as_str().strip()
        try:
            target = _resolved(text, base)
            is_dir = target.is_dir()
        except (OSError, RuntimeError, ValueError):
            raise root_node.error(f"root {text!r} is not a usable path") from None
        if not is_dir:
            raise root_node.error(f"root {text} is not a folder (looked for {target}; relative to the {what}'s "
                                  "folder)")
        if caller is not None and not inside(target, caller):
            raise root_node.error(f"root {text} ({target}) is outside {caller} ({root_source})")
        project = target
    return None if allow else project


def read_limits(node: Node | None) -> dict[str, int]:
    """The `limits:` mapping of a layout or an edition file: the `Limits` fields it gives."""
    if node is None or node.is_null:
        return {}
    node.as_mapping(f"a mapping of limits ({', '.join(LIMIT_KEYS)})")
    node.check_keys(tuple(LIMIT_KEYS))
    return {key: _amount(item, *LIMIT_KEYS[key]) for key, item in node.items()}


def _amount(node: Node, unit: str, smallest: int, largest: int) -> int:
    """A whole number of `unit`; a size may be written with KB, MB or GB (1 KB = 1024 bytes), a
    number of pixels with MP (1 MP = 1,000,000 pixels)."""
    units, examples, shown = _AMOUNT_UNITS.get(unit, ({"": 1}, "a whole number", lambda n: f"{n:,}"))
    value = node.value
    match = _AMOUNT.fullmatch(value) if isinstance(value, str) else None
    if match is not None and match[2].lower() in units:
        amount = float(match[1]) * units[match[2].lower()]
        amount = int(amount) if math.isfinite(amount) else amount
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        amount = node.as_number()
        if not amount.is_integer():
            raise node.error(f"expected a whole number of {unit}, got {_shown(node)}")
    else:
        raise node.error(f"expected {examples}, got {_shown(node)}")
    if not math.isfinite(amount) or not smallest <= amount <= largest:
        raise node.error(f"must be between {shown(smallest)} and {shown(largest)}, got {_shown(node)}")
    return int(amount)


def _resolved(text: str, base: Path) -> Path:
    """The path `text` (``~`` expanded) relative to `base`, symlinks resolved."""
    target = Path(text).expanduser()
    return (target if target.is_absolute() else base / target).resolve()


def _mm(points: float) -> str:
    return f"{points / PT_PER_MM:.1f} mm"


def _pt(points: float) -> str:
    return f"{points:g}pt"


@dataclass
class _Box:
    """A region's rectangle while checking overlaps."""

    name: str
    node: Node
    columns: tuple[int, int]
    lines: tuple[int, int]


def file_in(node: Node, base: Path, project: Path | None, what: str, kind: str, limit: int | None = None,
            limit_name: str | None = None, *, strip: bool = False) -> Path:
    """The path `node` gives, relative to `base` (the folder of its `kind` of file: ``layout``,
    ``edition file``), which must name an existing regular file inside `project` (symlinks
    resolved first; None: anywhere) of at most `limit` bytes. `strip`: the text stripped first."""
    text = node.as_str().strip() if strip else node.as_str()
    try:
        target = _resolved(text, base)
    except (OSError, ValueError, RuntimeError):
        raise node.error(f"{what} {text!r} is not a usable path") from None
    if project is not None and not inside(target, project):
        raise node.error(f"{what} {text} is outside the project folder {project} (it resolves to "
                         f"{target}); set root: to the project folder, or allow_outside_root: true")
    try:
        regular_file_size(target, f"{what} {text}", limit, limit_name)
    except FileNotFoundError:
        raise node.error(f"{what} not found: {text} (looked for {target}; paths are relative to "
                         f"the {kind}'s folder)") from None  # fmt: skip
    except FileProblem as exc:
        raise node.error(str(exc)) from None
    except (OSError, ValueError):
        raise node.error(f"{what} {text!r} is not a usable path") from None
    return target


def picture_in(node: Node, base: Path, project: Path | None, what: str, kind: str, limits: Limits, *,
               strip: bool = False) -> tuple[Path, tuple[int, int]]:
    """A JPEG or PNG file (as `file_in`) within the picture `limits`, decoded once: its path and
    size in pixels; every problem an input error at `node`."""
    path = file_in(node, base, project, what, kind, limits.picture_memory, "limits.picture_memory", strip=strip)
    try:
        _, size = check_picture(path, limits.picture_pixels, limits.picture_memory, what=f"{what} {path.name}")
    except FileNotFoundError:
        raise node.error(f"{what} not found: {node.as_str()} (looked for {path})") from None
    except FileProblem as exc:
        raise node.error(str(exc)) from None
    return path, size


class _Loader:
    def __init__(self, path: Path, root: Node, known_roles: Collection[str] | None,
                 font_roles: FontRoles | None = None, caller_root: Path | None = None,
                 caller_limits: dict[str, int] | None = None, root_source: str = "the build's root") -> None:
        self.path = path
        self.root = root  # the YAML tree
        self.base = path.absolute().parent
        self.known_roles = None if known_roles is None else set(known_roles)
        self.font_roles = font_roles
        self.caller_root = caller_root  # resolved
        self.caller_limits = caller_limits or {}
        self.root_source = root_source
        #: the folder every named file must resolve into; None: anywhere (allow_outside_root)
        self.project: Path | None = caller_root if caller_root is not None else self.base.resolve()
        self.limits = Limits()

    # ---- helpers -------------------------------------------------------------------------------

    def length(self, node: Node, *, minimum: float | None = 0.0, positive: bool = False) -> float:
        """A length: a number is mm, text may carry mm/pt/cm/in."""
        try:
            value = parse_length(node.value, default_unit="mm")
        except (ValueError, OverflowError):
            raise node.error(f"expected a length such as 12mm or 9pt (a plain number is mm), got "
                             f"{_shown(node)}") from None  # fmt: skip
        return self._check_length(node, value, minimum=minimum, positive=positive)

    def _check_length(self, node: Node, value: float, *, minimum: float | None, positive: bool) -> float:
        if not math.isfinite(value) or abs(value) > MAX_LENGTH_PT:
            raise node.error(f"the length {_shown(node)} is too large")
        if positive and value <= 0:
            raise node.error(f"must be greater than zero, got {_shown(node)}")
        if minimum is not None and value < minimum:
            raise node.error(f"must not be negative, got {_shown(node)}")
        return value

    def type_size(self, node: Node) -> float:
        try:
            value = parse_type_size(node.value)
        except (ValueError, OverflowError):
            names = "、".join(HAO_SIZES_PT)
            raise node.error(f"expected a type size: a 号 name ({names}) or points (9, 9pt), "
                             f"got {_shown(node)}") from None  # fmt: skip
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
        raise node.error(f"expected a multiple of the type size (1.5) or a length with a unit (14pt, 5mm), "
                         f"got {_shown(node)}")  # fmt: skip

    def file_path(self, node: Node, what: str, limit: int | None = None, limit_name: str | None = None) -> Path:
        return file_in(node, self.base, self.project, what, "layout", limit, limit_name)

    def picture(self, node: Node, what: str) -> tuple[Path, tuple[int, int]]:
        return picture_in(node, self.base, self.project, what, "layout", self.limits)

    def name(self, node: Node) -> str:
        return node.as_str().strip()

    # ---- sections ------------------------------------------------------------------------------

    def load(self) -> Layout:
        root = self.root.as_mapping("YAML key: value entries at the top level")
        root.check_keys(TOP_KEYS, required=("grid", "pages", "stories"))
        self.project = resolve_root(self.base, root.get("root"), root.get("allow_outside_root"), self.caller_root,
                                    self.root_source, "layout")
        self.limits = replace(Limits(), **{**read_limits(root.get("limits")), **self.caller_limits})
        title = _opt(root, "title", lambda n: n.as_str(coerce=True), self.path.stem)
        width, height, top, bottom, left_node = self.load_page(root.get("page"))
        grid = self.load_grid(root.require("grid"), width, height, top, bottom)
        left = self.place_type_area(grid, width, left_node, root.require("grid"))
        page = PageGeometry(width=width, height=height, margin_top=top, margin_left=left,
                            head_lines=self.head_lines(root.get("page"), grid, top))
        jumps = self.load_jumps(root.get("jumps"))
        overrides = self.load_font_files(root.get("font_files"))
        fonts_node = root.get("fonts")
        roles_file = (self.file_path(fonts_node, "font roles file", MAX_YAML_BYTES) if fonts_node is not None
                      else None)
        if self.font_roles is not None:
            self.known_roles = set(self.font_roles(roles_file, overrides))
        styles = self.load_styles(root.get("styles"), grid, set(overrides))
        pages, regions, region_nodes = self.load_pages(root.require("pages"), grid, page.head_lines)
        stories = self.load_stories(root.require("stories"), styles, regions, region_nodes)
        for name, region in regions.items():
            if region.picture is not None and region.picture.caption_style not in styles:
                at = region_nodes[name].require("caption_style")
                raise at.error(f"unknown style '{region.picture.caption_style}';"
                               f"{did_you_mean(region.picture.caption_style, styles)} styles: {', '.join(styles)}")
        edition = self.load_edition(root.get("edition"))
        min_dpi = _opt(root, "preflight", self.load_min_dpi, 150.0)
        single_hanzi = _opt(root, "preflight", lambda n: _opt(
            n, "single_hanzi_lines", lambda v: v.as_choice(SINGLE_HANZI_LEVELS, "single_hanzi_lines"), "warn"), "warn")
        press = Press(**read_press(root.get("press"), self.file_path))
        return Layout(
            source=self.path.resolve(),
            title=title,
            page=page,
            grid=grid,
            pages=pages,
            styles=styles,
            regions=regions,
            stories=stories,
            jumps=jumps,
            font_overrides=overrides,
            roles_file=roles_file,
            edition=edition,
            min_dpi=min_dpi,
            single_hanzi_lines=single_hanzi,
            limits=self.limits,
            press=press,
        )

    def load_min_dpi(self, node: Node) -> float:
        node.as_mapping("a mapping with min_dpi")
        node.check_keys(PREFLIGHT_KEYS)
        return _opt(node, "min_dpi", lambda n: n.as_number(minimum=1, maximum=10_000), 150.0)

    def load_edition(self, node: Node | None) -> Edition:
        values, sections = edition_variables(node, self.picture)
        if sections:
            values["sections"] = sections
        return Edition(**values)

    def load_page(self, node: Node | None) -> tuple[float, float, float, float, Node | None]:
        width, height = (mm * PT_PER_MM for mm in PAGE_SIZES_MM["broadsheet"])
        top, bottom = (DEFAULT_MARGINS_MM[key] * PT_PER_MM for key in ("top", "bottom"))
        if node is None:
            return width, height, top, bottom, None
        node.check_keys(PAGE_KEYS)
        width, height = _opt(node, "size", self.page_size, (width, height))
        margins = node.get("margins")
        left_node = None
        if margins is not None:
            margins.check_keys(MARGIN_KEYS)
            top = _opt(margins, "top", self.length, top)
            bottom = _opt(margins, "bottom", self.length, bottom)
            left_node = margins.get("left")
            if left_node is not None and left_node.value == "auto":
                left_node = None
        if top + bottom >= height:
            at = margins if margins is not None else node
            raise at.error(f"the top and bottom margins ({_mm(top)} + {_mm(bottom)}) leave no room on a page "
                           f"{_mm(height)} high")  # fmt: skip
        return width, height, top, bottom, left_node

    def page_size(self, node: Node) -> tuple[float, float]:
        if node.is_sequence:
            items = node.as_list()
            if len(items) != 2:
                raise node.error(f"expected [width, height], got a list of {len(items)}")
            return self.length(items[0], positive=True), self.length(items[1], positive=True)
        names = list(PAGE_SIZES_MM)
        key = node.value.strip().lower() if isinstance(node.value, str) else None
        if key in PAGE_SIZES_MM:
            w, h = PAGE_SIZES_MM[key]
            return w * PT_PER_MM, h * PT_PER_MM
        hint = did_you_mean(key, names) if key is not None else ""
        raise node.error(f"unknown page size {_shown(node)};{hint} use one of {', '.join(names)} "
                         f"or [width, height] such as [390mm, 546mm]")  # fmt: skip

    def load_grid(self, node: Node, width: float, height: float, top: float, bottom: float) -> Grid:
        node.check_keys(GRID_KEYS, required=("columns", "column_chars"))
        body_size = _opt(node, "body_size", self.type_size, HAO_SIZES_PT["小五"])
        columns = node.require("columns").as_int(minimum=1, maximum=MAX_COLUMNS)
        column_chars = node.require("column_chars").as_int(minimum=1, maximum=MAX_CHARS)
        gutter = _opt(node, "gutter_chars", lambda n: n.as_number(minimum=0, maximum=MAX_CHARS), 1.0)
        pitch_node = node.get("line_pitch")
        pitch = self.pitch(pitch_node, body_size) if pitch_node is not None else 1.5 * body_size
        room = height - top - bottom
        rows_node = node.get("rows")
        if rows_node is None or rows_node.value == "auto":
            rows = math.floor(room / pitch + _EPS)
            at = rows_node or pitch_node or node
            if rows < 1:
                raise at.error(f"no room for a single line of {_pt(pitch)} between the top and bottom margins "
                               f"({_mm(room)})")  # fmt: skip
            if rows > MAX_ROWS:
                raise at.error(f"the line pitch {_pt(pitch)} gives {rows} rows; at most {MAX_ROWS} are allowed")
        else:
            if isinstance(rows_node.value, str):
                raise rows_node.error(f"expected a whole number of rows or auto, got {_shown(rows_node)}")
            rows = rows_node.as_int(minimum=1, maximum=MAX_ROWS)
            if rows * pitch > room + _EPS:
                fit = math.floor(room / pitch + _EPS)
                raise rows_node.error(f"{rows} rows of {_pt(pitch)} ({_mm(rows * pitch)}) do not fit between the "
                                      f"top and bottom margins ({_mm(room)}, room for {fit} rows)")  # fmt: skip
        return Grid(body_size=body_size, columns=columns, column_chars=column_chars, gutter_chars=gutter,
                    line_pitch=pitch, rows=rows)  # fmt: skip

    def place_type_area(self, grid: Grid, width: float, left_node: Node | None, grid_node: Node) -> float:
        area = (f"the type area ({grid.columns} columns × {grid.column_chars} characters + "
                f"{grid.columns - 1} gutters × {grid.gutter_chars:g} = {grid.type_width_chars:g} characters of "
                f"{_pt(grid.body_size)} = {_mm(grid.type_width)})")  # fmt: skip
        at = grid_node.require("columns")
        if left_node is None:
            if grid.type_width > width + _EPS:
                raise at.error(f"{area} is wider than the page ({_mm(width)})")
            return (width - grid.type_width) / 2
        left = self.length(left_node)
        if grid.type_width > width - left + _EPS:
            raise at.error(f"{area} is wider than the page ({_mm(width)}) minus the left margin ({_mm(left)})")
        return left

    def load_jumps(self, node: Node | None) -> JumpTemplates:
        if node is None:
            return JumpTemplates()
        node.check_keys(JUMP_KEYS)
        values = {}
        for key in JUMP_KEYS:
            item = node.get(key)
            if item is None:
                continue
            text = item.as_str()
            try:
                text.format(page="二")
            except (KeyError, IndexError, ValueError, AttributeError):
                raise item.error("only {page} may appear in braces (write {{ and }} for a literal brace)") from None
            if "{page}" not in text:
                raise item.error("must contain {page}, where the page number (第二版) goes")
            values[key] = text
        return JumpTemplates(**values)

    def load_font_files(self, node: Node | None) -> dict[str, tuple[Path, int]]:
        overrides: dict[str, tuple[Path, int]] = {}
        if node is None:
            return overrides
        for role, item in node.as_mapping("a mapping of font role → font file").items():
            if not role.strip() or role.startswith("__"):
                raise item.error(f"'{role}' is not a usable font role name", at_key=True)
            if item.is_mapping:
                item.check_keys(FONT_FILE_KEYS, required=("file",))
                file_node = item.require("file")
                face = _opt(item, "face", lambda n: n.as_int(minimum=0, maximum=10_000), 0)
            elif item.is_scalar:
                file_node, face = item, 0
            else:
                raise item.error("expected a font file path or {file: path, face: 0}")
            overrides[role] = (self.file_path(file_node, "font file"), face)
        return overrides

    def load_styles(self, node: Node | None, grid: Grid, extra_roles: set[str]) -> dict[str, TextStyle]:
        given: dict[str, Node] = {}
        if node is not None:
            for name, item in node.as_mapping("a mapping of style name → style").items():
                if not name.strip():
                    raise item.error("a style name must not be empty", at_key=True)
                item.as_mapping(f"a style (a mapping with keys {', '.join(STYLE_KEYS)})")
                item.check_keys(STYLE_KEYS)
                given[name] = item
        roles = None if self.known_roles is None else self.known_roles | extra_roles
        styles: dict[str, TextStyle] = {}
        for name in list(DEFAULT_STYLES) + [n for n in given if n not in DEFAULT_STYLES]:
            styles[name] = load_style(self, name, DEFAULT_STYLES.get(name, {}), given.get(name), grid, roles)
        return styles

    def head_lines(self, node: Node | None, grid: Grid, top: float) -> int:
        """`margins.running_head`: the part of the top margin the running head takes, in whole
        grid lines (a page with the masthead has no running head and takes them as grid lines)."""
        margins = node.get("margins") if node is not None else None
        item = margins.get("running_head") if margins is not None else None
        if item is None:
            return 0
        room = self.length(item)
        if room > top + _EPS:
            raise item.error(f"the running head's room ({_mm(room)}) is more than the top margin ({_mm(top)})")
        return math.floor(room / grid.line_pitch + _EPS)

    def load_pages(self, node: Node, grid: Grid, head_lines: int = 0
                   ) -> tuple[tuple[int, ...], dict[str, Region], dict[str, Node]]:
        entries = node.as_list("a list of pages (- page: 1 …)")
        if not entries:
            raise node.error("at least one page is needed")
        numbers: dict[int, Node] = {}
        regions: dict[str, Region] = {}
        region_nodes: dict[str, Node] = {}
        for entry in entries:
            entry.as_mapping("a page (a mapping with keys page, regions)")
            entry.check_keys(PAGE_ENTRY_KEYS, required=("page",))
            number_node = entry.require("page")
            number = number_node.as_int(minimum=1, maximum=MAX_PAGE)
            if number in numbers:
                raise number_node.error(f"page {number} is listed twice (first on line {numbers[number].where.line})")
            numbers[number] = number_node
            boxes: list[_Box] = []
            regions_node = entry.get("regions")
            if regions_node is None or regions_node.is_null:
                continue
            items = regions_node.as_list("a list of regions (- name: …)")
            # a page with the masthead has no running head: its grid takes the running head's lines
            masthead = any(item.is_mapping and (kind := item.get("kind")) is not None
                           and kind.value == RegionKind.MASTHEAD.value for item in items)
            for item in items:
                region, box = self.region(item, number, grid, grid.rows + (head_lines if masthead else 0))
                if region.name in regions:
                    first = region_nodes[region.name].where.line
                    raise item.require("name").error(
                        f"region name '{region.name}' is used twice (first on line {first})"
                    )
                for other in boxes:
                    kinds = {region.kind, regions[other.name].kind}
                    if kinds == {RegionKind.PICTURE, RegionKind.TEXT}:
                        continue  # text flows around a picture
                    if _overlap(box.columns, other.columns) and _overlap(box.lines, other.lines):
                        raise item.error(
                            f"region '{box.name}' (columns {_range(box.columns)}, lines {_range(box.lines)}) overlaps "
                            f"region '{other.name}' (columns {_range(other.columns)}, lines {_range(other.lines)}, "
                            f"line {other.node.where.line}) on page {number}"
                        )
                boxes.append(box)
                regions[region.name] = region
                region_nodes[region.name] = item
        return tuple(numbers), regions, region_nodes

    def region(self, node: Node, page: int, grid: Grid, rows: int) -> tuple[Region, _Box]:
        node.as_mapping("a region (a mapping with keys name, kind, columns, lines …)")
        node.check_keys(REGION_KEYS, required=("name", "columns", "lines"))
        name = self.name(node.require("name"))
        kind = _opt(node, "kind", lambda n: RegionKind(n.as_choice([k.value for k in RegionKind], "region kind")),
                    RegionKind.TEXT)
        first_col, last_col = self.span(node.require("columns"), grid.columns, "column", "columns")
        first_line, last_line = self.span(node.require("lines"), rows, "line", "lines")
        span = last_col - first_col + 1
        gutter_node = node.get("gutter_chars")
        gutter = gutter_node.as_number(minimum=0, maximum=MAX_CHARS) if gutter_node is not None else grid.gutter_chars
        text_columns_node = node.get("text_columns")
        if kind is RegionKind.HEADLINE:
            if text_columns_node is not None:
                raise text_columns_node.error("text_columns applies to text regions only (this region is a headline)",
                                              at_key=True)  # fmt: skip
            text_columns = 1
        else:
            text_columns = _opt(node, "text_columns", lambda n: n.as_int(minimum=1, maximum=MAX_COLUMNS), span)
            width_chars = grid.span_width_chars(span)
            measure = grid.text_column_chars(span, text_columns, gutter)
            if measure < MIN_MEASURE_CHARS - _EPS:
                at = text_columns_node or gutter_node or node.require("columns")
                raise at.error(
                    f"{text_columns} text columns with gutters of {gutter:g} characters leave {measure:g} characters "
                    f"per column in {span} basic columns ({width_chars:g} characters); each text column needs at "
                    f"least {MIN_MEASURE_CHARS}"
                )
        picture = None
        image_node = node.get("image")
        if kind is RegionKind.PICTURE:
            if image_node is None:
                raise node.error("a picture region needs an image: path to a JPEG or PNG file", at_key=True)
            image, pixels = self.picture(image_node, "image")
            picture = Picture(image, _opt(node, "caption", lambda n: n.as_str(coerce=True).strip(), ""),
                              _opt(node, "caption_style", self.name, "caption"), pixels,
                              _opt(node, "fit", lambda n: n.as_choice(list(PICTURE_FITS), "picture fit"), "fill"),
                              _opt(node, "focus", _focus, (0.5, 0.5)))
        else:
            for key in ("image", "caption", "caption_style", "fit", "focus"):
                if (item := node.get(key)) is not None:
                    raise item.error(f"{key} applies to picture regions only (kind: picture)", at_key=True)
        box = self.load_box(node.get("box"))
        flags = {key: item.as_bool() for key in ("column_rules", "rule_below") if (item := node.get(key)) is not None}
        region = Region(name=name, page=page, kind=kind, first_column=first_col, last_column=last_col,
                        first_line=first_line, last_line=last_line, text_columns=text_columns,
                        gutter_chars=gutter, picture=picture, box=box, **flags)  # fmt: skip
        return region, _Box(name, node, (first_col, last_col), (first_line, last_line))

    def load_box(self, node: Node | None) -> Box | None:
        """`box: true`, or {padding: chars, stroke: pt, tint: [c, m, y, k]}."""
        if node is None or node.is_null:
            return None
        if not node.is_mapping:
            return Box() if node.as_bool() else None
        node.check_keys(BOX_KEYS)
        fields: dict[str, Any] = {}
        for key in ("padding", "stroke"):
            if (item := node.get(key)) is not None:
                fields[key] = item.as_number(minimum=0, maximum=20)
        if (item := node.get("tint")) is not None:
            values = item.as_list("a CMYK colour [c, m, y, k], each 0 to 1")
            if len(values) != 4:
                raise item.error(f"a CMYK colour has 4 values, got {len(values)}")
            fields["tint"] = tuple(v.as_number(minimum=0, maximum=1) for v in values)
        return Box(**fields)

    def span(self, node: Node, limit: int, unit: str, units: str) -> tuple[int, int]:
        """``[first, last]`` (1-based inclusive) or a single number, within 1..limit."""
        if node.is_sequence:
            items = node.as_list()
            if len(items) != 2:
                raise node.error(f"expected [first, last] {units} or a single {unit}, got a list of {len(items)}")
        elif node.is_scalar and not isinstance(node.value, str):
            items = [node, node]
        else:
            raise node.error(f"expected [first, last] {units} (such as [1, 3]) or a single {unit}, got {_shown(node)}")
        values = []
        for item in items:
            value = item.as_int()
            if not 1 <= value <= limit:
                raise item.error(f"{unit} {value} is outside the grid ({units} 1–{limit})", key=node.path)
            values.append(value)
        first, last = values
        if first > last:
            raise items[1].error(f"{units} [{first}, {last}] are reversed; give the first {unit} first", key=node.path)
        return first, last

    def load_stories(self, node: Node, styles: dict[str, TextStyle], regions: dict[str, Region],
                     region_nodes: dict[str, Node]) -> tuple[StorySpec, ...]:  # fmt: skip
        entries = node.as_list("a list of stories (- name: …)")
        if not entries:
            raise node.error("at least one story is needed")
        names: dict[str, Node] = {}
        used: dict[str, str] = {}  # region name → story using it
        stories = []
        for entry in entries:
            entry.as_mapping("a story (a mapping with keys name, article, headline, thread, styles)")
            entry.check_keys(STORY_KEYS, required=("name", "article", "thread"))
            name_node = entry.require("name")
            name = self.name(name_node)
            if name in names:
                raise name_node.error(f"story name '{name}' is used twice (first on line {names[name].where.line})")
            names[name] = name_node
            article = self.file_path(entry.require("article"), "article file", self.limits.article_size,
                                     "limits.article_size")
            headline = _opt(entry, "headline", lambda n: self.region_ref(n, regions, RegionKind.HEADLINE, used, name),
                            None)
            thread_node = entry.require("thread")
            thread_items = [thread_node] if thread_node.is_scalar else thread_node.as_list("a list of region names")
            if not thread_items:
                raise thread_node.error("a thread needs at least one text region")
            thread = tuple(self.region_ref(item, regions, RegionKind.TEXT, used, name) for item in thread_items)
            rank = _opt(entry, "rank", lambda n: n.as_choice(tuple(RANKS), "rank"), "secondary")
            fields: dict[str, str | None] = {STYLE_ROLES[role]: RANKS[rank] + role for role in RANKED_ROLES}
            for key in ("kicker", "subtitle"):  # the layout's 引题 / 副题 over the article's
                fields[f"{key}_text"] = _opt(entry, key, lambda n: n.as_str().strip(), None)
            if (styles_node := entry.get("styles")) is not None:
                styles_node.as_mapping("a mapping of role → style name")
                styles_node.check_keys(tuple(STYLE_ROLES))
                for role, item in styles_node.items():
                    style = item.as_str().strip()
                    if style not in styles:
                        raise item.error(f"unknown style '{style}';{did_you_mean(style, styles)} "
                                         f"styles: {', '.join(styles)}")  # fmt: skip
                    fields[STYLE_ROLES[role]] = style
            flags = {key: item.as_bool() for key in STORY_FLAGS if (item := entry.get(key)) is not None}
            stories.append(StorySpec(name=name, article=article, thread=thread, headline_region=headline,
                                     **fields, **flags))
        return tuple(stories)

    def region_ref(self, node: Node, regions: dict[str, Region], kind: RegionKind, used: dict[str, str],
                   story: str) -> str:  # fmt: skip
        name = self.name(node)
        region = regions.get(name)
        if region is None:
            wanted = [n for n, r in regions.items() if r.kind is kind]
            listed = ", ".join(wanted) or "none"
            raise node.error(f"no region named '{name}';{did_you_mean(name, wanted)} {kind.value} regions: {listed}")
        if region.kind is not kind:
            role = "a headline" if kind is RegionKind.HEADLINE else "a thread"
            raise node.error(f"region '{name}' is a {region.kind.value} region; {role} needs a {kind.value} region")
        if name in used:
            other = used[name]
            again = "twice in this story" if other == story else f"already by story '{other}'"
            raise node.error(f"region '{name}' is used {again}; each region holds one story once")
        used[name] = story
        return name


class StyleReader(_Loader):
    """Reads type sizes and pitches of text styles given outside a layout (an edition's styles),
    with the same checks and messages as in a layout."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, None, None)  # type: ignore[arg-type]


def _focus(node: Node) -> tuple[float, float]:
    """A picture's focal point ``[x, y]``: fractions of the image from its left and top edges."""
    values = node.as_list("a focal point [x, y], each 0 to 1 (from the image's left and top edges)")
    if len(values) != 2:
        raise node.error(f"a focal point has 2 values [x, y], got {len(values)}")
    return tuple(v.as_number(minimum=0, maximum=1) for v in values)


def _opt(node: Node, key: str, read: Callable[[Node], Any], default: Any) -> Any:
    """`read` of the value at `key` of the mapping `node`, or `default` when the key is not given."""
    item = node.get(key)
    return read(item) if item is not None else default


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _range(r: tuple[int, int]) -> str:
    return f"{r[0]}–{r[1]}" if r[0] != r[1] else str(r[0])


def _shown(node: Node) -> str:
    value = node.value
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if value is None:
        return "nothing (null)"
    return str(value).lower() if isinstance(value, bool) else str(value)
