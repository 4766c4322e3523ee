"""Text styles of a layout: the built-in styles, the keys a style may have, and reading one.

A style given under a layout's `styles:` changes only the fields it names of the built-in style
of the same name; a new name starts from the `TextStyle` defaults. Every value is checked and a
mistake is reported at its line (docs/layout-spec.md, Styles).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Callable

from paiban.input.key_kinds import AnyOf, Choice, Keys, Scalar
from paiban.input.yaml_source import Node, did_you_mean
from paiban.model.spec import (Align, Breaker, Grid, KinsokuLevel, KinsokuPolicy, PunctStyle,
                               TextStyle)
from paiban.units import parse_type_size
from paiban.i18n import _

#: Built-in styles, written as in a layout's `styles:` section. ``size: None`` means the grid's body
#: size; a number `leading` is a multiple of the size, None the grid's line pitch.
DEFAULT_STYLES: dict[str, dict[str, Any]] = {
    "body": {"font": "song", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
             "align": "justify", "orphan_pull_down": True},
    "subhead": {"font": "hei", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
                "align": "left", "avoid_orphans": True, "orphan_pull_down": True, "word_breaks": True},
    "byline": {"font": "kai", "size": None, "indent": 2, "punctuation": "banjiao", "align": "left"},
    "headline": {"font": "hei", "size": "一号", "leading": 1.25, "indent": 0, "punctuation": "quanjiao",
                 "kinsoku": "push-in", "align": "center", "max_lines": 2, "shrink_to_fit": True, "min_size": "小二"},
    "kicker": {"font": "song", "size": "小三", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
               "align": "center"},
    "subtitle": {"font": "song", "size": "四号", "leading": 1.4, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    # headline ranks (a story's `rank:`, layout_keys.RANKS): the 头条's 引题/主题/副题 largest, a
    # brief's smallest; `headline`/`kicker`/`subtitle` above are the secondary stories'
    "lead-headline": {"font": "biaosong", "size": "初号", "leading": 1.15, "indent": 0, "punctuation": "quanjiao",
                      "kinsoku": "push-in", "align": "center", "max_lines": 2, "shrink_to_fit": True,
                      "min_size": "小初", "tracking": 0.15},
    "lead-kicker": {"font": "song", "size": "三号", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
                    "align": "center"},
    "lead-subtitle": {"font": "hei", "size": "小二", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
                      "align": "center"},
    "brief-headline": {"font": "hei", "size": "三号", "leading": 1.25, "indent": 0, "punctuation": "quanjiao",
                       "kinsoku": "push-in", "align": "center", "max_lines": 2, "shrink_to_fit": True,
                       "min_size": "四号"},
    "brief-kicker": {"font": "song", "size": "五号", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
                     "align": "center"},
    "brief-subtitle": {"font": "song", "size": "五号", "leading": 1.4, "indent": 0, "punctuation": "quanjiao",
                       "align": "center"},
    "continued": {"font": "hei", "size": None, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    "dateline": {"font": "hei", "size": None, "indent": 2, "punctuation": "banjiao", "kinsoku": "push-out",
                 "align": "justify"},
    "caption": {"font": "kai", "size": None, "indent": 0, "punctuation": "banjiao", "align": "left",
                "avoid_orphans": False},
    "masthead": {"font": "biaosong", "size": 72, "indent": 0, "punctuation": "quanjiao", "align": "center"},
    "masthead_info": {"font": "song", "size": "小四", "indent": 0, "punctuation": "banjiao", "align": "left"},
    "running_head": {"font": "song", "size": "小五", "indent": 0, "punctuation": "banjiao", "align": "left"},
}  # fmt: skip


def _choice(enum: type[Enum]) -> Choice:
    return Choice(tuple(member.value for member in enum))


#: the keys of a style → what each holds (docs/layout-spec.md, Styles)
STYLE_KEYS = Keys({
    "font": Scalar.TEXT, "size": Scalar.TYPE_SIZE, "leading": AnyOf(Scalar.PITCH, Scalar.NULL),
    "indent": Scalar.NUMBER, "punctuation": _choice(PunctStyle), "kinsoku": _choice(KinsokuPolicy),
    "kinsoku_level": _choice(KinsokuLevel), "breaker": _choice(Breaker), "orphan_pull_down": Scalar.BOOL,
    "align": _choice(Align), "avoid_orphans": Scalar.BOOL, "squeeze_for_jump": Scalar.BOOL,
    "max_squeeze": Scalar.NUMBER, "max_stretch": Scalar.NUMBER, "latin_spacing": Scalar.NUMBER,
    "max_lines": Scalar.INT, "shrink_to_fit": Scalar.BOOL, "min_size": Scalar.TYPE_SIZE, "tracking": Scalar.NUMBER,
    "word_breaks": Scalar.BOOL,
}, name="style")  # fmt: skip


def load_style(loader: Any, name: str, defaults: dict[str, Any], node: Node | None, grid: Grid,
               roles: set[str] | None) -> TextStyle:
    """One style: the built-in `defaults` of that name (if any) with the fields `node` gives.
    `loader` (layout_values.ValueReader) reads type sizes and pitches with positions."""
    fields: dict[str, Any] = {}

    def pick(key: str, read: Callable[[Node], Any], convert: Callable[[Any], Any]) -> None:
        """The field `key`: `read` from the node given, else the default (if any) `convert`ed."""
        item = node.get(key) if node is not None else None
        if item is not None:
            fields[key] = read(item)
        elif defaults.get(key) is not None:
            fields[key] = convert(defaults[key])

    def font(item: Node) -> str:
        font = item.as_str().strip()
        if roles is not None and font not in roles:
            listed = ", ".join(sorted(roles)) or "none"
            raise item.error(_("unknown font role '{font}';{hint} known roles: {listed}").format(
                font=font, hint=did_you_mean(font, roles), listed=listed))
        return font

    pick("font", font, str)
    pick("size", loader.type_size, parse_type_size)
    size = fields.setdefault("size", grid.body_size)
    pick("leading", lambda item: None if item.is_null else loader.pitch(item, size), lambda v: v * size)
    enums = {"punctuation": (PunctStyle, "punctuation style"), "kinsoku": (KinsokuPolicy, "kinsoku policy"),
             "kinsoku_level": (KinsokuLevel, "kinsoku level"), "breaker": (Breaker, "line breaker"),
             "align": (Align, "alignment")}  # fmt: skip
    for key, (enum, what) in enums.items():
        pick(key, lambda item, enum=enum, what=what: enum(item.as_choice([e.value for e in enum], what)), enum)
    for key, maximum in (("indent", 100.0), ("max_squeeze", 10.0), ("max_stretch", 100.0), ("latin_spacing", 10.0),
                         ("tracking", 5.0)):
        pick(key, lambda item, maximum=maximum: item.as_number(minimum=0, maximum=maximum), float)
    pick("max_lines", lambda item: item.as_int(minimum=0, maximum=100), int)
    pick("min_size", loader.type_size, parse_type_size)
    for key in ("avoid_orphans", "orphan_pull_down", "squeeze_for_jump", "shrink_to_fit", "word_breaks"):
        pick(key, lambda item: item.as_bool(), bool)
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
        "max_stretch": style.max_stretch,
        "latin_spacing": style.latin_spacing, "max_lines": style.max_lines, "shrink_to_fit": style.shrink_to_fit,
        "tracking": style.tracking, "word_breaks": style.word_breaks,
    }
    if style.leading is not None:
        out["leading"] = style.leading / style.size
    if style.min_size is not None:
        out["min_size"] = style.min_size
    return out
