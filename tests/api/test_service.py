"""The service as a whole: health, the home page, CORS, and errors that are JSON and say
nothing of the code."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Query
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.errors import ResourceNotFound, StoreError
from cybergov.exchange import graph_version
from tests.api.conftest import settings


def test_readiness_reports_the_graph_version_and_size(client, loaded_store):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["version"] == graph_version(loaded_store)
    assert body["quads"] == len(loaded_store)
    assert client.get("/healthz/live").json() == {"status": "ok"}


def test_the_home_page_lists_the_entry_points(client):
    html = client.get("/", headers={"Accept": "text/html"}).text
    for path in ("/ontology", "/shapes", "/void", "/dumps", "/docs"):
        assert f'<a href="{path}">' in html
    links = client.get("/", headers={"Accept": "application/json"}).json()["links"]
    assert links["dumps"] == "http://127.0.0.1:8000/dumps"


def test_reads_are_open_to_any_origin(client):
    response = client.get(
        "/id/state/FR", headers={"Origin": "https://example.org", "Accept": "text/turtle"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "ETag" in response.headers["access-control-expose-headers"]
    preflight = client.options(
        "/dumps/cybergov.nq",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["access-control-allow-methods"]


def test_writes_are_not_open_across_origins(client):
    preflight = client.options(
        "/id/state/FR",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "DELETE"},
    )
    assert preflight.status_code == 400
    assert "DELETE" not in preflight.headers.get("access-control-allow-methods", "")


def test_responses_forbid_guessing_their_type(client):
    assert client.get("/id/state/FR?format=ttl").headers["x-content-type-options"] == "nosniff"


def test_an_unknown_path_is_404_in_json(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "there is nothing at /nowhere"}


def test_a_wrong_method_is_405_in_json_with_the_allowed_ones(client):
    response = client.post("/id/state/FR", content=b"<a> <b> <c> .")
    assert response.status_code == 405
    assert response.json()["error"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_the_openapi_document_describes_the_routes(client):
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/id/{path}", "/ontology", "/dumps", "/dumps/{filename}", "/void", "/healthz"} <= set(
        paths
    )
    assert "text/turtle" in paths["/id/{path}"]["get"]["responses"]["200"]["content"]


@pytest.fixture(scope="module")
def failing_client(loaded_store, tmp_path_factory):
    """The service with routes that fail in the ways routes can fail."""
    app = create_app(settings(dump_dir=tmp_path_factory.mktemp("dumps")), store=loaded_store)
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret detail at /srv/cybergov/internal.py line 12")

    @router.get("/store")
    def store_down() -> None:
        raise StoreError("cannot open /var/lib/cybergov/store: disk full")

    @router.get("/missing")
    def missing() -> None:
        raise ResourceNotFound("no question is called 'x'")

    @router.get("/typed")
    def typed(limit: int = Query(ge=1)) -> int:
        return limit

    app.include_router(router, prefix="/test")
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_an_unexpected_exception_is_a_500_without_a_trace(failing_client):
    response = failing_client.get("/test/boom")
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert "secret" not in response.text and "Traceback" not in response.text
    assert "internal.py" not in response.text


def test_a_store_failure_is_a_500_that_hides_the_details(failing_client):
    response = failing_client.get("/test/store")
    assert response.status_code == 500
    assert response.json()["error"] == "store_error"
    assert "/var/lib" not in response.text


def test_a_library_error_maps_to_its_status_and_keeps_its_message(failing_client):
    response = failing_client.get("/test/missing")
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "message": "no question is called 'x'"}


def test_a_bad_parameter_is_422_saying_what_was_expected(failing_client):
    response = failing_client.get("/test/typed?limit=zero")
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert "limit" in body["message"] and "integer" in body["message"]
    assert body["details"][0]["where"] == "query.limit"
