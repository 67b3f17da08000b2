"""``/contributions``: accepted (stored with provenance, derived facts following), rejected
(422, nothing stored), refused (413, 415, 401, 403), read and withdrawn (exactly its graph
gone, its derived facts with it)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Quad, RdfFormat, parse, serialize

from cybergov.api import create_app
from cybergov.namespaces import CONTRIBUTION_GRAPH_PREFIX, INFERRED_GRAPH_PREFIX, META_GRAPH
from cybergov.store import EmbeddedStore, Solutions
from tests.api.conftest import FIXTURES, fresh_loaded_store, service_client, settings

CONTRIBUTIONS = FIXTURES / "contributions"
GRID = (CONTRIBUTIONS / "grid-attack.ttl").read_bytes()
INCOMPLETE = (CONTRIBUTIONS / "missing-fields.ttl").read_bytes()
ALICE = "alice-token-0123456789abcdefghijklm"
BOB = "bob-token-0123456789abcdefghijklmnop"
ROOT = "root-token-0123456789abcdefghijklmn"
ID = "https://w3id.org/cybergov/id/"
INCIDENT = f"{ID}incident/example-grid-attack-2024"
DERIVED = f"{ID}attribution/example-grid-attack-2024--gb--derived-RU"
CLAIM = f"{ID}claim/example-grid-attack-2024--pattern-RU--un-gge-2015-13f"
TURTLE = {"Content-Type": "text/turtle"}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def store(loaded_store: EmbeddedStore) -> EmbeddedStore:
    """A store of its own: these tests write."""
    return fresh_loaded_store(loaded_store)


@pytest.fixture(scope="module")
def client(store, tmp_path_factory) -> Iterator[TestClient]:
    with service_client(
        store,
        tmp_path_factory.mktemp("dumps"),
        contributor_tokens=f"alice={ALICE}, bob={BOB}",
        admin_tokens=f"root={ROOT}",
        max_contribution_bytes=20_000,
        # What these tests check is what is stored, not how fast: a loaded machine (the race
        # test's reader thread takes its share too) must not turn a write into a 503.
        write_timeout=600,
    ) as test_client:
        yield test_client


def quads(store: EmbeddedStore) -> set[Quad]:
    return set(store.oxigraph.quads_for_pattern(None, None, None, None))


def ask(client: TestClient, query: str) -> bool:
    """A question to the SPARQL endpoint: through the query workers' replica."""
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])


def held(client: TestClient, iri: str) -> bool:
    return ask(client, f"ASK {{ <{iri}> ?p ?o }}")


def contribute(client: TestClient, data: bytes = GRID, **headers: str) -> dict:
    response = client.post(
        "/contributions", content=data, headers={**TURTLE, **bearer(ALICE), **headers}
    )
    assert response.status_code == 201, response.text
    return response.json()


def withdraw(client: TestClient, identifier: str) -> dict:
    response = client.delete(f"/contributions/{identifier}", headers=bearer(ROOT))
    assert response.status_code == 200, response.text
    return response.json()


# --- accepted -----------------------------------------------------------------------------


def test_an_accepted_contribution_is_stored_with_its_provenance(client, store):
    response = client.post("/contributions", content=GRID, headers={**TURTLE, **bearer(ALICE)})
    assert response.status_code == 201
    body = response.json()
    identifier = body["id"]
    assert response.headers["location"] == f"/contributions/{identifier}"
    graph = f"{CONTRIBUTION_GRAPH_PREFIX}{identifier}"
    assert body["graph"] == graph and body["contributor"] == "alice"
    assert body["sha256"] == hashlib.sha256(GRID).hexdigest()
    sent = {q.triple for q in parse(GRID, RdfFormat.TURTLE)}
    assert set(store.graph_triples(graph)) == sent
    assert body["triples"] == len(sent)
    meta = store.query(f"""SELECT ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ <{graph}> ?p ?o }} }}""")
    assert isinstance(meta, Solutions)
    described = {(p.value, o.value) for p, o in meta.rows}
    prov = "http://www.w3.org/ns/prov#"
    assert (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "https://w3id.org/cybergov/ontology#Contribution",
    ) in described
    assert (f"{prov}wasAttributedTo", f"{ID}agent/alice") in described
    assert ("https://w3id.org/cybergov/ontology#sha256", body["sha256"]) in described
    assert ("https://w3id.org/cybergov/ontology#tripleCount", str(len(sent))) in described
    assert (
        "http://purl.org/dc/terms/format",
        "https://www.iana.org/assignments/media-types/text/turtle",
    ) in described
    assert any(p == f"{prov}generatedAtTime" and o == body["received"] for p, o in described)
    record = client.get(response.headers["location"]).json()
    assert record["status"] == "accepted" and record["id"] == identifier
    listed = client.get("/contributions").json()["contributions"]
    assert identifier in [c["id"] for c in listed]
    withdraw(client, identifier)


def test_derived_facts_include_the_contribution_and_leave_with_it(client, store):
    assert not held(client, DERIVED) and not held(client, CLAIM)
    body = contribute(client)
    assert body["derived"]["added"] > 0
    # The GRU's organ link ties it to Russia: the attribution chain derives an attribution.
    assert ask(
        client,
        f"ASK {{ <{DERIVED}> <https://w3id.org/cybergov/ontology#attributedTo> "
        f"<{ID}state/RU> ; <https://w3id.org/cybergov/ontology#derivedFrom> "
        f"<{ID}attribution/example-grid-attack-2024--gb> }}",
    )
    # Destruction is disruptive, energy a critical sector, and the UK named Russia after 2015:
    # a 13(f) pattern match for review.
    assert held(client, CLAIM)
    answer = client.get(
        "/questions/attributions", params={"incident": INCIDENT, "kind": "derived"}
    ).json()
    assert [row["culprit"] for row in answer["rows"]] == [f"{ID}state/RU"]
    before = {
        q for q in quads(store) if not q.graph_name.value.startswith(CONTRIBUTION_GRAPH_PREFIX)
    }
    graph = body["graph"]
    withdrawn = withdraw(client, body["id"])
    assert withdrawn["status"] == "withdrawn" and withdrawn["withdrawn_by"] == "root"
    assert withdrawn["derived"]["removed"] > 0
    assert graph not in store.named_graphs()
    assert not held(client, DERIVED) and not held(client, CLAIM) and not held(client, INCIDENT)
    after = quads(store)
    # Exactly its graph went: every other asserted graph is as it was.
    kept = {
        q for q in before if not q.graph_name.value.startswith((INFERRED_GRAPH_PREFIX, META_GRAPH))
    }
    assert kept <= after
    assert not any(
        INCIDENT in str(q) for q in after if q.graph_name.value.startswith(INFERRED_GRAPH_PREFIX)
    )


@pytest.mark.parametrize(
    ("media_type", "rdf_format"),
    [
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
    ],
)
def test_every_contribution_format_is_accepted(client, store, media_type, rdf_format):
    triples = [q.triple for q in parse(GRID, RdfFormat.TURTLE)]
    data = serialize(triples, format=rdf_format) or b""
    body = contribute(client, data, **{"Content-Type": media_type})
    assert body["media_type"] == media_type
    assert set(store.graph_triples(body["graph"])) == set(triples)
    withdraw(client, body["id"])


def test_a_contribution_reads_as_rdf_and_as_a_page(client):
    body = contribute(client)
    sent = {q.triple for q in parse(GRID, RdfFormat.TURTLE)}
    turtle = client.get(f"/contributions/{body['id']}", headers={"Accept": "text/turtle"})
    assert {q.triple for q in parse(turtle.content, RdfFormat.TURTLE)} == sent
    trig = client.get(f"/contributions/{body['id']}", params={"format": "trig"})
    graphs = {q.graph_name.value for q in parse(trig.content, RdfFormat.TRIG)}
    assert graphs == {body["graph"], META_GRAPH}
    page = client.get(f"/contributions/{body['id']}", headers={"Accept": "text/html"})
    assert "Example grid attack (2024)" in page.text and "alice" in page.text
    withdraw(client, body["id"])


# --- rejected and refused -----------------------------------------------------------------


def test_a_contribution_that_does_not_conform_is_422_and_nothing_is_stored(client, store):
    before = quads(store)
    response = client.post(
        "/contributions", content=INCOMPLETE, headers={**TURTLE, **bearer(ALICE)}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "contribution_rejected"
    assert body["report"]["conforms"] is False
    found = {(r["focus"].rsplit("/", 1)[-1], r["pathLabel"]) for r in body["report"]["results"]}
    assert found == {
        ("example-dam-attack-2032", "description"),
        ("example-dam-attack-2032--gb", "confidence"),
    }
    assert "does not conform" in body["text"] and "expected at least 1 value" in body["text"]
    assert quads(store) == before


@pytest.mark.parametrize(
    ("data", "content_type", "error", "line"),
    [
        (b"@prefix ex: <http://example.org/> .\nex:a ex:b ", "text/turtle", "rdf_syntax_error", 2),
        (b"# nothing\n", "text/turtle", "input_refused", None),
        (
            b"<?xml version='1.0'?><!DOCTYPE r [<!ENTITY a 'x'>]><r/>",
            "application/rdf+xml",
            "input_refused",
            None,
        ),
        (
            b'{"@context": "https://schema.org/", "@id": "http://example.org/a", "name": "a"}',
            "application/ld+json",
            "input_refused",
            None,
        ),
    ],
)
def test_broken_contributions_are_400_and_nothing_is_stored(
    client, store, data, content_type, error, line
):
    before = quads(store)
    response = client.post(
        "/contributions", content=data, headers={"Content-Type": content_type, **bearer(ALICE)}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == error and body["message"]
    assert "Traceback" not in response.text
    if line is not None:
        assert body["line"] == line
    assert quads(store) == before


def test_a_contribution_over_the_limit_is_413_before_it_is_parsed(client, store):
    before = quads(store)
    big = GRID + b"# " + b"x" * 30_000 + b"\n"
    response = client.post("/contributions", content=big, headers={**TURTLE, **bearer(ALICE)})
    assert response.status_code == 413

    def chunks() -> Iterator[bytes]:
        yield GRID
        for _ in range(40):
            yield b"#" + b"x" * 999 + b"\n"

    streamed = client.post("/contributions", content=chunks(), headers={**TURTLE, **bearer(ALICE)})
    assert streamed.status_code == 413
    assert quads(store) == before


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/trig", "application/json", None, "text/turtle; charset=latin-1"],
)
def test_a_contribution_of_another_type_is_415(client, content_type):
    headers = bearer(ALICE) | ({"Content-Type": content_type} if content_type else {})
    response = client.post("/contributions", content=GRID, headers=headers)
    assert response.status_code == 415
    assert response.json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("authorization", [None, "Basic YWxpY2U6c2VjcmV0", "Bearer", "Bearer  "])
def test_no_token_is_401_with_a_challenge(client, store, authorization):
    before = quads(store)
    headers = TURTLE | ({"Authorization": authorization} if authorization else {})
    response = client.post("/contributions", content=GRID, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert quads(store) == before


@pytest.mark.parametrize(
    "token", ["wrong-token-0123456789abcdefghijklm", ROOT, ALICE + "x", ALICE[:-1]]
)
def test_a_wrong_token_is_403(client, store, token):
    before = quads(store)
    response = client.post("/contributions", content=GRID, headers={**TURTLE, **bearer(token)})
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert quads(store) == before


def test_the_token_names_the_contributor(client):
    body = contribute(client, **bearer(BOB))
    assert body["contributor"] == "bob"
    withdraw(client, body["id"])


def test_only_an_admin_withdraws(client, store):
    body = contribute(client)
    for headers, status in (({}, 401), (bearer(ALICE), 403), (bearer("nobody-0123456789abc"), 403)):
        assert client.delete(f"/contributions/{body['id']}", headers=headers).status_code == status
    assert body["graph"] in store.named_graphs()
    withdraw(client, body["id"])


def test_a_withdrawn_contribution_keeps_its_record(client):
    body = contribute(client)
    withdraw(client, body["id"])
    record = client.get(f"/contributions/{body['id']}").json()
    assert record["status"] == "withdrawn" and record["withdrawn_by"] == "root"
    assert client.get(f"/contributions/{body['id']}", params={"format": "ttl"}).status_code == 410
    again = client.delete(f"/contributions/{body['id']}", headers=bearer(ROOT))
    assert again.status_code == 410


@pytest.mark.parametrize("identifier", ["20990101T000000Z-00000000", "nothing", "..%2F..%2Fetc"])
def test_unknown_contributions_are_404(client, identifier):
    assert client.get(f"/contributions/{identifier}").status_code == 404
    assert client.delete(f"/contributions/{identifier}", headers=bearer(ROOT)).status_code == 404


# --- readers never see a change half made ---------------------------------------------------


def test_readers_never_see_a_contribution_without_its_derived_facts(client, store):
    """While contributions come and go, every reading of the store sees the incident and
    its derived attribution together, or neither."""
    query = (
        f"SELECT (EXISTS {{ <{INCIDENT}> ?p ?o }} AS ?asserted) "
        f"(EXISTS {{ <{DERIVED}> ?q ?r }} AS ?derived) WHERE {{}}"
    )
    seen: set[tuple[str, str]] = set()
    done = threading.Event()

    def read() -> None:
        while not done.is_set():
            answer = store.query(query)
            assert isinstance(answer, Solutions)
            seen.add(tuple(term.value for term in answer.rows[0]))  # type: ignore[union-attr]

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            withdraw(client, contribute(client)["id"])
    finally:
        done.set()
        reader.join()
    assert seen <= {("true", "true"), ("false", "false")}
    assert ("false", "false") in seen


# --- services that accept nothing ---------------------------------------------------------


def test_a_read_only_service_refuses_contributions(loaded_store, runner, tmp_path):
    app = create_app(
        settings(dump_dir=tmp_path, read_only=True, contributor_tokens=f"alice={ALICE}"),
        store=loaded_store,
        runner=runner,
    )
    with TestClient(app) as client:
        response = client.post("/contributions", content=GRID, headers={**TURTLE, **bearer(ALICE)})
        assert response.status_code == 403
        assert response.json()["error"] == "read_only"


def test_a_service_without_tokens_refuses_contributions(loaded_store, runner, tmp_path: Path):
    app = create_app(settings(dump_dir=tmp_path), store=loaded_store, runner=runner)
    with TestClient(app) as client:
        response = client.post("/contributions", content=GRID, headers={**TURTLE, **bearer(ALICE)})
        assert response.status_code == 403
        assert "CYBERGOV_CONTRIBUTOR_TOKENS" in response.json()["message"]
        assert client.get("/contributions").json()["count"] == 0


def test_answers_asked_before_a_contribution_are_not_served_after_it(client):
    """The service keeps answers for repeated queries; a write makes them stale."""
    question = "/questions/incidents?target=state:UA&sector=sector:energy&limit=500"
    before = client.get("/sparql", params={"query": f"ASK {{ <{INCIDENT}> ?p ?o }}"}).json()
    listed = {row["incident"] for row in client.get(question).json()["rows"]}
    assert before["boolean"] is False and INCIDENT not in listed
    body = contribute(client)
    assert held(client, INCIDENT)
    assert INCIDENT in {row["incident"] for row in client.get(question).json()["rows"]}
    withdraw(client, body["id"])
    assert not held(client, INCIDENT)
    assert INCIDENT not in {row["incident"] for row in client.get(question).json()["rows"]}


# --- the rules that keep contributions from forging what the graph derives -----------------

RULES = CONTRIBUTIONS / "rules"
RULE_NAMES = sorted({path.stem.rsplit("_", 1)[0] for path in RULES.glob("*.ttl")})


def test_every_contribution_rule_has_both_examples():
    assert set(RULE_NAMES) == {
        "claims-are-asserted",
        "disjoint-kinds",
        "incident-target",
        "no-future-dates",
        "rule-only-terms",
    }
    for name in RULE_NAMES:
        assert (RULES / f"{name}_PASS.ttl").is_file() and (RULES / f"{name}_XFAIL.ttl").is_file()


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_a_contribution_that_breaks_a_rule_is_422_names_the_rule_and_stores_nothing(
    client, store, rule
):
    before = quads(store)
    response = client.post(
        "/contributions",
        content=(RULES / f"{rule}_XFAIL.ttl").read_bytes(),
        headers={**TURTLE, **bearer(ALICE)},
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == "contribution_rejected"
    assert f"[rule: {rule}]" in body["text"]
    assert any(f"[rule: {rule}]" in result["message"] for result in body["report"]["results"])
    assert quads(store) == before


@pytest.mark.parametrize("rule", RULE_NAMES)
def test_a_contribution_that_keeps_a_rule_is_accepted(client, store, rule):
    body = contribute(client, (RULES / f"{rule}_PASS.ttl").read_bytes())
    assert body["graph"] in store.named_graphs()
    withdraw(client, body["id"])


def test_forged_derived_facts_are_refused_by_name(client, store):
    """A derived claim with a made-up explanation, a derived attribution, a bare shortcut:
    each is refused with the term that only the rules write."""
    response = client.post(
        "/contributions",
        content=(RULES / "rule-only-terms_XFAIL.ttl").read_bytes(),
        headers={**TURTLE, **bearer(ALICE)},
    )
    assert response.status_code == 422
    refused = {
        (result["focus"].rsplit("/", 1)[-1], result["path"].rsplit("#", 1)[-1])
        for result in response.json()["report"]["results"]
        if "[rule: rule-only-terms]" in result["message"]
    }
    assert {
        ("notpetya-2017--forged--un-gge-2015-13f", "type"),
        ("notpetya-2017--forged--un-gge-2015-13f", "explanation"),
        ("notpetya-2017--forged--un-gge-2015-13f", "derivedByRule"),
        ("notpetya-2017--forged--derived-RU", "type"),
        ("example-wolf", "sponsoredBy"),
    } <= refused


def test_an_incident_against_an_international_organisation_alone_is_accepted(client, store):
    body = contribute(client, (RULES / "incident-target_PASS.ttl").read_bytes())
    assert held(client, f"{ID}incident/example-parliament-intrusion-2022")
    withdraw(client, body["id"])
