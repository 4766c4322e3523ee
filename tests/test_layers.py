"""The architecture's rules, checked: the layer contracts (import-linter, pyproject.toml), one
module that starts worker processes, and nothing at import that changes the standard library."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "paiban"


def _sources() -> dict[str, str]:
    return {p.relative_to(SRC).as_posix(): p.read_text(encoding="utf-8") for p in sorted(SRC.rglob("*.py"))}


def test_the_layer_contracts_hold_with_no_ignored_imports():
    config = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "ignore_imports" not in config
    script = Path(sys.executable).parent / "lint-imports"
    command = [str(script)] if script.is_file() else [shutil.which("lint-imports") or "lint-imports"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_exactly_one_module_starts_worker_processes():
    starts = re.compile(r"ProcessPoolExecutor|multiprocessing|dask\.distributed|\bos\.fork\b|\bos\.spawn")
    users = {name for name, text in _sources().items() if starts.search(text)}
    assert users == {"parallel.py"}


def test_no_process_protocols_pickles_or_patches_of_the_standard_library():
    forbidden = re.compile(r"\bos\.(fork|forkpty|pipe|register_at_fork|posix_spawn)\b|\bmarshal\b|"
                           r"sys\.modules\[[^\]]+\]\s*=|\bpickle\.loads?\(|\bdataclasses\.\w+\s*=")
    found = {name: m.group(0) for name, text in _sources().items() if (m := forbidden.search(text))}
    assert found == {}


def test_importing_paiban_leaves_the_standard_library_alone():
    code = ("import sys, dataclasses, inspect; before = (dict(vars(dataclasses)), sys.modules['inspect']);"
            "import paiban, paiban.pipeline, paiban.cli, paiban.edition.edition_build;"
            "assert dict(vars(dataclasses)) == before[0] and sys.modules['inspect'] is before[1]; print('ok')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.stdout.strip() == "ok", result.stderr
