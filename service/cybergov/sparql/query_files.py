"""The ``#+`` headers of query files, parsed strictly.

A query file stays valid SPARQL: its metadata is a YAML block written as
comment lines that start with ``#+`` at the top of the file. A header that is
missing, is not YAML, lacks a required key or has an unknown one is an error
that names the file and the line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from cybergov.errors import HeaderError

_MARK = "#+"


@dataclass(frozen=True, slots=True)
class QueryFile:
    """A query file: its name (the file name without ``.rq``), header and SPARQL text."""

    name: str
    path: Path
    header: dict[str, Any]
    sparql: str

    @property
    def summary(self) -> str:
        return str(self.header.get("summary", ""))

    @property
    def description(self) -> str:
        return " ".join(str(self.header.get("description", "")).split())


def split_header(text: str, source: str) -> tuple[str, str]:
    """Split a query file into its YAML header text and its SPARQL text.

    Raises:
        HeaderError: the file does not start with a ``#+`` header.
    """
    lines = text.splitlines(keepends=True)
    header_lines: list[str] = []
    for line in lines:
        if not line.startswith(_MARK):
            break
        header_lines.append(line[len(_MARK) :].removeprefix(" "))
    if not header_lines:
        raise HeaderError(f"{source}, line 1: a query file must start with a '#+' header")
    return "".join(header_lines), "".join(lines[len(header_lines) :])


def read_query_file(path: Path, *, required: frozenset[str], allowed: frozenset[str]) -> QueryFile:
    """Read and check one query file.

    Raises:
        HeaderError: the header is missing, is not a YAML mapping, lacks a
            required key or has a key that is not allowed.
    """
    source = str(path)
    header_text, sparql = split_header(path.read_text(encoding="utf-8"), source)
    try:
        header = yaml.safe_load(header_text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        raise HeaderError(f"{source}{where}: the '#+' header is not valid YAML: {error}") from error
    if not isinstance(header, dict):
        raise HeaderError(f"{source}, line 1: the '#+' header must be a YAML mapping of keys")
    missing = sorted(required - header.keys())
    if missing:
        raise HeaderError(f"{source}: the '#+' header lacks {', '.join(missing)}")
    unknown = sorted(set(header) - allowed)
    if unknown:
        raise HeaderError(
            f"{source}: the '#+' header has unknown keys {', '.join(unknown)}; "
            f"allowed are {', '.join(sorted(allowed))}"
        )
    for key in ("summary", "description"):
        if key in header and not (isinstance(header[key], str) and header[key].strip()):
            raise HeaderError(f"{source}: the '#+' header's {key} must be non-empty text")
    if not sparql.strip():
        raise HeaderError(f"{source}: the file has a header but no SPARQL")
    return QueryFile(name=path.stem, path=path, header=header, sparql=sparql)


def read_query_folder(
    folder: Path, *, required: frozenset[str], allowed: frozenset[str], suffix: str = ".rq"
) -> list[QueryFile]:
    """Every query file of a folder, sorted by name, each checked as :func:`read_query_file`."""
    return [
        read_query_file(path, required=required, allowed=allowed)
        for path in sorted(folder.glob(f"*{suffix}"))
    ]
