"""Virtuoso as the store: Debian's server on 127.0.0.1, its anonymous account read-only,
cybergov writing through the Digest-authenticated endpoints (see tests/servers.py)."""

from __future__ import annotations

import logging
import shutil
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from pyoxigraph import BlankNode, RdfFormat

from cybergov.errors import QueryRefused, QuerySyntaxError, QueryTimeout, SettingsError, StoreError
from cybergov.execution import QueryRunner
from cybergov.knowledge.load import stored_checksums
from cybergov.knowledge.remote_load import load_remote
from cybergov.namespaces import META_GRAPH, graph_iri
from cybergov.settings import Settings, data_root, load_settings
from cybergov.store import Solutions
from cybergov.store.factory import store_from_settings
from cybergov.store.remote import STAGING_GRAPH_PREFIX, RemoteStore
from tests.conftest import VIRTUOSO_LIMIT

pytestmark = [pytest.mark.server, pytest.mark.virtuoso]

ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: A graph of its own for the tests that write, so that the loaded graph stays as it was.
SCRATCH = graph_iri("kg", "virtuoso-scratch")


def anonymous(server) -> RemoteStore:
    """The store as the public sees it: no credentials, every request on /sparql."""
    store = store_from_settings(Settings(endpoint=server.query_endpoint, query_timeout=20))
    assert isinstance(store, RemoteStore)
    return store


def triples(store, graph: str) -> set[str]:
    """The triples of a graph as text, each blank node written alike (servers rename them)."""
    return {
        " ".join("_:" if isinstance(t, BlankNode) else str(t) for t in triple)
        for triple in store.graph_triples(graph)
    }


def test_loading_fills_virtuoso_with_what_the_embedded_store_holds(virtuoso_store, loaded_store):
    ours = [
        g for g in virtuoso_store.named_graphs() if g.startswith(META_GRAPH.removesuffix("meta"))
    ]
    assert ours == loaded_store.named_graphs()  # beside them, Virtuoso's own system graphs
    assert stored_checksums(virtuoso_store) == stored_checksums(loaded_store)
    for graph in loaded_store.named_graphs():
        if graph != META_GRAPH:  # (it says when each graph was written)
            assert triples(virtuoso_store, graph) == triples(loaded_store, graph), graph
            assert virtuoso_store.graph_size(graph) == loaded_store.graph_size(graph), graph
    report = load_remote(virtuoso_store)
    assert report.loaded == [] and report.inference is None  # a second load sends nothing


def test_a_changed_file_is_sent_again_and_nothing_else(virtuoso_store, tmp_path):
    root = tmp_path / "data"
    for folder in ("ontology", "kg", "shapes", "queries"):
        shutil.copytree(data_root() / folder, root / folder)
    states = root / "kg" / "states.ttl"
    states.write_text(
        states.read_text(encoding="utf-8")
        + '\n<https://w3id.org/cybergov/id/state/FR> <http://www.w3.org/2004/02/skos/core#altLabel> "République française"@fr .\n',
        encoding="utf-8",
    )
    try:
        report = load_remote(virtuoso_store, root=root)
        assert report.loaded == ["kg/states"]
        answer = virtuoso_store.query(
            "SELECT ?name WHERE { <https://w3id.org/cybergov/id/state/FR> "
            '<http://www.w3.org/2004/02/skos/core#altLabel> ?name FILTER(LANG(?name) = "fr") }'
        )
        assert [str(row[0]) for row in answer.rows] == ['"République française"@fr']
    finally:
        assert load_remote(virtuoso_store).loaded == ["kg/states"]  # back to the bundled file


def test_a_write_refused_half_way_leaves_the_previous_graph(virtuoso_store):
    """Virtuoso keeps what it had read of a refused Graph Store PUT: cybergov writes to a
    staging graph first, so the graph it replaces is left whole."""
    virtuoso_store.replace_graph(
        SCRATCH,
        b'<http://ex/a> <http://ex/p> "before"@en .',
        format=RdfFormat.N_TRIPLES,
        source="before",
    )
    before = len(virtuoso_store)
    # valid RDF that Virtuoso refuses on its last line (a language tag longer than it takes)
    tag = "en-" + "-".join("abcdefgh"[i:] + "abcdefgh"[:i] for i in range(8))
    lines = [f'<http://ex/s{i}> <http://ex/p> "{i}" .' for i in range(3000)]
    lines.append(f'<http://ex/z> <http://ex/p> "after"@{tag} .')  # sent in the file's order
    try:
        with pytest.raises(StoreError, match="language identifier"):
            virtuoso_store.replace_graph(
                SCRATCH, "\n".join(lines).encode(), format=RdfFormat.N_TRIPLES, source="after"
            )
        assert triples(virtuoso_store, SCRATCH) == {'<http://ex/a> <http://ex/p> "before"@en'}
        assert len(virtuoso_store) == before
        assert not [g for g in virtuoso_store._all_graphs() if g.startswith(STAGING_GRAPH_PREFIX)]
    finally:
        virtuoso_store.drop_graph(SCRATCH)


def test_the_anonymous_account_cannot_write(virtuoso_server, virtuoso_store):
    before = len(virtuoso_store)
    public = anonymous(virtuoso_server)
    with pytest.raises(StoreError, match="refused the update"):
        public.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    request = urllib.request.Request(
        virtuoso_server.query_endpoint,
        data=urllib.parse.urlencode({"query": "DROP SILENT GRAPH <http://ex/g>"}).encode(),
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=20)
    assert b"SECURITY" in refused.value.read()
    assert len(virtuoso_store) == before


def test_the_read_path_refuses_writes(virtuoso_store):
    before = len(virtuoso_store)
    with QueryRunner(virtuoso_store, settings=Settings(query_timeout=20)) as runner:
        for update in ("DROP ALL", "INSERT DATA { <http://ex/a> <http://ex/p> 1 }"):
            with pytest.raises(QueryRefused, match="update"):
                runner.query(update)
    with pytest.raises(QuerySyntaxError, match="not a SPARQL query"):
        virtuoso_store.query("CLEAR ALL")
    assert len(virtuoso_store) == before


def test_deadlines_are_reported_as_deadlines(virtuoso_server, virtuoso_store):
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        virtuoso_store.query(ENDLESS, timeout=1)
    # the client's own deadline stopped it, long before the server's limit would have
    assert time.monotonic() - started < VIRTUOSO_LIMIT / 2
    # the server's own limit (MaxQueryExecutionTime) cuts the answer: not an answer
    with (
        QueryRunner(virtuoso_store, settings=Settings(query_timeout=3 * VIRTUOSO_LIMIT)) as runner,
        pytest.raises(QueryTimeout, match="time limit"),
    ):
        runner.query(ENDLESS)


def test_credentials_appear_in_no_url_log_or_error(virtuoso_server, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "not-the-password-" + virtuoso_server.writer_password[:4]
    wrong = store_from_settings(
        Settings(**virtuoso_server.settings(endpoint_password=secret, query_timeout=20))
    )
    with pytest.raises(StoreError) as refused:
        wrong.replace_graph(
            SCRATCH, b'<http://ex/a> <http://ex/p> "1" .', format=RdfFormat.N_TRIPLES, source="x"
        )
    assert "credentials" in str(refused.value)
    with pytest.raises(StoreError) as refused_update:
        wrong.update("INSERT DATA { GRAPH <http://ex/g> { <http://ex/a> <http://ex/p> 1 } }")
    for text in (str(refused.value), str(refused_update.value), caplog.text, repr(wrong)):
        assert secret not in text and virtuoso_server.writer_password not in text
    shown = Settings(**virtuoso_server.settings())
    assert virtuoso_server.writer_password not in f"{shown} {shown!r}"
    in_url = virtuoso_server.query_endpoint.replace("//", f"//cybergov:{secret}@")
    with pytest.raises(SettingsError) as refused_url:
        store_from_settings(Settings(endpoint=in_url))
    assert secret not in str(refused_url.value)
    with pytest.raises(SettingsError, match="give both or neither") as half:
        load_settings(endpoint_password=secret)
    assert secret not in str(half.value)


def test_questions_run_on_virtuoso_through_the_runner(virtuoso_store, runner):
    with QueryRunner(virtuoso_store, settings=Settings(query_timeout=20)) as on_virtuoso:
        text = "SELECT ?s WHERE { ?s a <https://w3id.org/cybergov/ontology#State> } ORDER BY ?s"
        there, here = on_virtuoso.query(text), runner.query(text)
        assert isinstance(there, Solutions) and isinstance(here, Solutions)
        assert there.rows == here.rows
