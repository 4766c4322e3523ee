"""``paiban fonts``: what the font roles resolve to on this machine, and what they cover.

    paiban fonts [list] [--roles FILE | --layout LAYOUT] [--article FILE ...] [--json]
    paiban fonts check ARTICLE [--role ROLE] [--roles FILE | --layout LAYOUT] [--json] [--strict]
    paiban fonts cache [--prune MB]

``list`` (the default) prints every role with the files it resolves to (path, face index,
family, outline kind), the chain entries that are not installed, and its coverage of the GB 2312
hanzi, of the 通用规范汉字表 (when Unihan data is installed: see `paiban.fonts.charsets`) and of
each ``--article``. ``check`` lists every character of an article that a role draws with a
fallback face (and which) or not at all, with paragraph, source line and offset: the same rule
as the build report (`paiban.fonts.coverage.resolve`). ``cache`` shows the cache folder (font
facts, font programs, CMYK pictures: `paiban.fonts.disk_cache`) and trims it. (There is nothing
to prepare: CFF faces are embedded with their own outlines, cut in ~0.1 s a face.)

Exit codes: 0 done; 1 ``check --strict`` found a missing character; 2 the input is wrong (one
line on stderr, from `paiban.errors.InputError`).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from paiban.errors import InputError, Where
from paiban.i18n import ArgumentParser, _, argparse_message

if TYPE_CHECKING:  # imported lazily at run time: `paiban --help` stays fast
    from paiban.fonts.coverage import SetCoverage
    from paiban.fonts.registry import FontRegistry
    from paiban.model.article import Article

__all__ = ["add_fonts_parser", "run_fonts"]

EXIT_OK, EXIT_STRICT, EXIT_INPUT = 0, 1, 2
#: how many missing characters a coverage line names before "…"
NAMED = 24


# ---- command line ---------------------------------------------------------------------------

def _add_source_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    """--roles / --layout; on sub-actions with SUPPRESS defaults so they do not undo the parent's."""
    default: Any = argparse.SUPPRESS if suppress else None
    group = p.add_mutually_exclusive_group()
    group.add_argument("--roles", type=Path, default=default, metavar="FILE",
                       help=_("font roles YAML (default: the packaged one)"))
    group.add_argument("--layout", type=Path, default=default, metavar="LAYOUT",
                       help=_("use the roles file and font_files of this layout"))


def _add_list_options(p: argparse.ArgumentParser, suppress: bool) -> None:
    default: Any = argparse.SUPPRESS if suppress else []
    p.add_argument("--article", type=Path, action="append", default=default, metavar="FILE",
                   help=_("also show each role's coverage of this article (repeatable)"))
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if suppress else False,
                   help=_("print JSON"))


class _OneLineErrors(ArgumentParser):
    """A parser whose usage errors are one line on stderr (exit 2), like every paiban error."""

    def error(self, message: str) -> Any:  # argparse's signature: NoReturn
        self.exit(EXIT_INPUT, _("{prog}: error: {message} (see {prog} --help)").format(
            prog=self.prog, message=argparse_message(message)) + "\n")


def add_fonts_parser(subparsers: Any) -> None:
    """Add ``fonts`` and its actions to the ``paiban`` command's subparsers."""
    fonts = subparsers.add_parser(
        "fonts", help=_("list font roles, their files and coverage; check an article; the cache folder"),
        description=_("Font roles on this machine: the files they resolve to and what they cover."))
    fonts.error = _OneLineErrors.error.__get__(fonts)  # type: ignore[method-assign]
    _add_source_options(fonts, suppress=False)
    _add_list_options(fonts, suppress=False)
    actions = fonts.add_subparsers(dest="fonts_action", metavar="ACTION", parser_class=_OneLineErrors)
    lister = actions.add_parser("list", help=_("roles, files and coverage (the default)"))
    _add_source_options(lister, suppress=True)
    _add_list_options(lister, suppress=True)
    check = actions.add_parser("check", help=_("which characters of an article fall back or are missing"))
    check.add_argument("article", type=Path, help=_("article file (UTF-8 text, as for a layout)"))
    check.add_argument("--role", default="song", help=_("font role to check against (default: song)"))
    check.add_argument("--strict", action="store_true", help=_("exit 1 if any character is missing"))
    check.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=_("print JSON"))
    _add_source_options(check, suppress=True)
    cache = actions.add_parser("cache", help=_("show the cache folder (font programs, pictures, metrics); --prune trims it"))
    cache.add_argument("--prune", type=float, metavar="MB",
                       help=_("delete the oldest entries until the cache is at most MB megabytes"))


def run_fonts(args: argparse.Namespace) -> int:
    """Run ``paiban fonts`` for parsed ``args``; the exit code."""
    try:
        action = getattr(args, "fonts_action", None) or "list"
        if action == "cache":
            return _cache(args)
        registry = _registry(args)
        if action == "check":
            return _check(args, registry)
        return _list(args, registry)
    except InputError as exc:
        print(_("paiban: error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print(_("paiban: interrupted"), file=sys.stderr)
        return 130


def _registry(args: argparse.Namespace) -> FontRegistry:
    from paiban.fonts.registry import FontRegistry, UnknownRole

    roles_file: Path | None = getattr(args, "roles", None)
    layout_file: Path | None = getattr(args, "layout", None)
    overrides: dict[str, tuple[Path, int]] = {}
    where = Where(roles_file) if roles_file is not None else Where(layout_file)
    if layout_file is not None:
        from paiban.input.layout_loader import load_layout

        layout = load_layout(layout_file)  # raises InputError with file, line and key
        roles_file = layout.roles_file
        overrides = dict(layout.font_overrides)
        where = Where(layout_file, key="font_files")
    elif roles_file is not None and not roles_file.is_file():
        raise InputError(_("font roles file not found"), Where(roles_file))
    try:
        return FontRegistry(roles_file, overrides)
    except (UnknownRole, FileNotFoundError, ValueError, OSError) as exc:
        raise _input_error(" ".join(str(exc).split()), roles_file, where) from None


def _input_error(message: str, roles_file: Path | None, where: Where) -> InputError:
    """An InputError for a roles-file problem; "<file>:<line>:<col>: text" keeps its place."""
    if roles_file is not None and message.startswith(str(roles_file)):
        rest = message[len(str(roles_file)):]
        m = re.match(r":(\d+):(\d+): (.*)", rest) or re.match(r":() ?()(.*)", rest)
        if m:
            line, column = (int(m.group(1)), int(m.group(2))) if m.group(1) else (None, None)
            return InputError(m.group(3), Where(roles_file, line, column))
    return InputError(message, where)


def _role(registry: FontRegistry, role: str) -> str:
    if role not in registry.roles():
        known = ", ".join(registry.roles())
        raise InputError(_("unknown font role {role!r} (known roles: {known})").format(
            role=role, known=known), Where(registry.roles_file))
    return role


# ---- list -----------------------------------------------------------------------------------

def _reference_sets() -> tuple[list[tuple[str, str, frozenset[str]]], str]:
    """[(id, title, characters)] and a note on the 通用规范汉字表's source (or why it is absent)."""
    from paiban.fonts.charsets import (TONGYONG_GUIFAN_SOURCE_HINT, find_unihan_file, gb2312_hanzi,
                                       tongyong_guifan)

    sets = [("gb2312", "GB 2312 hanzi", gb2312_hanzi())]
    source = find_unihan_file()
    table = tongyong_guifan(source) if source is not None else None
    if table is None:
        note = _(TONGYONG_GUIFAN_SOURCE_HINT) if source is None else \
            _("通用规范汉字表: {source} has no kTGH data (Unihan before Unicode 11); not shown").format(source=source)
    else:
        sets.append(("tongyong_guifan", "通用规范汉字表", frozenset(table)))
        note = _("通用规范汉字表: {count} characters, from {source} (Unihan kTGH)").format(count=len(table), source=source)
    return sets, note


def article_characters(article: Article) -> str:
    """All text of an article that gets printed: headline parts, byline and paragraphs."""
    head = article.headline
    return "".join((head.kicker, head.main, head.subtitle, *(p.text for p in article.paragraphs)))


def _coverage_line(title: str, cov: SetCoverage) -> str:
    text = _("    {title}: {covered}/{total} ({percent:.1f}%), first face {primary}").format(
        title=title, covered=cov.covered, total=cov.total, percent=cov.percent(), primary=cov.primary)
    if cov.fallback:
        text += _(", fallback {count}").format(count=cov.fallback)
    if cov.missing:
        named = "".join(cov.missing[:NAMED]) + ("…" if len(cov.missing) > NAMED else "")
        text += _(", missing {count}: {chars}").format(count=len(cov.missing), chars=named)
        if cov.refused:
            text += _(" ({count} emoji/private use, never drawn)").format(count=len(cov.refused))
    return text


def _list(args: argparse.Namespace, registry: FontRegistry) -> int:
    from paiban.fonts.coverage import set_coverage
    from paiban.fonts.disk_cache import default_cache_dir
    from paiban.input.article_reader import read_article

    sets, note = _reference_sets()
    for path in getattr(args, "article", None) or []:
        sets.append((f"article:{path}", _("article {path}").format(path=path),
                     frozenset(article_characters(read_article(path)))))
    out: dict[str, Any] = {"roles_file": str(registry.roles_file), "cache_dir": str(default_cache_dir()),
                           "reference_note": note, "roles": []}
    lines = [_("font roles: {file}").format(file=registry.roles_file),
             _("cache:      {folder}").format(folder=default_cache_dir()),
             _("GB 2312 hanzi: {count} characters (rows 16–87, from Python's gb2312 codec)").format(
                 count=len(sets[0][2])),
             note, ""]
    for role in registry.roles():
        faces = registry.chain_sources(role)
        entry: dict[str, Any] = {"name": role, "description": registry.description(role), "faces": [],
                                 "not_installed": registry.unresolved_entries(role), "coverage": {}}
        lines.append(f"{role} — {registry.description(role)}" if registry.description(role) else role)
        if not faces:
            lines.append(_("    no installed font: every character of this role would be missing"))
        for i, (face, source) in enumerate(faces, start=1):
            kind = "CFF, embedded as CIDFontType0C" if face.is_cff else "TrueType"
            via = _("  (via {role})").format(role=source) if source != role else ""
            lines.append(_("  {number}. {family}: {path} face {index} [{kind}]{via}").format(
                number=i, family=face.family, path=face.path, index=face.index, kind=kind, via=via))
            entry["faces"].append({"file": str(face.path), "face": face.index, "family": face.family,
                                   "outlines": face.outlines, "key": face.key, "from_role": source})
        for skipped in entry["not_installed"]:
            lines.append(_("     skipped: {reason}").format(reason=skipped.split(": ", 1)[-1]))
        for set_id, title, chars in sets:
            cov = set_coverage(registry, role, chars)
            entry["coverage"][set_id] = {
                "total": cov.total, "covered": cov.covered, "primary": cov.primary, "fallback": cov.fallback,
                "by_face": cov.by_face, "missing": "".join(cov.missing), "refused": "".join(cov.refused)}
            lines.append(_coverage_line(title, cov))
        out["roles"].append(entry)
        lines.append("")
    _print(args, out, lines)
    return EXIT_OK


def _print(args: argparse.Namespace, data: dict[str, Any], lines: list[str]) -> None:
    """`data` as JSON with --json, else the `lines`."""
    if getattr(args, "json", False):
        import json  # here, not at the top: `paiban build` imports this module for its parser

        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(lines).rstrip())


# ---- check ----------------------------------------------------------------------------------

def _positions(article: Article) -> list[tuple[int, str, int, str]]:
    """(paragraph, part, source line, text) of everything printed; headline parts are paragraph 0."""
    head = article.headline
    items = [(0, part, 0, text) for part, text in (("kicker", head.kicker), ("headline", head.main),
                                                    ("subtitle", head.subtitle)) if text]
    items += [(i, "", p.source_line, p.text) for i, p in enumerate(article.paragraphs, start=1)]
    return items


def _check(args: argparse.Namespace, registry: FontRegistry) -> int:
    from paiban.fonts.coverage import MISSING, scan_text
    from paiban.input.article_reader import read_article

    role = _role(registry, args.role)
    article = read_article(args.article)
    fallbacks: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for paragraph, part, line, text in _positions(article):
        for hit in scan_text(registry, role, text):
            res = hit.resolution
            item: dict[str, Any] = {"char": res.char, "codepoint": f"U+{ord(res.char):04X}",
                                    "paragraph": paragraph, "part": part, "line": line, "offset": hit.offset}
            if res.status == MISSING or res.face is None:
                item["reason"] = res.reason
                missing.append(item)
            else:
                item.update(face=res.face.key, family=res.face.family, file=str(res.face.path),
                            face_index=res.face.index)
                fallbacks.append(item)
    primary = registry.primary_face(role)
    chars = article_characters(article)
    first = f"{primary.family} ({primary.path.name}#{primary.index})" if primary else _("no installed font")
    lines = [_("{article}: {count} characters ({distinct} distinct), role {role}, first face {first}").format(
        article=args.article, count=len(chars), distinct=len(set(chars)), role=role, first=first)]
    lines += [_("fallback {char} {codepoint:>8}  {place}  -> {family} ({file}#{index})").format(
        char=item["char"], codepoint=item["codepoint"], place=_place(item), family=item["family"],
        file=Path(item["file"]).name, index=item["face_index"]) for item in fallbacks]
    lines += [_("missing  {char!r} {codepoint:>8}  {place}: {reason}").format(
        char=item["char"], codepoint=item["codepoint"], place=_place(item), reason=_(item["reason"])) for item in missing]
    lines.append(_("{fallbacks} fallback ({fallback_distinct} distinct), {missing} missing ({missing_distinct} "
                   "distinct)").format(fallbacks=len(fallbacks), fallback_distinct=len({i["char"] for i in fallbacks}),
                                       missing=len(missing), missing_distinct=len({i["char"] for i in missing})))
    _print(args, {"article": str(args.article), "role": role, "primary_face": primary.key if primary else None,
                  "fallbacks": fallbacks, "missing": missing}, lines)
    if args.strict and missing:
        print(_("paiban: --strict: {count} characters are missing in role {role}").format(
            count=len(missing), role=role),
              file=sys.stderr)
        return EXIT_STRICT
    return EXIT_OK


def _place(item: dict[str, Any]) -> str:
    where = _("paragraph {number}").format(number=item["paragraph"]) if item["paragraph"] else _(item["part"])
    if item["line"]:
        where += _(" (line {line})").format(line=item["line"])
    return _("{where}, offset {offset}").format(where=where, offset=item["offset"])


# ---- cache -------------------------------------------------------------------------------------

def _cache(args: argparse.Namespace) -> int:
    from paiban.fonts.disk_cache import PRUNED, cache_entries, cache_max_bytes, default_cache_dir, prune

    cache_dir = default_cache_dir()
    if args.prune is not None:
        if args.prune < 0:
            raise InputError(_("needs a size in megabytes >= 0"), Where("--prune"))
        removed = prune(cache_dir, int(args.prune * 1024 * 1024))
        print(_("removed {count} entries").format(count=len(removed)))
    entries = cache_entries(cache_dir)
    counts = ", ".join(f"{sum(1 for e in entries if e[0].parent.name == kind)} {kind}" for kind, _ in PRUNED)
    total = sum(size for _, size, _ in entries) / 2**20
    print(_("cache: {folder}").format(folder=cache_dir))
    print(_("  {counts}, {total:.1f} MB (limit {limit:.0f} MB: $PAIBAN_CACHE_MAX_MB)").format(
        counts=counts, total=total, limit=cache_max_bytes() / 2**20))
    return EXIT_OK
