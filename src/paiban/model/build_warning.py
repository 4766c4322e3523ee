"""A warning of a build: what a layout editor should look at, with where it is.

Warnings are made by the stages (flow: a paragraph left on one hanzi, a line broken against the
rules; page composition: a headline set smaller to fit, a picture below the print resolution or
without room for its caption) and carried as they are to the report and its JSON: nothing
parses a message back to find its page or story.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BuildWarning"]


@dataclass(frozen=True)
class BuildWarning:
    """One warning: its kind (a short fixed name), the message shown to people, and where."""

    #: e.g. "orphan", "forced-break", "headline-shrunk", "headline-does-not-fit", "low-resolution",
    #: "picture-room"
    kind: str
    message: str  # the whole sentence as the report prints it
    page: int | None = None  # the page it is about, when it is about one
    story: str = ""  # the story it is about, when it is about one

    def __str__(self) -> str:
        return self.message
