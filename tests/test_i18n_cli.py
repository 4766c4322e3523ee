"""Messages in Chinese or English: the locale (LC_ALL, LC_MESSAGES, LANG) or ``--lang`` chooses,
for input errors, the report and ``--help``; JSON keys stay English; a library user gets English
and choosing a language changes nothing outside paiban."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import DEMO, ROOT

from paiban import i18n
from paiban.cli import main

SRC = str(ROOT / "src")
HAN = re.compile(r"[\u4e00-\u9fff]")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")
BROKEN = "grid:\n  columns: 6\n  column_chars: 12\n  colums: 3\npages: []\nstories: []\n"
WHERE = re.compile(r"^(?P<file>\S+broken\.yaml):4:3: grid\.colums: (?P<message>.*)$")


def paiban(*args: str, cwd: Path, **locale: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(locale, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture()
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def _error_line(result: subprocess.CompletedProcess) -> re.Match:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    prefix = "paiban：错误：" if HAN.search(lines[0]) else "paiban: error: "
    assert lines[0].startswith(prefix), lines[0]
    match = WHERE.match(lines[0][len(prefix):])
    assert match, lines[0]
    return match


def test_a_chinese_locale_gets_the_error_in_chinese(broken, tmp_path):
    match = _error_line(paiban("build", str(broken), "-o", str(tmp_path / "out"), cwd=tmp_path, LANG="zh_CN.UTF-8"))
    assert match["message"].startswith("未知的键 'colums'；是不是“columns”？此处允许的键：")
    assert not (tmp_path / "out").exists()


def test_other_locales_get_english(broken, tmp_path):
    for locale in ({"LANG": "C"}, {"LANG": "en_US.UTF-8"}, {}, {"LANG": "zh_CN.UTF-8", "LC_ALL": "C.UTF-8"},
                   {"LC_MESSAGES": "de_DE.UTF-8", "LANG": "zh_CN.UTF-8"}):
        match = _error_line(paiban("check", str(broken), cwd=tmp_path, **locale))
        assert match["message"].startswith("unknown key 'colums'; did you mean 'columns'? allowed keys here:"), locale


def test_lc_all_and_lc_messages_choose_chinese_too(broken, tmp_path):
    for locale in ({"LC_ALL": "zh_CN.UTF-8", "LANG": "C"}, {"LC_MESSAGES": "zh_TW.UTF-8"}):
        assert HAN.search(_error_line(paiban("check", str(broken), cwd=tmp_path, **locale))["message"]), locale


def test_lang_option_overrides_the_locale(broken, tmp_path):
    zh = _error_line(paiban("check", str(broken), "--lang", "zh", cwd=tmp_path, LANG="C"))
    assert zh["message"].startswith("未知的键")
    zh = _error_line(paiban("--lang=zh", "check", str(broken), cwd=tmp_path, LANG="C"))
    assert zh["message"].startswith("未知的键")
    en = _error_line(paiban("check", str(broken), "--lang", "en", cwd=tmp_path, LANG="zh_CN.UTF-8"))
    assert en["message"].startswith("unknown key")


def test_json_failure_keeps_english_keys_and_status(broken, tmp_path):
    result = paiban("check", str(broken), "--json", cwd=tmp_path, LANG="zh_CN.UTF-8")
    assert result.returncode == 2
    data = json.loads(result.stdout)
    assert set(data) == {"exit_status", "status", "error"}
    assert data["status"] == "input-error" and data["exit_status"] == 2
    assert "未知的键" in data["error"]  # the message is the one people read, in their language


def test_help_in_chinese(tmp_path):
    result = paiban("build", "--help", cwd=tmp_path, LANG="zh_CN.UTF-8")
    assert result.returncode == 0
    text = result.stdout
    for words in ("用法：paiban build", "位置参数", "选项", "显示本帮助后退出", "有溢出或缺字时判为失败", "--strict", "--proof"):
        assert words in text, words
    assert max(map(i18n._width, text.splitlines())) <= 100  # wrapped by terminal columns, not characters
    english = paiban("build", "--help", cwd=tmp_path, LANG="C").stdout
    assert "usage: paiban build" in english and "show this help message and exit" in english
    assert not HAN.search(english.replace("简体中文", ""))


def test_usage_errors_in_chinese(tmp_path):
    result = paiban("build", cwd=tmp_path, LANG="zh_CN.UTF-8")
    assert result.returncode == 2
    assert result.stderr.startswith("paiban：错误：缺少以下参数：layout") and result.stderr.count("\n") == 1
    assert result.stderr.rstrip().endswith("（见 paiban build --help）")
    result = paiban("build", "x.yaml", "--jobs", "0", cwd=tmp_path, LANG="zh_CN.UTF-8")
    assert "参数 -j/--jobs：必须是 1–256，实际是 0" in result.stderr


@pytest.fixture(scope="module")
def demo_reports() -> dict[str, str]:
    """`paiban check` of the demo, text and JSON, in both languages (in this process)."""
    out = {}
    for lang in ("en", "zh"):
        for json_wanted in (False, True):
            args = ["check", str(DEMO), "--lang", lang] + (["--json"] if json_wanted else [])
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                code = main(args)
            assert code == 0
            out[lang + ("-json" if json_wanted else "")] = buffer.getvalue()
    return out


def test_the_report_of_a_good_build_in_chinese(demo_reports):
    zh, en = demo_reports["zh"], demo_reports["en"]
    assert en.startswith("layout  ") and "fits exactly" in en and "missing glyphs 0" in en
    for label in ("版式    ", "版数", "稿件", "区域", "行数", "字数", "正好排满", "剩余", "缺字 0", "替代字形 0", "用时"):
        assert label in zh, label
    assert "fits" not in zh and "missing glyphs" not in zh
    assert len(zh.splitlines()) == len(en.splitlines())


def test_json_keys_stay_english(demo_reports):
    en, zh = json.loads(demo_reports["en-json"]), json.loads(demo_reports["zh-json"])

    def keys(value, path=""):
        if isinstance(value, dict):
            return {path + "." + k for k in value} | {x for k, v in value.items() for x in keys(v, path + "." + k)}
        if isinstance(value, list):
            return {x for v in value for x in keys(v, path + "[]")}
        return set()

    assert keys(zh) == keys(en) and keys(zh)
    without_times = lambda data: {k: v for k, v in data.items() if k != "timings"}  # noqa: E731
    assert without_times(zh) == without_times(en)  # the demo has no warnings: nothing to translate


def test_main_leaves_the_language_as_it_found_it(broken, capsys):
    assert i18n.active_language() == "en"
    assert main(["check", str(broken), "--lang", "zh"]) == 2
    assert "未知的键" in capsys.readouterr().err
    assert i18n.active_language() == "en"


def test_a_library_user_gets_english_and_no_global_changes(tmp_path, broken):
    """Even under a Chinese locale, importing paiban and loading a layout speaks English; choosing
    Chinese then changes nothing outside paiban (no setlocale, no gettext.install)."""
    code = f"""
import builtins, gettext, locale, sys
before = (locale.setlocale(locale.LC_ALL, None), hasattr(builtins, "_"), gettext.textdomain(), dict(gettext._localedirs))
from paiban.errors import InputError
from paiban.input.layout_loader import load_layout
from paiban import i18n
try:
    load_layout({str(broken)!r})
except InputError as exc:
    print(exc.message)
with i18n.use_language("zh"):
    try:
        load_layout({str(broken)!r})
    except InputError as exc:
        print(exc.message)
after = (locale.setlocale(locale.LC_ALL, None), hasattr(builtins, "_"), gettext.textdomain(), dict(gettext._localedirs))
print(before == after, i18n.active_language())
"""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES}
    env.update(LANG="zh_CN.UTF-8", PYTHONPATH=SRC)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    english, chinese, last = result.stdout.splitlines()
    assert english.startswith("unknown key 'colums'")
    assert chinese.startswith("未知的键 'colums'")
    assert last == "True en"


def test_language_from_environment():
    f = i18n.language_from_environment
    assert f({}) == "en"
    assert f({"LANG": "zh_CN.UTF-8"}) == "zh"
    assert f({"LANG": "zh_TW.Big5"}) == "zh"
    assert f({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}) == "en"
    assert f({"LANG": "C", "LC_MESSAGES": "zh_CN"}) == "zh"
    assert f({"LANG": "zh_CN.UTF-8", "LC_ALL": ""}) == "zh"  # an empty variable is not set
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_columns_and_wrapping_count_wide_characters():
    assert i18n.ljust("版式", 6) == "版式  " and i18n.rjust("版", 4) == "  版" and i18n.ljust("abc", 2) == "abc"
    lines = i18n._wrap("画出校样标记：稿件溢出处画红框（在 PDF 上）", 12)
    assert lines[0] == "画出校样标记："  # a closing mark stays on its line, one column pair over
    assert all(i18n._width(line) <= 12 for line in lines[1:])
    assert "".join(lines).replace(" ", "") == "画出校样标记：稿件溢出处画红框（在PDF上）"
    assert not any(line.startswith(("，", "。", "）", "：")) or line.endswith("（") for line in lines)


def test_argparse_messages():
    with i18n.use_language("zh"):
        assert i18n.argparse_message("the following arguments are required: layout") == "缺少以下参数：layout"
        assert (i18n.argparse_message("argument --lang: invalid choice: 'fr' (choose from 'en', 'zh')")
                == "参数 --lang：无效的选择：'fr'（可选：'en', 'zh'）")
        assert i18n.argparse_message("something argparse may say one day") == "something argparse may say one day"
