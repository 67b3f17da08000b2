"""The query runner over a real Oxigraph server: screened, stopped, answers as on the
embedded store."""

from __future__ import annotations

import json

import pytest

from cybergov.errors import QueryRefused, QueryTimeout
from cybergov.execution import QueryRunner, Serialised
from cybergov.settings import Settings
from cybergov.store.remote import Endpoints, RemoteStore
from tests.servers import OxigraphServer

pytestmark = pytest.mark.server

CG = "https://w3id.org/cybergov/ontology#"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def remote(server: OxigraphServer, **options: float) -> RemoteStore:
    return RemoteStore(Endpoints.derive(server.query_endpoint), **options)


def test_the_runner_screens_queries_for_the_remote_store_too(remote_store):
    with QueryRunner(remote_store, settings=Settings(max_rows=5)) as runner:
        with pytest.raises(QueryRefused, match="SERVICE"):
            runner.query("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
        with pytest.raises(QueryRefused, match="update"):
            runner.query("DROP ALL")
        answer = runner.query(f"SELECT ?s WHERE {{ ?s a <{CG}State> }}")
        assert len(answer.rows) == 5 and answer.truncated


def test_from_selects_the_same_graphs_on_both_stores(remote_store, runner):
    states = "https://w3id.org/cybergov/graph/kg/states"
    meta = "https://w3id.org/cybergov/graph/meta"
    queries = [
        f"SELECT (COUNT(*) AS ?n) FROM <{states}> WHERE {{ ?s ?p ?o }}",
        f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{meta}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
        f"SELECT (COUNT(*) AS ?n) FROM NAMED <{meta}> WHERE {{ ?s ?p ?o }}",
    ]
    with QueryRunner(remote_store) as remote_runner:
        for query in queries:
            assert remote_runner.query(query) == runner.query(query), query


def test_written_answers_from_the_remote_store_match_the_embedded_ones(remote_store, runner):
    sparql = f"SELECT ?s WHERE {{ ?s a <{CG}State> }} ORDER BY ?s LIMIT 4"
    with QueryRunner(remote_store, settings=Settings(max_rows=3)) as remote_runner:
        for output in ("json", "csv"):
            remote = remote_runner.query_results(sparql, output)
            local = runner.query_results(sparql, output, max_rows=3)
            assert isinstance(remote, Serialised) and isinstance(local, Serialised)
            assert remote.truncated and local.truncated
            if output == "json":
                assert json.loads(remote.body) == json.loads(local.body)
            else:
                assert remote.body.splitlines() == local.body.splitlines()


def test_the_runner_stops_a_slow_query_on_the_remote_store():
    with OxigraphServer(timeout=3) as server:
        store = remote(server)
        store.update(
            "INSERT DATA { GRAPH <http://ex/g> { "
            + " ".join(f"<http://ex/s{i}> <http://ex/p> {i} ." for i in range(300))
            + " } }"
        )
        with (
            QueryRunner(store, settings=Settings(query_timeout=1)) as runner,
            pytest.raises(QueryTimeout),
        ):
            runner.query(ENDLESS)


def test_relative_iris_resolve_against_the_public_base_on_the_remote_store_too(
    remote_store, runner
):
    query = "SELECT ?iri WHERE { BIND(<id/state/FR> AS ?iri) }"
    settings = Settings(public_base="https://cybergov.example.org/kg")
    with QueryRunner(remote_store, settings=settings) as remote_runner:
        answer = remote_runner.query(query)
    assert answer.rows[0][0].value == "https://cybergov.example.org/kg/id/state/FR"
    own = "SELECT ?iri WHERE { BIND(<x> AS ?iri) } # BASE <urn:not-this/>"
    with QueryRunner(remote_store, settings=settings) as remote_runner:
        based = remote_runner.query("BASE <urn:b/> " + own)
    assert based.rows[0][0].value == "urn:b/x"
