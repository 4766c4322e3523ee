"""The edition build report: JSON for machines (``OUT/<edition>-report.json`` and ``--json``) and a
readable summary for people.

Per page: the layout and its own page number, the stories on it, placed lines, overset
characters (of stories whose thread ends on the page), empty text lines (underset), missing
glyphs with their story, paragraph and offset, pictures below the print resolution, warnings,
the output files, and whether the page was rendered in this build (with the time and the worker)
or taken from the cache. Per layout: the stories with their fit (the layout build report's
`StoryReport`), whether the composition came from the cache, and its time. Per edition: totals,
the stage times, the executor, the status and the exit status. Field by field in docs/editions.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from paiban import __version__
from paiban.i18n import N_, _, ljust, rjust
from paiban.report import StoryReport

__all__ = ["EditionReport", "LayoutReport", "NightReport", "PageReport", "SCHEMA", "plain", "problems"]

#: the report's format; changes only when a field changes meaning or goes away
SCHEMA = 1


def plain(value: Any) -> Any:
    """`dataclasses.asdict` for a report: dataclasses as dicts, tuples as lists, all the way down,
    without its deep copies (a 48-page edition's report in 10 ms instead of 60)."""
    kind = _KINDS.get(type(value))
    if kind is None:
        kind = _KINDS[type(value)] = _kind(type(value))
    if kind == "value":
        return value
    if kind == "list":
        return [plain(item) for item in value]
    if kind == "dict":
        return {key: plain(item) for key, item in value.items()}
    return {name: plain(getattr(value, name)) for name in kind}


def _kind(cls: type) -> str | tuple[str, ...]:
    """How `plain` converts a value of type `cls`: its dataclass fields' names, or a kind."""
    if is_dataclass(cls):
        return tuple(f.name for f in fields(cls))
    if issubclass(cls, (tuple, list)):
        return "list"
    return "dict" if issubclass(cls, dict) else "value"


_KINDS: dict[type, str | tuple[str, ...]] = {}


@dataclass(frozen=True)
class PageReport:
    """One edition page in the report (see the module docstring)."""

    page: int
    layout: str
    layout_page: int
    stories: tuple[str, ...]
    lines: int
    overset: int
    underset_lines: int
    missing_glyphs: tuple[dict[str, Any], ...]
    low_res_pictures: tuple[str, ...]
    warnings: tuple[dict[str, Any], ...]  # kind, message, page, story
    pdf: str | None = None  # file name in the output folder
    preview: str | None = None
    rendered: bool = False  # False: taken from the cache (or not rendered: check, --strict failure)
    render_seconds: float | None = None
    preview_seconds: float | None = None
    worker: str | None = None
    key: str = ""  # the render cache key


@dataclass(frozen=True)
class LayoutReport:
    """One layout of the edition in the report: its pages, its stories' fit, whether it was cached."""

    file: str
    pages: tuple[tuple[int, int], ...]  # (layout page, edition page)
    cached: bool
    compose_seconds: float
    stories: tuple[StoryReport, ...]
    fallback_glyphs: int = 0


@dataclass(frozen=True)
class EditionReport:
    """The report of an edition build: its pages and layouts, totals, stage times and status."""

    edition: str
    title: str
    source: str
    output: str | None
    status: str  # built | strict-failed | checked
    exit_status: int
    strict: bool
    executor: str
    pages: tuple[PageReport, ...]
    layouts: tuple[LayoutReport, ...]
    outputs: dict[str, str] = field(default_factory=dict)  # combined, contact_sheet, report → file
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage, and total
    problems: tuple[str, ...] = ()  # what --strict fails on (reported with or without it)
    cache_warnings: tuple[str, ...] = ()  # cache folders that could not be used (the build went on)
    schema: int = SCHEMA
    paiban: str = __version__

    @property
    def totals(self) -> dict[str, int]:
        return {
            "pages": len(self.pages),
            "layouts": len(self.layouts),
            "stories": sum(len(layout.stories) for layout in self.layouts),
            "characters": sum(s.placed for layout in self.layouts for s in layout.stories),
            "lines": sum(p.lines for p in self.pages),
            "overset": sum(p.overset for p in self.pages),
            "underset_lines": sum(p.underset_lines for p in self.pages),
            "missing_glyphs": sum(len(p.missing_glyphs) for p in self.pages),
            "low_res_pictures": sum(len(p.low_res_pictures) for p in self.pages),
            "warnings": sum(len(p.warnings) for p in self.pages),
            "pages_rendered": sum(1 for p in self.pages if p.rendered),
            "pages_cached": sum(1 for p in self.pages if not p.rendered and p.pdf),
            "layouts_composed": sum(1 for layout in self.layouts if not layout.cached),
        }

    def to_dict(self) -> dict[str, Any]:
        data = plain(self)
        data["totals"] = self.totals
        data["layouts"] = [dict(plain(layout), pages=[{"layout_page": a, "page": b} for a, b in layout.pages])
                           for layout in self.layouts]
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EditionReport:
        """The report `to_dict` gave (an unchanged rebuild says the last build's report again)."""
        pages = tuple(PageReport(**dict(p, stories=tuple(p["stories"]), missing_glyphs=tuple(p["missing_glyphs"]),
                                        low_res_pictures=tuple(p["low_res_pictures"]), warnings=tuple(p["warnings"])))
                      for p in data["pages"])
        layouts = tuple(LayoutReport(
            layout["file"], tuple((p["layout_page"], p["page"]) for p in layout["pages"]), layout["cached"],
            layout["compose_seconds"], tuple(StoryReport.from_dict(s) for s in layout["stories"]),
            layout["fallback_glyphs"]) for layout in data["layouts"])
        fields = {k: v for k, v in data.items() if k not in ("pages", "layouts", "totals")}
        return cls(**dict(fields, pages=pages, layouts=layouts, problems=tuple(data["problems"]),
                          cache_warnings=tuple(data.get("cache_warnings", ()))))

    def summary(self) -> str:
        """The report for people, in the active language (`paiban.i18n`)."""
        t = self.totals
        out = [_("edition {edition}   {title}   ({source})").format(edition=self.edition, title=self.title,
                                                                    source=self.source)]
        if self.output:
            out.append(_("output  {output}: {files}").format(output=self.output,
                                                            files=", ".join(map(str, self.outputs.values()))))
        out.append(_("pages   {pages}   layouts {layouts}   stories {stories}   lines {lines}   characters "
                     "{characters}").format(**t))
        page, layout, stories_, lines, overset, empty, render = (
            _("page"), _("layout"), _("stories"), _("lines"), _("overset"), _("empty"), _("render"))
        out.append(f"  {rjust(page, 4)}  {ljust(layout, 24)} {ljust(stories_, 28)} {rjust(lines, 5)}"
                   f" {rjust(overset, 7)} {rjust(empty, 5)}  {render}")
        for p in self.pages:
            source = f"{_short(p.layout, 18)} p{p.layout_page}"
            stories = _short(", ".join(p.stories) or "-", 28)
            state = _("cached") if p.pdf else "-"
            if p.rendered:
                state = _("rendered {ms:.0f} ms").format(ms=1000 * (p.render_seconds or 0))
                if p.preview_seconds:
                    state += _(" + preview {ms:.0f} ms").format(ms=1000 * p.preview_seconds)
            flags = [what.format(count=len(items)) for items, what in (
                (p.missing_glyphs, _("{count} missing glyphs")), (p.low_res_pictures, _("{count} low-res pictures")))
                if items]
            note = f"  ({'; '.join(flags)})" if flags else ""
            out.append(f"  {p.page:>4d}  {ljust(source, 24)} {ljust(stories, 28)} {p.lines:>5d} {p.overset:>7d}"
                       f" {p.underset_lines:>5d}  {state}{note}")
        out.append(_("overset {overset}   missing glyphs {missing_glyphs}   low-res pictures {low_res_pictures}   "
                     "warnings {warnings}").format(**t))
        for p in self.pages:
            for m in p.missing_glyphs:
                where = (_("paragraph {number}").format(number=m["paragraph"]) if m["paragraph"]
                         else _(m["part"] or N_("headline")))
                out.append(_("missing: page {page}: {char!r} U+{code:04X} in story {story}, {where}, offset {offset}: "
                             "{reason}").format(page=p.page, char=m["char"], code=ord(m["char"]),
                                                story=m["story"] or "-", where=where, offset=m["offset"],
                                                reason=_(m["reason"])))
            for w in p.low_res_pictures:
                out.append(_("low-res: page {page}: {picture}").format(page=p.page, picture=w))
            for w in p.warnings:
                out.append(_("warning: page {page}: {message}").format(page=p.page, message=w["message"]))
        out.extend(_("warning: {message}").format(message=w) for w in self.cache_warnings)
        composed = t["layouts_composed"]
        if self.status == "checked":
            out.append(_("layouts composed {composed} (check: no output)").format(composed=composed))
        else:
            out.append(_("layouts composed {composed}, from cache {cached}; pages rendered {rendered}, from cache "
                         "{pages_cached} ({executor})").format(composed=composed, cached=len(self.layouts) - composed,
                                                               rendered=t["pages_rendered"],
                                                               pages_cached=t["pages_cached"], executor=self.executor))
        times = "  ".join(f"{k} {v * 1000:.0f}ms" for k, v in self.timings.items())
        out.append(_("time    {times}").format(times=times))
        out.append(_("status  {status} (exit {code})").format(status=self.status, code=self.exit_status))
        return "\n".join(out)


@dataclass(frozen=True)
class NightReport:
    """The reports of several editions built in one run (``paiban build ED1 ED2 …``): as JSON, one
    object whose `editions` are their reports; the exit status is the worst of theirs."""

    editions: tuple[EditionReport, ...]

    @property
    def exit_status(self) -> int:
        return max(report.exit_status for report in self.editions)

    @property
    def problems(self) -> tuple[str, ...]:
        return tuple(f"{report.edition}: {problem}" for report in self.editions for problem in report.problems)

    def night(self) -> dict[str, Any]:
        """The run as a whole: pages, and how many distinct page files it made."""
        pages = [page for report in self.editions for page in report.pages]
        return {"editions": len(self.editions), "pages": len(pages),
                "distinct_pages": len({page.key for page in pages if page.key}),
                "distinct_pages_rendered": len({page.key for page in pages if page.rendered})}

    def to_json(self) -> str:
        status = "built" if all(r.status == "built" for r in self.editions) else \
            next(r.status for r in self.editions if r.status != "built")
        return json.dumps({"status": status, "exit_status": self.exit_status, "night": self.night(),
                           "editions": [report.to_dict() for report in self.editions]}, ensure_ascii=False, indent=2)

    def summary(self) -> str:
        night = self.night()
        last = _("night   {editions} editions, {pages} pages, {distinct_pages} distinct; {distinct_pages_rendered} "
                 "distinct pages rendered or previewed in this run").format(**night)
        if all(report.status == "checked" for report in self.editions):
            last = _("night   {editions} editions, {pages} pages (check: no output)").format(**night)
        return "\n\n".join(report.summary() for report in self.editions) + "\n\n" + last


def problems(infos: Any, comps: Any = ()) -> tuple[str, ...]:
    """What --strict fails on, one line each, from the composed layouts' pages (`compose.LayoutInfo`)
    and, given their compositions (`compose.Composition`, in the same order), the warnings each
    layout's `preflight` makes errors (单字成行 with `single_hanzi_lines: error`, as a layout build)."""
    out = []
    layouts = [item.layout for item in comps] or [None] * len(infos)
    for info, layout in zip(infos, layouts):
        for page in info.pages:
            if page.overset:
                out.append(_("page {page}: {count} characters overset").format(page=page.number, count=page.overset))
            if page.missing:
                out.append(_("page {page}: {count} missing glyphs").format(page=page.number, count=len(page.missing)))
            out.extend(_("page {page}: {problem}").format(page=page.number, problem=w) for w in page.low_res)
            if layout is not None and page.warnings:
                from paiban.pipeline import preflight_errors

                out.extend(_("page {page}: {problem}").format(page=page.number, problem=e)
                           for e in preflight_errors(layout, page.warnings))
    return tuple(out)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]
