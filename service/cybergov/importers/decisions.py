"""Reviewers' decisions on matches, kept in a small curated file that survives re-imports.

``kg/import-decisions.yaml`` (YAML, not a graph: it is read by the importers, not loaded)
lists verdicts on records of a source:

.. code-block:: yaml

    decisions:
      - source: cfr
        record: "Compromise of the Democratic National Committee"
        curated: incident:dnc-hack-2016
        verdict: same        # match it, whatever the score
      - source: misp
        record: "Sofacy"
        curated: group:apt28
        verdict: different   # never match these two

``record`` is the tracker's title of the row (or the group's name); ``curated`` the curated
incident or group, written in full or with a cybergov prefix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from cybergov.errors import DataError
from cybergov.namespaces import PREFIXES
from cybergov.settings import data_folder

SAME = "same"
DIFFERENT = "different"
FILE_NAME = "import-decisions.yaml"


@dataclass(frozen=True, slots=True)
class Decisions:
    """Verdicts by (source, record title folded to lower case)."""

    same: dict[tuple[str, str], str] = field(default_factory=dict)
    different: frozenset[tuple[str, str, str]] = frozenset()
    checksum: str = ""

    def decided_same(self, source: str, record: str) -> str | None:
        return self.same.get((source, record.casefold()))

    def decided_different(self, source: str, record: str, curated: str) -> bool:
        return (source, record.casefold(), curated) in self.different


def _expand(value: str) -> str:
    prefix, _, local = value.partition(":")
    if prefix in PREFIXES and not local.startswith("//"):
        return f"{PREFIXES[prefix]}{local}"
    return value


def default_path(root: Path | None = None) -> Path:
    """The reviewers' decisions of the data folders at ``root`` (the bundled ones by default)."""
    return data_folder("kg", root) / FILE_NAME


def read_decisions(path: Path | None = None) -> Decisions:
    """The decisions of ``path`` (the bundled file by default); none when it does not exist.

    Raises:
        DataError: the file is not a list of decisions as documented.
    """
    path = path or default_path()
    if not path.is_file():
        return Decisions()
    data = path.read_bytes()
    try:
        content = yaml.safe_load(data) or {}
    except yaml.YAMLError as error:
        raise DataError(f"{path}: not YAML: {error}") from error
    entries = content.get("decisions") if isinstance(content, dict) else None
    if not isinstance(entries, list):
        raise DataError(f"{path}: expected a mapping with a list under 'decisions'")
    same: dict[tuple[str, str], str] = {}
    different: set[tuple[str, str, str]] = set()
    for number, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), str) for k in ("source", "record", "curated", "verdict")
        ):
            raise DataError(
                f"{path}: decision {number} needs the strings source, record, curated, verdict"
            )
        key = (entry["source"], entry["record"].casefold())
        curated = _expand(entry["curated"])
        if entry["verdict"] == SAME:
            same[key] = curated
        elif entry["verdict"] == DIFFERENT:
            different.add((*key, curated))
        else:
            raise DataError(f"{path}: decision {number}: verdict is 'same' or 'different'")
    return Decisions(same, frozenset(different), hashlib.sha256(data).hexdigest())


__all__ = ["DIFFERENT", "SAME", "Decisions", "default_path", "read_decisions"]
