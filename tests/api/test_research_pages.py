"""The research pages over HTTP: search, question forms, the incident browser, timelines,
networks, the SPARQL editor, the offline API documentation and the security headers."""

from __future__ import annotations

import csv
import io

import pytest

from cybergov.api.middleware import CONTENT_SECURITY_POLICY
from cybergov.namespaces import CGR
from cybergov.sparql.catalogue import Catalogue

HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
CATALOGUE = Catalogue.load()


def test_search_as_json(client):
    body = client.get("/search", params={"q": "Fancy Bear"}).json()
    assert body["results"][0]["id"] == "group:apt28"
    assert body["results"][0]["url"] == "/id/group/apt28"
    assert "Fancy Bear" in body["results"][0]["matched"]
    assert body["facets"]["group"] == 1


def test_search_as_a_page_with_facets(client):
    page = client.get("/search", params={"q": "NotPetya"}, headers=HTML)
    assert page.status_code == 200
    assert 'href="/id/incident/notpetya-2017"' in page.text
    assert "kind=incident" in page.text


def test_search_refuses_an_unknown_kind(client):
    response = client.get("/search", params={"q": "x", "kind": "planet"})
    assert response.status_code == 422
    assert "incident" in response.json()["message"]


@pytest.mark.parametrize("question", list(CATALOGUE), ids=lambda q: q.name)
def test_a_browser_gets_the_form_of_every_question(client, question):
    page = client.get(f"/questions/{question.name}", headers=HTML)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for parameter in question.params:
        assert f'name="{parameter.name}"' in page.text
    required = any(p.required for p in question.params)
    assert ('id="answer-heading"' in page.text) is not required


def test_a_form_field_left_empty_is_not_given(client):
    page = client.get(
        "/questions/incidents", params={"year": "", "sector": "", "type": "2"[:0]}, headers=HTML
    )
    assert page.status_code == 200
    assert 'id="answer-heading"' in page.text


def test_a_bad_value_shows_the_form_with_what_was_expected(client):
    page = client.get("/questions/incidents", params={"year": "last"}, headers=HTML)
    assert page.status_code == 422
    assert "not an integer" in page.text
    assert 'class="question-form"' in page.text


def test_a_question_page_links_every_results_format(client):
    page = client.get(
        "/questions/incident-responses", params={"incident": "incident:notpetya-2017"}, headers=HTML
    )
    for name in ("json", "sparql-json", "csv", "tsv", "xml"):
        assert f"format={name}" in page.text
    assert 'data-within="https://w3id.org/cybergov/ontology#Incident"' in page.text


def test_a_counting_question_has_its_chart(client):
    page = client.get("/questions/incidents-by-year", headers=HTML)
    assert '<svg class="chart"' in page.text
    assert 'href="/incidents?year=2017"' in page.text


def test_the_openapi_document_still_types_and_requires(client):
    document = client.get("/openapi.json").json()
    entry = document["paths"]["/questions/incident-responses"]["get"]["parameters"][0]
    assert entry["required"] is True
    assert entry["schema"]["format"] == "iri"
    assert "/docs" not in document["paths"]


def test_the_incident_browser_filters_and_exports(client):
    everything = client.get("/incidents", params={"format": "json"}).json()
    russian = client.get(
        "/incidents", params={"format": "json", "attributed": "state:RU", "year": "2017"}
    ).json()
    assert 0 < russian["total"] < everything["total"]
    assert all(row["start"].startswith("2017") for row in russian["incidents"])
    assert all("Russia" in row["attributed to"] for row in russian["incidents"])
    years = {f["value"]: f["count"] for f in russian["facets"]["year"]}
    assert years["2017"] == russian["total"]
    body = client.get("/incidents", params={"format": "csv", "attributed": "state:RU"}).text
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows and all("Russia" in row["attributed to"] for row in rows)
    eu = client.get("/incidents", params={"format": "json", "eu": "yes"}).json()
    assert any(r["incident"] == f"{CGR}incident/notpetya-2017" for r in eu["incidents"])


def test_timelines_and_networks_as_json(client):
    timeline = client.get("/timeline/incident/notpetya-2017", params={"format": "json"}).json()
    uk = next(e for e in timeline["events"] if e["iri"].endswith("notpetya-2017--gb"))
    assert (uk["date"], uk["daysAfterIncident"], uk["by"]) == (
        "2018-02-15",
        233,
        ["United Kingdom"],
    )
    network = client.get("/network/incident/notpetya-2017", params={"format": "json"}).json()
    ids = {node["id"] for node in network["nodes"]}
    assert {"incident:notpetya-2017", "state:RU", "attribution:notpetya-2017--gb"} <= ids
    assert client.get("/timeline/sector/energy", headers=HTML).status_code == 404
    assert client.get("/network/nothing/here", headers=HTML).status_code == 404


def test_the_sparql_editor(client):
    page = client.get("/sparql", params={"example": "incidents"}, headers=HTML)
    assert "GROUP_CONCAT" in page.text
    assert 'data-prefixes="' in page.text
    answer = client.get(
        "/sparql",
        params={
            "query": "SELECT ?l WHERE { state:RU rdfs:label ?l }",
            "prefixes": "known",
            "format": "csv",
        },
    )
    assert answer.status_code == 200
    assert "Russia" in answer.text
    chart = client.get(
        "/sparql",
        params={
            "query": "SELECT ?t (COUNT(?i) AS ?n) WHERE { ?i cg:incidentType/rdfs:label ?t } "
            "GROUP BY ?t",
            "prefixes": "known",
            "format": "html",
            "view": "chart",
        },
        headers=HTML,
    )
    assert '<svg class="chart"' in chart.text


def test_the_api_documentation_is_served_by_the_service(client):
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.lower()
    bundle = client.get("/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.content) > 100_000
    assert client.get("/docs/assets/index.html").status_code == 404
    assert client.get("/redoc").status_code == 404


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/docs", "/questions", "/id/state/FR"])
def test_one_content_security_policy_everywhere(client, path):
    response = client.get(path, headers=HTML)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert "<script>" not in response.text and "style=" not in response.text
