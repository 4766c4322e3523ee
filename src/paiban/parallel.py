"""Worker processes: the one place paiban starts them. It knows nothing of typesetting.

    with open_pool(jobs=2, inherit=(install, (state,))) as pool:
        futures = [pool.submit(render, page) for page in pages]
        for future in pool.as_completed(futures):
            future.result()

`open_pool(jobs, scheduler, inherit)` chooses where jobs run:

* ``jobs <= 1`` (and no scheduler): `InlinePool`, each job run in this process when submitted;
* ``jobs > 1``: `ProcessPool`, a `concurrent.futures.ProcessPoolExecutor` of `jobs` workers. On
  a platform that forks (Linux) the workers are forked when the pool opens: they start with
  what this process holds at that moment (loaded fonts, flowed stories), and ``inherit``
  (a function and its arguments) runs in each of them first, its arguments not serialised
  (`forked` is True). Elsewhere (macOS, Windows) they are spawned, ``inherit`` is not run (the
  caller sees `forked` False and does that work itself), and every job's arguments must pickle;
* ``scheduler``: `DaskPool`, a Dask distributed cluster (``pip install 'paiban[dask]'``); its
  workers may be on other machines, so `local_files` is False (they return bytes, not paths).

Every pool has ``submit(fn, *args)`` → a future with ``result()``, ``as_completed(futures)``,
``close(cancel=False)``, and is a context manager (closing on exit, cancelling when the block
raises). Workers ignore SIGINT (Ctrl-C is the parent's to handle) and turn SIGTERM into
`SystemExit`, so their ``finally`` blocks remove temporary files; ``close(cancel=True)`` cancels
waiting jobs and terminates running ones.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["DaskPool", "InlinePool", "Pool", "PoolError", "ProcessPool", "open_pool", "worker_name"]


class PoolError(RuntimeError):
    """A pool cannot be opened or used (the Dask scheduler cannot be reached, Dask is missing)."""


def worker_name() -> str:
    """``host:pid`` of this process, for reports of which worker did a job."""
    import platform

    return f"{platform.node()}:{os.getpid()}"


def can_fork() -> bool:
    """True where worker processes are forked from this one (Linux)."""
    return sys.platform.startswith("linux")


class _Done:
    """The future of a job run at once: its value, or its exception raised by `result`."""

    def __init__(self, value: Any = None, error: BaseException | None = None):
        self.value, self.error = value, error

    def result(self) -> Any:
        if self.error is not None:
            raise self.error
        return self.value


class Pool:
    """What every pool offers (see the module docstring)."""

    description = "this process"
    #: workers write files on this machine (False: they return the bytes)
    local_files = True
    #: workers are copies of this process made when the pool opened
    forked = False

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        raise NotImplementedError

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        pass

    def __enter__(self) -> Pool:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.close(cancel=kind is not None)


class InlinePool(Pool):
    """Jobs run in this process, one after the other, when they are submitted."""

    def submit(self, fn: Callable[..., Any], *args: Any) -> _Done:
        try:
            return _Done(fn(*args))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - raised by the future's result()
            return _Done(error=exc)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        return iter(list(futures))


#: a function and its arguments, run in each forked worker before its first job
Inherit = tuple[Callable[..., object], tuple]


def _worker_start(inherit: Inherit | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if inherit is not None:
        function, args = inherit
        function(*args)


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _ready() -> int:
    return os.getpid()


class ProcessPool(Pool):
    """`jobs` worker processes on this machine (`concurrent.futures.ProcessPoolExecutor`)."""

    def __init__(self, jobs: int, inherit: Inherit | None = None):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.forked = can_fork()
        context = multiprocessing.get_context("fork" if self.forked else "spawn")
        self.description = f"{jobs} local worker processes"
        self._executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_worker_start,
                                             initargs=(inherit if self.forked else None,))
        # a forking executor starts all its workers at the first submit: this one, now
        self._executor.submit(_ready)

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        return self._executor.submit(fn, *args)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from concurrent.futures import as_completed

        return as_completed(list(futures))

    def close(self, cancel: bool = False) -> None:
        if not cancel:
            self._executor.shutdown(wait=True)
            return
        processes = list((getattr(self._executor, "_processes", None) or {}).values())
        self._executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:  # stop the jobs that already run
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=5)


class DaskPool(Pool):
    """Jobs on a Dask distributed cluster."""

    local_files = False

    def __init__(self, address: str):
        try:
            from dask.distributed import Client
        except ImportError:
            raise PoolError("--scheduler needs Dask: pip install 'paiban[dask]'") from None
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise PoolError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
        workers = len(self.client.scheduler_info().get("workers", {}))
        self.description = f"Dask scheduler {address} ({workers} workers)"
        self._futures: list[Any] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> Any:
        # the arguments go to the cluster as data, not inside the task graph (no "large graph")
        data = self.client.scatter(list(args), hash=False)
        future = self.client.submit(fn, *data, pure=False)
        self._futures.append(future)
        return future

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        return iter(as_completed(list(futures), loop=self.client.loop))

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel and self._futures:
                self.client.cancel(self._futures)
        finally:
            self.client.close()


def open_pool(jobs: int = 1, scheduler: str | None = None, inherit: Inherit | None = None) -> Pool:
    """The pool for `jobs` and `scheduler` (see the module docstring)."""
    if scheduler:
        return DaskPool(scheduler)
    if jobs <= 1:
        return InlinePool()
    return ProcessPool(jobs, inherit)
