"""Loading a real Oxigraph server: the same graph as the embedded store, only what changed."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat

from cybergov.knowledge.load import stored_checksums
from cybergov.knowledge.remote_load import load_remote
from cybergov.namespaces import META_GRAPH, graph_iri
from cybergov.store.remote import Endpoints, RemoteStore
from tests.servers import OxigraphServer

pytestmark = pytest.mark.server

CG = "https://w3id.org/cybergov/ontology#"


def remote(server: OxigraphServer, **options: float) -> RemoteStore:
    return RemoteStore(Endpoints.derive(server.query_endpoint), **options)


def test_loading_gives_the_server_what_the_embedded_store_holds(remote_store, loaded_store):
    assert remote_store.named_graphs() == loaded_store.named_graphs()
    assert len(remote_store) == len(loaded_store)
    assert stored_checksums(remote_store) == stored_checksums(loaded_store)


def test_a_second_load_sends_nothing(remote_store):
    quads = len(remote_store)
    report = load_remote(remote_store)
    assert report.loaded == [] and report.removed == [] and report.inference is None
    assert len(remote_store) == quads


def test_loading_drops_stale_graphs_and_infers_over_contributions():
    with OxigraphServer() as server:
        store = remote(server)
        load_remote(store)
        stale = graph_iri("kg", "withdrawn-topic")
        store.replace_graph(
            stale, b"<http://ex/a> <http://ex/p> 1 .", format=RdfFormat.TURTLE, source="t"
        )
        store.update(f'INSERT DATA {{ GRAPH <{META_GRAPH}> {{ <{stale}> <{CG}sha256> "0" }} }}')
        contribution = graph_iri("contribution", "test")
        store.replace_graph(
            contribution,
            (
                b"<https://w3id.org/cybergov/id/attribution/test--x> a <https://w3id.org/cybergov/ontology#Attribution> ;"
                b" <https://w3id.org/cybergov/ontology#attributedIncident> <https://w3id.org/cybergov/id/incident/notpetya-2017> ;"
                b" <https://w3id.org/cybergov/ontology#attributedBy> <https://w3id.org/cybergov/id/state/FR> ;"
                b" <https://w3id.org/cybergov/ontology#attributedTo> <https://w3id.org/cybergov/id/organ/ru-gru> ;"
                b' <http://www.w3.org/2000/01/rdf-schema#label> "A test attribution"@en .'
            ),
            format=RdfFormat.TURTLE,
            source="contribution",
        )
        report = load_remote(store)
        assert report.removed == [stale]
        assert stale not in store.named_graphs()
        assert contribution in store.named_graphs(), "contributions are the server's own"
        derived = "https://w3id.org/cybergov/id/attribution/test--x--derived-RU"
        assert store.query(
            f"ASK {{ <{derived}> <{CG}attributedTo> <https://w3id.org/cybergov/id/state/RU> }}"
        )
