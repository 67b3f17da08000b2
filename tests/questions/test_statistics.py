"""The counting questions agree with counts made another way: Python over the Turtle files.

The curated graph grows, so the counts are not written down: an independent
oracle reads ``kg/*.ttl`` with rdflib and counts with plain Python, following
the ontology's meaning (a campaign is an incident; retracted attributions do not
count). By default an incident counts for a state when some actor named the
state itself; with the derived chains, also when an actor named an organ of the
state (or a unit of one), or a group that a sourced link record ties to the
state, directly or through one of its organs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pytest
from pyoxigraph import NamedNode
from rdflib import RDF, Graph, URIRef

from cybergov.namespaces import CG, ORG
from cybergov.settings import data_folder
from cybergov.sparql.catalogue import Catalogue
from tests.questions.expectations import cell

RETRACTED = URIRef("https://w3id.org/cybergov/id/attribution-status/retracted")
CATALOGUE = Catalogue.load()


@dataclass
class Facts:
    incidents: set[URIRef] = field(default_factory=set)
    sectors: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    types: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    years: dict[int, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    by_state: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))
    by_state_with_chains: dict[URIRef, set[URIRef]] = field(
        default_factory=lambda: defaultdict(set)
    )
    attributed: set[URIRef] = field(default_factory=set)
    by_attributor: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))


def linked(graph: Graph, actor: URIRef) -> set[URIRef]:
    """The actors that link records (organ, sponsorship, operator links) tie ``actor`` to."""
    return {
        to
        for link in graph.subjects(CG.linkedActor, actor)
        if (link, CG.endDate, None) not in graph
        for to in graph.objects(link, CG.linkedTo)
        if isinstance(to, URIRef)
    }


def states_behind(
    graph: Graph, actor: URIRef, seen: frozenset[URIRef] = frozenset()
) -> set[URIRef]:
    """The states an attribution to ``actor`` reaches: itself, the state its links or its
    parent organs tie it to."""
    if actor in seen:
        return set()
    seen = seen | {actor}
    found: set[URIRef] = set()
    if (actor, RDF.type, CG.State) in graph:
        found.add(actor)
    for other in linked(graph, actor) | {
        p for p in graph.objects(actor, ORG.subOrganizationOf) if isinstance(p, URIRef)
    }:
        found |= states_behind(graph, other, seen)
    return found


@pytest.fixture(scope="module")
def facts() -> Facts:
    graph = Graph()
    for path in sorted(data_folder("kg").glob("*.ttl")):
        graph.parse(path, format="turtle")
    known = Facts()
    for kind in (CG.Incident, CG.Campaign):
        known.incidents |= {i for i in graph.subjects(RDF.type, kind) if isinstance(i, URIRef)}
    for incident in known.incidents:
        for sector in graph.objects(incident, CG.targetSector):
            known.sectors[sector].add(incident)
        for kind in graph.objects(incident, CG.incidentType):
            known.types[kind].add(incident)
        for start in graph.objects(incident, CG.startDate):
            known.years[int(str(start)[:4])].add(incident)
    for attribution in graph.subjects(RDF.type, CG.Attribution):
        if (attribution, CG.attributionStatus, RETRACTED) in graph:
            continue
        for incident in graph.objects(attribution, CG.attributedIncident):
            known.attributed.add(incident)
            for attributor in graph.objects(attribution, CG.attributedBy):
                known.by_attributor[attributor].add(incident)
            for culprit in graph.objects(attribution, CG.attributedTo):
                if (culprit, RDF.type, CG.State) in graph:
                    known.by_state[culprit].add(incident)
                for state in states_behind(graph, culprit):
                    known.by_state_with_chains[state].add(incident)
    return known


def column(
    runner, name: str, key: str, value: str, params: dict[str, str] | None = None
) -> dict[str, int]:
    answer = runner.answer(CATALOGUE.get(name), params or {})
    index = answer.variables.index(key), answer.variables.index(value)
    return {cell(row[index[0]]): int(row[index[1]].value) for row in answer.rows}


def counts(groups: dict[URIRef, set[URIRef]]) -> dict[str, int]:
    return {cell_of(key): len(members) for key, members in groups.items()}


def cell_of(iri: URIRef) -> str:
    return cell(NamedNode(str(iri)))


def test_incidents_by_sector(runner, facts):
    assert column(runner, "incidents-by-sector", "sector", "incidents") == counts(facts.sectors)


def test_incidents_by_type(runner, facts):
    assert column(runner, "incidents-by-type", "type", "incidents") == counts(facts.types)


def test_incidents_by_year(runner, facts):
    expected = {str(year): len(members) for year, members in facts.years.items()}
    assert column(runner, "incidents-by-year", "year", "incidents") == expected


CHAINS = {"chains": "included"}


def test_incidents_by_attributed_state(runner, facts):
    assert column(runner, "incidents-by-attributed-state", "state", "incidents") == counts(
        facts.by_state
    )
    assert column(runner, "incidents-by-attributed-state", "state", "incidents", CHAINS) == counts(
        facts.by_state_with_chains
    )


@pytest.mark.parametrize("chains", [False, True])
def test_attributed_to_a_state_per_sector(runner, facts, chains):
    groups = facts.by_state_with_chains if chains else facts.by_state
    stated = set().union(*groups.values())
    expected = {cell_of(s): len(members & stated) for s, members in facts.sectors.items()}
    found = column(
        runner, "incidents-by-sector", "sector", "attributedToAState", CHAINS if chains else {}
    )
    assert found == expected


def test_attributors(runner, facts):
    assert column(runner, "attributors", "attributor", "incidents") == counts(facts.by_attributor)


@pytest.mark.parametrize("chains", [False, True])
def test_attribution_share(runner, facts, chains):
    answer = runner.answer(CATALOGUE.get("attribution-share"), CHAINS if chains else {})
    row = dict(
        zip(answer.variables, (int(float(t.value)) for t in answer.rows[0][:3]), strict=False)
    )
    stated = set().union(*(facts.by_state_with_chains if chains else facts.by_state).values())
    assert row == {
        "incidents": len(facts.incidents),
        "attributed": len(facts.attributed & facts.incidents),
        "attributedToAState": len(stated & facts.incidents),
    }
