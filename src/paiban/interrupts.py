"""SIGTERM during a build, turned into an exception so that clean-up runs on the way out.

A nightly job or a supervisor stops a build with SIGTERM. Python's default would end the
process on the spot: worker and child processes would go on, temporary files would stay. Inside
`interrupt_on_sigterm` the signal raises `BuildInterrupted` (a `KeyboardInterrupt`, like
Ctrl-C) in the main thread instead; `finally` blocks stop the workers and children and remove
temporary files, and the command line exits with 143.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator
from typing import Any

__all__ = ["BuildInterrupted", "interrupt_on_sigterm"]


class BuildInterrupted(KeyboardInterrupt):
    """SIGTERM (or Ctrl-C) during a build."""


@contextlib.contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """Within the block, SIGTERM raises `BuildInterrupted` in the main thread (like Ctrl-C), so
    that the build stops its workers and child processes and removes its temporary files."""
    def handler(signum: int, frame: Any) -> None:
        raise BuildInterrupted(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
