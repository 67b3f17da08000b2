"""The neighbourhood of a resource as a network: the resources it links to and that link to
it (states, organs, groups, incidents, attributions, responses, sanctions, listings...),
and, through the records that stand for a relation (an attribution, a response, a
listing, a claim, a link between actors), the resources at their other end.

A neighbourhood is cut at ``limit`` nodes, the most telling first (actors, groups and
incidents before concepts), and says how many it left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pyoxigraph import NamedNode
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS

from cybergov.errors import ResourceNotFound
from cybergov.exchange.labels import Labels
from cybergov.explore.documents import kind_of
from cybergov.namespaces import CG, CGR, ORG
from cybergov.store.base import Store

#: Properties that are no relation between two things of the graph.
SKIPPED = frozenset(
    str(p)
    for p in (
        RDF.type, DCTERMS.source, DCTERMS.license, SKOS.inScheme, OWL.sameAs, RDFS.seeAlso,
        PROV.wasAssociatedWith, CG.derivedByRule, CG.datePrecision, CG.confidence,
        CG.attributionStatus, CG.attributionBasis, CG.hasAlias,
    )
)  # fmt: skip
#: Relations shown after the others when a neighbourhood is cut (a state's nationals and
#: memberships would crowd out its organs, groups and incidents).
WEAK = frozenset(
    str(p)
    for p in (
        CG.nationality, CG.basedIn, ORG.member, ORG.organization, ORG.hasMember, ORG.memberOf,
        CG.participant, CG.heldBy,
    )
)  # fmt: skip
#: Kinds whose resources stand for a relation: the network goes through them.
RECORDS = frozenset({"attribution", "response", "listing", "claim", "position", "other"})
#: The order in which kinds are kept when a neighbourhood is cut.
PRIORITY = (
    "actor", "group", "incident", "attribution", "response", "listing", "claim",
    "instrument", "norm", "malware", "position", "concept", "other", "term",
)  # fmt: skip
MAX_LIMIT = 400

_LINKS = """
SELECT DISTINCT ?s ?p ?o ?direction WHERE {
  { ?s ?p ?o . BIND("out" AS ?direction) }
  UNION
  { ?o ?p ?s . BIND("in" AS ?direction) }
  FILTER(isIRI(?o))
}
"""
_ABOUT = """
SELECT ?s ?label ?type WHERE {{
  VALUES ?s {{ {values} }}
  {{ ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }}
  UNION {{ ?s a ?type }}
}}
"""


@dataclass(frozen=True, slots=True)
class Node:
    iri: str
    label: str
    kind: str


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    property: str
    label: str


@dataclass(slots=True)
class Network:
    """The nodes and edges around ``center``; ``left_out`` neighbours were cut."""

    center: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    left_out: int = 0
    limit: int = 40
    offset: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "center": self.center,
            "limit": self.limit,
            "offset": self.offset,
            "leftOut": self.left_out,
            "nodes": [{"iri": n.iri, "label": n.label, "kind": n.kind} for n in self.nodes],
            "edges": [
                {"source": e.source, "target": e.target, "property": e.property, "label": e.label}
                for e in self.edges
            ],
        }


def neighbourhood(store: Store, iri: str, *, limit: int = 40, offset: int = 0) -> Network:
    """The network around ``iri``: its neighbours (``offset`` skipped, ``limit`` kept), and
    up to ``limit`` resources at the far end of the records among them.

    Raises:
        ResourceNotFound: ``iri`` has no label and nothing links to or from it.
        StoreError: the store failed.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    near = _links(store, iri)
    about = _about(store, {iri} | {other for other, _, _ in near})
    if iri not in about and not near:
        raise ResourceNotFound(f"nothing is known of <{iri}>")
    weak = {other for other, prop, _ in near if prop in WEAK}
    strong = {other for other, prop, _ in near if prop not in WEAK}
    ranked = _ranked(strong - {iri}, about) + _ranked(weak - strong - {iri}, about)
    kept = ranked[offset : offset + limit]
    edges: dict[tuple[str, str, str], None] = {}
    for other, prop, direction in near:
        if other in kept:
            edges[_edge(iri, other, prop, direction)] = None
    far_links = {
        record: [link for link in _links(store, record) if link[0] != iri]
        for record in kept
        if about[record].kind in RECORDS
    }
    about.update(
        _about(store, {o for links in far_links.values() for o, _, _ in links} - set(about))
    )
    far = _ranked({o for links in far_links.values() for o, _, _ in links} - {iri}, about)
    shown = {iri, *kept, *[n for n in far if n not in kept][:limit]}
    for record, links in far_links.items():
        for other, prop, direction in links:
            if other in shown:
                edges[_edge(record, other, prop, direction)] = None
    names = _property_labels(store, {prop for _, _, prop in edges})
    network = Network(iri, limit=limit, offset=offset, left_out=len(ranked) - len(kept))
    network.nodes = [about.get(iri) or Node(iri, iri, "other")]
    network.nodes += [about[n] for n in _ranked(shown - {iri}, about)]
    network.edges = [
        Edge(source, target, prop, names.get(prop, prop.rsplit("#", 1)[-1]))
        for source, target, prop in edges
    ]
    return network


def _edge(subject: str, other: str, prop: str, direction: str) -> tuple[str, str, str]:
    return (subject, other, prop) if direction == "out" else (other, subject, prop)


def _ranked(iris: set[str], about: dict[str, Node]) -> list[str]:
    """The IRIs that have a label, the most telling kinds first, then by label."""
    known = [i for i in iris if i in about]
    return sorted(known, key=lambda n: (PRIORITY.index(about[n].kind), about[n].label.lower(), n))


def _links(store: Store, iri: str) -> list[tuple[str, str, str]]:
    rows = store.select(_LINKS, substitutions={"s": NamedNode(iri)}).rows
    found = []
    for _, p, o, direction in rows:
        if not (isinstance(p, NamedNode) and isinstance(o, NamedNode)) or direction is None:
            continue
        if p.value in SKIPPED or not o.value.startswith(str(CGR)):
            continue
        found.append((o.value, p.value, direction.value))
    return found


def _about(store: Store, iris: set[str]) -> dict[str, Node]:
    labels = Labels()
    types: dict[str, set[str]] = defaultdict(set)
    wanted = sorted(iris)
    for start in range(0, len(wanted), 400):
        block = " ".join(str(NamedNode(i)) for i in wanted[start : start + 400])
        for s, label, kind in store.select(_ABOUT.format(values=block)).rows:
            if s is None:
                continue
            labels.offer(s, label)
            if isinstance(kind, NamedNode):
                types[s.value].add(kind.value)
    made = {}
    for iri in wanted:
        name = labels.get(iri)
        if name is None or str(CG.GroupAlias) in types[iri]:
            continue
        made[iri] = Node(iri, name, kind_of(types[iri], iri)[0])
    return made


def _property_labels(store: Store, properties: set[str]) -> dict[str, str]:
    labels = Labels()
    wanted = sorted(properties)
    if not wanted:
        return {}
    block = " ".join(str(NamedNode(p)) for p in wanted)
    for s, label, _ in store.select(_ABOUT.format(values=block)).rows:
        labels.offer(s, label)
    return labels.as_dict()
