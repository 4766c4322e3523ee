"""`paiban.parallel`: the one pool, in this process or in worker processes."""

from __future__ import annotations

import os
import time

import pytest

from paiban import parallel

_inherited: list[str] = []


def _remember(value: str) -> None:
    _inherited.append(value)


def _inherited_value(_: int) -> str:
    return _inherited[-1] if _inherited else ""


def _pid(_: int) -> int:
    return os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_the_inline_pool_runs_jobs_here_and_keeps_their_errors_for_result():
    with parallel.open_pool(1) as pool:
        assert isinstance(pool, parallel.InlinePool) and not pool.forked
        assert pool.submit(_pid, 0).result() == os.getpid()
        failed = pool.submit(_fail, "bad page")
        with pytest.raises(ValueError, match="bad page"):
            failed.result()


@pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked only where the platform forks")
def test_forked_workers_run_the_inherit_hook_and_return_results_in_other_processes():
    with parallel.open_pool(2, inherit=(_remember, ("flowed layouts",))) as pool:
        assert pool.forked and pool.local_files
        futures = [pool.submit(_inherited_value, i) for i in range(4)]
        assert [f.result() for f in futures] == ["flowed layouts"] * 4
        pids = {f.result() for f in pool.as_completed([pool.submit(_pid, i) for i in range(6)])}
        assert os.getpid() not in pids
        with pytest.raises(ValueError, match="worker job"):
            pool.submit(_fail, "worker job").result()
    assert _inherited == []  # the hook ran in the workers, not here


@pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked only where the platform forks")
def test_closing_with_cancel_stops_running_jobs_at_once():
    start = time.perf_counter()
    with pytest.raises(RuntimeError):
        with parallel.open_pool(2) as pool:
            pool.submit(_sleep, 30.0)
            time.sleep(0.2)
            raise RuntimeError("the build failed")  # the pool closes with cancel=True
    assert time.perf_counter() - start < 10


def test_an_unreachable_scheduler_or_an_empty_address_is_a_pool_error():
    pytest.importorskip("dask.distributed")
    with pytest.raises(parallel.PoolError, match="cannot reach the Dask scheduler"):
        parallel.open_pool(scheduler="tcp://127.0.0.1:9", connect_timeout=1)
    with pytest.raises(parallel.PoolError, match="not a Dask scheduler address"):
        parallel.open_pool(4, scheduler="")  # not a local build with 4 processes
