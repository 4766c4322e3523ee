"""`python -m paiban` runs the command line."""

from paiban.cli import run

run()
