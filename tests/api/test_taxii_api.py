"""``/taxii2/`` in the app: resources, errors as TAXII messages, and tokens."""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient

from cybergov.api import create_app
from tests.api.conftest import settings

TAXII = "application/taxii+json;version=2.1"
HEADERS = {"Accept": TAXII}
TOKEN = "a-taxii-token-of-the-tests-0123456789"


def test_discovery_root_and_collections(client):
    discovery = client.get("/taxii2/", headers=HEADERS)
    assert discovery.headers["content-type"] == TAXII
    root = discovery.json()["default"]
    assert discovery.json()["api_roots"] == [root]
    assert client.get(root, headers=HEADERS).json()["versions"] == [TAXII]
    (curated,) = client.get("/taxii2/cybergov/collections/", headers=HEADERS).json()["collections"]
    one = client.get(f"/taxii2/cybergov/collections/{curated['id']}/", headers=HEADERS).json()
    assert one == curated
    assert one["media_types"] == ["application/stix+json;version=2.1"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/taxii2/cybergov/collections/not-a-collection/", 404),
        ("/taxii2/cybergov/collections/not-a-collection/objects/", 404),
        ("/taxii2/cybergov/status/some-status/", 404),
    ],
)
def test_errors_are_taxii_error_messages(client, path, status):
    response = client.get(path, headers=HEADERS)
    assert response.status_code == status
    assert response.headers["content-type"] == TAXII
    assert response.json()["http_status"] == str(status)
    assert response.json()["description"]


def test_other_versions_are_not_acceptable(client):
    older = client.get("/taxii2/", headers={"Accept": "application/taxii+json;version=2.0"})
    assert older.status_code == 406


def test_a_limit_that_is_not_a_number_is_refused(client):
    (curated,) = client.get("/taxii2/cybergov/collections/", headers=HEADERS).json()["collections"]
    url = f"/taxii2/cybergov/collections/{curated['id']}/objects/"
    assert client.get(url, params={"limit": "many"}, headers=HEADERS).status_code == 422
    assert len(client.get(url, params={"limit": 7}, headers=HEADERS).json()["objects"]) == 7


def test_tokens_when_configured(loaded_store, tmp_path):
    app = create_app(settings(dump_dir=tmp_path, taxii_tokens=f"cert={TOKEN}"), store=loaded_store)
    with TestClient(app) as guarded:
        assert guarded.get("/taxii2/", headers=HEADERS).status_code == 401
        bearer = {**HEADERS, "Authorization": f"Bearer {TOKEN}"}
        assert guarded.get("/taxii2/", headers=bearer).status_code == 200
        basic = base64.b64encode(f"cert:{TOKEN}".encode()).decode()
        assert guarded.get(
            "/taxii2/", headers={**HEADERS, "Authorization": f"Basic {basic}"}
        ).is_success
        other = base64.b64encode(f"someone:{TOKEN}".encode()).decode()
        refused = guarded.get("/taxii2/", headers={**HEADERS, "Authorization": f"Basic {other}"})
        assert refused.status_code == 403
        assert guarded.get("/stix").status_code == 200  # the bundles stay open, as /dumps
