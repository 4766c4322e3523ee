"""The build report: what every run ends with (pages, stories, overset, missing glyphs, fallback
glyphs, warnings, stage times), as a readable summary and as JSON for machines.

Missing glyphs (no font has the character, or it is an emoji or a private-use character) make a
build unclean (`--strict` fails); fallback glyphs (drawn by a later face of the role's chain) are
listed for the proof-reader but do not. The summary shows the first `SHOWN` of each; the JSON has
every one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from paiban.model.build_warning import BuildWarning
from paiban.model.flowed import RegionFill

if TYPE_CHECKING:  # annotations only: an unchanged edition rebuild needs no paiban.model.placed
    from paiban.model.placed import FallbackUse, MissingGlyph

#: how many missing and fallback glyphs the summary lists (the JSON lists all)
SHOWN = 20


@dataclass(frozen=True)
class StoryReport:
    """How one story fits: its lines and characters, overset and underset, per region."""

    name: str
    lines: int
    characters: int  # story characters (byline and body; headline excluded)
    placed: int
    overset: int
    overset_sentence: str = ""
    overset_paragraph: int = 0  # 1-based
    regions: tuple[RegionFill, ...] = ()  # per region of the thread
    #: line slots left empty after the story's end (剩余), and the characters they would hold
    underset_lines: int = 0
    underset_characters: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryReport:
        """The report `dataclasses.asdict` gave."""
        return cls(**dict(data, regions=tuple(RegionFill(**r) for r in data["regions"])))


@dataclass(frozen=True)
class BuildReport:
    """The report of one layout build (see the module docstring)."""

    layout: str
    output: str | None
    pages: int
    stories: tuple[StoryReport, ...]
    missing: tuple[MissingGlyph, ...]
    warnings: tuple[BuildWarning, ...]
    timings: dict[str, float]
    fallbacks: tuple[FallbackUse, ...] = ()
    #: pictures below the layout's print resolution (preflight); `--strict` fails on them
    low_resolution: tuple[str, ...] = ()
    #: warnings the layout's preflight makes errors (`single_hanzi_lines: error`); `--strict` fails on them
    errors: tuple[str, ...] = ()

    @property
    def overset(self) -> int:
        return sum(s.overset for s in self.stories)

    @property
    def clean(self) -> bool:
        return not (self.overset or self.missing or self.low_resolution or self.errors)

    def to_json(self) -> str:
        import json  # only for --json: a build that prints the summary does not import it

        data = asdict(self)
        data["overset"] = self.overset
        data["clean"] = self.clean
        return json.dumps(data, ensure_ascii=False, indent=2)

    def summary(self) -> str:
        out = [f"layout  {self.layout}"]
        if self.output:
            out.append(f"output  {self.output}")
        lines = sum(s.lines for s in self.stories)
        out.append(f"pages   {self.pages}   stories {len(self.stories)}   lines {lines}")
        out.append(f"  {'story':12s} {'region':14s} {'page':>4s} {'lines':>9s} {'chars':>6s}  fit")
        for s in self.stories:
            if s.overset:
                state = f"overset {s.overset} chars from paragraph {s.overset_paragraph}: {s.overset_sentence}"
            elif s.underset_lines:
                state = f"fits; {s.underset_lines} lines ({s.underset_characters} chars) left to fill"
            else:
                state = "fits exactly"
            out.append(f"  {s.name:12s} {'(all)':14s} {'':>4s} {s.lines:>9d} {s.placed:>6d}  {state}")
            for r in s.regions:
                out.append(f"  {'':12s} {r.region:14s} {r.page:>4d} {r.lines:>4d}/{r.capacity:<4d}"
                           f" {r.characters:>6d}")
        _listed(out, "missing glyphs", self.missing, "(not drawn; red proof boxes):",
                lambda m: f"{m.char!r} U+{ord(m.char):04X} in story {m.story}, {_where(m)}, offset {m.offset}"
                          f" (role {m.role}): {m.reason}")
        _listed(out, "fallback glyphs", self.fallbacks,
                f"({len({f.char for f in self.fallbacks})} distinct, drawn by a later font of the role):",
                lambda f: f"{f.char!r} U+{ord(f.char):04X} in story {f.story}, {_where(f)}, offset {f.offset}:"
                          f" role {f.role} -> {f.family or f.face} ({f.face})")
        for w in self.warnings:
            out.append(f"warning: {w.message}")
        out += [f"error: {e}" for e in self.errors]
        times = "  ".join(f"{k} {v * 1000:.0f}ms" for k, v in self.timings.items())
        out.append(f"time    {times}")
        return "\n".join(out)


def _listed(out: list[str], label: str, items: Sequence, header: str, line: Callable[[Any], str]) -> None:
    """``label N header`` and the first `SHOWN` items, one a line; ``label 0`` when there are none."""
    if not items:
        out.append(f"{label} 0")
        return
    out.append(f"{label} {len(items)} {header}")
    out += [f"  {line(item)}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        out.append(f"  … and {len(items) - SHOWN} more")


def _where(item: MissingGlyph | FallbackUse) -> str:
    if item.paragraph:
        return f"paragraph {item.paragraph}"
    return item.part or "headline"
