"""The import graph of the package, read with ``ast``: the folders are the layers of the
data's journey, and imports only run down them.

From the bottom up: the root (errors, settings, namespaces, RDF formats), ``sparql``,
``store``, ``execution``, ``knowledge``, ``contribute``, ``importers``, ``exchange``,
``api`` and ``cli``. A module may import the modules of its own folder and of the
folders below it, never one above; no modules import each other in a circle; at most
six modules stay in the package root; and only the store package makes a store.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cybergov.settings import data_root

PACKAGE = data_root() / "service" / "cybergov"
#: The subpackages, from the bottom up; the root is below them all.
LAYERS = (
    "sparql",
    "store",
    "execution",
    "knowledge",
    "contribute",
    "importers",
    "exchange",
    "api",
    "cli",
)
#: What ``python -m cybergov`` runs: it may import the command line.
ENTRY_POINTS = frozenset({"cybergov.__main__"})
#: The classes that are stores, and the package that alone may construct them.
STORE_CLASSES = frozenset({"EmbeddedStore", "RemoteStore"})
STORE_PACKAGE = "cybergov.store"
MAX_ROOT_MODULES = 6


@dataclass(frozen=True, slots=True)
class Module:
    name: str
    path: Path
    tree: ast.Module

    @property
    def package(self) -> str:
        """The folder it belongs to: ``cybergov`` for the root, else ``cybergov.<folder>``."""
        parts = self.name.split(".")
        return (
            ".".join(parts[:2]) if len(parts) > 2 or self.path.name == "__init__.py" else "cybergov"
        )


def modules(root: Path) -> dict[str, Module]:
    """Every module of the package in ``root``, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, path, ast.parse(path.read_text(encoding="utf-8")))
    return found


def imports(module: Module, known: dict[str, Module]) -> Iterator[tuple[str, int]]:
    """The modules of the package that ``module`` imports (anywhere in it), with the line."""
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known:
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                if submodule in known:
                    yield submodule, node.lineno
                elif node.module in known:
                    yield node.module, node.lineno


def rank(module: Module) -> int:
    """The layer of a module: 0 for the root, then the folders from the bottom up."""
    if module.package == "cybergov":
        return 0
    return LAYERS.index(module.package.split(".")[1]) + 1


def upward_imports(known: dict[str, Module]) -> list[str]:
    """Each import from a folder to a higher one, as ``module:line -> imported``."""
    found = []
    for module in known.values():
        if module.name in ENTRY_POINTS:
            continue
        for target, line in imports(module, known):
            other = known[target]
            if other.package != module.package and rank(other) >= rank(module):
                found.append(f"{module.name}:{line} -> {target}")
    return found


def circles(known: dict[str, Module]) -> list[list[str]]:
    """The circles of imports between modules (each found once, from its first module)."""
    graph = {name: sorted({target for target, _ in imports(m, known)}) for name, m in known.items()}
    found: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            found.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for target in graph[name]:
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


def store_constructions(known: dict[str, Module]) -> list[str]:
    """Each place outside the store package that makes a store: a cybergov store class, or
    pyoxigraph's ``Store`` (in memory, on disk or read-only)."""
    found = []
    for module in known.values():
        if module.package == STORE_PACKAGE:
            continue
        engines: set[str] = set()  # names of pyoxigraph's Store
        modules_of_pyoxigraph: set[str] = set()
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom) and node.module == "pyoxigraph":
                engines |= {a.asname or a.name for a in node.names if a.name == "Store"}
            elif isinstance(node, ast.Import):
                modules_of_pyoxigraph |= {
                    a.asname or a.name for a in node.names if a.name == "pyoxigraph"
                }
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            makes = (
                (isinstance(called, ast.Name) and called.id in STORE_CLASSES | engines)
                or (isinstance(called, ast.Attribute) and called.attr in STORE_CLASSES)
                or (
                    isinstance(called, ast.Attribute)
                    and called.attr == "Store"
                    and isinstance(called.value, ast.Name)
                    and called.value.id in modules_of_pyoxigraph
                )
                or (
                    isinstance(called, ast.Attribute)
                    and called.attr == "read_only"
                    and isinstance(called.value, ast.Name)
                    and called.value.id in engines
                )
            )
            if makes:
                found.append(f"{module.name}:{node.lineno}")
    return found


@pytest.fixture(scope="module")
def package() -> dict[str, Module]:
    return modules(PACKAGE)


def test_the_root_keeps_at_most_six_modules(package):
    root = sorted(m.name for m in package.values() if m.package == "cybergov")
    assert len(root) <= MAX_ROOT_MODULES, root


def test_every_folder_is_a_known_layer(package):
    folders = {m.package.split(".")[1] for m in package.values() if m.package != "cybergov"}
    assert folders <= set(LAYERS), folders - set(LAYERS)


def test_imports_only_run_down_the_layers(package):
    assert upward_imports(package) == []


def test_no_modules_import_each_other_in_a_circle(package):
    assert circles(package) == []


def test_only_the_store_package_makes_a_store(package):
    assert store_constructions(package) == []


def test_the_checks_find_what_they_look_for(tmp_path):
    """A package with an upward import, a circle and a store made in the wrong place."""
    root = tmp_path / "cybergov"
    sources = {
        "__init__.py": "",
        "errors.py": "from cybergov.store import base\n",
        "store/__init__.py": "",
        "store/base.py": "from cybergov.store import embedded\n",
        "store/embedded.py": "from cybergov.store import base\nclass EmbeddedStore: ...\n",
        "knowledge/__init__.py": "",
        "knowledge/load.py": textwrap.dedent(
            """
            import pyoxigraph
            from pyoxigraph import Store as Engine
            from cybergov.store.embedded import EmbeddedStore
            EmbeddedStore()
            Engine.read_only("folder")
            pyoxigraph.Store()
            """
        ),
    }
    for name, text in sources.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    planted = modules(root)
    assert upward_imports(planted) == ["cybergov.errors:1 -> cybergov.store.base"]
    assert ["cybergov.store.base", "cybergov.store.embedded", "cybergov.store.base"] in circles(
        planted
    )
    assert store_constructions(planted) == [
        "cybergov.knowledge.load:5",
        "cybergov.knowledge.load:6",
        "cybergov.knowledge.load:7",
    ]
