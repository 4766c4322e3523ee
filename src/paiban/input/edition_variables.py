"""Edition variables (`edition:`) of a layout or an edition file: the paper's name, the date,
issue numbers, CN number, credits, sections per page and the page label of the running head.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Callable

from paiban.input.key_kinds import Choice, Keys, MapOf, Scalar
from paiban.input.yaml_source import Node
from paiban.units import PAGE_NUMERALS
from paiban.i18n import N_, _

MAX_PAGE = 9999
EDITION_KEYS = Keys({
    "paper": Scalar.LABEL, "date": Scalar.DATE, "issue": Scalar.LABEL, "serial": Scalar.LABEL, "cn": Scalar.LABEL,
    "credits": Scalar.LABEL, "sections": MapOf(Scalar.LABEL, numbered=True), "page_label": Scalar.LABEL,
    "running_head": Scalar.BOOL, "masthead_image": Scalar.PATH, "page_numerals": Choice(PAGE_NUMERALS),
}, name="edition")  # fmt: skip
EDITION_TEXT_VARS = ("paper", "issue", "serial", "cn", "credits", "page_label")


def edition_variables(node: Node | None, resolve_picture: Callable[[Node, str], tuple[Path, tuple[int, int]]]
                      ) -> tuple[dict[str, Any], dict[int, str]]:
    """The `edition:` mapping of a layout or an edition file: (variables, sections by page).
    `resolve_picture(node, what)` turns a picture's path value into a checked absolute path and
    the picture's size in pixels (confined, within the limits, decoded once)."""
    if node is None or node.is_null:
        return {}, {}
    node.as_mapping(N_("edition variables (paper, date, issue, …)"))
    node.check_keys(EDITION_KEYS)
    values: dict[str, Any] = {}
    sections: dict[int, str] = {}
    for key in EDITION_TEXT_VARS:
        if (item := node.get(key)) is not None:
            values[key] = item.as_str(coerce=True, allow_empty=True).strip()
    if (item := node.get("page_label")) is not None:
        try:
            values["page_label"].format(page=2, page_cn="二")
        except (KeyError, IndexError, ValueError, AttributeError):
            raise item.error(_("only {page} and {page_cn} may appear in braces")) from None
    if (item := node.get("date")) is not None:
        text = item.as_str(coerce=True).strip()
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise item.error(_("expected a date as YYYY-MM-DD, got {text!r}").format(text=text)) from None
        values["date"] = text
    if (item := node.get("sections")) is not None:
        for key, value in item.as_mapping(N_("a mapping of page number → section name")).items():
            try:
                page = int(key)
            except ValueError:
                raise value.error(_("section keys are page numbers, got {key!r}").format(
                    key=key), at_key=True) from None
            if not 1 <= page <= MAX_PAGE:
                raise value.error(_("page {page} is out of range (1–{max_page})").format(
                    page=page, max_page=MAX_PAGE), at_key=True)
            sections[page] = value.as_str(coerce=True, allow_empty=True).strip()
    if (item := node.get("running_head")) is not None:
        values["running_head"] = item.as_bool()
    if (item := node.get("page_numerals")) is not None:
        values["page_numerals"] = item.as_str(coerce=True).strip()
        if values["page_numerals"] not in PAGE_NUMERALS:
            raise item.error(_("expected one of {choices}, got {value!r}").format(
                choices=', '.join(PAGE_NUMERALS), value=values['page_numerals']))
    if (item := node.get("masthead_image")) is not None:
        values["masthead_image"], values["masthead_pixels"] = resolve_picture(item, N_("masthead image"))
    return values, sections
