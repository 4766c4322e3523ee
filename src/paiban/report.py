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

from paiban.i18n import N_, _, ljust, rjust
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
        """The report for people, in the active language (`paiban.i18n`)."""
        out = [_("layout  {layout}").format(layout=self.layout)]
        if self.output:
            out.append(_("output  {output}").format(output=self.output))
        lines = sum(s.lines for s in self.stories)
        out.append(_("pages   {pages}   stories {stories}   lines {lines}").format(
            pages=self.pages, stories=len(self.stories), lines=lines))
        story, region, page, lines_, chars, fit, every = (
            _("story"), _("region"), _("page"), _("lines"), _("chars"), _("fit"), _("(all)"))
        out.append(f"  {ljust(story, 12)} {ljust(region, 14)} {rjust(page, 4)} {rjust(lines_, 9)} {rjust(chars, 6)}  {fit}")
        for s in self.stories:
            if s.overset:
                state = _("overset {overset} chars from paragraph {paragraph}: {sentence}").format(
                    overset=s.overset, paragraph=s.overset_paragraph, sentence=s.overset_sentence)
            elif s.underset_lines:
                state = _("fits; {lines} lines ({chars} chars) left to fill").format(
                    lines=s.underset_lines, chars=s.underset_characters)
            else:
                state = _("fits exactly")
            out.append(f"  {ljust(s.name, 12)} {ljust(every, 14)} {'':>4s} {s.lines:>9d} {s.placed:>6d}  {state}")
            for r in s.regions:
                out.append(f"  {'':12s} {ljust(r.region, 14)} {r.page:>4d} {r.lines:>4d}/{r.capacity:<4d}"
                           f" {r.characters:>6d}")
        _listed(out, _("missing glyphs"), self.missing, _("(not drawn; red proof boxes):"),
                lambda m: _("{char!r} U+{code:04X} in story {story}, {where}, offset {offset} (role {role}): "
                            "{reason}").format(char=m.char, code=ord(m.char), story=m.story, where=_where(m),
                                               offset=m.offset, role=m.role, reason=_(m.reason)))
        _listed(out, _("fallback glyphs"), self.fallbacks,
                _("({count} distinct, drawn by a later font of the role):").format(
                    count=len({f.char for f in self.fallbacks})),
                lambda f: _("{char!r} U+{code:04X} in story {story}, {where}, offset {offset}: role {role} -> "
                            "{family} ({face})").format(char=f.char, code=ord(f.char), story=f.story, where=_where(f),
                                                        offset=f.offset, role=f.role, family=f.family or f.face,
                                                        face=f.face))
        for w in self.warnings:
            out.append(_("warning: {message}").format(message=w.message))
        out += [_("error: {message}").format(message=e) for e in self.errors]
        times = "  ".join(f"{k} {v * 1000:.0f}ms" for k, v in self.timings.items())
        out.append(_("time    {times}").format(times=times))
        return "\n".join(out)


def _listed(out: list[str], label: str, items: Sequence, header: str, line: Callable[[Any], str]) -> None:
    """``label N header`` and the first `SHOWN` items, one a line; ``label 0`` when there are none."""
    if not items:
        out.append(f"{label} 0")
        return
    out.append(f"{label} {len(items)} {header}")
    out += [f"  {line(item)}" for item in items[:SHOWN]]
    if len(items) > SHOWN:
        out.append(_("  … and {count} more").format(count=len(items) - SHOWN))


def _where(item: MissingGlyph | FallbackUse) -> str:
    if item.paragraph:
        return _("paragraph {number}").format(number=item.paragraph)
    return _(item.part or N_("headline"))
