"""The TAXII 2.1 server of a real ``cybergov serve``, read by the OASIS ``taxii2-client``."""

from __future__ import annotations

import httpx
import pytest
import requests
from benchmarks.servers import cybergov_service
from pyoxigraph import RdfFormat
from taxii2client.common import TokenAuth
from taxii2client.v21 import Server, as_pages

from cybergov.exchange.stix import stix_id
from cybergov.knowledge.load import refresh_inferences, set_graph_metadata
from cybergov.store.factory import disk_store
from tests.api.conftest import HTTP_TIMEOUT
from tests.conftest import copy_of_loaded
from tests.exchange.test_stix import IMPORT_GRAPH, IMPORT_METADATA, IMPORTED

pytestmark = pytest.mark.server

APT28 = stix_id("intrusion-set", "https://w3id.org/cybergov/id/group/apt28")
TOKEN = "taxii-token-for-the-tests-0123456789"
TAXII = "application/taxii+json;version=2.1"


@pytest.fixture(scope="module")
def store_with_an_import(tmp_path_factory, loaded_folder):
    folder = copy_of_loaded(loaded_folder, tmp_path_factory.mktemp("copy") / "store")
    store = disk_store(folder)
    store.replace_graph(IMPORT_GRAPH, IMPORTED.encode(), format=RdfFormat.TURTLE, source="fixture")
    set_graph_metadata(store, IMPORT_GRAPH, IMPORT_METADATA)
    refresh_inferences(store, force=True)
    store.close()
    return folder


@pytest.fixture(scope="module")
def taxii_server(store_with_an_import):
    with cybergov_service("--store", str(store_with_an_import)) as (base, _):
        yield base


def test_the_client_lists_the_collections_and_pages_through_every_object(taxii_server):
    server = Server(f"{taxii_server}/taxii2/")
    assert server.title == "cybergov TAXII 2.1 server"
    (root,) = server.api_roots
    assert root.versions == [TAXII]
    curated, imported = root.collections
    assert (curated.title, curated.can_read, curated.can_write) == (
        "cybergov: the curated graph",
        True,
        False,
    )
    assert imported.title == "cybergov import: fixture"
    pages = list(as_pages(curated.get_objects, per_request=250))
    assert len(pages) > 2
    assert all(p["more"] for p in pages[:-1]) and not pages[-1]["more"]
    ids = [o["id"] for p in pages for o in p["objects"]]
    bundle = httpx.get(f"{taxii_server}/stix/bundle.json", timeout=HTTP_TIMEOUT).json()
    assert sorted(ids) == sorted(o["id"] for o in bundle["objects"])
    assert len(set(ids)) == len(ids)
    assert {
        o["type"] for p in as_pages(imported.get_objects, per_request=2) for o in p["objects"]
    } == {
        "identity",
        "incident",
        "marking-definition",
        "relationship",
        "report",
    }


def test_the_client_reads_manifests_objects_and_versions(taxii_server):
    collection = Server(f"{taxii_server}/taxii2/").api_roots[0].collections[0]
    manifest = collection.get_manifest(type="intrusion-set")
    assert APT28 in {m["id"] for m in manifest["objects"]}
    assert all(m["media_type"] == "application/stix+json;version=2.1" for m in manifest["objects"])
    (apt28,) = collection.get_object(APT28)["objects"]
    assert apt28["name"] == "APT28"
    versions = collection.object_versions(APT28)["versions"]
    assert versions == [apt28["modified"]]
    everything = [
        m for p in as_pages(collection.get_manifest, per_request=1000) for m in p["objects"]
    ]
    earliest = min(m["date_added"] for m in everything)
    later = [
        m
        for p in as_pages(collection.get_manifest, per_request=1000, added_after=earliest)
        for m in p["objects"]
    ]
    assert {m["id"] for m in later} == {m["id"] for m in everything if m["date_added"] > earliest}
    assert 0 < len(later) < len(everything)


def test_pages_carry_the_date_added_headers_and_errors_are_taxii_messages(taxii_server):
    collections = httpx.get(
        f"{taxii_server}/taxii2/cybergov/collections/",
        headers={"Accept": TAXII},
        timeout=HTTP_TIMEOUT,
    ).json()["collections"]
    url = f"{taxii_server}/taxii2/cybergov/collections/{collections[0]['id']}/objects/"
    first = httpx.get(url, params={"limit": 5}, headers={"Accept": TAXII}, timeout=HTTP_TIMEOUT)
    assert first.headers["content-type"] == TAXII
    assert first.headers["x-taxii-date-added-first"] <= first.headers["x-taxii-date-added-last"]
    assert len(first.json()["objects"]) == 5
    refused = httpx.get(url, headers={"Accept": "text/html"}, timeout=HTTP_TIMEOUT)
    assert refused.status_code == 406
    assert refused.json()["http_status"] == "406"
    bad_next = httpx.get(
        url, params={"next": "nope"}, headers={"Accept": TAXII}, timeout=HTTP_TIMEOUT
    )
    assert bad_next.status_code == 422
    posted = httpx.post(url, json={}, headers={"Accept": TAXII}, timeout=HTTP_TIMEOUT)
    assert posted.status_code == 403


def test_tokens_are_asked_for_when_configured():
    with cybergov_service(settings={"taxii_tokens": f"cert={TOKEN}"}) as (base, _):
        with pytest.raises(requests.HTTPError) as refused:
            Server(f"{base}/taxii2/").refresh()
        assert refused.value.response.status_code == 401
        assert "Bearer" in refused.value.response.headers["www-authenticate"]
        with pytest.raises(requests.HTTPError) as wrong:
            Server(f"{base}/taxii2/", user="cert", password="not-the-token-at-all").refresh()
        assert wrong.value.response.status_code == 403
        basic = Server(f"{base}/taxii2/", user="cert", password=TOKEN)
        assert basic.api_roots[0].collections[0].can_read
        token = Server(f"{base}/taxii2/", auth=TokenAuth(TOKEN))
        assert token.api_roots[0].collections[0].get_object(APT28)["objects"][0]["id"] == APT28


def test_the_stix_index_offers_each_import_as_a_bundle(taxii_server):
    index = httpx.get(f"{taxii_server}/stix", timeout=HTTP_TIMEOUT).json()
    assert [b["graph"] for b in index["bundles"]] == ["curated", IMPORT_GRAPH]
    imported = httpx.get(index["bundles"][1]["url"], timeout=HTTP_TIMEOUT)
    assert imported.headers["content-type"] == "application/stix+json;version=2.1"
    assert "incident" in {o["type"] for o in imported.json()["objects"]}
