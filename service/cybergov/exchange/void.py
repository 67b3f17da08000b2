"""The description of the dataset in VoID and DCAT: what it holds, under which licence,
in which named graphs, and where to get it.

The counts come from the store (one pass of aggregate queries, worth caching
per graph version); the addresses of the dumps and of the SPARQL endpoint
depend on where the service runs and are given when the triples are made.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from cybergov.exchange.dumps import DUMP_FORMATS
from cybergov.exchange.labels import Labels
from cybergov.namespaces import (
    BASE,
    CG,
    CGR,
    DCAT,
    MAINTAINERS,
    META_GRAPH,
    PREFIXES,
    VOCABULARY_PREFIXES,
    VOID,
)
from cybergov.store.base import Store, Term

DATASET_IRI = f"{BASE}void#dataset"
PUBLISHER_IRI = MAINTAINERS
TITLE = "cybergov: the knowledge graph of cyberspace governance"
DESCRIPTION = (
    "Who did what in cyberspace, which norms of responsible state behaviour and principles "
    "of international law it touched, who said who did it, and how states and organisations "
    "answered: incidents, attributions, responses and sanctions, norms, national positions on "
    "international law, and the instruments of cyberspace governance, each fact with its "
    "public sources. Derived facts name the rule that made them."
)
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
PUBLISHER = "The cybergov maintainers"
KEYWORDS = (
    "cyber diplomacy",
    "cyberspace governance",
    "international law",
    "cyber incidents",
    "attribution",
    "sanctions",
    "norms of responsible state behaviour",
)
#: Classes whose first instance is given as an example resource.
EXAMPLE_CLASSES = ("Incident", "Attribution", "Response", "Listing", "State", "Norm", "Instrument")

_RDF = VOCABULARY_PREFIXES["rdf"]
_RDFS = VOCABULARY_PREFIXES["rdfs"]
_XSD = VOCABULARY_PREFIXES["xsd"]
_DCT = VOCABULARY_PREFIXES["dct"]
_FOAF = "http://xmlns.com/foaf/0.1/"
_PROV = VOCABULARY_PREFIXES["prov"]
_OWL = VOCABULARY_PREFIXES["owl"]

_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_GRAPH_META = f"SELECT ?g ?p ?o WHERE {{ GRAPH <{META_GRAPH}> {{ ?g ?p ?o }} }}"
_CLASSES = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s <{_RDF}type> ?class }}
GROUP BY ?class ORDER BY ?class
"""
_PROPERTIES = """
SELECT ?p (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?p ORDER BY ?p
"""
_LABELS = f"""
SELECT ?term ?label WHERE {{
  {{ SELECT DISTINCT ?term WHERE {{ {{ ?s ?term ?o }} UNION {{ ?s <{_RDF}type> ?term }} }} }}
  ?term <{_RDFS}label> ?label
}}
"""
_TOTALS = f"""
SELECT (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?o) AS ?objects)
       (COUNT(DISTINCT ?entity) AS ?entities)
WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  BIND(IF(isIRI(?s) && STRSTARTS(STR(?s), "{CGR}"), ?s, ?unbound) AS ?entity)
}}
"""
_EXAMPLES = f"""
SELECT ?class (MIN(STR(?s)) AS ?example) WHERE {{
  VALUES ?class {{ {" ".join(f"<{CG}{name}>" for name in EXAMPLE_CLASSES)} }}
  ?s <{_RDF}type> ?class .
  FILTER(STRSTARTS(STR(?s), "{CGR}"))
}}
GROUP BY ?class
"""


@dataclass(frozen=True, slots=True)
class Count:
    """A term (a graph, a class, a property) and how many triples or entities it has."""

    iri: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """A named graph of the store as a subset of the dataset."""

    iri: str
    label: str
    kind: str | None
    triples: int
    source_file: str | None
    sha256: str | None
    generated: str | None


@dataclass(frozen=True, slots=True)
class DatasetDescription:
    """Everything the VoID and DCAT description says, before it becomes triples."""

    version: str
    triples: int
    entities: int
    distinct_subjects: int
    distinct_objects: int
    modified: str | None
    graphs: tuple[GraphInfo, ...]
    classes: tuple[Count, ...]
    properties: tuple[Count, ...]
    examples: tuple[str, ...]
    vocabularies: tuple[str, ...]

    title: str = TITLE
    description: str = DESCRIPTION
    licence: str = LICENCE
    publisher: str = PUBLISHER


def _rows(store: Store, sparql: str) -> list[dict[str, Term]]:
    return store.select(sparql).as_dicts()


def _best_labels(store: Store) -> Labels:
    labels = Labels()
    for row in _rows(store, _LABELS):
        labels.offer(row["term"], row["label"])
    return labels


def namespace_of(iri: str) -> str:
    """The namespace of an IRI: everything up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def describe_dataset(store: Store, *, version: str) -> DatasetDescription:
    """Count what the store holds and describe it.

    Raises:
        StoreError: the store failed.
    """
    labels = _best_labels(store)
    meta: dict[str, dict[str, str]] = defaultdict(dict)
    for row in _rows(store, _GRAPH_META):
        meta[row["g"].value][row["p"].value] = row["o"].value
    graphs = tuple(
        GraphInfo(
            iri=row["g"].value,
            label=meta[row["g"].value].get(f"{_RDFS}label", row["g"].value),
            kind=meta[row["g"].value].get(f"{_RDF}type"),
            triples=int(row["n"].value),
            source_file=meta[row["g"].value].get(str(CG.sourceFile)),
            sha256=meta[row["g"].value].get(str(CG.sha256)),
            generated=meta[row["g"].value].get(f"{_PROV}generatedAtTime"),
        )
        for row in sorted(_rows(store, _GRAPH_SIZES), key=lambda r: r["g"].value)
    )
    classes = tuple(
        Count(row["class"].value, labels.get(row["class"].value) or "", int(row["n"].value))
        for row in _rows(store, _CLASSES)
        if isinstance(row["class"], NamedNode)
    )
    properties = tuple(
        Count(row["p"].value, labels.get(row["p"].value) or "", int(row["n"].value))
        for row in _rows(store, _PROPERTIES)
    )
    totals = _rows(store, _TOTALS)[0]
    examples = tuple(sorted(row["example"].value for row in _rows(store, _EXAMPLES)))
    used = {namespace_of(c.iri) for c in classes} | {namespace_of(p.iri) for p in properties}
    generated = [g.generated for g in graphs if g.generated]
    return DatasetDescription(
        version=version,
        triples=sum(g.triples for g in graphs),
        entities=int(totals["entities"].value),
        distinct_subjects=int(totals["subjects"].value),
        distinct_objects=int(totals["objects"].value),
        modified=max(generated) if generated else None,
        graphs=graphs,
        classes=classes,
        properties=properties,
        examples=examples,
        vocabularies=tuple(sorted(used & set(PREFIXES.values()))),
    )


def _iri(value: str) -> NamedNode:
    return NamedNode(value)


def _integer(value: int) -> Literal:
    return Literal(str(value), datatype=NamedNode(f"{_XSD}integer"))


def _text(value: str) -> Literal:
    return Literal(value, language="en")


def dataset_triples(description: DatasetDescription, *, service_url: str) -> list[Triple]:
    """The VoID and DCAT triples of the dataset, with this service's addresses.

    ``service_url`` is the base URL of the running service, ending with ``/``.
    """
    dataset = _iri(DATASET_IRI)
    publisher = _iri(PUBLISHER_IRI)
    out: list[Triple] = []

    def add(subject: NamedNode, predicate: str, obj: NamedNode | Literal) -> None:
        out.append(Triple(subject, _iri(predicate), obj))

    add(dataset, f"{_RDF}type", _iri(f"{VOID}Dataset"))
    add(dataset, f"{_RDF}type", _iri(f"{DCAT}Dataset"))
    add(dataset, f"{_DCT}title", _text(description.title))
    add(dataset, f"{_DCT}description", _text(description.description))
    add(dataset, f"{_DCT}license", _iri(description.licence))
    add(dataset, f"{_DCT}publisher", publisher)
    add(dataset, f"{_DCT}creator", publisher)
    add(dataset, f"{_DCT}language", _iri("http://id.loc.gov/vocabulary/iso639-1/en"))
    add(dataset, f"{_OWL}versionInfo", Literal(description.version))
    if description.modified:
        modified = Literal(description.modified, datatype=_iri(f"{_XSD}dateTime"))
        add(dataset, f"{_DCT}modified", modified)
    for keyword in KEYWORDS:
        add(dataset, f"{DCAT}keyword", _text(keyword))
    add(dataset, f"{DCAT}landingPage", _iri(service_url))
    add(dataset, f"{VOID}uriSpace", Literal(str(CGR)))
    add(dataset, f"{VOID}sparqlEndpoint", _iri(f"{service_url}sparql"))
    add(dataset, f"{VOID}triples", _integer(description.triples))
    add(dataset, f"{VOID}entities", _integer(description.entities))
    add(dataset, f"{VOID}distinctSubjects", _integer(description.distinct_subjects))
    add(dataset, f"{VOID}distinctObjects", _integer(description.distinct_objects))
    add(dataset, f"{VOID}classes", _integer(len(description.classes)))
    add(dataset, f"{VOID}properties", _integer(len(description.properties)))
    for vocabulary in description.vocabularies:
        add(dataset, f"{VOID}vocabulary", _iri(vocabulary))
    for example in description.examples:
        add(dataset, f"{VOID}exampleResource", _iri(example))
    add(publisher, f"{_RDF}type", _iri(f"{_FOAF}Organization"))
    add(publisher, f"{_FOAF}name", Literal(description.publisher))
    out += _subsets(dataset, description.graphs)
    out += _partitions(dataset, description)
    out += _distributions(dataset, service_url)
    out += _stix_exchange(dataset, service_url)
    return out


def _subsets(dataset: NamedNode, graphs: Iterable[GraphInfo]) -> list[Triple]:
    out: list[Triple] = []
    for graph in graphs:
        node = _iri(graph.iri)
        out.append(Triple(dataset, _iri(f"{VOID}subset"), node))
        out.append(Triple(node, _iri(f"{_RDF}type"), _iri(f"{VOID}Dataset")))
        if graph.kind:
            out.append(Triple(node, _iri(f"{_RDF}type"), _iri(graph.kind)))
        out.append(Triple(node, _iri(f"{_DCT}title"), Literal(graph.label)))
        out.append(Triple(node, _iri(f"{VOID}triples"), _integer(graph.triples)))
        if graph.source_file:
            out.append(Triple(node, _iri(str(CG.sourceFile)), Literal(graph.source_file)))
        if graph.sha256:
            out.append(Triple(node, _iri(str(CG.sha256)), Literal(graph.sha256)))
    return out


def _partitions(dataset: NamedNode, description: DatasetDescription) -> list[Triple]:
    out: list[Triple] = []
    for item in description.classes:
        part = BlankNode()
        out.append(Triple(dataset, _iri(f"{VOID}classPartition"), part))
        out.append(Triple(part, _iri(f"{VOID}class"), _iri(item.iri)))
        out.append(Triple(part, _iri(f"{VOID}entities"), _integer(item.count)))
    for item in description.properties:
        part = BlankNode()
        out.append(Triple(dataset, _iri(f"{VOID}propertyPartition"), part))
        out.append(Triple(part, _iri(f"{VOID}property"), _iri(item.iri)))
        out.append(Triple(part, _iri(f"{VOID}triples"), _integer(item.count)))
    return out


def dump_url(service_url: str, filename: str) -> str:
    return f"{service_url}dumps/{filename}"


def _distributions(dataset: NamedNode, service_url: str) -> list[Triple]:
    out: list[Triple] = []
    for dump in DUMP_FORMATS:
        for compressed in (False, True):
            name = f"{dump.filename}.gz" if compressed else dump.filename
            url = _iri(dump_url(service_url, name))
            out.append(Triple(dataset, _iri(f"{DCAT}distribution"), url))
            out.append(Triple(dataset, _iri(f"{VOID}dataDump"), url))
            out.append(Triple(url, _iri(f"{_RDF}type"), _iri(f"{DCAT}Distribution")))
            out.append(Triple(url, _iri(f"{DCAT}downloadURL"), url))
            out.append(Triple(url, _iri(f"{DCAT}mediaType"), _media_type_iri(dump.media_type)))
            out.append(Triple(url, _iri(f"{_DCT}format"), _iri(dump.format_iri)))
            out.append(Triple(url, _iri(f"{_DCT}license"), _iri(LICENCE)))
            label = f"The whole graph in {dump.label}" + (", gzipped" if compressed else "")
            out.append(Triple(url, _iri(f"{_DCT}title"), _text(label)))
            if compressed:
                out.append(
                    Triple(url, _iri(f"{DCAT}compressFormat"), _media_type_iri("application/gzip"))
                )
    out += _table_distributions(dataset, service_url)
    return out


#: The research tables as distributions: the zip of them all, and their Data Package.
TABLE_DISTRIBUTIONS = (
    ("cybergov-tables.zip", "application/zip", "The research tables (CSV) with their codebook"),
    ("datapackage.json", "application/json", "The Data Package describing the research tables"),
)
_DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"


def _table_distributions(dataset: NamedNode, service_url: str) -> list[Triple]:
    out: list[Triple] = []
    for filename, media_type, title in TABLE_DISTRIBUTIONS:
        url = _iri(f"{service_url}dumps/tables/{filename}")
        out.append(Triple(dataset, _iri(f"{DCAT}distribution"), url))
        out.append(Triple(url, _iri(f"{_RDF}type"), _iri(f"{DCAT}Distribution")))
        out.append(Triple(url, _iri(f"{DCAT}downloadURL"), url))
        out.append(Triple(url, _iri(f"{DCAT}mediaType"), _media_type_iri(media_type)))
        out.append(Triple(url, _iri(f"{_DCT}conformsTo"), _iri(_DATA_PACKAGE_SPEC)))
        out.append(Triple(url, _iri(f"{_DCT}license"), _iri(LICENCE)))
        out.append(Triple(url, _iri(f"{_DCT}title"), _text(title)))
    return out


def _stix_exchange(dataset: NamedNode, service_url: str) -> list[Triple]:
    """The curated graph as a STIX 2.1 bundle (a distribution, not an RDF dump) and the TAXII
    2.1 server that serves it (a data service)."""
    bundle, taxii = _iri(f"{service_url}stix/bundle.json"), _iri(f"{service_url}taxii2/")
    return [
        Triple(dataset, _iri(f"{DCAT}distribution"), bundle),
        Triple(bundle, _iri(f"{_RDF}type"), _iri(f"{DCAT}Distribution")),
        Triple(bundle, _iri(f"{DCAT}downloadURL"), bundle),
        Triple(bundle, _iri(f"{DCAT}mediaType"), _media_type_iri("application/stix+json")),
        Triple(bundle, _iri(f"{_DCT}conformsTo"), _iri(_STIX_SPEC)),
        Triple(bundle, _iri(f"{_DCT}license"), _iri(LICENCE)),
        Triple(bundle, _iri(f"{_DCT}title"), _text("The curated graph as a STIX 2.1 bundle")),
        Triple(bundle, _iri(f"{DCAT}accessService"), taxii),
        Triple(taxii, _iri(f"{_RDF}type"), _iri(f"{DCAT}DataService")),
        Triple(taxii, _iri(f"{DCAT}endpointURL"), taxii),
        Triple(taxii, _iri(f"{DCAT}servesDataset"), dataset),
        Triple(taxii, _iri(f"{_DCT}conformsTo"), _iri(_TAXII_SPEC)),
        Triple(taxii, _iri(f"{_DCT}title"), _text("TAXII 2.1 server (read-only)")),
    ]


_STIX_SPEC = "https://docs.oasis-open.org/cti/stix/v2.1/stix-v2.1.html"
_TAXII_SPEC = "https://docs.oasis-open.org/cti/taxii/v2.1/taxii-v2.1.html"


def _media_type_iri(media_type: str) -> NamedNode:
    return _iri(f"https://www.iana.org/assignments/media-types/{media_type}")


__all__ = [
    "DATASET_IRI",
    "Count",
    "DatasetDescription",
    "GraphInfo",
    "dataset_triples",
    "describe_dataset",
    "dump_url",
    "namespace_of",
]
