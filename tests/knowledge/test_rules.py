"""The inference rules, on a small invented world whose consequences are known."""

from __future__ import annotations

import pytest
from pyoxigraph import Literal, NamedNode, Quad

from cybergov.errors import DataError, HeaderError
from cybergov.knowledge.rules import Rule, materialise, read_rules
from cybergov.namespaces import CG, CGR, ORG, graph_iri
from cybergov.store import EmbeddedStore, Solutions
from tests.conftest import FIXTURES, ontology_store

ID = str(CGR)


def iri(local: str) -> NamedNode:
    return NamedNode(ID + local)


def cg(local: str) -> NamedNode:
    return NamedNode(str(CG) + local)


@pytest.fixture(scope="module")
def world() -> EmbeddedStore:
    return ontology_store((FIXTURES / "inference-world.ttl").read_text())


def holds(
    store: EmbeddedStore,
    s: NamedNode,
    p: NamedNode,
    o: NamedNode | Literal,
    rule: str | None = None,
) -> bool:
    graph = NamedNode(graph_iri("inferred", rule)) if rule else None
    return any(True for _ in store.oxigraph.quads_for_pattern(s, p, o, graph))


RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def test_subclass_rule_types_instances_with_superclasses(world):
    assert holds(world, iri("organ/xa-unit-1"), RDF_TYPE, cg("StateOrgan"), "subclass")
    assert holds(world, iri("organ/xa-unit-1"), RDF_TYPE, cg("Actor"), "subclass")
    assert holds(
        world,
        iri("organ/xa-unit-1"),
        RDF_TYPE,
        NamedNode("http://www.w3.org/ns/prov#Agent"),
        "subclass",
    )


def test_subproperty_inverse_and_transitive_rules(world):
    transitive = NamedNode(str(ORG) + "transitiveSubOrganizationOf")
    assert holds(
        world, iri("organ/xa-unit-1"), transitive, iri("organ/xa-intelligence"), "subproperty"
    )
    assert holds(
        world, iri("organ/xa-unit-1-team"), transitive, iri("organ/xa-intelligence"), "transitive"
    )
    assert holds(
        world,
        iri("organ/xa-intelligence"),
        NamedNode(str(ORG) + "hasSubOrganization"),
        iri("organ/xa-unit-1"),
        "inverse",
    )


def test_property_chain_makes_units_organs_of_the_state(world):
    assert holds(world, iri("organ/xa-unit-1"), cg("organOf"), iri("state/XA"), "property-chain")
    assert holds(
        world, iri("organ/xa-unit-1-team"), cg("organOf"), iri("state/XA"), "property-chain"
    )


def test_current_membership_gives_member_of_and_ended_does_not(world):
    member_of = NamedNode(str(ORG) + "memberOf")
    assert holds(
        world, iri("state/XA"), member_of, iri("organisation/test-league"), "current-membership"
    )
    assert not holds(world, iri("state/XB"), member_of, iri("organisation/test-league"))


def test_attribution_to_a_unit_is_carried_to_its_state(world):
    derived = iri("attribution/grid-outage--xb--derived-XA")
    assert holds(world, derived, RDF_TYPE, cg("DerivedAttribution"), "attribution-chain")
    assert holds(world, derived, cg("attributedTo"), iri("state/XA"))
    assert holds(world, derived, cg("attributedBy"), iri("state/XB"))
    assert holds(world, derived, cg("attributedIncident"), iri("incident/grid-outage"))
    assert holds(world, derived, cg("derivedFrom"), iri("attribution/grid-outage--xb"))
    assert holds(
        world,
        derived,
        NamedNode("http://purl.org/dc/terms/source"),
        NamedNode("https://example.org/grid"),
    )
    explanation = world.query(
        "SELECT ?d ?e WHERE { ?d <https://w3id.org/cybergov/ontology#explanation> ?e }",
        substitutions={"d": derived},
    )
    assert isinstance(explanation, Solutions) and len(explanation.rows) == 1
    text = explanation.rows[0][1].value
    assert "Exampleland unit 1 team is an organ of Exampleland" in text


def test_attribution_to_sponsored_and_operated_groups_reaches_the_state(world):
    sponsored = iri("attribution/ministry-espionage--joint--derived-XA")
    assert holds(world, sponsored, cg("attributedTo"), iri("state/XA"))
    assert holds(world, sponsored, cg("attributedBy"), iri("organisation/test-league"))
    operated = iri("attribution/hospital-ransomware--xb--derived-XA")
    assert holds(world, operated, cg("attributedTo"), iri("state/XA"))
    explanation = next(
        world.oxigraph.quads_for_pattern(operated, cg("explanation"), None, None)
    ).object.value
    assert "is operated by Exampleland unit 1, an organ of Exampleland" in explanation


def test_attribution_to_an_unlinked_group_is_not_carried(world):
    answer = world.query(
        "SELECT ?d ?a WHERE { ?d <https://w3id.org/cybergov/ontology#derivedFrom> ?a }",
        substitutions={"a": iri("attribution/bank-wiper--xb")},
    )
    assert isinstance(answer, Solutions) and answer.rows == ()


def test_joint_attribution_is_typed(world):
    assert holds(
        world,
        iri("attribution/ministry-espionage--joint"),
        RDF_TYPE,
        cg("JointAttribution"),
        "joint-attribution",
    )
    assert not holds(world, iri("attribution/grid-outage--xb"), RDF_TYPE, cg("JointAttribution"))


def test_norm_13f_claim_for_disruption_of_critical_infrastructure(world):
    claim = iri("claim/grid-outage--derived-XA--un-gge-2015-13f")
    assert holds(world, claim, RDF_TYPE, cg("DerivedClaim"), "norm-13f-critical-infrastructure")
    assert holds(world, claim, cg("contravenes"), iri("norm/un-gge-2015-13f"))
    assert holds(world, claim, cg("responsibleState"), iri("state/XA"))
    assert holds(world, claim, cg("derivedFrom"), iri("attribution/grid-outage--xb--derived-XA"))
    explanation = next(
        world.oxigraph.quads_for_pattern(claim, cg("explanation"), None, None)
    ).object.value
    assert "energy" in explanation and "disruption" in explanation and "Testonia" in explanation
    assert "government" not in explanation  # not a critical-infrastructure sector


def test_no_13f_claim_for_espionage_retracted_or_unattributed(world):
    answer = world.query(
        "SELECT ?incident WHERE { ?c a <https://w3id.org/cybergov/ontology#DerivedClaim> ;"
        " <https://w3id.org/cybergov/ontology#aboutIncident> ?incident }"
    )
    assert isinstance(answer, Solutions)
    assert [row[0] for row in answer.rows] == [iri("incident/grid-outage")]


def test_materialisation_is_idempotent(world):
    before = len(world)
    report = materialise(world, read_rules())
    assert report.total == 0 and report.rounds == 1
    assert len(world) == before


def test_a_rule_that_is_not_construct_is_refused(tmp_path):
    store = EmbeddedStore()
    bad = Rule("bad", "SELECT * WHERE { ?s ?p ?o }", "bad", "bad", tmp_path / "bad.rq")
    store.oxigraph.add(Quad(iri("a"), iri("b"), iri("c"), NamedNode(graph_iri("kg", "x"))))
    with pytest.raises(DataError, match="must be a CONSTRUCT"):
        materialise(store, [bad])


def test_rule_files_need_a_header(tmp_path):
    (tmp_path / "nohead.rq").write_text("CONSTRUCT WHERE { ?s ?p ?o }")
    with pytest.raises(HeaderError, match="line 1"):
        read_rules(tmp_path)
