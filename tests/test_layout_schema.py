"""The JSON Schemas of layout and edition files (src/paiban/data/*.schema.json): made from the
loaders' key tables, up to date, met by every sample, and failing a misspelt key by its name."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml
from jsonschema.exceptions import best_match

from paiban.edition.edition_schema import (DATA, EDITION_SCHEMA, LAYOUT_SCHEMA, schema_comment, schema_name,
                                           schema_reference, schema_texts, write_schemas)
from paiban.errors import InputError
from paiban.input.key_kinds import Keys
from paiban.input.layout_keys import REGION_KEYS
from paiban.input.layout_loader import load_layout

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "layouts").rglob("*.yaml")) + [ROOT / "tests" / "mixed_text" / "layout.yaml"]


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2): ``2024-01-05`` stays text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _as_json(value):
    """YAML data as JSON has it: every mapping key text (``sections: {1: 要闻}``)."""
    if isinstance(value, dict):
        return {str(key): _as_json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_json(item) for item in value]
    return value


def _data(path: Path):
    return _as_json(yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader))


def _validator(name: str):
    schema = json.loads((DATA / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def test_the_shipped_schemas_are_what_the_key_tables_give_now():
    made = schema_texts()
    assert set(made) == {LAYOUT_SCHEMA, EDITION_SCHEMA}
    for name, text in made.items():
        assert (DATA / name).read_text(encoding="utf-8") == text, (
            f"{name} is out of date: python -m paiban.edition.edition_schema --write")


def test_the_regenerating_command_writes_the_same_files(tmp_path):
    written = write_schemas(tmp_path)
    assert sorted(p.name for p in written) == sorted([LAYOUT_SCHEMA, EDITION_SCHEMA])
    for path in written:
        assert path.read_bytes() == (DATA / path.name).read_bytes()
    check = subprocess.run([sys.executable, "-m", "paiban.edition.edition_schema", "--check"], cwd=ROOT,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_samples_are_found():
    names = {p.relative_to(ROOT).as_posix() for p in SAMPLES}
    assert {"layouts/demo.yaml", "layouts/editions/city.yaml", "layouts/editions/coast.yaml"} <= names
    assert len(SAMPLES) >= 5


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_sample_validates_against_its_schema(path):
    errors = list(_validator(schema_name(path)).iter_errors(_data(path)))
    assert errors == [], f"{path}: {best_match(errors).message}"


def test_the_full_example_of_the_layout_reference_validates():
    text = (ROOT / "docs" / "layout-spec.md").read_text(encoding="utf-8")
    (example,) = re.findall(r"<!-- example:start -->\n```yaml\n(.*?)```", text, re.S)
    data = _as_json(yaml.load(example, Loader=_EditorLoader))
    assert {"grid", "pages", "stories"} <= set(data)
    assert list(_validator(LAYOUT_SCHEMA).iter_errors(data)) == []


def test_editions_and_layouts_get_their_own_schema():
    assert schema_name(ROOT / "layouts/editions/city.yaml") == EDITION_SCHEMA
    assert schema_name(ROOT / "layouts/demo.yaml") == LAYOUT_SCHEMA
    assert schema_name(ROOT / "layouts/editions/pages/culture.yaml") == LAYOUT_SCHEMA
    # a layout is refused by the edition schema and an edition by the layout schema
    assert list(_validator(EDITION_SCHEMA).iter_errors(_data(ROOT / "layouts/demo.yaml")))
    assert list(_validator(LAYOUT_SCHEMA).iter_errors(_data(ROOT / "layouts/editions/city.yaml")))


def test_the_reference_a_sample_carries_is_relative_and_names_the_shipped_file():
    demo, city = ROOT / "layouts/demo.yaml", ROOT / "layouts/editions/city.yaml"
    assert schema_reference(demo) == "../src/paiban/data/layout.schema.json"
    assert schema_reference(city) == "../../src/paiban/data/edition.schema.json"
    assert (demo.parent / schema_reference(demo)).resolve() == (DATA / LAYOUT_SCHEMA).resolve()
    assert schema_comment(city) == "# yaml-language-server: $schema=../../src/paiban/data/edition.schema.json"


@pytest.mark.parametrize("path", sorted((ROOT / "layouts").rglob("*.yaml")), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_sample_names_its_schema_on_its_first_line_for_the_editor(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == schema_comment(path), f"{path}: the first line should be {schema_comment(path)!r}"
    assert (path.parent / first.split("$schema=", 1)[1]).resolve().is_file()


def _demo_region_with(key: str, value):
    data = _data(ROOT / "layouts/demo.yaml")
    region = next(r for r in data["pages"][0]["regions"] if "columns" in r)
    region[key] = value
    return data, region


def test_a_misspelt_region_key_fails_validation_naming_the_key():
    data, region = _demo_region_with("colums", None)
    region["colums"] = region.pop("columns")
    errors = list(_validator(LAYOUT_SCHEMA).iter_errors(data))
    assert errors
    error = best_match(errors)
    assert "'colums'" in error.message
    assert list(error.absolute_path)[:2] == ["pages", 0]


@pytest.mark.parametrize("where, key", [((), "titel"), (("grid",), "colum_chars"), (("edition",), "papr"),
                                        (("stories", 0), "threads"), (("page", "margins"), "lef")])
def test_a_misspelt_key_anywhere_is_named(where, key):
    data = _data(ROOT / "layouts/demo.yaml")
    target = data
    for step in where:
        target = target[step]
    target[key] = 1
    error = best_match(_validator(LAYOUT_SCHEMA).iter_errors(data))
    assert f"'{key}'" in error.message and list(error.absolute_path) == list(where)


def test_a_misspelt_style_key_in_an_edition_file_is_named():
    data = _data(ROOT / "layouts/editions/city.yaml")
    data["styles"] = {"body": {"sise": 9}}
    error = best_match(_validator(EDITION_SCHEMA).iter_errors(data))
    assert "'sise'" in error.message


def test_wrong_kinds_of_value_fail():
    validator = _validator(LAYOUT_SCHEMA)
    for key, value in (("kind", "pictur"), ("columns", "three"), ("fit", "stretch"), ("focus", [0.5])):
        data, _ = _demo_region_with(key, value)
        assert list(validator.iter_errors(data)), (key, value)
    data, _ = _demo_region_with("box", {"tint": [0, 0, 0, 0.1]})
    assert list(validator.iter_errors(data)) == []


def test_the_loader_refuses_what_the_schema_refuses(tmp_path):
    """One table says which keys a region may have: the loader's message names the key as well."""
    text = ("grid: {columns: 4, column_chars: 12}\n"
            "pages:\n  - page: 1\n    regions:\n      - {name: a, colums: [1, 2], lines: [1, 10]}\n"
            "stories:\n  - {name: s, article: s.txt, thread: a}\n")
    layout = tmp_path / "layout.yaml"
    layout.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_layout(layout)
    assert "unknown key 'colums'" in str(caught.value) and "did you mean 'columns'" in str(caught.value)
    data = _as_json(yaml.load(text, Loader=_EditorLoader))
    assert "'colums'" in best_match(_validator(LAYOUT_SCHEMA).iter_errors(data)).message


def _tables(table: Keys, seen: list[Keys]) -> list[Keys]:
    if any(t is table for t in seen):
        return seen
    seen.append(table)
    stack = list(table.values())
    while stack:
        kind = stack.pop()
        if isinstance(kind, Keys):
            _tables(kind, seen)
        else:
            stack += [getattr(kind, name) for name in ("item", "value") if hasattr(kind, name)]
            stack += list(getattr(kind, "kinds", ()))
    return seen


def test_every_key_of_every_table_is_in_the_schema():
    from paiban.edition.edition_loader import TOP_KEYS as EDITION_TOP
    from paiban.input.layout_keys import TOP_KEYS as LAYOUT_TOP

    for top, name in ((LAYOUT_TOP, LAYOUT_SCHEMA), (EDITION_TOP, EDITION_SCHEMA)):
        text = (DATA / name).read_text(encoding="utf-8")
        tables = _tables(top, [])
        assert len(tables) >= (10 if top is LAYOUT_TOP else 5)
        for table in tables:
            for key in table:
                assert f'"{key}":' in text, (name, key)
    assert REGION_KEYS.required == ("name", "columns", "lines")
