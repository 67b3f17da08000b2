"""``/ontology`` and ``/shapes``: the documentation pages and the RDF they are made of."""

from __future__ import annotations

import re
import shutil
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from cybergov.api import create_app
from cybergov.api import service as service_module
from cybergov.namespaces import ONTOLOGY_GRAPH_PREFIX
from tests.api.conftest import FIXTURES, settings

CG = Namespace("https://w3id.org/cybergov/ontology#")


def section(html: str, anchor: str) -> str:
    """The documentation of one term: its section, found by its anchor."""
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def test_the_ontology_page_documents_every_term_under_its_anchor(client, loaded_store):
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    # every class and property the ontology graphs declare has an anchor
    declared = loaded_store.query(
        "SELECT DISTINCT ?t WHERE { GRAPH ?g { ?t a ?k } "
        "VALUES ?k { <http://www.w3.org/2002/07/owl#Class> "
        "<http://www.w3.org/2002/07/owl#ObjectProperty> "
        "<http://www.w3.org/2002/07/owl#DatatypeProperty> } "
        f'FILTER(STRSTARTS(STR(?g), "{ONTOLOGY_GRAPH_PREFIX}") '
        '&& STRSTARTS(STR(?t), "https://w3id.org/cybergov/ontology#")) }'
    )
    anchors = set(re.findall(r'<section class="term" id="([^"]+)"', html))
    locals_ = {row[0].value.split("#", 1)[1] for row in declared.rows}
    assert len(locals_) > 100
    assert locals_ <= anchors


def test_a_class_shows_its_definition_and_place_in_the_hierarchy(client):
    html = client.get("/ontology", headers={"Accept": "text/html"}).text
    campaign = section(html, "Campaign")
    assert "campaign" in campaign and "Operation Cloud Hopper" in campaign
    assert '<a href="/ontology#Incident">cyber incident</a>' in campaign  # its superclass
    incident = section(html, "Incident")
    assert '<a href="/ontology#Campaign">campaign</a>' in incident  # its subclass
    tree = html.split('<section class="hierarchy">', 1)[1].split("</section>", 1)[0]
    assert re.search(
        r'<a href="/ontology#Incident">cyber incident</a><ul>\s*<li><a href="/ontology#Campaign">',
        tree,
    )


def test_a_property_shows_its_domain_range_and_characteristics(client):
    html = client.get("/ontology").text
    held_by = section(html, "heldBy")
    assert "The state, or the international or regional organisation" in held_by
    assert re.search(r'Domain</dt><dd><a href="/ontology#Position">', held_by)
    on_principle = section(html, "onPrinciple")
    assert re.search(
        r'Range</dt><dd><a href="/ontology#LegalPrinciple">principle of international law</a>',
        on_principle,
    )
    assert "functional" in held_by
    assert '<a href="/ontology/norms">norms</a>' in held_by  # its module


def test_the_concept_schemes_list_their_concepts(client):
    html = client.get("/ontology").text
    sectors = html.split('id="scheme-sectors"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/id/sector/energy">energy</a>' in sectors
    assert "The production, transmission and distribution of electricity" in sectors


def test_a_module_page_documents_only_its_terms(client):
    html = client.get("/ontology/incidents", headers={"Accept": "text/html"}).text
    assert 'id="Campaign"' in html
    assert 'id="heldBy"' not in html
    assert "cybergov: incidents" in html


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/ontology", {"Accept": "text/turtle"}),
        ("/ontology.ttl", {}),
        ("/ontology?format=ttl", {"Accept": "text/html"}),
    ],
)
def test_the_ontology_as_turtle_is_every_triple_of_its_graphs(client, loaded_store, path, headers):
    response = client.get(path, headers=headers)
    assert response.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=response.content, format="turtle")
    assert (CG.Incident, RDF.type, OWL.Class) in graph
    assert (CG.Campaign, RDFS.subClassOf, CG.Incident) in graph
    distinct = {
        t
        for g in loaded_store.named_graphs()
        if g.startswith(ONTOLOGY_GRAPH_PREFIX)
        for t in loaded_store.graph_triples(g)
    }
    assert len(graph) == len(distinct)


def test_a_module_as_rdf_is_its_graph(client, loaded_store):
    response = client.get("/ontology/actors.nt")
    graph = Graph().parse(data=response.content, format="nt")
    assert len(graph) == loaded_store.graph_size(f"{ONTOLOGY_GRAPH_PREFIX}actors")
    assert (CG.State, RDFS.label, Literal("state", lang="en")) in graph


@pytest.mark.parametrize("path", ["/ontology/nothing", "/ontology/nothing.ttl", "/ontology.pdf"])
def test_an_unknown_module_is_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


@contextmanager
def client_with_shapes(store, folder, dumps):
    """A service that reads its shapes from ``folder``."""
    with pytest.MonkeyPatch.context() as patch:
        bundled = service_module.data_folder
        patch.setattr(
            service_module,
            "data_folder",
            lambda name, root=None: folder if name == "shapes" else bundled(name, root),
        )
        with TestClient(create_app(settings(dump_dir=dumps), store=store)) as test_client:
            yield test_client


@pytest.mark.parametrize("exists", [False, True])
def test_without_shapes_the_page_says_so_and_the_rdf_is_empty(loaded_store, tmp_path, exists):
    folder = tmp_path / "shapes"
    if exists:
        folder.mkdir()
        (folder / "README.md").write_text("Shapes come here.")
    with client_with_shapes(loaded_store, folder, tmp_path / "dumps") as client:
        page = client.get("/shapes", headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert "No shapes are published" in page.text
        empty = client.get("/shapes", headers={"Accept": "text/turtle"})
        assert empty.status_code == 200
        assert len(Graph().parse(data=empty.content, format="turtle")) == 0


@pytest.fixture(scope="module")
def shapes_client(loaded_store, tmp_path_factory):
    """A service whose data folder holds the fixture shapes."""
    folder = tmp_path_factory.mktemp("shapes")
    shutil.copy(FIXTURES / "shapes" / "incident.ttl", folder / "incident.ttl")
    with client_with_shapes(loaded_store, folder, tmp_path_factory.mktemp("dumps")) as client:
        yield client


def test_the_shapes_page_documents_each_shape_and_its_constraints(shapes_client):
    html = shapes_client.get("/shapes", headers={"Accept": "text/html"}).text
    shape = section(html, "IncidentShape")
    assert "Incident" in shape
    assert '<a href="/ontology#Incident">cg:Incident</a>' in shape  # its target class
    assert '<a href="/ontology#startDate">cg:startDate</a>' in shape
    assert "1..1" in shape  # exactly one start date
    assert "An incident needs exactly one start date." in shape
    assert "^cg:attributedIncident" in shape  # an inverse path, in SPARQL syntax


def test_the_shapes_as_rdf_are_the_files(shapes_client):
    response = shapes_client.get("/shapes.ttl")
    graph = Graph().parse(data=response.content, format="turtle")
    expected = Graph().parse(FIXTURES / "shapes" / "incident.ttl", format="turtle")
    assert len(graph) == len(expected)
    shape = URIRef("https://w3id.org/cybergov/shapes#IncidentShape")
    assert (shape, SH.targetClass, CG.Incident) in graph


def test_the_prior_version_iri_serves_the_release_kept_whole(client):
    response = client.get("/ontology/0.2.0", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    kept = Graph().parse(data=response.text, format="turtle")
    root = URIRef("https://w3id.org/cybergov/ontology")
    assert kept.value(root, OWL.versionInfo) == Literal("0.2.0")
    # 0.2.0 still gave dates the range xsd:date, which 0.3.0 changed.
    assert (CG.startDate, RDFS.range, XSD.date) in kept
    assert not list(kept.objects(root, OWL.imports))


def test_a_kept_version_in_another_format_and_in_a_browser(client):
    as_ntriples = client.get("/ontology/0.2.0.nt")
    assert as_ntriples.status_code == 200
    assert as_ntriples.headers["content-type"].startswith("application/n-triples")
    in_a_browser = client.get("/ontology/0.2.0", headers={"Accept": "text/html"})
    assert in_a_browser.headers["content-type"].startswith("text/turtle")


def test_the_current_version_iri_is_the_ontology(client):
    response = client.get("/ontology/0.3.0", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/ontology"


def test_an_unknown_version_names_the_known_ones(client):
    response = client.get("/ontology/9.9.9")
    assert response.status_code == 404
    assert "0.2.0" in response.text and "0.3.0" in response.text
