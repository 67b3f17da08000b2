"""The counting questions agree with counts made another way: Python over the Turtle files.

The curated graph grows, so the counts are not written down: an independent
oracle reads ``kg/*.ttl`` with rdflib and counts with plain Python, following
the ontology's meaning (a campaign is an incident; an attribution to a state
organ, to one of its units, or to a group the state sponsors or one of its
organs operates, is an attribution to the state; retracted ones do not count).
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
    attributed: set[URIRef] = field(default_factory=set)
    by_attributor: dict[URIRef, set[URIRef]] = field(default_factory=lambda: defaultdict(set))


def states_behind(
    graph: Graph, actor: URIRef, seen: frozenset[URIRef] = frozenset()
) -> set[URIRef]:
    """The states an attribution to ``actor`` reaches: itself, its state, its sponsors."""
    if actor in seen:
        return set()
    seen = seen | {actor}
    found: set[URIRef] = set()
    if (actor, RDF.type, CG.State) in graph:
        found.add(actor)
    found |= {s for s in graph.objects(actor, CG.organOf) if isinstance(s, URIRef)}
    for parent in graph.objects(actor, ORG.subOrganizationOf):
        found |= {s for s in states_behind(graph, parent, seen) if s != parent}
    found |= {s for s in graph.objects(actor, CG.sponsoredBy) if isinstance(s, URIRef)}
    for organ in graph.objects(actor, CG.operatedBy):
        found |= {s for s in states_behind(graph, organ, seen) if s != organ}
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
                for state in states_behind(graph, culprit):
                    known.by_state[state].add(incident)
    return known


def column(runner, name: str, key: str, value: str) -> dict[str, int]:
    answer = runner.answer(CATALOGUE.get(name), {})
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


def test_incidents_by_attributed_state(runner, facts):
    assert column(runner, "incidents-by-attributed-state", "state", "incidents") == counts(
        facts.by_state
    )


def test_attributed_to_a_state_per_sector(runner, facts):
    stated = set().union(*facts.by_state.values())
    expected = {cell_of(s): len(members & stated) for s, members in facts.sectors.items()}
    assert column(runner, "incidents-by-sector", "sector", "attributedToAState") == expected


def test_attributors(runner, facts):
    assert column(runner, "attributors", "attributor", "incidents") == counts(facts.by_attributor)


def test_attribution_share(runner, facts):
    answer = runner.answer(CATALOGUE.get("attribution-share"), {})
    row = dict(
        zip(answer.variables, (int(float(t.value)) for t in answer.rows[0][:3]), strict=False)
    )
    stated = set().union(*facts.by_state.values())
    assert row == {
        "incidents": len(facts.incidents),
        "attributed": len(facts.attributed & facts.incidents),
        "attributedToAState": len(stated & facts.incidents),
    }
