"""Fuzzing the service in process: mutated contributions in Turtle, N-Triples, RDF/XML and
JSON-LD, mutated SPARQL queries (by GET and POST) and hostile question parameters. No input
may get a 5xx (but 503 for a query stopped at its deadline, as the service means), and the
service answers afterwards. Bounded to about two minutes; the longer
run is ``benchmarks/fuzz.py``."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import hostile_client
from tests.fuzzing import SYNTAXES, contributions, failed, queries, question_requests, send

pytestmark = pytest.mark.slow

TOKEN = "fuzz-token-0123456789abcdefghijklmnop"
#: Examples per kind: with the deadline below, the whole module stays near two minutes.
BOUNDED = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def client(loaded_store, tmp_path_factory) -> Iterator[TestClient]:
    dumps = tmp_path_factory.mktemp("dumps")
    with hostile_client(loaded_store, dumps, f"fuzzer={TOKEN}", query_timeout=2) as test_client:
        yield test_client
        assert test_client.get("/healthz").status_code == 200


def no_server_error(client: TestClient, kind: str, case: bytes | str) -> None:
    status = send(client, kind, case, token=TOKEN)
    assert not failed(status), f"{kind} got {status}: {case!r:.500}"


@pytest.mark.parametrize("syntax", sorted(SYNTAXES))
def test_mutated_contributions_get_no_5xx(client, syntax):
    @BOUNDED
    @given(contributions(syntax))
    def check(case: bytes) -> None:
        no_server_error(client, syntax, case)

    check()
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.parametrize("kind", ["sparql-get", "sparql-post"])
def test_mutated_queries_get_no_5xx(client, kind):
    @settings(BOUNDED, max_examples=120)
    @given(queries())
    def check(case: str) -> None:
        no_server_error(client, kind, case)

    check()
    assert client.get("/healthz/live").status_code == 200


@pytest.mark.parametrize("kind", ["question", "question-page"])
def test_hostile_question_parameters_get_no_5xx(client, kind):
    @settings(BOUNDED, max_examples=200)
    @given(question_requests())
    def check(case: str) -> None:
        no_server_error(client, kind, case)

    check()
    assert client.get("/healthz/live").status_code == 200
