"""Which Python `tasks.sh` makes the virtualenv with (`bash tasks.sh python`): the distribution's
python3 first, since a Python built with pyenv's defaults runs paiban ~17 % slower (README)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def chosen(**env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "PAIBAN_PYTHON"}
    return subprocess.run(["bash", str(ROOT / "tasks.sh"), "python"], env={**environment, **env},
                          capture_output=True, text=True, timeout=60)


def real(python: str) -> str:
    return subprocess.run([python, "-c", "import os, sys; print(os.path.realpath(sys.executable))"],
                          capture_output=True, text=True, check=True).stdout.strip()


def distribution_python_is_usable() -> bool:
    python = Path("/usr/bin/python3")
    return python.exists() and subprocess.run(
        [str(python), "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]).returncode == 0


@pytest.mark.skipif(not distribution_python_is_usable(), reason="no /usr/bin/python3 of 3.11 or newer here")
def test_the_distributions_python3_comes_before_the_one_first_on_path():
    done = chosen(PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == real("/usr/bin/python3")


def test_paiban_python_chooses_another():
    done = chosen(PAIBAN_PYTHON=sys.executable)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == real(sys.executable)


def test_a_paiban_python_that_is_not_a_python_fails_with_one_clear_line(tmp_path):
    missing = tmp_path / "no-such-python"
    done = chosen(PAIBAN_PYTHON=str(missing))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == f"tasks.sh: paiban needs Python 3.11 or newer (PAIBAN_PYTHON={missing} is not)"
