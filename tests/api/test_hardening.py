"""What the attack run found: every input error a 4xx with a message, never a 500; an
internal error closes the connection and still carries the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.api.middleware import CONTENT_SECURITY_POLICY
from cybergov.store import EmbeddedStore
from tests.api.conftest import FIXTURES, hostile_client, settings

TOKEN = "hardening-token-0123456789abcdefghij"
PUBLIC = "https://cybergov.example.org/kg"
GRID = (FIXTURES / "contributions" / "grid-attack.ttl").read_bytes()
BEARER = {"Authorization": f"Bearer {TOKEN}"}
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"

#: Contributions whose IRIs pySHACL read as prefixed names: each was a 500.
OTHER_SCHEMES = {
    "mailto": ("text/turtle", f'<mailto:a@example.org> {RDFS_LABEL} "x" .', "mailto:a@example.org"),
    "tag": ("application/n-triples", f'<tag:example.org,2024:x> {RDFS_LABEL} "x" .', "tag:"),
    "did": ("text/turtle", f'<did:example:123> {RDFS_LABEL} "x" .', "did:example:123"),
    "jsonld-no-context": (
        "application/ld+json",
        '{"@id": "incident:x", "http://www.w3.org/2000/01/rdf-schema#label": "x"}',
        "incident:x",
    ),
    "rdfxml": (
        "application/rdf+xml",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#">'
        '<rdf:Description rdf:about="mailto:a@example.org"><rdfs:label>x</rdfs:label>'
        "</rdf:Description></rdf:RDF>",
        "mailto:a@example.org",
    ),
    "link": (
        "text/turtle",
        "<https://w3id.org/cybergov/id/incident/example-x> "
        "<https://w3id.org/cybergov/ontology#targetedActor> <did:example:1> .",
        "did:example:1",
    ),
    "any-iri": ("text/turtle", '<urn:a> <urn:p> "x" .', "urn:a"),
}


@pytest.fixture(scope="module")
def client(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    with hostile_client(
        loaded_store,
        tmp_path_factory.mktemp("dumps"),
        f"attacker={TOKEN}",
        query_timeout=30,
        public_base=PUBLIC,
    ) as test_client:
        yield test_client


@pytest.mark.parametrize("case", sorted(OTHER_SCHEMES))
def test_a_contribution_about_an_iri_of_another_scheme_is_422_by_name(client, case):
    media_type, body, named = OTHER_SCHEMES[case]
    response = client.post(
        "/contributions", content=body.encode(), headers={"Content-Type": media_type, **BEARER}
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "outside_namespace"
    assert named in response.json()["message"]
    assert client.get("/healthz/live").status_code == 200


def test_an_internal_error_closes_the_connection_and_keeps_the_headers(tmp_path):
    app = create_app(settings(dump_dir=tmp_path, query_workers=1), store=EmbeddedStore())

    @app.get("/failing")
    def failing() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.get("/failing")
    assert response.status_code == 500
    assert response.headers["connection"] == "close"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "a bug" not in response.text


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/nothing-here", 404), ("DELETE", "/sparql", 405), ("GET", "/questions/x", 404)],
)
def test_error_pages_carry_the_security_headers(client, method, path, status):
    for accept in ("application/json", "text/html"):
        response = client.request(method, path, headers={"Accept": accept})
        assert response.status_code == status
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["referrer-policy"] == "no-referrer"


#: A value past the engine's 16 MiB buffer, built by doubling one letter 25 times.
HUGE_VALUE = (
    'SELECT ?a25 WHERE { BIND("a" AS ?a0) '
    + " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(25))
    + " }"
)


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ],
)
def test_an_unknown_function_is_400_with_the_engines_message(client, accept):
    response = client.get(
        "/sparql", params={"query": "SELECT (<urn:f>(1) AS ?x) {}"}, headers={"Accept": accept}
    )
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "query_evaluation_error"
    assert "<urn:f>" in body["message"] and "not supported" in body["message"]


def test_an_unknown_function_in_a_filter_is_400(client):
    query = "SELECT * WHERE { ?s ?p ?o FILTER(<urn:f>(?o)) } LIMIT 1"
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400, response.text
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_a_value_over_the_engines_buffer_is_400(client, accept):
    """Answers in TSV are the engine's own output and pass whole; the other formats are
    read back by the engine, which stops at 16 MiB: that was a 500."""
    response = client.post(
        "/sparql",
        content=HUGE_VALUE,
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert response.status_code == 400, response.text[:500]
    assert "16 MiB" in response.json()["message"]
    assert client.get("/healthz/live").status_code == 200


def test_absolute_urls_come_from_the_public_base_never_from_host(client):
    forged = {"Host": "attacker.example"}
    sent = client.post(
        "/contributions",
        content=GRID,
        headers={"Content-Type": "text/turtle", **BEARER, **forged},
    )
    assert sent.status_code == 201, sent.text
    own = f"{PUBLIC}/contributions/{sent.json()['id']}"
    assert sent.json()["url"] == own
    assert sent.json()["statements"] == f"{own}?format=ttl"
    listed = client.get("/contributions", headers=forged).json()["contributions"]
    assert {entry["url"] for entry in listed} == {own}
    assert (
        client.get("/", headers={**forged, "Accept": "application/json"}).json()["links"]["sparql"]
        == f"{PUBLIC}/sparql"
    )
    described = client.get("/sparql", headers={**forged, "Accept": "text/turtle"}).text
    assert f"<{PUBLIC}/sparql>" in described and "attacker.example" not in described


def test_relative_iris_resolve_against_the_public_base(client):
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?iri WHERE { BIND(<id/state/FR> AS ?iri) }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"][0]["iri"]["value"] == f"{PUBLIC}/id/state/FR"
    described = client.get("/sparql", headers={"Accept": "text/turtle"}).text
    assert f"The base IRI of queries is <{PUBLIC}/>" in described


@pytest.mark.parametrize(
    ("names", "accept", "media_type"),
    [
        # SPARQLWrapper: its name three times, the same in Accept
        (
            ["n3", "n3", "n3"],
            "text/rdf+n3,application/n-triples,text/turtle",
            "text/turtle",
        ),
        (["json-ld", "application/ld+json"], "application/ld+json", "application/ld+json"),
        # Accept wins where it names what it wants
        (["ttl"], "application/n-triples", "application/n-triples"),
        # a browser following a download link gets what the link says
        (["nt"], "text/html,application/xhtml+xml,*/*;q=0.8", "application/n-triples"),
        (["n3"], "*/*", "text/turtle"),
        (["rdf+xml"], None, "application/rdf+xml"),
    ],
)
def test_format_names_and_accept_for_a_graph(client, names, accept, media_type):
    query = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1"
    params = [
        ("query", query),
        *(("format", n) for n in names[:1]),
        *(("output", n) for n in names[1:]),
    ]
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media_type


def test_an_unknown_format_name_is_406_unless_accept_names_one(client):
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    refused = client.get("/sparql", params={"query": query, "format": "ttl"})
    assert refused.status_code == 406
    assert "'ttl'" in refused.json()["message"]
    taken = client.get(
        "/sparql", params={"query": query, "format": "ttl"}, headers={"Accept": "text/csv"}
    )
    assert taken.status_code == 200 and taken.headers["content-type"].startswith("text/csv")
