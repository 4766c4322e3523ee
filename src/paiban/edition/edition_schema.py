"""The JSON Schemas shipped for editors: the layout file's and the edition file's, made from the
loaders' key tables (`paiban.input.layout_schema`), and which one a file should reference.

    python -m paiban.edition.edition_schema --write    # src/paiban/data/*.schema.json again
    python -m paiban.edition.edition_schema --check    # exit 1 when a shipped schema is stale

A layout or edition file names its schema in its first line for VS Code's YAML extension (and
any editor using yaml-language-server), with a path relative to the file (`schema_comment`):

    # yaml-language-server: $schema=../src/paiban/data/layout.schema.json
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from paiban.atomic_files import write_atomically
from paiban.edition import is_edition_file
from paiban.edition.edition_loader import TOP_KEYS
from paiban.input.layout_schema import json_schema, layout_schema

__all__ = ["DATA", "edition_schema", "schema_comment", "schema_name", "schema_reference", "schema_texts",
           "write_schemas"]

#: where the package keeps its data files (pyproject.toml package-data)
DATA = Path(__file__).resolve().parent.parent / "data"
LAYOUT_SCHEMA, EDITION_SCHEMA = "layout.schema.json", "edition.schema.json"


def edition_schema() -> dict[str, Any]:
    """The JSON Schema of an edition file (docs/editions.md)."""
    return json_schema(TOP_KEYS, "paiban edition file",
                       "A whole edition for paiban (docs/editions.md): its layout files in page order, "
                       "edition variables, shared styles, previews.")


def schema_texts() -> dict[str, str]:
    """Each shipped schema's file name → its text as the generator makes it now."""
    made = {LAYOUT_SCHEMA: layout_schema(), EDITION_SCHEMA: edition_schema()}
    return {name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n" for name, schema in made.items()}


def write_schemas(folder: Path = DATA) -> list[Path]:
    """Write the schemas into `folder` (by default the package's data folder); the paths written."""
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        write_atomically(path, text.encode("utf-8"))
        written.append(path)
    return written


def schema_name(path: Path) -> str:
    """The schema file a layout or edition file at `path` follows (an edition file has a top-level
    ``layouts:``)."""
    return EDITION_SCHEMA if is_edition_file(path) else LAYOUT_SCHEMA


def schema_reference(path: Path, folder: Path = DATA) -> str:
    """The path of the schema the file at `path` follows, relative to the file's folder, with
    ``/`` (``../src/paiban/data/layout.schema.json`` for layouts/demo.yaml in the checkout)."""
    target = Path(folder).resolve() / schema_name(path)
    return Path(os.path.relpath(target, Path(path).resolve().parent)).as_posix()


def schema_comment(path: Path, folder: Path = DATA) -> str:
    """The first line a layout or edition file carries for VS Code's YAML extension."""
    return f"# yaml-language-server: $schema={schema_reference(path, folder)}"


def main(argv: list[str] | None = None) -> int:
    """``--write``: write the schemas into the package; ``--check``: 1 when one is out of date."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--write"]:
        for path in write_schemas():
            print(f"wrote {path}")
        return 0
    if args == ["--check"]:
        stale = [name for name, text in schema_texts().items()
                 if not (DATA / name).is_file() or (DATA / name).read_text(encoding="utf-8") != text]
        for name in stale:
            print(f"{DATA / name} is out of date: run python -m paiban.edition.edition_schema --write")
        return 1 if stale else 0
    print("usage: python -m paiban.edition.edition_schema --write | --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
