"""Every link a page shows leads somewhere: paths answer, anchors exist, outside links are web
addresses."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest

from cybergov.knowledge.checks import read_checks, run_check

PAGES = [
    "/",
    "/id/state/FR",
    "/id/attribution/apt28-germany-czechia-2023--eu",
    "/id/attribution/opcw-hack-attempt-2018--eu--derived-RU",
    "/id/incident/notpetya-2017",
    "/id/scheme/un-gge-2015-norms",
    "/graph/kg/states",
    "/ontology/actors",
    "/void",
    "/dumps",
]


@pytest.fixture(scope="module")
def dangling(loaded_store) -> set[str]:
    """What the data points at without describing it (the dangling-reference check)."""
    check = next(c for c in read_checks() if c.name == "dangling-reference-violation")
    return {v.focus for v in run_check(loaded_store, check).violations}


@pytest.fixture(scope="module")
def ontology_anchors(client) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', client.get("/ontology").text))


@pytest.mark.parametrize("page", PAGES)
def test_every_link_of_a_page_leads_somewhere(client, dangling, ontology_anchors, page):
    html = client.get(page, headers={"Accept": "text/html"}).text
    links = set(re.findall(r'href="([^"]+)"', html))
    assert links
    for link in links:
        target = urlsplit(link.replace("&amp;", "&"))
        if target.scheme:
            assert target.scheme in ("http", "https"), link
            continue
        if target.path == "/ontology" and target.fragment:
            assert unquote(target.fragment) in ontology_anchors, link
            continue
        response = client.get(link.replace("&amp;", "&"), headers={"Accept": "text/html"})
        if response.status_code == 404 and target.path.startswith("/id/"):
            assert f"https://w3id.org/cybergov{unquote(target.path)}" in dangling, link
            continue
        assert response.status_code == 200, link
