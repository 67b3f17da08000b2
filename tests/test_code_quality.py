"""The code is lint-clean, formatted and type-checked: the same checks a reviewer runs."""

from __future__ import annotations

import ast
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


HTTPX_CALLS = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "Client"}
)


def requests_without_timeout(folder: Path) -> list[str]:
    """Every ``httpx`` request or client made in ``folder`` without an explicit timeout."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "httpx"
                and node.func.attr in HTTPX_CALLS
                and not any(keyword.arg == "timeout" for keyword in node.keywords)
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


@pytest.mark.parametrize("folder", ["tests", "benchmarks"])
def test_every_http_request_says_how_long_it_may_wait(folder):
    # httpx's default of 5 s is too short for a busy machine and says nothing of the intent
    assert requests_without_timeout(ROOT / folder) == []
