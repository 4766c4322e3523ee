"""The key tables of a layout file: every key each mapping may have and what its value holds.

The loader (input/layout_loader.py and the modules it reads sections with) refuses any other
key, and the JSON Schemas for editors are made from these same tables (input/layout_schema.py,
input/key_kinds.py), so a key is added in one place. Here too are the fixed choices some keys
take (picture fits, story ranks, the `limits:` keys and their units).
"""

from __future__ import annotations

from paiban.input.edition_variables import EDITION_KEYS
from paiban.input.key_kinds import AnyOf, Choice, Keys, ListOf, MapOf, Scalar
from paiban.input.press_settings import PRESS_KEYS
from paiban.input.text_styles import DEFAULT_STYLES, STYLE_KEYS
from paiban.model.spec import RegionKind
from paiban.model.vertical_geometry import WRITING_MODES
from paiban.units import PAGE_SIZES_MM

__all__ = ["BOX_KEYS", "FONT_FILE_KEYS", "GRID_KEYS", "JUMP_KEYS", "LIMITS", "LIMIT_KEYS", "MARGIN_KEYS",
           "PAGE_ENTRY_KEYS", "PAGE_KEYS", "PICTURE_FITS", "PREFLIGHT_KEYS", "RANKED_ROLES", "RANKS", "REGION_KEYS",
           "SINGLE_HANZI_LEVELS", "STORY_FLAGS", "STORY_KEYS", "STYLE_ROLES", "TOP_KEYS"]


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

PICTURE_FITS = ("fill", "fit", "contain")  # how a picture takes its region (`Picture.fit`)
#: how a paragraph left ending on one hanzi is reported (spec.Layout.single_hanzi_lines)
SINGLE_HANZI_LEVELS = ("warn", "error")
#: A story's `rank` → the prefix of its headline styles (lead-headline, brief-kicker …): sizes
#: and weights fall with the rank (头条, secondary story, brief); `styles:` overrides any of them.
RANKS = {"lead": "lead-", "secondary": "", "brief": "brief-"}
RANKED_ROLES = ("headline", "kicker", "subtitle")
#: `limits:` keys (the `Limits` fields) → (unit, smallest, largest)
LIMIT_KEYS: dict[str, tuple[str, int, int]] = {
    "article_size": ("bytes", 1, 1 << 30),
    "paragraph_chars": ("characters", 1, 10_000_000),
    "picture_pixels": ("pixels", 1, 178_000_000),  # Pillow (which embeds pictures) refuses 179 MP and more
    "picture_memory": ("bytes", 1 << 10, 4 << 30),
}

# The key tables (paiban.input.key_kinds).
_AUTO = Choice(("auto",))
_SPAN = AnyOf(Scalar.INT, ListOf(Scalar.INT, 2))  # a column or line, or [first, last]
LIMITS = Keys(dict.fromkeys(LIMIT_KEYS, Scalar.AMOUNT), name="limits")
MARGIN_KEYS = Keys({"top": Scalar.LENGTH, "bottom": Scalar.LENGTH, "left": AnyOf(Scalar.LENGTH, _AUTO),
                    "running_head": Scalar.LENGTH})
PAGE_KEYS = Keys({"size": AnyOf(Choice(tuple(PAGE_SIZES_MM)), ListOf(Scalar.LENGTH, 2)), "margins": MARGIN_KEYS})
GRID_KEYS = Keys({"body_size": Scalar.TYPE_SIZE, "columns": Scalar.INT, "column_chars": Scalar.INT,
                  "gutter_chars": Scalar.NUMBER, "line_pitch": Scalar.PITCH, "rows": AnyOf(Scalar.INT, _AUTO)},
                 required=("columns", "column_chars"))
JUMP_KEYS = Keys({"to_page": Scalar.TEXT, "from_page": Scalar.TEXT})
BOX_KEYS = Keys({"padding": Scalar.NUMBER, "stroke": Scalar.NUMBER, "tint": ListOf(Scalar.NUMBER, 4)})
REGION_KEYS = Keys({
    "name": Scalar.TEXT, "kind": Choice(tuple(kind.value for kind in RegionKind)), "columns": _SPAN, "lines": _SPAN,
    "text_columns": Scalar.INT, "gutter_chars": Scalar.NUMBER, "image": Scalar.PATH, "caption": Scalar.LABEL,
    "caption_style": Scalar.TEXT, "fit": Choice(PICTURE_FITS), "focus": ListOf(Scalar.NUMBER, 2),
    "box": AnyOf(Scalar.BOOL, BOX_KEYS, Scalar.NULL), "column_rules": Scalar.BOOL, "rule_below": Scalar.BOOL,
    "writing_mode": Choice(WRITING_MODES), "tate_chu_yoko": Scalar.INT,
}, required=("name", "columns", "lines"), name="region")  # fmt: skip
PAGE_ENTRY_KEYS = Keys({"page": Scalar.INT, "regions": AnyOf(ListOf(REGION_KEYS), Scalar.NULL)}, required=("page",))
PREFLIGHT_KEYS = Keys({"min_dpi": Scalar.NUMBER, "single_hanzi_lines": Choice(SINGLE_HANZI_LEVELS)})
STORY_FLAGS = dict.fromkeys(("balance", "keep_subhead_with_next", "no_lone_first_line", "repeat_headline"), Scalar.BOOL)
STORY_KEYS = Keys({
    "name": Scalar.TEXT, "article": Scalar.PATH, "headline": Scalar.TEXT,
    "thread": AnyOf(Scalar.TEXT, ListOf(Scalar.TEXT)), "rank": Choice(tuple(RANKS)), "kicker": Scalar.TEXT,
    "subtitle": Scalar.TEXT, "styles": Keys(dict.fromkeys(STYLE_ROLES, Scalar.TEXT)), **STORY_FLAGS,
}, required=("name", "article", "thread"), name="story")  # fmt: skip
FONT_FILE_KEYS = Keys({"file": Scalar.PATH, "face": Scalar.INT}, required=("file",))
TOP_KEYS = Keys({
    "title": Scalar.LABEL, "fonts": Scalar.PATH, "page": PAGE_KEYS, "grid": GRID_KEYS, "jumps": JUMP_KEYS,
    "font_files": MapOf(AnyOf(Scalar.PATH, FONT_FILE_KEYS)),
    "styles": MapOf(STYLE_KEYS, names=tuple(DEFAULT_STYLES)), "pages": ListOf(PAGE_ENTRY_KEYS),
    "stories": ListOf(STORY_KEYS), "edition": AnyOf(EDITION_KEYS, Scalar.NULL), "preflight": PREFLIGHT_KEYS,
    "limits": AnyOf(LIMITS, Scalar.NULL), "root": Scalar.PATH, "allow_outside_root": Scalar.BOOL,
    "press": AnyOf(PRESS_KEYS, Scalar.NULL),
}, required=("grid", "pages", "stories"))  # fmt: skip
