"""A layout's page, grid and pages of regions: the `page:`, `grid:` and `pages:` keys.

`load_page` reads the page size and margins, `load_grid` the grid of basic columns and lines
that fills the type area, `place_type_area` centres it (or sets it at the left margin) and
`head_lines` gives the running head's lines; `load_pages` reads each page's regions
(`load_region`: text, headline, picture or masthead, with their boxes and writing modes) and
refuses two regions that overlap, but text around a picture. Every function takes the layout's
`ValueReader` to read lengths, sizes and files with positions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from paiban.i18n import _, pgettext
from paiban.input.edition_variables import MAX_PAGE
from paiban.input.layout_keys import (BOX_KEYS, GRID_KEYS, MARGIN_KEYS, PAGE_ENTRY_KEYS, PAGE_KEYS, PICTURE_FITS,
                                      REGION_KEYS)
from paiban.input.layout_values import ValueReader, opt, shown_value
from paiban.input.yaml_source import Node, did_you_mean
from paiban.model.spec import Box, Grid, Picture, Region, RegionKind
from paiban.model.vertical_geometry import VERTICAL, WRITING_MODES
from paiban.units import HAO_SIZES_PT, PAGE_SIZES_MM, PT_PER_MM

__all__ = ["head_lines", "load_grid", "load_page", "load_pages", "load_region", "place_type_area"]

DEFAULT_MARGINS_MM = {"top": 30.0, "bottom": 20.0}
#: Sanity bounds (anything beyond is surely a typo).
MAX_COLUMNS = 100
MAX_CHARS = 1000
MAX_ROWS = 10_000
#: A text column must hold at least this many characters of the body size.
MIN_MEASURE_CHARS = 2
_EPS = 1e-6


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


def load_page(reader: ValueReader, node: Node | None) -> tuple[float, float, float, float, Node | None]:
    """The page's width and height, top and bottom margins (in points), and the `left:` margin's
    node (None: centre the type area)."""
    width, height = (mm * PT_PER_MM for mm in PAGE_SIZES_MM["broadsheet"])
    top, bottom = (DEFAULT_MARGINS_MM[key] * PT_PER_MM for key in ("top", "bottom"))
    if node is None:
        return width, height, top, bottom, None
    node.check_keys(PAGE_KEYS)
    width, height = opt(node, "size", lambda n: page_size(reader, n), (width, height))
    margins = node.get("margins")
    left_node = None
    if margins is not None:
        margins.check_keys(MARGIN_KEYS)
        top = opt(margins, "top", reader.length, top)
        bottom = opt(margins, "bottom", reader.length, bottom)
        left_node = margins.get("left")
        if left_node is not None and left_node.value == "auto":
            left_node = None
    if top + bottom >= height:
        at = margins if margins is not None else node
        raise at.error(_("the top and bottom margins ({top} + {bottom}) leave no room on a page {height} "
                         "high").format(top=_mm(top), bottom=_mm(bottom), height=_mm(height)))  # fmt: skip
    return width, height, top, bottom, left_node


def page_size(reader: ValueReader, node: Node) -> tuple[float, float]:
    """A page size's width and height in points: a named size or ``[width, height]``."""
    if node.is_sequence:
        items = node.as_list()
        if len(items) != 2:
            raise node.error(_("expected [width, height], got a list of {count}").format(count=len(items)))
        return reader.length(items[0], positive=True), reader.length(items[1], positive=True)
    names = list(PAGE_SIZES_MM)
    key = node.value.strip().lower() if isinstance(node.value, str) else None
    if key in PAGE_SIZES_MM:
        w, h = PAGE_SIZES_MM[key]
        return w * PT_PER_MM, h * PT_PER_MM
    hint = did_you_mean(key, names) if key is not None else ""
    raise node.error(_("unknown page size {value};{hint} use one of {names} or [width, height] such as "
                       "[390mm, 546mm]").format(value=shown_value(node), hint=hint, names=', '.join(names)))  # fmt: skip


def load_grid(reader: ValueReader, node: Node, width: float, height: float, top: float, bottom: float) -> Grid:
    """The `grid:`; its rows (``auto``: as many as fit) between the `top` and `bottom` margins."""
    node.check_keys(GRID_KEYS, required=GRID_KEYS.required)
    body_size = opt(node, "body_size", reader.type_size, HAO_SIZES_PT["小五"])
    columns = node.require("columns").as_int(minimum=1, maximum=MAX_COLUMNS)
    column_chars = node.require("column_chars").as_int(minimum=1, maximum=MAX_CHARS)
    gutter = opt(node, "gutter_chars", lambda n: n.as_number(minimum=0, maximum=MAX_CHARS), 1.0)
    pitch_node = node.get("line_pitch")
    pitch = reader.pitch(pitch_node, body_size) if pitch_node is not None else 1.5 * body_size
    room = height - top - bottom
    rows_node = node.get("rows")
    if rows_node is None or rows_node.value == "auto":
        rows = math.floor(room / pitch + _EPS)
        at = rows_node or pitch_node or node
        if rows < 1:
            raise at.error(_("no room for a single line of {pitch} between the top and bottom margins "
                             "({room})").format(
                pitch=_pt(pitch), room=_mm(room)))  # fmt: skip
        if rows > MAX_ROWS:
            raise at.error(_("the line pitch {pitch} gives {rows} rows; at most {max_rows} are allowed").format(
                pitch=_pt(pitch), rows=rows, max_rows=MAX_ROWS))
    else:
        if isinstance(rows_node.value, str):
            raise rows_node.error(_("expected a whole number of rows or auto, got {value}").format(
                value=shown_value(rows_node)))
        rows = rows_node.as_int(minimum=1, maximum=MAX_ROWS)
        if rows * pitch > room + _EPS:
            fit = math.floor(room / pitch + _EPS)
            raise rows_node.error(_("{rows} rows of {pitch} ({length}) do not fit between the top and bottom margins "
                                    "({room}, room for {fit} rows)").format(
                                        rows=rows, pitch=_pt(pitch), length=_mm(rows * pitch), room=_mm(room),
                                        fit=fit))  # fmt: skip
    return Grid(body_size=body_size, columns=columns, column_chars=column_chars, gutter_chars=gutter,
                line_pitch=pitch, rows=rows)  # fmt: skip


def place_type_area(reader: ValueReader, grid: Grid, width: float, left_node: Node | None, grid_node: Node) -> float:
    """The left margin: the `left_node`'s length, or the type area centred on the page."""
    area = _("the type area ({columns} columns × {column_chars} characters + {gutters} gutters × "
             "{gutter_chars:g} = {chars:g} characters of {size} = {width})").format(
        columns=grid.columns, column_chars=grid.column_chars, gutters=grid.columns - 1,
        gutter_chars=grid.gutter_chars, chars=grid.type_width_chars, size=_pt(grid.body_size),
        width=_mm(grid.type_width))
    at = grid_node.require("columns")
    if left_node is None:
        if grid.type_width > width + _EPS:
            raise at.error(_("{area} is wider than the page ({width})").format(area=area, width=_mm(width)))
        return (width - grid.type_width) / 2
    left = reader.length(left_node)
    if grid.type_width > width - left + _EPS:
        raise at.error(_("{area} is wider than the page ({width}) minus the left margin ({left})").format(
            area=area, width=_mm(width), left=_mm(left)))
    return left



def head_lines(reader: ValueReader, node: Node | None, grid: Grid, top: float) -> int:
    """`margins.running_head`: the part of the top margin the running head takes, in whole
    grid lines (a page with the masthead has no running head and takes them as grid lines)."""
    margins = node.get("margins") if node is not None else None
    item = margins.get("running_head") if margins is not None else None
    if item is None:
        return 0
    room = reader.length(item)
    if room > top + _EPS:
        raise item.error(_("the running head's room ({room}) is more than the top margin ({top})").format(
            room=_mm(room), top=_mm(top)))
    return math.floor(room / grid.line_pitch + _EPS)


def load_pages(reader: ValueReader, node: Node, grid: Grid, head_lines: int = 0
               ) -> tuple[tuple[int, ...], dict[str, Region], dict[str, Node]]:
    """The `pages:`: the page numbers, the regions by name and the node each was read from."""
    entries = node.as_list(_("a list of pages (- page: 1 …)"))
    if not entries:
        raise node.error(_("at least one page is needed"))
    numbers: dict[int, Node] = {}
    regions: dict[str, Region] = {}
    region_nodes: dict[str, Node] = {}
    for entry in entries:
        entry.as_mapping(_("a page (a mapping with keys page, regions)"))
        entry.check_keys(PAGE_ENTRY_KEYS, required=PAGE_ENTRY_KEYS.required)
        number_node = entry.require("page")
        number = number_node.as_int(minimum=1, maximum=MAX_PAGE)
        if number in numbers:
            raise number_node.error(_("page {number} is listed twice (first on line {line})").format(
                number=number, line=numbers[number].where.line))
        numbers[number] = number_node
        boxes: list[_Box] = []
        regions_node = entry.get("regions")
        if regions_node is None or regions_node.is_null:
            continue
        items = regions_node.as_list(_("a list of regions (- name: …)"))
        # a page with the masthead has no running head: its grid takes the running head's lines
        masthead = any(item.is_mapping and (kind := item.get("kind")) is not None
                       and kind.value == RegionKind.MASTHEAD.value for item in items)
        for item in items:
            region, box = load_region(reader, item, number, grid, grid.rows + (head_lines if masthead else 0))
            if region.name in regions:
                first = region_nodes[region.name].where.line
                raise item.require("name").error(
                    _("region name '{name}' is used twice (first on line {first})").format(
                        name=region.name, first=first)
                )
            for other in boxes:
                kinds = {region.kind, regions[other.name].kind}
                if kinds == {RegionKind.PICTURE, RegionKind.TEXT}:
                    continue  # text flows around a picture
                if _overlap(box.columns, other.columns) and _overlap(box.lines, other.lines):
                    raise item.error(
                        _("region '{name}' (columns {columns}, lines {lines}) overlaps region '{other}' "
                          "(columns {other_columns}, lines {other_lines}, line {other_line}) on page "
                          "{number}").format(
                              name=box.name, columns=_range(box.columns), lines=_range(box.lines), other=other.name,
                              other_columns=_range(other.columns), other_lines=_range(other.lines),
                              other_line=other.node.where.line, number=number)
                    )
            boxes.append(box)
            regions[region.name] = region
            region_nodes[region.name] = item
    return tuple(numbers), regions, region_nodes


def load_region(reader: ValueReader, node: Node, page: int, grid: Grid, rows: int) -> tuple[Region, _Box]:
    """One region of page `page` (`rows`: the grid lines it may use), and its rectangle."""
    node.as_mapping(_("a region (a mapping with keys name, kind, columns, lines …)"))
    node.check_keys(REGION_KEYS, required=REGION_KEYS.required)
    name = reader.name(node.require("name"))
    kind = opt(node, "kind", lambda n: RegionKind(n.as_choice([k.value for k in RegionKind], _("region kind"))),
                RegionKind.TEXT)
    first_col, last_col = grid_span(node.require("columns"), grid.columns, _("column"), _("columns"))
    first_line, last_line = grid_span(node.require("lines"), rows, _("line"), pgettext("grid", "lines"))
    span = last_col - first_col + 1
    gutter_node = node.get("gutter_chars")
    gutter = gutter_node.as_number(minimum=0, maximum=MAX_CHARS) if gutter_node is not None else grid.gutter_chars
    text_columns_node = node.get("text_columns")
    if kind is RegionKind.HEADLINE:
        if text_columns_node is not None:
            raise text_columns_node.error(_("text_columns applies to text regions only (this region is a headline)"),
                                          at_key=True)  # fmt: skip
        text_columns = 1
    else:
        text_columns = opt(node, "text_columns", lambda n: n.as_int(minimum=1, maximum=MAX_COLUMNS), span)
        width_chars = grid.span_width_chars(span)
        measure = grid.text_column_chars(span, text_columns, gutter)
        if measure < MIN_MEASURE_CHARS - _EPS:
            at = text_columns_node or gutter_node or node.require("columns")
            raise at.error(
                _("{text_columns} text columns with gutters of {gutter:g} characters leave "
                  "{measure:g} characters per column in {span} basic columns ({width_chars:g} "
                  "characters); each text column needs at least {minimum}").format(
                      text_columns=text_columns, gutter=gutter, measure=measure, span=span, width_chars=width_chars,
                      minimum=MIN_MEASURE_CHARS)
            )
    picture = None
    image_node = node.get("image")
    if kind is RegionKind.PICTURE:
        if image_node is None:
            raise node.error(_("a picture region needs an image: path to a JPEG or PNG file"), at_key=True)
        image, pixels = reader.picture(image_node, "image")
        picture = Picture(image, opt(node, "caption", lambda n: n.as_str(coerce=True).strip(), ""),
                          opt(node, "caption_style", reader.name, "caption"), pixels,
                          opt(node, "fit", lambda n: n.as_choice(list(PICTURE_FITS), _("picture fit")), "fill"),
                          opt(node, "focus", _focus, (0.5, 0.5)))
    else:
        for key in ("image", "caption", "caption_style", "fit", "focus"):
            if (item := node.get(key)) is not None:
                raise item.error(_("{key} applies to picture regions only (kind: picture)").format(
                    key=key), at_key=True)
    box = load_box(node.get("box"))
    flags = {key: item.as_bool() for key in ("column_rules", "rule_below") if (item := node.get(key)) is not None}
    flags.update(writing_mode(node, kind))
    region = Region(name=name, page=page, kind=kind, first_column=first_col, last_column=last_col,
                    first_line=first_line, last_line=last_line, text_columns=text_columns,
                    gutter_chars=gutter, picture=picture, box=box, **flags)  # fmt: skip
    return region, _Box(name, node, (first_col, last_col), (first_line, last_line))


def writing_mode(node: Node, kind: RegionKind) -> dict[str, Any]:
    """`writing_mode` (horizontal or vertical: text and headline regions) and
    `tate_chu_yoko` (vertical regions: the longest number set upright across the column, 0–4)."""
    out: dict[str, Any] = {}
    mode_node = node.get("writing_mode")
    if mode_node is not None:
        out["writing_mode"] = mode_node.as_choice(list(WRITING_MODES), "writing mode")
        if out["writing_mode"] == VERTICAL and kind not in (RegionKind.TEXT, RegionKind.HEADLINE):
            raise mode_node.error(_("writing_mode: vertical applies to text and headline regions (this region is a "
                                    "{kind})").format(kind=kind.value))
    tcy_node = node.get("tate_chu_yoko")
    if tcy_node is not None:
        if out.get("writing_mode") != VERTICAL:
            raise tcy_node.error(_("tate_chu_yoko applies to vertical regions only (writing_mode: vertical)"),
                                 at_key=True)
        out["tate_chu_yoko"] = tcy_node.as_int(minimum=0, maximum=4)
    return out


def load_box(node: Node | None) -> Box | None:
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
            raise item.error(_("a CMYK colour has 4 values, got {count}").format(count=len(values)))
        fields["tint"] = tuple(v.as_number(minimum=0, maximum=1) for v in values)
    return Box(**fields)


def grid_span(node: Node, limit: int, unit: str, units: str) -> tuple[int, int]:
    """``[first, last]`` (1-based inclusive) or a single number, within 1..limit."""
    if node.is_sequence:
        items = node.as_list()
        if len(items) != 2:
            raise node.error(_("expected [first, last] {units} or a single {unit}, got a list of {count}").format(
                units=units, unit=unit, count=len(items)))
    elif node.is_scalar and not isinstance(node.value, str):
        items = [node, node]
    else:
        raise node.error(_("expected [first, last] {units} (such as [1, 3]) or a single {unit}, got "
                           "{value}").format(
            units=units, unit=unit, value=shown_value(node)))
    values = []
    for item in items:
        value = item.as_int()
        if not 1 <= value <= limit:
            raise item.error(_("{unit} {value} is outside the grid ({units} 1–{limit})").format(
                unit=unit, value=value, units=units, limit=limit), key=node.path)
        values.append(value)
    first, last = values
    if first > last:
        raise items[1].error(_("{units} [{first}, {last}] are reversed; give the first {unit} first").format(
            units=units, first=first, last=last, unit=unit), key=node.path)
    return first, last


def _focus(node: Node) -> tuple[float, float]:
    """A picture's focal point ``[x, y]``: fractions of the image from its left and top edges."""
    values = node.as_list(_("a focal point [x, y], each 0 to 1 (from the image's left and top edges)"))
    if len(values) != 2:
        raise node.error(_("a focal point has 2 values [x, y], got {count}").format(count=len(values)))
    return tuple(v.as_number(minimum=0, maximum=1) for v in values)


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _range(r: tuple[int, int]) -> str:
    return f"{r[0]}–{r[1]}" if r[0] != r[1] else str(r[0])
