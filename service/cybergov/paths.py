"""Where the data folders (ontology, kg, shapes, queries) are.

In a wheel they are copied into ``cybergov/_data/``; in a checkout (including
an editable install) they are the folders at the root of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from cybergov.errors import DataNotFound

_DATA_FOLDERS = ("ontology", "kg", "queries")


@cache
def data_root() -> Path:
    """The folder that holds ``ontology/``, ``kg/``, ``shapes/`` and ``queries/``.

    Raises:
        DataNotFound: neither the wheel's ``_data`` folder nor a checkout was found.
    """
    package = Path(__file__).resolve().parent
    candidates = (package / "_data", package.parent.parent)
    for candidate in candidates:
        if all((candidate / folder).is_dir() for folder in _DATA_FOLDERS):
            return candidate
    tried = ", ".join(str(c) for c in candidates)
    raise DataNotFound(f"the cybergov data folders were not found (looked in {tried})")


def ontology_dir() -> Path:
    return data_root() / "ontology"


def kg_dir() -> Path:
    return data_root() / "kg"


def shapes_dir() -> Path:
    return data_root() / "shapes"


def queries_dir() -> Path:
    return data_root() / "queries"
