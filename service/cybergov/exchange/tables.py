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
  row, whole, in ``<table>-values.csv`` (``id``, ``column``, ``value``, and ``value_iri``,
  the IRI of a short id, empty where the value is a web address written whole);
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
from bisect import bisect_right
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from itertools import accumulate, compress, count, repeat
from operator import add, getitem
from pathlib import Path

from cybergov.errors import ExportError
from cybergov.exchange.codebook import (
    DATAPACKAGE_FILENAME,
    codebook_rows,
    datapackage,
)
from cybergov.exchange.collection import paused_collection
from cybergov.exchange.table_specs import (
    CODEBOOK_FILENAME,
    ENTITIES_FILENAME,
    SEPARATOR,
    TABLES,
    ColumnSpec,
    TableSpec,
    ValueKind,
)
from cybergov.exchange.tsv import literal, literal_text, read_tsv, tsv_columns
from cybergov.exchange.version import graph_version
from cybergov.execution import QueryRunner
from cybergov.namespaces import CGR, VOCABULARY_PREFIXES, shorten, shortened
from cybergov.store.base import Solutions

_RDF_TYPE = f"{VOCABULARY_PREFIXES['rdf']}type"
_TYPE_TOKEN = f"<{_RDF_TYPE}>"
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_SKOS = VOCABULARY_PREFIXES["skos"]
ZIP_FILENAME = "cybergov-tables.zip"
#: The folder of the tables within the dump folder.
TABLES_FOLDER = "tables"
SUMS_FILENAME = "SHA256SUMS"
VALUES_COLUMNS = ("id", "column", "value", "value_iri")
#: What the cells of a long-form row are joined by in :attr:`Table.values`: the least
#: character, which no IRI holds.
CELLS = "\0"
#: Deflate level of the zip: fast; the tables compress well even so.
_ZIP_LEVEL = 1
ENTITY_COLUMNS = ("id", "iri", "label")


@dataclass(slots=True)
class Table:
    """The rows of one table and the long-form rows of its multi-valued columns."""

    spec: TableSpec
    columns: list[list[str]] = field(default_factory=list)
    """The cells of each column (in the order of the table's columns), one a row."""
    values: list[str] = field(default_factory=list)
    """The long-form rows, sorted, each its four cells (:data:`VALUES_COLUMNS`) joined by
    :data:`CELLS`: no cell holds one (they are short ids, IRIs and column names), so that
    sorting the strings sorts the rows."""

    @property
    def rows(self) -> list[tuple[str, ...]]:
        """Each row's cells, in the order of the table's columns."""
        return list(zip(*self.columns, strict=True))


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
        raise _too_many(runner, what)
    return answer


def _too_many(runner: QueryRunner, what: str) -> ExportError:
    return ExportError(
        f"the {what} have more rows than the query runner returns "
        f"({runner.settings.max_rows:,}); raise CYBERGOV_MAX_ROWS to export them whole"
    )


def _members_query(record_class: str) -> str:
    """The resources of one of the tables' classes (a table's class or one of its
    subclasses: the inferred superclasses are never a row's type). Blank nodes are among
    them: the engine would test every subject for one, and they are rare, so they are left
    out once read (:func:`_named`)."""
    return f"SELECT ?s WHERE {{ ?s <{_RDF_TYPE}> <{record_class}> . }}"


def _named(subjects: list[str]) -> list[str]:
    """The IRIs among the terms of an answer's column, leaving out its blank nodes."""
    if "\n_:" not in "\n" + "\n".join(subjects):  # a term holds no line break
        return subjects
    return [subject for subject in subjects if subject.startswith("<")]


def _statements_query(predicate: str) -> str:
    """Every statement of one predicate, whatever its subject: read by predicate, which the
    engine answers from its index at a fraction of the cost of each record's statements,
    and one predicate a query, so that the answer is only subjects and terms. The
    statements of blank nodes are in the answer (testing every subject costs the engine
    more than reading them): no record is one, so their terms are never put in a cell."""
    return f"SELECT ?s ?o WHERE {{ ?s <{predicate}> ?o . }}"


#: The predicates read first, the most said (the rest in order): their answers are the
#: largest, and the query workers answer the others while they are read.
_FIRST = (
    f"{VOCABULARY_PREFIXES['dct']}source",
    f"{_RDFS}label",
    f"{VOCABULARY_PREFIXES['dct']}description",
)
_LABEL_TOKEN = f"<{_RDFS}label>"


def _in_order(predicates: Iterable[str]) -> list[str]:
    read = sorted(predicates)
    return [p for p in _FIRST if p in read] + [p for p in read if p not in _FIRST]


def _classes_query(specs: Iterable[TableSpec]) -> str:
    """The class of each table (``?table``), its subclasses, and their superclasses."""
    values = " ".join(sorted(f"<{spec.record_class}>" for spec in specs))
    return f"""
SELECT ?table ?class ?super WHERE {{
  VALUES ?table {{ {values} }}
  ?class <{_RDFS}subClassOf>* ?table .
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


class _Classes:
    """The table's class, its subclasses, and the superclasses of each."""

    def __init__(self) -> None:
        self.ancestors: dict[str, set[str]] = defaultdict(set)

    @staticmethod
    def of_tables(rows: Solutions) -> dict[str, _Classes]:
        """The classes of each table's class (by IRI), from the answer of
        :func:`_classes_query`."""
        classes: dict[str, _Classes] = defaultdict(_Classes)
        for row in rows.as_dicts():
            ancestors = classes[row["table"].value].ancestors[row["class"].value]
            if "super" in row:
                ancestors.add(row["super"].value)
        return classes

    def most_specific(self, types: Iterable[str]) -> list[str]:
        known = {t for t in types if t in self.ancestors}
        return sorted(t for t in known if not any(t in self.ancestors[o] for o in known - {t}))


def _text(tokens: Iterable[str]) -> str:
    """One text among literals: the English one first, then one without a language."""
    if isinstance(tokens, list) and len(tokens) == 1:
        return literal_text(tokens[0])
    best: tuple[int, str] | None = None
    for token in tokens:
        found = literal(token)
        if found is None:
            continue
        text, language = found
        english = language == "en" or (language or "").startswith("en-")
        rank = 0 if english else 1 if language is None else 2
        if best is None or (rank, text) < best:
            best = (rank, text)
    return best[1] if best else ""


def _date(tokens: Iterable[str]) -> str:
    if isinstance(tokens, list) and len(tokens) == 1:
        found = literal(tokens[0])
        return found[0][:10] if found else ""
    days = sorted(lit[0][:10] for lit in map(literal, tokens) if lit is not None)
    return days[0] if days else ""


def _multi(tokens: list[str]) -> list[str]:
    """The IRIs among terms in N-Triples form, each once, sorted."""
    if len(tokens) == 1:
        token = tokens[0]
        return [token[1:-1]] if token[0] == "<" else []
    return sorted({t[1:-1] for t in tokens if t.startswith("<")})


class _Short(dict[str, str]):
    """Short ids, each IRI shortened once (many records cite the same resources)."""

    def __missing__(self, iri: str) -> str:
        short = self[iri] = shorten(iri)
        return short


class _Cells(dict[str | None, str]):
    """The cell of each term (``None``: no term), each made once: the cells of one kind of
    column (the same states, concepts and days stand in many rows)."""

    def __init__(self, make: Callable[[str], str]) -> None:
        super().__init__({None: ""})
        self.make = make

    def __missing__(self, token: str) -> str:
        cell = self[token] = self.make(token)
        return cell


class _Values:
    """The terms of one predicate: one for each subject (by ``<iri>``), and every one of the
    subjects that have more than one."""

    __slots__ = ("one", "several")

    def __init__(self, subjects: list[str], terms: list[str]) -> None:
        self.one = dict(zip(subjects, terms, strict=True))
        self.several: dict[str, list[str]] = {}
        if len(self.one) < len(subjects):
            every: dict[str, list[str]] = defaultdict(list)
            for subject, term in zip(subjects, terms, strict=True):
                every[subject].append(term)
            self.several = {s: found for s, found in every.items() if len(found) > 1}

    def of(self, subject: str) -> list[str]:
        """Every term of ``subject``."""
        found = self.several.get(subject)
        if found is not None:
            return found
        one = self.one.get(subject)
        return [] if one is None else [one]


@dataclass(slots=True)
class _Terms:
    """The terms of one predicate said of the records of every table, by their place (see
    :class:`_Places`): one for each record (``None``: none), and every one of the records
    that have more than one."""

    one: list[str | None]
    several: dict[int, list[str]]


class _Places:
    """The place of each record among the records of every table, the tables one after
    the other: a predicate's terms are put in place by that of their subject, with no table
    of subjects made per predicate."""

    def __init__(self, tables: list[_Members]) -> None:
        self.count = sum(len(members.tokens) for members in tables)
        self.first: dict[str, int] = {}
        """The place of each record (by ``<iri>``), in the first of its tables."""
        self.also: dict[str, list[int]] = defaultdict(list)
        """The other places of the records of several tables."""
        start = 0
        for members in tables:
            members.start = start
            for place, token in enumerate(members.tokens, start):
                if self.first.setdefault(token, place) != place:
                    self.also[token].append(place)
            start += len(members.tokens)

    def terms(self, subjects: list[str], terms: list[str]) -> _Terms:
        """The terms of records among ``terms``, each of the subject in the same place of
        ``subjects``."""
        nowhere = self.count  # the place of the subjects that are not records
        places = list(map(self.first.get, subjects, repeat(nowhere)))
        if self.also:
            more: list[tuple[int, str]] = []
            for subject, term in compress(
                zip(subjects, terms, strict=True), map(self.also.__contains__, subjects)
            ):
                more += [(place, term) for place in self.also[subject]]
            places += [place for place, _ in more]
            terms = terms + [term for _, term in more]
        one: list[str | None] = [None] * (nowhere + 1)
        deque(map(one.__setitem__, places, terms), maxlen=0)
        one[nowhere] = None
        several: dict[int, list[str]] = {}
        if len(places) - places.count(nowhere) > nowhere + 1 - one.count(None):
            # fewer records have a term than there are terms of records
            counts = Counter(places)
            del counts[nowhere]
            many = {place for place, count in counts.items() if count > 1}
            every: dict[int, list[str]] = defaultdict(list)
            for place, term in compress(
                zip(places, terms, strict=True), map(many.__contains__, places)
            ):
                every[place].append(term)
            several = dict(every)
        return _Terms(one, several)


def _all_begin(terms: list[str | None], first: str) -> tuple[list[str], str] | None:
    """The terms (none: ``""``) and their text, one a line, where every term begins with
    ``first``; ``None`` otherwise."""
    present = ["" if term is None else term for term in terms]
    text = "\n".join(present)  # a term holds no line break
    begun = text.count(f"\n{first}") + text.startswith(first)
    return (present, text) if begun == len(present) - present.count("") else None


def _texts(terms: list[str | None]) -> list[str] | None:
    """The text of each literal of ``terms`` (none: ``""``), read all at once where each is
    quoted and none holds an escape, which is the rule; ``None`` otherwise."""
    found = _all_begin(terms, '"')
    if found is None or "\\" in found[1]:
        return None
    ends = map(str.rfind, found[0], repeat('"'))
    return list(map(getitem, found[0], map(slice, repeat(1), ends)))


def _addresses(terms: list[str | None]) -> list[str] | None:
    """The IRI of each term of ``terms`` (none: ``""``), read all at once where each is an
    IRI, which is the rule; ``None`` otherwise."""
    found = _all_begin(terms, "<")
    return None if found is None else list(map(getitem, found[0], repeat(slice(1, -1))))


def _one_day(token: str) -> str:
    return literal_text(token)[:10]


def _one_address(token: str) -> str:
    return token[1:-1].replace(SEPARATOR, "%3B") if token[0] == "<" else ""


def _address_tail(token: str) -> str:
    """The end of the long-form row of a web address: written whole, with no IRI."""
    return f"{token[1:-1]}{CELLS}" if token[0] == "<" else ""


def _long_form(
    ids: list[str], column: str, present: list[str], tails: Iterable[str]
) -> Iterator[str]:
    """The long-form rows of a column: each record's (of ``ids``) whose cell in ``present``
    is not empty, its short id and the column's name joined to its row's end (``tails``,
    one for each such record), made for those records only."""
    heads = map(add, compress(ids, present), repeat(f"{CELLS}{column}{CELLS}"))
    return map(add, heads, tails)


@dataclass(slots=True)
class _Members:
    """The records of one table, sorted by short id, and the columns made so far."""

    tokens: list[str]
    """Each record's IRI as written (``<iri>``)."""
    iris: list[str]
    ids: list[str]
    start: int = 0
    """The place of the first record among the records of every table (see
    :class:`_Terms`)."""
    columns: dict[str, list[str]] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)


class _Reader:
    """Makes the tables' columns from the terms of their predicates, column by column, as
    each predicate's terms come: the cell of a record with one term is the cell of that
    term (made once per term, see :class:`_Cells`); a record with several is made on its
    own."""

    def __init__(self, of_class: dict[str, list[str]]) -> None:
        self.of_class = of_class
        self.short = _Short()
        self.references = _Cells(self._reference)
        self.cells = {
            ValueKind.TEXT: _Cells(literal_text),
            ValueKind.DATE: _Cells(_one_day),
            ValueKind.URL: _Cells(_one_address),
            ValueKind.REFERENCE: self.references,
            ValueKind.CONCEPT: self.references,
        }
        #: The end of a long-form row of each term (``""``: no row), by kind of column.
        self.tails = {
            ValueKind.URL: _Cells(_address_tail),
            ValueKind.REFERENCE: _Cells(self._reference_tail),
        }
        self.tails[ValueKind.CONCEPT] = self.tails[ValueKind.REFERENCE]
        self.members = {spec.name: self._members(spec) for spec in TABLES}
        self.places = _Places(list(self.members.values()))
        self.columns: dict[str, list[tuple[_Members, ColumnSpec]]] = defaultdict(list)
        for spec in TABLES:
            for column in spec.columns:
                if column.predicate:
                    self.columns[f"<{column.predicate}>"].append((self.members[spec.name], column))

    def _members(self, spec: TableSpec) -> _Members:
        found = {token[1:-1]: token for token in self.of_class.get(f"<{spec.record_class}>", [])}
        every = list(found)
        shown = shortened(every)
        self.short.update(zip(every, shown, strict=True))
        order = sorted(range(len(shown)), key=shown.__getitem__)
        iris = list(map(every.__getitem__, order))
        tokens = list(map(found.__getitem__, iris))
        return _Members(tokens, iris, list(map(shown.__getitem__, order)))

    def _reference(self, token: str) -> str:
        return self.short[token[1:-1]] if token[0] == "<" else ""

    def _reference_tail(self, token: str) -> str:
        return f"{self.short[token[1:-1]]}{CELLS}{token[1:-1]}" if token[0] == "<" else ""

    def cited(self) -> list[str]:
        """Every reference and concept of the tables' cells that is an IRI, as written
        (``<iri>``), each once."""
        return [token for token in self.references if token and token[0] == "<"]

    def add(self, predicate: str, subjects: list[str], terms: list[str]) -> None:
        """Make the columns of the terms of ``predicate`` (``<iri>``), each of the subject
        in the same place of ``subjects``."""
        columns = self.columns.get(predicate)
        if columns:
            found = self.places.terms(subjects, terms)
            for members, column in columns:
                members.columns[column.name] = self._cells(column, members, found)

    def table(self, spec: TableSpec, classes: _Classes) -> Table:
        """The rows of one table: one per resource of its class, sorted by short id."""
        members = self.members[spec.name]
        table = Table(spec, values=members.values)
        for column in spec.columns:
            if column.kind is ValueKind.ID:
                cells = members.ids
            elif column.kind is ValueKind.IRI:
                cells = members.iris
            elif column.kind is ValueKind.CLASS:
                cells = self._types(spec, classes, members.tokens)
            else:
                cells = members.columns.get(column.name) or [""] * len(members.tokens)
            table.columns.append(cells)
        table.values.sort()
        return table

    def _types(self, spec: TableSpec, classes: _Classes, members: list[str]) -> list[str]:
        """The most specific classes of each record among the table's class and its
        subclasses."""
        record_class = f"<{spec.record_class}>"
        types: dict[str, list[str]] = {}
        for kind in sorted(classes.ancestors):
            token = f"<{kind}>"
            if token != record_class:
                for member in self.of_class.get(token, ()):
                    types.setdefault(member, [spec.record_class]).append(kind)
        made: dict[tuple[str, ...], str] = {}
        for found in types.values():
            key = tuple(sorted(set(found)))
            if key not in made:
                made[key] = self._class_cell(classes, key)
        plain = self._class_cell(classes, (spec.record_class,))
        return [
            plain if found is None else made[tuple(sorted(set(found)))]
            for found in map(types.get, members)
        ]

    def _class_cell(self, classes: _Classes, types: tuple[str, ...]) -> str:
        return SEPARATOR.join([self.short[c] for c in classes.most_specific(types)])

    def _cells(self, column: ColumnSpec, members: _Members, found: _Terms) -> list[str]:
        start, end = members.start, members.start + len(members.tokens)
        terms = found.one[start:end]
        several = [(at - start, every) for at, every in found.several.items() if start <= at < end]
        for index, _ in several:
            terms[index] = None
        ids, kind = members.ids, column.kind
        texts = _texts(terms) if kind is ValueKind.TEXT else None
        addresses = _addresses(terms) if kind is ValueKind.URL else None
        if texts is not None:
            cells = texts
        elif addresses is not None:
            cells = list(map(str.replace, addresses, repeat(SEPARATOR), repeat("%3B")))
            if column.multiple:
                tails = map(add, filter(None, addresses), repeat(CELLS))
                members.values += _long_form(ids, column.name, addresses, tails)
        else:
            cells = list(map(self.cells[kind].__getitem__, terms))
            if column.multiple:
                # the tail (value and IRI) made once per term
                made = list(map(self.tails[kind].__getitem__, terms))
                members.values += _long_form(ids, column.name, made, filter(None, made))
        if column.kind in (ValueKind.REFERENCE, ValueKind.CONCEPT):
            self._several_references(column, members, several, cells)
        else:
            for index, tokens in several:
                cells[index] = self._several(column, ids[index], tokens, members.values)
        return cells

    def _several_references(
        self,
        column: ColumnSpec,
        members: _Members,
        several: list[tuple[int, list[str]]],
        cells: list[str],
    ) -> None:
        """The cells (and long-form rows) of the records with several references: each
        reference once, as its short id, sorted (the long-form rows are sorted with the
        table's); what is not an IRI has none (``""``, first once sorted) and is left out."""
        short, tails = self.references.__getitem__, self.tails[column.kind].__getitem__
        ids, values, name = members.ids, members.values, f"{CELLS}{column.name}{CELLS}"
        for index, tokens in several:
            found = set(tokens)
            shown = sorted(map(short, found))
            cells[index] = SEPARATOR.join(shown if shown[0] else [s for s in shown if s])
            if column.multiple:
                head = ids[index] + name
                values += [head + tail for tail in map(tails, found) if tail]

    def _several(
        self,
        column: ColumnSpec,
        record: str,
        tokens: list[str],
        values: list[str],
    ) -> str:
        """The cell of a record with several texts, dates or web addresses (and their
        long-form rows)."""
        kind = column.kind
        if kind is ValueKind.TEXT:
            return _text(tokens)
        if kind is ValueKind.DATE:
            return _date(tokens)
        iris = _multi(tokens)
        if column.multiple:
            values += [f"{record}{CELLS}{column.name}{CELLS}{i}{CELLS}" for i in iris]
        return SEPARATOR.join([i.replace(SEPARATOR, "%3B") for i in iris])


def read_tables(runner: QueryRunner, *, version: str) -> TableSet:
    """Read every table from the store through ``runner``.

    Raises:
        ExportError: an answer was cut.
        StoreError: the store failed.
    """
    with paused_collection():
        return _read_tables(runner, version)


def _read_tables(runner: QueryRunner, version: str) -> TableSet:
    schemes = {c.scheme for s in TABLES for c in s.columns if c.scheme}
    predicates = _in_order({p for spec in TABLES for p in spec.predicates if p != _RDF_TYPE})
    # as many queries at once as the runner has workers, answered in the order sent: the
    # concepts and the classes (small), the types, then the statements, the most said
    # first; each answer read as soon as it comes
    readers = max(2, runner.settings.query_workers)
    with ThreadPoolExecutor(max_workers=readers, thread_name_prefix="tables") as pool:
        concepts = pool.submit(_select, runner, _schemes_query(schemes), "concepts")
        of_table = _Classes.of_tables(_select(runner, _classes_query(TABLES), "classes"))
        classes_of = {spec.name: of_table[spec.record_class] for spec in TABLES}
        every_class = {c for classes in classes_of.values() for c in classes.ancestors}
        types = {
            f"<{kind}>": pool.submit(read_tsv, runner, _members_query(kind), "types")
            for kind in sorted(every_class)
        }
        statements = {
            pool.submit(read_tsv, runner, _statements_query(predicate), "statements"): predicate
            for predicate in predicates
        }
        # the types come first: each table's columns are made as their terms come
        reader = _Reader(
            {
                kind: _named(tsv_columns(answer.result(), "types", ("s",))[0])
                for kind, answer in types.items()
            }
        )
        labels = _Values([], [])
        for answer in as_completed(statements):
            subjects, terms = tsv_columns(answer.result(), "statements", ("s", "o"))
            predicate = f"<{statements[answer]}>"
            reader.add(predicate, subjects, terms)
            if predicate == _LABEL_TOKEN:
                labels = _Values(subjects, terms)
        in_scheme: dict[str, set[str]] = defaultdict(set)
        for concept in concepts.result().as_dicts():
            in_scheme[concept["scheme"].value].add(shorten(concept["concept"].value))
    tables = [reader.table(spec, classes_of[spec.name]) for spec in TABLES]
    allowed: dict[tuple[str, str], tuple[str, ...]] = {}
    for spec in TABLES:
        for column in spec.columns:
            if column.scheme:
                allowed[(spec.name, column.name)] = tuple(sorted(in_scheme[column.scheme]))
            elif column.kind is ValueKind.CLASS:
                ancestors = classes_of[spec.name].ancestors
                allowed[(spec.name, column.name)] = tuple(sorted(map(shorten, ancestors)))
    return TableSet(tables, _entities(reader, labels), allowed, version)


def _entities(reader: _Reader, labels: _Values) -> list[tuple[str, str, str]]:
    """The short id, IRI and label (of a cybergov resource only) of every resource the cells
    cite, sorted: the labels read all at once where each is one plain literal (see
    :func:`_texts`), else one at a time."""
    tokens = reader.cited()
    ours = f"<{CGR}"
    found = [labels.one.get(token) if token.startswith(ours) else None for token in tokens]
    texts = _texts(found)
    if texts is None:
        texts = [literal_text(term) if term else "" for term in found]
    several = labels.several
    for index in compress(count(), map(several.__contains__, tokens)):
        if tokens[index].startswith(ours):
            texts[index] = _text(several[tokens[index]])
    iris = [token[1:-1] for token in tokens]
    return sorted(zip(map(reader.short.__getitem__, iris), iris, texts, strict=True))


class _CsvCells:
    """Cells as the ``csv`` module writes them (the default dialect, lines ending in ``\\n``),
    a column at a time: a cell with none of the characters that may be quoted is written as
    it is, and the module itself writes the few others."""

    def __init__(self) -> None:
        self.buffer = io.StringIO(newline="")
        self.writer = csv.writer(self.buffer, lineterminator="\n")

    def quoted(self, cell: str) -> str:
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow((cell, ""))  # two cells: one empty cell alone is written ""
        return self.buffer.getvalue()[: -len(",\n")]

    def row(self, cells: Sequence[str]) -> str:
        """One row of several cells as written, without its line break."""
        self.buffer.seek(0)
        self.buffer.truncate()
        self.writer.writerow(cells)
        return self.buffer.getvalue()[:-1]

    def column(self, cells: Sequence[str]) -> Sequence[str]:
        """The cells of one column as written: the characters that may be quoted are looked
        for in the column's text, and only the cells that hold them are written again."""
        text = "".join(cells)
        found = [c for c in _QUOTABLE if c in text]
        if not found:
            return cells
        if sum(map(text.count, found)) > len(cells) // _FEW and CELLS not in text:
            # many cells to quote (a column of free text): the module writes them all
            return _by_module(cells)
        ends = list(accumulate(map(len, cells)))
        written = list(cells)
        at = sorted({bisect_right(ends, at) for c in found for at in _positions(text, c)})
        for index, cell in zip(at, self.quoted_all([cells[i] for i in at]), strict=True):
            written[index] = cell
        return written

    def quoted_all(self, cells: list[str]) -> list[str]:
        """Each of ``cells`` as written, all in one call of the module where none holds
        :data:`CELLS` (which ends each row there, so that the rows can be told apart)."""
        if any(CELLS in cell for cell in cells):
            return list(map(self.quoted, cells))
        return _by_module(cells)


def _by_module(cells: Sequence[str]) -> list[str]:
    """Each of ``cells`` (none of which holds :data:`CELLS`) as written, all in one call of
    the ``csv`` module, each row ended by :data:`CELLS` so that the rows can be told apart."""
    buffer = io.StringIO(newline="")
    # the module quotes the characters of the line ending: NUL is never in a cell here
    csv.writer(buffer, lineterminator=f"{CELLS}\n").writerows(zip(cells, repeat("")))
    written = buffer.getvalue().split(f",{CELLS}\n")
    written.pop()  # after the last row
    return written


#: A column with more characters to quote than one for this many cells is written whole by
#: the ``csv`` module rather than looked through for the cells that hold them.
_FEW = 8


#: What may make the ``csv`` module quote a cell: the delimiter, the quote and line breaks.
_QUOTABLE = (",", '"', "\r", "\n")
#: Those of them that do not end a line.
_QUOTABLE_IN_LINE = _QUOTABLE[:-1]


def _positions(text: str, character: str) -> Iterator[int]:
    at = text.find(character)
    while at >= 0:
        yield at
        at = text.find(character, at + 1)


def _csv(header: Sequence[str], columns: Sequence[Sequence[str]]) -> bytes:
    """A CSV file (bytes the ``csv`` module writes) of ``columns``, each the cells of one
    column, under ``header``: at least two, so that no row is one empty cell."""
    assert len(header) > 1, "a row of one empty cell is written quoted"
    cells = _CsvCells()
    lines = [",".join(cells.column(header))]
    lines += map(",".join, zip(*map(cells.column, columns), strict=True))
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _csv_of_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in header]
    return _csv(header, columns)


def _csv_of_joined(header: Sequence[str], rows: list[str]) -> bytes:
    """A CSV file of rows given as their cells joined by :data:`CELLS` (at least two): the
    rows are written as they are, with commas for :data:`CELLS`, but for the rows with a
    character that may be quoted (few: the cells are short ids and IRIs), which the ``csv``
    module writes, each put in its place in the text."""
    assert len(header) > 1, "a row of one empty cell is written quoted"
    text = "\n".join(rows)
    pieces, at = [], 0
    cells = _CsvCells()
    for start, end in _rows_to_quote(text, rows):
        pieces += [text[at:start].replace(CELLS, ","), cells.row(text[start:end].split(CELLS))]
        at = end
    pieces.append(text[at:].replace(CELLS, ","))
    head = ",".join(header)
    return "".join([head, "\n", *pieces, "\n" if rows else ""]).encode()


def _rows_to_quote(text: str, rows: list[str]) -> list[tuple[int, int]]:
    """Where each row of ``text`` (``rows`` joined by line breaks) with a character that
    may be quoted begins and ends, in order."""
    if text.count("\n") < len(rows):  # no row holds a line break: rows end at them
        begun = {
            text.rfind("\n", 0, at) + 1 for c in _QUOTABLE_IN_LINE for at in _positions(text, c)
        }
        return [(start, _line_end(text, start)) for start in sorted(begun)]
    # some row holds a line break: each row found by the sizes of those before it
    ends = list(map(add, accumulate(map(len, rows)), count(1)))  # with the line breaks
    quoted = {bisect_right(ends, at) for c in _QUOTABLE_IN_LINE for at in _positions(text, c)}
    quoted.update(index for index, row in enumerate(rows) if "\n" in row)
    return [(ends[index] - len(rows[index]) - 1, ends[index] - 1) for index in sorted(quoted)]


def _line_end(text: str, start: int) -> int:
    end = text.find("\n", start)
    return len(text) if end < 0 else end


def _csv_documents(tables: TableSet) -> Iterator[tuple[str, bytes]]:
    """The CSV files of the tables, by name, in the order they are listed: the tables, their
    long-form values, the entities, then the codebook."""
    for table in tables.tables:
        names = [c.name for c in table.spec.columns]
        yield table.spec.filename, _csv(names, table.columns)
        yield table.spec.values_filename, _csv_of_joined(VALUES_COLUMNS, table.values)
    yield ENTITIES_FILENAME, _csv_of_rows(ENTITY_COLUMNS, tables.entities)
    codebook = codebook_rows(tables.allowed)
    yield CODEBOOK_FILENAME, _csv_of_rows(list(codebook[0]), [list(r.values()) for r in codebook])


def _package(
    tables: TableSet,
    documents: dict[str, bytes],
    created: str | None,
    digests: dict[str, str] | None = None,
) -> bytes:
    package = datapackage(
        documents, tables.allowed, version=tables.version, created=created, digests=digests
    )
    return (json.dumps(package, indent=2) + "\n").encode()


def table_documents(tables: TableSet, *, created: str | None = None) -> dict[str, bytes]:
    """Every file of the tables, by name, in the order they are listed: the tables, their
    long-form values, the entities, the codebook, then ``datapackage.json``."""
    documents = dict(_csv_documents(tables))
    documents[DATAPACKAGE_FILENAME] = _package(tables, documents, created)
    return documents


def _add_to_zip(archive: zipfile.ZipFile, name: str, body: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, body, compresslevel=_ZIP_LEVEL)


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

    Each file is written and hashed by a thread, and put in the zip by another, in order,
    while the next is made (compressing, hashing and writing let other threads run).

    Raises:
        ExportError: the files could not be written.
    """
    documents: dict[str, bytes] = {}
    digests: dict[str, str] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        with (
            paused_collection(),
            zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as zipped,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="tables-zip") as zipping,
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="tables-files") as files,
        ):

            def put(name: str, body: bytes) -> str:
                (folder / name).write_bytes(body)
                return hashlib.sha256(body).hexdigest()

            hashed: dict[str, Future[str]] = {}
            added: list[Future[None]] = []

            def add(name: str, body: bytes) -> None:
                documents[name] = body
                added.append(zipping.submit(_add_to_zip, zipped, name, body))
                hashed[name] = files.submit(put, name, body)

            for name, body in _csv_documents(tables):
                add(name, body)
            digests.update((name, digest.result()) for name, digest in hashed.items())
            add(DATAPACKAGE_FILENAME, _package(tables, documents, created, digests))
            digests[DATAPACKAGE_FILENAME] = hashed[DATAPACKAGE_FILENAME].result()
            for entry in added:
                entry.result()
        archive = documents[ZIP_FILENAME] = buffer.getvalue()
        (folder / ZIP_FILENAME).write_bytes(archive)
        digests[ZIP_FILENAME] = hashlib.sha256(archive).hexdigest()
        sums = "".join(f"{digest}  {name}\n" for name, digest in digests.items()).encode()
        documents[SUMS_FILENAME] = sums
        (folder / SUMS_FILENAME).write_bytes(sums)
        digests[SUMS_FILENAME] = hashlib.sha256(sums).hexdigest()
    except OSError as error:
        raise ExportError(f"cannot write the tables into {folder}: {error}") from error
    return [
        TableFile(name, folder / name, len(body), digests[name], _media_type(name))
        for name, body in documents.items()
    ]


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
