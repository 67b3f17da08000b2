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

from collections import defaultdict, deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TypeAlias

from cybergov.errors import ResourceNotFound
from cybergov.exchange.tsv import literal, read_tsv, tsv_columns, tsv_lines, tsv_rows
from cybergov.execution import QueryRunner
from cybergov.namespaces import CG, GRAPH, KG_GRAPH_PREFIX, META_GRAPH, shortened
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
_PROV_GENERATED = "http://www.w3.org/ns/prov#generatedAtTime"

#: The classes an export tells records apart by (``Record.is_a``): only these types are read.
CLASSES = frozenset({
    "Attribution", "DerivedAttribution", "OperatorLink", "OrganLink", "SponsorshipLink",
    "Incident", "Campaign", "Response", "Listing", "Malware", "ThreatActorGroup", "StateOrgan",
    "State", "Person", "Actor", "Organisation", "CivilSocietyOrganisation", "Sanction",
    "AttributionStatement", "Indictment", "Expulsion", "Demarche", "Countermeasure", "Advisory",
    "LawEnforcementOperation", "PublicStatement",
})  # fmt: skip
_CG = str(CG)
_CG_PROPERTIES = (
    "iso3166Alpha2", "attributedBy", "attributedTo", "attributedIncident", "attributionBasis",
    "attributionDate", "attributionStatus", "confidence", "confidenceWording", "startDate",
    "targetCountry", "targetedActor", "targetSector", "incidentType", "usedMalware",
    "respondent", "respondsTo", "responseDate", "legalBasis", "hasListing", "indictedPerson",
    "listedActor", "listingDate", "listingReason", "listingOf", "linkedActor", "linkedTo",
    "statedBy", "statementDate",
)  # fmt: skip
#: The properties said of few resources (the curated graph's countries, links, listings and
#: the like): read together, one query for all (each query costs the workers a few ms).
_FEW = (
    SKOS_ALT_LABEL,
    *(
        str(CG[name])
        for name in (
            "iso3166Alpha2", "confidence", "confidenceWording", "targetedActor", "usedMalware",
            "legalBasis", "hasListing", "indictedPerson", "listedActor", "listingDate",
            "listingReason", "listingOf", "linkedActor", "linkedTo", "statedBy", "statementDate",
        )
    ),
)  # fmt: skip
PROPERTIES = (
    RDF_TYPE, RDFS_LABEL, SKOS_ALT_LABEL, DCT_DESCRIPTION, DCT_SOURCE,
    *(str(CG[name]) for name in _CG_PROPERTIES),
)  # fmt: skip


#: What the store says of every resource for one property: each subject (``<iri>``) with
#: its value, or its values when it has several, in N-Triples form as the engine wrote them.
Table: TypeAlias = Mapping[str, str | list[str]]


@dataclass(slots=True)
class Record:
    """What the store says of one resource: its values by property, each in its N-Triples
    form as the engine wrote it (``<iri>``, ``"text"@en``, ``"..."^^<type>``), looked up in
    the tables of the export (one per property) by the record's ``<iri>``, and when it
    changed. Values are read when asked for: most of them are asked for once."""

    iri: str
    modified: datetime | None
    #: The tables of the export, by property: its IRI, and its local name for ``cg:``.
    tables: dict[str, Table]
    token: str = ""
    #: The IRI as a person reads it (``shorten``), when it was shortened with the others.
    short: str = ""
    _types: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not self.token:
            self.token = f"<{self.iri}>"

    def raw(self, prop: str) -> str | list[str] | None:
        """The record's value or values of a property, one of ``PROPERTIES`` (by IRI, or by
        local name for ``cg:``; ``KeyError`` for any other: it was not read), as the table
        holds them: one term, a list of terms, or ``None``. The readers below look it up the
        same way, in place."""
        return self.tables[prop].get(self.token)

    @property
    def types(self) -> frozenset[str]:
        """The IRIs of the record's classes (inferred ones included)."""
        if self._types is None:
            found = self.raw(RDF_TYPE)
            if found is None:
                self._types = frozenset()
            elif type(found) is str:
                self._types = frozenset((found[1:-1],))
            else:
                self._types = frozenset(t[1:-1] for t in found)
        return self._types

    def is_a(self, name: str) -> bool:
        """Whether the record is of the class ``cg:<name>`` (inferred types count), one of
        ``CLASSES`` (the types read).

        Raises:
            ValueError: the class is not one of ``CLASSES``.
        """
        try:
            return _CLASS_IRIS[name] in self.types
        except KeyError:
            raise ValueError(f"cg:{name} is not one of the classes a STIX export reads") from None

    def all(self, prop: str) -> list[str]:
        """Every value of a property, sorted (IRIs and lexical forms alike)."""
        found = self.tables[prop].get(self.token)
        if found is None:
            return []
        if type(found) is not str:
            if len(found) != 1:
                return sorted({_plain(t) for t in found})
            found = found[0]  # the one value of a record where others have several
        return [found[1:-1] if found[0] == "<" else _plain(found)]

    def iris(self, props: Iterable[str]) -> Iterator[str]:
        """The IRIs that are values of any of ``props`` (each as often as it is said)."""
        for prop in props:
            found = self.raw(prop)
            for token in (found,) if type(found) is str else found or ():
                if token[0] == "<":
                    yield token[1:-1]

    def first(self, prop: str) -> str | None:
        """One value of a property (the least, so that exports agree), or ``None``."""
        found = self.tables[prop].get(self.token)
        if found is None:
            return None
        if type(found) is not str:
            if len(found) != 1:
                return min(map(_plain, found))
            found = found[0]
        return found[1:-1] if found[0] == "<" else _plain(found)

    def text(self, prop: str) -> str | None:
        """The English (or untagged) text of a property, or ``None``."""
        found = self.tables[prop].get(self.token)
        if found is None:
            return None
        if type(found) is str:
            one = literal(found)
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


_CLASS_IRIS = {name: str(CG[name]) for name in CLASSES}


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
    times, then what is said of them, one property at a time (the types, of the classes
    read, as one more; the properties said of few resources together), each answer made
    into its tables here as soon as it is answered, while the workers answer the next.

    The properties asked ``first`` are answered first: an export can make the objects
    that need only those (:meth:`records` with ``read``) while the workers answer the
    others, which it reads after (:meth:`read`)."""

    subjects: Future[bytes]
    times: Future[bytes]
    properties: dict[str, Future[bytes]]
    few: Future[bytes]
    groups: Future[bytes]
    organs: Future[bytes]
    campaigns: Future[bytes]
    names: Future[bytes]
    #: The tables read so far, by property: its IRI, and its local name for ``cg:``.
    tables: dict[str, Table]

    @classmethod
    def start(
        cls,
        runner: QueryRunner,
        graphs: list[str],
        pool: ThreadPoolExecutor,
        first: Iterable[str] = (),
    ) -> Reading:
        def ask(sparql: str, what: str) -> Future[bytes]:
            return pool.submit(read_tsv, runner, sparql, what)

        subjects = ask(_subjects(graphs), "records")
        times = ask(_TIMES, "times of the graphs")
        few = ask(_FEW_VALUES, "values of the properties said of few resources")
        groups = ask(_instances("ThreatActorGroup"), "threat-actor groups")
        organs = ask(_ORGANS, "state organs acting as threat actors")
        campaigns = ask(_instances("Campaign"), "campaigns")
        early = set(first)
        ordered = sorted(_STATEMENTS, key=lambda statement: statement[0] not in early)
        properties = {p: ask(text, f"values of <{p}>") for p, text in ordered}
        names = ask(_ALIASES, "aliases")
        return cls(subjects, times, properties, few, groups, organs, campaigns, names, {})

    def read_answered(self) -> bool:
        """Make the tables of the answers come so far (without waiting for any); whether
        every query has been answered.

        Raises:
            ExportError: an answer was cut or is not what was asked.
            StoreError: the store failed.
        """
        self.read([p for p, future in self.properties.items() if future.done()])
        if self.few.done():
            self.read(_FEW)
        futures = (self.subjects, self.times, self.few, self.groups, self.organs)
        return all(f.done() for f in (*futures, self.campaigns, self.names)) and all(
            f.done() for f in self.properties.values()
        )

    def read(self, props: Iterable[str] = PROPERTIES) -> None:
        """Make the tables of ``props`` (IRIs, of ``PROPERTIES``) that are not made yet, each
        as soon as its answer comes.

        Raises:
            ExportError: an answer was cut or is not what was asked.
            StoreError: the store failed.
        """
        wanted = {p for p in props if p not in self.tables}
        by_future = {self.properties[p]: p for p in wanted if p not in _FEW}
        if wanted & set(_FEW):
            by_future[self.few] = ""
        for part in as_completed(by_future):
            if part is self.few:
                made = _few_tables(part.result())
            else:
                prop = by_future[part]
                made = {prop: _table(part.result(), f"values of <{prop}>")}
            for prop, table in made.items():
                self.tables[prop] = table
                if prop.startswith(_CG):
                    self.tables[prop.removeprefix(_CG)] = table

    def records(self, *, read: Iterable[str] = PROPERTIES) -> dict[str, Record]:
        """Every record typed in the graphs, with what the whole store says of it: of the
        properties ``read`` so far (every property unless told; a record asked for the
        value of a property not read raises ``KeyError``).

        Raises:
            ExportError: an answer was cut or is not what was asked.
            StoreError: the store failed.
        """
        times: dict[str, datetime] = {}
        for graph, moment in tsv_rows(self.times.result(), "times", ("g", "t")):
            if graph.startswith("<") and (found := literal(moment)) is not None:
                when = parse_time(found[0])
                times[graph] = max(when, times.get(graph, when))
        modified: dict[str, datetime | None] = {}
        subjects, graphs = tsv_columns(self.subjects.result(), "records", ("s", "g"))
        for subject, graph in zip(subjects, graphs, strict=True):
            if subject[0] != "<":  # a blank node
                continue
            last = times.get(graph)
            if subject not in modified or (
                last is not None and ((kept := modified[subject]) is None or last > kept)
            ):
                modified[subject] = last
        self.read(read)
        tables = self.tables
        iris = [token[1:-1] for token in modified]
        return {
            iri: Record(iri, when, tables, token, short)
            for iri, (token, when), short in zip(
                iris, modified.items(), shortened(iris), strict=True
            )
        }

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


def _table(body: bytes, what: str) -> Table:
    """The values of one property by subject: made whole by ``dict`` when no subject has
    two (most properties), else grouped into lists."""
    subjects, values = tsv_columns(body, what, ("s", "o"))
    if b"\t_:" in body:  # a blank node (a tab in a literal is written escaped)
        pairs = [(s, v) for s, v in zip(subjects, values, strict=True) if not v.startswith("_:")]
        subjects, values = [s for s, _ in pairs], [v for _, v in pairs]
    single: dict[str, str] = dict(zip(subjects, values, strict=True))
    if len(single) == len(subjects):
        return single
    grouped: dict[str, list[str]] = {subject: [] for subject in single}
    # each value appended to its subject's list, the rows walked by ``map`` (no Python loop)
    deque(map(list.append, map(grouped.__getitem__, subjects), values), maxlen=0)
    return grouped


def _few_tables(body: bytes) -> dict[str, Table]:
    """The tables of the properties said of few resources, from one answer (``?s ?p ?o``)."""
    grouped: dict[str, dict[str, list[str]]] = {f"<{prop}>": {} for prop in _FEW}
    for line in tsv_lines(body, "values of few properties", ("s", "p", "o")):
        subject, prop, value = line.split("\t")
        if not value.startswith("_:"):
            grouped[prop].setdefault(subject, []).append(value)
    return {prop[1:-1]: table for prop, table in grouped.items()}


def _iris(body: bytes, what: str) -> set[str]:
    return {row[0][1:-1] for row in tsv_rows(body, what, ("s",)) if row[0].startswith("<")}


def _subjects(graphs: list[str]) -> str:
    """The resources typed in the graphs, once per type (blank nodes, no records, and the
    repeats are left out by ``Reading.records``: the engine's would cost more)."""
    return f"""
    SELECT ?s ?g WHERE {{
      VALUES ?g {{ {_values(graphs)} }}
      GRAPH ?g {{ ?s a ?type }}
    }}"""


def _instances(class_name: str) -> str:
    return f"SELECT DISTINCT ?s WHERE {{ ?s a <{CG[class_name]}> }}"


_TIMES = f"SELECT ?g ?t WHERE {{ GRAPH <{META_GRAPH}> {{ ?g <{_PROV_GENERATED}> ?t }} }}"


def _values_of(prop: str) -> str:
    """What the whole store says of any resource for one property (blank nodes as values,
    no values of a record, are left out by ``_table``; blank nodes as subjects are never
    looked up: the engine's tests would cost more)."""
    return f"SELECT ?s ?o WHERE {{ ?s <{prop}> ?o }}"


#: The queries of the records' values, one per property; the types only of the classes an
#: export tells records apart by (see ``CLASSES``).
_STATEMENTS = (
    (
        RDF_TYPE,
        f"""
    SELECT ?s ?o WHERE {{
      VALUES ?o {{ {_values(CG[name] for name in sorted(CLASSES))} }}
      ?s a ?o
    }}""",
    ),
    *((p, _values_of(p)) for p in PROPERTIES if p != RDF_TYPE and p not in _FEW),
)
_FEW_VALUES = f"""
    SELECT ?s ?p ?o WHERE {{
      VALUES ?p {{ {_values(_FEW)} }}
      ?s ?p ?o
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
