"""What an import is matched against: the curated incidents and groups, the states of the
graph, and the reviewers' decisions.

Only the curated graph (``graph/kg/...``) is read: an import is never matched against
another import, so that withdrawing one leaves the others as they were.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from cybergov.importers.decisions import Decisions, read_decisions
from cybergov.importers.states import StateResolver
from cybergov.knowledge.load import stored_checksums
from cybergov.namespaces import CG, CGR, KG_GRAPH_PREFIX
from cybergov.store.base import Store

_CURATED_INCIDENT = f"""GRAPH ?g {{ ?incident a ?class }}
    VALUES ?class {{ cg:Incident cg:Campaign }}
    FILTER(STRSTARTS(STR(?g), "{KG_GRAPH_PREFIX}"))"""


def _curated(pattern: str) -> str:
    """``pattern`` as stated in a curated graph: the titles and attributions an import adds
    to a curated incident are that import's claims, not what the next import matches."""
    return f"""GRAPH ?fact {{ {pattern} }}
    FILTER(STRSTARTS(STR(?fact), "{KG_GRAPH_PREFIX}"))"""


#: What is read of each curated incident, one pattern a row. Each pattern is joined with
#: the incident's class on its own: the same rows as one join of the class with a union of
#: the patterns, which the store works out several times slower.
_INCIDENT_FACTS = (
    _curated("?incident rdfs:label|skos:altLabel ?name"),
    _curated("?incident cg:startDate ?start"),
    _curated("?incident cg:targetCountry ?country"),
    _curated("?incident cg:mitreAttackId ?attack"),
    _curated("?attribution cg:attributedIncident ?incident ; cg:attributedTo ?group")
    + "\n    ?group a cg:ThreatActorGroup",
)
_UNION = "\n  UNION ".join(f"{{ {_CURATED_INCIDENT}\n    {fact} }}" for fact in _INCIDENT_FACTS)
_INCIDENTS = f"""
PREFIX cg: <{CG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?incident ?name ?start ?country ?group ?attack WHERE {{
  {_UNION}
}}"""

_GROUPS = f"""
PREFIX cg: <{CG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?group ?name ?attack WHERE {{
  GRAPH ?g {{ ?group a cg:ThreatActorGroup }}
  FILTER(STRSTARTS(STR(?g), "{KG_GRAPH_PREFIX}"))
  {{ {_curated("?group rdfs:label|skos:altLabel ?name")} }}
  UNION {{ {_curated("?group cg:hasAlias ?alias . ?alias cg:aliasName ?name")} }}
  UNION {{ {_curated("?group cg:mitreAttackId ?attack")} }}
}}"""

_ACTORS = f"""
PREFIX cg: <{CG}>
SELECT DISTINCT ?actor WHERE {{
  GRAPH ?g {{ ?actor a ?class }}
  FILTER(STRSTARTS(STR(?g), "{KG_GRAPH_PREFIX}"))
  ?actor a cg:Actor .
}}"""

_STATES = f"SELECT ?code WHERE {{ ?state a <{CG}State> ; <{CG}iso3166Alpha2> ?code }}"


@dataclass(slots=True)
class CuratedIncident:
    iri: str
    names: set[str] = field(default_factory=set)
    start: date | None = None
    countries: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    attack_id: str | None = None


@dataclass(slots=True)
class CuratedGroup:
    iri: str
    names: set[str] = field(default_factory=set)
    attack_id: str | None = None


@dataclass(slots=True)
class ImportContext:
    """The curated graph as the matchers see it."""

    states: StateResolver
    incidents: dict[str, CuratedIncident]
    groups: dict[str, CuratedGroup]
    decisions: Decisions
    as_of: date
    checksum: str
    """A digest of the curated graphs the context was read from."""
    actors: frozenset[str] = frozenset()
    """Every actor of the curated graph (states, organs, organisations, groups, persons)."""

    def group_names(self, iri: str) -> set[str]:
        group = self.groups.get(iri)
        return group.names if group else set()


def _code(iri: str) -> str:
    return iri.removeprefix(f"{CGR}state/")


def read_context(store: Store, *, as_of: date, decisions_path: Path | None = None) -> ImportContext:
    """The curated incidents, groups and states of ``store`` and the reviewers' decisions.

    Raises:
        StoreError: the store failed.
        DataError: the decisions file cannot be read.
    """
    codes = frozenset(str(row[0].value) for row in store.select(_STATES).rows if row[0])
    incidents: dict[str, CuratedIncident] = {}
    group_names: dict[str, set[str]] = defaultdict(set)
    groups: dict[str, CuratedGroup] = {}
    for row in store.select(_GROUPS).as_dicts():
        iri = row["group"].value
        group = groups.setdefault(iri, CuratedGroup(iri))
        if "name" in row:
            group.names.add(row["name"].value)
        if "attack" in row:
            group.attack_id = row["attack"].value
    for iri, group in groups.items():
        group_names[iri] = group.names
    for row in store.select(_INCIDENTS).as_dicts():
        iri = row["incident"].value
        incident = incidents.setdefault(iri, CuratedIncident(iri))
        if "name" in row:
            incident.names.add(row["name"].value)
        if "start" in row:
            incident.start = date.fromisoformat(row["start"].value[:10])
        if "country" in row:
            incident.countries.add(_code(row["country"].value))
        if "group" in row:
            incident.groups.add(row["group"].value)
        if "attack" in row:
            incident.attack_id = row["attack"].value
    actors = frozenset(str(row[0].value) for row in store.select(_ACTORS).rows if row[0])
    decisions = read_decisions(decisions_path)
    digest = hashlib.sha256()
    for graph, checksum in sorted(stored_checksums(store).items()):
        if graph.startswith(KG_GRAPH_PREFIX):
            digest.update(f"{graph} {checksum}\n".encode())
    digest.update(decisions.checksum.encode())
    return ImportContext(
        StateResolver(codes),
        dict(sorted(incidents.items())),  # in the order of their IRIs, whatever the store's
        dict(sorted(groups.items())),
        decisions,
        as_of,
        digest.hexdigest(),
        actors,
    )


__all__ = ["CuratedGroup", "CuratedIncident", "ImportContext", "read_context"]
