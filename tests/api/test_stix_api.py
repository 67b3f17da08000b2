"""``/stix``: the bundles over HTTP."""

from __future__ import annotations

from cybergov.exchange.stix import stix_id

MEDIA_TYPE = "application/stix+json;version=2.1"


def test_the_index_lists_the_curated_bundle_and_taxii(client):
    index = client.get("/stix").json()
    assert index["bundles"][0]["graph"] == "curated"
    assert index["taxii"].endswith("/taxii2/")


def test_the_curated_bundle_is_stix_with_an_etag(client):
    response = client.get("/stix/bundle.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == MEDIA_TYPE
    ids = {o["id"] for o in response.json()["objects"]}
    assert stix_id("intrusion-set", "https://w3id.org/cybergov/id/group/apt28") in ids
    again = client.get("/stix/bundle.json", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


def test_since_and_unknown_graphs(client):
    later = client.get("/stix/bundle.json", params={"since": "2999-01-01"}).json()
    assert len(later["objects"]) == 2
    assert client.get("/stix/bundle.json", params={"since": "soon"}).status_code == 422
    missing = client.get("/stix/bundle.json", params={"graph": "https://example.org/g"})
    assert missing.status_code == 404
