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

This module reads the top level and the small sections; the rest is read by its own module:
the key tables every mapping is checked against by input/layout_keys.py, lengths, sizes, the
project folder and the files named by input/layout_values.py, the page, grid and regions by
input/layout_pages.py, the stories by input/layout_stories.py, text styles by
input/text_styles.py, edition variables by input/edition_variables.py.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path

from paiban.i18n import N_, _
from paiban.input.edition_variables import edition_variables
from paiban.input.input_files import MAX_YAML_BYTES, read_input_text
from paiban.input.layout_keys import FONT_FILE_KEYS, JUMP_KEYS, PREFLIGHT_KEYS, SINGLE_HANZI_LEVELS, TOP_KEYS
from paiban.input.layout_pages import head_lines, load_grid, load_page, load_pages, place_type_area
from paiban.input.layout_stories import load_stories
from paiban.input.layout_values import ValueReader, caller_root, opt, read_limits, resolve_root
from paiban.input.press_settings import read_press
from paiban.input.text_styles import DEFAULT_STYLES, STYLE_KEYS, load_style
from paiban.input.yaml_source import Node, did_you_mean, parse_yaml
from paiban.model.spec import Edition, Grid, JumpTemplates, Layout, Limits, PageGeometry, Press, TextStyle

__all__ = ["FontRoles", "load_layout"]


#: (roles file or None for the default, font_files overrides) → the font roles they resolve
FontRoles = Callable[[Path | None, dict[str, tuple[Path, int]]], Collection[str]]


def load_layout(path: Path, known_roles: Collection[str] | None = None, font_roles: FontRoles | None = None,
                *, root: Path | None = None, limits: Mapping[str, int] | None = None,
                root_source: str = N_("the build's root")) -> Layout:
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
    caller = caller_root(root, path, _("layout file"), root_source)
    tree = parse_yaml(read_input_text(path, MAX_YAML_BYTES, _("layout file")), path)
    return _Loader(path, tree, known_roles, font_roles, caller, dict(limits or {}), root_source).load()


class _Loader(ValueReader):
    """Reads one layout file's YAML tree (`load_layout`'s arguments)."""

    def __init__(self, path: Path, root: Node, known_roles: Collection[str] | None,
                 font_roles: FontRoles | None = None, caller_root: Path | None = None,
                 caller_limits: dict[str, int] | None = None, root_source: str = N_("the build's root")) -> None:
        super().__init__(path, caller_root)
        self.root = root  # the YAML tree
        self.known_roles = None if known_roles is None else set(known_roles)
        self.font_roles = font_roles
        self.caller_root = caller_root  # resolved
        self.caller_limits = caller_limits or {}
        self.root_source = root_source

    def load(self) -> Layout:
        root = self.root.as_mapping(_("YAML key: value entries at the top level"))
        root.check_keys(TOP_KEYS, required=TOP_KEYS.required)
        self.project = resolve_root(self.base, root.get("root"), root.get("allow_outside_root"), self.caller_root,
                                    self.root_source, N_("layout"))
        self.limits = replace(Limits(), **{**read_limits(root.get("limits")), **self.caller_limits})
        title = opt(root, "title", lambda n: n.as_str(coerce=True), self.path.stem)
        width, height, top, bottom, left_node = load_page(self, root.get("page"))
        grid = load_grid(self, root.require("grid"), width, height, top, bottom)
        left = place_type_area(self, grid, width, left_node, root.require("grid"))
        page = PageGeometry(width=width, height=height, margin_top=top, margin_left=left,
                            head_lines=head_lines(self, root.get("page"), grid, top))
        jumps = self.load_jumps(root.get("jumps"))
        overrides = self.load_font_files(root.get("font_files"))
        fonts_node = root.get("fonts")
        roles_file = (self.file_path(fonts_node, _("font roles file"), MAX_YAML_BYTES) if fonts_node is not None
                      else None)
        if self.font_roles is not None:
            self.known_roles = set(self.font_roles(roles_file, overrides))
        styles = self.load_styles(root.get("styles"), grid, set(overrides))
        pages, regions, region_nodes = load_pages(self, root.require("pages"), grid, page.head_lines)
        stories = load_stories(self, root.require("stories"), styles, regions, region_nodes)
        for name, region in regions.items():
            if region.picture is not None and region.picture.caption_style not in styles:
                at = region_nodes[name].require("caption_style")
                raise at.error(_("unknown style '{style}';{hint} styles: {styles}").format(
                    style=region.picture.caption_style, hint=did_you_mean(region.picture.caption_style, styles),
                    styles=', '.join(styles)))
        edition = self.load_edition(root.get("edition"))
        min_dpi = opt(root, "preflight", self.load_min_dpi, 150.0)
        single_hanzi = opt(root, "preflight", lambda n: opt(
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
        node.as_mapping(_("a mapping with min_dpi"))
        node.check_keys(PREFLIGHT_KEYS)
        return opt(node, "min_dpi", lambda n: n.as_number(minimum=1, maximum=10_000), 150.0)

    def load_edition(self, node: Node | None) -> Edition:
        values, sections = edition_variables(node, self.picture)
        if sections:
            values["sections"] = sections
        return Edition(**values)

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
                raise item.error(_("only {page} may appear in braces (write {{ and }} for a literal brace)")) from None
            if "{page}" not in text:
                raise item.error(_("must contain {page}, where the page number (第二版) goes"))
            values[key] = text
        return JumpTemplates(**values)

    def load_font_files(self, node: Node | None) -> dict[str, tuple[Path, int]]:
        overrides: dict[str, tuple[Path, int]] = {}
        if node is None:
            return overrides
        for role, item in node.as_mapping(_("a mapping of font role → font file")).items():
            if not role.strip() or role.startswith("__"):
                raise item.error(_("'{role}' is not a usable font role name").format(role=role), at_key=True)
            if item.is_mapping:
                item.check_keys(FONT_FILE_KEYS, required=FONT_FILE_KEYS.required)
                file_node = item.require("file")
                face = opt(item, "face", lambda n: n.as_int(minimum=0, maximum=10_000), 0)
            elif item.is_scalar:
                file_node, face = item, 0
            else:
                raise item.error(_("expected a font file path or {file: path, face: 0}"))
            overrides[role] = (self.file_path(file_node, _("font file")), face)
        return overrides

    def load_styles(self, node: Node | None, grid: Grid, extra_roles: set[str]) -> dict[str, TextStyle]:
        given: dict[str, Node] = {}
        if node is not None:
            for name, item in node.as_mapping(_("a mapping of style name → style")).items():
                if not name.strip():
                    raise item.error(_("a style name must not be empty"), at_key=True)
                item.as_mapping(f"a style (a mapping with keys {', '.join(STYLE_KEYS)})")
                item.check_keys(STYLE_KEYS)
                given[name] = item
        roles = None if self.known_roles is None else self.known_roles | extra_roles
        styles: dict[str, TextStyle] = {}
        for name in list(DEFAULT_STYLES) + [n for n in given if n not in DEFAULT_STYLES]:
            styles[name] = load_style(self, name, DEFAULT_STYLES.get(name, {}), given.get(name), grid, roles)
        return styles
