# The package's names for type checkers: `build`, `check`, `Result` and `InputError` are lent
# lazily by __init__.py's __getattr__ (so that `import paiban` stays light).
from paiban.api import Result as Result, build as build, check as check
from paiban.errors import InputError as InputError

__version__: str
__all__: list[str]
