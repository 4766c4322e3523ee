"""The build report: what every run ends with (pages, stories, overset, missing glyphs, warnings,
stage times), as a readable summary and as JSON for machines.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from paiban.model.placed import MissingGlyph


@dataclass(frozen=True)
class StoryReport:
    name: str
    lines: int
    characters: int  # story characters (byline and body; headline excluded)
    placed: int
    overset: int
    overset_sentence: str = ""
    overset_paragraph: int = 0  # 1-based
    regions: dict[str, int] = field(default_factory=dict)  # region → lines placed


@dataclass(frozen=True)
class BuildReport:
    layout: str
    output: str | None
    pages: int
    stories: tuple[StoryReport, ...]
    missing: tuple[MissingGlyph, ...]
    warnings: tuple[str, ...]
    timings: dict[str, float]

    @property
    def overset(self) -> int:
        return sum(s.overset for s in self.stories)

    @property
    def clean(self) -> bool:
        return not (self.overset or self.missing)

    def to_json(self) -> str:
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
        for s in self.stories:
            state = f"overset {s.overset} chars from paragraph {s.overset_paragraph}: {s.overset_sentence}" \
                if s.overset else "fits"
            out.append(f"  story {s.name}: {s.lines} lines, {s.placed}/{s.characters} chars, {state}")
        if self.missing:
            out.append(f"missing glyphs {len(self.missing)}:")
            for m in self.missing[:20]:
                where = f"paragraph {m.paragraph}" if m.paragraph else "headline"
                out.append(f"  {m.char!r} U+{ord(m.char):04X} in story {m.story}, {where}, offset {m.offset} (role {m.role})")
            if len(self.missing) > 20:
                out.append(f"  … and {len(self.missing) - 20} more")
        else:
            out.append("missing glyphs 0")
        for w in self.warnings:
            out.append(f"warning: {w}")
        times = "  ".join(f"{k} {v * 1000:.0f}ms" for k, v in self.timings.items())
        out.append(f"time    {times}")
        return "\n".join(out)
