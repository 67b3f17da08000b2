"""What the API promises clients: question parameters refused with what was expected (an
empty value, a number that is not one, a page far past the end) without ever showing the
SPARQL made from them; ``Allow`` naming every method of a path; an OpenAPI document that
says what each operation answers."""

from __future__ import annotations

import pytest

from cybergov.sparql.catalogue import MAX_PAGE_NUMBER


@pytest.mark.parametrize(
    ("query", "named", "wanted"),
    [
        ("culprit=", "culprit", "expected iri"),
        ("culprit=%20", "culprit", "expected iri"),
        ("limit=", "limit", "a whole number of rows"),
        ("limit=ten", "limit", "a whole number of rows"),
        ("offset=-1", "offset", "greater than or equal to 0"),
        ("offset=99999999999999999999999", "offset", "less than or equal to 1000000000"),
        (f"offset={MAX_PAGE_NUMBER + 1}", "offset", f"less than or equal to {MAX_PAGE_NUMBER}"),
        ("limit=1.5", "limit", "a whole number of rows"),
    ],
)
def test_a_bad_question_parameter_is_422_with_what_was_expected(client, query, named, wanted):
    response = client.get(f"/questions/attributions?{query}")
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert named in message and wanted in message
    for generated in ("SELECT", "WHERE", "OFFSET", "LIMIT "):
        assert generated not in message


def test_an_empty_field_of_the_form_still_means_not_given(client):
    page = client.get("/questions/attributions?culprit=&limit=5", headers={"Accept": "text/html"})
    assert page.status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/sparql", "GET, HEAD, POST"),
        ("PUT", "/contributions", "GET, HEAD, POST"),
        ("POST", "/contributions/20250101T000000Z-00000000", "GET, HEAD, DELETE"),
        ("POST", "/", "GET, HEAD"),
        ("PATCH", "/questions/attributions", "GET, HEAD"),
    ],
)
def test_a_405_lists_every_method_of_the_path(client, method, path, allowed):
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert allowed in response.json()["message"]


def test_the_openapi_document_says_what_each_operation_answers(client):
    document = client.get("/openapi.json").json()
    home = document["paths"]["/"]["get"]["responses"]["200"]["content"]
    assert next(iter(home)) == "text/html" and "application/json" in home
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["name"] != "format":
                    continue
                examples = parameter.get("examples") or parameter.get("schema", {}).get(
                    "examples", []
                )
                shown = [e["value"] if isinstance(e, dict) else e for e in examples]
                for example in shown:  # every example is answered, not refused
                    response = (
                        client.get(path, params={"format": example})
                        if (method == "get" and "{" not in path)
                        else None
                    )
                    if response is not None:
                        assert response.status_code != 406, (path, example)
                if path in ("/", "/sparql", "/contributions", "/dumps", "/questions"):
                    assert "ttl" not in shown, (method, path)
