"""Edition variables (`edition:`) of a layout or an edition file: the paper's name, the date,
issue numbers, CN number, credits, sections per page and the page label of the running head.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Callable

from paiban.input.yaml_source import Node
from paiban.units import PAGE_NUMERALS

MAX_PAGE = 9999
EDITION_KEYS = ("paper", "date", "issue", "serial", "cn", "credits", "sections", "page_label", "running_head",
                "masthead_image", "page_numerals")
EDITION_TEXT_VARS = ("paper", "issue", "serial", "cn", "credits", "page_label")


def edition_variables(node: Node | None, resolve_picture: Callable[[Node, str], tuple[Path, tuple[int, int]]]
                      ) -> tuple[dict[str, Any], dict[int, str]]:
    """The `edition:` mapping of a layout or an edition file: (variables, sections by page).
    `resolve_picture(node, what)` turns a picture's path value into a checked absolute path and
    the picture's size in pixels (confined, within the limits, decoded once)."""
    if node is None or node.is_null:
        return {}, {}
    node.as_mapping("edition variables (paper, date, issue, …)")
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
            raise item.error("only {page} and {page_cn} may appear in braces") from None
    if (item := node.get("date")) is not None:
        text = item.as_str(coerce=True).strip()
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise item.error(f"expected a date as YYYY-MM-DD, got {text!r}") from None
        values["date"] = text
    if (item := node.get("sections")) is not None:
        for key, value in item.as_mapping("a mapping of page number → section name").items():
            try:
                page = int(key)
            except ValueError:
                raise value.error(f"section keys are page numbers, got {key!r}", at_key=True) from None
            if not 1 <= page <= MAX_PAGE:
                raise value.error(f"page {page} is out of range (1–{MAX_PAGE})", at_key=True)
            sections[page] = value.as_str(coerce=True, allow_empty=True).strip()
    if (item := node.get("running_head")) is not None:
        values["running_head"] = item.as_bool()
    if (item := node.get("page_numerals")) is not None:
        values["page_numerals"] = item.as_str(coerce=True).strip()
        if values["page_numerals"] not in PAGE_NUMERALS:
            raise item.error(f"expected one of {', '.join(PAGE_NUMERALS)}, got {values['page_numerals']!r}")
    if (item := node.get("masthead_image")) is not None:
        values["masthead_image"], values["masthead_pixels"] = resolve_picture(item, "masthead image")
    return values, sections
