"""A Dask cluster that fails: the edition build survives a worker killed in the middle, and every
peer that is not a working scheduler is a one-line `PoolError` (exit 3) within its time limit.

Only loopback addresses: a `LocalCluster` of two worker processes, and listeners in threads of
this process that accept connections and then never answer, or answer with garbage.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from test_edition_build import SRC, make_edition

from paiban import parallel

distributed = pytest.importorskip("dask.distributed")

CITY = ROOT / "layouts" / "editions" / "city.yaml"


@pytest.fixture(scope="module")
def cluster() -> Iterator[distributed.LocalCluster]:
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=":0") as local:  # dashboard on any free port: 8787 may be taken
        yield local


class Listener:
    """A TCP listener on 127.0.0.1 in a thread: it accepts every connection, sends `reply` (if
    any) and keeps the connection open without a word more."""

    def __init__(self, reply: bytes = b""):
        self.reply = reply
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.05)  # so that the thread sees `close`
        self.stopped = threading.Event()
        self.address = f"tcp://127.0.0.1:{self.socket.getsockname()[1]}"
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted.append(conn)
            if self.reply:
                try:
                    conn.sendall(self.reply)
                except OSError:
                    pass

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(5)
        self.socket.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def listener(request) -> Iterator[Listener]:
    peer = Listener(getattr(request, "param", b""))
    yield peer
    peer.close()


GARBAGE = {
    "http": b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
    "ssh": b"SSH-2.0-OpenSSH_9.6\r\n",
    "frames": struct.pack("<Q", 16) + struct.pack("<Q", 1) + struct.pack("<Q", 0),  # Dask-like framing, no message
}


def _pdfs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.suffix == ".pdf"}


def test_a_worker_killed_in_the_middle_of_a_build_costs_nothing(cluster, tmp_path):
    from paiban.edition.edition_build import BuildOptions, build_edition

    local = build_edition(CITY, BuildOptions(output=tmp_path / "local", jobs=1, previews=False))
    spy = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        spy.wait_for_workers(2, timeout=30)
        killed: list[int] = []

        def progress(message: str) -> None:
            if message.startswith("rendering page ") and not message.startswith("rendering page 0/") \
                    and not killed:  # the first pages made (a few pages a job)
                busy = {worker for worker, keys in spy.processing().items() if keys}
                pids = spy.run(os.getpid)
                victim = min(busy or pids)  # a worker with a job running, if any is still busy
                os.kill(pids[victim], signal.SIGKILL)
                killed.append(pids[victim])

        report = build_edition(CITY, BuildOptions(output=tmp_path / "dask", scheduler=cluster.scheduler_address,
                                                  previews=False), progress)
    finally:
        spy.close()
    assert killed, "the build never got to its first rendered page"
    assert report.status == "built" and report.executor.startswith("Dask scheduler")
    assert sum(p.rendered for p in report.pages) == len(local.pages) == 16
    assert _pdfs(tmp_path / "dask") == _pdfs(tmp_path / "local")


def _flaky(marker: str) -> str:
    """Fails the first time (as a job on a worker whose disk hiccups), succeeds the second."""
    if not os.path.exists(marker):
        Path(marker).touch()
        raise OSError("a disk hiccup")
    return "done"


def test_a_job_that_fails_once_is_run_again_and_a_worker_is_not_a_scheduler(cluster, tmp_path):
    with parallel.open_pool(scheduler=cluster.scheduler_address, retries=1) as pool:
        assert pool.submit(_flaky, str(tmp_path / "marker")).result() == "done"
        # a job the cluster dropped (here: cancelled behind the pool's back) is submitted again
        job = pool.submit(_sleep, 0.5)
        pool.client.cancel([job.future])
        assert job.result() == 0.5 and job.resubmitted == 1
        workers = list(pool.client.scheduler_info(n_workers=-1)["workers"])
    with pytest.raises(parallel.PoolError, match="is not a Dask scheduler .it answered as Worker"):
        parallel.open_pool(scheduler=workers[0], connect_timeout=5)


def _threads() -> set[str]:
    return {t.name for t in threading.enumerate() if t.is_alive()}


@pytest.mark.parametrize("listener", [b""], indirect=True)
def test_a_scheduler_that_accepts_and_never_answers_is_a_pool_error_within_the_connect_timeout(listener):
    before = _threads()
    start = time.perf_counter()
    with pytest.raises(parallel.PoolError, match="does not answer: it accepts the connection, but no reply came "
                                                 "within 1 s"):
        parallel.open_pool(scheduler=listener.address, connect_timeout=1)
    assert time.perf_counter() - start < 4
    assert listener.accepted  # it did connect
    assert _threads() <= before  # no client, loop or connecting thread left behind


@pytest.mark.parametrize("listener", list(GARBAGE.values()), ids=list(GARBAGE), indirect=True)
def test_a_peer_that_speaks_garbage_is_a_pool_error(listener):
    before = _threads()
    start = time.perf_counter()
    with pytest.raises(parallel.PoolError, match="is not a Dask scheduler: it does not speak Dask's protocol") as caught:
        parallel.open_pool(scheduler=listener.address, connect_timeout=2)
    assert time.perf_counter() - start < 5 and "\n" not in str(caught.value)
    assert _threads() <= before


@pytest.mark.parametrize("address, message", [
    ("", "not a Dask scheduler address: ''"),
    ("   ", "not a Dask scheduler address"),
    ("not-a-url", "not a Dask scheduler address: 'not-a-url' .missing port"),
    ("tcp://", "not a Dask scheduler address"),
    ("tcp://127.0.0.1:99999", "not a Dask scheduler address: .* .port 99999"),
    ("http://127.0.0.1:8786", "unknown address scheme 'http'"),
    ("tls://127.0.0.1:8786", "a tls:// scheduler needs the cluster's certificates"),
    # refused at once, or (on a loaded machine) not answered within the timeout: the same one line
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s"),
])
def test_bad_and_unreachable_addresses_are_pool_errors(address, message):
    start = time.perf_counter()
    with pytest.raises(parallel.PoolError, match=message) as caught:
        parallel.open_pool(scheduler=address, connect_timeout=2)
    assert time.perf_counter() - start < 6 and "\n" not in str(caught.value)


def test_the_settings_come_from_parameters_the_environment_or_the_defaults(monkeypatch):
    for variable in (parallel.CONNECT_TIMEOUT_ENV, parallel.DEADLINE_ENV, parallel.RETRIES_ENV):
        monkeypatch.delenv(variable, raising=False)
    assert parallel.dask_settings() == (parallel.CONNECT_TIMEOUT, parallel.DEADLINE, parallel.RETRIES) == (10, 600, 2)
    monkeypatch.setenv(parallel.DEADLINE_ENV, "90")
    monkeypatch.setenv(parallel.RETRIES_ENV, "0")
    assert parallel.dask_settings(connect_timeout=3) == (3, 90, 0)
    assert parallel.dask_settings(deadline=5)[1] == 5  # a parameter wins over the environment
    monkeypatch.setenv(parallel.CONNECT_TIMEOUT_ENV, "soon")
    with pytest.raises(parallel.PoolError, match="connect timeout .* must be a number: PAIBAN_DASK_CONNECT_TIMEOUT=soon"):
        parallel.open_pool(scheduler="tcp://127.0.0.1:9")
    with pytest.raises(parallel.PoolError, match="deadline .* is out of range"):
        parallel.dask_settings(connect_timeout=1, deadline=0)


def _paiban(*args: str, **env: str) -> tuple[subprocess.CompletedProcess, float]:
    environment = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""), **env)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "paiban", *args], env=environment, capture_output=True, text=True,
                          timeout=120)
    return done, time.perf_counter() - start


@pytest.mark.parametrize("peer", ["silent", "garbage", "empty"])
def test_the_command_exits_3_with_one_line_for_a_silent_a_foreign_or_no_scheduler(peer, tmp_path):
    edition = make_edition(tmp_path / "src")
    listener = Listener(GARBAGE["http"] if peer == "garbage" else b"")
    try:
        address = "" if peer == "empty" else listener.address
        out = tmp_path / "out"
        done, took = _paiban("build", str(edition), "-o", str(out), "--scheduler", address, "--json",
                             PAIBAN_DASK_CONNECT_TIMEOUT="2")
    finally:
        listener.close()
    # the command line refuses an empty address itself (2, a usage error); either way, no local build
    assert done.returncode == (2 if peer == "empty" else 3), done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("paiban: error: "), done.stderr
    expected = {"silent": "does not answer", "garbage": "does not speak Dask's protocol", "empty": "empty"}[peer]
    assert expected in lines[0]
    assert json.loads(done.stdout)["exit_status"] == done.returncode
    assert took < 2 + 0.5 + 8  # the connect timeout, and Python starting
    assert not list(out.glob("*.pdf"))  # nothing published, and no local build instead


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_a_cluster_that_does_not_finish_in_time_is_a_pool_error_at_the_deadline(cluster):
    with pytest.raises(parallel.PoolError, match="did not finish within 1.5 s"):
        with parallel.open_pool(scheduler=cluster.scheduler_address, deadline=1.5) as pool:
            start = time.perf_counter()
            jobs = [pool.submit(time.sleep, 4), pool.submit(time.sleep, 4), pool.submit(time.sleep, 4)]
            try:
                for job in pool.as_completed(jobs):
                    job.result()
            finally:
                assert time.perf_counter() - start < 3.5
