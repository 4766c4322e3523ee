"""`Pool.wait_first`: a caller that submits jobs as results come in (the night's graph) waits for
the first done, in this process and in worker processes."""

from __future__ import annotations

import time

import pytest

from paiban import parallel


def _sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_the_inline_pool_has_every_job_done_at_once():
    with parallel.open_pool(1) as pool:
        futures = [pool.submit(_sleep, 0.0) for _ in range(3)]
        done, pending = pool.wait_first(futures)
        assert done == futures and pending == []
        assert pool.wait_first([]) == ([], [])


@pytest.mark.skipif(not parallel.can_fork(), reason="workers are forked only where the platform forks")
def test_worker_processes_give_the_first_job_done_and_the_others_still_running():
    with parallel.open_pool(2) as pool:
        slow, fast = pool.submit(_sleep, 3.0), pool.submit(_sleep, 0.05)
        start = time.perf_counter()
        done, pending = pool.wait_first([slow, fast])
        assert time.perf_counter() - start < 2.5
        assert done == [fast] and pending == [slow] and fast.result() == 0.05
        done, pending = pool.wait_first(pending)  # then the next, as it comes
        assert done == [slow] and pending == [] and slow.result() == 3.0
