"""One way to show an IRI: the shortener, the readable form of a term, the prefix picker."""

from __future__ import annotations

import re

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode

from cybergov.namespaces import PREFIXES, prefixes_for, readable, shorten, shortened

CGR = "https://w3id.org/cybergov/id/"


@pytest.mark.parametrize(
    ("iri", "shown"),
    [
        (f"{CGR}state/FR", "state:FR"),
        (f"{CGR}incident/notpetya-2017", "incident:notpetya-2017"),
        (f"{CGR}act/32019D0797", "act:32019D0797"),
        ("https://w3id.org/cybergov/ontology#Incident", "cg:Incident"),
        ("http://www.w3.org/2001/XMLSchema#date", "xsd:date"),
        # the most specific namespace wins: toolbox-measure, not a longer local name
        (f"{CGR}toolbox-measure/sanctions", "toolbox-measure:sanctions"),
        # what no prefix fits, or what would not read back as a prefixed name, stays whole
        ("https://www.ncsc.gov.uk/news/notpetya", "https://www.ncsc.gov.uk/news/notpetya"),
        (f"{CGR}state/FR/extra", f"{CGR}state/FR/extra"),
        (f"{CGR}state/", f"{CGR}state/"),
        (f"{CGR}state/F.", f"{CGR}state/F."),
        (f"{CGR}state/a b", f"{CGR}state/a b"),
    ],
)
def test_an_iri_is_shortened_only_where_a_prefixed_name_reads_back(iri, shown):
    assert shorten(iri) == shown


def test_every_prefix_shortens_an_iri_of_its_namespace():
    for prefix, namespace in PREFIXES.items():
        assert shorten(f"{namespace}Example1") == f"{prefix}:Example1"


def test_terms_read_as_people_read_them():
    assert readable(NamedNode(f"{CGR}state/FR")) == "state:FR"
    assert readable(Literal("France", language="en")) == "France"
    assert readable(BlankNode("b0")) == "_:b0"
    assert readable(None) == ""


def test_the_prefixes_picked_are_those_the_shortener_uses():
    picked = prefixes_for(
        [f"{CGR}state/FR", "https://w3id.org/cybergov/ontology#Incident", "https://example.org/x"]
    )
    assert picked == {"cg": PREFIXES["cg"], "state": PREFIXES["state"]}
    assert prefixes_for([f"{CGR}state/FR/extra"]) == {}


def _shortened_plainly(iri: str) -> str:
    """The rule of :func:`shorten`, tried namespace by namespace, longest first."""
    for prefix, namespace in sorted(PREFIXES.items(), key=lambda item: -len(item[1])):
        rest = iri[len(namespace) :]
        if iri.startswith(namespace) and re.fullmatch(
            r"[A-Za-z0-9_]([A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?", rest
        ):
            return f"{prefix}:{rest}"
    return iri


def test_the_shortener_gives_what_trying_every_namespace_gives(loaded_store):
    rests = ["", "a", "A1", "a.b", "a.", ".a", "-a", "a-", "_", "a/b", "a#b", "é", "a b", "a:b"]
    iris = {f"{namespace}{rest}" for namespace in PREFIXES.values() for rest in rests}
    iris |= {namespace[:cut] for namespace in PREFIXES.values() for cut in range(1, 12)}
    for quad in loaded_store.oxigraph.quads_for_pattern(None, None, None, None):
        iris.update(t.value for t in (quad.subject, quad.object) if isinstance(t, NamedNode))
    assert len(iris) > 5_000
    for iri in iris:
        assert shorten.__wrapped__(iri) == _shortened_plainly(iri), iri
    every = sorted(iris)
    assert shortened(every) == [_shortened_plainly(iri) for iri in every]
