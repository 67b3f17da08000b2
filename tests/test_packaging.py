"""The wheel carries the data folders, and the installed package finds them there."""

from __future__ import annotations

import ast
import importlib.metadata
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from cybergov.settings import data_root


@pytest.mark.slow
def test_the_wheel_ships_the_data_and_finds_it(tmp_path):
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(data_root()),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert built.returncode == 0, built.stderr
    wheel = next(tmp_path.glob("cybergov-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "cybergov/_data/ontology/cybergov.ttl",
        "cybergov/_data/kg/states.ttl",
        "cybergov/_data/queries/rules/attribution-chain.rq",
        "cybergov/settings.py",
    ):
        assert expected in names
    target = tmp_path / "site"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "-q",
            "--target",
            str(target),
            str(wheel),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert installed.returncode == 0, installed.stderr
    found = subprocess.run(
        [sys.executable, "-c", "from cybergov.settings import data_root; print(data_root())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(target)},
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(target / "cybergov" / "_data")


def third_party_imports(folder: Path) -> set[str]:
    """The top-level names of every module the code of ``folder`` imports from outside the
    standard library and the project."""
    names: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return {n for n in names if n not in sys.stdlib_module_names and n != "cybergov"}


def distribution(requirement: str) -> str:
    """The normalised distribution name of a requirement (``uvicorn[standard]>=0.30``)."""
    name = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_runtime_dependencies_are_exactly_what_the_package_imports():
    project = tomllib.loads((data_root() / "pyproject.toml").read_text())["project"]
    declared = {distribution(r) for r in project["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    imported = {
        distribution(provider)
        for name in third_party_imports(data_root() / "service" / "cybergov")
        for provider in providers.get(name, [name])
    }
    assert imported - declared == set(), "imported by the package but not declared"
    assert declared - imported == set(), "declared but imported by nothing at run time"


def test_the_tools_extra_holds_what_the_tools_import():
    project = tomllib.loads((data_root() / "pyproject.toml").read_text())["project"]
    runtime = {distribution(r) for r in project["dependencies"]}
    providers = importlib.metadata.packages_distributions()
    needed = {
        distribution(provider)
        for name in third_party_imports(data_root() / "tools")
        for provider in providers.get(name, [name])
    }
    extras = project["optional-dependencies"]
    tools = {distribution(r) for r in extras["tools"]}
    assert needed - runtime == tools, "the tools extra is what the tools need beyond the package"
    assert tools <= {distribution(r) for r in extras["test"]}, "the tests run the tools"
