"""``/sparql``: the SPARQL 1.1 Protocol's query cases and bad requests (after the W3C protocol
tests), content negotiation of every format, the dataset parameters, the service description."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, parse_query_results
from rdflib.namespace import RDFS

from cybergov.api import create_app
from cybergov.namespaces import graph_iri
from cybergov.settings import data_root
from tests.api.conftest import settings

CG = "https://w3id.org/cybergov/ontology#"
FR = "https://w3id.org/cybergov/id/state/FR"
STATES = graph_iri("kg", "states")
FRANCE = f"SELECT ?label WHERE {{ <{FR}> <{RDFS.label}> ?label }}"
IS_STATE = f"ASK {{ <{FR}> a <{CG}State> }}"
ABOUT_FRANCE = f"CONSTRUCT {{ <{FR}> <{RDFS.label}> ?l }} WHERE {{ <{FR}> <{RDFS.label}> ?l }}"
SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def labels(response) -> set[str]:
    parsed = parse_query_results(response.content, QueryResultsFormat.JSON)
    assert isinstance(parsed, QuerySolutions)
    return {solution["label"].value for solution in parsed}


# --- the three ways of sending a query ------------------------------------------------------


def test_query_via_get(client):
    response = client.get("/sparql", params={"query": FRANCE})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert "France" in labels(response)


def test_query_via_post_form(client):
    response = client.post("/sparql", data={"query": FRANCE})
    assert response.status_code == 200
    assert "France" in labels(response)


def test_query_via_post_direct(client):
    response = client.post(
        "/sparql", content=FRANCE, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 200
    assert "France" in labels(response)


def test_query_via_post_direct_with_a_utf8_charset(client):
    response = client.post(
        "/sparql",
        content=IS_STATE.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
    )
    assert response.status_code == 200
    assert response.json()["boolean"] is True


# --- content negotiation ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media_type", "results_format"),
    [
        ("application/sparql-results+json", "application/sparql-results+json", "JSON"),
        ("application/json", "application/sparql-results+json", "JSON"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "XML"),
        ("application/xml", "application/sparql-results+xml", "XML"),
        ("text/csv", "text/csv", "CSV"),
        ("text/tab-separated-values", "text/tab-separated-values", "TSV"),
        (None, "application/sparql-results+json", "JSON"),
        ("*/*", "application/sparql-results+json", "JSON"),
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml", "XML"),
    ],
)
def test_select_answers_in_every_results_format(client, accept, media_type, results_format):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": FRANCE}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["cybergov-results-truncated"] == "false"
    if results_format == "CSV":
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["label"] and ["France"] in rows[1:]
        return
    parsed = parse_query_results(response.content, getattr(QueryResultsFormat, results_format))
    assert isinstance(parsed, QuerySolutions)
    assert "France" in {solution["label"].value for solution in parsed}


@pytest.mark.parametrize(
    ("accept", "results_format"),
    [("application/sparql-results+json", "JSON"), ("application/sparql-results+xml", "XML")],
)
def test_ask_answers_in_json_and_xml(client, accept, results_format):
    response = client.get("/sparql", params={"query": IS_STATE}, headers={"Accept": accept})
    parsed = parse_query_results(response.content, getattr(QueryResultsFormat, results_format))
    assert isinstance(parsed, QueryBoolean) and bool(parsed) is True


@pytest.mark.parametrize(
    ("accept", "media_type", "parser"),
    [
        ("text/turtle", "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        (None, "text/turtle", "turtle"),
        ("*/*", "text/turtle", "turtle"),
    ],
)
def test_construct_answers_in_every_rdf_format(client, accept, media_type, parser):
    headers = {"Accept": accept} if accept else {}
    response = client.post("/sparql", data={"query": ABOUT_FRANCE}, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = rdflib.Graph().parse(data=response.content, format=parser)
    assert (rdflib.URIRef(FR), RDFS.label, rdflib.Literal("France", lang="en")) in graph


def test_describe_answers_with_the_resource(client):
    response = client.get(
        "/sparql", params={"query": f"DESCRIBE <{FR}>"}, headers={"Accept": "text/turtle"}
    )
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    assert (rdflib.URIRef(FR), RDFS.label, rdflib.Literal("France", lang="en")) in graph


@pytest.mark.parametrize(
    ("query", "accept"),
    [(FRANCE, "image/png"), (FRANCE, "text/turtle"), (ABOUT_FRANCE, "text/csv")],
)
def test_a_format_that_does_not_fit_the_query_is_406(client, query, accept):
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 406
    body = response.json()
    assert body["error"] == "not_acceptable" and body["offered"]


def test_format_parameter_overrides_accept(client):
    response = client.get(
        "/sparql", params={"query": FRANCE, "format": "csv"}, headers={"Accept": "text/html"}
    )
    assert response.headers["content-type"].startswith("text/csv")


def test_a_browser_gets_a_table(client):
    response = client.get("/sparql", params={"query": FRANCE}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "<table" in response.text and "France" in response.text
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy


# --- the dataset --------------------------------------------------------------------------


def states_triples() -> int:
    """The triples of kg/states.ttl, read here with rdflib (the file, not the store)."""
    return len(rdflib.Graph().parse(data_root() / "kg" / "states.ttl", format="turtle"))


def count(client, query: str, **dataset: list[str]) -> int:
    params: list[tuple[str, str]] = [("query", query)]
    for name, graphs in dataset.items():
        params += [(name.replace("_", "-"), graph) for graph in graphs]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_uri_makes_the_default_graph(client):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert count(client, query, default_graph_uri=[STATES]) == states_triples()
    assert count(client, query) > states_triples()  # otherwise: the union of every graph


def test_named_graph_uri_makes_the_named_graphs(client):
    query = "SELECT ?g WHERE { GRAPH ?g { } }"
    response = client.post(
        f"/sparql?named-graph-uri={quote(STATES, safe='')}",
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    graphs = {b["g"]["value"] for b in response.json()["results"]["bindings"]}
    assert graphs == {STATES}
    # With only named graphs given, the default graph is empty.
    assert (
        count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", named_graph_uri=[STATES]) == 0
    )


def test_dataset_in_a_form(client):
    response = client.post(
        "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": STATES},
    )
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) == states_triples()


def test_the_protocol_dataset_wins_over_from(client):
    ontology = graph_iri("ontology", "core")
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ontology}> WHERE {{ ?s ?p ?o }}"
    assert count(client, query, default_graph_uri=[STATES]) == states_triples()


@pytest.mark.parametrize(
    "params",
    [
        [("query", "ASK { ?s ?p ?o }"), ("default-graph-uri", "http://example.org/elsewhere")],
        [("query", "ASK { ?s ?p ?o }"), ("named-graph-uri", "http://127.0.0.1:9/remote")],
        [("query", "ASK FROM <http://example.org/data.rdf> { ?s ?p ?o }")],
        [("query", "ASK FROM NAMED <file:///etc/passwd> { ?s ?p ?o }")],
    ],
)
def test_a_dataset_the_store_does_not_hold_is_refused(client, params):
    response = client.get("/sparql", params=params)
    assert response.status_code == 400
    assert "does not hold" in response.json()["message"]


def test_a_dataset_iri_that_is_not_an_iri_is_400(client):
    response = client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "not an iri"})
    assert response.status_code == 400
    assert "not an absolute IRI" in response.json()["message"]


# --- bad requests -------------------------------------------------------------------------


def test_bad_query_method(client):
    response = client.put("/sparql", params={"query": "ASK {}"})
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"


def test_bad_multiple_queries(client):
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400
    assert "2 queries" in response.json()["message"]


def test_a_query_in_the_url_and_the_body_is_two_queries(client):
    response = client.post(
        "/sparql?query=ASK%20%7B%7D",
        content="ASK {}",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Content-Type": "text/plain"},  # bad-query-wrong-media-type
        {},  # bad-query-missing-form-type and bad-query-missing-direct-type
        {"Content-Type": "application/sparql-query; charset=UTF-16"},  # bad-query-non-utf8
    ],
)
def test_bad_query_media_types_are_415(client, headers):
    response = client.post("/sparql", content="ASK {}", headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


def test_a_body_that_is_not_utf8_is_400(client):
    response = client.post(
        "/sparql",
        content='ASK { ?s ?p "é" }'.encode("utf-16"),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.json()["message"]


def test_a_post_without_a_query_is_400(client):
    response = client.post("/sparql", data={"default-graph-uri": STATES})
    assert response.status_code == 400


def test_bad_query_syntax_gives_line_and_column(client):
    response = client.get("/sparql", params={"query": "SELECT ?s\nWHERE { ?s ?p }"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query_syntax_error"
    # The engine's position: line 2, at (or just past) the brace where a term was expected.
    assert body["line"] == 2 and body["column"] in (15, 16)
    assert "error at 2:" in body["message"]
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"update": "CLEAR ALL"}}),  # bad-update-get
        ("POST", {"data": {"update": "CLEAR ALL"}}),
        ("POST", {"data": {"update": ["CLEAR NAMED", "CLEAR DEFAULT"]}}),
        (
            "POST",
            {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-update"}},
        ),
        ("POST", {"data": {"using-named-graph-uri": STATES, "update": "CLEAR NAMED"}}),
    ],
)
def test_updates_are_refused_and_change_nothing(client, loaded_store, method, kwargs):
    before = len(loaded_store)
    response = client.request(method, "/sparql", **kwargs)
    assert response.status_code == 403
    assert response.json()["error"] == "read_only"
    assert len(loaded_store) == before


@pytest.mark.parametrize(
    "query",
    [
        "CLEAR ALL",
        f"DROP GRAPH <{STATES}>",
        "INSERT DATA { <http://example.org/s> <http://example.org/p> 1 }",
        f"DELETE WHERE {{ <{FR}> ?p ?o }}",
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { ?s ?p ?o } ; CLEAR ALL",
    ],
)
def test_update_text_sent_as_a_query_is_refused(client, loaded_store, query):
    before = len(loaded_store)
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert response.json()["error"] in ("query_refused", "query_syntax_error")
    assert len(loaded_store) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o OPTIONAL { service silent <http://127.0.0.1:9/> { ?s ?q ?r } } }",
    ],
)
def test_service_is_refused_with_a_clear_message(client, query):
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "SERVICE" in response.json()["message"]


def test_a_query_nested_too_deep_is_refused(client):
    query = "SELECT * WHERE " + "{ " * 500 + "?s ?p ?o " + "} " * 500
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "nests deeper" in response.json()["message"]


# --- the service description ----------------------------------------------------------------


def test_the_service_description_in_turtle(client, loaded_store):
    response = client.get("/sparql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.content, format="turtle")
    endpoint = rdflib.URIRef("http://127.0.0.1:8000/sparql")
    assert (endpoint, rdflib.RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    assert (endpoint, RDFS.seeAlso, rdflib.URIRef("http://127.0.0.1:8000/void")) in graph
    dataset = graph.value(endpoint, SD.defaultDataset)
    assert (dataset, RDFS.seeAlso, rdflib.URIRef("http://127.0.0.1:8000/void")) in graph
    names = {str(graph.value(entry, SD.name)) for entry in graph.objects(dataset, SD.namedGraph)}
    # Every graph that holds triples (a rule that derived nothing leaves an empty graph).
    assert names == {g for g in loaded_store.named_graphs() if loaded_store.graph_size(g)}
    void = rdflib.Graph().parse(data=client.get("/void").content, format="turtle")
    assert (dataset, rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint"), endpoint) in void


@pytest.mark.parametrize(
    ("accept", "parser"), [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")]
)
def test_the_service_description_in_other_formats(client, accept, parser):
    response = client.get("/sparql", headers={"Accept": accept})
    graph = rdflib.Graph().parse(data=response.content, format=parser)
    assert (None, rdflib.RDF.type, SD.Service) in graph


def test_a_browser_gets_a_query_form(client):
    response = client.get("/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert '<form method="get" action="/sparql" id="sparql-form">' in response.text
    assert 'name="query"' in response.text


# --- cross-origin -------------------------------------------------------------------------


def test_any_origin_may_post_a_query(client):
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    response = client.post(
        "/sparql", data={"query": IS_STATE}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "Cybergov-Results-Truncated" in response.headers["access-control-expose-headers"]


@pytest.mark.parametrize(
    ("path", "method"), [("/contributions", "POST"), ("/contributions/x", "DELETE")]
)
def test_no_origin_may_write(client, path, method):
    preflight = client.options(
        path,
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "authorization",
        },
    )
    assert preflight.status_code == 400
    assert method not in preflight.headers.get("access-control-allow-methods", "")


# --- limits: a small service ----------------------------------------------------------------


def small_service(loaded_store, dump_dir: Path, *, query_timeout: float) -> TestClient:
    """A service with five rows, small queries, one worker and the deadline given."""
    app = create_app(
        settings(
            dump_dir=dump_dir,
            query_timeout=query_timeout,
            max_rows=5,
            max_query_bytes=2_000,
            query_workers=1,
        ),
        store=loaded_store,
    )
    return TestClient(app)


@pytest.fixture(scope="module")
def strict(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    """Small limits and a deadline no quick query can miss, even on a loaded machine."""
    with small_service(loaded_store, tmp_path_factory.mktemp("dumps"), query_timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def hasty(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    """Small limits and a deadline of one second."""
    with small_service(loaded_store, tmp_path_factory.mktemp("dumps"), query_timeout=1) as client:
        yield client


ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
STATES_QUERY = f"SELECT ?s WHERE {{ ?s a <{CG}State> }}"


def test_a_query_past_its_deadline_is_503_with_a_message(hasty):
    response = hasty.get("/sparql", params={"query": ENDLESS})
    assert response.status_code == 503
    body = response.json()
    assert body["error"] == "query_timeout" and "deadline" in body["message"]
    assert hasty.get("/sparql", params={"query": IS_STATE}).json()["boolean"] is True


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
     "text/tab-separated-values", "text/html"],
)  # fmt: skip
def test_a_cut_answer_says_so_in_every_format(strict, accept):
    response = strict.get("/sparql", params={"query": STATES_QUERY}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["cybergov-results-truncated"] == "true"
    if accept.endswith("json"):
        body = response.json()
        assert body["truncated"] is True and len(body["results"]["bindings"]) == 5


def test_a_cut_graph_says_so(strict):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    response = strict.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert response.headers["cybergov-results-truncated"] == "true"
    assert len(rdflib.Graph().parse(data=response.content, format="turtle")) == 5


def test_a_query_body_over_the_limit_is_413_before_it_is_read(strict):
    query = "ASK { " + "?s ?p ?o . " * 400 + "}"
    response = strict.post(
        "/sparql", content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert response.json()["error"] == "payload_too_large"


def test_a_streamed_body_over_the_limit_is_413(strict):
    def chunks() -> Iterator[bytes]:
        yield b"ASK { "
        for _ in range(100):
            yield b"?s ?p ?o . " * 10

    response = strict.post(
        "/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"}
    )
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert response.status_code == 413


def test_a_long_query_in_the_url_is_refused(strict):
    query = "ASK { " + "?s ?p ?o . " * 400 + "}"
    response = strict.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "limit" in response.json()["message"]


def test_errors_are_json_without_a_trace(strict, hasty):
    for response in (
        strict.get("/sparql", params={"query": "SELECT"}),
        hasty.get("/sparql", params={"query": ENDLESS}),
        strict.post(
            "/sparql", content=b"\xff", headers={"Content-Type": "application/sparql-query"}
        ),
    ):
        body = json.loads(response.text)
        assert set(body) >= {"error", "message"}
        assert "Traceback" not in response.text and 'File "' not in response.text
