"""A real ``cybergov serve`` on 127.0.0.1 asked by real SPARQL clients, sent contributions,
and attacked by hostile queries that must leave it alive and answering."""

from __future__ import annotations

import csv
import io
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from benchmarks.servers import cybergov_service
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

from cybergov.knowledge.remote_load import load_remote
from cybergov.settings import Settings
from cybergov.store.factory import store_from_settings
from tests.api.conftest import FIXTURES, HTTP_TIMEOUT
from tests.servers import OxigraphServer

pytestmark = pytest.mark.server

CG = "https://w3id.org/cybergov/ontology#"
FR = "https://w3id.org/cybergov/id/state/FR"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
FRANCE = f'SELECT ?label WHERE {{ <{FR}> <{LABEL}> ?label FILTER(LANG(?label) = "en") }}'
GRID = (FIXTURES / "contributions" / "grid-attack.ttl").read_bytes()
DERIVED = "https://w3id.org/cybergov/id/attribution/example-grid-attack-2024--gb--derived-RU"
ALICE, ROOT = "alice-token-0123456789abcdefghijklm", "root-token-0123456789abcdefghijklmn"
#: The settings of a server that takes contributions from alice, administered by root.
TOKENS = {"contributor_tokens": f"alice={ALICE}", "admin_tokens": f"root={ROOT}"}


# --- real clients -------------------------------------------------------------------------


def wrapper(server: str, query: str, return_format: str) -> SPARQLWrapper:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client


def test_sparqlwrapper_reads_json(server):
    answer = wrapper(server, FRANCE, JSON).queryAndConvert()
    assert [b["label"]["value"] for b in answer["results"]["bindings"]] == ["France"]


def test_sparqlwrapper_reads_xml(server):
    document = wrapper(server, FRANCE, XML).queryAndConvert()
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert literals == ["France"]


def test_sparqlwrapper_reads_csv(server):
    data = wrapper(server, FRANCE, CSV).queryAndConvert()
    assert list(csv.reader(io.StringIO(data.decode()))) == [["label"], ["France"]]


def test_sparqlwrapper_posts_a_query(server):
    client = wrapper(server, f"ASK {{ <{FR}> a <{CG}State> }}", JSON)
    client.setMethod("POST")
    assert client.queryAndConvert()["boolean"] is True


def test_rdflib_sparqlstore_asks_the_endpoint(server):
    graph = Graph(store=SPARQLStore(query_endpoint=f"{server}/sparql"))
    rows = list(graph.query(FRANCE))
    assert [row[0] for row in rows] == [Literal("France", lang="en")]
    assert (URIRef(FR), URIRef(LABEL), Literal("France", lang="en")) in graph


def test_a_question_over_http(server):
    response = httpx.get(
        f"{server}/questions/incidents-attributed-to-state",
        params={"state": "state:KP"},
        timeout=HTTP_TIMEOUT,
    )
    assert response.status_code == 200
    assert any(row["incident"].endswith("/wannacry-2017") for row in response.json()["rows"])
    assert httpx.get(f"{server}/openapi.json", timeout=HTTP_TIMEOUT).json()["paths"][
        "/questions/incidents"
    ]


# --- hostile queries ----------------------------------------------------------------------


class Canary:
    """A listener on a loopback port that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.1)
        self.port = self.socket.getsockname()[1]
        self.visits = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)
        self.thread.start()

    def watch(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except TimeoutError:
                continue
            self.visits += 1
            connection.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def guarded() -> Iterator[str]:
    """A server with a two-second deadline and one query worker."""
    with cybergov_service(settings={"query_timeout": "2", "query_workers": "1"}) as (base, _):
        yield base


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


def alive(base: str) -> None:
    assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
    answer = httpx.get(f"{base}/sparql", params={"query": FRANCE}, timeout=10)
    assert answer.status_code == 200 and "France" in answer.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{ " * 5000 + "?s ?p ?o " + "} " * 5000,
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE { " + " UNION ".join(["{ ?s ?p ?o }"] * 5000) + " }",
        "SELECT * WHERE { FILTER(" + "!" * 5000 + "true) }",
    ],
    ids=["groups", "brackets", "union", "negations"],
)
def test_deep_queries_are_refused_and_the_server_lives(guarded, query):
    response = httpx.post(f"{guarded}/sparql", data={"query": query}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"] == "query_refused"
    alive(guarded)


def test_nothing_reaches_a_host_named_in_a_query(guarded, canary):
    target = f"http://127.0.0.1:{canary.port}"
    attempts = [
        {"query": f"SELECT * WHERE {{ SERVICE <{target}/sparql> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ ?a ?b ?c . service silent <{target}/> {{ ?s ?p ?o }} }}"},
        {"query": f"SELECT * WHERE {{ SERVICE#\n<{target}/x> {{ ?s ?p ?o }} }}"},
        {"query": f"PREFIX c: <{target}/> SELECT * WHERE {{ {{ SERVICE c:x {{ ?s ?p ?o }} }} }}"},
        {"query": f"SELECT * FROM <{target}/data.ttl> WHERE {{ ?s ?p ?o }}"},
        {"query": f"SELECT * FROM NAMED <{target}/data.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
        {"query": "ASK { ?s ?p ?o }", "default-graph-uri": f"{target}/data.ttl"},
        {"query": "ASK { ?s ?p ?o }", "named-graph-uri": f"{target}/data.ttl"},
        {"query": f"LOAD <{target}/data.ttl>"},
        {"update": f"LOAD <{target}/data.ttl>"},
    ]
    for attempt in attempts:
        response = httpx.post(f"{guarded}/sparql", data=attempt, timeout=30)
        assert response.status_code in (400, 403), (attempt, response.text)
        assert response.json()["message"]
    time.sleep(0.5)
    assert canary.visits == 0
    alive(guarded)


ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_an_endless_query_times_out_and_the_server_answers(guarded):
    started = time.monotonic()
    response = httpx.get(f"{guarded}/sparql", params={"query": ENDLESS}, timeout=60)
    spent = time.monotonic() - started
    assert response.status_code == 503
    assert response.json()["error"] == "query_timeout"
    assert spent < 10
    alive(guarded)


def test_endless_queries_at_once_all_stop_and_the_server_answers(guarded):
    def endless(_: int) -> int:
        return httpx.get(f"{guarded}/sparql", params={"query": ENDLESS}, timeout=60).status_code

    with ThreadPoolExecutor(4) as pool:
        running = [pool.submit(endless, n) for n in range(4)]
        time.sleep(0.5)
        assert httpx.get(f"{guarded}/healthz/live", timeout=5).status_code == 200
        statuses = [future.result() for future in running]
    # one client may run two queries at once (CYBERGOV_CLIENT_QUERIES): those two are stopped
    # at the deadline (503), the other two refused at once as over the client's budget (429)
    assert sorted(statuses) == [429, 429, 503, 503]
    alive(guarded)


# --- contributions, on the embedded store and on a SPARQL server ----------------------------


def contribute_and_withdraw(base: str) -> None:
    derived = f"ASK {{ <{DERIVED}> ?p ?o }}"
    assert (
        httpx.get(f"{base}/sparql", params={"query": derived}, timeout=HTTP_TIMEOUT).json()[
            "boolean"
        ]
        is False
    )
    response = httpx.post(
        f"{base}/contributions",
        content=GRID,
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {ALICE}"},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    location = response.headers["location"]
    assert (
        httpx.get(f"{base}/sparql", params={"query": derived}, timeout=HTTP_TIMEOUT).json()[
            "boolean"
        ]
        is True
    )
    assert httpx.get(f"{base}{location}", timeout=HTTP_TIMEOUT).json()["contributor"] == "alice"
    gone = httpx.delete(
        f"{base}{location}", headers={"Authorization": f"Bearer {ROOT}"}, timeout=60
    )
    assert gone.status_code == 200, gone.text
    assert (
        httpx.get(f"{base}/sparql", params={"query": derived}, timeout=HTTP_TIMEOUT).json()[
            "boolean"
        ]
        is False
    )


def test_contributions_on_a_real_server():
    with cybergov_service(settings=TOKENS) as (base, _):
        contribute_and_withdraw(base)


def rows(url: str) -> list[tuple]:
    """The rows of a question's answer; lists of names (GROUP_CONCAT) in any order."""

    def cell(value: object) -> object:
        return tuple(sorted(value.split("; "))) if isinstance(value, str) else value

    answer = httpx.get(url, timeout=30).json()["rows"]
    return sorted(tuple(cell(row[k]) for k in sorted(row)) for row in answer)


@pytest.mark.slow
def test_serve_a_sparql_server_and_contribute_to_it(server):
    with OxigraphServer(union=True) as oxigraph:
        remote = store_from_settings(Settings(endpoint=oxigraph.query_endpoint))
        load_remote(remote)
        with cybergov_service("--endpoint", oxigraph.query_endpoint, settings=TOKENS) as (base, _):
            question = "/questions/incidents-attributed-to-state?state=state:RU"
            assert rows(f"{base}{question}") == rows(f"{server}{question}")
            answer = httpx.get(
                f"{base}/sparql", params={"query": FRANCE}, timeout=HTTP_TIMEOUT
            ).json()
            assert [b["label"]["value"] for b in answer["results"]["bindings"]] == ["France"]
            contribute_and_withdraw(base)
