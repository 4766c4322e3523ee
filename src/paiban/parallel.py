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
  Before distributed's client is made, the address is checked and the scheduler asked who it
  is, within the connect timeout, so that a bad or empty address, ``tls://`` without
  certificates, nothing listening, a peer that accepts and never answers, one that speaks
  another protocol and a Dask worker are each a one-line `PoolError`; a scheduler without
  workers waits for one as long. A job whose worker dies runs again on another, a job that
  raised runs again up to ``retries`` times, one the cluster lost is submitted again, and every
  wait is bounded by the deadline, counted from connecting: past it, a `PoolError`.
  `dask_settings`: `CONNECT_TIMEOUT` (10 s, ``$PAIBAN_DASK_CONNECT_TIMEOUT``), `DEADLINE` (600 s,
  ``$PAIBAN_DASK_DEADLINE``), `RETRIES` (2, ``$PAIBAN_DASK_RETRIES``), each also a parameter of
  `open_pool`.

Every pool has ``submit(fn, *args)`` → a future with ``result()`` and ``done()``, ``as_completed(futures)``,
``wait_first(futures)`` → (the done ones, the others), waiting until at least one is done (a
caller that submits new jobs as results come in: a graph of tasks), ``close(cancel=False)``, and
is a context manager (closing on exit, cancelling when the block
raises); ``release()`` says no job will follow, so that the workers leave while the caller
finishes. Workers ignore SIGINT (Ctrl-C is the parent's to handle) and turn SIGTERM into
`SystemExit`, so their ``finally`` blocks remove temporary files; ``close(cancel=True)`` cancels
waiting jobs and terminates running ones.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from paiban.i18n import _

__all__ = ["CONNECT_TIMEOUT", "DEADLINE", "DaskPool", "InlinePool", "Pool", "PoolError", "ProcessPool", "RETRIES",
           "dask_settings", "open_pool", "worker_name"]


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

    def done(self) -> bool:
        return True


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

    def wait_first(self, futures: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        raise NotImplementedError

    def close(self, cancel: bool = False) -> None:
        pass

    def release(self) -> None:
        """No job will be submitted any more: the workers may leave while the caller finishes
        (`close` still waits for them)."""

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

    def wait_first(self, futures: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        return list(futures), []


#: a function and its arguments, run in each forked worker before its first job
Inherit = tuple[Callable[..., object], tuple]


def _worker_start(inherit: Inherit | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_term)
    if inherit is not None:
        function, args = inherit
        function(*args)


#: in a worker: the SIGTERM it was sent, if any
_terminated: list[int] = []


def _exit_on_term(signum: int, frame: Any) -> None:
    _terminated.append(signum)
    raise SystemExit(128 + signum)


def _job(fn: Callable[..., Any], *args: Any) -> Any:
    """A job in a worker: not started once the worker was told to exit (the executor's worker
    would otherwise take the next job queued for it after the SystemExit of the one it ran)."""
    if _terminated:
        os._exit(128 + _terminated[0])
    return fn(*args)


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
        return self._executor.submit(_job, fn, *args)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from concurrent.futures import as_completed

        return as_completed(list(futures))

    def wait_first(self, futures: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        from concurrent.futures import FIRST_COMPLETED, wait

        futures = list(futures)
        if not futures:
            return [], []
        done, _ = wait(futures, return_when=FIRST_COMPLETED)
        return [f for f in futures if f in done], [f for f in futures if f not in done]

    def release(self) -> None:
        self._executor.shutdown(wait=False)

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
            process.join(timeout=2)
        for process in processes:
            # a worker whose exit was raised while it handed back a big result keeps trying to
            # hand it back (concurrent.futures sends the exception instead) to a pipe nobody reads
            if process.is_alive():
                process.kill()
                process.join()


#: Dask: seconds to connect to the scheduler and hear it answer, and to find a worker there
CONNECT_TIMEOUT = 10.0
#: Dask: seconds the cluster has for all of a build's jobs, from connecting to the last result
DEADLINE = 600.0
#: Dask: times a job that failed on a worker is run again (one whose worker died is run again
#: by the scheduler anyway: ``distributed.scheduler.allowed-failures``)
RETRIES = 2
#: the environment variables that set them when `open_pool` is not given them
CONNECT_TIMEOUT_ENV, DEADLINE_ENV, RETRIES_ENV = ("PAIBAN_DASK_CONNECT_TIMEOUT", "PAIBAN_DASK_DEADLINE",
                                                  "PAIBAN_DASK_RETRIES")


def dask_settings(connect_timeout: float | None = None, deadline: float | None = None,
                  retries: int | None = None) -> tuple[float, float, int]:
    """(connect timeout, deadline, retries): each as given, else from its environment variable,
    else the default. A bad value is a `PoolError`."""
    def setting(given: Any, variable: str, label: str, default: float, kind: type) -> Any:
        text = os.environ.get(variable, "").strip() if given is None else None
        if given is None and not text:
            return default
        source = f"{variable}={text}" if given is None else repr(given)
        try:
            value = kind(given if given is not None else text)
        except (TypeError, ValueError):
            raise PoolError(_("the Dask {label} must be a number: {source}").format(
                label=label, source=source)) from None
        if not (0 <= value < 100 if kind is int else 0 < value < float("inf")):
            raise PoolError(_("the Dask {label} is out of range: {source}").format(label=label, source=source))
        return value

    return (setting(connect_timeout, CONNECT_TIMEOUT_ENV, "connect timeout (seconds)", CONNECT_TIMEOUT, float),
            setting(deadline, DEADLINE_ENV, "deadline (seconds)", DEADLINE, float),
            setting(retries, RETRIES_ENV, "retries", RETRIES, int))


async def _identify(address: str, timeout: float, connection_args: dict) -> Any:
    """Connect to `address` with Dask's protocol and ask who is there (its ``identity``)."""
    from distributed.comm import connect

    comm = await connect(address, timeout=timeout, **connection_args)
    try:
        await comm.write({"op": "identity", "reply": True})
        return await comm.read()
    finally:
        comm.abort()


def _check_address(address: str, connection_args: dict) -> None:
    """A `PoolError` for an address Dask cannot connect to: no scheme, host or port, an unknown
    or unavailable scheme, ``tls://`` without certificates."""
    def bad(why: str) -> PoolError:
        return PoolError(_("not a Dask scheduler address: {address!r} ({why}); give one like tcp://host:8786").format(
            address=address, why=why))

    from distributed.comm import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:  # (an empty address never comes here: `DaskPool` refuses it first)
        scheme = parse_address(address)[0]  # host:port is tcp://host:port
        get_backend(scheme).get_connector()
        port = get_address_host_port(address)[1] if scheme in ("tcp", "tls") else None
    except (ValueError, TypeError) as exc:
        raise bad(_one_line(exc)) from None
    if port is not None and not 0 < int(port) < 65536:
        raise bad(f"port {port}")
    if scheme in ("tls", "wss") and connection_args.get("ssl_context") is None:
        raise PoolError(_("{address}: a {scheme}:// scheduler needs the cluster's certificates in Dask's "
                          "configuration (distributed.comm.tls.ca-file, .client.cert, .client.key)").format(
                              address=address, scheme=scheme))


def _check_scheduler(address: str, timeout: float, security: Any) -> dict:
    """The scheduler's identity, or a one-line `PoolError` saying what is at `address`.
    Distributed's own client would wait forever for a peer that accepts the connection and never
    answers, so this asks first, on an event loop of its own, and gives up after `timeout`."""
    import asyncio

    try:
        connection_args = security.get_connection_args("client")
    except Exception as exc:  # noqa: BLE001 - bad TLS settings
        raise PoolError(_("cannot use Dask's TLS settings for {address}: {detail}").format(
            address=address, detail=_one_line(exc))) from None
    _check_address(address, connection_args)
    try:
        # distributed's connect gives up connecting after `timeout` (an OSError); past that, the
        # peer has accepted the connection and not answered
        with _quiet("distributed.comm", "distributed.protocol"):  # no traceback of its own for garbage
            identity = asyncio.run(asyncio.wait_for(_identify(address, timeout, connection_args), timeout + 0.5))
    except (KeyboardInterrupt, SystemExit):
        raise
    except TimeoutError:
        raise PoolError(_("the Dask scheduler at {address} does not answer: it accepts the connection, but "
                          "no reply came within {timeout:g} s").format(address=address, timeout=timeout)) from None
    except BaseException as exc:  # noqa: BLE001 - anything a foreign peer makes distributed raise
        if isinstance(exc, OSError) and str(exc).startswith("Timed out trying to connect"):
            cause = re.sub(r"^in <[^>]*>: ", "", _one_line(exc.__cause__ or exc))
            raise PoolError(_("cannot reach the Dask scheduler at {address} within {timeout:g} s ({cause})").format(
                address=address, timeout=timeout, cause=cause)) from None
        raise PoolError(_("{address} is not a Dask scheduler: it does not speak Dask's protocol ({detail})").format(
            address=address, detail=_one_line(exc, with_type=True))) from None
    if not isinstance(identity, dict) or identity.get("type") != "Scheduler":
        kind = identity.get("type") if isinstance(identity, dict) else type(identity).__name__
        raise PoolError(_("{address} is not a Dask scheduler (it answered as {kind!s:.40})").format(
            address=address, kind=kind))
    return identity


@contextlib.contextmanager
def _quiet(*loggers: str) -> Iterator[None]:
    """Within the block, these loggers (and their children) log nothing."""
    import logging

    saved = [(logging.getLogger(name), logging.getLogger(name).level) for name in loggers]
    for logger, _ in saved:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.setLevel(level)


def _one_line(exc: BaseException, with_type: bool = False) -> str:
    """An exception's message on one line of at most 200 characters (its type if it has none)."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text and with_type else text or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def _client(address: str, timeout: float, security: Any) -> Any:
    """A `dask.distributed.Client` of `address`, made within `timeout` seconds (in a thread: a
    scheduler fallen silent after `_check_scheduler` would hold it forever; it is then closed as
    soon as it connects)."""
    import threading

    from dask.distributed import Client

    box: dict[str, Any] = {}
    lock = threading.Lock()
    done = threading.Event()

    def connect() -> None:
        try:
            client = Client(address, timeout=timeout, set_as_default=False, security=security)
        except BaseException as exc:  # noqa: BLE001 - reported by the caller
            box["error"] = exc
        else:
            with lock:
                if box.get("abandoned"):
                    client.close(timeout=timeout)
                else:
                    box["client"] = client
        finally:
            done.set()

    threading.Thread(target=connect, name="paiban-dask-connect", daemon=True).start()
    try:
        done.wait(timeout + 2)
    except BaseException:  # Ctrl-C, SIGTERM: the client is closed as soon as it connects
        with lock:
            box["abandoned"] = True
            if "client" in box:
                box["client"].close(timeout=timeout)
        raise
    with lock:
        if "client" in box:
            return box["client"]
        box["abandoned"] = True
    error = box.get("error")
    if error is None:
        raise PoolError(_("the Dask scheduler at {address} does not answer: no client connection within {timeout:g} "
                          "s").format(
            address=address, timeout=timeout))
    raise PoolError(_("cannot connect to the Dask scheduler at {address}: {detail}").format(
        address=address, detail=_one_line(error)))


class _DaskJob:
    """The future of a job on the cluster (``result()``: `DaskPool._result`)."""

    def __init__(self, pool: DaskPool, fn: Callable[..., Any], args: tuple):
        self.pool, self.fn, self.args = pool, fn, args
        self.future = pool._submit(fn, args)
        self.resubmitted = 0

    def result(self) -> Any:
        return self.pool._result(self)

    def done(self) -> bool:
        return self.future.done()


class DaskPool(Pool):
    """Jobs on a Dask distributed cluster, within a deadline (see `dask_settings`)."""

    local_files = False

    def __init__(self, address: str, connect_timeout: float | None = None, deadline: float | None = None,
                 retries: int | None = None):
        self.connect_timeout, self.deadline, self.retries = dask_settings(connect_timeout, deadline, retries)
        if not isinstance(address, str) or not address.strip():
            raise PoolError(_("not a Dask scheduler address: {address!r}; give one like tcp://host:8786").format(
                address=address))
        try:
            from dask.distributed import Security
        except ImportError:
            raise PoolError(_("--scheduler needs Dask: pip install 'paiban[dask]'")) from None
        self.address = address
        self._jobs: list[_DaskJob] = []
        self._ends = time.monotonic() + self.deadline
        security = Security()
        identity = _check_scheduler(address, self.connect_timeout, security)
        self.client = _client(address, self.connect_timeout, security)
        try:
            workers = int(identity.get("n_workers") or 0)
            if workers < 1:
                try:
                    self.client.wait_for_workers(1, timeout=self.connect_timeout)
                    identity = self.client.sync(self.client.scheduler.identity, n_workers=0,
                                                callback_timeout=self.connect_timeout)
                except Exception:  # noqa: BLE001 - a timeout, or the scheduler went away
                    raise PoolError(_("the Dask scheduler at {address} has no workers (waited {timeout:g} s)").format(
                        address=address, timeout=self.connect_timeout)) from None
                workers = int(identity.get("n_workers") or 0)
        except BaseException:
            self._close_client()
            raise
        self.description = f"Dask scheduler {address} ({workers} workers)"

    def _left(self) -> float:
        left = self._ends - time.monotonic()
        if left <= 0:
            raise self._late()
        return left

    def _late(self) -> PoolError:
        return PoolError(_("the Dask cluster at {address} did not finish within {deadline:g} s (the "
                           "deadline; {variable})").format(
                               address=self.address, deadline=self.deadline, variable=DEADLINE_ENV))

    def _submit(self, fn: Callable[..., Any], args: tuple) -> Any:
        import warnings

        # the arguments travel inside the task, not scattered to one worker first: the scheduler
        # keeps them, so a job whose worker dies runs again elsewhere (scattered data would die
        # with its worker, and every job that needs it with it)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Sending large graph")
            return self.client.submit(fn, *args, pure=False, retries=self.retries)

    def submit(self, fn: Callable[..., Any], *args: Any) -> _DaskJob:
        job = _DaskJob(self, fn, args)
        self._jobs.append(job)
        return job

    def _result(self, job: _DaskJob) -> Any:
        from concurrent.futures import CancelledError

        while True:
            future = job.future
            try:
                return future.result(timeout=self._left())
            except (KeyboardInterrupt, SystemExit, PoolError):
                raise
            except BaseException as exc:
                status = getattr(future, "status", "")
                if status == "error":  # the job itself raised (after its retries)
                    raise
                if isinstance(exc, TimeoutError) and status not in ("cancelled", "lost"):
                    raise self._late() from None
                # cancelled or lost by the cluster (a worker died with it, the scheduler forgot it)
                if (isinstance(exc, CancelledError) or status in ("cancelled", "lost")) and \
                        job.resubmitted < max(1, self.retries) and self.client.status == "running":
                    job.resubmitted += 1
                    job.future = self._submit(job.fn, job.args)
                    continue
                raise PoolError(_("the Dask cluster at {address} lost a job: {detail}").format(
                    address=self.address, detail=_one_line(exc))) from None

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        from dask.distributed import as_completed

        jobs = list(futures)
        by_key = {job.future.key: job for job in jobs}
        if not jobs:
            return
        try:
            for future in as_completed([job.future for job in jobs], loop=self.client.loop, timeout=self._left()):
                yield by_key[future.key]
        except TimeoutError:
            raise self._late() from None

    def wait_first(self, futures: Iterable[Any]) -> tuple[list[Any], list[Any]]:
        jobs = list(futures)
        # a lost or cancelled job counts as done: its `result()` submits it again
        while jobs and not any(job.future.done() for job in jobs):
            time.sleep(min(0.005, self._left()))  # (past the deadline, `_left` raises)
        return [job for job in jobs if job.future.done()], [job for job in jobs if not job.future.done()]

    def close(self, cancel: bool = False) -> None:
        try:
            if cancel and self._jobs:
                self.client.cancel([job.future for job in self._jobs])
        except Exception:  # noqa: BLE001 - the cluster went away: closing is all there is left
            pass
        finally:
            self._jobs = []
            self._close_client()

    def _close_client(self) -> None:
        try:
            self.client.close(timeout=self.connect_timeout)
        except Exception:  # noqa: BLE001 - a scheduler that went silent: the client is gone anyway
            pass


def open_pool(jobs: int = 1, scheduler: str | None = None, inherit: Inherit | None = None, *,
              connect_timeout: float | None = None, deadline: float | None = None, retries: int | None = None
              ) -> Pool:
    """The pool for `jobs` and `scheduler` (see the module docstring); `connect_timeout`,
    `deadline` and `retries` are the Dask pool's (`dask_settings`). An empty `scheduler` is a
    `PoolError`, not a local build."""
    if scheduler is not None:
        return DaskPool(scheduler, connect_timeout, deadline, retries)
    if jobs <= 1:
        return InlinePool()
    return ProcessPool(jobs, inherit)
