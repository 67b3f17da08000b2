"""The search index: ranked hits by name, alias, identifier and description, corrections,
facets, and an index that follows the store's writes."""

from __future__ import annotations

import pytest
from pyoxigraph import RdfFormat

from cybergov.explore.search import SearchIndex, edit_distance
from cybergov.namespaces import CG, CGR, graph_iri
from tests.conftest import PREFIXES, ontology_store


@pytest.fixture(scope="module")
def index(loaded_store):
    made = SearchIndex(loaded_store)
    made.build()
    yield made
    made.close()


def first(index, text, **options):
    found = index.search(text, **options)
    assert found.hits, f"nothing found for {text!r}"
    return found.hits[0]


def test_a_group_is_found_by_a_vendor_name(index):
    hit = first(index, "Fancy Bear")
    assert hit.iri == f"{CGR}group/apt28"
    assert "Fancy Bear" in hit.matched


def test_identifiers_find_their_resource(index):
    assert first(index, "32019D0797").iri == f"{CGR}act/32019D0797"
    assert first(index, "G0007").iri == f"{CGR}group/apt28"
    assert first(index, "incident:notpetya-2017").iri == f"{CGR}incident/notpetya-2017"


def test_a_misspelt_word_is_corrected(index):
    found = index.search("sandwrom")
    assert found.corrections == {"sandwrom": ["sandworm"]}
    assert found.hits[0].iri == f"{CGR}group/sandworm"


def test_the_last_word_is_also_a_prefix(index):
    assert first(index, "Sandw").iri == f"{CGR}group/sandworm"
    whole = index.search("Sandw", as_you_type=False)
    assert "sandw" in whole.corrections
    assert f"{CGR}group/sandworm" not in [hit.iri for hit in whole.hits]


def test_facets_count_every_kind_and_kinds_narrow(index):
    found = index.search("NotPetya")
    assert found.facets["incident"] >= 1
    assert found.facets["attribution"] >= 3
    narrowed = index.search("NotPetya", kinds=["incident"])
    assert {hit.kind for hit in narrowed.hits} == {"incident"}
    assert narrowed.total == found.facets["incident"]
    assert narrowed.facets == found.facets


def test_within_a_class(index):
    found = index.search("Russ", within=str(CG.State))
    assert [hit.iri for hit in found.hits] == [f"{CGR}state/RU"]


def test_without_words_a_kind_is_listed(index):
    found = index.search("", kinds=["group"], limit=100)
    assert found.total == len(found.hits) >= 20
    assert all(hit.kind == "group" for hit in found.hits)
    labels = [hit.label for hit in found.hits]
    assert labels == sorted(labels)


def test_nothing_for_nothing(index):
    assert index.search("").total == 0
    assert index.search("qqqqzzzz").hits == ()


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("sandworm", "sandworm", 0), ("sandwrom", "sandworm", 1), ("estnia", "estonia", 1),
     ("kitten", "sitting", 3)],
)  # fmt: skip
def test_edit_distance(a, b, distance):
    assert edit_distance(a, b, 3) == distance
    assert edit_distance(a, b, distance - 1) == distance if distance else True


GROUP = (
    PREFIXES
    + """
@prefix alias: <https://w3id.org/cybergov/id/alias/> .
group:glass-wren a cg:ThreatActorGroup ; rdfs:label "Glasswren Vireo"@en ;
    cg:hasAlias alias:glass-wren--acme--paper-heron .
alias:glass-wren--acme--paper-heron a cg:GroupAlias ; cg:aliasName "Paperheron Vireo" .
"""
)


def test_the_index_follows_the_writes_of_the_store():
    store = ontology_store()
    index = SearchIndex(store)
    index.build()
    assert index.search("Paperheron Vireo").hits == ()
    graph = graph_iri("contribution", "glass-wren")
    store.replace_graph(graph, GROUP.encode(), format=RdfFormat.TURTLE, source="test")
    assert first(index, "Paperheron Vireo").iri == f"{CGR}group/glass-wren"
    # A new alias in a graph of its own reaches the group's document.
    other = graph_iri("contribution", "glass-wren-alias")
    store.update(
        f"""INSERT DATA {{ GRAPH <{other}> {{
          <{CGR}group/glass-wren> <{CG.hasAlias}> <{CGR}alias/glass-wren--x--amber-owl> .
          <{CGR}alias/glass-wren--x--amber-owl> <{CG.aliasName}> "Amberowl Vireo" . }} }}""",
        graphs=[other],
    )
    assert first(index, "Amberowl Vireo").iri == f"{CGR}group/glass-wren"
    store.drop_graph(other)
    assert index.search("Amberowl Vireo").hits == ()
    # A write whose graphs are not known: every graph is compared again.
    store.update(f"DROP GRAPH <{graph}>")
    assert index.search("Glasswren Vireo").hits == ()
    assert index.search("Paperheron Vireo").hits == ()
    index.close()


def test_the_first_letters_of_a_name(index):
    found = index.search("Rus", within=str(CG.State))
    assert found.hits[0].iri == f"{CGR}state/RU"
    assert all(hit.label.lower().startswith("rus") or hit.matched for hit in found.hits)
