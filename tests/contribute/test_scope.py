"""A contribution describes resources of the graph's own namespace only, and its links point
at IRIs a resource can have: other subjects, and links of other schemes, are refused by name
(they made pySHACL fail, and the service answer 500)."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode
from rdflib.namespace import RDFS

from cybergov.contribute.intake import parse_contribution
from cybergov.contribute.scope import check_scope
from cybergov.contribute.validation import validate_contribution
from cybergov.errors import OutsideNamespace
from cybergov.rdf_formats import format_by_name

PREFIXES = """@prefix cg: <https://w3id.org/cybergov/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
INCIDENT = "<https://w3id.org/cybergov/id/incident/example-scope-2024>"

OUTSIDE = {
    "mailto": ("turtle", '<mailto:someone@example.org> rdfs:label "x"@en .', "mailto:someone"),
    "tag": ("turtle", '<tag:example.org,2024:x> rdfs:label "x"@en .', "tag:example.org"),
    "did": ("turtle", '<did:example:123> rdfs:label "x"@en .', "did:example:123"),
    "urn": ("turtle", '<urn:a> <urn:p> "x" .', "urn:a"),
    "http": ("turtle", '<http://example.org/a> rdfs:label "x"@en .', "http://example.org/a"),
    "jsonld": (
        "json-ld",
        '{"@id": "incident:x", "http://www.w3.org/2000/01/rdf-schema#label": "x"}',
        "incident:x",
    ),
}


def parsed(kind: str, text: str):
    body = text if kind != "turtle" else PREFIXES + text
    return parse_contribution(body.encode(), format=format_by_name(kind), source="attack")


@pytest.mark.parametrize("case", sorted(OUTSIDE))
def test_a_subject_outside_the_namespace_is_refused_by_name(case, loaded_store):
    kind, text, named = OUTSIDE[case]
    with pytest.raises(OutsideNamespace) as refused:
        validate_contribution(parsed(kind, text), loaded_store, source="attack")
    assert named in str(refused.value)
    assert "https://w3id.org/cybergov/id/" in str(refused.value)


@pytest.mark.parametrize("target", ["mailto:a@example.org", "tag:example.org,2024:x", "did:x:1"])
def test_a_link_to_an_iri_of_another_scheme_is_refused_by_name(target, loaded_store):
    text = f"{INCIDENT} a cg:Incident ; cg:targetedActor <{target}> ."
    with pytest.raises(OutsideNamespace) as refused:
        validate_contribution(parsed("turtle", text), loaded_store, source="attack")
    assert target in str(refused.value) and "targetedActor" in str(refused.value)


def test_other_iris_stay_allowed_as_values(loaded_store):
    text = (
        f'{INCIDENT} a cg:Incident ; rdfs:label "An example"@en ; '
        "<http://purl.org/dc/terms/source> <mailto:press@example.org>, <https://example.org/a> ;"
        " cg:targetedActor <http://example.org/unknown> ."
    )
    report = validate_contribution(parsed("turtle", text), loaded_store, source="values")
    # judged by the shapes (the unknown actor is a finding), never refused before them
    assert not report.conforms
    assert any("not known" in finding.message for finding in report.findings)


def _statements(*rows: tuple[str, str, str]):
    """Statements of IRIs (a value in quotes is a literal)."""
    return [
        (
            NamedNode(s),
            NamedNode(p),
            Literal(o.strip('"')) if o.startswith('"') else NamedNode(o),
        )
        for s, p, o in rows
    ]


def test_each_statement_of_a_subject_counts_not_only_its_first():
    # a curated graph's header is allowed, its other statements are not; each subject is
    # named with the first property it is refused for
    graph = "https://w3id.org/cybergov/graph/kg/example"
    statements = _statements(
        (graph, "http://purl.org/dc/terms/modified", '"2024-01-01"'),
        (graph, f"{RDFS}label", '"x"'),
        ("urn:b", "urn:p", '"1"'),
        ("urn:b", "urn:q", '"2"'),
    )
    with pytest.raises(OutsideNamespace) as refused:
        check_scope(statements, frozenset(), source="attack")
    assert f"describes <{graph}> (with <{RDFS}label>) (and 1 other subject)" in str(refused.value)


def test_a_link_is_refused_with_the_first_statement_that_makes_it():
    link = "https://w3id.org/cybergov/ontology#targetedActor"
    first, second = (f"https://w3id.org/cybergov/id/incident/scope-{n}" for n in (1, 2))
    statements = _statements(
        (first, link, "https://example.org/known"),
        (second, link, "https://example.org/known"),
        (second, link, "mailto:a@example.org"),
        (first, link, "mailto:a@example.org"),
    )
    with pytest.raises(OutsideNamespace) as refused:
        check_scope(statements, frozenset({link}), source="attack")
    assert str(refused.value).startswith(f"attack: <{second}> points at <mailto:a@example.org>")
    check_scope(statements[:2], frozenset({link}), source="fine")
