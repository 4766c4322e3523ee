"""Messages in the reader's language: English, or 简体中文 for a Chinese layout desk.

Every message paiban shows (input errors, build warnings, the report, the command line and its
``--help``) is written in English in the source, marked with `_` (or `ngettext`), and looked up
in the gettext catalog ``locale/<lang>/LC_MESSAGES/paiban.mo`` of the active language:

    raise node.error(_("unknown key {key}").format(key=key))

Values go in by name (``{key}``), never by position, so a translation may put them in its own
order. The active language is paiban's own state, not the process's: choosing one never calls
`locale.setlocale` or `gettext.install`, and a library user who chooses nothing gets English.
The command line chooses once, before it builds its parser (`language_from_environment`: a
``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` starting with ``zh``, or ``--lang zh``). Worker
processes forked by `paiban.parallel` inherit the choice; Dask workers elsewhere speak English.

Machine formats stay English: JSON keys, statuses, warning kinds and the reasons a glyph is
missing (the report translates those where it shows them); the messages inside JSON (``error``,
a warning's ``message``) are the ones people read, in the chosen language. Text a build caches
on disk is kept English (a font file's problem), or the language is part of what the cache
depends on (`paiban.edition.uptodate`).

Catalogs: ``src/paiban/locale/zh_CN/LC_MESSAGES/paiban.po`` (translations) and its compiled
``.mo`` (shipped). After changing a message, regenerate both (``bash tasks.sh messages``, which
runs Babel's ``pybabel extract`` with ``babel.cfg``, ``update`` and ``compile``) and translate
the new entries; tests/test_i18n_catalog.py fails on a message without a translation or a
``.mo`` older than its ``.po``.
"""

from __future__ import annotations

import argparse
import contextlib
import gettext
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

__all__ = ["ArgumentParser", "LANGUAGES", "N_", "_", "active_language", "argparse_message",
           "language_from_environment", "ljust", "ngettext", "pgettext", "rjust", "set_language", "use_language"]

DOMAIN = "paiban"
LOCALE_DIR = Path(__file__).parent / "locale"
#: language code → the catalog's folder under `LOCALE_DIR` (None: the source's English)
LANGUAGES: dict[str, str | None] = {"en": None, "zh": "zh_CN"}

_active = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def _(message: str) -> str:
    """`message` in the active language (``""`` stays ``""``: gettext would give the catalog's header)."""
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of a message for the count `n`, in the active language."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the active language, where the same English says different things in
    different places (``pgettext("grid", "lines")``: 行, not the report's 行数)."""
    return _translation.pgettext(context, message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it now (a table built at import time,
    translated with `_` where it is shown)."""
    return message


def active_language() -> str:
    """The code of the active language (``"en"`` or ``"zh"``)."""
    return _active


def set_language(language: str) -> str:
    """Make `language` (a key of `LANGUAGES`) the active one; the one active before."""
    global _active, _translation
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; paiban speaks {', '.join(LANGUAGES)}")
    folder = LANGUAGES[language]
    translation = gettext.NullTranslations()
    if folder is not None:
        try:
            with open(LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as catalog:
                translation = gettext.GNUTranslations(catalog)
        except OSError:  # an install without its catalog (tests/test_i18n_catalog.py checks ours): English
            pass
    previous, _active, _translation = _active, language, translation
    return previous


@contextlib.contextmanager
def use_language(language: str) -> Iterator[None]:
    """`language` active inside the block, the previous one again after it."""
    previous = set_language(language)
    try:
        yield
    finally:
        set_language(previous)


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``"zh"`` when the locale for messages is Chinese (the first set of ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``, as POSIX ranks them, starts with ``zh``), else ``"en"``."""
    environ = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


def _width(text: str) -> int:
    """Columns `text` takes on a terminal: a CJK character (wide or fullwidth) takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def ljust(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns (a report's table with Chinese labels)."""
    return text + " " * max(0, width - _width(text))


def rjust(text: str, width: int) -> str:
    """`text` right-aligned in `width` terminal columns."""
    return " " * max(0, width - _width(text)) + text


# ---- argparse's own words ----------------------------------------------------------------------
# argparse translates its words with the process's gettext domain "argparse", for which Python
# ships no catalog; the command line's parser says them through paiban's catalog instead.

_SECTIONS = {"positional arguments": N_("positional arguments"), "options": N_("options")}
#: argparse's usage errors (Python 3.11–3.13 wording) → the message, translated; values by name
_ARGPARSE_ERRORS = (
    (re.compile(r"argument (?P<argument>\S+): (?P<message>.*)", re.S), N_("argument {argument}: {message}")),
    (re.compile(r"the following arguments are required: (?P<names>.*)", re.S),
     N_("the following arguments are required: {names}")),
    (re.compile(r"unrecognized arguments: (?P<arguments>.*)", re.S), N_("unrecognized arguments: {arguments}")),
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S),
     N_("invalid choice: {value} (choose from {choices})")),
    (re.compile(r"expected one argument"), N_("expected one argument")),
    (re.compile(r"invalid (?P<kind>\S+) value: (?P<value>.*)", re.S), N_("invalid {kind} value: {value}")),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S),
     N_("ambiguous option: {option} could match {matches}")),
)


def argparse_message(message: str) -> str:
    """An argparse usage error (`ArgumentParser.error`'s message) in the active language."""
    for pattern, template in _ARGPARSE_ERRORS:
        match = pattern.fullmatch(message)
        if match:
            values = {k: argparse_message(v) if k == "message" else v for k, v in match.groupdict().items()}
            return _(template).format(**values)
    return message


_TOKEN = re.compile(r"\s+|[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+")
_NO_LINE_START = frozenset("，。、；：！？）」』”’》〉")
_NO_LINE_END = frozenset("（「『“‘《〈")


def _wrap(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` terminal columns, breaking between CJK characters too
    (never before a closing mark) and at spaces."""
    lines, line = [], ""
    for token in _TOKEN.findall(" ".join(text.split())):
        if token.isspace() and not line:
            continue
        if line and _width(line + token) > width and not token.isspace() and token not in _NO_LINE_START:
            carried = line[-1] if line[-1] in _NO_LINE_END else ""
            lines.append(line[:len(line) - len(carried)].rstrip())
            line = carried
        line += token
    return lines + [line.rstrip()] if line.strip() else lines


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help with its words translated and CJK text wrapped by terminal columns."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return _wrap(text, width) if _width(text) != len(text) else super()._split_lines(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if _width(text) == len(text):
            return super()._fill_text(text, width, indent)
        return "\n".join(indent + line for line in _wrap(text, width - len(indent)))

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, _("usage: ") if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        super().start_section(_(_SECTIONS[heading]) if heading in _SECTIONS else heading)


class ArgumentParser(argparse.ArgumentParser):
    """An argparse parser whose own words (usage, section titles, ``-h``) are in the active
    language, and which takes ``--lang`` (the caller chose the language from it before building
    the parser: ``--help`` is in it too); its subcommands' parsers are of the same class."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _HelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help=_("show this help message and exit"))
            self.add_argument("--lang", choices=tuple(LANGUAGES), default=argparse.SUPPRESS,
                              help=_("the language of messages and the report: zh (简体中文) or en (default: zh "
                                     "when LC_ALL, LC_MESSAGES or LANG starts with zh, else en)"))
