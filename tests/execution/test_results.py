"""Answers in the SPARQL 1.1 results formats: exact, read back by another parser, cut said."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryResultsFormat,
    parse_query_results,
)

from cybergov.errors import UnsupportedFormat
from cybergov.execution.results import results_format, serialise_results
from cybergov.store import Solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY = Solutions(
    ("s", "o", "missing"),
    (
        (NamedNode("https://w3id.org/cybergov/id/state/FR"), Literal('quote " and, comma'), None),
        (
            NamedNode("http://example.org/a?b=c&d=%3Ce%3E"),
            Literal("line\nbreak\ttab", language="fr"),
            None,
        ),
        (BlankNode("b0"), Literal("12", datatype=NamedNode(XSD + "integer")), Literal("ü ✓ 漢")),
        (
            NamedNode("http://example.org/x"),
            Literal("<&>"),
            Literal("x", datatype=NamedNode(XSD + "date")),
        ),
    ),
    truncated=True,
)
PARSERS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "tsv": QueryResultsFormat.TSV,
}


@pytest.mark.parametrize("name", ["json", "xml", "tsv"])
def test_pyoxigraph_reads_back_exactly_what_was_written(name):
    parsed = parse_query_results(serialise_results(TRICKY, name), PARSERS[name])
    assert [v.value for v in parsed.variables] == list(TRICKY.variables)
    rows = tuple(tuple(solution[i] for i in range(3)) for solution in parsed)
    assert rows == TRICKY.rows


def test_json_says_when_rows_were_cut_where_readers_skip_it():
    document = json.loads(serialise_results(TRICKY, "json"))
    assert document["truncated"] is True
    assert list(document) == ["head", "truncated", "results"]
    assert document["results"]["bindings"][1]["o"] == {
        "type": "literal",
        "value": "line\nbreak\ttab",
        "xml:lang": "fr",
    }
    assert "missing" not in document["results"]["bindings"][0]
    whole = Solutions(TRICKY.variables, TRICKY.rows[:1])
    assert json.loads(serialise_results(whole, "json"))["truncated"] is False


def test_csv_follows_rfc_4180_and_the_sparql_csv_rules():
    text = serialise_results(TRICKY, "csv").decode()
    assert text.startswith("s,o,missing\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["https://w3id.org/cybergov/id/state/FR", 'quote " and, comma', ""]
    assert rows[2][1] == "line\nbreak\ttab"
    assert rows[3][0] == "_:b0" and rows[3][1] == "12"


def test_xml_is_well_formed_results_xml():
    root = ET.fromstring(serialise_results(TRICKY, "xml"))
    namespace = "{http://www.w3.org/2005/sparql-results#}"
    assert root.tag == f"{namespace}sparql"
    assert [v.get("name") for v in root.iter(f"{namespace}variable")] == ["s", "o", "missing"]


@pytest.mark.parametrize("name", ["json", "xml", "csv", "tsv"])
def test_booleans_in_every_format(name):
    for answer in (True, False):
        written = serialise_results(answer, name)
        if name in ("json", "xml"):
            assert bool(parse_query_results(written, PARSERS[name])) is answer
        else:
            assert written.decode().strip() == str(answer).lower()


def test_formats_are_found_by_name_or_media_type():
    assert results_format("JSON").media_type == "application/sparql-results+json"
    assert results_format("text/csv; charset=utf-8").name == "csv"
    assert results_format("application/sparql-results+xml").name == "xml"
    with pytest.raises(UnsupportedFormat, match="use one of json, xml, csv, tsv"):
        results_format("yaml")
