"""The JSON Schema of a layout file, made from the loader's own key tables.

`layout_schema()` turns `layout_keys.TOP_KEYS` (and the tables it nests: page, grid, regions,
stories, styles, edition variables, press, limits; see `paiban.input.key_kinds`) into a JSON
Schema (draft 7, which every YAML editor reads), so that VS Code's YAML extension and others
complete the keys and flag a misspelt one. `json_schema()` does the same for any key table (the
edition file's, `paiban.edition.edition_schema`). The schemas are shipped in
src/paiban/data/*.schema.json and written again with
``python -m paiban.edition.edition_schema --write``; a test checks that they are up to date.

The schema checks what an editor can see: key names, required keys, kinds of values, choices.
The loader checks the rest (ranges, files, geometry, references between regions and stories)
and is what `paiban build` trusts.
"""

from __future__ import annotations

from typing import Any

from paiban.input.key_kinds import AnyOf, Choice, Keys, Kind, ListOf, MapOf, Scalar
from paiban.input.layout_keys import TOP_KEYS
from paiban.units import HAO_SIZES_PT

__all__ = ["json_schema", "layout_schema"]

DRAFT = "http://json-schema.org/draft-07/schema#"

_SCALARS: dict[Scalar, dict[str, Any]] = {
    Scalar.TEXT: {"type": "string"},
    Scalar.LABEL: {"type": ["string", "number"]},
    Scalar.BOOL: {"type": "boolean"},
    Scalar.INT: {"type": "integer"},
    Scalar.NUMBER: {"type": "number"},
    Scalar.LENGTH: {"type": ["number", "string"], "description": "a length: 12mm, 9pt, 1.5cm; a number is mm"},
    Scalar.TYPE_SIZE: {"anyOf": [{"enum": list(HAO_SIZES_PT)}, {"type": ["number", "string"]}],
                       "description": "a type size: a 号 name (小五) or points (9, 9pt)"},
    Scalar.PITCH: {"type": ["number", "string"],
                   "description": "a multiple of the type size (1.5) or a length with a unit (14pt)"},
    Scalar.PATH: {"type": "string", "description": "a file, relative to this file's folder"},
    Scalar.DATE: {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description": "a date: YYYY-MM-DD"},
    Scalar.AMOUNT: {"type": ["integer", "string"], "description": "a whole number, or 512KB, 2MB, 64MP"},
    Scalar.NULL: {"type": "null"},
}
#: keywords that apply to one JSON type only: branches of an `AnyOf` that use only these (and
#: differ in type) merge into one schema, so that a validator's message names the key at fault
#: instead of "not valid under any of the given schemas"
_TYPED = {"type", "properties", "additionalProperties", "required", "propertyNames", "items", "minItems",
          "maxItems", "pattern", "description"}


def layout_schema() -> dict[str, Any]:
    """The JSON Schema of a layout file (docs/layout-spec.md)."""
    return json_schema(TOP_KEYS, "paiban layout file",
                       "A page layout for paiban (docs/layout-spec.md): grid, regions, stories, styles.")


def json_schema(table: Keys, title: str, description: str) -> dict[str, Any]:
    """The JSON Schema of a file whose top level is the mapping `table` describes."""
    definitions: dict[str, Any] = {}
    body = _schema(table, definitions, top=True)
    out: dict[str, Any] = {"$schema": DRAFT, "title": title, "description": description, **body}
    if definitions:
        out["definitions"] = dict(sorted(definitions.items()))
    return out


def _schema(kind: Kind, definitions: dict[str, Any], top: bool = False) -> dict[str, Any]:
    if isinstance(kind, Scalar):
        return dict(_SCALARS[kind])
    if isinstance(kind, Choice):
        return {"enum": list(kind.values)}
    if isinstance(kind, ListOf):
        out: dict[str, Any] = {"type": "array", "items": _schema(kind.item, definitions)}
        if kind.size is not None:
            out["minItems"] = out["maxItems"] = kind.size
        return out
    if isinstance(kind, MapOf):
        value = _schema(kind.value, definitions)
        out = {"type": "object"}
        if kind.names:
            out["properties"] = {name: value for name in kind.names}
        if kind.numbered:
            out["propertyNames"] = {"pattern": "^[0-9]+$"}
        out["additionalProperties"] = value
        return out
    if isinstance(kind, AnyOf):
        return _any_of([_schema(k, definitions) for k in kind.kinds])
    if isinstance(kind, Keys):
        return _keys(kind, definitions, top)
    raise TypeError(f"not a kind of value: {kind!r}")


def _keys(table: Keys, definitions: dict[str, Any], top: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "object",
                           "properties": {key: _schema(kind, definitions) for key, kind in table.items()},
                           "additionalProperties": False}
    if table.required:
        out["required"] = list(table.required)
    if not table.name or top:
        return out
    known = definitions.setdefault(table.name, out)
    if known != out:
        raise ValueError(f"two key tables are named {table.name!r}")
    return {"$ref": f"#/definitions/{table.name}"}


def _any_of(branches: list[dict[str, Any]]) -> dict[str, Any]:
    types = [_types(b) for b in branches]
    keywords = [set(b) - {"type", "description"} for b in branches]
    mergeable = (all(set(b) <= _TYPED and t for b, t in zip(branches, types))
                 and len({x for t in types for x in t}) == sum(map(len, types))
                 and len(set().union(*keywords)) == sum(map(len, keywords)))
    if not mergeable:
        return {"anyOf": branches}
    merged: dict[str, Any] = {}
    for branch in branches:
        merged.update(branch)
    merged["type"] = [x for t in types for x in t]
    return merged


def _types(schema: dict[str, Any]) -> list[str]:
    found = schema.get("type", [])
    return [found] if isinstance(found, str) else list(found)
