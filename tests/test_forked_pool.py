"""`paiban.edition.forked_pool`: the forked render workers of an edition build on Linux."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from paiban.edition.forked_pool import ForkedPool, WorkerDied

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork-based pool: Linux")


def _square(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


_WARMED_BY: list[int] = []


def _warmed_by() -> tuple[tuple[int, ...], int]:
    time.sleep(0.05)  # long enough for every worker to take some
    return tuple(_WARMED_BY), os.getpid()


def _die() -> None:
    os._exit(9)


def _sleep(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def test_the_first_worker_warms_up_once_and_the_others_are_forked_from_it_warm():
    pool = ForkedPool(3, warm_up=lambda: _WARMED_BY.append(os.getpid()))
    try:
        futures = [pool.submit(_warmed_by) for _ in range(9)]
        seen = {f.result() for f in futures}
        workers = {worker for _, worker in seen}
        assert len({by for by, _ in seen}) == 1  # one warm-up, in the first worker, inherited
        assert len(workers) >= 2 and os.getpid() not in workers
        assert _WARMED_BY == []  # not in this process
    finally:
        pool.close()


def test_jobs_run_in_the_workers_and_come_back_as_they_finish():
    pool = ForkedPool(2, warm_up=lambda: None)
    try:
        futures = [pool.submit(_square, n) for n in range(10)]
        done = list(pool.as_completed(futures))
        assert sorted(f.result()[0] for f in done) == [n * n for n in range(10)]
        workers = {f.result()[1] for f in futures}
        assert os.getpid() not in workers and 1 <= len(workers) <= 2
        slow, fast = pool.submit(_sleep, 0.3), pool.submit(_sleep, 0.0)
        assert next(iter(pool.as_completed([slow, fast]))) is fast  # in the order they finish
        assert slow.result() != fast.result()  # both workers busy at once
    finally:
        pool.close()


def test_a_job_that_raises_raises_in_result_and_the_worker_goes_on():
    pool = ForkedPool(1, warm_up=lambda: None)
    try:
        failed = pool.submit(_fail, "bad input")
        with pytest.raises(ValueError, match="bad input"):
            failed.result()
        assert pool.submit(_square, 3).result()[0] == 9
    finally:
        pool.close()


def test_a_worker_that_dies_fails_its_job_and_then_every_job_left():
    pool = ForkedPool(1, warm_up=lambda: None)
    try:
        with pytest.raises(WorkerDied):
            pool.submit(_die).result()
        with pytest.raises(WorkerDied):
            pool.submit(_square, 2).result()
    finally:
        pool.close()


def test_the_side_job_is_done_by_a_worker_and_the_fallback_when_it_fails():
    parent = os.getpid()
    pool = ForkedPool(2, warm_up=lambda: None, side_job=lambda: ("side", os.getpid()))
    try:
        kind, pid = pool.side_result(lambda: ("fallback", parent))
        assert kind == "side" and pid != parent
        assert pool.side_result(lambda: "asked twice") == "asked twice"
    finally:
        pool.close()
    pool = ForkedPool(1, warm_up=lambda: None, side_job=lambda: 1 / 0)
    try:
        assert pool.side_result(lambda: "done here") == "done here"
    finally:
        pool.close()


def test_close_with_cancel_stops_running_jobs_at_once():
    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    pool = ForkedPool(2, warm_up=lambda: None, setup=lambda: signal.signal(signal.SIGTERM, on_term))
    futures = [pool.submit(_sleep, 30) for _ in range(3)]
    time.sleep(0.2)  # both workers asleep in their jobs
    group = pool._group
    start = time.perf_counter()
    pool.close(cancel=True)
    assert time.perf_counter() - start < 5
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)  # every worker gone and reaped
    for future in futures:  # two stopped, one never started
        with pytest.raises(WorkerDied):
            future.result()


def test_release_lets_the_idle_workers_exit_before_close_reaps_them():
    pool = ForkedPool(2, warm_up=lambda: None)
    first = pool.submit(_square, 3)
    assert first.result()[0] == 9
    group = pool._group
    pool.release()
    deadline = time.monotonic() + 5
    gone = False
    while not gone and time.monotonic() < deadline:  # the workers leave on their own, before any close
        os.waitpid(group, os.WNOHANG)  # the first worker (it reaps the other); 0 while it runs
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            gone = True
        time.sleep(0.02)
    assert gone
    late = pool.submit(_square, 4)
    with pytest.raises(WorkerDied):
        late.result()  # nobody is left to take it
    pool.close()
    with pytest.raises(ProcessLookupError):
        os.killpg(group, 0)


def test_the_concurrent_futures_pool_of_other_systems_runs_the_same_jobs():
    """Where fork is not used (macOS, Windows), `render_pool.LocalExecutor` serves the build."""
    from paiban.edition.render_pool import LocalExecutor

    pool = LocalExecutor(2, previews=False)
    try:
        futures = [pool.submit(_square, n) for n in range(4)]
        assert sorted(f.result()[0] for f in pool.as_completed(futures)) == [0, 1, 4, 9]
        assert pool.side_result(lambda: "here") == "here"
        with pytest.raises(ValueError, match="no"):
            pool.submit(_fail, "no").result()
    finally:
        pool.close()
