"""The published graph as partners check it: what HermiT and the OWL API's profile checker
are given, and each tool failing when it should. Both tools passing the whole published graph
is tested where a user runs them on it, ``cybergov check``
(``tests/cli/test_check_command.py``), which runs the same functions on the same graph."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from cybergov.knowledge.consistency import (
    check_consistency,
    ontology_triples,
    published_triples,
)
from cybergov.knowledge.profile import check_profile
from cybergov.namespaces import CG, CGR

pytestmark = pytest.mark.slow

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
OWL_IMPORTS = NamedNode("http://www.w3.org/2002/07/owl#imports")
XSD = "http://www.w3.org/2001/XMLSchema#"


def cg(local: str) -> NamedNode:
    return NamedNode(f"{CG}{local}")


def resource(local: str) -> NamedNode:
    return NamedNode(f"{CGR}{local}")


def test_the_published_graph_holds_every_curated_and_derived_fact(loaded_store):
    triples = published_triples(loaded_store)
    assert len(triples) > 10_000
    derived = resource("attribution/notpetya-2017--us-doj--derived-RU")
    assert any(t.subject == derived for t in triples)  # the derived facts are in it
    assert not any(t.predicate == OWL_IMPORTS for t in triples)  # HermiT would fetch them


def test_an_xsd_date_is_refused_by_both_tools():
    """The datatype 0.2.0 used: not in the OWL 2 datatype map."""
    dated = [
        *ontology_triples(),
        Triple(resource("incident/x"), RDF_TYPE, cg("Incident")),
        Triple(
            resource("incident/x"),
            cg("startDate"),
            Literal("2017-06-27", datatype=NamedNode(f"{XSD}date")),
        ),
    ]
    profile = check_profile(dated)
    assert {v.kind for v in profile.violations} >= {"UseOfUndeclaredDatatype"}
    assert any("xsd:date" in v.text for v in profile.violations)
    consistency = check_consistency(dated)
    assert not consistency.ok


@pytest.mark.parametrize(
    "facts",
    [
        # A state that is also an organisation: the kinds of actors are disjoint.
        [
            Triple(resource("state/XA"), RDF_TYPE, cg("State")),
            Triple(resource("state/XA"), RDF_TYPE, cg("Company")),
        ],
        # A derived attribution that carries a confidence: derived ones have none.
        [
            Triple(resource("attribution/x"), RDF_TYPE, cg("DerivedAttribution")),
            Triple(resource("attribution/x"), cg("confidence"), resource("confidence/high")),
        ],
        # Two explanations of one derived fact: it has exactly one.
        [
            Triple(resource("claim/x"), RDF_TYPE, cg("NormPatternMatch")),
            Triple(resource("claim/x"), cg("explanation"), Literal("One.", language="en")),
            Triple(resource("claim/x"), cg("explanation"), Literal("Another.", language="en")),
        ],
        # A claim asserted and derived at once.
        [
            Triple(resource("claim/y"), RDF_TYPE, cg("AssertedClaim")),
            Triple(resource("claim/y"), RDF_TYPE, cg("DerivedClaim")),
        ],
    ],
    ids=[
        "state-and-company",
        "derived-with-confidence",
        "two-explanations",
        "asserted-and-derived",
    ],
)
def test_the_reasoner_refutes_what_the_axioms_forbid(facts):
    report = check_consistency([*ontology_triples(), *facts])
    assert not report.consistent and not report.ok


def test_an_explanation_tagged_in_english_is_consistent():
    """0.2.0 gave explanations the range xsd:string, which @en strings are not."""
    facts = [
        Triple(resource("claim/x"), RDF_TYPE, cg("NormPatternMatch")),
        Triple(resource("claim/x"), cg("explanation"), Literal("Why.", language="en")),
    ]
    assert check_consistency([*ontology_triples(), *facts]).ok
