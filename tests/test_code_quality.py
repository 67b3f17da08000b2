"""The code is lint-clean, formatted and type-checked: the same checks a reviewer runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cybergov.settings import data_root

ROOT = data_root()
BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    found = BIN / name
    if found.exists():
        return str(found)
    located = shutil.which(name)
    assert located, f"{name} is not installed; install the test extra: pip install -e '.[test]'"
    return located


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False
    )


def test_ruff_finds_nothing():
    done = run(tool("ruff"), "check", ".")
    assert done.returncode == 0, done.stdout + done.stderr


def test_code_is_formatted():
    done = run(tool("ruff"), "format", "--check", ".")
    assert done.returncode == 0, done.stdout + done.stderr + "\nfix with: ruff format ."


@pytest.mark.slow
def test_mypy_strict_finds_nothing():
    done = run(tool("mypy"))
    assert done.returncode == 0, done.stdout + done.stderr
