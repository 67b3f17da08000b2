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
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from cybergov.errors import ResourceNotFound
from cybergov.exchange.tsv import literal, read_tsv, tsv_lines, tsv_rows
from cybergov.execution import QueryRunner
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

#: The classes an export tells records apart by (``Record.is_a``): only these types are read.
CLASSES = frozenset({
    "Attribution", "DerivedAttribution", "OperatorLink", "OrganLink", "SponsorshipLink",
    "Incident", "Campaign", "Response", "Listing", "Malware", "ThreatActorGroup", "StateOrgan",
    "State", "Person", "Actor", "Organisation", "CivilSocietyOrganisation", "Sanction",
    "AttributionStatement", "Indictment", "Expulsion", "Demarche", "Countermeasure", "Advisory",
    "LawEnforcementOperation", "PublicStatement",
})  # fmt: skip
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
    """What the store says of one resource: its values by property, each in its N-Triples
    form as the engine wrote it (``<iri>``, ``"text"@en``, ``"..."^^<type>``), and when it
    changed. Values are read when asked for: most of them are asked for once."""

    iri: str
    modified: datetime | None
    values: dict[str, list[str]] = field(default_factory=dict)
    _types: frozenset[str] | None = None

    @property
    def types(self) -> frozenset[str]:
        """The IRIs of the record's classes (inferred ones included)."""
        if self._types is None:
            self._types = frozenset(t[1:-1] for t in self.values.get(_TYPE_TOKEN, ()))
        return self._types

    def is_a(self, name: str) -> bool:
        """Whether the record is of the class ``cg:<name>`` (inferred types count), one of
        ``CLASSES`` (the types read).

        Raises:
            ValueError: the class is not one of ``CLASSES``.
        """
        return _class(name) in self.types

    def all(self, prop: str) -> list[str]:
        """Every value of a property, sorted (IRIs and lexical forms alike)."""
        found = self.values.get(_token(prop))
        if not found:
            return []
        if len(found) == 1:
            return [_plain(found[0])]
        return sorted({_plain(t) for t in found})

    def iris(self, props: Iterable[str]) -> Iterator[str]:
        """The IRIs that are values of any of ``props`` (each as often as it is said)."""
        for prop in props:
            for token in self.values.get(_token(prop), ()):
                if token[0] == "<":
                    yield token[1:-1]

    def first(self, prop: str) -> str | None:
        """One value of a property (the least, so that exports agree), or ``None``."""
        found = self.values.get(_token(prop))
        if not found:
            return None
        return _plain(found[0]) if len(found) == 1 else min(map(_plain, found))

    def text(self, prop: str) -> str | None:
        """The English (or untagged) text of a property, or ``None``."""
        found = self.values.get(_token(prop))
        if not found:
            return None
        if len(found) == 1:
            one = literal(found[0])
            return one[0] if one else None
        values = [v for v in map(literal, found) if v is not None]
        english = [text for text, language in values if language in (None, "en")]
        return min(english) if english else (min(v[0] for v in values) if values else None)

    def date(self, prop: str) -> datetime | None:
        """A date property as a UTC time (dates are written without a zone: read as UTC)."""
        value = self.first(prop)
        return parse_time(value) if value else None


def _plain(token: str) -> str:
    """The IRI or the lexical form of a term in N-Triples form."""
    if token[0] == "<":
        return token[1:-1]
    found = literal(token)
    return found[0] if found else token


@lru_cache(maxsize=256)
def _iri(prop: str) -> str:
    """A property's IRI: given whole, or the local name of a ``cg:`` property or class."""
    return prop if ":" in prop and "/" in prop else str(CG[prop])


@lru_cache(maxsize=256)
def _class(name: str) -> str:
    if name not in CLASSES:
        raise ValueError(f"cg:{name} is not one of the classes a STIX export reads")
    return str(CG[name])


@lru_cache(maxsize=256)
def _token(prop: str) -> str:
    """A property as the engine writes it in an answer (``<iri>``)."""
    return f"<{_iri(prop)}>"


_TYPE_TOKEN = f"<{RDF_TYPE}>"


@lru_cache(maxsize=65536)
def parse_time(value: str) -> datetime:
    """An ``xsd:dateTime`` (or ``xsd:date``) as an aware UTC time (each text parsed once:
    many records share a day)."""
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


def _values(iris: Iterable[str]) -> str:
    return " ".join(f"<{i}>" for i in iris)


@dataclass(frozen=True, slots=True)
class Reading:
    """The queries of one export, sent to the query workers at once: the records and their
    times first, then what is said of them in parts (the largest first), each part read
    here as soon as it is answered, while the workers answer the next."""

    subjects: Future[bytes]
    times: Future[bytes]
    types: Future[bytes]
    statements: tuple[Future[bytes], ...]
    groups: Future[bytes]
    organs: Future[bytes]
    campaigns: Future[bytes]
    names: Future[bytes]

    @classmethod
    def start(cls, runner: QueryRunner, graphs: list[str], pool: ThreadPoolExecutor) -> Reading:
        def ask(sparql: str, what: str) -> Future[bytes]:
            return pool.submit(read_tsv, runner, sparql, what)

        subjects = ask(_subjects(graphs), "records")
        times = ask(_TIMES, "times of the graphs")
        statements = tuple(ask(text, "statements of the records") for text in _STATEMENTS)
        return cls(
            subjects,
            times,
            ask(_TYPES, "types of the records"),
            statements,
            ask(_instances("ThreatActorGroup"), "threat-actor groups"),
            ask(_ORGANS, "state organs acting as threat actors"),
            ask(_instances("Campaign"), "campaigns"),
            ask(_ALIASES, "aliases"),
        )

    def records(self) -> dict[str, Record]:
        """Every record typed in the graphs, with what the whole store says of it.

        Raises:
            ExportError: an answer was cut or is not what was asked.
            StoreError: the store failed.
        """
        times: dict[str, datetime] = {}
        for graph, moment in tsv_rows(self.times.result(), "times", ("g", "t")):
            if graph.startswith("<") and (found := literal(moment)) is not None:
                when = parse_time(found[0])
                times[graph] = max(when, times.get(graph, when))
        by_token: dict[str, Record] = {}
        for subject, graph in tsv_rows(self.subjects.result(), "records", ("s", "g")):
            record = by_token.get(subject)
            if record is None:
                record = by_token[subject] = Record(subject[1:-1], None)
            last = times.get(graph)
            if last is not None and (record.modified is None or last > record.modified):
                record.modified = last
        for part in as_completed([self.types, *self.statements]):
            if part is self.types:
                for subject, kind in tsv_rows(part.result(), "types", ("s", "o")):
                    record = by_token.get(subject)
                    if record is not None:
                        record.values.setdefault(_TYPE_TOKEN, []).append(kind)
            else:
                _add_statements(by_token, part.result())
        return {record.iri: record for record in by_token.values()}

    def actors(self) -> tuple[set[str], set[str], set[str]]:
        """The threat-actor groups, the organs acting as threat actors, and the campaigns
        of the whole store."""
        return (
            _iris(self.groups.result(), "threat-actor groups"),
            _iris(self.organs.result(), "state organs"),
            _iris(self.campaigns.result(), "campaigns"),
        )

    def aliases(self) -> dict[str, list[str]]:
        """The names vendors give each threat-actor group (``cg:hasAlias``/``cg:aliasName``)."""
        names: dict[str, list[str]] = defaultdict(list)
        for group, name in tsv_rows(self.names.result(), "aliases", ("group", "name")):
            found = literal(name)
            if group.startswith("<") and found is not None:
                names[group[1:-1]].append(found[0])
        return names


def _add_statements(records: dict[str, Record], body: bytes) -> None:
    """Add the statements of an answer to the records they are about (by ``<iri>``); blank
    nodes are no value of a record."""
    for line in tsv_lines(body, "statements", ("s", "p", "o")):
        subject, predicate, value = line.split("\t")
        record = records.get(subject)
        if record is None or value[0] == "_":
            continue
        found = record.values.get(predicate)
        if found is None:
            record.values[predicate] = [value]
        else:
            found.append(value)


def _iris(body: bytes, what: str) -> set[str]:
    return {row[0][1:-1] for row in tsv_rows(body, what, ("s",)) if row[0].startswith("<")}


def _subjects(graphs: list[str]) -> str:
    return f"""
    SELECT DISTINCT ?s ?g WHERE {{
      VALUES ?g {{ {_values(graphs)} }}
      GRAPH ?g {{ ?s a ?type }}
      FILTER(isIRI(?s))
    }}"""


def _instances(class_name: str) -> str:
    return f"SELECT DISTINCT ?s WHERE {{ ?s a <{CG[class_name]}> }}"


_TIMES = f"SELECT ?g ?t WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{_PROV_GENERATED}> ?t }} }}"


def _statements(properties: Iterable[str]) -> str:
    return f"""
    SELECT ?s ?p ?o WHERE {{
      VALUES ?p {{ {_values(properties)} }}
      ?s ?p ?o
      FILTER(isIRI(?s))
    }}"""


_NAMES = (RDFS_LABEL, SKOS_ALT_LABEL, DCT_DESCRIPTION, DCT_SOURCE, OWL_SAME_AS)
_ATTRIBUTIONS = tuple(
    str(CG[name])
    for name in (
        "attributedBy", "attributedTo", "attributedIncident", "attributionBasis",
        "attributionDate", "attributionStatus", "confidence", "confidenceWording",
    )
)  # fmt: skip
#: What the whole store says of any resource, in parts of about the same size: names and
#: sources, attributions, and the rest (types are read on their own: see ``CLASSES``).
_STATEMENTS = (
    _statements(_NAMES),
    _statements(_ATTRIBUTIONS),
    _statements(p for p in PROPERTIES if p not in {RDF_TYPE, *_NAMES, *_ATTRIBUTIONS}),
)
_TYPES = f"""
    SELECT ?s ?o WHERE {{
      VALUES ?o {{ {_values(CG[name] for name in CLASSES)} }}
      ?s a ?o
      FILTER(isIRI(?s))
    }}"""
_ALIASES = (
    f"SELECT DISTINCT ?group ?name WHERE {{ ?group <{CG.hasAlias}> ?alias . "
    f"?alias <{CG.aliasName}> ?name }}"
)
#: State organs that act as threat actors: one an attribution names as responsible, or one
#: that operates a threat-actor group.
_ORGANS = (
    f"SELECT DISTINCT ?s WHERE {{ ?s a <{CG.StateOrgan}> . "
    f"{{ ?a <{CG.attributedTo}> ?s }} UNION {{ ?group <{CG.operatedBy}> ?s }} }}"
)
