"""Text styles of a layout: the built-in styles, the keys a style may have, and reading one.

A style given under a layout's `styles:` changes only the fields it names of the built-in style
of the same name; a new name starts from the `TextStyle` defaults. Every value is checked and a
mistake is reported at its line (docs/layout-spec.md, Styles).
"""

from __future__ import annotations

from typing import Any

from paiban.input.yaml_source import Node, did_you_mean
from paiban.model.spec import (Align, Breaker, Grid, KinsokuLevel, KinsokuPolicy, PunctStyle,
                               TextStyle)
from paiban.units import parse_type_size

#: Built-in styles, written as in a layout's `styles:` section. ``size: None`` means the grid's body
#: size; a number `leading` is a multiple of the size, None the grid's line pitch.
DEFAULT_STYLES: dict[str, dict[str, Any]] = {
    "body": {"font": "song", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
             "align": "justify"},
    "subhead": {"font": "hei", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
                "align": "justify", "avoid_orphans": True, "orphan_pull_down": True},
    "byline": {"font": "kai", "size": None, "indent": 2, "punctuation": "banjiao", "align": "left"},
    "headline": {"font": "hei", "size": "一号", "leading": 1.25, "indent": 0, "punctuation": "quanjiao",
                 "kinsoku": "push-in", "align": "center", "max_lines": 2, "shrink_to_fit": True, "min_size": "小二"},
    "kicker": {"font": "song", "size": "小三", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
               "align": "center"},
    "subtitle": {"font": "song", "size": "四号", "leading": 1.4, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    "continued": {"font": "hei", "size": None, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    "dateline": {"font": "hei", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
                 "align": "justify"},
    "caption": {"font": "kai", "size": None, "indent": 0, "punctuation": "banjiao", "align": "left",
                "avoid_orphans": False},
    "masthead": {"font": "biaosong", "size": 72, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    "masthead_info": {"font": "song", "size": "小四", "indent": 0, "punctuation": "banjiao", "align": "left"},
    "running_head": {"font": "song", "size": "小五", "indent": 0, "punctuation": "banjiao", "align": "left"},
}  # fmt: skip

STYLE_KEYS = ("font", "size", "leading", "indent", "punctuation", "kinsoku", "kinsoku_level", "breaker",
              "orphan_pull_down", "align", "avoid_orphans",
              "squeeze_for_jump", "max_squeeze", "latin_spacing", "max_lines", "shrink_to_fit",
              "min_size", "tracking")  # fmt: skip


def load_style(loader: Any, name: str, defaults: dict[str, Any], node: Node | None, grid: Grid,
               roles: set[str] | None) -> TextStyle:
    """One style: the built-in `defaults` of that name (if any) with the fields `node` gives.
    `loader` (layout_loader._Loader) reads type sizes and pitches with positions."""
    def user(key: str) -> Node | None:
        return node.get(key) if node is not None else None

    fields: dict[str, Any] = {}
    font_node = user("font")
    if font_node is not None:
        font = font_node.as_str().strip()
        if roles is not None and font not in roles:
            listed = ", ".join(sorted(roles)) or "none"
            raise font_node.error(f"unknown font role '{font}';{did_you_mean(font, roles)} known roles: {listed}")
        fields["font"] = font
    elif "font" in defaults:
        fields["font"] = defaults["font"]
    size_node = user("size")
    if size_node is not None:
        size = loader.type_size(size_node)
    elif defaults.get("size") is not None:
        size = parse_type_size(defaults["size"])
    else:
        size = grid.body_size
    fields["size"] = size
    leading_node = user("leading")
    if leading_node is not None:
        fields["leading"] = None if leading_node.is_null else loader.pitch(leading_node, size)
    elif defaults.get("leading") is not None:
        fields["leading"] = defaults["leading"] * size
    enums = {"punctuation": (PunctStyle, "punctuation style"), "kinsoku": (KinsokuPolicy, "kinsoku policy"),
             "kinsoku_level": (KinsokuLevel, "kinsoku level"), "breaker": (Breaker, "line breaker"),
             "align": (Align, "alignment")}  # fmt: skip
    for key, (enum, what) in enums.items():
        item = user(key)
        if item is not None:
            fields[key] = enum(item.as_choice([e.value for e in enum], what))
        elif key in defaults:
            fields[key] = enum(defaults[key])
    for key, maximum in (("indent", 100.0), ("max_squeeze", 10.0), ("latin_spacing", 10.0), ("tracking", 5.0)):
        item = user(key)
        if item is not None:
            fields[key] = item.as_number(minimum=0, maximum=maximum)
        elif key in defaults:
            fields[key] = float(defaults[key])
    item = user("max_lines")
    if item is not None:
        fields["max_lines"] = item.as_int(minimum=0, maximum=100)
    elif "max_lines" in defaults:
        fields["max_lines"] = int(defaults["max_lines"])
    item = user("min_size")
    if item is not None:
        fields["min_size"] = loader.type_size(item)
    elif defaults.get("min_size") is not None:
        fields["min_size"] = parse_type_size(defaults["min_size"])
    for key in ("avoid_orphans", "orphan_pull_down", "squeeze_for_jump", "shrink_to_fit"):
        item = user(key)
        if item is not None:
            fields[key] = item.as_bool()
        elif key in defaults:
            fields[key] = bool(defaults[key])
    return TextStyle(name=name, **fields)


def style_as_written(style: TextStyle) -> dict[str, Any]:
    """A loaded style back in the form of `DEFAULT_STYLES` (sizes in pt, leading as a multiple of
    the size), so that another style mapping can be read over it."""
    out: dict[str, Any] = {
        "font": style.font, "size": style.size, "indent": style.indent,
        "punctuation": style.punctuation.value, "kinsoku": style.kinsoku.value,
        "kinsoku_level": style.kinsoku_level.value, "breaker": style.breaker.value, "align": style.align.value,
        "avoid_orphans": style.avoid_orphans, "orphan_pull_down": style.orphan_pull_down,
        "squeeze_for_jump": style.squeeze_for_jump, "max_squeeze": style.max_squeeze,
        "latin_spacing": style.latin_spacing, "max_lines": style.max_lines, "shrink_to_fit": style.shrink_to_fit,
        "tracking": style.tracking,
    }
    if style.leading is not None:
        out["leading"] = style.leading / style.size
    if style.min_size is not None:
        out["min_size"] = style.min_size
    return out
