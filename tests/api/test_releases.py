"""``/releases``: releases at persistent URLs and change sets a partner applies over HTTP."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from cybergov.exchange.changesets import apply_patch, read_patch
from cybergov.exchange.releases import Releases
from cybergov.execution import QueryRunner
from cybergov.knowledge.canonical import canonical_checksum
from cybergov.settings import Settings
from tests.api.conftest import settings
from tests.conftest import ontology_store
from tests.exchange.test_releases import FIRST, SECOND


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    folder = tmp_path_factory.mktemp("releases")
    releases = Releases(folder)
    first, second = ontology_store(FIRST), ontology_store(SECOND)
    options = Settings(query_timeout=30, query_workers=1)
    with QueryRunner(first, settings=options) as runner:
        releases.freeze(runner, "1.0.0", on=date(2026, 1, 15))
    with QueryRunner(second, settings=options) as runner:
        releases.freeze(runner, "1.1.0", on=date(2026, 2, 1))
        app = create_app(
            settings(release_dir=folder, dump_dir=tmp_path_factory.mktemp("dumps")),
            store=second,
            runner=runner,
        )
        with TestClient(app) as test_client:
            yield test_client


def test_the_releases_are_listed_with_their_checksums(client):
    index = client.get("/releases").json()
    assert [r["version"] for r in index["releases"]] == ["1.0.0", "1.1.0"]
    assert index["latest"] == "1.1.0"
    manifest = client.get("/releases/1.0.0").json()
    files = {f["name"]: f for f in manifest["files"]}
    assert files["cybergov.nq.gz"]["persistent_url"] == (
        "https://w3id.org/cybergov/releases/1.0.0/cybergov.nq.gz"
    )
    for name in ("cybergov.ttl", "tables/incidents.csv", "CITATION.cff"):
        response = client.get(f"/releases/1.0.0/{name}")
        assert response.status_code == 200, name
        assert hashlib.sha256(response.content).hexdigest() == files[name]["sha256"]
        assert "immutable" in response.headers["cache-control"]
    assert client.get("/releases/1.0.0/nothing.nq").status_code == 404
    assert client.get("/releases/7.0.0").status_code == 404


def test_a_partner_applies_the_change_set_and_reaches_the_next_checksum(client):
    copy = client.get("/releases/1.0.0/cybergov.canonical.nq").text.splitlines()
    response = client.get("/releases/1.0.0/changes/1.1.0")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/rdf-patch")
    reached = apply_patch(copy, read_patch(response.text))
    assert canonical_checksum(reached) == client.get("/releases/1.1.0").json()["checksum"]
    live = read_patch(client.get("/releases/1.0.0/changes/live").text)
    assert canonical_checksum(apply_patch(copy, live)) == live.headers["toChecksum"]
