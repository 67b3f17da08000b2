"""Descriptions of resources: every graph, derived facts marked, blank nodes, limits."""

from __future__ import annotations

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from cybergov.errors import ResourceNotFound
from cybergov.exchange.resources import describe_resource, description_quads, description_triples
from cybergov.store import EmbeddedStore, Store
from tests.conftest import PREFIXES, ontology_store

ID = "https://w3id.org/cybergov/id/"
WORLD = (
    PREFIXES
    + """
state:XA a cg:State ; rdfs:label "Exampleland"@en ; cg:iso3166Alpha2 "XA" .
organ:xa-intel a cg:IntelligenceService ; rdfs:label "Exampleland intelligence"@en ;
    cg:organOf state:XA ;
    dct:identifier [ rdfs:label "registry entry"@en ; dct:source <https://example.org/registry> ] .
"""
)


@pytest.fixture(scope="module")
def store():
    return ontology_store(WORLD)


def test_stated_and_derived_facts_come_with_their_graph(store):
    description = describe_resource(store, f"{ID}state/XA")
    assert description.title == "Exampleland"
    types = {
        (s.object.value.rsplit("#", 1)[-1], s.graph.rsplit("/", 1)[-1], s.inferred_by)
        for s in description.statements
        if s.predicate.value == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    }
    # stated in the fixture graph; a state is an actor by the subclass rule
    assert ("State", "fixture-0", None) in types
    assert ("Actor", "subclass", "subclass") in types
    assert [t.value.rsplit("#", 1)[-1] for t in description.asserted_types] == ["State"]


def test_incoming_links_name_what_points_at_the_resource(store):
    description = describe_resource(store, f"{ID}state/XA")
    pointing = {(link.subject.value, link.predicate.value) for link in description.incoming}
    assert (f"{ID}organ/xa-intel", "https://w3id.org/cybergov/ontology#organOf") in pointing
    assert description.label(f"{ID}organ/xa-intel") == "Exampleland intelligence"


def test_a_blank_node_is_described_with_the_resource(store):
    description = describe_resource(store, f"{ID}organ/xa-intel")
    assert len(description.nested) == 1
    (inner,) = description.nested.values()
    assert {s.predicate.value.rsplit("/", 1)[-1] for s in inner} >= {"source"}
    triples = description_triples(description)
    blank = [t for t in triples if isinstance(t.subject, BlankNode)]
    assert any(t.object == Literal("registry entry", language="en") for t in blank)


def test_the_rdf_form_adds_only_labels_of_linked_resources(store):
    description = describe_resource(store, f"{ID}organ/xa-intel")
    triples = description_triples(description)
    others = {t.subject for t in triples} - {NamedNode(f"{ID}organ/xa-intel")}
    for subject in others:
        if isinstance(subject, NamedNode):
            assert {t.predicate.value for t in triples if t.subject == subject} == {
                "http://www.w3.org/2000/01/rdf-schema#label"
            }
    quads = description_quads(description)
    organ_of = [q for q in quads if q.predicate.value.endswith("organOf")]
    assert [q.graph_name.value for q in organ_of] == [
        "https://w3id.org/cybergov/graph/kg/fixture-0"
    ]


def test_limits_are_flagged(store):
    description = describe_resource(store, f"{ID}state/XA", max_statements=2, max_incoming=0)
    assert len(description.statements) == 2 and description.more_statements
    assert description.incoming == () and description.more_incoming


@pytest.mark.parametrize("iri", [f"{ID}state/XZ", f"{ID}a b", "not an iri", f"{ID}x>"])
def test_unknown_or_invalid_iris_are_not_found(store, iri):
    with pytest.raises(ResourceNotFound):
        describe_resource(store, iri)


class ThroughSparql(Store):
    """The same engine seen only through the Store interface, as a remote store is seen."""

    def __init__(self, inner: EmbeddedStore) -> None:
        self.inner = inner

    def query(self, sparql, **options):
        return self.inner.query(sparql, **options)

    def update(self, sparql):
        self.inner.update(sparql)

    def replace_graph(self, graph, data, **options):
        return self.inner.replace_graph(graph, data, **options)

    def add_triples(self, graph, triples):
        return self.inner.add_triples(graph, triples)

    def drop_graph(self, graph):
        self.inner.drop_graph(graph)

    def named_graphs(self):
        return self.inner.named_graphs()

    def graph_triples(self, graph):
        return self.inner.graph_triples(graph)

    def export(self, output, format, *, graph=None):
        self.inner.export(output, format, graph=graph)

    def __len__(self):
        return len(self.inner)


@pytest.mark.parametrize(
    "iri",
    [
        f"{ID}state/FR",
        f"{ID}organisation/eu",
        f"{ID}attribution/opcw-hack-attempt-2018--eu--derived-RU",
        f"{ID}sector/energy",
        "https://w3id.org/cybergov/graph/kg/states",
    ],
)
def test_sparql_and_quad_patterns_describe_alike(loaded_store, iri):
    by_patterns = describe_resource(loaded_store, iri)
    by_sparql = describe_resource(ThroughSparql(loaded_store), iri)
    assert by_sparql.statements == by_patterns.statements
    assert by_sparql.incoming == by_patterns.incoming
    assert by_sparql.nested == by_patterns.nested
    assert by_sparql.labels.as_dict() == by_patterns.labels.as_dict()


def test_sparql_and_quad_patterns_describe_blank_nodes_alike(store):
    iri = f"{ID}organ/xa-intel"
    by_sparql = describe_resource(ThroughSparql(store), iri)
    assert by_sparql.nested == describe_resource(store, iri).nested
    assert by_sparql.labels.as_dict() == describe_resource(store, iri).labels.as_dict()
