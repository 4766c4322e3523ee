"""The Chinese message catalog: every message paiban can say has a Chinese translation, the
translations keep the message's placeholders, and the shipped ``.mo`` is the ``.po`` compiled.

The messages are extracted from the source here with Babel, as ``bash tasks.sh messages`` does
(``babel.cfg``), so a new message without a translation fails this test until the catalog is
regenerated and the entry translated.
"""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from conftest import ROOT

from paiban import i18n

babel = pytest.importorskip("babel", reason="Babel is in paiban's test extras (pip install -e '.[test]')")
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir  # noqa: E402
from babel.messages.frontend import parse_mapping_cfg  # noqa: E402
from babel.messages.mofile import read_mo  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

PO = ROOT / "src" / "paiban" / "locale" / "zh_CN" / "LC_MESSAGES" / "paiban.po"
MO = PO.with_suffix(".mo")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _catalog(path: Path, reader) -> dict[tuple[str | None, str], str]:
    """(context, message id) → translation."""
    with open(path, "rb") as f:
        return {(m.context, m.id): m.string for m in reader(f) if m.id}


@pytest.fixture(scope="module")
def extracted() -> dict[tuple[str | None, str], list[str]]:
    """(context, message id) → the files it is in, as Babel extracts them with babel.cfg."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str, list[str]] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=DEFAULT_KEYWORDS):
        for msgid in (message if isinstance(message, tuple) else (message,)):
            if msgid:
                found.setdefault((context, msgid), []).append(filename)
    return found


@pytest.fixture(scope="module")
def po() -> dict[str, str]:
    """message id → translation (context-less messages; see `_catalog`)."""
    return {msgid: text for (context, msgid), text in _catalog(PO, read_po).items() if context is None}


def test_extraction_finds_the_messages_of_every_layer(extracted):
    """The extraction itself works (a broken babel.cfg would make the next test pass vacuously)."""
    files = {f for names in extracted.values() for f in names}
    for module in ("cli.py", "input/yaml_source.py", "input/layout_loader.py", "report.py",
                   "edition/edition_report.py", "flow/thread_flow.py", "page/furniture.py", "fonts_command.py"):
        assert f"src/paiban/{module}" in files, module
    assert len(extracted) > 400
    assert (None, "unknown key {key!r};{hint} allowed keys here: {listed}") in extracted
    assert ("grid", "lines") in extracted  # pgettext: the same English, another Chinese


def test_every_message_has_a_chinese_translation(extracted):
    catalog = _catalog(PO, read_po)
    untranslated = sorted(f"{key!r} ({', '.join(sorted(set(files)))})" for key, files in extracted.items()
                          if not catalog.get(key, "").strip())
    assert not untranslated, ("messages without a Chinese translation (run `bash tasks.sh messages`, then "
                              "translate them in " + str(PO.relative_to(ROOT)) + "):\n" + "\n".join(untranslated))


def test_the_translations_are_chinese(po):
    """Each translation is Chinese text, not the English copied over (a message that is only
    placeholders and punctuation has no words to translate)."""
    def words(text: str) -> str:
        return re.sub(r"\{[^{}]*\}|[A-Za-z_]+[A-Za-z0-9_./:$-]*|[\W\d_]", "", text)

    english = [msgid for msgid, text in po.items() if msgid == text and words(msgid)]
    assert not english
    without_han = [msgid for msgid, text in po.items() if not HAN.search(text) and re.search(r"[a-z]{3} [a-z]{3}", msgid)]
    assert not without_han


def _fields(text: str) -> list[tuple[str, str | None, str | None]]:
    return sorted((name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None)


def test_translations_keep_the_placeholders(po):
    """Same names, conversions and format specs: ``.format(**values)`` of the English works for the
    Chinese, and the brace escapes ({{ }}) stay escapes."""
    differ = [f"{msgid!r} → {text!r}" for msgid, text in po.items() if text and _fields(msgid) != _fields(text)]
    assert not differ, "\n".join(differ)
    formatted = 0
    for msgid, text in po.items():
        values = {name: 1 for name, _, _ in _fields(msgid)}
        try:
            msgid.format(**values)
        except (ValueError, KeyError, IndexError):  # not a template: text with braces (`{marks: false}`)
            continue
        assert text.format(**values)
        formatted += 1
    assert formatted > 250


def test_the_shipped_mo_is_the_po_compiled():
    """`paiban.i18n` reads the .mo; it must say what the .po says (`bash tasks.sh messages` compiles it)."""
    assert MO.is_file(), "compile the catalog: bash tasks.sh messages"
    assert _catalog(MO, read_mo) == _catalog(PO, read_po)


def test_the_catalog_is_read_through_paiban_i18n(po):
    msgid = "unknown key {key!r};{hint} allowed keys here: {listed}"
    with i18n.use_language("zh"):
        assert i18n._(msgid) == po[msgid]
        assert i18n.active_language() == "zh"
        assert i18n._("") == ""  # not the catalog's header
        assert i18n.pgettext("grid", "lines") == "行" and i18n._("lines") == "行数"
    assert i18n._(msgid) == msgid


def test_babel_config_is_the_one_tasks_sh_uses():
    tasks = (ROOT / "tasks.sh").read_text(encoding="utf-8")
    assert "pybabel\" extract -F babel.cfg" in tasks and "pybabel\" compile -d src/paiban/locale -D paiban" in tasks
    assert "locale/*/LC_MESSAGES/paiban.mo" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
