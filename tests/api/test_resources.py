"""Linked data: resources by content negotiation, read back with rdflib; pages with the right
labels and links; 404 and 406; escaping of what contributions will write."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from cybergov.api import create_app
from cybergov.settings import data_root
from tests.api.conftest import settings
from tests.conftest import PREFIXES, ontology_store

CG = Namespace("https://w3id.org/cybergov/ontology#")
ID = "https://w3id.org/cybergov/id/"
GRAPH = "https://w3id.org/cybergov/graph/"
FR = URIRef(f"{ID}state/FR")
EU = URIRef(f"{ID}organisation/eu")
ATTRIBUTION = URIRef(f"{ID}attribution/apt28-germany-czechia-2023--eu")

TRIPLE_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
DATASET_FORMATS = {"application/trig": "trig", "application/n-quads": "nquads"}


@pytest.mark.parametrize("media_type", sorted(TRIPLE_FORMATS))
def test_a_resource_in_each_graph_format_holds_its_facts_and_the_labels_it_links_to(
    client, media_type
):
    response = client.get("/id/state/FR", headers={"Accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=TRIPLE_FORMATS[media_type])
    # kg/states.ttl: France, FR, FRA; kg/memberships.ttl makes it a member of the EU
    assert (FR, RDFS.label, Literal("France", lang="en")) in graph
    assert (FR, CG.iso3166Alpha2, Literal("FR")) in graph
    assert (FR, RDF.type, CG.State) in graph
    assert (FR, URIRef("http://www.w3.org/ns/org#memberOf"), EU) in graph
    assert (EU, RDFS.label, Literal("European Union", lang="en")) in graph
    # the description is about France: every other subject is only labelled
    others = {s for s in graph.subjects() if s != FR}
    assert others and all(set(graph.predicates(s)) == {RDFS.label} for s in others)


@pytest.mark.parametrize("media_type", sorted(DATASET_FORMATS))
def test_a_resource_in_a_dataset_format_keeps_each_fact_in_its_graph(client, media_type):
    response = client.get("/id/state/FR", headers={"Accept": media_type})
    assert response.status_code == 200
    dataset = Dataset()
    dataset.parse(data=response.content, format=DATASET_FORMATS[media_type])
    stated = dataset.graph(URIRef(f"{GRAPH}kg/states"))
    assert (FR, RDFS.label, Literal("France", lang="en")) in stated
    derived = dataset.graph(URIRef(f"{GRAPH}inferred/subclass"))
    assert (FR, RDF.type, CG.Actor) in derived  # a state is an actor, by the subclass rule
    assert (FR, RDF.type, CG.Actor) not in stated


def test_format_and_extension_override_accept(client):
    by_query = client.get("/id/state/FR?format=nt", headers={"Accept": "text/html"})
    by_extension = client.get("/id/state/FR.nt", headers={"Accept": "text/html"})
    assert by_query.headers["content-type"] == "application/n-triples"
    assert by_query.content == by_extension.content
    assert "<https://w3id.org/cybergov/id/state/FR>" in by_query.text


def test_head_answers_like_get_without_a_body(client):
    response = client.head("/id/state/FR", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"].startswith("text/turtle")


def test_the_alternates_are_announced(client):
    link = client.get("/id/state/FR").headers["link"]
    assert '</id/state/FR?format=ttl>; rel="alternate"; type="text/turtle"' in link


def test_a_page_shows_the_label_class_properties_and_links(client):
    response = client.get("/id/state/FR", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert "<h1>France</h1>" in html
    assert '<a href="/ontology#State">state</a>' in html  # its class, by label
    assert '<a href="/ontology#iso3166Alpha2">ISO 3166-1 alpha-2 code</a>' in html
    assert '<a href="/id/organisation/eu">European Union</a>' in html
    # a value a rule derived names its rule; a stated one names its file
    assert 'derived by <a href="/id/rule/current-membership">' in html
    assert '<a href="/graph/kg/states">kg/states.ttl</a>' in html
    # incoming: France's positions point at it with cg:heldBy
    assert '<a href="/ontology#heldBy">held by</a>' in html
    assert (
        '<a href="/id/position/fr--sovereignty-rule">France: sovereignty is a rule in its own '
        "right</a>" in html
    )
    assert "Content-Security-Policy" in response.headers


def test_a_page_links_its_sources_and_its_linked_resources(client):
    html = client.get("/id/attribution/apt28-germany-czechia-2023--eu").text
    source = (
        "https://www.pubaffairsbruxelles.eu/eu-institution-news/cyber-statement-by-the-high-"
        "representative-on-behalf-of-the-eu-on-continued-malicious-behaviour-in-cyberspace-by-"
        "the-russian-federation/"
    )
    sources = html.split("<h2>Sources</h2>", 1)[1].split("</section>", 1)[0]
    assert f'<a href="{source}" rel="nofollow noopener noreferrer" class="external">' in sources
    assert '<a href="/id/state/RU">Russia</a>' in html
    assert '<a href="/id/attribution-status/settled">settled</a>' in html
    assert '<a href="/ontology#attributedTo">attributed to</a>' in html


def test_a_derived_fact_shows_its_rule_and_explanation(client, loaded_store):
    # The EU named the GRU; the attribution-chain rule carries it to Russia through the GRU's
    # organ link, and says so.
    html = client.get("/id/attribution/opcw-hack-attempt-2018--eu--derived-RU").text
    derived = html.split('<section class="derived">', 1)[1].split("</section>", 1)[0]
    assert '<a href="/id/rule/attribution-chain">' in derived
    assert "an organ of Russia" in derived and "did not itself name Russia" in derived
    rule = client.get("/id/rule/attribution-chain", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=rule.content, format="turtle")
    assert (URIRef(f"{ID}rule/attribution-chain"), RDF.type, CG.InferenceRule) in graph


def test_a_graph_is_described_with_the_checksum_of_its_file(client):
    response = client.get("/graph/kg/states", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.content, format="turtle")
    expected = hashlib.sha256((data_root() / "kg" / "states.ttl").read_bytes()).hexdigest()
    assert (URIRef(f"{GRAPH}kg/states"), CG.sha256, Literal(expected)) in graph


@pytest.mark.parametrize(
    "path", ["/id/state/XX", "/id/state", "/id/state/FR/extra", "/id/a%20b", "/id/%3Cx%3E"]
)
def test_an_unknown_resource_is_404_in_json(client, path):
    response = client.get(path)
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert "message" in body


def test_an_unknown_resource_is_a_small_page_for_a_browser(client):
    response = client.get("/id/state/XX", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "https://w3id.org/cybergov/id/state/XX" in response.text


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/id/state/FR", {"Accept": "image/png"}),
        ("/id/state/FR?format=pdf", {}),
        ("/id/state/FR", {"Accept": "text/csv, application/json;q=0"}),
    ],
)
def test_an_unacceptable_type_is_406_with_what_is_offered(client, path, headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 406
    body = response.json()
    assert body["error"] == "not_acceptable"
    assert "text/turtle" in body["offered"]


HOSTILE = (
    PREFIXES
    + """
<https://w3id.org/cybergov/id/state/XS> a cg:State ;
    rdfs:label "<script>alert('label')</script>"@en ;
    dct:description "<img src=x onerror=alert(1)> & more"@en ;
    dct:source <javascript:alert(document.cookie)> , <https://example.org/a?b=1&c=2> ;
    cg:iso3166Alpha2 "XS" .
<https://w3id.org/cybergov/id/state/XT> a cg:State ;
    rdfs:label "Testland\\" onmouseover=\\"alert(2)"@en ;
    cg:memberOf <https://w3id.org/cybergov/id/state/XS> .
"""
)


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory):
    store = ontology_store(HOSTILE)
    app = create_app(settings(dump_dir=tmp_path_factory.mktemp("dumps")), store=store)
    with TestClient(app) as test_client:
        yield test_client


def test_labels_and_sources_cannot_inject_markup_or_script(hostile_client):
    html = hostile_client.get("/id/state/XS", headers={"Accept": "text/html"}).text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt; &amp; more" in html
    assert 'href="javascript:' not in html
    assert "javascript:alert(document.cookie)" in html  # shown as text, not as a link
    assert 'href="https://example.org/a?b=1&amp;c=2"' in html


def test_a_linked_label_cannot_break_out_of_its_attribute_or_element(hostile_client):
    html = hostile_client.get("/id/state/XS", headers={"Accept": "text/html"}).text
    assert "Testland&#34; onmouseover=&#34;alert(2)" in html
    assert not re.search(r"<[^>]*\sonmouseover=", html)


def test_the_hostile_label_round_trips_intact_in_rdf(hostile_client):
    response = hostile_client.get("/id/state/XS", headers={"Accept": "application/ld+json"})
    graph = Graph().parse(data=response.content, format="json-ld")
    label = graph.value(URIRef(f"{ID}state/XS"), RDFS.label)
    assert str(label) == "<script>alert('label')</script>"
    assert (
        URIRef(f"{ID}state/XS"),
        DCTERMS.source,
        URIRef("javascript:alert(document.cookie)"),
    ) in graph


def test_graphs_are_linked_only_where_they_are_described(client):
    html = client.get("/id/rule/subclass", headers={"Accept": "text/html"}).text
    recorded = html.split("<h2>Recorded in</h2>", 1)[1].split("</section>", 1)[0]
    assert "graph/meta" in recorded and 'href="/graph/meta"' not in recorded
    assert client.get("/graph/meta").status_code == 404


def test_an_incident_page_lists_its_attributions(client):
    html = client.get("/id/incident/notpetya-2017", headers={"Accept": "text/html"}).text
    assert "<h1>NotPetya (2017)</h1>" in html
    assert "Destructive malware released on 27 June 2017" in html  # its description
    incoming = html.split("<h2>Referenced by</h2>", 1)[1].split("</section>", 1)[0]
    # kg/incidents-russia.ttl: the United Kingdom's attribution points at the incident
    assert '<a href="/ontology#attributedIncident">attributed incident</a>' in incoming
    assert (
        '<a href="/id/attribution/notpetya-2017--gb">United Kingdom&#39;s attribution of '
        "NotPetya to Russia</a>" in incoming
    )
