"""Changes worked out on a scratch copy and applied in one update (cybergov.contribute.staging), and the
blank nodes of contributions made IRIs (cybergov.contribute.contributions.skolemised)."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple

from cybergov.contribute.staging import Changes, difference, scratch_copy, stage
from cybergov.errors import StoreError
from cybergov.store import EmbeddedStore
from cybergov.store.batch import GraphBatch

EX = "http://example.org/"
G1, G2, G3 = f"{EX}g1", f"{EX}g2", f"{EX}g3"


def iri(name: str) -> NamedNode:
    return NamedNode(f"{EX}{name}")


def small_store() -> EmbeddedStore:
    store = EmbeddedStore()
    store.oxigraph.extend(
        [
            Quad(iri("a"), iri("p"), Literal("1"), NamedNode(G1)),
            Quad(iri("a"), iri("p"), Literal("2"), NamedNode(G1)),
            Quad(iri("b"), iri("p"), Literal("x"), NamedNode(G2)),
        ]
    )
    store.mark_changed()
    return store


def test_a_scratch_copy_holds_every_quad_and_empty_graph():
    store = small_store()
    store.oxigraph.add_graph(NamedNode(G3))
    copy = scratch_copy(store)
    assert set(copy.oxigraph.quads_for_pattern(None, None, None, None)) == set(
        store.oxigraph.quads_for_pattern(None, None, None, None)
    )
    assert copy.named_graphs() == store.named_graphs() == [G1, G2, G3]


def recorded_updates(store: EmbeddedStore) -> list[str]:
    """The texts of the updates ``store`` runs from now on, in order (they still run)."""
    updates: list[str] = []
    original = store.update
    store.update = lambda text, **options: (  # type: ignore[method-assign]
        updates.append(text),
        original(text, **options),
    )[1]
    return updates


def test_the_difference_is_applied_in_one_update():
    store = small_store()
    updates = recorded_updates(store)

    def edit(scratch: EmbeddedStore) -> None:
        scratch.oxigraph.remove(Quad(iri("a"), iri("p"), Literal("1"), NamedNode(G1)))
        scratch.oxigraph.add(Quad(iri("a"), iri("p"), Literal("3"), NamedNode(G1)))
        scratch.oxigraph.remove_graph(NamedNode(G2))
        scratch.oxigraph.add_graph(NamedNode(G3))

    _, changes = stage(store, edit, infer=False)
    assert len(updates) == 1
    assert changes.dropped == {G2} and changes.created == {G3}
    assert changes.count() == (1, 2)  # "3" added; "1" removed, and "x" with its graph
    assert set(store.graph_triples(G1)) == {
        Triple(iri("a"), iri("p"), Literal("2")),
        Triple(iri("a"), iri("p"), Literal("3")),
    }
    assert store.named_graphs() == [G1, G3]


def test_a_failing_edit_changes_nothing():
    store = small_store()
    before = set(store.oxigraph.quads_for_pattern(None, None, None, None))

    def edit(scratch: EmbeddedStore) -> None:
        scratch.oxigraph.remove_graph(NamedNode(G1))
        raise StoreError("refused")

    with pytest.raises(StoreError):
        stage(store, edit, infer=False)
    assert set(store.oxigraph.quads_for_pattern(None, None, None, None)) == before


def test_only_the_graphs_a_change_touches_are_compared():
    store = small_store()
    target = scratch_copy(store)
    target.oxigraph.remove_graph(NamedNode(G2))
    assert difference(store, target, only=lambda g: g == G1).empty
    assert not difference(store, target).empty


def test_update_text_escapes_terms():
    changes = Changes(added={G1: {Triple(iri("a"), iri("p"), Literal('say "hi"\n} ; CLEAR ALL'))}})
    store = EmbeddedStore()
    changes.apply(store)
    assert [t.object.value for t in store.graph_triples(G1)] == ['say "hi"\n} ; CLEAR ALL']


def test_blank_node_statements_keep_their_node_on_an_embedded_store():
    store = EmbeddedStore()
    node = BlankNode("n1")
    store.oxigraph.add(Quad(node, iri("p"), Literal("1"), NamedNode(G1)))
    Changes(added={G2: {Triple(node, iri("q"), iri("b"))}}).apply(store)
    subjects = {q.subject for q in store.oxigraph.quads_for_pattern(None, None, None, None)}
    assert subjects == {node}


def test_blank_node_statements_are_refused_for_a_remote_store(remote_store):
    before = len(remote_store)
    changes = Changes(added={G1: {Triple(BlankNode("n"), iri("p"), Literal("1"))}})
    with pytest.raises(StoreError, match="blank nodes"):
        changes.apply(remote_store)
    assert len(remote_store) == before


def test_writes_are_counted_once_done():
    store = EmbeddedStore()
    generation = store.generation
    store.update(f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert store.generation > generation


def _quads(store) -> set[Quad]:
    return {
        Quad(t.subject, t.predicate, t.object, NamedNode(graph))
        for graph in store.named_graphs()
        for t in store.graph_triples(graph)
    }


def test_a_graph_written_whole_is_loaded_and_moved_in_place_by_the_one_update():
    """A new graph's statements (``Changes.loaded``) reach an embedded store through a bulk
    load and a move within the update: the store ends as when they are inserted by it."""
    whole = [Triple(iri(f"s{i}"), iri("p"), Literal(str(i))) for i in range(50)]
    extra = {Triple(iri("a"), iri("p"), Literal("4"))}
    store, reference = small_store(), small_store()
    updates = recorded_updates(store)
    loaded = {G3: GraphBatch(G3, whole), f"{EX}g4": GraphBatch(f"{EX}g4", [])}
    changes = Changes(added={G1: extra}, loaded=loaded)
    changes.apply(store)
    Changes(added={G1: extra, G3: set(whole)}, created={f"{EX}g4"}).apply(reference)
    assert len(updates) == 1 and "MOVE SILENT GRAPH" in updates[0]
    assert _quads(store) == _quads(reference)
    assert store.named_graphs() == reference.named_graphs() == [G1, G2, G3, f"{EX}g4"]
    assert changes.count() == (51, 0)


def test_a_graph_written_whole_keeps_its_blank_nodes():
    """A graph whose statements name a blank node is loaded from them, not from their text
    (a parser would name the node anew)."""
    node = BlankNode("kept")
    whole = [Triple(node, iri("p"), Literal("1")), Triple(iri("a"), iri("q"), node)]
    store = small_store()
    Changes(loaded={G3: GraphBatch(G3, whole)}).apply(store)
    assert set(store.graph_triples(G3)) == set(whole)


def test_a_graph_written_whole_is_inserted_by_the_update_of_a_remote_store(remote_store):
    whole = [Triple(iri(f"s{i}"), iri("p"), Literal(str(i))) for i in range(5)]
    try:
        Changes(loaded={G3: GraphBatch(G3, whole)}).apply(remote_store)
        assert set(remote_store.graph_triples(G3)) == set(whole)
        assert "MOVE" not in Changes(loaded={G3: GraphBatch(G3, whole)}).update_text()
    finally:  # the server is shared by the tests of this process: leave it as it was
        remote_store.update(f"DROP SILENT GRAPH <{G3}>", graphs=frozenset({G3}))
