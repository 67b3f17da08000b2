"""Memory caps on the query workers: a query past its memory budget is stopped well before
its deadline, its worker replaced, and the next query answered; an answer past its byte cap
is cut and says so."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.errors import QueryStopped
from cybergov.execution import QueryRunner
from cybergov.settings import Settings
from tests.api.conftest import settings

#: Sixty bytes that ask the engine to sort the square of the store (22,000^2 rows).
CARTESIAN = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"


def test_a_cartesian_order_by_is_stopped_at_the_memory_cap(loaded_store):
    settings = Settings(query_workers=1, query_timeout=60, query_memory_bytes=300_000_000)
    with QueryRunner(loaded_store, settings=settings) as runner:
        started = time.monotonic()
        with pytest.raises(QueryStopped, match=r"more memory than a query may \(0.3 GB\)"):
            runner.query(CARTESIAN)
        assert time.monotonic() - started < 30  # the cap, not the deadline, stopped it
        assert runner.query("ASK { ?s ?p ?o }") is True  # a new worker answers


def test_an_answer_past_its_byte_cap_is_cut_and_flagged(loaded_store):
    settings = Settings(query_workers=1, max_answer_bytes=10_000)
    with QueryRunner(loaded_store, settings=settings) as runner:
        answer = runner.select("SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        assert answer.truncated
        assert 0 < len(answer.rows) < 200


def test_the_client_of_a_query_past_the_cap_gets_503_with_a_message(loaded_store, tmp_path):
    app = create_app(
        settings(dump_dir=tmp_path, query_workers=1, query_memory_bytes=300_000_000),
        store=loaded_store,
    )
    with TestClient(app) as client:
        response = client.get("/sparql", params={"query": CARTESIAN})
        assert response.status_code == 503
        body = response.json()
        assert body["error"] == "query_stopped" and "more memory" in body["message"]
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code == 200
