"""``/sparql`` counts ad-hoc queries against their client: 429 with Retry-After past the
budget, while the named questions go on being answered."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from tests.api.conftest import settings

QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    app = create_app(
        settings(
            dump_dir=tmp_path_factory.mktemp("dumps"),
            query_workers=1,
            client_query_seconds=0.000001,
            answer_cache_bytes=0,
        ),
        store=loaded_store,
    )
    with TestClient(app) as test_client:
        yield test_client


def test_a_client_past_its_budget_gets_429_with_retry_after(client):
    first = client.get("/sparql", params={"query": QUERY})
    assert first.status_code == 200, first.text
    refused = client.get("/sparql", params={"query": QUERY})
    assert refused.status_code == 429
    assert refused.json()["error"] == "too_many_requests"
    assert "query time" in refused.json()["message"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    question = client.get("/questions/incidents-by-year")
    assert question.status_code == 200, question.text
