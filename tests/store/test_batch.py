"""A new graph's statements loaded from their N-Triples text (GraphBatch), compared with
the same statements loaded from their objects."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Triple
from pyoxigraph import Store as OxigraphStore

from cybergov.store.batch import GraphBatch

EX = "https://example.org/"
GRAPH = f"{EX}graph"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _statements() -> list[Triple]:
    s, p = NamedNode(f"{EX}s"), NamedNode(f"{EX}p")
    return [
        Triple(s, p, Literal('quotes " and \\ , a newline\n, a tab\t, é, 😀 and \x01')),
        Triple(s, p, Literal("a label", language="en-GB")),
        Triple(s, p, Literal("2024-01-02", datatype=NamedNode(f"{XSD}date"))),
        Triple(s, p, Literal("not a number", datatype=NamedNode(f"{XSD}integer"))),
        Triple(s, p, NamedNode(f"{EX}o?q=1&r=%20#f")),
        Triple(s, p, Literal("")),
    ]


def _loaded(batch: GraphBatch, graph: NamedNode | None = None) -> set[Quad]:
    engine = OxigraphStore()
    batch.load(engine, graph)
    return set(engine)


def test_the_text_loads_the_statements_the_objects_give() -> None:
    statements = _statements()
    batch = GraphBatch(GRAPH, statements)
    assert batch.text() is not None
    assert (
        _loaded(batch)
        == set(batch)
        == {Quad(t.subject, t.predicate, t.object, NamedNode(GRAPH)) for t in statements}
    )
    staged = NamedNode(f"{GRAPH}#staging")
    assert _loaded(batch, staged) == set(batch.quads(staged))


def test_statements_about_blank_nodes_are_loaded_from_their_objects() -> None:
    node = BlankNode("kept")
    statements = [*_statements(), Triple(node, NamedNode(f"{EX}p"), Literal("1"))]
    batch = GraphBatch(GRAPH, statements)
    assert batch.text() is None
    assert _loaded(batch) == set(batch)


def test_no_statement_loads_nothing() -> None:
    assert not _loaded(GraphBatch(GRAPH, []))
