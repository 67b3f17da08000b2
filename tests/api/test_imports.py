"""``/imports``: an admin imports a tracker's export, lists the imports, withdraws one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cybergov.store import EmbeddedStore
from tests.api.conftest import fresh_loaded_store, service_client
from tests.importers.conftest import CFR_FIXTURE

ALICE = "alice-token-0123456789-abcdefghijklmn"
ROOT = "root-token-0123456789-abcdefghijklmno"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="module")
def client(
    loaded_store: EmbeddedStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    with service_client(
        fresh_loaded_store(loaded_store),
        tmp_path_factory.mktemp("dumps"),
        contributor_tokens=f"alice={ALICE}",
        admin_tokens=f"root={ROOT}",
    ) as test_client:
        yield test_client


def test_import_list_and_withdraw(client: TestClient) -> None:
    data = CFR_FIXTURE.read_bytes()
    headers = {**bearer(ROOT), "Content-Type": "text/csv"}
    response = client.post(
        "/imports/cfr?name=api&filename=export.csv", content=data, headers=headers
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["id"] == "cfr--api" and report["status"] == "imported"
    assert report["counts"]["made"] == 11 and report["counts"]["refused"] == 3
    assert {p["field"] for p in report["problems"]} >= {"Date", "Sponsor", "Victims"}
    listed = client.get("/imports", headers=bearer(ROOT)).json()
    assert [i["id"] for i in listed["imports"]] == ["cfr--api"]
    assert listed["imports"][0]["file"] == "export.csv"
    # the imported facts are answered like the curated ones
    answer = client.get(
        "/sparql",
        params={
            "query": "ASK { GRAPH <https://w3id.org/cybergov/graph/import/cfr/api> { ?s ?p ?o } }"
        },
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.json()["boolean"] is True
    gone = client.delete("/imports/cfr--api", headers=bearer(ROOT))
    assert gone.status_code == 200 and gone.json()["withdrawn"] is True
    assert client.get("/imports", headers=bearer(ROOT)).json()["count"] == 0
    assert client.delete("/imports/cfr--api", headers=bearer(ROOT)).status_code == 404


def test_only_admins_import(client: TestClient) -> None:
    data = CFR_FIXTURE.read_bytes()
    assert client.post("/imports/cfr", content=data).status_code == 401
    assert client.post("/imports/cfr", content=data, headers=bearer(ALICE)).status_code == 403
    assert client.get("/imports", headers=bearer(ALICE)).status_code == 403


def test_unknown_source_and_unreadable_file(client: TestClient) -> None:
    assert client.post("/imports/nope", content=b"x", headers=bearer(ROOT)).status_code == 404
    bad = client.post("/imports/cfr", content=b"A,B\n1,2\n", headers=bearer(ROOT))
    assert bad.status_code == 400
    assert "missing columns" in bad.json()["message"]
