"""The rows of a CFR export are read from ``csv.reader`` as ``csv.DictReader`` reads them:
the same line numbers, values and errors, on blank lines, short and long rows, columns
named twice, quoted line breaks and fields too long to read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from cybergov.errors import ImportInputError
from cybergov.importers.cfr import COLUMNS, _rows

HEADER = ",".join(COLUMNS)
ROW = "Op,2020-01-02,,Text,,Ukraine,China,Espionage,Government,https://example.org/a,,"


def reference_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """``_rows`` as written first: a ``csv.DictReader`` with the columns kept."""
    content = path.read_bytes().decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportInputError(
            f"{path}: not a CFR tracker export; missing columns: {', '.join(missing)}"
        )
    try:
        for row in reader:
            yield reader.line_num, {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
    except csv.Error as error:
        raise ImportInputError(f"{path}, line {reader.line_num}: {error}") from error


def outcome(read: object, path: Path) -> object:
    """The rows ``read`` gives, or the error it raises (with the rows before it)."""
    found: list[object] = []
    try:
        for number, row in read(path):  # type: ignore[operator]
            found.append((number, row))
    except ImportInputError as error:
        found.append(str(error))
    return found


TEXTS = [
    f"{HEADER}\n{ROW}\n",
    f"\ufeff{HEADER}\r\n{ROW}\r\n{ROW}\r\n",
    f"{HEADER}\n\n\n{ROW}\n\n{ROW}\n\n\n",
    f"{HEADER}\n{ROW}\n\n",
    f"{HEADER}\nOnly a title\n{ROW},extra,values\n",
    f"{HEADER},Title\n{ROW},Second title\nShort\n",
    f"Title,{HEADER}\nFirst,{ROW}\n",
    f'{HEADER}\n"Quoted\nover lines",2020-01-02,,"Text\n\nmore",,,,,,,,\n{ROW}\n',
    f"{HEADER},Extra\n {ROW.replace(',', ' , ')} ,  x  \n",
    f'{HEADER}\n{ROW}\n"{"x" * (csv.field_size_limit() + 1)}",\n{ROW}\n',
    f'{HEADER}\n\n"{"x" * (csv.field_size_limit() + 1)}",\n',
    f"{HEADER}\n",
    f"{HEADER}",
    "",
    "\n",
    "Title,Date\nA,2020\n",
]


@pytest.mark.parametrize("text", TEXTS)
def test_the_rows_are_those_a_dict_reader_reads(tmp_path: Path, text: str) -> None:
    path = tmp_path / "export.csv"
    path.write_text(text, encoding="utf-8")
    assert outcome(_rows, path) == outcome(reference_rows, path)
