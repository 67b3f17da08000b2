"""The research tables are the tables their rules give, byte for byte.

The export reads every statement of the tables' predicates as SPARQL TSV and makes its
cells column by column. Here the same files are made the plain way, from each table's
records and their statements as terms (``QueryRunner.select``), one row at a time by the
rules of ``exchange/tables.py``, and written by ``csv.writer``: both must give the same
bytes, on the bundled graph and on a graph of awkward values.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections import defaultdict

import pytest
from pyoxigraph import Literal, NamedNode

from cybergov.errors import ExportError
from cybergov.exchange.table_specs import (
    ENTITIES_FILENAME,
    SEPARATOR,
    TABLES,
    TableSpec,
    ValueKind,
)
from cybergov.exchange.tables import (
    CELLS,
    _addresses,
    _csv,
    _csv_of_joined,
    _named,
    _texts,
    read_tables,
    table_documents,
)
from cybergov.exchange.tsv import literal, literal_text, tsv_columns
from cybergov.execution import QueryRunner
from cybergov.namespaces import CGR, shorten
from cybergov.settings import Settings
from tests.conftest import PREFIXES, ontology_store

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

AWKWARD = (
    PREFIXES
    + r"""
@prefix listing: <https://w3id.org/cybergov/id/listing/> .
state:XA a cg:State ; rdfs:label "Exampleland"@en , "Exemplie"@fr , "Exampleland, plain" .
state:XB a cg:State ; rdfs:label "Testonia"@fr .
state:XC a cg:State .
incident:quotes-2020 a cg:Incident ; rdfs:label "\"Quoted\", with a comma"@en ;
    dct:description "Line one\nline two\r\nand a tab\there; a backslash \\ and \u2028."@en ;
    dct:source <https://example.org/a;b> , <https://example.org/c,d> , <https://example.org/e'f> ;
    cg:startDate "2020-03-01T00:00:00"^^xsd:dateTime , "2020-02-28T00:00:00Z"^^xsd:dateTime ;
    cg:endDate "2021" ;
    cg:incidentType incident-type:destruction ;
    cg:targetCountry state:XB , state:XA , "not a state" , [ rdfs:label "a blank node" ] ;
    cg:targetSector sector:energy .
incident:campaign-2019 a cg:Incident , cg:Campaign ; rdfs:label "Campaign"@en-GB , "Kampagne"@de ;
    cg:targetCountry <https://example.org/elsewhere,with;odd'characters> .
incident:bare a cg:Incident .
attribution:quotes-2020--xb a cg:Attribution ; rdfs:label "XB's attribution"@en ;
    cg:attributedIncident incident:quotes-2020 ; cg:attributedBy state:XB , state:XC ;
    cg:attributedTo state:XA ; cg:attributionBasis attribution-basis:political ;
    cg:attributionDate "2020-06-01T00:00:00"^^xsd:dateTime ;
    cg:confidenceWording "\"high\""@en , "hoch"@de .
listing:one a cg:Listing ; rdfs:label "One listing" ; cg:listedActor state:XA .
<https://example.org/record,outside> a cg:Incident ; rdfs:label "Outside"@en .
[] a cg:Incident ; rdfs:label "A blank node is no record"@en ; cg:targetCountry state:XA .
listing:and-incident a cg:Listing , cg:Incident ; rdfs:label "In two tables"@en , "Zwei"@de ;
    dct:source <https://example.org/one> , <https://example.org/two> ;
    cg:listedActor state:XA , state:XB ; cg:targetCountry state:XC .
"""
)
#: The same statements again in a graph of their own: the union holds them twice.
REPEATED = (
    PREFIXES
    + """
state:XA rdfs:label "Exampleland"@en .
incident:quotes-2020 cg:targetCountry state:XB ; cg:targetSector sector:energy ;
    dct:source <https://example.org/c,d> .
"""
)


def _text(terms: list[object]) -> str:
    """The English text first, then one without a language, then any; the least of each."""
    ranked = []
    for term in terms:
        if isinstance(term, Literal):
            language = term.language or ""
            english = language == "en" or language.startswith("en-")
            ranked.append((0 if english else 1 if not language else 2, term.value))
    return min(ranked)[1] if ranked else ""


def _iris(terms: list[object]) -> list[str]:
    return sorted({term.value for term in terms if isinstance(term, NamedNode)})


def _reference_table(runner: QueryRunner, spec: TableSpec, cited: set[str]) -> tuple[bytes, bytes]:
    said: dict[str, dict[str, list[object]]] = defaultdict(lambda: defaultdict(list))
    for record, predicate, term in runner.select(
        f"SELECT ?r ?p ?o WHERE {{ ?r a <{spec.record_class}> . ?r ?p ?o FILTER(isIRI(?r)) }}"
    ).rows:
        said[record.value][predicate.value].append(term)
    subclasses = runner.select(
        f"SELECT ?c ?s WHERE {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>* "
        f"<{spec.record_class}> OPTIONAL {{ ?c <http://www.w3.org/2000/01/rdf-schema#subClassOf>+"
        " ?s } }"
    ).rows
    supers: dict[str, set[str]] = defaultdict(set)
    for kind, parent in subclasses:
        supers[kind.value].update([parent.value] if parent is not None else [])
    rows, values = [], []
    for iri in sorted(said, key=shorten):
        record, row = shorten(iri), []
        for column in spec.columns:
            terms = said[iri].get(column.predicate or _RDF_TYPE, [])
            kind = column.kind
            if kind is ValueKind.ID:
                row.append(record)
            elif kind is ValueKind.IRI:
                row.append(iri)
            elif kind is ValueKind.CLASS:
                found = {t for t in _iris(terms) if t in supers}
                specific = [t for t in found if not any(t in supers[o] for o in found - {t})]
                row.append(SEPARATOR.join(shorten(t) for t in sorted(specific)))
            elif kind is ValueKind.TEXT:
                row.append(_text(terms))
            elif kind is ValueKind.DATE:
                days = [t.value[:10] for t in terms if isinstance(t, Literal)]
                row.append(min(days) if days else "")
            elif kind is ValueKind.URL:
                row.append(SEPARATOR.join(i.replace(";", "%3B") for i in _iris(terms)))
                if column.multiple:
                    values += [(record, column.name, i, "") for i in _iris(terms)]
            else:
                row.append(SEPARATOR.join(sorted(shorten(i) for i in _iris(terms))))
                cited.update(_iris(terms))
                if column.multiple:
                    values += [(record, column.name, shorten(i), i) for i in _iris(terms)]
        rows.append(row)
    return _written([c.name for c in spec.columns], rows), _written(
        ["id", "column", "value", "value_iri"], sorted(values)
    )


def _written(header: list[str], rows: list[list[str]] | list[tuple[str, ...]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def reference_documents(runner: QueryRunner) -> dict[str, bytes]:
    """Each table, its long-form values and the entities, made the plain way."""
    labels: dict[str, list[object]] = defaultdict(list)
    for subject, label in runner.select(f"SELECT ?s ?l WHERE {{ ?s <{_LABEL}> ?l }}").rows:
        labels[subject.value].append(label)
    documents, cited = {}, set()
    for spec in TABLES:
        rows, values = _reference_table(runner, spec, cited)
        documents[spec.filename], documents[spec.values_filename] = rows, values
    entities = sorted((shorten(i), i, _text(labels[i]) if i.startswith(CGR) else "") for i in cited)
    documents[ENTITIES_FILENAME] = _written(["id", "iri", "label"], entities)
    return documents


def _exported(runner: QueryRunner) -> dict[str, bytes]:
    documents = table_documents(read_tables(runner, version="1.0.0"))
    return {name: documents[name] for name in reference_documents(runner)}


def test_the_tables_of_the_bundled_graph_are_those_the_rules_give(runner):
    reference = reference_documents(runner)
    exported = _exported(runner)
    for name, body in reference.items():
        assert exported[name] == body, name
    assert len(reference[ENTITIES_FILENAME]) > 10_000


def test_awkward_values_are_written_as_the_rules_and_the_csv_module_write_them():
    store = ontology_store(AWKWARD, REPEATED)
    with QueryRunner(store, settings=Settings(query_timeout=20, query_workers=2)) as runner:
        reference = reference_documents(runner)
        exported = _exported(runner)
    for name, body in reference.items():
        assert exported[name] == body, name
    incidents = exported["incidents.csv"].decode()
    assert '"""Quoted"", with a comma"' in incidents
    assert "https://example.org/a%3Bb;https://example.org/c,d" in incidents
    assert "incident:campaign-2019" in incidents and "cg:Campaign" in incidents
    assert "listing:and-incident" in incidents
    assert "listing:and-incident" in exported["listings.csv"].decode()


@pytest.mark.parametrize("width", [2, 3])
def test_cells_are_written_as_the_csv_module_writes_them(width):
    pieces = ["", "a", ",", '"', "\n", "\r", "\r\n", " ", "\t", ";", "\u2028", "é"]
    cells = ["".join(p) for p in itertools.product(pieces, repeat=2)]
    rows = [cells[i : i + width] for i in range(0, len(cells) - width + 1, width)]
    header = [f"c{i}" for i in range(width)]
    columns = [[row[i] for row in rows] for i in range(width)]
    assert _csv(header, columns) == _written(header, rows)
    assert _csv(header, [[] for _ in header]) == _written(header, [])
    # a column with few cells to quote among plain ones: those are found and written alone
    sparse = [[f"plain {i}" for i in range(len(column) * 8)] for column in columns]
    for column, odd in zip(sparse, columns, strict=True):
        column[::8] = odd
    assert _csv(header, sparse) == _written(header, list(zip(*sparse, strict=True)))
    # a NUL in a cell: the cells to quote are written one at a time
    with_nul = [[f"{cell},\0\n" for cell in column] for column in columns]
    assert _csv(header, with_nul) == _written(header, list(zip(*with_nul, strict=True)))
    joined = [CELLS.join(row) for row in rows]
    assert _csv_of_joined(header, joined) == _written(header, rows)
    assert _csv_of_joined(header, []) == _written(header, [])
    one_line = [row for row in rows if "\n" not in "".join(row)]
    assert any("," in "".join(row) for row in one_line)
    assert _csv_of_joined(header, [CELLS.join(row) for row in one_line]) == _written(
        header, one_line
    )
    plain = [row for row in rows if not any(c in "".join(row) for c in ',"\r\n')]
    assert plain and _csv_of_joined(header, [CELLS.join(row) for row in plain]) == _written(
        header, plain
    )


@pytest.mark.parametrize(
    "token",
    [
        '"plain"',
        '"English"@en',
        '"2020-03-01T00:00:00"^^<http://www.w3.org/2001/XMLSchema#dateTime>',
        r'"a \"quote\", a tab\t and \u00e9"@fr',
        '""',
        '"',
        "12",
        "-1.5e3",
        "true",
        "<https://example.org/x>",
        "_:b0",
        "",
    ],
)
def test_the_text_of_a_literal_is_what_reading_it_whole_gives(token):
    found = literal(token)
    assert literal_text(token) == (found[0] if found else "")


def test_an_answer_is_read_as_columns_of_terms():
    body = b'?s\t?o\n<https://example.org/a>\t"x\\ty"@en\n<https://example.org/b>\t1\n'
    assert tsv_columns(body, "test", ("s", "o")) == [
        ["<https://example.org/a>", "<https://example.org/b>"],
        ['"x\\ty"@en', "1"],
    ]
    assert tsv_columns(b"?s\t?o\n", "test", ("s", "o")) == [[], []]
    assert tsv_columns(b"?s\t?o", "test", ("s", "o")) == [[], []]
    with pytest.raises(ExportError, match="variables"):
        tsv_columns(b"?s\t?p\t?o\n", "test", ("s", "o"))
    with pytest.raises(ExportError, match="rows"):
        tsv_columns(b"?s\t?o\n<a>\t<b>\t<c>\n", "test", ("s", "o"))


def test_the_blank_nodes_of_a_column_are_left_out():
    iris = ["<https://example.org/a>", "<https://example.org/_:b>"]
    assert _named(iris) is iris
    assert _named(["_:b0", *iris, "_:b1"]) == iris
    assert _named([]) == []
    assert tsv_columns(b"?s\n<https://example.org/a>\n_:b0\n", "test", ("s",)) == [
        ["<https://example.org/a>", "_:b0"]
    ]


_PLAIN_TEXTS = ['"plain"', '"English"@en', '""', '"2020-03-01T00:00:00"^^<http://x.org/d>', None]
_PLAIN_IRIS = ["<https://example.org/a;b>", "<https://example.org/c,d>", None]


@pytest.mark.parametrize(
    "odd", [None, r'"a \"quote\""@fr', "12", "<https://example.org/x>", "_:b0", '"', '"tab\\t"']
)
def test_texts_and_addresses_read_at_once_are_those_read_one_by_one(odd):
    texts = [*_PLAIN_TEXTS, odd, *_PLAIN_TEXTS]
    read = _texts(texts)
    assert read is not None or odd is not None
    if read is not None:
        assert read == [literal_text(t) if t else "" for t in texts]
    iris = [*_PLAIN_IRIS, odd, *_PLAIN_IRIS]
    read = _addresses(iris)
    if odd is None or odd.startswith("<"):
        assert read == [t[1:-1] if t else "" for t in iris]
    else:
        assert read is None
    assert _texts([]) == [] and _addresses([None]) == [""]
