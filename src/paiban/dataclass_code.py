"""The compiled code of the methods `dataclasses` writes, kept on disk from one run to the next.

For every ``@dataclass`` the standard library writes the source of ``__init__``, ``__repr__``,
``__eq__``, ``__hash__`` (and ``__setattr__``/``__delattr__`` of a frozen class) and compiles it
with ``exec`` as the module is imported. Compiling is most of the cost: ~1.3 ms a frozen class
on the benchmark machine, 60–70 ms for paiban's ~60 classes, a tenth of a whole build. The
source of a class's methods is the same text in every run, so its code object can be kept.

`install` points the ``exec`` that `dataclasses` calls at `_exec`: it looks the source text up
in a table of code objects and compiles only what it has not seen (exactly as ``exec`` would:
file name ``<string>``, no inherited ``__future__`` flags), then runs the code object in the
same namespaces. The classes get the same functions as without it; only the compiling is saved.
`save` writes the table when something new was compiled: one marshal file per Python bytecode
version in paiban's cache folder (``dataclass-code-<magic>.marshal``), written atomically. A
missing, unreadable or corrupted file is an empty table, never an error.

This module imports nothing of paiban's and little of the standard library when it loads: it
runs first (`save` uses `paiban.atomic_files`, at the end of a run).
"""

import atexit
import marshal
import os
import sys
from types import ModuleType


class _InspectOnDemand(ModuleType):
    """What `dataclasses` gets for ``import inspect``: the real module, imported on first use.

    `dataclasses` calls ``inspect.signature`` only for a class without a docstring (to write
    one), yet imports `inspect` (with `ast`, `dis`, `tokenize`) as it loads: ~40·10⁶
    instructions, ~8 ms of every start on the benchmark machine. Only `dataclasses` holds this
    stand-in; every other ``import inspect`` gets the real module."""

    def __getattr__(self, name: str):
        import inspect

        return getattr(inspect, name)


if "inspect" in sys.modules or "dataclasses" in sys.modules:
    import dataclasses
else:
    sys.modules["inspect"] = _InspectOnDemand("inspect")
    try:
        import dataclasses
    finally:
        del sys.modules["inspect"]

_codes: dict[str, object] = {}
#: the source texts this run has run (kept when the table is pruned)
_used: set[str] = set()
_added = 0
_path: str | None = None
#: a table of more entries than this keeps only those of the run that writes it (test runs
#: make classes of their own: the table would otherwise only grow)
MAX_ENTRIES = 500


def cache_file() -> str:
    """The table's file: ``<cache>/dataclass-code-<magic>.marshal``; the cache folder is
    ``$PAIBAN_CACHE_DIR``, else ``$XDG_CACHE_HOME/paiban``, else ``~/.cache/paiban`` (as
    `paiban.fonts.disk_cache.default_cache_dir`)."""
    from importlib.util import MAGIC_NUMBER  # the bytecode version: marshal's code format

    folder = os.environ.get("PAIBAN_CACHE_DIR")
    if folder:
        folder = os.path.expanduser(folder)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = os.path.expanduser(xdg) if xdg else os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "paiban")
    return os.path.join(folder, f"dataclass-code-{MAGIC_NUMBER.hex()}.marshal")


def _exec(source, globals=None, locals=None):  # noqa: A002 - exec's own parameter names
    """``exec(source, globals, locals)`` with the compiled code of a source text kept."""
    global _added
    if not isinstance(source, str):
        return exec(source, globals, locals)
    code = _codes.get(source)
    if code is None:
        code = _codes[source] = compile(source, "<string>", "exec", dont_inherit=True)
        _added += 1
    _used.add(source)
    return exec(code, globals, locals)


def install() -> None:
    """Load the table and have `dataclasses` run its generated methods through `_exec` (once)."""
    global _path
    if _path is not None:
        return
    _path = cache_file()
    try:
        with open(_path, "rb") as file:
            table = marshal.loads(file.read())  # (marshal.load reads a file piece by piece: 15× slower)
        if isinstance(table, dict):
            _codes.update((k, v) for k, v in table.items() if isinstance(k, str) and type(v) is _CodeType)
    except (OSError, EOFError, ValueError, TypeError):
        pass  # no table yet, or a damaged one: compile as usual and write a new one
    dataclasses.exec = _exec


def save() -> None:
    """Write the table if this run compiled something new (atomically; errors cost only speed)."""
    global _added
    if not _added or _path is None:
        return
    from pathlib import Path

    from paiban.atomic_files import write_atomically

    table = _codes if len(_codes) <= MAX_ENTRIES else {k: v for k, v in _codes.items() if k in _used}
    try:
        write_atomically(Path(_path), marshal.dumps(table))  # makes the folder too
        _added = 0
    except (OSError, ValueError):
        pass


_CodeType = type(install.__code__)

install()
atexit.register(save)  # `paiban.cli.run` leaves with os._exit: it calls `save` itself
