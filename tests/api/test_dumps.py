"""``/dumps``: the whole graph in each format, read back; gzip; checksums that hold."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from rdflib import Dataset, Graph

from cybergov.store import Solutions

DATASETS = {
    "cybergov.nq": "nquads",
    "cybergov.trig": "trig",
    "cybergov.jsonld": "json-ld",
}
GRAPHS = {"cybergov.nt": "nt", "cybergov.ttl": "turtle"}
PLAIN = {"Accept-Encoding": "identity"}
DISTINCT_TRIPLES = (
    "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"
)


@pytest.fixture(scope="module")
def index(client):
    response = client.get("/dumps", headers={"Accept": "application/json"})
    assert response.status_code == 200
    return response.json()


def entry(index, name):
    return next(d for d in index["dumps"] if d["url"].endswith(f"/dumps/{name}"))


def distinct_triples(store) -> int:
    answer = store.query(DISTINCT_TRIPLES)
    assert isinstance(answer, Solutions)
    return int(answer.rows[0][0].value)


def test_the_index_lists_each_format_with_its_size_and_checksum(index, loaded_store):
    from cybergov.exchange import graph_version

    assert index["version"] == graph_version(loaded_store)
    assert index["licence"] == "https://creativecommons.org/licenses/by/4.0/"
    media_types = {d["media_type"] for d in index["dumps"]}
    assert media_types == {
        "application/n-quads",
        "application/trig",
        "application/ld+json",
        "application/n-triples",
        "text/turtle",
    }
    for dump in index["dumps"]:
        assert dump["size"] > 0 and len(dump["sha256"]) == 64
        assert dump["gzip"]["size"] < dump["size"]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_a_dataset_dump_holds_every_quad_of_the_store(client, index, loaded_store, name):
    response = client.get(f"/dumps/{name}", headers=PLAIN)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == entry(index, name)["sha256"]
    assert response.headers["etag"] == f'"{entry(index, name)["sha256"]}"'
    dataset = Dataset()
    dataset.parse(data=response.content, format=DATASETS[name])
    quads = sum(
        len(g) for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier
    )
    assert quads == len(loaded_store)
    assert entry(index, name)["statements"] == len(loaded_store)
    # every named graph that holds something, under its name (empty ones cannot be written)
    written = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert written == {g for g in loaded_store.named_graphs() if loaded_store.graph_size(g)}


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_a_graph_dump_holds_each_triple_of_the_union_once(client, index, loaded_store, name):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 200
    graph = Graph().parse(data=response.content, format=GRAPHS[name])
    expected = distinct_triples(loaded_store)
    assert len(graph) == expected
    assert entry(index, name)["statements"] == expected
    if name.endswith(".nt"):
        assert len(response.content.splitlines()) == expected  # no line twice


def test_gzip_is_sent_when_asked_and_is_the_same_graph(client, index):
    plain = client.get("/dumps/cybergov.nq", headers=PLAIN)
    assert "content-encoding" not in plain.headers
    with client.stream(
        "GET", "/dumps/cybergov.nq", headers={"Accept-Encoding": "gzip"}
    ) as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-encoding"] == "gzip"
        assert response.headers["content-type"] == "application/n-quads"
        assert response.headers["etag"] == f'"{entry(index, "cybergov.nq")["gzip"]["sha256"]}"'
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == plain.content


def test_a_gz_file_is_the_gzipped_dump(client, index):
    with client.stream("GET", "/dumps/cybergov.ttl.gz") as response:
        raw = b"".join(response.iter_raw())
        assert response.headers["content-type"] == "application/gzip"
        assert "content-encoding" not in response.headers
    assert hashlib.sha256(raw).hexdigest() == entry(index, "cybergov.ttl")["gzip"]["sha256"]
    plain = client.get("/dumps/cybergov.ttl", headers=PLAIN)
    assert gzip.decompress(raw) == plain.content


def test_checksums_are_stable_across_requests(client, index):
    again = client.get("/dumps", headers={"Accept": "application/json"}).json()
    assert again == index
    first = client.get("/dumps/cybergov.jsonld").content
    second = client.get("/dumps/cybergov.jsonld").content
    assert first == second


def test_a_dump_can_be_asked_for_by_media_type(client, index):
    response = client.get("/dumps", headers={"Accept": "application/trig", **PLAIN})
    assert response.headers["content-type"] == "application/trig"
    assert hashlib.sha256(response.content).hexdigest() == entry(index, "cybergov.trig")["sha256"]


def test_a_current_copy_is_not_sent_again(client, index):
    etag = f'"{entry(index, "cybergov.nt")["sha256"]}"'
    response = client.get("/dumps/cybergov.nt", headers={"If-None-Match": etag, **PLAIN})
    assert response.status_code == 304
    assert response.content == b""
    stale = client.get("/dumps/cybergov.nt", headers={"If-None-Match": '"stale"', **PLAIN})
    assert stale.status_code == 200


def test_a_range_of_a_dump_can_be_resumed(client, index):
    whole = client.get("/dumps/cybergov.nq", headers=PLAIN).content
    part = client.get("/dumps/cybergov.nq", headers={"Range": "bytes=100-199", **PLAIN})
    assert part.status_code == 206
    assert part.content == whole[100:200]


def test_the_checksum_file_verifies_every_file(client, index):
    lines = client.get("/dumps/SHA256SUMS").text.splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    for dump in index["dumps"]:
        assert listed[dump["url"].rsplit("/", 1)[1]] == dump["sha256"]
        assert listed[dump["gzip"]["url"].rsplit("/", 1)[1]] == dump["gzip"]["sha256"]


def test_the_index_page_links_each_file(client, index):
    html = client.get("/dumps", headers={"Accept": "text/html"}).text
    for dump in index["dumps"]:
        assert f'<a href="{dump["url"]}">' in html
        assert dump["sha256"] in html


@pytest.mark.parametrize("name", ["cybergov.csv", "other.nq", "..%2Fpyproject.toml", "cybergov"])
def test_an_unknown_dump_is_404(client, name):
    response = client.get(f"/dumps/{name}")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"


def test_the_research_tables_are_listed_and_served_with_their_checksums(client, index):
    assert index["tables"].endswith("/dumps/tables")
    listing = client.get("/dumps/tables")
    assert listing.status_code == 200
    files = {f["name"]: f for f in listing.json()["files"]}
    assert {"incidents.csv", "datapackage.json", "codebook.csv", "cybergov-tables.zip"} <= set(
        files
    )
    for name in ("incidents.csv", "cybergov-tables.zip"):
        response = client.get(f"/dumps/tables/{name}")
        assert response.status_code == 200
        assert hashlib.sha256(response.content).hexdigest() == files[name]["sha256"]
        assert response.headers["content-type"].startswith(files[name]["media_type"])
    again = client.get(
        "/dumps/tables/incidents.csv",
        headers={"If-None-Match": f'"{files["incidents.csv"]["sha256"]}"'},
    )
    assert again.status_code == 304
    assert client.get("/dumps/tables/nothing.csv").status_code == 404
