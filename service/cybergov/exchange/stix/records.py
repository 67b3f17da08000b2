"""The records a STIX export is made of, read from the store with SPARQL.

A graph selection names the graphs whose records are exported: ``curated`` (every graph
of ``kg/``) or one named graph (an import, a contribution). A record is a resource typed
in one of those graphs; what is said of it is read from the whole store (the default
graph is the union of the named graphs), so that inferred types and the labels of the
curated graph come with it. A record's time of modification is the time its graph was
last written (``prov:generatedAtTime`` in the metadata graph): every record of a topic
file changes when the file does.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from pyoxigraph import Literal, NamedNode

from cybergov.errors import ResourceNotFound
from cybergov.namespaces import CG, GRAPH, KG_GRAPH_PREFIX, META_GRAPH
from cybergov.store.base import Store

#: The selection of every curated graph (``kg/``).
CURATED = "curated"
#: Where the graphs of imports are.
IMPORT_GRAPH_PREFIX = f"{GRAPH}import/"

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_ALT_LABEL = "http://www.w3.org/2004/02/skos/core#altLabel"
DCT_DESCRIPTION = "http://purl.org/dc/terms/description"
DCT_SOURCE = "http://purl.org/dc/terms/source"
OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
_PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"

_CG_PROPERTIES = (
    "iso3166Alpha2", "attributedBy", "attributedTo", "attributedIncident", "attributionBasis",
    "attributionDate", "attributionStatus", "confidence", "confidenceWording", "startDate",
    "targetCountry", "targetedActor", "targetSector", "incidentType", "usedMalware",
    "partOfCampaign", "respondent", "respondsTo", "responseDate", "legalBasis", "hasListing",
    "indictedPerson", "listedActor", "listedUnder", "listingDate", "listingReason", "listingOf",
    "delistingDate", "linkedActor", "linkedTo", "statedBy", "statementDate",
)  # fmt: skip
PROPERTIES = (
    RDF_TYPE, RDFS_LABEL, SKOS_ALT_LABEL, DCT_DESCRIPTION, DCT_SOURCE, OWL_SAME_AS,
    *(str(CG[name]) for name in _CG_PROPERTIES),
)  # fmt: skip


@dataclass(slots=True)
class Record:
    """What the store says of one resource: its values by property IRI, and when it changed."""

    iri: str
    modified: datetime | None
    values: dict[str, list[NamedNode | Literal]] = field(default_factory=lambda: defaultdict(list))
    _types: frozenset[str] | None = None

    @property
    def types(self) -> frozenset[str]:
        if self._types is None:
            self._types = frozenset(v.value for v in self.values.get(RDF_TYPE, ()))
        return self._types

    def is_a(self, name: str) -> bool:
        """Whether the record is of the class ``cg:<name>`` (inferred types count)."""
        return _iri(name) in self.types

    def all(self, prop: str) -> list[str]:
        """Every value of a property, sorted (IRIs and lexical forms alike)."""
        found = self.values.get(_iri(prop))
        return sorted({v.value for v in found}) if found else []

    def first(self, prop: str) -> str | None:
        """One value of a property (the least, so that exports agree), or ``None``."""
        found = self.values.get(_iri(prop))
        return min(v.value for v in found) if found else None

    def text(self, prop: str) -> str | None:
        """The English (or untagged) text of a property, or ``None``."""
        values = [v for v in self.values.get(_iri(prop), ()) if isinstance(v, Literal)]
        english = [v.value for v in values if v.language in (None, "en")]
        return min(english) if english else (min(v.value for v in values) if values else None)

    def date(self, prop: str) -> datetime | None:
        """A date property as a UTC time (dates are written without a zone: read as UTC)."""
        value = self.first(prop)
        return parse_time(value) if value else None


@lru_cache(maxsize=256)
def _iri(prop: str) -> str:
    """A property's IRI: given whole, or the local name of a ``cg:`` property or class."""
    return prop if ":" in prop and "/" in prop else str(CG[prop])


def parse_time(value: str) -> datetime:
    """An ``xsd:dateTime`` (or ``xsd:date``) as an aware UTC time."""
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def selected_graphs(store: Store, selection: str) -> list[str]:
    """The named graphs of a selection: ``curated`` or the IRI of one graph of the store.

    Raises:
        ResourceNotFound: the store holds no such graph.
    """
    graphs = store.named_graphs()
    if selection == CURATED:
        return sorted(g for g in graphs if g.startswith(KG_GRAPH_PREFIX))
    if selection in graphs:
        return [selection]
    raise ResourceNotFound(
        f"the store holds no graph {selection!r}: give 'curated' or the IRI of a named graph"
    )


def import_graphs(store: Store) -> list[str]:
    """The graphs of imports the store holds, in order."""
    return sorted(g for g in store.named_graphs() if g.startswith(IMPORT_GRAPH_PREFIX))


def _values(graphs: list[str]) -> str:
    return " ".join(f"<{g}>" for g in graphs)


def read_records(store: Store, graphs: list[str]) -> dict[str, Record]:
    """Every record typed in ``graphs``, with what the whole store says of it.

    Raises:
        StoreError: the store failed.
    """
    if not graphs:
        return {}
    subjects = f"""
    SELECT ?s (MAX(?t) AS ?modified) WHERE {{
      VALUES ?g {{ {_values(graphs)} }}
      GRAPH ?g {{ ?s a ?type }}
      FILTER(isIRI(?s))
      OPTIONAL {{ GRAPH <{META_GRAPH}> {{ ?g <{_PROV_GENERATED}> ?t }} }}
    }} GROUP BY ?s"""
    records: dict[str, Record] = {}
    for row in store.select(subjects).rows:
        subject, modified = row
        if isinstance(subject, NamedNode):
            when = parse_time(modified.value) if isinstance(modified, Literal) else None
            records[subject.value] = Record(subject.value, when)
    statements = f"""
    SELECT ?s ?p ?o WHERE {{
      {{ SELECT DISTINCT ?s WHERE {{
        VALUES ?g {{ {_values(graphs)} }} GRAPH ?g {{ ?s a ?type }} FILTER(isIRI(?s)) }} }}
      VALUES ?p {{ {_values(list(PROPERTIES))} }}
      ?s ?p ?o
    }}"""
    for subject, predicate, value in store.select(statements).rows:
        if isinstance(subject, NamedNode) and isinstance(predicate, NamedNode):
            record = records.get(subject.value)
            if record is not None and isinstance(value, NamedNode | Literal):
                record.values[predicate.value].append(value)
    return records


def alias_names(store: Store) -> dict[str, list[str]]:
    """The names vendors give each threat-actor group (``cg:hasAlias``/``cg:aliasName``).

    Raises:
        StoreError: the store failed.
    """
    answer = store.select(
        f"SELECT DISTINCT ?group ?name WHERE {{ ?group <{CG.hasAlias}> ?alias . "
        f"?alias <{CG.aliasName}> ?name }}"
    )
    names: dict[str, list[str]] = defaultdict(list)
    for group, name in answer.rows:
        if isinstance(group, NamedNode) and isinstance(name, Literal):
            names[group.value].append(name.value)
    return names


def instances(store: Store, class_name: str) -> set[str]:
    """Every resource of the class ``cg:<class_name>`` in the whole store.

    Raises:
        StoreError: the store failed.
    """
    answer = store.select(f"SELECT DISTINCT ?s WHERE {{ ?s a <{CG[class_name]}> }}")
    return {row[0].value for row in answer.rows if isinstance(row[0], NamedNode)}


def threat_actor_organs(store: Store) -> set[str]:
    """State organs that act as threat actors: one an attribution names as responsible, or
    one that operates a threat-actor group.

    Raises:
        StoreError: the store failed.
    """
    answer = store.select(
        f"SELECT DISTINCT ?organ WHERE {{ ?organ a <{CG.StateOrgan}> . "
        f"{{ ?a <{CG.attributedTo}> ?organ }} UNION {{ ?group <{CG.operatedBy}> ?organ }} }}"
    )
    return {row[0].value for row in answer.rows if isinstance(row[0], NamedNode)}
