"""The library API (`paiban.build`, `paiban.check`; docs/api.md): the CLI's PDF byte for byte,
from a layout file and from a layout in memory; input errors as `InputError`; typed; and an
`import paiban` that changes nothing outside paiban."""

from __future__ import annotations

import inspect
import json
import os
import re
import subprocess
import sys
import typing

import pytest
from conftest import DEMO, ROOT

import paiban
from paiban.api import Result
from paiban.errors import InputError

SMALL = """\
grid: {columns: 4, column_chars: 12, line_pitch: 14pt, rows: 30}
page: {size: a4}
pages:
  - page: 1
    regions:
      - {name: body, columns: [1, 4], lines: [1, 30]}
stories:
  - {name: s, article: articles/s.txt, thread: [body]}
"""
ARTICLE = "---\nheadline: 标题\n---\n\n" + "新区简讯，首批智慧路灯点亮滨海大道。" * 5 + "\n"


@pytest.fixture(scope="module")
def cli_demo(tmp_path_factory) -> tuple[bytes, dict]:
    """`paiban build layouts/demo.yaml -o DIR --json`, as a user runs it: the PDF and the report."""
    out = tmp_path_factory.mktemp("cli")
    run = subprocess.run([sys.executable, "-m", "paiban", "build", str(DEMO), "-o", str(out), "--json"],
                         capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    return (out / "demo.pdf").read_bytes(), json.loads(run.stdout)


def test_the_demo_built_through_the_api_is_the_clis_pdf_byte_for_byte(cli_demo):
    pdf, report = cli_demo
    result = paiban.build(DEMO)
    assert isinstance(result, Result) and result.pdf is not None
    assert result.pdf[:5] == b"%PDF-" and len(result.pdf) > 100_000
    assert result.pdf == pdf
    data = result.as_dict()
    for key in ("timings", "output"):
        data.pop(key), report.pop(key)
    assert data == report  # the report is the one `--json` prints
    assert result.clean and result.report.pages == 2


def test_the_demo_given_in_memory_is_the_same_pdf(cli_demo):
    """The demo's YAML text, its articles as text and its pictures as paths: the same bytes."""
    text = re.sub(r"(?m)^root: .*\n", "", DEMO.read_text(encoding="utf-8")).replace("../seeds/", "seeds/")
    articles = {name: (ROOT / name if name.startswith("seeds/") else DEMO.parent / name).read_text(encoding="utf-8")
                for name in re.findall(r"article: ([^\s,}]+)", text)}
    pictures = {name: DEMO.parent / name for name in re.findall(r"image: ([^\s,}]+)", text)}
    assert len(articles) > 20 and len(pictures) >= 4
    result = paiban.build(text, articles=articles, pictures=pictures, name="demo")
    assert result.pdf == cli_demo[0]
    assert result.report.layout == "demo.yaml" and result.report.output is None


def test_check_gives_the_report_without_a_pdf(cli_demo):
    result = paiban.check(str(DEMO))
    assert result.pdf is None
    assert [s.name for s in result.report.stories] == [s["name"] for s in cli_demo[1]["stories"]]
    assert result.report.overset == 0


def test_a_layout_as_a_mapping_with_its_article_in_memory():
    import yaml

    layout = yaml.safe_load(SMALL)
    result = paiban.build(layout, articles={"articles/s.txt": ARTICLE}, name="small")
    assert result.pdf is not None and result.pdf.startswith(b"%PDF-")
    (story,) = result.report.stories
    assert story.name == "s" and story.overset == 0 and story.placed > 80
    assert paiban.build(SMALL, articles={"articles/s.txt": ARTICLE}, name="small").pdf == result.pdf


def test_strict_writes_no_pdf_for_overset_text():
    long = ARTICLE + ("这是一段很长的正文。" * 400 + "\n\n") * 3
    result = paiban.build(SMALL, articles={"articles/s.txt": long}, strict=True)
    assert result.report.overset > 0 and not result.clean
    assert result.pdf is None
    assert paiban.build(SMALL, articles={"articles/s.txt": long}).pdf is not None


def test_input_errors_raise_input_error_naming_the_place_not_the_temporary_folder(tmp_path):
    broken = SMALL.replace("columns: [1, 4]", "colums: [1, 4]")
    with pytest.raises(InputError) as caught:
        paiban.check(broken, articles={"articles/s.txt": ARTICLE})
    message = str(caught.value)
    assert message.startswith("layout.yaml:6:") and "unknown key 'colums'" in message
    assert "paiban-layout-" not in message
    with pytest.raises(InputError) as caught:
        paiban.check(SMALL)  # the article is not given
    assert "article file not found: articles/s.txt" in str(caught.value)
    assert "paiban-layout-" not in str(caught.value)
    with pytest.raises(InputError):
        paiban.check(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match="edition file"):
        paiban.build(ROOT / "layouts" / "editions" / "city.yaml")
    with pytest.raises(InputError, match="relative path"):
        paiban.check(SMALL, articles={"../s.txt": ARTICLE})
    assert issubclass(InputError, Exception) and not issubclass(InputError, SystemExit)
    assert paiban.InputError is InputError


def test_wrong_arguments_are_type_errors():
    with pytest.raises(TypeError):
        paiban.check(DEMO, articles={"a.txt": "x"})
    with pytest.raises(TypeError):
        paiban.check(SMALL, root=ROOT)
    with pytest.raises(TypeError):
        paiban.check(42)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        paiban.build(DEMO, jobs=0)


def test_the_api_is_typed():
    src = ROOT / "src" / "paiban"
    assert (src / "py.typed").is_file()
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    package_data = re.search(r"(?m)^paiban = \[(.*)\]$", config).group(1)
    assert '"py.typed"' in package_data and '"__init__.pyi"' in package_data
    stub = (src / "__init__.pyi").read_text(encoding="utf-8")
    for name in ("build", "check", "Result", "InputError"):
        assert f"{name} as {name}" in stub
    for function in (paiban.build, paiban.check):
        hints = typing.get_type_hints(function)
        parameters = inspect.signature(function).parameters
        assert set(parameters) <= set(hints) and hints["return"] is Result
    assert typing.get_type_hints(Result)["pdf"] == bytes | None


_SNAPSHOT = r"""
import atexit, dataclasses, gc, inspect, json, locale, logging, os, signal, sys, threading, types, warnings
import argparse, collections, contextlib, copy, enum, functools, gettext, importlib, pathlib, re, shutil
import tempfile, typing, unicodedata

def state():
    plain = (str, bytes, int, float, bool, type(None))
    modules = {name: {key: value if isinstance(value, plain) else id(value) for key, value in vars(m).items()}
               for name, m in list(sys.modules.items())
               if isinstance(m, types.ModuleType) and not name.startswith(("paiban", "_frozen_importlib", "__main__"))}
    return {
        "modules": modules, "environ": dict(os.environ), "cwd": os.getcwd(), "path": list(sys.path),
        "meta_path": [id(f) for f in sys.meta_path], "path_hooks": [id(h) for h in sys.path_hooks],
        "warnings": repr(warnings.filters), "gc": gc.get_threshold(), "gc_enabled": gc.isenabled(),
        "logging": (logging.root.level, [id(h) for h in logging.root.handlers], sorted(logging.root.manager.loggerDict),
                    logging.getLoggerClass(), logging.lastResort, logging.raiseExceptions),
        "signals": {int(s): repr(signal.getsignal(s)) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGPIPE,
                                                                signal.SIGCHLD, signal.SIGHUP)},
        "locale": locale.setlocale(locale.LC_ALL), "atexit": atexit._ncallbacks(),
        "hooks": [id(h) for h in (sys.excepthook, sys.displayhook, threading.excepthook, sys.stdout, sys.stderr,
                                  sys.stdin, sys.breakpointhook, sys.unraisablehook)],
        "limits": (sys.getrecursionlimit(), sys.getswitchinterval(), sys.flags), "threads": threading.active_count(),
        "umask": os.umask(os.umask(0o22)),
    }

before = state()
loaded = set(sys.modules)
import paiban
light = sorted(set(sys.modules) - loaded)
after_import = state()
paiban.build, paiban.check, paiban.Result, paiban.InputError  # the API, imported on first use
import paiban.api
after_api = state()
changed = {phase: [key for key in before if key != "modules" and before[key] != now[key]] for phase, now in
           (("import", after_import), ("api", after_api))}
changed_modules = {phase: sorted(name for name, attrs in before["modules"].items() if now["modules"].get(name) != attrs)
                   for phase, now in (("import", after_import), ("api", after_api))}
print(json.dumps({"changed": changed, "changed_modules": changed_modules, "light": light,
                  "compared": len(before["modules"])}))
"""


def test_importing_paiban_changes_nothing_outside_paiban(tmp_path):
    """``python -c "import paiban, dataclasses, inspect; …"``: the standard library, the
    environment, logging, warnings, signals, hooks and the cache folders are as they were."""
    cache, home = tmp_path / "cache", tmp_path / "home"
    cache.mkdir(), home.mkdir()
    env = {**os.environ, "PAIBAN_CACHE_DIR": str(cache), "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache")}
    run = subprocess.run([sys.executable, "-c", _SNAPSHOT], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    assert found["changed"] == {"import": [], "api": []}, found
    assert found["changed_modules"] == {"import": [], "api": []}
    assert found["compared"] > 60  # dataclasses, inspect, typing, enum, logging … and what they import
    assert set(found["light"]) <= {"paiban", "importlib", "importlib._bootstrap", "importlib._bootstrap_external",
                                   "warnings"}, found["light"]  # no yaml, reportlab, jieba, fonts at import
    assert list(cache.iterdir()) == [] and list(home.iterdir()) == []  # no cache written
    assert run.stderr == ""
