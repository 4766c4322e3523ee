"""Hostile input and faults: a build never lies, hangs or leaks.

Whatever the input — YAML bombs, tags, odd scalars, deep nesting, huge numbers, a FIFO or
/dev/zero for a file, random text or random bytes as a layout, an article or its front matter —
`paiban build` ends at once with exit 0 (built), 1 (--strict) or 2 (the input is wrong, one line
naming file:line:col: key), never 3 or a traceback; a bug ends in exit 3 with one line; `--json`
always prints exactly one JSON object; a reader that goes away (`| head -1`) is no error; and the
output folder never holds half a file.

The random cases run the CLI's `main()` in this process (a build of the small layout takes
~20 ms), each under a 1 GB address-space cap and a 10 s clock; the cases that need a real process
(a FIFO, a closed pipe, a crash through `run()`, a memory limit) run `python -m paiban`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paiban.cli import main
from paiban.errors import InputError
from paiban.input.article_reader import read_article

SRC = str(ROOT / "src")
#: the address space and time one build may take
MEMORY_CAP = 1 << 30
TIME_CAP = 10.0

LAYOUT = """\
title: tiny
page: {size: a4}
grid: {columns: 2, column_chars: 10, rows: 24}
pages:
  - page: 1
    regions:
      - {name: head, kind: headline, columns: [1, 2], lines: [1, 4]}
      - {name: body, columns: [1, 2], lines: [5, 24]}
stories:
  - {name: s, article: a.txt, headline: head, thread: [body]}
"""
BODY = "正文第一段，有一些字。\n\n第二段。\n"
ARTICLE = "---\nkicker: 引题\nheadline: 主题\n---\n\n" + BODY


# ---- helpers -----------------------------------------------------------------------------------

def write_case(folder: Path, layout: str | bytes = LAYOUT, article: str | bytes = ARTICLE) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in (("t.yaml", layout), ("a.txt", article)):
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder / "t.yaml"


def _address_space() -> int | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"^VmSize:\s+(\d+) kB", status, re.M)
    return int(match[1]) * 1024 if match else None


@contextlib.contextmanager
def capped(extra: int = MEMORY_CAP):
    """At most `extra` more bytes of address space in this process while the block runs (Linux)."""
    used = _address_space()
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = None if used is None else used + extra
    if limit is not None and (hard == resource.RLIM_INFINITY or limit <= hard):
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


class Run:
    def __init__(self, code: int, stdout: str, stderr: str, seconds: float):
        self.code, self.stdout, self.stderr, self.seconds = code, stdout, stderr, seconds

    @property
    def error_lines(self) -> list[str]:
        return self.stderr.strip().splitlines()


def run_main(*argv: str) -> Run:
    """`paiban ARGV` in this process, capped in memory; its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with capped(), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


def build(layout: Path, *extra: str) -> Run:
    return run_main("build", str(layout), "-o", str(layout.parent / "out"), "-j", "1", "--json", *extra)


def leftovers(out: Path) -> list[str]:
    if not out.exists():
        return []
    return [p.name for p in out.iterdir() if p.name.startswith(".tmp-") or p.name.endswith((".part", ".tmp"))]


def assert_honest(run: Run, out: Path, pdf_name: str = "t.pdf") -> None:
    """Exit 0, 1 or 2; one JSON object on stdout; at most one line on stderr on failure; no
    traceback; a PDF exactly when built; nothing half-written."""
    assert run.code in (0, 1, 2), (run.code, run.stderr)
    assert "Traceback" not in run.stderr, run.stderr
    data = json.loads(run.stdout)
    assert isinstance(data, dict)
    if run.code == 2:
        assert data["exit_status"] == 2 and data["status"] in ("input-error", "usage-error"), data
        assert len(run.error_lines) == 1, run.stderr
        assert re.match(r"paiban: error: \S", run.error_lines[0]), run.stderr
    if run.code == 1:
        assert len(run.error_lines) == 1, run.stderr
    assert run.seconds < TIME_CAP, run.seconds
    assert leftovers(out) == []
    assert (out / pdf_name).exists() == (run.code == 0)


def paiban(*args: str, cwd: Path, memory: int | None = MEMORY_CAP, timeout: float = 60,
           env: dict | None = None, script: Path | None = None) -> subprocess.CompletedProcess:
    """`python -m paiban ARGS` (or `python SCRIPT ARGS`) in its own process, its address space
    capped at `memory` bytes."""
    environ = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {}))

    def limits() -> None:
        if memory is not None:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    command = [sys.executable, str(script)] if script else [sys.executable, "-m", "paiban"]
    return subprocess.run([*command, *args], cwd=cwd, env=environ, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limits)


def article_with(front_matter: str, body: str = BODY) -> str:
    return f"---\n{front_matter}\n---\n\n{body}"


def alias_bomb(levels: int = 9, width: int = 10) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines)


# ---- the front matter: text as written, nothing else -------------------------------------------

@pytest.mark.parametrize("typed", ["NO", "no", "Yes", "off", "true", "1.10", "0x1F", "0o17", "1_000", "1e400",
                                   ".inf", ".NaN", "2024-01-05", "2024-13-45", "12:30:00", "~", "null",
                                   "+1", "-0", "0.1e-3"])
def test_a_front_matter_value_is_the_text_as_written(typed, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(article_with(f"headline: {typed}\nkicker: '{typed}'"), encoding="utf-8")
    article = read_article(path)
    assert article.headline.main == typed
    assert article.headline.kicker == typed


def test_front_matter_quotes_escapes_and_the_sample_articles(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(article_with('headline: "第一行\\n第二行"\nbyline: □本报记者　李涛\ndateline:\n'
                                 "subtitle: |\n  两行\n  副题\n主题: x"), encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.txt:8:1: 主题: the same as headline \(line 2\); give one"):
        read_article(path)  # 主题 and headline are the same field
    path.write_text(article_with('headline: "第一行\\n第二行"\nbyline: □本报记者　李涛\ndateline:\n'
                                 "subtitle: |\n  两行\n  副题\n"), encoding="utf-8")
    article = read_article(path)
    assert article.headline.main == "第一行\n第二行"
    assert article.byline == "□本报记者　李涛" and article.dateline == ""
    assert article.headline.subtitle == "两行\n副题"


FRONT_MATTER_ERRORS = {
    "alias bomb": (alias_bomb(), "a0: anchor &a0 is not allowed"),
    "alias": ("headline: &h 标题\nkicker: *h", "headline: anchor &h is not allowed"),
    "set": ("headline: !!set {a, b}", "headline: tag !!set is not allowed"),
    "binary": ("headline: !!binary 5L2g5aW9", "headline: tag !!binary is not allowed"),
    "python object": ("headline: !!python/object/apply:os.system ['touch pwned']",
                      "headline: tag !!python/object/apply:os.system is not allowed"),
    "str tag": ("headline: !!str 1.10", "headline: tag !!str is not allowed"),
    "huge number": ("headline: " + "9" * 100_000, "headline: 100,000 characters is too long"),
    "deep flow nesting": ("headline: " + "[" * 20_000 + "]" * 20_000, "malformed YAML|nested"),
    "deep block nesting": ("headline:\n" + "- " * 20_000 + "x", "nested more than"),
    "list": ("headline: [a, b]", "headline: expected text, got a list"),
    "mapping": ("byline: {name: x}", "byline: expected text, got a mapping"),
    "unknown key": ("headlin: 标题", "headlin: unknown key 'headlin'; did you mean 'headline'?"),
    "duplicate key": ("headline: a\nheadline: b", "headline: duplicate key 'headline' \\(first given on line 2\\)"),
    "not a mapping": ("- a\n- b", "the front matter must be key: value lines"),
    "bad format": ("format: scna", "format: 'scna' is not a format; did you mean 'scan'?"),
    "malformed": ("headline: 'unclosed", "malformed YAML"),
    "second document": ("headline: a\n--- x", "a second YAML document"),
    "control character": ("headline: a\x07b", "malformed YAML: character U\\+0007"),
    "merge key": ("<<: {headline: x}", "unknown key '<<'"),
}


@pytest.mark.parametrize("case", sorted(FRONT_MATTER_ERRORS))
def test_bad_front_matter_is_one_input_error_naming_the_place(case, tmp_path):
    front_matter, pattern = FRONT_MATTER_ERRORS[case]
    layout = write_case(tmp_path, article=article_with(front_matter))
    run = build(layout)
    assert_honest(run, tmp_path / "out")
    assert run.code == 2
    message = run.error_lines[0]
    assert re.search(pattern, message), message
    assert re.search(r"a\.txt:\d+(:\d+)?: ", message), message
    assert len(message) < 400, message
    assert run.seconds < 5.0
    assert not (tmp_path / "pwned").exists()


def test_a_bad_date_in_a_layout_is_an_input_error(tmp_path):
    layout = write_case(tmp_path, LAYOUT + "edition: {paper: 报, date: 2024-13-45}\n")
    run = build(layout)
    assert_honest(run, tmp_path / "out")
    assert run.code == 2 and "t.yaml:11:27: edition.date: cannot read" in run.stderr and "edition.date" in run.stderr


@pytest.mark.parametrize("case", ["huge number", "deep flow", "deep block", "set", "binary", "python",
                                  "alias bomb"])
def test_hostile_yaml_in_a_layout_is_an_input_error(case, tmp_path):
    text = {
        "huge number": LAYOUT.replace("columns: 2,", "columns: " + "9" * 100_000 + ","),
        "deep flow": LAYOUT + "x: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "deep block": LAYOUT + "x:\n" + "- " * 20_000 + "x\n",
        "set": LAYOUT.replace("title: tiny", "title: !!set {a, b}"),
        "binary": LAYOUT.replace("title: tiny", "title: !!binary 5L2g5aW9"),
        "python": LAYOUT.replace("title: tiny", "title: !!python/object/apply:os.system ['touch pwned']"),
        "alias bomb": alias_bomb() + "\n" + LAYOUT,
    }[case]
    layout = write_case(tmp_path, text)
    run = build(layout)
    assert_honest(run, tmp_path / "out")
    assert run.code == 2 and "t.yaml:" in run.stderr
    assert len(run.error_lines[0]) < 400, run.error_lines[0]
    assert run.seconds < 5.0
    assert not (tmp_path / "pwned").exists()


def test_the_alias_bomb_ends_fast_in_a_process_capped_at_1_gb(tmp_path):
    """The bomb that took 3 GB in 45 s: as an article's front matter and as a layout."""
    bigger = alias_bomb(levels=12, width=12)
    for layout_text, article in ((LAYOUT, article_with(bigger)), (bigger + "\n" + LAYOUT, ARTICLE)):
        layout = write_case(tmp_path, layout_text, article)
        start = time.perf_counter()
        result = paiban("build", str(layout), "-o", str(tmp_path / "out"), "-j", "1", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert time.perf_counter() - start < 10
        assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


# ---- files that are not files ------------------------------------------------------------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("which", ["layout", "article"])
def test_a_fifo_is_refused_at_once(which, tmp_path):
    layout = write_case(tmp_path)
    fifo = tmp_path / ("fifo.yaml" if which == "layout" else "fifo.txt")
    os.mkfifo(fifo)
    if which == "article":
        layout.write_text(LAYOUT.replace("article: a.txt", "article: fifo.txt"), encoding="utf-8")
        target = layout
    else:
        target = fifo
    start = time.perf_counter()
    result = paiban("build", str(target), "-o", str(tmp_path / "out"), "--json", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "FIFO" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["status"] == "input-error"
    assert time.perf_counter() - start < 10


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
@pytest.mark.parametrize("command", ["build", "check"])
def test_dev_zero_as_the_layout_is_refused_at_once(command, tmp_path):
    result = paiban(command, "/dev/zero", "--json", cwd=tmp_path, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "/dev/zero" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert json.loads(result.stdout)["exit_status"] == 2


def test_dev_zero_as_an_article_is_refused(tmp_path):
    layout = write_case(tmp_path, LAYOUT.replace("article: a.txt", "article: /dev/zero") + "allow_outside_root: true\n")
    run = build(layout)
    assert_honest(run, tmp_path / "out")
    assert run.code == 2 and "/dev/zero" in run.stderr


# ---- exit codes and JSON -----------------------------------------------------------------------

EDITION = "edition_name: e\nlayouts: [t.yaml]\n"


@pytest.mark.parametrize("case", ["built", "strict", "input error", "usage error", "empty scheduler",
                                  "edition flag on a layout", "missing file", "edition input error",
                                  "edition empty scheduler", "edition jobs and scheduler",
                                  "deadline without scheduler", "negative deadline"])
def test_json_is_always_one_object(case, tmp_path):
    layout = write_case(tmp_path)
    edition = tmp_path / "e.yaml"
    edition.write_text(EDITION, encoding="utf-8")
    out = str(tmp_path / "out")
    argv, code = {
        "built": (["build", str(layout), "-o", out, "-j", "1"], 0),
        "strict": (["build", str(layout), "-o", out, "-j", "1", "--strict"], 1),
        "input error": (["build", str(tmp_path / "bad.yaml"), "-o", out], 2),
        "usage error": (["build", str(layout), "-o", out, "--jobs", "0"], 2),
        "empty scheduler": (["build", str(layout), "-o", out, "--scheduler", ""], 2),
        "edition flag on a layout": (["build", str(layout), "-o", out, "--force"], 2),
        "missing file": (["check", str(tmp_path / "nowhere.yaml")], 2),
        "edition input error": (["check", str(tmp_path / "bad-edition.yaml")], 2),
        "edition empty scheduler": (["build", str(edition), "-o", out, "--scheduler", " "], 2),
        "edition jobs and scheduler": (["build", str(edition), "-o", out, "-j", "2", "--scheduler", "tcp://x:1"], 2),
        "deadline without scheduler": (["build", str(edition), "-o", out, "--scheduler-deadline", "5"], 2),
        "negative deadline": (["build", str(edition), "-o", out, "--scheduler", "tcp://x:1",
                               "--scheduler-connect-timeout", "-1"], 2),
    }[case]
    (tmp_path / "bad.yaml").write_text(LAYOUT + "colums: 3\n", encoding="utf-8")
    (tmp_path / "bad-edition.yaml").write_text(EDITION + "edition_nam: x\n", encoding="utf-8")
    if case == "strict":
        layout.write_text(LAYOUT.replace("lines: [5, 24]", "lines: [5, 5]"), encoding="utf-8")
    run = run_main(*argv, "--json")
    assert run.code == code, run.stderr
    data = json.loads(run.stdout)  # exactly one object: anything more would not parse
    assert isinstance(data, dict)
    if code == 2:
        assert data["exit_status"] == 2 and data["status"] in ("input-error", "usage-error")
        assert len(run.error_lines) == 1 and data["error"] in run.error_lines[0]
    if case == "empty scheduler":
        assert "--scheduler" in data["error"] and not (tmp_path / "out").exists()
    if case == "strict":
        assert data["overset"] > 0 and not (tmp_path / "out" / "t.pdf").exists()


def test_an_empty_scheduler_without_json_is_one_line(tmp_path):
    layout = write_case(tmp_path)
    run = run_main("build", str(layout), "-o", str(tmp_path / "out"), "--scheduler", "")
    assert run.code == 2 and run.stdout == "" and len(run.error_lines) == 1
    assert "--scheduler" in run.stderr


@pytest.mark.parametrize("path", ["layout", "edition"])
def test_a_bug_is_exit_3_and_one_line(path, tmp_path, monkeypatch):
    """An unexpected exception: exit 3, one line `paiban: internal error: …`, the JSON object;
    the traceback only with --debug."""
    layout = write_case(tmp_path)
    edition = tmp_path / "e.yaml"
    edition.write_text(EDITION, encoding="utf-8")

    def boom(*args, **kwargs):
        raise ZeroDivisionError("simulated bug")

    if path == "layout":
        monkeypatch.setattr("paiban.pipeline.flow", boom)
        target = layout
    else:
        monkeypatch.setattr("paiban.edition.edition_build.build_editions", boom)
        target = edition
    run = run_main("build", str(target), "-o", str(tmp_path / "out"), "-j", "1", "--json")
    assert run.code == 3
    assert run.error_lines == [run.error_lines[0]] and run.error_lines[0].startswith(
        "paiban: internal error: ZeroDivisionError: simulated bug")
    assert json.loads(run.stdout) == {"exit_status": 3, "status": "internal-error",
                                      "error": run.error_lines[0].removeprefix("paiban: internal error: ")}
    assert leftovers(tmp_path / "out") == [] and not (tmp_path / "out" / "t.pdf").exists()
    debug = run_main("build", str(target), "-o", str(tmp_path / "out"), "-j", "1", "--debug")
    assert debug.code == 3 and "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr
    assert debug.error_lines[-1].startswith("paiban: internal error: ZeroDivisionError: simulated bug")


DRIVER = """\
import sys
from paiban import pipeline
from paiban.cli import run

def boom(*args, **kwargs):
    raise {error}

pipeline.{stage} = boom
sys.argv[0] = "paiban"
run()
"""


@pytest.mark.parametrize("stage, error", [("flow", "KeyError('simulated bug')"),
                                          ("read_stories", "RecursionError('simulated')"),
                                          ("compose_pages", "AssertionError('simulated')")])
def test_a_crash_in_a_real_process_is_exit_3_never_1(stage, error, tmp_path):
    layout = write_case(tmp_path)
    script = tmp_path / "driver.py"
    script.write_text(DRIVER.format(stage=stage, error=error), encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), "-j", "2", cwd=tmp_path, script=script,
                    memory=None)
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("paiban: internal error: "), result.stderr
    assert leftovers(tmp_path / "out") == [] and not (tmp_path / "out" / "t.pdf").exists()


@pytest.mark.parametrize("argv", [["build", "{layout}", "-o", "{out}"], ["check", "{layout}", "--json"],
                                  ["build", "{layout}", "-o", "{out}", "--json"], ["fonts"],
                                  ["build", "{bad}", "-o", "{out}", "--json"]])
def test_a_closed_stdout_ends_quietly(argv, tmp_path):
    """The reader is gone before paiban writes (`| head -c 0`): no BrokenPipeError, no traceback,
    the build's own exit code."""
    layout = write_case(tmp_path)
    (tmp_path / "bad.yaml").write_text("grid: [\n", encoding="utf-8")
    args = [a.format(layout=layout, out=tmp_path / "out", bad=tmp_path / "bad.yaml") for a in argv]
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-m", "paiban", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away at once
    try:
        _, stderr = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    stderr = stderr.decode("utf-8")
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr and "Exception ignored" not in stderr
    if "{bad}" in argv:
        assert proc.returncode == 2 and len(stderr.strip().splitlines()) == 1
    else:
        assert proc.returncode == 0 and stderr == ""


@pytest.mark.parametrize("pipeline", ["build {layout} -o {out} | head -1", "check {layout} --json | head -c 10",
                                      "fonts | head -1"])
def test_head_in_a_shell_pipeline_is_quiet(pipeline, tmp_path):
    if shutil.which("bash") is None or shutil.which("head") is None:
        pytest.skip("no bash or head")
    layout = write_case(tmp_path)
    command = (f"{sys.executable} -m paiban " + pipeline.format(layout=layout, out=tmp_path / "out")
               + "; exit ${PIPESTATUS[0]}")
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and result.stdout


# ---- random input: exit 0, 1 or 2, never 3 ----------------------------------------------------

SPECIAL = ["NO", "yes", "~", "null", "1.10", "0x1F", "1e400", ".inf", "2024-13-45", "2024-01-05", "12:30",
           "&a x", "*a", "!!set {a}", "!!binary aGk=", "!!python/object/apply:os.system [ls]", "[a, [b]]",
           "{a: b}", "'quoted'", '"esc\\n"', "|", "> x", "- x", "? x", "%YAML 1.1", "@x", "`x", "# c", ":",
           "a: b", "<<: *a", "\t", "...", "---", "!", "&", "*", "[" * 50, "{" * 50, "9" * 5000, "-1", "0",
           "/dev/zero", "../../../etc/passwd", "a.txt", "'", '"', "\\", "——", "（下转第二版）", "□本报记者", ""]
KNOWN_KEYS = ["kicker", "headline", "subtitle", "byline", "dateline", "format", "引题", "主题", "副题"]
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
SCALAR = st.one_of(st.sampled_from(SPECIAL), TEXT, st.integers().map(str), st.floats().map(str),
                   TEXT.map(lambda t: json.dumps(t, ensure_ascii=False)))  # a YAML double-quoted scalar
KEY = st.one_of(st.sampled_from(KNOWN_KEYS), st.sampled_from(SPECIAL), TEXT)
YAMLISH_LINE = st.one_of(
    st.tuples(KEY, SCALAR).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    st.tuples(st.integers(0, 6), SCALAR).map(lambda iv: " " * iv[0] + "- " + iv[1]),
    st.tuples(st.integers(0, 6), KEY, SCALAR).map(lambda ikv: " " * ikv[0] + f"{ikv[1]}: {ikv[2]}"),
    SCALAR, TEXT)
BODY_TEXT = st.lists(st.one_of(st.sampled_from(["新区发展", "，", "。", "“引号”", "——", "## 小标题", "", "\n",
                                                 "  ", "（下转第二版）", "AI 2024", "\t", "\x00", "\u2028", "\x85",
                                                 "\ufeff", "𠀀", "\U0001F600", "---", "□本报记者"]), TEXT),
                     max_size=40).map("".join)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))

_base = Path(tempfile.mkdtemp(prefix="paiban-hostile-"))


def fresh_folder() -> Path:
    return Path(tempfile.mkdtemp(dir=_base))


def teardown_module(module) -> None:
    shutil.rmtree(_base, ignore_errors=True)


def check_build(layout: str | bytes, article: str | bytes) -> None:
    folder = fresh_folder()
    try:
        path = write_case(folder, layout, article)
        run = build(path, "--strict")
        assert_honest(run, folder / "out")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@SETTINGS
@given(st.lists(YAMLISH_LINE, max_size=8))
def test_random_front_matter_is_built_or_one_input_error(lines):
    check_build(LAYOUT, article_with("\n".join(lines)))


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(KNOWN_KEYS[:5]), SCALAR), max_size=5, unique_by=lambda kv: kv[0]))
def test_random_values_of_known_keys_read_as_written(pairs):
    """Values that YAML would type (NO, 1.10, …) are text; one that is not a plain value is
    refused with its key named."""
    check_build(LAYOUT, article_with("\n".join(f"{k}: {v}" for k, v in pairs)))


@SETTINGS
@given(st.one_of(
    st.tuples(st.integers(0, LAYOUT.count("\n")), YAMLISH_LINE).map(
        lambda iv: "\n".join(LAYOUT.splitlines()[: iv[0]] + [iv[1]] + LAYOUT.splitlines()[iv[0]:]) + "\n"),
    st.tuples(st.sampled_from(sorted(set(re.findall(r"(?<=: )[^\s,{}\[\]]+", LAYOUT)))), SCALAR).map(
        lambda ov: LAYOUT.replace(": " + ov[0], ": " + ov[1], 1)),
    st.lists(YAMLISH_LINE, max_size=10).map("\n".join),
    st.binary(max_size=200)))
def test_random_layouts_are_built_or_one_input_error(layout):
    check_build(layout, ARTICLE)


@SETTINGS
@given(st.one_of(BODY_TEXT, BODY_TEXT.map(lambda b: ARTICLE.split("---\n\n")[0] + "---\n\n" + b),
                 st.binary(max_size=300), st.binary(max_size=100).map(lambda b: ARTICLE.encode() + b)))
def test_random_articles_are_built_or_one_input_error(article):
    check_build(LAYOUT, article)
