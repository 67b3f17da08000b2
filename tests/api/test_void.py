"""``/void``: the dataset description in VoID and DCAT, read back and checked against the store."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, XSD

from cybergov.exchange import graph_version

VOID = Namespace("http://rdfs.org/ns/void#")
CG = Namespace("https://w3id.org/cybergov/ontology#")
DATASET = URIRef("https://w3id.org/cybergov/void#dataset")
BASE = "http://127.0.0.1:8000/"  # the default public base (CYBERGOV_PUBLIC_BASE)


@pytest.fixture(scope="module")
def void(client) -> Graph:
    response = client.get("/void")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"  # Turtle by default
    return Graph().parse(data=response.content, format="turtle")


def integer(graph: Graph, subject, predicate) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal) and value.datatype == XSD.integer
    return int(value)


def test_the_dataset_says_what_it_is_and_under_which_licence(void, loaded_store):
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert (
        DATASET,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in void
    assert "cyberspace governance" in str(void.value(DATASET, DCTERMS.title))
    publisher = void.value(DATASET, DCTERMS.publisher)
    assert str(void.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == (
        "The cybergov maintainers"
    )
    assert (DATASET, VOID.sparqlEndpoint, URIRef(f"{BASE}sparql")) in void
    assert (DATASET, VOID.uriSpace, Literal("https://w3id.org/cybergov/id/")) in void
    assert str(void.value(DATASET, URIRef("http://www.w3.org/2002/07/owl#versionInfo"))) == (
        graph_version(loaded_store)
    )


def test_each_named_graph_is_a_subset_with_its_size(void, loaded_store):
    subsets = set(void.objects(DATASET, VOID.subset))
    counted = {g for g in loaded_store.named_graphs() if loaded_store.graph_size(g)}
    assert {str(s) for s in subsets} == counted
    for subset in subsets:
        assert integer(void, subset, VOID.triples) == loaded_store.graph_size(str(subset))
    assert integer(void, DATASET, VOID.triples) == len(loaded_store)


def test_the_class_partitions_count_instances(void):
    partitions = {
        void.value(p, VOID["class"]): integer(void, p, VOID.entities)
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert partitions[CG.State] == 193  # kg/states.ttl: every member state of the UN
    assert partitions[CG.Norm] >= 11  # the eleven norms of the 2015 GGE report, and more
    properties = {
        void.value(p, VOID.property): integer(void, p, VOID.triples)
        for p in void.objects(DATASET, VOID.propertyPartition)
    }
    assert properties[CG.iso3166Alpha2] == 193
    assert sum(properties.values()) == integer(void, DATASET, VOID.triples)
    assert integer(void, DATASET, VOID.classes) == len(partitions)
    assert integer(void, DATASET, VOID.properties) == len(properties)


def test_the_dumps_are_distributions_with_media_types(void, client):
    distributions = set(void.objects(DATASET, DCAT.distribution))
    assert URIRef(f"{BASE}dumps/cybergov.nq") in distributions
    assert URIRef(f"{BASE}dumps/cybergov.ttl.gz") in distributions
    # ten RDF dumps, the research tables (zip, package) and the STIX bundle
    assert len(distributions) == 13
    dumps = set(void.objects(DATASET, VOID.dataDump))
    assert len(dumps) == 10
    stix = URIRef(f"{BASE}stix/bundle.json")
    assert (stix, DCAT.accessService, URIRef(f"{BASE}taxii2/")) in void
    assert client.get("/stix/bundle.json").status_code == 200
    nquads = URIRef(f"{BASE}dumps/cybergov.nq")
    iana = "https://www.iana.org/assignments/media-types/"
    assert (nquads, DCAT.mediaType, URIRef(f"{iana}application/n-quads")) in void
    assert (nquads, DCAT.downloadURL, nquads) in void
    tables = {URIRef(f"{BASE}dumps/tables/cybergov-tables.zip"),
              URIRef(f"{BASE}dumps/tables/datapackage.json")}  # fmt: skip
    assert dumps == distributions - tables - {stix}
    for table in tables:
        assert client.get(str(table).removeprefix(BASE.rstrip("/"))).status_code == 200
    assert client.get(str(nquads).removeprefix(BASE.rstrip("/"))).status_code == 200


def test_the_examples_are_resources_this_service_serves(void, client):
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert URIRef("https://w3id.org/cybergov/id/state/AD") in examples  # the first state by IRI
    for example in examples:
        path = str(example).removeprefix("https://w3id.org/cybergov")
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200


def test_the_vocabularies_used_are_listed(void):
    vocabularies = {str(v) for v in void.objects(DATASET, VOID.vocabulary)}
    assert {
        "https://w3id.org/cybergov/ontology#",
        "http://www.w3.org/ns/org#",
        "http://purl.org/dc/terms/",
        "http://www.w3.org/2004/02/skos/core#",
    } <= vocabularies


def test_json_ld_says_the_same_as_turtle(client, void):
    response = client.get("/void", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"] == "application/ld+json"
    assert isomorphic(Graph().parse(data=response.content, format="json-ld"), void)


def test_the_page_shows_the_dataset_for_people(client, loaded_store):
    response = client.get("/void", headers={"Accept": "text/html"})
    html = response.text
    assert "cybergov: the knowledge graph of cyberspace governance" in html
    assert 'href="https://creativecommons.org/licenses/by/4.0/" rel="license"' in html
    assert '<a href="/graph/kg/states">' in html
    assert f"{len(loaded_store):,} triples" in html


def test_the_description_is_revalidated_by_version(client):
    first = client.get("/void")
    again = client.get("/void", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
