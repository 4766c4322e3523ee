"""Edition files: one YAML that names a whole edition and the page layouts it is made of.

An edition file lists layout files in page order (each layout is one or more pages with its own
stories and threads, exactly as `paiban build LAYOUT` reads it), gives the edition variables
(paper, date, issue, … — the layout format's ``edition:`` keys; the edition's values override each
layout's, key by key), shared text styles (``styles:``, the layout format's style keys, over each
layout's style of the same name, field by field) and, when needed, says which edition page each layout page becomes. Two
regional editions share most layout files and differ in one or two. The user's reference is
docs/editions.md.

    edition_name: city                 # required: names the outputs (city.pdf, city-01.pdf, …)
    title: 西海岸新区报 城市版 2024年1月5日
    edition: {paper: 西海岸新区报, date: 2024-01-05, sections: {3: 城市}}
    layouts:
      - ../demo.yaml                   # its pages take the next edition page numbers
      - {file: pages/economy.yaml, pages: [5, 6]}
    previews: {dpi: 72, color: false, columns: 8}

Every file the edition names (its layouts, a masthead image) must be a regular file inside the
edition's root: the edition file's folder, the folder its `root:` names, or the caller's root;
`allow_outside_root: true` lifts this unless the caller gave a root. Its layouts are then loaded
with that root as their caller's root, and with its `limits:` over their own.

Functions: `load_edition` (read and validate one; `paiban.edition.is_edition_file` tells an
edition file from a layout), `page_numbers` (each layout's page → edition page, checked across the edition)
and `apply_edition` (a loaded `Layout` renumbered and given the edition's variables, as a new
frozen `Layout` made with `dataclasses.replace`). Every mistake is one `InputError` pointing at
the edition file's line, column and key, like the layout loader's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from paiban.errors import InputError, Where
from paiban.input.edition_variables import EDITION_KEYS, edition_variables
from paiban.input.key_kinds import AnyOf, Keys, ListOf, MapOf, Scalar
from paiban.input.press_settings import PRESS_KEYS, read_press
from paiban.input.input_files import MAX_YAML_BYTES, read_input_text
from paiban.input.layout_keys import LIMITS
from paiban.input.layout_values import ValueReader, caller_root, file_in, picture_in, read_limits, resolve_root
from paiban.input.text_styles import DEFAULT_STYLES, STYLE_KEYS, load_style, style_as_written
from paiban.input.yaml_source import Node, parse_yaml
from paiban.model.spec import Layout, Limits, TextStyle
from paiban.i18n import N_, _

__all__ = ["EditionSpec", "LayoutRef", "PreviewSpec", "apply_edition", "load_edition", "page_numbers"]

# The key tables (paiban.input.key_kinds), as a layout's: the loader refuses any other key, and the
# edition file's JSON Schema is made from them (paiban.edition.edition_schema).
LAYOUT_KEYS = Keys({"file": Scalar.PATH,
                    "pages": AnyOf(Scalar.INT, ListOf(Scalar.INT), MapOf(Scalar.INT, numbered=True))},
                   required=("file",))
PREVIEW_KEYS = Keys({"dpi": Scalar.NUMBER, "color": Scalar.BOOL, "columns": Scalar.INT, "thumb_width": Scalar.INT})
TOP_KEYS = Keys({
    "edition_name": Scalar.LABEL, "title": Scalar.LABEL, "edition": AnyOf(EDITION_KEYS, Scalar.NULL),
    "styles": AnyOf(MapOf(STYLE_KEYS, names=tuple(DEFAULT_STYLES)), Scalar.NULL),
    "layouts": ListOf(AnyOf(Scalar.PATH, LAYOUT_KEYS)), "previews": AnyOf(PREVIEW_KEYS, Scalar.NULL),
    "limits": AnyOf(LIMITS, Scalar.NULL), "root": Scalar.PATH, "allow_outside_root": Scalar.BOOL,
    "press": AnyOf(PRESS_KEYS, Scalar.NULL),
}, required=("edition_name", "layouts"))  # fmt: skip
#: an edition name becomes part of file names: keep it to portable characters
NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_PAGE = 9999


@dataclass(frozen=True)
class PreviewSpec:
    """PNG previews: one per page at `dpi`, and a contact sheet of `thumb_width`-pixel thumbnails."""

    dpi: float = 72.0
    color: bool = False  # greyscale by default: smaller files, and newsprint is mostly black
    columns: int = 8  # thumbnails per row of the contact sheet
    thumb_width: int = 200  # pixels


@dataclass(frozen=True)
class LayoutRef:
    """One entry of `layouts:`: a layout file and, optionally, the edition pages of its pages."""

    path: Path  # absolute
    where: Where  # the entry in the edition file
    #: the edition page of each layout page, in the layout's page order (``pages: [5, 6]``)
    pages: tuple[int, ...] | None = None
    #: (layout page, edition page) pairs (``pages: {1: 5, 2: 6}``)
    page_pairs: tuple[tuple[int, int], ...] | None = None
    #: the edition page of the layout's first page; the others follow (``pages: 5``)
    first_page: int | None = None
    pages_where: Where | None = None  # none of them: the next free page numbers


@dataclass(frozen=True)
class EditionSpec:
    """An edition file, validated: its name and title, its layouts in page order, its edition
    variables, sections, previews and shared styles."""

    source: Path  # the edition file, absolute
    name: str
    title: str
    layouts: tuple[LayoutRef, ...]
    #: edition variables given in the file (layout-format keys → values); they override each layout's
    variables: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    #: 版名 by edition page number
    sections: dict[int, str] = field(default_factory=dict, hash=False, compare=False)
    previews: PreviewSpec = field(default_factory=PreviewSpec)
    #: shared text styles: (style name, its YAML node), applied over each layout's style of that
    #: name (the layout format's style keys); kept as nodes so a mistake names the edition's line
    styles: tuple[tuple[str, Node], ...] = field(default=(), hash=False, compare=False)
    #: the folder every file of the edition and of its layouts must lie in; None: anywhere
    root: Path | None = None
    #: `Limits` fields given by the edition's `limits:`, over each layout's own
    limits: dict[str, int] = field(default_factory=dict, hash=False, compare=False)
    #: `Press` fields given by the edition's `press:` (docs/print.md), over each layout's own
    press: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


def load_edition(path: Path, root: Path | None = None) -> EditionSpec:
    """Read and validate the edition file at `path` (layout files are only checked to exist here).

    `root`: the caller's root, the folder every file must lie in (the edition file too); None:
    the edition file's folder, or the folder its `root:` names."""
    path = Path(path)
    caller = caller_root(root, path, N_("edition file"), N_("the build's root"))
    text = read_input_text(path, MAX_YAML_BYTES, _("edition file"))
    top = parse_yaml(text, path).as_mapping(N_("YAML key: value entries at the top level"))
    top.check_keys(TOP_KEYS, required=TOP_KEYS.required)
    base = path.absolute().parent
    project = resolve_root(base, top.get("root"), top.get("allow_outside_root"), caller, N_("the build's root"),
                           N_("edition file"))
    given_limits = read_limits(top.get("limits"))
    limits = replace(Limits(), **given_limits)
    name_node = top.require("edition_name")
    name = name_node.as_str(coerce=True).strip()
    if not NAME_RE.fullmatch(name):
        raise name_node.error(_("{name!r} cannot name output files: use letters, digits, '-', '_' and '.' (at "
                                "most 64, starting with a letter or digit), e.g. city").format(name=name))
    variables, sections = edition_variables(top.get("edition"),
                                            lambda item, what: picture_in(item, base, project, what, N_("edition file"),
                                                                          limits, strip=True))
    title_node = top.get("title")
    if title_node is not None:
        title = title_node.as_str(coerce=True).strip()
    else:
        title = " ".join(p for p in (variables.get("paper", ""), name, variables.get("date", "")) if p)
    layouts_node = top.require("layouts")
    entries = layouts_node.as_list(N_("a list of layout files (or {file: …, pages: […]} entries)"))
    if not entries:
        raise layouts_node.error(_("at least one layout file is needed"))
    refs = tuple(_layout_ref(item, base, project) for item in entries)
    seen: dict[Path, Where] = {}
    for ref in refs:
        if ref.path in seen:
            raise InputError(_("layout {name} is listed twice (first at line {line}); a layout's pages appear "
                               "once in an edition").format(name=ref.path.name, line=seen[ref.path].line), ref.where)
        seen[ref.path] = ref.where
    press = read_press(top.get("press"), lambda item, what, limit: _file(item, base, project, what, limit))
    return EditionSpec(path.resolve(), name, title, refs, variables, sections, _previews(top.get("previews")),
                       _styles(top.get("styles")), project, given_limits, press)


def _styles(node: Node | None) -> tuple[tuple[str, Node], ...]:
    if node is None or node.is_null:
        return ()
    out = []
    for name, item in node.as_mapping(N_("a mapping of style name → style")).items():
        item.as_mapping(f"a style (a mapping with keys {', '.join(STYLE_KEYS)})")
        item.check_keys(STYLE_KEYS)
        out.append((name, item))
    return tuple(out)


def _file(node: Node, base: Path, project: Path | None, what: str, limit: int | None = None) -> Path:
    return file_in(node, base, project, what, N_("edition file"), limit, strip=True)


def _layout_ref(item: Node, base: Path, project: Path | None) -> LayoutRef:
    if item.is_scalar:
        return LayoutRef(_file(item, base, project, N_("layout file"), MAX_YAML_BYTES), item.where)
    item.as_mapping(N_("a layout file, or a mapping with file and pages"))
    item.check_keys(LAYOUT_KEYS, required=LAYOUT_KEYS.required)
    path = _file(item.require("file"), base, project, N_("layout file"), MAX_YAML_BYTES)
    pages_node = item.get("pages")
    if pages_node is None:
        return LayoutRef(path, item.where)
    if pages_node.is_sequence:
        numbers = tuple(n.as_int(minimum=1, maximum=MAX_PAGE) for n in pages_node.as_list())
        if not numbers:
            raise pages_node.error(_("at least one page number is needed"))
        return LayoutRef(path, item.where, pages=numbers, pages_where=pages_node.where)
    if pages_node.is_mapping:
        pairs = []
        for key, value in pages_node.items():
            try:
                own = int(key)
            except ValueError:
                raise value.error(_("keys are the layout's page numbers, got {key!r}").format(
                    key=key), at_key=True) from None
            pairs.append((own, value.as_int(minimum=1, maximum=MAX_PAGE)))
        return LayoutRef(path, item.where, page_pairs=tuple(pairs), pages_where=pages_node.where)
    number = pages_node.as_int(minimum=1, maximum=MAX_PAGE)  # the first page; the others follow
    return LayoutRef(path, item.where, first_page=number, pages_where=pages_node.where)


def _previews(node: Node | None) -> PreviewSpec:
    if node is None or node.is_null:
        return PreviewSpec()
    node.check_keys(PREVIEW_KEYS)
    values: dict[str, Any] = {}
    if (item := node.get("dpi")) is not None:
        values["dpi"] = item.as_number(minimum=10, maximum=600)
    if (item := node.get("color")) is not None:
        values["color"] = item.as_bool()
    if (item := node.get("columns")) is not None:
        values["columns"] = item.as_int(minimum=1, maximum=64)
    if (item := node.get("thumb_width")) is not None:
        values["thumb_width"] = item.as_int(minimum=16, maximum=2000)
    return PreviewSpec(**values)


def page_numbers(spec: EditionSpec, layout_pages: list[tuple[int, ...]]) -> list[dict[int, int]]:
    """Each layout's {layout page: edition page}, given each layout's pages in its own order.

    Unnumbered layouts take the next numbers after the highest so far; a single number is the
    first page of a run. Every layout page must be placed, every edition page number used once,
    and the edition's pages must be 1…N without a gap."""
    maps: list[dict[int, int]] = []
    owner: dict[int, tuple[LayoutRef, int]] = {}
    nxt = 1
    for ref, own in zip(spec.layouts, layout_pages):
        where = ref.pages_where or ref.where
        if ref.page_pairs is not None:
            mapping = dict(ref.page_pairs)
            unknown = [p for p in mapping if p not in own]
            if unknown:
                raise InputError(_("the layout has no page {page} (its pages: {pages})").format(
                    page=unknown[0], pages=', '.join(map(str, own))), where)
            missing = [p for p in own if p not in mapping]
            if missing:
                raise InputError(_("layout page {page} has no edition page; every page of a layout is in the "
                                   "edition (its stories may thread onto it)").format(page=missing[0]), where)
        elif ref.pages is not None:
            if len(ref.pages) != len(own):
                raise InputError(_("{count} page numbers for a layout of {own_count} pages ({pages})").format(
                    count=len(ref.pages), own_count=len(own), pages=', '.join(map(str, own))), where)
            mapping = dict(zip(own, ref.pages))
        else:
            first = ref.first_page if ref.first_page is not None else nxt
            mapping = {p: first + i for i, p in enumerate(own)}
        if len(set(mapping.values())) != len(mapping):
            raise InputError(_("two of the layout's pages get the same edition page"), where)
        for layout_page, number in mapping.items():
            if number > MAX_PAGE:
                raise InputError(_("edition page {number} is out of range (1–{max_page})").format(
                    number=number, max_page=MAX_PAGE), where)
            if number in owner:
                other, other_page = owner[number]
                raise InputError(_("edition page {number} is already page {other_page} of {name} (line {line})").format(
                    number=number, other_page=other_page, name=other.path.name, line=other.where.line), where)
            owner[number] = (ref, layout_page)
        nxt = max(owner) + 1
        maps.append(mapping)
    gaps = [n for n in range(1, max(owner) + 1) if n not in owner]
    if gaps:
        raise InputError(_("the edition's pages must be 1–{last} without a gap; no layout gives page {page}").format(
            last=max(owner), page=gaps[0]), Where(spec.source, None, None, "layouts"))
    for number in spec.sections:
        if number not in owner:
            raise InputError(_("section for page {number}, but the edition has pages 1–{last}").format(
                number=number, last=max(owner)),
                             Where(spec.source, None, None, "edition.sections"))
    return maps


def apply_edition(layout: Layout, spec: EditionSpec, mapping: dict[int, int]) -> Layout:
    """`layout` renumbered to edition pages, with the edition's variables over its own.

    Regions, the page list and the layout's own `sections` move to the edition's numbers, so jump
    lines (下转第六版), page labels and running heads print the edition's page numbers. The
    result holds only the sections of this layout's pages, so that a change elsewhere in the
    edition leaves this layout's composition (and its cache key) alone."""
    regions = {name: replace(r, page=mapping[r.page]) for name, r in layout.regions.items()}
    pages = tuple(mapping[p] for p in layout.pages)
    own = layout.edition
    sections = {mapping[p]: text for p, text in own.sections.items() if p in mapping}
    sections.update({p: text for p, text in spec.sections.items() if p in pages})
    edition = replace(own, **spec.variables, sections=sections)
    styles = shared_styles(layout, spec)
    return replace(layout, regions=regions, pages=pages, edition=edition, styles=styles,
                   press=replace(layout.press, **spec.press))


def shared_styles(layout: Layout, spec: EditionSpec) -> dict[str, TextStyle]:
    """The layout's styles with the edition's shared styles over them, field by field."""
    if not spec.styles:
        return layout.styles
    styles = dict(layout.styles)
    reader = ValueReader(spec.source)
    for name, node in spec.styles:
        base = styles.get(name)
        defaults = style_as_written(base) if base is not None else {}
        styles[name] = load_style(reader, name, defaults, node, layout.grid, None)
    return styles
