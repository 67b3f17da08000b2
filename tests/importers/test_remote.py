"""An import into a SPARQL server (a real Oxigraph server of its own), and its withdrawal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from cybergov.importers.cfr import CfrImporter
from cybergov.importers.run import import_graph, list_imports, run_import, withdraw_import
from cybergov.knowledge.remote_load import load_remote
from cybergov.namespaces import KG_GRAPH_PREFIX
from cybergov.settings import Settings
from cybergov.store.factory import store_from_settings
from cybergov.store.remote import RemoteStore
from tests.importers.conftest import CFR_FIXTURE
from tests.servers import OxigraphServer

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server_store() -> Iterator[RemoteStore]:
    with OxigraphServer(union=True) as server:
        store = store_from_settings(Settings(endpoint=server.query_endpoint, query_timeout=20))
        assert isinstance(store, RemoteStore)
        load_remote(store)
        yield store


def test_import_and_withdraw_on_a_server(server_store: RemoteStore) -> None:
    curated = {
        g: server_store.graph_size(g)
        for g in server_store.named_graphs()
        if g.startswith(KG_GRAPH_PREFIX)
    }
    report = run_import(
        server_store, CfrImporter(), CFR_FIXTURE, name="server", as_of=date(2025, 6, 1)
    )
    assert report.status == "imported" and report.counts.made == 11
    graph = import_graph("cfr", "server")
    assert server_store.graph_size(graph) == report.counts.triples
    assert [r.id for r in list_imports(server_store)] == ["cfr--server"]
    again = run_import(
        server_store, CfrImporter(), CFR_FIXTURE, name="server", as_of=date(2025, 6, 1)
    )
    assert again.status == "unchanged: nothing written"
    withdraw_import(server_store, "cfr--server")
    assert graph not in server_store.named_graphs()
    assert list_imports(server_store) == []
    assert curated == {
        g: server_store.graph_size(g)
        for g in server_store.named_graphs()
        if g.startswith(KG_GRAPH_PREFIX)
    }
