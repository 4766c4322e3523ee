"""Whole editions: an edition file names the layouts of every page; `paiban build EDITION` composes
them, renders the pages in parallel (local processes or a Dask cluster), writes the per-page and
combined PDFs, PNG previews, a contact sheet and a JSON report, and keeps a cache so that an
unchanged page is not rendered again. Several edition files build in one run, a night
(`paiban.edition.night`): a layout they use alike is composed once and a page they share
rendered once. See docs/editions.md and `paiban.edition.edition_build`.

`is_edition_file` tells an edition file from a layout without parsing it (the CLI asks it first,
and an up-to-date build never needs more than this package's light modules).
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["is_edition_file"]

#: an edition file has a top-level `layouts:` key; a layout file never has one (it is an error there)
_LAYOUTS_KEY = re.compile(rb"""^(?:layouts|"layouts"|'layouts')[ \t]*:""", re.MULTILINE)


def is_edition_file(path: Path) -> bool:
    """True when the file has a top-level ``layouts:`` key (block style, as written by hand).
    An unreadable file is not an edition: the layout loader reports what is wrong with it."""
    from paiban.input.input_files import MAX_YAML_BYTES, FileProblem, read_input_bytes

    try:  # a regular file of at most the YAML limit: a FIFO or /dev/zero is not read
        data = read_input_bytes(Path(path), MAX_YAML_BYTES, "file")
    except (OSError, ValueError, FileProblem):
        return False
    return _LAYOUTS_KEY.search(data) is not None
