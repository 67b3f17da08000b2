"""Content negotiation as HTTP defines it: quality values, wildcards, the most specific range."""

from __future__ import annotations

import pytest

from cybergov.api.negotiation import (
    HTML,
    JSON,
    JSON_LD,
    N_TRIPLES,
    RDF_PAGE,
    RDF_XML,
    TURTLE,
    choose,
    negotiate,
    parse_accept,
)
from cybergov.api.routes.dumps import accepts_gzip
from cybergov.errors import NotAcceptable


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, HTML),
        ("", HTML),
        ("*/*", HTML),
        ("text/turtle", TURTLE),
        ("application/ld+json", JSON_LD),
        ("application/json", JSON_LD),  # JSON-LD is the JSON of a resource
        ("application/x-turtle", TURTLE),
        ("text/turtle;q=0.5, application/ld+json", JSON_LD),
        ("text/html;q=0.1, */*;q=0.2", TURTLE),  # the first offer the wildcard rates higher
        ("application/*", JSON_LD),
        ("text/*;q=0.9, text/html;q=0", TURTLE),  # the exact range wins over text/*
        ("application/rdf+xml;q=1.0, application/n-triples;q=0.9", RDF_XML),
        ("Application/N-Triples", N_TRIPLES),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", HTML),  # a browser
    ],
)
def test_the_preferred_representation_wins(accept, expected):
    assert negotiate(accept, RDF_PAGE) is expected


def test_an_alias_never_shadows_an_offered_type():
    assert negotiate("application/json", (HTML, JSON, JSON_LD)) is JSON


@pytest.mark.parametrize("accept", ["image/png", "text/html;q=0, application/*;q=0", "text/csv"])
def test_nothing_acceptable_is_refused_with_the_offers(accept):
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept, RDF_PAGE)
    assert "text/turtle" in caught.value.offered


def test_malformed_ranges_are_skipped():
    assert [r.type for r in parse_accept("garbage, text/turtle;q=x, /x, text/html")] == [
        "text",
        "text",
    ]
    assert negotiate("garbage", RDF_PAGE) is HTML


def test_an_explicit_format_wins_over_accept():
    assert choose("text/html", RDF_PAGE, format="ttl") is TURTLE
    assert choose("text/html", RDF_PAGE, format="application/n-triples") is N_TRIPLES
    assert choose("text/html", RDF_PAGE, extension="jsonld") is JSON_LD
    with pytest.raises(NotAcceptable, match="'pdf' is not offered"):
        choose(None, RDF_PAGE, format="pdf")


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*;q=0.5, gzip;q=0", False),
        ("identity", False),
        (None, False),
    ],
)
def test_gzip_is_sent_only_when_allowed(header, allowed):
    assert accepts_gzip(header) is allowed
