"""Validation in context: what the data graph holds, what the report says, and in which forms."""

from __future__ import annotations

import json

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat

from cybergov.contribute.intake import parse_contribution
from cybergov.contribute.validation import (
    CONTEXT_PROPERTIES,
    SKOLEM_PREFIX,
    data_graph,
    shapes_bundle,
    validate_contribution,
)
from cybergov.namespaces import CG, SH, graph_iri
from cybergov.store import EmbeddedStore
from tests.conftest import PREFIXES

STATE = "https://w3id.org/cybergov/id/state/"
RU = rdflib.URIRef(STATE + "RU")


def turtle(text: str) -> rdflib.Graph:
    return parse_contribution(
        (PREFIXES + text).encode(), format=RdfFormat.TURTLE, source="contribution.ttl"
    )


ATTRIBUTION = """
@prefix confidence: <https://w3id.org/cybergov/id/confidence/> .
attribution:notpetya-2017--example a cg:Attribution ;
    rdfs:label "An example attribution of NotPetya"@en ;
    dct:source <https://example.org/notpetya> ;
    cg:attributedBy state:DK ;
    cg:attributedIncident incident:notpetya-2017 ;
    cg:attributedTo state:RU ;
    cg:attributionBasis attribution-basis:political ;
    cg:attributionDate "2018-02-15T00:00:00"^^xsd:dateTime ;
    cg:attributionStatus attribution-status:settled ;
    cg:confidence confidence:high .
"""


def test_a_contribution_that_names_russia_passes_without_carrying_russia(loaded_store):
    report = validate_contribution(turtle(ATTRIBUTION), loaded_store, source="contribution.ttl")
    assert report.conforms, report.to_text()


def test_the_data_graph_holds_only_the_few_facts_read_about_referenced_resources(loaded_store):
    contribution = turtle(ATTRIBUTION)
    data = data_graph(contribution, loaded_store, shapes_bundle())
    about_russia = set(data.graph.predicates(RU, None))
    assert about_russia, "the state's type and label come from the store"
    assert {str(p) for p in about_russia} <= set(CONTEXT_PROPERTIES)
    assert (RU, rdflib.RDF.type, CG.State) in data.graph
    assert (RU, rdflib.RDF.type, CG.Actor) in data.graph  # inferred in the store
    assert (RU, CG.iso3166Alpha2, None) not in data.graph
    notpetya = rdflib.URIRef("https://w3id.org/cybergov/id/incident/notpetya-2017")
    day = rdflib.Literal("2017-06-27T00:00:00", datatype=rdflib.XSD.dateTime)
    assert (notpetya, CG.startDate, day) in data.graph
    assert data.focus == [
        rdflib.URIRef("https://w3id.org/cybergov/id/attribution/notpetya-2017--example")
    ]


def test_the_context_does_not_grow_with_the_store(loaded_store):
    """The same contribution against the bundled graph, and against the bundled graph plus
    thousands of unrelated triples, gets the same data graph."""
    contribution = turtle(ATTRIBUTION)
    bigger = EmbeddedStore()
    bigger.oxigraph.extend(loaded_store.oxigraph.quads_for_pattern(None, None, None, None))
    filler = NamedNode(graph_iri("kg", "filler"))
    bigger.oxigraph.extend(
        Quad(
            NamedNode(f"https://w3id.org/cybergov/id/incident/filler-{i}"),
            NamedNode(str(CG.targetCountry)),
            NamedNode(STATE + "RU"),
            filler,
        )
        for i in range(20_000)
    )
    bigger.oxigraph.extend(
        Quad(
            NamedNode(STATE + "RU"),
            NamedNode(str(rdflib.RDFS.comment)),
            Literal(f"note {i}"),
            filler,
        )
        for i in range(1_000)
    )
    small = data_graph(contribution, loaded_store, shapes_bundle())
    large = data_graph(contribution, bigger, shapes_bundle())
    assert len(large.graph) == len(small.graph)
    assert (small.described, small.context) == (large.described, large.context)


def test_a_resource_nobody_knows_is_reported_with_who_points_at_it(loaded_store):
    contribution = turtle(ATTRIBUTION.replace("incident:notpetya-2017", "incident:notpetya-2071"))
    report = validate_contribution(contribution, loaded_store, source="contribution.ttl")
    unknown = [f for f in report.findings if f.focus.endswith("/incident/notpetya-2071")]
    assert len(unknown) == 1
    assert unknown[0].shape.endswith("#KnownResource-type")
    assert "not known" in unknown[0].message
    assert unknown[0].referenced_by == (
        (
            "https://w3id.org/cybergov/id/attribution/notpetya-2017--example",
            str(CG.attributedIncident),
            "attributed incident",
        ),
    )
    assert "pointed at by attribution:notpetya-2017--example (attributed incident)" in (
        report.to_text()
    )


def test_a_fact_added_to_a_known_resource_is_judged_with_what_the_store_says_of_it(loaded_store):
    """France's ISO codes are in the store, not in the contribution: the state passes."""
    contribution = turtle(
        "state:FR cg:supporterOf <https://w3id.org/cybergov/id/instrument/paris-call> ."
    )
    report = validate_contribution(contribution, loaded_store, source="contribution.ttl")
    assert report.conforms, report.to_text()
    wrong = turtle("state:FR cg:supporterOf state:DE .")
    report = validate_contribution(wrong, loaded_store, source="contribution.ttl")
    assert [(f.focus, f.shape.rsplit("#", 1)[1]) for f in report.findings] == [
        (STATE + "FR", "Actor-supporterOf")
    ]


MISSING_DATE = ATTRIBUTION.replace('cg:attributionDate "2018-02-15T00:00:00"^^xsd:dateTime ;', "")


def test_a_finding_says_which_node_which_property_what_was_expected_and_what_was_found(
    loaded_store,
):
    report = validate_contribution(
        turtle(MISSING_DATE.replace("state:RU", "incident:wannacry-2017")),
        loaded_store,
        source="contribution.ttl",
    )
    assert not report.conforms
    by_path = {f.path_label: f for f in report.findings}
    assert set(by_path) == {"attribution date", "attributed to"}
    date = by_path["attribution date"]
    assert date.focus_label == "An example attribution of NotPetya"
    assert date.message == (
        "An attribution needs the date on which it was made public (attribution date), as a "
        'day at midnight, an xsd:dateTime such as "2018-02-15T00:00:00"^^xsd:dateTime.'
    )
    assert date.expected == "at least 1 value"
    assert date.value is None
    assert date.severity == "violation"
    culprit = by_path["attributed to"]
    assert culprit.expected == "a resource of class actor (cg:Actor)"
    assert culprit.value == "<https://w3id.org/cybergov/id/incident/wannacry-2017>"
    assert (
        culprit.value_label == "WannaCry ransomware outbreak (2017)"
    )  # kg/incidents-asia-iran.ttl


def test_the_three_renderings_say_the_same(loaded_store):
    report = validate_contribution(turtle(MISSING_DATE), loaded_store, source="contribution.ttl")
    text = report.to_text()
    assert text.startswith("contribution.ttl: does not conform: 1 problem in")
    assert 'attribution:notpetya-2017--example  "An example attribution of NotPetya"' in text
    assert "- attribution date: An attribution needs the date" in text
    assert "expected at least 1 value; found none" in text
    document = json.loads(json.dumps(report.as_json()))
    assert document["conforms"] is False
    assert [r["pathLabel"] for r in document["results"]] == ["attribution date"]
    graph = rdflib.Graph().parse(data=report.to_turtle(), format="turtle")
    (result,) = graph.subjects(rdflib.RDF.type, SH.ValidationResult)
    assert graph.value(result, SH.resultPath) == CG.attributionDate
    (shacl_report,) = graph.subjects(rdflib.RDF.type, SH.ValidationReport)
    assert graph.value(shacl_report, SH.conforms) == rdflib.Literal(False)


def test_blank_nodes_are_validated_and_reported_as_blank_nodes(loaded_store):
    contribution = turtle("""[] a cg:Malware ; dct:source <https://example.org/m> .""")
    report = validate_contribution(contribution, loaded_store, source="contribution.ttl")
    shapes = {f.shape.rsplit("#", 1)[1] for f in report.findings}
    assert shapes == {"MalwareShape", "NamedResource-label"}  # IRI family, and no label
    assert all(f.focus.startswith("_:") for f in report.findings)
    assert SKOLEM_PREFIX not in report.to_turtle()
    assert SKOLEM_PREFIX not in report.to_text()


def test_the_shapes_and_the_ontology_are_parsed_once_per_process():
    assert shapes_bundle() is shapes_bundle()


def test_a_conforming_report_has_no_findings_and_says_so(loaded_store):
    report = validate_contribution(turtle(ATTRIBUTION), loaded_store, source="contribution.ttl")
    assert report.findings == ()
    assert report.to_text().startswith("contribution.ttl: conforms (")
    assert report.as_json()["results"] == []


@pytest.mark.parametrize("date,fires", [("2017-06-26", True), ("2017-06-27", False)])
def test_an_attribution_is_not_dated_before_its_incident_began_in_the_store(
    loaded_store, date, fires
):
    """NotPetya began on 2017-06-27 (kg/incidents-russia.ttl); the store supplies that date."""
    contribution = turtle(ATTRIBUTION.replace("2018-02-15T", f"{date}T"))
    report = validate_contribution(contribution, loaded_store, source="contribution.ttl")
    assert (not report.conforms) is fires
    if fires:
        (finding,) = report.findings
        assert finding.message == (
            f"The attribution is dated {date} (attribution date), before its incident "
            "NotPetya (2017) began on 2017-06-27."
        )
        assert f'found "{date}T00:00:00"^^xsd:dateTime' in report.to_text()


def test_a_fact_added_to_a_known_alias_sees_the_group_that_names_it(loaded_store):
    """A group names its aliases (cg:hasAlias); the shapes follow that link backwards, so the
    context holds it for an alias the store knows (kg/incidents-russia.ttl)."""
    contribution = turtle(
        "<https://w3id.org/cybergov/id/alias/turla--symantec--waterbug> "
        "dct:source <https://example.org/waterbug> ."
    )
    report = validate_contribution(contribution, loaded_store, source="contribution.ttl")
    assert report.conforms, report.to_text()


@pytest.mark.parametrize("given", ["https://example.org/contribution.ttl", b"<a> <b> <c> ."])
def test_only_parsed_graphs_reach_pyshacl(loaded_store, given):
    """pySHACL reads a string as a path or URL; validation refuses anything but a graph."""
    with pytest.raises(TypeError, match="parsed rdflib graph"):
        validate_contribution(given, loaded_store, source="x")


def test_the_shapes_are_read_once_whether_or_not_the_root_is_given():
    """An import asks for ``shapes_bundle(root)`` with ``root`` None: the bundle (and the
    shapes compiled from it) that ``shapes_bundle()`` read, not a second reading."""
    assert shapes_bundle(None) is shapes_bundle()
