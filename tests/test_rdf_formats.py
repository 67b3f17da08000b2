"""RDF formats by name, extension and media type, and statements written with their prefixes."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Triple, parse

from cybergov.errors import RdfSyntaxError, UnsupportedFormat
from cybergov.rdf_formats import format_by_name, format_for_path, serialise, syntax_error

FRANCE = Triple(
    NamedNode("https://w3id.org/cybergov/id/state/FR"),
    NamedNode("https://w3id.org/cybergov/ontology#iso3166Alpha2"),
    Literal("FR"),
)


def test_graphs_are_written_with_the_prefixes_they_use():
    turtle = serialise([FRANCE], RdfFormat.TURTLE)
    assert b"@prefix state: <https://w3id.org/cybergov/id/state/> ." in turtle
    assert b"@prefix cg: <https://w3id.org/cybergov/ontology#> ." in turtle
    assert b"@prefix sh:" not in turtle and b"@prefix incident:" not in turtle
    assert [q.triple for q in parse(turtle, RdfFormat.TURTLE)] == [FRANCE]


def test_a_datatype_brings_its_prefix_and_quads_keep_their_graph():
    dated = Triple(
        FRANCE.subject,
        NamedNode("https://w3id.org/cybergov/ontology#startDate"),
        Literal("2017-06-27", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    )
    graph = NamedNode("https://w3id.org/cybergov/graph/kg/states")
    trig = serialise([Quad(*dated, graph)], RdfFormat.TRIG)
    assert b"@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ." in trig
    assert [q.graph_name for q in parse(trig, RdfFormat.TRIG)] == [graph]


def test_formats_are_found_by_extension_name_or_media_type():
    assert format_for_path("kg/states.ttl") == RdfFormat.TURTLE
    assert format_for_path("dump.NQ") == RdfFormat.N_QUADS
    assert format_by_name("json-ld") == RdfFormat.JSON_LD
    assert format_by_name("application/n-triples; charset=utf-8") == RdfFormat.N_TRIPLES
    with pytest.raises(UnsupportedFormat, match=r"extension '\.txt'"):
        format_for_path("notes.txt")
    with pytest.raises(UnsupportedFormat, match="unknown RDF format 'yaml'"):
        format_by_name("yaml")


def test_a_parse_error_names_its_source_line_and_column():
    with pytest.raises(SyntaxError) as raised:
        list(parse(b"<http://a/b> <http://a/c> .", RdfFormat.TURTLE))
    error = syntax_error(raised.value, "broken.ttl")
    assert isinstance(error, RdfSyntaxError)
    assert error.source == "broken.ttl" and error.line == 1 and error.column is not None
    assert str(error).startswith("broken.ttl, line 1, column ")
