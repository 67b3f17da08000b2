"""The remote store against a real Oxigraph server: protocol, answers, failures."""

from __future__ import annotations

import io
import time

import pytest
from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from cybergov.errors import QueryTimeout, StoreError, StoreUnavailable
from cybergov.store import Solutions, Triples
from cybergov.store.remote import Endpoints, RemoteStore
from tests.servers import OxigraphServer, free_port

pytestmark = pytest.mark.server

CG = "https://w3id.org/cybergov/ontology#"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def remote(server: OxigraphServer, **options: float) -> RemoteStore:
    return RemoteStore(Endpoints.derive(server.query_endpoint), **options)


def test_endpoints_follow_oxigraph_s_layout_or_are_given():
    assert Endpoints.derive("http://h:7878") == Endpoints(
        "http://h:7878/query", "http://h:7878/update", "http://h:7878/store"
    )
    assert Endpoints.derive("http://h:7878/db/query").graph_store == "http://h:7878/db/store"
    fuseki = Endpoints.derive("http://h/ds/sparql", graph_store="http://h/ds/data")
    assert fuseki == Endpoints("http://h/ds/sparql", "http://h/ds/sparql", "http://h/ds/data")
    assert Endpoints.derive("http://h/sparql").graph_store is None


def test_answers_are_those_of_the_embedded_store(remote_store, loaded_store):
    select = f"SELECT ?s ?code WHERE {{ ?s <{CG}iso3166Alpha2> ?code }} ORDER BY ?s"
    assert remote_store.query(select) == loaded_store.query(select)
    assert remote_store.query(f"ASK {{ ?s a <{CG}Incident> }}") is True
    construct = f"CONSTRUCT WHERE {{ ?s a <{CG}Treaty> ; ?p ?o }}"
    remote_triples = remote_store.query(construct)
    assert isinstance(remote_triples, Triples)
    assert all(isinstance(t, Triple) for t in remote_triples)
    assert set(remote_triples) == set(loaded_store.query(construct))


def test_substitutions_travel_as_escaped_values(remote_store):
    sparql = f"SELECT ?state ?code WHERE {{ ?state <{CG}iso3166Alpha2> ?code }}"
    answer = remote_store.query(sparql, substitutions={"code": Literal("FR")})
    assert isinstance(answer, Solutions)
    assert [row[0] for row in answer.rows] == [NamedNode("https://w3id.org/cybergov/id/state/FR")]
    hostile = Literal('FR" } } ; DROP ALL ; SELECT * WHERE { "')
    quads = len(remote_store)
    assert remote_store.query(sparql, substitutions={"code": hostile}).rows == ()
    assert len(remote_store) == quads


def test_rows_are_capped_with_the_cut_said(remote_store):
    answer = remote_store.query(f"SELECT ?s WHERE {{ ?s a <{CG}State> }}", max_rows=10)
    assert len(answer.rows) == 10 and answer.truncated
    graph = remote_store.query(f"CONSTRUCT WHERE {{ ?s a <{CG}State> }}", max_rows=10)
    assert len(graph) == 10 and graph.truncated


def test_a_slow_query_is_a_timeout():
    with OxigraphServer(timeout=60) as server:
        store = remote(server)
        store.update(
            "INSERT DATA { GRAPH <http://ex/g> { "
            + " ".join(f"<http://ex/s{i}> <http://ex/p> {i} ." for i in range(300))
            + " } }"
        )
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            store.query(ENDLESS, timeout=1)
        assert time.monotonic() - started < 30  # the client's deadline, not the server's limit


def test_a_server_without_the_union_default_graph_is_refused_plainly():
    with OxigraphServer(union=False) as server:
        store = remote(server)
        store.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
        with pytest.raises(StoreError, match="--union-default-graph"):
            store.query("SELECT * WHERE { ?s ?p ?o }")


def test_an_unreachable_server_is_said_to_be_unreachable():
    store = RemoteStore(Endpoints.derive(f"http://127.0.0.1:{free_port()}"), timeout=2)
    with pytest.raises(StoreUnavailable, match="cannot reach"):
        store.query("ASK { ?s ?p ?o }")
    with pytest.raises(StoreUnavailable):
        store.update("INSERT DATA { <http://ex/a> <http://ex/b> 1 }")


def test_graphs_are_written_read_and_dropped_with_the_graph_store_protocol():
    with OxigraphServer() as server:
        store = remote(server)
        graph = "http://ex/graph"
        size = store.replace_graph(
            graph,
            b"<http://ex/a> <http://ex/p> 1 .\n<http://ex/b> <http://ex/p> 2 .",
            format=RdfFormat.TURTLE,
            source="test",
        )
        assert size == 2 and store.graph_size(graph) == 2 and graph in store.named_graphs()
        added = store.add_triples(
            graph,
            [
                Triple(
                    NamedNode("http://ex/a"),
                    NamedNode("http://ex/p"),
                    Literal("1", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ),
                Triple(NamedNode("http://ex/c"), NamedNode("http://ex/p"), Literal("x")),
            ],
        )
        assert added == 1, "a triple already held is not added again"
        assert {t.subject.value for t in store.graph_triples(graph)} == {
            "http://ex/a",
            "http://ex/b",
            "http://ex/c",
        }
        buffer = io.BytesIO()
        store.export(buffer, RdfFormat.N_QUADS)
        assert len(list(parse(buffer.getvalue(), RdfFormat.N_QUADS))) == 3
        store.replace_graph(graph, b"", format=RdfFormat.N_TRIPLES, source="empty")
        assert store.graph_size(graph) == 0
        store.drop_graph(graph)
        store.drop_graph(graph)  # dropping what is not there is no error
        assert graph not in store.named_graphs()
