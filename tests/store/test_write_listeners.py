"""Every write of a store tells its listeners which graphs it touched: the one place where
what follows the store (the query workers' replica, the search index) learns of changes."""

from __future__ import annotations

from pyoxigraph import NamedNode, RdfFormat, Triple

from cybergov.store.factory import memory_store

GRAPH = "https://w3id.org/cybergov/graph/kg/listened"
TRIPLE = Triple(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o"))


def test_each_write_names_its_graphs():
    store = memory_store()
    heard: list[frozenset[str] | None] = []
    store.listen(heard.append)
    before = store.generation
    store.replace_graph(GRAPH, b"<urn:x:a> <urn:x:b> <urn:x:c> .", format=RdfFormat.N_TRIPLES,
                        source="test")  # fmt: skip
    store.add_triples(GRAPH, [TRIPLE])
    store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <urn:x:d> <urn:x:e> 1 }} }}", graphs=[GRAPH])
    store.update("CLEAR ALL")
    store.drop_graph(GRAPH)
    store.mark_changed()
    named = frozenset({GRAPH})
    # replace, add, an update that says what it writes, one that does not, drop, a direct write
    assert heard == [named, named, named, None, named, None]
    assert store.generation > before
    store.unlisten(heard.append)
    count = len(heard)
    store.drop_graph(GRAPH)
    assert len(heard) == count
