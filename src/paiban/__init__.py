"""paiban (排版): a typesetter for Chinese newspapers.

Article text plus a YAML layout spec in, print-ready PDF pages out. See README.md and docs/.

As a library (docs/api.md): ``paiban.build(layout)`` and ``paiban.check(layout)`` give a
`paiban.api.Result` (the report, the PDF's bytes); bad input raises `paiban.InputError`. Importing
paiban loads nothing else and changes nothing outside it: the API's module is imported by the
first use of one of its names.
"""

import importlib

__version__ = "0.1.0"
__all__ = ["InputError", "Result", "build", "check", "__version__"]

#: the names this package lends from its modules, imported on first use
_LENT = {"build": "paiban.api", "check": "paiban.api", "Result": "paiban.api", "InputError": "paiban.errors"}


def __getattr__(name: str) -> object:
    # by name, not an import statement: paiban.api sits above every other layer (pyproject.toml),
    # and the modules that read `paiban.__version__` must not depend on it through this package
    module = _LENT.get(name)
    if module is None:
        raise AttributeError(f"module 'paiban' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LENT))
