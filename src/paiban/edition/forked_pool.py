"""Render workers forked from the build process (Linux): an edition's local process pool.

`ForkedPool(jobs, warm_up, setup, side_job)` forks a first worker at once. It runs `setup`
(signals), then `side_job` (work of the build that nothing needs before the report, such as the
glyph coverage check: see `side_result`), then `warm_up` (imports reportlab and the font
registry), and only then forks the other workers, which inherit all that: the pool pays for one
import of the renderer (~55 ms of CPU), not one per worker, while the build flows. Each worker
serves jobs: ``submit(fn, *args)`` returns a `PoolFuture`, and ``as_completed(futures)`` yields
them as their workers answer. A job is a function of a module and its arguments, pickled down a
pipe; the answer comes back the same way.

Why not `concurrent.futures.ProcessPoolExecutor`, as on other systems (`render_pool`): its
import (``concurrent.futures``, ``multiprocessing``, ``logging``, ``socket``…) costs ~25 ms of
a build that takes ~0.5 s, its workers start only when it is made and each imports the renderer
itself, they take no side job, and its queue threads add their own switching. Forked here, the
workers inherit the loaded fonts, the layout and the renderer, and the pool is these few pipes.

A job's exception is raised by `PoolFuture.result`; a worker that dies (killed, out of memory)
fails its job with `WorkerDied`. `release()` says no job will follow: the idle workers' request
pipes close and they leave while the build finishes its own work. `close()` ends the workers when
they are done (their request pipes close: they leave their loop, the first after reaping the
others) and reaps them; `close(cancel=True)`
sends SIGTERM to the workers' process group, which exits them through their ``finally`` blocks
(temporary files removed). Workers ignore SIGINT (Ctrl-C is the parent's) and leave with
``os._exit``: no exit handler of the parent runs twice. If the build process dies, their pipes
close and they leave too.
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

from paiban.render.writer_process import read_side_result, run_side_job

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
    __slots__ = ("pid", "requests", "answers", "job", "alive")

    def __init__(self, pid: int, requests: int, answers: int):
        self.pid = pid  # 0: not this process's child (forked by the first worker)
        self.requests, self.answers = requests, answers
        self.job: PoolFuture | None = None
        self.alive = True


class ForkedPool:
    """`jobs` forked workers (see the module docstring)."""

    local_files = True

    def __init__(self, jobs: int, warm_up: Callable[[], object], setup: Callable[[], object] = lambda: None,
                 side_job: Callable[[], object] | None = None):
        self.description = f"{jobs} local worker processes"
        self._workers: list[_Worker] = []
        self._waiting: deque[PoolFuture] = deque()
        self._side = -1
        self._group = 0
        pipes: list[tuple[int, int, int, int]] = []  # per worker: requests r/w, answers r/w
        side_r, side_w = os.pipe() if side_job is not None else (-1, -1)
        try:
            for _ in range(jobs):
                requests_r, requests_w = os.pipe()
                answers_r, answers_w = os.pipe()
                _widen(requests_w)
                pipes.append((requests_r, requests_w, answers_r, answers_w))
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    os.setpgid(0, 0)  # a group of its own: `close(cancel=True)` stops it and its workers
                    for _, requests_w, answers_r, _ in pipes:
                        os.close(requests_w)
                        os.close(answers_r)
                    if side_r >= 0:
                        os.close(side_r)
                    code = _first_worker(pipes, warm_up, setup, side_job, side_w)
                finally:
                    os._exit(code)
            self._group = pid
            try:
                os.setpgid(pid, pid)  # as the child does: whichever runs first
            except OSError:  # it did, or it is gone already
                pass
            self._workers = [_Worker(pid if i == 0 else 0, w, r) for i, (_, w, r, _) in enumerate(pipes)]
        except BaseException:
            for _, requests_w, answers_r, _ in pipes[len(self._workers):]:
                os.close(requests_w)
                os.close(answers_r)
            self.close(cancel=True)
            raise
        finally:
            for requests_r, _, _, answers_w in pipes:
                os.close(requests_r)
                os.close(answers_w)
            if side_w >= 0:
                os.close(side_w)
        self._side = side_r

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
        return read_side_result(fd, fallback)

    def _dispatch(self) -> None:
        for worker in self._workers:
            if not self._waiting:
                return
            if worker.job is None and worker.alive:
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
        status = _reap(worker.pid) if worker.pid else "unknown"
        worker.pid, worker.alive = 0, False
        if job is not None:
            job._finish(error=WorkerDied(f"a render worker stopped (status {status}) without answering"))

    # -- end --

    def release(self) -> None:
        """No more jobs: the idle workers leave their loops and exit now, while this process
        finishes its work; `close` then only reaps them. Jobs submitted later fail."""
        for worker in self._workers:
            if worker.job is None and worker.requests >= 0:
                os.close(worker.requests)
                worker.requests = -1
                worker.alive = False

    def close(self, cancel: bool = False) -> None:
        if self._side >= 0:
            os.close(self._side)
            self._side = -1
        if cancel and self._group:
            try:
                os.killpg(self._group, signal.SIGTERM)  # every worker
            except (ProcessLookupError, PermissionError):
                pass
        for worker in self._workers:
            if worker.requests >= 0:
                os.close(worker.requests)  # the worker leaves its loop
        for worker in self._workers:
            if worker.pid:  # the first worker, which waits for the others
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

def _first_worker(pipes: list[tuple[int, int, int, int]], warm_up: Callable[[], object],
                  setup: Callable[[], object], side_job: Callable[[], object] | None, side: int) -> int:
    """The first worker: set up, run the side job, warm up (import the renderer), then fork the
    other workers, which inherit all that (one import of reportlab for the pool, not one per
    worker: ~55 ms of CPU each), serve its own pipes, and wait for the others. Returns the exit
    code."""
    children: list[int] = []
    try:
        setup()
        gc.freeze()  # the inherited objects are never scanned: fewer pages copied on write
        if side_job is not None:
            run_side_job(side_job, side)
        try:
            warm_up()
        except Exception:  # noqa: BLE001 - a job imports what it needs, and reports what fails
            pass
        for i in range(1, len(pipes)):
            pid = os.fork()
            if pid == 0:
                code = 1
                try:
                    for j, (requests_r, _, _, answers_w) in enumerate(pipes):
                        if j != i:
                            os.close(requests_r)
                            os.close(answers_w)
                    code = _serve(pipes[i][0], pipes[i][3])
                finally:
                    os._exit(code)
            children.append(pid)
        for requests_r, _, _, answers_w in pipes[1:]:
            os.close(requests_r)
            os.close(answers_w)
        return _serve(pipes[0][0], pipes[0][3])
    except SystemExit as exc:  # SIGTERM (render_pool.worker_init)
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 130
    finally:
        for pid in children:
            _reap(pid)


def _serve(requests: int, answers: int) -> int:
    """A worker's loop: answer jobs until the requests pipe closes. Returns the exit code."""
    try:
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
