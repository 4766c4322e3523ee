"""A cancelled pool stops at once: a worker told to exit (SIGTERM) starts none of the jobs already
queued for it (`paiban.parallel._job`), so a build stopped by bad input found while its workers
compose, by Ctrl-C or by SIGTERM ends without running them, and without waiting for the kill
that follows a SIGTERM not obeyed."""

from __future__ import annotations

import time
from pathlib import Path

from paiban import parallel


def _touch_after(path: str, seconds: float) -> str:
    time.sleep(seconds)
    Path(path).touch()
    return path


def test_a_cancelled_pool_starts_none_of_the_jobs_queued_for_its_workers(tmp_path):
    pool = parallel.open_pool(2)
    assert isinstance(pool, parallel.ProcessPool) and pool.forked
    futures = [pool.submit(_touch_after, str(tmp_path / str(i)), 0.4) for i in range(8)]
    time.sleep(0.2)  # two jobs run, the next ones wait in the workers' queue
    start = time.monotonic()
    pool.close(cancel=True)
    took = time.monotonic() - start
    time.sleep(0.8)  # what a worker would have started would be done by now
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # the running ones stopped, no other began
    assert took < 1.5, took  # not the 2 s a worker that keeps working is given before it is killed
    assert len(futures) == 8
