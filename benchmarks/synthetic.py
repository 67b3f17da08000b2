"""A synthetic governance graph of a chosen size, shaped like the curated one.

It uses the ontology's classes, properties and value lists, so that the
questions, rules and shapes meet the joins, aggregates and paths they meet
on real data. Every resource is invented (local names start with
``synthetic-``); nothing here is a fact.

Usage: ``python benchmarks/synthetic.py 100000 > graph.nq``
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize

CG = "https://w3id.org/cybergov/ontology#"
ID = "https://w3id.org/cybergov/id/"
GRAPH = "https://w3id.org/cybergov/graph/kg/synthetic"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
SOURCE = NamedNode("http://purl.org/dc/terms/source")
DESCRIPTION = NamedNode("http://purl.org/dc/terms/description")
SUB_ORG = NamedNode("http://www.w3.org/ns/org#subOrganizationOf")
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")

SECTORS = [
    "energy",
    "health",
    "finance",
    "transport",
    "government",
    "defence",
    "media",
    "elections",
    "digital-infrastructure",
    "research-and-education",
    "industry",
    "water",
]
TYPES = [
    "espionage",
    "disruption",
    "destruction",
    "ransomware",
    "denial-of-service",
    "hack-and-leak",
    "financial-theft",
    "supply-chain-compromise",
    "intellectual-property-theft",
    "sabotage",
]
BASES = ["political", "technical", "legal", "industry", "media"]
STATUSES = ["claimed", "settled", "contested", "settled", "claimed"]
RESPONSE_CLASSES = [
    "Sanction",
    "AttributionStatement",
    "Indictment",
    "Demarche",
    "Advisory",
    "Expulsion",
]
TRIPLES_PER_INCIDENT = 24  # measured average of what one incident brings with it


def cg(name: str) -> NamedNode:
    return NamedNode(CG + name)


def rid(family: str, name: str) -> NamedNode:
    return NamedNode(f"{ID}{family}/{name}")


def text(value: str) -> Literal:
    return Literal(value, language="en")


def day(value: date) -> Literal:
    """A day as the graph writes it: an xsd:dateTime at midnight."""
    return Literal(f"{value.isoformat()}T00:00:00", datatype=XSD_DATETIME)


LINK_CLASSES = {"organ": "OrganLink", "operator": "OperatorLink", "sponsor": "SponsorshipLink"}


def link(
    actor: NamedNode,
    kind: str,
    to: NamedNode,
    quad: Callable[[NamedNode, NamedNode, NamedNode | Literal], Quad],
) -> Iterator[Quad]:
    """A sourced link record between two actors (the rules make the shortcut from it)."""
    record = rid("link", f"{actor.value.rsplit('/', 1)[1]}--{kind}--{to.value.rsplit('/', 1)[1]}")
    yield quad(record, RDF_TYPE, cg(LINK_CLASSES[kind]))
    yield quad(record, LABEL, text(f"Synthetic {kind} link"))
    yield quad(record, cg("linkedActor"), actor)
    yield quad(record, cg("linkedTo"), to)
    yield quad(
        record, SOURCE, NamedNode(f"https://example.org/links/{record.value.rsplit('/', 1)[1]}")
    )


def generate(target_triples: int, *, seed: int = 7) -> Iterator[Quad]:
    """Quads of a synthetic graph of about ``target_triples`` triples, in one named graph."""
    rng = random.Random(seed)
    graph = NamedNode(GRAPH)

    def quad(s: NamedNode, p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(s, p, o, graph)

    incidents = max(10, target_triples // TRIPLES_PER_INCIDENT)
    n_states = min(200, max(10, incidents // 20))
    states = [rid("state", f"S{i:03d}") for i in range(n_states)]
    for i, state in enumerate(states):
        yield quad(state, RDF_TYPE, cg("State"))
        yield quad(state, LABEL, text(f"Synthetic state {i}"))
        yield quad(state, cg("iso3166Alpha2"), Literal(f"S{i:03d}"))
    organs: list[NamedNode] = []
    for i in range(max(5, incidents // 40)):
        organ = rid("organ", f"synthetic-organ-{i}")
        organs.append(organ)
        yield quad(organ, RDF_TYPE, cg("IntelligenceService" if i % 2 else "MilitaryUnit"))
        yield quad(organ, LABEL, text(f"Synthetic organ {i}"))
        if i >= 5 and rng.random() < 0.5:
            yield quad(organ, SUB_ORG, organs[rng.randrange(i)])
        else:
            yield from link(organ, "organ", rng.choice(states), quad)
    groups: list[NamedNode] = []
    for i in range(max(5, incidents // 25)):
        group = rid("group", f"synthetic-group-{i}")
        groups.append(group)
        yield quad(group, RDF_TYPE, cg("ThreatActorGroup"))
        yield quad(group, LABEL, text(f"Synthetic group {i}"))
        yield quad(group, SOURCE, NamedNode(f"https://example.org/groups/{i}"))
        if rng.random() < 0.6:
            yield from link(group, "operator", rng.choice(organs), quad)
        elif rng.random() < 0.5:
            yield from link(group, "sponsor", rng.choice(states), quad)
        for vendor in range(2):
            alias = rid("alias", f"synthetic-group-{i}--v{vendor}")
            yield quad(group, cg("hasAlias"), alias)
            yield quad(alias, RDF_TYPE, cg("GroupAlias"))
            yield quad(alias, cg("aliasName"), Literal(f"Vendor{vendor} name {i}"))
    start = date(2007, 1, 1)
    for i in range(incidents):
        incident = rid("incident", f"synthetic-{i}")
        began = start + timedelta(days=rng.randrange(6900))
        yield quad(incident, RDF_TYPE, cg("Incident"))
        yield quad(incident, LABEL, text(f"Synthetic incident {i}"))
        yield quad(
            incident, DESCRIPTION, text(f"An invented incident, number {i}, for measurements.")
        )
        yield quad(incident, cg("startDate"), day(began))
        yield quad(incident, SOURCE, NamedNode(f"https://example.org/incidents/{i}"))
        yield quad(incident, cg("targetCountry"), rng.choice(states))
        for sector in rng.sample(SECTORS, 2):
            yield quad(incident, cg("targetSector"), rid("sector", sector))
        yield quad(incident, cg("incidentType"), rid("incident-type", rng.choice(TYPES)))
        for n in range(rng.choice((1, 1, 2))):
            attribution = rid("attribution", f"synthetic-{i}--{n}")
            yield quad(attribution, RDF_TYPE, cg("Attribution"))
            yield quad(attribution, LABEL, text(f"Attribution {n} of synthetic incident {i}"))
            yield quad(attribution, cg("attributedIncident"), incident)
            for attributor in rng.sample(states, rng.choice((1, 1, 1, 3))):
                yield quad(attribution, cg("attributedBy"), attributor)
            culprit = rng.random()
            target = (
                rng.choice(groups)
                if culprit < 0.5
                else rng.choice(organs)
                if culprit < 0.8
                else rng.choice(states)
            )
            yield quad(attribution, cg("attributedTo"), target)
            yield quad(
                attribution,
                cg("attributionDate"),
                day(began + timedelta(days=rng.randrange(30, 900))),
            )
            yield quad(
                attribution, cg("attributionBasis"), rid("attribution-basis", rng.choice(BASES))
            )
            yield quad(
                attribution,
                cg("attributionStatus"),
                rid("attribution-status", rng.choice(STATUSES)),
            )
            yield quad(attribution, SOURCE, NamedNode(f"https://example.org/attributions/{i}/{n}"))
        if rng.random() < 0.4:
            response = rid("response", f"synthetic-{i}")
            yield quad(response, RDF_TYPE, cg(rng.choice(RESPONSE_CLASSES)))
            yield quad(response, LABEL, text(f"Response to synthetic incident {i}"))
            yield quad(response, cg("respondsTo"), incident)
            yield quad(response, cg("respondent"), rng.choice(states))
            yield quad(
                response, cg("responseDate"), day(began + timedelta(days=rng.randrange(60, 1500)))
            )
            yield quad(response, SOURCE, NamedNode(f"https://example.org/responses/{i}"))


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    serialize(generate(size), sys.stdout.buffer, RdfFormat.N_QUADS)


if __name__ == "__main__":
    main()
