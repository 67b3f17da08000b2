"""The research tables: one CSV table per kind of record, read by SPARQL through the query
runner, with a long-form table of the multi-valued columns, a table of the resources they
refer to, a codebook, and a Frictionless Data Package describing them all.

How values are written:

- every record is one row, identified by ``id`` (its IRI shortened with the cybergov
  prefixes, ``incident:notpetya-2017``) and ``iri``; rows are sorted by ``id``;
- a reference to another resource, or to a concept of a concept scheme, is its short id;
  ``entities.csv`` gives the IRI and label of each;
- a multi-valued column holds its values sorted and joined by ``;`` (no short id contains
  one; a ``;`` inside a source address is written ``%3B``); the same values stand one per
  row, whole, in ``<table>-values.csv`` (``id``, ``column``, ``value``, ``value_iri``);
- a date is a day, ``YYYY-MM-DD`` (the graph writes days as midnight ``xsd:dateTime``s);
  a text column holds one value, the English one where there are several;
- blank nodes are not records and are left out of the cells; nothing is a blank node
  in the columns of these tables in the curated graph.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode

from cybergov.errors import ExportError
from cybergov.exchange.codebook import (
    DATAPACKAGE_FILENAME,
    codebook_rows,
    datapackage,
)
from cybergov.exchange.labels import Labels, label_rank
from cybergov.exchange.table_specs import (
    CODEBOOK_FILENAME,
    ENTITIES_FILENAME,
    SEPARATOR,
    TABLES,
    ColumnSpec,
    TableSpec,
    ValueKind,
)
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner
from cybergov.namespaces import CGR, VOCABULARY_PREFIXES, readable, shorten
from cybergov.store.base import Solutions, Term

_RDF_TYPE = f"{VOCABULARY_PREFIXES['rdf']}type"
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_SKOS = VOCABULARY_PREFIXES["skos"]
ZIP_FILENAME = "cybergov-tables.zip"
#: The folder of the tables within the dump folder.
TABLES_FOLDER = "tables"
SUMS_FILENAME = "SHA256SUMS"
VALUES_COLUMNS = ("id", "column", "value", "value_iri")
ENTITY_COLUMNS = ("id", "iri", "label")


@dataclass(slots=True)
class Table:
    """The rows of one table and the long-form rows of its multi-valued columns."""

    spec: TableSpec
    rows: list[dict[str, str]] = field(default_factory=list)
    values: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class TableSet:
    """Every table, the resources they refer to, and the allowed values of each column."""

    tables: list[Table]
    entities: list[tuple[str, str, str]]
    allowed: dict[tuple[str, str], tuple[str, ...]]
    version: str


@dataclass(frozen=True, slots=True)
class TableFile:
    """One file written: its name, path, size and SHA-256."""

    name: str
    path: Path
    size: int
    sha256: str
    media_type: str


def _select(runner: QueryRunner, sparql: str, what: str) -> Solutions:
    answer = runner.select(sparql)
    if answer.truncated:
        raise ExportError(
            f"the {what} have more rows than the query runner returns "
            f"({runner.settings.max_rows:,}); raise CYBERGOV_MAX_ROWS to export them whole"
        )
    return answer


def _records_query(spec: TableSpec) -> str:
    predicates = " ".join(f"<{p}>" for p in (_RDF_TYPE, *spec.predicates))
    return f"""
SELECT ?record ?p ?o WHERE {{
  ?record a <{spec.record_class}> .
  FILTER(isIRI(?record))
  VALUES ?p {{ {predicates} }}
  ?record ?p ?o .
}}
"""


def _classes_query(spec: TableSpec) -> str:
    return f"""
SELECT ?class ?super WHERE {{
  ?class <{_RDFS}subClassOf>* <{spec.record_class}> .
  FILTER(isIRI(?class))
  OPTIONAL {{ ?class <{_RDFS}subClassOf>+ ?super . FILTER(isIRI(?super)) }}
}}
"""


def _schemes_query(schemes: Iterable[str]) -> str:
    values = " ".join(f"<{s}>" for s in sorted(schemes))
    return f"""
SELECT ?scheme ?concept WHERE {{
  VALUES ?scheme {{ {values} }}
  ?concept <{_SKOS}inScheme> ?scheme .
  FILTER(isIRI(?concept))
}}
"""


_LABELS = f"""
SELECT ?entity ?label WHERE {{
  ?entity <{_RDFS}label> ?label .
  FILTER(isIRI(?entity) && STRSTARTS(STR(?entity), "{CGR}"))
}}
"""


class _Classes:
    """The table's class, its subclasses, and the superclasses of each."""

    def __init__(self, rows: Solutions) -> None:
        self.ancestors: dict[str, set[str]] = defaultdict(set)
        for row in rows.as_dicts():
            ancestors = self.ancestors[row["class"].value]
            if "super" in row:
                ancestors.add(row["super"].value)

    def most_specific(self, types: Iterable[str]) -> list[str]:
        known = {t for t in types if t in self.ancestors}
        return sorted(t for t in known if not any(t in self.ancestors[o] for o in known - {t}))


def _cell(values: list[str]) -> str:
    return SEPARATOR.join(sorted(set(values)))


def _text(terms: Iterable[Term]) -> str:
    literals = [t for t in terms if isinstance(t, Literal)]
    if not literals:
        return ""
    return min(literals, key=lambda t: (label_rank(t), t.value)).value


def _date(terms: Iterable[Term]) -> str:
    days = sorted(readable(t)[:10] for t in terms if isinstance(t, Literal))
    return days[0] if days else ""


def _iris(terms: Iterable[Term]) -> list[str]:
    return sorted({t.value for t in terms if isinstance(t, NamedNode)})


def _row(
    spec: TableSpec, iri: str, properties: dict[str, list[Term]], classes: _Classes, table: Table
) -> tuple[dict[str, str], set[str]]:
    """One record's row, its long-form values appended to ``table``; and the IRIs it cites."""
    record_id = shorten(iri)
    row: dict[str, str] = {}
    cited: set[str] = set()
    for column in spec.columns:
        terms = properties.get(column.predicate or "", [])
        if column.kind is ValueKind.ID:
            row[column.name] = record_id
        elif column.kind is ValueKind.IRI:
            row[column.name] = iri
        elif column.kind is ValueKind.TEXT:
            row[column.name] = _text(terms)
        elif column.kind is ValueKind.DATE:
            row[column.name] = _date(terms)
        elif column.kind is ValueKind.CLASS:
            found = classes.most_specific(_iris(properties.get(_RDF_TYPE, [])))
            row[column.name] = _cell([shorten(c) for c in found])
        else:
            iris = _iris(terms)
            if column.kind is ValueKind.URL:
                shown = [i.replace(SEPARATOR, "%3B") for i in iris]
            else:
                shown = [shorten(i) for i in iris]
                cited.update(iris)
            row[column.name] = _cell(shown)
            if column.multiple:
                table.values += [
                    (
                        record_id,
                        column.name,
                        whole if column.kind is ValueKind.URL else short,
                        whole,
                    )
                    for short, whole in zip(shown, iris, strict=True)
                ]
    return row, cited


def read_tables(runner: QueryRunner, *, version: str) -> TableSet:
    """Read every table from the store through ``runner``.

    Raises:
        ExportError: a table has more rows than the runner returns.
        StoreError: the store failed.
    """
    schemes = {c.scheme for s in TABLES for c in s.columns if c.scheme}
    in_scheme: dict[str, set[str]] = defaultdict(set)
    for row in _select(runner, _schemes_query(schemes), "concepts").as_dicts():
        in_scheme[row["scheme"].value].add(shorten(row["concept"].value))
    tables: list[Table] = []
    allowed: dict[tuple[str, str], tuple[str, ...]] = {}
    cited: set[str] = set()
    for spec in TABLES:
        classes = _Classes(_select(runner, _classes_query(spec), f"classes of {spec.name}"))
        for column in spec.columns:
            if column.scheme:
                allowed[(spec.name, column.name)] = tuple(sorted(in_scheme[column.scheme]))
            elif column.kind is ValueKind.CLASS:
                allowed[(spec.name, column.name)] = tuple(sorted(map(shorten, classes.ancestors)))
        records: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
        for subject, predicate, value in _select(runner, _records_query(spec), spec.name).rows:
            if subject is not None and predicate is not None and value is not None:
                records[subject.value][predicate.value].append(value)
        table = Table(spec)
        for iri in sorted(records, key=shorten):
            cells, refs = _row(spec, iri, records[iri], classes, table)
            table.rows.append(cells)
            cited |= refs
        table.values.sort()
        tables.append(table)
    labels = Labels()
    for row in _select(runner, _LABELS, "labels").as_dicts():
        labels.offer(row["entity"], row["label"])
    entities = sorted((shorten(i), i, labels.get(i) or "") for i in cited)
    return TableSet(tables, entities, allowed, version)


def _csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def table_documents(tables: TableSet, *, created: str | None = None) -> dict[str, bytes]:
    """Every file of the tables, by name, in the order they are listed: the tables, their
    long-form values, the entities, the codebook, then ``datapackage.json``."""
    documents: dict[str, bytes] = {}
    for table in tables.tables:
        names = [c.name for c in table.spec.columns]
        documents[table.spec.filename] = _csv(names, ([r[n] for n in names] for r in table.rows))
        documents[table.spec.values_filename] = _csv(VALUES_COLUMNS, table.values)
    documents[ENTITIES_FILENAME] = _csv(ENTITY_COLUMNS, tables.entities)
    codebook = codebook_rows(tables.allowed)
    documents[CODEBOOK_FILENAME] = _csv(list(codebook[0]), (list(r.values()) for r in codebook))
    package = datapackage(documents, tables.allowed, version=tables.version, created=created)
    documents[DATAPACKAGE_FILENAME] = (json.dumps(package, indent=2) + "\n").encode()
    return documents


def _zip(documents: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, body in documents.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, body)
    return buffer.getvalue()


def _media_type(name: str) -> str:
    if name.endswith(".csv"):
        return "text/csv"
    if name.endswith(".json"):
        return "application/json"
    if name.endswith(".zip"):
        return "application/zip"
    return "text/plain"


def write_tables(tables: TableSet, folder: Path, *, created: str | None = None) -> list[TableFile]:
    """Write every file of the tables into ``folder`` (created), with a zip of them all and
    their checksums (``SHA256SUMS``); return what was written.

    Raises:
        ExportError: the files could not be written.
    """
    documents = table_documents(tables, created=created)
    documents[ZIP_FILENAME] = _zip(documents)
    sums = "".join(f"{hashlib.sha256(b).hexdigest()}  {n}\n" for n, b in documents.items())
    documents[SUMS_FILENAME] = sums.encode()
    written: list[TableFile] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in documents.items():
            path = folder / name
            path.write_bytes(body)
            digest = hashlib.sha256(body).hexdigest()
            written.append(TableFile(name, path, len(body), digest, _media_type(name)))
    except OSError as error:
        raise ExportError(f"cannot write the tables into {folder}: {error}") from error
    return written


def read_written(folder: Path) -> list[TableFile]:
    """The files of tables written into ``folder``, from its ``SHA256SUMS``.

    Raises:
        OSError: the folder holds no complete set of tables.
    """
    files: list[TableFile] = []
    for line in (folder / SUMS_FILENAME).read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        path = folder / name
        files.append(TableFile(name, path, path.stat().st_size, digest, _media_type(name)))
    sums = folder / SUMS_FILENAME
    files.append(
        TableFile(
            SUMS_FILENAME,
            sums,
            sums.stat().st_size,
            hashlib.sha256(sums.read_bytes()).hexdigest(),
            "text/plain",
        )
    )
    return files


class Tables:
    """The tables of one store, written into ``folder`` once per graph version.

    Processes sharing the folder agree on one set of files per version: each writes into
    a folder of its own and the first to move it into place wins.
    """

    def __init__(self, runner: QueryRunner, folder: Path) -> None:
        self.runner = runner
        self.folder = folder

    def get(self) -> tuple[str, list[TableFile]]:
        """The current graph version and its table files, written if needed.

        Raises:
            ExportError: the files could not be written.
            StoreError: the store failed.
        """
        version = graph_version(self.runner.store)
        target = self.folder / version[:16]
        try:
            return version, read_written(target)
        except OSError:
            pass
        work = self.folder / f"{version[:16]}-{uuid.uuid4().hex}"
        write_tables(read_tables(self.runner, version=version), work)
        try:
            os.rename(work, target)
        except OSError:
            shutil.rmtree(work, ignore_errors=True)  # another process was first
        else:
            self._forget_old_versions(target)
        try:
            return version, read_written(target)
        except OSError as error:
            raise ExportError(f"the tables in {target} cannot be read: {error}") from error

    def _forget_old_versions(self, current: Path) -> None:
        stale = sorted(
            (p for p in self.folder.iterdir() if p.is_dir() and p != current and "-" not in p.name),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
        for folder in stale[1:]:
            shutil.rmtree(folder, ignore_errors=True)

    def file(self, name: str) -> tuple[str, TableFile]:
        """One file of the current tables.

        Raises:
            KeyError: no file of the tables has that name.
        """
        version, files = self.get()
        for candidate in files:
            if candidate.name == name:
                return version, candidate
        raise KeyError(name)


__all__ = [
    "SUMS_FILENAME",
    "TABLES_FOLDER",
    "ZIP_FILENAME",
    "ColumnSpec",
    "Table",
    "TableFile",
    "TableSet",
    "Tables",
    "read_tables",
    "table_documents",
    "write_tables",
]
