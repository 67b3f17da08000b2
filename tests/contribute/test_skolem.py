"""Blank nodes of a contribution given IRIs: the same IRI for the same blank node, and back."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from cybergov.contribute.contributions import GENID
from cybergov.contribute.skolem import Skolem

EX = "http://example.org/"


def iri(name: str) -> NamedNode:
    return NamedNode(f"{EX}{name}")


def test_blank_nodes_of_a_contribution_become_iris_numbered_as_met():
    one, two = BlankNode("x"), BlankNode("y")
    triples = [
        Triple(one, iri("p"), two),
        Triple(two, iri("p"), Literal("v")),
        Triple(iri("a"), iri("p"), one),
    ]
    made = Skolem(f"{GENID}20250101T000000Z-0123abcd-").triples(triples)
    first, second = (NamedNode(f"{GENID}20250101T000000Z-0123abcd-{n}") for n in (1, 2))
    assert made == [
        Triple(first, iri("p"), second),
        Triple(second, iri("p"), Literal("v")),
        Triple(iri("a"), iri("p"), first),
    ]


def test_an_iri_tells_the_blank_node_it_stands_for_and_no_other_does():
    skolem = Skolem("urn:test:")
    assert skolem.iri("b0") == skolem.iri("b0") == "urn:test:1"
    assert skolem.iri("b1") == "urn:test:2"
    assert skolem.label("urn:test:2") == "b1"
    assert skolem.label("urn:test:3") is None, "an IRI of the same form that stands for nothing"
    assert skolem.label(f"{EX}a") is None
