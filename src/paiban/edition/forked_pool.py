"""Render workers forked from the build process (Linux): an edition's local process pool.

`ForkedPool(jobs, warm_up, side_job)` forks `jobs` workers at once. Each sets up its signals,
and the first runs `side_job` (work of the build that nothing needs before the report, such as
the glyph coverage check: see `side_result`); then each runs `warm_up` (imports reportlab and
the font registry) and serves jobs: ``submit(fn, *args)`` returns a `PoolFuture`, and
``as_completed(futures)`` yields them as their workers answer. A job is a function of a module
and its arguments, pickled down a pipe; the answer comes back the same way.

Why not `concurrent.futures.ProcessPoolExecutor`, as on other systems (`render_pool`): its
import (``concurrent.futures``, ``multiprocessing``, ``logging``, ``socket``…) costs ~25 ms of
a build that takes ~0.5 s, its workers start only when it is made (so they cannot inherit the
layout the build has just loaded, and take no side job), and its queue threads add their
own switching. Forked here, the workers inherit the loaded fonts and the layout, and the pool
is these few pipes.

A job's exception is raised by `PoolFuture.result`; a worker that dies (killed, out of memory)
fails its job with `WorkerDied`. `close()` ends the workers when they are done (their request
pipes close: they leave their loop); `close(cancel=True)` sends them SIGTERM, which exits them
through their ``finally`` blocks (temporary files removed). Workers ignore SIGINT (Ctrl-C is the
parent's) and leave with ``os._exit``: no exit handler of the parent runs twice.
"""

from __future__ import annotations

import gc
import os
import pickle
import select
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

__all__ = ["ForkedPool", "PoolFuture", "WorkerDied"]

_HEADER = 8  # bytes of a message's length


class WorkerDied(RuntimeError):
    """A render worker ended without answering (killed, out of memory)."""


class PoolFuture:
    """A job submitted to a `ForkedPool`: `result()` waits for it (and runs the pool meanwhile)."""

    def __init__(self, pool: ForkedPool, fn: Callable[..., Any], args: tuple):
        self._pool = pool
        self.call = (fn, args)
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None

    def done(self) -> bool:
        return self._done

    def _finish(self, value: Any = None, error: BaseException | None = None) -> None:
        self._done, self._value, self._error = True, value, error
        self.call = None

    def result(self) -> Any:
        while not self._done:
            self._pool._wait_for_answer()
        if self._error is not None:
            raise self._error
        return self._value


class _Worker:
    __slots__ = ("pid", "requests", "answers", "job")

    def __init__(self, pid: int, requests: int, answers: int):
        self.pid, self.requests, self.answers = pid, requests, answers
        self.job: PoolFuture | None = None


class ForkedPool:
    """`jobs` forked workers (see the module docstring)."""

    local_files = True

    def __init__(self, jobs: int, warm_up: Callable[[], object], setup: Callable[[], object] = lambda: None,
                 side_job: Callable[[], object] | None = None):
        self.description = f"{jobs} local worker processes"
        self._workers: list[_Worker] = []
        self._waiting: deque[PoolFuture] = deque()
        self._side = -1
        side_r, side_w = os.pipe() if side_job is not None else (-1, -1)
        try:
            for i in range(jobs):
                self._fork(warm_up, setup, side_job if i == 0 else None, side_w, side_r)
        except BaseException:
            self.close(cancel=True)
            raise
        finally:
            if side_w >= 0:
                os.close(side_w)
        self._side = side_r

    def _fork(self, warm_up: Callable[[], object], setup: Callable[[], object],
              side_job: Callable[[], object] | None, side_w: int, side_r: int) -> None:
        requests_r, requests_w = os.pipe()
        answers_r, answers_w = os.pipe()
        _widen(requests_w)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                # only the side job's worker keeps the side pipe: its end is the answer
                for fd in (requests_w, answers_r, side_r, -1 if side_job else side_w, *self._fds()):
                    if fd >= 0:
                        os.close(fd)
                code = _serve(requests_r, answers_w, warm_up, setup, side_job, side_w if side_job else -1)
            finally:
                os._exit(code)
        os.close(requests_r)
        os.close(answers_w)
        self._workers.append(_Worker(pid, requests_w, answers_r))

    def _fds(self) -> list[int]:
        return [fd for w in self._workers for fd in (w.requests, w.answers)]

    # -- jobs --

    def submit(self, fn: Callable[..., Any], *args: Any) -> PoolFuture:
        future = PoolFuture(self, fn, args)
        self._waiting.append(future)
        self._dispatch()
        return future

    def as_completed(self, futures: Iterable[PoolFuture]) -> Iterator[PoolFuture]:
        pending = list(futures)
        while pending:
            done = [f for f in pending if f.done()]
            if not done:
                self._wait_for_answer()
                continue
            for future in done:
                pending.remove(future)
                yield future

    def side_result(self, fallback: Callable[[], object]) -> object:
        """The value of the `side_job` given to the pool; `fallback()` when there was none or it
        did not come (it raised, or the worker died): the same work done here."""
        fd, self._side = self._side, -1
        if fd < 0:
            return fallback()
        with os.fdopen(fd, "rb") as pipe:
            data = pipe.read()
        try:
            kind, value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - the worker died first
            return fallback()
        return value if kind == "ok" else fallback()

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._waiting:
                return
            if worker.job is None and worker.pid:
                future = self._waiting.popleft()
                try:
                    _send(worker.requests, future.call)
                except BrokenPipeError:
                    self._lost(worker, future)
                    continue
                except Exception as exc:  # noqa: BLE001 - the job does not pickle
                    future._finish(error=exc)
                    continue
                worker.job = future

    def _wait_for_answer(self) -> None:
        busy = {w.answers: w for w in self._workers if w.job is not None}
        if not busy:
            if self._waiting:  # every worker is gone
                for future in self._waiting:
                    future._finish(error=WorkerDied("no render worker is left"))
                self._waiting.clear()
            return
        ready, _, _ = select.select(list(busy), [], [])
        for fd in ready:
            worker = busy[fd]
            job = worker.job
            answer = _receive(fd)
            worker.job = None
            if answer is None:
                self._lost(worker, job)
            else:
                kind, value = answer
                job._finish(value=value) if kind == "ok" else job._finish(error=value)
        self._dispatch()

    def _lost(self, worker: _Worker, job: PoolFuture | None) -> None:
        status = _reap(worker.pid)
        worker.pid = 0
        if job is not None:
            job._finish(error=WorkerDied(f"a render worker stopped (status {status}) without answering"))

    # -- end --

    def close(self, cancel: bool = False) -> None:
        if self._side >= 0:
            os.close(self._side)
            self._side = -1
        for worker in self._workers:
            if cancel and worker.pid:
                try:
                    os.kill(worker.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            os.close(worker.requests)  # the worker leaves its loop
        for worker in self._workers:
            if worker.pid:
                _reap(worker.pid)
                worker.pid = 0
            os.close(worker.answers)
            if worker.job is not None:  # stopped before it answered
                worker.job._finish(error=WorkerDied("the pool was closed"))
        self._workers.clear()
        for future in self._waiting:
            future._finish(error=WorkerDied("the pool was closed"))
        self._waiting.clear()


# ---- the pipes --------------------------------------------------------------------------------

def _send(fd: int, obj: object) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    view = memoryview(len(data).to_bytes(_HEADER, "little") + data)
    while view:
        view = view[os.write(fd, view):]


def _widen(fd: int) -> None:
    """Give a pipe up to 1 MiB of buffer (Linux; 64 KiB by default): a job (a page's text
    operators, ~130 KB; the edition's, ~1 MB) is then written in one go, not in sixteen turns
    of the reader."""
    try:
        import fcntl

        fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except (ImportError, OSError):  # not Linux, or above /proc/sys/fs/pipe-max-size
        pass


def _read_exactly(fd: int, size: int) -> bytes | None:
    parts = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _receive(fd: int) -> Any | None:
    """The next message, or None when the other end closed (or died) first."""
    header = _read_exactly(fd, _HEADER)
    if header is None:
        return None
    data = _read_exactly(fd, int.from_bytes(header, "little"))
    return None if data is None else pickle.loads(data)


def _reap(pid: int) -> int:
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return -1


# ---- in the worker ----------------------------------------------------------------------------

def _serve(requests: int, answers: int, warm_up: Callable[[], object], setup: Callable[[], object],
           side_job: Callable[[], object] | None, side: int) -> int:
    """The worker: set up, run the side job, warm up, then answer jobs until the requests pipe
    closes. Returns the exit code."""
    try:
        setup()
        gc.freeze()  # the inherited objects are never scanned: fewer pages copied on write
        if side_job is not None:
            _run_side_job(side_job, side)
        warm_up()
        while (call := _receive(requests)) is not None:
            fn, args = call
            try:
                answer: tuple = ("ok", fn(*args))
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:  # noqa: BLE001 - raised in the parent by PoolFuture.result
                answer = ("error", exc)
            try:
                _send(answers, answer)
            except BrokenPipeError:
                return 0
            except Exception as exc:  # noqa: BLE001 - an answer that does not pickle
                _send(answers, ("error", RuntimeError(f"{type(answer[1]).__name__}: {answer[1]} ({exc})")))
    except SystemExit as exc:  # SIGTERM (render_pool.worker_init)
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 130
    return 0


def _run_side_job(job: Callable[[], object], side: int) -> None:
    try:
        data = pickle.dumps(("ok", job()), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # noqa: BLE001 - the parent does the work itself
        data = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
    try:
        with os.fdopen(side, "wb") as pipe:
            pipe.write(data)
    except OSError:  # the parent is gone or no longer listening
        pass
