"""A real ``cybergov serve`` on 127.0.0.1, asked by real clients."""

from __future__ import annotations

import gzip
import hashlib
import subprocess

import httpx
import pytest
from benchmarks.servers import cybergov_command, cybergov_service, service_environment
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from tests.api.conftest import HTTP_TIMEOUT

pytestmark = pytest.mark.server

FR = URIRef("https://w3id.org/cybergov/id/state/FR")


def test_rdflib_dereferences_a_resource(server):
    graph = Graph().parse(f"{server}/id/state/FR")  # rdflib's own Accept header and parser
    assert (FR, RDFS.label, Literal("France", lang="en")) in graph


@pytest.mark.parametrize(
    ("media_type", "parser"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_content_negotiation_over_http(server, media_type, parser):
    response = httpx.get(
        f"{server}/id/state/FR", headers={"Accept": media_type}, timeout=HTTP_TIMEOUT
    )
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(data=response.content, format=parser)
    assert (FR, RDFS.label, Literal("France", lang="en")) in graph


def test_a_page_and_a_404_over_http(server):
    page = httpx.get(f"{server}/id/state/FR", headers={"Accept": "text/html"}, timeout=HTTP_TIMEOUT)
    assert "<h1>France</h1>" in page.text
    assert '<a href="/id/organisation/eu">European Union</a>' in page.text
    missing = httpx.get(f"{server}/id/state/XX", timeout=HTTP_TIMEOUT)
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found"
    refused = httpx.get(
        f"{server}/id/state/FR", headers={"Accept": "image/png"}, timeout=HTTP_TIMEOUT
    )
    assert refused.status_code == 406


def test_dumps_over_http_are_gzipped_on_request_and_keep_their_checksum(server):
    index = httpx.get(f"{server}/dumps", timeout=HTTP_TIMEOUT).json()
    nquads = next(d for d in index["dumps"] if d["media_type"] == "application/n-quads")
    plain = httpx.get(nquads["url"], headers={"Accept-Encoding": "identity"}, timeout=HTTP_TIMEOUT)
    assert hashlib.sha256(plain.content).hexdigest() == nquads["sha256"]
    with httpx.stream(
        "GET", nquads["url"], headers={"Accept-Encoding": "gzip"}, timeout=HTTP_TIMEOUT
    ) as packed:
        raw = b"".join(packed.iter_raw())
        assert packed.headers["content-encoding"] == "gzip"
    assert hashlib.sha256(raw).hexdigest() == nquads["gzip"]["sha256"]
    assert gzip.decompress(raw) == plain.content
    assert httpx.get(f"{server}/dumps", timeout=HTTP_TIMEOUT).json() == index
    healthz = httpx.get(f"{server}/healthz", timeout=HTTP_TIMEOUT).json()
    assert index["version"] == healthz["version"]
    assert nquads["statements"] == healthz["quads"]


def test_cors_over_http(server):
    response = httpx.get(
        f"{server}/void", headers={"Origin": "https://example.org"}, timeout=HTTP_TIMEOUT
    )
    assert response.headers["access-control-allow-origin"] == "*"


def test_several_workers_serve_one_version_with_one_set_of_dumps():
    with cybergov_service("--workers", "2") as (base, _):
        answers = [httpx.get(f"{base}/healthz", timeout=HTTP_TIMEOUT).json() for _ in range(12)]
        assert {a["read_only"] for a in answers} == {True}
        assert len({a["version"] for a in answers}) == 1
        assert len({a["process"] for a in answers}) <= 2
        indexes = [httpx.get(f"{base}/dumps", timeout=HTTP_TIMEOUT).json() for _ in range(6)]
        assert all(index == indexes[0] for index in indexes)


def test_several_workers_read_one_on_disk_store(tmp_path):
    with cybergov_service("--workers", "2", "--store", str(tmp_path / "store")) as (base, _):
        healthz = httpx.get(f"{base}/healthz", timeout=HTTP_TIMEOUT).json()
        assert healthz["read_only"] is True and healthz["quads"] > 10_000
        page = httpx.get(
            f"{base}/id/state/FR", headers={"Accept": "text/turtle"}, timeout=HTTP_TIMEOUT
        )
        assert page.status_code == 200


@pytest.mark.parametrize(
    ("arguments", "settings", "reason"),
    [
        (
            ["--workers", "2"],
            {"contributor_tokens": "alice=a-token-of-thirty-two-characters"},
            "contributions",
        ),
        (["--workers", "3", "--reload-data"], {}, "--reload-data"),
    ],
)
def test_several_workers_that_would_write_are_refused(arguments, settings, reason):
    done = subprocess.run(
        [*cybergov_command(), "serve", "--port", "0", *arguments],
        env=service_environment(settings),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    message = " ".join(done.stderr.split())
    assert reason in message and "Run one (--workers 1)" in message
