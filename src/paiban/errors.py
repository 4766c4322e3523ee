"""User-facing errors.

Every problem a user can cause (bad YAML, unknown key, missing file, impossible geometry, a font
role that resolves to nothing) is raised as an `InputError` that knows the file, line, column and
YAML key path. The CLI prints `str(error)` as one line and exits with code 2; no traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Where:
    """A place in an input file: 1-based line and column, and the YAML key path (``a.b[2].c``)."""

    file: Path | str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        parts = [str(self.file) if self.file is not None else "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        text = ":".join(parts)
        return f"{text}: {self.key}" if self.key else text


class PaibanError(Exception):
    """Base class of paiban's own errors."""


class InputError(PaibanError):
    """The user's input is wrong. Exit code 2."""

    def __init__(self, message: str, where: Where | None = None):
        super().__init__(message)
        self.message = message
        self.where = where or Where()

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

