"""The PDF writer process of a layout build (`render.writer_process`): the same bytes as a build in
one process, no process left behind, and a clear error when it dies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import DEMO, ROOT
from test_cli_errors import demo_text

from paiban import pipeline
from paiban.errors import PaibanError
from paiban.fonts.registry import FontRegistry
from paiban.render import writer_process

SRC = str(ROOT / "src")

pytestmark = pytest.mark.skipif(not writer_process.can_fork(), reason="the writer process needs fork (Linux)")


def paiban(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "paiban", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def processes_naming(needle: str) -> list[int]:
    """Processes whose command line mentions `needle`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if needle in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def test_the_writer_process_writes_the_same_bytes_as_one_process(tmp_path):
    layout = tmp_path / "demo.yaml"
    layout.write_text(demo_text(tmp_path), encoding="utf-8")
    one = paiban("build", str(layout), "-o", str(tmp_path / "one"), "--jobs", "1")
    two = paiban("build", str(layout), "-o", str(tmp_path / "two"), "--jobs", "2")  # forks the writer
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    assert (tmp_path / "two" / "demo.pdf").read_bytes() == (tmp_path / "one" / "demo.pdf").read_bytes()
    assert "render" in two.stdout and not list((tmp_path / "two").glob(".*part"))


def test_no_writer_process_outlives_a_build_that_writes_nothing(tmp_path):
    text = demo_text(tmp_path).replace("{name: lead-cont, columns: [1, 2], lines: [1, 8]}",
                                       "{name: lead-cont, columns: [1, 2], lines: [1, 3]}")
    layout = tmp_path / "overset-unique-name.yaml"
    layout.write_text(text, encoding="utf-8")
    result = paiban("build", str(layout), "-o", str(tmp_path / "out"), "--jobs", "2", "--strict")
    assert result.returncode == 1
    assert not (tmp_path / "out" / "overset-unique-name.pdf").exists()
    assert processes_naming("overset-unique-name.yaml") == []


def test_a_writer_that_is_not_asked_is_stopped_and_reaped():
    writer = writer_process.PdfWriterProcess()
    pipeline.run(DEMO, None, jobs=1, encode=True, writer=writer)  # starts it
    pid = writer.pid
    assert pid
    writer.close()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    writer_process.PdfWriterProcess().close()  # never started: nothing to stop


def test_a_writer_that_died_is_a_clear_error_and_no_file(tmp_path):
    with writer_process.PdfWriterProcess() as writer:
        result = pipeline.run(DEMO, None, jobs=1, encode=True, writer=writer)
        os.kill(writer.pid, signal.SIGKILL)
        with pytest.raises(PaibanError, match="stopped without writing"):
            writer.write(result, tmp_path / "demo.pdf")
    assert list(tmp_path.iterdir()) == []


def test_the_writer_reports_an_unwritable_folder_as_an_os_error(tmp_path):
    (tmp_path / "out").write_text("a file where the folder should be", encoding="utf-8")
    with writer_process.PdfWriterProcess() as writer:
        result = pipeline.run(DEMO, None, jobs=1, encode=True, writer=writer)
        with pytest.raises(OSError):
            writer.write(result, tmp_path / "out" / "demo.pdf")


def test_the_writer_writes_what_a_build_in_one_process_writes(tmp_path):
    one = pipeline.run(DEMO, tmp_path / "one.pdf", jobs=1)
    with writer_process.PdfWriterProcess() as writer:
        result = pipeline.run(DEMO, None, jobs=2, encode=True, writer=writer)
        pipeline.run_render(result, tmp_path / "two.pdf", writer)
    assert (tmp_path / "two.pdf").read_bytes() == (tmp_path / "one.pdf").read_bytes()
    assert result.document == one.document


def test_the_page_queue_hands_each_page_to_exactly_one_process():
    from paiban.page.forked_compose import PageQueue

    numbers = list(range(1, 201))
    queue = PageQueue(numbers)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # a child taking pages as fast as it can, as the parent does
        taken = []
        while (n := queue.take()) is not None:
            taken.append(n)
        os.write(write_end, ",".join(map(str, taken)).encode())
        os._exit(0)
    os.close(write_end)
    mine = []
    while (n := queue.take()) is not None:
        mine.append(n)
    with os.fdopen(read_end, "rb") as pipe:
        theirs = [int(n) for n in pipe.read().decode().split(",") if n]
    os.waitpid(pid, 0)
    queue.close()
    assert sorted(mine + theirs) == numbers  # every page once
    assert mine == sorted(mine) and theirs == sorted(theirs)  # each in the layout's order


def test_the_side_job_comes_back_and_a_lost_one_is_done_here():
    registry = FontRegistry()
    with writer_process.PdfWriterProcess() as writer:
        writer.start(registry, lambda: ("checked", os.getpid()))
        kind, pid = writer.side_result(lambda: ("here", os.getpid()))
        assert kind == "checked" and pid == writer.pid
    with writer_process.PdfWriterProcess() as writer:
        writer.start(registry, lambda: 1 / 0)  # raised in the child: done here instead
        assert writer.side_result(lambda: "here") == "here"
    with writer_process.PdfWriterProcess() as writer:
        writer.start(registry, lambda: time.sleep(30))
        os.kill(writer.pid, signal.SIGKILL)
        assert writer.side_result(lambda: "here") == "here"
    assert writer_process.PdfWriterProcess().side_result(lambda: "no child") == "no child"


def test_pages_composed_in_a_child_for_the_writer_read_as_the_same_lines():
    """With a writer process the children send no lines (DeferredLines): read, they are composed
    again here, and equal what one process composes; pickled, they are the plain lines."""
    import pickle

    from paiban.model.placed import DeferredLines

    one = pipeline.run(DEMO, None, jobs=1, encode=True)
    with writer_process.PdfWriterProcess() as writer:
        two = pipeline.run(DEMO, None, jobs=2, encode=True, writer=writer)
    deferred = [p for p in two.document.pages if isinstance(p.lines, DeferredLines)]
    assert deferred  # the child's pages
    assert all(len(p.lines) > 0 for p in deferred)  # known without composing
    assert two.document.pages == one.document.pages
    again = pickle.loads(pickle.dumps(deferred[0]))
    assert type(again.lines) is tuple and again == deferred[0]
