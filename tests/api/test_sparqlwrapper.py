"""SPARQLWrapper with its defaults, against a real ``cybergov serve``, in every format it
offers for every query form, by GET and by POST: it names the format three times in the URL
(``format``, ``output``, ``results``) and once more in ``Accept``, and reads the answer by
its own parser. CONSTRUCT as JSON-LD and as N3 were refused with 406."""

from __future__ import annotations

import io

import pytest
import rdflib
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

pytestmark = pytest.mark.server

FR = "https://w3id.org/cybergov/id/state/FR"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SELECT = f'SELECT ?label WHERE {{ <{FR}> <{LABEL}> ?label FILTER(LANG(?label) = "en") }}'
ASK = f"ASK {{ <{FR}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT {{ <{FR}> <{LABEL}> ?label }} WHERE {{ <{FR}> <{LABEL}> ?label }}"
DESCRIBE = f"DESCRIBE <{FR}>"
#: What rdflib reads each graph format SPARQLWrapper asks for as.
GRAPH_FORMATS = {
    TURTLE: "turtle",
    N3: "turtle",
    XML: "xml",
    RDFXML: "xml",
    JSONLD: "json-ld",
    RDF: None,
}


def ask(server: str, query: str, return_format: str, method: str):
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client.query()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_select_in_every_results_format(server, return_format, method):
    result = ask(server, SELECT, return_format, method)
    converted = result.convert()
    if return_format == JSON:
        assert converted["results"]["bindings"][0]["label"]["value"] == "France"
    elif return_format == XML:
        assert "France" in converted.toxml()
    else:
        assert b"France" in converted


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_ask_in_every_results_format(server, return_format, method):
    result = ask(server, ASK, return_format, method)
    converted = result.convert()
    if return_format == JSON:
        assert converted["boolean"] is True
    elif return_format == XML:
        assert "true" in converted.toxml()
    else:
        assert b"true" in converted.lower()


@pytest.mark.parametrize("method", [GET, POST])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("return_format", sorted(GRAPH_FORMATS))
def test_graphs_in_every_rdf_format(server, query, return_format, method):
    result = ask(server, query, return_format, method)
    converted = result.convert()
    if isinstance(converted, rdflib.Graph):
        graph = converted
    else:
        graph = rdflib.Graph().parse(io.BytesIO(converted), format=GRAPH_FORMATS[return_format])
    assert (rdflib.URIRef(FR), rdflib.URIRef(LABEL), rdflib.Literal("France", lang="en")) in graph
